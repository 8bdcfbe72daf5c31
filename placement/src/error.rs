//! Errors of the readers and of the placement flow.

use std::path::PathBuf;

/// An error with the file and line where it was found, or a design-level problem.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// A syntax or content error in an input file.
    #[error("{}:{line}: {message}", path.display())]
    Parse { path: PathBuf, line: usize, message: String },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// The design is inconsistent (e.g. a net names an unknown block).
    #[error("{0}")]
    Design(String),
}

impl PlaceError {
    pub(crate) fn parse(path: &std::path::Path, line: usize, message: impl Into<String>) -> Self {
        PlaceError::Parse { path: path.to_path_buf(), line, message: message.into() }
    }
}

/// Reads a file to a string, with the path in the error.
pub(crate) fn read(path: &std::path::Path) -> Result<String, PlaceError> {
    std::fs::read_to_string(path).map_err(|source| PlaceError::Io { path: path.to_path_buf(), source })
}

//! Table files: the format follows the extension.
//!
//! | extension | format | load | save |
//! |---|---|---|---|
//! | `.ins` | insitu's own binary (all quantities and metadata, fast load) | yes | yes |

pub mod ins;

use super::{GmidError, Table};
use std::path::Path;

fn ext(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

pub(crate) fn io_err(path: &Path, e: impl std::fmt::Display) -> GmidError {
    GmidError::Io { path: path.display().to_string(), message: e.to_string() }
}

impl Table {
    /// Writes the table; the format follows the extension (`.ins`).
    pub fn save(&self, path: &Path) -> Result<(), GmidError> {
        let bytes = match ext(path).as_str() {
            "ins" => ins::to_bytes(self),
            e => {
                return Err(GmidError::Format(format!(
                    "{}: unknown table extension '.{e}' (known: .ins)",
                    path.display()
                )))
            }
        };
        std::fs::write(path, bytes).map_err(|e| io_err(path, e))
    }

    /// Reads a table; the format follows the extension (`.ins`).
    pub fn load(path: &Path) -> Result<Table, GmidError> {
        let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
        match ext(path).as_str() {
            "ins" => ins::from_bytes(&bytes).map_err(|e| io_err(path, e)),
            e => Err(GmidError::Format(format!("{}: unknown table extension '.{e}' (known: .ins)", path.display()))),
        }
    }
}

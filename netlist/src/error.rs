//! Errors of parsing and elaboration, with source locations and caret snippets.

use std::fmt;
use std::path::PathBuf;

/// A position in a source file with the text of its line, for caret snippets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File path as given to the parser (or resolved from an include).
    pub file: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (bytes).
    pub col: u32,
    /// The physical source line, for the snippet.
    pub source_line: String,
}

impl Location {
    /// The snippet: the source line and a caret under the column.
    pub fn snippet(&self) -> String {
        let line = self.source_line.replace('\t', " ");
        let pad = " ".repeat(self.col.saturating_sub(1) as usize);
        format!("    {line}\n    {pad}^")
    }

    /// `"file:line:col: "` for a located error, nothing otherwise (an error message's head).
    pub fn prefix_of(loc: &Option<Box<Location>>) -> String {
        loc.as_ref().map(|l| format!("{l}: ")).unwrap_or_default()
    }

    /// A newline and the snippet for a located error, nothing otherwise (its tail).
    pub fn snippet_of(loc: &Option<Box<Location>>) -> String {
        loc.as_ref().map(|l| format!("\n{}", l.snippet())).unwrap_or_default()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

/// Everything that can go wrong between deck text and a [`Circuit`](crate::Circuit).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text does not follow the grammar; `expected` says what would have been accepted.
    #[error("{loc}: {expected}\n{}", loc.snippet())]
    Parse { loc: Box<Location>, expected: String },
    /// A deck or an included file could not be read.
    #[error("{}cannot read '{}': {reason}{}", Location::prefix_of(.loc), .path.display(), Location::snippet_of(.loc))]
    Io { loc: Option<Box<Location>>, path: PathBuf, reason: String },
    /// `.include` / `.lib` files include each other.
    #[error("{loc}: include cycle: {chain}\n{}", loc.snippet())]
    IncludeCycle { loc: Box<Location>, chain: String },
    /// A model used by an element has a type/level this build does not simulate.
    #[error("{}model '{model}' ({kind} level {level}) used by '{element}' is not supported (supported: {supported}){}",
        Location::prefix_of(.loc), Location::snippet_of(.loc))]
    UnsupportedModel {
        loc: Option<Box<Location>>,
        model: String,
        kind: String,
        level: u32,
        element: String,
        supported: String,
    },
    /// Any other elaboration problem, naming the element and parameter when there is one.
    #[error("{}{}{message}{}", Location::prefix_of(.loc), what(.element, .param), Location::snippet_of(.loc))]
    Elaboration { loc: Option<Box<Location>>, element: Option<String>, param: Option<String>, message: String },
    /// [`Circuit::set_param`](crate::Circuit::set_param) on a name that is not a parameter.
    #[error("unknown parameter '{0}'")]
    UnknownParam(String),
}

fn what(element: &Option<String>, param: &Option<String>) -> String {
    match (element, param) {
        (Some(e), Some(p)) => format!("{e}, parameter '{p}': "),
        (Some(e), None) => format!("{e}: "),
        (None, Some(p)) => format!("parameter '{p}': "),
        (None, None) => String::new(),
    }
}

impl Error {
    /// The source location of the error, when it has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Parse { loc, .. } | Error::IncludeCycle { loc, .. } => Some(loc),
            Error::Io { loc, .. } | Error::UnsupportedModel { loc, .. } | Error::Elaboration { loc, .. } => {
                loc.as_deref()
            }
            Error::UnknownParam(_) => None,
        }
    }
}

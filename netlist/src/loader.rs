//! Where deck text comes from: the file system, or memory (tests).

use std::collections::HashMap;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Reads the text of a deck or of an included file.
///
/// `.include` and `.lib` paths reach the loader already joined to the including file's
/// directory (see [`resolve`]); a loader that serves built-in names (such as the PDK's
/// `insitu:generic180`) recognizes them by the file name, so a real file of that name beside
/// the deck is found first.
pub trait Loader {
    /// The whole text of `path`.
    fn load(&self, path: &Path) -> io::Result<String>;
}

/// Reads files from the file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> io::Result<String> {
        let bytes = std::fs::read(path)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// An in-memory set of files, keyed by (lexically normalized) path.
///
/// ```
/// use insitu_netlist::{MemLoader, Loader};
/// let mut files = MemLoader::new();
/// files.insert("lib/models.inc", ".model n nmos level=1");
/// assert!(files.load(std::path::Path::new("lib/./models.inc")).is_ok());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemLoader {
    files: HashMap<PathBuf, String>,
}

impl MemLoader {
    /// An empty set of files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl AsRef<Path>, text: impl Into<String>) -> &mut Self {
        self.files.insert(normalize(path.as_ref()), text.into());
        self
    }

    /// Builder form of [`MemLoader::insert`].
    pub fn with(mut self, path: impl AsRef<Path>, text: impl Into<String>) -> Self {
        self.insert(path, text);
        self
    }
}

impl Loader for MemLoader {
    fn load(&self, path: &Path) -> io::Result<String> {
        self.files.get(&normalize(path)).cloned().ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }
}

/// Resolves an include name relative to the including file (quotes already stripped).
pub fn resolve(including: &Path, name: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() {
        return normalize(p);
    }
    let dir = including.parent().unwrap_or(Path::new(""));
    normalize(&dir.join(p))
}

/// Removes `.` components and folds `dir/..` pairs, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_to_including_file() {
        assert_eq!(resolve(Path::new("a/b/top.cir"), "../m.inc"), PathBuf::from("a/m.inc"));
        assert_eq!(resolve(Path::new("top.cir"), "m.inc"), PathBuf::from("m.inc"));
        assert_eq!(resolve(Path::new("/x/top.cir"), "/abs/m.inc"), PathBuf::from("/abs/m.inc"));
        // Built-in names resolve like files, so a real file of that name beside the deck wins.
        assert_eq!(resolve(Path::new("/x/top.cir"), "insitu:generic180"), PathBuf::from("/x/insitu:generic180"));
    }
}

//! Built-in generic process libraries with corners, readable from decks without any file on
//! disk: `.lib 'insitu:generic180' tt`.
//!
//! | library | devices | supply |
//! |---|---|---|
//! | `generic180` | BSIM-lite (BSIM3v3.3 core, `level=8 version=3.3.0`) `nch`, `pch`, 180 nm-class | 1.8 V |
//! | `generic65` | BSIM-lite `nch`, `pch`, 65 nm-class | 1.2 V |
//! | `generic-l1` | MOS level 1 `nch`, `pch`, for teaching and exact cross-checks | 1.8 V |
//!
//! Each has the sections `tt`, `ff`, `ss`, `fs`, `sf` (NMOS speed first): corners shift VTH0,
//! U0 and TOX (level 1: VTO and KP) as corner libraries do. The numbers are insitu's own, for
//! design exploration; they are not a foundry's and are not calibrated. The cards are ordinary
//! SPICE text ([`library_text`]), so ngspice runs the same libraries ([`library_file`]).
//!
//! The scheme: a `.lib` or `.include` path whose file name starts with `insitu:` is served by
//! [`PdkLoader`] from the built-in texts, unless a file of that name exists on disk, which takes
//! precedence.
//!
//! ```
//! use insitu_pdk::{load_deck_str, CORNERS};
//! let deck = "nmos\n.lib 'insitu:generic180' ff\nVD d 0 1.8\nVG g 0 0.9\nM1 d g 0 0 nch W=1u L=0.18u\n.op\n.end\n";
//! let circuit = load_deck_str(deck, "tb.cir".as_ref()).unwrap();
//! assert_eq!(circuit.models.len(), 2);
//! assert_eq!(CORNERS.len(), 5);
//! ```

pub mod gmid;

use insitu_netlist::{elaborate, parse_file, parse_str, Circuit, ElabOptions, FsLoader, Loader, Model};
use std::path::{Path, PathBuf};

/// The corner sections every built-in library has.
pub const CORNERS: [&str; 5] = ["tt", "ff", "ss", "fs", "sf"];

/// Names of the built-in libraries.
pub const LIBRARIES: [&str; 3] = ["generic180", "generic65", "generic-l1"];

/// The prefix that names a built-in library in a deck.
pub const PREFIX: &str = "insitu:";

/// The SPICE text of a built-in library.
pub fn library_text(name: &str) -> Option<&'static str> {
    match name {
        "generic180" => Some(include_str!("../libs/generic180.lib")),
        "generic65" => Some(include_str!("../libs/generic65.lib")),
        "generic-l1" => Some(include_str!("../libs/generic-l1.lib")),
        _ => None,
    }
}

/// Nominal supply voltage of a built-in library.
pub fn supply(name: &str) -> Option<f64> {
    match name {
        "generic180" | "generic-l1" => Some(1.8),
        "generic65" => Some(1.2),
        _ => None,
    }
}

/// A loader that serves `insitu:NAME` from the built-in libraries and everything else (and
/// any file that exists on disk under that name) through `inner`.
#[derive(Debug, Clone, Default)]
pub struct PdkLoader<L: Loader> {
    pub inner: L,
}

impl<L: Loader> Loader for PdkLoader<L> {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        match self.inner.load(path) {
            Ok(text) => Ok(text),
            Err(e) => {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                match name.strip_prefix(PREFIX).and_then(library_text) {
                    Some(text) => Ok(text.to_string()),
                    None if name.starts_with(PREFIX) => Err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("no built-in library '{name}' (built-in: {})", LIBRARIES.join(", ")),
                    )),
                    None => Err(e),
                }
            }
        }
    }
}

/// Parses and elaborates a deck file, with the built-in libraries available.
pub fn load_deck(path: &Path) -> Result<Circuit, insitu_netlist::Error> {
    let deck = parse_file(path, &PdkLoader { inner: FsLoader })?;
    elaborate(&deck, &ElabOptions::default())
}

/// Parses and elaborates deck text (relative includes resolve against `path`'s folder).
pub fn load_deck_str(text: &str, path: &Path) -> Result<Circuit, insitu_netlist::Error> {
    let deck = parse_str(text, path, &PdkLoader { inner: FsLoader })?;
    elaborate(&deck, &ElabOptions::default())
}

/// The model cards of a built-in library at a corner: what [`insitu_solver::Simulator::set_models`]
/// takes to move a compiled testbench to another corner without parsing the deck again.
pub fn corner_models(library: &str, corner: &str) -> Result<Vec<Model>, insitu_netlist::Error> {
    let text = format!("{library} {corner}\n.lib '{PREFIX}{library}' {corner}\n.end\n");
    let deck = parse_str(&text, Path::new("corner.cir"), &PdkLoader { inner: insitu_netlist::MemLoader::new() })?;
    Ok(elaborate(&deck, &ElabOptions::default())?.models)
}

/// A file holding the library's text (written once into the temporary folder), for tools
/// that read libraries from disk, such as ngspice in `insitu check`.
pub fn library_file(name: &str) -> std::io::Result<PathBuf> {
    let text = library_text(name)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("no built-in library '{name}'")))?;
    let dir = std::env::temp_dir().join(format!("insitu-pdk-{}", env!("CARGO_PKG_VERSION")));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.lib"));
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_and_corner_elaborates_with_both_devices() {
        for lib in LIBRARIES {
            for corner in CORNERS {
                let models = corner_models(lib, corner).unwrap_or_else(|e| panic!("{lib} {corner}: {e}"));
                let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
                assert_eq!(names, ["nch", "pch"], "{lib} {corner}");
            }
        }
    }

    #[test]
    fn corners_shift_threshold_the_documented_way() {
        let vth = |lib: &str, corner: &str, key: &str| -> (f64, f64) {
            let m = corner_models(lib, corner).unwrap();
            (m[0].param(key).unwrap(), m[1].param(key).unwrap())
        };
        for (lib, key) in [("generic180", "vth0"), ("generic65", "vth0"), ("generic-l1", "vto")] {
            let (n_tt, p_tt) = vth(lib, "tt", key);
            let (n_fs, p_fs) = vth(lib, "fs", key);
            assert!((n_tt - n_fs - 0.05).abs() < 1e-12, "{lib}: fast NMOS has |Vth| 50 mV lower");
            assert!((p_fs - p_tt + 0.05).abs() < 1e-12, "{lib}: slow PMOS has |Vth| 50 mV higher");
        }
    }

    #[test]
    fn unknown_builtin_names_are_clear_errors_and_disk_files_take_precedence() {
        let err = load_deck_str("t\n.lib 'insitu:generic7' tt\n.end\n", Path::new("t.cir")).unwrap_err();
        assert!(err.to_string().contains("generic7"), "{err}");
        let dir = std::env::temp_dir().join(format!("insitu-pdk-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("insitu:generic180"), ".lib tt\n.model nch nmos level=1 vto=0.7\n.endl tt\n").unwrap();
        let c = load_deck_str("t\n.lib 'insitu:generic180' tt\n.end\n", &dir.join("t.cir")).unwrap();
        assert_eq!(c.models[0].param("vto"), Some(0.7));
        std::fs::remove_dir_all(&dir).ok();
    }
}

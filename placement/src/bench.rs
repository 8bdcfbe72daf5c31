//! Locating and loading the MCNC benchmarks.
//!
//! The data directory is `$INSITU_MCNC_DIR` if set, else `../shared/data/mcnc` next to the
//! workspace root. A named benchmark (apte, xerox, hp, ami33, ami49) is the bookshelf netlist
//! and pads (`bookshelf_soft/B.{blocks,nets,pl}`) with hard block sizes and the outline taken
//! from YAL (`yal/B.yal`): the outline is the YAL parent (pad-ring) box, lower-left at (0,0).

use crate::bookshelf::Bookshelf;
use crate::design::Design;
use crate::error::PlaceError;
use crate::yal::read_yal;
use std::path::{Path, PathBuf};

/// The five MCNC block benchmarks.
pub const BENCHES: [&str; 5] = ["apte", "xerox", "hp", "ami33", "ami49"];

/// The paper's Table 1 (mean final HPWL of 5 runs): `(bench, BO, SA, eWL)`.
pub const PAPER_TABLE1: [(&str, f64, f64, f64); 5] = [
    ("apte", 514_138.0, 515_570.0, 513_061.0),
    ("xerox", 388_936.0, 431_108.0, 370_993.0),
    ("hp", 161_620.0, 179_826.0, 153_328.0),
    ("ami33", 78_359.0, 97_691.0, 58_627.0),
    ("ami49", 1_174_972.0, 1_517_051.0, 640_509.0),
];

/// The MCNC data directory (`$INSITU_MCNC_DIR`, else `../shared/data/mcnc` from the workspace).
pub fn data_dir() -> PathBuf {
    match std::env::var_os("INSITU_MCNC_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/mcnc"),
    }
}

/// Whether the data directory holds the benchmarks.
pub fn data_available() -> bool {
    data_dir().join("yal/ami33.yal").is_file()
}

/// Loads a named benchmark from the data directory, or a `.yal` / `.blocks` file.
///
/// A `.yal` file gives blocks, pins (exact) and pads of its PARENT module. A `.blocks` file is
/// read with its `.nets` and `.pl`; if a YAL file of the same name sits in `../yal/`, hard sizes
/// and the outline come from it, else soft blocks take their first aspect ratio and the outline
/// is the pads' bounding box.
pub fn load(bench: &str) -> Result<Design, PlaceError> {
    let p = Path::new(bench);
    match p.extension().and_then(|e| e.to_str()) {
        Some("yal") => read_yal(p),
        Some("blocks") => {
            let name = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let yal = p.parent().map(|d| d.join("../yal").join(format!("{name}.yal")));
            let hard = match yal.filter(|y| y.is_file()) {
                Some(y) => Some(read_yal(&y)?),
                None => None,
            };
            Bookshelf::read(p)?.design(&name, hard.as_ref(), hard.as_ref().map(|d| d.outline))
        }
        _ => {
            let dir = data_dir();
            let blocks = dir.join("bookshelf_soft").join(format!("{bench}.blocks"));
            if !blocks.is_file() {
                return Err(PlaceError::Design(format!(
                    "unknown benchmark `{bench}`: no {} (set INSITU_MCNC_DIR, or give a .yal or .blocks path)",
                    blocks.display()
                )));
            }
            load(blocks.to_str().unwrap_or(bench))
        }
    }
}

//! Table files: the format follows the extension.
//!
//! | extension | format | load | save |
//! |---|---|---|---|
//! | `.ins` | insitu's own binary (all quantities and metadata, fast load) | yes | yes |
//! | `.mat` | the Murmann kit's struct `nch`/`pch` (pygmid, `look_up.m`) | yes | yes |
//! | `.npz` | mosplot's `lookup_table` dict ([`npz`]) | no | yes |
//! | `.json` | the 2-D sizing view over (gm/Id, L) at one VDS, VSB ([`json`]) | no | yes |

pub mod ins;
pub mod json;
pub mod mat;
pub mod npz;
pub mod pickle;

use super::{GmidError, Table};
use std::path::Path;

fn ext(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

fn unknown(path: &Path, e: &str) -> GmidError {
    GmidError::Format(format!("{}: unknown table extension '.{e}' (known: .ins, .mat, .npz, .json)", path.display()))
}

pub(crate) fn io_err(path: &Path, e: impl std::fmt::Display) -> GmidError {
    GmidError::Io { path: path.display().to_string(), message: e.to_string() }
}

impl Table {
    /// The kit's default VDS, max(VDS)/2, clamped into the grid.
    pub fn default_vds(&self) -> f64 {
        let v = &self.grid.vds;
        (v[v.len() - 1] / 2.0).clamp(v[0], v[v.len() - 1])
    }

    /// Writes the table; the format follows the extension (`.ins`, `.mat`, `.npz`; `.json` writes the 2-D
    /// sizing view).
    pub fn save(&self, path: &Path) -> Result<(), GmidError> {
        let bytes = match ext(path).as_str() {
            "ins" => ins::to_bytes(self),
            "mat" => return mat::save(self, path),
            "npz" => npz::to_bytes(self)?,
            // The kit's defaults: VDS = max(VDS)/2, VSB = 0 (the lowest grid value).
            "json" => return json::save(self, path, self.default_vds(), self.grid.vsb[0]),
            e => return Err(unknown(path, e)),
        };
        std::fs::write(path, bytes).map_err(|e| io_err(path, e))
    }

    /// Reads a table; the format follows the extension (`.ins`, `.mat`).
    pub fn load(path: &Path) -> Result<Table, GmidError> {
        match ext(path).as_str() {
            "ins" => {
                let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
                ins::from_bytes(&bytes).map_err(|e| io_err(path, e))
            }
            "mat" => mat::load(path),
            "npz" => Err(GmidError::Format(format!(
                "{}: .npz (mosplot's layout) is written, not read (use .ins or .mat)",
                path.display()
            ))),
            "json" => Err(GmidError::Format(format!(
                "{}: a .json sizing view is 2-D and cannot be loaded as a 4-D table (use .ins or .mat)",
                path.display()
            ))),
            e => Err(unknown(path, e)),
        }
    }
}

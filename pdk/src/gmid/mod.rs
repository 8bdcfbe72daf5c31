//! gm/Id lookup tables: generated in process from any MOSFET model card, stored in insitu's
//! own binary format and in the formats designers load (the Murmann kit's `.mat`, mosplot's
//! `.npz`, the sizing workflow's JSON), looked up in the kit's modes, and used for sizing.
//!
//! - [`grid`]: the 4-D grid (L, VGS, VDS, VSB);
//! - [`device`]: one device at forced terminal voltages (no matrix solve), for every model;
//! - [`generate`]: the table, in parallel over L;
//! - [`table`]: quantities, metadata and storage;
//! - [`layout`]: where the values sit (VGS-independent quantities once per (L, VDS, VSB));
//! - [`lookup`]: the kit's modes, inverse lookups, W sizing;
//! - [`formats`]: `.ins`, `.mat`, `.npz`, `.json`.
//!
//! ```
//! use insitu_pdk::gmid::{sizing_table, At, DeviceType};
//! let t = sizing_table("generic180", "tt", 27.0, DeviceType::Nmos).unwrap();
//! let gm_id = t.lookup("GM_ID", At { l: 0.5e-6, vgs: 0.6, vds: 0.9, vsb: 0.0 }).unwrap();
//! let w = t.width_for(gm_id, 0.5e-6, 10e-6, 0.9, 0.0).unwrap();
//! assert!(w > 0.0);
//! ```

pub mod device;
pub mod formats;
pub mod generate;
pub mod grid;
pub mod layout;
pub mod lookup;
pub mod table;

pub use grid::Grid;
pub use layout::QuantitySet;
pub use lookup::{At, Bounds, Expr, Method, Term};
pub use table::{Meta, Quantity, Table};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// Device polarity of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceType {
    Nmos,
    Pmos,
}

impl DeviceType {
    /// `"nmos"` or `"pmos"`.
    pub fn name(self) -> &'static str {
        match self {
            DeviceType::Nmos => "nmos",
            DeviceType::Pmos => "pmos",
        }
    }

    /// The kit's struct name: `nch` or `pch`.
    pub fn kit_name(self) -> &'static str {
        match self {
            DeviceType::Nmos => "nch",
            DeviceType::Pmos => "pch",
        }
    }
}

impl std::str::FromStr for DeviceType {
    type Err = GmidError;
    fn from_str(s: &str) -> Result<DeviceType, GmidError> {
        match s.to_ascii_lowercase().as_str() {
            "nmos" | "n" | "nch" => Ok(DeviceType::Nmos),
            "pmos" | "p" | "pch" => Ok(DeviceType::Pmos),
            _ => Err(GmidError::Expr(format!("device '{s}': expected nmos or pmos"))),
        }
    }
}

/// Where the model card comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSource {
    /// A built-in library and corner (see [`crate::LIBRARIES`], [`crate::CORNERS`]).
    Pdk { library: String, corner: String },
    /// A library file: `.lib FILE SECTION` with a section, else `.include FILE`.
    File { path: PathBuf, section: Option<String> },
    /// SPICE text holding `.model` cards (or `.lib`/`.include` lines).
    Text(String),
}

impl ModelSource {
    /// A built-in library at a corner.
    pub fn pdk(library: &str, corner: &str) -> ModelSource {
        ModelSource::Pdk { library: library.into(), corner: corner.into() }
    }
}

/// Errors of table generation, storage and lookup.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GmidError {
    /// A lookup coordinate outside the grid.
    #[error("{axis} = {value:e} is outside the table's grid [{min:e}, {max:e}] (opt in to extrapolation to allow it)")]
    OutOfGrid { axis: String, value: f64, min: f64, max: f64 },
    /// A requested ratio value outside what the table reaches on the branch used.
    #[error("{what} = {value} is outside the range the table reaches here [{min}, {max}]")]
    OutOfRange { what: String, value: f64, min: f64, max: f64 },
    /// A ratio-vs-ratio lookup that is not single-valued.
    #[error("ambiguous lookup: {0}")]
    Ambiguous(String),
    #[error("bad lookup expression: {0}")]
    Expr(String),
    #[error("bad grid: {0}")]
    Grid(String),
    #[error("model: {0}")]
    Model(String),
    /// A malformed or unsupported table file.
    #[error("table format: {0}")]
    Format(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

/// Minimum drawn length of a built-in library.
pub fn min_length(library: &str) -> Option<f64> {
    match library {
        "generic180" | "generic-l1" => Some(0.18e-6),
        "generic65" => Some(0.06e-6),
        _ => None,
    }
}

/// The grid [`sizing_table`] uses: 14 lengths from Lmin to 20 Lmin, VGS in 10 mV steps to
/// the supply, 8 VDS and 4 VSB values (scaled to the supply).
pub fn sizing_grid(lmin: f64, vdd: f64) -> Grid {
    let l = [1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0].map(|k| k * lmin).to_vec();
    let vgs = grid::range(0.0, 10.0, (vdd * 1000.0).round()).into_iter().map(|x| x * 1e-3).collect();
    let s = vdd / 1.8;
    let vds = [0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.9, 1.2, 1.5, 1.8].map(|v| v * s).to_vec();
    let vsb = [0.0, 0.3, 0.6, 0.9].map(|v| v * s).to_vec();
    Grid { l, vgs, vds, vsb }
}

/// Reference width of the tables [`sizing_table`] makes (the kit's 5 um).
pub const SIZING_W: f64 = 5e-6;

/// Cache key: library, corner, temperature bits, device type, and the (VDS, VSB) bits of a
/// one-bias table (`None` for the full [`sizing_grid`]).
type Key = (String, String, u64, DeviceType, Option<(u64, u64)>);

/// The sizing table of a built-in library, corner, temperature (Celsius) and device type:
/// generated in memory at first use over [`sizing_grid`] (about 0.1 s) and cached for the
/// process; later calls share the same `Arc`.
pub fn sizing_table(pdk: &str, corner: &str, temp: f64, dev: DeviceType) -> Result<Arc<Table>, GmidError> {
    cached_table(pdk, corner, temp, dev, None)
}

/// [`sizing_table`] restricted to one drain and one body bias (|VDS|, |VSB| in volts): the
/// lengths and VGS values of [`sizing_grid`] at that bias only, 1/40 of its points. A lookup
/// at exactly that bias gives what the full grid would at a grid point, without its
/// interpolation between biases. The sizing loop, which converts gm/Id to W at a fixed bias,
/// uses this one. Cached per bias like [`sizing_table`].
///
/// ```
/// use insitu_pdk::gmid::{sizing_table_at, DeviceType};
/// let t = sizing_table_at("generic180", "tt", 27.0, DeviceType::Nmos, 0.6, 0.0).unwrap();
/// let w = t.width_for(12.0, 0.5e-6, 10e-6, 0.6, 0.0).unwrap();
/// assert!(w > 0.1e-6 && w < 100e-6);
/// assert!(t.width_for(12.0, 0.5e-6, 10e-6, 0.9, 0.0).is_err()); // another VDS: outside this table
/// ```
pub fn sizing_table_at(
    pdk: &str,
    corner: &str,
    temp: f64,
    dev: DeviceType,
    vds: f64,
    vsb: f64,
) -> Result<Arc<Table>, GmidError> {
    cached_table(pdk, corner, temp, dev, Some((vds, vsb)))
}

fn cached_table(
    pdk: &str,
    corner: &str,
    temp: f64,
    dev: DeviceType,
    bias: Option<(f64, f64)>,
) -> Result<Arc<Table>, GmidError> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Arc<Table>>>> = OnceLock::new();
    let key = (pdk.to_string(), corner.to_string(), temp.to_bits(), dev, bias.map(|(d, b)| (d.to_bits(), b.to_bits())));
    let cache = CACHE.get_or_init(Default::default);
    if let Some(t) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(t.clone());
    }
    let (lmin, vdd) = match (min_length(pdk), crate::supply(pdk)) {
        (Some(l), Some(v)) => (l, v),
        _ => {
            return Err(GmidError::Model(format!(
                "no built-in library '{pdk}' (built-in: {})",
                crate::LIBRARIES.join(", ")
            )))
        }
    };
    let mut grid = sizing_grid(lmin, vdd);
    if let Some((vds, vsb)) = bias {
        grid.vds = vec![vds];
        grid.vsb = vec![vsb];
    }
    let table = Arc::new(Table::generate(&ModelSource::pdk(pdk, corner), dev, temp, &grid, SIZING_W)?);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    Ok(map.entry(key).or_insert(table).clone())
}

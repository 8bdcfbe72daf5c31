//! Measurements over analysis results, shared by `insitu sim`, `insitu check` and the sizing
//! loop: ngspice's `.meas` ([`meas`]), the problem-file expression language ([`Expr`]) and the
//! named amplifier/reference specs ([`specs`]).
//!
//! ```
//! use insitu_netlist::{parse_str, elaborate, ElabOptions, MemLoader};
//! use insitu_solver::{Simulator, measure::{Expr, Results, run_measures}};
//! let text = "rc\nV1 in 0 DC 0 AC 1\nR1 in out 1k\nC1 out 0 1u\n.ac dec 20 1 1meg\n\
//!             .meas ac f3 WHEN vdb(out)=-3.0103\n.end\n";
//! let ckt = elaborate(&parse_str(text, "rc.cir".as_ref(), &MemLoader::new())?, &ElabOptions::default())?;
//! let measures = ckt.measures.clone();
//! let mut sim = Simulator::new(ckt)?;
//! let data = sim.run_all()?;
//! let r = Results::new(&data, Some(&sim));
//! let f3 = run_measures(&measures, &r)[0].1.clone()?;
//! let bw = Expr::parse("f3db(v(out))")?.eval(&r)?;
//! let fc = 1.0 / (2.0 * std::f64::consts::PI * 1e-3);
//! assert!((f3 / fc - 1.0).abs() < 0.01 && (bw / fc - 1.0).abs() < 0.01);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod expr;
pub mod meas;
pub mod specs;
pub mod vectors;

pub use expr::{Expr, ExprError};
pub use meas::{describe_failure, measure, run_measures};
pub use vectors::{Kind, Results, Scale};

/// Which analyses an expression reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub op: bool,
    pub dc: bool,
    pub ac: bool,
    pub tran: bool,
    pub noise: bool,
    /// A waveform function over whichever non-op analysis is present (plain `v()` inside
    /// `value`, `cross`, `min`, ...).
    pub any_sweep: bool,
}

/// Why a measurement has no value (never NaN, never a silent 0).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MeasureError {
    /// The thing measured does not occur (no crossing, empty window).
    #[error("not found: {what}")]
    NotFound { what: String },
    /// No vector of that name in the results.
    #[error("unknown vector '{name}'")]
    UnknownVector { name: String },
    /// No device of that name (or not a MOSFET / voltage source where one is needed).
    #[error("unknown device '{name}'")]
    UnknownDevice { name: String },
    /// The results hold no dataset of the analysis needed.
    #[error("no {} results", .kind.name())]
    MissingAnalysis { kind: Kind },
    /// Device quantities and power need the simulator in [`Results`].
    #[error("device quantities need the simulator")]
    NoSimulator,
    /// Anything else (a bad `.meas` expression, a NaN result), said in words.
    #[error("{what}")]
    Invalid { what: String },
}

//! Solver errors: what failed and where.

use insitu_netlist::{Element, Location};
use thiserror::Error;

/// Errors from compiling a circuit or running an analysis.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SimError {
    /// A device's parameters were rejected; `loc` is the element's card when known.
    #[error("{}element '{element}': {message}{}", Location::prefix_of(.loc), Location::snippet_of(.loc))]
    Device { element: String, message: String, loc: Option<Box<Location>> },
    /// The circuit uses something the simulator does not support.
    #[error("{}element '{element}': {message}{}", Location::prefix_of(.loc), Location::snippet_of(.loc))]
    Unsupported { element: String, message: String, loc: Option<Box<Location>> },
    /// The matrix is singular: a floating node or a loop of voltage sources.
    #[error("singular matrix in {analysis}: {detail}")]
    Singular { analysis: String, detail: String },
    /// Newton-Raphson did not converge.
    #[error("no convergence in {analysis}{at}: worst unknown '{worst}' (change {delta:.3e})")]
    NoConvergence { analysis: String, at: String, worst: String, delta: f64 },
    /// Transient step control gave up.
    #[error("time step too small at t={time:.6e} s (step {step:.3e} s)")]
    TimestepTooSmall { time: f64, step: f64 },
    /// A non-finite number appeared in the solution.
    #[error("non-finite value in {analysis} at '{unknown}'")]
    NonFinite { analysis: String, unknown: String },
    /// A name given to the API does not exist.
    #[error("unknown {what} '{name}'")]
    UnknownName { what: &'static str, name: String },
    /// A parameter update was rejected by the netlist.
    #[error("parameter update: {0}")]
    Param(String),
    /// The analysis is invalid as specified.
    #[error("invalid analysis: {0}")]
    InvalidAnalysis(String),
}

impl SimError {
    /// [`SimError::Device`] for element `e`, at its card.
    pub(crate) fn device(e: &Element, message: impl Into<String>) -> Self {
        SimError::Device { element: e.name.clone(), message: message.into(), loc: e.loc.clone() }
    }

    /// [`SimError::Unsupported`] for element `e`, at its card.
    pub(crate) fn unsupported(e: &Element, message: impl Into<String>) -> Self {
        SimError::Unsupported { element: e.name.clone(), message: message.into(), loc: e.loc.clone() }
    }
}

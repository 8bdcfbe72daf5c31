//! Compile a circuit once, then run op / dc / ac / noise / tran on it many times.
//!
//! [`Simulator::new`] numbers the unknowns, builds every device instance, reserves matrix
//! slots and allocates the work arrays; the analyses then run without allocating in their
//! Newton loops.

mod ac;
pub mod compile;
mod dc;
mod devop;
pub mod error;
mod instances;
pub mod linear;
mod load;
pub mod measure;
mod noise;
pub mod pattern;
pub mod results;
mod run;
mod scope;
mod simulator;
pub mod states;
mod tran;
pub mod update;

pub use compile::{Unknown, UnknownKind, Warning};
pub use dc::sweep_values;
pub use devop::MosOp;
pub use error::SimError;
/// The model-agnostic MOSFET interface (DC and capacitance matrix at forced n-frame voltages),
/// for tools that evaluate devices without a circuit, such as gm/Id table generation.
pub use load::fet::{FetDevice, Last};
pub use results::{Data, Dataset, Quantity, Vector};
pub use simulator::Simulator;
pub use tran::TranSpec;
pub use update::ElementHandle;

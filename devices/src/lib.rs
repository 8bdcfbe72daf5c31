//! Device equations for insitu, written to agree with ngspice 39.
//!
//! Every device is in DAE form: at a bias it returns currents, conductances, charges and
//! capacitances; time integration lives in the solver. Model parameters arrive as
//! lower-case `(name, value)` pairs, so this crate does not depend on the netlist crate.
//!
//! Modules:
//! - [`consts`]: physical constants with ngspice's values.
//! - [`limit`]: Newton step limiting (`pnjlim`, `fetlim`, `limvds`) as in SPICE3.
//! - [`mos1`]: MOSFET level 1 (Shichman-Hodges) with Meyer gate capacitances.
//! - [`bsim3`]: BSIM-lite, the BSIM3v3.3 core subset (ngspice level 8/49), CAPMOD 3 charges.
//! - [`bsim3v3`]: full BSIM3v3.3 (binning, RDSW, A1/A2, MOBMOD 1-3, NGATE, DWG/DWB).
//! - [`noise`]: shared noise densities (thermal, shot, diode and level-1 flicker).
//! - [`diode`]: junction diode (ngspice level 1).
//! - [`FetDc`]: the DC result every MOSFET model gives the solver.
//! - [`waveform`]: independent-source waveforms (PULSE, SIN, EXP, PWL).

pub mod bsim3;
pub mod bsim3v3;
pub mod consts;
pub mod diode;
mod error;
mod fet;
pub mod limit;
pub mod mos1;
pub mod noise;
mod params;
pub mod waveform;

pub use bsim3::{Bsim3, Bsim3Bias, Bsim3Caps, Bsim3Charges, Bsim3Dc, Bsim3Kept, Bsim3Model};
pub use bsim3v3::{Bsim3v3, Bsim3v3Model};
pub use diode::{Diode, DiodeModel};
pub use error::DeviceError;
pub use fet::{FetDc, FetSubstrate};
pub use mos1::{Mos1, Mos1Dc, Mos1Model, MosGeom};
pub use waveform::{Shape, Waveform};

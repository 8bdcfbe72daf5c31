//! Junction diode, ngspice level 1 (`dio/`): Shockley current with emission coefficient,
//! reverse region, optional breakdown (BV/IBV/NBV), series resistance, depletion charge
//! with the FC linearisation, transit-time diffusion charge, temperature per `diotemp.c`.
//!
//! - `model`: the model card.
//! - `temp`: instance set-up and temperature adjustment ([`Diode::new`]).
//! - `load`: current, conductance, charge and capacitance at a bias.

mod load;
mod model;
mod temp;

pub use model::{DiodeModel, DiodeParams};
pub use temp::Diode;

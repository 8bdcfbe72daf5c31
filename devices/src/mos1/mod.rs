//! MOSFET level 1 (Shichman-Hodges) exactly as ngspice 39 computes it.
//!
//! - `model`: the model card ([`Mos1Model`]) and its parameters.
//! - `temp`: instance set-up ([`Mos1::new`]): geometry, model preprocessing
//!   (TOX/UO/NSUB-derived values) and temperature adjustment, all done once.
//! - `dc`: drain current, its derivatives and the bulk junction diodes ([`Mos1::dc`]).
//! - `caps`: Meyer gate capacitances, overlap capacitances and junction depletion
//!   charges and capacitances.
//!
//! Voltages passed to the bias functions are in the "n frame": terminal voltages multiplied
//! by [`Mos1::mos_type`] (+1 NMOS, -1 PMOS), as ngspice's `mos1load.c` does.

mod caps;
mod dc;
mod model;
mod temp;

pub use dc::Mos1Dc;
pub use model::{Mos1Model, Mos1Params};
pub use temp::{Mos1, MosGeom};

#[cfg(test)]
mod tests;

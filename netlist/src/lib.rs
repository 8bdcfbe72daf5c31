//! SPICE netlist front end: text -> [`Deck`] (syntax tree with spans) -> [`Circuit`] (flat, numbers resolved).

pub mod circuit;
pub mod params;

pub use circuit::*;

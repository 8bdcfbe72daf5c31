//! Baselines on the same machinery: random / Latin hypercube, PSO with a constraint penalty,
//! EIPF and PIPF (EI x PoF, PI x PoF), and constrained MACE.

mod eipf;
mod mace;
mod pso;
mod random;

pub use eipf::{eipf, pipf};
pub use mace::mace;
pub use pso::{pso, PsoConfig};
pub use random::{lhs_search, random_search};

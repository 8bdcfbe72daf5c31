//! BagNet (Hakhamaneshi et al., ICCAD 2019): an evolutionary search on integer grids whose
//! offspring are filtered by a learned pairwise discriminator before they are simulated.
//!
//! [`agent`] holds the search (critical-spec heuristic, reference design at a fixed rank, two
//! parent pools, BagNet's operators) with a pluggable [`Filter`]: none (the plain evolutionary
//! baseline), the [`nn::Discriminator`], or an oracle (real evaluations). [`nn`] holds the
//! antisymmetric network: `P(a better than b) + P(b better than a) == 1` exactly.
//!
//! ```
//! use insitu_optimizer::bagnet::{run_bagnet, BagNetConfig, Filter, GridProblem};
//! struct Toy;
//! impl GridProblem for Toy {
//!     fn grid(&self) -> &[usize] { &[30, 30] }
//!     fn n_specs(&self) -> usize { 2 }
//!     fn evaluate(&self, x: &[usize]) -> Result<Vec<f64>, String> {
//!         Ok(vec![(20.0 - x[0] as f64).max(0.0) / 20.0, (x[1] as f64 - 5.0).max(0.0) / 5.0])
//!     }
//! }
//! let cfg = BagNetConfig { n_init: 20, k: 20, ref_rank: 3, filter: Filter::None, ..Default::default() };
//! let run = run_bagnet(&Toy, &cfg);
//! assert_eq!(run.best().unwrap().cost(), 0.0);
//! ```

pub mod agent;
pub mod nn;
pub mod synthetic;

pub use agent::{
    run_bagnet, spec_penalty, Agent, AgentMetrics, BagNetConfig, BagNetRun, Filter, FilterScore, GridDesign,
    GridProblem, Next,
};
pub use nn::{Discriminator, NnConfig};

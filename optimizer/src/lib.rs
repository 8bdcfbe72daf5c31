//! Black-box optimizers, pure math: GP, acquisitions, TRACE, MOPSO, baselines.
//!
//! Everything minimizes an objective subject to constraints `c_k(x) <= 0` inside a box.
//! The main entry points are [`trace::Trace`] (tiered acquisition, Rashid & Gupta 2024),
//! the baselines in [`baselines`], differential evolution with feasibility rules in [`de`], and the
//! [`record::RunRecord`] they all return.

pub mod acquisition;
pub mod bagnet;
pub mod baselines;
pub mod bo;
pub mod de;
pub mod doe;
pub mod gp;
pub mod lbfgs;
pub mod linalg;
pub mod mopso;
pub mod pareto;
pub mod problem;
pub mod record;
pub mod rng;
pub mod testfns;
pub mod trace;

pub use acquisition::AcquisitionFormulas;
pub use acquisition::Level1Form;
pub use bo::{ArchivePick, BoConfig, BoMethod};
pub use de::{De, DeConfig};
pub use gp::{Gp, GpConfig, KernelKind, KernelSpec};
pub use mopso::MopsoConfig;
pub use problem::{evaluate_batch, Evaluation, FnProblem, Outcome, Problem};
pub use record::{EvalRecord, RunRecord, StepRecord};
pub use trace::{Trace, TraceConfig};

//! TRACE: tiered acquisition for constrained Bayesian optimization (Rashid & Gupta,
//! arXiv 2412.17360).
//!
//! Level 1 (feasibility): `F1 = [max_k (mu_k - kappa s_k), min_k |mu_k - kappa s_k|]`.
//! Level 2 (optimality): `F2 = [LCB, -PI, -EI]`. A point is better than another iff its level-1
//! front index is lower, or equal with a lower level-2 front index (level 2 ranked among the
//! points sharing the level-1 front). A MOPSO (20 x 100) searches the combined rank; the next
//! point (or `q` points) is drawn at random from the final archive.
//!
//! Switches: [`crate::AcquisitionFormulas`] (`config.formulas`: textbook PI/EI, the default, or
//! the authors' double-standardized variants) and `config.gp.kernel.ard` (ARD or isotropic).
//!
//! Known weakness: level 1 treats every point with `max_k (mu_k - kappa s_k) <= 0` as equally
//! feasible, and level 2's LCB and EI reward `s`. When the constraint surrogates revert to a mean
//! near 0 away from the data (few points in 11 dimensions, outliers), most of the unexplored box
//! passes level 1 and TRACE explores it instead of staying where feasibility is likely; the PoF
//! methods do not. Seen on the sizing loop's gain problem (README, "Chased").

use crate::bo::{run_bo, BoConfig, BoMethod};
use crate::problem::Problem;
use crate::record::RunRecord;

/// TRACE settings: the shared BO settings.
pub type TraceConfig = BoConfig;

/// The TRACE optimizer.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub config: TraceConfig,
}

impl Trace {
    pub fn new(config: TraceConfig) -> Self {
        Self { config }
    }

    /// Runs from scratch until the budget.
    pub fn run<P: Problem + ?Sized>(&self, problem: &P) -> RunRecord {
        run_bo(problem, BoMethod::Trace, &self.config, None)
    }

    /// Continues a saved run (its evaluations are reused as data) until the budget.
    pub fn resume<P: Problem + ?Sized>(&self, problem: &P, record: RunRecord) -> RunRecord {
        run_bo(problem, BoMethod::Trace, &self.config, Some(record))
    }
}

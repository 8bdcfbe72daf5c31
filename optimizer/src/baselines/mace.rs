use crate::bo::{run_bo, BoConfig, BoMethod};
use crate::problem::Problem;
use crate::record::RunRecord;

/// Constrained MACE: the Pareto set of `[LCB, -PI, -EI]` found by the multi-objective swarm,
/// with feasibility first (level 1 = predicted total violation `sum_k max(0, mu_k)`), and PoF
/// alone until a feasible point is known. The original uses a multi-objective differential
/// evolution; this uses the same MOPSO as TRACE.
pub fn mace<P: Problem + ?Sized>(problem: &P, cfg: &BoConfig) -> RunRecord {
    run_bo(problem, BoMethod::Mace, cfg, None)
}

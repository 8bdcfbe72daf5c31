use crate::bo::{run_bo, BoConfig, BoMethod};
use crate::problem::Problem;
use crate::record::RunRecord;

/// Maximizes EI x PoF with the swarm (PoF alone until a feasible point is known).
pub fn eipf<P: Problem + ?Sized>(problem: &P, cfg: &BoConfig) -> RunRecord {
    run_bo(problem, BoMethod::Eipf, cfg, None)
}

/// Maximizes PI x PoF with the swarm (PoF alone until a feasible point is known).
pub fn pipf<P: Problem + ?Sized>(problem: &P, cfg: &BoConfig) -> RunRecord {
    run_bo(problem, BoMethod::Pipf, cfg, None)
}

//! What a search returns.

use crate::lp::Placement;
use crate::seqpair::SeqPair;

/// The outcome of one search run.
#[derive(Clone, Debug)]
pub struct SearchResult {
    /// The best sequence pair found.
    pub best: SeqPair,
    /// Its LP placement (the final answer).
    pub placement: Placement,
    /// Best objective so far after each evaluation.
    pub history: Vec<f64>,
    /// Objective evaluations spent (LP placements, or packings for the packed-HPWL annealer).
    pub evals: usize,
}

/// Progress callback: `(evaluations done, budget, best so far)`.
pub type Progress<'a> = &'a (dyn Fn(usize, usize, f64) + Sync);

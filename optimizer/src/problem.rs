//! The black-box problem interface: a box, `m` constraints `c_k(x) <= 0`, and an evaluation
//! that returns the objective (minimized) and constraint values, or a failure with a reason.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// A successful evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Objective value (minimized).
    pub objective: f64,
    /// Constraint values; the point is feasible when every value is `<= 0`.
    pub constraints: Vec<f64>,
}

/// The result of one evaluation: an outcome or a failure reason.
pub type Evaluation = Result<Outcome, String>;

/// A box-bounded black-box problem. Implementations must be `Sync`: batches are evaluated
/// in parallel.
pub trait Problem: Sync {
    /// Lower bounds, one per variable.
    fn lower(&self) -> &[f64];
    /// Upper bounds, one per variable.
    fn upper(&self) -> &[f64];
    /// Number of constraints.
    fn n_constraints(&self) -> usize;
    /// Evaluates one point.
    fn evaluate(&self, x: &[f64]) -> Evaluation;
    /// Number of variables.
    fn dim(&self) -> usize {
        self.lower().len()
    }
    /// The values each variable may take, increasing, when the problem declares a discrete
    /// space (grid optimizers such as BagNet use it); `None`: continuous.
    fn grid(&self) -> Option<Vec<Vec<f64>>> {
        None
    }
}

/// A problem built from bounds and a closure.
pub struct FnProblem<F> {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub n_constraints: usize,
    pub f: F,
}

impl<F> FnProblem<F>
where
    F: Fn(&[f64]) -> Evaluation + Sync,
{
    pub fn new(lower: Vec<f64>, upper: Vec<f64>, n_constraints: usize, f: F) -> Self {
        assert_eq!(lower.len(), upper.len(), "bounds of different lengths");
        assert!(lower.iter().zip(&upper).all(|(l, u)| l < u), "empty box");
        Self { lower, upper, n_constraints, f }
    }
}

impl<F> Problem for FnProblem<F>
where
    F: Fn(&[f64]) -> Evaluation + Sync,
{
    fn lower(&self) -> &[f64] {
        &self.lower
    }
    fn upper(&self) -> &[f64] {
        &self.upper
    }
    fn n_constraints(&self) -> usize {
        self.n_constraints
    }
    fn evaluate(&self, x: &[f64]) -> Evaluation {
        (self.f)(x)
    }
}

/// Checks an evaluation: non-finite values and a wrong number of constraints become failures.
pub fn sanitize(e: Evaluation, n_constraints: usize) -> Evaluation {
    let o = e?;
    if !o.objective.is_finite() {
        return Err(format!("non-finite objective ({})", o.objective));
    }
    if o.constraints.len() != n_constraints {
        return Err(format!("expected {} constraint values, got {}", n_constraints, o.constraints.len()));
    }
    if let Some(c) = o.constraints.iter().find(|c| !c.is_finite()) {
        return Err(format!("non-finite constraint value ({c})"));
    }
    Ok(o)
}

/// Evaluates a batch in parallel (rayon). Results are in input order, sanitized, each with its
/// wall time in seconds; a panicking evaluation becomes a failure.
pub fn evaluate_batch<P: Problem + ?Sized>(problem: &P, xs: &[Vec<f64>]) -> Vec<(Evaluation, f64)> {
    let m = problem.n_constraints();
    xs.par_iter()
        .map(|x| {
            let t = Instant::now();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| problem.evaluate(x)))
                .unwrap_or_else(|_| Err("evaluation panicked".to_string()));
            (sanitize(r, m), t.elapsed().as_secs_f64())
        })
        .collect()
}

/// Maps a unit-box point to the problem box.
pub fn from_unit(u: &[f64], lower: &[f64], upper: &[f64]) -> Vec<f64> {
    u.iter().zip(lower.iter().zip(upper)).map(|(v, (l, h))| (l + v * (h - l)).clamp(*l, *h)).collect()
}

/// Maps a point of the problem box to the unit box.
pub fn to_unit(x: &[f64], lower: &[f64], upper: &[f64]) -> Vec<f64> {
    x.iter().zip(lower.iter().zip(upper)).map(|(v, (l, h))| ((v - l) / (h - l)).clamp(0.0, 1.0)).collect()
}

/// Maps a point of the problem box to unit coordinates without clamping.
pub fn to_unit_unclamped(x: &[f64], lower: &[f64], upper: &[f64]) -> Vec<f64> {
    x.iter().zip(lower.iter().zip(upper)).map(|(v, (l, h))| (v - l) / (h - l)).collect()
}

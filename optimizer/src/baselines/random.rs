use crate::doe;
use crate::problem::{evaluate_batch, from_unit, Problem};
use crate::record::RunRecord;
use crate::rng::stream;

fn run_points<P: Problem + ?Sized>(problem: &P, name: &str, seed: u64, us: Vec<Vec<f64>>) -> RunRecord {
    let mut rec = RunRecord::new(name, seed, problem.lower(), problem.upper(), problem.n_constraints());
    let xs: Vec<Vec<f64>> = us.iter().map(|u| from_unit(u, problem.lower(), problem.upper())).collect();
    let res = evaluate_batch(problem, &xs);
    for (x, (e, t)) in xs.into_iter().zip(res) {
        rec.push(x, e, 1, name, t);
    }
    rec.push_step(1, 0.0, 0.0, Vec::new());
    rec
}

/// `budget` uniform random points.
pub fn random_search<P: Problem + ?Sized>(problem: &P, budget: usize, seed: u64) -> RunRecord {
    let mut rng = stream(seed, 11, 0);
    run_points(problem, "random", seed, doe::uniform(budget, problem.dim(), &mut rng))
}

/// A centered maximin Latin hypercube of `budget` points.
pub fn lhs_search<P: Problem + ?Sized>(problem: &P, budget: usize, seed: u64) -> RunRecord {
    let mut rng = stream(seed, 12, 0);
    run_points(problem, "lhs", seed, doe::lhs_centered_maximin(budget, problem.dim(), 20, &mut rng))
}

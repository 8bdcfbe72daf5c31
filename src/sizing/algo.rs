//! The one place that chooses an optimizer: each algorithm is a match arm of [`Algorithm::step`],
//! which proposes the next candidates, evaluates them through the problem and appends them to
//! the run record.
//!
//! * TRACE, EIPF, PIPF, MACE continue the record with `run_bo` (one new point per step; the GP
//!   hyperparameters of the previous step warm-start the next, as in an uninterrupted run).
//! * Random and LHS take the next point of a design drawn once from the seed.
//! * PSO (a population method without a resume entry point) is re-run from its seed over a
//!   memo of the evaluations already made, so only the new generation is simulated.
//!
//! Every algorithm starts from the same initial design: the problem's init point and a centered
//! maximin Latin hypercube (BO methods) or the method's own first population.

use insitu_optimizer::bagnet::{Agent, BagNetConfig, Filter, GridDesign, Next, NnConfig};
use insitu_optimizer::baselines::{pso, PsoConfig};
use insitu_optimizer::bo::run_bo;
use insitu_optimizer::de::{differential_evolution_resume, DeConfig};
use insitu_optimizer::problem::{evaluate_batch, from_unit, Evaluation, Problem};
use insitu_optimizer::record::{RunRecord, INITIAL};
use insitu_optimizer::rng::stream;
use insitu_optimizer::{doe, BoConfig, BoMethod};
use std::collections::HashMap;

/// An optimizer the sizing loop can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Trace,
    Random,
    Lhs,
    Pso,
    Eipf,
    Pipf,
    Mace,
    /// Differential evolution with Deb's feasibility rules (a fast population method).
    De,
    /// BagNet: evolution on the parameters' grids, offspring filtered by a learned pairwise
    /// discriminator (see [`bagnet_step`]).
    Bagnet,
}

impl Algorithm {
    /// Accepted names.
    pub const NAMES: [&'static str; 9] = ["trace", "random", "lhs", "pso", "eipf", "pipf", "mace", "de", "bagnet"];

    /// The algorithm called `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Some(match name.to_ascii_lowercase().as_str() {
            "trace" => Algorithm::Trace,
            "random" => Algorithm::Random,
            "lhs" => Algorithm::Lhs,
            "pso" => Algorithm::Pso,
            "eipf" => Algorithm::Eipf,
            "pipf" => Algorithm::Pipf,
            "mace" => Algorithm::Mace,
            "de" => Algorithm::De,
            "bagnet" => Algorithm::Bagnet,
            _ => return None,
        })
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Trace => "trace",
            Algorithm::Random => "random",
            Algorithm::Lhs => "lhs",
            Algorithm::Pso => "pso",
            Algorithm::Eipf => "eipf",
            Algorithm::Pipf => "pipf",
            Algorithm::Mace => "mace",
            Algorithm::De => "de",
            Algorithm::Bagnet => "bagnet",
        }
    }

    fn bo(self) -> Option<BoMethod> {
        match self {
            Algorithm::Trace => Some(BoMethod::Trace),
            Algorithm::Eipf => Some(BoMethod::Eipf),
            Algorithm::Pipf => Some(BoMethod::Pipf),
            Algorithm::Mace => Some(BoMethod::Mace),
            _ => None,
        }
    }

    /// A record to start from.
    pub fn new_record<P: Problem + ?Sized>(self, problem: &P, seed: u64) -> RunRecord {
        RunRecord::new(self.name(), seed, problem.lower(), problem.upper(), problem.n_constraints())
    }

    /// Proposes, evaluates and appends the next candidates (the initial design when the record
    /// is empty). `init` is the problem's init point, `n_init` the initial design's size and
    /// `budget` the total number of evaluations of the run; `phase_start` is the number of
    /// evaluations made before the current phase began (a population method restarts its
    /// swarm in each phase). Returns how many were added.
    pub fn step<P: Problem + ?Sized>(
        self,
        problem: &P,
        rec: &mut RunRecord,
        init: &[f64],
        n_init: usize,
        budget: usize,
        phase_start: usize,
    ) -> usize {
        let before = rec.evaluations.len();
        if before >= budget {
            return 0;
        }
        let d = problem.dim();
        let seed = rec.seed;
        match self {
            Algorithm::Bagnet => return bagnet_step(problem, rec, n_init, budget),
            Algorithm::Trace | Algorithm::Eipf | Algorithm::Pipf | Algorithm::Mace => {
                let method = self.bo().expect("a BO method");
                if rec.evaluations.is_empty() {
                    let n0 = n_init.clamp(1, budget);
                    let mut rng = stream(seed, 101, 0);
                    let mut xs = vec![init.to_vec()];
                    xs.extend(
                        doe::lhs_centered_maximin(n0 - 1, d, 20, &mut rng)
                            .iter()
                            .map(|u| from_unit(u, problem.lower(), problem.upper())),
                    );
                    xs.truncate(n0);
                    for (x, (e, t)) in xs.clone().into_iter().zip(evaluate_batch(problem, &xs)) {
                        rec.push(x, e, 0, INITIAL, t);
                    }
                    rec.push_step(0, 0.0, 0.0, Vec::new());
                } else {
                    let cfg = BoConfig { n_init, budget: before + 1, seed, ..BoConfig::default() };
                    *rec =
                        run_bo(problem, method, &cfg, Some(std::mem::replace(rec, RunRecord::new("", 0, &[], &[], 0))));
                }
            }
            Algorithm::Random | Algorithm::Lhs => {
                let take = if before == 0 { n_init.clamp(1, budget) } else { 1 };
                let us = if self == Algorithm::Random {
                    std::sync::Arc::new(doe::uniform(before + take, d, &mut stream(seed, 11, 0)))
                } else {
                    lhs_design(seed, budget, d)
                };
                let xs: Vec<Vec<f64>> =
                    us[before..before + take].iter().map(|u| from_unit(u, problem.lower(), problem.upper())).collect();
                let step = rec.steps.last().map_or(0, |s| s.step + 1);
                let name = if before == 0 { INITIAL } else { self.name() };
                for (x, (e, t)) in xs.clone().into_iter().zip(evaluate_batch(problem, &xs)) {
                    rec.push(x, e, step, name, t);
                }
                rec.push_step(step, 0.0, 0.0, Vec::new());
            }
            Algorithm::De => {
                // The population of this phase: its own proposals, replayed by the DE.
                let start = phase_start.min(before);
                let pop = n_init.clamp(10, 40);
                let pseed = seed ^ insitu_optimizer::rng::mix(start as u64);
                let mut sub = RunRecord::new("de", pseed, problem.lower(), problem.upper(), problem.n_constraints());
                sub.evaluations = rec.evaluations[start..].to_vec();
                for (i, e) in sub.evaluations.iter_mut().enumerate() {
                    e.index = i;
                }
                let cfg = DeConfig {
                    budget: (sub.evaluations.len() + pop).min(budget - start),
                    population: pop,
                    seed: pseed,
                    ..DeConfig::default()
                };
                let Ok(out) = differential_evolution_resume(problem, &cfg, sub) else {
                    return 0;
                };
                let gen = rec.steps.last().map_or(0, |s| s.step + 1);
                for e in out.evaluations.into_iter().skip(before - start) {
                    let name = if before == 0 { INITIAL } else { "de" };
                    let ev = match (e.failure, e.objective, e.constraints) {
                        (None, Some(o), Some(c)) => Ok(insitu_optimizer::Outcome { objective: o, constraints: c }),
                        (f, _, _) => Err(f.unwrap_or_else(|| "failed".into())),
                    };
                    rec.push(e.x, ev, gen, name, e.seconds);
                }
                rec.push_step(gen, 0.0, 0.0, Vec::new());
            }
            Algorithm::Pso => {
                // The swarm of this phase: a record of the phase's own proposals.
                let start = phase_start.min(before);
                let swarm = n_init.clamp(4, 20);
                let pseed = seed ^ insitu_optimizer::rng::mix(start as u64);
                let mut sub = RunRecord::new("pso", pseed, problem.lower(), problem.upper(), problem.n_constraints());
                sub.evaluations = rec.evaluations[start..].to_vec();
                for (i, e) in sub.evaluations.iter_mut().enumerate() {
                    e.index = i;
                }
                let cfg = PsoConfig {
                    budget: (sub.evaluations.len() + swarm).min(budget - start),
                    swarm_size: swarm,
                    seed: pseed,
                    ..PsoConfig::default()
                };
                let memo = Memo::new(problem, &sub);
                let out = pso(&memo, &cfg);
                let gen = rec.steps.last().map_or(0, |s| s.step + 1);
                for e in out.evaluations.into_iter().skip(before - start) {
                    let name = if before == 0 { INITIAL } else { "pso" };
                    let ev = match (e.failure, e.objective, e.constraints) {
                        (None, Some(o), Some(c)) => Ok(insitu_optimizer::Outcome { objective: o, constraints: c }),
                        (f, _, _) => Err(f.unwrap_or_else(|| "failed".into())),
                    };
                    rec.push(e.x, ev, gen, name, e.seconds);
                }
                rec.push_step(gen, 0.0, 0.0, Vec::new());
            }
        }
        rec.evaluations.len() - before
    }
}

/// BagNet's settings in the sizing loop: the reference's operators and network, the parent
/// pools as large as the initial design (`initial_samples`, the reference's 100) and the
/// reference design at a fifth of it (the reference's rank 20 of 100); the cheaper training
/// of [`NnConfig::fast`]; one rejected query per iteration evaluated to score the filter; an
/// iteration whose filter cannot fill the batch is filled with unfiltered offspring (the
/// session's budget, not the filter, ends a run).
pub fn bagnet_config(n_init: usize, seed: u64) -> BagNetConfig {
    BagNetConfig {
        n_init,
        k: n_init.max(2),
        ref_rank: (n_init / 5).max(1),
        seed,
        filter: Filter::Discriminator(NnConfig::fast()),
        score_rejected: 1,
        fill_unfiltered: true,
        ..BagNetConfig::default()
    }
}

/// The index of the grid value nearest to `v`.
fn nearest(grid: &[f64], v: f64) -> usize {
    let k = grid.partition_point(|g| *g < v);
    match k {
        0 => 0,
        k if k >= grid.len() => grid.len() - 1,
        k => {
            if (v - grid[k - 1]).abs() <= (grid[k] - v).abs() {
                k - 1
            } else {
                k
            }
        }
    }
}

/// BagNet's per-spec penalties of an evaluation: one per constraint (its violation, the
/// constraint being the normalized bound margin) and a last one for the objective (the target
/// cost above the session's convergence threshold, so that "every spec met" is the session's
/// convergence).
fn penalties(e: &insitu_optimizer::EvalRecord) -> Result<Vec<f64>, String> {
    match (&e.failure, e.objective, &e.constraints) {
        (None, Some(o), Some(c)) if o.is_finite() && c.iter().all(|v| v.is_finite()) => {
            let mut p: Vec<f64> = c.iter().map(|v| v.max(0.0)).collect();
            p.push((o - super::session::CONVERGED_COST).max(0.0));
            Ok(p)
        }
        (Some(f), _, _) => Err(f.clone()),
        _ => Err("not measured".into()),
    }
}

/// One BagNet iteration on the problem's grids (its declared `values`/`step`, or the derived
/// grid of [`ParamSpec::grid`](super::problem::ParamSpec::grid)): the initial design is
/// `n_init` uniform grid points; each later step simulates the batch the agent proposes. The
/// agent's state (network, Adam moments, critical specs, metrics) is saved in the record's
/// `agent` field after every step, so a resumed run continues exactly.
pub fn bagnet_step<P: Problem + ?Sized>(problem: &P, rec: &mut RunRecord, n_init: usize, budget: usize) -> usize {
    let before = rec.evaluations.len();
    let grids: Vec<Vec<f64>> = problem.grid().unwrap_or_else(|| {
        // A continuous problem without a declared space: the derived grid of each range.
        problem
            .lower()
            .iter()
            .zip(problem.upper())
            .map(|(&lo, &hi)| {
                let spec = super::problem::ParamSpec {
                    name: String::new(),
                    kind: super::problem::ParamKind::Param,
                    device: None,
                    id: None,
                    param: None,
                    range: vec![lo, hi],
                    init: lo,
                    scale: None,
                    values: None,
                    step: None,
                };
                spec.grid()
            })
            .collect()
    });
    let sizes: Vec<usize> = grids.iter().map(Vec::len).collect();
    let m = problem.n_constraints() + 1;
    let cfg = bagnet_config(n_init, rec.seed);
    let mut agent: Agent = rec
        .agent
        .take()
        .and_then(|v| serde_json::from_value(v).ok())
        .filter(|a: &Agent| a.grid() == sizes.as_slice())
        .unwrap_or_else(|| Agent::new(&sizes, m, &cfg));
    let to_x = |idx: &[usize]| -> Vec<f64> { idx.iter().zip(&grids).map(|(&i, g)| g[i]).collect() };
    let db_of = |rec: &RunRecord| -> Vec<GridDesign> {
        rec.evaluations
            .iter()
            .map(|e| GridDesign {
                idx: e.x.iter().zip(&grids).map(|(&v, g)| nearest(g, v)).collect(),
                penalties: penalties(e),
                step: e.step,
            })
            .collect()
    };
    let db = db_of(rec);
    let (idxs, name) = if before == 0 {
        (agent.initial(n_init.clamp(1, budget), &Default::default(), 0), INITIAL.to_string())
    } else {
        let oracle = |idx: &[usize]| -> Result<Vec<f64>, String> {
            let x = to_x(idx);
            let mut r = RunRecord::new("", 0, &[], &[], 0);
            let e = problem.evaluate(&x);
            r.push(x, e, 0, "", 0.0);
            penalties(&r.evaluations[0])
        };
        let queries_before = agent.metrics.n_queries;
        match agent.propose(&db, &oracle) {
            Next::Simulate(v) => {
                let crit: Vec<String> = agent.critical.iter().map(|c| c.to_string()).collect();
                let name = format!(
                    "BagNet iteration {}: {} NN queries for this batch; critical specs #{} (of {m}, the last is the target cost)",
                    agent.step,
                    agent.metrics.n_queries - queries_before,
                    crit.join(", #")
                );
                (v, name)
            }
            Next::Converged => (Vec::new(), String::new()),
        }
    };
    let take = idxs.len().min(budget - before);
    let xs: Vec<Vec<f64>> = idxs[..take].iter().map(|i| to_x(i)).collect();
    let step = rec.steps.last().map_or(0, |s| s.step + 1);
    for (x, (e, t)) in xs.clone().into_iter().zip(evaluate_batch(problem, &xs)) {
        rec.push(x, e, step, &name, t);
    }
    if take > 0 {
        agent.learn(&db_of(rec));
        rec.push_step(step, 0.0, 0.0, Vec::new());
    }
    rec.agent = serde_json::to_value(&agent).ok();
    take
}

/// The seeded Latin hypercube of a whole run (made once per (seed, size, dimension): the maximin
/// search costs O(n^2 d) per try).
fn lhs_design(seed: u64, n: usize, d: usize) -> std::sync::Arc<Vec<Vec<f64>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    type Cache = Mutex<HashMap<(u64, usize, usize), Arc<Vec<Vec<f64>>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&(seed, n, d)) {
        return v.clone();
    }
    let v = Arc::new(doe::lhs_centered_maximin(n, d, 20, &mut stream(seed, 12, 0)));
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert((seed, n, d), v.clone());
    v
}

/// A problem whose already-evaluated points answer from the record.
struct Memo<'a, P: ?Sized> {
    inner: &'a P,
    known: HashMap<Vec<u64>, Evaluation>,
}

impl<'a, P: Problem + ?Sized> Memo<'a, P> {
    fn new(inner: &'a P, rec: &RunRecord) -> Self {
        let known = rec
            .evaluations
            .iter()
            .map(|e| {
                let v = match (&e.failure, e.objective, &e.constraints) {
                    (None, Some(o), Some(c)) => Ok(insitu_optimizer::Outcome { objective: o, constraints: c.clone() }),
                    (f, _, _) => Err(f.clone().unwrap_or_else(|| "failed".into())),
                };
                (e.x.iter().map(|v| v.to_bits()).collect(), v)
            })
            .collect();
        Memo { inner, known }
    }
}

impl<P: Problem + ?Sized> Problem for Memo<'_, P> {
    fn lower(&self) -> &[f64] {
        self.inner.lower()
    }
    fn upper(&self) -> &[f64] {
        self.inner.upper()
    }
    fn n_constraints(&self) -> usize {
        self.inner.n_constraints()
    }
    fn evaluate(&self, x: &[f64]) -> Evaluation {
        let k: Vec<u64> = x.iter().map(|v| v.to_bits()).collect();
        match self.known.get(&k) {
            Some(e) => e.clone(),
            None => self.inner.evaluate(x),
        }
    }
}

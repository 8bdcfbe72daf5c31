//! BagNet's evolutionary agent on integer grids (bagnet.md sections 1.4-1.5): critical-spec
//! heuristic, reference design at a fixed rank, parents from two pools, blend/uniform crossover
//! (0.6) and uniform-integer mutation (0.4), a pluggable filter, 5 simulations per iteration.

use super::nn::{Discriminator, NnConfig};
use crate::rng::stream;
use rand::seq::SliceRandom;
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// A sizing problem on an integer grid: parameter `i` takes indices `0..grid()[i]`; an
/// evaluation returns one penalty per spec (`>= 0`, 0 when the spec is met), or a failure.
pub trait GridProblem: Sync {
    /// Number of values of each parameter.
    fn grid(&self) -> &[usize];
    /// Number of specs.
    fn n_specs(&self) -> usize;
    /// Penalties of the design with these indices.
    fn evaluate(&self, idx: &[usize]) -> Result<Vec<f64>, String>;
}

/// BagNet's per-spec penalty: `w |x - max| / |x|` above an upper bound, `w |x - min| / |min|`
/// below a lower bound (the reference's asymmetric normalizers), else 0. When both bounds are
/// given only `max` is used, as in the reference.
pub fn spec_penalty(x: f64, min: Option<f64>, max: Option<f64>, weight: f64) -> f64 {
    match (min, max) {
        (_, Some(hi)) if x > hi => weight * (x - hi).abs() / x.abs().max(1e-300),
        (_, Some(_)) => 0.0,
        (Some(lo), None) if x < lo => weight * (x - lo).abs() / lo.abs().max(1e-300),
        _ => 0.0,
    }
}

/// The decision step between generation and simulation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Filter {
    /// No filter: every new design is simulated (the plain evolutionary baseline).
    None,
    /// BagNet's discriminator, retrained after every iteration.
    Discriminator(NnConfig),
    /// The real evaluation as the filter (each query costs a simulation): the upper bound on what
    /// a discriminator can do, for analysis.
    Oracle,
}

/// Settings of the agent (defaults: the reference's ICCAD configuration).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BagNetConfig {
    pub n_init: usize,
    /// Size of the parent pools.
    pub k: usize,
    /// Rank of the reference design (0-based).
    pub ref_rank: usize,
    /// Designs simulated per iteration.
    pub n_new: usize,
    /// Filter queries allowed per iteration before giving up (then the run stops as converged).
    pub max_queries_per_iter: usize,
    pub max_steps: usize,
    pub cx_prob: f64,
    pub mut_prob: f64,
    pub seed: u64,
    pub filter: Filter,
    /// Evaluate every queried candidate as well (not counted as simulations) to score the filter
    /// against the truth. Analysis only: it costs one evaluation per query.
    pub score_filter: bool,
}

impl Default for BagNetConfig {
    fn default() -> Self {
        Self {
            n_init: 100,
            k: 100,
            ref_rank: 20,
            n_new: 5,
            max_queries_per_iter: 20_000,
            max_steps: 50,
            cx_prob: 0.6,
            mut_prob: 0.4,
            seed: 0,
            filter: Filter::Discriminator(NnConfig::default()),
            score_filter: false,
        }
    }
}

/// Agreement of the filter with the truth on the queried candidates (when scored).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterScore {
    pub queries: usize,
    /// Accepted and truly better than the reference on every critical spec.
    pub true_accept: usize,
    pub false_accept: usize,
    pub true_reject: usize,
    pub false_reject: usize,
}

impl FilterScore {
    /// Share of decisions that agree with the truth.
    pub fn accuracy(&self) -> f64 {
        (self.true_accept + self.true_reject) as f64 / self.queries.max(1) as f64
    }
    /// Share of accepted designs that were truly better (the reference's `a2`).
    pub fn precision(&self) -> f64 {
        self.true_accept as f64 / (self.true_accept + self.false_accept).max(1) as f64
    }
    /// Share of truly better designs that were accepted (`a1`).
    pub fn recall(&self) -> f64 {
        self.true_accept as f64 / (self.true_accept + self.false_reject).max(1) as f64
    }
}

/// One simulated design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridDesign {
    pub idx: Vec<usize>,
    /// Per-spec penalties, or the failure reason.
    pub penalties: Result<Vec<f64>, String>,
    /// Iteration that produced it (0 = initial sample).
    pub step: usize,
}

impl GridDesign {
    /// Sum of penalties (infinite for a failure).
    pub fn cost(&self) -> f64 {
        self.penalties.as_ref().map_or(f64::INFINITY, |p| p.iter().sum())
    }
}

/// The outcome of a run and its metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BagNetRun {
    pub designs: Vec<GridDesign>,
    /// Simulations of designs (initial included; failures included).
    pub n_sims: usize,
    /// Filter queries (discriminator or oracle).
    pub n_queries: usize,
    /// Simulations spent by the oracle filter's queries.
    pub oracle_sims: usize,
    pub train_seconds: f64,
    /// Best cost after each iteration (index 0 = after the initial sample).
    pub cost_trace: Vec<f64>,
    /// Simulations used when the top `ref_rank` designs first all met every spec.
    pub sims_to_converge: Option<usize>,
    pub converged: bool,
    pub steps: usize,
    pub critical_specs: Vec<usize>,
    pub score: Option<FilterScore>,
}

impl BagNetRun {
    /// The best design (lowest cost).
    pub fn best(&self) -> Option<&GridDesign> {
        self.designs.iter().filter(|d| d.penalties.is_ok()).min_by(|a, b| a.cost().total_cmp(&b.cost()))
    }
}

const P_INIT: u64 = 41;
const P_GEN: u64 = 42;
const P_TRAIN: u64 = 43;
const P_QUERY: u64 = 44;
const P_NET: u64 = 45;

fn sum_over(p: &[f64], specs: &[usize]) -> f64 {
    specs.iter().map(|&s| p[s]).sum()
}

/// Rank-linear choice among `n` ranked items (weights n, n-1, .., 1).
fn rank_linear<R: Rng + ?Sized>(n: usize, rng: &mut R) -> usize {
    let total = n * (n + 1) / 2;
    let mut r = rng.random_range(0..total.max(1));
    for i in 0..n {
        let w = n - i;
        if r < w {
            return i;
        }
        r -= w;
    }
    n.saturating_sub(1)
}

/// Trains the discriminator on every pair of valid designs (order and tie labels randomized).
fn train(net: &mut Discriminator, valid: &[(Vec<f64>, Vec<f64>)], cfg: &NnConfig, seed: u64, round: usize) {
    let n = valid.len();
    if n < 2 {
        return;
    }
    let xs: Vec<Vec<f64>> = valid.iter().map(|v| v.0.clone()).collect();
    net.set_normalization(&xs);
    let mut rng = stream(seed, P_TRAIN, round as u64);
    let n_pairs = n * (n - 1) / 2;
    for _ in 0..cfg.steps_per_round {
        let mut batch = Vec::with_capacity(cfg.batch);
        for _ in 0..cfg.batch.min(n_pairs) {
            // A uniformly random unordered pair, presented in a random order.
            let (mut i, mut j) = loop {
                let i = rng.random_range(0..n);
                let j = rng.random_range(0..n);
                if i != j {
                    break (i, j);
                }
            };
            if rng.random::<bool>() {
                std::mem::swap(&mut i, &mut j);
            }
            let (pi, pj) = (&valid[i].1, &valid[j].1);
            let labels: Vec<f64> = pi
                .iter()
                .zip(pj)
                .map(|(a, b)| {
                    if a < b {
                        1.0
                    } else if a > b {
                        0.0
                    } else if rng.random::<bool>() {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            batch.push((valid[i].0.as_slice(), valid[j].0.as_slice(), labels));
        }
        net.adam_step(&batch, cfg, &mut rng);
    }
}

/// Runs the agent until convergence (the top `ref_rank` designs meet every spec), an iteration
/// that cannot fill its batch within the query budget, or `max_steps`.
pub fn run_bagnet<P: GridProblem + ?Sized>(problem: &P, cfg: &BagNetConfig) -> BagNetRun {
    let grid = problem.grid().to_vec();
    let d = grid.len();
    let m = problem.n_specs();
    let as_f = |x: &[usize]| -> Vec<f64> { x.iter().map(|&v| v as f64).collect() };
    let eval_all = |xs: &[Vec<usize>]| -> Vec<Result<Vec<f64>, String>> {
        xs.par_iter()
            .map(|x| match problem.evaluate(x) {
                Ok(p) if p.len() == m && p.iter().all(|v| v.is_finite() && *v >= 0.0) => Ok(p),
                Ok(p) => Err(format!("bad penalties {p:?}")),
                Err(e) => Err(e),
            })
            .collect()
    };
    let mut run = BagNetRun {
        designs: Vec::new(),
        n_sims: 0,
        n_queries: 0,
        oracle_sims: 0,
        train_seconds: 0.0,
        cost_trace: Vec::new(),
        sims_to_converge: None,
        converged: false,
        steps: 0,
        critical_specs: Vec::new(),
        score: if cfg.score_filter { Some(FilterScore::default()) } else { None },
    };
    let mut seen = std::collections::HashSet::new();
    // Initial sample: uniform grid points, failures resampled (bounded).
    let mut rng = stream(cfg.seed, P_INIT, 0);
    let mut attempts = 0;
    while run.designs.iter().filter(|x| x.penalties.is_ok()).count() < cfg.n_init && attempts < 10 {
        attempts += 1;
        let need = cfg.n_init - run.designs.iter().filter(|x| x.penalties.is_ok()).count();
        let mut xs = Vec::with_capacity(need);
        while xs.len() < need {
            let x: Vec<usize> = grid.iter().map(|&g| rng.random_range(0..g.max(1))).collect();
            if seen.insert(x.clone()) {
                xs.push(x);
            } else if seen.len() >= grid.iter().product::<usize>() {
                break;
            }
        }
        for (x, p) in xs.iter().zip(eval_all(&xs)) {
            run.designs.push(GridDesign { idx: x.clone(), penalties: p, step: 0 });
        }
        run.n_sims += xs.len();
        if xs.is_empty() {
            break;
        }
    }
    let mut net = match &cfg.filter {
        Filter::Discriminator(nc) => {
            Some((Discriminator::new(d, m, nc, crate::rng::mix(cfg.seed ^ P_NET)), nc.clone()))
        }
        _ => None,
    };
    let valid_of = |designs: &[GridDesign]| -> Vec<(Vec<f64>, Vec<f64>)> {
        designs.iter().filter_map(|x| x.penalties.as_ref().ok().map(|p| (as_f(&x.idx), p.clone()))).collect()
    };
    if let Some((n, nc)) = net.as_mut() {
        let t = Instant::now();
        train(n, &valid_of(&run.designs), nc, cfg.seed, 0);
        run.train_seconds += t.elapsed().as_secs_f64();
    }
    run.cost_trace.push(run.best().map_or(f64::INFINITY, |b| b.cost()));
    let mut critical: Vec<usize> = Vec::new();
    for step in 1..=cfg.max_steps {
        let valid: Vec<&GridDesign> = run.designs.iter().filter(|x| x.penalties.is_ok()).collect();
        if valid.is_empty() {
            break;
        }
        let pen = |x: &GridDesign| x.penalties.as_ref().expect("valid").clone();
        // Critical-spec heuristic on the top-k by the current critical sum (or the cost).
        let key = |x: &GridDesign| if critical.is_empty() { x.cost() } else { sum_over(&pen(x), &critical) };
        let mut order: Vec<usize> = (0..valid.len()).collect();
        order.sort_by(|&a, &b| key(valid[a]).total_cmp(&key(valid[b])).then(a.cmp(&b)));
        let top_ref: Vec<usize> = order.iter().take(cfg.ref_rank.max(1)).copied().collect();
        let worst: Vec<f64> = (0..m).map(|s| top_ref.iter().map(|&i| pen(valid[i])[s]).fold(0.0, f64::max)).collect();
        let chosen = (0..m).filter(|&s| worst[s] > 0.0).max_by(|&a, &b| worst[a].total_cmp(&worst[b]).then(b.cmp(&a)));
        let Some(chosen) = chosen else {
            // The top designs of the critical population meet every spec.
            run.converged = true;
            run.sims_to_converge = Some(run.n_sims);
            break;
        };
        if !critical.contains(&chosen) {
            critical.push(chosen);
        }
        // Reference design: rank ref_rank by the critical sum.
        let crit_key = |x: &GridDesign| sum_over(&pen(x), &critical);
        let mut by_crit: Vec<usize> = (0..valid.len()).collect();
        by_crit.sort_by(|&a, &b| crit_key(valid[a]).total_cmp(&crit_key(valid[b])).then(a.cmp(&b)));
        let reference = valid[by_crit[cfg.ref_rank.min(valid.len() - 1)]];
        let ref_pen = pen(reference);
        // Parent pools.
        let others: Vec<usize> = critical.iter().copied().filter(|&s| s != chosen).collect();
        let mut grng = stream(cfg.seed, P_GEN, step as u64);
        let pool1: Vec<usize> = if others.is_empty() {
            let mut all: Vec<usize> = (0..valid.len()).collect();
            all.shuffle(&mut grng);
            all.truncate(cfg.k);
            all
        } else {
            let mut o: Vec<usize> = (0..valid.len()).collect();
            o.sort_by(|&a, &b| {
                sum_over(&pen(valid[a]), &others).total_cmp(&sum_over(&pen(valid[b]), &others)).then(a.cmp(&b))
            });
            o.truncate(cfg.k);
            o
        };
        let mut pool2: Vec<usize> = (0..valid.len()).collect();
        pool2.sort_by(|&a, &b| pen(valid[a])[chosen].total_cmp(&pen(valid[b])[chosen]).then(a.cmp(&b)));
        pool2.truncate(cfg.k);
        // Generate, filter, collect n_new accepted designs.
        let mut qrng = stream(cfg.seed, P_QUERY, step as u64);
        let mut accepted: Vec<Vec<usize>> = Vec::new();
        let mut queries = 0;
        let ref_f = as_f(&reference.idx);
        while accepted.len() < cfg.n_new && queries < cfg.max_queries_per_iter {
            let children: Vec<Vec<usize>> = if grng.random::<f64>() < cfg.cx_prob / (cfg.cx_prob + cfg.mut_prob) {
                let p1 = &valid[pool1[rank_linear(pool1.len(), &mut grng)]].idx;
                let p2 = &valid[pool2[rank_linear(pool2.len(), &mut grng)]].idx;
                if grng.random::<bool>() {
                    // Blend (alpha 0.5): child 1 floored, child 2 ceiled, clipped to the grid.
                    let mut c1 = Vec::with_capacity(d);
                    let mut c2 = Vec::with_capacity(d);
                    for q in 0..d {
                        let g = 2.0 * grng.random::<f64>() - 0.5;
                        let (a, b) = (p1[q] as f64, p2[q] as f64);
                        let hi = (grid[q] - 1) as f64;
                        c1.push(((1.0 - g) * a + g * b).floor().clamp(0.0, hi) as usize);
                        c2.push((g * a + (1.0 - g) * b).ceil().clamp(0.0, hi) as usize);
                    }
                    vec![c1, c2]
                } else {
                    let (mut c1, mut c2) = (p1.clone(), p2.clone());
                    for q in 0..d {
                        if grng.random::<bool>() {
                            std::mem::swap(&mut c1[q], &mut c2[q]);
                        }
                    }
                    vec![c1, c2]
                }
            } else {
                let p = &valid[pool1[rank_linear(pool1.len(), &mut grng)]].idx;
                let c: Vec<usize> =
                    (0..d).map(|q| if grng.random::<bool>() { grng.random_range(0..grid[q]) } else { p[q] }).collect();
                vec![c]
            };
            for c in children {
                if accepted.len() >= cfg.n_new || queries >= cfg.max_queries_per_iter {
                    break;
                }
                if seen.contains(&c) || accepted.contains(&c) {
                    continue;
                }
                let accept = match (&cfg.filter, &net) {
                    (Filter::None, _) => true,
                    (Filter::Discriminator(_), Some((n, _))) => {
                        queries += 1;
                        let p = n.prob_better(&as_f(&c), &ref_f, &mut qrng);
                        critical.iter().all(|&s| qrng.random::<f64>() < p[s])
                    }
                    (Filter::Oracle, _) | (Filter::Discriminator(_), None) => {
                        queries += 1;
                        run.oracle_sims += 1;
                        match problem.evaluate(&c) {
                            Ok(p) => critical.iter().all(|&s| p[s] <= ref_pen[s]),
                            Err(_) => false,
                        }
                    }
                };
                if let (Some(sc), false) = (run.score.as_mut(), matches!(cfg.filter, Filter::None)) {
                    let truth = problem.evaluate(&c).is_ok_and(|p| critical.iter().all(|&s| p[s] <= ref_pen[s]));
                    sc.queries += 1;
                    match (accept, truth) {
                        (true, true) => sc.true_accept += 1,
                        (true, false) => sc.false_accept += 1,
                        (false, false) => sc.true_reject += 1,
                        (false, true) => sc.false_reject += 1,
                    }
                }
                if accept {
                    accepted.push(c);
                }
            }
        }
        run.n_queries += queries;
        run.steps = step;
        if accepted.len() < cfg.n_new {
            // Could not fill the batch: the reference's stopping rule (b).
            run.converged = true;
        }
        if !accepted.is_empty() {
            for (x, p) in accepted.iter().zip(eval_all(&accepted)) {
                seen.insert(x.clone());
                run.designs.push(GridDesign { idx: x.clone(), penalties: p, step });
            }
            run.n_sims += accepted.len();
            if let Some((n, nc)) = net.as_mut() {
                let t = Instant::now();
                train(n, &valid_of(&run.designs), nc, cfg.seed, step);
                run.train_seconds += t.elapsed().as_secs_f64();
            }
        }
        run.cost_trace.push(run.best().map_or(f64::INFINITY, |b| b.cost()));
        if run.converged {
            break;
        }
    }
    run.critical_specs = critical;
    run
}

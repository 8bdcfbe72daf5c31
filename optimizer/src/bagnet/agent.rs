//! BagNet's evolutionary agent on integer grids (bagnet.md sections 1.4-1.5): critical-spec
//! heuristic, reference design at a fixed rank, parents from two pools, blend/uniform crossover
//! (0.6) and uniform-integer mutation (0.4), a pluggable filter, 5 simulations per iteration.
//!
//! [`Agent`] is the search as a resumable state machine (serde: the network, its Adam state,
//! the critical specs and the metrics), driven by [`run_bagnet`] here and by the sizing loop's
//! `--algo bagnet`; every random draw comes from a stream of (seed, purpose, iteration), so a
//! run saved after any iteration and continued gives the same designs as an uninterrupted one.

use super::nn::{Discriminator, NnConfig};
use crate::rng::stream;
use rand::seq::SliceRandom;
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// When `score_filter` is off: rejected candidates evaluated per iteration to estimate the
    /// filter's reject accuracy (accepted ones are always scored: they are simulated anyway).
    #[serde(default)]
    pub score_rejected: usize,
    /// When an iteration cannot fill its batch within the query budget, fill it with unfiltered
    /// offspring instead of stopping (the sizing loop, where the budget decides the end).
    #[serde(default)]
    pub fill_unfiltered: bool,
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
            score_rejected: 0,
            fill_unfiltered: false,
        }
    }
}

/// Agreement of the filter with the truth on the queried candidates (when scored). "Truly
/// better" = no worse than the reference design on every critical spec.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterScore {
    /// Queries scored.
    pub queries: usize,
    /// Accepted and truly better than the reference on every critical spec.
    pub true_accept: usize,
    pub false_accept: usize,
    pub true_reject: usize,
    pub false_reject: usize,
    /// Rejected queries not scored (sampling): the scored rejections stand for them.
    #[serde(default)]
    pub unscored_rejects: usize,
}

impl FilterScore {
    /// Share of decisions that agree with the truth (rejections weighted up by the unscored
    /// ones when only a sample of them was scored).
    pub fn accuracy(&self) -> f64 {
        let rej = (self.true_reject + self.false_reject) as f64;
        let w = if rej > 0.0 { (rej + self.unscored_rejects as f64) / rej } else { 1.0 };
        let acc = (self.true_accept + self.false_accept) as f64;
        (self.true_accept as f64 + w * self.true_reject as f64) / (acc + w * rej).max(1.0)
    }
    /// Share of accepted designs that were truly better (the reference's `a2`).
    pub fn precision(&self) -> f64 {
        self.true_accept as f64 / (self.true_accept + self.false_accept).max(1) as f64
    }
    /// Share of truly better designs that were accepted (`a1`; needs every query scored).
    pub fn recall(&self) -> f64 {
        self.true_accept as f64 / (self.true_accept + self.false_reject).max(1) as f64
    }
    fn add(&mut self, accept: bool, truth: bool) {
        self.queries += 1;
        match (accept, truth) {
            (true, true) => self.true_accept += 1,
            (true, false) => self.false_accept += 1,
            (false, false) => self.true_reject += 1,
            (false, true) => self.false_reject += 1,
        }
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

/// Metrics of the agent so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentMetrics {
    /// Filter queries (discriminator or oracle).
    pub n_queries: usize,
    /// Simulations spent by the oracle filter's queries.
    pub oracle_sims: usize,
    /// Evaluations spent scoring queries (analysis, not simulations of the search) and their
    /// seconds (to take them out of a wall-clock comparison).
    pub score_sims: usize,
    #[serde(default)]
    pub score_seconds: f64,
    /// Training rounds, Adam steps and seconds.
    pub train_rounds: usize,
    pub train_steps: usize,
    pub train_seconds: f64,
    /// Iterations whose batch was (partly) filled without the filter.
    pub unfiltered_fills: usize,
    /// The filter against the truth (when scored).
    pub score: Option<FilterScore>,
    /// Best cost (sum of penalties) of the database after each training round / iteration.
    pub cost_trace: Vec<f64>,
}

/// The real evaluation of a design (per-spec penalties or a failure), for the oracle filter
/// and the filter's scoring.
pub type Oracle<'a> = dyn Fn(&[usize]) -> Result<Vec<f64>, String> + Sync + 'a;

/// What the agent asks for next.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Simulate these designs (fewer than `n_new` only when the filter could not fill the batch).
    Simulate(Vec<Vec<usize>>),
    /// The top `ref_rank` designs meet every spec (stopping rule (a)).
    Converged,
}

/// Accepted designs waiting for their simulation, to be scored against the reference.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Pending {
    designs: Vec<Vec<usize>>,
    ref_pen: Vec<f64>,
    critical: Vec<usize>,
}

/// BagNet's search as a resumable state machine: [`Agent::initial`] gives the initial designs,
/// [`Agent::learn`] takes the database after each simulated batch (trains the discriminator,
/// scores the accepted designs) and [`Agent::propose`] gives the next batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub cfg: BagNetConfig,
    grid: Vec<usize>,
    n_specs: usize,
    net: Option<Discriminator>,
    /// Critical specs, in the order chosen (never shrinks).
    pub critical: Vec<usize>,
    /// Iterations proposed so far.
    pub step: usize,
    /// Designs in the database at the last training round.
    trained_on: usize,
    pending: Option<Pending>,
    pub metrics: AgentMetrics,
}

const P_INIT: u64 = 41;
const P_GEN: u64 = 42;
const P_TRAIN: u64 = 43;
const P_QUERY: u64 = 44;
const P_NET: u64 = 45;
const P_SCORE: u64 = 46;

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

fn as_f(x: &[usize]) -> Vec<f64> {
    x.iter().map(|&v| v as f64).collect()
}

/// Trains the discriminator on pairs of valid designs (order and tie labels randomized):
/// `steps` Adam steps; when `new_from` is given, half of each batch pairs one of the designs
/// from index `new_from` on with any other (the new pairs). Early stop (when enabled): after
/// each window of 25 steps, stop once the window's mean loss is not 1 % below the previous
/// window's. Returns the steps taken.
fn train(
    net: &mut Discriminator,
    valid: &[(Vec<f64>, Vec<f64>)],
    cfg: &NnConfig,
    steps: usize,
    new_from: Option<usize>,
    seed: u64,
    round: usize,
) -> usize {
    let n = valid.len();
    if n < 2 {
        return 0;
    }
    let xs: Vec<Vec<f64>> = valid.iter().map(|v| v.0.clone()).collect();
    net.set_normalization(&xs);
    let mut rng = stream(seed, P_TRAIN, round as u64);
    let n_pairs = n * (n - 1) / 2;
    let new_from = new_from.filter(|&k| k < n);
    const WINDOW: usize = 25;
    let (mut window, mut prev) = (0.0, f64::INFINITY);
    for step in 0..steps {
        let mut batch = Vec::with_capacity(cfg.batch);
        for b in 0..cfg.batch.min(n_pairs) {
            // A random unordered pair (half of them with a new design), in a random order.
            let (mut i, mut j) = loop {
                let i = match new_from {
                    Some(k) if b % 2 == 0 => rng.random_range(k..n),
                    _ => rng.random_range(0..n),
                };
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
        window += net.adam_step(&batch, cfg, &mut rng);
        if cfg.early_stop && (step + 1) % WINDOW == 0 {
            let mean = window / WINDOW as f64;
            window = 0.0;
            if mean > 0.99 * prev {
                return step + 1;
            }
            prev = mean;
        }
    }
    steps
}

impl Agent {
    /// A new agent for a grid (`grid[i]` values of parameter `i`) and `n_specs` specs.
    pub fn new(grid: &[usize], n_specs: usize, cfg: &BagNetConfig) -> Self {
        let net = match &cfg.filter {
            Filter::Discriminator(nc) => {
                Some(Discriminator::new(grid.len(), n_specs, nc, crate::rng::mix(cfg.seed ^ P_NET)))
            }
            _ => None,
        };
        let score = (cfg.score_filter || cfg.score_rejected > 0) && cfg.filter != Filter::None;
        Agent {
            cfg: cfg.clone(),
            grid: grid.to_vec(),
            n_specs,
            net,
            critical: Vec::new(),
            step: 0,
            trained_on: 0,
            pending: None,
            metrics: AgentMetrics { score: score.then(FilterScore::default), ..Default::default() },
        }
    }

    /// The grid.
    pub fn grid(&self) -> &[usize] {
        &self.grid
    }

    /// `n` distinct uniform grid points not in `seen` (draw `round` of the initial sample).
    pub fn initial(&self, n: usize, seen: &HashSet<Vec<usize>>, round: usize) -> Vec<Vec<usize>> {
        let mut rng = stream(self.cfg.seed, P_INIT, round as u64);
        let space = self.grid.iter().try_fold(1usize, |a, &g| a.checked_mul(g.max(1))).unwrap_or(usize::MAX);
        let mut out: Vec<Vec<usize>> = Vec::with_capacity(n);
        let mut tries = 0;
        while out.len() < n && tries < 100 * n + 1000 && seen.len() + out.len() < space {
            tries += 1;
            let x: Vec<usize> = self.grid.iter().map(|&g| rng.random_range(0..g.max(1))).collect();
            if !seen.contains(&x) && !out.contains(&x) {
                out.push(x);
            }
        }
        out
    }

    /// Takes the database after a simulated batch: scores the accepted designs of the last
    /// proposal against its reference, and retrains the discriminator (warm start; the first
    /// round takes `steps_per_round` Adam steps, later rounds scale with the new pairs).
    pub fn learn(&mut self, db: &[GridDesign]) {
        if let (Some(p), Some(sc)) = (self.pending.take(), self.metrics.score.as_mut()) {
            if !self.cfg.score_filter {
                for x in &p.designs {
                    let truth = db
                        .iter()
                        .find(|d| d.idx == *x)
                        .and_then(|d| d.penalties.as_ref().ok())
                        .is_some_and(|q| p.critical.iter().all(|&s| q[s] <= p.ref_pen[s]));
                    sc.add(true, truth);
                }
            }
        }
        let best = db.iter().filter(|d| d.penalties.is_ok()).map(GridDesign::cost).fold(f64::INFINITY, f64::min);
        // Finite (JSON has no infinity): f64::MAX stands for "no valid design yet".
        self.metrics.cost_trace.push(best.min(f64::MAX));
        let Some(net) = self.net.as_mut() else {
            return;
        };
        let Filter::Discriminator(nc) = &self.cfg.filter else {
            return;
        };
        let valid: Vec<(Vec<f64>, Vec<f64>)> =
            db.iter().filter_map(|x| x.penalties.as_ref().ok().map(|p| (as_f(&x.idx), p.clone()))).collect();
        let n_old = db[..self.trained_on.min(db.len())].iter().filter(|d| d.penalties.is_ok()).count();
        let n = valid.len();
        let (steps, new_from) = if self.metrics.train_rounds == 0 || nc.steps_per_new_pair <= 0.0 || n_old < 2 {
            (nc.steps_per_round, None)
        } else {
            let new_pairs = n * (n - 1) / 2 - n_old * (n_old - 1) / 2;
            let s = (nc.steps_per_new_pair * new_pairs as f64).ceil() as usize;
            (s.clamp(nc.min_steps.min(nc.steps_per_round), nc.steps_per_round), Some(n_old))
        };
        let t = Instant::now();
        let taken = train(net, &valid, nc, steps, new_from, self.cfg.seed, self.metrics.train_rounds);
        self.metrics.train_seconds += t.elapsed().as_secs_f64();
        self.metrics.train_steps += taken;
        self.metrics.train_rounds += 1;
        self.trained_on = db.len();
    }

    /// BagNet's offspring of one draw: two crossover children or one mutant.
    fn offspring<R: Rng + ?Sized>(&self, p1s: &[&[usize]], p2s: &[&[usize]], rng: &mut R) -> Vec<Vec<usize>> {
        let (d, grid) = (self.grid.len(), &self.grid);
        let cfg = &self.cfg;
        if rng.random::<f64>() < cfg.cx_prob / (cfg.cx_prob + cfg.mut_prob) {
            let p1 = p1s[rank_linear(p1s.len(), rng)];
            let p2 = p2s[rank_linear(p2s.len(), rng)];
            if rng.random::<bool>() {
                // Blend (alpha 0.5): child 1 floored, child 2 ceiled, clipped to the grid.
                let mut c1 = Vec::with_capacity(d);
                let mut c2 = Vec::with_capacity(d);
                for q in 0..d {
                    let g = 2.0 * rng.random::<f64>() - 0.5;
                    let (a, b) = (p1[q] as f64, p2[q] as f64);
                    let hi = (grid[q] - 1) as f64;
                    c1.push(((1.0 - g) * a + g * b).floor().clamp(0.0, hi) as usize);
                    c2.push((g * a + (1.0 - g) * b).ceil().clamp(0.0, hi) as usize);
                }
                vec![c1, c2]
            } else {
                let (mut c1, mut c2) = (p1.to_vec(), p2.to_vec());
                for q in 0..d {
                    if rng.random::<bool>() {
                        std::mem::swap(&mut c1[q], &mut c2[q]);
                    }
                }
                vec![c1, c2]
            }
        } else {
            let p = p1s[rank_linear(p1s.len(), rng)];
            vec![(0..d).map(|q| if rng.random::<bool>() { rng.random_range(0..grid[q]) } else { p[q] }).collect()]
        }
    }

    /// The next iteration on the database `db`: the critical-spec heuristic, the reference
    /// design, the parent pools, offspring through the filter. `oracle` evaluates a design
    /// (the oracle filter and the filter's scoring use it).
    pub fn propose(&mut self, db: &[GridDesign], oracle: &Oracle<'_>) -> Next {
        let cfg = self.cfg.clone();
        let m = self.n_specs;
        let valid: Vec<&GridDesign> = db.iter().filter(|x| x.penalties.is_ok()).collect();
        if valid.is_empty() {
            // Nothing to breed from: more uniform samples.
            self.step += 1;
            let seen: HashSet<Vec<usize>> = db.iter().map(|d| d.idx.clone()).collect();
            return Next::Simulate(self.initial(cfg.n_new, &seen, 1000 + self.step));
        }
        let pen = |x: &GridDesign| x.penalties.as_ref().expect("valid").clone();
        let critical = self.critical.clone();
        // Critical-spec heuristic on the top designs by the current critical sum (or the cost).
        let key = |x: &GridDesign| if critical.is_empty() { x.cost() } else { sum_over(&pen(x), &critical) };
        let mut order: Vec<usize> = (0..valid.len()).collect();
        order.sort_by(|&a, &b| key(valid[a]).total_cmp(&key(valid[b])).then(a.cmp(&b)));
        let top_ref: Vec<usize> = order.iter().take(cfg.ref_rank.max(1)).copied().collect();
        let worst: Vec<f64> = (0..m).map(|s| top_ref.iter().map(|&i| pen(valid[i])[s]).fold(0.0, f64::max)).collect();
        let chosen = (0..m).filter(|&s| worst[s] > 0.0).max_by(|&a, &b| worst[a].total_cmp(&worst[b]).then(b.cmp(&a)));
        let Some(chosen) = chosen else {
            return Next::Converged;
        };
        self.step += 1;
        let step = self.step;
        if !self.critical.contains(&chosen) {
            self.critical.push(chosen);
        }
        let critical = self.critical.clone();
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
        let p1s: Vec<&[usize]> = pool1.iter().map(|&i| valid[i].idx.as_slice()).collect();
        let p2s: Vec<&[usize]> = pool2.iter().map(|&i| valid[i].idx.as_slice()).collect();
        let seen: HashSet<&[usize]> = db.iter().map(|d| d.idx.as_slice()).collect();
        // Generate, filter, collect n_new accepted designs.
        let mut qrng = stream(cfg.seed, P_QUERY, step as u64);
        let mut srng = stream(cfg.seed, P_SCORE, step as u64);
        let mut accepted: Vec<Vec<usize>> = Vec::new();
        let mut queries = 0;
        let mut scored_rejects = 0;
        let ref_f = as_f(&reference.idx);
        let truth_of = |c: &[usize]| oracle(c).is_ok_and(|p| critical.iter().all(|&s| p[s] <= ref_pen[s]));
        let mut draws = 0usize;
        while accepted.len() < cfg.n_new && queries < cfg.max_queries_per_iter && draws < 50 * cfg.max_queries_per_iter
        {
            draws += 1;
            for c in self.offspring(&p1s, &p2s, &mut grng) {
                if accepted.len() >= cfg.n_new || queries >= cfg.max_queries_per_iter {
                    break;
                }
                if seen.contains(c.as_slice()) || accepted.contains(&c) {
                    continue;
                }
                let accept = match (&cfg.filter, &self.net) {
                    (Filter::None, _) => true,
                    (Filter::Discriminator(_), Some(n)) => {
                        queries += 1;
                        let p = n.prob_better(&as_f(&c), &ref_f, &mut qrng);
                        critical.iter().all(|&s| qrng.random::<f64>() < p[s])
                    }
                    (Filter::Oracle, _) | (Filter::Discriminator(_), None) => {
                        queries += 1;
                        self.metrics.oracle_sims += 1;
                        truth_of(&c)
                    }
                };
                if let Some(sc) = self.metrics.score.as_mut() {
                    let t = Instant::now();
                    if cfg.score_filter {
                        sc.add(accept, truth_of(&c));
                        self.metrics.score_sims += 1;
                        self.metrics.score_seconds += t.elapsed().as_secs_f64();
                    } else if !accept {
                        // A sample of the rejections (the accepted are scored after simulation).
                        if scored_rejects < cfg.score_rejected && srng.random::<f64>() < 0.25 {
                            scored_rejects += 1;
                            self.metrics.score_sims += 1;
                            sc.add(false, truth_of(&c));
                            self.metrics.score_seconds += t.elapsed().as_secs_f64();
                        } else {
                            sc.unscored_rejects += 1;
                        }
                    }
                }
                if accept {
                    accepted.push(c);
                }
            }
        }
        self.metrics.n_queries += queries;
        if accepted.len() < cfg.n_new && cfg.fill_unfiltered {
            self.metrics.unfiltered_fills += 1;
            let mut frng = stream(cfg.seed, P_GEN, (1 << 32) + step as u64);
            let mut tries = 0;
            let mut fill = Vec::new();
            while accepted.len() + fill.len() < cfg.n_new && tries < 100_000 {
                tries += 1;
                for c in self.offspring(&p1s, &p2s, &mut frng) {
                    if accepted.len() + fill.len() < cfg.n_new
                        && !seen.contains(c.as_slice())
                        && !accepted.contains(&c)
                        && !fill.contains(&c)
                    {
                        fill.push(c);
                    }
                }
            }
            if self.metrics.score.is_some() && !cfg.score_filter {
                self.pending = Some(Pending { designs: accepted.clone(), ref_pen: ref_pen.clone(), critical });
            }
            accepted.extend(fill);
            return Next::Simulate(accepted);
        }
        if self.metrics.score.is_some() && !cfg.score_filter {
            self.pending = Some(Pending { designs: accepted.clone(), ref_pen, critical });
        }
        Next::Simulate(accepted)
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
    /// Adam steps over the run.
    pub train_steps: usize,
    /// Evaluations made only to score the filter, and their seconds.
    pub score_sims: usize,
    pub score_seconds: f64,
    /// Best cost after each iteration (index 0 = after the initial sample).
    pub cost_trace: Vec<f64>,
    /// Simulations used when the top `ref_rank` designs first all met every spec.
    pub sims_to_converge: Option<usize>,
    pub converged: bool,
    pub steps: usize,
    pub critical_specs: Vec<usize>,
    pub score: Option<FilterScore>,
    /// Iterations whose batch was (partly) filled with unfiltered offspring (`fill_unfiltered`).
    #[serde(default)]
    pub unfiltered_fills: usize,
}

impl BagNetRun {
    /// The best design (lowest cost).
    pub fn best(&self) -> Option<&GridDesign> {
        self.designs.iter().filter(|d| d.penalties.is_ok()).min_by(|a, b| a.cost().total_cmp(&b.cost()))
    }
}

/// Runs the agent until convergence (the top `ref_rank` designs meet every spec), an iteration
/// that cannot fill its batch within the query budget, or `max_steps`.
pub fn run_bagnet<P: GridProblem + ?Sized>(problem: &P, cfg: &BagNetConfig) -> BagNetRun {
    let grid = problem.grid().to_vec();
    let m = problem.n_specs();
    let eval = |x: &[usize]| match problem.evaluate(x) {
        Ok(p) if p.len() == m && p.iter().all(|v| v.is_finite() && *v >= 0.0) => Ok(p),
        Ok(p) => Err(format!("bad penalties {p:?}")),
        Err(e) => Err(e),
    };
    let eval_all = |xs: &[Vec<usize>]| -> Vec<Result<Vec<f64>, String>> { xs.par_iter().map(|x| eval(x)).collect() };
    let mut agent = Agent::new(&grid, m, cfg);
    let mut designs: Vec<GridDesign> = Vec::new();
    let mut n_sims = 0;
    // Initial sample: uniform grid points, failures resampled (bounded).
    for round in 0..10 {
        let have = designs.iter().filter(|x| x.penalties.is_ok()).count();
        if have >= cfg.n_init {
            break;
        }
        let seen: HashSet<Vec<usize>> = designs.iter().map(|d| d.idx.clone()).collect();
        let xs = agent.initial(cfg.n_init - have, &seen, round);
        if xs.is_empty() {
            break;
        }
        for (x, p) in xs.iter().zip(eval_all(&xs)) {
            designs.push(GridDesign { idx: x.clone(), penalties: p, step: 0 });
        }
        n_sims += xs.len();
    }
    agent.learn(&designs);
    let (mut converged, mut sims_to_converge, mut steps) = (false, None, 0);
    while agent.step < cfg.max_steps {
        match agent.propose(&designs, &eval) {
            Next::Converged => {
                converged = true;
                sims_to_converge = Some(n_sims);
                break;
            }
            Next::Simulate(xs) => {
                steps = agent.step;
                let full = xs.len() >= cfg.n_new;
                for (x, p) in xs.iter().zip(eval_all(&xs)) {
                    designs.push(GridDesign { idx: x.clone(), penalties: p, step: agent.step });
                }
                n_sims += xs.len();
                if xs.is_empty() {
                    agent.metrics.cost_trace.push(*agent.metrics.cost_trace.last().unwrap_or(&f64::MAX));
                } else {
                    agent.learn(&designs);
                }
                if !full {
                    // Could not fill the batch: the reference's stopping rule (b).
                    converged = true;
                    break;
                }
            }
        }
    }
    let mt = agent.metrics;
    BagNetRun {
        designs,
        n_sims,
        n_queries: mt.n_queries,
        oracle_sims: mt.oracle_sims,
        train_seconds: mt.train_seconds,
        train_steps: mt.train_steps,
        score_sims: mt.score_sims,
        score_seconds: mt.score_seconds,
        cost_trace: mt.cost_trace,
        sims_to_converge,
        converged,
        steps,
        critical_specs: agent.critical,
        score: mt.score,
        unfiltered_fills: mt.unfiltered_fills,
    }
}

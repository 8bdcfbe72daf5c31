//! The Bayesian-optimization loop shared by TRACE, EIPF, PIPF and MACE: initial Latin hypercube,
//! one GP per output (fitted in parallel, warm-started), an acquisition optimized by the MOPSO
//! over a two-level rank, a batch of `q` points drawn from the final archive, and a budget.

use crate::acquisition::{self as acq, AcquisitionFormulas};
use crate::doe;
use crate::gp::{Gp, GpConfig};
use crate::mopso::{mopso, MopsoConfig};
use crate::problem::{evaluate_batch, from_unit, to_unit, Problem};
use crate::record::{RunRecord, INITIAL};
use crate::rng::{mix, stream};
use rand::seq::SliceRandom;
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Which acquisition drives the loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BoMethod {
    /// Tiered: level 1 `[max_k(mu_k - kappa s_k), min_k |mu_k - kappa s_k|]`, level 2 `[LCB, -PI, -EI]`.
    Trace,
    /// EI x PoF (PoF alone until a feasible point is known).
    Eipf,
    /// PI x PoF (PoF alone until a feasible point is known).
    Pipf,
    /// Pareto set of `[LCB, -PI, -EI]` with feasibility first: level 1 is the predicted total
    /// violation `sum_k max(0, mu_k)`; PoF alone until a feasible point is known.
    Mace,
}

impl BoMethod {
    pub fn name(self) -> &'static str {
        match self {
            BoMethod::Trace => "trace",
            BoMethod::Eipf => "eipf",
            BoMethod::Pipf => "pipf",
            BoMethod::Mace => "mace",
        }
    }
}

/// How proposals are drawn from the final MOPSO archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ArchivePick {
    /// Uniformly at random, as the authors' code does.
    Uniform,
    /// At random with probability proportional to a power of the probability of feasibility (GP means and
    /// standard deviations, no exploration bonus); uniform when every member has PoF 0.
    #[default]
    PofWeighted,
}

/// Settings of the BO loop.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BoConfig {
    /// Size of the initial Latin hypercube.
    pub n_init: usize,
    /// Total number of evaluations, initial design included.
    pub budget: usize,
    /// Points proposed per step (q).
    pub batch_size: usize,
    pub seed: u64,
    /// GP settings; `gp.kernel.ard` is the ARD/isotropic switch.
    pub gp: GpConfig,
    /// Textbook PI/EI (default) or the authors' double-standardized variants.
    pub formulas: AcquisitionFormulas,
    /// LCB exploration weight (paper: 0.3).
    pub lcb_beta: f64,
    /// Exploration weight in TRACE's level 1 (paper: 0.2).
    pub kappa: f64,
    /// Improvement margin of PI/EI (paper: 0.001).
    pub eps: f64,
    pub mopso: MopsoConfig,
    /// Divide each constraint's predictions by the spread of its observed values before the
    /// level-1 objectives mix them (sign-preserving, so feasibility is unchanged). The authors
    /// use raw values (false).
    pub scale_constraints: bool,
    /// Random restarts of the hyperparameter fits every this many steps (otherwise only the
    /// warm start from the previous step).
    pub restart_period: usize,
    /// Candidate designs tried by the maximin Latin hypercube.
    pub lhs_tries: usize,
    /// How the next point(s) are drawn from the final archive (the optimal set).
    pub pick: ArchivePick,
    /// Exponent `k` of the `PoF^k` weights of [`ArchivePick::PofWeighted`].
    pub pick_sharpness: f64,
    /// Form of TRACE's level-1 objectives (aggregated by default; `Paper` = `min_k |v_k|`).
    pub level1: acq::Level1Form,
    /// Archive members closer than this (unit-box Euclidean distance) to an evaluated point are
    /// not proposed again.
    pub min_distance: f64,
    /// L-BFGS iterations of a warm-started hyperparameter fit (no random restarts).
    pub warm_fit_max_iter: usize,
    /// Hyperparameters are refitted (warm-started L-BFGS) every this many steps; in between
    /// they are kept and each GP grows by the new points through a rank-1 extension of its
    /// Cholesky factor (`O(n^2)` per point instead of `O(n^3)` per likelihood evaluation).
    /// 1 = refit at every step (the reference path). Steps with random restarts
    /// (`restart_period`) always refit.
    #[serde(default = "default_hyper_refit_period")]
    pub hyper_refit_period: usize,
}

fn default_hyper_refit_period() -> usize {
    5
}

impl Default for BoConfig {
    fn default() -> Self {
        Self {
            n_init: 10,
            budget: 50,
            batch_size: 1,
            seed: 0,
            gp: GpConfig::default(),
            formulas: AcquisitionFormulas::Textbook,
            lcb_beta: 0.3,
            kappa: 0.2,
            eps: 0.001,
            mopso: MopsoConfig::default(),
            scale_constraints: true,
            restart_period: 10,
            lhs_tries: 20,
            pick: ArchivePick::PofWeighted,
            pick_sharpness: 1.0,
            warm_fit_max_iter: 12,
            level1: acq::Level1Form::Aggregated,
            min_distance: 1e-3,
            hyper_refit_period: default_hyper_refit_period(),
        }
    }
}

impl BoConfig {
    /// Defaults with the given initial size, budget and seed.
    pub fn new(n_init: usize, budget: usize, seed: u64) -> Self {
        Self { n_init, budget, seed, ..Default::default() }
    }
    pub fn with_formulas(mut self, f: AcquisitionFormulas) -> Self {
        self.formulas = f;
        self
    }
    pub fn with_ard(mut self, ard: bool) -> Self {
        self.gp.kernel.ard = ard;
        self
    }
    pub fn with_batch_size(mut self, q: usize) -> Self {
        self.batch_size = q.max(1);
        self
    }
    /// The reference fitting schedule (the crate's behaviour before incremental updates):
    /// hyperparameters refitted at every step and every random start run to `gp.max_iter`
    /// (`hyper_refit_period = 1`, `gp.probe_iter = 0`). Same proposals as that version, slower.
    pub fn with_reference_fits(mut self) -> Self {
        self.hyper_refit_period = 1;
        self.gp.probe_iter = 0;
        self
    }
    /// Sets [`BoConfig::hyper_refit_period`] (1 = refit the hyperparameters at every step).
    pub fn with_hyper_refit_period(mut self, k: usize) -> Self {
        self.hyper_refit_period = k.max(1);
        self
    }
}

const P_INIT: u64 = 1;
const P_MOPSO: u64 = 2;
const P_GP: u64 = 3;
const P_PICK: u64 = 4;

/// Evaluates unit-box points, appends them to the record.
fn evaluate_into<P: Problem + ?Sized>(problem: &P, rec: &mut RunRecord, us: &[Vec<f64>], step: usize, proposer: &str) {
    let xs: Vec<Vec<f64>> = us.iter().map(|u| from_unit(u, problem.lower(), problem.upper())).collect();
    let results = evaluate_batch(problem, &xs);
    for (x, (e, t)) in xs.into_iter().zip(results) {
        rec.push(x, e, step, proposer, t);
    }
}

/// Runs (or resumes, when `history` holds earlier evaluations of the same problem) the loop
/// until `cfg.budget` evaluations.
pub fn run_bo<P: Problem + ?Sized>(
    problem: &P,
    method: BoMethod,
    cfg: &BoConfig,
    history: Option<RunRecord>,
) -> RunRecord {
    let d = problem.dim();
    let m = problem.n_constraints();
    let lower = problem.lower().to_vec();
    let upper = problem.upper().to_vec();
    let mut rec = history.unwrap_or_else(|| RunRecord::new(method.name(), cfg.seed, &lower, &upper, m));
    if rec.evaluations.is_empty() && cfg.budget > 0 {
        let mut rng = stream(cfg.seed, P_INIT, 0);
        let n0 = cfg.n_init.clamp(1, cfg.budget);
        let us = doe::lhs_centered_maximin(n0, d, cfg.lhs_tries, &mut rng);
        evaluate_into(problem, &mut rec, &us, 0, INITIAL);
        rec.push_step(0, 0.0, 0.0, Vec::new());
    }
    let mut thetas: Vec<Option<Vec<f64>>> = match rec.steps.last() {
        Some(s) if s.hyperparameters.len() == m + 1 => s.hyperparameters.iter().cloned().map(Some).collect(),
        _ => vec![None; m + 1],
    };
    // Surrogates of the previous step, grown incrementally between hyperparameter refits. Not
    // saved in the record: after a resume they are rebuilt from the saved hyperparameters, which
    // gives bitwise the same models (see `Gp::extended`).
    let mut models: Vec<Option<Gp>> = vec![None; m + 1];
    let mut step = rec.steps.last().map_or(0, |s| s.step);
    while rec.evaluations.len() < cfg.budget {
        step += 1;
        let q = cfg.batch_size.max(1).min(cfg.budget - rec.evaluations.len());
        let t0 = Instant::now();
        // On a pool thread: the many small parallel loops of the step (GP fits, the swarm's
        // predictions) then split their work among the pool's threads instead of each one
        // handing it over from outside the pool and blocking (two context switches per loop).
        let (us, hyper, fit_s) = rayon::join(
            || propose(problem, method, cfg, &rec, &mut thetas, &mut models, step, q, &lower, &upper),
            || (),
        )
        .0;
        let prop_s = t0.elapsed().as_secs_f64() - fit_s;
        let (names, us): (Vec<&str>, Vec<Vec<f64>>) = us.into_iter().unzip();
        // Evaluate the batch once; record per-point proposer names.
        let xs: Vec<Vec<f64>> = us.iter().map(|u| from_unit(u, &lower, &upper)).collect();
        let results = evaluate_batch(problem, &xs);
        for ((x, (e, t)), name) in xs.into_iter().zip(results).zip(names) {
            rec.push(x, e, step, name, t);
        }
        rec.push_step(step, fit_s, prop_s, hyper);
    }
    rec
}

/// Training data for the surrogates, in problem units.
struct Data {
    xs_ok: Vec<Vec<f64>>,
    y_ok: Vec<f64>,
    xs_all: Vec<Vec<f64>>,
    /// `c[k][i]` for every evaluation, failures imputed as clearly infeasible.
    c_all: Vec<Vec<f64>>,
}

fn collect(rec: &RunRecord, m: usize) -> Data {
    let mut xs_ok = Vec::new();
    let mut y_ok = Vec::new();
    let mut xs_all = Vec::new();
    let mut c_all = vec![Vec::new(); m];
    let mut cmax = vec![f64::NEG_INFINITY; m];
    let mut cmin = vec![f64::INFINITY; m];
    for e in &rec.evaluations {
        if let (Some(y), Some(c)) = (e.objective, e.constraints.as_ref()) {
            xs_ok.push(e.x.clone());
            y_ok.push(y);
            for k in 0..m {
                cmax[k] = cmax[k].max(c[k]);
                cmin[k] = cmin[k].min(c[k]);
            }
        }
    }
    for e in &rec.evaluations {
        xs_all.push(e.x.clone());
        for k in 0..m {
            let v = match e.constraints.as_ref() {
                Some(c) => c[k],
                None if cmax[k].is_finite() => impute_failure(cmax[k], cmin[k]),
                None => 1.0,
            };
            c_all[k].push(v);
        }
    }
    Data { xs_ok, y_ok, xs_all, c_all }
}

/// The constraint value given to a failed evaluation: the worst value observed, or, when every
/// observed value is feasible, a tenth of the observed range above 0. It stays inside the data's
/// range: an outlier far above it (the former `cmax + range`) inflates the GP's signal variance
/// and shrinks its lengthscales, the surrogate reverts to its mean away from the data, and an
/// optimistic feasibility test (TRACE's level 1, `mu - kappa s <= 0`) then calls most of the
/// unexplored box feasible.
fn impute_failure(cmax: f64, cmin: f64) -> f64 {
    if cmax > 0.0 {
        cmax
    } else {
        (0.1 * (cmax - cmin)).max(1e-6)
    }
}

fn spread(v: &[f64]) -> f64 {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    if sd > 1e-12 {
        sd
    } else {
        1.0
    }
}

/// Predictions of every GP at every point, in parallel over (GP, block of points) so the work
/// spreads evenly over the threads; each prediction is independent of the split.
fn predict_all(gps: &[Gp], us: &[Vec<f64>]) -> Vec<(Vec<f64>, Vec<f64>)> {
    const CHUNK: usize = 8;
    let n = us.len();
    let nc = n.div_ceil(CHUNK).max(1);
    let parts: Vec<(Vec<f64>, Vec<f64>)> = (0..gps.len() * nc)
        .into_par_iter()
        .map(|t| {
            let (j, c) = (t / nc, t % nc);
            gps[j].predict_unit_batch(&us[(c * CHUNK).min(n)..((c + 1) * CHUNK).min(n)])
        })
        .collect();
    let mut out: Vec<(Vec<f64>, Vec<f64>)> = Vec::with_capacity(gps.len());
    let mut it = parts.into_iter();
    for _ in gps {
        let (mut mu, mut var) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..nc {
            let (m, v) = it.next().expect("one part per block");
            mu.extend(m);
            var.extend(v);
        }
        out.push((mu, var));
    }
    out
}

type Proposal = (Vec<(&'static str, Vec<f64>)>, Vec<Vec<f64>>, f64);

#[allow(clippy::too_many_arguments)]
fn propose<P: Problem + ?Sized>(
    problem: &P,
    method: BoMethod,
    cfg: &BoConfig,
    rec: &RunRecord,
    thetas: &mut [Option<Vec<f64>>],
    models: &mut [Option<Gp>],
    step: usize,
    q: usize,
    lower: &[f64],
    upper: &[f64],
) -> Proposal {
    let d = problem.dim();
    let m = problem.n_constraints();
    let data = collect(rec, m);
    let mut pick_rng = stream(cfg.seed, P_PICK, step as u64);
    let existing: Vec<Vec<f64>> = data.xs_all.iter().map(|x| to_unit(x, lower, upper)).collect();
    if data.xs_ok.len() < 2 {
        // Nothing to model yet: uniform points.
        let us = doe::uniform(q, d, &mut pick_rng);
        return (us.into_iter().map(|u| ("random-fallback", u)).collect(), Vec::new(), 0.0);
    }
    let t_fit = Instant::now();
    let restart = cfg.restart_period > 0 && (step - 1).is_multiple_of(cfg.restart_period);
    let refit = restart || cfg.hyper_refit_period <= 1 || (step - 1).is_multiple_of(cfg.hyper_refit_period);
    let prev: Vec<Option<Gp>> = models.iter_mut().map(Option::take).collect();
    let fits: Vec<Option<Gp>> = prev
        .into_par_iter()
        .enumerate()
        .map(|(j, prev)| {
            let warm = thetas[j].as_deref();
            let (xs, ys) = if j == 0 { (&data.xs_ok, &data.y_ok) } else { (&data.xs_all, &data.c_all[j - 1]) };
            if let (false, Some(theta)) = (refit, warm) {
                // Same hyperparameters, more data: grow the previous model.
                let grown = match prev {
                    Some(g) if g.theta() == theta => g.extended(xs, ys),
                    _ => Gp::with_hyperparameters(
                        xs,
                        ys,
                        lower,
                        upper,
                        cfg.gp.kernel,
                        theta,
                        cfg.gp.include_noise_in_variance,
                    ),
                };
                if let Ok(g) = grown {
                    return Some(g);
                }
            }
            let mut gcfg = cfg.gp.clone();
            if warm.is_some() && !restart {
                gcfg.n_random_starts = 0;
                gcfg.max_iter = gcfg.max_iter.min(cfg.warm_fit_max_iter);
            }
            let seed = mix(cfg.seed ^ mix(P_GP) ^ mix(step as u64 * 1000 + j as u64));
            Gp::fit(xs, ys, lower, upper, &gcfg, warm, seed).ok()
        })
        .collect();
    let fit_s = t_fit.elapsed().as_secs_f64();
    for (j, g) in fits.iter().enumerate() {
        if let Some(g) = g {
            thetas[j] = Some(g.theta().to_vec());
        }
    }
    let hyper: Vec<Vec<f64>> = thetas.iter().map(|t| t.clone().unwrap_or_default()).collect();
    if fits.iter().any(Option::is_none) {
        let us = doe::uniform(q, d, &mut pick_rng);
        return (us.into_iter().map(|u| ("random-fallback", u)).collect(), hyper, fit_s);
    }
    let gps: Vec<Gp> = fits.into_iter().map(|g| g.expect("checked")).collect();
    for (slot, g) in models.iter_mut().zip(&gps) {
        *slot = Some(g.clone());
    }
    let scales: Vec<f64> = (0..m).map(|k| if cfg.scale_constraints { spread(&data.c_all[k]) } else { 1.0 }).collect();
    // Incumbent for PI/EI: best feasible observed objective, else the best observed objective.
    let best = rec.best_feasible();
    let has_feasible = best.is_some();
    let tau = match best {
        Some(e) => e.objective.unwrap_or(f64::INFINITY),
        None => data.y_ok.iter().copied().fold(f64::INFINITY, f64::min),
    };
    let md2 = cfg.min_distance * cfg.min_distance;
    let near = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>() < md2.max(1e-24);
    let mut seeds = Vec::new();
    if let Some(e) = best {
        seeds.push(to_unit(&e.x, lower, upper));
    }
    let eval = |us: &[Vec<f64>]| -> Vec<(Vec<f64>, Vec<f64>)> {
        let n = us.len();
        let mut preds = predict_all(&gps, us);
        let rest = preds.split_off(1);
        let (mu, var) = preds.pop().expect("objective prediction");
        let sd: Vec<f64> = var.iter().map(|v| v.max(0.0).sqrt()).collect();
        let mut mu_c = Vec::with_capacity(m);
        let mut sd_c = Vec::with_capacity(m);
        for (k, (mk, vk)) in rest.into_iter().enumerate() {
            mu_c.push(mk.iter().map(|v| v / scales[k]).collect::<Vec<f64>>());
            sd_c.push(vk.iter().map(|v| v.max(0.0).sqrt() / scales[k]).collect::<Vec<f64>>());
        }
        let level2 = |i_out: &mut Vec<Vec<f64>>| {
            let l = acq::lcb(&mu, &sd, cfg.lcb_beta);
            let (p, e) = match cfg.formulas {
                AcquisitionFormulas::Textbook => {
                    (acq::log_pi(&mu, &sd, tau, cfg.eps), acq::log_ei(&mu, &sd, tau, cfg.eps))
                }
                AcquisitionFormulas::Authors => {
                    (acq::pi_authors(&mu, &sd, tau, cfg.eps), acq::ei_authors(&mu, &sd, tau, cfg.eps))
                }
            };
            for i in 0..n {
                i_out.push(vec![l[i], -p[i], -e[i]]);
            }
        };
        let pof_only = || -> Vec<Vec<f64>> { acq::log_pof(&mu_c, &sd_c, n).into_iter().map(|v| vec![-v]).collect() };
        let (f1, f2): (Vec<Vec<f64>>, Vec<Vec<f64>>) = match method {
            BoMethod::Trace => {
                let f1 = acq::trace_f1_form(&mu_c, &sd_c, cfg.kappa, n, cfg.level1)
                    .into_iter()
                    .map(|v| v.to_vec())
                    .collect();
                let mut f2 = Vec::with_capacity(n);
                level2(&mut f2);
                (f1, f2)
            }
            BoMethod::Mace => {
                let f1 = (0..n).map(|i| vec![(0..m).map(|k| mu_c[k][i].max(0.0)).sum::<f64>()]).collect();
                let f2 = if has_feasible || m == 0 {
                    let mut f2 = Vec::with_capacity(n);
                    level2(&mut f2);
                    f2
                } else {
                    pof_only()
                };
                (f1, f2)
            }
            BoMethod::Eipf | BoMethod::Pipf => {
                let f1 = vec![Vec::new(); n];
                let f2 = if has_feasible || m == 0 {
                    let lp = acq::log_pof(&mu_c, &sd_c, n);
                    let a = match (method, cfg.formulas) {
                        (BoMethod::Eipf, AcquisitionFormulas::Textbook) => acq::log_ei(&mu, &sd, tau, cfg.eps),
                        (_, AcquisitionFormulas::Textbook) => acq::log_pi(&mu, &sd, tau, cfg.eps),
                        (BoMethod::Eipf, AcquisitionFormulas::Authors) => {
                            acq::ei_authors(&mu, &sd, tau, cfg.eps).into_iter().map(|v| v.max(1e-300).ln()).collect()
                        }
                        (_, AcquisitionFormulas::Authors) => {
                            acq::pi_authors(&mu, &sd, tau, cfg.eps).into_iter().map(|v| v.max(1e-300).ln()).collect()
                        }
                    };
                    (0..n).map(|i| vec![-(a[i] + lp[i])]).collect()
                } else {
                    pof_only()
                };
                (f1, f2)
            }
        };
        // Candidates too close to an evaluated point rank last: the swarm looks elsewhere.
        f1.into_iter()
            .zip(f2)
            .zip(us)
            .map(|((mut a, mut b), u)| {
                if existing.iter().any(|e| near(e, u)) {
                    a.iter_mut().for_each(|v| *v = f64::MAX);
                    b.iter_mut().for_each(|v| *v = f64::MAX);
                }
                (a, b)
            })
            .collect()
    };
    let mut mrng = stream(cfg.seed, P_MOPSO, step as u64);
    let archive = mopso(d, &cfg.mopso, &seeds, &mut mrng, eval);
    // Draw q distinct members at random, skipping points already evaluated.
    let mut order: Vec<usize> = (0..archive.len()).collect();
    order.shuffle(&mut pick_rng);
    if cfg.pick == ArchivePick::PofWeighted && m > 0 {
        // Weighted draw without replacement (Efraimidis-Spirakis keys u^(1/w)).
        let xs: Vec<Vec<f64>> = archive.iter().map(|a| a.x.clone()).collect();
        let mut mu_c = Vec::with_capacity(m);
        let mut sd_c = Vec::with_capacity(m);
        for g in &gps[1..] {
            let (mk, vk) = g.predict_unit_batch(&xs);
            mu_c.push(mk);
            sd_c.push(vk.into_iter().map(|v| v.max(0.0).sqrt()).collect::<Vec<f64>>());
        }
        let lp = acq::log_pof(&mu_c, &sd_c, xs.len());
        let keys: Vec<f64> = (0..xs.len())
            .map(|i| {
                let u: f64 = pick_rng.random::<f64>().max(1e-300);
                // ln key = ln(u) / w; zero weights sort last.
                let w = (cfg.pick_sharpness * lp[i]).exp();
                if w > 0.0 {
                    u.ln() / w
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        order.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]).then(a.cmp(&b)));
    }
    let mut chosen: Vec<(&'static str, Vec<f64>)> = Vec::new();
    for i in order {
        if chosen.len() == q {
            break;
        }
        let u = &archive[i].x;
        if existing.iter().any(|e| near(e, u)) || chosen.iter().any(|c| near(&c.1, u)) {
            continue;
        }
        chosen.push((method.name(), u.clone()));
    }
    while chosen.len() < q {
        let u: Vec<f64> = (0..d).map(|_| pick_rng.random::<f64>()).collect();
        chosen.push(("random-fallback", u));
    }
    (chosen, hyper, fit_s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Outcome;

    fn record(cs: &[Option<[f64; 2]>]) -> RunRecord {
        let mut rec = RunRecord::new("t", 0, &[0.0], &[1.0], 2);
        for (i, c) in cs.iter().enumerate() {
            let e = match c {
                Some(c) => Ok(Outcome { objective: i as f64, constraints: c.to_vec() }),
                None => Err("failed".to_string()),
            };
            rec.push(vec![i as f64 / 10.0], e, 0, INITIAL, 0.0);
        }
        rec
    }

    /// A failure is infeasible but stays inside the range of the observed constraint values, so
    /// it does not dominate the surrogate's variance.
    #[test]
    fn failures_are_imputed_within_the_observed_range() {
        // Constraint 0 has infeasible observations (worst 2.5), constraint 1 only feasible ones.
        let rec = record(&[Some([2.5, -0.4]), Some([-1.5, -2.4]), None, Some([0.3, -1.0])]);
        let data = collect(&rec, 2);
        assert_eq!(data.xs_ok.len(), 3);
        assert_eq!(data.c_all[0].len(), 4);
        assert_eq!(data.c_all[0][2], 2.5, "worst observed value");
        let v = data.c_all[1][2];
        assert!(v > 0.0, "a failure is infeasible: {v}");
        assert!((v - 0.2).abs() < 1e-12, "a tenth of the observed range above 0: {v}");
        // Nothing observed yet: 1.
        let data = collect(&record(&[None]), 2);
        assert_eq!(data.c_all[0], vec![1.0]);
    }
}

//! Differential evolution with Deb's feasibility rules: a fast population method for problems
//! whose evaluations are cheap (microsecond simulations), where sample efficiency matters less
//! than wall-clock.
//!
//! Each generation proposes one trial per population member (the classic DE/rand/1/bin by
//! default, or DE/current-to-pbest/1/bin as in JADE), evaluates the generation as one parallel batch, and keeps
//! the trial when it is at least as good as its target under Deb's rules: a feasible point beats
//! an infeasible one, two feasible points compare by objective, two infeasible points by total
//! violation `sum_k max(0, c_k)`; a failed evaluation is the worst infeasible point. Everything
//! runs on the unit box; every random draw comes from a stream keyed by (seed, generation), so
//! runs are identical for a seed whatever the thread count.
//!
//! [`De`] is the ask/tell form (the caller evaluates); [`differential_evolution`] runs it on a
//! [`Problem`] and returns the usual [`RunRecord`], and [`differential_evolution_resume`]
//! continues a saved record by replaying it.
//!
//! ```
//! use insitu_optimizer::de::{differential_evolution, DeConfig};
//! use insitu_optimizer::testfns::tf1;
//! let rec = differential_evolution(&tf1(), &DeConfig { budget: 600, seed: 3, ..Default::default() });
//! assert!(rec.best_objective().unwrap() < -1.99);
//! ```

use crate::doe;
use crate::problem::{evaluate_batch, from_unit, sanitize, Evaluation, Problem};
use crate::record::{RunRecord, INITIAL};
use crate::rng::stream;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::time::Instant;

const P_DE: u64 = 31;

/// Mutation strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum DeStrategy {
    /// `v = x_i + F (x_pbest - x_i) + F (x_r1 - x_r2)`, `x_pbest` drawn from the best
    /// `p_best` fraction of the population (JADE's mutation, without its archive); converges
    /// faster, gets trapped in local optima more often.
    CurrentToPBest1,
    /// `v = x_r1 + F (x_r2 - x_r3)` (Storn and Price's DE/rand/1), the default: on the paper's
    /// test functions it reaches the known optima more reliably (see the tests).
    #[default]
    Rand1,
}

/// Settings of [`De`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeConfig {
    /// Total number of evaluations, initial population included.
    pub budget: usize,
    /// Population size; 0 = automatic, `(10 d).clamp(20, 80)`.
    pub population: usize,
    pub strategy: DeStrategy,
    /// The scale factor `F` is drawn uniformly in this range for each trial (dither).
    pub f_range: (f64, f64),
    /// Crossover probability of the binomial crossover.
    pub cr: f64,
    /// Fraction of the population `x_pbest` is drawn from ([`DeStrategy::CurrentToPBest1`]).
    pub p_best: f64,
    pub seed: u64,
    /// Candidate designs tried by the maximin Latin hypercube of the initial population.
    pub lhs_tries: usize,
    /// Restart from a new Latin hypercube when the population has collapsed: every coordinate
    /// spans less than this (unit box). The best point found stays in the record; 0 = never.
    #[serde(default = "default_restart_spread")]
    pub restart_spread: f64,
    /// Also restart when the population's best has not improved (relative 1e-6) for this many
    /// generations; 0 = never.
    #[serde(default = "default_stall_generations")]
    pub stall_generations: usize,
}

fn default_stall_generations() -> usize {
    15
}

fn default_restart_spread() -> f64 {
    1e-4
}

impl Default for DeConfig {
    fn default() -> Self {
        Self {
            budget: 1000,
            population: 0,
            strategy: DeStrategy::Rand1,
            f_range: (0.5, 0.9),
            cr: 0.9,
            p_best: 0.2,
            seed: 0,
            lhs_tries: 20,
            restart_spread: default_restart_spread(),
            stall_generations: default_stall_generations(),
        }
    }
}

/// Objective and total violation of an evaluated point; failures are `(inf, inf)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fitness {
    pub objective: f64,
    /// `sum_k max(0, c_k)`; 0 for a feasible point.
    pub violation: f64,
}

impl Fitness {
    /// Fitness of a (sanitized) evaluation.
    pub fn of(e: &Evaluation) -> Fitness {
        match e {
            Ok(o) => Fitness { objective: o.objective, violation: o.constraints.iter().map(|c| c.max(0.0)).sum() },
            Err(_) => Fitness { objective: f64::INFINITY, violation: f64::INFINITY },
        }
    }

    /// Feasible (no violation).
    pub fn feasible(&self) -> bool {
        self.violation <= 0.0
    }

    /// Deb's rules: `self` is at least as good as `other`.
    pub fn at_least_as_good(&self, other: &Fitness) -> bool {
        match (self.feasible(), other.feasible()) {
            (true, true) => self.objective <= other.objective,
            (true, false) => true,
            (false, true) => false,
            (false, false) => self.violation <= other.violation,
        }
    }

    /// Deb's rules as a total order (better first) for sorting.
    pub fn cmp_deb(&self, other: &Fitness) -> std::cmp::Ordering {
        match (self.feasible(), other.feasible()) {
            (true, true) => self.objective.total_cmp(&other.objective),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => self.violation.total_cmp(&other.violation),
        }
    }
}

/// Errors of the ask/tell interface.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DeError {
    #[error("tell() got {got} evaluations for a batch of {asked}")]
    BatchSize { asked: usize, got: usize },
    #[error("tell() without a pending ask()")]
    NothingAsked,
    #[error("the record does not replay: evaluation {index} differs from what this configuration proposes")]
    Replay { index: usize },
    #[error("bounds: {0}")]
    Bounds(String),
}

/// Differential evolution in ask/tell form.
#[derive(Clone, Debug)]
pub struct De {
    cfg: DeConfig,
    lower: Vec<f64>,
    upper: Vec<f64>,
    n_constraints: usize,
    np: usize,
    /// Population on the unit box with fitnesses (empty before the initial population is told).
    pop: Vec<(Vec<f64>, Fitness)>,
    /// Generations told so far (0 = the initial population).
    generation: usize,
    evaluations: usize,
    pending: Option<Vec<Vec<f64>>>,
    /// Best fitness of the current population's lineage and generations since it improved.
    lineage_best: Option<Fitness>,
    stall: usize,
}

impl De {
    /// A new optimizer for the box `[lower, upper]` with `n_constraints` constraints.
    pub fn new(lower: &[f64], upper: &[f64], n_constraints: usize, cfg: DeConfig) -> Result<De, DeError> {
        if lower.len() != upper.len() || lower.is_empty() {
            return Err(DeError::Bounds(format!("{} lower and {} upper bounds", lower.len(), upper.len())));
        }
        if let Some(i) =
            (0..lower.len()).find(|&i| lower[i] >= upper[i] || !lower[i].is_finite() || !upper[i].is_finite())
        {
            return Err(DeError::Bounds(format!("variable {i}: empty or infinite range [{}, {}]", lower[i], upper[i])));
        }
        let d = lower.len();
        let np = if cfg.population == 0 { (10 * d).clamp(20, 80) } else { cfg.population.max(4) };
        Ok(De {
            cfg,
            lower: lower.to_vec(),
            upper: upper.to_vec(),
            n_constraints,
            np,
            pop: Vec::new(),
            generation: 0,
            evaluations: 0,
            pending: None,
            lineage_best: None,
            stall: 0,
        })
    }

    /// Population size.
    pub fn population_size(&self) -> usize {
        self.np
    }

    /// Evaluations told so far.
    pub fn evaluations(&self) -> usize {
        self.evaluations
    }

    /// Generations told so far (the initial population is generation 0, so this is 1 after it).
    pub fn generation(&self) -> usize {
        self.generation
    }

    /// Whether the budget is spent.
    pub fn done(&self) -> bool {
        self.evaluations >= self.cfg.budget
    }

    /// The best member under Deb's rules (problem units) and its fitness.
    pub fn best(&self) -> Option<(Vec<f64>, Fitness)> {
        self.pop.iter().min_by(|a, b| a.1.cmp_deb(&b.1)).map(|(u, f)| (from_unit(u, &self.lower, &self.upper), *f))
    }

    /// The next batch to evaluate, in problem units: the initial Latin hypercube, then one trial
    /// per member, truncated to the remaining budget (empty when it is spent). Asking again
    /// before [`De::tell`] returns the same batch.
    pub fn ask(&mut self) -> Vec<Vec<f64>> {
        if self.pending.is_none() {
            let left = self.cfg.budget.saturating_sub(self.evaluations);
            let mut us = if self.pop.is_empty() || self.collapsed() { self.initial() } else { self.trials() };
            us.truncate(left);
            self.pending = Some(us);
        }
        self.pending.as_ref().expect("set above").iter().map(|u| from_unit(u, &self.lower, &self.upper)).collect()
    }

    /// Evaluations of the last asked batch, in its order. Values are sanitized (non-finite
    /// values and a wrong number of constraints become failures, i.e. the worst points).
    pub fn tell(&mut self, results: &[Evaluation]) -> Result<(), DeError> {
        let us = self.pending.take().ok_or(DeError::NothingAsked)?;
        if results.len() != us.len() {
            let asked = us.len();
            self.pending = Some(us);
            return Err(DeError::BatchSize { asked, got: results.len() });
        }
        let fits: Vec<Fitness> =
            results.iter().map(|e| Fitness::of(&sanitize(e.clone(), self.n_constraints))).collect();
        self.evaluations += us.len();
        if self.pop.is_empty() || self.collapsed() {
            self.pop = us.into_iter().zip(fits).collect();
            self.lineage_best = None;
            self.stall = 0;
        } else {
            // Selection: trial i challenges member i.
            for (i, (u, f)) in us.into_iter().zip(fits).enumerate() {
                if f.at_least_as_good(&self.pop[i].1) {
                    self.pop[i] = (u, f);
                }
            }
        }
        let best = self.pop.iter().map(|p| p.1).min_by(|a, b| a.cmp_deb(b)).expect("non-empty population");
        let improved = match self.lineage_best {
            None => true,
            Some(old) => match (best.feasible(), old.feasible()) {
                (true, true) => best.objective < old.objective - 1e-6 * (1.0 + old.objective.abs()),
                (true, false) => true,
                (false, true) => false,
                (false, false) => best.violation < old.violation * (1.0 - 1e-6),
            },
        };
        if improved {
            self.lineage_best = Some(best);
            self.stall = 0;
        } else {
            self.stall += 1;
        }
        self.generation += 1;
        Ok(())
    }

    /// The population has converged: its best has stalled for `stall_generations`, or every
    /// coordinate spans less than `restart_spread`.
    fn collapsed(&self) -> bool {
        if self.cfg.stall_generations > 0 && self.stall >= self.cfg.stall_generations {
            return true;
        }
        if self.cfg.restart_spread <= 0.0 || self.pop.len() < 2 {
            return false;
        }
        (0..self.lower.len()).all(|j| {
            let (lo, hi) =
                self.pop.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (u, _)| (a.min(u[j]), b.max(u[j])));
            hi - lo < self.cfg.restart_spread
        })
    }

    fn initial(&self) -> Vec<Vec<f64>> {
        let mut rng = stream(self.cfg.seed, P_DE, self.generation as u64);
        doe::lhs_centered_maximin(self.np, self.lower.len(), self.cfg.lhs_tries, &mut rng)
    }

    fn trials(&self) -> Vec<Vec<f64>> {
        let mut rng = stream(self.cfg.seed, P_DE, self.generation as u64);
        let n = self.pop.len();
        let d = self.lower.len();
        if n < 4 {
            // Too small a population for the difference vectors: uniform points.
            return doe::uniform(n.max(1), d, &mut rng);
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| self.pop[a].1.cmp_deb(&self.pop[b].1).then(a.cmp(&b)));
        let top = ((self.cfg.p_best * n as f64).ceil() as usize).clamp(1, n);
        let (f_lo, f_hi) = self.cfg.f_range;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let f = if f_hi > f_lo { rng.random_range(f_lo..f_hi) } else { f_lo };
            let mut pick = |exclude: &[usize]| loop {
                let r = rng.random_range(0..n);
                if !exclude.contains(&r) {
                    break r;
                }
            };
            let x = &self.pop[i].0;
            let v: Vec<f64> = match self.cfg.strategy {
                DeStrategy::CurrentToPBest1 => {
                    let r1 = pick(&[i]);
                    let r2 = pick(&[i, r1]);
                    let pb = &self.pop[order[rng.random_range(0..top)]].0;
                    let (a, b) = (&self.pop[r1].0, &self.pop[r2].0);
                    (0..d).map(|j| x[j] + f * (pb[j] - x[j]) + f * (a[j] - b[j])).collect()
                }
                DeStrategy::Rand1 => {
                    let r1 = pick(&[i]);
                    let r2 = pick(&[i, r1]);
                    let r3 = pick(&[i, r1, r2]);
                    let (a, b, c) = (&self.pop[r1].0, &self.pop[r2].0, &self.pop[r3].0);
                    (0..d).map(|j| a[j] + f * (b[j] - c[j])).collect()
                }
            };
            let j_rand = rng.random_range(0..d);
            let trial: Vec<f64> = (0..d)
                .map(|j| {
                    let take = j == j_rand || rng.random::<f64>() < self.cfg.cr;
                    let t = if take { v[j] } else { x[j] };
                    // Out of the box: onto the violated bound (optima of sizing problems often
                    // sit on a bound, and are then reached exactly).
                    t.clamp(0.0, 1.0)
                })
                .collect();
            out.push(trial);
        }
        out
    }
}

/// Runs differential evolution on `problem` until `cfg.budget` evaluations; each generation is
/// evaluated as one parallel batch.
pub fn differential_evolution<P: Problem + ?Sized>(problem: &P, cfg: &DeConfig) -> RunRecord {
    let rec = RunRecord::new("de", cfg.seed, problem.lower(), problem.upper(), problem.n_constraints());
    continue_run(problem, cfg, rec).expect("a fresh run always replays")
}

/// Continues a run saved by [`differential_evolution`] (same problem and configuration, a
/// larger or equal budget): the record is replayed through [`De::tell`], so the result equals
/// the uninterrupted run. Fails when the record was made with another configuration or seed.
pub fn differential_evolution_resume<P: Problem + ?Sized>(
    problem: &P,
    cfg: &DeConfig,
    record: RunRecord,
) -> Result<RunRecord, DeError> {
    continue_run(problem, cfg, record)
}

fn continue_run<P: Problem + ?Sized>(problem: &P, cfg: &DeConfig, mut rec: RunRecord) -> Result<RunRecord, DeError> {
    let (lo, hi) = (problem.lower().to_vec(), problem.upper().to_vec());
    let mut de = De::new(&lo, &hi, problem.n_constraints(), cfg.clone())?;
    // Replay.
    let mut k = 0;
    while k < rec.evaluations.len() {
        let xs = de.ask();
        if xs.is_empty() {
            break;
        }
        let end = (k + xs.len()).min(rec.evaluations.len());
        let mut evals = Vec::with_capacity(xs.len());
        for (j, x) in xs[..end - k].iter().enumerate() {
            let e = &rec.evaluations[k + j];
            if e.x != *x {
                return Err(DeError::Replay { index: k + j });
            }
            evals.push(match (&e.objective, &e.constraints, &e.failure) {
                (Some(o), Some(c), None) => Ok(crate::problem::Outcome { objective: *o, constraints: c.clone() }),
                (_, _, f) => Err(f.clone().unwrap_or_else(|| "failed".to_string())),
            });
        }
        if end - k < xs.len() {
            // The saved run stopped inside this generation (its budget): evaluate the rest of
            // the generation now, as the uninterrupted run would have.
            let step = de.generation();
            let rest = xs[end - k..].to_vec();
            let results = evaluate_batch(problem, &rest);
            evals.extend(results.iter().map(|(e, _)| e.clone()));
            if rec.steps.last().is_some_and(|s| s.step == step) {
                rec.steps.pop();
            }
            let name = rec.evaluations.last().map_or(INITIAL, |e| e.proposer.as_str()).to_string();
            let name = name.as_str();
            for (x, (e, t)) in rest.into_iter().zip(results) {
                rec.push(x, e, step, name, t);
            }
            rec.push_step(step, 0.0, 0.0, Vec::new());
        }
        de.tell(&evals)?;
        k = rec.evaluations.len().min(k + xs.len());
    }
    while !de.done() {
        let t0 = Instant::now();
        let restart = de.generation() > 0 && de.collapsed();
        let xs = de.ask();
        if xs.is_empty() {
            break;
        }
        let prop_s = t0.elapsed().as_secs_f64();
        let step = de.generation();
        let results = evaluate_batch(problem, &xs);
        let evals: Vec<Evaluation> = results.iter().map(|(e, _)| e.clone()).collect();
        let name = if step == 0 {
            INITIAL
        } else if restart {
            "de-restart"
        } else {
            "de"
        };
        for (x, (e, t)) in xs.into_iter().zip(results) {
            rec.push(x, e, step, name, t);
        }
        de.tell(&evals)?;
        rec.push_step(step, 0.0, prop_s, Vec::new());
    }
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Outcome;

    #[test]
    fn deb_rules() {
        let feas = |o| Fitness { objective: o, violation: 0.0 };
        let inf = |v| Fitness { objective: -100.0, violation: v };
        assert!(feas(1.0).at_least_as_good(&feas(2.0)));
        assert!(!feas(2.0).at_least_as_good(&feas(1.0)));
        assert!(feas(1e9).at_least_as_good(&inf(1e-9)));
        assert!(!inf(1e-9).at_least_as_good(&feas(1e9)));
        assert!(inf(0.1).at_least_as_good(&inf(0.2)));
        assert!(!inf(0.2).at_least_as_good(&inf(0.1)));
        let failed = Fitness::of(&Err("x".into()));
        assert!(inf(1e300).at_least_as_good(&failed));
        let ok = Fitness::of(&Ok(Outcome { objective: 1.0, constraints: vec![-1.0, 0.5, 0.25] }));
        assert_eq!(ok.violation, 0.75);
    }

    #[test]
    fn ask_tell_contract() {
        let mut de =
            De::new(&[0.0, -1.0], &[1.0, 1.0], 1, DeConfig { budget: 25, population: 10, ..Default::default() })
                .unwrap();
        assert_eq!(de.tell(&[]), Err(DeError::NothingAsked));
        let a = de.ask();
        assert_eq!(a, de.ask());
        assert_eq!(a.len(), 10);
        assert!(matches!(de.tell(&[]), Err(DeError::BatchSize { asked: 10, got: 0 })));
        let ev = |x: &Vec<f64>| Ok(Outcome { objective: x[0] + x[1], constraints: vec![x[0] - x[1]] });
        de.tell(&a.iter().map(ev).collect::<Vec<_>>()).unwrap();
        let b = de.ask();
        assert!(b.iter().all(|x| (0.0..=1.0).contains(&x[0]) && (-1.0..=1.0).contains(&x[1])));
        de.tell(&b.iter().map(ev).collect::<Vec<_>>()).unwrap();
        assert_eq!(de.ask().len(), 5); // truncated to the budget
        assert!(De::new(&[0.0], &[0.0], 0, DeConfig::default()).is_err());
    }
}

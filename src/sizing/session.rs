//! The sizing loop: propose -> evaluate every corner of the phase -> score -> report ->
//! history, with the workflow's control rules.
//!
//! * Phases: start in phase 1; after [`STALL_LIMIT`] consecutive iterations without
//!   improvement (counted after the initial design) move to the next phase, re-evaluate there
//!   every candidate the optimizer has seen (its data must describe the new objective) and take
//!   the best of them as the incumbent; in the last phase, stop when [`stops_on_stall`] (the
//!   workflow's rule; by default only for problems with several phases), else go on.
//! * Convergence: the incumbent meets every spec at every corner of the current phase and its
//!   cost is below [`CONVERGED_COST`].
//! * Budget: `max_iterations` candidates (initial design included) or `max_sim_time_min`.
//!
//! The history is written after every batch (one candidate per batch after the initial
//! design); [`Session::resume`] continues it and gives the same result as an uninterrupted run.

use super::algo::Algorithm;
use super::candidate::Candidate;
use super::coords::Coordinates;
use super::history::{Entry, History, Meta, State};
use super::problem::CornerDef;
use super::problem::Ordered;
use super::report::{self, BlockInfo};
use super::testbench::{CornerResult, Sizing, Testbench};
use insitu_optimizer::problem::{Evaluation, Outcome, Problem};
use insitu_optimizer::record::INITIAL;
use insitu_optimizer::RunRecord;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Iterations without improvement before a phase change.
pub const STALL_LIMIT: usize = 5;
/// Cost below which a feasible design has converged.
pub const CONVERGED_COST: f64 = 0.05;

/// Evaluates candidates: the in-process testbench, or another simulator (ngspice).
pub trait Evaluator: Sync {
    /// Simulates and measures one candidate at one corner.
    fn run_corner(&self, tb: &Testbench, x: &[f64], corner: &CornerDef) -> (CornerResult, Sizing);
    /// Evaluates one candidate at every corner of `phase` (corners in parallel).
    fn assess(&self, tb: &Testbench, x: &[f64], phase: usize) -> Candidate {
        let runs = tb.corners(phase).par_iter().map(|c| self.run_corner(tb, x, c)).collect();
        tb.assemble(x, phase, runs)
    }
    /// `insitu`, `ngspice`.
    fn name(&self) -> &'static str;
}

/// The in-process simulator.
pub struct InProcess;

impl Evaluator for InProcess {
    fn run_corner(&self, tb: &Testbench, x: &[f64], corner: &CornerDef) -> (CornerResult, Sizing) {
        tb.run_corner(x, corner)
    }
    fn name(&self) -> &'static str {
        "insitu"
    }
}

/// A corner label and a candidate's parameter bits.
type CornerKey = (String, Vec<u64>);

/// The corner results a session has already simulated, by (corner, candidate). A result
/// depends only on the candidate and the corner (every simulation starts cold), so a phase
/// change re-evaluating the optimizer's candidates at the new phase's corners takes the
/// corners the phases share (`tt_27` in phases 1-3 of the Miller example) from here instead of
/// simulating them again: bitwise the same values, a third fewer simulations at a 3-corner
/// phase change. Not saved in the history: a resumed run simulates them again and gets the
/// same numbers.
#[derive(Default)]
pub struct CornerMemo {
    done: Mutex<HashMap<CornerKey, (CornerResult, Sizing)>>,
    /// Simulator seconds of the corners simulated (not taken from the memo) since the last
    /// [`CornerMemo::take_fresh_seconds`].
    fresh: Mutex<f64>,
}

impl CornerMemo {
    /// Evaluates a candidate at every corner of `phase` through `ev`, reusing known corners.
    pub fn assess(&self, ev: &dyn Evaluator, tb: &Testbench, x: &[f64], phase: usize) -> Candidate {
        let k = key(x);
        let runs = tb
            .corners(phase)
            .par_iter()
            .map(|c| {
                let id = (c.label(), k.clone());
                if let Some(r) = self.done.lock().ok().and_then(|m| m.get(&id).cloned()) {
                    return r;
                }
                let r = ev.run_corner(tb, x, c);
                if let Ok(mut f) = self.fresh.lock() {
                    *f += r.0.seconds;
                }
                if let Ok(mut m) = self.done.lock() {
                    m.insert(id, r.clone());
                }
                r
            })
            .collect();
        tb.assemble(x, phase, runs)
    }

    /// Simulator seconds spent since the last call (memo hits cost none).
    pub fn take_fresh_seconds(&self) -> f64 {
        self.fresh.lock().map(|mut f| std::mem::take(&mut *f)).unwrap_or(0.0)
    }
}

/// The optimizer's view of one phase (objective = weighted target cost, constraints = the
/// normalized bound margins, worst corner); keeps every candidate's details. Its variables are
/// the unit box of [`Testbench::coordinates`].
pub struct PhaseProblem<'a> {
    tb: &'a Testbench,
    ev: &'a dyn Evaluator,
    phase: usize,
    coords: Coordinates,
    lower: Vec<f64>,
    upper: Vec<f64>,
    m: usize,
    log: Mutex<HashMap<Vec<u64>, Candidate>>,
    memo: Option<Arc<CornerMemo>>,
}

impl<'a> PhaseProblem<'a> {
    /// The view of `phase` through an evaluator.
    pub fn new(tb: &'a Testbench, ev: &'a dyn Evaluator, phase: usize) -> Self {
        tb.warm(phase);
        PhaseProblem {
            tb,
            ev,
            phase,
            coords: tb.coordinates(),
            lower: vec![0.0; tb.problem.parameters.len()],
            upper: vec![1.0; tb.problem.parameters.len()],
            m: tb.bounds().len(),
            log: Mutex::new(HashMap::new()),
            memo: None,
        }
    }

    /// The same view, its corner simulations shared with a session's [`CornerMemo`].
    pub fn with_memo(tb: &'a Testbench, ev: &'a dyn Evaluator, phase: usize, memo: Arc<CornerMemo>) -> Self {
        PhaseProblem { memo: Some(memo), ..PhaseProblem::new(tb, ev, phase) }
    }

    /// The evaluated candidate at unit point `u`, if any.
    pub fn candidate(&self, u: &[f64]) -> Option<Candidate> {
        self.log.lock().ok()?.get(&key(u)).cloned()
    }
}

fn key(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

impl Problem for PhaseProblem<'_> {
    fn lower(&self) -> &[f64] {
        &self.lower
    }
    fn upper(&self) -> &[f64] {
        &self.upper
    }
    fn n_constraints(&self) -> usize {
        self.m
    }
    /// The parameters' grids in the optimizer's unit coordinates (declared `values`/`step`, or
    /// the derived grid of [`ParamSpec::grid`](super::problem::ParamSpec::grid)).
    fn grid(&self) -> Option<Vec<Vec<f64>>> {
        Some(self.coords.unit_grids(&self.tb.problem.parameters))
    }
    fn evaluate(&self, u: &[f64]) -> Evaluation {
        let x = self.coords.from_unit(u);
        let c = match &self.memo {
            Some(m) => m.assess(self.ev, self.tb, &x, self.phase),
            None => self.ev.assess(self.tb, &x, self.phase),
        };
        let out = match (&c.failure, c.objective, &c.constraints) {
            (None, Some(o), Some(k)) => Ok(Outcome { objective: o, constraints: k.clone() }),
            (f, _, _) => Err(f.clone().unwrap_or_else(|| "not measured".into())),
        };
        if let Ok(mut l) = self.log.lock() {
            l.insert(key(u), c);
        }
        out
    }
}

/// Whether a stall in the last phase ends the run: the budget's `stop_on_stall`, by default
/// true when the problem has several phases (the workflow's rule: climb the corner sets, stop
/// when the last one stalls) and false for a single phase, which has no corner set to move to:
/// there the run continues to the budget unless it converges, since 5 proposals without
/// improvement say little about a 200-evaluation budget when a candidate costs milliseconds.
pub fn stops_on_stall(tb: &Testbench) -> bool {
    tb.problem.budget.stop_on_stall.unwrap_or(tb.phases() > 1)
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    /// All specs met in the current phase and cost below [`CONVERGED_COST`].
    Converged,
    /// No improvement in the last phase ([`stops_on_stall`]).
    Stalled,
    /// `max_iterations` reached.
    Budget,
    /// `max_sim_time_min` reached.
    Time,
}

impl Status {
    /// The word in the history file.
    pub fn word(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Converged => "converged",
            Status::Stalled => "stalled",
            Status::Budget => "budget",
            Status::Time => "time",
        }
    }
    fn from_word(s: &str) -> Status {
        match s {
            "converged" => Status::Converged,
            "stalled" => Status::Stalled,
            "budget" => Status::Budget,
            "time" => Status::Time,
            _ => Status::Running,
        }
    }
}

/// A sizing run in progress.
pub struct Session<'a> {
    pub tb: &'a Testbench,
    pub algorithm: Algorithm,
    pub history: History,
    /// Where the history is written (none: not written).
    pub path: Option<PathBuf>,
    ev: &'a dyn Evaluator,
    /// Corner results simulated so far in this process (see [`CornerMemo`]).
    memo: Arc<CornerMemo>,
    /// Wall-clock seconds of earlier sessions (resume).
    elapsed_before: f64,
    started: Instant,
}

fn entry(tb: &Testbench, c: &Candidate, iter: usize, kind: &str, strategy: String) -> Entry {
    let names = tb.measurement_names();
    Entry {
        iter,
        phase: c.phase,
        kind: kind.into(),
        params: Ordered(tb.problem.parameters.iter().zip(&c.x).map(|(p, v)| (p.name.clone(), *v)).collect()),
        derived: Ordered(c.derived.clone()),
        results: Ordered(
            c.corners
                .iter()
                .map(|cr| {
                    (cr.corner.clone(), Ordered(names.iter().map(|n| n.to_string()).zip(cr.values.clone()).collect()))
                })
                .collect(),
        ),
        cost: c.cost,
        feasible: c.feasible,
        note: c.note(tb),
        strategy,
        detail: c.clone(),
    }
}

impl<'a> Session<'a> {
    /// A new run. `algorithm` overrides the problem's; `path` is the history file.
    pub fn new(tb: &'a Testbench, algorithm: Option<Algorithm>, path: Option<PathBuf>, ev: &'a dyn Evaluator) -> Self {
        let algorithm =
            algorithm.or_else(|| Algorithm::from_name(&tb.problem.algorithm.name)).unwrap_or(Algorithm::Trace);
        let seed = tb.problem.algorithm.seed;
        let m = tb.bounds().len();
        let d = tb.problem.parameters.len();
        let optimizer = RunRecord::new(algorithm.name(), seed, &vec![0.0; d], &vec![1.0; d], m);
        let history = History {
            meta: Meta {
                cell: tb.deck_path.file_stem().and_then(|s| s.to_str()).unwrap_or("deck").to_string(),
                pdk: tb.problem.testbench.pdk.clone(),
                phase: 1,
                iteration: 0,
                status: "running".into(),
                algorithm: algorithm.name().into(),
                seed,
                simulator: ev.name().into(),
                elapsed_s: 0.0,
                sim_seconds: 0.0,
                optimizer_seconds: 0.0,
                reevaluations: 0,
            },
            problem: tb.problem.clone(),
            best: None,
            history: Vec::new(),
            state: State { phase: 1, ..State::default() },
            optimizer,
        };
        Session { tb, algorithm, history, path, ev, memo: Arc::default(), elapsed_before: 0.0, started: Instant::now() }
    }

    /// Continues a saved run. The problem must be the one the history was started with.
    pub fn resume(tb: &'a Testbench, path: &Path, ev: &'a dyn Evaluator) -> Result<Self, String> {
        let history = History::load(path)?;
        if history.problem != tb.problem {
            return Err(format!("{}: the history was made with a different problem definition", path.display()));
        }
        let o = &history.optimizer;
        if o.lower.iter().any(|&v| v != 0.0) || o.upper.iter().any(|&v| v != 1.0) {
            return Err(format!(
                "{}: the history's optimizer record is in parameter units (written before the unit-box \
                 coordinates); it cannot be resumed, start a new run",
                path.display()
            ));
        }
        let algorithm = Algorithm::from_name(&history.meta.algorithm)
            .ok_or_else(|| format!("{}: unknown algorithm '{}'", path.display(), history.meta.algorithm))?;
        let elapsed_before = history.meta.elapsed_s;
        Ok(Session {
            tb,
            algorithm,
            history,
            path: Some(path.to_path_buf()),
            ev,
            memo: Arc::default(),
            elapsed_before,
            started: Instant::now(),
        })
    }

    /// Current status.
    pub fn status(&self) -> Status {
        Status::from_word(&self.history.meta.status)
    }

    /// The best entry of the current phase.
    pub fn best(&self) -> Option<&Entry> {
        self.history.best.as_ref()
    }

    fn elapsed(&self) -> f64 {
        self.elapsed_before + self.started.elapsed().as_secs_f64()
    }

    fn save(&mut self) -> Result<(), String> {
        self.history.meta.elapsed_s = self.elapsed();
        match &self.path {
            Some(p) => self.history.save(p).map_err(|e| format!("{}: {e}", p.display())),
            None => Ok(()),
        }
    }

    fn problem(&self, phase: usize) -> PhaseProblem<'a> {
        PhaseProblem::with_memo(self.tb, self.ev, phase, self.memo.clone())
    }

    fn strategy(&self, rec: &RunRecord, idx: usize, fit: f64, prop: f64) -> String {
        let e = &rec.evaluations[idx];
        let n0 = self.tb.problem.algorithm.initial_samples;
        if e.proposer == INITIAL {
            return if idx == 0 && self.algorithm_uses_init() {
                "Initial design — the problem's init point".into()
            } else {
                format!("Initial design — {} sample {}/{}", self.initial_kind(), idx + 1, n0)
            };
        }
        let before = &rec.evaluations[..idx];
        let feasible_before = before
            .iter()
            .filter(|e| e.feasible())
            .min_by(|a, b| a.objective.unwrap_or(f64::INFINITY).total_cmp(&b.objective.unwrap_or(f64::INFINITY)));
        let u = &e.x;
        let dist = feasible_before
            .or_else(|| {
                before.iter().filter(|e| e.objective.is_some()).min_by(|a, b| {
                    let s = |e: &insitu_optimizer::EvalRecord| {
                        e.constraints.as_ref().map_or(f64::INFINITY, |c| c.iter().map(|v| v.max(0.0)).sum())
                    };
                    s(a).total_cmp(&s(b))
                })
            })
            .map(|b| u.iter().zip(&b.x).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt());
        let mode = match dist {
            Some(d) if d < 0.15 => format!("Exploit — {d:.2} from the incumbent (unit box)"),
            Some(d) => format!("Explore — {d:.2} from the incumbent (unit box)"),
            None => "Explore".to_string(),
        };
        let timing =
            if fit + prop > 0.0 { format!("; GP fits {fit:.3} s, acquisition {prop:.3} s") } else { String::new() };
        let tier = match e.proposer.as_str() {
            "trace" if feasible_before.is_none() => {
                "TRACE feasibility tier: no feasible design yet, point from the predicted constraint front".to_string()
            }
            "trace" => format!(
                "TRACE objective tier: best feasible target cost {:.4}, point from the LCB/PI/EI front inside the predicted-feasible set",
                feasible_before.and_then(|b| b.objective).unwrap_or(f64::NAN)
            ),
            "eipf" | "pipf" | "mace" if feasible_before.is_none() => {
                format!("{}: no feasible design yet, maximizing the probability of feasibility", e.proposer.to_uppercase())
            }
            "eipf" => "EIPF: maximizing EI x PoF".into(),
            "pipf" => "PIPF: maximizing PI x PoF".into(),
            "mace" => "MACE: LCB/PI/EI Pareto set, feasibility first".into(),
            "random-fallback" => "Random point (the surrogates could not be fitted)".into(),
            "random" => "Random sample".into(),
            "lhs" => "Latin-hypercube sample".into(),
            "pso" => format!("PSO generation {} (penalized swarm)", e.step),
            "de" => format!("DE generation {} (Deb's feasibility rules)", e.step),
            other => other.to_string(),
        };
        format!("{mode} — {tier}{timing}")
    }

    fn algorithm_uses_init(&self) -> bool {
        matches!(self.algorithm, Algorithm::Trace | Algorithm::Eipf | Algorithm::Pipf | Algorithm::Mace)
    }

    fn initial_kind(&self) -> &'static str {
        match self.algorithm {
            Algorithm::Random => "uniform random",
            Algorithm::Pso => "first PSO swarm (Latin hypercube)",
            Algorithm::De => "first DE population (Latin hypercube)",
            _ => "Latin hypercube",
        }
    }

    fn info<'s>(&self, iteration: usize, strategy: &'s str) -> BlockInfo<'s> {
        let (bc, bi) = self.history.best.as_ref().map_or((f64::NAN, 0), |b| (b.cost, b.iter));
        BlockInfo {
            iteration,
            budget: self.tb.problem.budget.max_iterations,
            phase: self.history.state.phase,
            best_cost: bc,
            best_iteration: bi,
            strategy,
        }
    }

    fn set_best(&mut self, idx: usize) {
        self.history.state.best = Some(idx);
        self.history.best = Some(self.history.history[idx].clone());
    }

    /// Runs until convergence, the budget, or a stall in the last phase. `out` receives each
    /// iteration's block and the phase-change notes.
    pub fn run(&mut self, out: &mut dyn FnMut(&str)) -> Result<Status, String> {
        let tb = self.tb;
        let budget = tb.problem.budget.max_iterations;
        let max_s = tb.problem.budget.max_sim_time_min * 60.0;
        let n_init = tb.problem.algorithm.initial_samples;
        let init = tb.unit_init();
        let coords = tb.coordinates();
        loop {
            let st = self.status();
            if st != Status::Running {
                return Ok(st);
            }
            let phase = self.history.state.phase;
            if let Some(b) = &self.history.best {
                if b.feasible && b.cost < CONVERGED_COST {
                    self.history.meta.status = Status::Converged.word().into();
                    self.save()?;
                    continue;
                }
            }
            if self.history.state.stall >= STALL_LIMIT {
                if phase < tb.phases() {
                    self.change_phase(out)?;
                    continue;
                }
                if stops_on_stall(tb) {
                    self.history.meta.status = Status::Stalled.word().into();
                    self.save()?;
                    continue;
                }
            }
            if self.history.meta.iteration >= budget {
                self.history.meta.status = Status::Budget.word().into();
                self.save()?;
                continue;
            }
            if self.elapsed() >= max_s {
                self.history.meta.status = Status::Time.word().into();
                self.save()?;
                continue;
            }
            let problem = self.problem(phase);
            let before = self.history.optimizer.evaluations.len();
            let t0 = Instant::now();
            let mut rec = std::mem::replace(&mut self.history.optimizer, RunRecord::new("", 0, &[], &[], 0));
            let phase_start = self.history.state.phase_changes.last().map_or(0, |p| p.0);
            let added = self.algorithm.step(&problem, &mut rec, &init, n_init, budget, phase_start);
            let wall = t0.elapsed().as_secs_f64();
            self.history.optimizer = rec;
            if added == 0 {
                self.history.meta.status = Status::Budget.word().into();
                self.save()?;
                continue;
            }
            let log = problem.log.into_inner().map_err(|_| "poisoned log")?;
            let (fit, prop) =
                self.history.optimizer.steps.last().map_or((0.0, 0.0), |s| (s.fit_seconds, s.proposal_seconds));
            let eval_wall: f64 =
                self.history.optimizer.evaluations[before..].iter().map(|e| e.seconds).fold(0.0, f64::max);
            self.history.meta.optimizer_seconds += (wall - eval_wall).max(0.0);
            for idx in before..before + added {
                let u = &self.history.optimizer.evaluations[idx].x;
                let c = log
                    .get(&key(u))
                    .cloned()
                    .unwrap_or_else(|| self.memo.assess(self.ev, tb, &coords.from_unit(u), phase));
                self.history.meta.sim_seconds += self.memo.take_fresh_seconds();
                self.history.meta.iteration += 1;
                let iteration = self.history.meta.iteration;
                let strategy = self.strategy(&self.history.optimizer, idx, fit, prop);
                self.history.history.push(entry(tb, &c, iteration, "candidate", strategy.clone()));
                let h = self.history.history.len() - 1;
                let improved = self.history.best.as_ref().is_none_or(|b| c.cost < b.cost);
                if improved {
                    self.set_best(h);
                }
                if iteration > n_init {
                    if improved {
                        self.history.state.stall = 0;
                    } else {
                        self.history.state.stall += 1;
                    }
                }
                let block = report::iteration_block(tb, &c, &self.info(iteration, &strategy));
                out(&block);
            }
            self.history.meta.phase = phase;
            self.save()?;
        }
    }

    fn change_phase(&mut self, out: &mut dyn FnMut(&str)) -> Result<(), String> {
        let tb = self.tb;
        let old = self.history.state.phase;
        let phase = old + 1;
        let coords = tb.coordinates();
        let xs: Vec<Vec<f64>> = self.history.optimizer.evaluations.iter().map(|e| coords.from_unit(&e.x)).collect();
        tb.warm(phase);
        let cands: Vec<Candidate> = {
            use rayon::prelude::*;
            xs.par_iter().map(|x| self.memo.assess(self.ev, tb, x, phase)).collect()
        };
        self.history.meta.reevaluations += cands.len();
        self.history.meta.sim_seconds += self.memo.take_fresh_seconds();
        for (e, c) in self.history.optimizer.evaluations.iter_mut().zip(&cands) {
            e.objective = c.objective;
            e.constraints.clone_from(&c.constraints);
            e.failure = if c.failure.is_some() || c.objective.is_none() {
                Some(c.failure.clone().unwrap_or_default())
            } else {
                None
            };
        }
        let incumbent = self.history.best.as_ref().map(|b| b.detail.x.clone());
        let best = cands
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.cost.total_cmp(&b.1.cost).then(a.0.cmp(&b.0)))
            .map(|(i, _)| i)
            .ok_or("no candidates to re-evaluate")?;
        let inc_cost = incumbent
            .as_ref()
            .and_then(|x| cands.iter().find(|c| c.x == *x))
            .map_or(String::new(), |c| format!("; the incumbent scores {} there", report::fmt_cost(c.cost)));
        let strategy = format!(
            "Phase change — {STALL_LIMIT} iterations without improvement: Phase {old} -> {}; {} candidates re-evaluated{inc_cost}; best there: {}",
            report::phase_title(tb, phase),
            cands.len(),
            report::fmt_cost(cands[best].cost)
        );
        self.history.state.phase = phase;
        self.history.state.stall = 0;
        self.history.meta.phase = phase;
        let iteration = self.history.meta.iteration;
        self.history.state.phase_changes.push((iteration, phase));
        self.history.history.push(entry(tb, &cands[best], iteration, "reevaluation", strategy.clone()));
        let h = self.history.history.len() - 1;
        self.set_best(h);
        out(&report::iteration_block(tb, &cands[best], &self.info(iteration, &strategy)));
        self.save()
    }

    /// The final report: status, best design, a table of every corner of every phase.
    pub fn final_report(&self) -> String {
        use std::fmt::Write;
        let tb = self.tb;
        let mut s = String::new();
        let m = &self.history.meta;
        let _ = writeln!(s, "══ OPTIMIZATION COMPLETE {}", "═".repeat(40));
        let what = match self.status() {
            Status::Converged => "CONVERGED",
            Status::Stalled => "STOPPED (no improvement in the last phase)",
            Status::Budget => "STOPPED (iteration budget)",
            Status::Time => "STOPPED (time budget)",
            Status::Running => "RUNNING",
        };
        let _ = writeln!(s, "Status: {what} after {} iterations (Phase {})", m.iteration, m.phase);
        let _ = writeln!(
            s,
            "Total simulation time: {:.2} s over {} candidates and {} re-evaluations ({}); optimizer {:.2} s; wall {:.2} s",
            m.sim_seconds, m.iteration, m.reevaluations, m.simulator, m.optimizer_seconds, m.elapsed_s
        );
        match &self.history.best {
            Some(b) => {
                let _ = writeln!(s, "Best Design (iteration {}, cost {}):", b.iter, report::fmt_cost(b.cost));
                for l in report::design_lines(tb, &b.detail) {
                    let _ = writeln!(s, "{l}");
                }
                let all = self.all_corners(&b.detail.x);
                let _ = writeln!(s, "Corner Results (every corner of every phase):");
                s.push_str(&report::corner_table(tb, &all));
                let phase_ok = b.detail.corners.iter().all(|c| c.error.is_none()) && b.feasible;
                if phase_ok {
                    let _ = writeln!(s, "All specs met across Phase {} corners.", m.phase);
                } else {
                    let _ = writeln!(s, "Not all specs met at Phase {} corners: {}", m.phase, b.note);
                }
            }
            None => {
                let _ = writeln!(s, "No design evaluated.");
            }
        }
        if let Some(p) = &self.path {
            let _ = writeln!(s, "History: {}", p.display());
        }
        let _ = writeln!(s, "{}", "═".repeat(65));
        s
    }

    /// The best design evaluated at every corner of every phase (each corner once).
    pub fn all_corners(&self, x: &[f64]) -> Candidate {
        let tb = self.tb;
        let mut seen: Vec<String> = Vec::new();
        let mut corners = Vec::new();
        for p in 1..=tb.phases() {
            let c = self.memo.assess(self.ev, tb, x, p);
            for cr in c.corners {
                if !seen.contains(&cr.corner) {
                    seen.push(cr.corner.clone());
                    corners.push(cr);
                }
            }
        }
        let mut c = self.memo.assess(self.ev, tb, x, 1);
        c.corners = corners;
        c
    }
}

/// The final result as one JSON object: status, phase, iterations, best params, derived
/// sizes, per-corner results, cost, feasibility, wall-clock seconds, history path.
pub fn result_json(s: &Session) -> String {
    let m = &s.history.meta;
    let best = s.best();
    let v = serde_json::json!({
        "status": m.status,
        "phase": m.phase,
        "iterations": m.iteration,
        "algorithm": m.algorithm,
        "simulator": m.simulator,
        "params": best.map(|b| &b.params),
        "derived": best.map(|b| &b.derived),
        "results": best.map(|b| &b.results),
        "best_iteration": best.map(|b| b.iter),
        "cost": best.map(|b| b.cost),
        "feasible": best.is_some_and(|b| b.feasible),
        "wall_seconds": m.elapsed_s,
        "sim_seconds": m.sim_seconds,
        "optimizer_seconds": m.optimizer_seconds,
        "history": s.path.as_ref().map(|p| p.display().to_string()),
    });
    v.to_string()
}

//! The run record: every evaluation, the incumbent after each step, timings. Serializable so a
//! sizing loop can save a run and resume it.

use crate::problem::Evaluation;
use serde::{Deserialize, Serialize};

/// Proposer name of the initial design.
pub const INITIAL: &str = "initial";

/// One evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalRecord {
    /// Position in the run (0-based).
    pub index: usize,
    /// Step that proposed it (0 = initial design).
    pub step: usize,
    /// The point, in the problem's units.
    pub x: Vec<f64>,
    /// Objective, if the evaluation succeeded.
    pub objective: Option<f64>,
    /// Constraint values, if the evaluation succeeded.
    pub constraints: Option<Vec<f64>>,
    /// Failure reason, if it failed (failures count as infeasible).
    pub failure: Option<String>,
    /// Which algorithm proposed it (`"initial"` for the initial design).
    pub proposer: String,
    /// Wall time of the evaluation in seconds.
    pub seconds: f64,
}

impl EvalRecord {
    /// Succeeded and every constraint `<= 0`.
    pub fn feasible(&self) -> bool {
        self.failure.is_none()
            && self.objective.is_some_and(f64::is_finite)
            && self.constraints.as_ref().is_some_and(|c| c.iter().all(|v| *v <= 0.0))
    }
    /// From the initial design.
    pub fn is_initial(&self) -> bool {
        self.proposer == INITIAL
    }
}

/// State after one step of an algorithm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: usize,
    /// Number of evaluations after the step.
    pub evaluations: usize,
    /// Index of the best feasible evaluation so far (initial design included).
    pub incumbent: Option<usize>,
    pub incumbent_objective: Option<f64>,
    /// Seconds spent fitting surrogates in this step.
    pub fit_seconds: f64,
    /// Seconds spent optimizing the acquisition in this step.
    pub proposal_seconds: f64,
    /// Surrogate hyperparameters after the step (objective first, then constraints).
    pub hyperparameters: Vec<Vec<f64>>,
}

/// A whole run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub algorithm: String,
    pub seed: u64,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub n_constraints: usize,
    pub evaluations: Vec<EvalRecord>,
    pub steps: Vec<StepRecord>,
    /// State of a stateful agent (BagNet: its network, critical specs and metrics), saved with
    /// the record so that a resumed run continues exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<serde_json::Value>,
}

impl RunRecord {
    pub fn new(algorithm: &str, seed: u64, lower: &[f64], upper: &[f64], n_constraints: usize) -> Self {
        Self {
            algorithm: algorithm.to_string(),
            seed,
            lower: lower.to_vec(),
            upper: upper.to_vec(),
            n_constraints,
            evaluations: Vec::new(),
            steps: Vec::new(),
            agent: None,
        }
    }

    /// Appends an evaluation and returns its index.
    pub fn push(&mut self, x: Vec<f64>, e: Evaluation, step: usize, proposer: &str, seconds: f64) -> usize {
        let index = self.evaluations.len();
        let (objective, constraints, failure) = match e {
            Ok(o) => (Some(o.objective), Some(o.constraints), None),
            Err(r) => (None, None, Some(r)),
        };
        self.evaluations.push(EvalRecord {
            index,
            step,
            x,
            objective,
            constraints,
            failure,
            proposer: proposer.to_string(),
            seconds,
        });
        index
    }

    /// Appends a step record with the current incumbent.
    pub fn push_step(&mut self, step: usize, fit_seconds: f64, proposal_seconds: f64, hyperparameters: Vec<Vec<f64>>) {
        let inc = self.best_feasible().map(|e| (e.index, e.objective.unwrap_or(f64::NAN)));
        self.steps.push(StepRecord {
            step,
            evaluations: self.evaluations.len(),
            incumbent: inc.map(|i| i.0),
            incumbent_objective: inc.map(|i| i.1),
            fit_seconds,
            proposal_seconds,
            hyperparameters,
        });
    }

    /// Best feasible evaluation (lowest objective), initial design included.
    pub fn best_feasible(&self) -> Option<&EvalRecord> {
        self.evaluations
            .iter()
            .filter(|e| e.feasible())
            .min_by(|a, b| a.objective.unwrap_or(f64::INFINITY).total_cmp(&b.objective.unwrap_or(f64::INFINITY)))
    }

    /// Objective of the best feasible evaluation.
    pub fn best_objective(&self) -> Option<f64> {
        self.best_feasible().and_then(|e| e.objective)
    }

    /// Best feasible objective after each evaluation.
    pub fn incumbent_trace(&self) -> Vec<Option<f64>> {
        let mut best: Option<f64> = None;
        self.evaluations
            .iter()
            .map(|e| {
                if e.feasible() {
                    let v = e.objective.unwrap_or(f64::INFINITY);
                    best = Some(best.map_or(v, |b: f64| b.min(v)));
                }
                best
            })
            .collect()
    }

    /// Fraction of proposals (evaluations not from the initial design) that violated a
    /// constraint or failed; over all evaluations when every one is from the initial design.
    pub fn violation_fraction(&self) -> f64 {
        let props: Vec<&EvalRecord> = self.evaluations.iter().filter(|e| !e.is_initial()).collect();
        if props.is_empty() {
            return self.violation_fraction_all();
        }
        props.iter().filter(|e| !e.feasible()).count() as f64 / props.len() as f64
    }

    /// Fraction of all evaluations that violated a constraint or failed.
    pub fn violation_fraction_all(&self) -> f64 {
        if self.evaluations.is_empty() {
            return 0.0;
        }
        self.evaluations.iter().filter(|e| !e.feasible()).count() as f64 / self.evaluations.len() as f64
    }

    /// Same points, values, failures and proposers in the same order (timings ignored).
    pub fn same_trajectory(&self, other: &RunRecord) -> bool {
        self.evaluations.len() == other.evaluations.len()
            && self.evaluations.iter().zip(&other.evaluations).all(|(a, b)| {
                a.x == b.x
                    && a.objective.map(f64::to_bits) == b.objective.map(f64::to_bits)
                    && a.constraints == b.constraints
                    && a.failure == b.failure
                    && a.proposer == b.proposer
                    && a.step == b.step
            })
    }

    /// JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a run record serializes")
    }

    /// Parses JSON text.
    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(s)
    }
}

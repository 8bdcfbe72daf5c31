//! One candidate evaluated at every corner of a phase: per-corner measurements, the workflow's
//! cost (maximum over corners) and the optimizer's view of it (objective = weighted target
//! cost, one constraint per bound = the normalized signed margin, worst corner).

use super::problem::{Scoring, SpecDef};
use super::scoring::{self, Score};
use super::testbench::{CornerResult, Testbench};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A bound of a spec, seen by the optimizer as `c <= 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// Spec name.
    pub spec: String,
    /// Index of the measurement.
    pub index: usize,
    /// `true` for a lower bound.
    pub lower: bool,
    pub value: f64,
}

impl Bound {
    /// Normalized signed margin: `(min − m)/|min|` or `(m − max)/|max|` (<= 0 when met).
    pub fn margin(&self, m: f64) -> f64 {
        if self.lower {
            (self.value - m) / self.value.abs()
        } else {
            (m - self.value) / self.value.abs()
        }
    }
}

/// A candidate evaluated at one phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub x: Vec<f64>,
    pub phase: usize,
    pub corners: Vec<CornerResult>,
    /// Derived sizes at the first corner of the phase (`W_<group>`, `Id_<group>`).
    pub derived: Vec<(String, f64)>,
    /// The workflow's cost, maximum over corners.
    pub cost: f64,
    pub violation: f64,
    pub feasible: bool,
    /// Optimizer objective (weighted target cost, worst corner), absent on failure.
    pub objective: Option<f64>,
    /// Optimizer constraints (one per bound, worst corner), absent on failure.
    pub constraints: Option<Vec<f64>>,
    /// Why it could not be scored (a simulation or measurement failure), if so.
    pub failure: Option<String>,
}

impl Candidate {
    /// Short note for the history: the first failure, or the violated specs.
    pub fn note(&self, tb: &Testbench) -> String {
        if let Some(f) = &self.failure {
            return format!("simulation failed: {f}");
        }
        if self.feasible {
            return "feasible".into();
        }
        let mut bad = Vec::new();
        for (b, c) in tb.bounds().iter().zip(self.constraints.iter().flatten()) {
            if *c > 0.0 && !bad.contains(&b.spec) {
                bad.push(b.spec.clone());
            }
        }
        format!("violates {}", bad.join(", "))
    }
}

fn specs_vec(tb: &Testbench) -> Vec<(String, SpecDef)> {
    tb.problem.specs.0.clone()
}

impl Testbench {
    /// The bounds the optimizer sees as constraints, in spec order.
    pub fn bounds(&self) -> Vec<Bound> {
        let names = self.measurement_names();
        let idx = |s: &str| names.iter().position(|n| *n == s).unwrap_or(0);
        let mut out = Vec::new();
        match &self.problem.scoring {
            Scoring::Standard => {
                for (name, s) in self.problem.specs.iter() {
                    if let Some(v) = s.min {
                        out.push(Bound { spec: name.clone(), index: idx(name), lower: true, value: v });
                    }
                    if let Some(v) = s.max {
                        out.push(Bound { spec: name.clone(), index: idx(name), lower: false, value: v });
                    }
                }
            }
            Scoring::Bandgap { vbg, psrr, tc, .. } => {
                let s = |n: &str| self.problem.specs.get(n).cloned().expect("validated");
                let (sv, sp, st) = (s(vbg), s(psrr), s(tc));
                let t = sv.target.unwrap_or(1.0);
                out.push(Bound { spec: vbg.clone(), index: idx(vbg), lower: true, value: sv.min.unwrap_or(t) });
                out.push(Bound { spec: vbg.clone(), index: idx(vbg), lower: false, value: sv.max.unwrap_or(t) });
                out.push(Bound { spec: psrr.clone(), index: idx(psrr), lower: true, value: sp.min.unwrap_or(1.0) });
                out.push(Bound { spec: tc.clone(), index: idx(tc), lower: false, value: st.max.unwrap_or(1.0) });
            }
        }
        out
    }

    /// Scores one corner's values.
    pub fn score_corner(&self, values: &[Option<f64>]) -> Score {
        let names = self.measurement_names();
        let val = |s: &str| names.iter().position(|n| *n == s).and_then(|i| values[i]);
        match &self.problem.scoring {
            Scoring::Standard => {
                let specs = specs_vec(self);
                let v: Vec<Option<f64>> = specs.iter().map(|(n, _)| val(n)).collect();
                scoring::score(&specs, &v)
            }
            Scoring::Bandgap { vbg, psrr, tc, w_vbg, w_psrr, w_tc } => {
                let s = |n: &str| self.problem.specs.get(n).expect("validated");
                scoring::score_bandgap(
                    (s(vbg), val(vbg)),
                    (s(psrr), val(psrr)),
                    (s(tc), val(tc)),
                    (*w_vbg, *w_psrr, *w_tc),
                )
            }
        }
    }

    /// The weighted target cost of one corner (the feasible cost formula, whatever the
    /// feasibility), or `None` when a target's measurement is missing.
    fn target_cost(&self, values: &[Option<f64>]) -> Option<f64> {
        let names = self.measurement_names();
        let val = |s: &str| names.iter().position(|n| *n == s).and_then(|i| values[i]);
        match &self.problem.scoring {
            Scoring::Standard => {
                let mut c = 0.0;
                for (n, s) in self.problem.specs.iter() {
                    if let Some(t) = s.target {
                        c += s.weight * (1.0 - val(n)? / t).abs();
                    }
                }
                Some(c)
            }
            Scoring::Bandgap { vbg, psrr, tc, w_vbg, w_psrr, w_tc } => {
                let s = |n: &str| self.problem.specs.get(n).expect("validated");
                let (v, p, t) = (val(vbg)?, val(psrr)?, val(tc)?);
                Some(
                    w_vbg * (1.0 - v / s(vbg).target?).abs()
                        + w_psrr * (1.0 - p / s(psrr).target?).abs() * 0.5
                        + w_tc * (1.0 - s(tc).target? / t).abs() * 0.3,
                )
            }
        }
    }

    /// Evaluates and scores a candidate at every corner of `phase`.
    pub fn assess(&self, x: &[f64], phase: usize) -> Candidate {
        let runs = self.evaluate(x, phase);
        self.assemble(x, phase, runs)
    }

    /// [`Testbench::assess`] over a batch, in parallel.
    pub fn assess_batch(&self, xs: &[Vec<f64>], phase: usize) -> Vec<Candidate> {
        self.warm(phase);
        xs.par_iter().map(|x| self.assess(x, phase)).collect()
    }

    /// Scores a candidate from its per-corner results (any simulator).
    pub fn assemble(&self, x: &[f64], phase: usize, runs: Vec<(CornerResult, super::testbench::Sizing)>) -> Candidate {
        let derived = runs.first().map(|r| r.1.derived.clone()).unwrap_or_default();
        let corners: Vec<CornerResult> = runs.into_iter().map(|r| r.0).collect();
        let scores: Vec<Score> = corners.iter().map(|c| self.score_corner(&c.values)).collect();
        let total = scoring::combine(&scores);
        let bounds = self.bounds();
        let failure = corners.iter().find_map(|c| c.error.as_ref().map(|e| format!("{}: {e}", c.corner)));
        let (objective, constraints) = if failure.is_some() {
            (None, None)
        } else {
            let obj = corners.iter().map(|c| self.target_cost(&c.values)).collect::<Option<Vec<f64>>>();
            let cons: Vec<f64> = bounds
                .iter()
                .map(|b| {
                    corners
                        .iter()
                        .map(|c| c.values[b.index].map_or(scoring::MISSING, |m| b.margin(m)))
                        .fold(f64::NEG_INFINITY, f64::max)
                })
                .collect();
            (obj.map(|o| o.into_iter().fold(0.0, f64::max)), Some(cons))
        };
        let failure = failure.or_else(|| objective.is_none().then(|| "a target could not be measured".to_string()));
        Candidate {
            x: x.to_vec(),
            phase,
            corners,
            derived,
            cost: total.cost,
            violation: total.violation,
            feasible: total.feasible,
            objective: if failure.is_some() { None } else { objective },
            constraints: if failure.is_some() { None } else { constraints },
            failure,
        }
    }
}

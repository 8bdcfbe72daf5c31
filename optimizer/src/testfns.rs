//! The paper's test functions (trace.md) and a synthetic 11-D problem for timing. All are
//! minimization problems; `report_sign` converts to the paper's reported value (the paper
//! maximizes TF2 and Branin).

use crate::problem::{Evaluation, Outcome, Problem};
use std::f64::consts::PI;

/// A closed-form test problem.
#[derive(Clone, Debug)]
pub struct TestProblem {
    pub name: &'static str,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub n_constraints: usize,
    pub f: fn(&[f64]) -> Outcome,
    /// Multiply the objective by this to get the paper's reported value.
    pub report_sign: f64,
    /// Best known value, in reported units.
    pub optimum: f64,
    /// The paper's budget and initial design size.
    pub budget: usize,
    pub n_init: usize,
}

impl Problem for TestProblem {
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
        Ok((self.f)(x))
    }
}

fn tf1_f(x: &[f64]) -> Outcome {
    let (a, b) = (x[0], x[1]);
    Outcome {
        objective: (2.0 * a).cos() * b.cos() + a.sin(),
        constraints: vec![a.cos() * b.cos() - a.sin() * b.sin() - 0.5],
    }
}

/// Test function 1: min cos(2x1)cos(x2) + sin(x1) s.t. cos(x1+x2) - 0.5 <= 0 on `[0,6]^2`
/// (optimum -2 at (3 pi/2, 0)); budget 50, 10 initial.
pub fn tf1() -> TestProblem {
    TestProblem {
        name: "TF1",
        lower: vec![0.0, 0.0],
        upper: vec![6.0, 6.0],
        n_constraints: 1,
        f: tf1_f,
        report_sign: 1.0,
        optimum: -2.0,
        budget: 50,
        n_init: 10,
    }
}

fn tf2_f(x: &[f64]) -> Outcome {
    let (a, b) = (x[0], x[1]);
    Outcome {
        objective: -((a - 1.0).powi(2) + (b - 0.5).powi(2)),
        constraints: vec![
            ((a - 3.0).powi(2) + (b + 2.0).powi(2)) * (-b.powi(7)).exp() - 12.0,
            10.0 * a + b - 7.0,
            (a - 0.5).powi(2) + (b - 0.5).powi(2) - 0.2,
        ],
    }
}

/// Sasena's test function 2: max (x1-1)^2 + (x2-0.5)^2 subject to three constraints on `[0,1]^2`
/// (optimum 0.74831 at (0.20169, 0.83318)); budget 160, 30 initial.
pub fn tf2() -> TestProblem {
    TestProblem {
        name: "TF2",
        lower: vec![0.0, 0.0],
        upper: vec![1.0, 1.0],
        n_constraints: 3,
        f: tf2_f,
        report_sign: -1.0,
        optimum: 0.74831,
        budget: 160,
        n_init: 30,
    }
}

/// The Branin function.
pub fn branin(x1: f64, x2: f64) -> f64 {
    let b = 5.1 / (4.0 * PI * PI);
    let c = 5.0 / PI;
    let t = 1.0 / (8.0 * PI);
    (x2 - b * x1 * x1 + c * x1 - 6.0).powi(2) + 10.0 * (1.0 - t) * x1.cos() + 10.0
}

fn branin_f(x: &[f64]) -> Outcome {
    Outcome { objective: -((x[0] - 10.0).powi(2) + (x[1] - 15.0).powi(2)), constraints: vec![branin(x[0], x[1]) - 5.0] }
}

/// Sasena's "newBranin": max (x1-10)^2 + (x2-15)^2 s.t. branin(x) - 5 <= 0 on
/// `[-5,10] x [0,15]`; budget 200, 30 initial.
pub fn branin_constrained() -> TestProblem {
    TestProblem {
        name: "Branin",
        lower: vec![-5.0, 0.0],
        upper: vec![10.0, 15.0],
        n_constraints: 1,
        f: branin_f,
        report_sign: -1.0,
        optimum: 268.79,
        budget: 200,
        n_init: 30,
    }
}

fn synth_f(x: &[f64]) -> Outcome {
    let mut f = 0.0;
    for (i, v) in x.iter().enumerate() {
        f += (v - 0.3 - 0.04 * i as f64).powi(2) + 0.1 * (7.0 * v + i as f64).sin();
    }
    let s: f64 = x.iter().sum();
    let q: f64 = x.iter().map(|v| (v - 0.5).powi(2)).sum();
    Outcome {
        objective: f,
        constraints: vec![s - 6.5, 0.8 - x[0] - x[1], q - 1.2, x[2] * x[3] - 0.3 + 0.2 * (5.0 * x[4]).sin()],
    }
}

/// Synthetic 11-D problem with 4 constraints on `[0,1]^11`, used for timing:
/// `f = sum_i (x_i - 0.3 - 0.04 i)^2 + 0.1 sin(7 x_i + i)`, constraints
/// `sum x - 6.5`, `0.8 - x0 - x1`, `|x - 0.5|^2 - 1.2`, `x2 x3 - 0.3 + 0.2 sin(5 x4)`.
pub fn synthetic_11d() -> TestProblem {
    TestProblem {
        name: "Synthetic11D",
        lower: vec![0.0; 11],
        upper: vec![1.0; 11],
        n_constraints: 4,
        f: synth_f,
        report_sign: 1.0,
        optimum: f64::NAN,
        budget: 160,
        n_init: 150,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_optima() {
        let o = tf1_f(&[1.5 * PI, 0.0]);
        assert!((o.objective + 2.0).abs() < 1e-12 && o.constraints[0] < 0.0);
        let o = tf2_f(&[0.20169, 0.83318]);
        assert!((o.objective + 0.74831).abs() < 1e-4);
        assert!(o.constraints.iter().all(|c| *c < 1e-3));
    }
}

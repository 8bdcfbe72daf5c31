//! Synthetic multi-spec grid problems with known answers, shared by the BagNet tests and the
//! `bagnet` benchmark (`cargo run --release --example bagnet`):
//!
//! * [`HardSynthetic`], the benchmark's problem (a): sized like the reference's op-amp space
//!   (7 parameters x 99 values, 8 specs), known answer [`HardSynthetic::ANSWER`].
//! * [`Synthetic`], a small sanity problem: six parameters on grids of 60 values, four specs (two
//!   lower bounds, two upper bounds, one product, one coupled), failed "simulations" where the
//!   last parameter exceeds 57; every spec is met e.g. at (50, 50, 5, 40, 40, 30).

use super::agent::{spec_penalty, GridProblem};

/// The small synthetic problem (6 x 60 values, 4 specs).
pub struct Synthetic;

impl GridProblem for Synthetic {
    fn grid(&self) -> &[usize] {
        &[60; 6]
    }
    fn n_specs(&self) -> usize {
        4
    }
    fn evaluate(&self, x: &[usize]) -> Result<Vec<f64>, String> {
        let v: Vec<f64> = x.iter().map(|&i| i as f64).collect();
        if v[5] > 57.0 {
            return Err("simulation failed".into());
        }
        Ok(vec![
            spec_penalty(v[0] + v[1], Some(85.0), None, 1.0),
            spec_penalty(1.0 + v[2], None, Some(8.0), 1.0),
            spec_penalty(v[3] * v[4], Some(1400.0), None, 1.0),
            spec_penalty(1.0 + (v[5] - 30.0).abs() + 0.2 * v[0], None, Some(14.0), 1.0),
        ])
    }
}

/// A synthetic problem sized like the reference's op-amp space: 7 parameters of 99 values
/// (99^7 = 9.3e13 points), 8 specs. With `u = x / 98`, four linear forms
/// `f1 = 2 + u0 + u1 - u2/2`, `f2 = 2 + u2 - u3 + u5/2`, `f3 = 2 + u4 + u5 - u6 + 0.3 u0`,
/// `f4 = 2 + u6 + u3/2 - u1` must each lie within `width` (relative) of their value at the
/// known answer [`HardSynthetic::ANSWER`]: a lower- and an upper-bound spec each (BagNet's
/// penalties), i.e. the feasible set is the intersection of four oblique slabs around the answer,
/// which axis-wise crossover and mutation find slowly. "Simulations" fail where
/// `u0 + u4 > 1.6` (the answer has 0.74).
///
/// ```
/// use insitu_optimizer::bagnet::synthetic::HardSynthetic;
/// use insitu_optimizer::bagnet::GridProblem;
/// let p = HardSynthetic::new(0.04);
/// assert_eq!(p.evaluate(&HardSynthetic::ANSWER).unwrap(), vec![0.0; 8]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HardSynthetic {
    width: f64,
    targets: [f64; 4],
}

impl HardSynthetic {
    /// The known answer: cost 0 (every spec met) for any `width >= 0`.
    pub const ANSWER: [usize; 7] = [61, 23, 80, 47, 12, 70, 35];

    /// The four linear forms at `x`.
    pub fn forms(x: &[usize]) -> [f64; 4] {
        let u: Vec<f64> = x.iter().map(|&i| i as f64 / 98.0).collect();
        [
            2.0 + u[0] + u[1] - 0.5 * u[2],
            2.0 + u[2] - u[3] + 0.5 * u[5],
            2.0 + u[4] + u[5] - u[6] + 0.3 * u[0],
            2.0 + u[6] + 0.5 * u[3] - u[1],
        ]
    }

    /// The problem whose slabs have relative half-width `width` (the benchmark uses 0.04).
    pub fn new(width: f64) -> Self {
        HardSynthetic { width, targets: Self::forms(&Self::ANSWER) }
    }
}

impl GridProblem for HardSynthetic {
    fn grid(&self) -> &[usize] {
        &[99; 7]
    }
    fn n_specs(&self) -> usize {
        8
    }
    fn evaluate(&self, x: &[usize]) -> Result<Vec<f64>, String> {
        if (x[0] + x[4]) as f64 / 98.0 > 1.6 {
            return Err("simulation failed".into());
        }
        let f = Self::forms(x);
        let mut p = Vec::with_capacity(8);
        for (v, t) in f.iter().zip(&self.targets) {
            p.push(spec_penalty(*v, Some(t * (1.0 - self.width)), None, 1.0));
            p.push(spec_penalty(*v, None, Some(t * (1.0 + self.width)), 1.0));
        }
        Ok(p)
    }
}

//! A synthetic multi-spec grid problem with a known answer, shared by the BagNet tests and the
//! `bagnet` benchmark (`cargo run --release --example bagnet`): six parameters on grids of 60 values, four specs (two lower
//! bounds, two upper bounds, one product, one coupled), failed "simulations" where the last
//! parameter exceeds 57; every spec is met e.g. at (50, 50, 5, 40, 40, 30).

use super::agent::{spec_penalty, GridProblem};

/// The synthetic problem.
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

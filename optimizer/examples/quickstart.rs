//! Minimal use of the crate: a closure problem, TRACE, the run record saved and resumed.
//!
//! `cargo run --release -p insitu-optimizer --example quickstart`

use insitu_optimizer::{AcquisitionFormulas, BoConfig, FnProblem, Outcome, RunRecord, Trace};

fn main() {
    // min (x-1)^2 + (y-2)^2  s.t.  x + y - 2 <= 0, on [-3, 3]^2 (optimum at (0.5, 1.5), f = 0.5).
    let problem = FnProblem::new(vec![-3.0, -3.0], vec![3.0, 3.0], 1, |x: &[f64]| {
        if !x[0].is_finite() {
            return Err("bad input".to_string());
        }
        Ok(Outcome { objective: (x[0] - 1.0).powi(2) + (x[1] - 2.0).powi(2), constraints: vec![x[0] + x[1] - 2.0] })
    });
    let config = BoConfig::new(8, 20, 42) // 8 initial LHS points, 20 evaluations in all, seed 42
        .with_formulas(AcquisitionFormulas::Textbook)
        .with_ard(true);
    let record = Trace::new(config.clone()).run(&problem);
    let json = record.to_json(); // save
    let saved = RunRecord::from_json(&json).expect("valid record");
    let more = Trace::new(BoConfig { budget: 30, ..config }).resume(&problem, saved); // resume to 30
    let best = more.best_feasible().expect("a feasible point");
    println!(
        "best f = {:.5} at {:?} after {} evaluations; {:.0} % of proposals violated the constraint",
        best.objective.unwrap(),
        best.x,
        more.evaluations.len(),
        100.0 * more.violation_fraction()
    );
}

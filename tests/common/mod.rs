//! Shared helpers for the ngspice cross-check tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh scratch directory for one test run.
pub fn scratch_dir(name: &str) -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = base.join(format!("insitu-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Formats a number so SPICE reads back exactly the same double.
pub fn sp(x: f64) -> String {
    format!("{x:.17e}")
}

/// Tracks the worst relative error per quantity and the failures.
#[derive(Default)]
pub struct Worst {
    worst: BTreeMap<String, (f64, String)>,
    failures: Vec<String>,
    count: usize,
}

impl Worst {
    /// Relative error |ours - reference| / max(|reference|, floor); records it under
    /// `quantity` and a failure when above `tol`.
    pub fn check(&mut self, quantity: &str, ours: f64, reference: f64, floor: f64, tol: f64, context: &str) {
        self.count += 1;
        let err = if ours == reference { 0.0 } else { (ours - reference).abs() / reference.abs().max(floor) };
        let err = if err.is_nan() { f64::INFINITY } else { err };
        let e = self.worst.entry(quantity.to_string()).or_insert((0.0, String::new()));
        if err > e.0 {
            *e = (err, format!("{context}: ours {ours:.12e} ngspice {reference:.12e}"));
        }
        if err > tol && self.failures.len() < 40 {
            self.failures.push(format!(
                "{quantity} rel.err {err:.3e} > {tol:e} at {context}: ours {ours:.15e} ngspice {reference:.15e}"
            ));
        }
    }

    /// Prints the worst error per quantity and panics when any check failed.
    pub fn report(&self, what: &str) {
        println!("{what}: {} comparisons", self.count);
        for (q, (e, at)) in &self.worst {
            println!("  worst rel. error {q:>8}: {e:.3e}   ({at})");
        }
        assert!(self.count > 0, "{what}: nothing compared");
        if !self.failures.is_empty() {
            panic!("{what}: {} failures, first ones:\n{}", self.failures.len(), self.failures.join("\n"));
        }
    }
}

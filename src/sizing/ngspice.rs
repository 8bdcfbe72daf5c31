//! ngspice as the loop's simulator (`--simulator ngspice`) and as the verifier (`--verify`).
//!
//! Each candidate and corner becomes a deck: the problem's deck text with the built-in library
//! line pointed at the library file and its corner section, `.temp`, the sized `.param` values
//! and the W/L of every sized MOSFET line rewritten. ngspice runs it as a subprocess
//! ([`crate::ngspice::Ngspice`]); its rawfile plots become datasets, measured by the same code
//! as the in-process results.

use super::measure::Results;
use super::problem::CornerDef;
use super::report::eng;
use super::session::{Evaluator, Session};
use super::testbench::{CornerResult, Sizing, Testbench};
use crate::ngspice::Ngspice;
use crate::raw::Plot;
use insitu_solver::{Data, Dataset, Quantity, Vector};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Runs every candidate through ngspice.
pub struct NgspiceEvaluator {
    ng: Option<Ngspice>,
    text: String,
    lib_path: PathBuf,
    dir: PathBuf,
    counter: AtomicUsize,
}

impl Drop for NgspiceEvaluator {
    /// Removes the evaluator's scratch directory (each run removes its own subdirectory;
    /// a directory that is not empty is left alone).
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.dir);
    }
}

impl NgspiceEvaluator {
    /// Finds ngspice and reads the testbench's deck.
    pub fn new(tb: &Testbench) -> Result<Self, String> {
        let ng = Ngspice::find().ok_or("ngspice not found on PATH")?;
        let mut e = Self::rewriter(tb)?;
        e.ng = Some(ng);
        Ok(e)
    }

    /// The deck rewriter alone (no ngspice needed; [`NgspiceEvaluator::run_corner`] then fails).
    pub fn rewriter(tb: &Testbench) -> Result<Self, String> {
        let ng = None;
        let text = std::fs::read_to_string(&tb.deck_path).map_err(|e| format!("{}: {e}", tb.deck_path.display()))?;
        let lib_path = insitu_pdk::library_file(&tb.problem.testbench.pdk).map_err(|e| e.to_string())?;
        for (g, devs) in tb.problem.devices.iter() {
            if let Some(d) = devs.iter().find(|d| d.contains('.')) {
                return Err(format!(
                    "devices.{g}: '{d}' is hierarchical; the ngspice runner rewrites device lines by name"
                ));
            }
        }
        // One directory per evaluator: two evaluators of one process (e.g. seeds run in
        // parallel) must not share `run{k}` directories.
        static EVALUATORS: AtomicUsize = AtomicUsize::new(0);
        let id = EVALUATORS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("insitu-optimize-ng-{}-{id}", std::process::id()));
        Ok(NgspiceEvaluator { ng, text, lib_path, dir, counter: AtomicUsize::new(0) })
    }

    /// The deck text for a sizing at a corner.
    pub fn deck(&self, tb: &Testbench, s: &Sizing, corner: &CornerDef) -> String {
        let mut out = String::new();
        let groups: Vec<(Vec<String>, f64, f64)> = tb
            .problem
            .devices
            .iter()
            .zip(&s.devices)
            .map(|((_, devs), (_, w, l))| (devs.iter().map(|d| d.to_ascii_lowercase()).collect(), *w, *l))
            .collect();
        for (i, line) in self.text.lines().enumerate() {
            let lower = line.trim().to_ascii_lowercase();
            if i > 0 && lower.starts_with(".lib") && lower.contains("insitu:") {
                out.push_str(&format!(".lib '{}' {}\n", self.lib_path.display(), corner.model));
                continue;
            }
            if i > 0 && lower.starts_with(".param") {
                let toks: Vec<String> = line
                    .split_whitespace()
                    .map(|t| match t.split_once('=') {
                        Some((k, _)) => match s.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)) {
                            Some((_, v)) => format!("{k}={v:e}"),
                            None => t.to_string(),
                        },
                        None => t.to_string(),
                    })
                    .collect();
                out.push_str(&toks.join(" "));
                out.push('\n');
                continue;
            }
            if i > 0 && lower.starts_with('m') {
                let name = lower.split_whitespace().next().unwrap_or("");
                if let Some((_, w, l)) = groups.iter().find(|(d, _, _)| d.iter().any(|x| x == name)) {
                    let toks: Vec<String> = line
                        .split_whitespace()
                        .map(|t| match t.split_once('=') {
                            Some((k, _)) if k.eq_ignore_ascii_case("w") => format!("W={w:e}"),
                            Some((k, _)) if k.eq_ignore_ascii_case("l") => format!("L={l:e}"),
                            _ => t.to_string(),
                        })
                        .collect();
                    out.push_str(&toks.join(" "));
                    out.push('\n');
                    continue;
                }
            }
            if lower == ".end" {
                out.push_str(&format!(".temp {}\n", corner.temp));
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Simulates a candidate at one corner in ngspice.
    pub fn run_corner(&self, tb: &Testbench, x: &[f64], corner: &CornerDef) -> (CornerResult, Sizing) {
        let t = Instant::now();
        let n = tb.measurement_names().len();
        let fail = |e: String| CornerResult {
            corner: corner.label(),
            values: vec![None; n],
            error: Some(e),
            seconds: t.elapsed().as_secs_f64(),
        };
        let s = match tb.sizing(x, corner) {
            Ok(s) => s,
            Err(e) => return (fail(e), Sizing::default()),
        };
        let k = self.counter.fetch_add(1, Ordering::Relaxed);
        let dir = self.dir.join(format!("run{k}"));
        let Some(ng) = &self.ng else {
            return (fail("ngspice not available".into()), s);
        };
        let run = ng.run(&self.deck(tb, &s, corner), &dir);
        let _ = std::fs::remove_dir_all(&dir);
        let run = match run {
            Ok(r) => r,
            Err(e) => {
                let msg = e.to_string();
                return (fail(msg.lines().take(3).collect::<Vec<_>>().join(" ")), s);
            }
        };
        let r = Results { datasets: run.plots.iter().map(to_dataset).collect(), values: tb.param_values(&s) };
        let (values, error) = tb.measure(&r, None);
        (CornerResult { corner: corner.label(), values, error, seconds: t.elapsed().as_secs_f64() }, s)
    }
}

/// A rawfile plot as a dataset (lower-case names, the first vector as the scale).
pub fn to_dataset(p: &Plot) -> Dataset {
    let mut vectors: Vec<Vector> = p
        .variables
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let data = if p.complex { Data::Complex(p.cplx[i].clone()) } else { Data::Real(p.real[i].clone()) };
            let quantity = match v.kind.as_str() {
                "voltage" => Quantity::Voltage,
                "current" => Quantity::Current,
                "time" => Quantity::Time,
                "frequency" => Quantity::Frequency,
                _ => Quantity::Other,
            };
            let mut name = v.name.to_ascii_lowercase();
            if let Some(b) = name.strip_suffix("#branch") {
                name = format!("i({b})");
            }
            Vector { name, quantity, data }
        })
        .collect();
    let is_op = p.name.to_ascii_lowercase().starts_with("operating point");
    let scale = if is_op || vectors.is_empty() {
        None
    } else {
        let mut s = vectors.remove(0);
        if let Data::Complex(c) = &s.data {
            s.data = Data::Real(c.iter().map(|z| z.re).collect());
        }
        Some(s)
    };
    Dataset { name: p.name.clone(), scale, vectors }
}

impl Evaluator for NgspiceEvaluator {
    fn run_corner(&self, tb: &Testbench, x: &[f64], corner: &CornerDef) -> (CornerResult, Sizing) {
        NgspiceEvaluator::run_corner(self, tb, x, corner)
    }
    fn name(&self) -> &'static str {
        "ngspice"
    }
}

/// `--verify`: the best design at every corner of the final phase in both simulators, side by
/// side, with the relative difference.
pub fn verify(session: &Session) -> Result<String, String> {
    let tb = session.tb;
    let best = session.best().ok_or("no design to verify")?;
    let ng = NgspiceEvaluator::new(tb)?;
    let phase = best.phase;
    let ours = tb.assess(&best.detail.x, phase);
    let theirs = ng.assess(tb, &best.detail.x, phase);
    let names = tb.measurement_names();
    let mut s = String::from("Verification in ngspice (best design, every corner of the final phase):\n");
    s.push_str(&format!("{:<10} {:<10} {:>12} {:>12} {:>9}\n", "corner", "measure", "insitu", "ngspice", "diff"));
    for (a, b) in ours.corners.iter().zip(&theirs.corners) {
        for (i, n) in names.iter().enumerate() {
            let f = |v: Option<f64>| v.map_or("—".to_string(), eng);
            let d = match (a.values[i], b.values[i]) {
                (Some(x), Some(y)) if y != 0.0 => format!("{:+.2}%", (x - y) / y.abs() * 100.0),
                _ => "—".into(),
            };
            s.push_str(&format!("{:<10} {:<10} {:>12} {:>12} {:>9}\n", a.corner, n, f(a.values[i]), f(b.values[i]), d));
        }
        if let Some(e) = &b.error {
            s.push_str(&format!("  ngspice: {e}\n"));
        }
    }
    s.push_str(&format!(
        "cost: insitu {} ({}), ngspice {} ({})\n",
        super::report::fmt_cost(ours.cost),
        if ours.feasible { "feasible" } else { "infeasible" },
        super::report::fmt_cost(theirs.cost),
        if theirs.feasible { "feasible" } else { "infeasible" }
    ));
    Ok(s)
}

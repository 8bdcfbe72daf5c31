//! `insitu sim`: run the analyses of a deck, print the operating point and the `.meas` results
//! (`name = value`, or `name = failed (why)`), write rawfile and JSON. In the JSON, after the
//! datasets, an entry `{"name": "Measurements", "measures": [{"name", "value"} | {"name", "error"}]}`.

use super::{emit, fail, EXIT_INPUT, EXIT_SIM};
use insitu::output::to_plots;
use insitu::raw;
use insitu_netlist::measure::{MeasKind, Measure};
use insitu_solver::measure::{describe_failure, run_measures, MeasureError, Results};
use insitu_solver::{Data, Simulator};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs `insitu sim`.
pub fn sim(deck: &Path, raw_out: Option<PathBuf>, ascii: bool, json: Option<PathBuf>) -> ExitCode {
    let circuit = match insitu_pdk::load_deck(deck) {
        Ok(c) => c,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    for w in &circuit.warnings {
        eprintln!("warning: {w}");
    }
    let title = circuit.title.clone();
    let measures = circuit.measures.clone();
    let mut sim = match Simulator::new(circuit) {
        Ok(s) => s,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    for w in sim.warnings() {
        eprintln!("warning: {w}");
    }
    let start = std::time::Instant::now();
    let datasets = match sim.run_all() {
        Ok(d) => d,
        Err(e) => return fail(EXIT_SIM, &e),
    };
    let elapsed = start.elapsed();
    let mut report = String::new();
    for d in &datasets {
        match &d.scale {
            None => {
                report.push_str(&format!("{}:\n", d.name));
                for v in &d.vectors {
                    if let Data::Real(x) = &v.data {
                        report.push_str(&format!("  {:<24} {:>15.6e}\n", v.name, x[0]));
                    }
                }
            }
            Some(s) => report.push_str(&format!("{}: {} points of {}\n", d.name, s.data.len(), s.name)),
        }
    }
    let measured = run_measures(&measures, &Results::new(&datasets, Some(&sim)));
    if !measured.is_empty() {
        report.push_str("Measurements:\n");
        for ((name, r), m) in measured.iter().zip(measure_order(&measures)) {
            match r {
                Ok(v) => report.push_str(&format!("  {name:<22}= {v:.9e}\n")),
                Err(e) => {
                    report.push_str(&format!("  {name:<22}= failed ({e})\n"));
                    eprintln!("warning: {}", describe_failure(m, e));
                }
            }
        }
    }
    emit(&report);
    eprintln!("simulated in {:.3} ms", elapsed.as_secs_f64() * 1e3);
    if let Some(path) = raw_out {
        let plots = to_plots(&title, &datasets);
        let mut buf = Vec::new();
        let res = if ascii { raw::write_ascii(&plots, &mut buf) } else { raw::write_binary(&plots, &mut buf) };
        if let Err(e) = res.and_then(|_| std::fs::write(&path, &buf)) {
            return fail(EXIT_INPUT, &format!("{}: {e}", path.display()));
        }
    }
    if let Some(path) = json {
        let mut value = match serde_json::to_value(&datasets) {
            Ok(v) => v,
            Err(e) => return fail(EXIT_SIM, &e),
        };
        if let (serde_json::Value::Array(items), false) = (&mut value, measured.is_empty()) {
            items.push(measurements_json(&measured));
        }
        let text = match serde_json::to_string_pretty(&value) {
            Ok(t) => t,
            Err(e) => return fail(EXIT_SIM, &e),
        };
        if let Err(e) = std::fs::write(&path, text) {
            return fail(EXIT_INPUT, &format!("{}: {e}", path.display()));
        }
    }
    ExitCode::SUCCESS
}

/// The JSON entry of the measure results.
fn measurements_json(measured: &[(String, Result<f64, MeasureError>)]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = measured
        .iter()
        .map(|(name, r)| match r {
            Ok(v) => serde_json::json!({ "name": name, "value": v }),
            Err(e) => serde_json::json!({ "name": name, "error": e.to_string() }),
        })
        .collect();
    serde_json::json!({ "name": "Measurements", "measures": items })
}

/// The measures in the order `run_measures` reports them (param measures last).
fn measure_order(ms: &[Measure]) -> Vec<&Measure> {
    let param = |m: &&Measure| matches!(m.kind, MeasKind::Param(_));
    ms.iter().filter(|m| !param(m)).chain(ms.iter().filter(param)).collect()
}

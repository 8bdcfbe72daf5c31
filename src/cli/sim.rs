//! `insitu sim`: run the analyses of a deck, print the operating point, write rawfile and JSON.

use super::{emit, fail, EXIT_INPUT, EXIT_SIM};
use insitu::output::to_plots;
use insitu::raw;
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
    let mut sim = match Simulator::new(circuit) {
        Ok(s) => s,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
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
        let text = match serde_json::to_string_pretty(&datasets) {
            Ok(t) => t,
            Err(e) => return fail(EXIT_SIM, &e),
        };
        if let Err(e) = std::fs::write(&path, text) {
            return fail(EXIT_INPUT, &format!("{}: {e}", path.display()));
        }
    }
    ExitCode::SUCCESS
}

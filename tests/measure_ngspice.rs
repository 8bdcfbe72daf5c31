//! `.meas` against ngspice's own `.meas` output, on the decks of `tests/decks/measure/` (every
//! measure form; RC, RLC, rectifier, ring oscillator, `.dc temp` bandgap, and the op-amp of
//! `../shared/cases/opamp/` open loop and as a buffer).
//!
//! Two comparisons:
//! - **semantics**: insitu's measures evaluated on ngspice's own waveforms (its rawfile) must
//!   give ngspice's numbers to 1e-9 relative (they are printed with 16 digits);
//! - **end to end**: insitu's simulation and measures against ngspice's, both at tight
//!   tolerances: within 1e-6 relative for AC and DC measures (measured: 8e-8); transient ones
//!   within 1e-3, because the two simulators place their time steps differently (measured:
//!   3.3e-5 on the RC and rectifier, 4.6e-5 on the ring (its period 1.5e-6), 4.5e-4 on the op-amp buffer's
//!   overshoot).
//!
//! Skipped (with a message) when ngspice is absent, unless `INSITU_REQUIRE_NGSPICE=1`.

use insitu::check::{check_file_with, compare_measures, ngspice_measures, prepare_deck, Tolerances};
use insitu::ngspice::Ngspice;
use insitu::output::from_plot;
use insitu_solver::measure::{run_measures, Results};
use std::path::{Path, PathBuf};

/// Tight Newton and time-step tolerances for both simulators.
const TIGHT: &str = "reltol=1e-7 vntol=1e-10 abstol=1e-15";

fn decks() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks/measure");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cir"))
        .collect();
    v.sort();
    let opamp = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases/opamp/opamp_core.inc");
    if !opamp.is_file() {
        eprintln!("skipping the op-amp measure decks: {} is absent", opamp.display());
        v.retain(|p| !p.file_name().unwrap().to_string_lossy().starts_with("opamp"));
    }
    v
}

fn work_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("insitu-meas-{}-{name}", std::process::id()))
}

#[test]
fn meas_semantics_match_ngspice_on_its_own_waveforms() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let tol = Tolerances { meas_rel: 1e-9, meas_abs: 1e-20, ..Tolerances::default() };
    let mut failures = Vec::new();
    let mut compared = 0;
    for deck in decks() {
        let name = deck.file_stem().unwrap().to_string_lossy().to_string();
        let dir = deck.parent().unwrap();
        let text = prepare_deck(&std::fs::read_to_string(&deck).unwrap(), dir, TIGHT);
        let circuit = insitu_pdk::load_deck_str(&text, &deck).unwrap();
        let work = work_dir(&format!("sem-{name}"));
        let run = ng.run(&text, &work).unwrap();
        let datasets: Vec<_> = run.plots.iter().map(from_plot).collect();
        let params: Vec<(String, f64)> = circuit.params.globals().map(|(n, v)| (n.to_string(), v)).collect();
        let ours = run_measures(&circuit.measures, &Results::new(&datasets, None).with_values(&params));
        let theirs = ngspice_measures(&ng, &text, &circuit.measures, &work).unwrap();
        for row in compare_measures(&circuit.measures, &ours, &theirs, &datasets, &tol) {
            println!("{name:<18} {:<12} {:>10.2e}  {}", row.vector, row.score, row.detail);
            compared += 1;
            if !row.pass() {
                failures.push(format!("{name} {}: {}", row.vector, row.detail));
            }
        }
    }
    assert!(compared >= 60, "only {compared} measures compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn meas_end_to_end_within_1e6_of_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let mut failures = Vec::new();
    for deck in decks() {
        let name = deck.file_stem().unwrap().to_string_lossy().to_string();
        let report = check_file_with(&deck, &ng, &work_dir(&name), &Tolerances::default(), TIGHT)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for r in report.rows.iter().filter(|r| r.analysis.starts_with("Measure")) {
            println!("{name:<18} {:<12} {:>10.2e}  {}", r.vector, r.score, r.detail);
            // Scores are in units of 1e-6 relative.
            let limit = if r.analysis.contains("tran") { 1e3 } else { 1.0 };
            if r.score > limit {
                failures.push(format!("{name} {}: {}", r.vector, r.detail));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Whole-deck cross-checks against ngspice: every deck in `tests/decks/` and the op-amp decks
//! of `../shared/cases/opamp/`. Skipped (with a message) when ngspice is absent, unless
//! `INSITU_REQUIRE_NGSPICE=1`.

use insitu::check::{check_file, check_file_with, integrated_error, interpolate, Tolerances};
use insitu::ngspice::Ngspice;
use insitu_netlist::load_file;
use insitu_solver::{Dataset, Simulator};
use std::path::{Path, PathBuf};

/// Newton tolerances tight enough that both simulators converge to the same solution, so the
/// remaining difference is one of equations (at the default RELTOL 1e-3 ngspice's own
/// solution of the op-amp's high-gain node is 2e-5 V from the converged one).
const TIGHT: &str = "reltol=1e-6 vntol=1e-9 abstol=1e-15";

fn decks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks")
}

fn opamp_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases/opamp");
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!("skipping the shared op-amp decks: {} is absent", d.display());
        None
    }
}

fn work_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("insitu-test-{}-{name}", std::process::id()))
}

#[test]
fn every_deck_agrees_with_ngspice_at_tight_tolerances() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let mut decks: Vec<PathBuf> = std::fs::read_dir(decks_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cir"))
        // The ring oscillator is free-running: its phase drifts with any difference in
        // time steps, so it is compared by its frequency below.
        .filter(|p| !p.ends_with("ring_oscillator.cir"))
        .collect();
    if let Some(d) = opamp_dir() {
        decks.extend(["opamp_opac_cold.cir", "opamp_opactran_ns.cir", "opamp_buffer_tran.cir"].map(|f| d.join(f)));
    }
    decks.sort();
    assert!(decks.len() >= 18, "expected at least 18 decks, found {}", decks.len());
    let mut failures = Vec::new();
    for deck in &decks {
        let name = deck.file_stem().unwrap().to_string_lossy().to_string();
        match check_file_with(deck, &ng, &work_dir(&name), &Tolerances::default(), TIGHT) {
            Ok(report) => {
                let worst = report.rows.iter().map(|r| r.score).fold(0.0, f64::max);
                println!("{name:<24} {} vectors, worst {worst:.3e} of tolerance", report.rows.len());
                if !report.pass() {
                    failures.push(format!("{name}:\n{report}"));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn opamp_cold_start_agrees_at_default_tolerances() {
    let (Some(ng), Some(d)) = (Ngspice::for_tests(), opamp_dir()) else {
        return;
    };
    let report = check_file(&d.join("opamp_opac_cold.cir"), &ng, &work_dir("cold"), &Tolerances::default()).unwrap();
    println!("{report}");
    assert!(report.pass());
}

#[test]
fn opamp_ac_and_tran_agree_at_default_tolerances() {
    let (Some(ng), Some(d)) = (Ngspice::for_tests(), opamp_dir()) else {
        return;
    };
    for deck in ["opamp_opactran_ns.cir", "opamp_buffer_tran.cir"] {
        let report = check_file(&d.join(deck), &ng, &work_dir(deck), &Tolerances::default()).unwrap();
        println!("{report}");
        for r in report.rows.iter().filter(|r| !r.analysis.starts_with("Operating")) {
            assert!(r.pass(), "{deck}: {} {} {}", r.analysis, r.vector, r.detail);
        }
        // The operating point agrees to ngspice's Newton tolerance (RELTOL 1e-3 + VNTOL).
        let loose = Tolerances { op_rel: 1e-3, ..Tolerances::default() };
        let report = check_file(&d.join(deck), &ng, &work_dir(deck), &loose).unwrap();
        assert!(report.pass(), "{report}");
    }
}

fn real<'a>(d: &'a Dataset, name: &str) -> &'a [f64] {
    d.real(name).unwrap_or_else(|| panic!("no vector {name}"))
}

/// Times where `y` crosses `level` upwards, linearly interpolated.
fn rising_crossings(t: &[f64], y: &[f64], level: f64) -> Vec<f64> {
    (1..t.len())
        .filter(|&k| y[k - 1] < level && y[k] >= level)
        .map(|k| t[k - 1] + (level - y[k - 1]) * (t[k] - t[k - 1]) / (y[k] - y[k - 1]))
        .collect()
}

fn mean_period(c: &[f64], after: f64) -> f64 {
    let c: Vec<f64> = c.iter().copied().filter(|&t| t > after).collect();
    assert!(c.len() >= 3, "too few periods: {c:?}");
    (c[c.len() - 1] - c[0]) / (c.len() - 1) as f64
}

#[test]
fn ring_oscillator_frequency_within_one_percent() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let deck = decks_dir().join("ring_oscillator.cir");
    let mut sim = Simulator::new(load_file(&deck).unwrap()).unwrap();
    let ours = sim.run_all().unwrap().pop().unwrap();
    let run = ng.run_file(&deck, &work_dir("ring")).unwrap();
    let theirs = run.plot("Transient").unwrap();
    let t_ref = &theirs.real[0];
    let p_ref = mean_period(&rising_crossings(t_ref, theirs.vector("v(n1)").unwrap(), 0.9), 2e-9);
    let p = mean_period(&rising_crossings(real(&ours, "time"), real(&ours, "v(n1)"), 0.9), 2e-9);
    println!("period: insitu {p:.6e} s, ngspice {p_ref:.6e} s");
    assert!(((p - p_ref) / p_ref).abs() < 0.01);
}

#[test]
fn rectifier_output_within_one_percent_at_default_tolerances() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let deck = decks_dir().join("diode_rectifier.cir");
    let mut sim = Simulator::new(load_file(&deck).unwrap()).unwrap();
    let ours = sim.run_all().unwrap().pop().unwrap();
    let run = ng.run_file(&deck, &work_dir("rect")).unwrap();
    let theirs = run.plot("Transient").unwrap();
    let (t, y) = (real(&ours, "time"), real(&ours, "v(out)"));
    let (tr, yr) = (&theirs.real[0], theirs.vector("v(out)").unwrap());
    let peak = |y: &[f64]| y.iter().copied().fold(f64::MIN, f64::max);
    let last = |t: &[f64], y: &[f64]| interpolate(t, y, 3e-3);
    println!("peak {} vs {}, final {} vs {}", peak(y), peak(yr), last(t, y), last(tr, yr));
    assert!((peak(y) / peak(yr) - 1.0).abs() < 0.01);
    assert!((last(t, y) / last(tr, yr) - 1.0).abs() < 0.01);
    // Over the last two periods, once the output has risen, the waveform metric applies.
    let keep: Vec<usize> = (0..tr.len()).filter(|&k| tr[k] >= 1e-3).collect();
    let tr2: Vec<f64> = keep.iter().map(|&k| tr[k]).collect();
    let yr2: Vec<f64> = keep.iter().map(|&k| yr[k]).collect();
    let e = integrated_error(t, y, &tr2, &yr2, 1e-2, 1e-6);
    println!("integrated error of v(out) after 1 ms: {e:.3}");
    assert!(e < 1.0);
}

/// dB magnitude and degrees of `v(out)` at each frequency of an AC dataset.
fn bode(d: &Dataset, node: &str) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let f: Vec<f64> = d.complex("frequency").unwrap().iter().map(|c| c.re).collect();
    let v = d.complex(node).unwrap();
    let db = v.iter().map(|c| 20.0 * c.norm().log10()).collect();
    let mut ph: Vec<f64> = v.iter().map(|c| c.arg().to_degrees()).collect();
    for k in 1..ph.len() {
        while ph[k] - ph[k - 1] > 180.0 {
            ph[k] -= 360.0;
        }
        while ph[k] - ph[k - 1] < -180.0 {
            ph[k] += 360.0;
        }
    }
    (f, db, ph)
}

#[test]
fn opamp_known_answers() {
    let Some(d) = opamp_dir() else { return };
    let mut sim = Simulator::new(load_file(&d.join("opamp_opac_cold.cir")).unwrap()).unwrap();
    let sets = sim.run_all().unwrap();
    assert!((sim.voltage("out").unwrap() - 0.89996).abs() < 1e-5);
    assert!((sim.current("vdd").unwrap() + 263.7e-6).abs() < 0.1e-6);
    let ac = sets.iter().find(|s| s.name == "AC Analysis").unwrap();
    let (f, db, ph) = bode(ac, "v(out)");
    assert!((db[0] - 69.6).abs() < 0.05, "A0 {}", db[0]);
    let k = (1..db.len()).find(|&k| db[k] < 0.0).unwrap();
    let x = db[k - 1] / (db[k - 1] - db[k]);
    let ugf = (f[k - 1].ln() + x * (f[k].ln() - f[k - 1].ln())).exp();
    let pm = 180.0 + ph[k - 1] + x * (ph[k] - ph[k - 1]);
    println!("A0 {:.2} dB, UGF {:.3} MHz, PM {:.1} deg", db[0], ugf / 1e6, pm);
    assert!((ugf / 17.1e6 - 1.0).abs() < 0.01);
    assert!((pm - 61.1).abs() < 0.2);
}

#[test]
fn buffer_step_known_answers() {
    let Some(d) = opamp_dir() else { return };
    let mut sim = Simulator::new(load_file(&d.join("opamp_buffer_tran.cir")).unwrap()).unwrap();
    let tran = sim.run_all().unwrap().pop().unwrap();
    let (t, y) = (real(&tran, "time"), real(&tran, "v(out)"));
    let (lo, hi) = (interpolate(t, y, 99e-9), interpolate(t, y, 499e-9));
    let cross = |level: f64| rising_crossings(t, y, level)[0];
    let rise = cross(lo + 0.9 * (hi - lo)) - cross(lo + 0.1 * (hi - lo));
    let peak = y.iter().zip(t).filter(|(_, &t)| t < 500e-9).map(|(v, _)| *v).fold(f64::MIN, f64::max);
    let overshoot = (peak - hi) / (hi - lo) * 100.0;
    println!("rise {:.2} ns, overshoot {:.2} %", rise * 1e9, overshoot);
    assert!((rise / 15.3e-9 - 1.0).abs() < 0.02);
    assert!((overshoot - 4.6).abs() < 0.3);
}

#[test]
fn device_operating_points_match_ngspice() {
    let (Some(ng), Some(d)) = (Ngspice::for_tests(), opamp_dir()) else { return };
    let deck = d.join("opamp_opac_cold.cir");
    let text = std::fs::read_to_string(&deck).unwrap();
    let devices = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"];
    let quantities = ["id", "gm", "gds", "gmbs", "von", "vdsat", "cgs", "cgd", "cgb", "cbd", "cbs"];
    let saves: Vec<String> =
        devices.iter().flat_map(|m| quantities.iter().map(move |q| format!("@{m}[{q}]"))).collect();
    let text = text.replace(".end", &format!(".save all {}\n.end", saves.join(" ")));
    let text = insitu::check::prepare_deck(&text, &d, TIGHT);
    let parsed = insitu_netlist::parse_str(&text, &deck, &insitu_netlist::FsLoader).unwrap();
    let circuit = insitu_netlist::elaborate(&parsed, &insitu_netlist::ElabOptions::default()).unwrap();
    let mut sim = Simulator::new(circuit).unwrap();
    sim.op().unwrap();
    let run = ng.run(&text, &work_dir("devop")).unwrap();
    let op = run.plot("Operating Point").unwrap();
    let mut worst = 0.0f64;
    for m in devices {
        let ours = sim.mos_op(m).unwrap();
        let mine = [
            ours.id, ours.gm, ours.gds, ours.gmb, ours.vth, ours.vdsat, ours.cgs, ours.cgd, ours.cgb, ours.cbd,
            ours.cbs,
        ];
        for (q, v) in quantities.iter().zip(mine) {
            let r = op.vector(&format!("@{m}[{q}]")).unwrap_or_else(|| panic!("ngspice has no @{m}[{q}]"))[0];
            let e = (v - r).abs() / (r.abs() + 1e-18);
            worst = worst.max(e);
            assert!(e < 1e-9, "{m} {q}: insitu {v:e} vs ngspice {r:e}");
        }
    }
    println!("worst relative difference of device operating points: {worst:.2e}");
}

#[test]
fn opamp_noise_matches_ngspice() {
    let (Some(ng), Some(d)) = (Ngspice::for_tests(), opamp_dir()) else { return };
    let deck = d.join("opamp_opac_cold.cir");
    let text = std::fs::read_to_string(&deck).unwrap().replace(".end", ".noise v(out) vinp dec 10 1 1g\n.end");
    let noisy = work_dir("opamp-noise").join("opamp_noise.cir");
    std::fs::create_dir_all(noisy.parent().unwrap()).unwrap();
    std::fs::write(&noisy, insitu::check::prepare_deck(&text, &d, "")).unwrap();
    let report = check_file_with(&noisy, &ng, &work_dir("opamp-noise-ng"), &Tolerances::default(), TIGHT).unwrap();
    println!("{report}");
    let onoise = report.row("Noise", "onoise_spectrum").expect("output noise compared");
    let inoise = report.row("Noise", "inoise_spectrum").expect("input noise compared");
    assert!(onoise.pass() && inoise.pass(), "{report}");
    // ngspice's "Integrated Noise" plot: RMS noise over the band, per-source power-law integrals.
    let onoise = report.row("Integrated", "onoise_total").expect("integrated output noise compared");
    let inoise = report.row("Integrated", "inoise_total").expect("integrated input noise compared");
    assert!(onoise.pass() && inoise.pass(), "{report}");
    assert!(report.pass(), "{report}");
}

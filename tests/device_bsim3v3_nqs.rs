//! BSIM3 NQSMOD = 1 (the charge-deficit node of ngspice's `bsim3` and `bsim3v32`) against
//! ngspice: a common-source stage on 3.3.0 and 3.2.4 NQS cards (`tests/bsim3v3/nqs_*`; NMOS
//! and a diode-connected PMOS load, a reverse-mode pass device; op, dc, ac to 100 GHz, a
//! 0.1 ns step, noise), the same stage against its quasi-static self (op unchanged, the
//! high-frequency response and the step differ by far more than the deck tolerances), and
//! the revisions whose NQS insitu does not have refused with an error naming NQSMOD.

mod common;

use common::{check_bsim3_deck, scratch_dir};
use insitu::solver::results::{Data, Dataset};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3")
}

#[test]
fn nqs_stage_330_agrees_with_ngspice() {
    check_bsim3_deck("nqs_cs_stage.cir", "bsim3-nqs-330");
}

#[test]
fn nqs_stage_324_agrees_with_ngspice() {
    check_bsim3_deck("nqs_cs_stage_v324.cir", "bsim3-nqs-324");
}

/// Runs `deck` (in `tests/bsim3v3`) with the NQS cards as they are (`nqs`) or with NQSMOD
/// set to 0, and returns every analysis.
fn run(deck: &str, nqs: bool) -> Vec<Dataset> {
    let work = scratch_dir(if nqs { "bsim3-nqs-on" } else { "bsim3-nqs-off" });
    let lib = std::fs::read_to_string(dir().join("nqs_cards.lib")).expect("cards");
    let lib = if nqs { lib } else { lib.replace("nqsmod=1", "nqsmod=0") };
    std::fs::write(work.join("nqs_cards.lib"), lib).expect("write cards");
    let path = work.join(deck);
    let text = std::fs::read_to_string(dir().join(deck)).expect("deck");
    let circuit = insitu::pdk::load_deck_str(&text, &path).expect("deck parses");
    let mut sim = insitu::solver::Simulator::new(circuit).expect("compiles");
    sim.run_all().expect("runs")
}

fn dataset<'a>(runs: &'a [Dataset], name: &str) -> &'a Dataset {
    runs.iter().find(|d| d.name.starts_with(name)).unwrap_or_else(|| panic!("no {name}"))
}

/// NQS against quasi-static on the same stage: the operating point and the DC sweep are the
/// same (ngspice's DC load leaves the charge deficit at zero), the AC response agrees at low
/// frequency and departs by far more than the deck tolerance (0.01 dB, 0.1 degree) where
/// the channel's relaxation time matters, and so does the response to a 0.1 ns step.
#[test]
fn nqs_differs_from_quasi_static_only_where_it_should() {
    for deck in ["nqs_cs_stage.cir", "nqs_cs_stage_v324.cir"] {
        let (on, off) = (run(deck, true), run(deck, false));
        for name in ["Operating Point", "DC transfer"] {
            let (a, b) = (dataset(&on, name), dataset(&off, name));
            for v in ["out", "x"] {
                let (a, b) = (a.real(&format!("v({v})")).expect("vector"), b.real(&format!("v({v})")).expect("vector"));
                for (x, y) in a.iter().zip(b) {
                    assert!((x - y).abs() <= 1e-12 * y.abs() + 1e-15, "{deck} {name} v({v}): {x} vs {y}");
                }
            }
        }
        let (a, b) = (dataset(&on, "AC"), dataset(&off, "AC"));
        let f: Vec<f64> = match &a.vector("frequency").expect("frequency").data {
            Data::Real(v) => v.clone(),
            Data::Complex(v) => v.iter().map(|z| z.re).collect(),
        };
        let (ya, yb) = (a.complex("v(out)").expect("out"), b.complex("v(out)").expect("out"));
        let db = |z: num_complex::Complex64| 20.0 * z.norm().log10();
        let mut low = 0.0f64;
        let mut high = 0.0f64;
        let mut high_deg = 0.0f64;
        for ((&f, &x), &y) in f.iter().zip(ya).zip(yb) {
            let d = (db(x) - db(y)).abs();
            let p = (x / y).arg().to_degrees().abs();
            if f <= 1e6 {
                low = low.max(d);
            } else if f >= 1e9 {
                high = high.max(d);
                high_deg = high_deg.max(p);
            }
        }
        println!("{deck}: |NQS - QS| up to 1 MHz {low:.2e} dB; from 1 GHz {high:.3} dB, {high_deg:.2} degrees");
        assert!(low < 1e-3, "{deck}: low-frequency gain differs by {low} dB");
        assert!(high > 100.0 * 0.01 || high_deg > 100.0 * 0.1, "{deck}: NQS changes the response by {high} dB");
        let (a, b) = (dataset(&on, "Transient"), dataset(&off, "Transient"));
        let at =
            |d: &Dataset, t: f64| insitu::check::interpolate(d.real("time").unwrap(), d.real("v(out)").unwrap(), t);
        let worst =
            (0..=400).map(|i| 2.0e-9 + i as f64 * 1e-12).map(|t| (at(a, t) - at(b, t)).abs()).fold(0.0, f64::max);
        println!("{deck}: |NQS - QS| during the step up to {worst:.3e} V");
        assert!(worst > 10.0 * 1e-2 * 0.05, "{deck}: the step response differs by only {worst} V");
    }
}

/// ngspice's `bsim3v1` and `bsim3v0` have their own NQS code, which insitu does not: a 3.1 or
/// 3.0 card with NQSMOD = 1 is refused with an error naming NQSMOD and the revision;
/// NQSMOD given on an instance line is refused too (ACNQSMOD runs:
/// `tests/device_bsim3v3_acnqs.rs`).
#[test]
fn nqs_not_implemented_is_refused_by_name() {
    for (version, what) in [("3.1", "bsim3v1"), ("3.0", "bsim3v0")] {
        let text = format!(
            "nqs\n.model n nmos level=49 version={version} tox=4e-9 nqsmod=1\nM1 d g 0 0 n W=2u L=1u\nVD d 0 1\nVG g 0 1\n.op\n.end\n"
        );
        let path = scratch_dir("bsim3-nqs-refused").join("d.cir");
        let err = insitu::pdk::load_deck_str(&text, &path)
            .map_err(|e| e.to_string())
            .and_then(|c| insitu::solver::Simulator::new(c).map(|_| ()).map_err(|e| e.to_string()))
            .expect_err("refused");
        assert!(err.contains("nqsmod") && err.contains("NQSMOD") && err.contains(what), "{version}: {err}");
    }
    // NQSMOD on an instance line (ngspice's BSIM3 takes it there too) is an error, not
    // silently the quasi-static model.
    let text = "inst\n.model n nmos level=49 version=3.3.0 tox=4e-9\nM1 d g 0 0 n W=2u L=1u nqsmod=1\nVD d 0 1\nVG g 0 1\n.op\n.end\n";
    let path = scratch_dir("bsim3-nqs-instance").join("d.cir");
    let err = insitu::pdk::load_deck_str(text, &path).map(|_| ()).expect_err("refused").to_string();
    assert!(err.contains("nqsmod") && err.contains(".model"), "{err}");
}

//! BSIM3 NQSMOD = 1 (the charge-deficit node of ngspice's `bsim3` and `bsim3v32`, and the
//! older NQS of `bsim3v1` and `bsim3v0`) against ngspice: a common-source stage on 3.3.0,
//! 3.2.4, 3.1 and 3.0 NQS cards (`tests/bsim3v3/nqs_*`; NMOS and a diode-connected PMOS
//! load, a reverse-mode pass device; op, dc, ac to 100 GHz, a 0.1 ns step, noise), the same
//! stage against its quasi-static self (op unchanged, the high-frequency response and the
//! step differ by far more than the deck tolerances), NQSMOD on instance lines overriding
//! the card's, and ACNQSMOD refused with an error naming it.

mod common;

use common::{check_bsim3_deck, scratch_dir, TIGHT_NEWTON};
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

#[test]
fn nqs_stage_31_agrees_with_ngspice() {
    check_bsim3_deck("nqs_cs_stage_v31.cir", "bsim3-nqs-31");
}

#[test]
fn nqs_stage_30_agrees_with_ngspice() {
    check_bsim3_deck("nqs_cs_stage_v30.cir", "bsim3-nqs-30");
}

/// NQSMOD on instance lines (a BSIM-lite-style 3.3.0 card and a 3.1 card without NQSMOD
/// with `nqsmod=1`, a 3.3.0 NQS card with `nqsmod=0`) against ngspice.
#[test]
fn nqs_instance_override_agrees_with_ngspice() {
    check_bsim3_deck("nqs_instance.cir", "bsim3-nqs-instance");
    // The charge-deficit unknowns follow the instance values, not the cards'.
    let path = dir().join("nqs_instance.cir");
    let text = std::fs::read_to_string(&path).expect("deck");
    let sim =
        insitu::solver::Simulator::new(insitu::pdk::load_deck_str(&text, &path).expect("parses")).expect("compiles");
    let has = |n: &str| sim.unknowns().iter().any(|u| u.name.eq_ignore_ascii_case(n));
    assert!(has("mn#charge") && has("mp#charge") && !has("mx#charge"));
}

/// Runs `deck` (in `tests/bsim3v3`) with the NQS cards as they are (`nqs`) or with NQSMOD
/// set to 0 (on the cards and on instance lines), and returns every analysis.
fn run(deck: &str, nqs: bool) -> Vec<Dataset> {
    let work = scratch_dir(&format!("bsim3-nqs-{}-{deck}", if nqs { "on" } else { "off" }));
    let off = |t: String| if nqs { t } else { t.replace("nqsmod=1", "nqsmod=0") };
    for lib in ["nqs_cards.lib", "nqs_legacy_cards.lib", "v31_cards.lib"] {
        let text = std::fs::read_to_string(dir().join(lib)).expect("cards");
        std::fs::write(work.join(lib), off(text)).expect("write cards");
    }
    let path = work.join(deck);
    let text = off(std::fs::read_to_string(dir().join(deck)).expect("deck"));
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
    for deck in [
        "nqs_cs_stage.cir",
        "nqs_cs_stage_v324.cir",
        "nqs_cs_stage_v31.cir",
        "nqs_cs_stage_v30.cir",
        "nqs_instance.cir",
    ] {
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

/// A card BSIM-lite would run goes to the full BSIM3v3 when an instance sets NQSMOD or
/// ACNQSMOD (BSIM-lite has neither); NQSMOD other than 0 and 1, and NQSMOD on a MOSFET other
/// than BSIM3, are refused by name.
#[test]
fn instance_nqs_flags_route_or_are_refused_by_name() {
    for flag in ["nqsmod=1", "acnqsmod=1"] {
        let text = format!(
            "inst\n.model n nmos level=49 version=3.3.0 tox=4e-9\nM1 d g 0 0 n W=2u L=1u {flag}\nVD d 0 1\nVG g 0 1\n.op\n.end\n"
        );
        let path = scratch_dir("bsim3-nqs-instance-route").join("d.cir");
        let mut sim = insitu::solver::Simulator::new(insitu::pdk::load_deck_str(&text, &path).expect("parses"))
            .unwrap_or_else(|e| panic!("{flag}: {e}"));
        sim.op().unwrap_or_else(|e| panic!("{flag}: {e}"));
        let nqs_node = sim.unknowns().iter().any(|u| u.name.contains("#charge"));
        assert_eq!(nqs_node, flag.starts_with("nqsmod"), "{flag}");
    }
    for (line, what) in [("M1 d g 0 0 n W=2u L=1u nqsmod=2", "nqsmod"), ("M1 d g 0 0 n1 W=2u L=1u nqsmod=1", "nqsmod")]
    {
        let text = format!(
            "inst\n.model n nmos level=49 version=3.1 tox=4e-9\n.model n1 nmos level=1\n{line}\nVD d 0 1\nVG g 0 1\n.op\n.end\n"
        );
        let path = scratch_dir("bsim3-nqs-instance-bad").join("d.cir");
        let err = insitu::pdk::load_deck_str(&text, &path)
            .map_err(|e| e.to_string())
            .and_then(|c| insitu::solver::Simulator::new(c).map(|_| ()).map_err(|e| e.to_string()))
            .expect_err("refused");
        assert!(err.contains(what), "{line}: {err}");
    }
}
/// ngspice's `bsim3v1`/`bsim3v0` small-signal load reads the charge deficit from the state
/// only their transient load writes, and ngspice runs `.tran` before `.noise`: on a 3.1 card
/// the noise of the stage after its transient differs from its noise alone, in ngspice
/// (`nqs_stage_31_agrees_with_ngspice` checks the deck with both) and in insitu, which
/// copies it; without the transient both agree with ngspice too.
#[test]
fn legacy_nqs_noise_follows_the_transient_before_it() {
    let Some(ng) = insitu::ngspice::Ngspice::for_tests() else { return };
    let work = scratch_dir("bsim3-nqs-31-notran");
    std::fs::copy(dir().join("nqs_legacy_cards.lib"), work.join("nqs_legacy_cards.lib")).expect("copy cards");
    let text = std::fs::read_to_string(dir().join("nqs_cs_stage_v31.cir")).expect("deck");
    let alone: String = text.lines().filter(|l| !l.starts_with(".tran")).map(|l| format!("{l}\n")).collect();
    let deck = work.join("nqs_cs_stage_v31_notran.cir");
    std::fs::write(&deck, &alone).expect("write deck");
    let tol = insitu::check::Tolerances::default();
    let report = insitu::check::check_file_with(&deck, &ng, &work, &tol, TIGHT_NEWTON).expect("checks");
    println!("{report}");
    assert!(report.pass(), "{report}");
    let noise = |runs: &[Dataset]| dataset(runs, "Noise Spectral").real("onoise_spectrum").expect("onoise").to_vec();
    let after = noise(&run("nqs_cs_stage_v31.cir", true));
    let circuit = insitu::pdk::load_deck_str(&alone, &deck).expect("deck parses");
    let before = noise(&insitu::solver::Simulator::new(circuit).expect("compiles").run_all().expect("runs"));
    let worst = after.iter().zip(&before).map(|(a, b)| ((a - b) / b).abs()).fold(0.0, f64::max);
    println!("3.1 NQS output noise after the transient vs alone: up to {worst:.3e} relative");
    assert!(worst > 1e-4, "the transient left no trace: {worst}");
}

/// ngspice runs a deck's analyses in its own order (`.ac`, `.dc`, `.op`, `.tran`, `.noise`),
/// and so does `Simulator::run_all`: the 3.1 NQS stage with its cards listed `.noise`, `.tran`,
/// `.ac` (the `.noise` and `.ac` read the charge deficit the transient leaves) agrees with
/// ngspice as the deck in ngspice's order does.
#[test]
fn legacy_nqs_deck_runs_its_analyses_in_ngspice_order() {
    let Some(ng) = insitu::ngspice::Ngspice::for_tests() else { return };
    let work = scratch_dir("bsim3-nqs-31-order");
    std::fs::copy(dir().join("nqs_legacy_cards.lib"), work.join("nqs_legacy_cards.lib")).expect("copy cards");
    let text = std::fs::read_to_string(dir().join("nqs_cs_stage_v31.cir")).expect("deck");
    let card = |kind: &str| text.lines().find(|l| l.starts_with(kind)).expect("card").to_string();
    let body: Vec<&str> = text
        .lines()
        .filter(|l| {
            !(l.starts_with(".ac") || l.starts_with(".tran") || l.starts_with(".noise") || l.starts_with(".end"))
        })
        .collect();
    let shuffled = format!("{}\n{}\n{}\n{}\n.end\n", body.join("\n"), card(".noise"), card(".tran"), card(".ac"));
    let deck = work.join("nqs_cs_stage_v31_shuffled.cir");
    std::fs::write(&deck, &shuffled).expect("write deck");
    let tol = insitu::check::Tolerances::default();
    let report = insitu::check::check_file_with(&deck, &ng, &work, &tol, TIGHT_NEWTON).expect("checks");
    println!("{report}");
    assert!(report.pass(), "{report}");
    let circuit = insitu::pdk::load_deck_str(&shuffled, &deck).expect("deck parses");
    let names: Vec<String> = insitu::solver::Simulator::new(circuit)
        .expect("compiles")
        .run_all()
        .expect("runs")
        .iter()
        .map(|d| d.name.clone())
        .collect();
    println!("{names:?}");
    let at = |p: &str| names.iter().position(|n| n.starts_with(p)).unwrap_or_else(|| panic!("{p}: {names:?}"));
    assert!(at("AC") < at("DC") && at("DC") < at("Operating") && at("Operating") < at("Transient"));
    assert!(at("Transient") < at("Noise Spectral"));
}

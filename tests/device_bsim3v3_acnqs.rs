//! BSIM3 ACNQSMOD = 1 (ngspice 39's AC-only non-quasi-static model in `bsim3`, 3.3.0) against
//! ngspice: a common-source stage (`tests/bsim3v3/acnqs_cs_stage.cir`: ACNQS NMOS and
//! diode-connected PMOS load, a reverse-mode pass device with NQSMOD and ACNQSMOD both on;
//! op, dc, ac to 100 GHz, a step, noise) and a five-transistor OTA with ACNQSMOD on the card
//! and on instance lines (`acnqs_ota.cir`), at the tight Newton options; the same decks
//! against their quasi-static selves (op, dc and transient unchanged, the high-frequency AC
//! response and the noise differ by far more than the deck tolerances); ngspice's handling of
//! values other than 0/1 and of revisions without ACNQSMOD.

mod common;

use common::{check_bsim3_deck, scratch_dir};
use insitu::solver::results::{Data, Dataset};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[test]
fn acnqs_stage_agrees_with_ngspice() {
    check_bsim3_deck("acnqs_cs_stage.cir", "bsim3-acnqs-cs");
}

#[test]
fn acnqs_ota_agrees_with_ngspice() {
    check_bsim3_deck("acnqs_ota.cir", "bsim3-acnqs-ota");
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3")
}

/// Runs `deck` (in `tests/bsim3v3`) as it is (`acnqs`) or with every ACNQSMOD = 1 of the
/// cards and the instance lines set to 0, and returns every analysis.
fn run(deck: &str, acnqs: bool) -> Vec<Dataset> {
    let work = scratch_dir(if acnqs { "bsim3-acnqs-on" } else { "bsim3-acnqs-off" });
    let off = |t: String| if acnqs { t } else { t.replace("acnqsmod=1", "acnqsmod=0") };
    let lib = off(std::fs::read_to_string(dir().join("acnqs_cards.lib")).expect("cards"));
    std::fs::write(work.join("acnqs_cards.lib"), lib).expect("write cards");
    let text = off(std::fs::read_to_string(dir().join(deck)).expect("deck"));
    let circuit = insitu::pdk::load_deck_str(&text, &work.join(deck)).expect("deck parses");
    let mut sim = insitu::solver::Simulator::new(circuit).expect("compiles");
    assert!(sim.warnings().is_empty(), "{:?}", sim.warnings());
    sim.run_all().expect("runs")
}

fn dataset<'a>(runs: &'a [Dataset], name: &str) -> &'a Dataset {
    runs.iter().find(|d| d.name.starts_with(name)).unwrap_or_else(|| panic!("no {name}"))
}

fn frequencies(d: &Dataset) -> Vec<f64> {
    match &d.vector("frequency").expect("frequency").data {
        Data::Real(v) => v.clone(),
        Data::Complex(v) => v.iter().map(|z| z.re).collect(),
    }
}

/// ACNQSMOD against quasi-static on the same decks: the operating point, the DC sweep and
/// the transient are the same (ACNQSMOD is an AC-only model; the pass device's NQSMOD stays
/// on in both), the AC response agrees at low frequency and departs by far more than the
/// deck tolerance (0.01 dB, 0.1 degree) where the channel's relaxation time matters, and so
/// does the output noise.
#[test]
fn acnqs_differs_from_quasi_static_only_in_ac() {
    for (deck, nodes) in [("acnqs_cs_stage.cir", &["out", "x"][..]), ("acnqs_ota.cir", &["out", "d1", "tail"][..])] {
        let (on, off) = (run(deck, true), run(deck, false));
        for name in ["Operating Point", "DC transfer", "Transient"] {
            let Some(a) = on.iter().find(|d| d.name.starts_with(name)) else { continue };
            let b = dataset(&off, name);
            for v in nodes {
                let (a, b) = (a.real(&format!("v({v})")).expect("vector"), b.real(&format!("v({v})")).expect("vector"));
                assert_eq!(a.len(), b.len(), "{deck} {name}");
                for (x, y) in a.iter().zip(b) {
                    assert!((x - y).abs() <= 1e-12 * y.abs() + 1e-15, "{deck} {name} v({v}): {x} vs {y}");
                }
            }
        }
        let (a, b) = (dataset(&on, "AC"), dataset(&off, "AC"));
        let f = frequencies(a);
        let (ya, yb) = (a.complex("v(out)").expect("out"), b.complex("v(out)").expect("out"));
        let db = |z: num_complex::Complex64| 20.0 * z.norm().log10();
        let (mut low, mut high, mut high_deg) = (0.0f64, 0.0f64, 0.0f64);
        for ((&f, &x), &y) in f.iter().zip(ya).zip(yb) {
            let d = (db(x) - db(y)).abs();
            if f <= 1e5 {
                low = low.max(d);
            } else if f >= 1e9 {
                high = high.max(d);
                high_deg = high_deg.max((x / y).arg().to_degrees().abs());
            }
        }
        println!("{deck}: |ACNQS - QS| up to 100 kHz {low:.2e} dB; from 1 GHz {high:.3} dB, {high_deg:.2} degrees");
        assert!(low < 1e-3, "{deck}: low-frequency gain differs by {low} dB");
        assert!(high > 100.0 * 0.01 && high_deg > 100.0 * 0.1, "{deck}: ACNQS changes the response by {high} dB");
        let (a, b) = (dataset(&on, "Noise Spectral"), dataset(&off, "Noise Spectral"));
        let f = frequencies(a);
        let (na, nb) = (a.real("onoise_spectrum").expect("noise"), b.real("onoise_spectrum").expect("noise"));
        let ratio = f
            .iter()
            .zip(na.iter().zip(nb))
            .filter(|(f, _)| **f >= 1e9)
            .map(|(_, (x, y))| (x / y).ln().abs())
            .fold(0.0, f64::max);
        println!("{deck}: output noise from 1 GHz differs by up to a factor {:.3}", ratio.exp());
        assert!(ratio.exp() > 1.1, "{deck}: ACNQS changes the output noise by a factor {}", ratio.exp());
    }
}

fn compile(text: &str, work: &str) -> Result<insitu::solver::Simulator, String> {
    let path = scratch_dir(work).join("d.cir");
    insitu::pdk::load_deck_str(text, &path)
        .map_err(|e| e.to_string())
        .and_then(|c| insitu::solver::Simulator::new(c).map_err(|e| e.to_string()))
}

/// The warning lines of an ngspice log, whitespace-normalized, without the prefix.
fn ngspice_warnings(log: &str) -> BTreeSet<String> {
    log.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| l.starts_with("Warning: ") && !l.starts_with("Warning: Model issue"))
        .map(|l| l.trim_start_matches("Warning: ").to_string())
        .collect()
}

/// ngspice's `b3set.c` on values other than 0/1: the card's becomes 0 ("set to its default
/// value"), an instance's the card's ("set to its global value"), with the model running as
/// that value says; ACNQSMOD on a 3.2.4 card is ignored with "unrecognized parameter", on a
/// 3.2.4 instance line (or a level-1 one) it is ngspice's "unknown parameter" error.
#[test]
fn acnqs_selector_values_and_revisions_as_ngspice() {
    const C: &str = "tox=4.1e-9 elm=4";
    let text = format!(
        "acnqs values\n\
         .model n2 nmos level=8 version=3.3.0 {C} acnqsmod=2\n\
         .model n1 nmos level=8 version=3.3.0 {C} acnqsmod=1\n\
         VD d 0 1.2\nVG g 0 1.0 AC 1\nVD2 d2 0 1.2\n\
         M1 d g 0 0 n2 W=2u L=0.5u PD=3u PS=3u\n\
         M2 d2 g 0 0 n1 W=2u L=0.5u PD=3u PS=3u acnqsmod=3\n.ac lin 1 10g 10g\n.end\n"
    );
    let sim = compile(&text, "bsim3-acnqs-values").expect("compiles");
    let ours: BTreeSet<String> = sim.warnings().iter().map(|w| w.message.clone()).collect();
    let expected: BTreeSet<String> =
        ["acnqsMod has been set to its default value: 0.", "acnqsMod has been set to its global value 1."]
            .map(String::from)
            .into();
    assert_eq!(ours, expected);
    // Each runs as the value it was set to: M1 quasi-static, M2 ACNQS (the drain currents
    // at 10 GHz against decks that give those values, and against all quasi-static).
    let ac = |text: &str| {
        let runs = compile(text, "bsim3-acnqs-values-ac").expect("compiles").run_all().expect("runs");
        let d = dataset(&runs, "AC");
        [d.complex("i(vd)").expect("i(vd)")[0], d.complex("i(vd2)").expect("i(vd2)")[0]]
    };
    let [i1, i2] = ac(&text);
    let [r1, r2] = ac(&text.replace("acnqsmod=2", "acnqsmod=0").replace("acnqsmod=3", "acnqsmod=1"));
    let [_, q2] = ac(&text.replace("acnqsmod=3", "acnqsmod=0"));
    assert_eq!((i1, i2), (r1, r2));
    assert!((i2 - q2).norm() > 0.01 * q2.norm(), "{i2} vs {q2}");
    if let Some(ng) = insitu::ngspice::Ngspice::for_tests() {
        let log = ng.run(&text, &scratch_dir("bsim3-acnqs-values-ng")).expect("ngspice runs").log;
        assert_eq!(ngspice_warnings(&log), ours, "ngspice log:\n{log}");
    }
    let card = "VD d 0 1.2\nVG g 0 1.0\n.op\n.end\n";
    let text = format!("v324\n.model n nmos level=8 version=3.2.4 {C} acnqsmod=1\nM1 d g 0 0 n W=2u L=0.5u\n{card}");
    let sim = compile(&text, "bsim3-acnqs-324").expect("compiles");
    assert!(sim.warnings().iter().any(|w| w.message == "unrecognized parameter (acnqsmod) - ignored"));
    for model in [".model n nmos level=8 version=3.2.4 tox=4.1e-9", ".model n nmos level=1"] {
        let text = format!("inst\n{model}\nM1 d g 0 0 n W=2u L=0.5u acnqsmod=1\n{card}");
        let err = compile(&text, "bsim3-acnqs-324-inst").map(|_| ()).expect_err("refused");
        assert!(err.contains("unknown parameter (acnqsmod)"), "{err}");
    }
}

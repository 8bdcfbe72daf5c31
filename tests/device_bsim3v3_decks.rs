//! Whole decks on the full BSIM3v3 cards (`tests/bsim3v3/full_cards.lib`) against ngspice:
//! a common-source stage (op, dc, ac, tran, noise; CAPMOD 3 and CAPMOD 2), a three-stage inverter chain (op, dc,
//! tran) and a five-transistor OTA (op, ac, noise), at tight Newton tolerances so the
//! remaining difference is one of equations. Also checks that these cards are routed to
//! the full model (BSIM-lite rejects them).

use insitu::check::{check_file_with, Tolerances};
use insitu::ngspice::Ngspice;
use std::path::{Path, PathBuf};

const TIGHT: &str = "reltol=1e-6 vntol=1e-9 abstol=1e-15";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3")
}

#[test]
fn full_bsim3_decks_agree_with_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let mut failures = Vec::new();
    for name in ["cs_stage", "cs_stage_capmod2", "inverter_chain", "ota5t"] {
        let deck = dir().join(format!("{name}.cir"));
        let work = std::env::temp_dir().join(format!("insitu-bsim3v3-{}-{name}", std::process::id()));
        match check_file_with(&deck, &ng, &work, &Tolerances::default(), TIGHT) {
            Ok(report) => {
                let worst = report.rows.iter().map(|r| r.score).fold(0.0, f64::max);
                println!("{name:<16} {} vectors, worst {worst:.3e} of tolerance", report.rows.len());
                println!("{report}");
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
fn full_cards_are_routed_to_the_full_model() {
    let c = insitu_netlist::load_file(&dir().join("cs_stage.cir")).expect("deck parses");
    let models = insitu_solver::compile::compile_models(&c).expect("models compile");
    let full = models.iter().filter(|m| matches!(m, insitu_solver::compile::CompiledModel::Bsim3v3(_))).count();
    assert_eq!(full, 2, "both cards need the full model");
}

#[test]
fn bsim3_versions_map_as_in_ngspice() {
    use insitu_solver::compile::bsim3_other_implementation as other;
    for v in ["3.3.0", "3.3", "3.30", "default"] {
        assert_eq!(other(v), None, "{v} is BSIM3v3.3");
    }
    assert_eq!(other("3.0"), None, "3.0 runs on the full model's bsim3v0 branches");
    assert_eq!(other("3.1"), None, "3.1 runs on the full model's bsim3v1 branches");
    for v in ["3.2", "3.2.2", "3.2.3", "3.2.4", "3.24", "3.2.1"] {
        assert_eq!(other(v), None, "{v} runs on the full model's bsim3v32 branches");
    }
    assert!(other("4.5").unwrap().contains("no BSIM3"));
    let deck =
        "v30\n.model n nmos level=49 version=3.0 tox=4e-9\nM1 d g 0 0 n W=1u L=1u\nVD d 0 1\nVG g 0 1\n.op\n.end\n";
    let parsed =
        insitu_netlist::parse_str(deck, Path::new("v30.cir"), &insitu_netlist::MemLoader::default()).expect("parses");
    let c = insitu_netlist::elaborate(&parsed, &Default::default()).expect("elaborates");
    let models = insitu_solver::compile::compile_models(&c).expect("3.0 compiles");
    assert!(models.iter().any(|m| matches!(m, insitu_solver::compile::CompiledModel::Bsim3v3(_))));
    // RSH and ALPHA0 run on 3.0 cards as bsim3v0 has them (no longer refused).
    for extra in ["rsh=5", "alpha0=1e-6"] {
        let text = deck.replace("tox=4e-9", &format!("tox=4e-9 {extra}"));
        let parsed = insitu_netlist::parse_str(&text, Path::new("v30.cir"), &insitu_netlist::MemLoader::default())
            .expect("parses");
        let c = insitu_netlist::elaborate(&parsed, &Default::default()).expect("elaborates");
        insitu_solver::compile::compile_models(&c).unwrap_or_else(|e| panic!("{extra}: {e}"));
    }
}

/// Instance DELVTO and MULU0 (ngspice's `bsim3`/`bsim3v32` instance parameters, `b3temp.c`:
/// VTH0 + delvto, VFB and VFBZB + type x delvto, U0 x mulu0): CS stages on 3.3.0 and 3.2.4
/// cards against ngspice (op, dc, ac, tran, noise), with an unshifted copy beside the shifted
/// one to show that they act; on 3.1 and level-1 instances they are ngspice's "unknown
/// parameter" error.
#[test]
fn instance_delvto_and_mulu0_agree_with_ngspice() {
    let text = std::fs::read_to_string(dir().join("delvto_stage.cir")).expect("deck");
    let circuit = insitu::pdk::load_deck_str(&text, &dir().join("delvto_stage.cir")).expect("parses");
    let mut sim = insitu::solver::Simulator::new(circuit).expect("compiles");
    sim.op().expect("op");
    let (shifted, plain) = (sim.voltage("out").unwrap(), sim.voltage("out0").unwrap());
    println!("v(out) {shifted:.6} V with delvto/mulu0, {plain:.6} V without");
    assert!((shifted - plain).abs() > 5e-3, "delvto/mulu0 moved nothing: {shifted} vs {plain}");
    for (card, line) in [
        (".model n nmos level=49 version=3.1 tox=4e-9", "M1 d g 0 0 n W=2u L=1u delvto=0.05"),
        (".model n nmos level=49 version=3.0 tox=4e-9", "M1 d g 0 0 n W=2u L=1u mulu0=1.1"),
        (".model n nmos level=1", "M1 d g 0 0 n W=2u L=1u delvto=0.05"),
    ] {
        let deck = format!("d\n{card}\n{line}\nVD d 0 1\nVG g 0 1\n.op\n.end\n");
        let err = insitu::pdk::load_deck_str(&deck, &dir().join("d.cir"))
            .map_err(|e| e.to_string())
            .and_then(|c| insitu::solver::Simulator::new(c).map(|_| ()).map_err(|e| e.to_string()))
            .expect_err("refused");
        assert!(err.contains("unknown parameter (delvto)") || err.contains("unknown parameter (mulu0)"), "{err}");
    }
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let work = std::env::temp_dir().join(format!("insitu-bsim3v3-{}-delvto", std::process::id()));
    let report = check_file_with(&dir().join("delvto_stage.cir"), &ng, &work, &Tolerances::default(), TIGHT)
        .unwrap_or_else(|e| panic!("{e}"));
    let worst = report.rows.iter().map(|r| r.score).fold(0.0, f64::max);
    println!("delvto_stage: {} vectors, worst {worst:.3e} of tolerance\n{report}", report.rows.len());
    assert!(report.pass(), "{report}");
}

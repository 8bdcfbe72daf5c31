//! `insitu check`'s tight-RELTOL re-run: ngspice's unconverged operating point of a high-gain
//! node (the Miller op-amp's first-stage output) is told from a real difference. Skipped (with
//! a message) when ngspice is absent, unless `INSITU_REQUIRE_NGSPICE=1`.

use insitu::check::{check_file_tight, compare, prepare_deck, recheck_tight, Tolerances, TIGHT_RELTOL};
use insitu::ngspice::Ngspice;
use std::path::{Path, PathBuf};

fn miller() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/two_stage_miller/two_stage_tb.cir")
}

fn work_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("insitu-test-{}-{name}", std::process::id()))
}

#[test]
fn unconverged_ngspice_operating_point_passes_with_the_annotation() {
    let Some(ng) = Ngspice::for_tests() else { return };
    let tol = Tolerances::default();
    // Without the re-run, ngspice's default-RELTOL op of the first stage's output fails.
    let plain = check_file_tight(&miller(), &ng, &work_dir("miller-plain"), &tol, "", None).unwrap();
    let d2 = plain.row("Operating", "v(x1.d2)").expect("v(x1.d2) compared");
    assert!(d2.score > 1.0 && d2.tight.is_none() && !plain.pass(), "{plain}");
    assert!(plain.tight.is_none());

    let report = check_file_tight(&miller(), &ng, &work_dir("miller-tight"), &tol, "", Some(TIGHT_RELTOL)).unwrap();
    let text = report.to_string();
    println!("{text}");
    let d2 = report.row("Operating", "v(x1.d2)").expect("v(x1.d2) compared");
    // The same score at the deck's tolerance; within tolerance of ngspice at reltol 1e-7.
    assert_eq!(d2.score, plain.row("Operating", "v(x1.d2)").unwrap().score);
    let (tight_score, _) = d2.tight.clone().expect("re-checked against the tight reference");
    assert!(tight_score <= 1.0 && d2.passes_tight() && d2.pass(), "{text}");
    let run = report.tight.as_ref().expect("the tight re-run was made");
    assert_eq!((run.deck_reltol, run.reltol, run.error.as_deref()), (1e-3, 1e-7, None));
    // Rows that passed at the deck's tolerance are not re-checked.
    assert!(report.rows.iter().all(|r| r.score <= 1.0 || r.tight.is_some()));
    assert!(report.rows.iter().filter(|r| r.score <= 1.0).all(|r| r.tight.is_none()));
    assert!(text.contains("ngspice unconverged at reltol=1e-3 (passes against reltol=1e-7)"), "{text}");
    assert!(text.contains("pass against ngspice at reltol=1e-7"), "{text}");
    assert!(report.pass(), "{text}");
}

#[test]
fn real_difference_still_fails_against_the_tight_reference() {
    let Some(ng) = Ngspice::for_tests() else { return };
    let tol = Tolerances::default();
    let deck = miller();
    let dir = deck.parent().unwrap().canonicalize().unwrap();
    let text = prepare_deck(&std::fs::read_to_string(&deck).unwrap(), &dir, "");
    // insitu runs the deck with the bias current 0.1 % higher; ngspice runs the original.
    let changed = text.replace("ibias=10u", "ibias=10.01u");
    assert_ne!(changed, text);
    let circuit = insitu_pdk::load_deck_str(&changed, &deck).unwrap();
    let ours = insitu_solver::Simulator::new(circuit).unwrap().run_all().unwrap();
    let theirs = ng.run(&text, &work_dir("miller-diff")).unwrap();
    let mut report = compare(&ours, &theirs.plots, &tol);
    recheck_tight(&mut report, &ours, &text, TIGHT_RELTOL, &ng, &work_dir("miller-diff-tight"), &tol);
    let shown = report.to_string();
    println!("{shown}");
    assert!(report.tight.as_ref().is_some_and(|t| t.error.is_none()), "{shown}");
    // The bias node and the supply current move with the bias current: they fail against
    // both references (the first stage's output, set by the mirror's symmetry, hardly moves
    // and is still ngspice's unconverged node).
    for v in ["v(x1.nb)", "i(vdd)"] {
        let row = report.row("Operating", v).expect("compared");
        let (tight_score, _) = row.tight.clone().expect("re-checked");
        assert!(row.score > 1.0 && tight_score > 1.0 && !row.pass(), "{shown}");
    }
    assert!(shown.contains("fails against reltol=1e-7 too"), "{shown}");
    assert!(!report.pass(), "{shown}");
}

#[test]
fn cli_passes_the_miller_testbench_and_fails_it_with_no_tight() {
    let Some(_) = Ngspice::for_tests() else { return };
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_insitu"))
            .arg("check")
            .arg(miller())
            .arg("--work-dir")
            .arg(work_dir(&format!("cli{}", extra.len())))
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("ok*") && stdout.trim_end().ends_with("PASS"), "{stdout}");
    let out = run(&["--no-tight"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(!stdout.contains("ok*") && stdout.trim_end().ends_with("FAIL"), "{stdout}");
}

#[test]
fn unconverged_ngspice_dc_sweep_passes_with_the_annotation() {
    let Some(ng) = Ngspice::for_tests() else { return };
    // The Miller testbench swept over 1 mV around its bias point (no .op, .ac, .tran).
    let text = std::fs::read_to_string(miller()).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with(".tran") && *l != ".op")
        .map(|l| if l.starts_with(".ac ") { ".dc vin 0.8995 0.9005 0.0005" } else { l })
        .flat_map(|l| [l, "\n"])
        .collect();
    assert!(text.contains(".dc vin"));
    let dir = work_dir("miller-dc");
    std::fs::create_dir_all(&dir).unwrap();
    let deck = dir.join("miller_dc.cir");
    std::fs::write(&deck, text).unwrap();
    let tol = Tolerances::default();
    let report = check_file_tight(&deck, &ng, &dir.join("ng"), &tol, "", Some(TIGHT_RELTOL)).unwrap();
    println!("{report}");
    let d2 = report.row("DC", "v(x1.d2)").expect("v(x1.d2) swept");
    assert!(d2.score > 1.0 && d2.passes_tight(), "{report}");
    assert!(report.pass(), "{report}");
    let plain = check_file_tight(&deck, &ng, &dir.join("ng-plain"), &tol, "", None).unwrap();
    assert!(!plain.pass(), "{plain}");
}

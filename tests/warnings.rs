//! Compile-time warnings (`Simulator::warnings`, printed by the CLI as `warning: ...`)
//! against ngspice 39 on full BSIM3v3 cards:
//! - parameters BSIM3v3.3 does not know are ignored with ngspice's "unrecognized parameter
//!   (name) - ignored", and the numbers are those of the card without them;
//! - ngspice's parameter checks (`b3check.c`): the default ones and the PARAMCHK = 1 ones give
//!   the same set of warning lines as ngspice prints, and the PARAMCHK clamps (A2/A1, RDSW,
//!   Rds, CGDO) give ngspice's numbers (op, ac, tran within the deck tolerances);
//! - a fatal check is an error naming the parameter, where ngspice stops with "Fatal: ...".

mod common;

use common::scratch_dir;
use insitu::check::{check_file_with, Tolerances};
use insitu::ngspice::Ngspice;
use insitu_solver::Simulator;
use std::collections::BTreeSet;
use std::path::Path;

const BASE: &str = "tox=4.1e-9 xj=1e-7 nch=2.35e17 vth0=0.37 k1=0.58 k2=1.5e-3 u0=265 ua=-1.3e-9 ub=2.3e-18 \
                    uc=5e-11 vsat=1e5 a0=1.9 keta=-1e-2 pclm=0.7 rdsw=105 prwg=0.5 cgso=8e-10 cgdo=8e-10 \
                    cj=9.6e-4 mj=0.37 cjsw=2.5e-10 mjsw=0.1 js=1e-6";

fn deck(cards: &str) -> String {
    format!(
        "warnings\n{cards}\nVD d 0 1.2\nVG g 0 DC 0.9 AC 1 PULSE(0 1.8 1n 0.5n 0.5n 4n 10n)\nRD vdd d2 5k\nVDD vdd 0 1.8\n\
         M1 d2 g 0 0 nch W=1u L=0.18u PD=0.5u PS=3u AD=0.5p AS=0.5p\n\
         M2 d2 g 0 0 nch W=2u L=0.18u PD=0.5u PS=5u AD=1p AS=1p\n\
         M3 d g 0 0 nch2 W=20u L=0.18u PD=50u PS=50u AD=10p AS=10p\n\
         CL d2 0 20f\n.op\n.ac dec 5 1k 10g\n.tran 0.05n 20n\n.end\n"
    )
}

fn compile(text: &str) -> Result<Simulator, insitu_solver::SimError> {
    let parsed =
        insitu_netlist::parse_str(text, Path::new("w.cir"), &insitu_netlist::MemLoader::default()).expect("parses");
    let c = insitu_netlist::elaborate(&parsed, &Default::default()).expect("elaborates");
    Simulator::new(c)
}

fn simulator(text: &str) -> Simulator {
    compile(text).expect("compiles")
}

/// The error of a deck whose compilation must fail (a fatal parameter check).
fn fatal_error(text: &str) -> String {
    compile(text).map(|_| ()).expect_err("fatal check").to_string()
}

/// Writes `text` as `name` into `dir` and checks the whole deck against ngspice at tight
/// tolerances (what a clamped or revision-checked card must still agree on).
fn assert_deck_matches_ngspice(ng: &Ngspice, dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("deck written");
    let report = check_file_with(&path, ng, &dir.join("check"), &Tolerances::default(), "reltol=1e-6 vntol=1e-9")
        .expect("check runs");
    println!("{report}");
    assert!(report.pass(), "{report}");
}

/// The warning lines of an ngspice log: "Warning: ..." after a "Checking parameters" line
/// and "unrecognized parameter (x) - ignored", whitespace-normalized, without the prefix.
fn ngspice_warnings(log: &str) -> BTreeSet<String> {
    log.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| {
            (l.starts_with("Warning: ") && !l.starts_with("Warning: Model issue"))
                || l.starts_with("unrecognized parameter")
        })
        .map(|l| l.trim_start_matches("Warning: ").to_string())
        .collect()
}

fn ours(sim: &Simulator) -> BTreeSet<String> {
    sim.warnings().iter().map(|w| w.message.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

#[test]
fn unrecognized_parameters_are_ignored_with_ngspices_warning() {
    let plain = format!(".model nch nmos level=8 version=3.3.0 {BASE} dwg=-4e-9\n.model nch2 nmos level=8 {BASE}");
    let extra = format!(
        ".model nch nmos level=8 version=3.3.0 {BASE} dwg=-4e-9 foo=1 lbar=2e-3\n.model nch2 nmos level=8 {BASE} \
         wnosuch=3"
    );
    let mut a = simulator(&deck(&plain));
    let mut b = simulator(&deck(&extra));
    a.op().expect("op");
    b.op().expect("op");
    assert_eq!(a.solution(), b.solution(), "ignored parameters must not change the operating point");
    let unrecognized = |s: &Simulator| -> Vec<String> {
        s.warnings().iter().map(|w| w.to_string()).filter(|w| w.contains("unrecognized")).collect()
    };
    let got = unrecognized(&b);
    assert_eq!(
        got,
        [
            "model 'nch': unrecognized parameter (foo) - ignored",
            "model 'nch': unrecognized parameter (lbar) - ignored",
            "model 'nch2': unrecognized parameter (wnosuch) - ignored",
        ]
    );
    assert!(unrecognized(&a).is_empty(), "{:?}", a.warnings());
    // The other warnings (parameter checks) are the same with and without the extra names.
    assert_eq!(a.warnings().len() + got.len(), b.warnings().len());
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let log = ng.run(&deck(&extra), &scratch_dir("warnings-unrecognized")).expect("ngspice runs").log;
    assert_eq!(ngspice_warnings(&log), ours(&b), "ngspice log:\n{log}");
}

#[test]
fn parameter_checks_warn_and_clamp_as_ngspice() {
    let cards = format!(
        ".model nch nmos level=8 version=3.3.0 {BASE} paramchk=1 a1=0.02 a2=1.5 lrdsw=-300 cgdo=-1e-10 \
         nfactor=-0.1 voffcv=0.6 moin=30 noff=5 capmod=3 acde=0.3 pscbe2=-1e-9 ngate=1e17\n\
         .model nch2 nmos level=8 version=3.3.0 {BASE} paramchk=1 rdsw=1e-4 a2=0.001 dvt0=-0.5"
    );
    let text = deck(&cards);
    let sim = simulator(&text);
    for w in sim.warnings() {
        println!("warning: {w}");
    }
    let got = ours(&sim);
    for must in [
        "A2 = 1.5 is larger than 1. A2 is set to 1 and A1 is set to 0.",
        "cgdo = -1e-10 is negative. Set to zero.",
        "Pd = 5e-07 is less than W.",
        "A2 = 0.001 is too small. Set to 0.01.",
    ] {
        assert!(got.contains(must), "missing '{must}' in {got:?}");
    }
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("warnings-paramchk");
    let log = ng.run(&text, &dir).expect("ngspice runs").log;
    assert_eq!(ngspice_warnings(&log), got, "ngspice log:\n{log}");
    // The clamped values are ngspice's: the whole deck agrees.
    assert_deck_matches_ngspice(&ng, &dir, "paramchk.cir", &text);
}

#[test]
fn fatal_checks_are_errors_naming_the_parameter() {
    let text = deck(&format!(
        ".model nch nmos level=8 version=3.3.0 {BASE} dvt1=-0.1\n.model nch2 nmos level=8 version=3.3.0 {BASE}"
    ));
    let err = fatal_error(&text);
    assert!(err.contains("'dvt1'") && err.contains("Fatal: Dvt1 = -0.1 is negative."), "{err}");
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let log = ng.run_for_log(&text, &scratch_dir("warnings-fatal")).expect("ngspice runs");
    assert!(log.contains("Fatal: Dvt1 = -0.1 is negative."), "{log}");
    assert!(log.contains("Fatal error(s) detected during BSIM3V3.3 parameter checking"), "{log}");
}

#[test]
fn cli_prints_warnings_to_stderr() {
    let dir = scratch_dir("warnings-cli");
    let path = dir.join("w.cir");
    let cards = format!(".model nch nmos level=8 {BASE} foo=1\n.model nch2 nmos level=8 {BASE}");
    std::fs::write(&path, deck(&cards).replace(".ac dec 5 1k 10g\n.tran 0.05n 20n\n", "")).expect("deck written");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insitu")).arg("sim").arg(&path).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning: model 'nch': unrecognized parameter (foo) - ignored"), "{stderr}");
    assert!(stderr.contains("warning: element 'm1': model 'nch': Pd = 5e-07 is less than W."), "{stderr}");
}

/// Names a BSIM3 revision does not know (XL/XW on a 3.1 card, LINTNOI on 3.2.4, LMLT on
/// 3.3.0) are ignored with ngspice's warning: the same set of lines as ngspice prints, and
/// the same operating point as without them.
#[test]
fn revision_unknown_parameters_warn_as_ngspice() {
    let cards = |extra31: &str, extra324: &str, extra330: &str| {
        format!(
            ".model nch nmos level=49 version=3.1 {BASE} {extra31}\n\
             .model nch2 nmos level=8 version=3.2.4 {BASE} {extra324}\n\
             .model nch3 nmos level=8 version=3.3.0 {BASE} {extra330}"
        )
    };
    let text = |c: &str| deck(c).replace("M2 d2 g 0 0 nch ", "M2 d2 g 0 0 nch3 ");
    let plain = text(&cards("", "", ""));
    let extra = text(&cards("xl=1e-8 xw=-1e-8", "lintnoi=1e-8", "lmlt=0.9"));
    let mut a = simulator(&plain);
    let mut b = simulator(&extra);
    a.op().expect("op");
    b.op().expect("op");
    assert_eq!(a.solution(), b.solution(), "ignored parameters must not change the operating point");
    let unrecognized: BTreeSet<String> =
        b.warnings().iter().map(|w| w.to_string()).filter(|w| w.contains("unrecognized")).collect();
    let want: BTreeSet<String> = [
        "model 'nch': unrecognized parameter (xl) - ignored",
        "model 'nch': unrecognized parameter (xw) - ignored",
        "model 'nch2': unrecognized parameter (lintnoi) - ignored",
        "model 'nch3': unrecognized parameter (lmlt) - ignored",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(unrecognized, want);
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let log = ng.run(&extra, &scratch_dir("warnings-revisions")).expect("ngspice runs").log;
    let theirs: BTreeSet<String> =
        ngspice_warnings(&log).into_iter().filter(|w| w.starts_with("unrecognized")).collect();
    let ours_u: BTreeSet<String> = ours(&b).into_iter().filter(|w| w.starts_with("unrecognized")).collect();
    assert_eq!(theirs, ours_u, "ngspice log:\n{log}");
}

/// Each revision runs its own implementation's checks, as ngspice does: `b3v1check.c` on a
/// 3.1 card (no PSCBE2, NOFF, VOFFCV, MOIN checks; a perimeter shorter than W warns and is
/// set to Weff), `b3v32check.c` on a 3.2.4 card (b3check.c without LINTNOI, which `bsim3v32`
/// does not know), `b3check.c` on 3.3.0. The warning lines are the set ngspice prints; the
/// 3.1 card's clamped perimeters give ngspice's numbers in a whole deck (op, ac, tran).
#[test]
fn each_revision_runs_its_own_checks() {
    let cards = format!(
        ".model nch nmos level=49 version=3.1 {BASE} paramchk=1 a2=1.5 nfactor=-0.1 pscbe2=-1e-9 cjswg=4e-10\n\
         .model nch2 nmos level=8 version=3.2.4 {BASE} paramchk=1 a2=0.001 noff=5 voffcv=0.6 moin=30 lintnoi=1e-6"
    );
    let text = deck(&cards);
    let sim = simulator(&text);
    for w in sim.warnings() {
        println!("warning: {w}");
    }
    let of = |model: &str| -> Vec<String> {
        sim.warnings().iter().map(|w| w.to_string()).filter(|w| w.contains(&format!("model '{model}': "))).collect()
    };
    let (v31, v324) = (of("nch"), of("nch2"));
    let has = |set: &[String], text: &str| set.iter().any(|w| w.contains(text));
    assert!(has(&v31, "Pd = 5e-07 is less than W.") && has(&v31, "A2 = 1.5 is larger than 1."), "{v31:?}");
    assert!(has(&v31, "Nfactor = -0.1 is negative."), "{v31:?}");
    assert!(!has(&v31, "Pscbe2"), "bsim3v1 has no PSCBE2 check: {v31:?}");
    for must in ["Noff = 5 is too large.", "Voffcv = 0.6 is too large.", "Moin = 30 is too large.", "A2 = 0.001"] {
        assert!(has(&v324, must), "missing '{must}' in {v324:?}");
    }
    assert!(has(&v324, "unrecognized parameter (lintnoi) - ignored"), "{v324:?}");
    // 3.3.0 with the same LINTNOI is fatal (its b3check.c has the check).
    let fatal = deck(&format!(
        ".model nch nmos level=8 version=3.3.0 {BASE} lintnoi=1e-6\n.model nch2 nmos level=8 version=3.3.0 {BASE}"
    ));
    let parsed =
        insitu_netlist::parse_str(&fatal, Path::new("w.cir"), &insitu_netlist::MemLoader::default()).expect("parses");
    let c = insitu_netlist::elaborate(&parsed, &Default::default()).expect("elaborates");
    let err = Simulator::new(c).expect_err("fatal LINTNOI on 3.3.0").to_string();
    assert!(err.contains("Lintnoi = 1e-06 is too large"), "{err}");
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("warnings-revision-checks");
    let log = ng.run(&text, &dir).expect("ngspice runs").log;
    assert_eq!(ngspice_warnings(&log), ours(&sim), "ngspice log:\n{log}");
    assert_deck_matches_ngspice(&ng, &dir, "revision_checks.cir", &text);
}

/// A fatal check on a 3.1 card is an error in bsim3v1's own wording (its screen lines
/// differ from b3check.c's for NGATE), where ngspice stops.
#[test]
fn v31_fatal_checks_use_bsim3v1_wording() {
    let text = deck(&format!(
        ".model nch nmos level=49 version=3.1 {BASE} ngate=-1e18\n.model nch2 nmos level=8 version=3.3.0 {BASE}"
    ));
    let err = fatal_error(&text);
    assert!(err.contains("'ngate'") && err.contains("Fatal: Ngate = -1e+18 Ngate is not positive."), "{err}");
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let log = ng.run_for_log(&text, &scratch_dir("warnings-fatal-v31")).expect("ngspice runs");
    assert!(log.contains("Fatal: Ngate = -1e+18 Ngate is not positive."), "{log}");
    assert!(log.contains("Fatal error(s) detected during BSIM3V3.1 parameter checking"), "{log}");
}

//! The `insitu` command line end to end: exit codes, error messages, output files.

use std::path::PathBuf;
use std::process::Command;

fn insitu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_insitu"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("insitu-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn write(name: &str, text: &str) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn parse_prints_the_circuit_or_a_located_error() {
    let good = write("good.cir", "divider\nV1 a 0 2\nR1 a b 1k\nR2 b 0 1k\n.op\n.end\n");
    let out = insitu().arg("parse").arg(&good).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("r1") && text.contains("r2"), "{text}");

    let bad = write("bad.cir", "bad deck\nV1 a 0 2\nR1 a b 1kx7\n.end\n");
    let out = insitu().arg("parse").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.cir:3:"), "error must name file and line: {err}");
    assert!(err.contains('^'), "error must show a caret: {err}");
}

#[test]
fn sim_writes_rawfiles_and_json_that_read_back() {
    let deck = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/two_stage_opamp.cir");
    let (raw_bin, raw_asc, json) = (tmp("o.raw"), tmp("o_ascii.raw"), tmp("o.json"));
    let out = insitu().arg("sim").arg(&deck).arg("-r").arg(&raw_bin).arg("--json").arg(&json).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("v(out)") && stdout.contains("AC Analysis"), "{stdout}");
    let out = insitu().arg("sim").arg(&deck).arg("-r").arg(&raw_asc).arg("--ascii").output().unwrap();
    assert!(out.status.success());
    let bin = insitu::raw::read(&std::fs::read(&raw_bin).unwrap()).unwrap();
    let asc = insitu::raw::read(&std::fs::read(&raw_asc).unwrap()).unwrap();
    assert_eq!(bin.len(), 3);
    let names: Vec<&str> = bin.iter().map(|p| p.name.as_str()).collect();
    // ngspice's order (its batch run goes through its analysis table): `ngspice -b -r` of this
    // deck writes the same three plots in this order.
    assert_eq!(names, ["AC Analysis", "Operating Point", "Transient Analysis"]);
    let out_b = bin[1].vector("v(out)").unwrap()[0];
    let out_a = asc[1].vector("v(out)").unwrap()[0];
    assert!((out_b - out_a).abs() <= 1e-12 * out_b.abs(), "{out_b} vs {out_a}");
    assert!(bin[0].complex && bin[0].complex_vector("v(out)").unwrap().len() == 181);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
}

#[test]
fn sim_exit_codes_separate_bad_input_from_failed_simulation() {
    let missing = write("missing.cir", "t\n.include nowhere.inc\nR1 a 0 1k\n.end\n");
    assert_eq!(insitu().arg("sim").arg(&missing).output().unwrap().status.code(), Some(2));
    let floating = write("floating.cir", "t\nV1 a 0 1\nR1 a 0 1k\nC1 b c 1p\nR2 b c 1k\n.op\n.end\n");
    let out = insitu().arg("sim").arg(&floating).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("floating"), "{err}");
}

/// A device rejected when the simulator is built (here a negative PS inside a subcircuit)
/// is reported at the element's own card, with a caret, under its hierarchical name.
#[test]
fn sim_device_errors_point_at_the_card() {
    let deck = write(
        "negps.cir",
        "negative perimeter\nV1 d 0 1\nVG g 0 1\n.subckt amp d g\nM1 d g 0 0 nch W=1u L=1u PS=-1\n.ends\n\
         X1 d g amp\n.model nch nmos level=1 vto=0.5 kp=100u\n.op\n.end\n",
    );
    let out = insitu().arg("sim").arg(&deck).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "bad input, not a failed simulation");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("negps.cir:5:1: element 'x1.m1'"), "error must name file, line and element: {err}");
    assert!(err.contains("'ps'") && err.contains("M1 d g 0 0 nch") && err.contains('^'), "{err}");
}

//! `insitu sim` and `insitu check` with `.meas` cards: printed `name = value`, failures by
//! name with their location, the JSON entry, and the check rows against ngspice.

use std::path::PathBuf;
use std::process::Command;

fn insitu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_insitu"))
}

fn write(name: &str, text: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("insitu-meas-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const DECK: &str = "rc\nV1 in 0 DC 0 AC 1\nR1 in out 1k\nC1 out 0 1u\n.ac dec 20 1 1meg\n\
    .meas ac f3 WHEN vdb(out)=-3.0103\n.meas ac gone WHEN vdb(outt)=-3\n.meas ac never WHEN vdb(out)=10\n\
    .meas ac w param='2*3.25*f3'\n.end\n";

#[test]
fn sim_prints_measures_and_writes_them_to_json() {
    let deck = write("rc.cir", DECK);
    let json = deck.with_extension("json");
    let out = insitu().arg("sim").arg(&deck).arg("--json").arg(&json).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.trim_start().starts_with("f3 ")).unwrap_or_else(|| panic!("{text}"));
    let f3: f64 = line.split('=').nth(1).unwrap().trim().parse().unwrap();
    let fc = 1.0 / (2.0 * std::f64::consts::PI * 1e-3);
    assert!((f3 / fc - 1.0).abs() < 1e-2, "{f3}");
    assert!(text.contains("gone") && text.contains("failed (unknown vector 'v(outt)')"), "{text}");
    assert!(text.contains("never") && text.contains("failed (not found"), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rc.cir:7:20: measure 'gone' failed"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let m = v.as_array().unwrap().last().unwrap();
    assert_eq!(m["name"], "Measurements");
    let items = m["measures"].as_array().unwrap();
    assert_eq!(items[0]["name"], "f3");
    assert!((items[0]["value"].as_f64().unwrap() / f3 - 1.0).abs() < 1e-8);
    assert!(items[1]["error"].as_str().unwrap().contains("v(outt)"));
    let w = items.iter().find(|i| i["name"] == "w").unwrap()["value"].as_f64().unwrap();
    assert!((w / (2.0 * 3.25 * items[0]["value"].as_f64().unwrap()) - 1.0).abs() < 1e-12);
}

#[test]
fn check_compares_measures_with_ngspice() {
    if insitu::ngspice::Ngspice::for_tests().is_none() {
        return;
    }
    let deck = write("rc_check.cir", &DECK.replace(".meas ac gone WHEN vdb(outt)=-3\n", ""));
    let out = insitu().arg("check").arg(&deck).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    for name in ["f3", "never", "w"] {
        let row = text.lines().find(|l| l.starts_with("Measure (ac)") && l.contains(&format!(" {name} ")));
        assert!(row.is_some_and(|r| r.ends_with("ok")), "{name}: {text}");
    }
}

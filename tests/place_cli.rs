//! `insitu place` end to end: runs a small annealing on hp, checks the last line, re-reads the
//! written .pl and recomputes its HPWL, and checks the PNG and SVG are written.

use std::process::Command;

#[test]
fn place_writes_pl_png_and_hpwl() {
    if !insitu_placement::bench::data_available() {
        let dir = insitu_placement::bench::data_dir();
        if std::env::var("INSITU_REQUIRE_NGSPICE").as_deref() == Ok("1") {
            panic!("MCNC data missing at {}", dir.display());
        }
        eprintln!("skipping: MCNC data missing at {}", dir.display());
        return;
    }
    let dir = std::env::temp_dir().join(format!("insitu-place-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (pl, png, svg) = (dir.join("hp.pl"), dir.join("hp.png"), dir.join("hp.svg"));
    let bin = env!("CARGO_BIN_EXE_insitu");
    let out = Command::new(bin)
        .args(["place", "hp", "--algo", "sa", "--budget", "40", "--seed", "3", "--out"])
        .arg(&pl)
        .arg("--png")
        .arg(&png)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    let hpwl: f64 = last.strip_prefix("HPWL ").expect("last line is `HPWL <value>`").parse().unwrap();
    // Re-read the placement and recompute.
    let d = insitu_placement::bench::load("hp").unwrap();
    let text = std::fs::read_to_string(&pl).unwrap();
    let (mut x, mut y) = (vec![f64::NAN; d.n()], vec![f64::NAN; d.n()]);
    for line in text.lines().filter(|l| l.ends_with(": N")) {
        let t: Vec<&str> = line.split_whitespace().collect();
        let b = d.blocks.iter().position(|b| b.name == t[0]).unwrap();
        x[b] = t[1].parse().unwrap();
        y[b] = t[2].parse().unwrap();
    }
    let re = insitu_placement::hpwl::hpwl(&d, &x, &y);
    assert!((re - hpwl).abs() <= 0.05 + 1e-9 * hpwl, "printed {hpwl}, recomputed {re}");
    assert_eq!(insitu_placement::seqpair::overlaps(&d, &x, &y, 1e-6), None);
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    // SVG and a bad benchmark name.
    let out =
        Command::new(bin).args(["place", "hp", "--algo", "sa", "--budget", "5", "--svg"]).arg(&svg).output().unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    let out = Command::new(bin).args(["place", "nosuch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown benchmark `nosuch`"));
    std::fs::remove_dir_all(&dir).ok();
}

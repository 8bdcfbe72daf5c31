//! `insitu gmid` end to end: generate, look up and size through the binary, checked against
//! the library on the same file, and clear errors for bad input.

use insitu::pdk::gmid::{At, Table};
use std::process::Command;

fn insitu(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_insitu")).args(args).output().expect("run insitu");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn generate_lookup_and_size_agree_with_the_library() {
    let dir = std::env::temp_dir().join(format!("insitu-gmid-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ins = dir.join("n.ins");
    let p = ins.to_str().unwrap();
    let grid = ["--l", "0.18u,0.5u,1u", "--vgs", "0:10m:1.8", "--vds", "0.3:0.3:1.5", "--vsb", "0:0.3:0.6"];
    let mut args = vec!["gmid", "generate", "--pdk", "generic-l1", "--corner", "ff", "--device", "pmos", "-o", p];
    args.extend(grid);
    let (ok, out, err) = insitu(&args);
    assert!(ok, "{out}{err}");
    assert!(out.contains("3 L x 181 VGS x 5 VDS x 3 VSB"), "{out}");
    let t = Table::load(&ins).unwrap();
    assert_eq!((t.meta.library.as_str(), t.meta.corner.as_str(), t.meta.model.as_str()), ("generic-l1", "ff", "pch"));

    let (ok, out, err) = insitu(&["gmid", "lookup", p, "GM_ID", "--l", "0.7u", "--vgs", "0.83", "--vds", "0.9"]);
    assert!(ok, "{err}");
    let want = t.lookup("GM_ID", At { l: 0.7e-6, vgs: 0.83, vds: 0.9, vsb: 0.0 }).unwrap();
    let got: f64 = out.trim().parse().unwrap();
    assert!((got - want).abs() <= 1e-9 * want.abs(), "{got} vs {want}");

    let (ok, out, err) = insitu(&["gmid", "size", p, "--gmid", "8", "--l", "0.5u", "--id", "20u", "--vds", "0.9"]);
    assert!(ok, "{err}");
    let w_line = out.lines().find(|l| l.starts_with("W = ")).unwrap();
    let got: f64 = w_line.trim_start_matches("W = ").trim_end_matches(" m").parse().unwrap();
    let want = t.width_for(8.0, 0.5e-6, 20e-6, 0.9, 0.0).unwrap();
    assert!((got - want).abs() <= 1e-6 * want, "{got} vs {want}");

    // Bad input: named, non-zero exit, no panic.
    let (ok, _, err) = insitu(&["gmid", "lookup", p, "ID", "--l", "3u", "--vgs", "0.5"]);
    assert!(!ok && err.contains("L = 3e-6") && err.contains("1e-6"), "{err}");
    let (ok, _, err) = insitu(&["gmid", "generate", "--pdk", "generic180", "--vgs", "0:1m", "-o", p]);
    assert!(!ok && err.contains("--vgs"), "{err}");
    let (ok, _, err) = insitu(&["gmid", "size", p, "--gmid", "1e6", "--l", "0.5u", "--id", "1u"]);
    assert!(!ok && err.contains("GM_ID = 1000000"), "{err}");

    // Plots: PNG (needs the DejaVu font, installed by CI) and SVG, with the curves drawn.
    for ext in ["png", "svg"] {
        let f = dir.join(format!("plot.{ext}"));
        let (ok, out, err) = insitu(&["gmid", "plot", p, "-o", f.to_str().unwrap()]);
        assert!(ok, "{out}{err}");
        let bytes = std::fs::read(&f).unwrap();
        if ext == "png" {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
            assert!(bytes.len() > 50_000, "a PNG of three panels of curves: {} bytes", bytes.len());
        } else {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.contains("<svg") && text.matches("<polyline").count() >= 9, "three panels of curves");
            assert!(text.contains("gm/gds") && text.contains("L = 0.18 um"));
        }
    }
    let (ok, _, err) = insitu(&["gmid", "plot", p, "-o", "x.gif"]);
    assert!(!ok && err.contains(".svg or .png"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

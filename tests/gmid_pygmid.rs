//! pygmid as an independent client of insitu's `.mat`: pygmid (installed with pip when
//! python3 is present) loads the file unchanged and its `lookup` and `lookupVGS` are compared
//! with insitu's on every mode: 1e-9 relative on the linear modes (1: a quantity, 2: a ratio),
//! 1e-6 on the pchip ones (3: ratio against ratio; `lookupVGS`, which pygmid 1.2.12 does with
//! pchip where the kit's `look_upVGS` is linear).
//!
//! Skips with a message when python3 or pip is missing, fails instead under
//! `INSITU_REQUIRE_NGSPICE=1` (CI).
//!
//! pygmid's mode 3 drops the last point of the GM_ID branch (`x[idx:-1]`, the kit uses
//! `x(idx:end)`), which changes pchip on the last two intervals; the requested gm/Id values
//! stay clear of them.

mod common;

use common::scratch_dir;
use insitu::pdk::gmid::{At, DeviceType, Grid, Method, ModelSource, Table};
use std::process::Command;

fn skip_or_fail(why: &str) {
    if insitu::ngspice::required() {
        panic!("pygmid test cannot run: {why} (INSITU_REQUIRE_NGSPICE=1)");
    }
    println!("skipping the pygmid test: {why}");
}

/// A python3 with pygmid and scipy importable, installing them with pip when needed.
fn python() -> Option<String> {
    let py = "python3".to_string();
    let probe = |code: &str| Command::new(&py).args(["-c", code]).output().is_ok_and(|o| o.status.success());
    if !probe("import sys") {
        skip_or_fail("python3 not found");
        return None;
    }
    if !probe("import pygmid, scipy") {
        let st = Command::new(&py).args(["-m", "pip", "install", "--quiet", "pygmid", "scipy"]).status();
        if !matches!(st, Ok(s) if s.success()) || !probe("import pygmid, scipy") {
            skip_or_fail("`python3 -m pip install pygmid scipy` failed");
            return None;
        }
    }
    Some(py)
}

const SCRIPT: &str = r#"
import json, sys
import numpy as np
from pygmid import Lookup
q = json.load(open(sys.argv[2]))
lk = Lookup(sys.argv[1])
out = {"m1": [], "m2": [], "m3": [], "m3lin": [], "vgs_gmid": [], "vgs_idw": []}
for p in q["points"]:
    kw = dict(L=p[0], VGS=p[1], VDS=p[2], VSB=p[3])
    out["m1"].append([float(lk.lookup(n, **kw)) for n in q["m1"]])
    out["m2"].append([float(lk.lookup(n, **kw)) for n in q["m2"]])
for c in q["curves"]:
    l, vds, vsb, xs = c["l"], c["vds"], c["vsb"], c["xs"]
    for n in q["m3"]:
        out["m3"].append([float(v) for v in np.atleast_1d(lk.lookup(n, GM_ID=np.array(xs), L=l, VDS=vds, VSB=vsb))])
        out["m3lin"].append([float(v) for v in np.atleast_1d(lk.lookup(n, GM_ID=np.array(xs), L=l, VDS=vds, VSB=vsb, METHOD="linear"))])
    out["vgs_gmid"].append([float(lk.lookupVGS(GM_ID=x, L=l, VDS=vds, VSB=vsb)) for x in xs])
    out["vgs_idw"].append([float(lk.lookupVGS(ID_W=x, L=l, VDS=vds, VSB=vsb)) for x in c["idw"]])
print(json.dumps(out))
"#;

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs().max(1e-300)
    }
}

#[test]
fn pygmid_reads_insitus_mat_and_agrees_on_every_mode() {
    let Some(py) = python() else { return };
    let dir = scratch_dir("gmid-pygmid");
    let vgs: Vec<f64> = (0..=72).map(|i| i as f64 * 0.025).collect();
    let grid =
        Grid::new(vec![0.18e-6, 0.3e-6, 0.5e-6, 1e-6], vgs, vec![0.2, 0.6, 0.9, 1.2], vec![0.0, 0.3, 0.6]).unwrap();
    let m1 = ["ID", "GM", "GDS", "GMB", "CGG", "CDD", "STH", "VT"];
    let m2 = ["GM_ID", "ID_W", "GM_GDS", "GM_CGG"];
    let m3 = ["GM_CGG", "GDS_ID", "ID_W", "GM_GDS"];
    for dev in [DeviceType::Nmos, DeviceType::Pmos] {
        let t = Table::generate(&ModelSource::pdk("generic180", "tt"), dev, 27.0, &grid, 5e-6).unwrap();
        let mat = dir.join(format!("{}.mat", dev.kit_name()));
        t.save(&mat).unwrap();
        // Loading back through insitu's reader gives the same table.
        let back = Table::load(&mat).unwrap();
        for (a, b) in back.grid.l.iter().zip(&t.grid.l) {
            assert!(rel(*a, *b) < 1e-15, "L {a:e} vs {b:e}");
        }
        assert_eq!(
            (back.grid.vgs.clone(), back.meta.device, back.meta.model.clone()),
            (t.grid.vgs.clone(), dev, t.meta.model.clone())
        );
        for q in insitu::pdk::gmid::Quantity::ALL {
            assert_eq!(back.array(q), t.array(q), "{q:?} after the .mat round trip");
        }
        // Off-grid points for modes 1 and 2 (L in um for pygmid).
        let points: Vec<[f64; 4]> = (0..12)
            .map(|k| {
                let f = k as f64 / 11.0;
                [0.2e-6 + f * 0.75e-6, 0.31 + 1.4 * f, 0.25 + 0.9 * (1.0 - f), 0.05 + 0.5 * f]
            })
            .collect();
        // Curves for mode 3 and lookupVGS, gm/Id clear of the branch's last two intervals.
        let mut curves = Vec::new();
        for (l, vds, vsb) in [(0.18e-6, 0.9, 0.0), (0.4e-6, 0.7, 0.2), (1e-6, 1.2, 0.6)] {
            let gmid = t.sweep_vgs(&"GM_ID".parse().unwrap(), l, vds, vsb).unwrap();
            let n = gmid.len();
            let max = gmid.iter().cloned().fold(f64::MIN, f64::max);
            let lo = gmid[n - 4];
            let xs: Vec<f64> = (0..9).map(|k| lo + (max - lo) * (0.02 + 0.95 * k as f64 / 8.0)).collect();
            let idw = [1e-2, 0.3, 2.0, 8.0]; // A/m
            curves.push((l, vds, vsb, xs, idw));
        }
        let query = serde_json::json!({
            "points": points.iter().map(|p| [p[0] * 1e6, p[1], p[2], p[3]]).collect::<Vec<_>>(),
            "m1": m1, "m2": m2, "m3": m3,
            "curves": curves.iter().map(|(l, vds, vsb, xs, idw)| serde_json::json!({
                "l": l * 1e6, "vds": vds, "vsb": vsb, "xs": xs,
                "idw": idw.iter().map(|v| v * 1e-6).collect::<Vec<f64>>(),
            })).collect::<Vec<_>>(),
        });
        let qpath = dir.join("query.json");
        std::fs::write(&qpath, query.to_string()).unwrap();
        let spath = dir.join("client.py");
        std::fs::write(&spath, SCRIPT).unwrap();
        let out = Command::new(&py).arg(&spath).arg(&mat).arg(&qpath).output().unwrap();
        assert!(out.status.success(), "pygmid script failed: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let json_line = stdout.lines().last().unwrap_or("");
        let r: serde_json::Value = serde_json::from_str(json_line).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        let num = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
        let mut worst = [0.0f64; 4];
        let mut n = 0;
        for (k, p) in points.iter().enumerate() {
            let at = At { l: p[0], vgs: p[1], vds: p[2], vsb: p[3] };
            for (j, name) in m1.iter().enumerate() {
                let (ours, theirs) = (t.lookup(name, at).unwrap(), num(&r["m1"][k][j]));
                assert!(rel(ours, theirs) < 1e-9, "{dev:?} mode 1 {name} at {at:?}: {ours:e} vs pygmid {theirs:e}");
                worst[0] = worst[0].max(rel(ours, theirs));
                n += 1;
            }
            for (j, name) in m2.iter().enumerate() {
                let scale = if *name == "ID_W" { 1e-6 } else { 1.0 };
                let (ours, theirs) = (t.lookup(name, at).unwrap() * scale, num(&r["m2"][k][j]));
                assert!(rel(ours, theirs) < 1e-9, "{dev:?} mode 2 {name} at {at:?}: {ours:e} vs pygmid {theirs:e}");
                worst[1] = worst[1].max(rel(ours, theirs));
                n += 1;
            }
        }
        for (ci, (l, vds, vsb, xs, idw)) in curves.iter().enumerate() {
            for (j, name) in m3.iter().enumerate() {
                let scale = if *name == "ID_W" { 1e-6 } else { 1.0 };
                for (method, key, tol) in [(Method::Pchip, "m3", 1e-6), (Method::Linear, "m3lin", 1e-9)] {
                    let ours = t.lookup_vs(name, "GM_ID", xs, *l, *vds, *vsb, method).unwrap();
                    for (i, o) in ours.iter().enumerate() {
                        let theirs = num(&r[key][ci * m3.len() + j][i]);
                        let e = rel(o * scale, theirs);
                        assert!(
                            e < tol,
                            "{dev:?} mode 3 {name} {method:?} at GM_ID={} L={l:e}: {o:e} vs {theirs:e}",
                            xs[i]
                        );
                        worst[2] = worst[2].max(e);
                        n += 1;
                    }
                }
            }
            for (i, &x) in xs.iter().enumerate() {
                let ours = t.vgs_for_method("GM_ID", x, *l, *vds, *vsb, Method::Pchip).unwrap();
                let theirs = num(&r["vgs_gmid"][ci][i]);
                assert!(rel(ours, theirs) < 1e-6, "{dev:?} lookupVGS GM_ID={x}: {ours} vs {theirs}");
                worst[3] = worst[3].max(rel(ours, theirs));
                n += 1;
            }
            for (i, &x) in idw.iter().enumerate() {
                let ours = t.vgs_for_method("ID_W", x, *l, *vds, *vsb, Method::Pchip).unwrap();
                let theirs = num(&r["vgs_idw"][ci][i]);
                assert!(rel(ours, theirs) < 1e-6, "{dev:?} lookupVGS ID_W={x}: {ours} vs {theirs}");
                worst[3] = worst[3].max(rel(ours, theirs));
                n += 1;
            }
        }
        println!(
            "{dev:?}: {n} comparisons with pygmid; worst rel. error mode 1 {:.1e}, mode 2 {:.1e}, mode 3 {:.1e}, lookupVGS {:.1e}",
            worst[0], worst[1], worst[2], worst[3]
        );
    }
}

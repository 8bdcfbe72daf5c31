//! numpy as an independent client of insitu's `.npz` (mosplot's layout): the file is loaded
//! exactly as mosplot's `load_lookup_table` does (`np.load(path, allow_pickle=True)
//! ["lookup_table"].item()`, with numpy's warnings as errors), and the layout and values are
//! compared with the table insitu wrote: the keys, the `[L, VBS, VGS, VDS]` shape, the signed
//! grid vectors, and every stored quantity at every grid point (bit-exact: both are float64).
//!
//! Skips with a message when python3 or numpy is missing (numpy is installed with pip when
//! absent), fails instead under `INSITU_REQUIRE_NGSPICE=1` (CI).

mod common;

use common::scratch_dir;
use insitu::pdk::gmid::{DeviceType, Grid, ModelSource, Quantity, Table};
use std::process::Command;

fn skip_or_fail(why: &str) {
    if insitu::ngspice::required() {
        panic!("npz test cannot run: {why} (INSITU_REQUIRE_NGSPICE=1)");
    }
    println!("skipping the npz test: {why}");
}

fn python() -> Option<String> {
    let py = "python3".to_string();
    let probe = |code: &str| Command::new(&py).args(["-c", code]).output().is_ok_and(|o| o.status.success());
    if !probe("import sys") {
        skip_or_fail("python3 not found");
        return None;
    }
    if !probe("import numpy") {
        let st = Command::new(&py).args(["-m", "pip", "install", "--quiet", "numpy"]).status();
        if !matches!(st, Ok(s) if s.success()) || !probe("import numpy") {
            skip_or_fail("`python3 -m pip install numpy` failed");
            return None;
        }
    }
    Some(py)
}

/// Prints, as JSON, the layout and the arrays flattened in C order (mosplot's index order).
const SCRIPT: &str = r#"
import json, sys, warnings
warnings.simplefilter("error")
import numpy as np
lt = np.load(sys.argv[1], allow_pickle=True)["lookup_table"].item()
name = sys.argv[2]
m = lt[name]
out = {
    "top": sorted(k for k in lt.keys()),
    "keys": sorted(m.keys()),
    "parameter_names": list(m["parameter_names"]),
    "w": float(m["device_parameters"]["w"]),
    "model_name": m["model_name"],
    "vectors": {k: [float(x) for x in m[k]] for k in ["length", "vgs", "vds", "vbs"]},
    "shape": list(m["id"].shape),
    "dtype": str(m["id"].dtype),
    "arrays": {k: [float(x) for x in np.asarray(m[k]).ravel(order="C")] for k in m["parameter_names"]},
}
print(json.dumps(out))
"#;

#[test]
fn numpy_loads_the_npz_as_mosplot_does_and_every_value_matches() {
    let Some(py) = python() else { return };
    let dir = scratch_dir("gmid-npz");
    let grid = Grid::new(
        vec![0.18e-6, 0.5e-6, 1e-6],
        (0..=18).map(|i| i as f64 * 0.1).collect(),
        vec![0.1, 0.6, 0.9, 1.5],
        vec![0.0, 0.3, 0.6],
    )
    .unwrap();
    let names: [(Quantity, &str); 14] = [
        (Quantity::Id, "id"),
        (Quantity::Vt, "vth"),
        (Quantity::Vdsat, "vdsat"),
        (Quantity::Gm, "gm"),
        (Quantity::Gmb, "gmbs"),
        (Quantity::Gds, "gds"),
        (Quantity::Cgg, "cgg"),
        (Quantity::Cgs, "cgs"),
        (Quantity::Cgd, "cgd"),
        (Quantity::Cgb, "cgb"),
        (Quantity::Cdd, "cdd"),
        (Quantity::Css, "css"),
        (Quantity::Sth, "sth"),
        (Quantity::Sfl, "sfl"),
    ];
    for dev in [DeviceType::Nmos, DeviceType::Pmos] {
        let t = Table::generate(&ModelSource::pdk("generic180", "tt"), dev, 27.0, &grid, 5e-6).unwrap();
        let path = dir.join(format!("{}.npz", dev.kit_name()));
        t.save(&path).unwrap();
        let spath = dir.join("client.py");
        std::fs::write(&spath, SCRIPT).unwrap();
        let out = Command::new(&py).arg(&spath).arg(&path).arg(dev.kit_name()).output().unwrap();
        assert!(out.status.success(), "numpy client failed: {}", String::from_utf8_lossy(&out.stderr));
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = |v: &serde_json::Value| v.as_f64().unwrap();
        let vec = |k: &str| r["vectors"][k].as_array().unwrap().iter().map(f).collect::<Vec<f64>>();

        let mut top: Vec<&str> =
            vec![dev.kit_name(), "description", "simulator", "parameter_names", "device_parameters"];
        top.sort();
        assert_eq!(r["top"], serde_json::json!(top));
        assert_eq!(r["model_name"], dev.kit_name());
        assert_eq!(f(&r["w"]), 5e-6);
        assert_eq!(r["dtype"], "float64");
        let [nl, ng, nd, nb] = grid.shape();
        assert_eq!(r["shape"], serde_json::json!([nl, nb, ng, nd]), "mosplot's [L, VBS, VGS, VDS]");
        // Terminal voltages carry the device's sign; the body is reverse-biased for both.
        let s = if dev == DeviceType::Nmos { 1.0 } else { -1.0 };
        assert_eq!(vec("length"), grid.l);
        assert_eq!(vec("vgs"), grid.vgs.iter().map(|v| s * v + 0.0).collect::<Vec<_>>());
        assert_eq!(vec("vds"), grid.vds.iter().map(|v| s * v + 0.0).collect::<Vec<_>>());
        assert_eq!(vec("vbs"), grid.vsb.iter().map(|v| -s * v + 0.0).collect::<Vec<_>>());
        let listed: Vec<&str> = r["parameter_names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(listed, names.iter().map(|(_, n)| *n).collect::<Vec<_>>());

        for (q, name) in names {
            let a: Vec<f64> = r["arrays"][name].as_array().unwrap().iter().map(f).collect();
            assert_eq!(a.len(), grid.len(), "{name}");
            let mut k = 0;
            for il in 0..nl {
                for ib in 0..nb {
                    for ig in 0..ng {
                        for id in 0..nd {
                            let ours = t.at(q, grid.index(il, ig, id, ib));
                            assert_eq!(a[k], ours, "{dev:?} {name}[{il},{ib},{ig},{id}]");
                            k += 1;
                        }
                    }
                }
            }
        }
        // mosplot's gm/Id at one point is the table's.
        let i = grid.index(1, 8, 2, 0);
        let gmid = t.at(Quantity::Gm, i) / t.at(Quantity::Id, i);
        assert!(gmid > 1.0 && gmid < 40.0, "{dev:?} gm/Id {gmid}");
        println!("{dev:?}: {} values read back by numpy, all bit-exact", names.len() * grid.len());
    }
}

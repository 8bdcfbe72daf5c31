//! gm/Id tables against direct device evaluation: grid points, every lookup mode, the inverse
//! lookups, W sizing, out-of-grid errors, the `.ins` round trip and sharing across threads.

use insitu::pdk::gmid::{
    sizing_table, sizing_table_at, At, Bounds, DeviceType, Expr, GmidError, Grid, Method, ModelSource, Quantity, Table,
};
use rayon::prelude::*;
use std::sync::Arc;

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs().max(1e-300)
    }
}

fn vrange(start: f64, step: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| start + i as f64 * step).collect()
}

/// A small grid over the 1.8 V libraries.
fn small_grid() -> Grid {
    Grid::new(vec![0.18e-6, 0.5e-6, 2e-6], vrange(0.0, 0.1, 19), vec![0.1, 0.9, 1.8], vec![0.0, 0.4]).unwrap()
}

/// A fine-VGS grid for interpolation accuracy.
fn fine_grid() -> Grid {
    Grid::new(vec![0.3e-6, 0.4e-6], vrange(0.0, 0.005, 361), vec![0.8, 1.0], vec![0.0, 0.2]).unwrap()
}

const CASES: [(&str, DeviceType); 4] = [
    ("generic180", DeviceType::Nmos),
    ("generic180", DeviceType::Pmos),
    ("generic-l1", DeviceType::Nmos),
    ("generic-l1", DeviceType::Pmos),
];

fn table(lib: &str, dev: DeviceType, grid: &Grid) -> Table {
    Table::generate(&ModelSource::pdk(lib, "tt"), dev, 27.0, grid, 5e-6).unwrap()
}

#[test]
fn grid_points_are_the_device_and_the_full_simulator() {
    for (lib, dev) in CASES {
        let g = small_grid();
        let t = table(lib, dev, &g);
        let mut checked = 0;
        for (il, &l) in g.l.iter().enumerate() {
            let d = t.device(l).unwrap();
            for (ig, &vgs) in g.vgs.iter().enumerate() {
                for (id, &vds) in g.vds.iter().enumerate() {
                    for (ib, &vsb) in g.vsb.iter().enumerate() {
                        let p = d.eval(vgs, vds, -vsb);
                        let at = At { l, vgs, vds, vsb };
                        let i = g.index(il, ig, id, ib);
                        for (q, v) in [
                            (Quantity::Id, p.id),
                            (Quantity::Gm, p.gm),
                            (Quantity::Gds, p.gds),
                            (Quantity::Gmb, p.gmb),
                            (Quantity::Cgg, p.cgg),
                            (Quantity::Cdd, p.cdd),
                            (Quantity::Sth, p.sth),
                            (Quantity::Sfl, p.sfl),
                        ] {
                            // BSIM-lite's table path evaluates several VGS at once with
                            // its own vector exp/ln (within 1 ulp of libm): rounding apart,
                            // the direct evaluation; level 1 is bit for bit.
                            let tol = if lib == "generic-l1" { 0.0 } else { 1e-12 };
                            assert!(rel(t.at(q, i), v) <= tol, "{lib} {dev:?} {q:?} at {at:?}: {} {v}", t.at(q, i));
                            assert!(rel(t.lookup(q.name(), at).unwrap(), v) < 1e-12, "{lib} {q:?} lookup at {at:?}");
                        }
                        // Kit conventions: capacitances positive, ratios formed on the grid.
                        for q in [Quantity::Cgg, Quantity::Cgs, Quantity::Cgd, Quantity::Cdd, Quantity::Css] {
                            assert!(t.at(q, i) > 0.0, "{lib} {dev:?} {q:?} = {} at {at:?}", t.at(q, i));
                        }
                        let gm_id = if p.id == 0.0 && p.gm == 0.0 { 0.0 } else { p.gm / p.id };
                        assert!(rel(t.lookup("GM_ID", at).unwrap(), gm_id) < 1e-12);
                        assert!(rel(t.lookup("ID_W", at).unwrap(), p.id / 5e-6) < 1e-12);
                        let cggi = t.lookup("CGGI", at).unwrap();
                        assert!(rel(cggi + p.cgsol + p.cgdol + p.cgbol, p.cgg) < 1e-12);
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, g.len());
        // The full simulator (forced sources, .op) gives the same operating point.
        for at in [At { l: 0.5e-6, vgs: 0.9, vds: 0.9, vsb: 0.4 }, At { l: 2e-6, vgs: 0.5, vds: 1.8, vsb: 0.0 }] {
            let op = t.simulate(at).unwrap();
            let p = t.recompute(at).unwrap();
            for (name, a, b) in
                [("id", op.id, p.id), ("gm", op.gm, p.gm), ("gds", op.gds, p.gds), ("gmb", op.gmb, p.gmb)]
            {
                assert!(rel(a, b) < 1e-9, "{lib} {dev:?} {name}: simulator {a:e} table {b:e}");
            }
            assert!(rel(op.cgs, p.cgs) < 1e-9 && rel(op.cgd, p.cgd) < 1e-9, "{lib} {dev:?} caps");
        }
    }
}

#[test]
fn between_grid_points_lookups_are_multilinear_and_close_to_the_device() {
    let g = fine_grid();
    for (lib, dev) in CASES {
        let t = table(lib, dev, &g);
        // Multilinear: halfway between two L and two VSB grid values at a grid VGS and VDS,
        // the average of the four grid values.
        let at = At { l: 0.35e-6, vgs: g.vgs[150], vds: 0.8, vsb: 0.1 };
        let corners: f64 = [(0, 0), (0, 1), (1, 0), (1, 1)]
            .iter()
            .map(|&(il, ib)| t.at(Quantity::Gm, g.index(il, 150, 0, ib)))
            .sum::<f64>()
            / 4.0;
        assert!(rel(t.lookup("GM", at).unwrap(), corners) < 1e-12, "{lib} {dev:?}");
        // Off-grid VGS in strong inversion: within the linear-interpolation error of 5 mV steps.
        for k in 0..20 {
            let at = At { l: 0.3e-6, vgs: 0.9 + 0.0431 * k as f64, vds: 1.0, vsb: 0.2 };
            let p = t.recompute(at).unwrap();
            for (name, v) in [("ID", p.id), ("GM", p.gm), ("CGG", p.cgg)] {
                let e = rel(t.lookup(name, at).unwrap(), v);
                assert!(e < 2e-3, "{lib} {dev:?} {name} at {at:?}: rel. error {e:e}");
            }
        }
    }
}

#[test]
fn ratio_against_ratio_follows_the_kits_branch_rule() {
    let g = fine_grid();
    for (lib, dev) in CASES {
        let t = table(lib, dev, &g);
        let (l, vds, vsb) = (0.3e-6, 1.0, 0.0);
        let gm_id = t.sweep_vgs(&"GM_ID".parse().unwrap(), l, vds, vsb).unwrap();
        let imax = gm_id.iter().enumerate().fold(0, |k, (i, v)| if *v > gm_id[k] { i } else { k });
        // At a grid node of the right branch, the linear method returns that node's GM_CGG.
        let node = imax + (g.vgs.len() - imax) / 2;
        let y = t.lookup_vs("GM_CGG", "GM_ID", &[gm_id[node]], l, vds, vsb, Method::Linear).unwrap()[0];
        let want = t.node(&"GM_CGG".parse().unwrap(), g.index(0, node, 1, 0));
        assert!(rel(y, want) < 1e-12, "{lib} {dev:?}: {y:e} vs {want:e}");
        // Between nodes: the device at the VGS of the inverse lookup agrees (pchip and linear).
        let lo = gm_id[g.vgs.len() - 1].max(3.0);
        let hi = gm_id[imax].min(if lib == "generic-l1" { 12.0 } else { 22.0 });
        for k in 0..8 {
            let x = lo + (hi - lo) * (0.05 + 0.9 * k as f64 / 7.0);
            let vgs = t.vgs_for("GM_ID", x, l, vds, vsb).unwrap();
            let p = t.recompute(At { l, vgs, vds, vsb }).unwrap();
            assert!(rel(p.gm / p.id, x) < 2e-3, "{lib} {dev:?} vgs_for({x}) = {vgs}: gm/id {}", p.gm / p.id);
            for m in [Method::Pchip, Method::Linear] {
                let y = t.lookup_vs("GM_CGG", "GM_ID", &[x], l, vds, vsb, m).unwrap()[0];
                assert!(
                    rel(y, p.gm / p.cgg) < 5e-3,
                    "{lib} {dev:?} {m:?} GM_CGG at GM_ID={x}: {y:e} vs {:e}",
                    p.gm / p.cgg
                );
                let y = t.lookup_vs("GDS_ID", "GM_ID", &[x], l, vds, vsb, m).unwrap()[0];
                assert!(rel(y, p.gds / p.id) < 5e-3, "{lib} {dev:?} {m:?} GDS_ID at GM_ID={x}");
            }
        }
        // Inverse on ID_W at a node returns the node's VGS.
        let id_w = t.lookup("ID_W", At { l, vgs: g.vgs[250], vds, vsb }).unwrap();
        assert!((t.vgs_for("ID_W", id_w, l, vds, vsb).unwrap() - g.vgs[250]).abs() < 1e-12);
        // Beyond the maximum gm/Id: a clear error naming the range.
        let err = t.lookup_vs("GM_CGG", "GM_ID", &[gm_id[imax] * 1.5], l, vds, vsb, Method::Pchip).unwrap_err();
        assert!(matches!(err, GmidError::OutOfRange { .. }), "{err}");
        assert!(err.to_string().contains("GM_ID"), "{err}");
    }
}

#[test]
fn widths_reproduce_the_requested_current_and_inversion_level() {
    let g = fine_grid();
    for (lib, dev) in CASES {
        let t = table(lib, dev, &g);
        let (l, vds, vsb, id) = (0.4e-6, 0.8, 0.2, 20e-6);
        for gm_id in [6.0, 9.0, 12.0] {
            let w = t.width_for(gm_id, l, id, vds, vsb).unwrap();
            let vgs = t.vgs_for("GM_ID", gm_id, l, vds, vsb).unwrap();
            // The sized device, built from the same card at width w.
            let one = Grid::new(vec![l], vec![vgs], vec![vds], vec![vsb]).unwrap();
            let sized = Table::generate(&ModelSource::Text(t.meta.card.clone()), dev, 27.0, &one, w).unwrap();
            let got = sized.at(Quantity::Id, 0);
            assert!(rel(got, id) < 3e-3, "{lib} {dev:?} gm/Id {gm_id}: W {w:e} gives {got:e} A");
            let w2 = t.width_for_gm(gm_id * id, gm_id, l, vds, vsb).unwrap();
            assert!(rel(w2, w) < 1e-12);
        }
        assert!(t.width_for(8.0, l, -1e-6, vds, vsb).is_err());
    }
}

#[test]
fn out_of_grid_requests_fail_naming_the_coordinate_unless_extrapolation_is_asked() {
    let t = table("generic180", DeviceType::Nmos, &small_grid());
    let ok = At { l: 0.5e-6, vgs: 0.9, vds: 0.9, vsb: 0.0 };
    for (at, axis) in [
        (At { l: 3e-6, ..ok }, "L"),
        (At { l: 0.1e-6, ..ok }, "L"),
        (At { vgs: 1.9, ..ok }, "VGS"),
        (At { vds: 0.05, ..ok }, "VDS"),
        (At { vsb: 0.5, ..ok }, "VSB"),
        (At { vsb: f64::NAN, ..ok }, "VSB"),
    ] {
        let err = t.lookup("ID", at).unwrap_err();
        let GmidError::OutOfGrid { axis: a, min, max, .. } = &err else { panic!("{err}") };
        assert_eq!(a, axis);
        let msg = err.to_string();
        assert!(msg.contains(&format!("{min:e}")) && msg.contains(&format!("{max:e}")), "{msg}");
    }
    // Opt-in extrapolation continues the last cell linearly.
    let e: Expr = "ID".parse().unwrap();
    let at = At { vgs: 1.9, ..ok };
    let x = t.lookup_expr(&e, at, Bounds::Extrapolate).unwrap();
    let (a, b) = (t.lookup("ID", At { vgs: 1.7, ..ok }).unwrap(), t.lookup("ID", At { vgs: 1.8, ..ok }).unwrap());
    assert!(rel(x, b + (b - a)) < 1e-9);
    assert!(t.lookup("GM_FOO", ok).unwrap_err().to_string().contains("FOO"));
}

#[test]
fn own_format_round_trips_exactly_and_rejects_damaged_files() {
    let t = table("generic-l1", DeviceType::Pmos, &small_grid());
    let dir = std::env::temp_dir().join(format!("insitu-gmid-ins-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("t.ins");
    t.save(&p).unwrap();
    let back = Table::load(&p).unwrap();
    assert_eq!(back, t);
    assert_eq!(back.meta.device, DeviceType::Pmos);
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() - 5]).unwrap();
    let err = Table::load(&p).unwrap_err().to_string();
    assert!(err.contains("t.ins") && err.contains("truncated"), "{err}");
    std::fs::write(&p, b"hello").unwrap();
    assert!(Table::load(&p).is_err());
    assert!(t.save(&dir.join("t.xyz")).unwrap_err().to_string().contains(".xyz"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sizing_tables_are_cached_and_shared_across_threads() {
    let a = sizing_table("generic180", "tt", 27.0, DeviceType::Nmos).unwrap();
    let b = sizing_table("generic180", "tt", 27.0, DeviceType::Nmos).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    let p = sizing_table("generic65", "ss", 85.0, DeviceType::Pmos).unwrap();
    assert_eq!(p.meta.device, DeviceType::Pmos);
    assert!(p.grid.vgs.last().copied().unwrap() <= 1.2 + 1e-12);
    assert!(sizing_table("generic7", "tt", 27.0, DeviceType::Nmos).is_err());
    let gm_ids: Vec<f64> = (0..200).map(|i| 5.0 + i as f64 * 0.05).collect();
    let seq: Vec<f64> = gm_ids.iter().map(|&g| a.width_for(g, 0.5e-6, 10e-6, 0.9, 0.0).unwrap()).collect();
    let par: Vec<f64> = gm_ids.par_iter().map(|&g| a.width_for(g, 0.5e-6, 10e-6, 0.9, 0.0).unwrap()).collect();
    assert_eq!(seq, par);
    // Higher inversion level needs a wider device for the same current.
    assert!(seq.windows(2).all(|w| w[1] > w[0]));
}

#[test]
fn json_sizing_view_holds_the_mode_3_lookups_and_nulls_where_unreachable() {
    // VGS up to 0.7 V only: the lowest gm/Id values of the view are out of reach (null).
    let g = fine_grid();
    let g = Grid::new(g.l, vrange(0.0, 0.005, 141), g.vds, g.vsb).unwrap();
    let t = table("generic180", DeviceType::Nmos, &g);
    let dir = std::env::temp_dir().join(format!("insitu-gmid-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("nmos_gmid_lookup.json");
    t.save(&p).unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    let (vds, vsb) = (v["vds"].as_f64().unwrap(), v["vsb"].as_f64().unwrap());
    assert_eq!((vds, vsb), (t.default_vds(), 0.0));
    let gm_ids: Vec<f64> = v["gm_id"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let (mut nulls, mut values) = (0, 0);
    for (il, &l) in t.grid.l.iter().enumerate() {
        for (k, &g) in gm_ids.iter().enumerate() {
            let cell = &v["id_w"][il][k];
            match t.lookup_vs("ID_W", "GM_ID", &[g], l, vds, vsb, Method::Pchip) {
                Ok(y) => {
                    assert_eq!(cell.as_f64().unwrap(), y[0]);
                    let ft = v["ft_hz"][il][k].as_f64().unwrap();
                    let want = t.lookup_vs("GM_CGG", "GM_ID", &[g], l, vds, vsb, Method::Pchip).unwrap()[0];
                    assert!(rel(ft * 2.0 * std::f64::consts::PI, want) < 1e-12);
                    values += 1;
                }
                Err(GmidError::OutOfRange { .. }) => {
                    assert!(cell.is_null());
                    nulls += 1;
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
    assert!(values > 50 && nulls > 0, "{values} values, {nulls} nulls");
    assert!(Table::load(&p).unwrap_err().to_string().contains("2-D"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn one_bias_sizing_table_matches_the_full_grid_at_a_grid_bias() {
    // generic180's sizing grid has VDS 0.6 V and VSB 0 and 0.3 V among its grid values.
    let full = sizing_table("generic180", "ff", 27.0, DeviceType::Pmos).unwrap();
    for (vds, vsb) in [(0.6, 0.0), (0.9, 0.3)] {
        assert!(full.grid.vds.contains(&vds) && full.grid.vsb.contains(&vsb));
        let one = sizing_table_at("generic180", "ff", 27.0, DeviceType::Pmos, vds, vsb).unwrap();
        assert_eq!(one.grid.len() * 40, full.grid.len());
        assert!(Arc::ptr_eq(&one, &sizing_table_at("generic180", "ff", 27.0, DeviceType::Pmos, vds, vsb).unwrap()));
        for k in 0..60 {
            let (g, l) = (4.0 + 0.3 * k as f64, 0.18e-6 * (1.0 + 0.3 * (k % 17) as f64));
            let a = full.width_for(g, l, 20e-6, vds, vsb).unwrap();
            let b = one.width_for(g, l, 20e-6, vds, vsb).unwrap();
            assert!(((a - b) / a).abs() < 1e-12, "gm/Id {g} L {l:e}: {a:e} against {b:e}");
        }
        // Any other bias is outside the one-bias table, and says so.
        let e = one.width_for(10.0, 0.5e-6, 20e-6, vds + 0.1, vsb).unwrap_err().to_string();
        assert!(e.to_lowercase().contains("vds"), "{e}");
    }
}

//! Self-consistency tests (the ngspice comparison lives in the workspace tests).

use super::*;

fn p(v: &[(&str, f64)]) -> Vec<(String, f64)> {
    v.iter().map(|(n, x)| (n.to_string(), *x)).collect()
}

fn device(pmos: bool) -> Mos1 {
    let vto = if pmos { -0.5 } else { 0.5 };
    let m = Mos1Model::new(
        "t",
        pmos,
        &p(&[
            ("vto", vto),
            ("tox", 5e-9),
            ("gamma", 0.5),
            ("lambda", 0.05),
            ("cbd", 1e-15),
            ("cbs", 1e-15),
            ("cjsw", 1e-10),
            ("mjsw", 0.3),
        ]),
    )
    .unwrap();
    let g = MosGeom { w: 2e-6, l: 0.5e-6, pd: 4e-6, ps: 4e-6, ..MosGeom::default() };
    Mos1::new(&m, &g, 27.0, 27.0, 1e-12).unwrap()
}

/// gm, gds, gmbs are the derivatives of cdrain in each region (away from region edges),
/// in both modes. Not under forward body bias: there ngspice linearises the body term but
/// keeps gmbs = gm * GAMMA / (2 sarg), which is not the derivative; we reproduce that.
#[test]
fn derivatives_match_finite_differences() {
    let d = device(false);
    let h = 1e-6;
    for &(vgs, vds, vbs) in &[(1.2, 1.5, -0.3), (1.5, 0.2, 0.0), (1.2, -0.4, -0.6), (1.0, 0.05, -0.1)] {
        let r = d.dc(vgs, vds, vbs);
        let f = |vg: f64, vd: f64, vb: f64| {
            let x = d.dc(vg, vd, vb);
            x.mode * x.cdrain
        };
        let (gm, gds, gmbs) = if r.mode > 0.0 {
            (
                (f(vgs + h, vds, vbs) - f(vgs - h, vds, vbs)) / (2.0 * h),
                (f(vgs, vds + h, vbs) - f(vgs, vds - h, vbs)) / (2.0 * h),
                (f(vgs, vds, vbs + h) - f(vgs, vds, vbs - h)) / (2.0 * h),
            )
        } else {
            // Reverse mode: derivatives w.r.t. vgd, vsd, vbd of the source-to-drain current.
            let fr = |vgd: f64, vsd: f64, vbd: f64| -f(vgd - vsd, -vsd, vbd - vsd);
            let (vgd, vsd, vbd) = (vgs - vds, -vds, vbs - vds);
            (
                (fr(vgd + h, vsd, vbd) - fr(vgd - h, vsd, vbd)) / (2.0 * h),
                (fr(vgd, vsd + h, vbd) - fr(vgd, vsd - h, vbd)) / (2.0 * h),
                (fr(vgd, vsd, vbd + h) - fr(vgd, vsd, vbd - h)) / (2.0 * h),
            )
        };
        for (name, a, b) in [("gm", r.gm, gm), ("gds", r.gds, gds), ("gmbs", r.gmbs, gmbs)] {
            assert!((a - b).abs() <= 1e-6 * a.abs().max(1e-9), "{name} at ({vgs},{vds},{vbs}): {a} vs {b}");
        }
    }
}

#[test]
fn junction_capacitance_is_the_charge_derivative() {
    let d = device(false);
    let h = 1e-6;
    for v in [-2.0, -0.5, 0.0, 0.3, 0.5, 0.9] {
        for (q, c) in [
            (d.junction_bd(v + h).0 - d.junction_bd(v - h).0, d.junction_bd(v).1),
            (d.junction_bs(v + h).0 - d.junction_bs(v - h).0, d.junction_bs(v).1),
        ] {
            let num = q / (2.0 * h);
            assert!((num - c).abs() <= 1e-6 * c, "v={v}: {num} vs {c}");
        }
    }
}

#[test]
fn meyer_caps_are_bounded_and_continuous_at_saturation() {
    let d = device(false);
    let cox = d.cox_total();
    assert!(cox > 0.0);
    let r = d.dc(1.5, 0.5, 0.0);
    for vds in [0.0, 0.1, 0.5, 0.9, r.vdsat, r.vdsat + 1e-9, 2.0] {
        let (cgs, cgd, cgb) = d.meyer(1.5, 1.5 - vds, r.von, r.vdsat);
        assert!(cgs >= 0.0 && cgd >= 0.0 && cgb >= 0.0);
        assert!(2.0 * (cgs + cgd + cgb) <= cox * (1.0 + 1e-12));
    }
    // Accumulation: all of Cox to bulk.
    let (cgs, cgd, cgb) = d.meyer(-3.0, -3.0, r.von, r.vdsat);
    assert_eq!((cgs, cgd), (0.0, 0.0));
    assert!((2.0 * cgb - cox).abs() < 1e-12 * cox);
}

#[test]
fn pmos_mirrors_nmos_in_the_n_frame() {
    let n = device(false);
    let pm = device(true);
    assert_eq!(pm.mos_type(), -1.0);
    let a = n.dc(1.2, 0.8, -0.2);
    let b = pm.dc(1.2, 0.8, -0.2);
    // Same |VTO| but the body/Vbi terms differ by polarity only through VTO's sign.
    assert!((a.cdrain - b.cdrain).abs() < 1e-12 * a.cdrain.abs().max(1e-12));
}

#[test]
fn odd_parameters_never_panic() {
    let values = [-1e30, -1.0, -1e-30, 0.0, 1e-30, 0.5, 1.0, 1e30, f64::NAN, f64::INFINITY];
    let names =
        ["vto", "kp", "gamma", "phi", "lambda", "tox", "nsub", "ld", "pb", "mj", "fc", "is", "js", "cj", "tnom"];
    for name in names {
        for &v in &values {
            if let Ok(m) = Mos1Model::new("odd", false, &p(&[(name, v), ("tox", 1e-8)])) {
                for geom in [MosGeom::default(), MosGeom { w: 0.0, ..MosGeom::default() }] {
                    if let Ok(d) = Mos1::new(&m, &geom, 27.0, 27.0, 1e-12) {
                        let r = d.dc(1.0, 1.0, 0.0);
                        let _ = d.meyer(1.0, 0.0, r.von, r.vdsat);
                        let _ = d.junction_bd(-1.0);
                    }
                }
            }
        }
    }
    for t in [-300.0, -273.15, f64::NAN] {
        let m = Mos1Model::new("odd", false, &[]).unwrap();
        assert!(Mos1::new(&m, &MosGeom::default(), t, 27.0, 1e-12).is_err());
    }
}

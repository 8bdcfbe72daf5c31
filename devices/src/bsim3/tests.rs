//! Self-consistency tests (the ngspice comparison lives in the workspace tests).

use super::*;
use crate::MosGeom;

fn p(v: &[(&str, f64)]) -> Vec<(String, f64)> {
    v.iter().map(|(n, x)| (n.to_string(), *x)).collect()
}

/// The reference example card (NMOS), with optional overrides.
fn card(extra: &[(&str, f64)]) -> Vec<(String, f64)> {
    let mut v = p(&[
        ("tnom", 27.0),
        ("tox", 4.1e-9),
        ("xj", 1e-7),
        ("nch", 2.3e17),
        ("vth0", 0.40),
        ("k1", 0.55),
        ("k2", 0.0),
        ("k3", 0.0),
        ("k3b", 0.0),
        ("w0", 1e-7),
        ("nlx", 0.0),
        ("dvt0", 1.0),
        ("dvt1", 0.4),
        ("dvt2", 0.0),
        ("dvt0w", 0.0),
        ("eta0", 0.01),
        ("etab", 0.0),
        ("dsub", 0.5),
        ("voff", -0.08),
        ("nfactor", 1.3),
        ("cdsc", 0.0),
        ("u0", 300.0),
        ("ua", -1e-9),
        ("ub", 2e-18),
        ("uc", 0.0),
        ("vsat", 1e5),
        ("a0", 1.0),
        ("keta", 0.0),
        ("pclm", 1.0),
        ("pdiblc1", 0.2),
        ("pdiblc2", 0.005),
        ("drout", 0.5),
        ("pscbe2", 1e-20),
        ("delta", 0.01),
        ("kt1", 0.0),
        ("kt2", 0.0),
        ("ua1", 0.0),
        ("ub1", 0.0),
        ("uc1", 0.0),
        ("at", 0.0),
        ("cgso", 3e-10),
        ("cgdo", 3e-10),
        ("cgbo", 0.0),
        ("cf", 0.0),
        ("cj", 1e-3),
        ("cjsw", 2e-10),
        ("mjsw", 0.33),
        ("pb", 0.8),
        ("pbsw", 0.8),
        ("js", 0.0),
    ]);
    v.extend(p(extra));
    v
}

fn device(pmos: bool, extra: &[(&str, f64)], l: f64, temp: f64) -> Bsim3 {
    let mut c = card(extra);
    if pmos {
        for (n, v) in c.iter_mut() {
            if n == "vth0" {
                *v = -*v;
            }
        }
    }
    let m = Bsim3Model::new("t", pmos, &c).unwrap();
    let g = MosGeom { w: 2e-6, l, ad: 1e-12, as_: 1e-12, pd: 4e-6, ps: 4e-6, ..MosGeom::default() };
    Bsim3::new(&m, &g, temp, 27.0, 1e-12).unwrap()
}

const BIASES: [(f64, f64, f64); 10] = [
    (0.2, 0.9, 0.0),
    (0.45, 1.2, -0.5),
    (0.8, 0.05, 0.0),
    (1.2, 1.5, -0.3),
    (1.8, 0.3, 0.0),
    (1.0, -0.7, 0.0),
    (1.5, -0.2, -0.4),
    (0.3, -1.0, -0.2),
    (-0.5, 1.0, 0.0),
    (0.6, 0.6, 0.2),
];

fn rel(a: f64, b: f64, scale: f64) -> f64 {
    (a - b).abs() / scale.max(1e-30)
}

#[test]
fn derivatives_match_finite_differences() {
    for (pm, l, t) in [(false, 0.18e-6, 27.0), (false, 1e-6, 125.0), (true, 0.5e-6, -40.0)] {
        let d = device(pm, &[("etab", -0.05), ("k2", -0.02), ("cdscd", 1e-4), ("keta", -0.04)], l, t);
        let h = 1e-6;
        for &(vgs, vds, vbs) in &BIASES {
            let r = d.dc(vgs, vds, vbs);
            if r.cdrain.abs() < 1e-15 {
                // Deep subthreshold: BSIM3's analytic derivatives (which ngspice and we share)
                // drift from the exact ones by about 1e-24 A/V in absolute terms.
                continue;
            }
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
                let fr = |vgd: f64, vsd: f64, vbd: f64| -f(vgd - vsd, -vsd, vbd - vsd);
                let (vgd, vsd, vbd) = (vgs - vds, -vds, vbs - vds);
                (
                    (fr(vgd + h, vsd, vbd) - fr(vgd - h, vsd, vbd)) / (2.0 * h),
                    (fr(vgd, vsd + h, vbd) - fr(vgd, vsd - h, vbd)) / (2.0 * h),
                    (fr(vgd, vsd, vbd + h) - fr(vgd, vsd, vbd - h)) / (2.0 * h),
                )
            };
            let scale = r.gm.abs() + r.gds.abs() + r.gmbs.abs();
            for (name, a, b) in [("gm", r.gm, gm), ("gds", r.gds, gds), ("gmbs", r.gmbs, gmbs)] {
                // 1e-4: at VBS = 0 BSIM3 clamps Vbseff to Vbs (a kink of order 1e-6 V) and
                // the central difference straddles it; elsewhere agreement is ~1e-8.
                assert!(rel(a, b, scale) < 1e-4, "{name} at ({vgs},{vds},{vbs}) pmos={pm}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn charges_are_conserved_and_caps_are_their_derivatives() {
    let mut worst: f64 = 0.0;
    for xpart in [0.0, 0.5, 1.0] {
        let d = device(false, &[("xpart", xpart)], 0.18e-6, 27.0);
        let h = 1e-6;
        for &(vgs, vds, vbs) in &BIASES {
            let q = d.charges(vgs, vds, vbs);
            let qs = [q.qd, q.qg, q.qs, q.qb];
            let qscale = qs.iter().map(|x| x.abs()).sum::<f64>().max(1e-20);
            assert!(qs.iter().sum::<f64>().abs() < 1e-12 * qscale);
            let cscale = q.c.iter().flatten().map(|x| x.abs()).fold(0.0, f64::max);
            for j in 0..4 {
                let s: f64 = (0..4).map(|i| q.c[i][j]).sum();
                assert!(s.abs() < 1e-9 * cscale, "column {j} sums to {s}");
            }
            // Finite differences of the terminal charges, v = (vd, vg, vs, vb) with vs = 0 base.
            let at = |v: [f64; 4]| {
                let c = d.charges(v[1] - v[2], v[0] - v[2], v[3] - v[2]);
                [c.qd, c.qg, c.qs, c.qb]
            };
            let v0 = [vds, vgs, 0.0, vbs];
            // With the (mode-frame) bulk forward biased, BSIM3's C-V body derivatives use
            // the Phis approximation of the DC model and are exact only to about 1e-2
            // (ngspice reports the same numbers). Elsewhere some of BSIM3's C-V
            // derivatives are approximate at the 1e-4 level, and at VBS = 0 the central
            // difference straddles the Vbseff >= Vbs clamp.
            let vbs_mode = if vds >= 0.0 { vbs } else { vbs - vds };
            let tol = if vbs_mode > 0.0 { 1e-2 } else { 1e-3 };
            for j in 0..4 {
                let (mut vp, mut vm) = (v0, v0);
                vp[j] += h;
                vm[j] -= h;
                let (qp, qm) = (at(vp), at(vm));
                for i in 0..4 {
                    let num = (qp[i] - qm[i]) / (2.0 * h);
                    let e = rel(q.c[i][j], num, cscale);
                    worst = worst.max(e);
                    assert!(e < tol, "xpart {xpart} c[{i}][{j}] at ({vgs},{vds},{vbs}): {} vs {num}", q.c[i][j]);
                }
            }
        }
    }
    assert!(worst > 0.0);
}

#[test]
fn junction_capacitance_is_the_charge_derivative() {
    let d = device(false, &[], 0.18e-6, 27.0);
    let h = 1e-6;
    for v in [-2.0, -0.5, -0.01, 0.01, 0.3, 0.5] {
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
fn weak_inversion_gm_over_id_approaches_one_over_n_vt() {
    let d = device(false, &[], 1e-6, 27.0);
    let mut best: f64 = 0.0;
    let mut vg = 0.0;
    while vg < 0.6 {
        let r = d.dc(vg, 0.9, 0.0);
        best = best.max(r.gm / r.cdrain);
        vg += 1e-3;
    }
    let ideal = 1.0 / (d.n0() * d.vtm());
    assert!((best / ideal - 1.0).abs() < 0.02, "{best} vs {ideal}");
}

#[test]
fn noise_psd_formulas() {
    let d = device(false, &[("kf", 1e-26), ("af", 1.2), ("ef", 0.9)], 0.5e-6, 27.0);
    let r = d.dc(1.0, 1.0, 0.0);
    let (th, fl) = d.noise_psd(&r, 1e3);
    let k = crate::consts::BOLTZ;
    let want_th = 4.0 * k * d.temp_k() * 2.0 / 3.0 * (r.gm + r.gds + r.gmbs);
    assert!((th - want_th).abs() < 1e-12 * want_th);
    let want_fl = 1e-26 * r.cdrain.powf(1.2) / (1e3f64.powf(0.9) * d.leff() * d.leff() * d.cox());
    assert!((fl - want_fl).abs() < 1e-12 * want_fl);
}

#[test]
fn neutrality_and_parameter_errors() {
    let bad = |extra: &[(&str, f64)]| Bsim3Model::new("b", false, &card(extra));
    assert!(matches!(bad(&[("nosuch", 1.0)]), Err(crate::DeviceError::UnknownParameter { .. })));
    for name in ["rdsw", "a1", "dwg", "ngate", "alpha0", "cgdl", "lvth0", "wu0", "pk1"] {
        let e = bad(&[(name, 0.3)]).unwrap_err();
        assert!(e.to_string().contains(name), "{e}");
    }
    assert!(bad(&[("rdsw", 0.0), ("a2", 1.0), ("lvth0", 0.0), ("elm", 3.0)]).is_ok());
    assert!(bad(&[("capmod", 2.0)]).is_err());
    assert!(bad(&[("mobmod", 2.0)]).is_err());
    assert!(bad(&[("tox", -1.0)]).is_err());
    // NCH in m^-3 is scaled like ngspice.
    let m = bad(&[("nch", 2.3e23)]).unwrap();
    assert_eq!(m.params.nch, Some(2.3e17));
}

#[test]
fn odd_parameters_never_panic() {
    let values = [-1e30, -1.0, -1e-30, 0.0, 1e-30, 0.5, 1.0, 1e30];
    let names = [
        "vth0", "k1", "k2", "tox", "nch", "xj", "u0", "ua", "ub", "vsat", "dvt0", "dvt1", "dvt2", "eta0", "etab",
        "voff", "nfactor", "pclm", "pdiblc1", "pdiblc2", "drout", "delta", "keta", "a0", "lint", "wint", "cj", "mj",
        "pb", "js", "ijth", "ute", "at", "noff", "acde", "moin", "clc", "cle", "xpart", "tnom",
    ];
    for name in names {
        for &v in &values {
            let Ok(m) = Bsim3Model::new("odd", false, &card(&[(name, v)])) else { continue };
            for geom in [MosGeom::default(), MosGeom { w: 1e-7, l: 1e-7, ..MosGeom::default() }] {
                if let Ok(d) = Bsim3::new(&m, &geom, 27.0, 27.0, 1e-12) {
                    for &(vgs, vds, vbs) in &BIASES {
                        let r = d.dc(vgs, vds, vbs);
                        let _ = d.charges(vgs, vds, vbs);
                        let _ = d.junction_bd(vbs - vds);
                        let _ = d.noise_psd(&r, 1.0);
                    }
                }
            }
        }
    }
    let m = Bsim3Model::new("odd", false, &card(&[])).unwrap();
    for t in [-300.0, f64::NAN] {
        assert!(Bsim3::new(&m, &MosGeom::default(), t, 27.0, 1e-12).is_err());
    }
    assert!(Bsim3::new(&m, &MosGeom { l: 0.0, ..MosGeom::default() }, 27.0, 27.0, 1e-12).is_err());
}

#[test]
fn one_core_evaluation_gives_the_separate_results_and_extrinsic_charges_are_conserved() {
    for pmos in [false, true] {
        let d = device(pmos, &[("cgso", 3e-10), ("cgdo", 2e-10), ("cgbo", 1e-10)], 0.18e-6, 27.0);
        let (ogs, ogd, ogb) = d.overlap_caps();
        assert!(ogs > 0.0 && ogd > 0.0 && ogb > 0.0);
        for &(vgs, vds, vbs) in &BIASES {
            // Bit for bit: the combined evaluation is the same arithmetic.
            let (dc, k) = d.dc_charges(vgs, vds, vbs);
            assert_eq!(dc, d.dc(vgs, vds, vbs));
            assert_eq!(k, d.charges(vgs, vds, vbs));
            let t = d.with_extrinsic(vgs, vds, vbs, &k);
            let qs = [t.qd, t.qg, t.qs, t.qb];
            let qscale = qs.iter().map(|x| x.abs()).sum::<f64>().max(1e-20);
            assert!(qs.iter().sum::<f64>().abs() < 1e-12 * qscale);
            let cscale = t.c.iter().flatten().map(|x| x.abs()).fold(0.0, f64::max);
            for j in 0..4 {
                let col: f64 = (0..4).map(|i| t.c[i][j]).sum();
                let row: f64 = t.c[j].iter().sum();
                assert!(col.abs() < 1e-9 * cscale && row.abs() < 1e-9 * cscale, "row/column {j}: {row}, {col}");
            }
            // The gate's added self-capacitance is the three overlaps; the drain's is the
            // gate-drain overlap and the bulk-drain junction.
            let (_, cbd) = d.junction_bd(vbs - vds);
            assert!(rel(t.c[1][1] - k.c[1][1], ogs + ogd + ogb, ogs + ogd + ogb) < 1e-9);
            assert!(rel(t.c[0][0] - k.c[0][0], ogd + cbd, ogd + cbd) < 1e-9);
        }
    }
}

#[test]
fn a_vgs_sweep_from_one_bias_part_gives_the_direct_results() {
    // Reverse mode, forward body bias, KETA and the weak/strong-inversion branches of Vgsteff.
    for pmos in [false, true] {
        let d = device(pmos, &[("keta", -0.047), ("etab", -0.07), ("js", 1e-4)], 0.25e-6, 60.0);
        for &(_, vds, vbs) in &BIASES {
            let b = d.bias(vds, vbs);
            for k in 0..=40 {
                let vgs = -0.5 + 0.075 * k as f64;
                assert_eq!(d.dc_charges_at(&b, vgs), d.dc_charges(vgs, vds, vbs), "{vgs} {vds} {vbs}");
            }
        }
    }
}

/// Whether lane values `a` match scalar values `b` within `rel` of their magnitude, or of
/// `rel` / 1000 of the largest magnitude in `b` for entries that cancel to near zero.
fn lanes_close(a: &[f64], b: &[f64], rel: f64) -> Option<(usize, f64)> {
    let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    a.iter().zip(b).enumerate().find_map(|(i, (x, y))| {
        let e = (x - y).abs() / x.abs().max(y.abs()).max(1e-3 * scale).max(1e-300);
        (e > rel || x.is_nan() != y.is_nan()).then_some((i, e))
    })
}

#[test]
fn lanes_of_gate_voltages_give_the_scalar_results() {
    use super::lane::Lanes;
    // Lanes that take different branches (accumulation, weak, moderate and strong inversion)
    // side by side, and lanes that all take the same one; forward and reverse mode, VDS = 0,
    // each XPART partition, KETA, forward body bias, NMOS and PMOS. The lanes' exp and ln are
    // within one ulp of libm's (`lane::tests`), so each lane matches the scalar evaluation to
    // a few ulps amplified by the model (REL).
    const REL: f64 = 1e-12;
    let groups: [[f64; 4]; 6] = [
        [-0.5, 0.1, 0.45, 1.8],
        [0.2, 0.25, 0.3, 0.35],
        [1.2, 1.4, 1.6, 1.8],
        [-1.0, -0.8, -0.6, -0.4],
        [0.38, 0.9, -0.2, 0.55],
        [0.0, 3.0, 0.41, 0.42],
    ];
    let mut biases = BIASES.to_vec();
    biases.extend([(0.0, 0.0, 0.0), (0.0, 0.0, -0.9), (0.0, 1e-12, 0.3)]);
    let mut worst = 0.0f64;
    for (pmos, xpart) in [(false, 0.0), (true, 0.4), (false, 0.5), (false, 1.0)] {
        let extra = [("keta", -0.047), ("etab", -0.07), ("js", 1e-4), ("xpart", xpart), ("kf", 1e-26), ("af", 1.2)];
        let d = device(pmos, &extra, 0.25e-6, 60.0);
        let (bd, bs) = (d.junction_bd(0.1), d.junction_bs(-0.2));
        for &(_, vds, vbs) in &biases {
            let b = d.bias(vds, vbs);
            for g in &groups {
                let (dc4, q4) = d.dc_charges_at(&b, Lanes(*g));
                let ext4 = d.with_extrinsic_junctions(Lanes(*g), vds, vbs, &q4, bd, bs);
                let (sth4, sfl4) = d.noise_psd(&dc4, 1.0);
                for (i, &vgs) in g.iter().enumerate() {
                    let (dc, q) = d.dc_charges_at(&b, vgs);
                    let ext = d.with_extrinsic_junctions(vgs, vds, vbs, &q, bd, bs);
                    let (sth, sfl) = d.noise_psd(&dc, 1.0);
                    let at = format!("pmos {pmos} xpart {xpart} vgs {vgs} vds {vds} vbs {vbs}");
                    assert_eq!(
                        (dc4.mode, dc4.cbd, dc4.gbd, dc4.cbs, dc4.gbs, dc4.von, dc4.n),
                        (dc.mode, dc.cbd, dc.gbd, dc.cbs, dc.gbs, dc.von, dc.n)
                    );
                    let l = |x: Lanes<4>| x.0[i];
                    let dcs = [
                        (l(dc4.cdrain), dc.cdrain),
                        (l(dc4.gm), dc.gm),
                        (l(dc4.gds), dc.gds),
                        (l(dc4.gmbs), dc.gmbs),
                        (l(dc4.vdsat), dc.vdsat),
                        (l(dc4.vgsteff), dc.vgsteff),
                        (l(dc4.vdseff), dc.vdseff),
                        (l(dc4.ueff), dc.ueff),
                        (l(dc4.abulk), dc.abulk),
                        (l(sth4), sth),
                        (l(sfl4), sfl),
                    ];
                    for (x, y) in dcs {
                        if let Some((_, e)) = lanes_close(&[x], &[y], REL) {
                            panic!("{at}: {x} against {y} ({e:.1e})");
                        }
                        worst = worst.max((x - y).abs() / y.abs().max(1e-300));
                    }
                    for (k4, k) in [(&q4, &q), (&ext4, &ext)] {
                        let flat = |k: &Bsim3Charges<f64>| {
                            let mut v = vec![k.qg, k.qd, k.qs, k.qb];
                            v.extend(k.c.iter().flatten());
                            v
                        };
                        let lane = Bsim3Charges {
                            qg: l(k4.qg),
                            qd: l(k4.qd),
                            qs: l(k4.qs),
                            qb: l(k4.qb),
                            c: k4.c.map(|r| r.map(l)),
                        };
                        let (a, b) = (flat(&lane), flat(k));
                        if let Some((j, e)) = lanes_close(&a[..4], &b[..4], REL).or(lanes_close(&a[4..], &b[4..], REL))
                        {
                            panic!("{at}: charge entry {j}: {a:?} against {b:?} ({e:.1e})");
                        }
                    }
                    assert!(sfl > 0.0 && sth >= 0.0, "{at}");
                }
            }
        }
    }
    eprintln!("worst relative difference of the DC quantities: {worst:.1e}");
}

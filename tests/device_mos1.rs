//! MOS level 1 against ngspice at forced terminal voltages.
//!
//! DC: one `.dc VG x VD` sweep per temperature (-40, 27, 125 C) with NMOS and PMOS cards at
//! three body biases each (reverse, zero, forward), covering cutoff, triode, saturation and
//! reverse mode (VDS < 0). Compared: `@m[id] gm gds gmb vdsat von` within 1e-9 relative.
//! Capacitances: one `.op` per temperature with one instance per bias point
//! (accumulation ... triode, reverse mode, forward body bias); `@m[cgs] cgd cgb cbd cbs`.

mod common;

use common::{device_vector, mos_params, scratch_dir, sp, ForcedBias, Worst};
use insitu::devices::{Mos1, Mos1Model, MosGeom};
use insitu::ngspice::Ngspice;

const TOL: f64 = 1e-9;
const TEMPS: [f64; 3] = [-40.0, 27.0, 125.0];

struct Card {
    name: &'static str,
    pmos: bool,
    params: Vec<(&'static str, f64)>,
    geom: MosGeom,
}

fn cards() -> Vec<Card> {
    let g = MosGeom::default();
    vec![
        // TOX/UO-derived KP, GAMMA, LAMBDA, LD, M, overlaps, CBD/CBS with MJ != 0.5.
        Card {
            name: "nref",
            pmos: false,
            params: vec![
                ("vto", 0.45),
                ("tox", 4.1e-9),
                ("uo", 300.0),
                ("gamma", 0.55),
                ("phi", 0.86),
                ("lambda", 0.08),
                ("ld", 10e-9),
                ("cgso", 3e-10),
                ("cgdo", 2.5e-10),
                ("cgbo", 1e-10),
                ("cbd", 2e-15),
                ("cbs", 2.2e-15),
                ("mj", 0.4),
                ("pb", 0.75),
                ("is", 2e-14),
            ],
            geom: MosGeom { w: 10e-6, l: 0.5e-6, m: 2.0, ..g },
        },
        // NSUB-derived VTO, GAMMA, PHI (with NSS, TPG); JS with AD/AS; CJ/CJSW; TNOM.
        Card {
            name: "nsub",
            pmos: false,
            params: vec![
                ("tox", 10e-9),
                ("nsub", 2e16),
                ("nss", 1e10),
                ("tpg", 1.0),
                ("uo", 500.0),
                ("lambda", 0.03),
                ("js", 1e-4),
                ("cj", 2e-4),
                ("cjsw", 3e-10),
                ("mjsw", 0.33),
                ("fc", 0.4),
                ("tnom", 35.0),
            ],
            geom: MosGeom { w: 5e-6, l: 1e-6, ad: 5e-12, as_: 6e-12, pd: 12e-6, ps: 14e-6, ..g },
        },
        // PMOS with KP given, TOX for Meyer caps, M = 3.
        Card {
            name: "pref",
            pmos: true,
            params: vec![
                ("vto", -0.6),
                ("kp", 3e-5),
                ("tox", 6e-9),
                ("gamma", 0.4),
                ("phi", 0.7),
                ("lambda", 0.05),
                ("cgso", 2e-10),
                ("cgdo", 2e-10),
                ("cj", 3e-4),
                ("mj", 0.5),
            ],
            geom: MosGeom { w: 20e-6, l: 1e-6, ad: 20e-12, as_: 20e-12, m: 3.0, ..g },
        },
        // PMOS with NSUB-derived parameters and LD.
        Card {
            name: "pnsub",
            pmos: true,
            params: vec![("tox", 8e-9), ("nsub", 5e16), ("uo", 200.0), ("ld", 50e-9), ("lambda", 0.1), ("tpg", -1.0)],
            geom: MosGeom { w: 8e-6, l: 0.8e-6, ..g },
        },
    ]
}

fn model_line(c: &Card) -> String {
    let kind = if c.pmos { "pmos" } else { "nmos" };
    let p: Vec<String> = c.params.iter().map(|(n, v)| format!("{n}={}", sp(*v))).collect();
    format!(".model {} {kind} (level=1 {})\n", c.name, p.join(" "))
}

fn ours(c: &Card, temp: f64) -> Mos1 {
    let params: Vec<(String, f64)> = c.params.iter().map(|(n, v)| (n.to_string(), *v)).collect();
    let m = Mos1Model::new(c.name, c.pmos, &params).expect("model");
    Mos1::new(&m, &c.geom, temp, 27.0, 1e-12).expect("instance")
}

const VBS: [f64; 3] = [-0.6, 0.0, 0.2];

#[test]
fn mos1_dc_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("mos1-dc");
    let cards = cards();
    let mut worst = Worst::default();
    let mut regions = std::collections::BTreeMap::new();
    for &temp in &TEMPS {
        let mut tb = ForcedBias::new("mos1 dc cross-check", temp);
        for (ci, c) in cards.iter().enumerate() {
            tb.text(&model_line(c));
            for (bi, vb) in VBS.iter().enumerate() {
                let q = ["id", "gm", "gds", "gmb", "vdsat", "von"];
                tb.swept(&format!("m{ci}b{bi}"), c.name, c.pmos, *vb, &mos_params(&c.geom), &q);
            }
        }
        let deck = tb.finish(".dc VG 0 2 0.125 VD -0.625 1.875 0.125");
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("DC transfer").expect("dc plot");
        let vg = plot.vector("v(g)").expect("v(g)");
        let vd = plot.vector("v(d)").expect("v(d)");
        assert_eq!(vg.len(), 17 * 21, "sweep length");
        for (ci, c) in cards.iter().enumerate() {
            let dev = ours(c, temp);
            let typ = dev.mos_type();
            for (bi, vb) in VBS.iter().enumerate() {
                let inst = format!("m{ci}b{bi}");
                let get = |q: &str| device_vector(plot, &inst, q);
                let (id, gm, gds, gmb, vdsat, von) =
                    (get("id"), get("gm"), get("gds"), get("gmb"), get("vdsat"), get("von"));
                for k in 0..vg.len() {
                    // n-frame voltages: for PMOS the terminal voltages are -vg, -vd, -vb.
                    let r = dev.dc(vg[k], vd[k], *vb);
                    let vgst = if r.mode > 0.0 { vg[k] } else { vg[k] - vd[k] } - r.von;
                    let region = match (vgst <= 0.0, vgst <= r.mode * vd[k]) {
                        (true, _) => "cutoff",
                        (false, true) => "saturation",
                        (false, false) => "triode",
                    };
                    *regions.entry(region).or_insert(0usize) += 1;
                    if r.mode < 0.0 && vgst > 0.0 {
                        *regions.entry("reverse-on").or_insert(0) += 1;
                    }
                    if *vb > 0.0 && vgst > 0.0 {
                        *regions.entry("forward-body-on").or_insert(0) += 1;
                    }
                    let ctx = format!("{} T={temp} vgs={} vds={} vbs={vb}", c.name, vg[k], vd[k]);
                    worst.check("id", r.id(), id[k], 1e-18, TOL, &ctx);
                    worst.check("gm", r.gm, gm[k], 1e-18, TOL, &ctx);
                    worst.check("gds", r.gds, gds[k], 1e-18, TOL, &ctx);
                    worst.check("gmb", r.gmbs, gmb[k], 1e-18, TOL, &ctx);
                    worst.check("vdsat", typ * r.vdsat, vdsat[k], 1e-15, TOL, &ctx);
                    worst.check("von", typ * r.von, von[k], 1e-15, TOL, &ctx);
                }
            }
        }
    }
    println!("points per region: {regions:?}");
    for r in ["cutoff", "saturation", "triode", "reverse-on", "forward-body-on"] {
        assert!(regions.get(r).copied().unwrap_or(0) > 0, "grid misses region {r}");
    }
    worst.report("mos1 dc vs ngspice");
}

/// Bias points (vgs, vds, vbs) in the n-frame: accumulation, depletion, moderate, strong
/// inversion in saturation and triode, tiny vds, reverse mode, forward body bias.
const OP_POINTS: [(f64, f64, f64); 14] = [
    (-1.5, 0.5, 0.0),
    (-0.2, 1.0, -0.5),
    (0.2, 0.8, 0.0),
    (0.4, 0.01, 0.0),
    (0.6, 1.5, 0.0),
    (1.2, 1.5, -0.4),
    (1.5, 0.2, 0.0),
    (1.8, 0.015, -0.2),
    (1.0, -0.3, 0.0),
    (1.8, -1.2, -0.3),
    (0.9, 0.5, 0.2),
    (1.4, 0.3, 0.35),
    (0.5, -0.05, 0.1),
    (2.5, 2.0, 0.0),
];

#[test]
fn mos1_caps_match_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("mos1-caps");
    let cards = cards();
    let mut worst = Worst::default();
    let mut regions = std::collections::BTreeMap::new();
    for &temp in &TEMPS {
        let mut tb = ForcedBias::new("mos1 op capacitance cross-check", temp);
        for (ci, c) in cards.iter().enumerate() {
            tb.text(&model_line(c));
            for (pi, &bias) in OP_POINTS.iter().enumerate() {
                let q = ["cgs", "cgd", "cgb", "cbd", "cbs", "id"];
                tb.biased(&format!("m{ci}p{pi}"), c.name, c.pmos, bias, &mos_params(&c.geom), &q);
            }
        }
        let deck = tb.finish(".op");
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("Operating Point").expect("op plot");
        for (ci, c) in cards.iter().enumerate() {
            let dev = ours(c, temp);
            let (cgso, cgdo, cgbo) = dev.overlap_caps();
            for (pi, &(vgs, vds, vbs)) in OP_POINTS.iter().enumerate() {
                let inst = format!("m{ci}p{pi}");
                let get = |q: &str| device_vector(plot, &inst, q)[0];
                let r = dev.dc(vgs, vds, vbs);
                let vgd = vgs - vds;
                let (cgs, cgd, cgb) = if r.mode > 0.0 {
                    dev.meyer(vgs, vgd, r.von, r.vdsat)
                } else {
                    let (a, b, cgb) = dev.meyer(vgd, vgs, r.von, r.vdsat);
                    (b, a, cgb)
                };
                let ctx = format!("{} T={temp} vgs={vgs} vds={vds} vbs={vbs}", c.name);
                let floor = 1e-21;
                let phi = dev.phi_t();
                let vgst = if r.mode > 0.0 { vgs } else { vgs - vds } - r.von;
                let sat = r.mode * vds >= r.vdsat.max(0.025);
                let region = if vgst <= -phi {
                    "accumulation"
                } else if vgst <= -phi / 2.0 {
                    "depletion"
                } else if vgst <= 0.0 {
                    if sat {
                        "weak-sat"
                    } else {
                        "weak-triode"
                    }
                } else if sat {
                    "strong-sat"
                } else {
                    "strong-triode"
                };
                *regions.entry(region).or_insert(0usize) += 1;
                if r.mode < 0.0 {
                    *regions.entry("reverse").or_insert(0) += 1;
                }
                worst.check("cgs", 2.0 * cgs + cgso, get("cgs"), floor, TOL, &ctx);
                worst.check("cgd", 2.0 * cgd + cgdo, get("cgd"), floor, TOL, &ctx);
                worst.check("cgb", 2.0 * cgb + cgbo, get("cgb"), floor, TOL, &ctx);
                worst.check("cbd", dev.junction_bd(vbs - vds).1, get("cbd"), floor, TOL, &ctx);
                worst.check("cbs", dev.junction_bs(vbs).1, get("cbs"), floor, TOL, &ctx);
                worst.check("id(op)", r.id(), get("id"), 1e-18, TOL, &ctx);
            }
        }
    }
    println!("op points per Meyer region: {regions:?}");
    for r in ["accumulation", "depletion", "weak-sat", "weak-triode", "strong-sat", "strong-triode", "reverse"] {
        assert!(regions.get(r).copied().unwrap_or(0) > 0, "op points miss region {r}");
    }
    worst.report("mos1 op capacitances vs ngspice");
}

#[test]
fn mos1_rejects_bad_parameters() {
    let p = |v: &[(&str, f64)]| v.iter().map(|(n, x)| (n.to_string(), *x)).collect::<Vec<_>>();
    assert!(Mos1Model::new("bad", false, &p(&[("phi", -0.1)])).is_err());
    assert!(Mos1Model::new("bad", false, &p(&[("nosuch", 1.0)])).is_err());
    assert!(Mos1Model::new("bad", false, &p(&[("tox", 1e-8), ("nsub", 1e9)])).is_err());
    let m = Mos1Model::new("ok", false, &p(&[("ld", 1e-6)])).unwrap();
    let g = MosGeom { l: 1e-6, ..MosGeom::default() };
    assert!(Mos1::new(&m, &g, 27.0, 27.0, 1e-12).is_err(), "negative effective length");
    let g = MosGeom { w: f64::NAN, ..MosGeom::default() };
    assert!(Mos1::new(&m, &g, 27.0, 27.0, 1e-12).is_err());
    let m = Mos1Model::new("ok", false, &[]).unwrap();
    let d = Mos1::new(&m, &MosGeom::default(), 27.0, 27.0, 1e-12).unwrap();
    assert_eq!(d.drain_conductance(), 0.0);
    assert_eq!(d.cox_total(), 0.0);
}

//! BSIM-lite (BSIM3v3.3 core subset) against ngspice (`level=8 version=3.3.0`, same card)
//! at forced terminal voltages.
//!
//! DC: one `.dc VG x VD` sweep per temperature (-40, 27, 125 C) over the full 1.8 V supply
//! in both modes (VDS < 0 too), with the reference NMOS card and a PMOS counterpart, L from
//! the minimum 0.18 um to 10x, VBS 0 and reverse. Compared: `@m[id] gm gds gmbs` within
//! 1e-9 relative where |Id| > 1e-15 A, plus `vth` and `vdsat`.
//! Capacitances: `.op` points from accumulation to strong inversion (saturation and
//! triode, both modes, forward and reverse body bias): `@m[cgg] cgs cgd cdg cdd cds cbg
//! cbd cbs` (BSIM3's mode frame, overlaps excluded) within 1e-6 relative, `capbd capbs`.
//! Weak inversion: max gm/Id of a fine VGS sweep equals 1/(n UT) within 2 %.

mod common;

use common::{
    check_caps_point, check_dc_point, device_vector, mos_params, scratch_dir, sp, DcGrid, DcRule, ForcedBias, OpGrid,
    Worst,
};
use insitu::devices::{Bsim3, Bsim3Model, MosGeom};
use insitu::ngspice::Ngspice;

const TOL: f64 = 1e-9;
const CAP_TOL: f64 = 1e-6;
const TEMPS: [f64; 3] = [-40.0, 27.0, 125.0];
const LMIN: f64 = 0.18e-6;

/// The reference example card (`bsim-lite-example-nmos.lib`), as (name, value) pairs.
const NMOS_CARD: &[(&str, f64)] = &[
    ("mobmod", 1.0),
    ("capmod", 3.0),
    ("binunit", 1.0),
    ("paramchk", 0.0),
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
    ("dvt1w", 0.0),
    ("dvt2w", 0.0),
    ("eta0", 0.01),
    ("etab", 0.0),
    ("dsub", 0.5),
    ("voff", -0.08),
    ("nfactor", 1.3),
    ("cdsc", 0.0),
    ("cdscb", 0.0),
    ("cdscd", 0.0),
    ("cit", 0.0),
    ("u0", 300.0),
    ("ua", -1.0e-9),
    ("ub", 2.0e-18),
    ("uc", 0.0),
    ("vsat", 1.0e5),
    ("a0", 1.0),
    ("ags", 0.0),
    ("b0", 0.0),
    ("b1", 0.0),
    ("keta", 0.0),
    ("a1", 0.0),
    ("a2", 1.0),
    ("rdsw", 0.0),
    ("prwg", 0.0),
    ("prwb", 0.0),
    ("wr", 1.0),
    ("dwg", 0.0),
    ("dwb", 0.0),
    ("pclm", 1.0),
    ("pdiblc1", 0.2),
    ("pdiblc2", 0.005),
    ("pdiblcb", 0.0),
    ("drout", 0.5),
    ("pscbe1", 4.24e8),
    ("pscbe2", 1e-20),
    ("pvag", 0.0),
    ("delta", 0.01),
    ("lint", 0.0),
    ("wint", 0.0),
    ("xl", 0.0),
    ("xw", 0.0),
    ("ll", 0.0),
    ("wl", 0.0),
    ("lw", 0.0),
    ("ww", 0.0),
    ("lwl", 0.0),
    ("wwl", 0.0),
    ("kt1", 0.0),
    ("kt1l", 0.0),
    ("kt2", 0.0),
    ("ute", -1.5),
    ("ua1", 0.0),
    ("ub1", 0.0),
    ("uc1", 0.0),
    ("at", 0.0),
    ("prt", 0.0),
    ("cgso", 3e-10),
    ("cgdo", 3e-10),
    ("cgbo", 0.0),
    ("cf", 0.0),
    ("cj", 1e-3),
    ("mj", 0.5),
    ("cjsw", 2e-10),
    ("mjsw", 0.33),
    ("pb", 0.8),
    ("pbsw", 0.8),
    ("js", 0.0),
];

/// PMOS counterpart: negative VTH0, lower mobility, a little more body effect, XPART = 1
/// (0/100 partition) so both partitions are exercised; the NMOS uses the default 40/60.
fn pmos_card() -> Vec<(&'static str, f64)> {
    let mut v: Vec<(&'static str, f64)> = NMOS_CARD.to_vec();
    for (n, x) in v.iter_mut() {
        match *n {
            "vth0" => *x = -0.42,
            "u0" => *x = 110.0,
            "k1" => *x = 0.6,
            "ua" => *x = 1.0e-9,
            "ub" => *x = 1.0e-18,
            "vsat" => *x = 8.0e4,
            "nch" => *x = 2.0e17,
            "pclm" => *x = 1.3,
            _ => {}
        }
    }
    v.push(("xpart", 1.0));
    v
}

struct Card {
    name: &'static str,
    pmos: bool,
    params: Vec<(&'static str, f64)>,
}

fn cards() -> Vec<Card> {
    vec![
        Card { name: "nlite", pmos: false, params: NMOS_CARD.to_vec() },
        Card { name: "plite", pmos: true, params: pmos_card() },
    ]
}

fn model_line(c: &Card) -> String {
    let kind = if c.pmos { "pmos" } else { "nmos" };
    let p: Vec<String> = c.params.iter().map(|(n, v)| format!("+ {n}={}", sp(*v))).collect();
    format!(".model {} {kind} level=8 version=3.3.0\n{}\n", c.name, p.join("\n"))
}

fn geom(l: f64) -> MosGeom {
    let w = 2e-6;
    let ext = 0.5e-6;
    MosGeom { w, l, ad: w * ext, as_: w * ext, pd: 2.0 * (w + ext), ps: 2.0 * (w + ext), ..MosGeom::default() }
}

fn ours(c: &Card, g: &MosGeom, temp: f64) -> Bsim3 {
    let params: Vec<(String, f64)> = c.params.iter().map(|(n, v)| (n.to_string(), *v)).collect();
    let m = Bsim3Model::new(c.name, c.pmos, &params).expect("model");
    Bsim3::new(&m, g, temp, 27.0, 1e-12).expect("instance")
}

const LS: [f64; 3] = [LMIN, 0.5e-6, 10.0 * LMIN];
const VBS: [f64; 2] = [0.0, -0.6];

#[test]
fn bsim3_dc_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let cards = cards();
    let grid = DcGrid {
        title: "bsim3 dc cross-check",
        models: cards.iter().map(model_line).collect(),
        cards: cards.iter().map(|c| (c.name.to_string(), c.pmos)).collect(),
        geoms: LS.iter().map(|&l| geom(l)).collect(),
        inst_extra: "",
        vbs: &VBS,
        extra: &[],
        sweep: ".dc VG 0 1.8 0.05 VD -1.8 1.8 0.1",
    };
    let mut regions = std::collections::BTreeMap::new();
    let worst = grid.run(&ng, &scratch_dir("bsim3-dc"), &TEMPS, |worst, ci, gi, temp, vb, ng, vg, vd| {
        assert_eq!(vg.len(), 37 * 37, "sweep length");
        let (c, l) = (&cards[ci], grid.geoms[gi].l);
        let dev = ours(c, &grid.geoms[gi], temp);
        for k in 0..vg.len() {
            let r = dev.dc(vg[k], vd[k], vb);
            let vgst = if r.mode > 0.0 { vg[k] } else { vg[k] - vd[k] } - r.von;
            let region = if vgst < -0.1 {
                "weak"
            } else if vgst < 0.1 {
                "moderate"
            } else if r.mode * vd[k] >= r.vdsat {
                "strong-sat"
            } else {
                "strong-triode"
            };
            *regions.entry(region).or_insert(0usize) += 1;
            if r.mode < 0.0 && vgst > 0.1 {
                *regions.entry("reverse-on").or_insert(0) += 1;
            }
            let ctx = format!("{} L={l:e} T={temp} vgs={} vds={} vbs={vb}", c.name, vg[k], vd[k]);
            if check_dc_point(worst, &r.into(), ng, k, DcRule::Bsim3, TOL, &ctx) {
                *regions.entry("compared").or_insert(0) += 1;
            }
        }
    });
    println!("points per region: {regions:?}");
    for r in ["weak", "moderate", "strong-sat", "strong-triode", "reverse-on"] {
        assert!(regions.get(r).copied().unwrap_or(0) > 0, "grid misses region {r}");
    }
    worst.report("bsim3 dc vs ngspice");
}

/// Bias points (vgs, vds, vbs) in the n-frame: accumulation, depletion, weak, moderate,
/// strong inversion in saturation and triode, VDS = 0, reverse mode, reverse and forward
/// body bias.
const OP_POINTS: [(f64, f64, f64); 15] = [
    (-1.0, 0.5, 0.0),
    (-0.3, 1.0, -0.5),
    (0.1, 0.9, 0.0),
    (0.25, 0.05, 0.0),
    (0.4, 1.2, 0.0),
    (0.5, 0.9, -0.6),
    (0.8, 1.8, 0.0),
    (1.2, 0.1, 0.0),
    (1.8, 0.4, -0.3),
    (1.8, 1.8, 0.0),
    (1.0, 0.0, 0.0),
    (1.2, -0.8, 0.0),
    (1.8, -0.2, -0.4),
    (0.3, -1.0, 0.0),
    (0.9, 0.5, 0.3),
];

#[test]
fn bsim3_caps_match_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let cards = cards();
    let grid = OpGrid {
        title: "bsim3 op capacitance cross-check",
        models: cards.iter().map(model_line).collect(),
        cards: cards.iter().map(|c| (c.name.to_string(), c.pmos)).collect(),
        geoms: [LMIN, 10.0 * LMIN].iter().map(|&l| geom(l)).collect(),
        points: &OP_POINTS,
        extra: &["capbd", "capbs"],
    };
    let worst = grid.run(&ng, &scratch_dir("bsim3-caps"), &TEMPS, |worst, ci, gi, temp, (vgs, vds, vbs), get| {
        let (c, g) = (&cards[ci], &grid.geoms[gi]);
        let dev = ours(c, g, temp);
        let k = dev.intrinsic_caps(vgs, vds, vbs);
        let ctx = format!("{} L={:e} T={temp} vgs={vgs} vds={vds} vbs={vbs}", c.name, g.l);
        check_caps_point(worst, &k, get, CAP_TOL, &ctx);
        worst.check("capbd", dev.junction_bd(vbs - vds).1, get("capbd"), 1e-21, CAP_TOL, &ctx);
        worst.check("capbs", dev.junction_bs(vbs).1, get("capbs"), 1e-21, CAP_TOL, &ctx);
        worst.check("id(op)", dev.dc(vgs, vds, vbs).cdrain, get("id"), 1e-15, TOL, &ctx);
    });
    worst.report("bsim3 op capacitances vs ngspice");
}

#[test]
fn bsim3_weak_inversion_gm_over_id() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("bsim3-gmid");
    let cards = cards();
    let mut deck = String::from("bsim3 gm/Id\nVG g 0 0\nVD d 0 0.9\nEGP gp 0 g 0 -1\nEDP dp 0 d 0 -1\n");
    let mut saves = vec!["v(g)".to_string()];
    let w = 10e-6;
    let lengths = [LMIN, 1e-6];
    for (ci, c) in cards.iter().enumerate() {
        deck += &model_line(c);
        for (li, &l) in lengths.iter().enumerate() {
            let inst = format!("m{ci}l{li}");
            let (d, g) = if c.pmos { ("dp", "gp") } else { ("d", "g") };
            let geo =
                MosGeom { w, l, ad: w * 0.5e-6, as_: w * 0.5e-6, pd: 2.0 * w + 1e-6, ps: 2.0 * w + 1e-6, ..geom(l) };
            deck += &format!("{inst} {d} {g} 0 0 {} {}\n", c.name, mos_params(&geo));
            saves.push(format!("@{inst}[id]"));
            saves.push(format!("@{inst}[gm]"));
        }
    }
    deck += &format!(".save {}\n.dc VG 0 1.8 1m\n.end\n", saves.join(" "));
    let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
    let plot = run.plot("DC transfer").expect("dc plot");
    let vg = plot.vector("v(g)").expect("v(g)");
    for (ci, c) in cards.iter().enumerate() {
        for (li, &l) in lengths.iter().enumerate() {
            let inst = format!("m{ci}l{li}");
            let id = plot.vector(&format!("@{inst}[id]")).unwrap();
            let gm = plot.vector(&format!("@{inst}[gm]")).unwrap();
            let ng_max = id.iter().zip(gm).filter(|(i, _)| i.abs() > 0.0).map(|(i, g)| g / i).fold(0.0, f64::max);
            let geo = MosGeom { w, l, ..geom(l) };
            let dev = ours(c, &geo, 27.0);
            let our_max = vg
                .iter()
                .map(|&v| dev.dc(v, 0.9, 0.0))
                .filter(|r| r.cdrain > 0.0)
                .map(|r| r.gm / r.cdrain)
                .fold(0.0, f64::max);
            let ideal = 1.0 / (dev.n0() * dev.vtm());
            println!(
                "{} L={l:e}: max gm/Id ngspice {ng_max:.3} ours {our_max:.3}, 1/(n UT) = {ideal:.3} (n = {:.4})",
                c.name,
                dev.n0()
            );
            assert!((ng_max / ideal - 1.0).abs() < 0.02, "ngspice {ng_max} vs 1/(n UT) {ideal}");
            assert!((our_max / ideal - 1.0).abs() < 0.02, "ours {our_max} vs 1/(n UT) {ideal}");
            assert!((our_max / ng_max - 1.0).abs() < 1e-6, "ours {our_max} vs ngspice {ng_max}");
        }
    }
}

#[test]
fn bsim3_rejects_non_neutral_parameters() {
    let p = |v: &[(&str, f64)]| v.iter().map(|(n, x)| (n.to_string(), *x)).collect::<Vec<_>>();
    let e = Bsim3Model::new("bad", false, &p(&[("rdsw", 100.0)])).unwrap_err();
    assert!(e.to_string().contains("rdsw"), "{e}");
    assert!(Bsim3Model::new("bad", false, &p(&[("nosuch", 1.0)])).is_err());
    assert!(Bsim3Model::new("bad", false, &p(&[("capmod", 0.0)])).is_err());
    let params: Vec<(String, f64)> = NMOS_CARD.iter().map(|(n, v)| (n.to_string(), *v)).collect();
    assert!(Bsim3Model::new("ok", false, &params).is_ok());
}

/// Cards that exercise the implemented terms whose reference values are neutral (K2, K3,
/// NLX, DVT2, ETAB, CDSC*, CIT, KETA, AGS, B0/B1, PDIBLCB, PVAG, active PSCBE, KT1/KT2,
/// UA1/UB1/UC1, AT, LINT/WINT, DLC, LL/WW, CJSWG, JS/JSW with XTI, IJTH, TCJ/TPB) and a
/// minimal card that runs on ngspice's defaults: DC, junction currents and capacitances.
#[test]
fn bsim3_non_neutral_terms_match_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("bsim3-rich");
    let rich: Vec<(&'static str, f64)> = vec![
        ("tox", 5e-9),
        ("xj", 1.5e-7),
        ("nch", 3e17),
        ("vth0", 0.45),
        ("k1", 0.6),
        ("k2", -0.02),
        ("k3", 20.0),
        ("k3b", 1.0),
        ("w0", 2e-6),
        ("nlx", 1e-7),
        ("dvt0", 2.0),
        ("dvt1", 0.5),
        ("dvt2", -0.03),
        ("dvt0w", 0.1),
        ("dvt1w", 5e6),
        ("dvt2w", -0.03),
        ("eta0", 0.05),
        ("etab", -0.05),
        ("dsub", 0.6),
        ("voff", -0.1),
        ("nfactor", 1.1),
        ("cdsc", 2e-4),
        ("cdscb", -1e-5),
        ("cdscd", 1e-5),
        ("cit", 1e-5),
        ("u0", 400.0),
        ("ua", 1e-9),
        ("ub", 1e-18),
        ("uc", -3e-11),
        ("vsat", 9e4),
        ("a0", 1.2),
        ("ags", 0.2),
        ("b0", 1e-7),
        ("b1", 1e-6),
        ("keta", -0.03),
        ("pclm", 1.2),
        ("pdiblc1", 0.3),
        ("pdiblc2", 0.008),
        ("pdiblcb", -0.1),
        ("drout", 0.6),
        ("pscbe1", 4e8),
        ("pscbe2", 1e-5),
        ("pvag", 0.5),
        ("delta", 0.02),
        ("kt1", -0.1),
        ("kt1l", 1e-9),
        ("kt2", 0.02),
        ("ute", -1.3),
        ("ua1", 4e-9),
        ("ub1", -7e-18),
        ("uc1", -5e-11),
        ("at", 3e4),
        ("lint", 1e-8),
        ("wint", 5e-9),
        ("dlc", 2e-8),
        ("ll", 1e-16),
        ("ww", 2e-16),
        ("xpart", 0.5),
        ("cgso", 2e-10),
        ("cgdo", 2.5e-10),
        ("cgbo", 1e-11),
        ("clc", 1e-7),
        ("cle", 0.5),
        ("cj", 9e-4),
        ("mj", 0.4),
        ("cjsw", 2e-10),
        ("mjsw", 0.3),
        ("cjswg", 3e-10),
        ("mjswg", 0.35),
        ("pb", 0.7),
        ("pbsw", 0.75),
        ("pbswg", 0.85),
        ("js", 1e-5),
        ("jsw", 1e-11),
        ("nj", 1.1),
        ("xti", 3.5),
        ("ijth", 1e-3),
        ("tcj", 1e-3),
        ("tpb", 1e-3),
        ("pscbe2", 1e-5),
    ];
    // Minimal card: everything else at ngspice's defaults (TOX 15 nm, CAPMOD 3, K3 = 80, ...).
    let minimal: Vec<(&'static str, f64)> = vec![("vth0", -0.5), ("k1", 0.5), ("k2", 0.01), ("u0", 150.0)];
    let cards = [Card { name: "rich", pmos: false, params: rich }, Card { name: "mini", pmos: true, params: minimal }];
    let mut worst = Worst::default();
    for &temp in &TEMPS {
        let mut tb = ForcedBias::new("bsim3 non-neutral cross-check", temp);
        for (ci, c) in cards.iter().enumerate() {
            tb.text(&model_line(c));
            for (li, &l) in [0.25e-6, 2e-6].iter().enumerate() {
                for (bi, vb) in [0.0, -0.8, 0.3].iter().enumerate() {
                    let q =
                        ["id", "gm", "gds", "gmbs", "vth", "ibd", "ibs", "gbd", "gbs", "cgg", "cdd", "cgs", "capbd"];
                    tb.swept(&format!("m{ci}l{li}b{bi}"), c.name, c.pmos, *vb, &mos_params(&geom(l)), &q);
                }
            }
        }
        let deck = tb.finish(".dc VG 0 1.8 0.1 VD -1.8 1.8 0.2");
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("DC transfer").expect("dc plot");
        let vg = plot.vector("v(g)").expect("v(g)");
        let vd = plot.vector("v(d)").expect("v(d)");
        for (ci, c) in cards.iter().enumerate() {
            for (li, &l) in [0.25e-6, 2e-6].iter().enumerate() {
                let dev = ours(c, &geom(l), temp);
                for (bi, vb) in [0.0, -0.8, 0.3].iter().enumerate() {
                    let inst = format!("m{ci}l{li}b{bi}");
                    let get = |q: &str| device_vector(plot, &inst, q);
                    let (id, gm, gds, gmb, vth) = (get("id"), get("gm"), get("gds"), get("gmbs"), get("vth"));
                    let (ibd, ibs, gbd, gbs) = (get("ibd"), get("ibs"), get("gbd"), get("gbs"));
                    let (cgg, cdd, cgs, capbd) = (get("cgg"), get("cdd"), get("cgs"), get("capbd"));
                    for k in 0..vg.len() {
                        let (vgs, vds) = (vg[k], vd[k]);
                        let r = dev.dc(vgs, vds, *vb);
                        let ctx = format!("{} L={l:e} T={temp} vgs={vgs} vds={vds} vbs={vb}", c.name);
                        worst.check("vth", r.von, vth[k], 1e-12, TOL, &ctx);
                        worst.check("ibd", r.cbd, ibd[k], 1e-15, TOL, &ctx);
                        worst.check("ibs", r.cbs, ibs[k], 1e-15, TOL, &ctx);
                        worst.check("gbd", r.gbd, gbd[k], 1e-18, TOL, &ctx);
                        worst.check("gbs", r.gbs, gbs[k], 1e-18, TOL, &ctx);
                        let kc = dev.intrinsic_caps(vgs, vds, *vb);
                        let floor = 1e-6 * kc.cggb.abs().max(1e-18);
                        worst.check("cgg", kc.cggb, cgg[k], floor, CAP_TOL, &ctx);
                        worst.check("cgs", kc.cgsb, cgs[k], floor, CAP_TOL, &ctx);
                        worst.check("cdd", kc.cddb, cdd[k], floor, CAP_TOL, &ctx);
                        worst.check("capbd", dev.junction_bd(vb - vds).1, capbd[k], 1e-21, CAP_TOL, &ctx);
                        if id[k].abs() <= 1e-15 {
                            continue;
                        }
                        worst.check("id", r.cdrain, id[k], 1e-15, TOL, &ctx);
                        let floor = id[k].abs() * 1e-6;
                        worst.check("gm", r.gm, gm[k], floor, TOL, &ctx);
                        worst.check("gds", r.gds, gds[k], floor, TOL, &ctx);
                        worst.check("gmbs", r.gmbs, gmb[k], floor, TOL, &ctx);
                    }
                }
            }
        }
    }
    worst.report("bsim3 non-neutral terms vs ngspice");
}

/// NOIMOD 1 channel noise against ngspice `.noise`: one transistor at forced bias whose
/// drain noise current flows through a 0 V source sensed by a noiseless CCVS of 1 ohm, so
/// `onoise_spectrum^2` is the drain-current PSD (thermal + flicker, no other source).
#[test]
fn bsim3_noise_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("bsim3-noise");
    let mut params = NMOS_CARD.to_vec();
    params.extend([("kf", 2e-26), ("af", 1.2), ("ef", 0.95)]);
    let card = Card { name: "nnoise", pmos: false, params };
    let mut worst = Worst::default();
    for &(temp, vgs, vds, l) in &[(27.0, 0.9, 1.2, LMIN), (125.0, 0.5, 0.3, 1e-6), (-40.0, 1.5, -0.6, 0.5e-6)] {
        let g = geom(l);
        let deck = format!(
            "bsim3 noise\n.temp {temp}\nVG g 0 dc {} ac 1\nVD dd 0 {}\nVM dd d 0\nH1 out 0 VM 1\n{}m1 d g 0 0 {} {}\n.noise \
             v(out) VG dec 5 1 1e9\n.end\n",
            sp(vgs),
            sp(vds),
            model_line(&card),
            card.name,
            mos_params(&g)
        );
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("Noise Spectral").expect("noise plot");
        let freq = plot.vector("frequency").expect("frequency");
        let onoise = plot.vector("onoise_spectrum").expect("onoise_spectrum");
        let dev = ours(&card, &g, temp);
        let r = dev.dc(vgs, vds, 0.0);
        for (f, v) in freq.iter().zip(onoise) {
            let (th, fl) = dev.noise_psd(&r, *f);
            let ctx = format!("T={temp} vgs={vgs} vds={vds} L={l:e} f={f:e}");
            worst.check("psd", th + fl, v * v, 1e-40, 1e-9, &ctx);
        }
    }
    worst.report("bsim3 noise vs ngspice");
}

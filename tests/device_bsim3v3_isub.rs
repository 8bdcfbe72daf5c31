//! BSIM3 substrate current (impact ionization: ALPHA0, ALPHA1, BETA0, with L-binned ALPHA0)
//! against ngspice 39 at forced terminal voltages, on the test cards of 3.3.0
//! (`full_cards.lib`), 3.2.4 (`v324_cards.lib`), 3.1 (`v31_cards.lib`) and 3.0
//! (`v30_cards.lib`; no ALPHA1 in 3.1 and 3.0) with the substrate-current values added.
//!
//! ngspice reports no `@m[isub]`: the bulk current is measured as the current of each
//! instance's own bulk source, `i(vb) = -(Ibs + Ibd - Isub)` in the circuit frame.
//! - DC sweeps over both modes, NMOS and PMOS, -40/27/125 C, two sizes, three body biases:
//!   `@m[id] gm gds gmbs` (Isub leaves them unchanged) and the bulk current within 1e-9
//!   relative; the substrate current alone (bulk current minus ngspice's own `@m[ibd]`,
//!   `@m[ibs]`) where the revision reports them, against 1e-4 of the junction current where a
//!   forward junction swamps it. ngspice runs at RELTOL 1e-10: at 1e-6 its bulk current is
//!   off by up to 1e-6 of itself (its Newton tolerance), 1e-18 A on a GMIN current.
//! - The conductances as stamped: an `.ac` at 1/(2 pi) Hz with one terminal driven at a time,
//!   Re(i(V)) of the drain, source and bulk sources against the linearization insitu's
//!   solver stamps (channel, junctions and Isub with its derivatives; 3.1 stamps Isub at
//!   the mode-frame source, as `b3v1ld.c` does).

mod common;

use common::{device_vector, mos_params, scratch_dir, sp, Worst};
use insitu::devices::bsim3v3::Bsim3Version;
use insitu::devices::{Bsim3v3, Bsim3v3Model, MosGeom};
use insitu::ngspice::Ngspice;
use std::path::Path;

const TOL: f64 = 1e-9;
/// Relative errors of bulk currents are taken against at least 1 fA.
const FA_FLOOR: f64 = 1e-15;
const TEMPS: [f64; 3] = [-40.0, 27.0, 125.0];

/// A card of one of the libraries with the substrate-current values added.
struct Card {
    name: String,
    pmos: bool,
    version: String,
    params: Vec<(String, f64)>,
    /// Supply voltage of the process (sweep range).
    vmax: f64,
    /// (W, L) of the two test sizes.
    sizes: [(f64, f64); 2],
}

fn cards() -> Vec<Card> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3");
    let mut out = Vec::new();
    for (file, names, vmax, sizes) in [
        ("full_cards.lib", ["nfull", "pfull"], 1.8, [(2e-6, 0.18e-6), (1e-6, 0.5e-6)]),
        ("v324_cards.lib", ["n324", "p324"], 3.3, [(2e-6, 0.35e-6), (1e-6, 1e-6)]),
        ("v31_cards.lib", ["n31", "p31"], 1.8, [(2e-6, 0.18e-6), (1e-6, 0.5e-6)]),
        ("v30_cards.lib", ["n30", "p30"], 1.8, [(2e-6, 0.18e-6), (1e-6, 0.5e-6)]),
    ] {
        let c = insitu::netlist::load_file(&dir.join(file)).expect("cards");
        for m in c.models.iter().filter(|m| names.contains(&m.name.as_str())) {
            let version = m.version.clone().expect("version");
            let pmos = m.name.starts_with('p');
            let mut params = m.params.clone();
            // Values in the ranges public BSIM3 cards use (ALPHA0 in m/V, ALPHA1 in 1/V,
            // BETA0 in V); PMOS impact ionization is weaker.
            let (a0, b0) = if pmos { (4e-6, 22.0) } else { (1.5e-5, 16.0) };
            params.extend([("alpha0".to_string(), a0), ("beta0".to_string(), b0), ("lalpha0".to_string(), 0.1 * a0)]);
            if version != "3.1" && version != "3.0" {
                params.push(("alpha1".to_string(), if pmos { 0.5 } else { 2.0 }));
            }
            out.push(Card { name: m.name.clone(), pmos, version, params, vmax, sizes });
        }
    }
    assert_eq!(out.len(), 8);
    out
}

fn model_line(c: &Card) -> String {
    let kind = if c.pmos { "pmos" } else { "nmos" };
    let p: Vec<String> = c.params.iter().map(|(n, v)| format!("+ {n}={}", sp(*v))).collect();
    format!(".model {} {kind} level=49 version={}\n{}\n", c.name, c.version, p.join("\n"))
}

fn device(c: &Card, g: &MosGeom, temp: f64) -> Bsim3v3 {
    let v = Bsim3Version::parse(Some(&c.version)).expect("version");
    let m = Bsim3v3Model::with_version(&c.name, c.pmos, &c.params, v).expect("model");
    Bsim3v3::new(&m, g, temp, 27.0, 1e-12).expect("instance")
}

fn geom(w: f64, l: f64) -> MosGeom {
    let ext = 0.5e-6;
    MosGeom { w, l, ad: w * ext, as_: w * ext, pd: 2.0 * (w + ext), ps: 2.0 * (w + ext), ..MosGeom::default() }
}

/// Instance parameters; NRD = NRS = 0 keeps RSH out of a device-level check.
fn inst_params(g: &MosGeom) -> String {
    format!("{} nrd=0 nrs=0", mos_params(g))
}

/// Current into the device at the bulk (n-frame) as the solver stamps it at convergence:
/// junctions (with 3.1's extra GMIN term) minus the substrate current.
fn bulk_current(r: &insitu::devices::bsim3v3::Bsim3v3Dc) -> f64 {
    let f = r.fet();
    f.cbd + f.cbs - f.sub.isub - f.sub.extra
}

#[test]
fn substrate_current_dc_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("bsim3-isub-dc");
    let cards = cards();
    let mut worst = Worst::default();
    let mut isub_max = 0.0f64;
    let vbs_set = [0.0, -0.6, 0.2];
    for &temp in &TEMPS {
        for c in &cards {
            let mut deck = format!(
                "bsim3 isub dc\n.temp {temp}\n.options reltol=1e-10 abstol=1e-20 vntol=1e-12\nVG g 0 0\nVD d 0 0\n\
                 EGP gp 0 g 0 -1\nEDP dp 0 d 0 -1\n"
            );
            deck += &model_line(c);
            let mut saves = vec!["v(g)".to_string(), "v(d)".to_string()];
            let v31 = c.version == "3.1";
            // bsim3v0 and bsim3v1 report `@m[id]` = mode Ids - Ibd; bsim3v1 has no ibd/ibs.
            let old = v31 || c.version == "3.0";
            for (si, &(w, l)) in c.sizes.iter().enumerate() {
                for (bi, vb) in vbs_set.iter().enumerate() {
                    let x = format!("m{si}b{bi}");
                    let (d, g, vbc) = if c.pmos { ("dp", "gp", -vb) } else { ("d", "g", *vb) };
                    deck += &format!(
                        "Vb{x} b{x} 0 {}\n{x} {d} {g} 0 b{x} {} {}\n",
                        sp(vbc),
                        c.name,
                        inst_params(&geom(w, l))
                    );
                    saves.push(format!("i(vb{x})"));
                    let q: &[&str] =
                        if v31 { &["id", "gm", "gds", "gmbs"] } else { &["id", "gm", "gds", "gmbs", "ibd", "ibs"] };
                    saves.extend(q.iter().map(|q| format!("@{x}[{q}]")));
                }
            }
            let step = c.vmax / 30.0;
            deck += &format!(
                ".save {}\n.dc VG 0 {} {} VD {} {} {}\n.end\n",
                saves.join(" "),
                sp(c.vmax),
                sp(step),
                sp(-c.vmax),
                sp(c.vmax),
                sp(2.0 * step)
            );
            let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
            let plot = run.plot("DC transfer").expect("dc plot");
            let vg = plot.vector("v(g)").expect("v(g)");
            let vd = plot.vector("v(d)").expect("v(d)");
            let ty = if c.pmos { -1.0 } else { 1.0 };
            for (si, &(w, l)) in c.sizes.iter().enumerate() {
                let dev = device(c, &geom(w, l), temp);
                for (bi, vb) in vbs_set.iter().enumerate() {
                    let x = format!("m{si}b{bi}");
                    let get = |q: &str| device_vector(plot, &x, q);
                    let ib = plot.vector(&format!("i(vb{x})")).expect("i(vb)");
                    let (id, gm, gds, gmb) = (get("id"), get("gm"), get("gds"), get("gmbs"));
                    for k in 0..vg.len() {
                        if vd[k].abs() < 1e-12 {
                            continue; // the sweep's round-off "zero"
                        }
                        let r = dev.dc(vg[k], vd[k], *vb);
                        let ctx = format!(
                            "{} v{} W={w:e} L={l:e} T={temp} vgs={} vds={} vbs={vb}",
                            c.name, c.version, vg[k], vd[k]
                        );
                        let id_ours = if old { r.mode * r.cdrain - r.cbd } else { r.cdrain };
                        worst.check("id", id_ours, id[k], 1e-15, TOL, &ctx);
                        let floor = 1e-6 * (gm[k].abs() + gds[k].abs() + gmb[k].abs()).max(1e-15);
                        worst.check("gm", r.gm, gm[k], floor, TOL, &ctx);
                        worst.check("gds", r.gds, gds[k], floor, TOL, &ctx);
                        worst.check("gmbs", r.gmbs, gmb[k], floor, TOL, &ctx);
                        // i(vb) = -(current into the device at the bulk), circuit frame, against
                        // the channel current's scale (Isub is a fraction of it).
                        let ours_ib = -ty * bulk_current(&r);
                        let junctions = r.cbd.abs() + r.cbs.abs();
                        worst.check("ibulk", ours_ib, ib[k], FA_FLOOR, TOL, &ctx);
                        isub_max = isub_max.max(r.substrate.isub.abs() / r.cdrain.abs().max(1e-30));
                        if !v31 {
                            // ngspice's Isub: its junction currents minus the bulk current.
                            let isub_ng = get("ibd")[k] + get("ibs")[k] + ty * ib[k];
                            // Where a forward junction carries far more than Isub (up to
                            // amperes), the difference cancels to ~1e-14 of the junction
                            // current: the floor follows it.
                            let floor = FA_FLOOR.max(1e-4 * junctions);
                            // bsim3v0's bulk current also carries the stamping extras its
                            // `@m[ibd]`/`@m[ibs]` do not report: Gbb (Vbs - Vbseff) of the Norton
                            // current around Vbseff and GMIN V a second time in each junction.
                            let ours_isub = if c.version == "3.0" {
                                r.substrate.isub + r.sub_stamp.extra - r.junction_extra[0] - r.junction_extra[1]
                            } else {
                                r.substrate.isub
                            };
                            worst.check("isub", ours_isub, isub_ng, floor, TOL, &ctx);
                        }
                    }
                }
            }
        }
    }
    println!("largest Isub/Id: {isub_max:.3e}");
    assert!(isub_max > 1e-3, "the cards must give a substrate current that matters (Isub/Id {isub_max:e})");
    worst.report("bsim3 substrate current dc vs ngspice");
}

/// Bias points (vgs, vds, vbs) in the n-frame, as fractions of the supply: saturation with
/// large Isub, triode, weak inversion, reverse mode, body bias.
const OP_POINTS: [(f64, f64, f64); 7] = [
    (0.6, 1.0, 0.0),
    (1.0, 1.0, -0.3),
    (1.0, 0.1, 0.0),
    (0.2, 0.9, 0.0),
    (0.7, -1.0, 0.0),
    (1.0, -0.6, -0.2),
    (0.5, 0.8, 0.1),
];

/// The solver's small-signal linearization of one device (circuit frame, rows and columns
/// d g s b), written out from `b3acld.c`'s matrix loads: channel, junctions, substrate current
/// (which `b3v1acld.c` leaves out).
fn stamped_conductances(dev: &Bsim3v3, vgs: f64, vds: f64, vbs: f64) -> [[f64; 4]; 4] {
    let f = dev.dc(vgs, vds, vbs).fet();
    let (d, g, s, b) = (0, 1, 2, 3);
    let mut j = [[0.0f64; 4]; 4];
    let gsum = f.gm + f.gds + f.gmbs;
    let (md, ms) = if f.mode > 0.0 { (d, s) } else { (s, d) };
    // Channel current from the mode-frame drain to the mode-frame source.
    let mut row = [0.0; 4];
    row[g] = f.gm;
    row[md] = f.gds;
    row[b] = f.gmbs;
    row[ms] = -gsum;
    for (c, v) in row.iter().enumerate() {
        j[md][c] += v;
        j[ms][c] -= v;
    }
    for (t, gj) in [(d, f.gbd), (s, f.gbs)] {
        j[t][t] += gj;
        j[t][b] -= gj;
        j[b][t] -= gj;
        j[b][b] += gj;
    }
    if !f.sub.small_signal {
        return j; // bsim3v1's AC load (b3v1acld.c) has no substrate current
    }
    let from = if f.sub.at_source { ms } else { md };
    let mut row = [0.0; 4];
    row[g] = f.sub.gbg;
    row[md] = f.sub.gbd;
    row[b] = f.sub.gbb;
    row[ms] = -(f.sub.gbg + f.sub.gbd + f.sub.gbb);
    for (c, v) in row.iter().enumerate() {
        j[from][c] += v;
        j[b][c] -= v;
    }
    j
}

#[test]
fn substrate_current_conductances_match_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("bsim3-isub-ac");
    let cards = cards();
    let mut worst = Worst::default();
    let terms = [("d", 0), ("g", 1), ("b", 3)];
    let omega_f = 1.0 / (2.0 * std::f64::consts::PI);
    for &temp in &TEMPS {
        let mut deck = format!("bsim3 isub ac\n.temp {temp}\n");
        let mut saves = Vec::new();
        for (ci, c) in cards.iter().enumerate() {
            deck += &model_line(c);
            let typ = if c.pmos { -1.0 } else { 1.0 };
            for (si, &(w, l)) in c.sizes.iter().enumerate() {
                for (pi, &(vgs, vds, vbs)) in OP_POINTS.iter().enumerate() {
                    for (j, _) in terms {
                        let x = format!("m{ci}s{si}p{pi}{j}");
                        for (t, v) in [("d", vds * c.vmax), ("g", vgs * c.vmax), ("b", vbs), ("s", 0.0)] {
                            let ac = if t == j { 1 } else { 0 };
                            deck += &format!("V{t}_{x} {t}_{x} 0 dc {} ac {ac}\n", sp(typ * v));
                            saves.push(format!("i(v{t}_{x})"));
                        }
                        deck += &format!("{x} d_{x} g_{x} s_{x} b_{x} {} {}\n", c.name, inst_params(&geom(w, l)));
                    }
                }
            }
        }
        deck += &format!(".save {}\n.ac lin 1 {} {}\n.end\n", saves.join(" "), sp(omega_f), sp(omega_f));
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("AC Analysis").expect("ac plot");
        for (ci, c) in cards.iter().enumerate() {
            for (si, &(w, l)) in c.sizes.iter().enumerate() {
                let dev = device(c, &geom(w, l), temp);
                for (pi, &(vgs, vds, vbs)) in OP_POINTS.iter().enumerate() {
                    let (vgs, vds) = (vgs * c.vmax, vds * c.vmax);
                    let jm = stamped_conductances(&dev, vgs, vds, vbs);
                    let scale = jm.iter().flatten().fold(0.0f64, |a, v| a.max(v.abs()));
                    for (j, col) in terms {
                        let x = format!("m{ci}s{si}p{pi}{j}");
                        for (t, row) in [("d", 0), ("s", 2), ("b", 3)] {
                            let name = format!("i(v{t}_{x})");
                            let v = plot.complex_vector(&name).unwrap_or_else(|| panic!("missing {name}"))[0];
                            let ctx = format!(
                                "{} v{} W={w:e} L={l:e} T={temp} vgs={vgs} vds={vds} vbs={vbs} dI{t}/dV{j}",
                                c.name, c.version
                            );
                            worst.check(&format!("g{t}{j}"), jm[row][col], -v.re, 1e-9 * scale, TOL, &ctx);
                        }
                    }
                }
            }
        }
    }
    worst.report("bsim3 substrate-current conductances vs ngspice");
}

#[test]
fn substrate_current_follows_its_equation() {
    // Isub = (ALPHA0 + ALPHA1 Leff) / Leff (Vds - Vdseff) exp(-BETA0 / (Vds - Vdseff)) Idsa:
    // with BETA0 = 0 or ALPHA0 + ALPHA1 Leff <= 0 there is none; doubling ALPHA0 (ALPHA1 = 0)
    // doubles it; the derivatives agree with central differences.
    let c = &cards()[0];
    let g = geom(2e-6, 0.18e-6);
    let set = |extra: &[(&str, f64)]| {
        let mut p: Vec<(String, f64)> = c.params.iter().filter(|(n, _)| !n.contains("alpha")).cloned().collect();
        p.extend(extra.iter().map(|(n, v)| (n.to_string(), *v)));
        let m = Bsim3v3Model::new(&c.name, c.pmos, &p).expect("model");
        Bsim3v3::new(&m, &g, 27.0, 27.0, 1e-12).expect("instance")
    };
    let bias = (1.2, 1.8, -0.2);
    let one = set(&[("alpha0", 1e-5)]).dc(bias.0, bias.1, bias.2).substrate;
    let two = set(&[("alpha0", 2e-5)]).dc(bias.0, bias.1, bias.2).substrate;
    assert!(one.isub > 0.0);
    assert!((two.isub / one.isub - 2.0).abs() < 1e-12, "{} {}", one.isub, two.isub);
    assert_eq!(set(&[("alpha0", 1e-5), ("beta0", 0.0)]).dc(bias.0, bias.1, bias.2).substrate.isub, 0.0);
    assert_eq!(set(&[("alpha0", -1e-5), ("alpha1", 1.0)]).dc(bias.0, bias.1, bias.2).substrate.isub, 0.0);
    let dev = device(c, &g, 27.0);
    let s = dev.dc(bias.0, bias.1, bias.2).substrate;
    let h = 1e-6;
    let fd = |dv: (f64, f64, f64)| {
        let p = dev.dc(bias.0 + dv.0, bias.1 + dv.1, bias.2 + dv.2).substrate.isub;
        let m = dev.dc(bias.0 - dv.0, bias.1 - dv.1, bias.2 - dv.2).substrate.isub;
        (p - m) / (2.0 * h)
    };
    for (what, ours, num) in
        [("gbg", s.gbg, fd((h, 0.0, 0.0))), ("gbd", s.gbd, fd((0.0, h, 0.0))), ("gbb", s.gbb, fd((0.0, 0.0, h)))]
    {
        assert!((ours - num).abs() <= 1e-5 * s.gbg.abs().max(s.gbd.abs()), "{what}: analytic {ours:e} numeric {num:e}");
    }
}

/// A deck where the substrate current matters: saturated 3.3.0 NMOS and PMOS, a 3.2.4 NMOS
/// at 3.3 V (Isub ~3 % of Id) and a 3.1 NMOS with reverse body bias, each with its own bulk
/// source, behind drain resistors (`tests/bsim3v3/isub_stage.cir`: op and a gate sweep);
/// every vector, `i(vb*)` included, within the deck tolerances at tight Newton tolerances.
#[test]
fn substrate_current_deck_matches_ngspice() {
    let Some(report) = common::check_bsim3_deck("isub_stage.cir", "bsim3-isub-deck") else {
        return;
    };
    for v in ["i(vbn)", "i(vbp)", "i(vb3)", "i(vb1)"] {
        assert!(report.row("Operating", v).is_some(), "{v} compared:\n{report}");
    }
}

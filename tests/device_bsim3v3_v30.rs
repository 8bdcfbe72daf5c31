//! BSIM3 version 3.0 (`insitu::devices::bsim3v3` with [`Bsim3Version::V30`]) against
//! ngspice 39, which runs `version=3.0` cards on its `bsim3v0` implementation.
//!
//! The cards (`tests/bsim3v3/v30_cards.lib`, `n30`/`p30`/`n30g`) are written for this test:
//! MOBMOD 1, 2 and 3, NGATE on both sides of 3.0's 1.12 V switch, K1/K2 given and from NCH/NSUB/XT, K2 of both signs (both VBSC rules), U0 in cm^2/Vs and in m^2/Vs with LU0,
//! RDSW/PRWG/PRWB/WR, A1/A2 on both sides of 3.0's Pmos_factor cap, DWG/DWB, KETA, L/W/P
//! parameters, and names bsim3v0 does not know (ignored). DC sweeps in both modes at
//! -40/27/125 C (`@m[id] gm gds gmbs vth vdsat ibd ibs` within 1e-9 relative; bsim3v0's id
//! includes the drain junction, forward-biased past its 0.5 V freeze in reverse mode, and
//! the source junction is forward-biased at VBS = 0.3 V).
//!
//! Capacitances from an `.ac` (CAPMOD 1 and the smooth model, each XPART), NOIMOD 1-4 noise
//! against `.noise`, and whole decks (op, dc, ac, noise, tran): a five-transistor OTA, an
//! inverter chain (50 ps edges, Gear: ngspice's trapezoidal supply current rings between the
//! edges), a common-source stage with RSH and substrate current (two instances of
//! each size) and a binned-model amplifier (`v30_deck_cards.lib`). The substrate current at
//! forced voltages is in `device_bsim3v3_isub.rs`.

mod common;

use common::{check_dc_point, mos_params, scratch_dir, sp, DcGrid, DcRule, OurDc, Worst};
use insitu::devices::bsim3v3::Bsim3Version;
use insitu::devices::{Bsim3v3, Bsim3v3Model, MosGeom};
use insitu::ngspice::Ngspice;
use std::path::{Path, PathBuf};

const TOL: f64 = 1e-9;
const TEMPS: [f64; 3] = [-40.0, 27.0, 125.0];

fn lib() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3/v30_cards.lib")
}

type Card = common::RevisionCard;

fn cards() -> Vec<Card> {
    common::revision_cards(&lib(), "3.0", Bsim3Version::V30)
}

fn model_line(c: &Card) -> String {
    c.model_line(&c.name, &[])
}

/// The card text for ngspice under `name`, with some values replaced or added.
fn model_line_with(c: &Card, name: &str, set: &[(&str, f64)]) -> String {
    c.model_line(name, set)
}

fn model(c: &Card, set: &[(&str, f64)]) -> Bsim3v3Model {
    c.model(set)
}

use common::revision_geom as geom;

/// Parameter values replaced or added on a card.
type Overrides<'a> = &'a [(&'a str, f64)];

const SIZES: [(f64, f64); 3] = [(10e-6, 0.18e-6), (0.6e-6, 0.35e-6), (20e-6, 2e-6)];
const VBS: [f64; 3] = [0.0, -0.9, 0.3];

#[test]
fn v30_cards_ignore_what_bsim3v0_does_not_know() {
    let cards = cards();
    assert_eq!(cards.len(), 3);
    let n = &cards[0];
    let m = model(n, &[]);
    assert_eq!(m.version, Bsim3Version::V30);
    for name in ["xl", "xw", "nj", "xti", "jsw", "cjswg", "toxm"] {
        assert!(m.ignored.iter().any(|i| i == name), "{name} not ignored: {:?}", m.ignored);
    }
    // XW is ignored: changing it must not move the current.
    let a = Bsim3v3::new(&m, &geom(1e-6, 0.18e-6), 27.0, 27.0, 1e-12).expect("instance");
    let b = Bsim3v3::new(&model(n, &[("xw", 0.0)]), &geom(1e-6, 0.18e-6), 27.0, 27.0, 1e-12).expect("instance");
    assert_eq!(a.dc(1.0, 1.0, 0.0).cdrain, b.dc(1.0, 1.0, 0.0).cdrain);
    // ALPHA1 is not a 3.0 parameter either: ignored, so it adds no substrate current.
    let sub = |set: &[(&str, f64)]| {
        let dev = Bsim3v3::new(&model(n, set), &geom(1e-6, 0.18e-6), 27.0, 27.0, 1e-12).expect("instance");
        dev.dc(1.0, 1.8, 0.0).substrate.isub
    };
    assert!(model(n, &[("alpha1", 2.0)]).ignored.iter().any(|i| i == "alpha1"));
    assert_eq!(sub(&[("alpha1", 2.0)]), 0.0);
    assert!(sub(&[("alpha0", 1e-5)]) > 0.0);
}

#[test]
fn v30_dc_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let cards = cards();
    let grid = DcGrid {
        title: "bsim3v0 dc cross-check",
        models: cards.iter().map(model_line).collect(),
        cards: cards.iter().map(|c| (c.name.clone(), c.pmos)).collect(),
        geoms: SIZES.iter().map(|&(w, l)| geom(w, l)).collect(),
        inst_extra: "nrd=0 nrs=0",
        vbs: &VBS,
        extra: &["ibd", "ibs"],
        sweep: ".dc VG 0 1.8 0.06 VD -1.8 1.8 0.12",
    };
    let worst = grid.run(&ng, &scratch_dir("bsim3v0-dc"), &TEMPS, |worst, ci, gi, temp, vb, ng, vg, vd| {
        let (c, g) = (&cards[ci], &grid.geoms[gi]);
        let dev = Bsim3v3::new(&model(c, &[]), g, temp, 27.0, 1e-12).expect("instance");
        for k in 0..vg.len() {
            let r = dev.dc(vg[k], vd[k], vb);
            let ctx = format!("{} W={:e} L={:e} T={temp} vgs={} vds={} vbs={vb}", c.name, g.w, g.l, vg[k], vd[k]);
            // bsim3v0's `@m[id]` is its BSIM3cd: mode Ids - Ibd (drain junction included),
            // as bsim3v1's (DcRule::Bsim3v1: the round-off "zero" VDS point is skipped).
            let ours = OurDc { id: r.mode * r.cdrain - r.cbd, ..OurDc::from(r) };
            check_dc_point(worst, &ours, ng, k, DcRule::Bsim3v1, TOL, &ctx);
        }
    });
    worst.report("bsim3v0 dc vs ngspice");
}

/// Every name of [`Bsim3Version::V30`]'s unknown list is one ngspice 39 warns about on a 3.0
/// card ("unrecognized parameter (x) - ignored"), and ngspice warns about no other (VERSION
/// included: bsim3v0's table lacks it); insitu ignores the same set.
#[test]
fn v30_unknown_parameters_are_ngspices() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let names = Bsim3Version::V30.unknown_params();
    let card: String = names.iter().map(|n| format!(" {n}=1e-9")).collect();
    let deck = format!(
        "v30 unknown names\n.model n nmos level=49 version=3.0 vth0=0.5\n+{card}\n\
         M1 d g 0 0 n W=1u L=1u\nVD d 0 1\nVG g 0 1\n.op\n.end\n"
    );
    let log = ng.run_for_log(&deck, &scratch_dir("bsim3v0-unknown")).expect("ngspice runs");
    let mut warned: Vec<String> = log
        .lines()
        .filter_map(|l| l.split("unrecognized parameter (").nth(1))
        .filter_map(|r| r.split(')').next())
        .map(str::to_string)
        .collect();
    warned.sort();
    warned.dedup();
    let mut expected: Vec<String> = names.iter().map(|n| n.to_string()).chain(["version".to_string()]).collect();
    expected.sort();
    assert_eq!(warned, expected, "ngspice's unrecognized parameters on a 3.0 card");
    let params: Vec<(String, f64)> = names.iter().map(|n| (n.to_string(), 1e-9)).collect();
    let m = Bsim3v3Model::with_version("n", false, &params, Bsim3Version::V30).expect("model");
    let mut ours = m.ignored.clone();
    ours.sort();
    assert_eq!(ours, expected, "insitu's ignored parameters on a 3.0 card");
}

/// Bias points (vgs, vds, vbs) in the n-frame: accumulation to strong inversion, VDS = 0,
/// reverse mode, body bias.
const OP_POINTS: [(f64, f64, f64); 14] = [
    (-1.5, 1.0, 0.0),
    (-0.3, 1.2, -0.9),
    (0.1, 0.9, 0.0),
    (0.3, 0.05, 0.0),
    (0.5, 1.5, 0.0),
    (0.8, 0.9, -0.9),
    (1.0, 1.8, 0.0),
    (1.2, 0.1, 0.0),
    (1.8, 0.4, -0.5),
    (1.8, 1.8, 0.0),
    (1.1, 0.0, 0.0),
    (1.4, -0.8, 0.0),
    (1.8, -0.2, -0.4),
    (0.9, 0.5, 0.3),
];

/// The small-signal capacitances of 3.0's charge models: CAPMOD 1 (bsim3v0's default) and
/// the smooth model (any other CAPMOD), each with XPART 0/100, 40/60 and 50/50, plus the
/// CGSL/CGDL/CKAPPA overlaps and bsim3v0's junction capacitances. bsim3v0 reports no
/// `@m[cgg]`, so they are measured as ngspice stamps them: an `.ac` at omega = 1 rad/s with
/// one terminal driven, Im(i(V_i)) = -dQ_i/dV_j for the gate, drain and bulk rows; within
/// 1e-9 of cgg (entries below 1e-6 cgg are compared at that floor).
#[test]
fn v30_caps_match_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("bsim3v0-caps");
    let base = cards();
    let mut variants: Vec<Vec<(&str, f64)>> = Vec::new();
    for capmod in [1.0, 2.0] {
        for xpart in [0.0, 0.4, 0.5] {
            variants.push(vec![
                ("capmod", capmod),
                ("xpart", xpart),
                ("cgsl", 2e-10),
                ("cgdl", 3e-10),
                ("ckappa", 0.8),
            ]);
        }
    }
    let cards: Vec<(&Card, String, Overrides)> = variants
        .iter()
        .enumerate()
        .flat_map(|(vi, set)| base.iter().map(move |c| (c, format!("{}v{vi}", c.name), set.as_slice())))
        .collect();
    let mut worst = Worst::default();
    let terms = ["d", "g", "b"];
    for &temp in &TEMPS {
        let mut deck = format!("bsim3v0 ac capacitance cross-check\n.temp {temp}\n");
        let mut saves = Vec::new();
        for (ci, (c, name, set)) in cards.iter().enumerate() {
            deck += &model_line_with(c, name, set);
            let typ = if c.pmos { -1.0 } else { 1.0 };
            for (si, &(w, l)) in SIZES.iter().enumerate() {
                for (pi, &(vgs, vds, vbs)) in OP_POINTS.iter().enumerate() {
                    for j in terms {
                        let x = format!("m{ci}s{si}p{pi}{j}");
                        for (t, v) in [("d", vds), ("g", vgs), ("b", vbs)] {
                            let ac = if t == j { 1 } else { 0 };
                            deck += &format!("V{t}_{x} {t}_{x} 0 dc {} ac {ac}\n", sp(typ * v));
                            saves.push(format!("i(v{t}_{x})"));
                        }
                        deck += &format!("{x} d_{x} g_{x} 0 b_{x} {name} {} nrd=0 nrs=0\n", mos_params(&geom(w, l)));
                    }
                }
            }
        }
        let omega_f = 1.0 / (2.0 * std::f64::consts::PI);
        deck += &format!(".save {}\n.ac lin 1 {} {}\n.end\n", saves.join(" "), sp(omega_f), sp(omega_f));
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("AC Analysis").expect("ac plot");
        for (ci, (c, name, set)) in cards.iter().enumerate() {
            let m = model(c, set);
            for (si, &(w, l)) in SIZES.iter().enumerate() {
                let dev = Bsim3v3::new(&m, &geom(w, l), temp, 27.0, 1e-12).expect("instance");
                for (pi, &(vgs, vds, vbs)) in OP_POINTS.iter().enumerate() {
                    // Ours: total dQ_i/dV_j in (d, g, s, b) order.
                    let mut cm = dev.charges(vgs, vds, vbs).c;
                    let ((_, cgs), (_, cgd), cgb) = dev.overlaps(vgs, vgs - vds);
                    let (_, cbd) = dev.junction_bd(vbs - vds);
                    let (_, cbs) = dev.junction_bs(vbs);
                    for (a, b, cap) in [(1, 2, cgs), (1, 0, cgd), (1, 3, cgb), (3, 0, cbd), (3, 2, cbs)] {
                        cm[a][a] += cap;
                        cm[b][b] += cap;
                        cm[a][b] -= cap;
                        cm[b][a] -= cap;
                    }
                    let scale = cm[1][1].abs();
                    for j in terms {
                        let x = format!("m{ci}s{si}p{pi}{j}");
                        let col = match j {
                            "d" => 0,
                            "g" => 1,
                            _ => 3,
                        };
                        for (t, row) in [("d", 0), ("g", 1), ("b", 3)] {
                            let vname = format!("i(v{t}_{x})");
                            let v = plot.complex_vector(&vname).unwrap_or_else(|| panic!("missing {vname}"))[0];
                            let ctx =
                                format!("{name} W={w:e} L={l:e} T={temp} vgs={vgs} vds={vds} vbs={vbs} dQ{t}/dV{j}");
                            worst.check(&format!("c{t}{j}"), cm[row][col], -v.im, 1e-6 * scale, TOL, &ctx);
                        }
                    }
                }
            }
        }
    }
    worst.report("bsim3v0 ac capacitances vs ngspice");
}

/// Channel noise on the 3.0 cards against ngspice `.noise` (the drain noise current through a
/// 1-ohm CCVS) for NOIMOD 1-4: bsim3v0 has BSIM3 thermal and flicker noise on NOIMOD 2 only
/// (the others are SPICE2's, thermal without gmbs), its flicker noise adds 273.15 K to the
/// absolute temperature, and takes |Id - Ibd|; one case has M = 2.
#[test]
fn v30_noise_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("bsim3v0-noise");
    let cards = cards();
    let mut worst = Worst::default();
    let mut k = 0;
    let mut negative = 0;
    let noise_params = [("kf", 3e-28), ("af", 1.2), ("ef", 1.05), ("noia", 2e20), ("noib", 6e4), ("noic", -1.2e-12)];
    for noimod in [1.0, 2.0, 3.0, 4.0] {
        for c in &cards {
            for &(temp, vgs, vds, l, mult) in
                &[(27.0, 1.0, 1.2, 0.18e-6, 1.0), (125.0, 0.42, 0.3, 1e-6, 1.0), (-40.0, 1.6, -0.8, 0.35e-6, 2.0)]
            {
                k += 1;
                let mut set = vec![("noimod", noimod)];
                set.extend_from_slice(&noise_params);
                let g = MosGeom { m: mult, ..geom(2e-6, l) };
                let dev = Bsim3v3::new(&model(c, &set), &g, temp, 27.0, 1e-12).expect("instance");
                negative += common::check_noise_point(
                    &mut worst,
                    &ng,
                    &dir,
                    &format!("bsim3v0 noise {k}"),
                    |name| model_line_with(c, name, &set),
                    &format!("{} nrd=0 nrs=0", mos_params(&g)),
                    &dev,
                    (temp, vgs, vds),
                    TOL,
                    &format!("{} NOIMOD {noimod} T={temp} vgs={vgs} vds={vds} L={l:e} M={mult}", c.name),
                );
            }
        }
    }
    assert_eq!(k, 36);
    println!("{negative} points where ngspice's flicker density is negative (NaN onoise) and ours agrees in sign");
    worst.report("bsim3v0 noise vs ngspice");
}

/// A whole deck on the 3.0 cards (`tests/bsim3v3/ota5t_v30.cir`): a five-transistor OTA at
/// 1.8 V, op, ac, noise and tran against ngspice at tight Newton tolerances.
#[test]
fn v30_ota_deck_agrees_with_ngspice() {
    common::check_bsim3_deck("ota5t_v30.cir", "bsim3v0-ota");
}

/// An inverter chain on the 3.0 cards (`tests/bsim3v3/v30_inverter_chain.cir`): three stages
/// at minimum length, 50 ps input edges, op, dc and tran (Gear, see the next test).
#[test]
fn v30_inverter_chain_agrees_with_ngspice() {
    common::check_bsim3_deck("v30_inverter_chain.cir", "bsim3v0-inv");
}

/// Why the inverter chain decks integrate with Gear: with the trapezoidal rule ngspice's
/// supply current between the edges is the rule's undamped ringing, which moves by several
/// deck tolerances when only ngspice's maximum step changes (5 ps to 1 ps), so no other
/// simulator's step sequence can reproduce it; with Gear the same change moves it by a
/// small fraction of the tolerances.
#[test]
fn v30_inverter_chain_trapezoidal_supply_current_is_not_converged_in_ngspice() {
    common::assert_trapezoidal_supply_current_unconverged("v30_inverter_chain.cir", "bsim3v0-ring");
}

/// A common-source stage on 3.0 cards with RSH and substrate current
/// (`tests/bsim3v3/v30_cs_stage.cir`, cards n30s/p30s): each side is two instances of one
/// size with NRD/NRS, and ngspice's bsim3v0 gives each instance its series resistances (its
/// size cache never matches, `b3v0temp.c` stores no Length/Width, so no instance inherits
/// another's set-up); the NMOS bulk source carries the substrate current. op, dc, ac,
/// tran, noise.
#[test]
fn v30_cs_stage_with_rsh_and_isub_agrees_with_ngspice() {
    let Some(report) = common::check_bsim3_deck("v30_cs_stage.cir", "bsim3v0-cs") else {
        return;
    };
    for (analysis, v) in
        [("Operating", "i(vbn)"), ("Operating", "i(vdd)"), ("AC", "v(out)"), ("Noise", "onoise_spectrum")]
    {
        assert!(report.row(analysis, v).is_some(), "{analysis} {v} compared:\n{report}");
    }
}

/// A binned 3.0 set (`nb30.1`/`nb30.2`, `pb30.1`/`pb30.2` of `v30_deck_cards.lib`): the
/// mirror-biased amplifier of `binned_amp.cir` with instances in both bins and at the bin
/// edge (`tests/bsim3v3/v30_binned_amp.cir`), op, dc, ac, tran, noise.
#[test]
fn v30_binned_amplifier_agrees_with_ngspice() {
    common::check_bsim3_deck("v30_binned_amp.cir", "bsim3v0-binned");
}

/// `.options defw/defl/defad/defas` (`tests/bsim3v3/v30_mos_defaults.cir`): ngspice 39 reads
/// them in its MOS level 1-3, 6 and 9 set-up only, so a BSIM3 instance (3.0 and 3.3.0 here)
/// that gives no W, L, AD, AS takes W = L = 5 um and no areas, while the level-1 instance
/// takes the options. The elaborated geometry says so, and the deck (op, ac; the drain
/// areas show in the ac) agrees with ngspice.
#[test]
fn mos_default_options_apply_to_level_1_only() {
    let deck = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3/v30_mos_defaults.cir");
    let c = insitu::netlist::load_file(&deck).expect("deck");
    let geom = |name: &str| {
        c.elements
            .iter()
            .find_map(|e| match &e.kind {
                insitu::netlist::ElementKind::Mosfet { geom, .. } if e.name == name => Some(*geom),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name}"))
    };
    for bsim3 in ["m1", "m2"] {
        let g = geom(bsim3);
        assert_eq!((g.w, g.l, g.ad, g.as_), (5e-6, 5e-6, 0.0, 0.0), "{bsim3}");
    }
    // Level 1: DEFAS sets the drain area like DEFAD, the source area stays 0 (ngspice 39).
    let g = geom("m3");
    assert_eq!((g.w, g.l, g.ad, g.as_), (20e-6, 2e-6, 40e-12, 0.0));
    common::check_bsim3_deck("v30_mos_defaults.cir", "bsim3-mos-defaults");
}

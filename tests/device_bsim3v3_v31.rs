//! BSIM3 version 3.1 (`insitu::devices::bsim3v3` with [`Bsim3Version::V31`]) against
//! ngspice 39, which runs `version=3.1` cards on its `bsim3v1` implementation.
//!
//! The cards (`tests/bsim3v3/v31_cards.lib`, `n31`/`p31`) are written for this test in the
//! style of the MOSIS parametric cards of a 0.18 um process: CAPMOD 2, MOBMOD 1 and 3,
//! RDSW/PRWG/PRWB/WR, A1/A2, DWG/DWB, L/W/P-prefixed parameters, and XL/XW (not 3.1
//! parameters: ignored). DC sweeps in both modes at -40/27/125 C (`@m[id] gm gds gmbs vth
//! vdsat` within 1e-9 relative; bsim3v1's id includes the drain junction, forward-biased past
//! its 0.5 V knee in reverse mode); capacitances at 14 bias points from an `.ac` within 1e-9;
//! NOIMOD 1-4 channel noise against `.noise`; a five-transistor OTA deck; an inverter chain
//! (50 ps edges, Gear); a gm/Id table.

mod common;

use common::{check_dc_point, mos_params, scratch_dir, sp, DcGrid, DcRule, OurDc, Worst};
use insitu::devices::bsim3v3::Bsim3Version;
use insitu::devices::{Bsim3v3, Bsim3v3Model, MosGeom};
use insitu::ngspice::Ngspice;
use std::path::{Path, PathBuf};

const TOL: f64 = 1e-9;
const TEMPS: [f64; 3] = [-40.0, 27.0, 125.0];

fn lib() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3/v31_cards.lib")
}

type Card = common::RevisionCard;

fn cards() -> Vec<Card> {
    common::revision_cards(&lib(), "3.1", Bsim3Version::V31)
}

/// The card text for ngspice, with some values replaced or added.
fn model_line(c: &Card, name: &str, set: &[(&str, f64)]) -> String {
    c.model_line(name, set)
}

fn model(c: &Card, set: &[(&str, f64)]) -> Bsim3v3Model {
    c.model(set)
}

use common::revision_geom as geom;

/// Instance parameters; NRD = NRS = 0 keeps RSH out of a device-level check.
fn inst_params(g: &MosGeom) -> String {
    format!("{} nrd=0 nrs=0", mos_params(g))
}

const SIZES: [(f64, f64); 3] = [(10e-6, 0.18e-6), (0.6e-6, 0.35e-6), (20e-6, 2e-6)];
const VBS: [f64; 3] = [0.0, -0.9, 0.3];

#[test]
fn v31_cards_run_on_the_full_model_and_reject_what_it_lacks() {
    let cards = cards();
    assert_eq!(cards.len(), 2);
    for c in &cards {
        let m = model(c, &[]);
        assert_eq!(m.version, Bsim3Version::V31);
        // XL/XW are not 3.1 parameters: ignored, so XW = -10 nm must not change Weff.
        let a = Bsim3v3::new(&m, &geom(1e-6, 0.18e-6), 27.0, 27.0, 1e-12).expect("instance");
        let b = Bsim3v3::new(&model(c, &[("xw", 0.0)]), &geom(1e-6, 0.18e-6), 27.0, 27.0, 1e-12).expect("instance");
        assert_eq!(a.dc(1.0, 1.0, 0.0).cdrain, b.dc(1.0, 1.0, 0.0).cdrain);
        assert_eq!(Bsim3Version::V31.unknown_params().iter().filter(|p| ["xl", "xw"].contains(p)).count(), 2);
    }
    // bsim3v1 has CAPMOD 0, 1 and 2 only.
    let c = &cards[0];
    let mut p = c.params.clone();
    p.push(("capmod".to_string(), 3.0));
    let err = Bsim3v3Model::with_version("n31", false, &p, Bsim3Version::V31).unwrap_err().to_string();
    assert!(err.contains("capmod") && err.contains("0, 1 and 2"), "{err}");
}

#[test]
fn v31_dc_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let cards = cards();
    let grid = DcGrid {
        title: "bsim3v1 dc cross-check",
        models: cards.iter().map(|c| model_line(c, &c.name, &[])).collect(),
        cards: cards.iter().map(|c| (c.name.clone(), c.pmos)).collect(),
        geoms: SIZES.iter().map(|&(w, l)| geom(w, l)).collect(),
        inst_extra: "nrd=0 nrs=0",
        vbs: &VBS,
        extra: &[],
        sweep: ".dc VG 0 1.8 0.06 VD -1.8 1.8 0.12",
    };
    let worst = grid.run(&ng, &scratch_dir("bsim3v1-dc"), &TEMPS, |worst, ci, gi, temp, vb, ng, vg, vd| {
        let (c, g) = (&cards[ci], &grid.geoms[gi]);
        let dev = Bsim3v3::new(&model(c, &[]), g, temp, 27.0, 1e-12).expect("instance");
        for k in 0..vg.len() {
            let r = dev.dc(vg[k], vd[k], vb);
            let ctx = format!("{} W={:e} L={:e} T={temp} vgs={} vds={} vbs={vb}", c.name, g.w, g.l, vg[k], vd[k]);
            // bsim3v1's `@m[id]` is its BSIM3cd: mode Ids - Ibd (drain junction included).
            // The sweep's 3e-16 V "zero" VDS is round-off in ngspice (vgs - vgd), and so
            // is gm there: DcRule::Bsim3v1 skips it and floors at the conductance scale.
            let ours = OurDc { id: r.mode * r.cdrain - r.cbd, ..OurDc::from(r) };
            check_dc_point(worst, &ours, ng, k, DcRule::Bsim3v1, TOL, &ctx);
        }
    });
    worst.report("bsim3v1 dc vs ngspice");
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

/// The small-signal capacitances: bsim3v1 does not report `@m[cgg]` ... (its output table
/// has only id, gm, gds, gmbs, vth, vdsat) and computes charges only in AC/transient, so
/// they are measured as ngspice stamps them: an `.ac` at omega = 1 rad/s with one terminal
/// driven, Im(i(V_i)) = -dQ_i/dV_j for the gate, drain and bulk rows. Ours: the intrinsic
/// matrix ([`Bsim3v3::charges`]) plus the overlaps and the junction capacitances.
#[test]
fn v31_caps_match_ngspice() {
    caps_vs_ngspice("bsim3v1-caps", &[&[]], |_, w, l| geom(w, l));
}

/// Drain/source perimeters shorter than Weff on a 3.1 card with sidewall capacitance:
/// bsim3v1's parameter check (`b3v1check.c`) warns and sets them to Weff, which moves the
/// gate-edge sidewall capacitance, but it runs only for the instance that creates its size
/// (`b3v1temp.c`): the last one of each size in the deck gets the longer perimeter, the other
/// 41 keep theirs. Capacitances from an `.ac` within 1e-9, both kinds of instance.
#[test]
fn v31_short_perimeters_are_set_to_weff_as_ngspice() {
    caps_vs_ngspice("bsim3v1-short-pd", &[&[("cjswg", 6e-10)]], |_, w, l| {
        let short = 0.3 * w;
        MosGeom { pd: short, ps: 0.5 * w, ..geom(w, l) }
    });
}

/// CAPMOD 0 and 1 on the 3.1 cards as `b3v1ld.c` computes them (CAPMOD 1's flat band follows
/// Vth with its bias derivatives; CAPMOD 0's 40/60 linear-region cbdb keeps bsim3v1's T11),
/// each with the three XPART partitions, and HDIF (a bsim3v1 parameter: the instances give no
/// AD/AS/PD/PS, so bsim3v1 takes 2 HDIF W and 2 W + 4 HDIF): capacitances from an `.ac`
/// within 1e-9 at -40/27/125 C.
#[test]
fn v31_capmod0_and_1_caps_match_ngspice() {
    let mut variants: Vec<Vec<(&str, f64)>> = Vec::new();
    for capmod in [0.0, 1.0] {
        for xpart in [0.0, 0.4, 1.0] {
            variants.push(vec![("capmod", capmod), ("xpart", xpart), ("hdif", 0.3e-6)]);
        }
    }
    let v: Vec<&[(&str, f64)]> = variants.iter().map(|v| v.as_slice()).collect();
    caps_vs_ngspice("bsim3v1-caps01", &v, |m, w, l| {
        let [ad, as_, pd, ps] = m.diffusion(w, [0.0; 4], [false; 4]);
        MosGeom { w, l, ad, as_, pd, ps, ..MosGeom::default() }
    });
}

/// The capacitance check of the 3.1 cards, each card once per variant (values replaced or
/// added); `geometry` gives an instance's sizes for (model, W, L): the deck gives those the
/// model would not set itself (an instance with zero AD/AS/PD/PS on an HDIF card gives only
/// W and L, so bsim3v1 derives them).
fn caps_vs_ngspice(scratch: &str, variants: &[&[(&str, f64)]], geometry: fn(&Bsim3v3Model, f64, f64) -> MosGeom) {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir(scratch);
    let base = cards();
    // One card per (card, variant): the name carries the variant.
    let cards: Vec<(Card, &[(&str, f64)])> = variants
        .iter()
        .enumerate()
        .flat_map(|(vi, set)| {
            base.iter().map(move |c| {
                (
                    Card {
                        name: format!("{}v{vi}", c.name),
                        params: c.params.clone(),
                        version: c.version.clone(),
                        ..*c
                    },
                    *set,
                )
            })
        })
        .collect();
    let inst_text = |m: &Bsim3v3Model, w: f64, l: f64| {
        if m.hdif.is_some() {
            format!("w={} l={} nrd=0 nrs=0", sp(w), sp(l))
        } else {
            inst_params(&geometry(m, w, l))
        }
    };
    let mut worst = Worst::default();
    let terms = ["d", "g", "b"];
    for &temp in &TEMPS {
        let mut deck = format!("bsim3v1 ac capacitance cross-check\n.temp {temp}\n");
        let mut saves = Vec::new();
        for (ci, (c, set)) in cards.iter().enumerate() {
            deck += &model_line(c, &c.name, set);
            let m = model(c, set);
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
                        deck += &format!("{x} d_{x} g_{x} 0 b_{x} {} {}\n", c.name, inst_text(&m, w, l));
                    }
                }
            }
        }
        let omega_f = 1.0 / (2.0 * std::f64::consts::PI);
        deck += &format!(".save {}\n.ac lin 1 {} {}\n.end\n", saves.join(" "), sp(omega_f), sp(omega_f));
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("AC Analysis").expect("ac plot");
        for (ci, (c, set)) in cards.iter().enumerate() {
            let m = model(c, set);
            for (si, &(w, l)) in SIZES.iter().enumerate() {
                let g = geometry(&m, w, l);
                let dev = Bsim3v3::new(&m, &g, temp, 27.0, 1e-12).expect("instance");
                // The last instance of this size in the deck is the one ngspice sets the size
                // up with (its instances are kept newest first).
                let creator = Bsim3v3::new_size_creator(&m, &g, temp, 27.0, 1e-12).expect("instance");
                for (pi, &(vgs, vds, vbs)) in OP_POINTS.iter().enumerate() {
                    // Ours: total dQ_i/dV_j in (d, g, s, b) order.
                    let total = |dev: &Bsim3v3| {
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
                        cm
                    };
                    for j in terms {
                        let last = pi + 1 == OP_POINTS.len() && j == terms[terms.len() - 1];
                        let cm = total(if last { &creator } else { &dev });
                        let scale = cm[1][1].abs();
                        let x = format!("m{ci}s{si}p{pi}{j}");
                        let col = match j {
                            "d" => 0,
                            "g" => 1,
                            _ => 3,
                        };
                        for (t, row) in [("d", 0), ("g", 1), ("b", 3)] {
                            let name = format!("i(v{t}_{x})");
                            let v = plot.complex_vector(&name).unwrap_or_else(|| panic!("missing {name}"))[0];
                            let ctx = format!(
                                "{} W={w:e} L={l:e} T={temp} vgs={vgs} vds={vds} vbs={vbs} dQ{t}/dV{j}",
                                c.name
                            );
                            worst.check(&format!("c{t}{j}"), cm[row][col], -v.im, 1e-6 * scale, TOL, &ctx);
                        }
                    }
                }
            }
        }
    }
    worst.report(&format!("bsim3v1 ac capacitances vs ngspice ({scratch})"));
}

/// HDIF reaches the instances through the netlist: an instance that gives no AD/AS/PD/PS on a
/// 3.1 card with HDIF has the junction capacitances of one that gives 2 HDIF W and
/// 2 W + 4 HDIF, and one that gives AD keeps its AD.
#[test]
fn v31_hdif_sets_the_diffusions_an_instance_does_not_give() {
    let deck = |hdif: &str, inst: &str| {
        format!(
            "hdif\n.model n nmos level=49 version=3.1 tox=4e-9 cj=1e-3 cjsw=3e-10 {hdif}\n             M1 d g 0 b n W=2u L=0.18u {inst}\nVD d 0 1\nVG g 0 1\nVB b 0 -0.5\n.op\n.end\n"
        )
    };
    let caps = |text: &str| {
        let path = scratch_dir("bsim3v1-hdif").join("hdif.cir");
        let mut sim =
            insitu::solver::Simulator::new(insitu::pdk::load_deck_str(text, &path).expect("deck")).expect("compiles");
        sim.op().expect("op");
        let op = sim.mos_op("m1").expect("m1");
        (op.cbd, op.cbs)
    };
    let derived = caps(&deck("hdif=0.5u", ""));
    let explicit = caps(&deck("", "ad=2p as=2p pd=6u ps=6u"));
    let none = caps(&deck("", ""));
    let (d, e) = (derived, explicit);
    assert!((d.0 / e.0 - 1.0).abs() < 1e-14 && (d.1 / e.1 - 1.0).abs() < 1e-14, "{derived:?} vs {explicit:?}");
    assert!(none.0 < 0.5 * derived.0, "no diffusion: {none:?} vs {derived:?}");
    let partial = caps(&deck("hdif=0.5u", "ad=4p"));
    assert!(partial.0 > derived.0 && (partial.1 / derived.1 - 1.0).abs() < 1e-14, "{partial:?} vs {derived:?}");
}

/// Channel noise for NOIMOD 1-4 on both 3.1 cards against ngspice `.noise` (the drain noise
/// current through a 1-ohm CCVS): bsim3v1's thermal Qinv comes from the current model, its
/// flicker noise uses |Id - Ibd| and (SPICE2 flicker) raises M Id to AF; one case has M = 2.
#[test]
fn v31_noise_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("bsim3v1-noise");
    let cards = cards();
    let mut worst = Worst::default();
    let mut k = 0;
    let mut negative = 0;
    for noimod in [1.0, 2.0, 3.0, 4.0] {
        for c in &cards {
            for &(temp, vgs, vds, l, mult) in
                &[(27.0, 1.0, 1.2, 0.18e-6, 1.0), (125.0, 0.42, 0.3, 1e-6, 1.0), (-40.0, 1.6, -0.8, 0.35e-6, 2.0)]
            {
                k += 1;
                let set = [("noimod", noimod)];
                let g = MosGeom { m: mult, ..geom(2e-6, l) };
                let dev = Bsim3v3::new(&model(c, &set), &g, temp, 27.0, 1e-12).expect("instance");
                negative += common::check_noise_point(
                    &mut worst,
                    &ng,
                    &dir,
                    &format!("bsim3v1 noise {k}"),
                    |name| model_line(c, name, &set),
                    &inst_params(&g),
                    &dev,
                    (temp, vgs, vds),
                    TOL,
                    &format!("{} NOIMOD {noimod} T={temp} vgs={vgs} vds={vds} L={l:e} M={mult}", c.name),
                );
            }
        }
    }
    assert_eq!(k, 24);
    println!("{negative} points where ngspice's flicker density is negative (NaN onoise) and ours agrees in sign");
    worst.report("bsim3v1 noise vs ngspice");
}

/// A whole deck on the 3.1 cards (`tests/bsim3v3/ota5t_v31.cir`, with RSH): a
/// five-transistor OTA at 1.8 V, op, ac, noise and tran against ngspice at tight Newton
/// tolerances.
#[test]
fn v31_ota_deck_agrees_with_ngspice() {
    common::check_bsim3_deck("ota5t_v31.cir", "bsim3v1-ota");
}

/// An inverter chain on the 3.1 cards (`tests/bsim3v3/v31_inverter_chain.cir`): three stages
/// at minimum length, 50 ps input edges, op, dc and tran, with Gear integration: with the
/// trapezoidal rule ngspice's own supply current between the edges moves by several deck
/// tolerances when only its maximum step goes from 5 ps to 1 ps (checked here too).
#[test]
fn v31_inverter_chain_agrees_with_ngspice() {
    common::check_bsim3_deck("v31_inverter_chain.cir", "bsim3v1-inv");
    common::assert_trapezoidal_supply_current_unconverged("v31_inverter_chain.cir", "bsim3v1-ring");
}

/// A gm/Id table (the `pdk::gmid` generator) from the 3.1 card (`n31`, MOSIS style): the peak
/// gm/Id of a fine VGS sweep at VDS = 0.9 V, VSB = 0 is within 1 % of 1/(n UT) with n from the
/// card (bsim3v1 computes the subthreshold slope as 3.3.0 does).
#[test]
fn v31_card_gm_over_id_peaks_at_one_over_n_ut() {
    let cards = cards();
    let model = model(cards.iter().find(|c| c.name == "n31").expect("n31"), &[]);
    let vgs: Vec<f64> = (0..=180).map(|i| i as f64 * 0.01).collect();
    common::assert_gmid_peak_at_one_over_n_ut(&lib(), "n31", &model, &[0.18e-6, 0.5e-6, 2e-6], &vgs, 0.9, 5e-6);
}

/// The perimeter bsim3v1 sets to Weff on the instance that creates a size (the last of that
/// size in the netlist) survives a temperature change: `set_temperature` gives the numbers of
/// a deck compiled at that temperature, and the earlier same-size instance keeps its own.
#[test]
fn v31_size_creator_survives_a_temperature_change() {
    let deck = |temp: f64| {
        format!(
            "creator\n.temp {temp}\n.model n nmos level=49 version=3.1 tox=4e-9 cj=1e-3 cjsw=3e-10 cjswg=6e-10\n\
             M1 d g 0 b n W=10u L=1u ad=1p as=1p pd=1u ps=1u\nM2 d g 0 b n W=10u L=1u ad=1p as=1p pd=1u ps=1u\n\
             VD d 0 1\nVG g 0 1\nVB b 0 -0.5\n.op\n.end\n"
        )
    };
    let sim = |text: &str| {
        let path = scratch_dir("bsim3v1-creator").join("creator.cir");
        insitu::solver::Simulator::new(insitu::pdk::load_deck_str(text, &path).expect("deck")).expect("compiles")
    };
    let mut moved = sim(&deck(27.0));
    moved.set_temperature(80.0).expect("temperature");
    moved.op().expect("op");
    let mut fresh = sim(&deck(80.0));
    fresh.op().expect("op");
    for m in ["m1", "m2"] {
        let (a, b) = (moved.mos_op(m).expect("mos"), fresh.mos_op(m).expect("mos"));
        assert_eq!((a.cbd, a.cbs), (b.cbd, b.cbs), "{m}");
    }
    let (m1, m2) = (fresh.mos_op("m1").expect("m1"), fresh.mos_op("m2").expect("m2"));
    assert!(m2.cbd > m1.cbd * 1.1, "only M2 gets Weff: {} vs {}", m2.cbd, m1.cbd);
}

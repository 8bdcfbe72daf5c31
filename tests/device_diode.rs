//! Diode (level 1) against ngspice at forced junction voltages: current and conductance
//! over a breakdown / reverse / forward `.dc` sweep, and capacitance at `.op` points, at
//! -40, 27 and 125 C. Tolerance 1e-9 relative.

mod common;

use common::{scratch_dir, sp, Worst};
use insitu::devices::{Diode, DiodeModel};
use insitu::ngspice::Ngspice;

const TOL: f64 = 1e-9;
const TEMPS: [f64; 3] = [-40.0, 27.0, 125.0];

struct Card {
    name: &'static str,
    params: Vec<(&'static str, f64)>,
    area: f64,
    m: f64,
}

fn cards() -> Vec<Card> {
    vec![
        Card {
            name: "dbv",
            params: vec![
                ("is", 1e-14),
                ("n", 1.05),
                ("bv", 5.0),
                ("ibv", 1e-3),
                ("nbv", 1.2),
                ("cjo", 2e-12),
                ("vj", 0.7),
                ("m", 0.4),
                ("fc", 0.5),
                ("tt", 5e-9),
                ("eg", 1.11),
                ("xti", 3.0),
            ],
            area: 2.0,
            m: 1.0,
        },
        Card {
            name: "dsch",
            params: vec![
                ("is", 5e-15),
                ("n", 1.5),
                ("cjo", 1e-12),
                ("tt", 1e-9),
                ("tnom", 50.0),
                ("eg", 0.69),
                ("xti", 2.0),
            ],
            area: 1.0,
            m: 3.0,
        },
        Card {
            name: "ddef",
            params: vec![("bv", 3.0), ("cjo", 5e-13), ("vj", 0.9), ("fc", 0.3), ("ttt1", 1e-3)],
            area: 1.0,
            m: 1.0,
        },
    ]
}

fn model_line(c: &Card) -> String {
    let p: Vec<String> = c.params.iter().map(|(n, v)| format!("{n}={}", sp(*v))).collect();
    format!(".model {} d ({})\n", c.name, p.join(" "))
}

fn ours(c: &Card, temp: f64) -> Diode {
    let params: Vec<(String, f64)> = c.params.iter().map(|(n, v)| (n.to_string(), *v)).collect();
    let m = DiodeModel::new(c.name, &params).expect("model");
    Diode::with_multiplier(&m, c.area, c.m, temp, 27.0, 1e-12).expect("instance")
}

#[test]
fn diode_dc_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("diode-dc");
    let cards = cards();
    let mut worst = Worst::default();
    for &temp in &TEMPS {
        let mut deck = format!("diode dc cross-check\n.temp {temp}\nVA a 0 0\n");
        let mut saves = vec!["v(a)".to_string()];
        for (i, c) in cards.iter().enumerate() {
            deck += &model_line(c);
            deck += &format!("D{i} a 0 {} area={} m={}\n", c.name, sp(c.area), sp(c.m));
            saves.push(format!("@d{i}[id]"));
            saves.push(format!("@d{i}[gd]"));
        }
        deck += &format!(".save {}\n.dc VA -5.5 0.85 0.015625\n.end\n", saves.join(" "));
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("DC transfer").expect("dc plot");
        let va = plot.vector("v(a)").expect("v(a)");
        assert!(va.len() > 400);
        for (i, c) in cards.iter().enumerate() {
            let d = ours(c, temp);
            let id = plot.vector(&format!("@d{i}[id]")).expect("id");
            let gd = plot.vector(&format!("@d{i}[gd]")).expect("gd");
            for k in 0..va.len() {
                let (i_ours, g_ours) = d.dc(va[k]);
                let ctx = format!("{} T={temp} vd={}", c.name, va[k]);
                worst.check("id", i_ours, id[k], 1e-18, TOL, &ctx);
                worst.check("gd", g_ours, gd[k], 1e-18, TOL, &ctx);
            }
        }
    }
    worst.report("diode dc vs ngspice");
}

const OP_V: [f64; 9] = [-4.0, -2.0, -0.5, 0.0, 0.2, 0.3, 0.45, 0.6, 0.75];

#[test]
fn diode_caps_match_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("diode-op");
    let cards = cards();
    let mut worst = Worst::default();
    for &temp in &TEMPS {
        let mut deck = format!("diode op capacitance cross-check\n.temp {temp}\n");
        let mut saves = Vec::new();
        for (i, c) in cards.iter().enumerate() {
            deck += &model_line(c);
            for (k, v) in OP_V.iter().enumerate() {
                deck += &format!(
                    "V{i}_{k} a{i}_{k} 0 {}\nD{i}_{k} a{i}_{k} 0 {} area={} m={}\n",
                    sp(*v),
                    c.name,
                    sp(c.area),
                    sp(c.m)
                );
                saves.push(format!("@d{i}_{k}[cd]"));
                saves.push(format!("@d{i}_{k}[id]"));
            }
        }
        deck += &format!(".save {}\n.op\n.end\n", saves.join(" "));
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("Operating Point").expect("op plot");
        for (i, c) in cards.iter().enumerate() {
            let d = ours(c, temp);
            for (k, &v) in OP_V.iter().enumerate() {
                let get = |q: &str| plot.vector(&format!("@d{i}_{k}[{q}]")).unwrap_or_else(|| panic!("missing {q}"))[0];
                let (id, gd) = d.dc(v);
                let (_q, cap) = d.charge(v, id, gd);
                let ctx = format!("{} T={temp} vd={v}", c.name);
                worst.check("cd", cap, get("cd"), 1e-21, TOL, &ctx);
                worst.check("id(op)", id, get("id"), 1e-18, TOL, &ctx);
            }
        }
    }
    worst.report("diode op capacitance vs ngspice");
}

#[test]
fn diode_charge_is_consistent_and_bad_input_is_rejected() {
    let c = &cards()[0];
    let d = ours(c, 27.0);
    // dq/dv equals the returned capacitance on both sides of FC*VJ.
    for v in [-3.0, -0.5, 0.1, 0.3, 0.5, 0.7] {
        let h = 1e-6;
        let q = |v: f64| {
            let (i, g) = d.dc(v);
            d.charge(v, i, g).0
        };
        let (i, g) = d.dc(v);
        let c = d.charge(v, i, g).1;
        let num = (q(v + h) - q(v - h)) / (2.0 * h);
        assert!((num - c).abs() <= 1e-5 * c.abs() + 1e-20, "v={v}: numeric {num} vs {c}");
    }
    let p = |v: &[(&str, f64)]| v.iter().map(|(n, x)| (n.to_string(), *x)).collect::<Vec<_>>();
    assert!(DiodeModel::new("bad", &p(&[("n", 0.0)])).is_err());
    assert!(DiodeModel::new("bad", &p(&[("fc", 1.0)])).is_err());
    assert!(DiodeModel::new("bad", &p(&[("xyz", 1.0)])).is_err());
    let m = DiodeModel::new("ok", &[]).unwrap();
    assert!(Diode::new(&m, -1.0, 27.0, 27.0, 1e-12).is_err());
    let d = Diode::new(&m, 1.0, 27.0, 27.0, 1e-12).unwrap();
    assert_eq!(d.series_conductance(), 0.0);
    assert!(d.vcrit() > 0.5 && d.vcrit() < 0.8);
}

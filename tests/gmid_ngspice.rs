//! gm/Id table points against ngspice operating points of the same cards (BSIM-lite and
//! level 1, NMOS and PMOS, 27 and 85 C) at pseudo-random grid points, one `.op` deck per
//! temperature with every point as its own forced-bias instance.
//!
//! ID, GM, GDS, GMB within 1e-6 relative. Capacitances within 1e-6: BSIM-lite's `@m[cgg]`,
//! `@m[cgs]`, `@m[cgd]`, `@m[cdd]` exclude the overlaps (and `cdd` the junction), so they are
//! added back (`CGG = cgg + CGSO W + CGDO W + CGBO L`); level 1's `@m[cgs] cgd cgb` already hold
//! them (its CGG is their sum, CDD = cgd + cbd).

mod common;

use common::{device_vector, scratch_dir, sp, ForcedBias, Worst};
use insitu::ngspice::Ngspice;
use insitu::pdk::gmid::{DeviceType, Grid, ModelSource, Quantity, Table};

const TOL: f64 = 1e-6;
const POINTS: usize = 30;

fn grid() -> Grid {
    let v = |n: usize, step: f64| (0..n).map(|i| i as f64 * step).collect::<Vec<f64>>();
    Grid::new(vec![0.18e-6, 0.3e-6, 0.5e-6, 1e-6, 2e-6], v(37, 0.05), v(19, 0.1), vec![0.0, 0.3, 0.6, 0.9]).unwrap()
}

/// Deterministic pseudo-random grid indices (64-bit LCG).
fn picks(seed: u64, g: &Grid) -> Vec<[usize; 4]> {
    let mut s = seed;
    let mut next = |n: usize| {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 33) as usize) % n
    };
    let shape = g.shape();
    (0..POINTS).map(|_| [next(shape[0]), next(shape[1]), next(shape[2]), next(shape[3])]).collect()
}

#[test]
fn table_points_match_ngspice_operating_points() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = scratch_dir("gmid-ngspice");
    let g = grid();
    for temp in [27.0, 85.0] {
        let cases = [
            ("generic180", DeviceType::Nmos),
            ("generic180", DeviceType::Pmos),
            ("generic-l1", DeviceType::Nmos),
            ("generic-l1", DeviceType::Pmos),
        ];
        let tables: Vec<Table> = cases
            .iter()
            .map(|(lib, dev)| Table::generate(&ModelSource::pdk(lib, "tt"), *dev, temp, &g, 5e-6).unwrap())
            .collect();
        let mut tb = ForcedBias::new("gm/Id table cross-check", temp);
        for (ci, t) in tables.iter().enumerate() {
            let name = format!("c{ci}{}", t.meta.model);
            tb.text(&format!("{}\n", t.meta.card.replacen(&t.meta.model, &name, 1)));
            let bsim = t.meta.card.contains("level=8");
            let q: &[&str] = if bsim {
                &["id", "gm", "gds", "gmbs", "cgg", "cgs", "cgd", "cdd", "capbd"]
            } else {
                &["id", "gm", "gds", "gmbs", "cgs", "cgd", "cgb", "cbd"]
            };
            for (pi, [il, ig, id, ib]) in picks(ci as u64 + 7, &g).into_iter().enumerate() {
                let (w, ad, pd) = (t.meta.w, t.meta.ad, t.meta.pd);
                let params =
                    format!("w={} l={} ad={} as={} pd={} ps={}", sp(w), sp(g.l[il]), sp(ad), sp(ad), sp(pd), sp(pd));
                let bias = (g.vgs[ig], g.vds[id], -g.vsb[ib]);
                tb.biased(&format!("m{ci}p{pi}"), &name, t.meta.device == DeviceType::Pmos, bias, &params, q);
            }
        }
        let deck = tb.finish(".op");
        let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
        let plot = run.plot("Operating Point").expect("op plot");
        let mut worst = Worst::default();
        for (ci, t) in tables.iter().enumerate() {
            let bsim = t.meta.card.contains("level=8");
            for (pi, [il, ig, id, ib]) in picks(ci as u64 + 7, &g).into_iter().enumerate() {
                let inst = format!("m{ci}p{pi}");
                let get = |q: &str| device_vector(plot, &inst, q)[0];
                let i = g.index(il, ig, id, ib);
                let tq = |q: Quantity| t.at(q, i);
                let ctx = format!(
                    "{} {} T={temp} L={:e} VGS={} VDS={} VSB={}",
                    t.meta.library,
                    t.meta.device.name(),
                    g.l[il],
                    g.vgs[ig],
                    g.vds[id],
                    g.vsb[ib]
                );
                let (floor_i, floor_c) = (1e-18, 1e-21);
                worst.check("ID", tq(Quantity::Id), get("id"), floor_i, TOL, &ctx);
                worst.check("GM", tq(Quantity::Gm), get("gm"), floor_i, TOL, &ctx);
                worst.check("GDS", tq(Quantity::Gds), get("gds"), floor_i, TOL, &ctx);
                worst.check("GMB", tq(Quantity::Gmb), get("gmbs"), floor_i, TOL, &ctx);
                let (ogs, ogd, ogb) = (tq(Quantity::Cgsol), tq(Quantity::Cgdol), tq(Quantity::Cgbol));
                // Level 1 reports its bulk-drain junction capacitance as `cbd` (its `capbd` is 0 at .op).
                let capbd = get(if bsim { "capbd" } else { "cbd" });
                worst.check("CJD", tq(Quantity::Cjd), capbd, floor_c, TOL, &ctx);
                if bsim {
                    worst.check("CGG", tq(Quantity::Cgg), get("cgg") + ogs + ogd + ogb, floor_c, TOL, &ctx);
                    worst.check("CGS", tq(Quantity::Cgs), -get("cgs") + ogs, floor_c, TOL, &ctx);
                    worst.check("CGD", tq(Quantity::Cgd), -get("cgd") + ogd, floor_c, TOL, &ctx);
                    worst.check("CDD", tq(Quantity::Cdd), get("cdd") + ogd + capbd, floor_c, TOL, &ctx);
                } else {
                    let (cgs, cgd, cgb) = (get("cgs"), get("cgd"), get("cgb"));
                    worst.check("CGG", tq(Quantity::Cgg), cgs + cgd + cgb, floor_c, TOL, &ctx);
                    worst.check("CGS", tq(Quantity::Cgs), cgs, floor_c, TOL, &ctx);
                    worst.check("CGD", tq(Quantity::Cgd), cgd, floor_c, TOL, &ctx);
                    worst.check("CGB", tq(Quantity::Cgb), cgb, floor_c, TOL, &ctx);
                    worst.check("CDD", tq(Quantity::Cdd), cgd + capbd, floor_c, TOL, &ctx);
                }
            }
        }
        worst.report(&format!("gm/Id tables vs ngspice .op at {temp} C"));
    }
}

//! Circuits whose answers are known in closed form.

mod common;
use common::sim;
use insitu_solver::TranSpec;
use num_complex::Complex64;

#[test]
fn divider_and_controlled_sources_solve_exactly() {
    let mut s = sim("t\nV1 a 0 3\nR1 a b 1k\nR2 b 0 2k\nE1 e 0 b 0 2\nRE e 0 1\nG1 0 g b 0 1m\nRG g 0 1k\n.op\n.end\n");
    s.op().unwrap();
    assert!((s.voltage("b").unwrap() - 2.0).abs() < 1e-12);
    assert!((s.voltage("e").unwrap() - 4.0).abs() < 1e-12);
    assert!((s.voltage("g").unwrap() - 2.0).abs() < 1e-12);
    assert!((s.current("v1").unwrap() + 1e-3).abs() < 1e-15);
}

#[test]
fn rc_charging_follows_the_exponential() {
    // V steps 0 -> 1 V at t = 0+ through R = 1k into C = 1n: v = 1 - exp(-t/1us).
    let mut s = sim("t\nV1 a 0 PULSE(0 1 0 1p 1p 1 2)\nR1 a b 1k\nC1 b 0 1n\n.end\n");
    let d = s.tran(&TranSpec { tstep: 10e-9, tstop: 5e-6, tstart: 0.0, tmax: None, uic: false }).unwrap();
    let t = d.real("time").unwrap();
    let v = d.real("v(b)").unwrap();
    let mut worst = 0.0f64;
    for (&t, &v) in t.iter().zip(v) {
        if t > 1e-8 {
            worst = worst.max((v - (1.0 - (-(t - 1e-12) / 1e-6).exp())).abs());
        }
    }
    assert!(worst < 2e-3, "worst error {worst}");
    assert!(t.len() > 50 && (t[t.len() - 1] - 5e-6).abs() < 1e-15);
}

#[test]
fn series_rlc_ac_matches_impedance_formula() {
    let mut s = sim("t\nV1 in 0 AC 1\nR1 in a 10\nL1 a b 10u\nC1 b 0 1n\n.end\n");
    let grid = insitu_netlist::FreqGrid { kind: insitu_netlist::GridKind::Dec, points: 10, fstart: 1e5, fstop: 1e7 };
    let d = s.ac(&grid).unwrap();
    let f = d.complex("frequency").unwrap();
    let vb = d.complex("v(b)").unwrap();
    for (f, vb) in f.iter().zip(vb) {
        let w = 2.0 * std::f64::consts::PI * f.re;
        let zc = Complex64::new(0.0, -1.0 / (w * 1e-9));
        let z = Complex64::new(10.0, w * 10e-6) + zc;
        let exact = zc / z;
        assert!((vb - exact).norm() / exact.norm() < 1e-12, "f={} {vb} vs {exact}", f.re);
    }
}

#[test]
fn dc_sweep_visits_every_point_and_restores_the_source() {
    let mut s = sim("t\nV1 a 0 1\nR1 a 0 1k\n.end\n");
    let sweep = insitu_netlist::DcSweep {
        var: insitu_netlist::SweepVar::Source(s.circuit().element("v1").unwrap()),
        start: -1.0,
        stop: 1.0,
        step: 0.25,
    };
    let d = s.dc(&[sweep]).unwrap();
    let i = d.real("i(v1)").unwrap();
    assert_eq!(i.len(), 9);
    for (k, i) in i.iter().enumerate() {
        let v = -1.0 + 0.25 * k as f64;
        assert!((i + v / 1e3).abs() < 1e-15);
    }
    s.op().unwrap();
    assert_eq!(s.voltage("a").unwrap(), 1.0);
}

#[test]
fn inductor_is_a_short_in_dc_and_lc_tank_rings_at_its_frequency() {
    let mut s = sim("t\nC1 a 0 1n IC=1\nL1 a 0 1u\n.end\n");
    let d = s.tran(&TranSpec { tstep: 1e-9, tstop: 2e-6, tstart: 0.0, tmax: Some(2e-9), uic: true }).unwrap();
    let t = d.real("time").unwrap();
    let v = d.real("v(a)").unwrap();
    // Period 2 pi sqrt(LC) = 198.7 ns: count downward zero crossings.
    let c: Vec<f64> = (1..t.len())
        .filter(|&k| v[k - 1] > 0.0 && v[k] <= 0.0)
        .map(|k| t[k - 1] + v[k - 1] * (t[k] - t[k - 1]) / (v[k - 1] - v[k]))
        .collect();
    let period = (c[c.len() - 1] - c[0]) / (c.len() - 1) as f64;
    let exact = 2.0 * std::f64::consts::PI * (1e-6f64 * 1e-9).sqrt();
    assert!((period / exact - 1.0).abs() < 1e-3, "{period} vs {exact}");
    // Trapezoidal integration keeps the amplitude of an undamped tank.
    let late = v.iter().zip(t).filter(|(_, &t)| t > 1.5e-6).map(|(v, _)| v.abs()).fold(0.0, f64::max);
    assert!(late > 0.98, "amplitude {late}");
}

#[test]
fn rc_ladder_ac_matches_the_chain_formula() {
    // Five RC sections: the transfer function by ABCD chain multiplication.
    let mut deck = String::from("t\nV1 n0 0 AC 1\n");
    for k in 1..=5 {
        deck.push_str(&format!("R{k} n{} n{k} 1k\nC{k} n{k} 0 {}p\n", k - 1, 100 * k));
    }
    deck.push_str(".end\n");
    let mut s = sim(&deck);
    let grid = insitu_netlist::FreqGrid { kind: insitu_netlist::GridKind::Dec, points: 10, fstart: 1e3, fstop: 1e9 };
    let d = s.ac(&grid).unwrap();
    let f = d.complex("frequency").unwrap();
    let v5 = d.complex("v(n5)").unwrap();
    for (f, v) in f.iter().zip(v5) {
        let w = 2.0 * std::f64::consts::PI * f.re;
        // Walk back from the open end: V5 = 1, I5 = jwC5 V5; V(k-1) = Vk + R Ik; I(k-1) = Ik + jwC(k-1) V(k-1).
        let (mut vk, mut ik) = (Complex64::new(1.0, 0.0), Complex64::new(0.0, w * 500e-12));
        for k in (1..=5).rev() {
            let vprev = vk + ik * 1e3;
            let cprev = if k > 1 { 100e-12 * (k - 1) as f64 } else { 0.0 };
            ik += Complex64::new(0.0, w * cprev) * vprev;
            vk = vprev;
        }
        let exact = Complex64::new(1.0, 0.0) / vk;
        assert!((v - exact).norm() <= 1e-8 * exact.norm(), "f={}: {v} vs {exact}", f.re);
    }
}

//! The lockstep AC sweep equals the one-frequency-at-a-time path bit for bit, also when the
//! pivot plan stops fitting in the middle of a sweep and must be re-pivoted.

mod common;
use common::{sim, OPAMP};
use insitu_solver::Simulator;
use num_complex::Complex64;

/// Solutions per frequency.
type Solutions = Vec<Vec<Complex64>>;

/// One sweep point by point, then in lockstep; also the point path's LU statistics.
fn sweep_both(s: &mut Simulator, freqs: &[f64]) -> (Solutions, Solutions, (usize, usize)) {
    s.op().unwrap();
    s.ac_prepare().unwrap();
    let single: Vec<Vec<Complex64>> = freqs.iter().map(|&f| s.ac_point(f).unwrap().to_vec()).collect();
    let stats = s.ac_lu_stats();
    s.ac_prepare().unwrap();
    let mut lanes = vec![Vec::new(); freqs.len()];
    s.ac_sweep(freqs, |i, x| lanes[i] = x.to_vec()).unwrap();
    (single, lanes, stats)
}

fn decade(n_per: usize, f1: f64, f2: f64) -> Vec<f64> {
    let n = (n_per as f64 * (f2 / f1).log10()).round() as usize;
    (0..=n).map(|k| f1 * 10f64.powf(k as f64 / n_per as f64)).collect()
}

#[test]
fn opamp_sweep_equals_single_points() {
    let mut s = sim(OPAMP);
    // Every length, so groups of every size are covered, including a short last group.
    for len in [1, 2, 7, 8, 9, 181] {
        let freqs = decade(20, 1.0, 1e9)[..len].to_vec();
        let (single, lanes, _) = sweep_both(&mut s, &freqs);
        assert_eq!(single, lanes, "{len} frequencies");
    }
}

#[test]
fn sweep_repivots_when_the_plan_stops_fitting() {
    // The plan recorded at 1 Hz stops fitting at high frequency: the reactances of L1 and the
    // capacitors move by many decades, a recorded pivot fails its threshold, and the LU must
    // pivot again inside the sweep (found by searching element values for re-pivoting).
    let deck = "repivot\nV1 in 0 DC 0 AC 1\nR1 in a 1k\nL1 a b 1n\nR2 b 0 1k\nC1 b 0 1u\nC2 a 0 1n\n.end\n";
    let mut s = sim(deck);
    let freqs = decade(10, 1.0, 1e10);
    let (single, lanes, (_, pivotings)) = sweep_both(&mut s, &freqs);
    assert!(pivotings >= 2, "the sweep should re-pivot (pivotings {pivotings})");
    assert_eq!(single, lanes);
    // And the answer is right: the divider R1 | (jwL + R2 || 1/jwC1), with C2 at node a.
    let a = s.unknowns().iter().position(|u| u.name == "a").unwrap();
    for (f, x) in freqs.iter().zip(&single) {
        let w = 2.0 * std::f64::consts::PI * f;
        let j = Complex64::new(0.0, 1.0);
        let zb = 1.0 / (1.0 / 1e3 + j * w * 1e-6);
        let za = 1.0 / (1.0 / (j * w * 1e-9 + zb) + j * w * 1e-9);
        let va = za / (1e3 + za);
        assert!((x[a] - va).norm() <= 1e-9 * va.norm().max(1e-12), "f {f}: {} vs {va}", x[a]);
    }
}

#[test]
fn warm_sweeps_keep_the_plan_and_agree_with_fresh_pivots() {
    // A warm-started op + ac keeps the previous sweep's pivot plan (every frequency then goes
    // to the lanes, none is pivoted afresh); at the same operating point, the answer is that
    // of a sweep that pivots afresh, to rounding (only the pivot order may differ).
    let freqs = decade(20, 1.0, 1e9);
    let sweep = |s: &mut Simulator| {
        s.ac_prepare().unwrap();
        let mut out = vec![Vec::new(); freqs.len()];
        s.ac_sweep(&freqs, |i, x| out[i] = x.to_vec()).unwrap();
        out
    };
    let mut s = sim(OPAMP);
    s.set_warm_start(true);
    s.op().unwrap();
    sweep(&mut s);
    for w6 in [90e-6, 110e-6, 130e-6] {
        s.set_mos_size("m6", w6, 1e-6).unwrap();
        s.op().unwrap();
        let pivotings = s.ac_lu_stats().1;
        let kept = sweep(&mut s);
        assert_eq!(s.ac_lu_stats().1, pivotings, "a warm sweep pivoted afresh");
        // The same operating point, pivoted afresh (a cold start's `ac_prepare` resets the plan).
        s.set_warm_start(false);
        let fresh = sweep(&mut s);
        s.set_warm_start(true);
        assert!(s.ac_lu_stats().1 > pivotings, "the cold sweep should pivot afresh");
        for (f, (xa, xb)) in freqs.iter().zip(kept.iter().zip(&fresh)) {
            let scale = xb.iter().map(|v| v.norm()).fold(0.0, f64::max);
            let diff = xa.iter().zip(xb).map(|(p, q)| (p - q).norm()).fold(0.0, f64::max);
            assert!(diff <= 1e-9 * scale, "w6 {w6}, f {f}: {diff} against {scale}");
        }
    }
}

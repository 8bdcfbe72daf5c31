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

/// Two copies of the op-amp sharing their supply: the open-loop copy driven by the AC source,
/// a unity-gain buffer with none (as the generic180 example deck and the sizing loop's
/// testbenches hold them).
const TWO_COPIES: &str = "two op-amps, one supply
.model nmos1 nmos level=1 vto=0.45 kp=280u gamma=0.4 phi=0.8 lambda=0.1
+ tox=4n cgso=0.3n cgdo=0.3n cj=1m mj=0.5 cjsw=0.2n mjsw=0.33 pb=0.8
.model pmos1 pmos level=1 vto=-0.45 kp=70u gamma=0.4 phi=0.8 lambda=0.15
+ tox=4n cgso=0.3n cgdo=0.3n cj=1m mj=0.5 cjsw=0.2n mjsw=0.33 pb=0.8
.subckt opamp inp inm out vdd
IBIAS vdd nb DC 20u
M8 nb nb 0 0 nmos1 W=4u L=1u AD=8p AS=8p PD=12u PS=12u
M5 tail nb 0 0 nmos1 W=8u L=1u AD=16p AS=16p PD=20u PS=20u
M1 d1 inm tail 0 nmos1 W=10u L=1u AD=20p AS=20p PD=24u PS=24u
M2 d2 inp tail 0 nmos1 W=10u L=1u AD=20p AS=20p PD=24u PS=24u
M3 d1 d1 vdd vdd pmos1 W=10u L=1u AD=20p AS=20p PD=24u PS=24u
M4 d2 d1 vdd vdd pmos1 W=10u L=1u AD=20p AS=20p PD=24u PS=24u
M6 out d2 vdd vdd pmos1 W=100u L=1u AD=200p AS=200p PD=204u PS=204u
M7 out nb 0 0 nmos1 W=40u L=1u AD=80p AS=80p PD=84u PS=84u
RZ d2 cz 1.5k
CC cz out 2.5p
.ends
VDD vdd 0 DC 1.8
VINP inp 0 DC 0.9 AC 1
X1 inp inm out vdd opamp
CL out 0 10p
LFB out inm 1G
CFB inm 0 1G
VSTEP sin 0 DC 0.8
X2 sin bout bout vdd opamp
CLB bout 0 10p
.end
";

#[test]
fn blocks_no_source_drives_are_zero_and_the_rest_unchanged() {
    // The lanes leave out the buffer copy (no AC source reaches it once the shared supply's
    // node is eliminated first) and compute the open-loop copy with real arithmetic where its
    // entries are real or imaginary: still the one-frequency path's answer, which factors
    // the whole matrix with complex arithmetic; the buffer's unknowns are exactly zero.
    let freqs = decade(20, 1.0, 1e9);
    for warm in [false, true] {
        let mut s = sim(TWO_COPIES);
        s.set_warm_start(warm);
        let (single, lanes, _) = sweep_both(&mut s, &freqs);
        assert_eq!(single, lanes, "warm start {warm}");
        // 20 unknowns, 11 steps: the buffer's 6 nodes, VSTEP's node and branch, and VDD's
        // branch row (which hands down a zero) are left out.
        assert_eq!(s.ac_lane_steps(), Some((11, 20)));
        let names: Vec<String> = s.unknowns().iter().map(|u| u.name.clone()).collect();
        let buffer: Vec<usize> =
            (0..names.len()).filter(|&k| names[k].starts_with("x2.") || names[k] == "bout").collect();
        assert_eq!(buffer.len(), 6, "{names:?}");
        for x in &lanes {
            assert!(buffer.iter().all(|&k| x[k] == Complex64::new(0.0, 0.0)));
        }
        // The open-loop copy alone (the one-copy deck, same devices) gives the same response.
        let mut one = sim(OPAMP);
        let (alone, _, _) = sweep_both(&mut one, &freqs);
        let out = |s: &Simulator, n: &str| s.unknowns().iter().position(|u| u.name == n).unwrap();
        let (o2, o1) = (out(&s, "out"), out(&one, "out"));
        for (f, (a, b)) in freqs.iter().zip(lanes.iter().zip(&alone)) {
            assert!((a[o2] - b[o1]).norm() <= 1e-9 * b[o1].norm(), "f {f}: {} vs {}", a[o2], b[o1]);
        }
    }
}

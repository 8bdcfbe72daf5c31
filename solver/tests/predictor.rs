//! The transient's predictor: a time point whose first Newton step from the extrapolation of
//! the last two points is a thousandth of SPICE's tolerances accepts that extrapolation.

mod common;
use common::{sim, OPAMP};
use insitu_solver::TranSpec;

/// The op-amp as a unity-gain buffer stepped from 0.8 V to 1.0 V at 50 ns.
fn buffer(input: &str) -> String {
    OPAMP
        .replace("VINP inp 0 DC 0.9 AC 1", input)
        .replace("LFB out inm 1G\nCFB inm 0 1G", "RFB out inm 1")
        .replace(".ac dec 20 1 1G\n", "")
}

#[test]
fn accepted_predictions_stay_on_the_solution_with_fewer_iterations() {
    let mut s = sim(&buffer("VINP inp 0 DC 0.8 PULSE(0.8 1.0 50n 1n 1n 1 2)"));
    let d = s.tran(&TranSpec { tstep: 5e-9, tstop: 4e-6, tstart: 0.0, tmax: None, uic: false }).unwrap();
    let t = d.real("time").unwrap();
    let (vin, vout) = (d.real("v(inp)").unwrap(), d.real("v(out)").unwrap());
    // SPICE iterates at least twice per point; points whose prediction holds take one.
    let points = t.len();
    assert!(s.iterations < 2 * points * 19 / 20, "{} iterations for {points} points", s.iterations);
    // Source nodes keep their source's value within a thousandth of SPICE's tolerance
    // (reltol 1e-3 x 1 V + vntol 1 uV).
    for (&t, &v) in t.iter().zip(vin) {
        let want = if t <= 50e-9 {
            0.8
        } else if t >= 51e-9 {
            1.0
        } else {
            0.8 + 0.2 * (t - 50e-9) / 1e-9
        };
        assert!((v - want).abs() < 1.1e-6, "v(inp) = {v} at t = {t}, source {want}");
    }
    // The settled output is the operating point with the input at 1.0 V: the accepted
    // predictions have not drifted off the solution.
    let mut dc = sim(&buffer("VINP inp 0 DC 1.0"));
    dc.op().unwrap();
    let want = dc.voltage("out").unwrap();
    let last = *vout.last().unwrap();
    assert!((last - want).abs() < 1e-5, "settled v(out) = {last}, operating point {want}");
}

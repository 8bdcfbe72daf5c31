//! Failures say what failed and where, and never panic or return NaN.

mod common;
use common::sim;
use insitu_solver::{SimError, TranSpec};

#[test]
fn floating_node_is_named() {
    let mut s = sim("t\nV1 a 0 1\nR1 a 0 1k\nC1 b c 1p\nR2 b c 1k\n.end\n");
    match s.op() {
        Err(SimError::Singular { detail, .. }) => assert!(detail.contains("'b'") || detail.contains("'c'"), "{detail}"),
        other => panic!("expected a singular matrix, got {other:?}"),
    }
}

#[test]
fn voltage_source_loop_is_named() {
    let mut s = sim("t\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1k\n.end\n");
    match s.op() {
        Err(SimError::Singular { detail, .. }) => assert!(detail.contains("v1") || detail.contains("v2"), "{detail}"),
        other => panic!("expected a singular matrix, got {other:?}"),
    }
}

#[test]
fn invalid_transient_is_an_error() {
    let mut s = sim("t\nV1 a 0 1\nR1 a 0 1k\n.end\n");
    let bad = TranSpec { tstep: 0.0, tstop: 1e-6, tstart: 0.0, tmax: None, uic: false };
    assert!(matches!(s.tran(&bad), Err(SimError::InvalidAnalysis(_))));
}

#[test]
fn negative_resistor_loop_reports_no_convergence_or_singularity_not_nan() {
    // A diode against a -1 ohm resistor: no operating point a Newton iteration can reach.
    let mut s = sim("t\nI1 0 a 1\nD1 a 0 dm\nR1 a 0 -1\n.model dm d is=1e-14\n.end\n");
    match s.op() {
        Ok(()) => {
            let v = s.voltage("a").unwrap();
            assert!(v.is_finite());
        }
        Err(e) => assert!(
            matches!(e, SimError::NoConvergence { .. } | SimError::Singular { .. } | SimError::NonFinite { .. }),
            "{e}"
        ),
    }
}

#[test]
fn finite_time_blow_up_stops_with_time_step_too_small_at_the_right_time() {
    // A diode's current mirrored into its own node with gain 2 charges C1 by Id(v):
    // C dv/dt = Is exp(v/Vt), whose solution from v0 diverges at t* = C Vt exp(-v0/Vt) / Is.
    // No step is small enough there; the transient must say so, near t*. (ngspice 39 stops
    // with "Timestep too small; time = 2.17516e-07" on this deck.)
    let deck = "blow-up\nD1 x d dmod\nVsense d 0 0\nF1 0 x Vsense 2\nC1 x 0 1n\n.model dmod d is=1e-14\n\
                .ic v(x)=0.6\n.end\n";
    let mut s = sim(deck);
    let spec = TranSpec { tstep: 1e-9, tstop: 1e-6, tstart: 0.0, tmax: None, uic: true };
    let vt: f64 = 1.380649e-23 * 300.15 / 1.602176634e-19;
    let t_star = 1e-9 * vt * (-0.6 / vt).exp() / 1e-14;
    match s.tran(&spec) {
        Err(e @ SimError::TimestepTooSmall { time, .. }) => {
            assert!(e.to_string().starts_with("time step too small at t="), "{e}");
            assert!((time - t_star).abs() < 0.02 * t_star, "stopped at {time:e}, blow-up at {t_star:e}");
        }
        other => panic!("expected time step too small, got {other:?}"),
    }
}

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

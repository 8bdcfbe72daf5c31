//! Re-sizing without re-parsing: parameter handles, instance sizes and temperature.

mod common;
use common::{circuit, sim, OPAMP};
use insitu_solver::Simulator;

#[test]
fn set_param_matches_a_freshly_parsed_deck() {
    let mut s = sim(OPAMP);
    s.op().unwrap();
    let before = s.voltage("d1").unwrap();
    s.set_param("w1", 20e-6).unwrap();
    s.op().unwrap();
    let after = s.voltage("d1").unwrap();
    let mut fresh = Simulator::new(circuit(&OPAMP.replace(".param w1=10u", ".param w1=20u"))).unwrap();
    fresh.op().unwrap();
    assert!((before - after).abs() > 1e-4, "changing W must move the op point");
    for node in ["d1", "d2", "out", "tail"] {
        let (a, b) = (s.voltage(node).unwrap(), fresh.voltage(node).unwrap());
        assert!((a - b).abs() < 1e-12, "{node}: {a} vs {b}");
    }
}

#[test]
fn set_mos_size_and_temperature_match_fresh_simulators() {
    let mut s = sim(OPAMP);
    s.set_mos_size("m6", 150e-6, 1e-6).unwrap();
    s.set_temperature(85.0).unwrap();
    s.op().unwrap();
    let text = OPAMP.replace("M6 out d2 vdd vdd pmos1 W=100u", "M6 out d2 vdd vdd pmos1 W=150u");
    let mut fresh = Simulator::with_temperature(circuit(&text), 85.0).unwrap();
    fresh.op().unwrap();
    for node in ["d1", "d2", "out", "tail"] {
        let (a, b) = (s.voltage(node).unwrap(), fresh.voltage(node).unwrap());
        assert!((a - b).abs() < 1e-12, "{node}: {a} vs {b}");
    }
}

#[test]
fn unknown_names_are_errors_not_panics() {
    let mut s = sim(OPAMP);
    assert!(s.set_param("nope", 1.0).is_err());
    assert!(s.set_mos_size("r1", 1e-6, 1e-6).is_err());
    assert!(s.voltage("nowhere").is_err());
    assert!(s.current("m1").is_err());
}

#[test]
fn rayon_batch_is_bit_identical_to_sequential() {
    use rayon::prelude::*;
    let base = sim(OPAMP);
    let m6 = base.element_handle("m6").unwrap();
    let eval = |s: &mut Simulator, k: usize| -> Vec<f64> {
        s.set_mos_size_of(m6, 60e-6 + 2e-6 * k as f64, 1e-6).unwrap();
        s.op().unwrap();
        s.ac_prepare().unwrap();
        let mut out = s.solution().to_vec();
        for f in [1.0, 1e5, 1e7] {
            out.extend(s.ac_point(f).unwrap().iter().map(|c| c.norm()));
        }
        out
    };
    let mut one = base.clone();
    let seq: Vec<Vec<f64>> = (0..40).map(|k| eval(&mut one, k)).collect();
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let par: Vec<Vec<f64>> =
            pool.install(|| (0..40).into_par_iter().map_init(|| base.clone(), |s, k| eval(s, k)).collect());
        assert!(seq == par, "results differ with {threads} threads");
    }
}

#[test]
fn warm_started_op_is_not_solved_again_by_ac() {
    // A warm-started operating point counts as held: `ac_prepare` linearizes at it instead of
    // running the op a second time (which would change the iteration count and the solution).
    let mut s = sim(OPAMP);
    s.set_warm_start(true);
    s.op().unwrap();
    s.set_mos_size("m6", 110e-6, 1e-6).unwrap();
    s.op().unwrap();
    let (iterations, x) = (s.iterations, s.solution().to_vec());
    assert!(iterations >= 2);
    s.ac_prepare().unwrap();
    assert_eq!(s.iterations, iterations);
    assert_eq!(s.solution(), &x[..]);
}

//! The dense and sparse linear backends give the same answers; the sparse one is used
//! automatically for large systems.

mod common;
use common::{circuit, sim, OPAMP};
use insitu_solver::Simulator;

#[test]
fn opamp_op_and_ac_agree_between_dense_and_sparse() {
    let mut dense = sim(OPAMP);
    let mut sparse = sim(OPAMP);
    sparse.force_sparse();
    assert!(!dense.is_sparse() && sparse.is_sparse());
    let a = dense.run_all().unwrap();
    let b = sparse.run_all().unwrap();
    for (x, y) in a.iter().zip(&b) {
        for (u, v) in x.vectors.iter().zip(&y.vectors) {
            match (&u.data, &v.data) {
                (insitu_solver::Data::Real(p), insitu_solver::Data::Real(q)) => {
                    for (p, q) in p.iter().zip(q) {
                        assert!((p - q).abs() <= 1e-9 * p.abs().max(1e-6), "{} {p} {q}", u.name);
                    }
                }
                (insitu_solver::Data::Complex(p), insitu_solver::Data::Complex(q)) => {
                    // Relative to the vector's peak: the two LU orderings round differently, and a
                    // near-zero node (v(nb) is 1e-6 of the input) keeps only the absolute error.
                    let peak = p.iter().map(|c| c.norm()).fold(1e-30, f64::max);
                    for (p, q) in p.iter().zip(q) {
                        assert!((p - q).norm() <= 1e-9 * peak, "{} {p} {q}", u.name);
                    }
                }
                _ => panic!("data kinds differ"),
            }
        }
    }
}

#[test]
fn large_resistor_ladder_uses_sparse_and_matches_closed_form() {
    // An R-2R style ladder of N sections, each node tied to ground by 2R: the node voltages
    // follow from the infinite-ladder recursion; compare against a direct recursive solve.
    let n = 500;
    let mut deck = String::from("ladder\nV1 n0 0 1\n");
    for k in 1..=n {
        deck.push_str(&format!("R{k} n{} n{k} 1k\nRG{k} n{k} 0 2k\n", k - 1));
    }
    deck.push_str(".end\n");
    let mut s = Simulator::new(circuit(&deck)).unwrap();
    assert!(s.is_sparse(), "{} unknowns should pick the sparse backend", s.unknowns().len());
    s.op().unwrap();
    // Closed form from the far end: the resistance to ground looking right of node k.
    let mut rr = vec![0.0f64; n + 1];
    rr[n] = 2e3;
    for k in (1..n).rev() {
        let right = 1e3 + rr[k + 1];
        rr[k] = 1.0 / (1.0 / 2e3 + 1.0 / right);
    }
    let mut v = 1.0;
    for (k, r) in rr.iter().enumerate().skip(1) {
        v *= r / (1e3 + r);
        let got = s.voltage(&format!("n{k}")).unwrap();
        assert!((got - v).abs() <= 1e-12 + 1e-9 * v, "n{k}: {got} vs {v}");
        if k > 30 {
            break;
        }
    }
}

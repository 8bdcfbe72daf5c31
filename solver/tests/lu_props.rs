//! Property tests of the dense LU (Markowitz or partial pivoting, compiled plan, replays) on
//! random sparse systems, against the equations they solve: `A x = b` and `A^T z = e` hold to
//! a small backward error, after the first factorization and after replays with new values,
//! and a matrix with an empty column is an error, never a panic or a NaN.

use insitu_solver::linear::{DenseLu, Pivoting};
use insitu_solver::pattern::{Pattern, PatternBuilder};
use proptest::prelude::*;

/// A random pattern of `n` unknowns: each entry present with probability `density`, the
/// diagonal missing with probability 1/4 (as MNA's branch rows), and values spanning
/// 12 decades; a "ring" below the diagonal keeps most such systems non-singular.
fn random_system(n: usize, density: f64, seed: u64) -> (Pattern, Vec<(usize, usize, usize)>, Vec<f64>) {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut pb = PatternBuilder::new(n);
    let mut entries = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let ring = (i + 1) % n == j || (j + 1) % n == i;
            let diag = i == j && next() < 0.75;
            if diag || ring || next() < density {
                entries.push((i, j, pb.entry(i, j)));
            }
        }
    }
    let (p, map) = pb.finish();
    let mut values = vec![0.0; p.nnz() + 1];
    for &(_, _, s) in &entries {
        let mag = 10f64.powf(12.0 * next() - 6.0);
        values[map[s]] += if next() < 0.5 { -mag } else { mag };
    }
    let entries = entries.into_iter().map(|(i, j, s)| (i, j, map[s])).collect();
    (p, entries, values)
}

/// Normwise backward error of `x` for `A x = b` (or `A^T x = b`).
fn backward_error(entries: &[(usize, usize, usize)], v: &[f64], x: &[f64], b: &[f64], transpose: bool) -> f64 {
    let n = b.len();
    let mut r = b.to_vec();
    let mut row_sum = vec![0.0f64; n];
    for &(i, j, k) in entries {
        let (i, j) = if transpose { (j, i) } else { (i, j) };
        r[i] -= v[k] * x[j];
        row_sum[i] += v[k].abs();
    }
    let norm_a = row_sum.iter().fold(0.0f64, |m, s| m.max(*s));
    let inf = |y: &[f64]| y.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    inf(&r) / (norm_a * inf(x) + inf(b))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn solves_satisfy_their_equations_after_pivoting_and_replays(
        n in 1usize..18, density in 0.0f64..0.5, seed in any::<u64>(), replays in 1usize..4,
        markowitz in any::<bool>(),
    ) {
        let (p, entries, mut values) = random_system(n, density, seed);
        let mut lu = DenseLu::<f64>::new(&p);
        lu.reset_plan_with(if markowitz { Pivoting::Markowitz } else { Pivoting::Partial });
        for round in 0..=replays {
            if round > 0 {
                // New values on the same pattern: a replay, or a re-pivoting when they need it.
                for (k, v) in values.iter_mut().enumerate() {
                    let h = (seed ^ (round as u64) << 32 ^ k as u64).wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40;
                    let f = h as f64 / (1u64 << 24) as f64; // in [0, 1)
                    *v *= if f < 0.1 { -1e-3 } else { 0.25 + 4.0 * f };
                }
            }
            if lu.factor(&values).is_err() {
                continue;
            }
            let x_true: Vec<f64> = (0..n).map(|i| ((i * 7 + round) % 5) as f64 - 2.0 + 0.5).collect();
            let mut b = vec![0.0; n + 1];
            let mut bt = vec![0.0; n + 1];
            for &(i, j, k) in &entries {
                b[i] += values[k] * x_true[j];
                bt[j] += values[k] * x_true[i];
            }
            let (b0, bt0) = (b[..n].to_vec(), bt[..n].to_vec());
            lu.solve(&mut b);
            lu.solve_transpose(&mut bt);
            prop_assert!(b[..n].iter().chain(&bt[..n]).all(|v| v.is_finite()));
            let e = backward_error(&entries, &values, &b[..n], &b0, false);
            let et = backward_error(&entries, &values, &bt[..n], &bt0, true);
            prop_assert!(e < 1e-10, "round {round}: backward error {e:e}");
            prop_assert!(et < 1e-10, "round {round}: transposed backward error {et:e}");
        }
    }

    #[test]
    fn an_empty_column_is_an_error(
        n in 2usize..12, density in 0.0f64..0.6, seed in any::<u64>(), col in 0usize..12, markowitz in any::<bool>(),
    ) {
        let (p, entries, mut values) = random_system(n, density, seed);
        let col = col % n;
        for &(_, j, k) in &entries {
            if j == col {
                values[k] = 0.0;
            }
        }
        let mut lu = DenseLu::<f64>::new(&p);
        lu.reset_plan_with(if markowitz { Pivoting::Markowitz } else { Pivoting::Partial });
        prop_assert!(lu.factor(&values).is_err());
    }
}

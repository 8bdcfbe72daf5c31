//! Property tests of the optimizer crate (small budgets: the whole suite runs in seconds).

use insitu_optimizer::baselines::{lhs_search, pso, random_search, PsoConfig};
use insitu_optimizer::bo::run_bo;
use insitu_optimizer::gp::{neg_log_marginal_likelihood, Gp, GpConfig, KernelKind, KernelSpec};
use insitu_optimizer::pareto::{combined_ranks, dominates, non_dominated_sort};
use insitu_optimizer::testfns::tf1;
use insitu_optimizer::{BoConfig, BoMethod, FnProblem, MopsoConfig, Outcome, Problem, RunRecord, Trace};
use proptest::prelude::*;

fn small_cfg(n_init: usize, budget: usize, seed: u64, q: usize) -> BoConfig {
    let mut c = BoConfig::new(n_init, budget, seed).with_batch_size(q);
    c.mopso = MopsoConfig { swarm_size: 8, iterations: 8, ..Default::default() };
    c.gp.n_random_starts = 1;
    c.gp.max_iter = 15;
    c
}

fn method(i: usize) -> BoMethod {
    [BoMethod::Trace, BoMethod::Eipf, BoMethod::Pipf, BoMethod::Mace][i % 4]
}

/// A 2-D problem on an arbitrary box with two constraints.
fn boxed_problem(lo: [f64; 2], w: [f64; 2]) -> impl Problem {
    let lower = vec![lo[0], lo[1]];
    let upper = vec![lo[0] + w[0], lo[1] + w[1]];
    let (l2, u2) = (lower.clone(), upper.clone());
    FnProblem::new(lower, upper, 2, move |x: &[f64]| {
        let u: Vec<f64> = (0..2).map(|i| (x[i] - l2[i]) / (u2[i] - l2[i])).collect();
        Ok(Outcome {
            objective: (u[0] - 0.3).powi(2) + (u[1] - 0.6).powi(2) + 0.1 * (5.0 * u[0]).sin(),
            constraints: vec![u[0] + u[1] - 1.2, 0.2 - u[0] * u[1]],
        })
    })
}

fn inside(rec: &RunRecord, p: &dyn Problem) -> bool {
    rec.evaluations
        .iter()
        .all(|e| e.x.iter().zip(p.lower().iter().zip(p.upper())).all(|(v, (l, h))| *v >= *l && *v <= *h))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn proposals_inside_bounds_and_budget_respected(
        seed in 0u64..1000, m in 0usize..4, q in 1usize..4,
        lo0 in -10.0f64..10.0, lo1 in -10.0f64..10.0, w0 in 0.01f64..20.0, w1 in 0.01f64..20.0,
        budget in 4usize..9, n_init in 1usize..6,
    ) {
        let p = boxed_problem([lo0, lo1], [w0, w1]);
        let cfg = small_cfg(n_init, budget, seed, q);
        let rec = run_bo(&p, method(m), &cfg, None);
        prop_assert_eq!(rec.evaluations.len(), budget);
        prop_assert!(inside(&rec, &p));
        let r = pso(&p, &PsoConfig { budget, swarm_size: 3, seed, ..Default::default() });
        prop_assert_eq!(r.evaluations.len(), budget);
        prop_assert!(inside(&r, &p));
        let r = random_search(&p, budget, seed);
        prop_assert_eq!(r.evaluations.len(), budget);
        prop_assert!(inside(&r, &p));
        let r = lhs_search(&p, budget, seed);
        prop_assert!(inside(&r, &p));
    }

    #[test]
    fn same_seed_same_run_whatever_the_thread_count(seed in 0u64..1000, m in 0usize..4, q in 1usize..3) {
        let p = tf1();
        let cfg = small_cfg(4, 8, seed, q);
        let pool1 = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let pool2 = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let a = pool1.install(|| run_bo(&p, method(m), &cfg, None));
        let b = pool2.install(|| run_bo(&p, method(m), &cfg, None));
        let c = run_bo(&p, method(m), &cfg, None);
        prop_assert!(a.same_trajectory(&b));
        prop_assert!(a.same_trajectory(&c));
        let pa = pool1.install(|| pso(&p, &PsoConfig { budget: 9, swarm_size: 3, seed, ..Default::default() }));
        let pb = pool2.install(|| pso(&p, &PsoConfig { budget: 9, swarm_size: 3, seed, ..Default::default() }));
        prop_assert!(pa.same_trajectory(&pb));
    }

    #[test]
    fn failures_and_nan_are_infeasible_and_the_run_continues(seed in 0u64..1000, m in 0usize..4) {
        // Fails on the left third, returns NaN in the top band, otherwise TF1-like.
        let p = FnProblem::new(vec![0.0, 0.0], vec![6.0, 6.0], 1, |x: &[f64]| {
            if x[0] < 2.0 {
                return Err("simulator did not converge".to_string());
            }
            if x[1] > 4.0 {
                return Ok(Outcome { objective: f64::NAN, constraints: vec![0.0] });
            }
            Ok(Outcome {
                objective: (2.0 * x[0]).cos() * x[1].cos() + x[0].sin(),
                constraints: vec![(x[0] + x[1]).cos() - 0.5],
            })
        });
        let cfg = small_cfg(6, 10, seed, 1);
        let rec = run_bo(&p, method(m), &cfg, None);
        prop_assert_eq!(rec.evaluations.len(), 10);
        for e in &rec.evaluations {
            let bad = e.x[0] < 2.0 || e.x[1] > 4.0;
            prop_assert_eq!(bad, e.failure.is_some());
            if bad {
                prop_assert!(!e.feasible());
            }
        }
        if let Some(b) = rec.best_feasible() {
            prop_assert!(b.failure.is_none() && b.objective.unwrap().is_finite());
        }
        let json = rec.to_json();
        let back = RunRecord::from_json(&json).unwrap();
        prop_assert_eq!(back, rec);
    }

    #[test]
    fn non_dominated_sorting_satisfies_its_definition(
        pts in prop::collection::vec(prop::collection::vec(0i32..5, 3), 0..40),
        m in 1usize..4,
    ) {
        let pts: Vec<Vec<f64>> = pts.into_iter().map(|p| p[..m].iter().map(|v| *v as f64).collect()).collect();
        let rank = non_dominated_sort(&pts);
        for i in 0..pts.len() {
            for j in 0..pts.len() {
                if dominates(&pts[j], &pts[i]) {
                    // A dominating point is in a strictly better front.
                    prop_assert!(rank[j] < rank[i]);
                }
            }
            if rank[i] > 0 {
                // Some point of the previous front dominates it.
                prop_assert!((0..pts.len()).any(|j| rank[j] == rank[i] - 1 && dominates(&pts[j], &pts[i])));
            }
        }
        // Combined ranks: level 1 equal to the plain sort; level 2 sorts within each level-1 class.
        let f2: Vec<Vec<f64>> = pts.iter().map(|p| p.iter().rev().copied().collect()).collect();
        let cr = combined_ranks(&pts, &f2);
        for i in 0..pts.len() {
            prop_assert_eq!(cr[i].0, rank[i]);
            for j in 0..pts.len() {
                if cr[i].0 == cr[j].0 && dominates(&f2[j], &f2[i]) {
                    prop_assert!(cr[j].1 < cr[i].1);
                }
            }
        }
    }

    #[test]
    fn gp_interpolates_noiseless_data(
        seed in 0u64..1000, d in 1usize..4, n in 3usize..12, kind in 0usize..2, ard in any::<bool>(),
    ) {
        let mut rng = insitu_optimizer::rng::stream(seed, 99, 0);
        let xs = insitu_optimizer::doe::lhs_centered_maximin(n, d, 5, &mut rng);
        let lower = vec![-1.0; d];
        let upper = vec![2.0; d];
        let xs: Vec<Vec<f64>> = xs.iter().map(|u| u.iter().map(|v| -1.0 + 3.0 * v).collect()).collect();
        let ys: Vec<f64> = xs.iter().map(|x| x.iter().enumerate().map(|(i, v)| ((i + 1) as f64 * v).sin()).sum()).collect();
        let spec = KernelSpec { kind: if kind == 0 { KernelKind::SquaredExponential } else { KernelKind::Matern52 }, ard };
        let p = spec.n_lengthscales(d);
        let mut theta = vec![(0.3f64).ln(); p];
        theta.push(0.0);
        theta.push((1e-10f64).ln());
        let gp = Gp::with_hyperparameters(&xs, &ys, &lower, &upper, spec, &theta, false).unwrap();
        let scale = 1.0 + ys.iter().map(|v| v.abs()).fold(0.0, f64::max);
        for (x, y) in xs.iter().zip(&ys) {
            let (mu, var) = gp.predict(x);
            prop_assert!((mu - y).abs() < 1e-4 * scale, "mu {} y {}", mu, y);
            prop_assert!(var < 1e-4 * scale * scale, "var {}", var);
        }
        // Fitting never ends worse than its start. On sparse data the likelihood may really prefer
        // a noisy explanation (seed 868, d 3, n 11: ln sn2 = -1.25 beats every noiseless fit), so
        // interpolation is asserted only when the learned noise is small.
        let cfg = GpConfig { kernel: spec, n_random_starts: 1, max_iter: 30, ..Default::default() };
        let start = Gp::with_hyperparameters(&xs, &ys, &lower, &upper, spec, &cfg.default_theta(d), false).unwrap();
        let gp = Gp::fit(&xs, &ys, &lower, &upper, &cfg, None, seed).unwrap();
        prop_assert!(gp.neg_log_likelihood() <= start.neg_log_likelihood() + 1e-9);
        if *gp.theta().last().unwrap() < (1e-4f64).ln() {
            for (x, y) in xs.iter().zip(&ys) {
                let (mu, _) = gp.predict(x);
                prop_assert!((mu - y).abs() < 0.05 * scale, "fitted mu {} y {}", mu, y);
            }
        }
    }

    #[test]
    fn gp_extension_equals_full_construction_bitwise(
        seed in 0u64..1000, d in 1usize..4, n in 4usize..14, cut in 0usize..14, kind in 0usize..2,
        ard in any::<bool>(), noise in -20.0f64..-2.0,
    ) {
        // Growing a GP by new points (rank-1 extensions of its factor) gives bitwise the model
        // built from scratch on all the data with the same hyperparameters, also when the noise is
        // so small that the factorization needs jitter, and when old outputs change.
        let cut = cut.min(n - 1).max(1);
        let mut rng = insitu_optimizer::rng::stream(seed, 97, 0);
        let mut xs = insitu_optimizer::doe::uniform(n, d, &mut rng);
        if seed % 3 == 0 {
            xs[n - 1] = xs[0].clone(); // a repeated point: singular without noise or jitter
        }
        let ys: Vec<f64> = xs.iter().map(|x| x.iter().map(|v| (4.0 * v).sin()).sum()).collect();
        let spec = KernelSpec { kind: if kind == 0 { KernelKind::SquaredExponential } else { KernelKind::Matern52 }, ard };
        let mut theta = vec![(0.4f64).ln(); spec.n_lengthscales(d)];
        theta.push(0.3);
        theta.push(noise);
        let lo = vec![0.0; d];
        let hi = vec![1.0; d];
        let small = Gp::with_hyperparameters(&xs[..cut], &ys[..cut], &lo, &hi, spec, &theta, false).unwrap();
        let mut ys2 = ys.clone();
        ys2[0] += 0.5; // outputs of old points may change (imputed failures)
        let grown = small.extended(&xs, &ys2).unwrap();
        let full = Gp::with_hyperparameters(&xs, &ys2, &lo, &hi, spec, &theta, false).unwrap();
        prop_assert_eq!(grown.jitter().to_bits(), full.jitter().to_bits());
        prop_assert_eq!(grown.neg_log_likelihood().to_bits(), full.neg_log_likelihood().to_bits());
        let probes = insitu_optimizer::doe::uniform(7, d, &mut rng);
        let (ma, va) = grown.predict_unit_batch(&probes);
        let (mb, vb) = full.predict_unit_batch(&probes);
        for i in 0..probes.len() {
            prop_assert_eq!(ma[i].to_bits(), mb[i].to_bits());
            prop_assert_eq!(va[i].to_bits(), vb[i].to_bits());
        }
        // Data that do not extend the old inputs fall back to the full construction.
        let other = small.extended(&xs[1..], &ys[1..]).unwrap();
        let direct = Gp::with_hyperparameters(&xs[1..], &ys[1..], &lo, &hi, spec, &theta, false).unwrap();
        prop_assert_eq!(other.predict(&xs[0]).0.to_bits(), direct.predict(&xs[0]).0.to_bits());
    }

    #[test]
    fn gp_gradients_match_finite_differences(
        seed in 0u64..1000, d in 1usize..4, n in 3usize..10, kind in 0usize..2, ard in any::<bool>(),
        noise in -12.0f64..-2.0, ls in -1.5f64..0.5, include_noise in any::<bool>(),
    ) {
        let mut rng = insitu_optimizer::rng::stream(seed, 98, 0);
        let us = insitu_optimizer::doe::uniform(n + 1, d, &mut rng);
        let lower = vec![0.0; d];
        let upper: Vec<f64> = (0..d).map(|i| 1.0 + i as f64).collect();
        let xs: Vec<Vec<f64>> = us[..n].iter().map(|u| u.iter().zip(&upper).map(|(a, b)| a * b).collect()).collect();
        let ys: Vec<f64> = xs.iter().map(|x| x.iter().map(|v| (2.0 * v).cos()).sum::<f64>() + x[0] * x[0]).collect();
        let spec = KernelSpec { kind: if kind == 0 { KernelKind::SquaredExponential } else { KernelKind::Matern52 }, ard };
        let p = spec.n_lengthscales(d);
        let mut theta: Vec<f64> = (0..p).map(|i| ls + 0.2 * i as f64).collect();
        theta.push(0.3);
        theta.push(noise);
        // Log marginal likelihood gradient.
        let x_unit: Vec<f64> = xs.iter().flat_map(|x| x.iter().zip(&upper).map(|(a, b)| a / b).collect::<Vec<_>>()).collect();
        let mut g = vec![0.0; theta.len()];
        let f0 = neg_log_marginal_likelihood(&spec, &x_unit, n, d, &ys, &theta, Some(&mut g)).unwrap();
        prop_assert!(f0.is_finite());
        for j in 0..theta.len() {
            let h = 1e-5;
            let mut tp = theta.clone();
            tp[j] += h;
            let mut tm = theta.clone();
            tm[j] -= h;
            let fp = neg_log_marginal_likelihood(&spec, &x_unit, n, d, &ys, &tp, None).unwrap();
            let fm = neg_log_marginal_likelihood(&spec, &x_unit, n, d, &ys, &tm, None).unwrap();
            let fd = (fp - fm) / (2.0 * h);
            prop_assert!((fd - g[j]).abs() < 1e-4 * (1.0 + fd.abs().max(g[j].abs())), "theta[{}]: fd {} analytic {}", j, fd, g[j]);
        }
        // Predictive mean and variance gradients at a fresh point.
        let gp = Gp::with_hyperparameters(&xs, &ys, &lower, &upper, spec, &theta, include_noise).unwrap();
        let x0: Vec<f64> = us[n].iter().zip(&upper).map(|(a, b)| 0.05 + 0.9 * a * b).collect();
        let pr = gp.predict_with_gradient(&x0);
        let (m0, v0) = gp.predict(&x0);
        prop_assert!((pr.mean - m0).abs() < 1e-9 * (1.0 + m0.abs()) && (pr.variance - v0).abs() < 1e-9 * (1.0 + v0));
        for q in 0..d {
            let h = 1e-6 * upper[q];
            let mut xp = x0.clone();
            xp[q] += h;
            let mut xm = x0.clone();
            xm[q] -= h;
            let (mp, vp) = gp.predict(&xp);
            let (mm, vm) = gp.predict(&xm);
            let fdm = (mp - mm) / (2.0 * h);
            let fdv = (vp - vm) / (2.0 * h);
            prop_assert!((fdm - pr.dmean[q]).abs() < 1e-4 * (1.0 + fdm.abs()), "dmean[{}]: fd {} analytic {}", q, fdm, pr.dmean[q]);
            prop_assert!((fdv - pr.dvariance[q]).abs() < 1e-4 * (1.0 + fdv.abs()), "dvar[{}]: fd {} analytic {}", q, fdv, pr.dvariance[q]);
        }
    }
}

#[test]
fn resume_from_saved_record_matches_uninterrupted_run() {
    let p = tf1();
    let full = Trace::new(small_cfg(5, 9, 7, 1)).run(&p);
    let part = Trace::new(small_cfg(5, 6, 7, 1)).run(&p);
    let saved = RunRecord::from_json(&part.to_json()).unwrap();
    let resumed = Trace::new(small_cfg(5, 9, 7, 1)).resume(&p, saved);
    assert!(full.same_trajectory(&resumed));
}

#[test]
fn trace_finds_tf1_optimum_region_with_small_budget() {
    let p = tf1();
    let mut cfg = BoConfig::new(10, 30, 1);
    cfg.mopso.iterations = 40;
    let rec = Trace::new(cfg).run(&p);
    let best = rec.best_objective().unwrap();
    assert!(best < -1.9, "best {best}");
    assert_eq!(rec.steps.last().unwrap().incumbent_objective, Some(best));
    assert!(rec.violation_fraction() <= 1.0);
}

#[test]
fn authors_formulas_isotropic_and_matern_switches_run() {
    use insitu_optimizer::{AcquisitionFormulas, ArchivePick, Level1Form};
    let p = insitu_optimizer::testfns::tf2();
    let mut cfg = small_cfg(6, 12, 3, 2).with_formulas(AcquisitionFormulas::Authors).with_ard(false);
    cfg.level1 = Level1Form::Paper;
    cfg.pick = ArchivePick::Uniform;
    cfg.gp.kernel.kind = KernelKind::Matern52;
    let rec = Trace::new(cfg).run(&p);
    assert_eq!(rec.evaluations.len(), 12);
    assert!(rec.steps.iter().skip(1).all(|s| s.hyperparameters.len() == 4 && s.hyperparameters[0].len() == 3));
    // Batches of two: steps after the initial design add two points each.
    assert!(rec.steps.windows(2).skip(1).all(|w| w[1].evaluations - w[0].evaluations == 2));
}

#[test]
fn configs_saved_before_the_new_fields_still_load() {
    // JSON written by the previous version has no hyper_refit_period / probe fields: they take
    // their defaults, so saved sizing histories keep loading.
    let mut v = serde_json::to_value(BoConfig::default()).unwrap();
    v.as_object_mut().unwrap().remove("hyper_refit_period");
    v["gp"].as_object_mut().unwrap().remove("probe_iter");
    v["gp"].as_object_mut().unwrap().remove("probe_margin_per_point");
    let c: BoConfig = serde_json::from_value(v).unwrap();
    assert_eq!(c.hyper_refit_period, BoConfig::default().hyper_refit_period);
    assert_eq!(c.gp.probe_iter, GpConfig::default().probe_iter);
    let r = BoConfig::default().with_reference_fits();
    assert_eq!((r.hyper_refit_period, r.gp.probe_iter), (1, 0));
}

//! BagNet: exact antisymmetry and gradients of the discriminator, determinism under rayon, and
//! the agent (with and without the filter) on a synthetic multi-spec grid problem with a known
//! answer.

use insitu_optimizer::bagnet::synthetic::{HardSynthetic, Synthetic};
use insitu_optimizer::bagnet::{run_bagnet, spec_penalty, BagNetConfig, Discriminator, Filter, GridProblem, NnConfig};
use insitu_optimizer::rng::stream;
use rand::Rng;

fn random_design<R: Rng>(d: usize, rng: &mut R) -> Vec<f64> {
    (0..d).map(|_| rng.random_range(0..60) as f64).collect()
}

#[test]
fn p_a_better_than_b_plus_p_b_better_than_a_is_exactly_one() {
    for (seed, d, specs, hidden) in [(1u64, 7usize, 8usize, 20usize), (2, 3, 2, 6), (3, 11, 4, 20)] {
        let cfg = NnConfig { hidden, ..Default::default() };
        let mut net = Discriminator::new(d, specs, &cfg, seed);
        let mut rng = stream(seed, 7, 0);
        let designs: Vec<Vec<f64>> = (0..30).map(|_| random_design(d, &mut rng)).collect();
        net.set_normalization(&designs);
        // Also after some training (weights no longer at their initial values).
        for round in 0..2 {
            for _ in 0..200 {
                let (a, b) = (random_design(d, &mut rng), random_design(d, &mut rng));
                let masks = net.draw_masks(&mut rng); // the same dropout sample for both orders
                let pab = net.prob_better_with(&a, &b, &masks);
                let pba = net.prob_better_with(&b, &a, &masks);
                for s in 0..specs {
                    assert_eq!(pab[s] + pba[s], 1.0, "seed {seed} spec {s}: {} + {}", pab[s], pba[s]);
                    assert!((0.0..=1.0).contains(&pab[s]));
                }
                let same = net.prob_better_with(&a, &a, &masks);
                assert!(same.iter().all(|p| *p == 0.5));
            }
            if round == 0 {
                let batch: Vec<(&[f64], &[f64], Vec<f64>)> = designs
                    .windows(2)
                    .map(|w| {
                        (
                            w[0].as_slice(),
                            w[1].as_slice(),
                            (0..specs).map(|s| ((w[0][s % d] > w[1][s % d]) as u8) as f64).collect(),
                        )
                    })
                    .collect();
                for _ in 0..20 {
                    net.adam_step(&batch, &cfg, &mut rng);
                }
            }
        }
    }
}

#[test]
fn loss_gradient_matches_finite_differences() {
    let cfg = NnConfig { hidden: 6, ..Default::default() };
    let (d, specs) = (4, 3);
    for seed in 0..4u64 {
        let mut net = Discriminator::new(d, specs, &cfg, seed);
        let mut rng = stream(seed, 8, 0);
        let designs: Vec<Vec<f64>> = (0..10).map(|_| random_design(d, &mut rng)).collect();
        net.set_normalization(&designs);
        let (a, b) = (&designs[0], &designs[1]);
        let labels = vec![1.0, 0.0, 1.0];
        // Gradients hold for a fixed dropout mask; test with dropout and without.
        for masks in [net.no_masks(), net.draw_masks(&mut rng)] {
            let theta = net.params().to_vec();
            let mut g = vec![0.0; theta.len()];
            net.pair_loss(&theta, a, b, &labels, &masks, Some(&mut g));
            let h = 1e-6;
            for i in 0..theta.len() {
                let mut tp = theta.clone();
                tp[i] += h;
                let mut tm = theta.clone();
                tm[i] -= h;
                let fd = (net.pair_loss(&tp, a, b, &labels, &masks, None)
                    - net.pair_loss(&tm, a, b, &labels, &masks, None))
                    / (2.0 * h);
                assert!(
                    (fd - g[i]).abs() < 1e-5 * (1.0 + fd.abs()),
                    "seed {seed} param {i}: fd {fd} analytic {}",
                    g[i]
                );
            }
        }
    }
}

#[test]
fn spec_penalties_follow_the_reference() {
    assert_eq!(spec_penalty(250.0, Some(300.0), None, 1.0), 50.0 / 300.0);
    assert_eq!(spec_penalty(350.0, Some(300.0), None, 1.0), 0.0);
    assert_eq!(spec_penalty(2e-3, None, Some(1e-3), 1.0), 1e-3 / 2e-3);
    assert_eq!(spec_penalty(0.5e-3, None, Some(1e-3), 2.0), 0.0);
    // With both bounds only max counts (the reference ignores min then).
    assert_eq!(spec_penalty(-5.0, Some(0.0), Some(1.0), 1.0), 0.0);
}

fn small(filter: Filter, seed: u64) -> BagNetConfig {
    BagNetConfig { n_init: 40, k: 40, ref_rank: 5, max_steps: 200, seed, filter, ..Default::default() }
}

#[test]
fn both_arms_meet_every_spec_and_the_filter_saves_simulations() {
    let nn = NnConfig { steps_per_round: 150, ..Default::default() };
    let mut sims = (0, 0);
    for seed in 0..2 {
        let plain = run_bagnet(&Synthetic, &small(Filter::None, seed));
        let bag = run_bagnet(&Synthetic, &small(Filter::Discriminator(nn.clone()), seed));
        for r in [&plain, &bag] {
            assert!(r.converged && r.sims_to_converge.is_some(), "seed {seed}: not converged in {} steps", r.steps);
            assert_eq!(r.best().unwrap().cost(), 0.0);
            assert!(r.designs.iter().any(|d| d.penalties.is_err()) || r.designs.iter().all(|d| d.idx[5] <= 57));
        }
        sims.0 += plain.sims_to_converge.unwrap();
        sims.1 += bag.sims_to_converge.unwrap();
        assert!(bag.n_queries >= bag.n_sims - 40);
    }
    assert!(sims.1 < sims.0, "BagNet {} simulations vs plain {}", sims.1, sims.0);
}

#[test]
fn same_seed_same_run_whatever_the_thread_count() {
    let nn = NnConfig { steps_per_round: 40, ..Default::default() };
    let cfg = BagNetConfig { max_steps: 6, ..small(Filter::Discriminator(nn), 9) };
    let pool1 = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let pool2 = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let a = pool1.install(|| run_bagnet(&Synthetic, &cfg));
    let b = pool2.install(|| run_bagnet(&Synthetic, &cfg));
    assert_eq!(a.designs, b.designs);
    assert_eq!(a.n_queries, b.n_queries);
    let c = run_bagnet(&Synthetic, &BagNetConfig { seed: 10, ..cfg });
    assert_ne!(a.designs, c.designs);
}

#[test]
fn oracle_filter_and_scoring() {
    let mut cfg = small(Filter::Oracle, 3);
    cfg.score_filter = true;
    cfg.max_steps = 10;
    let r = run_bagnet(&Synthetic, &cfg);
    let s = r.score.as_ref().unwrap();
    // The oracle filter agrees with the truth on every query.
    assert_eq!(s.accuracy(), 1.0);
    assert_eq!(r.oracle_sims, r.n_queries);
}

#[test]
fn the_paper_scale_problem_has_its_known_answer_and_thin_slabs() {
    let p = HardSynthetic::new(0.04);
    assert_eq!(p.grid(), &[99; 7]);
    assert_eq!(p.evaluate(&HardSynthetic::ANSWER), Ok(vec![0.0; 8]));
    // x0 + 10: f1 = 2 + (71 + 23 - 40) / 98 is above its upper bound 1.04 (2 + 44 / 98), and
    // f3 = 2 + (12 + 70 - 35 + 0.3 * 71) / 98 stays within 4 % of 2 + (47 + 0.3 * 61) / 98.
    let mut x = HardSynthetic::ANSWER;
    x[0] += 10;
    let pen = p.evaluate(&x).unwrap();
    let (f1, hi1) = (2.0 + 54.0 / 98.0, 1.04 * (2.0 + 44.0 / 98.0));
    assert!((pen[1] - (f1 - hi1) / f1).abs() < 1e-12, "{pen:?}");
    assert_eq!([pen[0], pen[2], pen[3], pen[4], pen[5], pen[6], pen[7]], [0.0; 7]);
    // Failed "simulations" where u0 + u4 > 1.6.
    assert!(p.evaluate(&[98, 0, 0, 0, 60, 0, 0]).is_err());
    assert!(p.evaluate(&[98, 0, 0, 0, 58, 0, 0]).is_ok());
    // Thin slabs: uniform samples meet every spec rarely (the feasible set is a small share of
    // the space, so a search must find it; the plain search needs thousands of simulations).
    let mut rng = stream(5, 1, 0);
    let feasible = (0..20_000)
        .filter(|_| {
            let x: Vec<usize> = (0..7).map(|_| rng.random_range(0..99)).collect();
            p.evaluate(&x).is_ok_and(|q| q.iter().all(|&v| v == 0.0))
        })
        .count();
    assert!(feasible < 20, "{feasible} of 20,000 uniform points feasible");
}

//! Micro-benchmark of GP fitting at n = 150, d = 11 (development aid).
use insitu_optimizer::gp::{neg_log_marginal_likelihood, Gp, GpConfig};
use insitu_optimizer::testfns::synthetic_11d;
use insitu_optimizer::Problem;
use std::time::Instant;

fn main() {
    let p = synthetic_11d();
    let mut rng = insitu_optimizer::rng::stream(0, 1, 0);
    let xs = insitu_optimizer::doe::lhs_centered_maximin(150, 11, 20, &mut rng);
    let ys: Vec<f64> = xs.iter().map(|x| p.evaluate(x).unwrap().constraints[3]).collect();
    let cfg = GpConfig::default();
    let lo = vec![0.0; 11];
    let hi = vec![1.0; 11];
    let x: Vec<f64> = xs.iter().flatten().copied().collect();
    let th = cfg.default_theta(11);
    // `gp_fit_bench batched|pointwise|setup`: only that prediction loop of 2000 points, 30 times
    // (for timing under `time` / `perf stat`; `setup` measures everything but the loop).
    if let Some(mode) = std::env::args().nth(1) {
        let gp = Gp::with_hyperparameters(&xs, &ys, &lo, &hi, cfg.kernel, &th, false).unwrap();
        let us: Vec<Vec<f64>> = insitu_optimizer::doe::uniform(2000, 11, &mut rng);
        let mut acc = 0.0;
        for _ in 0..30 {
            acc += match mode.as_str() {
                "batched" => gp.predict_unit_batch(&us).1.iter().sum::<f64>(),
                "pointwise" => us.iter().map(|u| gp.predict(u).1).sum::<f64>(),
                _ => 0.0,
            };
        }
        println!("{mode}: {acc}");
        return;
    }
    let mut g = vec![0.0; th.len()];
    let t = Instant::now();
    for _ in 0..50 {
        neg_log_marginal_likelihood(&cfg.kernel, &x, 150, 11, &ys, &th, Some(&mut g));
    }
    println!("lml+grad: {:.3} ms", t.elapsed().as_secs_f64() / 50.0 * 1e3);
    let t = Instant::now();
    for _ in 0..50 {
        neg_log_marginal_likelihood(&cfg.kernel, &x, 150, 11, &ys, &th, None);
    }
    println!("lml only: {:.3} ms", t.elapsed().as_secs_f64() / 50.0 * 1e3);
    let t = Instant::now();
    let gp = Gp::fit(&xs, &ys, &lo, &hi, &cfg, None, 1).unwrap();
    println!("cold fit: {:.3} s nll {}", t.elapsed().as_secs_f64(), gp.neg_log_likelihood());
    let mut xs2 = xs.clone();
    xs2.push(vec![0.5; 11]);
    let mut ys2 = ys.clone();
    ys2.push(p.evaluate(&[0.5; 11]).unwrap().constraints[3]);
    let mut c0 = cfg.clone();
    c0.n_random_starts = 0;
    let t = Instant::now();
    let gp2 = Gp::fit(&xs2, &ys2, &lo, &hi, &c0, Some(gp.theta()), 1).unwrap();
    println!("warm fit: {:.3} s nll {}", t.elapsed().as_secs_f64(), gp2.neg_log_likelihood());
    let us: Vec<Vec<f64>> = insitu_optimizer::doe::uniform(2000, 11, &mut rng);

    let mut best = (f64::INFINITY, f64::INFINITY);
    for _ in 0..30 {
        let t = Instant::now();
        let (m, _) = gp2.predict_unit_batch(&us);
        best.0 = best.0.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let m2: Vec<f64> = us.iter().map(|u| gp2.predict(u).0).collect();
        best.1 = best.1.min(t.elapsed().as_secs_f64());
        assert_eq!(m[0], m2[0]);
    }
    println!("2000 predictions (min of 30): batched {:.4} s, point by point {:.4} s", best.0, best.1);
}

//! BagNet against the plain evolutionary search (same operators, same seeds) on a synthetic
//! multi-spec grid problem with a known answer.
//!
//! `cargo run --release -p insitu-optimizer --example bagnet_synthetic [-- --seeds N]`
//!
//! Six parameters on grids of 60 values, four specs (two lower bounds, two upper bounds, one
//! product, one coupled), failures on part of the space; every spec is met e.g. at
//! (50, 50, 5, 40, 40, 30). A run converges when the top `ref_rank` designs meet every spec.
//! Prints simulations to convergence, wall-clock, training time, queries and the filter's
//! agreement with the truth on its queries (each queried design is also evaluated for scoring;
//! those evaluations are not counted as simulations).

use insitu_optimizer::bagnet::synthetic::Synthetic;
use insitu_optimizer::bagnet::{run_bagnet, BagNetConfig, BagNetRun, Filter, NnConfig};
use std::time::Instant;

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    let k = s.len() / 2;
    if s.len() % 2 == 1 {
        s[k]
    } else {
        0.5 * (s[k - 1] + s[k])
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u64 = args
        .iter()
        .position(|a| a == "--seeds")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let base =
        BagNetConfig { n_init: 40, k: 40, ref_rank: 5, max_steps: 400, score_filter: true, ..Default::default() };
    let arms: [(&str, Filter); 2] =
        [("plain EA", Filter::None), ("BagNet", Filter::Discriminator(NnConfig::default()))];
    println!("| arm | runs converged | median sims to converge | mean sims | median wall s | median train s | median NN queries | final cost (mean) | filter accuracy | accepted truly better |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut medians = Vec::new();
    for (name, filter) in arms {
        let mut runs: Vec<(BagNetRun, f64)> = Vec::new();
        for seed in 0..seeds {
            let t = Instant::now();
            let r = run_bagnet(&Synthetic, &BagNetConfig { seed, filter: filter.clone(), ..base.clone() });
            runs.push((r, t.elapsed().as_secs_f64()));
        }
        let sims: Vec<f64> = runs.iter().filter_map(|(r, _)| r.sims_to_converge.map(|s| s as f64)).collect();
        let conv = runs.iter().filter(|(r, _)| r.sims_to_converge.is_some()).count();
        let wall: Vec<f64> = runs.iter().map(|(_, w)| *w).collect();
        let train: Vec<f64> = runs.iter().map(|(r, _)| r.train_seconds).collect();
        let queries: Vec<f64> = runs.iter().map(|(r, _)| r.n_queries as f64).collect();
        let cost =
            runs.iter().map(|(r, _)| r.best().map_or(f64::INFINITY, |b| b.cost())).sum::<f64>() / runs.len() as f64;
        let (mut acc, mut prec) = (Vec::new(), Vec::new());
        for (r, _) in &runs {
            if let Some(s) = &r.score {
                if s.queries > 0 {
                    acc.push(s.accuracy());
                    prec.push(s.precision());
                }
            }
        }
        let fmt = |v: &[f64]| {
            if v.is_empty() {
                "n/a".to_string()
            } else {
                format!("{:.2}", v.iter().sum::<f64>() / v.len() as f64)
            }
        };
        println!(
            "| {name} | {conv}/{seeds} | {:.0} | {:.0} | {:.3} | {:.3} | {:.0} | {:.4} | {} | {} |",
            median(&sims),
            sims.iter().sum::<f64>() / sims.len().max(1) as f64,
            median(&wall),
            median(&train),
            median(&queries),
            cost,
            fmt(&acc),
            fmt(&prec)
        );
        medians.push((median(&sims), median(&wall)));
    }
    println!(
        "RESULT {{\"synthetic_sim_ratio\":{:.3},\"synthetic_wallclock_ratio\":{:.3}}}",
        medians[0].0 / medians[1].0,
        medians[0].1 / medians[1].1
    );
}

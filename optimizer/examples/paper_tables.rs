//! Reproduces the TRACE paper's test-function tables.
//!
//! `cargo run --release -p insitu-optimizer --example paper_tables [-- --seeds N] [--only TF1,TF2,Branin] [--algs TRACE,MACE,..] [--no-timing]`
//!
//! Every algorithm (random, PSO, PIPF, EIPF, MACE, TRACE) runs on TF1, Sasena TF2 and the
//! constrained Branin with the paper's budgets and initial sizes, for N seeds (default 10).
//! Values are the best feasible value found, in the paper's sense (TF1 minimized, TF2 and
//! Branin maximized); CV % is the share of proposals (initial design excluded) that violated
//! a constraint. Then the time per TRACE iteration at 11 dimensions, 4 constraints and 150
//! evaluations is measured on `testfns::synthetic_11d`.

use insitu_optimizer::baselines::{eipf, mace, pipf, pso, random_search, PsoConfig};
use insitu_optimizer::de::{differential_evolution, DeConfig};
use insitu_optimizer::testfns::{branin_constrained, synthetic_11d, tf1, tf2, TestProblem};
use insitu_optimizer::{BoConfig, RunRecord, Trace};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::time::Instant;

const ALGS: [&str; 6] = ["Random", "PSO", "PIPF", "EIPF", "MACE", "TRACE"];
/// Extra rows on request (`--algs`): TRACE with its hyperparameters refitted at every step,
/// and differential evolution (`de`, defaults) at the same budgets.
const EXTRA: [&str; 2] = ["TRACE-ref", "DE"];

fn run(alg: &str, p: &TestProblem, seed: u64) -> RunRecord {
    let cfg = BoConfig::new(p.n_init, p.budget, seed);
    match alg {
        "Random" => random_search(p, p.budget, seed),
        "PSO" => pso(p, &PsoConfig { budget: p.budget, seed, ..Default::default() }),
        "PIPF" => pipf(p, &cfg),
        "EIPF" => eipf(p, &cfg),
        "MACE" => mace(p, &cfg),
        "TRACE" => Trace::new(cfg).run(p),
        "TRACE-ref" => Trace::new(cfg.with_reference_fits()).run(p),
        "DE" => differential_evolution(p, &DeConfig { budget: p.budget, seed, ..Default::default() }),
        _ => unreachable!(),
    }
}

struct Stats {
    best: f64,
    worst: f64,
    mean: f64,
    std: f64,
    cv: f64,
    feasible_runs: usize,
    runs: usize,
}

fn stats(p: &TestProblem, recs: &[RunRecord]) -> Stats {
    let maximize = p.report_sign < 0.0;
    let vals: Vec<f64> = recs.iter().filter_map(|r| r.best_objective()).map(|v| v * p.report_sign).collect();
    let n = vals.len();
    let mean = if n > 0 { vals.iter().sum::<f64>() / n as f64 } else { f64::NAN };
    let std = if n > 1 { (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt() } else { 0.0 };
    let (mut best, mut worst) = (f64::NAN, f64::NAN);
    for &v in &vals {
        let better = |a: f64, b: f64| if maximize { a > b } else { a < b };
        if best.is_nan() || better(v, best) {
            best = v;
        }
        if worst.is_nan() || better(worst, v) {
            worst = v;
        }
    }
    let cv = 100.0 * recs.iter().map(|r| r.violation_fraction()).sum::<f64>() / recs.len().max(1) as f64;
    Stats { best, worst, mean, std, cv, feasible_runs: n, runs: recs.len() }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut seeds = 10u64;
    let mut only: Option<Vec<String>> = None;
    let mut timing = true;
    let mut algs: Vec<&str> = ALGS.to_vec();
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--seeds" => {
                seeds = args.get(i + 1).and_then(|s| s.parse().ok()).expect("--seeds N");
                i += 1;
            }
            "--only" => {
                only = args.get(i + 1).map(|s| s.split(',').map(|t| t.to_string()).collect());
                i += 1;
            }
            "--algs" => {
                let want: Vec<String> =
                    args.get(i + 1).expect("--algs A,B").split(',').map(|t| t.to_lowercase()).collect();
                algs = ALGS
                    .iter()
                    .chain(&EXTRA)
                    .copied()
                    .filter(|a| want.iter().any(|w| *w == a.to_lowercase()))
                    .collect();
                i += 1;
            }
            "--no-timing" => timing = false,
            other => panic!("unknown argument {other}"),
        }
        i += 1;
    }
    let problems: Vec<TestProblem> = vec![tf1(), tf2(), branin_constrained()]
        .into_iter()
        .filter(|p| only.as_ref().is_none_or(|o| o.iter().any(|n| n.eq_ignore_ascii_case(p.name))))
        .collect();
    let mut result = BTreeMap::new();
    result.insert("seeds".to_string(), serde_json::json!(seeds));
    for p in &problems {
        let t0 = Instant::now();
        let jobs: Vec<(&str, u64)> = algs.iter().flat_map(|a| (0..seeds).map(move |s| (*a, s))).collect();
        let recs: Vec<(&str, RunRecord)> = jobs.par_iter().map(|(a, s)| (*a, run(a, p, *s))).collect();
        let wall = t0.elapsed().as_secs_f64();
        let sense = if p.report_sign < 0.0 { "maximize" } else { "minimize" };
        println!();
        println!(
            "{} ({sense}; budget {}, {} initial, {} seeds, best known {}; {:.1} s wall for the table)",
            p.name, p.budget, p.n_init, seeds, p.optimum, wall
        );
        println!("| algorithm | best | worst | mean | std | CV % | feasible runs |");
        println!("|---|---|---|---|---|---|---|");
        for &a in &algs {
            let rs: Vec<RunRecord> = recs.iter().filter(|(n, _)| *n == a).map(|(_, r)| r.clone()).collect();
            let s = stats(p, &rs);
            let fmt = |v: f64| if v.is_nan() { "n/a".to_string() } else { format!("{v:.4}") };
            println!(
                "| {a} | {} | {} | {} | {} | {:.0} | {}/{} |",
                fmt(s.best),
                fmt(s.worst),
                fmt(s.mean),
                fmt(s.std),
                s.cv,
                s.feasible_runs,
                s.runs
            );
            let key = format!("{}_{}", p.name.to_lowercase(), a.to_lowercase());
            let num = |v: f64| if v.is_finite() { serde_json::json!(v) } else { serde_json::Value::Null };
            result.insert(format!("{key}_mean"), num(s.mean));
            result.insert(format!("{key}_best"), num(s.best));
            result.insert(format!("{key}_worst"), num(s.worst));
            result.insert(format!("{key}_std"), num(s.std));
            result.insert(format!("{key}_cv"), num(s.cv));
        }
    }
    if timing {
        // 150 LHS evaluations, then 11 TRACE iterations: the first fits the 5 GPs from cold
        // (default + random starts); iterations 2..=11 are the steady state of a run (warm-started
        // fits, with the periodic random restarts at iteration 11) and give the reported time.
        let p = synthetic_11d();
        let n_steps = 11;
        let cfg = BoConfig::new(150, 150 + n_steps, 0);
        let t0 = Instant::now();
        let rec = Trace::new(cfg).run(&p);
        let total = t0.elapsed().as_secs_f64();
        let steps: Vec<_> = rec.steps.iter().filter(|s| s.step > 0).collect();
        let cold = steps[0].fit_seconds + steps[0].proposal_seconds;
        let warm: Vec<_> = steps[1..].to_vec();
        let per: f64 = warm.iter().map(|s| s.fit_seconds + s.proposal_seconds).sum::<f64>() / warm.len() as f64;
        let fit: f64 = warm.iter().map(|s| s.fit_seconds).sum::<f64>() / warm.len() as f64;
        let mut each: Vec<f64> = warm.iter().map(|s| s.fit_seconds + s.proposal_seconds).collect();
        each.sort_by(f64::total_cmp);
        let median = each[each.len() / 2];
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!();
        println!(
            "TRACE iteration at 11-D, 4 constraints, 150-160 evaluations ({}): {:.3} s per iteration \
             (mean of iterations 2-11; median {:.3} s; GP fits {:.3} s, MOPSO + pick {:.3} s); \
             first iteration (cold GP fits) {:.3} s; {} rayon threads; load average {}",
            p.name,
            per,
            median,
            fit,
            per - fit,
            cold,
            rayon::current_num_threads(),
            load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
        );
        println!("(whole timing run incl. 150 evaluations: {total:.2} s)");
        result.insert("trace_iteration_seconds_11d".to_string(), serde_json::json!(per));
        result.insert("trace_iteration_fit_seconds_11d".to_string(), serde_json::json!(fit));
        result.insert("trace_iteration_median_seconds_11d".to_string(), serde_json::json!(median));
        result.insert("trace_first_iteration_seconds_11d".to_string(), serde_json::json!(cold));
    }
    println!("RESULT {}", serde_json::to_string(&result).expect("json"));
}

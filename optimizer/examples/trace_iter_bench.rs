//! Time per TRACE iteration at 11 dimensions, 4 constraints and 150-170 evaluations.
//!
//! `cargo run --release -p insitu-optimizer --example trace_iter_bench [-- --seeds N] [--steps S] [--only default|reference]`
//!
//! For each seed: 150 Latin-hypercube evaluations of `testfns::synthetic_11d`, then S TRACE
//! iterations (default 20). Iteration 1 fits the five GPs from cold; iterations 2..=S are the
//! steady state of a run (warm-started or incrementally updated fits, with the periodic full
//! refits) and give the reported numbers: median and mean over all seeds and iterations, with the
//! split between GP fits and the acquisition search (MOPSO + pick). The same program runs the
//! default configuration and the reference one (`BoConfig::with_reference_fits`: hyperparameters
//! refitted at every iteration with every random start run in full, the fitting schedule before
//! the incremental updates; its proposals are bitwise those of that version), interleaved seed by
//! seed so both see the same machine load. The machine is shared: the CPU seconds per iteration
//! (all threads) are the steadier measure of the work done.

use insitu_optimizer::testfns::synthetic_11d;
use insitu_optimizer::{BoConfig, RunRecord, Trace};
use std::time::Instant;

/// A configuration per seed.
type MakeConfig = Box<dyn Fn(u64) -> BoConfig>;

struct Times {
    total: Vec<f64>,
    fit: Vec<f64>,
    prop: Vec<f64>,
    cold: Vec<f64>,
    best: Vec<f64>,
    /// CPU seconds (all threads) per iteration, iterations 1..=S of each run.
    cpu: Vec<f64>,
}

/// CPU time consumed so far by all threads of this process (Linux `schedstat`), in seconds.
fn cpu_seconds() -> f64 {
    let mut ns = 0u64;
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for t in dir.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) {
                ns += s.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            }
        }
    }
    ns as f64 * 1e-9
}

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

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn record(t: &mut Times, rec: &RunRecord) {
    let steps: Vec<_> = rec.steps.iter().filter(|s| s.step > 0).collect();
    t.cold.push(steps[0].fit_seconds + steps[0].proposal_seconds);
    for s in &steps[1..] {
        t.total.push(s.fit_seconds + s.proposal_seconds);
        t.fit.push(s.fit_seconds);
        t.prop.push(s.proposal_seconds);
    }
    t.best.push(rec.best_objective().unwrap_or(f64::NAN));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut seeds = 3u64;
    let mut steps = 20usize;
    let mut only: Option<String> = None;
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--seeds" => {
                seeds = args.get(i + 1).and_then(|s| s.parse().ok()).expect("--seeds N");
                i += 1;
            }
            "--steps" => {
                steps = args.get(i + 1).and_then(|s| s.parse().ok()).expect("--steps S");
                i += 1;
            }
            "--only" => {
                only = args.get(i + 1).cloned();
                i += 1;
            }
            other => panic!("unknown argument {other}"),
        }
        i += 1;
    }
    let p = synthetic_11d();
    let mut configs: Vec<(&str, MakeConfig)> = vec![
        ("default", Box::new(move |s| BoConfig::new(150, 150 + steps, s))),
        (
            "reference (refit every iteration)",
            Box::new(move |s| BoConfig::new(150, 150 + steps, s).with_reference_fits()),
        ),
    ];
    if let Some(o) = &only {
        configs.retain(|(name, _)| name.starts_with(o.as_str()));
    }
    let mut times: Vec<Times> = configs
        .iter()
        .map(|_| Times { total: vec![], fit: vec![], prop: vec![], cold: vec![], best: vec![], cpu: vec![] })
        .collect();
    let t0 = Instant::now();
    for seed in 0..seeds {
        for (k, (_, cfg)) in configs.iter().enumerate() {
            let c0 = cpu_seconds();
            let rec = Trace::new(cfg(seed)).run(&p);
            times[k].cpu.push((cpu_seconds() - c0) / steps as f64);
            if std::env::var_os("TRACE_BENCH_STEPS").is_some() {
                let per: Vec<String> = rec
                    .steps
                    .iter()
                    .skip(1)
                    .map(|s| format!("{}:{:.3}+{:.3}", s.step, s.fit_seconds, s.proposal_seconds))
                    .collect();
                eprintln!("seed {seed} config {k}: {}", per.join(" "));
            }
            record(&mut times[k], &rec);
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "TRACE iteration, {} (11-D, 4 constraints), 150 initial + {steps} iterations, {seeds} seeds, {} rayon threads, load average {}",
        p.name,
        rayon::current_num_threads(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("| configuration | median s/iter | mean s/iter | median fit s | median search s | first (cold) iteration s | CPU s/iter (all threads, iterations 1..=S) | mean best f |");
    println!("|---|---|---|---|---|---|---|---|");
    for ((name, _), t) in configs.iter().zip(&times) {
        println!(
            "| {name} | {:.4} | {:.4} | {:.4} | {:.4} | {:.3} | {:.4} | {:.4} |",
            median(&t.total),
            mean(&t.total),
            median(&t.fit),
            median(&t.prop),
            median(&t.cold),
            mean(&t.cpu),
            mean(&t.best)
        );
    }
    if times.len() < 2 {
        return;
    }
    let speedup = median(&times[1].total) / median(&times[0].total);
    println!(
        "speed-up of the default over the reference (medians): {speedup:.2}x; whole run {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    println!(
        "RESULT {{\"trace_iteration_seconds_11d\":{:.5},\"trace_iteration_mean_seconds_11d\":{:.5},\"reference_iteration_seconds_11d\":{:.5},\"speedup\":{:.3},\"cpu_seconds_per_iteration\":{:.5},\"reference_cpu_seconds_per_iteration\":{:.5}}}",
        median(&times[0].total),
        mean(&times[0].total),
        median(&times[1].total),
        speedup,
        mean(&times[0].cpu),
        mean(&times[1].cpu)
    );
}

//! Macro placement benchmark: BO and SA at ~830 evaluations and SA at 40,000 moves on the five
//! MCNC benchmarks, several seeds each, beside the paper's Table 1.
//!
//! `cargo run --release --example placement_bench -- --seeds 5 [--benches apte,hp] [--budget 830]
//! [--sa-moves 40000] [--algos bo,sa,sa40k]
//! [--radius R --max-radius M --centres C --pool P --floor-rounds F]` (BO settings, defaults from `BoConfig`). After each bench a `PARTIAL {json}` line; the last line is `RESULT {json}` with `bo_mean_B`, `sa_mean_B` and
//! `sa40k_mean_B` (and standard errors `*_se_B`) for each bench B.

use insitu_placement::bench::{load, BENCHES, PAPER_TABLE1};
use insitu_placement::bo::{optimize, BoConfig};
use insitu_placement::sa::{anneal, SaConfig, SaObjective};
use rayon::prelude::*;
use std::time::Instant;

fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (m, f64::NAN);
    }
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |k: &str| args.iter().position(|a| a == k).and_then(|i| args.get(i + 1)).cloned();
    let seeds: u64 = get("--seeds").map_or(5, |s| s.parse().expect("--seeds N"));
    let budget: usize = get("--budget").map_or(830, |s| s.parse().expect("--budget N"));
    let sa_moves: usize = get("--sa-moves").map_or(40_000, |s| s.parse().expect("--sa-moves N"));
    let benches: Vec<String> = get("--benches")
        .map_or(BENCHES.iter().map(|s| s.to_string()).collect(), |s| s.split(',').map(str::to_string).collect());
    let algos: Vec<String> = get("--algos")
        .map_or(vec!["bo".into(), "sa".into(), "sa40k".into()], |s| s.split(',').map(str::to_string).collect());
    // BO settings (defaults: `BoConfig::default()`), for tuning runs.
    let mut bo_cfg = BoConfig { budget, ..BoConfig::default() };
    for (k, field) in [
        ("--radius", &mut bo_cfg.radius),
        ("--max-radius", &mut bo_cfg.max_radius),
        ("--centres", &mut bo_cfg.centres),
        ("--pool", &mut bo_cfg.pool),
        ("--floor-rounds", &mut bo_cfg.floor_rounds),
    ] {
        if let Some(v) = get(k) {
            *field = v.parse().unwrap_or_else(|_| panic!("{k} N"));
        }
    }
    let quiet = |_: usize, _: usize, _: f64| {};
    let mut json = serde_json::Map::new();
    let mut rows = Vec::new();
    for b in &benches {
        let design = match load(b) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("skipping {b}: {e}");
                continue;
            }
        };
        let t = Instant::now();
        // Seeds run in parallel (each run is deterministic whatever the thread count).
        let bo: Vec<f64> = if !algos.iter().any(|a| a == "bo") {
            vec![f64::NAN]
        } else {
            (1..=seeds)
                .into_par_iter()
                .map(|s| {
                    let t = Instant::now();
                    let r = optimize(&design, &bo_cfg, s, &quiet);
                    println!(
                        "{b} seed {s}: BO {:.0} ({} evals, {:.0} s)",
                        r.placement.hpwl,
                        r.evals,
                        t.elapsed().as_secs_f64()
                    );
                    r.placement.hpwl
                })
                .collect()
        };
        println!("{b}: BO({budget}) {bo:.0?}  [{:.0} s]", t.elapsed().as_secs_f64());
        let sa: Vec<f64> = if !algos.iter().any(|a| a == "sa") {
            vec![f64::NAN]
        } else {
            (1..=seeds)
                .into_par_iter()
                .map(|s| anneal(&design, &SaConfig { evals: budget, ..SaConfig::default() }, s, &quiet).placement.hpwl)
                .collect()
        };
        println!("{b}: SA({budget}) {sa:.0?}");
        let sa40k: Vec<f64> = if !algos.iter().any(|a| a == "sa40k") {
            vec![f64::NAN]
        } else {
            (1..=seeds)
                .into_par_iter()
                .map(|s| {
                    anneal(
                        &design,
                        &SaConfig { evals: sa_moves, objective: SaObjective::Packed, ..SaConfig::default() },
                        s,
                        &quiet,
                    )
                    .placement
                    .hpwl
                })
                .collect()
        };
        println!("{b}: SA({sa_moves}, packed) {sa40k:.0?}  [{:.0} s for {b}]", t.elapsed().as_secs_f64());
        let (bm, bs) = mean_se(&bo);
        let (sm, ss) = mean_se(&sa);
        let (km, ks) = mean_se(&sa40k);
        for (k, v) in
            [("bo_mean", bm), ("bo_se", bs), ("sa_mean", sm), ("sa_se", ss), ("sa40k_mean", km), ("sa40k_se", ks)]
        {
            json.insert(format!("{k}_{b}"), serde_json::json!((v * 10.0).round() / 10.0));
        }
        rows.push((b.clone(), bm, bs, sm, ss, km, ks));
        println!("PARTIAL {}", serde_json::Value::Object(json.clone()));
    }
    println!("\n| bench | BO {budget} (ours) | SA {budget} (ours) | SA {sa_moves} packed (ours) | BO (paper) | SA (paper) | eWL (paper) |");
    println!("|---|---|---|---|---|---|---|");
    for (b, bm, bs, sm, ss, km, ks) in rows {
        let paper = PAPER_TABLE1.iter().find(|p| p.0 == b);
        let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
        println!(
            "| {b} | {bm:.0} ± {bs:.0} | {sm:.0} ± {ss:.0} | {km:.0} ± {ks:.0} | {} | {} | {} |",
            f(paper.map(|p| p.1)),
            f(paper.map(|p| p.2)),
            f(paper.map(|p| p.3))
        );
    }
    json.insert("seeds".into(), serde_json::json!(seeds));
    json.insert("budget".into(), serde_json::json!(budget));
    json.insert("sa_moves".into(), serde_json::json!(sa_moves));
    println!("RESULT {}", serde_json::Value::Object(json));
}

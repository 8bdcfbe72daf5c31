//! Sizing-loop benchmark:
//! `cargo run --release --example sizing_bench [-- --seeds N --seconds S --sections loop,trace,wallclock,paper]`
//! (all sections by default; a skipped section's RESULT fields are null).
//!
//! 1. The whole `insitu optimize` loop on `examples/two_stage_miller` (in process), per seed:
//!    wall clock, candidates per second, simulator time per candidate and corner, optimizer time
//!    per iteration (and its split: GP fits / acquisition per BO step), CPU seconds; where a
//!    candidate-corner's time goes (sizing, re-sizing, each analysis, measurements); then the same
//!    loop with every candidate through ngspice (seed 1), and the ratios of wall time and of CPU
//!    time (this process + ngspice's, which a shared machine does not inflate).
//! 2. TRACE's iteration time at 11 dimensions, 4 constraints, 150-160 evaluations
//!    (`testfns::synthetic_11d`, as the optimizer's own benchmark).
//! 3. Algorithms by wall clock on the Miller problem at every phase-2 corner (the loop's
//!    phase-2 objective, no phase logic): time to the first design feasible at all three corners
//!    and the best cost after 5 s and after `--seconds`, per seed.
//! 4. The TRACE paper's gain maximization (`examples/trace_paper/gain.json`, generic65, 11
//!    variables, budget 200, 20 initial): best, worst, mean, std of the best feasible gain and
//!    the % of proposals violating a constraint, per algorithm over the seeds.
//!
//! The last line is `RESULT {json}`.

use insitu::sizing::ngspice::NgspiceEvaluator;
use insitu::sizing::{Algorithm, Evaluator, InProcess, PhaseProblem, Session, Testbench};
use insitu_optimizer::record::RunRecord;
use insitu_optimizer::testfns::synthetic_11d;
use insitu_optimizer::{BoConfig, Problem, Trace};
use std::path::Path;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Mean and sample standard deviation; NaN for an empty list (no feasible run).
fn mean_std(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let s = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    (m, s)
}

/// CPU seconds used so far by every thread of this process (Linux `schedstat`, nanoseconds)
/// and by its waited-for children (`/proc/self/stat` cutime + cstime, clock ticks of 10 ms):
/// unlike wall time, they do not grow when other jobs share the cores.
fn cpu_seconds() -> (f64, f64) {
    let mut ns = 0u64;
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for t in dir.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) {
                ns += s.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            }
        }
    }
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): state is field 3, cutime 16, cstime 17.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<f64> = rest.split_whitespace().map(|v| v.parse().unwrap_or(0.0)).collect();
    let children = (f.get(13).copied().unwrap_or(0.0) + f.get(14).copied().unwrap_or(0.0)) / 100.0;
    (ns as f64 * 1e-9, children)
}

struct LoopRun {
    wall: f64,
    /// CPU seconds of this process and of its children (ngspice) during the run.
    cpu: f64,
    child_cpu: f64,
    /// Median GP-fit and acquisition seconds per BO step.
    fit_step: f64,
    prop_step: f64,
    bo_steps: usize,
    iterations: usize,
    candidates: usize,
    corner_seconds: Vec<f64>,
    optimizer_per_iteration: f64,
    feasible_phase: usize,
    status: String,
    /// The candidates of the run (parameter values).
    xs: Vec<Vec<f64>>,
}

fn run_loop(tb: &Testbench, ev: &dyn Evaluator, seed: u64) -> LoopRun {
    let mut problem = tb.problem.clone();
    problem.algorithm.seed = seed;
    let tb2 = Testbench::new(problem, &tb.dir, "problem.json").expect("problem");
    let (c0, k0) = cpu_seconds();
    let t0 = Instant::now();
    let mut s = Session::new(&tb2, None, None, ev);
    let st = s.run(&mut |_| {}).expect("run");
    let wall = t0.elapsed().as_secs_f64();
    let (c1, k1) = cpu_seconds();
    let h = &s.history;
    let bo: Vec<_> = h.optimizer.steps.iter().filter(|s| s.step > 0).collect();
    let corner_seconds: Vec<f64> = h.history.iter().flat_map(|e| e.detail.corners.iter().map(|c| c.seconds)).collect();
    LoopRun {
        wall,
        cpu: c1 - c0,
        child_cpu: k1 - k0,
        fit_step: median(bo.iter().map(|s| s.fit_seconds).collect()),
        prop_step: median(bo.iter().map(|s| s.proposal_seconds).collect()),
        bo_steps: bo.len(),
        iterations: h.meta.iteration,
        candidates: h.meta.iteration + h.meta.reevaluations,
        corner_seconds,
        optimizer_per_iteration: h.meta.optimizer_seconds / h.meta.iteration.max(1) as f64,
        feasible_phase: h.best.as_ref().filter(|b| b.feasible).map_or(0, |b| b.phase),
        status: format!("{st:?}"),
        xs: h.history.iter().filter(|e| e.kind == "candidate").map(|e| e.detail.x.clone()).collect(),
    }
}

/// Runs `algo` on a phase view until `seconds` or `max_evals`; returns (time, best feasible
/// cost so far) after each step, and the time of the first feasible evaluation.
fn timed(
    tb: &Testbench,
    algo: Algorithm,
    seed: u64,
    seconds: f64,
    max_evals: usize,
) -> (Vec<(f64, f64)>, Option<f64>, usize) {
    let view = PhaseProblem::new(tb, &InProcess, 2);
    let mut rec = algo.new_record(&view, seed);
    let init = tb.unit_init();
    let n_init = tb.problem.algorithm.initial_samples;
    let t0 = Instant::now();
    let mut trace = Vec::new();
    let mut first = None;
    while t0.elapsed().as_secs_f64() < seconds && rec.evaluations.len() < max_evals {
        if algo.step(&view, &mut rec, &init, n_init, max_evals, 0) == 0 {
            break;
        }
        let t = t0.elapsed().as_secs_f64();
        let best =
            rec.evaluations.iter().filter(|e| e.feasible()).filter_map(|e| e.objective).fold(f64::INFINITY, f64::min);
        if best.is_finite() && first.is_none() {
            first = Some(t);
        }
        trace.push((t, best));
    }
    (trace, first, rec.evaluations.len())
}

fn best_at(trace: &[(f64, f64)], t: f64) -> f64 {
    trace.iter().filter(|(s, _)| *s <= t).map(|p| p.1).fold(f64::INFINITY, f64::min)
}

fn paper_run(tb: &Testbench, algo: Algorithm, seed: u64, budget: usize, n_init: usize) -> RunRecord {
    let view = PhaseProblem::new(tb, &InProcess, 1);
    let mut rec = algo.new_record(&view, seed);
    let init = tb.unit_init();
    while rec.evaluations.len() < budget {
        if algo.step(&view, &mut rec, &init, n_init, budget, 0) == 0 {
            break;
        }
    }
    rec
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |k: &str, d: f64| -> f64 {
        args.iter().position(|a| a == k).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(d)
    };
    let seeds = arg("--seeds", 10.0) as u64;
    let seconds = arg("--seconds", 30.0);
    let sections: Vec<String> = args
        .iter()
        .position(|a| a == "--sections")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| "loop,trace,wallclock,paper".to_string(), |s| s.to_string())
        .split(',')
        .map(str::to_string)
        .collect();
    let on = |k: &str| sections.iter().any(|s| s == k);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let load = || {
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "sizing_bench: {seeds} seeds, {seconds} s wall-clock window, {} rayon threads, load {}",
        rayon::current_num_threads(),
        load()
    );
    let miller = Testbench::from_file(&root.join("examples/two_stage_miller/problem.json")).expect("miller");
    // The gm/Id tables of every corner: generated once per process (either simulator needs
    // them for the widths), so made here and not charged to the first loop.
    let t = Instant::now();
    for p in 1..=miller.phases() {
        miller.warm(p);
    }
    println!("gm/Id tables of every corner (once per process): {:.2} s", t.elapsed().as_secs_f64());

    // 1. The whole loop.
    let mut speedup = serde_json::Value::Null;
    let mut corner_speedup = serde_json::Value::Null;
    let mut cpu_speedup = serde_json::Value::Null;
    let mut walls = Vec::new();
    if on("loop") {
        println!("\n## two_stage_miller: the whole loop (insitu optimize), in process");
        println!("| seed | status | iterations | candidates (incl. re-evaluations) | wall s | CPU s | candidates/s | sim ms per candidate-corner (median) | optimizer ms per iteration | BO steps: GP fit / acquisition ms (median) | feasible phase |");
        println!("|---|---|---|---|---|---|---|---|---|---|---|");
        let mut rates = Vec::new();
        let mut sims = Vec::new();
        let mut opts = Vec::new();
        let n_loop = seeds.min(5);
        let mut ours_seed1 = None;
        for seed in 1..=n_loop {
            let r = run_loop(&miller, &InProcess, seed);
            let sim_ms = median(r.corner_seconds.clone()) * 1e3;
            println!(
                "| {seed} | {} | {} | {} | {:.2} | {:.2} | {:.1} | {:.2} | {:.1} | {}: {:.1} / {:.1} | {} |",
                r.status,
                r.iterations,
                r.candidates,
                r.wall,
                r.cpu,
                r.candidates as f64 / r.wall,
                sim_ms,
                r.optimizer_per_iteration * 1e3,
                r.bo_steps,
                r.fit_step * 1e3,
                r.prop_step * 1e3,
                r.feasible_phase
            );
            walls.push(r.wall);
            rates.push(r.candidates as f64 / r.wall);
            sims.push(sim_ms);
            opts.push(r.optimizer_per_iteration * 1e3);
            if seed == 1 {
                ours_seed1 = Some(r);
            }
        }
        println!(
        "medians: wall {:.2} s, {:.1} candidates/s, {:.2} ms per candidate-corner, {:.1} ms optimizer per iteration",
        median(walls.clone()),
        median(rates),
        median(sims.clone()),
        median(opts)
    );
        // Where a candidate-corner's time goes: the seed-1 loop's candidates at each phase-3
        // corner, stage by stage (medians).
        let ours = ours_seed1.expect("seed 1");
        let cands: Vec<Vec<f64>> = ours.xs.iter().take(30).cloned().collect();
        let mut stages: Vec<(String, Vec<f64>)> = Vec::new();
        // The same candidates with seeded operating points (`op_start: seeded`), alternating
        // with the loop's cold ones: what a seed would save.
        let mut seeded = Testbench::from_file(&root.join("examples/two_stage_miller/problem.json")).expect("miller");
        seeded.problem.testbench.op_start = insitu::sizing::problem::OpStart::Seeded;
        for c in miller.corners(miller.phases()) {
            for x in &cands {
                let runs = [(&miller, ""), (&seeded, " (seeded)")];
                for st in runs.iter().filter_map(|(tb, tag)| Some((tb.stage_seconds(x, c).ok()?, tag))) {
                    for (name, t) in st.0.into_iter().filter(|(n, _)| st.1.is_empty() || n == "op") {
                        let name = format!("{name}{}", st.1);
                        match stages.iter_mut().find(|s| s.0 == name) {
                            Some(s) => s.1.push(t),
                            None => stages.push((name, vec![t])),
                        }
                    }
                }
            }
        }
        let parts: Vec<String> = stages.into_iter().map(|(n, v)| format!("{n} {:.3}", median(v) * 1e3)).collect();
        println!(
            "candidate-corner stages, ms (median over {} candidates x 3 phase-3 corners): {}",
            cands.len(),
            parts.join(", ")
        );
        match NgspiceEvaluator::new(&miller) {
            Ok(ng) => {
                let r = run_loop(&miller, &ng, 1);
                let ng_ms = median(r.corner_seconds.clone()) * 1e3;
                let ng_cpu = r.cpu + r.child_cpu;
                let ours_ms = median(ours.corner_seconds.clone()) * 1e3;
                println!("\n## the same loop with --simulator ngspice (seed 1)");
                println!(
                "ngspice: {} iterations, {} candidates, {:.2} s wall, {:.1} ms per candidate-corner (median), status {}",
                r.iterations, r.candidates, r.wall, ng_ms, r.status
            );
                println!(
                "insitu:  {} iterations, {} candidates, {:.2} s wall, {:.2} ms per candidate-corner (median), status {}",
                ours.iterations, ours.candidates, ours.wall, ours_ms, ours.status
            );
                // Both loops see slightly different numbers and may take different paths: compare
                // the time per candidate as well as the whole loop.
                let per_ng = r.wall / r.candidates as f64;
                let per_ours = ours.wall / ours.candidates as f64;
                println!(
                "speed-up: whole loop {:.1}x, per candidate of the loop {:.1}x, per candidate-corner simulation {:.1}x",
                r.wall / ours.wall,
                per_ng / per_ours,
                ng_ms / ours_ms
            );
                println!(
                    "CPU seconds (load-independent): ngspice loop {:.2} (this process {:.2} + ngspice {:.2}), insitu loop {:.2}: {:.1}x per candidate",
                    ng_cpu,
                    r.cpu,
                    r.child_cpu,
                    ours.cpu,
                    (ng_cpu / r.candidates as f64) / (ours.cpu / ours.candidates as f64)
                );
                cpu_speedup = serde_json::json!((ng_cpu / r.candidates as f64) / (ours.cpu / ours.candidates as f64));
                speedup = serde_json::json!(per_ng / per_ours);
                corner_speedup = serde_json::json!(ng_ms / ours_ms);
            }
            Err(e) => println!("\nngspice comparison skipped: {e}"),
        }
    }

    // 2. TRACE iteration time at 11-D.
    let mut per = f64::NAN;
    let mut trace_cpu = f64::NAN;
    if on("trace") {
        let p = synthetic_11d();
        let n_steps = 11;
        // The initial design (150 closed-form evaluations) and the first iteration (cold fits),
        // then iterations 2..: CPU seconds of the latter (all threads) per iteration.
        let first = Trace::new(BoConfig::new(150, 151, 0)).run(&p);
        let (c0, _) = cpu_seconds();
        let rec = Trace::new(BoConfig::new(150, 150 + n_steps, 0)).resume(&p, first);
        let cpu = (cpu_seconds().0 - c0) / (n_steps - 1) as f64;
        let steps: Vec<_> = rec.steps.iter().filter(|s| s.step > 1).collect();
        per = steps.iter().map(|s| s.fit_seconds + s.proposal_seconds).sum::<f64>() / steps.len().max(1) as f64;
        println!(
        "\n## TRACE iteration at 11-D, {} constraints, 150-160 evaluations ({}): {:.3} s per iteration (mean of iterations 2-{n_steps}), {:.3} CPU s",
        p.n_constraints(),
        p.name,
        per,
        cpu
    );
        trace_cpu = cpu;
    }
    // 3. Wall-clock comparison of algorithms at the phase-2 corners.
    let mut default = None;
    let mut default_ttf = f64::NAN;
    if on("wallclock") {
        println!(
        "\n## two_stage_miller at every phase-2 corner (tt/ff/ss, 27 C): algorithms by wall clock ({seeds} seeds, {seconds} s each)"
    );
        println!("| algorithm | feasible runs | time to first feasible, median s | best cost after 5 s, median | best cost after {seconds} s, median | evaluations in {seconds} s, median |");
        println!("|---|---|---|---|---|---|");
        let algos = [
            Algorithm::Trace,
            Algorithm::Random,
            Algorithm::Lhs,
            Algorithm::Pso,
            Algorithm::Eipf,
            Algorithm::Pipf,
            Algorithm::Mace,
            Algorithm::De,
        ];
        let mut table = Vec::new();
        for algo in algos {
            let mut firsts = Vec::new();
            let mut at5 = Vec::new();
            let mut atn = Vec::new();
            let mut evals = Vec::new();
            let mut feasible = 0;
            for seed in 1..=seeds {
                let (trace, first, n_evals) = timed(&miller, algo, seed, seconds, 2000);
                if let Some(f) = first {
                    feasible += 1;
                    firsts.push(f);
                }
                at5.push(best_at(&trace, 5.0));
                atn.push(best_at(&trace, seconds));
                evals.push(n_evals as f64);
            }
            let f = |v: f64| if v.is_finite() { format!("{v:.4}") } else { "—".into() };
            let ttf = if firsts.len() * 2 > seeds as usize { median(firsts.clone()) } else { f64::INFINITY };
            println!(
                "| {} | {feasible}/{seeds} | {} | {} | {} | {:.0} |",
                algo.name(),
                if ttf.is_finite() { format!("{ttf:.2}") } else { "—".into() },
                f(median(at5.clone())),
                f(median(atn.clone())),
                median(evals)
            );
            table.push((algo, ttf, median(atn)));
        }
        // Fastest to feasibility; algorithms within 1 s of the fastest (the initial design's
        // evaluation time, noise on a shared machine) are tied and the lowest cost at the end of the
        // window decides.
        let fastest = table.iter().map(|t| t.1).fold(f64::INFINITY, f64::min);
        let chosen = table
            .iter()
            .filter(|t| t.1 <= fastest + 1.0)
            .min_by(|a, b| a.2.total_cmp(&b.2))
            .map(|t| t.0)
            .unwrap_or(Algorithm::Trace);
        println!(
        "default rule: fastest median time to feasibility {fastest:.2} s; among algorithms within 1 s of it, the lowest \
         median cost after {seconds} s: {}",
        chosen.name()
    );
        default_ttf = table.iter().find(|t| t.0 == chosen).map_or(f64::NAN, |t| t.1);
        default = Some(chosen);
    }

    // 4. The TRACE paper's gain problem.
    let mut trace_mean = f64::NAN;
    if on("paper") {
        let gain_tb = Testbench::from_file(&root.join("examples/trace_paper/gain.json")).expect("gain problem");
        let target = gain_tb.problem.specs.get("gain_db").and_then(|s| s.target).unwrap_or(100.0);
        println!(
        "\n## trace_paper gain maximization (generic65, 1.1 V, 11 variables, PM >= 60 deg, UGB >= 200 MHz; budget 200, 20 initial, {seeds} seeds)"
    );
        println!("| algorithm | best | worst | mean | std | CV % | feasible runs | wall s per run |");
        println!("|---|---|---|---|---|---|---|---|");
        for algo in [
            Algorithm::Random,
            Algorithm::Pso,
            Algorithm::De,
            Algorithm::Pipf,
            Algorithm::Eipf,
            Algorithm::Mace,
            Algorithm::Trace,
        ] {
            let mut gains = Vec::new();
            let mut cv = Vec::new();
            let mut walls = Vec::new();
            for seed in 1..=seeds {
                let t0 = Instant::now();
                let rec = paper_run(&gain_tb, algo, seed, 200, 20);
                walls.push(t0.elapsed().as_secs_f64());
                // Objective = |1 - gain/target| = 1 - gain/target below the target.
                if let Some(o) = rec.best_objective() {
                    gains.push(target * (1.0 - o));
                }
                cv.push(rec.violation_fraction() * 100.0);
            }
            let (m, s) = mean_std(&gains);
            let best = gains.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let worst = gains.iter().cloned().fold(f64::INFINITY, f64::min);
            // No feasible run: no gain statistics (printed "-", null in the RESULT line).
            let num = |x: f64| if x.is_finite() { format!("{x:.2}") } else { "-".to_string() };
            let (best, worst, s) = (num(best), num(worst), num(s));
            println!(
                "| {} | {best} | {worst} | {} | {s} | {:.0} | {}/{seeds} | {:.1} |",
                algo.name().to_uppercase(),
                num(m),
                cv.iter().sum::<f64>() / cv.len().max(1) as f64,
                gains.len(),
                median(walls)
            );
            if algo == Algorithm::Trace {
                trace_mean = m;
            }
        }
    }
    let num = |x: f64| if x.is_finite() { serde_json::json!(x) } else { serde_json::Value::Null };
    let result = serde_json::json!({
        "miller_speedup_vs_ngspice": speedup,
        "miller_corner_sim_speedup_vs_ngspice": corner_speedup,
        "miller_cpu_speedup_vs_ngspice": cpu_speedup,
        "miller_loop_wall_seconds_median": num(median(walls)),
        "miller_seconds_to_feasible_phase2": num(default_ttf),
        "trace_iteration_seconds_11d": num(per),
        "trace_iteration_cpu_seconds_11d": num(trace_cpu),
        "trace_paper_gain_mean": num(trace_mean),
        "default_algorithm": default.map(|a| a.name()),
        "seeds": seeds,
        "window_seconds": seconds,
    });
    println!("RESULT {result}");
}

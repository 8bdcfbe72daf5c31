//! BagNet against the plain evolutionary search (the same operators, pools and seeds; the only
//! difference is the filter): `cargo run --release --example bagnet [-- --seeds N]`.
//!
//! * (a) the synthetic grid problem with a known answer (`insitu_optimizer::bagnet::synthetic`):
//!   plain, BagNet with the reference's training (1000 Adam steps every round) and BagNet with
//!   the cheaper training (`NnConfig::fast`: warm start, steps scaled to the new pairs, early
//!   stop). Every query is also evaluated to score the filter (not counted as simulations).
//! * (b) the two-stage op-amp on generic180 with BagNet's specs (`examples/two_stage_bagnet`:
//!   gain, UGB, PM, settling, PSRR, CMRR, offset, bias current) on its 99^5 x 99 grid, in
//!   process at tt 27 degC. The accepted designs are scored exactly (they are simulated anyway),
//!   3 rejected queries per iteration are simulated to estimate the reject accuracy; those
//!   scoring simulations are neither counted nor timed in the comparison.
//!   `--opamp-seeds N` (default: `--seeds`); the plain arm is capped at 400 iterations (2,050
//!   simulations), so an unconverged plain run counts as a lower bound.
//! * (c) the expensive case: the same op-amp at three corners (tt 27, ff -40, ss 125 degC) with
//!   a 2x finer transient: the cost of one evaluation is measured and the wall-clock ratio
//!   projected from (b)'s simulation counts and overhead; `--expensive-seeds N` runs it for real
//!   (long). Likewise the measured cost of one ngspice evaluation of the deck.
//!
//! A run "converges" when the top `ref_rank` designs meet every spec (BagNet's stopping rule);
//! a run that does not within its step budget enters the medians with all its simulations
//! (a lower bound). Final cost = the best design's sum of BagNet penalties (0 = every spec met).
//! The last line is `RESULT {json}`.

use insitu::sizing::{Evaluator, InProcess, Testbench};
use insitu_optimizer::bagnet::synthetic::Synthetic;
use insitu_optimizer::bagnet::{run_bagnet, BagNetConfig, BagNetRun, Filter, GridProblem, NnConfig};
use std::path::Path;
use std::time::Instant;

fn median(v: &[f64]) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(f64::total_cmp);
    let k = s.len() / 2;
    if s.len() % 2 == 1 {
        s[k]
    } else {
        0.5 * (s[k - 1] + s[k])
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// A circuit problem on its parameters' grids; penalties = the bound violations (normalized by
/// the bound, as the sizing loop's constraints) at the worst corner of `phase`.
struct Circuit<'a> {
    tb: &'a Testbench,
    ev: &'a dyn Evaluator,
    phase: usize,
    grids: Vec<Vec<f64>>,
    sizes: Vec<usize>,
}

impl<'a> Circuit<'a> {
    fn new(tb: &'a Testbench, ev: &'a dyn Evaluator, phase: usize) -> Self {
        let grids: Vec<Vec<f64>> = tb.problem.parameters.iter().map(|p| p.grid()).collect();
        let sizes = grids.iter().map(Vec::len).collect();
        Circuit { tb, ev, phase, grids, sizes }
    }
}

impl GridProblem for Circuit<'_> {
    fn grid(&self) -> &[usize] {
        &self.sizes
    }
    fn n_specs(&self) -> usize {
        self.tb.bounds().len()
    }
    fn evaluate(&self, idx: &[usize]) -> Result<Vec<f64>, String> {
        let x: Vec<f64> = idx.iter().zip(&self.grids).map(|(&i, g)| g[i]).collect();
        let c = self.ev.assess(self.tb, &x, self.phase);
        match (&c.failure, &c.constraints) {
            (None, Some(k)) => Ok(k.iter().map(|v| v.max(0.0)).collect()),
            (f, _) => Err(f.clone().unwrap_or_else(|| "not measured".into())),
        }
    }
}

/// One arm over the seeds: the runs and their wall-clock seconds (scoring evaluations taken out).
fn arm<P: GridProblem + ?Sized>(p: &P, base: &BagNetConfig, filter: Filter, seeds: u64) -> Vec<(BagNetRun, f64)> {
    (0..seeds)
        .map(|seed| {
            let t = Instant::now();
            let r = run_bagnet(p, &BagNetConfig { seed, filter: filter.clone(), ..base.clone() });
            let wall = t.elapsed().as_secs_f64() - r.score_seconds;
            eprintln!(
                "  {} seed {seed}: {} sims{}, wall {wall:.2} s, train {:.2} s, {} queries",
                match filter {
                    Filter::None => "plain",
                    _ => "bagnet",
                },
                r.sims_to_converge.unwrap_or(r.n_sims),
                if r.sims_to_converge.is_some() { "" } else { " (not converged)" },
                r.train_seconds,
                r.n_queries
            );
            (r, wall)
        })
        .collect()
}

struct Summary {
    converged: usize,
    sims: f64,
    wall: f64,
    train: f64,
    queries: f64,
    final_cost: f64,
    accuracy: f64,
    precision: f64,
    scored: usize,
}

fn summarize(runs: &[(BagNetRun, f64)]) -> Summary {
    let sims: Vec<f64> = runs.iter().map(|(r, _)| r.sims_to_converge.unwrap_or(r.n_sims) as f64).collect();
    let (mut acc, mut prec, mut scored) = (Vec::new(), Vec::new(), 0);
    for (r, _) in runs {
        if let Some(s) = r.score.as_ref().filter(|s| s.queries > 0) {
            acc.push(s.accuracy());
            prec.push(s.precision());
            scored += s.queries;
        }
    }
    Summary {
        converged: runs.iter().filter(|(r, _)| r.sims_to_converge.is_some()).count(),
        sims: median(&sims),
        wall: median(&runs.iter().map(|(_, w)| *w).collect::<Vec<_>>()),
        train: median(&runs.iter().map(|(r, _)| r.train_seconds).collect::<Vec<_>>()),
        queries: median(&runs.iter().map(|(r, _)| r.n_queries as f64).collect::<Vec<_>>()),
        final_cost: mean(&runs.iter().map(|(r, _)| r.best().map_or(f64::INFINITY, |b| b.cost())).collect::<Vec<_>>()),
        accuracy: mean(&acc),
        precision: mean(&prec),
        scored,
    }
}

fn table(title: &str, arms: &[(&str, &Summary)], seeds: u64) {
    println!("\n### {title}\n");
    println!("| arm | converged | median sims to converge | median wall s | median train s | median NN queries | final cost (mean) | filter accuracy | accepted truly better | queries scored |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, s) in arms {
        let pct = |v: f64| if v.is_nan() { "-".to_string() } else { format!("{:.2}", v) };
        println!(
            "| {name} | {}/{seeds} | {:.0} | {:.3} | {:.3} | {:.0} | {:.4} | {} | {} | {} |",
            s.converged,
            s.sims,
            s.wall,
            s.train,
            s.queries,
            s.final_cost,
            pct(s.accuracy),
            pct(s.precision),
            s.scored
        );
    }
}

/// Median seconds of one evaluation of `p` over a few random grid points.
fn sim_seconds<P: GridProblem + ?Sized>(p: &P, n: usize) -> f64 {
    let g = p.grid().to_vec();
    let t: Vec<f64> = (0..n)
        .map(|k| {
            let idx: Vec<usize> = g.iter().enumerate().map(|(q, &s)| (k * 37 + q * 11 + 5) % s).collect();
            let t0 = Instant::now();
            let _ = p.evaluate(&idx);
            t0.elapsed().as_secs_f64()
        })
        .collect();
    median(&t)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag =
        |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok());
    let seeds: u64 = flag("--seeds").unwrap_or(10);
    let opamp_seeds: u64 = flag("--opamp-seeds").unwrap_or(seeds);
    let exp_seeds: u64 = flag("--expensive-seeds").unwrap_or(0);

    // (a) Synthetic.
    let base =
        BagNetConfig { n_init: 40, k: 40, ref_rank: 5, max_steps: 400, score_filter: true, ..Default::default() };
    let plain = summarize(&arm(&Synthetic, &base, Filter::None, seeds));
    let reference = summarize(&arm(&Synthetic, &base, Filter::Discriminator(NnConfig::default()), seeds));
    let fast = summarize(&arm(&Synthetic, &base, Filter::Discriminator(NnConfig::fast()), seeds));
    table(
        "(a) synthetic: 6 parameters x 60 values, 4 specs",
        &[("plain EA", &plain), ("BagNet, reference training", &reference), ("BagNet, fast training", &fast)],
        seeds,
    );
    let synthetic_ratio = plain.sims / fast.sims;
    let synthetic_ratio_ref = plain.sims / reference.sims;

    // (b) Op-amp, in process, tt.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/two_stage_bagnet");
    let tb = Testbench::from_file(&dir.join("problem.json")).expect("the op-amp problem");
    let amp = Circuit::new(&tb, &InProcess, 1);
    let t_sim = sim_seconds(&amp, 15);
    let obase =
        BagNetConfig { n_init: 50, k: 50, ref_rank: 10, max_steps: 300, score_rejected: 3, ..Default::default() };
    let ofast = summarize(&arm(&amp, &obase, Filter::Discriminator(NnConfig::fast()), opamp_seeds));
    let oplain = summarize(&arm(&amp, &BagNetConfig { max_steps: 400, ..obase.clone() }, Filter::None, opamp_seeds));
    table(
        &format!("(b) two-stage op-amp, generic180, tt 27 degC, 8 specs (one evaluation {:.1} ms)", t_sim * 1e3),
        &[("plain EA", &oplain), ("BagNet, fast training", &ofast)],
        opamp_seeds,
    );
    let opamp_ratio = oplain.sims / ofast.sims;
    let opamp_wall = oplain.wall / ofast.wall;
    // Training overhead per run (median; queries are microseconds) against the simulations it
    // saves: the break-even cost of
    // one evaluation.
    let overhead = ofast.train;
    let break_even = overhead.max(0.0) / (oplain.sims - ofast.sims).max(1.0);

    // (c) Expensive: 3 corners, finer transient; ngspice's cost per evaluation.
    let mut prob = tb.problem.clone();
    prob.corners.0[0].1 =
        serde_json::from_str(r#"[{"model":"tt","temp":27},{"model":"ff","temp":-40},{"model":"ss","temp":125}]"#)
            .expect("corners");
    let text = std::fs::read_to_string(dir.join("opamp_tb.cir")).expect("deck");
    let fine = std::env::temp_dir().join(format!("insitu-bagnet-fine-{}", std::process::id()));
    std::fs::create_dir_all(&fine).expect("temp dir");
    std::fs::write(fine.join("opamp_tb.cir"), text.replace(".tran 0.5n 300n", ".tran 0.25n 300n")).expect("deck");
    let tb3 = Testbench::new(prob, &fine, "problem.json").expect("the 3-corner problem");
    let amp3 = Circuit::new(&tb3, &InProcess, 1);
    let t_sim3 = sim_seconds(&amp3, 9);
    let (expensive_sims, expensive_wall, expensive_measured) = if exp_seeds > 0 {
        let eplain = summarize(&arm(&amp3, &BagNetConfig { max_steps: 400, ..obase.clone() }, Filter::None, exp_seeds));
        let efast = summarize(&arm(&amp3, &obase, Filter::Discriminator(NnConfig::fast()), exp_seeds));
        table(
            &format!(
                "(c) expensive: the op-amp at 3 corners, 2x finer transient (one evaluation {:.1} ms), {exp_seeds} seeds",
                t_sim3 * 1e3
            ),
            &[("plain EA", &eplain), ("BagNet, fast training", &efast)],
            exp_seeds,
        );
        (Some(eplain.sims / efast.sims), eplain.wall / efast.wall, true)
    } else {
        // Projected: (b)'s simulation counts at the measured cost of one 3-corner evaluation,
        // plus (b)'s measured training and query overhead.
        (None, (oplain.sims * t_sim3) / (ofast.sims * t_sim3 + overhead.max(0.0)), false)
    };
    std::fs::remove_dir_all(&fine).ok();
    let t_ng =
        insitu::sizing::ngspice::NgspiceEvaluator::new(&tb).ok().map(|ng| sim_seconds(&Circuit::new(&tb, &ng, 1), 5));
    // With ngspice as the simulator, the same runs would cost sims x t_ng + the overhead.
    let ng_wall = t_ng.map(|t| (oplain.sims * t) / (ofast.sims * t + overhead.max(0.0)));

    println!("\nsimulations: plain over BagNet (fast training) synthetic {synthetic_ratio:.2}x (reference training {synthetic_ratio_ref:.2}x), op-amp {opamp_ratio:.2}x");
    println!(
        "wall clock: plain over BagNet op-amp in process {opamp_wall:.2}x, expensive 3-corner {expensive_wall:.2}x{}",
        ng_wall.map_or(String::new(), |r| format!(
            ", op-amp through ngspice (projected from {:.1} ms per evaluation) {r:.2}x",
            t_ng.unwrap_or(0.0) * 1e3
        ))
    );
    println!(
        "break-even: BagNet's training and queries cost {overhead:.2} s per op-amp run; the filter pays off in wall clock when one evaluation costs more than {:.2} ms (in-process op-amp: {:.2} ms)",
        break_even * 1e3,
        t_sim * 1e3
    );
    let j = serde_json::json!({
        "seeds": seeds,
        "synthetic_sim_ratio": synthetic_ratio,
        "synthetic_sim_ratio_reference_training": synthetic_ratio_ref,
        "synthetic_train_s_reference": reference.train,
        "synthetic_train_s_fast": fast.train,
        "synthetic_filter_accuracy": fast.accuracy,
        "synthetic_accepted_truly_better": fast.precision,
        "opamp_sim_ratio": opamp_ratio,
        "opamp_sims_plain": oplain.sims,
        "opamp_sims_bagnet": ofast.sims,
        "opamp_converged_plain": oplain.converged,
        "opamp_converged_bagnet": ofast.converged,
        "opamp_final_cost_bagnet": ofast.final_cost,
        "opamp_final_cost_plain": oplain.final_cost,
        "opamp_wallclock_ratio": opamp_wall,
        "opamp_filter_accuracy": ofast.accuracy,
        "opamp_accepted_truly_better": ofast.precision,
        "opamp_sim_ms": t_sim * 1e3,
        "break_even_sim_ms": break_even * 1e3,
        "expensive_sim_ms": t_sim3 * 1e3,
        "expensive_sim_ratio": expensive_sims,
        "expensive_wallclock_ratio": expensive_wall,
        "expensive_measured": expensive_measured,
        "opamp_seeds": opamp_seeds,
        "ngspice_sim_ms": t_ng.map(|t| t * 1e3),
        "ngspice_projected_wallclock_ratio": ng_wall,
    });
    println!("RESULT {j}");
}

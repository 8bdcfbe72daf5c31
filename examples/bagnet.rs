//! BagNet against the plain evolutionary search (the same operators, pools and seeds; the only
//! difference is the filter): `cargo run --release --example bagnet [-- --seeds N]`.
//!
//! * (a) `--parts a` (alias `h`): the paper-scale synthetic problem with a known answer
//!   ([`HardSynthetic`]: 7 x 99 values, 8 specs) with the reference's ICCAD settings (100
//!   initial designs, pools of 100, reference design at rank 20); `RESULT` keys `synthetic_*`;
//!   `--hard-nets ref[,fast]`, `--hard-width` (0.04), `--hard-seeds N`. Every query is also
//!   evaluated to score the filter (not counted as simulations).
//! * `--parts s`: the small synthetic problem ([`Synthetic`], 6 x 60 values, 4 specs; 40 initial
//!   designs, pools of 40, reference at rank 5), a sanity problem; keys `small_synthetic_*`;
//!   `--small-nets ref[,fast]`, `--small-seeds N`.
//! * (b) `--parts b`: the two-stage op-amp on generic180 with BagNet's specs
//!   (`examples/two_stage_bagnet`: gain, UGB, PM, settling, PSRR, CMRR, offset, bias current) on
//!   its 99^5 x 99 grid, in process at tt 27 degC. The accepted designs are scored exactly (they
//!   are simulated anyway), 3 rejected queries per iteration are simulated to estimate the
//!   reject accuracy; those scoring simulations are neither counted nor timed in the
//!   comparison. `--opamp-seeds N` (default: `--seeds`), `--opamp-nets ref[,fast]` (the first is
//!   the `RESULT` arm of (b), (c) and (d)).
//! * (c) `--parts c`: the expensive case, measured: the same op-amp at three corners (tt 27, ff
//!   -40, ss 125 degC, specs at the worst corner) with a 2x finer transient, both arms on
//!   `--expensive-seeds N` (2).
//! * (d) `--parts n`: the op-amp of (b) through ngspice (`--simulator ngspice`'s evaluator, one
//!   ngspice subprocess per evaluation), both arms on `--ngspice-seeds N` (2); skipped with a
//!   message when ngspice is absent. Run it with `RAYON_NUM_THREADS=1` to keep one ngspice at a
//!   time.
//!
//! BagNet arms use the reference's training (`ref`: 1000 Adam steps on uniform pairs every
//! round, the network kept across rounds); `fast` (`NnConfig::fast`: steps scaled to the new
//! pairs, early stop) runs only when listed in a `--*-nets` flag. The plain arm is capped at the
//! reference's EvoAgent budget, 1000 iterations (`--plain-cap-steps`; 50 + 5,000 simulations on
//! the op-amp), BagNet at 300-400. A run "converges" when the top `ref_rank` designs meet every
//! spec (BagNet's stopping rule); a run that does not within its budget enters the medians with
//! all its simulations (a lower bound). The filter may query `--max-queries N` (20,000, the
//! reference's `max_iter`) candidates per iteration; an iteration it cannot fill is filled with
//! unfiltered offspring (as the sizing loop does), or with `--stop-unfilled` ends the run (the
//! reference's rule (b); such a run counts as not converged). Also reported: the simulations
//! until a first design meets every spec. Final cost = the best design's sum of BagNet penalties
//! (0 = every spec met). `--parts s,a,b,c,n` (default all) and `--arms plain,bagnet` select what
//! runs; `--save DIR` writes each arm's per-seed outcomes, `--load DIR` reuses an arm saved with
//! the same configuration (said on stderr), running only the seeds it lacks. The last line is `RESULT {json}`.

use insitu::sizing::{Evaluator, InProcess, Testbench};
use insitu_optimizer::bagnet::synthetic::{HardSynthetic, Synthetic};
use insitu_optimizer::bagnet::{run_bagnet, BagNetConfig, Filter, FilterScore, GridProblem, NnConfig};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
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

/// One seed's outcome, as summarized and saved (`--save DIR`) for reuse (`--load DIR`).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SeedRun {
    seed: u64,
    /// Simulations when the top `ref_rank` designs first all met every spec.
    sims_to_converge: Option<usize>,
    /// Simulations when a design first met every spec (cost 0).
    sims_to_feasible: Option<usize>,
    n_sims: usize,
    /// Wall-clock seconds (scoring evaluations taken out).
    wall: f64,
    train: f64,
    train_steps: usize,
    queries: usize,
    /// The best design's sum of penalties.
    final_cost: f64,
    score: Option<FilterScore>,
    /// Iterations filled with unfiltered offspring (absent in runs saved before it was kept).
    #[serde(default)]
    unfiltered_fills: Option<usize>,
    /// The machine's 1-minute load average when the run ended (the wall clock is noisy).
    load: f64,
}

/// The 1-minute load average (Linux), NaN elsewhere.
fn load_avg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// A saved arm: its configuration (without the seed) and its seeds' outcomes.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SavedArm {
    config: BagNetConfig,
    runs: Vec<SeedRun>,
}

/// Where arms are saved to / loaded from, and the BagNet arms' rule for an iteration the filter
/// cannot fill.
struct Store {
    save: Option<PathBuf>,
    load: Option<PathBuf>,
    /// Stop the run there (the reference's rule (b)) instead of filling it with unfiltered
    /// offspring.
    stop_unfilled: bool,
}

impl Store {
    fn file(dir: &Path, key: &str) -> PathBuf {
        dir.join(format!("{key}.json"))
    }
}

/// One arm over the seeds. With `--load DIR`, an arm saved under the same key with the same
/// configuration and at least `seeds` seeds is reused (said on stderr) instead of re-run.
fn arm<P: GridProblem + ?Sized>(
    key: &str,
    p: &P,
    base: &BagNetConfig,
    filter: Filter,
    seeds: u64,
    store: &Store,
) -> Vec<SeedRun> {
    // BagNet arms: an iteration whose filter cannot accept `n_new` designs within the query
    // budget is filled with unfiltered offspring (as in the sizing loop) instead of ending the
    // run (the reference's rule (b)), so that both arms run until the top designs meet every spec.
    let fill_unfiltered = base.fill_unfiltered || (filter != Filter::None && !store.stop_unfilled);
    let config = BagNetConfig { seed: 0, filter: filter.clone(), fill_unfiltered, ..base.clone() };
    let mut runs: Vec<SeedRun> = Vec::new();
    if let Some(dir) = &store.load {
        let f = Store::file(dir, key);
        if let Some(saved) = std::fs::read_to_string(&f).ok().and_then(|t| serde_json::from_str::<SavedArm>(&t).ok()) {
            if saved.config == config && saved.runs.iter().enumerate().all(|(i, r)| r.seed == i as u64) {
                let n = saved.runs.len().min(seeds as usize);
                eprintln!("  {key}: {n} seeds loaded from {} (an earlier run)", f.display());
                if n as u64 >= seeds {
                    return saved.runs.into_iter().take(n).collect();
                }
                // Fewer seeds saved than asked: run the missing ones and save the whole arm.
                runs = saved.runs;
            } else {
                eprintln!("  {key}: {} does not match this configuration; running", f.display());
            }
        }
    }
    let first = runs.len() as u64;
    let new: Vec<SeedRun> = (first..seeds)
        .map(|seed| {
            let t = Instant::now();
            let r = run_bagnet(p, &BagNetConfig { seed, ..config.clone() });
            let wall = t.elapsed().as_secs_f64() - r.score_seconds;
            let s = SeedRun {
                seed,
                sims_to_converge: r.sims_to_converge,
                sims_to_feasible: r.designs.iter().position(|d| d.cost() == 0.0).map(|i| i + 1),
                n_sims: r.n_sims,
                wall,
                train: r.train_seconds,
                train_steps: r.train_steps,
                queries: r.n_queries,
                final_cost: r.best().map_or(f64::MAX, |b| b.cost()),
                score: r.score.clone(),
                unfiltered_fills: Some(r.unfiltered_fills),
                load: load_avg(),
            };
            eprintln!(
                "  {key} seed {seed}: {} sims{} (first feasible at {:?}), wall {wall:.2} s, train {:.2} s ({} steps), {} queries, {:?} unfiltered fills, final cost {:.4}, load {:.1}",
                s.sims_to_converge.unwrap_or(s.n_sims),
                if s.sims_to_converge.is_some() { "" } else { " (not converged)" },
                s.sims_to_feasible,
                s.train,
                s.train_steps,
                s.queries,
                s.unfiltered_fills,
                s.final_cost,
                s.load
            );
            s
        })
        .collect();
    runs.extend(new);
    if let Some(dir) = &store.save {
        std::fs::create_dir_all(dir).ok();
        let saved = SavedArm { config, runs: runs.clone() };
        if let Err(e) = std::fs::write(Store::file(dir, key), serde_json::to_string(&saved).expect("json")) {
            eprintln!("  {key}: could not save: {e}");
        }
    }
    runs
}

struct Summary {
    converged: usize,
    sims: f64,
    feasible: usize,
    sims_feasible: f64,
    wall: f64,
    train: f64,
    queries: f64,
    final_cost: f64,
    final_cost_max: f64,
    accuracy: f64,
    precision: f64,
    scored: usize,
    /// Median iterations filled with unfiltered offspring (NaN when not recorded).
    fills: f64,
    load: f64,
}

fn summarize(runs: &[SeedRun]) -> Summary {
    let sims: Vec<f64> = runs.iter().map(|r| r.sims_to_converge.unwrap_or(r.n_sims) as f64).collect();
    let (mut acc, mut prec, mut scored) = (Vec::new(), Vec::new(), 0);
    for r in runs {
        if let Some(s) = r.score.as_ref().filter(|s| s.queries > 0) {
            acc.push(s.accuracy());
            prec.push(s.precision());
            scored += s.queries;
        }
    }
    let costs: Vec<f64> = runs.iter().map(|r| r.final_cost).collect();
    Summary {
        converged: runs.iter().filter(|r| r.sims_to_converge.is_some()).count(),
        sims: median(&sims),
        feasible: runs.iter().filter(|r| r.sims_to_feasible.is_some()).count(),
        sims_feasible: median(&runs.iter().map(|r| r.sims_to_feasible.unwrap_or(r.n_sims) as f64).collect::<Vec<_>>()),
        wall: median(&runs.iter().map(|r| r.wall).collect::<Vec<_>>()),
        train: median(&runs.iter().map(|r| r.train).collect::<Vec<_>>()),
        queries: median(&runs.iter().map(|r| r.queries as f64).collect::<Vec<_>>()),
        final_cost: mean(&costs),
        final_cost_max: costs.iter().copied().fold(0.0, f64::max),
        accuracy: mean(&acc),
        precision: mean(&prec),
        scored,
        fills: median(&runs.iter().map(|r| r.unfiltered_fills.map_or(f64::NAN, |f| f as f64)).collect::<Vec<_>>()),
        load: median(&runs.iter().map(|r| r.load).collect::<Vec<_>>()),
    }
}

fn table(title: &str, arms: &[(&str, &Summary)], seeds: u64) {
    println!("\n### {title}\n");
    println!("| arm | converged | median sims to converge | found a design meeting every spec | median sims to the first | median wall s | median train s | median NN queries | final cost (mean / max) | filter accuracy | accepted truly better | queries scored | median unfiltered fills | median load |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (name, s) in arms {
        let pct = |v: f64| if v.is_nan() { "-".to_string() } else { format!("{:.2}", v) };
        println!(
            "| {name} | {}/{seeds} | {:.0} | {}/{seeds} | {:.0} | {:.3} | {:.3} | {:.0} | {:.4} / {:.4} | {} | {} | {} | {} | {:.1} |",
            s.converged,
            s.sims,
            s.feasible,
            s.sims_feasible,
            s.wall,
            s.train,
            s.queries,
            s.final_cost,
            s.final_cost_max,
            pct(s.accuracy),
            pct(s.precision),
            s.scored,
            if s.fills.is_nan() { "-".to_string() } else { format!("{:.0}", s.fills) },
            s.load
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

fn net_of(name: &str) -> NnConfig {
    match name {
        "ref" => NnConfig::default(),
        "fast" => NnConfig::fast(),
        other => panic!("unknown network setting {other:?} (expected ref or fast)"),
    }
}

fn net_label(name: &str) -> &'static str {
    match name {
        "ref" => "BagNet, reference training",
        _ => "BagNet, fast training",
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    fn parsed<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok())
    }
    let flag = |name: &str| parsed::<f64>(&args, name);
    let text = |name: &str| parsed::<String>(&args, name);
    let list = |name: &str, default: &str| -> Vec<String> {
        text(name).unwrap_or_else(|| default.to_string()).split(',').map(str::to_string).collect()
    };
    let seeds: u64 = flag("--seeds").map_or(10, |v| v as _);
    let opamp_seeds: u64 = flag("--opamp-seeds").map_or(seeds, |v| v as _);
    let hard_seeds: u64 = flag("--hard-seeds").map_or(seeds, |v| v as _);
    let small_seeds: u64 = flag("--small-seeds").map_or(seeds, |v| v as _);
    let exp_seeds: u64 = flag("--expensive-seeds").map_or(2, |v| v as _);
    let ng_seeds: u64 = flag("--ngspice-seeds").map_or(2, |v| v as _);
    // Part names: `a` (alias `h`) = problem (a), the paper-scale synthetic problem; `s` = the
    // small synthetic problem; `b` = the op-amp; `c` = the 3-corner op-amp; `n` = the op-amp
    // through ngspice.
    let parts = list("--parts", "s,a,b,c,n");
    let arms = list("--arms", "plain,bagnet");
    let opamp_nets = list("--opamp-nets", "ref");
    let hard_nets = list("--hard-nets", "ref");
    let small_nets = list("--small-nets", "ref");
    let hard_width: f64 = flag("--hard-width").unwrap_or(0.04);
    let plain_cap: usize = flag("--plain-cap-steps").map_or(1000, |v| v as _);
    let max_queries: usize = flag("--max-queries").map_or(20_000, |v| v as _);
    let store = Store {
        save: text("--save").map(PathBuf::from),
        load: text("--load").map(PathBuf::from),
        stop_unfilled: args.iter().any(|a| a == "--stop-unfilled"),
    };
    let has = |p: &str| parts.iter().any(|x| x == p);
    let plain_on = arms.iter().any(|a| a == "plain");
    let bagnet_on = arms.iter().any(|a| a == "bagnet");
    let nan = || Summary {
        converged: 0,
        sims: f64::NAN,
        feasible: 0,
        sims_feasible: f64::NAN,
        wall: f64::NAN,
        train: f64::NAN,
        queries: f64::NAN,
        final_cost: f64::NAN,
        final_cost_max: f64::NAN,
        accuracy: f64::NAN,
        precision: f64::NAN,
        scored: 0,
        fills: f64::NAN,
        load: f64::NAN,
    };
    let run_arm = |on: bool, key: &str, p: &dyn GridProblemDyn, base: &BagNetConfig, f: Filter, n: u64| {
        if on {
            summarize(&arm(key, &DynProblem(p), base, f, n, &store))
        } else {
            nan()
        }
    };
    // The plain arm first, then one BagNet arm per network setting (the first is the RESULT arm).
    let arms_of = |key: &str, p: &dyn GridProblemDyn, plain: &BagNetConfig, bag: &BagNetConfig, nets: &[String], n| {
        let mut rows =
            vec![("plain EA".to_string(), run_arm(plain_on, &format!("{key}-plain"), p, plain, Filter::None, n))];
        for net in nets {
            let f = Filter::Discriminator(net_of(net));
            rows.push((net_label(net).to_string(), run_arm(bagnet_on, &format!("{key}-bagnet-{net}"), p, bag, f, n)));
        }
        rows
    };
    let show = |title: &str, rows: &[(String, Summary)], n: u64| {
        let refs: Vec<(&str, &Summary)> = rows.iter().map(|(a, b)| (a.as_str(), b)).collect();
        table(title, &refs, n);
    };
    let mut j = serde_json::Map::new();
    j.insert("seeds".into(), seeds.into());
    j.insert("max_queries_per_iter".into(), max_queries.into());
    j.insert("stop_unfilled".into(), store.stop_unfilled.into());

    // (a) The paper-scale synthetic problem with the reference's ICCAD settings (100 initial
    // designs, pools of 100, reference design at rank 20); plain capped at the reference's
    // EvoAgent budget (1000 steps). Every query is also evaluated to score the filter.
    if has("a") || has("h") {
        let hard = HardSynthetic::new(hard_width);
        assert_eq!(GridProblem::evaluate(&hard, &HardSynthetic::ANSWER).map(|p| p.iter().sum::<f64>()), Ok(0.0));
        let base = BagNetConfig {
            max_steps: 1000,
            score_filter: true,
            max_queries_per_iter: max_queries,
            ..Default::default()
        };
        let bag = BagNetConfig { max_steps: 400, ..base.clone() };
        let rows = arms_of("synthetic", &hard, &base, &bag, &hard_nets, hard_seeds);
        show(
            &format!(
                "(a) synthetic, paper scale: 7 parameters x 99 values, 8 specs (4 slabs of relative width {hard_width}), the reference's settings"
            ),
            &rows,
            hard_seeds,
        );
        let (p, b) = (&rows[0].1, &rows[1].1);
        j.insert("synthetic_sim_ratio".into(), (p.sims / b.sims).into());
        j.insert("synthetic_sims_plain".into(), p.sims.into());
        j.insert("synthetic_sims_bagnet".into(), b.sims.into());
        j.insert("synthetic_converged_plain".into(), p.converged.into());
        j.insert("synthetic_converged_bagnet".into(), b.converged.into());
        j.insert("synthetic_final_cost_plain".into(), p.final_cost.into());
        j.insert("synthetic_final_cost_bagnet".into(), b.final_cost.into());
        j.insert("synthetic_filter_accuracy".into(), b.accuracy.into());
        j.insert("synthetic_accepted_truly_better".into(), b.precision.into());
        j.insert("synthetic_unfiltered_fills".into(), b.fills.into());
        j.insert("synthetic_train_s_bagnet".into(), b.train.into());
        j.insert("synthetic_seeds".into(), hard_seeds.into());
        if let Some(f) = rows.get(2) {
            j.insert("synthetic_sim_ratio_fast_training".into(), (p.sims / f.1.sims).into());
        }
    }

    // The small synthetic problem (a sanity problem: it cannot show 10x, see the README).
    if has("s") {
        let base = BagNetConfig {
            n_init: 40,
            k: 40,
            ref_rank: 5,
            max_steps: 400,
            score_filter: true,
            max_queries_per_iter: max_queries,
            ..Default::default()
        };
        let rows = arms_of("small-synthetic", &Synthetic, &base, &base, &small_nets, small_seeds);
        show("small synthetic: 6 parameters x 60 values, 4 specs", &rows, small_seeds);
        let (p, b) = (&rows[0].1, &rows[1].1);
        j.insert("small_synthetic_sim_ratio".into(), (p.sims / b.sims).into());
        j.insert("small_synthetic_sims_plain".into(), p.sims.into());
        j.insert("small_synthetic_sims_bagnet".into(), b.sims.into());
        j.insert("small_synthetic_filter_accuracy".into(), b.accuracy.into());
        j.insert("small_synthetic_accepted_truly_better".into(), b.precision.into());
        j.insert("small_synthetic_final_cost_plain".into(), p.final_cost.into());
        j.insert("small_synthetic_final_cost_bagnet".into(), b.final_cost.into());
        j.insert("small_synthetic_train_s_bagnet".into(), b.train.into());
        if let Some(f) = rows.get(2) {
            j.insert("small_synthetic_sim_ratio_fast_training".into(), (p.sims / f.1.sims).into());
        }
    }

    // (b) Op-amp, in process, tt.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/two_stage_bagnet");
    let tb = Testbench::from_file(&dir.join("problem.json")).expect("the op-amp problem");
    let amp = Circuit::new(&tb, &InProcess, 1);
    let obase = BagNetConfig {
        n_init: 50,
        k: 50,
        ref_rank: 10,
        max_steps: 300,
        score_rejected: 3,
        max_queries_per_iter: max_queries,
        ..Default::default()
    };
    let oplain_cfg = BagNetConfig { max_steps: plain_cap, ..obase.clone() };
    let main_net = opamp_nets.first().cloned().unwrap_or_else(|| "ref".into());
    if has("b") {
        let t_sim = sim_seconds(&amp, 15);
        let rows = arms_of("opamp", &amp, &oplain_cfg, &obase, &opamp_nets, opamp_seeds);
        show(
            &format!("(b) two-stage op-amp, generic180, tt 27 degC, 8 specs (one evaluation {:.1} ms)", t_sim * 1e3),
            &rows,
            opamp_seeds,
        );
        let (p, b) = (&rows[0].1, &rows[1].1);
        let break_even = b.train / (p.sims - b.sims).max(1.0);
        println!(
            "\nop-amp: plain over BagNet ({}) {:.2}x fewer simulations, {:.2}x wall clock; training {:.2} s per run: the filter pays in wall clock above {:.2} ms per evaluation (here {:.2} ms)",
            net_label(&main_net),
            p.sims / b.sims,
            p.wall / b.wall,
            b.train,
            break_even * 1e3,
            t_sim * 1e3
        );
        j.insert("opamp_sim_ratio".into(), (p.sims / b.sims).into());
        j.insert("opamp_sims_plain".into(), p.sims.into());
        j.insert("opamp_sims_bagnet".into(), b.sims.into());
        j.insert("opamp_converged_plain".into(), p.converged.into());
        j.insert("opamp_converged_bagnet".into(), b.converged.into());
        j.insert("opamp_final_cost_bagnet".into(), b.final_cost.into());
        j.insert("opamp_final_cost_plain".into(), p.final_cost.into());
        j.insert("opamp_wallclock_ratio".into(), (p.wall / b.wall).into());
        j.insert("opamp_filter_accuracy".into(), b.accuracy.into());
        j.insert("opamp_accepted_truly_better".into(), b.precision.into());
        j.insert("opamp_unfiltered_fills".into(), b.fills.into());
        j.insert("opamp_train_s_bagnet".into(), b.train.into());
        j.insert("opamp_sim_ms".into(), (t_sim * 1e3).into());
        j.insert("break_even_sim_ms".into(), (break_even * 1e3).into());
        j.insert("opamp_seeds".into(), opamp_seeds.into());
        j.insert("opamp_bagnet_training".into(), main_net.clone().into());
        if let Some(f) = rows.get(2) {
            j.insert("opamp_sim_ratio_fast_training".into(), (p.sims / f.1.sims).into());
            j.insert("opamp_wallclock_ratio_fast_training".into(), (p.wall / f.1.wall).into());
        }
    }

    // (c) Expensive: 3 corners (tt 27, ff -40, ss 125 degC), 2x finer transient, measured.
    if has("c") {
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
        let eplain = run_arm(plain_on, "expensive-plain", &amp3, &oplain_cfg, Filter::None, exp_seeds);
        let ebag = run_arm(
            bagnet_on,
            &format!("expensive-bagnet-{main_net}"),
            &amp3,
            &obase,
            Filter::Discriminator(net_of(&main_net)),
            exp_seeds,
        );
        std::fs::remove_dir_all(&fine).ok();
        table(
            &format!(
                "(c) expensive: the op-amp at 3 corners, 2x finer transient (one evaluation {:.1} ms), {exp_seeds} seeds",
                t_sim3 * 1e3
            ),
            &[("plain EA", &eplain), (net_label(&main_net), &ebag)],
            exp_seeds,
        );
        println!(
            "\nexpensive: plain over BagNet {:.2}x fewer simulations, {:.2}x wall clock (measured)",
            eplain.sims / ebag.sims,
            eplain.wall / ebag.wall
        );
        j.insert("expensive_sim_ms".into(), (t_sim3 * 1e3).into());
        j.insert("expensive_sim_ratio".into(), (eplain.sims / ebag.sims).into());
        j.insert("expensive_wallclock_ratio".into(), (eplain.wall / ebag.wall).into());
        j.insert("expensive_wall_s_plain".into(), eplain.wall.into());
        j.insert("expensive_wall_s_bagnet".into(), ebag.wall.into());
        j.insert("expensive_converged_plain".into(), eplain.converged.into());
        j.insert("expensive_converged_bagnet".into(), ebag.converged.into());
        j.insert("expensive_final_cost_plain".into(), eplain.final_cost.into());
        j.insert("expensive_final_cost_bagnet".into(), ebag.final_cost.into());
        j.insert("expensive_seeds".into(), exp_seeds.into());
        j.insert("expensive_measured".into(), true.into());
    }

    // (n) The op-amp of (b) through ngspice (one subprocess per evaluation), both arms measured.
    if has("n") {
        match insitu::sizing::ngspice::NgspiceEvaluator::new(&tb) {
            Err(e) => eprintln!("  ngspice part skipped: {e}"),
            Ok(ng) => {
                let ampn = Circuit::new(&tb, &ng, 1);
                let t_ng = sim_seconds(&ampn, 9);
                let nplain = run_arm(plain_on, "ngspice-plain", &ampn, &oplain_cfg, Filter::None, ng_seeds);
                let nbag = run_arm(
                    bagnet_on,
                    &format!("ngspice-bagnet-{main_net}"),
                    &ampn,
                    &obase,
                    Filter::Discriminator(net_of(&main_net)),
                    ng_seeds,
                );
                table(
                    &format!(
                        "(d) the op-amp of (b) through ngspice (one evaluation {:.1} ms), {ng_seeds} seeds",
                        t_ng * 1e3
                    ),
                    &[("plain EA", &nplain), (net_label(&main_net), &nbag)],
                    ng_seeds,
                );
                println!(
                    "\nngspice: plain over BagNet {:.2}x fewer simulations, {:.2}x wall clock (measured)",
                    nplain.sims / nbag.sims,
                    nplain.wall / nbag.wall
                );
                j.insert("ngspice_sim_ms".into(), (t_ng * 1e3).into());
                j.insert("ngspice_sim_ratio".into(), (nplain.sims / nbag.sims).into());
                j.insert("ngspice_wallclock_ratio".into(), (nplain.wall / nbag.wall).into());
                j.insert("ngspice_wall_s_plain".into(), nplain.wall.into());
                j.insert("ngspice_wall_s_bagnet".into(), nbag.wall.into());
                j.insert("ngspice_sims_plain".into(), nplain.sims.into());
                j.insert("ngspice_sims_bagnet".into(), nbag.sims.into());
                j.insert("ngspice_converged_plain".into(), nplain.converged.into());
                j.insert("ngspice_converged_bagnet".into(), nbag.converged.into());
                j.insert("ngspice_final_cost_plain".into(), nplain.final_cost.into());
                j.insert("ngspice_final_cost_bagnet".into(), nbag.final_cost.into());
                j.insert("ngspice_seeds".into(), ng_seeds.into());
            }
        }
    }
    println!("RESULT {}", serde_json::Value::Object(j));
}

/// Object-safe view of a grid problem (the arms take `&dyn`).
trait GridProblemDyn: Sync {
    fn grid(&self) -> &[usize];
    fn n_specs(&self) -> usize;
    fn evaluate(&self, idx: &[usize]) -> Result<Vec<f64>, String>;
}

impl<T: GridProblem> GridProblemDyn for T {
    fn grid(&self) -> &[usize] {
        GridProblem::grid(self)
    }
    fn n_specs(&self) -> usize {
        GridProblem::n_specs(self)
    }
    fn evaluate(&self, idx: &[usize]) -> Result<Vec<f64>, String> {
        GridProblem::evaluate(self, idx)
    }
}

/// A `&dyn GridProblemDyn` as a [`GridProblem`].
struct DynProblem<'a>(&'a dyn GridProblemDyn);

impl GridProblem for DynProblem<'_> {
    fn grid(&self) -> &[usize] {
        self.0.grid()
    }
    fn n_specs(&self) -> usize {
        self.0.n_specs()
    }
    fn evaluate(&self, idx: &[usize]) -> Result<Vec<f64>, String> {
        self.0.evaluate(idx)
    }
}

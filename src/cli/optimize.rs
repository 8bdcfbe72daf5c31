//! `insitu optimize`: the sizing loop on a problem file.

use super::{emit, fail, EXIT_INPUT};
use insitu::sizing::{Algorithm, Evaluator, InProcess, Session, Status, Testbench};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Command-line options of `insitu optimize`.
#[derive(clap::Args, Debug)]
pub struct OptimizeArgs {
    /// The problem file (JSON).
    pub problem: PathBuf,
    /// Optimizer: trace, random, lhs, pso, eipf, pipf, mace, de, bagnet (default: the problem's).
    #[arg(long)]
    pub algo: Option<String>,
    /// History file (default: beside the problem file, named with a timestamp).
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Continue the run saved in this history file.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// Write the convergence and the best design's Bode plot (.svg or .png).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Simulator for every candidate: insitu (in-process) or ngspice (subprocess).
    #[arg(long, default_value = "insitu")]
    pub simulator: String,
    /// Re-simulate the best design in ngspice and print both measurement tables.
    #[arg(long)]
    pub verify: bool,
    /// Print the final result as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
}

/// `YYYYmmdd-HHMMSS` (UTC) of now.
fn timestamp() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86400) as i64, secs % 86400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}-{:02}{:02}{:02}", rem / 3600, (rem / 60) % 60, rem % 60)
}

fn default_history(problem: &Path) -> PathBuf {
    let stem = problem.file_stem().and_then(|s| s.to_str()).unwrap_or("problem");
    problem.with_file_name(format!("{stem}_history_{}.json", timestamp()))
}

/// Runs `insitu optimize`.
pub fn optimize(a: &OptimizeArgs) -> ExitCode {
    let tb = match Testbench::from_file(&a.problem) {
        Ok(t) => t,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    for w in tb.warnings() {
        eprintln!("warning: {w}");
    }
    let algo = match &a.algo {
        Some(n) => match Algorithm::from_name(n) {
            Some(x) => Some(x),
            None => {
                return fail(EXIT_INPUT, &format!("--algo: unknown algorithm '{n}' ({})", Algorithm::NAMES.join(", ")))
            }
        },
        None => None,
    };
    let ng_eval;
    let ev: &dyn Evaluator = match a.simulator.as_str() {
        "insitu" => &InProcess,
        "ngspice" => match insitu::sizing::ngspice::NgspiceEvaluator::new(&tb) {
            Ok(e) => {
                ng_eval = e;
                &ng_eval
            }
            Err(e) => return fail(EXIT_INPUT, &format!("--simulator ngspice: {e}")),
        },
        other => return fail(EXIT_INPUT, &format!("--simulator: expected insitu or ngspice, got '{other}'")),
    };
    let mut session = match &a.resume {
        Some(h) => match Session::resume(&tb, h, ev) {
            Ok(s) => s,
            Err(e) => return fail(EXIT_INPUT, &e),
        },
        None => {
            let path = a.history.clone().unwrap_or_else(|| default_history(&a.problem));
            Session::new(&tb, algo, Some(path), ev)
        }
    };
    if let Some(p) = &session.path {
        eprintln!("history: {}", p.display());
    }
    let budget = tb.problem.budget.max_iterations as u64;
    let bar = (!std::io::stdout().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(budget);
        b.set_style(
            indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let status = session.run(&mut |block: &str| {
        emit(block);
        if let Some(b) = &bar {
            b.set_position(block_iteration(block).unwrap_or(0));
            if let Some(line) = block.lines().find(|l| l.starts_with("Cost:")) {
                b.set_message(line.to_string());
            }
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let status = match status {
        Ok(s) => s,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    emit(&session.final_report());
    let bagnet = bagnet_metrics(&session);
    if let Some((text, _)) = &bagnet {
        emit(text);
    }
    if let Some(p) = &a.plot {
        match insitu::sizing::plot::write(&session, p) {
            Ok(()) => eprintln!("plot: {}", p.display()),
            Err(e) => eprintln!("warning: plot: {e}"),
        }
    }
    if a.verify {
        match insitu::sizing::ngspice::verify(&session) {
            Ok(t) => emit(&t),
            Err(e) => eprintln!("warning: --verify: {e}"),
        }
    }
    let feasible = session.best().is_some_and(|b| b.feasible);
    if a.json {
        let mut j = insitu::sizing::session::result_json(&session);
        if let Some((_, b)) = &bagnet {
            if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&j) {
                v["bagnet"] = b.clone();
                j = v.to_string();
            }
        }
        emit(&format!("{j}\n"));
    }
    if status == Status::Converged || feasible {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The iteration number in a block's first line (`── Iteration 12/200 ...`).
fn block_iteration(block: &str) -> Option<u64> {
    let first = block.lines().next()?;
    let rest = first.split("Iteration ").nth(1)?;
    rest.split('/').next()?.trim().parse().ok()
}

/// BagNet's run metrics (from the agent state saved in the history): the printed lines and the
/// `bagnet` object of `--json`.
fn bagnet_metrics(s: &Session) -> Option<(String, serde_json::Value)> {
    let agent = s.history.optimizer.agent.as_ref()?;
    let m: insitu_optimizer::bagnet::AgentMetrics = serde_json::from_value(agent.get("metrics")?.clone()).ok()?;
    let sims = s.history.optimizer.evaluations.len();
    let score = m.score.clone().unwrap_or_default();
    let trace: Vec<f64> = m.cost_trace.clone();
    let fmt_trace: Vec<String> = trace.iter().map(|c| format!("{c:.3}")).collect();
    let text = format!(
        "BagNet: {sims} simulations (+{} to score the filter), {} NN queries, training {:.2} s ({} rounds, {} Adam steps), {} batches filled without the filter\n\
         BagNet filter vs the truth: accuracy {:.3} over {} scored queries (rejections sampled), accepted designs truly better than the reference {:.3} ({} of {})\n\
         BagNet cost trace (sum of penalties after each batch): {}\n",
        m.score_sims,
        m.n_queries,
        m.train_seconds,
        m.train_rounds,
        m.train_steps,
        m.unfiltered_fills,
        score.accuracy(),
        score.queries,
        score.precision(),
        score.true_accept,
        score.true_accept + score.false_accept,
        fmt_trace.join(" ")
    );
    let json = serde_json::json!({
        "simulations": sims,
        "score_simulations": m.score_sims,
        "nn_queries": m.n_queries,
        "train_seconds": m.train_seconds,
        "train_rounds": m.train_rounds,
        "adam_steps": m.train_steps,
        "unfiltered_fills": m.unfiltered_fills,
        "filter_accuracy": score.accuracy(),
        "accepted_truly_better": score.precision(),
        "scored_queries": score.queries,
        "critical_specs": agent.get("critical"),
        "cost_trace": trace,
    });
    Some((text, json))
}

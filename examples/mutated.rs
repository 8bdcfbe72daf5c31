//! Mutated decks (`insitu::fuzz`) in insitu and in ngspice: who fails where.
//!
//! `cargo run --release --example mutated -- --decks 600 --seed 20261202 [--dump DIR] [--case I]`
//!
//! Each case is one of the repository's decks with one to three numbers replaced by odd
//! values (0, -1, 1e30, 1e-30, 1e308...) or a line deleted. A case insitu rejects as input
//! (a parse or parameter error) or whose analyses are too long to run is counted as such;
//! the others run in both simulators (at `insitu::gen::OPTIONS`, reltol 1e-6), and a
//! transient outside the tolerances agrees when insitu is as close to ngspice at reltol 1e-7
//! as ngspice is (`insitu::gen::judge`, the generated decks' test). Prints one
//! line per case that fails in one simulator or disagrees (`--dump DIR` also writes those
//! decks), and last `RESULT {json}` with the counts.

use insitu::check::{compare, prepare_deck, Tolerances};
use insitu::fuzz::{affordable, mutate, repository_decks};
use insitu::gen::{judge, OPTIONS, TIGHT_OPTIONS};
use insitu::ngspice::{Ngspice, NgspiceRun};
use insitu_netlist::Analysis;
use insitu_solver::Simulator;
use rand::seq::IndexedRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What happened to one case.
enum Case {
    /// insitu rejects the deck as input (parse, elaboration or device parameter error).
    Rejected,
    /// An analysis asks for more points than a test runs.
    Unaffordable,
    /// Not run: `--case` asked for another one.
    Skipped,
    /// Both ran every analysis; the rows outside the check's tolerances (none: they agree).
    Both(Vec<String>),
    InsituOnly(String),
    NgspiceOnly(String),
    Neither,
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|k| args.get(k + 1)).cloned()
}

/// The first word of a plot or dataset name, lower case ("transient", "ac", ...).
fn key(name: &str) -> String {
    name.split_whitespace().next().unwrap_or("").to_ascii_lowercase()
}

/// Whether ngspice finished every analysis: no abort in its log, a plot of each kind, with
/// finite values, and transients that reach 95 % of their stop time.
fn finished(run: &NgspiceRun, analyses: &[Analysis]) -> Result<(), String> {
    let (plots, log) = (&run.plots, &run.log);
    // ngspice's own abort ("Timestep too small") is its failure, however far its rawfile got.
    if let Some(why) = run.aborted() {
        return Err(why);
    }
    for a in analyses {
        let want = match a {
            Analysis::Op => "operating",
            Analysis::Dc { .. } => "dc",
            Analysis::Ac { .. } => "ac",
            Analysis::Tran { .. } => "transient",
            Analysis::Noise { .. } => "noise",
        };
        let Some(p) = plots.iter().find(|p| key(&p.name) == want) else {
            let why = log.lines().find(|l| l.contains("rror") || l.contains("too small") || l.contains("abort"));
            return Err(format!("no {want} plot ({})", why.unwrap_or("").trim()));
        };
        if p.real.iter().flatten().chain(p.cplx.iter().flatten().flat_map(|z| [&z.re, &z.im])).any(|v| !v.is_finite()) {
            return Err(format!("a non-finite value in its {want} plot"));
        }
        if let Analysis::Tran { tstop, .. } = a {
            let end = p.real.first().and_then(|t| t.last()).copied().unwrap_or(f64::NAN);
            if end.is_nan() || end < 0.95 * tstop {
                return Err(format!("transient stopped at t={end:.4e}"));
            }
        }
    }
    Ok(())
}

fn run_case(path: &Path, deck: &str, ng: &Ngspice, dir: &Path) -> Case {
    // Both simulators run at the generated decks' tight Newton tolerances, so that a
    // difference is one of equations rather than of where each stopped iterating.
    let text = prepare_deck(deck, path.parent().unwrap_or(Path::new(".")), OPTIONS);
    let Ok(circuit) = insitu_pdk::load_deck_str(&text, path) else { return Case::Rejected };
    if !circuit.analyses.iter().all(affordable) {
        return Case::Unaffordable;
    }
    let analyses = circuit.analyses.clone();
    let Ok(mut sim) = Simulator::new(circuit) else { return Case::Rejected };
    let ours = sim.run_all().map_err(|e| e.to_string());
    let theirs = ng.run(&text, dir).map_err(|e| e.to_string()).and_then(|r| {
        finished(&r, &analyses)?;
        Ok(r.plots)
    });
    match (ours, theirs) {
        (Ok(o), Ok(t)) => {
            let report = compare(&o, &t, &Tolerances::default());
            // Transients as the generated decks judge them: against ngspice at reltol 1e-7.
            let base = path.parent().unwrap_or(Path::new("."));
            let mut reference = || {
                let tight = prepare_deck(deck, base, TIGHT_OPTIONS);
                ng.run(&tight, &dir.join("tight")).ok().map(|r| r.plots)
            };
            let mut failing: Vec<String> = report.problems.clone();
            failing.extend(judge(&report, &o, &t, &mut reference).failing);
            Case::Both(failing)
        }
        (Err(e), Ok(_)) => Case::InsituOnly(e),
        (Ok(_), Err(e)) => Case::NgspiceOnly(e),
        (Err(_), Err(_)) => Case::Neither,
    }
}

/// With `--dump DIR`, writes case `i`'s deck to `DIR/case_<i>.cir`.
fn dump_case(dir: Option<&Path>, i: usize, deck: &str) {
    if let Some(d) = dir {
        std::fs::create_dir_all(d).expect("create the --dump directory");
        std::fs::write(d.join(format!("case_{i}.cir")), deck).expect("write a deck");
    }
}

fn main() {
    let n: usize = arg("--decks").map_or(600, |v| v.parse().expect("--decks expects a number"));
    let seed: u64 = arg("--seed").map_or(20261202, |v| v.parse().expect("--seed expects a number"));
    let dump = arg("--dump").map(PathBuf::from);
    let Some(mut ng) = Ngspice::find() else {
        eprintln!("ngspice not found: nothing to compare against");
        std::process::exit(2);
    };
    ng.timeout = Duration::from_secs(120);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let decks = repository_decks(root).expect("read the repository's decks");
    // The same stream of cases as `tests/fuzz_sim.rs` for the same seed.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cases: Vec<(PathBuf, String)> = (0..n)
        .map(|_| {
            let (path, text) = decks.choose(&mut rng).unwrap();
            (path.clone(), mutate(text, &mut rng))
        })
        .collect();
    // `--case I`: only case I of the stream (to reproduce one; with `--dump`, its deck).
    let only: Option<usize> = arg("--case").map(|v| v.parse().expect("--case expects a number"));
    let base = std::env::temp_dir().join(format!("insitu-mutated-{}", std::process::id()));
    let t0 = std::time::Instant::now();
    let results: Vec<Case> = cases
        .par_iter()
        .enumerate()
        .map(|(i, (p, d))| match only {
            Some(k) if k != i => Case::Skipped,
            _ => run_case(p, d, &ng, &base.join(i.to_string())),
        })
        .collect();
    let _ = std::fs::remove_dir_all(&base);
    let (mut rejected, mut unaffordable, mut both, mut agree, mut ins_only, mut ng_only, mut neither) =
        (0, 0, 0, 0, 0, 0, 0);
    for (i, r) in results.iter().enumerate() {
        let (path, deck) = &cases[i];
        let name = path.strip_prefix(root).unwrap_or(path).display();
        match r {
            Case::Rejected => rejected += 1,
            Case::Unaffordable => unaffordable += 1,
            Case::Skipped => {}
            Case::Both(failing) => {
                both += 1;
                agree += usize::from(failing.is_empty());
                if let Some(first) = failing.first() {
                    println!("case {i} ({name}): disagrees in {} vectors, first {first}", failing.len());
                    dump_case(dump.as_deref(), i, deck);
                }
            }
            Case::InsituOnly(e) => {
                ins_only += 1;
                println!("case {i} ({name}): INSITU-ONLY FAILURE {e}");
                dump_case(dump.as_deref(), i, deck);
            }
            Case::NgspiceOnly(e) => {
                ng_only += 1;
                println!("case {i} ({name}): ngspice-only failure {e}");
                dump_case(dump.as_deref(), i, deck);
            }
            Case::Neither => neither += 1,
        }
    }
    println!(
        "\n{n} mutated decks (seed {seed}) in {:.1} s: rejected as input by insitu {rejected}, too long to run \
         {unaffordable}; ran: both {both} (agree {agree}), insitu-only failures {ins_only}, ngspice-only failures \
         {ng_only}, both failed {neither}",
        t0.elapsed().as_secs_f64()
    );
    let json = serde_json::json!({
        "decks": n,
        "seed": seed,
        "rejected_as_input": rejected,
        "unaffordable": unaffordable,
        "both_converged": both,
        "agree": agree,
        "insitu_only_failures": ins_only,
        "ngspice_only_failures": ng_only,
        "both_failed": neither,
    });
    println!("RESULT {json}");
}

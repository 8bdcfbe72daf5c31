//! Random circuits in insitu and in ngspice: how many converge in both, in one only, and how
//! many agree (`insitu::gen` builds and runs them).
//!
//! `cargo run --release --example robustness -- --decks 1000 --seed 1`
//!
//! Prints one line per deck that did not converge in both or did not agree, a table per
//! family, and last `RESULT {json}` with the counts and the ring-period error statistics.

use insitu::gen::{generate, run_deck, Family, Outcome};
use insitu::ngspice::Ngspice;
use rayon::prelude::*;
use std::collections::BTreeMap;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|k| args.get(k + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} expects a number, got '{v}'")))
        .unwrap_or(default)
}

fn main() {
    let decks = arg("--decks", 200) as usize;
    let seed = arg("--seed", 1);
    let Some(ng) = Ngspice::find() else {
        eprintln!("ngspice not found: nothing to compare against");
        std::process::exit(2);
    };
    let base = std::env::temp_dir().join(format!("insitu-robustness-{}", std::process::id()));
    // `--dump DIR`: also write every deck to DIR/deck_<i>.cir (to reproduce one by hand).
    let args: Vec<String> = std::env::args().collect();
    let dump = args.iter().position(|a| a == "--dump").and_then(|k| args.get(k + 1)).map(std::path::PathBuf::from);
    if let Some(d) = &dump {
        std::fs::create_dir_all(d).expect("create the --dump directory");
        for i in 0..decks {
            std::fs::write(d.join(format!("deck_{i}.cir")), generate(seed, i).text).expect("write a deck");
        }
    }
    let t0 = std::time::Instant::now();
    let results: Vec<_> = (0..decks)
        .into_par_iter()
        .map(|i| {
            let deck = generate(seed, i);
            let r = run_deck(&deck, &ng, &base.join(i.to_string()));
            (i, deck, r)
        })
        .collect();
    let _ = std::fs::remove_dir_all(&base);
    let (mut both, mut ins_only, mut ng_only, mut neither, mut agree, mut strict) = (0, 0, 0, 0, 0, 0);
    // The same test with the roles swapped: ngspice at the deck's tolerance judged against its
    // own reltol 1e-7 answer, with insitu as the peer it must be as close as.
    let (mut mirror, mut mirror_strict) = (0, 0);
    let mut per_family: BTreeMap<Family, [usize; 5]> = BTreeMap::new();
    let mut periods = Vec::new();
    for (i, deck, r) in &results {
        let row = per_family.entry(deck.family).or_default();
        row[0] += 1;
        let tag = if deck.bsim { "bsim" } else { "level1" };
        match &r.outcome {
            Outcome::Both { agree: a, strict: s, mirror: m, mirror_strict: ms, detail } => {
                both += 1;
                row[1] += 1;
                strict += usize::from(*s);
                mirror += usize::from(*m);
                mirror_strict += usize::from(*ms);
                if !*m && *a {
                    println!("deck {i} ({} {tag}): ngspice fails the mirrored test: {detail}", deck.family.name());
                }
                if *a {
                    agree += 1;
                    row[2] += 1;
                } else {
                    println!("deck {i} ({} {tag}): DISAGREE {detail}", deck.family.name());
                }
            }
            Outcome::InsituOnly(e) => {
                ins_only += 1;
                row[3] += 1;
                println!("deck {i} ({} {tag}): INSITU-ONLY FAILURE {e}", deck.family.name());
            }
            Outcome::NgspiceOnly(e) => {
                ng_only += 1;
                row[4] += 1;
                println!("deck {i} ({} {tag}): ngspice-only failure {e}", deck.family.name());
            }
            Outcome::Neither(e) => {
                neither += 1;
                println!("deck {i} ({} {tag}): both failed {e}", deck.family.name());
            }
        }
        if let Some(e) = r.period_error {
            periods.push(e.abs());
        }
    }
    println!(
        "\n{:<16} {:>6} {:>6} {:>6} {:>12} {:>13}",
        "family", "decks", "both", "agree", "insitu-only", "ngspice-only"
    );
    for (f, r) in &per_family {
        println!("{:<16} {:>6} {:>6} {:>6} {:>12} {:>13}", f.name(), r[0], r[1], r[2], r[3], r[4]);
    }
    periods.sort_by(|a, b| a.total_cmp(b));
    let median = periods.get(periods.len() / 2).copied().unwrap_or(f64::NAN);
    let max = periods.last().copied().unwrap_or(f64::NAN);
    println!(
        "\n{decks} decks (seed {seed}) in {:.1} s: both converged {both}, agree {agree} ({strict} strictly), \
         ngspice under the mirrored test {mirror} ({mirror_strict} strictly), insitu-only failures {ins_only}, \
         ngspice-only failures {ng_only}, both failed {neither}; ring periods: {} compared, median |error| {:.2e}, max {:.2e}",
        t0.elapsed().as_secs_f64(),
        periods.len(),
        median,
        max
    );
    let json = serde_json::json!({
        "decks": decks,
        "seed": seed,
        "both_converged": both,
        "insitu_only_failures": ins_only,
        "ngspice_only_failures": ng_only,
        "both_failed": neither,
        "agree": agree,
        "agree_strict": strict,
        "ngspice_mirror_agree": mirror,
        "ngspice_mirror_agree_strict": mirror_strict,
        "rings_compared": periods.len(),
        "ring_period_rel_error_median": if median.is_finite() { Some(median) } else { None },
        "ring_period_rel_error_max": if max.is_finite() { Some(max) } else { None },
    });
    println!("RESULT {json}");
}

//! Mutated decks through the whole simulator: parse, elaborate, compile and run every
//! analysis. Whatever the numbers become (zero, negative, 1e30, 1e-30, a line deleted), the
//! simulator returns a result or an error: it never panics and never returns a non-finite
//! number as a result. The decks are the repository's own (tests/decks, tests/bsim3v3,
//! examples); each mutation is reproducible from the test's seed: `FUZZ_TRACE=1` prints each
//! case's time and `FUZZ_DUMP=N` the deck of case N.

use insitu_netlist::Analysis;
use insitu_solver::{Data, Simulator};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Values a mutation writes in place of a number.
const ODD: [&str; 12] = ["0", "-1", "1e30", "1e-30", "1e9", "-1e-3", "0.0", "1e-12", "1e3", "-5", "100meg", "1e308"];

/// Mutated decks tried (about 25 s on 2 cores).
const CASES: usize = 600;

fn decks() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["tests/decks", "tests/bsim3v3", "examples"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "cir"))
            .collect();
        paths.sort();
        out.extend(paths.into_iter().map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        }));
    }
    out
}

/// Byte ranges of the numbers (with a SPICE suffix) on a line.
fn numbers(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'.'));
        if !starts {
            i += 1;
            continue;
        }
        let s = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
            i += 1;
        }
        out.push((s, i));
    }
    out
}

fn mutate(text: &str, rng: &mut ChaCha8Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..rng.random_range(1..=3) {
        let k = rng.random_range(1..lines.len().max(2));
        let Some(line) = lines.get(k) else { continue };
        if line.trim_start().starts_with('*') || line.trim().is_empty() {
            continue;
        }
        if rng.random_bool(0.15) {
            lines[k].clear();
            continue;
        }
        let spots = numbers(line);
        if let Some(&(s, e)) = spots.choose(rng) {
            let odd = ODD.choose(rng).unwrap();
            lines[k] = format!("{}{odd}{}", &line[..s], &line[e..]);
        }
    }
    lines.join("\n")
}

/// Whether an analysis is small enough to run here (a mutation can ask for 1e30 seconds).
fn affordable(a: &Analysis) -> bool {
    match a {
        Analysis::Tran { tstep, tstop, tstart, tmax, .. } => {
            let step = tmax.map_or(*tstep, |m| m.min(*tstep));
            (tstop - tstart) / step <= 2e4 && *tstop <= 1e-3
        }
        Analysis::Dc { sweeps } => {
            sweeps.iter().map(|s| ((s.stop - s.start) / s.step).abs() + 1.0).product::<f64>() <= 2e4
        }
        Analysis::Ac { grid } | Analysis::Noise { grid, .. } => {
            grid.points <= 1000 && grid.fstart > 0.0 && grid.fstop / grid.fstart <= 1e15
        }
        Analysis::Op => true,
    }
}

/// Runs a deck; `Err` describes a panic or a non-finite result.
fn exercise(path: &Path, text: &str) -> Result<(), String> {
    let Ok(circuit) = insitu_pdk::load_deck_str(text, path) else { return Ok(()) };
    if !circuit.analyses.iter().all(affordable) {
        return Ok(());
    }
    let run = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        let Ok(mut sim) = Simulator::new(circuit) else { return Ok(()) };
        let Ok(results) = sim.run_all() else { return Ok(()) };
        for d in &results {
            for v in d.scale.iter().chain(&d.vectors) {
                let finite = match &v.data {
                    Data::Real(x) => x.iter().all(|x| x.is_finite()),
                    Data::Complex(x) => x.iter().all(|z| z.re.is_finite() && z.im.is_finite()),
                };
                if !finite {
                    return Err(format!("{}: '{}' holds a non-finite value", d.name, v.name));
                }
            }
        }
        Ok(())
    }));
    run.unwrap_or_else(|p| {
        let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
        Err(format!("panic: {}", msg.unwrap_or_default()))
    })
}

#[test]
fn mutated_decks_never_panic_or_return_non_finite_results() {
    let decks = decks();
    assert!(decks.len() >= 20, "found {} decks", decks.len());
    let mut rng = ChaCha8Rng::seed_from_u64(20261202);
    let mut bad = Vec::new();
    for case in 0..CASES {
        let (path, text) = decks.choose(&mut rng).unwrap();
        let deck = mutate(text, &mut rng);
        if std::env::var("FUZZ_DUMP").is_ok_and(|c| c == case.to_string()) {
            eprintln!("{}\n{deck}", path.display());
        }
        let t = std::time::Instant::now();
        let r = exercise(path, &deck);
        if std::env::var_os("FUZZ_TRACE").is_some() {
            eprintln!("case {case} {} {:.3} s", path.display(), t.elapsed().as_secs_f64());
        }
        if let Err(e) = r {
            bad.push(format!("case {case} from {}: {e}\n{deck}", path.display()));
        }
    }
    assert!(bad.is_empty(), "{} of {CASES} mutated decks misbehaved:\n{}", bad.len(), bad.join("\n\n"));
}

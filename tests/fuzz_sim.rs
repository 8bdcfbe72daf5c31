//! Mutated decks through the whole simulator: parse, elaborate, compile and run every
//! analysis. Whatever the numbers become (zero, negative, 1e30, 1e-30, a line deleted), the
//! simulator returns a result or an error: it never panics and never returns a non-finite
//! number as a result. The decks are the repository's own (tests/decks, tests/bsim3v3,
//! examples); each mutation is reproducible from the test's seed: `FUZZ_TRACE=1` prints each
//! case's time and `FUZZ_DUMP=N` the deck of case N.

use insitu::fuzz::{affordable, mutate, repository_decks};
use insitu_solver::{Data, Simulator};
use rand::seq::IndexedRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Mutated decks tried (about 25 s on 2 cores).
const CASES: usize = 600;

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
    let decks = repository_decks(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
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

//! Mutated decks: the repository's own decks with one to three numbers replaced by odd values
//! (0, -1, 1e30, 1e-30, 1e308...) or a line deleted. `tests/fuzz_sim.rs` runs them for panics
//! and non-finite results; `examples/mutated.rs` runs them in insitu and ngspice and counts
//! who fails where.

use insitu_netlist::Analysis;
use rand::seq::IndexedRandom;
use rand::Rng;
use std::path::{Path, PathBuf};

/// Values a mutation writes in place of a number.
pub const ODD: [&str; 12] =
    ["0", "-1", "1e30", "1e-30", "1e9", "-1e-3", "0.0", "1e-12", "1e3", "-5", "100meg", "1e308"];

/// The decks mutations start from: every `.cir` of `tests/decks`, `tests/bsim3v3` and
/// `examples` under `root` (the repository), sorted by path, with their text.
pub fn repository_decks(root: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for dir in ["tests/decks", "tests/bsim3v3", "examples"] {
        let mut paths = Vec::new();
        for e in std::fs::read_dir(root.join(dir))? {
            let p = e?.path();
            if p.extension().is_some_and(|x| x == "cir") {
                paths.push(p);
            }
        }
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p)?;
            out.push((p, text));
        }
    }
    Ok(out)
}

/// Byte ranges of the numbers (with a SPICE suffix) on a line.
///
/// ```
/// assert_eq!(insitu::fuzz::numbers("r1 a b 10k"), vec![(7, 10)]);
/// assert_eq!(insitu::fuzz::numbers("cgdo=3.1e-10"), vec![(5, 12)]);
/// ```
pub fn numbers(line: &str) -> Vec<(usize, usize)> {
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
        // An exponent's sign is part of the number (`3.1e-10`; replacing `3.1e` alone left
        // `1e30-10`, a deck no one writes).
        let exponent_sign = |i: usize| {
            matches!(b[i], b'+' | b'-')
                && matches!(b[i - 1], b'e' | b'E')
                && (b[i - 2].is_ascii_digit() || b[i - 2] == b'.')
                && b.get(i + 1).is_some_and(u8::is_ascii_digit)
        };
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || (i >= s + 2 && exponent_sign(i))) {
            i += 1;
        }
        out.push((s, i));
    }
    out
}

/// `text` with one to three of its lines (not the title, not comments) mutated: a number
/// replaced by one of [`ODD`], or (15 %) the line deleted.
pub fn mutate(text: &str, rng: &mut impl Rng) -> String {
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

/// Whether an analysis is small enough to run in a test (a mutation can ask for 1e30
/// seconds or points).
pub fn affordable(a: &Analysis) -> bool {
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

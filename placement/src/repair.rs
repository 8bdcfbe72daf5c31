//! Repair: turning a sequence pair into one that fits the outline.
//!
//! Random pairs rarely fit the pad-ring outline (none of 200 000 for ami49), so the searches
//! start from repaired pairs: a greedy descent on the overflow `max(0, w/W - 1) + max(0, h/H - 1)`
//! of the packing, by random moves (swap two blocks in `s1`, in `s2`, or in both), accepting
//! moves that do not increase it, with a random kick after a long plateau.

use crate::design::Design;
use crate::seqpair::{pack, SeqPair};
use rand::Rng;

/// Relative overflow of a pair's packing (0 when it fits).
pub fn overflow(design: &Design, sp: &SeqPair) -> f64 {
    let p = pack(design, sp);
    (p.width / design.outline.0 - 1.0).max(0.0) + (p.height / design.outline.1 - 1.0).max(0.0)
}

/// A random move: swap two distinct blocks in `s1`, in `s2`, or in both.
pub fn random_move(sp: &mut SeqPair, rng: &mut impl Rng) {
    let n = sp.n();
    if n < 2 {
        return;
    }
    let a = rng.random_range(0..n);
    let mut b = rng.random_range(0..n - 1);
    if b >= a {
        b += 1;
    }
    match rng.random_range(0..3) {
        0 => sp.s1.swap(a, b),
        1 => sp.s2.swap(a, b),
        _ => {
            // swap the same two blocks in both sequences
            let (x, y) = (sp.s1[a], sp.s1[b]);
            sp.s1.swap(a, b);
            let (i, j) = (sp.s2.iter().position(|&v| v == x).unwrap(), sp.s2.iter().position(|&v| v == y).unwrap());
            sp.s2.swap(i, j);
        }
    }
}

/// Repairs `sp` in place; returns whether it fits after at most `max_moves` moves.
pub fn repair(design: &Design, sp: &mut SeqPair, max_moves: usize, rng: &mut impl Rng) -> bool {
    let mut cur = overflow(design, sp);
    let mut stall = 0;
    for _ in 0..max_moves {
        if cur == 0.0 {
            return true;
        }
        let mut cand = sp.clone();
        random_move(&mut cand, rng);
        let o = overflow(design, &cand);
        if o <= cur {
            stall = if o < cur { 0 } else { stall + 1 };
            *sp = cand;
            cur = o;
        } else {
            stall += 1;
        }
        if stall > 2000 {
            random_move(sp, rng);
            cur = overflow(design, sp);
            stall = 0;
        }
    }
    cur == 0.0
}

/// A random pair that fits, found by repairing random pairs (`None` after `tries` failures).
pub fn random_feasible(design: &Design, rng: &mut impl Rng, tries: usize) -> Option<SeqPair> {
    for _ in 0..tries {
        let mut sp = SeqPair::random(design.n(), rng);
        if repair(design, &mut sp, 200_000, rng) {
            return Some(sp);
        }
    }
    None
}

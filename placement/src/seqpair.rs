//! Sequence pairs (Murata et al. 1995) and their packing by weighted longest common subsequence.
//!
//! `a` is left of `b` iff `a` precedes `b` in both sequences; `a` is below `b` iff `a` follows
//! `b` in `s1` and precedes it in `s2`. [`pack`] computes the lower-left packing in
//! O(n log n) (Tang, Tian & Wong 2000: a staircase of (position in `s2`, end coordinate) in a
//! `BTreeMap`); [`pack_reference`] is the O(n^2) definition, kept for the tests.

use crate::design::Design;
use rand::seq::SliceRandom;
use rand::Rng;
use std::collections::BTreeMap;

/// Two permutations of the block indices `0..n`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeqPair {
    pub s1: Vec<usize>,
    pub s2: Vec<usize>,
}

/// Block lower-left corners of a packing at the origin, and its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Packing {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub width: f64,
    pub height: f64,
}

/// Relative position of two blocks under a sequence pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Left,
    Right,
    Below,
    Above,
}

impl SeqPair {
    /// Both sequences `0, 1, .., n-1` (all blocks in a row).
    pub fn identity(n: usize) -> Self {
        SeqPair { s1: (0..n).collect(), s2: (0..n).collect() }
    }
    /// A uniformly random pair.
    pub fn random(n: usize, rng: &mut impl Rng) -> Self {
        let mut sp = Self::identity(n);
        sp.s1.shuffle(rng);
        sp.s2.shuffle(rng);
        sp
    }
    /// Number of blocks.
    pub fn n(&self) -> usize {
        self.s1.len()
    }
    /// Positions: `pos.0[b]` is the index of block `b` in `s1`, `pos.1[b]` in `s2`.
    pub fn positions(&self) -> (Vec<usize>, Vec<usize>) {
        let mut p1 = vec![0; self.n()];
        let mut p2 = vec![0; self.n()];
        for (i, &b) in self.s1.iter().enumerate() {
            p1[b] = i;
        }
        for (i, &b) in self.s2.iter().enumerate() {
            p2[b] = i;
        }
        (p1, p2)
    }
    /// Where `a` lies relative to `b`.
    pub fn relation(pos: &(Vec<usize>, Vec<usize>), a: usize, b: usize) -> Relation {
        match (pos.0[a] < pos.0[b], pos.1[a] < pos.1[b]) {
            (true, true) => Relation::Left,
            (false, false) => Relation::Right,
            (false, true) => Relation::Below,
            (true, false) => Relation::Above,
        }
    }
    /// Whether both sequences are permutations of `0..n`.
    pub fn is_valid(&self) -> bool {
        let n = self.n();
        let ok = |s: &[usize]| {
            let mut seen = vec![false; n];
            s.len() == n && s.iter().all(|&b| b < n && !std::mem::replace(&mut seen[b], true))
        };
        ok(&self.s1) && ok(&self.s2)
    }
}

/// Longest weighted path by the staircase: for `order` and key `key[b]`, the start of `b` is the
/// largest end among processed blocks with a smaller key.
fn lcs_fast(order: impl Iterator<Item = usize>, key: &[usize], size: &[f64], start: &mut [f64]) -> f64 {
    let mut stair: BTreeMap<usize, f64> = BTreeMap::new();
    for b in order {
        let k = key[b];
        let s = stair.range(..k).next_back().map_or(0.0, |(_, &v)| v);
        start[b] = s;
        let end = s + size[b];
        stair.insert(k, end);
        let dominated: Vec<usize> = stair.range(k + 1..).take_while(|(_, &v)| v <= end).map(|(&kk, _)| kk).collect();
        for kk in dominated {
            stair.remove(&kk);
        }
    }
    stair.values().next_back().copied().unwrap_or(0.0)
}

/// Packs the pair at the origin in O(n log n).
pub fn pack(design: &Design, sp: &SeqPair) -> Packing {
    let n = sp.n();
    let (_, p2) = sp.positions();
    let w: Vec<f64> = design.blocks.iter().map(|b| b.w).collect();
    let h: Vec<f64> = design.blocks.iter().map(|b| b.h).collect();
    let mut x = vec![0.0; n];
    let mut y = vec![0.0; n];
    let width = lcs_fast(sp.s1.iter().copied(), &p2, &w, &mut x);
    let height = lcs_fast(sp.s1.iter().rev().copied(), &p2, &h, &mut y);
    Packing { x, y, width, height }
}

/// Packs the pair at the origin by the O(n^2) definition (constraint relations).
pub fn pack_reference(design: &Design, sp: &SeqPair) -> Packing {
    let n = sp.n();
    let pos = sp.positions();
    let mut x = vec![0.0; n];
    let mut y = vec![0.0; n];
    // s1 order is a topological order for "left of"; reverse s1 for "below".
    for (i, &b) in sp.s1.iter().enumerate() {
        for &a in &sp.s1[..i] {
            if SeqPair::relation(&pos, a, b) == Relation::Left {
                x[b] = f64::max(x[b], x[a] + design.blocks[a].w);
            }
        }
    }
    for (i, &b) in sp.s1.iter().enumerate().rev() {
        for &a in &sp.s1[i + 1..] {
            if SeqPair::relation(&pos, a, b) == Relation::Below {
                y[b] = f64::max(y[b], y[a] + design.blocks[a].h);
            }
        }
    }
    let width = (0..n).map(|b| x[b] + design.blocks[b].w).fold(0.0, f64::max);
    let height = (0..n).map(|b| y[b] + design.blocks[b].h).fold(0.0, f64::max);
    Packing { x, y, width, height }
}

/// Pairs `(a, b)` of block indices.
pub type Edges = Vec<(usize, usize)>;

/// The transitive reduction of the pair's constraints: `(a, b)` pairs with `a` left of `b`
/// (first list) and `a` below `b` (second), without edges implied by a chain through a third
/// block.
pub fn constraint_edges(sp: &SeqPair) -> (Edges, Edges) {
    let n = sp.n();
    let pos = sp.positions();
    let mut left = Vec::new();
    let mut below = Vec::new();
    for a in 0..n {
        for b in 0..n {
            if a == b {
                continue;
            }
            let r = SeqPair::relation(&pos, a, b);
            if r != Relation::Left && r != Relation::Below {
                continue;
            }
            let implied = (0..n)
                .any(|c| c != a && c != b && SeqPair::relation(&pos, a, c) == r && SeqPair::relation(&pos, c, b) == r);
            if !implied {
                if r == Relation::Left {
                    left.push((a, b));
                } else {
                    below.push((a, b));
                }
            }
        }
    }
    (left, below)
}

/// Whether two placed rectangles of the design overlap with positive area.
pub fn overlaps(design: &Design, x: &[f64], y: &[f64], tol: f64) -> Option<(usize, usize)> {
    let n = design.n();
    for a in 0..n {
        for b in a + 1..n {
            let (ba, bb) = (&design.blocks[a], &design.blocks[b]);
            let ox = (x[a] + ba.w).min(x[b] + bb.w) - x[a].max(x[b]);
            let oy = (y[a] + ba.h).min(y[b] + bb.h) - y[a].max(y[b]);
            if ox > tol && oy > tol {
                return Some((a, b));
            }
        }
    }
    None
}

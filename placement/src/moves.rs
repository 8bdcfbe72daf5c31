//! The moves of the BO's acquisition search: wider than adjacent swaps.
//!
//! A move is one of: swap two arbitrary blocks in `s1`, in `s2`, or in both sequences (the
//! annealer's moves), or take one block out of `s1` or `s2` (or both) and insert it at another
//! position. Blocks keep orientation N (the benchmark's hard blocks are written unrotated, and the
//! `.pl` output states N), so there is no rotation move.

use crate::seqpair::SeqPair;
use rand::Rng;

/// Moves `s[i]` to position `j`, shifting the blocks in between by one.
fn insert(s: &mut [usize], i: usize, j: usize) {
    if i < j {
        s[i..=j].rotate_left(1);
    } else {
        s[j..=i].rotate_right(1);
    }
}

/// One random move (see the module doc); `n >= 2`, else nothing happens.
pub fn wide_move(sp: &mut SeqPair, rng: &mut impl Rng) {
    let n = sp.n();
    if n < 2 {
        return;
    }
    let a = rng.random_range(0..n);
    let mut b = rng.random_range(0..n - 1);
    if b >= a {
        b += 1;
    }
    match rng.random_range(0..6) {
        0 => sp.s1.swap(a, b),
        1 => sp.s2.swap(a, b),
        2 => {
            let (x, y) = (sp.s1[a], sp.s1[b]);
            sp.s1.swap(a, b);
            let i = sp.s2.iter().position(|&v| v == x).expect("permutation");
            let j = sp.s2.iter().position(|&v| v == y).expect("permutation");
            sp.s2.swap(i, j);
        }
        3 => insert(&mut sp.s1, a, b),
        4 => insert(&mut sp.s2, a, b),
        _ => {
            // the same block to the same positions' counterpart in both: s1[a] -> b, and in s2 by
            // the same shift (clamped)
            let blk = sp.s1[a];
            insert(&mut sp.s1, a, b);
            let i = sp.s2.iter().position(|&v| v == blk).expect("permutation");
            let j = (i as isize + b as isize - a as isize).clamp(0, n as isize - 1) as usize;
            if i != j {
                insert(&mut sp.s2, i, j);
            }
        }
    }
}

/// Every pair one move away from `sp` (all the moves [`wide_move`] can draw), without
/// duplicates or `sp` itself, in a fixed (sorted) order: the trust region at its smallest radius.
pub fn all_wide_moves(sp: &SeqPair) -> Vec<SeqPair> {
    let n = sp.n();
    let mut out = Vec::with_capacity(n * n * 3);
    let pos2 = |s: &SeqPair, v: usize| s.s2.iter().position(|&x| x == v).expect("permutation");
    for a in 0..n {
        for b in 0..n {
            if a == b {
                continue;
            }
            if a < b {
                let mut c = sp.clone();
                c.s1.swap(a, b);
                out.push(c);
                let mut c = sp.clone();
                c.s2.swap(a, b);
                out.push(c);
                let mut c = sp.clone();
                let (x, y) = (c.s1[a], c.s1[b]);
                c.s1.swap(a, b);
                let (i, j) = (pos2(&c, x), pos2(&c, y));
                c.s2.swap(i, j);
                out.push(c);
            }
            let mut c = sp.clone();
            insert(&mut c.s1, a, b);
            out.push(c);
            let mut c = sp.clone();
            insert(&mut c.s2, a, b);
            out.push(c);
            let mut c = sp.clone();
            let blk = c.s1[a];
            insert(&mut c.s1, a, b);
            let i = pos2(&c, blk);
            let j = (i as isize + b as isize - a as isize).clamp(0, n as isize - 1) as usize;
            if i != j {
                insert(&mut c.s2, i, j);
            }
            out.push(c);
        }
    }
    out.sort();
    out.dedup();
    out.retain(|c| c != sp);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use insitu_optimizer::rng::stream;

    #[test]
    fn moves_keep_permutations_and_change_the_pair() {
        let mut rng = stream(1, 2, 3);
        for n in [2usize, 3, 9, 49] {
            let mut sp = SeqPair::random(n, &mut rng);
            for _ in 0..500 {
                let before = sp.clone();
                wide_move(&mut sp, &mut rng);
                assert!(sp.is_valid());
                assert_ne!(sp, before, "a move always changes a pair of n = {n} >= 2");
            }
        }
    }

    #[test]
    fn the_enumerated_neighbourhood_holds_every_random_move() {
        let mut rng = stream(4, 5, 6);
        for n in [2usize, 3, 9] {
            let sp = SeqPair::random(n, &mut rng);
            let all = all_wide_moves(&sp);
            assert!(all.iter().all(|c| c.is_valid() && *c != sp));
            assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
            for _ in 0..2000 {
                let mut c = sp.clone();
                wide_move(&mut c, &mut rng);
                assert!(all.binary_search(&c).is_ok(), "a random move of n = {n} is enumerated");
            }
        }
        // n = 2: swapping in s1, in s2 or in both gives the three other pairs.
        assert_eq!(all_wide_moves(&SeqPair::identity(2)).len(), 3);
    }

    #[test]
    fn insert_shifts_between() {
        let mut s = vec![0, 1, 2, 3, 4];
        insert(&mut s, 1, 3);
        assert_eq!(s, vec![0, 2, 3, 1, 4]);
        insert(&mut s, 3, 0);
        assert_eq!(s, vec![1, 0, 2, 3, 4]);
    }
}

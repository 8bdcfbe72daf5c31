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
    fn insert_shifts_between() {
        let mut s = vec![0, 1, 2, 3, 4];
        insert(&mut s, 1, 3);
        assert_eq!(s, vec![0, 2, 3, 1, 4]);
        insert(&mut s, 3, 0);
        assert_eq!(s, vec![1, 0, 2, 3, 4]);
    }
}

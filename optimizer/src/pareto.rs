//! Non-dominated sorting (Deb's fast O(M N^2) algorithm), the two-level combined rank, and
//! crowding distances. All objectives are minimized.

/// `a` dominates `b`: no worse in every objective and strictly better in one.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut strictly = false;
    for (x, y) in a.iter().zip(b) {
        if x > y {
            return false;
        }
        if x < y {
            strictly = true;
        }
    }
    strictly
}

/// 1 when `a` dominates `b`, -1 when `b` dominates `a`, 0 otherwise (one pass over both).
fn dominance(a: &[f64], b: &[f64]) -> i8 {
    let (mut a_better, mut b_better) = (false, false);
    for (x, y) in a.iter().zip(b) {
        if x < y {
            a_better = true;
        } else if x > y {
            b_better = true;
        }
        if a_better && b_better {
            return 0;
        }
    }
    match (a_better, b_better) {
        (true, false) => 1,
        (false, true) => -1,
        _ => 0,
    }
}

/// [`dominance`] for exactly `M` objectives (the loop unrolled, no early exit).
#[inline(always)]
fn dominance_n<const M: usize>(a: &[f64], b: &[f64]) -> i8 {
    let (a, b): (&[f64; M], &[f64; M]) = (a.try_into().expect("M values"), b.try_into().expect("M values"));
    let (mut a_better, mut b_better) = (false, false);
    for k in 0..M {
        a_better |= a[k] < b[k];
        b_better |= a[k] > b[k];
    }
    match (a_better, b_better) {
        (true, false) => 1,
        (false, true) => -1,
        _ => 0,
    }
}

/// Front index of every point (0 = non-dominated). Points with NaN objectives are treated as
/// +infinity in that objective.
///
/// Deb's algorithm on flat buffers: the objectives copied once into one `n x m` array and the
/// dominance relation kept as an `n x n` bit per pair, so a sort makes four allocations
/// whatever `n` (it runs a few hundred times per acquisition search). A point's front index
/// is the length of the longest chain of points dominating it, so it does not depend on the
/// order in which the fronts are peeled.
pub fn non_dominated_sort<P: AsRef<[f64]>>(points: &[P]) -> Vec<usize> {
    let n = points.len();
    let m = points.iter().map(|p| p.as_ref().len()).min().unwrap_or(0);
    let mut clean = Vec::with_capacity(n * m);
    for p in points {
        clean.extend(p.as_ref()[..m].iter().map(|v| if v.is_nan() { f64::INFINITY } else { *v }));
    }
    let row = |i: usize| &clean[i * m..(i + 1) * m];
    let mut dominated_by_count = vec![0usize; n];
    let mut dom = vec![false; n * n];
    // The pair loop is most of a sort: specialized for the two- and three-objective sets of
    // TRACE's levels (same comparisons, no per-pair loop over the objectives).
    let mut relate = |i: usize, j: usize, d: i8| match d {
        1 => {
            dom[i * n + j] = true;
            dominated_by_count[j] += 1;
        }
        -1 => {
            dom[j * n + i] = true;
            dominated_by_count[i] += 1;
        }
        _ => {}
    };
    match m {
        2 => {
            for i in 0..n {
                for j in 0..i {
                    relate(i, j, dominance_n::<2>(&clean[i * 2..i * 2 + 2], &clean[j * 2..j * 2 + 2]));
                }
            }
        }
        3 => {
            for i in 0..n {
                for j in 0..i {
                    relate(i, j, dominance_n::<3>(&clean[i * 3..i * 3 + 3], &clean[j * 3..j * 3 + 3]));
                }
            }
        }
        _ => {
            for i in 0..n {
                for j in 0..i {
                    relate(i, j, dominance(row(i), row(j)));
                }
            }
        }
    }
    let mut rank = vec![usize::MAX; n];
    let mut front: Vec<usize> = (0..n).filter(|&i| dominated_by_count[i] == 0).collect();
    let mut r = 0;
    while !front.is_empty() {
        let mut next = Vec::new();
        for &i in &front {
            rank[i] = r;
            for (j, &d) in dom[i * n..(i + 1) * n].iter().enumerate() {
                if d {
                    dominated_by_count[j] -= 1;
                    if dominated_by_count[j] == 0 {
                        next.push(j);
                    }
                }
            }
        }
        front = next;
        r += 1;
    }
    rank
}

/// Two-level rank: `r1` = front index under the level-1 objectives over the whole set, and
/// `r2` = front index under the level-2 objectives among the points sharing that `r1`.
/// Compare lexicographically: `x` is better than `x'` iff `r1 < r1'` or (`r1 == r1'` and `r2 < r2'`).
pub fn combined_ranks<P: AsRef<[f64]>, Q: AsRef<[f64]>>(f1: &[P], f2: &[Q]) -> Vec<(usize, usize)> {
    let n = f1.len();
    assert_eq!(n, f2.len());
    let r1 = non_dominated_sort(f1);
    let mut out = vec![(0, 0); n];
    let max_r1 = r1.iter().copied().max().unwrap_or(0);
    for level in 0..=max_r1 {
        let idx: Vec<usize> = (0..n).filter(|&i| r1[i] == level).collect();
        if idx.is_empty() {
            continue;
        }
        let sub: Vec<&[f64]> = idx.iter().map(|&i| f2[i].as_ref()).collect();
        let r2 = non_dominated_sort(&sub);
        for (k, &i) in idx.iter().enumerate() {
            out[i] = (level, r2[k]);
        }
    }
    out
}

/// Crowding distance of each point within a set (infinite at the extremes).
pub fn crowding_distance<P: AsRef<[f64]>>(points: &[P]) -> Vec<f64> {
    let n = points.len();
    let mut cd = vec![0.0; n];
    if n == 0 {
        return cd;
    }
    let m = points[0].as_ref().len();
    let mut idx: Vec<usize> = (0..n).collect();
    for k in 0..m {
        idx.sort_by(|&a, &b| points[a].as_ref()[k].total_cmp(&points[b].as_ref()[k]));
        let lo = points[idx[0]].as_ref()[k];
        let hi = points[idx[n - 1]].as_ref()[k];
        cd[idx[0]] = f64::INFINITY;
        cd[idx[n - 1]] = f64::INFINITY;
        let range = hi - lo;
        if range.is_nan() || range <= 0.0 || !range.is_finite() {
            continue;
        }
        for w in 1..n.saturating_sub(1) {
            cd[idx[w]] += (points[idx[w + 1]].as_ref()[k] - points[idx[w - 1]].as_ref()[k]) / range;
        }
    }
    cd
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The front index is the length of the longest chain of points dominating a point: check
    /// the sort against that definition on sets with ties, duplicates and NaN.
    #[test]
    fn fronts_are_longest_dominating_chains() {
        let mut rng = crate::rng::stream(7, 0, 0);
        use rand::Rng;
        for (n, m) in [(0, 2), (1, 3), (9, 1), (40, 2), (80, 3)] {
            let mut pts: Vec<Vec<f64>> =
                (0..n).map(|_| (0..m).map(|_| (rng.random::<f64>() * 6.0).floor()).collect()).collect();
            if n > 3 {
                pts[2] = pts[1].clone();
                pts[3][0] = f64::NAN;
            }
            let clean: Vec<Vec<f64>> =
                pts.iter().map(|p| p.iter().map(|v| if v.is_nan() { f64::INFINITY } else { *v }).collect()).collect();
            let mut want = vec![0usize; n];
            // Longest chains by relaxation (n rounds suffice).
            for _ in 0..n {
                for i in 0..n {
                    for j in 0..n {
                        if dominates(&clean[j], &clean[i]) {
                            want[i] = want[i].max(want[j] + 1);
                        }
                    }
                }
            }
            assert_eq!(non_dominated_sort(&pts), want, "n {n} m {m}");
        }
    }
}

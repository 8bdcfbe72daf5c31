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

/// Front index of every point (0 = non-dominated). Points with NaN objectives are treated as
/// +infinity in that objective.
pub fn non_dominated_sort<P: AsRef<[f64]>>(points: &[P]) -> Vec<usize> {
    let n = points.len();
    let clean: Vec<Vec<f64>> = points
        .iter()
        .map(|p| p.as_ref().iter().map(|v| if v.is_nan() { f64::INFINITY } else { *v }).collect())
        .collect();
    let mut dominated_by_count = vec![0usize; n];
    let mut dominates_list: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in 0..i {
            if dominates(&clean[i], &clean[j]) {
                dominates_list[i].push(j);
                dominated_by_count[j] += 1;
            } else if dominates(&clean[j], &clean[i]) {
                dominates_list[j].push(i);
                dominated_by_count[i] += 1;
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
            for &j in &dominates_list[i] {
                dominated_by_count[j] -= 1;
                if dominated_by_count[j] == 0 {
                    next.push(j);
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

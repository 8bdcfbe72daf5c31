//! Designs of experiments on the unit box: centered maximin Latin hypercube and uniform.

use rand::seq::SliceRandom;
use rand::Rng;

/// One centered Latin hypercube: each column a random permutation of the cell centers.
pub fn lhs_centered<R: Rng + ?Sized>(n: usize, d: usize, rng: &mut R) -> Vec<Vec<f64>> {
    let mut pts = vec![vec![0.0; d]; n];
    let mut perm: Vec<usize> = (0..n).collect();
    for j in 0..d {
        perm.shuffle(rng);
        for (i, p) in pts.iter_mut().enumerate() {
            p[j] = (perm[i] as f64 + 0.5) / n as f64;
        }
    }
    pts
}

fn min_dist2(pts: &[Vec<f64>]) -> f64 {
    let mut best = f64::INFINITY;
    for i in 0..pts.len() {
        for j in 0..i {
            let d: f64 = pts[i].iter().zip(&pts[j]).map(|(a, b)| (a - b) * (a - b)).sum();
            best = best.min(d);
        }
    }
    best
}

/// Centered maximin Latin hypercube (pyDOE's `criterion='centermaximin'`): the best of
/// `tries` centered designs by minimum pairwise distance.
pub fn lhs_centered_maximin<R: Rng + ?Sized>(n: usize, d: usize, tries: usize, rng: &mut R) -> Vec<Vec<f64>> {
    let mut best = lhs_centered(n, d, rng);
    let mut best_d = min_dist2(&best);
    for _ in 1..tries.max(1) {
        let c = lhs_centered(n, d, rng);
        let cd = min_dist2(&c);
        if cd > best_d {
            best = c;
            best_d = cd;
        }
    }
    best
}

/// `n` uniform points in the unit box.
pub fn uniform<R: Rng + ?Sized>(n: usize, d: usize, rng: &mut R) -> Vec<Vec<f64>> {
    (0..n).map(|_| (0..d).map(|_| rng.random::<f64>()).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lhs_is_latin() {
        let mut rng = crate::rng::stream(1, 0, 0);
        let pts = lhs_centered_maximin(7, 3, 10, &mut rng);
        for j in 0..3 {
            let mut cells: Vec<usize> = pts.iter().map(|p| (p[j] * 7.0).floor() as usize).collect();
            cells.sort();
            assert_eq!(cells, (0..7).collect::<Vec<_>>());
        }
    }
}

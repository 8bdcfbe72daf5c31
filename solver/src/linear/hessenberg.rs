//! Fast AC sweeps for dense systems: `(G + jwC) x = b` for many `w` in O(n^2) per frequency.
//!
//! With `A = G^-1 C` reduced once to upper Hessenberg form `A = Q H Q^T` (Householder, `Q`
//! orthogonal), each frequency solves `(I + jwH) y = Q^T G^-1 b` by Gaussian elimination on a
//! Hessenberg matrix (pivoting between adjacent rows) and returns `x = Q y`. The reduction is
//! exact algebra, not an approximation; it needs `G` (the DC Jacobian at the operating point)
//! to be non-singular, which a converged operating point guarantees.

use super::{DenseLu, Singular};
use crate::pattern::Pattern;
use num_complex::Complex64;

/// A frequency-sweep solver for one `(G, C, b)`.
#[derive(Debug, Clone)]
pub struct HessenbergAc {
    n: usize,
    /// Row-major `H` (upper Hessenberg).
    h: Vec<f64>,
    /// Row-major orthogonal `Q`.
    q: Vec<f64>,
    /// `Q^T G^-1 b`.
    c: Vec<Complex64>,
    /// Work: the per-frequency matrix and vector.
    m: Vec<Complex64>,
    y: Vec<Complex64>,
    col: Vec<f64>,
    lu: DenseLu<f64>,
}

impl HessenbergAc {
    /// Allocates the work arrays for a pattern.
    pub fn new(p: &Pattern) -> Self {
        let n = p.n;
        HessenbergAc {
            n,
            h: vec![0.0; n * n],
            q: vec![0.0; n * n],
            c: vec![Complex64::new(0.0, 0.0); n],
            m: vec![Complex64::new(0.0, 0.0); n * n],
            y: vec![Complex64::new(0.0, 0.0); n + 1],
            col: vec![0.0; n + 1],
            lu: DenseLu::new(p),
        }
    }

    /// Reduces `G^-1 C` (pattern values `g`, `c`) and transforms the excitation `b`.
    pub fn prepare(&mut self, p: &Pattern, g: &[f64], c: &[f64], b: &[Complex64]) -> Result<(), Singular> {
        let n = self.n;
        self.lu.factor(g)?;
        // A = G^-1 C, column by column (C is scattered from its pattern column).
        self.h.iter_mut().for_each(|v| *v = 0.0);
        for j in 0..n {
            self.col.iter_mut().for_each(|v| *v = 0.0);
            for k in p.col_ptr[j]..p.col_ptr[j + 1] {
                self.col[p.row_idx[k]] += c[k];
            }
            self.lu.solve(&mut self.col);
            for i in 0..n {
                self.h[i * n + j] = self.col[i];
            }
        }
        // b' = G^-1 b (real and imaginary parts).
        for part in 0..2 {
            for i in 0..n {
                self.col[i] = if part == 0 { b[i].re } else { b[i].im };
            }
            self.lu.solve(&mut self.col);
            for i in 0..n {
                if part == 0 {
                    self.c[i].re = self.col[i];
                } else {
                    self.c[i].im = self.col[i];
                }
            }
        }
        self.reduce();
        // c = Q^T b'.
        for i in 0..n {
            self.y[i] = self.c[i];
        }
        for i in 0..n {
            let mut s = Complex64::new(0.0, 0.0);
            for k in 0..n {
                s += self.y[k] * self.q[k * n + i];
            }
            self.c[i] = s;
        }
        Ok(())
    }

    /// Householder reduction of `h` to upper Hessenberg form, accumulating `q`.
    fn reduce(&mut self) {
        let n = self.n;
        let (h, q) = (&mut self.h, &mut self.q);
        q.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..n {
            q[i * n + i] = 1.0;
        }
        let v = &mut self.col;
        for k in 0..n.saturating_sub(2) {
            let mut norm = 0.0f64;
            for i in k + 1..n {
                norm = norm.hypot(h[i * n + k]);
            }
            if norm == 0.0 {
                continue;
            }
            let x0 = h[(k + 1) * n + k];
            let alpha = if x0 >= 0.0 { -norm } else { norm };
            for i in 0..n {
                v[i] = if i > k { h[i * n + k] } else { 0.0 };
            }
            v[k + 1] -= alpha;
            let vnorm2: f64 = v[k + 1..n].iter().map(|x| x * x).sum();
            if vnorm2 == 0.0 {
                continue;
            }
            let beta = 2.0 / vnorm2;
            // H = P H: rows k+1.. ; P = I - beta v v^T.
            for j in 0..n {
                let mut s = 0.0;
                for i in k + 1..n {
                    s += v[i] * h[i * n + j];
                }
                s *= beta;
                for i in k + 1..n {
                    h[i * n + j] -= s * v[i];
                }
            }
            // H = H P and Q = Q P: columns k+1...
            for i in 0..n {
                let mut s = 0.0;
                let mut t = 0.0;
                for j in k + 1..n {
                    s += h[i * n + j] * v[j];
                    t += q[i * n + j] * v[j];
                }
                s *= beta;
                t *= beta;
                for j in k + 1..n {
                    h[i * n + j] -= s * v[j];
                    q[i * n + j] -= t * v[j];
                }
            }
            for i in k + 2..n {
                h[i * n + k] = 0.0;
            }
        }
    }

    /// Solves at angular frequency `w`; writes `x` (length `n`).
    pub fn solve(&mut self, w: f64, x: &mut [Complex64]) -> Result<(), Singular> {
        let n = self.n;
        let (m, y) = (&mut self.m, &mut self.y);
        for i in 0..n {
            let lo = i.saturating_sub(1);
            for j in lo..n {
                m[i * n + j] = Complex64::new(if i == j { 1.0 } else { 0.0 }, w * self.h[i * n + j]);
            }
            y[i] = self.c[i];
        }
        // Forward elimination of the sub-diagonal, pivoting between rows k and k+1.
        for k in 0..n.saturating_sub(1) {
            let (a, b) = (m[k * n + k], m[(k + 1) * n + k]);
            if b.norm_sqr() > a.norm_sqr() {
                for j in k..n {
                    m.swap(k * n + j, (k + 1) * n + j);
                }
                y.swap(k, k + 1);
            }
            let piv = m[k * n + k];
            if piv.norm_sqr() == 0.0 {
                return Err(Singular { unknown: k });
            }
            let f = m[(k + 1) * n + k] / piv;
            if f.norm_sqr() != 0.0 {
                for j in k + 1..n {
                    let u = m[k * n + j];
                    m[(k + 1) * n + j] -= f * u;
                }
                let yk = y[k];
                y[k + 1] -= f * yk;
            }
        }
        for i in (0..n).rev() {
            let mut s = y[i];
            for j in i + 1..n {
                s -= m[i * n + j] * y[j];
            }
            let d = m[i * n + i];
            if d.norm_sqr() == 0.0 || !d.re.is_finite() {
                return Err(Singular { unknown: i });
            }
            y[i] = s / d;
        }
        for i in 0..n {
            let mut s = Complex64::new(0.0, 0.0);
            for k in 0..n {
                s += y[k] * self.q[i * n + k];
            }
            x[i] = s;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linear::LinearSolver;
    use crate::pattern::PatternBuilder;

    /// A small deterministic pseudo-random generator for the test matrices.
    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }

    #[test]
    fn matches_a_direct_complex_solve() {
        let n = 9;
        let mut pb = PatternBuilder::new(n);
        let mut slots = Vec::new();
        for i in 0..n {
            for j in 0..n {
                if i == j || (i * 7 + j * 3) % 4 == 0 {
                    slots.push((i, j, pb.entry(i, j)));
                }
            }
        }
        let (p, map) = pb.finish();
        let mut seed = 7u64;
        let mut g = vec![0.0; p.nnz() + 1];
        let mut c = vec![0.0; p.nnz() + 1];
        for &(i, j, s) in &slots {
            g[map[s]] += if i == j { 3.0 + lcg(&mut seed) } else { lcg(&mut seed) };
            // Some zero rows in C, as in MNA (nodes without capacitors, branch rows).
            if i % 3 != 0 {
                c[map[s]] += 1e-9 * lcg(&mut seed);
            }
        }
        let b: Vec<Complex64> =
            (0..=n).map(|i| Complex64::new(lcg(&mut seed), if i < n { lcg(&mut seed) } else { 0.0 })).collect();
        let mut fast = HessenbergAc::new(&p);
        fast.prepare(&p, &g, &c, &b).unwrap();
        let mut lu = LinearSolver::<Complex64>::dense(&p);
        for f in [0.0, 1e3, 1e6, 1e8, 1e9, 1e11] {
            let w = 2.0 * std::f64::consts::PI * f;
            let y: Vec<Complex64> = g.iter().zip(&c).map(|(&g, &c)| Complex64::new(g, w * c)).collect();
            lu.factor(&y).unwrap();
            let mut direct = b.clone();
            lu.solve(&mut direct);
            let mut x = vec![Complex64::new(0.0, 0.0); n];
            fast.solve(w, &mut x).unwrap();
            for i in 0..n {
                assert!(
                    (x[i] - direct[i]).norm() < 1e-10 * (1.0 + direct[i].norm()),
                    "f={f} i={i}: {} vs {}",
                    x[i],
                    direct[i]
                );
            }
        }
    }
}

//! Small dense linear algebra on row-major `n x n` matrices (n <= a few hundred).
//!
//! Written by hand rather than through faer: the GP only needs a Cholesky factor,
//! triangular solves and the inverse from the factor, and the row-major loops below
//! vectorize well at these sizes.

/// Dot product with four independent accumulators (lets the compiler vectorize the reduction).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Cholesky factor `L` (lower, row-major) of a symmetric positive-definite matrix, or `None`.
pub fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let (ri, rj) = (&l[i * n..i * n + j], &l[j * n..j * n + j]);
            let s = a[i * n + j] - dot(ri, rj);
            if i == j {
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Cholesky with jitter retries: adds `jitter * scale` to the diagonal, trying
/// `0, 1e-10, 1e-8, 1e-6, 1e-4` in turn. Returns the factor and the jitter used.
pub fn cholesky_jitter(a: &[f64], n: usize, scale: f64) -> Option<(Vec<f64>, f64)> {
    for rel in [0.0, 1e-10, 1e-8, 1e-6, 1e-4] {
        let jitter = rel * scale;
        let l = if jitter == 0.0 {
            cholesky(a, n)
        } else {
            let mut b = a.to_vec();
            for i in 0..n {
                b[i * n + i] += jitter;
            }
            cholesky(&b, n)
        };
        if let Some(l) = l {
            return Some((l, jitter));
        }
    }
    None
}

/// Solves `L x = b` in place.
pub fn solve_lower(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let row = &l[i * n..i * n + i];
        b[i] = (b[i] - dot(row, &b[..i])) / l[i * n + i];
    }
}

/// Solves `L^T x = b` in place.
pub fn solve_lower_t(l: &[f64], n: usize, b: &mut [f64]) {
    for i in (0..n).rev() {
        b[i] /= l[i * n + i];
        let bi = b[i];
        let row = &l[i * n..i * n + i];
        for (bk, lk) in b[..i].iter_mut().zip(row) {
            *bk -= lk * bi;
        }
    }
}

/// Solves `(L L^T) x = b` in place.
pub fn solve_chol(l: &[f64], n: usize, b: &mut [f64]) {
    solve_lower(l, n, b);
    solve_lower_t(l, n, b);
}

/// `L^{-1}` (lower triangular, row-major).
pub fn lower_inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
        for k in 0..i {
            let lik = l[i * n + k];
            if lik != 0.0 {
                let (head, tail) = m.split_at_mut(i * n);
                let rk = &head[k * n..k * n + k + 1];
                for (mi, mk) in tail[..k + 1].iter_mut().zip(rk) {
                    *mi -= lik * mk;
                }
            }
        }
        let d = 1.0 / l[i * n + i];
        for v in &mut m[i * n..i * n + i + 1] {
            *v *= d;
        }
    }
    m
}

/// `y = M x` for lower-triangular row-major `M`.
pub fn lower_matvec(m: &[f64], n: usize, x: &[f64], y: &mut [f64]) {
    for i in 0..n {
        y[i] = dot(&m[i * n..i * n + i + 1], &x[..i + 1]);
    }
}

/// Lower triangle (`j <= i`) of `(L L^T)^{-1}`, row-major; the strict upper part is zero.
pub fn inverse_lower_from_chol(l: &[f64], n: usize) -> Vec<f64> {
    let m = lower_inverse(l, n);
    let mut inv = vec![0.0; n * n];
    // inv_ij = sum_{k >= i} m_ki m_kj for j <= i.
    for k in 0..n {
        let row = &m[k * n..k * n + k + 1];
        for (i, &ri) in row.iter().enumerate() {
            if ri != 0.0 {
                let out = &mut inv[i * n..i * n + i + 1];
                for (o, rj) in out.iter_mut().zip(&row[..i + 1]) {
                    *o += ri * rj;
                }
            }
        }
    }
    inv
}

/// `(L L^T)^{-1}`, full symmetric, row-major.
pub fn inverse_from_chol(l: &[f64], n: usize) -> Vec<f64> {
    let m = lower_inverse(l, n);
    // K^{-1} = M^T M = sum_k row_k^T row_k.
    let mut inv = vec![0.0; n * n];
    for k in 0..n {
        let row = &m[k * n..k * n + k + 1];
        for (i, &ri) in row.iter().enumerate() {
            if ri != 0.0 {
                let out = &mut inv[i * n..i * n + k + 1];
                for (o, rj) in out.iter_mut().zip(row) {
                    *o += ri * rj;
                }
            }
        }
    }
    // Only the part j <= k of row i was filled for each k >= i: that covers all j; symmetrize anyway.
    for i in 0..n {
        for j in 0..i {
            let v = 0.5 * (inv[i * n + j] + inv[j * n + i]);
            inv[i * n + j] = v;
            inv[j * n + i] = v;
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_is_inverse() {
        let n = 5;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (-((i as f64 - j as f64).powi(2)) / 4.0).exp();
            }
            a[i * n + i] += 0.1;
        }
        let l = cholesky(&a, n).unwrap();
        let inv = inverse_from_chol(&l, n);
        let low = inverse_lower_from_chol(&l, n);
        for i in 0..n {
            for j in 0..=i {
                assert!((low[i * n + j] - inv[i * n + j]).abs() < 1e-12);
            }
        }
        for i in 0..n {
            for j in 0..n {
                let s: f64 = (0..n).map(|k| a[i * n + k] * inv[k * n + j]).sum();
                assert!((s - if i == j { 1.0 } else { 0.0 }).abs() < 1e-10);
            }
        }
        let mut b = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        let b0 = b.clone();
        solve_chol(&l, n, &mut b);
        for i in 0..n {
            let s: f64 = (0..n).map(|k| a[i * n + k] * b[k]).sum();
            assert!((s - b0[i]).abs() < 1e-10);
        }
    }
}

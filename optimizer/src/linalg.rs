//! Small dense linear algebra on row-major `n x n` matrices (n <= a few hundred).
//!
//! Written by hand rather than through faer: the GP only needs a Cholesky factor,
//! triangular solves and the inverse from the factor, and the row-major loops below
//! vectorize well at these sizes.

/// Dot product with four independent accumulators (lets the compiler vectorize the reduction).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if avx_available() {
            // SAFETY: the CPU supports AVX (checked at run time).
            return unsafe { dot_avx(a, b) };
        }
    }
    dot_impl(a, b)
}

/// Declares `$name` as an AVX-compiled copy of `$generic` (same arguments). Rust never
/// contracts a multiply and an add into a fused multiply-add and never reassociates floating
/// point, so the copy computes bitwise the same results as the generic code, only with wider
/// vectors; [`avx_available`] chooses at run time.
macro_rules! avx_copy {
    ($name:ident, $generic:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx")]
        unsafe fn $name($($arg: $ty),*) -> $ret {
            $generic($($arg),*)
        }
    };
}

avx_copy!(dot_avx, dot_impl, (a: &[f64], b: &[f64]) -> f64);

#[inline(always)]
fn dot_impl(a: &[f64], b: &[f64]) -> f64 {
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
    #[cfg(target_arch = "x86_64")]
    {
        if avx_available() {
            // SAFETY: the CPU supports AVX (checked at run time).
            return unsafe { cholesky_avx(a, n) };
        }
    }
    cholesky_impl(a, n)
}

avx_copy!(cholesky_avx, cholesky_impl, (a: &[f64], n: usize) -> Option<Vec<f64>>);

#[inline(always)]
fn cholesky_impl(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let (ri, rj) = (&l[i * n..i * n + j], &l[j * n..j * n + j]);
            let s = a[i * n + j] - dot_impl(ri, rj);
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

/// Dot products of one vector `a` with `B` vectors at once, each summed exactly as [`dot`] sums
/// it (same lanes, same reduction order), so every result is bitwise equal to `dot(a, b[p])`;
/// `a` is loaded once for all `B` products. Every `b[p]` must be at least as long as `a`.
#[inline]
pub fn dot_multi<const B: usize>(a: &[f64], b: [&[f64]; B]) -> [f64; B] {
    #[cfg(target_arch = "x86_64")]
    {
        if avx_available() {
            // SAFETY: the CPU supports AVX (checked at run time).
            return unsafe { dot_multi_avx(a, b) };
        }
    }
    dot_multi_generic(a, b)
}

/// Whether the CPU has AVX (cached after the first call).
#[cfg(target_arch = "x86_64")]
#[inline]
fn avx_available() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    static STATE: AtomicU8 = AtomicU8::new(0);
    match STATE.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            let yes = std::arch::is_x86_feature_detected!("avx");
            STATE.store(if yes { 1 } else { 2 }, Ordering::Relaxed);
            yes
        }
    }
}

/// The generic lanes with 256-bit vectors: lanes 0-3 and 4-7 of each accumulator are two
/// registers, updated by separate multiplies and adds (no fused multiply-add), so every lane
/// rounds exactly as in [`dot_multi_generic`]: the results are bitwise equal whatever the CPU.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn dot_multi_avx<const B: usize>(a: &[f64], b: [&[f64]; B]) -> [f64; B] {
    use std::arch::x86_64::{_mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_setzero_pd, _mm256_storeu_pd};
    let n = a.len();
    let b: [&[f64]; B] = b.map(|v| &v[..n]);
    let full = n / 8 * 8;
    let mut lo = [_mm256_setzero_pd(); B];
    let mut hi = [_mm256_setzero_pd(); B];
    let mut j = 0;
    while j < full {
        // SAFETY: j + 8 <= full <= n and every b[p] has length n.
        unsafe {
            let xa = _mm256_loadu_pd(a.as_ptr().add(j));
            let xb = _mm256_loadu_pd(a.as_ptr().add(j + 4));
            for p in 0..B {
                let ya = _mm256_loadu_pd(b[p].as_ptr().add(j));
                let yb = _mm256_loadu_pd(b[p].as_ptr().add(j + 4));
                lo[p] = _mm256_add_pd(lo[p], _mm256_mul_pd(xa, ya));
                hi[p] = _mm256_add_pd(hi[p], _mm256_mul_pd(xb, yb));
            }
        }
        j += 8;
    }
    let mut out = [0.0; B];
    for p in 0..B {
        let mut c = [0.0f64; 8];
        // SAFETY: c has room for two 4-lane stores.
        unsafe {
            _mm256_storeu_pd(c.as_mut_ptr(), lo[p]);
            _mm256_storeu_pd(c.as_mut_ptr().add(4), hi[p]);
        }
        let mut s = ((c[0] + c[4]) + (c[1] + c[5])) + ((c[2] + c[6]) + (c[3] + c[7]));
        for (x, y) in a[full..].iter().zip(&b[p][full..]) {
            s += x * y;
        }
        out[p] = s;
    }
    out
}

/// Portable [`dot_multi`].
#[inline(always)]
fn dot_multi_generic<const B: usize>(a: &[f64], b: [&[f64]; B]) -> [f64; B] {
    let n = a.len();
    let b: [&[f64]; B] = b.map(|v| &v[..n]);
    let mut acc = [[0.0f64; 8]; B];
    let full = n / 8 * 8;
    let mut j = 0;
    while j < full {
        let x = &a[j..j + 8];
        for p in 0..B {
            let y = &b[p][j..j + 8];
            for k in 0..8 {
                acc[p][k] += x[k] * y[k];
            }
        }
        j += 8;
    }
    let mut out = [0.0; B];
    for p in 0..B {
        let c = &acc[p];
        let mut s = ((c[0] + c[4]) + (c[1] + c[5])) + ((c[2] + c[6]) + (c[3] + c[7]));
        for (x, y) in a[full..].iter().zip(&b[p][full..]) {
            s += x * y;
        }
        out[p] = s;
    }
    out
}

/// Extends the Cholesky factor of a leading `n_old x n_old` block to the full `n x n` matrix
/// `a` (row-major): rows `n_old..n` are computed exactly as [`cholesky`] computes them (the
/// row-oriented factorization is a forward substitution of each new row against the previous
/// ones), so the result is bitwise equal to `cholesky` of `a` with `jitter` added to the
/// diagonal of the new rows, at `O(n^2 (n - n_old))` instead of `O(n^3)`. `l_old` is the factor
/// of the leading block (with the same jitter). `None` when a new pivot is not positive.
pub fn cholesky_extend(l_old: &[f64], n_old: usize, a: &[f64], n: usize, jitter: f64) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n_old {
        l[i * n..i * n + i + 1].copy_from_slice(&l_old[i * n_old..i * n_old + i + 1]);
    }
    for i in n_old..n {
        for j in 0..=i {
            let (ri, rj) = (&l[i * n..i * n + j], &l[j * n..j * n + j]);
            if i == j {
                let aii = if jitter == 0.0 { a[i * n + i] } else { a[i * n + i] + jitter };
                let s = aii - dot(ri, rj);
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                let s = a[i * n + j] - dot(ri, rj);
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// `L^{-1}` (lower triangular, row-major).
pub fn lower_inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut m = vec![0.0; n * n];
    lower_inverse_rows(l, n, &mut m, 0);
    m
}

/// Extends `L^{-1}` of the leading `n_old x n_old` block (`m_old`) to the inverse of the full
/// lower-triangular `l` (`n x n`). Row `i` of the inverse depends only on rows `<= i` of `l` and
/// rows `< i` of the inverse, so the result is bitwise equal to [`lower_inverse`] of `l`.
pub fn lower_inverse_extend(l: &[f64], n: usize, m_old: &[f64], n_old: usize) -> Vec<f64> {
    let mut m = vec![0.0; n * n];
    for i in 0..n_old {
        m[i * n..i * n + i + 1].copy_from_slice(&m_old[i * n_old..i * n_old + i + 1]);
    }
    lower_inverse_rows(l, n, &mut m, n_old);
    m
}

/// Rows `from..n` of `L^{-1}` into `m` (rows `< from` already filled).
fn lower_inverse_rows(l: &[f64], n: usize, m: &mut [f64], from: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx_available() {
            // SAFETY: the CPU supports AVX (checked at run time).
            return unsafe { lower_inverse_rows_avx(l, n, m, from) };
        }
    }
    lower_inverse_rows_impl(l, n, m, from)
}

avx_copy!(lower_inverse_rows_avx, lower_inverse_rows_impl, (l: &[f64], n: usize, m: &mut [f64], from: usize) -> ());

#[inline(always)]
fn lower_inverse_rows_impl(l: &[f64], n: usize, m: &mut [f64], from: usize) {
    for i in from..n {
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
    #[cfg(target_arch = "x86_64")]
    {
        if avx_available() {
            // SAFETY: the CPU supports AVX (checked at run time).
            return unsafe { gram_lower_avx(&m, n) };
        }
    }
    gram_lower(&m, n)
}

avx_copy!(gram_lower_avx, gram_lower, (m: &[f64], n: usize) -> Vec<f64>);

/// Lower triangle of `M^T M` for lower-triangular `M`.
#[inline(always)]
fn gram_lower(m: &[f64], n: usize) -> Vec<f64> {
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
    fn extensions_equal_full_factorizations_bitwise() {
        let n = 13;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let (x, y) = (i as f64 * 0.37, j as f64 * 0.37);
                a[i * n + j] = (-0.5 * (x - y) * (x - y)).exp();
            }
            a[i * n + i] += 1e-3;
        }
        let full = cholesky(&a, n).unwrap();
        let minv = lower_inverse(&full, n);
        for n_old in [0, 1, 7, 12, 13] {
            let mut lead = vec![0.0; n_old * n_old];
            for i in 0..n_old {
                lead[i * n_old..(i + 1) * n_old].copy_from_slice(&a[i * n..i * n + n_old]);
            }
            let l_old = cholesky(&lead, n_old).unwrap();
            let l = cholesky_extend(&l_old, n_old, &a, n, 0.0).unwrap();
            assert!(l.iter().zip(&full).all(|(p, q)| p.to_bits() == q.to_bits()), "n_old {n_old}");
            let m_old = lower_inverse(&l_old, n_old);
            let m = lower_inverse_extend(&l, n, &m_old, n_old);
            assert!(m.iter().zip(&minv).all(|(p, q)| p.to_bits() == q.to_bits()), "n_old {n_old}");
        }
        // Jitter: the extension adds it to the new diagonal entries like cholesky_jitter does.
        let (lj, jit) = cholesky_jitter(&a, n, 1.0).unwrap();
        assert_eq!(jit, 0.0);
        assert_eq!(lj, full);
        let mut b = a.clone();
        for i in 0..n {
            b[i * n + i] += 1e-6;
        }
        let fb = cholesky(&b, n).unwrap();
        let mut lead = vec![0.0; 5 * 5];
        for i in 0..5 {
            lead[i * 5..(i + 1) * 5].copy_from_slice(&b[i * n..i * n + 5]);
        }
        let lb = cholesky_extend(&cholesky(&lead, 5).unwrap(), 5, &a, n, 1e-6).unwrap();
        assert!(lb.iter().zip(&fb).all(|(p, q)| p.to_bits() == q.to_bits()));
        // dot_multi sums exactly like dot.
        let v: Vec<f64> = (0..29).map(|i| (i as f64 * 1.3).sin()).collect();
        let w: Vec<f64> = (0..29).map(|i| (i as f64 * 0.7).cos()).collect();
        for len in [0, 5, 8, 17, 28] {
            let r = dot_multi(&v[..len], [&w, &v, &w[1..]]);
            assert_eq!(r[0].to_bits(), dot(&v[..len], &w[..len]).to_bits());
            assert_eq!(r[1].to_bits(), dot(&v[..len], &v[..len]).to_bits());
            assert_eq!(r[2].to_bits(), dot(&v[..len], &w[1..len + 1]).to_bits());
        }
    }

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

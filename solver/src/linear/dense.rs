//! Dense LU with partial pivoting, for small MNA systems (an op-amp has about a dozen unknowns).

use super::{Scalar, Singular};
use crate::pattern::Pattern;

/// Dense LU factorization of an `n x n` matrix gathered from pattern values.
#[derive(Debug, Clone)]
pub struct DenseLu<T: Scalar> {
    n: usize,
    /// For each pattern slot (row-major position), where it lands in `a`.
    slot_pos: Vec<usize>,
    /// Row-major matrix, overwritten by its LU factors.
    a: Vec<T>,
    /// Row permutation: `perm[k]` is the original row at position k.
    perm: Vec<usize>,
    work: Vec<T>,
}

impl<T: Scalar> DenseLu<T> {
    /// Prepares the dense layout for a pattern.
    pub fn new(p: &Pattern) -> Self {
        let n = p.n;
        let mut slot_pos = vec![0; p.nnz()];
        for col in 0..n {
            let range = p.col_ptr[col]..p.col_ptr[col + 1];
            for (pos, &row) in slot_pos[range.clone()].iter_mut().zip(&p.row_idx[range]) {
                *pos = row * n + col;
            }
        }
        DenseLu { n, slot_pos, a: vec![T::ZERO; n * n], perm: (0..n).collect(), work: vec![T::ZERO; n] }
    }

    /// Factors the matrix given by pattern values.
    pub fn factor(&mut self, values: &[T]) -> Result<(), Singular> {
        let n = self.n;
        self.a.iter_mut().for_each(|v| *v = T::ZERO);
        for (k, &pos) in self.slot_pos.iter().enumerate() {
            self.a[pos] += values[k];
        }
        for (i, p) in self.perm.iter_mut().enumerate() {
            *p = i;
        }
        let a = &mut self.a;
        for k in 0..n {
            // Partial pivoting: largest magnitude in column k at or below the diagonal.
            let mut piv = k;
            let mut best = a[k * n + k].mag();
            for i in k + 1..n {
                let m = a[i * n + k].mag();
                if m > best {
                    best = m;
                    piv = i;
                }
            }
            if best.is_nan() || best <= 0.0 || !best.is_finite() {
                return Err(Singular { unknown: k });
            }
            if piv != k {
                for j in 0..n {
                    a.swap(k * n + j, piv * n + j);
                }
                self.perm.swap(k, piv);
            }
            let d = a[k * n + k];
            for i in k + 1..n {
                let f = a[i * n + k] / d;
                if f.mag() == 0.0 {
                    continue;
                }
                a[i * n + k] = f;
                for j in k + 1..n {
                    let u = a[k * n + j];
                    a[i * n + j] -= f * u;
                }
            }
        }
        Ok(())
    }

    /// Solves with the last factorization; `rhs[..n]` is b on entry, x on return.
    pub fn solve(&mut self, rhs: &mut [T]) {
        let n = self.n;
        let a = &self.a;
        let y = &mut self.work;
        for i in 0..n {
            let mut s = rhs[self.perm[i]];
            for j in 0..i {
                s -= a[i * n + j] * y[j];
            }
            y[i] = s;
        }
        for i in (0..n).rev() {
            let mut s = y[i];
            for j in i + 1..n {
                s -= a[i * n + j] * y[j];
            }
            y[i] = s / a[i * n + i];
        }
        rhs[..n].copy_from_slice(&y[..n]);
    }
}

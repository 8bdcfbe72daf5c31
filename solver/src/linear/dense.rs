//! Dense LU for small MNA systems (an op-amp has about a dozen unknowns).
//!
//! The first factorization uses partial pivoting and records a plan: the pivot order and the
//! structure of L and U (pattern plus fill). Later factorizations of matrices with the same
//! pattern replay the plan, touching only structurally non-zero entries, as SPICE's sparse
//! solver reuses its pivot order. Each replayed pivot must pass a threshold test (at least
//! 1e-3 of the largest entry below it in its column, Sparse 1.3's default); when one fails,
//! the matrix is factored again with partial pivoting and the plan is rebuilt.

use super::{Scalar, Singular};
use crate::pattern::Pattern;

/// Relative pivot threshold of the replayed plan.
pub(super) const PIVOT_THRESHOLD: f64 = 1e-3;

/// The recorded elimination: for each step `k`, the rows below with a non-zero in column
/// `k` and the columns right of `k` with a non-zero in row `k` (positions after pivoting).
#[derive(Debug, Clone, Default)]
struct Plan {
    /// Every structurally non-zero position of L and U (row-major index).
    positions: Vec<usize>,
    rows_ptr: Vec<usize>,
    rows: Vec<usize>,
    cols_ptr: Vec<usize>,
    cols: Vec<usize>,
}

/// Dense LU factorization of an `n x n` matrix gathered from pattern values.
#[derive(Debug, Clone)]
pub struct DenseLu<T: Scalar> {
    n: usize,
    /// Row and column of each pattern slot.
    slot_rc: Vec<(usize, usize)>,
    /// Row-major matrix, overwritten by its LU factors.
    a: Vec<T>,
    /// Row permutation: `perm[k]` is the original row at position k.
    perm: Vec<usize>,
    /// Inverse permutation: position of original row `r`.
    pos: Vec<usize>,
    /// The recorded plan (valid when `planned`); its vectors keep their capacity.
    plan: Plan,
    planned: bool,
    /// Factorizations that replayed the plan, and that pivoted afresh (diagnostics).
    pub replays: usize,
    pub pivotings: usize,
    /// Structure scratch for building the plan.
    structure: Vec<bool>,
    work: Vec<T>,
}

impl<T: Scalar> DenseLu<T> {
    /// Prepares the dense layout for a pattern.
    pub fn new(p: &Pattern) -> Self {
        let n = p.n;
        let mut slot_rc = vec![(0, 0); p.nnz()];
        for col in 0..n {
            let range = p.col_ptr[col]..p.col_ptr[col + 1];
            for (rc, &row) in slot_rc[range.clone()].iter_mut().zip(&p.row_idx[range]) {
                *rc = (row, col);
            }
        }
        DenseLu {
            n,
            slot_rc,
            a: vec![T::ZERO; n * n],
            perm: (0..n).collect(),
            pos: (0..n).collect(),
            plan: Plan {
                positions: Vec::with_capacity(n * n),
                rows_ptr: Vec::with_capacity(n + 1),
                rows: Vec::with_capacity(n * n),
                cols_ptr: Vec::with_capacity(n + 1),
                cols: Vec::with_capacity(n * n),
            },
            planned: false,
            replays: 0,
            pivotings: 0,
            structure: vec![false; n * n],
            work: vec![T::ZERO; n],
        }
    }

    fn scatter(&mut self, values: &[T]) {
        self.a.iter_mut().for_each(|v| *v = T::ZERO);
        self.gather(values);
    }

    fn gather(&mut self, values: &[T]) {
        let n = self.n;
        for (k, &(r, c)) in self.slot_rc.iter().enumerate() {
            self.a[self.pos[r] * n + c] += values[k];
        }
    }

    /// Forgets the recorded plan: the next factorization pivots afresh. Analyses call this
    /// at their start so a result never depends on the matrices factored before it.
    pub fn reset_plan(&mut self) {
        self.planned = false;
    }

    /// Factors the matrix given by pattern values.
    pub fn factor(&mut self, values: &[T]) -> Result<(), Singular> {
        if self.planned {
            // Outside the plan's structure the matrix holds zeros from the last pivoting.
            for &p in &self.plan.positions {
                self.a[p] = T::ZERO;
            }
            self.gather(values);
            if self.replay() {
                self.replays += 1;
                return Ok(());
            }
        }
        self.pivotings += 1;
        self.factor_pivoting(values)
    }

    /// Replays the recorded plan; false when a pivot fails the threshold test.
    fn replay(&mut self) -> bool {
        let n = self.n;
        let plan = &self.plan;
        let a = &mut self.a;
        for k in 0..n {
            let d = a[k * n + k];
            let rows = &plan.rows[plan.rows_ptr[k]..plan.rows_ptr[k + 1]];
            let dm = d.mag();
            if !(dm.is_finite() && dm > 0.0) {
                return false;
            }
            for &i in rows {
                if a[i * n + k].mag() * PIVOT_THRESHOLD > dm {
                    return false;
                }
            }
            let cols = &plan.cols[plan.cols_ptr[k]..plan.cols_ptr[k + 1]];
            let inv = T::ONE / d;
            for &i in rows {
                let f = a[i * n + k] * inv;
                a[i * n + k] = f;
                for &j in cols {
                    let u = a[k * n + j];
                    a[i * n + j] -= f * u;
                }
            }
        }
        true
    }

    /// Full factorization with partial pivoting; records the plan from its pivot order.
    fn factor_pivoting(&mut self, values: &[T]) -> Result<(), Singular> {
        let n = self.n;
        for (i, p) in self.perm.iter_mut().enumerate() {
            *p = i;
        }
        for (i, p) in self.pos.iter_mut().enumerate() {
            *p = i;
        }
        self.planned = false;
        self.scatter(values);
        let a = &mut self.a;
        for k in 0..n {
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
            let inv = T::ONE / a[k * n + k];
            for i in k + 1..n {
                let f = a[i * n + k] * inv;
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
        for (k, &r) in self.perm.iter().enumerate() {
            self.pos[r] = k;
        }
        self.build_plan();
        self.planned = true;
        Ok(())
    }

    /// Symbolic elimination of the pattern under the present pivot order (no allocation:
    /// the plan's vectors were sized for the dense worst case).
    fn build_plan(&mut self) {
        let n = self.n;
        let s = &mut self.structure;
        s.iter_mut().for_each(|v| *v = false);
        for &(r, c) in &self.slot_rc {
            s[self.pos[r] * n + c] = true;
        }
        for k in 0..n {
            s[k * n + k] = true;
        }
        let plan = &mut self.plan;
        plan.positions.clear();
        plan.rows_ptr.clear();
        plan.rows.clear();
        plan.cols_ptr.clear();
        plan.cols.clear();
        plan.rows_ptr.push(0);
        plan.cols_ptr.push(0);
        for k in 0..n {
            let c0 = plan.cols.len();
            plan.cols.extend((k + 1..n).filter(|&j| s[k * n + j]));
            for i in k + 1..n {
                if s[i * n + k] {
                    plan.rows.push(i);
                    for &j in &plan.cols[c0..] {
                        s[i * n + j] = true;
                    }
                }
            }
            plan.rows_ptr.push(plan.rows.len());
            plan.cols_ptr.push(plan.cols.len());
        }
        plan.positions.extend((0..n * n).filter(|&p| s[p]));
    }

    /// Solves with the last factorization; `rhs[..n]` is b on entry, x on return. The
    /// triangular solves walk the plan's structure (L by columns, U by rows).
    pub fn solve(&mut self, rhs: &mut [T]) {
        let n = self.n;
        let (a, plan, y) = (&self.a, &self.plan, &mut self.work);
        for i in 0..n {
            y[i] = rhs[self.perm[i]];
        }
        for k in 0..n {
            let yk = y[k];
            for &i in &plan.rows[plan.rows_ptr[k]..plan.rows_ptr[k + 1]] {
                y[i] -= a[i * n + k] * yk;
            }
        }
        for k in (0..n).rev() {
            let mut s = y[k];
            for &j in &plan.cols[plan.cols_ptr[k]..plan.cols_ptr[k + 1]] {
                s -= a[k * n + j] * y[j];
            }
            y[k] = s / a[k * n + k];
        }
        rhs[..n].copy_from_slice(&y[..n]);
    }
}

/// The recorded elimination of a [`DenseLu`], for kernels that replay it elsewhere.
pub(crate) struct PlanView<'a> {
    pub n: usize,
    /// Row and column (original order) of each pattern slot.
    pub slot_rc: &'a [(usize, usize)],
    /// Position after pivoting of each original row.
    pub pos: &'a [usize],
    /// Original row at each position.
    pub perm: &'a [usize],
    pub rows_ptr: &'a [usize],
    pub rows: &'a [usize],
    pub cols_ptr: &'a [usize],
    pub cols: &'a [usize],
    /// Every structurally non-zero position of L and U (row-major index).
    pub positions: &'a [usize],
}

impl<T: Scalar> DenseLu<T> {
    /// The recorded plan, when the last factorization left one.
    pub(crate) fn plan_view(&self) -> Option<PlanView<'_>> {
        self.planned.then_some(PlanView {
            n: self.n,
            slot_rc: &self.slot_rc,
            pos: &self.pos,
            perm: &self.perm,
            rows_ptr: &self.plan.rows_ptr,
            rows: &self.plan.rows,
            cols_ptr: &self.plan.cols_ptr,
            cols: &self.plan.cols,
            positions: &self.plan.positions,
        })
    }
}

impl<T: Scalar> DenseLu<T> {
    /// Solves `A^T z = e` with the last factorization (plain transpose, no conjugation: the
    /// adjoint network of noise analysis); `rhs[..n]` is e on entry, z on return.
    /// With `P A = L U`: `U^T w = e`, then `L^T v = w`, then `z = P^T v`.
    pub fn solve_transpose(&mut self, rhs: &mut [T]) {
        let n = self.n;
        let (a, plan, w) = (&self.a, &self.plan, &mut self.work);
        w[..n].copy_from_slice(&rhs[..n]);
        for j in 0..n {
            let wj = w[j] / a[j * n + j];
            w[j] = wj;
            for &k in &plan.cols[plan.cols_ptr[j]..plan.cols_ptr[j + 1]] {
                w[k] -= a[j * n + k] * wj;
            }
        }
        for k in (0..n).rev() {
            let mut s = w[k];
            for &i in &plan.rows[plan.rows_ptr[k]..plan.rows_ptr[k + 1]] {
                s -= a[i * n + k] * w[i];
            }
            w[k] = s;
        }
        for (i, &r) in self.perm.iter().enumerate() {
            rhs[r] = w[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::PatternBuilder;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }

    /// Replayed factorizations solve as accurately as fresh ones, and a matrix whose pivots
    /// the plan cannot use triggers re-pivoting instead of a wrong answer.
    #[test]
    fn replayed_plan_solves_and_repivots_when_needed() {
        let n = 12;
        let mut pb = PatternBuilder::new(n);
        let mut slots = Vec::new();
        for i in 0..n {
            for j in 0..n {
                slots.push((i, j, pb.entry(i, j)));
            }
        }
        let (p, map) = pb.finish();
        let mut seed = 3u64;
        let mut lu = DenseLu::<f64>::new(&p);
        for trial in 0..50 {
            let mut v = vec![0.0; p.nnz() + 1];
            for &(i, j, s) in &slots {
                // Sparse-ish values; every tenth matrix has tiny diagonals, so the recorded
                // pivots are unusable and the factorization must pivot again.
                let off = if (i * 5 + j * 3 + trial) % 4 == 0 { lcg(&mut seed) } else { 0.0 };
                let diag = if trial % 10 == 9 { 1e-14 } else { 2.0 + lcg(&mut seed) };
                v[map[s]] += if i == j { diag } else { off };
            }
            // Keep the tiny-diagonal matrices non-singular: a dense off-diagonal ring.
            if trial % 10 == 9 {
                for i in 0..n {
                    let j = (i + 1) % n;
                    let s = slots.iter().find(|t| t.0 == i && t.1 == j).unwrap().2;
                    v[map[s]] += 1.0 + lcg(&mut seed);
                }
            }
            let x: Vec<f64> = (0..n).map(|_| lcg(&mut seed)).collect();
            let mut b = vec![0.0; n + 1];
            for (col, xc) in x.iter().enumerate() {
                for k in p.col_ptr[col]..p.col_ptr[col + 1] {
                    b[p.row_idx[k]] += v[k] * xc;
                }
            }
            lu.factor(&v).unwrap();
            // The transposed system with the same solution: b_t = A^T x.
            let mut bt = vec![0.0; n + 1];
            for (col, bc) in bt.iter_mut().enumerate().take(n) {
                for k in p.col_ptr[col]..p.col_ptr[col + 1] {
                    *bc += v[k] * x[p.row_idx[k]];
                }
            }
            lu.solve(&mut b);
            let err = (0..n).map(|i| (b[i] - x[i]).abs()).fold(0.0, f64::max);
            assert!(err < 1e-9, "trial {trial}: error {err}");
            lu.solve_transpose(&mut bt);
            let err = (0..n).map(|i| (bt[i] - x[i]).abs()).fold(0.0, f64::max);
            assert!(err < 1e-9, "trial {trial}: transposed error {err}");
        }
    }
}

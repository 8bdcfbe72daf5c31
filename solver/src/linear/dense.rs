//! Dense LU for small MNA systems (an op-amp has about a dozen unknowns).
//!
//! The first factorization of an analysis chooses pivots ([`Pivoting`]): by partial pivoting,
//! or much as SPICE's sparse solver (Sparse 1.3) does, the entry of least Markowitz count (the
//! fill it can cause) among those at least 0.1 of their column's largest, diagonal entries
//! first. It records a plan: row and column orders and the structure of L and U (pattern plus
//! fill), compiled to compact indices ([`CompactPlan`]). Later factorizations of matrices with
//! the same pattern replay the plan on the compact entries only. Each replayed pivot must stay
//! at least 1e-3 of its column (Sparse's threshold); when one does not, the matrix is factored
//! again with fresh pivoting and the plan is rebuilt.

use super::plan::CompactPlan;
use super::{Scalar, Singular};
use crate::pattern::Pattern;

/// Relative pivot threshold a replayed plan must keep (Sparse 1.3's default).
pub(super) const PIVOT_THRESHOLD: f64 = 1e-3;

/// Relative pivot threshold of a fresh pivot choice: stricter than the replay's, to bound
/// element growth (UMFPACK's default). On random sparse systems spanning 12 decades
/// (`solver/tests/lu_props.rs`) 1e-3 gave normwise backward errors up to 5e-9 and 1e-2 up to
/// 1e-10; 0.1 stays below 1e-10 in 20,000 cases.
const CHOICE_THRESHOLD: f64 = 0.1;

/// How a fresh factorization chooses its pivots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pivoting {
    /// Threshold Markowitz, diagonal first: least fill, so the cheapest replays, but a
    /// costlier choice. What every analysis uses, as ngspice's Sparse 1.3 chooses (the
    /// simulator's solvers take grounded voltage sources first, which keeps the choice cheap).
    #[default]
    Markowitz,
    /// Partial pivoting in natural column order: the cheapest choice, but on ill-scaled
    /// systems it mixes the large rows into the others (a 5.7e28 A junction current moved a
    /// node 2.5 V off the inductor that shorts it), where Markowitz keeps them apart.
    Partial,
}

/// A compiled plan kept for reuse (a spare, or set aside by [`DenseLu::pin_plan`]) and the
/// row and column orders it was compiled for.
#[derive(Debug, Clone)]
struct KeptPlan {
    plan: CompactPlan,
    perm: Vec<usize>,
    cperm: Vec<usize>,
}

impl KeptPlan {
    /// An empty plan for `n` unknowns and `nnz` pattern entries, compiled for no order (the
    /// `usize::MAX` orders match no permutation).
    fn new(n: usize, nnz: usize) -> Self {
        KeptPlan { plan: CompactPlan::new(n, nnz), perm: vec![usize::MAX; n], cperm: vec![usize::MAX; n] }
    }

    /// Whether it was compiled for these row and column orders.
    fn is_for(&self, perm: &[usize], cperm: &[usize]) -> bool {
        self.perm == perm && self.cperm == cperm
    }

    /// Copies `other` into this plan's storage (no allocation).
    fn copy_from(&mut self, other: &KeptPlan) {
        self.plan.copy_from(&other.plan);
        self.perm.copy_from_slice(&other.perm);
        self.cperm.copy_from_slice(&other.cperm);
    }

    /// Makes the spare compiled for these orders the plan in hand (`self`), the one it
    /// replaces becoming the most recent spare; true when there was one. Otherwise the least
    /// recent spare's storage becomes the plan in hand (its contents stale, for the caller to
    /// overwrite) and false. No allocation either way.
    fn take_spare_for(&mut self, spares: &mut [KeptPlan], perm: &[usize], cperm: &[usize]) -> bool {
        let found = spares.iter().position(|s| s.is_for(perm, cperm));
        let i = found.unwrap_or(spares.len() - 1);
        std::mem::swap(self, &mut spares[i]);
        spares[..=i].rotate_right(1);
        found.is_some()
    }
}

/// Plans kept besides the one in hand ([`KeptPlan::take_spare_for`]).
const SPARES: usize = 3;

/// Dense LU factorization of an `n x n` matrix gathered from pattern values.
#[derive(Debug, Clone)]
pub struct DenseLu<T: Scalar> {
    n: usize,
    /// Row and column of each pattern slot.
    slot_rc: Vec<(usize, usize)>,
    /// Row-major matrix for pivoting (factored in place).
    a: Vec<T>,
    /// Row permutation: `perm[k]` is the original row at position k.
    perm: Vec<usize>,
    /// Inverse permutation: position of original row `r`.
    pos: Vec<usize>,
    /// Column permutation: `cperm[k]` is the original column (unknown) at position k.
    cperm: Vec<usize>,
    /// Inverse column permutation.
    cpos: Vec<usize>,
    /// The recorded plan (valid when `planned`) with the row and column orders it was
    /// compiled for (a fresh pivoting that chooses them again reuses the compiled plan, which
    /// depends on nothing else, the pattern being fixed), and the factors in its compact
    /// entries.
    hand: KeptPlan,
    lu: Vec<T>,
    /// Reciprocals of the pivots (the solves multiply by them).
    inv_diag: Vec<T>,
    /// The U entries in the plan's back-substitution order (`back_c`), each divided by its
    /// row's pivot: the back substitution of `solve` is then one loop over them.
    u_back: Vec<T>,
    planned: bool,
    /// Plans compiled before the one in hand, with their orders, the most recent first: a cold
    /// operating point pivots two or three times (at the zero-bias matrix of its first
    /// iteration and at later ones), so plans in hand let every cold start reuse them all.
    spares: Vec<KeptPlan>,
    /// A plan set aside by [`DenseLu::pin_plan`], with its orders: what
    /// [`DenseLu::reset_to_pinned`] makes the next factorization replay.
    pinned: Option<Box<KeptPlan>>,
    /// The strategy of the next fresh pivoting.
    pivoting: Pivoting,
    /// Pivots (original row, column) a Markowitz pivoting takes first while they are usable
    /// (see [`DenseLu::set_first_pivots`]).
    first: Vec<(usize, usize)>,
    /// Factorizations that replayed the plan, and that pivoted afresh (diagnostics).
    pub replays: usize,
    pub pivotings: usize,
    /// Times the plan in hand changed (a fresh pivoting that repeats its order changes nothing).
    pub plan_builds: usize,
    /// Structure scratch for pivoting and building the plan.
    structure: Vec<bool>,
    /// Markowitz counts scratch: structural non-zeros per active row and column.
    row_count: Vec<usize>,
    col_count: Vec<usize>,
    col_max: Vec<f64>,
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
            cperm: (0..n).collect(),
            cpos: (0..n).collect(),
            hand: KeptPlan::new(n, p.nnz()),
            lu: vec![T::ZERO; n * n],
            inv_diag: vec![T::ZERO; n],
            u_back: Vec::with_capacity(n * n),
            planned: false,
            spares: (0..SPARES).map(|_| KeptPlan::new(n, p.nnz())).collect(),
            pinned: None,
            pivoting: Pivoting::default(),
            first: Vec::new(),
            replays: 0,
            pivotings: 0,
            plan_builds: 0,
            structure: vec![false; n * n],
            row_count: vec![0; n],
            col_count: vec![0; n],
            col_max: vec![0.0; n],
            work: vec![T::ZERO; n],
        }
    }

    /// Forgets the recorded plan: the next factorization pivots afresh. Analyses call this
    /// at their start so a result never depends on the matrices factored before it.
    pub fn reset_plan(&mut self) {
        self.planned = false;
    }

    /// [`DenseLu::reset_plan`], choosing how the fresh pivoting will choose.
    pub fn reset_plan_with(&mut self, pivoting: Pivoting) {
        self.planned = false;
        self.pivoting = pivoting;
    }

    /// Sets the plan in hand aside: [`DenseLu::reset_to_pinned`] brings it back whatever was
    /// factored in between. False (and nothing pinned) when there is no plan.
    pub fn pin_plan(&mut self) -> bool {
        if !self.planned {
            self.pinned = None;
            return false;
        }
        self.pinned = Some(Box::new(self.hand.clone()));
        true
    }

    /// Forgets the plan set aside by [`DenseLu::pin_plan`].
    pub fn unpin_plan(&mut self) {
        self.pinned = None;
    }

    /// [`DenseLu::reset_plan_with`], except that the next factorization replays the pinned
    /// plan when there is one (and pivots afresh, as chosen, only when a pivot of it fails the
    /// replay's threshold). The factors then depend on the pinned plan and the matrix alone,
    /// not on what was factored before. Allocates nothing: the pinned plan is copied into the
    /// plan's own storage, and not even copied when the plan in hand (or a spare) is it.
    pub fn reset_to_pinned(&mut self, pivoting: Pivoting) {
        self.reset_plan_with(pivoting);
        let Some(p) = self.pinned.as_deref() else { return };
        if !self.hand.is_for(&p.perm, &p.cperm) {
            if !self.hand.take_spare_for(&mut self.spares, &p.perm, &p.cperm) {
                self.hand.copy_from(p);
            }
            self.plan_builds += 1;
        }
        self.planned = true;
    }

    /// Entries (original row, column) that a Markowitz pivoting takes as its first pivots,
    /// in this order, each while it is usable (non-zero, within the choice threshold of its
    /// column, its row and column still active); the others are chosen as usual. The AC
    /// solver puts grounded voltage sources here: their branch row, then their node's row
    /// with the branch column, eliminate without fill and cut the matrix into the blocks the
    /// source's node joined.
    pub fn set_first_pivots(&mut self, pivots: &[(usize, usize)]) {
        self.first.clear();
        self.first.extend_from_slice(pivots);
    }

    /// The compiled plan of the last factorization, when it left one.
    pub(crate) fn compact_plan(&self) -> Option<&CompactPlan> {
        self.planned.then_some(&self.hand.plan)
    }

    /// Factors the matrix given by pattern values.
    pub fn factor(&mut self, values: &[T]) -> Result<(), Singular> {
        if self.planned && self.replay(values) {
            self.replays += 1;
            self.scale_back();
            return Ok(());
        }
        self.pivotings += 1;
        self.factor_pivoting(values)?;
        self.scale_back();
        Ok(())
    }

    /// Fills `u_back` from the factors just computed (no allocation: its capacity is n^2),
    /// for a scalar whose solve uses it.
    fn scale_back(&mut self) {
        if !T::SCALED_BACK {
            return;
        }
        let (plan, lu, inv) = (&self.hand.plan, &self.lu, &self.inv_diag);
        self.u_back.clear();
        self.u_back.extend(plan.back_c.iter().zip(&plan.back_i).map(|(&c, &i)| lu[c as usize] * inv[i as usize]));
    }

    /// Replays the recorded plan on the compact entries; false when a pivot fails the
    /// threshold test.
    fn replay(&mut self, values: &[T]) -> bool {
        let (plan, inv_diag) = (&self.hand.plan, &mut self.inv_diag);
        let lu = self.lu.as_mut_ptr();
        // SAFETY (every `lu.add` below): `factor_pivoting` checked that every entry index of
        // the plan is below `self.lu.len()`, and the plan changes only there.
        for &f in &plan.fill_c {
            unsafe { *lu.add(f as usize) = T::ZERO };
        }
        for (&c, &v) in plan.slot_c.iter().zip(values) {
            unsafe { *lu.add(c as usize) = v };
        }
        let mut u0 = 0;
        for (k, (&dc, inv_k)) in plan.diag_c.iter().zip(inv_diag.iter_mut()).enumerate() {
            let d = unsafe { *lu.add(dc as usize) };
            let dm = d.mag();
            if !(dm.is_finite() && dm > 0.0) {
                return false;
            }
            let (rows, _) = plan.rows(k);
            let mut small = false;
            for &c in rows {
                small |= unsafe { *lu.add(c as usize) }.mag() * PIVOT_THRESHOLD > dm;
            }
            if small {
                return false;
            }
            let (cols, _) = plan.cols(k);
            let nc = cols.len();
            let inv = T::ONE / d;
            *inv_k = inv;
            for (q, &rc) in rows.iter().enumerate() {
                let f = unsafe { *lu.add(rc as usize) } * inv;
                unsafe { *lu.add(rc as usize) = f };
                for (&t, &cj) in plan.upd[u0 + q * nc..u0 + (q + 1) * nc].iter().zip(cols) {
                    unsafe {
                        let u = *lu.add(cj as usize);
                        *lu.add(t as usize) -= f * u;
                    }
                }
            }
            u0 += rows.len() * nc;
        }
        true
    }

    /// Full factorization with fresh pivoting (threshold Markowitz, diagonal first); records
    /// and compiles the plan of its pivot order.
    fn factor_pivoting(&mut self, values: &[T]) -> Result<(), Singular> {
        let n = self.n;
        for k in 0..n {
            (self.perm[k], self.pos[k], self.cperm[k], self.cpos[k]) = (k, k, k, k);
        }
        self.planned = false;
        self.a.iter_mut().for_each(|v| *v = T::ZERO);
        for (&(r, c), &v) in self.slot_rc.iter().zip(values) {
            self.a[r * n + c] += v;
        }
        // Structure of the active submatrix, fill included, for the Markowitz counts.
        let st = &mut self.structure;
        st.iter_mut().for_each(|v| *v = false);
        for &(r, c) in &self.slot_rc {
            st[r * n + c] = true;
        }
        for k in 0..n {
            let pivot = match self.pivoting {
                Pivoting::Markowitz => match self.first.get(k).and_then(|&(r, c)| self.first_pivot(k, r, c)) {
                    Some(p) => Ok(p),
                    None => self.choose_pivot(k),
                },
                Pivoting::Partial => self.choose_partial(k),
            };
            let (pi, pj) = pivot.map_err(|unknown| Singular { unknown })?;
            self.swap_rows(k, pi);
            self.swap_cols(k, pj);
            let (a, st) = (&mut self.a, &mut self.structure);
            st[k * n + k] = true;
            let inv = T::ONE / a[k * n + k];
            for i in k + 1..n {
                if !st[i * n + k] {
                    continue;
                }
                let f = a[i * n + k] * inv;
                a[i * n + k] = f;
                for j in k + 1..n {
                    if st[k * n + j] {
                        st[i * n + j] = true;
                        let u = a[k * n + j];
                        a[i * n + j] -= f * u;
                    }
                }
            }
        }
        for k in 0..n {
            self.pos[self.perm[k]] = k;
            self.cpos[self.cperm[k]] = k;
        }
        // The structure now holds L and U (with fill) in pivot order: compile it, unless the
        // plan in hand or a spare was compiled for this very order (the structure follows
        // from it). Orders are permutations, so the initial `usize::MAX` orders match none.
        if !self.hand.is_for(&self.perm, &self.cperm) {
            if !self.hand.take_spare_for(&mut self.spares, &self.perm, &self.cperm) {
                let (pos, cpos) = (&self.pos, &self.cpos);
                let slots = self.slot_rc.iter().map(|&(r, c)| pos[r] * n + cpos[c]);
                self.hand.plan.rebuild(&self.structure, slots, &self.perm, &self.cperm);
                // The replay and the solves index the factors without bounds checks: check once.
                assert!(self.hand.plan.indices_within(n, self.lu.len()), "a compact plan of {n} unknowns");
                self.hand.perm.copy_from_slice(&self.perm);
                self.hand.cperm.copy_from_slice(&self.cperm);
            }
            self.plan_builds += 1;
        }
        for (v, &p) in self.lu.iter_mut().zip(&self.hand.plan.dense) {
            *v = self.a[p as usize];
        }
        for (inv, &d) in self.inv_diag.iter_mut().zip(&self.hand.plan.diag_c) {
            *inv = T::ONE / self.lu[d as usize];
        }
        self.planned = true;
        Ok(())
    }

    /// The pivot of step `k` (positions in the active submatrix): an entry at least
    /// [`CHOICE_THRESHOLD`] of its column's largest, of least Markowitz count
    /// `(r - 1)(c - 1)`. Original diagonal entries are searched first, as Sparse 1.3 does;
    /// ties go to the largest relative to its column, then to the first. Fails with the
    /// unknown of a column that has no usable entry.
    fn choose_pivot(&mut self, k: usize) -> Result<(usize, usize), usize> {
        let n = self.n;
        // Structural non-zeros of each active row and column, and each column's largest.
        let (rows, cols, colmax) = (&mut self.row_count, &mut self.col_count, &mut self.col_max);
        rows[k..].iter_mut().chain(cols[k..].iter_mut()).for_each(|c| *c = 0);
        colmax[k..].iter_mut().for_each(|m| *m = 0.0);
        for (i, r) in rows.iter_mut().enumerate().skip(k) {
            let (srow, arow) = (&self.structure[i * n + k..(i + 1) * n], &self.a[i * n + k..(i + 1) * n]);
            for (((&nz, v), c), m) in srow.iter().zip(arow).zip(&mut cols[k..]).zip(&mut colmax[k..]) {
                if nz {
                    *r += 1;
                    *c += 1;
                    *m = m.max(v.mag());
                }
            }
        }
        if let Some(j) = (k..n).find(|&j| self.col_max[j] == 0.0) {
            return Err(self.cperm[j]);
        }
        let (a, rows, cols, colmax) = (&self.a, &self.row_count, &self.col_count, &self.col_max);
        // (markowitz, -ratio, i, j): smaller is better.
        let candidate = |i: usize, j: usize| {
            let m = a[i * n + j].mag();
            let usable = m > 0.0 && m >= CHOICE_THRESHOLD * colmax[j] && colmax[j].is_finite();
            usable.then(|| (rows[i].saturating_sub(1) * cols[j].saturating_sub(1), -(m / colmax[j]), i, j))
        };
        let pick = |best: Option<(usize, f64, usize, usize)>, c: (usize, f64, usize, usize)| match best {
            Some(b) if c.0.cmp(&b.0).then(c.1.total_cmp(&b.1)).is_ge() => Some(b),
            _ => Some(c),
        };
        let diagonal = (k..n).map(|j| (self.pos[self.cperm[j]], j)).filter(|&(i, _)| i >= k);
        let mut best = diagonal.filter_map(|(i, j)| candidate(i, j)).fold(None, pick);
        if best.is_none() {
            best =
                (k..n).flat_map(|j| (k..n).map(move |i| (i, j))).filter_map(|(i, j)| candidate(i, j)).fold(None, pick);
        }
        best.map(|b| (b.2, b.3)).ok_or(self.cperm[k])
    }

    /// Original entry `(r, c)` as the pivot of step `k` (positions in the active submatrix),
    /// if it is still active and usable by [`DenseLu::choose_pivot`]'s threshold.
    fn first_pivot(&self, k: usize, r: usize, c: usize) -> Option<(usize, usize)> {
        let n = self.n;
        let i = self.pos[r];
        let j = (k..n).find(|&j| self.cperm[j] == c)?;
        if i < k {
            return None;
        }
        let m = self.a[i * n + j].mag();
        let colmax = (k..n).map(|i| self.a[i * n + j].mag()).fold(0.0, f64::max);
        (m > 0.0 && colmax.is_finite() && m >= CHOICE_THRESHOLD * colmax).then_some((i, j))
    }

    /// The pivot of step `k` by partial pivoting: the largest entry of column `k`.
    fn choose_partial(&self, k: usize) -> Result<(usize, usize), usize> {
        let n = self.n;
        let (mut best, mut row) = (0.0f64, k);
        for i in k..n {
            let m = self.a[i * n + k].mag();
            if m > best {
                (best, row) = (m, i);
            }
        }
        if best.is_finite() && best > 0.0 {
            Ok((row, k))
        } else {
            Err(self.cperm[k])
        }
    }

    fn swap_rows(&mut self, k: usize, i: usize) {
        if i != k {
            let n = self.n;
            for j in 0..n {
                self.a.swap(k * n + j, i * n + j);
                self.structure.swap(k * n + j, i * n + j);
            }
            self.perm.swap(k, i);
            (self.pos[self.perm[k]], self.pos[self.perm[i]]) = (k, i);
        }
    }

    fn swap_cols(&mut self, k: usize, j: usize) {
        if j != k {
            let n = self.n;
            for i in 0..n {
                self.a.swap(i * n + k, i * n + j);
                self.structure.swap(i * n + k, i * n + j);
            }
            self.cperm.swap(k, j);
        }
    }

    /// Solves with the last factorization; `rhs[..n]` is b on entry, x on return.
    pub fn solve(&mut self, rhs: &mut [T]) {
        let n = self.n;
        assert!(rhs.len() >= n, "one right-hand side entry per unknown");
        let (plan, inv_diag) = (&self.hand.plan, &self.inv_diag);
        let (lu, y) = (self.lu.as_ptr(), self.work.as_mut_ptr());
        // SAFETY (every `add` and `get_unchecked` below): `factor_pivoting` checked that every
        // entry index of the plan is below `lu.len()` and every row, column and permutation
        // index below `n == work.len() <= rhs.len()`.
        for (i, &r) in plan.perm.iter().enumerate() {
            unsafe { *y.add(i) = *rhs.get_unchecked(r as usize) };
        }
        // Leading zeros of the permuted right-hand side stay zero through the forward
        // substitution (an AC excitation is one source's row or two): start at the first
        // non-zero. Only the signs of zeros can differ from a full pass (`y -= l * 0`).
        let k0 = (0..n).find(|&k| unsafe { *y.add(k) }.mag() != 0.0).unwrap_or(n);
        // Forward, column by column, over the L entries in one loop (a loop per column, of a
        // few entries each, spent more on its exits than on the arithmetic): an entry's
        // column k comes after every column before it, so y[k] is final when it is read.
        let from = plan.rows_ptr.get(k0).map_or(plan.rows_c.len(), |&p| p as usize);
        let l = plan.rows_c[from..].iter().zip(&plan.rows_i[from..]).zip(&plan.rows_k[from..]);
        for ((&c, &i), &k) in l {
            unsafe { *y.add(i as usize) -= *lu.add(c as usize) * *y.add(k as usize) };
        }
        if T::SCALED_BACK {
            // Back, with U = D U' (U' unit upper triangular): y <- D^-1 y, then column by
            // column from the last, x[k] final before its column updates the rows above.
            for (k, &inv) in inv_diag.iter().enumerate() {
                unsafe { *y.add(k) = *y.add(k) * inv };
            }
            let u = self.u_back.iter().zip(&plan.back_i).zip(&plan.back_k);
            for ((&v, &i), &k) in u {
                unsafe { *y.add(i as usize) -= v * *y.add(k as usize) };
            }
        } else {
            for k in (0..n).rev() {
                let mut s = unsafe { *y.add(k) };
                let (cols, cj) = plan.cols(k);
                for (&c, &j) in cols.iter().zip(cj) {
                    s -= unsafe { *lu.add(c as usize) * *y.add(j as usize) };
                }
                unsafe { *y.add(k) = s * inv_diag[k] };
            }
        }
        for (k, &c) in plan.cperm.iter().enumerate() {
            unsafe { *rhs.get_unchecked_mut(c as usize) = *y.add(k) };
        }
    }

    /// Solves `A^T z = e` with the last factorization (plain transpose, no conjugation: the
    /// adjoint network of noise analysis); `rhs[..n]` is e on entry, z on return.
    /// With `P A Q = L U`: `U^T w = Q^T e`, then `L^T v = w`, then `z = P^T v`.
    pub fn solve_transpose(&mut self, rhs: &mut [T]) {
        let n = self.n;
        let (lu, plan, inv_diag, w) = (&self.lu, &self.hand.plan, &self.inv_diag, &mut self.work);
        for (wk, &c) in w.iter_mut().zip(&plan.cperm) {
            *wk = rhs[c as usize];
        }
        for j in 0..n {
            let wj = w[j] * inv_diag[j];
            w[j] = wj;
            let (cols, ck) = plan.cols(j);
            for (&c, &k) in cols.iter().zip(ck) {
                w[k as usize] -= lu[c as usize] * wj;
            }
        }
        for k in (0..n).rev() {
            let mut s = w[k];
            let (rows, ri) = plan.rows(k);
            for (&c, &i) in rows.iter().zip(ri) {
                s -= lu[c as usize] * w[i as usize];
            }
            w[k] = s;
        }
        for (&wi, &r) in w.iter().zip(&plan.perm) {
            rhs[r as usize] = wi;
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

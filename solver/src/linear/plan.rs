//! A recorded LU elimination compiled to compact indices.
//!
//! After the dense LU has chosen its pivots, the structurally non-zero entries of L and U
//! (pattern plus fill) are numbered in row-major order of the permuted matrix. A replay then
//! reads and writes only those entries, through index lists made once per pivoting: where each
//! pattern slot lands, which entries are fill, and for each elimination step its pivot, the L
//! entries below it, the U entries right of it and the entries they update.

/// The compiled plan of one pivot order (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct CompactPlan {
    pub n: usize,
    /// Entry of each pattern slot.
    pub slot_c: Vec<u32>,
    /// Entries that are fill-in (zero before each factorization).
    pub fill_c: Vec<u32>,
    /// Per step: the pivot entry.
    pub diag_c: Vec<u32>,
    /// Per step `k`, `rows_ptr[k]..rows_ptr[k + 1]`: the L entries of column k and their rows.
    pub rows_ptr: Vec<u32>,
    pub rows_c: Vec<u32>,
    pub rows_i: Vec<u32>,
    /// The step (column) of each L entry, in the order of `rows_c`: the forward substitution
    /// runs over all of them in one loop.
    pub rows_k: Vec<u32>,
    /// Per step, `cols_ptr[k]..cols_ptr[k + 1]`: the U entries of row k and their columns.
    pub cols_ptr: Vec<u32>,
    pub cols_c: Vec<u32>,
    pub cols_j: Vec<u32>,
    /// The U entries column by column, last column first, with their rows and columns: the
    /// back substitution's order (see `DenseLu::solve`).
    pub back_c: Vec<u32>,
    pub back_i: Vec<u32>,
    pub back_k: Vec<u32>,
    /// The entries updated by each step, row by row (each L row times every U column).
    pub upd: Vec<u32>,
    /// Original row, and original column (unknown), at each position.
    pub perm: Vec<u32>,
    pub cperm: Vec<u32>,
    /// Dense row-major position of each entry.
    pub dense: Vec<u32>,
    /// Dense position to entry (scratch).
    map: Vec<u32>,
}

impl CompactPlan {
    /// Storage sized for the worst case of `n` unknowns and `nnz` slots, so rebuilding never
    /// allocates.
    pub fn new(n: usize, nnz: usize) -> Self {
        let dense = n * n;
        CompactPlan {
            n,
            slot_c: Vec::with_capacity(nnz),
            fill_c: Vec::with_capacity(dense),
            diag_c: Vec::with_capacity(n),
            rows_ptr: Vec::with_capacity(n + 1),
            rows_c: Vec::with_capacity(dense),
            rows_i: Vec::with_capacity(dense),
            rows_k: Vec::with_capacity(dense),
            back_c: Vec::with_capacity(dense),
            back_i: Vec::with_capacity(dense),
            back_k: Vec::with_capacity(dense),
            cols_ptr: Vec::with_capacity(n + 1),
            cols_c: Vec::with_capacity(dense),
            cols_j: Vec::with_capacity(dense),
            upd: Vec::with_capacity(n * (n + 1) * (2 * n + 1) / 6),
            perm: Vec::with_capacity(n),
            cperm: Vec::with_capacity(n),
            dense: Vec::with_capacity(dense),
            map: vec![u32::MAX; dense],
        }
    }

    /// Copies `other` into this plan's storage (no allocation when the capacities suffice,
    /// which `new` with the same sizes guarantees; a derived `clone_from` would reallocate).
    pub fn copy_from(&mut self, other: &CompactPlan) {
        self.n = other.n;
        self.slot_c.clone_from(&other.slot_c);
        self.fill_c.clone_from(&other.fill_c);
        self.diag_c.clone_from(&other.diag_c);
        self.rows_ptr.clone_from(&other.rows_ptr);
        self.rows_c.clone_from(&other.rows_c);
        self.rows_i.clone_from(&other.rows_i);
        self.rows_k.clone_from(&other.rows_k);
        self.back_c.clone_from(&other.back_c);
        self.back_i.clone_from(&other.back_i);
        self.back_k.clone_from(&other.back_k);
        self.cols_ptr.clone_from(&other.cols_ptr);
        self.cols_c.clone_from(&other.cols_c);
        self.cols_j.clone_from(&other.cols_j);
        self.upd.clone_from(&other.upd);
        self.perm.clone_from(&other.perm);
        self.cperm.clone_from(&other.cperm);
        self.dense.clone_from(&other.dense);
    }

    /// Number of entries of L and U.
    pub fn entries(&self) -> usize {
        self.dense.len()
    }

    /// Multiply-adds of one factorization (diagnostics).
    pub fn updates(&self) -> usize {
        self.upd.len()
    }

    /// Compiles the elimination of the structure `s` (row-major, permuted, fill included)
    /// for slots at `slots` (permuted row-major positions) and the given permutations.
    pub fn rebuild(&mut self, s: &[bool], slots: impl Iterator<Item = usize>, perm: &[usize], cperm: &[usize]) {
        let n = self.n;
        self.dense.clear();
        for (p, &nz) in s.iter().enumerate() {
            if nz {
                self.map[p] = self.dense.len() as u32;
                self.dense.push(p as u32);
            }
        }
        let map = &self.map;
        self.slot_c.clear();
        self.slot_c.extend(slots.map(|p| map[p]));
        self.diag_c.clear();
        self.rows_ptr.clear();
        self.rows_c.clear();
        self.rows_i.clear();
        self.rows_k.clear();
        self.cols_ptr.clear();
        self.cols_c.clear();
        self.cols_j.clear();
        self.upd.clear();
        self.rows_ptr.push(0);
        self.cols_ptr.push(0);
        for k in 0..n {
            self.diag_c.push(map[k * n + k]);
            let c0 = self.cols_c.len();
            for j in (k + 1..n).filter(|&j| s[k * n + j]) {
                self.cols_c.push(map[k * n + j]);
                self.cols_j.push(j as u32);
            }
            for i in (k + 1..n).filter(|&i| s[i * n + k]) {
                self.rows_c.push(map[i * n + k]);
                self.rows_i.push(i as u32);
                self.rows_k.push(k as u32);
                for &j in &self.cols_j[c0..] {
                    self.upd.push(map[i * n + j as usize]);
                }
            }
            self.rows_ptr.push(self.rows_c.len() as u32);
            self.cols_ptr.push(self.cols_c.len() as u32);
        }
        self.back_c.clear();
        self.back_i.clear();
        self.back_k.clear();
        for k in (0..n).rev() {
            for i in (0..k).filter(|&i| s[i * n + k]) {
                self.back_c.push(map[i * n + k]);
                self.back_i.push(i as u32);
                self.back_k.push(k as u32);
            }
        }
        // Fill-in: entries no slot lands on (marked through the scratch map).
        for &c in &self.slot_c {
            self.map[self.dense[c as usize] as usize] = u32::MAX;
        }
        self.fill_c.clear();
        for &p in &self.dense {
            let c = self.map[p as usize];
            if c != u32::MAX {
                self.fill_c.push(c);
            }
        }
        self.perm.clear();
        self.perm.extend(perm.iter().map(|&r| r as u32));
        self.cperm.clear();
        self.cperm.extend(cperm.iter().map(|&c| c as u32));
    }

    /// Whether this is a plan of `n` unknowns whose entry indices are all below `entries`
    /// (kernels that index without bounds checks verify this once per plan).
    pub fn indices_within(&self, n: usize, entries: usize) -> bool {
        let below = |v: &[u32], m: usize| v.iter().all(|&i| (i as usize) < m);
        self.n == n
            && self.diag_c.len() == n
            && self.rows_ptr.len() == n + 1
            && self.cols_ptr.len() == n + 1
            && self.perm.len() == n
            && self.cperm.len() == n
            && self.rows_c.len() == self.rows_i.len()
            && self.rows_c.len() == self.rows_k.len()
            && self.cols_c.len() == self.cols_j.len()
            && self.back_c.len() == self.cols_c.len()
            && self.back_i.len() == self.back_c.len()
            && self.back_k.len() == self.back_c.len()
            && [&self.slot_c, &self.fill_c, &self.diag_c, &self.rows_c, &self.cols_c, &self.upd, &self.back_c]
                .iter()
                .all(|v| below(v, entries))
            && [&self.rows_i, &self.rows_k, &self.cols_j, &self.back_i, &self.back_k, &self.perm, &self.cperm]
                .iter()
                .all(|v| below(v, n))
    }

    /// Step `k`'s L entries and their rows.
    #[inline]
    pub fn rows(&self, k: usize) -> (&[u32], &[u32]) {
        let r = self.rows_ptr[k] as usize..self.rows_ptr[k + 1] as usize;
        (&self.rows_c[r.clone()], &self.rows_i[r])
    }

    /// Step `k`'s U entries and their columns.
    #[inline]
    pub fn cols(&self, k: usize) -> (&[u32], &[u32]) {
        let r = self.cols_ptr[k] as usize..self.cols_ptr[k + 1] as usize;
        (&self.cols_c[r.clone()], &self.cols_j[r])
    }
}

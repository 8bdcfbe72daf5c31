//! Small-signal solves of several frequencies in lockstep.
//!
//! An AC sweep factors `G + jwC` once per frequency with the same pattern, and after the
//! first frequency the dense LU replays one recorded pivot plan. This kernel replays that
//! plan for [`LANES`] frequencies at once: each matrix entry holds one value per frequency
//! (structure of arrays, split real and imaginary parts), so every index is read once per
//! group and the arithmetic vectorizes. It performs the same floating-point operations in
//! the same order as [`DenseLu`](super::DenseLu)'s replay and solve, so a sweep solved in
//! lanes equals the same sweep solved one frequency at a time, bit for bit.

use super::dense::{PlanView, PIVOT_THRESHOLD};
use num_complex::Complex64;

/// Frequencies solved together.
pub const LANES: usize = 8;

type Lane = [f64; LANES];

const ZERO: Lane = [0.0; LANES];

/// The plan of a [`DenseLu`](super::DenseLu) compiled to compact indices, and the lane storage.
#[derive(Debug, Clone)]
pub struct AcLanes {
    n: usize,
    /// The dense LU's pivoting count this plan was built from (`None`: not built).
    built_for: Option<usize>,
    /// Compact entry of each pattern slot.
    slot_c: Vec<u32>,
    /// Compact entries that are fill-in (zeroed before each factorization).
    fill_c: Vec<u32>,
    /// Per elimination step: the diagonal entry, the L entries below it (with their row
    /// positions) and the U entries right of it (with their columns).
    diag_c: Vec<u32>,
    rows_ptr: Vec<u32>,
    rows_c: Vec<u32>,
    rows_i: Vec<u32>,
    cols_ptr: Vec<u32>,
    cols_c: Vec<u32>,
    cols_j: Vec<u32>,
    /// The entries updated at each step, row by row of `rows` times `cols`.
    upd: Vec<u32>,
    /// Original row at each position.
    perm: Vec<u32>,
    /// Dense position to compact entry (scratch of `rebuild`).
    map: Vec<u32>,
    re: Vec<Lane>,
    im: Vec<Lane>,
    y_re: Vec<Lane>,
    y_im: Vec<Lane>,
    /// Solutions, lane after lane, `n + 1` values each (ground last).
    out: Vec<Complex64>,
}

impl AcLanes {
    /// Storage for systems of `n` unknowns and `nnz` pattern slots (worst-case sizes, so
    /// later rebuilds never allocate).
    pub fn new(n: usize, nnz: usize) -> Self {
        let dense = n * n;
        AcLanes {
            n,
            built_for: None,
            slot_c: Vec::with_capacity(nnz),
            fill_c: Vec::with_capacity(dense),
            diag_c: Vec::with_capacity(n),
            rows_ptr: Vec::with_capacity(n + 1),
            rows_c: Vec::with_capacity(dense),
            rows_i: Vec::with_capacity(dense),
            cols_ptr: Vec::with_capacity(n + 1),
            cols_c: Vec::with_capacity(dense),
            cols_j: Vec::with_capacity(dense),
            upd: Vec::with_capacity(n * (n + 1) * (2 * n + 1) / 6),
            perm: Vec::with_capacity(n),
            map: vec![u32::MAX; dense],
            re: vec![ZERO; dense],
            im: vec![ZERO; dense],
            y_re: vec![ZERO; n],
            y_im: vec![ZERO; n],
            out: vec![Complex64::new(0.0, 0.0); LANES * (n + 1)],
        }
    }

    /// Whether the compiled plan is the one of the dense LU's `pivotings`-th pivoting.
    pub fn is_built_for(&self, pivotings: usize) -> bool {
        self.built_for == Some(pivotings)
    }

    /// Compiles the dense LU's recorded plan.
    pub(crate) fn rebuild(&mut self, v: &PlanView, pivotings: usize) {
        let n = self.n;
        debug_assert_eq!(v.n, n);
        for &p in v.positions {
            self.map[p] = u32::MAX;
        }
        for (c, &p) in v.positions.iter().enumerate() {
            self.map[p] = c as u32;
        }
        let at = |map: &[u32], i: usize, j: usize| map[i * n + j];
        self.slot_c.clear();
        self.slot_c.extend(v.slot_rc.iter().map(|&(r, c)| at(&self.map, v.pos[r], c)));
        self.diag_c.clear();
        self.rows_ptr.clear();
        self.rows_c.clear();
        self.rows_i.clear();
        self.cols_ptr.clear();
        self.cols_c.clear();
        self.cols_j.clear();
        self.upd.clear();
        self.rows_ptr.push(0);
        self.cols_ptr.push(0);
        for k in 0..n {
            self.diag_c.push(at(&self.map, k, k));
            let rows = &v.rows[v.rows_ptr[k]..v.rows_ptr[k + 1]];
            let cols = &v.cols[v.cols_ptr[k]..v.cols_ptr[k + 1]];
            for &i in rows {
                self.rows_c.push(at(&self.map, i, k));
                self.rows_i.push(i as u32);
                for &j in cols {
                    self.upd.push(at(&self.map, i, j));
                }
            }
            for &j in cols {
                self.cols_c.push(at(&self.map, k, j));
                self.cols_j.push(j as u32);
            }
            self.rows_ptr.push(self.rows_c.len() as u32);
            self.cols_ptr.push(self.cols_c.len() as u32);
        }
        // Fill-in: the plan's positions that no slot lands on.
        for &c in &self.slot_c {
            self.map[v.positions[c as usize]] = u32::MAX;
        }
        self.fill_c.clear();
        self.fill_c.extend(v.positions.iter().filter(|&&p| self.map[p] != u32::MAX).map(|&p| self.map[p]));
        self.perm.clear();
        self.perm.extend(v.perm.iter().map(|&r| r as u32));
        self.built_for = Some(pivotings);
    }

    /// Factors `G + j w C` for the lanes' angular frequencies `w` by replaying the plan;
    /// false when a pivot of some lane fails the threshold test (the plan does not fit).
    pub fn factor(&mut self, g: &[f64], c: &[f64], w: &Lane) -> bool {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { self.factor_avx2(g, c, w) };
        }
        self.factor_lanes(g, c, w)
    }

    /// [`AcLanes::factor`] compiled for AVX2 (wider vectors; the same operations, no FMA,
    /// so the same results).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn factor_avx2(&mut self, g: &[f64], c: &[f64], w: &Lane) -> bool {
        self.factor_lanes(g, c, w)
    }

    #[inline(always)]
    fn factor_lanes(&mut self, g: &[f64], c: &[f64], w: &Lane) -> bool {
        let (re, im) = (&mut self.re, &mut self.im);
        for &f in &self.fill_c {
            re[f as usize] = ZERO;
            im[f as usize] = ZERO;
        }
        for ((&s, &gv), &cv) in self.slot_c.iter().zip(g).zip(c) {
            re[s as usize] = [gv; LANES];
            im[s as usize] = std::array::from_fn(|l| w[l] * cv);
        }
        let mut r0 = 0usize;
        let mut c0 = 0usize;
        let mut u0 = 0usize;
        for k in 0..self.n {
            let (r1, c1) = (self.rows_ptr[k + 1] as usize, self.cols_ptr[k + 1] as usize);
            let rows = &self.rows_c[r0..r1];
            let cols = &self.cols_c[c0..c1];
            let dk = self.diag_c[k] as usize;
            let (dr, di) = (re[dk], im[dk]);
            let dm: Lane = std::array::from_fn(|l| dr[l].abs() + di[l].abs());
            let mut ok = dm.iter().all(|m| m.is_finite() && *m > 0.0);
            for &ri in rows {
                let (ar, ai) = (re[ri as usize], im[ri as usize]);
                for l in 0..LANES {
                    let too_small = (ar[l].abs() + ai[l].abs()) * PIVOT_THRESHOLD > dm[l];
                    ok &= !too_small;
                }
            }
            if !ok {
                return false;
            }
            // 1 / d exactly as num-complex divides.
            let ns: Lane = std::array::from_fn(|l| dr[l] * dr[l] + di[l] * di[l]);
            let inv_r: Lane = std::array::from_fn(|l| (dr[l] + 0.0 * di[l]) / ns[l]);
            let inv_i: Lane = std::array::from_fn(|l| (0.0 * dr[l] - di[l]) / ns[l]);
            let nc = cols.len();
            for (q, &ri) in rows.iter().enumerate() {
                let ri = ri as usize;
                let (ar, ai) = (re[ri], im[ri]);
                let fr: Lane = std::array::from_fn(|l| ar[l] * inv_r[l] - ai[l] * inv_i[l]);
                let fi: Lane = std::array::from_fn(|l| ar[l] * inv_i[l] + ai[l] * inv_r[l]);
                re[ri] = fr;
                im[ri] = fi;
                let targets = &self.upd[u0 + q * nc..u0 + (q + 1) * nc];
                for (&t, &cj) in targets.iter().zip(cols) {
                    let (ur, ui) = (re[cj as usize], im[cj as usize]);
                    let (t, tr, ti) = (t as usize, &mut [0.0; LANES], &mut [0.0; LANES]);
                    *tr = re[t];
                    *ti = im[t];
                    for l in 0..LANES {
                        tr[l] -= fr[l] * ur[l] - fi[l] * ui[l];
                        ti[l] -= fr[l] * ui[l] + fi[l] * ur[l];
                    }
                    re[t] = *tr;
                    im[t] = *ti;
                }
            }
            u0 += rows.len() * nc;
            r0 = r1;
            c0 = c1;
        }
        true
    }

    /// Solves with the last factorization for the excitation `b` (the same in every lane);
    /// the solutions are then read with [`AcLanes::solution`].
    pub fn solve(&mut self, b: &[Complex64]) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { self.solve_avx2(b) };
        }
        self.solve_lanes(b)
    }

    /// [`AcLanes::solve`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn solve_avx2(&mut self, b: &[Complex64]) {
        self.solve_lanes(b)
    }

    #[inline(always)]
    fn solve_lanes(&mut self, b: &[Complex64]) {
        let n = self.n;
        let (re, im, yr, yi) = (&self.re, &self.im, &mut self.y_re, &mut self.y_im);
        for i in 0..n {
            let v = b[self.perm[i] as usize];
            yr[i] = [v.re; LANES];
            yi[i] = [v.im; LANES];
        }
        for k in 0..n {
            let (r0, r1) = (self.rows_ptr[k] as usize, self.rows_ptr[k + 1] as usize);
            let (ykr, yki) = (yr[k], yi[k]);
            for (&c, &i) in self.rows_c[r0..r1].iter().zip(&self.rows_i[r0..r1]) {
                let (lr, li) = (re[c as usize], im[c as usize]);
                let (i, tr, ti) = (i as usize, &mut [0.0; LANES], &mut [0.0; LANES]);
                *tr = yr[i];
                *ti = yi[i];
                for l in 0..LANES {
                    tr[l] -= lr[l] * ykr[l] - li[l] * yki[l];
                    ti[l] -= lr[l] * yki[l] + li[l] * ykr[l];
                }
                yr[i] = *tr;
                yi[i] = *ti;
            }
        }
        for k in (0..n).rev() {
            let (c0, c1) = (self.cols_ptr[k] as usize, self.cols_ptr[k + 1] as usize);
            let (mut sr, mut si) = (yr[k], yi[k]);
            for (&c, &j) in self.cols_c[c0..c1].iter().zip(&self.cols_j[c0..c1]) {
                let (ur, ui) = (re[c as usize], im[c as usize]);
                let (jr, ji) = (yr[j as usize], yi[j as usize]);
                for l in 0..LANES {
                    sr[l] -= ur[l] * jr[l] - ui[l] * ji[l];
                    si[l] -= ur[l] * ji[l] + ui[l] * jr[l];
                }
            }
            // s / d exactly as num-complex divides.
            let d = self.diag_c[k] as usize;
            let (dr, di) = (re[d], im[d]);
            for l in 0..LANES {
                let ns = dr[l] * dr[l] + di[l] * di[l];
                let qr = (sr[l] * dr[l] + si[l] * di[l]) / ns;
                let qi = (si[l] * dr[l] - sr[l] * di[l]) / ns;
                sr[l] = qr;
                si[l] = qi;
            }
            yr[k] = sr;
            yi[k] = si;
        }
        for l in 0..LANES {
            let o = &mut self.out[l * (n + 1)..(l + 1) * (n + 1)];
            for (i, v) in o[..n].iter_mut().enumerate() {
                *v = Complex64::new(yr[i][l], yi[i][l]);
            }
            o[n] = Complex64::new(0.0, 0.0);
        }
    }

    /// The solution of lane `l` after [`AcLanes::solve`]: `n` unknowns, ground last.
    pub fn solution(&self, l: usize) -> &[Complex64] {
        &self.out[l * (self.n + 1)..(l + 1) * (self.n + 1)]
    }
}

//! Small-signal solves of several frequencies in lockstep.
//!
//! An AC sweep factors `G + jwC` once per frequency with the same pattern, and after the
//! first frequency the dense LU replays one recorded pivot plan. This kernel replays that
//! plan for [`LANES`] frequencies at once: each matrix entry holds one value per frequency
//! (structure of arrays, split real and imaginary parts), so every index is read once per
//! group and the arithmetic vectorizes. It performs the same floating-point operations in
//! the same order as [`DenseLu`](super::DenseLu)'s replay and solve, so a sweep solved in
//! lanes equals the same sweep solved one frequency at a time, bit for bit.

use super::dense::PIVOT_THRESHOLD;
use super::plan::CompactPlan;
use num_complex::Complex64;

/// Frequencies solved together.
pub const LANES: usize = 8;

type Lane = [f64; LANES];

const ZERO: Lane = [0.0; LANES];

/// `t -= a b` lane by lane on split complex values, in num-complex's operation order.
#[inline(always)]
fn sub_mul(tr: &mut Lane, ti: &mut Lane, (ar, ai): (&Lane, &Lane), (br, bi): (&Lane, &Lane)) {
    for l in 0..LANES {
        tr[l] -= ar[l] * br[l] - ai[l] * bi[l];
        ti[l] -= ar[l] * bi[l] + ai[l] * br[l];
    }
}

/// The lane at entry `i` (unchecked: see the kernels' SAFETY notes).
#[inline(always)]
unsafe fn at(p: *mut Lane, i: u32) -> *mut Lane {
    // SAFETY: the caller keeps `i` inside the allocation.
    unsafe { p.add(i as usize) }
}

/// [`at`] for reading.
#[inline(always)]
unsafe fn at_c(p: *const Lane, i: u32) -> *const Lane {
    // SAFETY: the caller keeps `i` inside the allocation.
    unsafe { p.add(i as usize) }
}

/// A copy of a [`DenseLu`](super::DenseLu)'s compiled plan, and the lane storage.
#[derive(Debug, Clone)]
pub struct AcLanes {
    n: usize,
    /// The dense LU's plan-build count this plan was copied at (`None`: not yet).
    built_for: Option<usize>,
    plan: CompactPlan,
    re: Vec<Lane>,
    im: Vec<Lane>,
    /// Reciprocals of the pivots, per step.
    inv_re: Vec<Lane>,
    inv_im: Vec<Lane>,
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
            plan: CompactPlan::new(n, nnz),
            re: vec![ZERO; dense],
            im: vec![ZERO; dense],
            inv_re: vec![ZERO; n],
            inv_im: vec![ZERO; n],
            y_re: vec![ZERO; n],
            y_im: vec![ZERO; n],
            out: vec![Complex64::new(0.0, 0.0); LANES * (n + 1)],
        }
    }

    /// Whether the plan is the dense LU's `builds`-th compiled plan.
    pub fn is_built_for(&self, builds: usize) -> bool {
        self.built_for == Some(builds)
    }

    /// Takes over the dense LU's compiled plan (no allocation: the storage has its capacity).
    ///
    /// # Panics
    /// If the plan is not one of `n` unknowns with entries inside the lane storage: the
    /// kernels index without bounds checks and rely on this.
    pub(crate) fn rebuild(&mut self, plan: &CompactPlan, builds: usize) {
        self.plan.copy_from(plan);
        assert!(self.plan.indices_within(self.n, self.re.len()), "a compact plan of {} unknowns", self.n);
        self.built_for = Some(builds);
    }

    /// Factors `G + j w C` for the lanes' angular frequencies `w` by replaying the plan;
    /// false when a pivot of some lane fails the threshold test (the plan does not fit).
    pub fn factor(&mut self, g: &[f64], c: &[f64], w: &Lane) -> bool {
        assert!(g.len() >= self.plan.slot_c.len() && c.len() >= self.plan.slot_c.len(), "G and C cover the pattern");
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512F, checked just above.
                return unsafe { self.factor_avx512(g, c, w) };
            }
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                return unsafe { self.factor_avx2(g, c, w) };
            }
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

    /// [`AcLanes::factor`] compiled for AVX-512 (one lane group per register; the same
    /// operations, no FMA, so the same results).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn factor_avx512(&mut self, g: &[f64], c: &[f64], w: &Lane) -> bool {
        self.factor_lanes(g, c, w)
    }

    #[inline(always)]
    fn factor_lanes(&mut self, g: &[f64], c: &[f64], w: &Lane) -> bool {
        let plan = &self.plan;
        let (re, im) = (self.re.as_mut_ptr(), self.im.as_mut_ptr());
        let (inv_re, inv_im) = (&mut self.inv_re, &mut self.inv_im);
        // SAFETY (every `at` below): `rebuild` checked that every entry index of the plan is
        // below `re.len() == im.len()`, and the plan is not changed elsewhere.
        for &f in &plan.fill_c {
            unsafe {
                *at(re, f) = ZERO;
                *at(im, f) = ZERO;
            }
        }
        for ((&s, &gv), &cv) in plan.slot_c.iter().zip(g).zip(c) {
            unsafe {
                *at(re, s) = [gv; LANES];
                *at(im, s) = std::array::from_fn(|l| w[l] * cv);
            }
        }
        // Lanes whose pivots failed (zero, non-finite or below the threshold), gathered
        // branch-free and tested once at the end: a failed lane only computes garbage in its
        // own storage, and the caller then solves the group singly.
        let mut bad = [false; LANES];
        let mut u0 = 0usize;
        for k in 0..self.n {
            let (rows, _) = plan.rows(k);
            let (cols, _) = plan.cols(k);
            let dk = plan.diag_c[k];
            let (dr, di) = unsafe { (*at(re, dk), *at(im, dk)) };
            let dm: Lane = std::array::from_fn(|l| dr[l].abs() + di[l].abs());
            for l in 0..LANES {
                // Zero or not finite (`x * 0` is NaN for an infinite or NaN `x`, and NaN
                // compares unequal): written as plain comparisons, so that it vectorizes.
                bad[l] |= (dm[l] == 0.0) | (dm[l] * 0.0 != 0.0);
            }
            for &ri in rows {
                let (ar, ai) = unsafe { (&*at(re, ri), &*at(im, ri)) };
                for l in 0..LANES {
                    bad[l] |= (ar[l].abs() + ai[l].abs()) * PIVOT_THRESHOLD > dm[l];
                }
            }
            // 1 / d exactly as num-complex divides.
            let ns: Lane = std::array::from_fn(|l| dr[l] * dr[l] + di[l] * di[l]);
            let inv_r: Lane = std::array::from_fn(|l| (dr[l] + 0.0 * di[l]) / ns[l]);
            let inv_i: Lane = std::array::from_fn(|l| (0.0 * dr[l] - di[l]) / ns[l]);
            inv_re[k] = inv_r;
            inv_im[k] = inv_i;
            let nc = cols.len();
            for (q, &ri) in rows.iter().enumerate() {
                let (ar, ai) = unsafe { (*at(re, ri), *at(im, ri)) };
                let fr: Lane = std::array::from_fn(|l| ar[l] * inv_r[l] - ai[l] * inv_i[l]);
                let fi: Lane = std::array::from_fn(|l| ar[l] * inv_i[l] + ai[l] * inv_r[l]);
                unsafe {
                    *at(re, ri) = fr;
                    *at(im, ri) = fi;
                }
                for (&t, &cj) in plan.upd[u0 + q * nc..u0 + (q + 1) * nc].iter().zip(cols) {
                    // A target is never a U entry of the same step (it lies below row k).
                    unsafe {
                        let (ur, ui) = (&*at(re, cj), &*at(im, cj));
                        let (tr, ti) = (&mut *at(re, t), &mut *at(im, t));
                        sub_mul(tr, ti, (&fr, &fi), (ur, ui));
                    }
                }
            }
            u0 += rows.len() * nc;
        }
        !bad.contains(&true)
    }

    /// Solves with the last factorization for the excitation `b` (the same in every lane);
    /// the solutions are then read with [`AcLanes::solution`]. Returns whether every lane's
    /// solution is finite.
    pub fn solve(&mut self, b: &[Complex64]) -> bool {
        assert!(b.len() >= self.n, "one excitation per unknown");
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512F, checked just above.
                return unsafe { self.solve_avx512(b) };
            }
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                return unsafe { self.solve_avx2(b) };
            }
        }
        self.solve_lanes(b)
    }

    /// [`AcLanes::solve`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn solve_avx2(&mut self, b: &[Complex64]) -> bool {
        self.solve_lanes(b)
    }

    /// [`AcLanes::solve`] compiled for AVX-512.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn solve_avx512(&mut self, b: &[Complex64]) -> bool {
        self.solve_lanes(b)
    }

    #[inline(always)]
    fn solve_lanes(&mut self, b: &[Complex64]) -> bool {
        let n = self.n;
        let plan = &self.plan;
        let (re, im) = (self.re.as_ptr(), self.im.as_ptr());
        let (yr, yi) = (self.y_re.as_mut_ptr(), self.y_im.as_mut_ptr());
        // SAFETY (every `at`/`get` below): `rebuild` checked that every entry index of the
        // plan is below `re.len() == im.len()`, and every row, column and permutation index
        // below `n == y_re.len() == y_im.len()` (and `b.len() >= n`, asserted by `solve`).
        let mut k0 = n;
        for i in 0..n {
            unsafe {
                let v = *b.get_unchecked(*plan.perm.get_unchecked(i) as usize);
                if k0 == n && v.re.abs() + v.im.abs() != 0.0 {
                    k0 = i;
                }
                *yr.add(i) = [v.re; LANES];
                *yi.add(i) = [v.im; LANES];
            }
        }
        // As the one-frequency solve: the forward substitution starts at the first non-zero
        // of the permuted excitation (the same in every lane).
        for k in k0..n {
            let (ykr, yki) = unsafe { (*yr.add(k), *yi.add(k)) };
            let (rows, ri) = plan.rows(k);
            for (&c, &i) in rows.iter().zip(ri) {
                unsafe {
                    let (tr, ti) = (&mut *at(yr, i), &mut *at(yi, i));
                    sub_mul(tr, ti, (&*at_c(re, c), &*at_c(im, c)), (&ykr, &yki));
                }
            }
        }
        let mut finite = [true; LANES];
        for k in (0..n).rev() {
            let (mut sr, mut si) = unsafe { (*yr.add(k), *yi.add(k)) };
            let (cols, cj) = plan.cols(k);
            for (&c, &j) in cols.iter().zip(cj) {
                unsafe {
                    sub_mul(&mut sr, &mut si, (&*at_c(re, c), &*at_c(im, c)), (&*at(yr, j), &*at(yi, j)));
                }
            }
            // s * (1 / d), as the one-frequency solve multiplies.
            let (ir, ii) = (self.inv_re[k], self.inv_im[k]);
            for l in 0..LANES {
                let qr = sr[l] * ir[l] - si[l] * ii[l];
                let qi = sr[l] * ii[l] + si[l] * ir[l];
                sr[l] = qr;
                si[l] = qi;
                // x * 0 is 0 for a finite x and NaN otherwise (branch-free, vectorizes).
                finite[l] &= (qr * 0.0 == 0.0) & (qi * 0.0 == 0.0);
            }
            unsafe {
                *yr.add(k) = sr;
                *yi.add(k) = si;
            }
        }
        let out = &mut self.out;
        for l in 0..LANES {
            let o = &mut out[l * (n + 1)..(l + 1) * (n + 1)];
            for (k, &c) in plan.cperm.iter().enumerate() {
                unsafe {
                    *o.get_unchecked_mut(c as usize) = Complex64::new((*yr.add(k))[l], (*yi.add(k))[l]);
                }
            }
            o[n] = Complex64::new(0.0, 0.0);
        }
        !finite.contains(&false)
    }

    /// The solution of lane `l` after [`AcLanes::solve`]: `n` unknowns, ground last.
    pub fn solution(&self, l: usize) -> &[Complex64] {
        &self.out[l * (self.n + 1)..(l + 1) * (self.n + 1)]
    }
}

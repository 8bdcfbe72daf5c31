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

/// A copy of a [`DenseLu`](super::DenseLu)'s compiled plan, and the lane storage.
#[derive(Debug, Clone)]
pub struct AcLanes {
    n: usize,
    /// The dense LU's pivoting count this plan was copied from (`None`: not yet).
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

    /// Whether the plan is the one of the dense LU's `pivotings`-th pivoting.
    pub fn is_built_for(&self, pivotings: usize) -> bool {
        self.built_for == Some(pivotings)
    }

    /// Takes over the dense LU's compiled plan (no allocation: the storage has its capacity).
    pub(crate) fn rebuild(&mut self, plan: &CompactPlan, pivotings: usize) {
        self.plan.copy_from(plan);
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
        let (plan, re, im) = (&self.plan, &mut self.re, &mut self.im);
        let (inv_re, inv_im) = (&mut self.inv_re, &mut self.inv_im);
        for &f in &plan.fill_c {
            re[f as usize] = ZERO;
            im[f as usize] = ZERO;
        }
        for ((&s, &gv), &cv) in plan.slot_c.iter().zip(g).zip(c) {
            re[s as usize] = [gv; LANES];
            im[s as usize] = std::array::from_fn(|l| w[l] * cv);
        }
        let mut u0 = 0usize;
        for k in 0..self.n {
            let (rows, _) = plan.rows(k);
            let (cols, _) = plan.cols(k);
            let dk = plan.diag_c[k] as usize;
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
            inv_re[k] = inv_r;
            inv_im[k] = inv_i;
            let nc = cols.len();
            for (q, &ri) in rows.iter().enumerate() {
                let ri = ri as usize;
                let (ar, ai) = (re[ri], im[ri]);
                let fr: Lane = std::array::from_fn(|l| ar[l] * inv_r[l] - ai[l] * inv_i[l]);
                let fi: Lane = std::array::from_fn(|l| ar[l] * inv_i[l] + ai[l] * inv_r[l]);
                re[ri] = fr;
                im[ri] = fi;
                for (&t, &cj) in plan.upd[u0 + q * nc..u0 + (q + 1) * nc].iter().zip(cols) {
                    let (ur, ui) = (re[cj as usize], im[cj as usize]);
                    let t = t as usize;
                    let (mut tr, mut ti) = (re[t], im[t]);
                    sub_mul(&mut tr, &mut ti, (&fr, &fi), (&ur, &ui));
                    re[t] = tr;
                    im[t] = ti;
                }
            }
            u0 += rows.len() * nc;
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
        let (plan, re, im, yr, yi) = (&self.plan, &self.re, &self.im, &mut self.y_re, &mut self.y_im);
        for i in 0..n {
            let v = b[plan.perm[i] as usize];
            yr[i] = [v.re; LANES];
            yi[i] = [v.im; LANES];
        }
        for k in 0..n {
            let (ykr, yki) = (yr[k], yi[k]);
            let (rows, ri) = plan.rows(k);
            for (&c, &i) in rows.iter().zip(ri) {
                let i = i as usize;
                let (mut tr, mut ti) = (yr[i], yi[i]);
                sub_mul(&mut tr, &mut ti, (&re[c as usize], &im[c as usize]), (&ykr, &yki));
                yr[i] = tr;
                yi[i] = ti;
            }
        }
        for k in (0..n).rev() {
            let (mut sr, mut si) = (yr[k], yi[k]);
            let (cols, cj) = plan.cols(k);
            for (&c, &j) in cols.iter().zip(cj) {
                sub_mul(&mut sr, &mut si, (&re[c as usize], &im[c as usize]), (&yr[j as usize], &yi[j as usize]));
            }
            // s * (1 / d), as the one-frequency solve multiplies.
            let (ir, ii) = (self.inv_re[k], self.inv_im[k]);
            for l in 0..LANES {
                let qr = sr[l] * ir[l] - si[l] * ii[l];
                let qi = sr[l] * ii[l] + si[l] * ir[l];
                sr[l] = qr;
                si[l] = qi;
            }
            yr[k] = sr;
            yi[k] = si;
        }
        for l in 0..LANES {
            let o = &mut self.out[l * (n + 1)..(l + 1) * (n + 1)];
            for (k, &c) in plan.cperm.iter().enumerate() {
                o[c as usize] = Complex64::new(yr[k][l], yi[k][l]);
            }
            o[n] = Complex64::new(0.0, 0.0);
        }
    }

    /// The solution of lane `l` after [`AcLanes::solve`]: `n` unknowns, ground last.
    pub fn solution(&self, l: usize) -> &[Complex64] {
        &self.out[l * (self.n + 1)..(l + 1) * (self.n + 1)]
    }
}

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

/// `t -= a b` lane by lane on real values.
#[inline(always)]
fn upd(t: &mut Lane, a: &Lane, b: &Lane) {
    for l in 0..LANES {
        t[l] -= a[l] * b[l];
    }
}

/// `t += a b` lane by lane on real values (`t -= (0 - a b)`: the product of two imaginary
/// parts).
#[inline(always)]
fn upd_add(t: &mut Lane, a: &Lane, b: &Lane) {
    for l in 0..LANES {
        t[l] += a[l] * b[l];
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
    /// The sweep's compiled operations (see [`Sweep`]), valid while `compiled`: for the
    /// present plan, G, C and excitation.
    sweep: Sweep,
    compiled: bool,
    /// Whether `compiled` was checked against this sweep's G, C and excitation.
    checked: bool,
    /// Whether the next solve writes every unknown of `out` (the first of a sweep); the
    /// others write the driven steps' unknowns only, the rest keeping the first's zeros.
    out_all: bool,
}

/// Kind of a complex entry for a whole sweep: which of its parts can be non-zero.
/// Bit 0: the real part, bit 1: the imaginary part. `G + jwC` entries without capacitance
/// are real, those without conductance imaginary, at every frequency.
type Kind = u8;
const KZ: Kind = 0;
const KR: Kind = 1;
const KI: Kind = 2;
const KC: Kind = 3;

/// The kind of a product.
fn kind_mul(a: Kind, b: Kind) -> Kind {
    if a == KZ || b == KZ {
        KZ
    } else if a == KC || b == KC {
        KC
    } else if a == b {
        KR
    } else {
        KI
    }
}

/// The plan's elimination specialized for one sweep (one set of G, C and excitation):
/// - steps of matrix blocks that the excitation does not reach are left out: their
///   solution is zero, and no step of another block reads or writes their entries;
/// - every update `t -= f u` is sorted by the kinds of `f` and `u` (real, imaginary,
///   complex, zero), so that real and imaginary operands cost real arithmetic. A part
///   known to be zero at every frequency is never read or written: the results equal
///   those of the complex operations (which add or subtract exact zeros) up to the sign
///   of zero parts.
#[derive(Debug, Clone)]
struct Sweep {
    /// Steps of the blocks the excitation reaches, in elimination order.
    steps: Vec<u32>,
    /// Per step: whether it is in `steps`.
    active: Vec<bool>,
    /// Per step: start in `ucol` and the numbers of real, imaginary and complex U entries
    /// (U entries that stay zero are left out).
    ucol_ptr: Vec<u32>,
    ucnt: Vec<[u32; 3]>,
    /// U entries of each step, real ones first, then imaginary, then complex.
    ucol: Vec<u32>,
    /// Per L entry (in the plan's order): the kind of its factor `f`, and the start of its
    /// targets in `tgt` (one per entry of its step's `ucol`, in that order; none when `f`
    /// is zero).
    fkind: Vec<Kind>,
    /// Per U entry (in the plan's order): its kind at its step.
    ukind: Vec<Kind>,
    tgt_ptr: Vec<u32>,
    tgt: Vec<u32>,
    /// Forward substitution: per step, `fwd_ptr[k]..fwd_ptr[k + 1]`, the (L entry, row) pairs
    /// that are not zero, of the steps whose value the excitation reaches.
    fwd_ptr: Vec<u32>,
    fwd: Vec<(u32, u32)>,
    /// Back substitution: per step, the (U entry, column) pairs that are not zero.
    bwd_ptr: Vec<u32>,
    bwd: Vec<(u32, u32)>,
    /// The (slot, entry) pairs of the pattern slots and the fill entries that the steps of
    /// `steps` read: the only entries a factorization needs to set.
    act_slots: Vec<(u32, u32)>,
    act_fill: Vec<u32>,
    /// The kinds of the pattern slots and which excitation entries are non-zero, as compiled.
    slot_kind: Vec<Kind>,
    b_nz: Vec<bool>,
    /// Scratch: kind per entry, entries of the active steps, block parent per position,
    /// driven blocks, column order, positions the forward substitution reaches.
    kind: Vec<Kind>,
    used: Vec<bool>,
    parent: Vec<u32>,
    driven: Vec<bool>,
    order: Vec<u32>,
    reach: Vec<bool>,
}

/// The kind of `g + j w c` at every `w`.
#[inline]
fn kind_of(g: f64, c: f64) -> Kind {
    (g != 0.0) as Kind | (((c != 0.0) as Kind) << 1)
}

impl Sweep {
    /// Storage for `n` unknowns, `entries` L/U entries and `updates` plan updates (no
    /// allocation later).
    fn new(n: usize, entries: usize, updates: usize) -> Self {
        Sweep {
            steps: Vec::with_capacity(n),
            active: vec![false; n],
            ucol_ptr: Vec::with_capacity(n + 1),
            ucnt: Vec::with_capacity(n),
            ucol: Vec::with_capacity(entries),
            fkind: Vec::with_capacity(entries),
            ukind: Vec::with_capacity(entries),
            tgt_ptr: Vec::with_capacity(entries),
            tgt: Vec::with_capacity(updates),
            kind: vec![KZ; entries],
            used: vec![false; entries],
            act_slots: Vec::with_capacity(entries),
            act_fill: Vec::with_capacity(entries),
            parent: vec![0; n],
            driven: vec![false; n],
            order: Vec::with_capacity(n),
            fwd_ptr: Vec::with_capacity(n + 1),
            fwd: Vec::with_capacity(entries),
            bwd_ptr: Vec::with_capacity(n + 1),
            bwd: Vec::with_capacity(entries),
            slot_kind: Vec::with_capacity(entries),
            b_nz: Vec::with_capacity(n),
            reach: vec![false; n],
        }
    }

    fn root(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            let p = parent[parent[i as usize] as usize];
            parent[i as usize] = p;
            i = p;
        }
        i
    }

    /// Whether `g`, `c` and `b` are zero where the compiled ones were (then the compiled
    /// operations hold for them).
    fn same_zeros(&self, g: &[f64], c: &[f64], b: &[Complex64]) -> bool {
        self.slot_kind.iter().zip(g).zip(c).all(|((&k, &gv), &cv)| k == kind_of(gv, cv))
            && self.b_nz.iter().zip(b).all(|(&z, v)| z == (v.re != 0.0 || v.im != 0.0))
    }

    /// Compiles `plan` for the matrices `g`, `c` (pattern slots) and the excitation `b`.
    fn compile(&mut self, plan: &CompactPlan, g: &[f64], c: &[f64], b: &[Complex64]) {
        let n = plan.n;
        self.slot_kind.clear();
        self.slot_kind.extend(g.iter().zip(c).take(plan.slot_c.len()).map(|(&gv, &cv)| kind_of(gv, cv)));
        self.b_nz.clear();
        self.b_nz.extend(b[..n].iter().map(|v| v.re != 0.0 || v.im != 0.0));
        // Kinds: of the entries before the elimination (fill is zero), then through it; the
        // kind of each factor and of each U entry at its step.
        self.kind.iter_mut().for_each(|k| *k = KZ);
        for (&s, &k) in plan.slot_c.iter().zip(&self.slot_kind) {
            self.kind[s as usize] = k;
        }
        self.fkind.clear();
        self.ukind.clear();
        let mut u0 = 0usize;
        for k in 0..n {
            let (rows, _) = plan.rows(k);
            let (cols, _) = plan.cols(k);
            let nc = cols.len();
            // A real pivot has a real reciprocal, an imaginary one an imaginary reciprocal.
            let inv = match self.kind[plan.diag_c[k] as usize] {
                KR => KR,
                KI => KI,
                _ => KC,
            };
            self.ukind.extend(cols.iter().map(|&cj| self.kind[cj as usize]));
            for (q, &ri) in rows.iter().enumerate() {
                let fk = kind_mul(self.kind[ri as usize], inv);
                self.kind[ri as usize] = fk;
                self.fkind.push(fk);
                for (&t, &cj) in plan.upd[u0 + q * nc..u0 + (q + 1) * nc].iter().zip(cols) {
                    self.kind[t as usize] |= kind_mul(fk, self.kind[cj as usize]);
                }
            }
            u0 += rows.len() * nc;
        }
        // Blocks: a step joins its pivot's position to those of its L and U entries that are
        // not zero, except a step without such U entries (it only hands its value down to
        // its L rows: a grounded voltage source's branch row) or without such L entries (it
        // only reads the values of its U columns: that source's node row). Every update that
        // is not a zero then reads and writes inside one block, and those two kinds of step
        // pass values one way only.
        for (i, p) in self.parent.iter_mut().enumerate() {
            *p = i as u32;
        }
        for k in 0..n {
            let (l, u) = Self::effective(&self.fkind, &self.ukind, plan, k);
            if l.clone().next().is_none() || u.clone().next().is_none() {
                continue;
            }
            for x in l.chain(u) {
                let (a, r) = (Self::root(&mut self.parent, k as u32), Self::root(&mut self.parent, x));
                self.parent[a.max(r) as usize] = a.min(r);
            }
        }
        // Driven blocks: those the excitation reaches, then those a driven step without U
        // entries hands its value to, and those of steps without L entries that read a
        // driven column, until nothing changes.
        self.driven.iter_mut().for_each(|d| *d = false);
        for i in 0..n {
            let v = b[plan.perm[i] as usize];
            if v.re != 0.0 || v.im != 0.0 {
                let r = Self::root(&mut self.parent, i as u32);
                self.driven[r as usize] = true;
            }
        }
        loop {
            let mut changed = false;
            for k in 0..n {
                let (l, u) = Self::effective(&self.fkind, &self.ukind, plan, k);
                let (has_l, has_u) = (l.clone().next().is_some(), u.clone().next().is_some());
                let rk = Self::root(&mut self.parent, k as u32) as usize;
                if !has_u && self.driven[rk] {
                    for i in l {
                        let r = Self::root(&mut self.parent, i) as usize;
                        changed |= !self.driven[r];
                        self.driven[r] = true;
                    }
                } else if !has_l && !self.driven[rk] {
                    for j in u {
                        if self.driven[Self::root(&mut self.parent, j) as usize] {
                            self.driven[rk] = true;
                            changed = true;
                            break;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        // The operations of the driven steps.
        self.steps.clear();
        self.ucol_ptr.clear();
        self.ucnt.clear();
        self.ucol.clear();
        self.tgt_ptr.clear();
        self.tgt.clear();
        let mut u0 = 0usize;
        for k in 0..n {
            let (rows, _) = plan.rows(k);
            let (cols, _) = plan.cols(k);
            let nc = cols.len();
            let (r0, c0) = (plan.rows_ptr[k] as usize, plan.cols_ptr[k] as usize);
            let root = Self::root(&mut self.parent, k as u32);
            self.active[k] = self.driven[root as usize];
            self.ucol_ptr.push(self.ucol.len() as u32);
            if !self.active[k] {
                self.ucnt.push([0; 3]);
                for _ in rows {
                    self.tgt_ptr.push(self.tgt.len() as u32);
                }
                u0 += rows.len() * nc;
                continue;
            }
            self.steps.push(k as u32);
            self.order.clear();
            let mut cnt = [0u32; 3];
            for (slot, want) in [KR, KI, KC].into_iter().enumerate() {
                for (q, &cj) in cols.iter().enumerate() {
                    if self.ukind[c0 + q] == want {
                        self.order.push(q as u32);
                        self.ucol.push(cj);
                        cnt[slot] += 1;
                    }
                }
            }
            self.ucnt.push(cnt);
            for q in 0..rows.len() {
                self.tgt_ptr.push(self.tgt.len() as u32);
                if self.fkind[r0 + q] != KZ {
                    for &j in &self.order {
                        self.tgt.push(plan.upd[u0 + q * nc + j as usize]);
                    }
                }
            }
            u0 += rows.len() * nc;
        }
        self.ucol_ptr.push(self.ucol.len() as u32);
        // The substitutions: the zero entries left out, and the forward steps whose value
        // is still zero (no excitation reached it: the solve's `k0` generalized).
        for i in 0..n {
            self.reach[i] = self.b_nz[plan.perm[i] as usize];
        }
        self.fwd_ptr.clear();
        self.fwd.clear();
        self.bwd_ptr.clear();
        self.bwd.clear();
        for k in 0..n {
            self.fwd_ptr.push(self.fwd.len() as u32);
            self.bwd_ptr.push(self.bwd.len() as u32);
            if !self.active[k] {
                continue;
            }
            let (rows, ri) = plan.rows(k);
            let (cols, cj) = plan.cols(k);
            let (r0, c0) = (plan.rows_ptr[k] as usize, plan.cols_ptr[k] as usize);
            if self.reach[k] {
                for (q, (&e, &i)) in rows.iter().zip(ri).enumerate() {
                    if self.fkind[r0 + q] != KZ {
                        self.fwd.push((e, i));
                        self.reach[i as usize] = true;
                    }
                }
            }
            for (q, (&e, &j)) in cols.iter().zip(cj).enumerate() {
                if self.ukind[c0 + q] != KZ {
                    self.bwd.push((e, j));
                }
            }
        }
        self.fwd_ptr.push(self.fwd.len() as u32);
        self.bwd_ptr.push(self.bwd.len() as u32);
        // The entries of the driven steps (pivots, L and U entries): every entry those steps
        // update is one of them, as is every entry the substitutions read.
        self.used.iter_mut().for_each(|u| *u = false);
        for &k in &self.steps {
            let k = k as usize;
            self.used[plan.diag_c[k] as usize] = true;
            for &e in plan.rows(k).0.iter().chain(plan.cols(k).0) {
                self.used[e as usize] = true;
            }
        }
        self.act_slots.clear();
        let used = &self.used;
        self.act_slots
            .extend(plan.slot_c.iter().enumerate().filter(|(_, &e)| used[e as usize]).map(|(i, &e)| (i as u32, e)));
        self.act_fill.clear();
        self.act_fill.extend(plan.fill_c.iter().copied().filter(|&e| used[e as usize]));
    }

    /// Step `k`'s positions of L rows and of U columns that are not zero in this sweep
    /// (`fkind`, `ukind`: the kinds of the plan's L and U entries).
    fn effective<'a>(
        fkind: &'a [Kind],
        ukind: &'a [Kind],
        plan: &'a CompactPlan,
        k: usize,
    ) -> (impl Iterator<Item = u32> + Clone + 'a, impl Iterator<Item = u32> + Clone + 'a) {
        let (_, ri) = plan.rows(k);
        let (_, cj) = plan.cols(k);
        let (r0, c0) = (plan.rows_ptr[k] as usize, plan.cols_ptr[k] as usize);
        let l = ri.iter().zip(&fkind[r0..]).filter(|(_, &f)| f != KZ).map(|(&i, _)| i);
        let u = cj.iter().zip(&ukind[c0..]).filter(|(_, &f)| f != KZ).map(|(&j, _)| j);
        (l, u)
    }
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
            sweep: Sweep::new(n, dense, n * (n + 1) * (2 * n + 1) / 6),
            compiled: false,
            checked: false,
            out_all: true,
        }
    }

    /// Announces new G, C or excitation (a new sweep): the next [`AcLanes::factor`] checks
    /// that the compiled sweep still holds for them.
    pub fn new_sweep(&mut self) {
        self.checked = false;
        self.out_all = true;
    }

    /// Elimination steps the compiled sweep performs (steps of blocks no excitation reaches
    /// are left out), and the unknowns; `None` before a sweep is compiled.
    pub fn active_steps(&self) -> Option<(usize, usize)> {
        self.compiled.then_some((self.sweep.steps.len(), self.n))
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
        self.compiled = false;
        self.checked = false;
        self.out_all = true;
    }

    /// Factors `G + j w C` for the lanes' angular frequencies `w` by replaying the plan;
    /// false when a pivot of some lane fails the threshold test (the plan does not fit).
    /// `b` is the excitation [`AcLanes::solve`] will be given: blocks of the matrix it does
    /// not reach are not factored (their solution is zero). The first call after
    /// [`AcLanes::new_sweep`] compiles the sweep's operations again when the plan, or which
    /// parts of `g`, `c` and `b` are zero, changed since they were compiled (a re-sized
    /// candidate keeps them: one comparison per slot).
    pub fn factor(&mut self, g: &[f64], c: &[f64], b: &[Complex64], w: &Lane) -> bool {
        assert!(g.len() >= self.plan.slot_c.len() && c.len() >= self.plan.slot_c.len(), "G and C cover the pattern");
        assert!(b.len() >= self.n, "one excitation per unknown");
        if !self.checked {
            if !(self.compiled && self.sweep.same_zeros(g, c, b)) {
                self.sweep.compile(&self.plan, g, c, b);
                self.compiled = true;
                self.out_all = true;
            }
            self.checked = true;
        }
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
        let sw = &self.sweep;
        let (re, im) = (self.re.as_mut_ptr(), self.im.as_mut_ptr());
        let (inv_re, inv_im) = (&mut self.inv_re, &mut self.inv_im);
        // SAFETY (every `at` below): `rebuild` checked that every entry index of the plan is
        // below `re.len() == im.len()`, and the plan is not changed elsewhere; the sweep's
        // entries (`ucol`, `tgt`) are copies of the plan's (`cols_c`, `upd`).
        // Only the entries the driven steps read (the others are never read).
        for &f in &sw.act_fill {
            unsafe {
                *at(re, f) = ZERO;
                *at(im, f) = ZERO;
            }
        }
        for &(i, s) in &sw.act_slots {
            // SAFETY: `i` is a slot of the plan (`i < slot_c.len()`), and `factor` asserted
            // that `g` and `c` cover them.
            let (gv, cv) = unsafe { (*g.get_unchecked(i as usize), *c.get_unchecked(i as usize)) };
            unsafe {
                *at(re, s) = [gv; LANES];
                *at(im, s) = std::array::from_fn(|l| w[l] * cv);
            }
        }
        // Lanes whose pivots failed (zero, non-finite or below the threshold), gathered
        // branch-free and tested once at the end: a failed lane only computes garbage in its
        // own storage, and the caller then solves the group singly.
        let mut bad = [false; LANES];
        for &k in &sw.steps {
            let k = k as usize;
            let (rows, _) = plan.rows(k);
            let r0 = plan.rows_ptr[k] as usize;
            let dk = plan.diag_c[k];
            let (dr, di) = unsafe { (*at(re, dk), *at(im, dk)) };
            let dm: Lane = std::array::from_fn(|l| dr[l].abs() + di[l].abs());
            for l in 0..LANES {
                // Zero or not finite (`x * 0` is NaN for an infinite or NaN `x`, and NaN
                // compares unequal): written as plain comparisons, so that it vectorizes.
                bad[l] |= (dm[l] == 0.0) | (dm[l] * 0.0 != 0.0);
            }
            // 1 / d exactly as num-complex divides.
            let ns: Lane = std::array::from_fn(|l| dr[l] * dr[l] + di[l] * di[l]);
            let inv_r: Lane = std::array::from_fn(|l| (dr[l] + 0.0 * di[l]) / ns[l]);
            let inv_i: Lane = std::array::from_fn(|l| (0.0 * dr[l] - di[l]) / ns[l]);
            inv_re[k] = inv_r;
            inv_im[k] = inv_i;
            let [n_r, n_i, n_c] = sw.ucnt[k];
            let (n_r, n_i, n_c) = (n_r as usize, n_i as usize, n_c as usize);
            let u = &sw.ucol[sw.ucol_ptr[k] as usize..sw.ucol_ptr[k + 1] as usize];
            let (u_r, rest) = u.split_at(n_r);
            let (u_i, u_c) = rest.split_at(n_i);
            for (q, &ri) in rows.iter().enumerate() {
                let (ar, ai) = unsafe { (*at(re, ri), *at(im, ri)) };
                // The threshold test of the pivot against this entry of its column.
                for l in 0..LANES {
                    bad[l] |= (ar[l].abs() + ai[l].abs()) * PIVOT_THRESHOLD > dm[l];
                }
                let fr: Lane = std::array::from_fn(|l| ar[l] * inv_r[l] - ai[l] * inv_i[l]);
                let fi: Lane = std::array::from_fn(|l| ar[l] * inv_i[l] + ai[l] * inv_r[l]);
                unsafe {
                    *at(re, ri) = fr;
                    *at(im, ri) = fi;
                }
                let fk = sw.fkind[r0 + q];
                if fk == KZ {
                    // A zero factor updates nothing (and has no targets listed).
                    continue;
                }
                let t0 = sw.tgt_ptr[r0 + q] as usize;
                let t = &sw.tgt[t0..t0 + n_r + n_i + n_c];
                let (t_r, rest) = t.split_at(n_r);
                let (t_i, t_c) = rest.split_at(n_i);
                // `t -= f u` with the parts known to be zero left out (a target is never a U
                // entry of the same step: it lies below row k).
                // SAFETY: as above.
                unsafe {
                    match fk {
                        KR => {
                            for (&t, &c) in t_r.iter().zip(u_r) {
                                upd(&mut *at(re, t), &fr, &*at(re, c));
                            }
                            for (&t, &c) in t_i.iter().zip(u_i) {
                                upd(&mut *at(im, t), &fr, &*at(im, c));
                            }
                            for (&t, &c) in t_c.iter().zip(u_c) {
                                upd(&mut *at(re, t), &fr, &*at(re, c));
                                upd(&mut *at(im, t), &fr, &*at(im, c));
                            }
                        }
                        KI => {
                            for (&t, &c) in t_r.iter().zip(u_r) {
                                upd(&mut *at(im, t), &fi, &*at(re, c));
                            }
                            for (&t, &c) in t_i.iter().zip(u_i) {
                                upd_add(&mut *at(re, t), &fi, &*at(im, c));
                            }
                            for (&t, &c) in t_c.iter().zip(u_c) {
                                upd_add(&mut *at(re, t), &fi, &*at(im, c));
                                upd(&mut *at(im, t), &fi, &*at(re, c));
                            }
                        }
                        KC => {
                            for (&t, &c) in t_r.iter().zip(u_r) {
                                let ur = &*at(re, c);
                                upd(&mut *at(re, t), &fr, ur);
                                upd(&mut *at(im, t), &fi, ur);
                            }
                            for (&t, &c) in t_i.iter().zip(u_i) {
                                let ui = &*at(im, c);
                                upd_add(&mut *at(re, t), &fi, ui);
                                upd(&mut *at(im, t), &fr, ui);
                            }
                            for (&t, &c) in t_c.iter().zip(u_c) {
                                let (ur, ui) = (&*at(re, c), &*at(im, c));
                                let (tr, ti) = (&mut *at(re, t), &mut *at(im, t));
                                sub_mul(tr, ti, (&fr, &fi), (ur, ui));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        !bad.contains(&true)
    }

    /// Solves with the last factorization for the excitation `b` (the same in every lane, and
    /// the one [`AcLanes::factor`] was given);
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
        for i in 0..n {
            unsafe {
                let v = *b.get_unchecked(*plan.perm.get_unchecked(i) as usize);
                *yr.add(i) = [v.re; LANES];
                *yi.add(i) = [v.im; LANES];
            }
        }
        // As the one-frequency solve, but on the compiled sweep: zero entries and the steps
        // whose value is still zero are left out of the forward substitution (they subtract
        // exact zeros), and steps of blocks the excitation does not reach from both (their
        // entries were not factored; their solution is the zero the excitation left there).
        let sw = &self.sweep;
        for k in 0..n {
            let f = &sw.fwd[sw.fwd_ptr[k] as usize..sw.fwd_ptr[k + 1] as usize];
            if f.is_empty() {
                continue;
            }
            let (ykr, yki) = unsafe { (*yr.add(k), *yi.add(k)) };
            for &(c, i) in f {
                unsafe {
                    let (tr, ti) = (&mut *at(yr, i), &mut *at(yi, i));
                    sub_mul(tr, ti, (&*at_c(re, c), &*at_c(im, c)), (&ykr, &yki));
                }
            }
        }
        let mut finite = [true; LANES];
        for k in (0..n).rev() {
            if !sw.active[k] {
                continue;
            }
            let (mut sr, mut si) = unsafe { (*yr.add(k), *yi.add(k)) };
            for &(c, j) in &sw.bwd[sw.bwd_ptr[k] as usize..sw.bwd_ptr[k + 1] as usize] {
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
        if self.out_all {
            // The steps left out keep their excitation's zero, which no later solve of this
            // sweep changes (the excitation and the compiled sweep stay).
            for l in 0..LANES {
                let o = &mut out[l * (n + 1)..(l + 1) * (n + 1)];
                for (k, &c) in plan.cperm.iter().enumerate() {
                    unsafe {
                        *o.get_unchecked_mut(c as usize) = Complex64::new((*yr.add(k))[l], (*yi.add(k))[l]);
                    }
                }
                o[n] = Complex64::new(0.0, 0.0);
            }
            self.out_all = false;
        } else {
            for l in 0..LANES {
                let o = &mut out[l * (n + 1)..(l + 1) * (n + 1)];
                for &k in &sw.steps {
                    unsafe {
                        let c = *plan.cperm.get_unchecked(k as usize);
                        *o.get_unchecked_mut(c as usize) =
                            Complex64::new((*yr.add(k as usize))[l], (*yi.add(k as usize))[l]);
                    }
                }
            }
        }
        !finite.contains(&false)
    }

    /// The solution of lane `l` after [`AcLanes::solve`]: `n` unknowns, ground last.
    pub fn solution(&self, l: usize) -> &[Complex64] {
        &self.out[l * (self.n + 1)..(l + 1) * (self.n + 1)]
    }
}

//! What every MOSFET model shares in the solver: SPICE's FET limiting, the channel and
//! junction stamps in the circuit frame, the current convergence test, drain/source series
//! resistances. A model plugs in through [`FetDevice`]: its DC equations and its charges.
//!
//! Terminals are ordered drain', gate, source', bulk (primes: after RD/RS).

use super::{fmax, stamp_g, Ctx, Init, Mode};
use crate::pattern::Slot;
use crate::states::{Integrator, States};
use insitu_devices::limit::{fetlim, limvds, pnjlim};

/// How close (relative, with a floor of a nanovolt) a small-signal load's voltages must be
/// to those of a model's last evaluation for the load to linearize there ([`FetDevice::KEEPS`]):
/// the last Newton step of a converged operating point is usually that small, and the
/// small-signal matrix then differs from the one at the solution by about as little.
pub const SMALL_SIGNAL_REUSE: f64 = 1e-6;

/// Whether the voltage `last` of a model's last evaluation is within [`SMALL_SIGNAL_REUSE`]
/// of `v`, the one a small-signal load reads.
#[inline]
pub(crate) fn within_reuse(v: f64, last: f64) -> bool {
    (v - last).abs() <= SMALL_SIGNAL_REUSE * (1e-3 + v.abs())
}

/// Terminal order of the local 4x4 stamp.
pub const D: usize = 0;
pub const G: usize = 1;
pub const S: usize = 2;
pub const B: usize = 3;

/// DC results of a FET evaluation (from the devices crate, shared by every model).
pub use insitu_devices::FetDc;

/// Voltages (n-frame) and results of the last load, for limiting and the convergence test.
#[derive(Debug, Clone, Copy, Default)]
pub struct Last {
    pub vgs: f64,
    pub vds: f64,
    pub vbs: f64,
    pub dc: FetDc,
}

/// Matrix slots, unknowns and state offset of one FET.
#[derive(Debug, Clone)]
pub struct FetSlots {
    /// Unknowns of the local terminals drain', gate, source', bulk.
    pub t: [usize; 4],
    /// Slots of the local 4x4 block `[row][col]`.
    pub sl: [[Slot; 4]; 4],
    /// Slots of RD (d, d') and RS (s, s'), when present.
    pub s_rd: [Slot; 4],
    pub s_rs: [Slot; 4],
    /// First state entry.
    pub state: usize,
    /// The charge-deficit unknown of a non-quasi-static model (BSIM3 NQSMOD = 1), if any.
    pub q: Option<QSlots>,
}

/// Unknown and matrix slots of a FET's charge-deficit node `q` (its states follow the
/// model's [`FetDevice::STATES`]).
#[derive(Debug, Clone)]
pub struct QSlots {
    /// The unknown.
    pub node: usize,
    /// Row `q`, columns drain', gate, source', bulk, `q`.
    pub row: [Slot; 5],
    /// Column `q`, rows drain', gate, source'.
    pub col: [Slot; 3],
}

/// A FET's stamp entries in the row and column of its charge-deficit node.
#[derive(Debug, Clone, Copy, Default)]
pub struct QStamp {
    /// Row `q`: columns drain', gate, source', bulk, `q`.
    pub row: [f64; 5],
    /// Column `q`: rows drain', gate, source'.
    pub col: [f64; 3],
    /// Right-hand side of row `q`.
    pub rhs: f64,
}

impl QStamp {
    /// Adds the entries into the matrix values `m` and the right-hand side `rhs` (entries in
    /// ground rows or columns go nowhere).
    #[inline]
    pub fn scatter(&self, q: &QSlots, m: &mut [f64], rhs: &mut [f64]) {
        self.scatter_matrix(q, m);
        rhs[q.node] += self.rhs;
    }

    /// Adds the matrix entries only (the small-signal capacitances).
    #[inline]
    pub fn scatter_matrix(&self, q: &QSlots, m: &mut [f64]) {
        let trash = m.len() - 1;
        for (&v, &s) in self.row.iter().zip(&q.row).chain(self.col.iter().zip(&q.col)) {
            if s != trash {
                m[s] += v;
            }
        }
    }
}

/// A small-signal matrix entry that relaxes with frequency: at angular frequency `w` the
/// matrix holds `(g + jwc) / (1 + jw tau)` where `G + jwC` holds `g + jwc`
/// ([`Relaxed::add`] adds the difference).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Relaxed {
    pub slot: Slot,
    pub tau: f64,
    pub g: f64,
    pub c: f64,
}

impl Relaxed {
    /// Adds every entry's correction at angular frequency `w` to the complex matrix `y`
    /// (entries in the trash slot, ground rows and columns, are skipped).
    pub fn add(entries: &[Relaxed], y: &mut [num_complex::Complex64], w: f64) {
        let trash = y.len() - 1;
        for e in entries.iter().filter(|e| e.slot != trash) {
            let h = num_complex::Complex64::new(1.0, w * e.tau).inv();
            y[e.slot] += (h - 1.0) * num_complex::Complex64::new(e.g, w * e.c);
        }
    }
}

/// A FET's stamp gathered locally before it goes into the matrix (one pass per load):
/// entries of the 4x4 block and right-hand-side terms of the local terminals.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stamp {
    pub j: [[f64; 4]; 4],
    pub rhs: [f64; 4],
}

impl Stamp {
    /// Adds the sum of two stamps (a channel's and its charges') into the matrix values and
    /// the right-hand side, as [`Stamp::scatter`] of the sum.
    #[inline]
    fn scatter_sum(a: &Stamp, b: &Stamp, f: &FetSlots, m: &mut [f64], rhs: &mut [f64]) {
        f.scatter_with(m, rhs, |r, c| a.j[r][c] + b.j[r][c], |r| a.rhs[r] + b.rhs[r]);
    }

    /// Adds the stamp into the matrix values and the right-hand side (see
    /// [`FetSlots::scatter_with`]).
    #[inline]
    pub(crate) fn scatter(&self, f: &FetSlots, m: &mut [f64], rhs: &mut [f64]) {
        f.scatter_with(m, rhs, |r, c| self.j[r][c], |r| self.rhs[r]);
    }
}

impl FetSlots {
    /// Adds a 4x4 block, entry `(r, c)` given by `entry`, and the right-hand-side terms
    /// `rhs_term(r)` of the local terminals into the matrix values and the right-hand side.
    /// Entries bound for the trash slot (ground rows and columns) are skipped: they are never
    /// read, and adding them one after another into one location would serialize the loads
    /// of every grounded FET.
    #[inline(always)]
    pub(crate) fn scatter_with(
        &self,
        m: &mut [f64],
        rhs: &mut [f64],
        entry: impl Fn(usize, usize) -> f64,
        rhs_term: impl Fn(usize) -> f64,
    ) {
        let trash = m.len() - 1;
        for (r, slots) in self.sl.iter().enumerate() {
            // Every unknown has its diagonal in the pattern: a trash diagonal means ground.
            if slots[r] == trash {
                continue;
            }
            for (c, &s) in slots.iter().enumerate() {
                if s != trash {
                    m[s] += entry(r, c);
                }
            }
            rhs[self.t[r]] += rhs_term(r);
        }
    }
}

/// A MOSFET model as the solver needs it.
pub trait FetDevice: Clone + std::fmt::Debug {
    /// State entries its charges use.
    const STATES: usize;
    /// Offsets (from the first state) of the charges used for truncation error control.
    const LTE_CHARGES: &'static [usize];
    fn mos_type(&self) -> f64;
    /// n-frame (vgs, vds, vbs) of the first DC iteration (SPICE's MODEINITJCT guess).
    fn init_bias(&self) -> (f64, f64, f64);
    fn vt(&self) -> f64;
    fn vcrit_bs(&self) -> f64;
    fn vcrit_bd(&self) -> f64;
    fn drain_conductance(&self) -> f64;
    fn source_conductance(&self) -> f64;
    /// DC currents and conductances at n-frame voltages.
    fn dc(&self, vgs: f64, vds: f64, vbs: f64) -> FetDc;
    /// Loads the device's charges from state entry `k` for a transient point at the
    /// (limited) n-frame voltages of `last`, adding their companion models to `stamp`.
    fn load_charges(&self, k: usize, st: &mut States, integ: &Integrator, last: &Last, stamp: &mut Stamp);
    /// Sets the charges that start a transient from the operating point of `last`.
    fn init_state(&self, f: &FetSlots, st: &mut States, last: &Last);
    /// Small-signal capacitance matrix `dq_i/dv_j` (circuit frame, terminals d g s b),
    /// overlaps and junctions included.
    fn cap_matrix(&self, last: &Last) -> [[f64; 4]; 4];
    /// The capacitances the small-signal matrix takes between the four terminals: those of
    /// [`FetDevice::cap_matrix`], unless a charge-deficit node carries the channel charge.
    fn ac_cap_matrix(&self, last: &Last) -> [[f64; 4]; 4] {
        self.cap_matrix(last)
    }

    /// Loads the non-quasi-static part of an instance with a charge-deficit node (see
    /// [`FetSlots::q`]) at charge deficit `qdef` (n-frame), its states from `k`: entries of
    /// the local terminals into `stamp`, those of the `q` row and column into `q`. DC, transient
    /// or (with `ctx.small_signal`) the conductances of the small-signal matrix.
    #[allow(clippy::too_many_arguments)]
    fn load_nqs(
        &self,
        k: usize,
        st: &mut States,
        ctx: &Ctx,
        last: &Last,
        qdef: f64,
        stamp: &mut Stamp,
        q: &mut QStamp,
    ) {
        let _ = (k, st, ctx, last, qdef, stamp, q);
    }
    /// The small-signal capacitances of the charge-deficit row (AC).
    fn ac_nqs_caps(&self, last: &Last) -> QStamp {
        let _ = last;
        QStamp::default()
    }
    /// Sets the non-quasi-static states (from `k`) that start a transient.
    fn init_nqs(&self, k: usize, st: &mut States, last: &Last, qdef: f64) {
        let _ = (k, st, last, qdef);
    }
    /// Whether small-signal loads and a transient's start take the charge deficit from the
    /// device's own history (ngspice's state `qcdump`, which only transient loads write)
    /// rather than from the solution: `bsim3v1`/`bsim3v0`'s NQS (see [`FetInst::qcdump`]).
    fn nqs_qdef_from_state(&self) -> bool {
        false
    }
    /// A channel whose small-signal admittance relaxes with frequency (BSIM3 ACNQSMOD):
    /// the time constant and the intrinsic capacitances `dq_i/dv_j` (circuit frame, d g s b)
    /// at the operating point of `last`; `None` (the default) for a quasi-static channel.
    /// See [`FetInst::ac_relaxed`].
    fn ac_relaxation(&self, last: &Last) -> Option<(f64, [[f64; 4]; 4])> {
        let _ = last;
        None
    }

    /// What a transient load needs beyond [`FetDc`] when the model computes it together with
    /// the current (its charges); `()` for a model without such an evaluation.
    type Eval: Copy + Default + std::fmt::Debug;
    /// Whether a small-signal load evaluates the charges together with the current
    /// ([`FetDevice::eval`] with `charges`), so that [`FetDevice::ac_cap_matrix_eval`] takes
    /// the capacitances from that one evaluation instead of evaluating the model again.
    const AC_EVAL: bool = false;
    /// [`FetDevice::ac_cap_matrix`] from the evaluation `e` that [`FetDevice::eval`] returned
    /// (with `charges`) at the voltages of `last`: the same matrix, bit for bit.
    fn ac_cap_matrix_eval(&self, last: &Last, e: &Self::Eval) -> [[f64; 4]; 4] {
        let _ = e;
        self.ac_cap_matrix(last)
    }
    /// What a DC evaluation keeps so that the charges at its bias can follow without
    /// evaluating the model again ([`FetDevice::dc_keeping`]); `()` for a model that keeps
    /// nothing.
    type Kept: Copy + Default + std::fmt::Debug;
    /// Whether DC loads keep [`FetDevice::Kept`], and a small-signal load at voltages within
    /// [`SMALL_SIGNAL_REUSE`] of the last DC evaluation's linearizes there, the charges
    /// following from what it kept. (ngspice's BSIM3 load linearizes at its last load's
    /// voltages whatever the solution: `b3ld.c` reads them from its state in MODEINITSMSIG.)
    const KEEPS: bool = false;
    /// [`FetDevice::dc`] and what the evaluation keeps for [`FetDevice::eval_kept`].
    #[inline(always)]
    fn dc_keeping(&self, vgs: f64, vds: f64, vbs: f64) -> (FetDc, Self::Kept) {
        (self.dc(vgs, vds, vbs), Self::Kept::default())
    }
    /// The evaluation [`FetDevice::eval`] with `charges` returns at the voltages of `last`,
    /// from what [`FetDevice::dc_keeping`] kept there.
    fn eval_kept(&self, last: &Last, kept: &Self::Kept) -> Self::Eval {
        let _ = kept;
        self.eval(last.vgs, last.vds, last.vbs, true).1
    }
    /// Whether a transient load may bypass the model (SPICE's device bypass, see
    /// [`FetInst::load`]); the model then loads charges linearized from its cached [`Self::Eval`].
    const BYPASS: bool = false;
    /// DC at n-frame voltages and, with `charges`, the charge evaluation at the same bias
    /// (for [`FetDevice::load_charges_eval`]).
    fn eval(&self, vgs: f64, vds: f64, vbs: f64, charges: bool) -> (FetDc, Self::Eval) {
        let _ = charges;
        (self.dc(vgs, vds, vbs), Self::Eval::default())
    }
    /// [`FetDevice::load_charges`] with the evaluation `e` that [`FetDevice::eval`] returned
    /// at the voltages of `last`.
    fn load_charges_eval(
        &self,
        k: usize,
        st: &mut States,
        integ: &Integrator,
        last: &Last,
        e: &Self::Eval,
        stamp: &mut Stamp,
    ) {
        let _ = e;
        self.load_charges(k, st, integ, last, stamp);
    }
    /// Loads the charges of a bypassed transient load at n-frame voltages `v` = (vgs, vds,
    /// vbs) near those of `last`, where `e` was evaluated. The default evaluates them afresh
    /// at `v`; a model with [`FetDevice::BYPASS`] linearizes its cached charges instead.
    #[allow(clippy::too_many_arguments)]
    fn load_charges_bypass(
        &self,
        k: usize,
        st: &mut States,
        integ: &Integrator,
        last: &Last,
        e: &Self::Eval,
        v: (f64, f64, f64),
        stamp: &mut Stamp,
    ) {
        let _ = (last, e);
        let (vgs, vds, vbs) = v;
        let at = Last { vgs, vds, vbs, dc: self.dc(vgs, vds, vbs) };
        self.load_charges(k, st, integ, &at, stamp);
    }
    /// A bypassed transient load's stamp into the matrix values and right-hand side: the
    /// cached channel block `dc` plus the charges of [`FetDevice::load_charges_bypass`]. A
    /// model may add its charges straight into the matrix instead of into a copy of `dc`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn stamp_bypassed(
        &self,
        f: &FetSlots,
        st: &mut States,
        integ: &Integrator,
        last: &Last,
        e: &Self::Eval,
        v: (f64, f64, f64),
        dc: &Stamp,
        m: &mut [f64],
        rhs: &mut [f64],
    ) {
        let mut stamp = *dc;
        self.load_charges_bypass(f.state, st, integ, last, e, v, &mut stamp);
        stamp.scatter(f, m, rhs);
    }
}

/// One FET instance of model `F`.
#[derive(Debug, Clone)]
pub struct FetInst<F: FetDevice> {
    pub elem: usize,
    pub dev: F,
    pub off: bool,
    pub f: FetSlots,
    pub last: Last,
    /// The channel and junction stamp linearized at `last` by the last transient evaluation:
    /// what a bypassed transient load stamps again.
    pub dc_stamp: Stamp,
    /// The model's charge evaluation at the voltages of `last`, when the last load computed
    /// one (a transient load): what a bypassed load linearizes.
    pub eval: Option<F::Eval>,
    /// The charge evaluation of the last load when it was a small-signal one of a model with
    /// [`FetDevice::AC_EVAL`]: what [`FetInst::ac`] takes the capacitances from.
    pub ac_eval: Option<F::Eval>,
    /// What the last load kept of its evaluation, when it was a DC one of a model with
    /// [`FetDevice::KEEPS`]: what a small-signal load takes the charges from.
    pub kept: Option<F::Kept>,
    /// Whether `last` is an evaluation of the present `dev` (false until the first load and
    /// after [`FetInst::replace_dev`]): only then may a DC load be bypassed.
    pub fresh: bool,
    /// Charge deficit (n-frame) of the last load, for a model with a `q` node.
    pub qdef: f64,
    /// The charge deficit (n-frame) of the last transient load, kept across analyses: what
    /// ngspice's `b3v1ld.c`/`b3v0ld.c` read from their state `qcdump` in a small-signal load
    /// (`.ac`, `.noise`, the op's device values) and at a transient's start, where `b3ld.c`
    /// reads the present solution (its DC load writes the state; theirs does not). ngspice
    /// runs `.tran` before `.noise` whatever the deck's order, so on 3.1/3.0 NQS cards its
    /// noise depends on the transient that ran before; insitu copies this for decks that list
    /// them in that order ([`FetDevice::nqs_qdef_from_state`]).
    pub qcdump: f64,
    /// The instance's `ic=vds,vgs,vbs` (circuit polarity), when given.
    pub ic: Option<[f64; 3]>,
}

impl<F: FetDevice> FetInst<F> {
    /// Instance `dev` of element `elem` at `f`, not yet loaded.
    pub fn new(elem: usize, dev: F, off: bool, f: FetSlots) -> Self {
        FetInst {
            elem,
            dev,
            off,
            f,
            last: Last::default(),
            dc_stamp: Stamp::default(),
            eval: None,
            ac_eval: None,
            kept: None,
            fresh: false,
            qdef: 0.0,
            qcdump: 0.0,
            ic: None,
        }
    }

    /// Replaces the device (new size, temperature or model card): the last evaluation no
    /// longer describes it, so no load may be bypassed until the next evaluation.
    pub fn replace_dev(&mut self, dev: F) {
        self.dev = dev;
        self.fresh = false;
        self.eval = None;
        self.ac_eval = None;
        self.kept = None;
    }

    /// With the instance's `ic=vds,vgs,vbs`: as ngspice's MOSFET loads (`mos1load.c`,
    /// `b3ld.c`), the first Newton iteration of an operating point starts the device there
    /// when any value is non-zero (instead of the model's initial bias), and the first
    /// iteration after a `uic` start linearizes it there (at zero bias without `ic=`).
    pub fn with_ic(mut self, ic: Option<[f64; 3]>) -> Self {
        self.ic = ic;
        self
    }

    /// The n-frame (vgs, vds, vbs) of `ic=` (zeros without it).
    fn ic_bias(&self) -> (f64, f64, f64) {
        let ty = self.dev.mos_type();
        self.ic.map_or((0.0, 0.0, 0.0), |[vds, vgs, vbs]| (ty * vgs, ty * vds, ty * vbs))
    }

    /// n-frame terminal voltages (vgs, vds, vbs) read from `x`.
    #[inline]
    fn voltages(&self, x: &[f64]) -> (f64, f64, f64) {
        let ty = self.dev.mos_type();
        let t = &self.f.t;
        let vs = x[t[S]];
        (ty * (x[t[G]] - vs), ty * (x[t[D]] - vs), ty * (x[t[B]] - vs))
    }

    /// Loads the device for DC or a transient point. In a transient's free iterations a
    /// model with [`FetDevice::BYPASS`] is not evaluated when SPICE's bypass test (`bypass`)
    /// passes: the last linearization is stamped again and the cached charges are carried to
    /// the present voltages ([`FetDevice::load_charges_bypass`]). In the free iterations of a
    /// DC solve with [`Ctx::dc_bypass`] (warm-started operating points) any model without a
    /// charge-deficit node is bypassed by the same test: the last linearization is stamped
    /// again (ngspice's `b3ld.c` bypasses in DC as well).
    pub fn load(&mut self, x: &[f64], m: &mut [f64], rhs: &mut [f64], st: &mut States, ctx: &mut Ctx) {
        let (mut vgs, mut vds, mut vbs) = self.voltages(x);
        let tran = ctx.mode == Mode::Tran;
        // As SPICE's MOSFET loads, the bypass test comes before limiting (which leaves
        // voltages that close to the last load's as they are).
        if self.f.q.is_none() && ctx.init == Init::Float {
            if F::BYPASS && tran && self.eval.is_some() && self.bypass(vgs, vds, vbs, ctx) {
                self.load_bypassed(m, rhs, st, ctx, (vgs, vds, vbs));
                return;
            }
            if ctx.dc_bypass && !tran && self.fresh && self.bypass(vgs, vds, vbs, ctx) {
                let stamp = self.stamp_last(m, ctx.small_signal);
                stamp.scatter(&self.f, m, rhs);
                return;
            }
        }
        match ctx.init {
            Init::Jct if ctx.mode == Mode::Dc => {
                let given = self.ic.is_some_and(|ic| ic.iter().any(|v| *v != 0.0));
                (vgs, vds, vbs) = match (self.off, given) {
                    (true, _) => (0.0, 0.0, 0.0),
                    (false, true) => self.ic_bias(),
                    (false, false) => self.dev.init_bias(),
                };
            }
            Init::Fix if self.off && ctx.mode == Mode::Dc => (vgs, vds, vbs) = (0.0, 0.0, 0.0),
            Init::Direct => {}
            Init::Unbiased => (vgs, vds, vbs) = self.ic_bias(),
            _ => {
                let (ugs, uds, ubs) = (vgs, vds, vbs);
                if self.limit(&mut vgs, &mut vds, &mut vbs) {
                    ctx.noncon += 1;
                } else {
                    // Beyond the round-off of `limit`'s own arithmetic (vds = vgs - vgd).
                    let moved = |a: f64, b: f64| (a - b).abs() > 1e-12 * (1.0 + a.abs());
                    if moved(vgs, ugs) || moved(vds, uds) || moved(vbs, ubs) {
                        ctx.moved += 1;
                    }
                }
            }
        }
        if let Some(q) = &self.f.q {
            // SPICE's MODEINITJCT (and an `off` device in MODEINITFIX) starts from qdef = 0.
            let zero = ctx.mode == Mode::Dc && (ctx.init == Init::Jct || (ctx.init == Init::Fix && self.off));
            self.qdef = if zero {
                0.0
            } else if ctx.small_signal && self.dev.nqs_qdef_from_state() {
                self.qcdump
            } else {
                self.dev.mos_type() * x[q.node]
            };
        }
        // A small-signal load of a model with AC_EVAL evaluates the charges too, for `ac`.
        let small = ctx.small_signal && F::AC_EVAL;
        if small && self.fresh && self.f.q.is_none() {
            let l = &self.last;
            let at_last = (vgs, vds, vbs) == (l.vgs, l.vds, l.vbs);
            // Voltages the last Newton step of a converged solve moved by no more than
            // SMALL_SIGNAL_REUSE of themselves (1,000 times inside Newton's own tolerance).
            let close = F::KEEPS && within_reuse(vgs, l.vgs) && within_reuse(vds, l.vds) && within_reuse(vbs, l.vbs);
            if close && self.eval.is_none() && self.ac_eval.is_none() {
                if let Some(k) = &self.kept {
                    self.ac_eval = Some(self.dev.eval_kept(&self.last, k));
                }
            }
            if self.ac_eval.is_some() && (at_last || close) {
                // The last evaluation, with its charges, at these voltages or close enough to
                // them is the linearization: a device a warm-started operating point bypassed,
                // or (with KEEPS) one whose charges follow from its last DC evaluation.
                let stamp = self.stamp_last(m, true);
                stamp.scatter(&self.f, m, rhs);
                return;
            }
        }
        let (dc, eval, kept) = if F::KEEPS && !tran && !small {
            let (dc, k) = self.dev.dc_keeping(vgs, vds, vbs);
            (dc, F::Eval::default(), Some(k))
        } else {
            let (dc, eval) = self.dev.eval(vgs, vds, vbs, tran || small);
            (dc, eval, None)
        };
        self.last = Last { vgs, vds, vbs, dc };
        self.fresh = true;
        self.eval = tran.then_some(eval);
        self.ac_eval = small.then_some(eval);
        self.kept = kept;

        if tran {
            // The channel's stamp is kept for bypassed loads; the charges' goes beside it.
            self.dc_stamp = self.stamp_last(m, false);
            let mut charges = Stamp::default();
            if let Some(e) = &self.eval {
                self.dev.load_charges_eval(self.f.state, st, &ctx.integ, &self.last, e, &mut charges);
            }
            if let Some(q) = &self.f.q {
                let mut qs = QStamp::default();
                self.dev.load_nqs(self.f.state + F::STATES, st, ctx, &self.last, self.qdef, &mut charges, &mut qs);
                qs.scatter(q, m, rhs);
                self.qcdump = self.qdef;
            }
            Stamp::scatter_sum(&self.dc_stamp, &charges, &self.f, m, rhs);
            return;
        }
        let mut stamp = self.stamp_last(m, ctx.small_signal);
        if let Some(q) = &self.f.q {
            let mut qs = QStamp::default();
            self.dev.load_nqs(self.f.state + F::STATES, st, ctx, &self.last, self.qdef, &mut stamp, &mut qs);
            qs.scatter(q, m, rhs);
        }
        stamp.scatter(&self.f, m, rhs);
    }

    /// SPICE's device bypass test (`b3ld.c`): every terminal voltage within `reltol` (relative)
    /// plus `vntol` of the last evaluation's, and the drain and bulk currents that the last
    /// linearization predicts at the new voltages within the convergence test's tolerance of
    /// the last evaluation's. Voltages are the unlimited ones of this iteration (as SPICE's,
    /// the test precedes limiting).
    #[inline]
    fn bypass(&self, vgs: f64, vds: f64, vbs: f64, ctx: &Ctx) -> bool {
        let l = &self.last;
        let close = |new: f64, old: f64| (new - old).abs() < ctx.reltol * fmax(new.abs(), old.abs()) + ctx.vntol;
        close(vgs, l.vgs)
            && close(vds, l.vds)
            && close(vbs, l.vbs)
            && close(vbs - vds, l.vbs - l.vds)
            && self.currents_predicted::<false>(vgs, vds, vbs, ctx.reltol, ctx.abstol)
    }

    /// A bypassed transient load: the channel and junctions keep the last evaluation's
    /// linearization (its currents and conductances at the voltages of `last`, which stay the
    /// reference for limiting and the convergence test); the charges are the cached ones
    /// carried to the present voltages `v` through the cached capacitance matrix, so the
    /// integration sees the charge at this iterate, not a stale one.
    fn load_bypassed(&self, m: &mut [f64], rhs: &mut [f64], st: &mut States, ctx: &Ctx, v: (f64, f64, f64)) {
        self.stamp_series(m);
        match &self.eval {
            Some(e) => self.dev.stamp_bypassed(&self.f, st, &ctx.integ, &self.last, e, v, &self.dc_stamp, m, rhs),
            None => self.dc_stamp.scatter(&self.f, m, rhs),
        }
    }

    /// Stamps the drain and source series resistances into `m`.
    #[inline(always)]
    fn stamp_series(&self, m: &mut [f64]) {
        let gdr = self.dev.drain_conductance();
        if gdr > 0.0 {
            stamp_g(m, &self.f.s_rd, gdr);
        }
        let gsr = self.dev.source_conductance();
        if gsr > 0.0 {
            stamp_g(m, &self.f.s_rs, gsr);
        }
    }

    /// Stamps the drain and source series resistances into `m` and returns the stamp of the
    /// channel and junctions linearized at `last` (see [`FetInst::channel_stamp`]).
    #[inline]
    fn stamp_last(&self, m: &mut [f64], small_signal: bool) -> Stamp {
        self.stamp_series(m);
        self.channel_stamp(small_signal)
    }

    /// SPICE's FET limiting (fetlim on vgs or vgd, limvds, pnjlim on the forward junction);
    /// returns whether the junction was limited.
    fn limit(&self, vgs: &mut f64, vds: &mut f64, vbs: &mut f64) -> bool {
        let old = self.last;
        // As SPICE's loads, vgd and vbd come from this iteration's voltages before any
        // limiting: the drain junction's pnjlim limits vbd, not vbs less a limited vds.
        let vgd = *vgs - *vds;
        let vbd = *vbs - *vds;
        let vgdo = old.vgs - old.vds;
        let von = old.dc.von;
        if old.vds >= 0.0 {
            *vgs = fetlim(*vgs, old.vgs, von);
            *vds = *vgs - vgd;
            *vds = limvds(*vds, old.vds);
        } else {
            let vgd = fetlim(vgd, vgdo, von);
            *vds = *vgs - vgd;
            *vds = -limvds(-*vds, -old.vds);
            *vgs = vgd + *vds;
        }
        if *vds >= 0.0 {
            let (v, l) = pnjlim(*vbs, old.vbs, self.dev.vt(), self.dev.vcrit_bs());
            *vbs = v;
            l
        } else {
            let vbdo = old.vbs - old.vds;
            let (v, l) = pnjlim(vbd, vbdo, self.dev.vt(), self.dev.vcrit_bd());
            *vbs = v + *vds;
            l
        }
    }

    /// Channel, junctions and substrate current: terminal currents and Jacobian in the
    /// circuit frame, stamped as `J` and `I - J v` at the last load's voltages
    /// (`small_signal`: the AC/noise matrix, without a substrate current the model's AC load
    /// leaves out).
    #[inline]
    fn channel_stamp(&self, small_signal: bool) -> Stamp {
        let ty = self.dev.mos_type();
        let Last { vgs, vds, vbs, dc } = self.last;
        let FetDc { mode, cdrain, gm, gds, gmbs, cbd, gbd, cbs, gbs, .. } = dc;
        let gsum = gm + gds + gmbs;
        let mut j = [[0.0f64; 4]; 4];
        let mut i = [0.0f64; 4];
        if mode > 0.0 {
            j[D] = [gds, gm, -gsum, gmbs];
            j[S] = [-gds, -gm, gsum, -gmbs];
            i[D] = ty * cdrain;
        } else {
            j[D] = [gsum, -gm, -gds, -gmbs];
            j[S] = [-gsum, gm, gds, gmbs];
            i[D] = -ty * cdrain;
        }
        i[S] = -i[D];
        j[D][D] += gbd;
        j[D][B] -= gbd;
        j[B][D] -= gbd;
        j[B][B] += gbd;
        j[S][S] += gbs;
        j[S][B] -= gbs;
        j[B][S] -= gbs;
        j[B][B] += gbs;
        i[D] -= ty * cbd;
        i[S] -= ty * cbs;
        i[B] = ty * (cbd + cbs);
        let sub = &dc.sub;
        let sub_on = sub.isub != 0.0 || sub.gbg != 0.0 || sub.gbd != 0.0 || sub.gbb != 0.0;
        if sub_on && (sub.small_signal || !small_signal) {
            // Isub(vgs, vds, vbs) in the mode frame, from the mode-frame drain (or source) into
            // the bulk; rows in the circuit frame (ty^2 = 1), columns d g s b.
            let (mode_d, mode_s) = if mode > 0.0 { (D, S) } else { (S, D) };
            let from = if sub.at_source { mode_s } else { mode_d };
            let mut row = [0.0f64; 4];
            row[G] = sub.gbg;
            row[mode_d] = sub.gbd;
            row[B] = sub.gbb;
            row[mode_s] = -(sub.gbg + sub.gbd + sub.gbb);
            for (c, g) in row.iter().enumerate() {
                j[from][c] += g;
                j[B][c] -= g;
            }
            let isub = ty * (sub.isub + sub.extra);
            i[from] += isub;
            i[B] -= isub;
        }
        // Circuit-frame voltages relative to the source (rows of j sum to zero).
        let v = [ty * vds, ty * vgs, 0.0, ty * vbs];
        let mut rhs = [0.0f64; 4];
        for ((r, row), cur) in rhs.iter_mut().zip(&j).zip(i) {
            let lin: f64 = row.iter().zip(&v).fold(0.0, |acc, (a, b)| acc + a * b);
            *r = lin - cur;
        }
        if dc.gbd_in_source_row && !small_signal {
            // bsim3v1's (source', drain') entry carries gbd beyond the linearization (its AC
            // load does not): in the matrix only, as ngspice has it.
            j[S][D] += gbd;
        }
        Stamp { j, rhs }
    }

    /// Sets the charges of a transient's first point from the last load.
    pub fn init_state(&self, st: &mut States) {
        self.dev.init_state(&self.f, st, &self.last);
        if self.f.q.is_some() {
            let qdef = if self.dev.nqs_qdef_from_state() { self.qcdump } else { self.qdef };
            self.dev.init_nqs(self.f.state + F::STATES, st, &self.last, qdef);
        }
    }

    /// Small-signal capacitances into the C matrix (AC).
    pub fn ac(&self, c: &mut [f64]) {
        let cm = match &self.ac_eval {
            Some(e) => self.dev.ac_cap_matrix_eval(&self.last, e),
            None => self.dev.ac_cap_matrix(&self.last),
        };
        for (r, row) in cm.iter().enumerate() {
            for (col, v) in row.iter().enumerate() {
                c[self.f.sl[r][col]] += v;
            }
        }
        if let Some(q) = &self.f.q {
            self.dev.ac_nqs_caps(&self.last).scatter_matrix(q, c);
        }
    }

    /// The frequency-dependent small-signal entries of a channel with
    /// [`FetDevice::ac_relaxation`] (`b3acld.c`'s ACNQSMOD), appended to `out` as corrections
    /// of the quasi-static `G + jwC` that [`FetInst::load`] and [`FetInst::ac`] stamp: the
    /// drain' and source' rows of the channel's admittance (gm, gds, gmbs and the intrinsic
    /// `jwC`) become `1 / (1 + jw tau)` of themselves, the gate row takes minus the change of
    /// their capacitive part, the bulk row stays.
    pub fn ac_relaxed(&self, out: &mut Vec<Relaxed>) {
        let Some((tau, c)) = self.dev.ac_relaxation(&self.last) else { return };
        let FetDc { mode, gm, gds, gmbs, .. } = self.last.dc;
        let gsum = gm + gds + gmbs;
        let gd = if mode > 0.0 { [gds, gm, -gsum, gmbs] } else { [gsum, -gm, -gds, -gmbs] };
        for col in 0..4 {
            for (row, g, cap) in [(D, gd[col], c[D][col]), (S, -gd[col], c[S][col]), (G, 0.0, -(c[D][col] + c[S][col]))]
            {
                out.push(Relaxed { slot: self.f.sl[row][col], tau, g, c: cap });
            }
        }
    }

    /// SPICE's device convergence test after a solve (`MOS1convTest`, `BSIM3convTest`): do
    /// the currents the last load's linearization predicts at the new voltages agree with
    /// that load's? In ngspice 39 it has no effect (`NIconvTest` returns the status of
    /// `CKTconvTest`, not the count the tests set, and `NIiter` stores that as the count);
    /// insitu asks it only of a transient's predicted first iteration
    /// (`Simulator::newton_from`).
    pub fn converged(&self, x: &[f64], reltol: f64, abstol: f64) -> bool {
        let (vgs, vds, vbs) = self.voltages(x);
        self.currents_predicted::<true>(vgs, vds, vbs, reltol, abstol)
    }

    /// Whether the drain and bulk currents the last load's linearization predicts at n-frame
    /// voltages (vgs, vds, vbs) are within tolerance of the last load's currents (with
    /// `ROUNDOFF`, a tolerance that also allows for the round-off of the last load's vds).
    #[inline(always)]
    fn currents_predicted<const ROUNDOFF: bool>(&self, vgs: f64, vds: f64, vbs: f64, reltol: f64, abstol: f64) -> bool {
        let l = &self.last;
        let dc = &l.dc;
        let vbd = vbs - vds;
        let vgd = vgs - vds;
        let delvbs = vbs - l.vbs;
        let delvbd = vbd - (l.vbs - l.vds);
        let delvgs = vgs - l.vgs;
        let delvds = vds - l.vds;
        let delvgd = vgd - (l.vgs - l.vds);
        let mut cd = dc.mode * dc.cdrain - dc.cbd;
        let mut cdhat = if dc.mode >= 0.0 {
            cd - dc.gbd * delvbd + dc.gmbs * delvbs + dc.gm * delvgs + dc.gds * delvds
        } else {
            cd - (dc.gbd - dc.gmbs) * delvbd - dc.gm * delvgd + dc.gds * delvds
        };
        let mut cb = dc.cbs + dc.cbd;
        let mut cbhat = cb + dc.gbd * delvbd + dc.gbs * delvbs;
        let sub = &dc.sub;
        if !sub.at_source && sub.isub != 0.0 {
            // BSIM3's Idtot/Ibtot: Isub in the drain current in normal mode only (`b3ld.c`).
            let dsub = if dc.mode >= 0.0 {
                sub.gbb * delvbs + sub.gbg * delvgs + sub.gbd * delvds
            } else {
                sub.gbb * delvbd + sub.gbg * delvgd - sub.gbd * delvds
            };
            if dc.mode >= 0.0 {
                cd += sub.isub;
                cdhat += sub.isub + dsub;
            }
            cb -= sub.isub;
            cbhat -= sub.isub + dsub;
        }
        // The last load's vds is vgs - vgd (limiting works on vgd), exact only to the
        // round-off of the larger of the two: at a gate 2.5e7 V high (a current source into a
        // device that does not conduct, held by gmin) vds moves in steps of 3.7e-9 V, and a
        // channel of 5.6e4 S turns that into 2e-4 A no iteration can remove. The test allows
        // that round-off (below 1e-16 A at circuit voltages).
        // (With `ROUNDOFF`, the convergence test; the bypass test, which only decides whether
        // to evaluate again, keeps the plain one. The allowance is computed only when the
        // plain test fails.)
        let noise = || 4.0 * f64::EPSILON * fmax(fmax(vgs.abs(), vgd.abs()), fmax(vds.abs(), vbs.abs()));
        let (err, tol) = ((cdhat - cd).abs(), reltol * fmax(cdhat.abs(), cd.abs()) + abstol);
        if err >= tol
            && (!ROUNDOFF || err >= tol + noise() * (dc.gds.abs() + dc.gm.abs() + dc.gmbs.abs() + dc.gbd.abs()))
        {
            return false;
        }
        let (err, tol) = ((cbhat - cb).abs(), reltol * fmax(cbhat.abs(), cb.abs()) + abstol);
        err <= tol || (ROUNDOFF && err <= tol + noise() * (dc.gbd.abs() + dc.gbs.abs()))
    }
}

#[cfg(test)]
mod tests {
    use crate::Simulator;
    use insitu_netlist::{elaborate, parse_str, ElabOptions, MemLoader};

    /// Two BSIM-lite op-amps on one supply (the model cards of `tests/decks/bsim_cs_amp.cir`):
    /// `X1` open loop, driven by the AC source, and `X2` a buffer no AC source reaches, as the
    /// generic180 example deck and the sizing loop's testbenches hold them.
    fn two_copies() -> Simulator {
        let cards: String = include_str!("../../../tests/decks/bsim_cs_amp.cir")
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("VDD"))
            .map(|l| format!("{l}\n"))
            .collect();
        let deck = format!(
            "two BSIM-lite op-amps\n{cards}.subckt opamp inp inm out vdd
IB vdd nb 20u
M8 nb nb 0 0 nb W=4u L=0.5u AD=2p AS=2p PD=9u PS=9u
M5 tail nb 0 0 nb W=8u L=0.5u AD=4p AS=4p PD=17u PS=17u
M1 d1 inm tail 0 nb W=10u L=0.5u AD=5p AS=5p PD=21u PS=21u
M2 d2 inp tail 0 nb W=10u L=0.5u AD=5p AS=5p PD=21u PS=21u
M3 d1 d1 vdd vdd pb W=20u L=0.5u AD=10p AS=10p PD=41u PS=41u
M4 d2 d1 vdd vdd pb W=20u L=0.5u AD=10p AS=10p PD=41u PS=41u
M6 out d2 vdd vdd pb W=80u L=0.5u AD=40p AS=40p PD=161u PS=161u
M7 out nb 0 0 nb W=32u L=0.5u AD=16p AS=16p PD=65u PS=65u
RZ d2 cz 1.5k
CC cz out 1p
.ends
VDD vdd 0 1.8
VIN in 0 DC 0.9 AC 1
X1 in fb out vdd opamp
LFB out fb 1G
CFB fb 0 1G
CL out 0 2p
VSTEP sin 0 DC 0.8
X2 sin bout bout vdd opamp
CLB bout 0 2p
.nodeset v(out)=0.9 v(fb)=0.9 v(bout)=0.8
.end
"
        );
        let parsed = parse_str(&deck, "two.cir".as_ref(), &MemLoader::new()).expect("parse");
        Simulator::new(elaborate(&parsed, &ElabOptions::default()).expect("elaborate")).expect("compile")
    }

    fn m6(s: &Simulator) -> crate::ElementHandle {
        s.element_handle("m6.x1").or_else(|_| s.element_handle("x1.m6")).expect("M6 of X1")
    }

    /// Cold operating point of a fresh simulator with M6 of `X1` at width `w`.
    fn cold(w: f64) -> Vec<f64> {
        let mut s = two_copies();
        let h = m6(&s);
        s.set_mos_size_of(h, w, 0.5e-6).unwrap();
        s.op().unwrap();
        s.solution().to_vec()
    }

    #[test]
    fn warm_ops_bypass_within_tolerance_and_cold_ops_are_unchanged() {
        let mut s = two_copies();
        let h = m6(&s);
        s.op().unwrap();
        s.ac_prepare().unwrap();
        s.set_warm_start(true);
        let (reltol, vntol) = (s.circuit().options.reltol, s.circuit().options.vntol);
        for w in [70e-6, 90e-6, 64e-6, 96e-6] {
            s.set_mos_size_of(h, w, 0.5e-6).unwrap();
            s.op().unwrap();
            // The buffer copy does not move, so its devices are bypassed in every iteration.
            let skipped = s.inst.bsim3.iter().filter(|d| d.fresh && d.ac_eval.is_some()).count();
            assert!(skipped >= 8, "{skipped} devices kept their small-signal evaluation");
            let warm = s.solution().to_vec();
            s.ac_prepare().unwrap();
            let reference = cold(w);
            for (k, (a, b)) in warm.iter().zip(&reference).enumerate() {
                let tol = reltol * a.abs().max(b.abs()) + vntol;
                assert!((a - b).abs() <= tol, "w {w}, unknown {k}: warm {a} against cold {b}");
            }
        }
        // Whatever the warm history left in the devices, a cold start repeats a fresh one.
        s.set_warm_start(false);
        s.op().unwrap();
        assert_eq!(s.solution(), &cold(96e-6)[..]);
    }

    #[test]
    fn a_device_that_did_not_move_is_not_evaluated_again_for_ac() {
        let mut s = two_copies();
        let h = m6(&s);
        s.set_warm_start(true);
        s.op().unwrap();
        s.ac_prepare().unwrap();
        let mut reused = Vec::new();
        for w in [90e-6, 70e-6, 85e-6, 95e-6, 75e-6] {
            s.set_mos_size_of(h, w, 0.5e-6).unwrap();
            s.op().unwrap();
            let before: Vec<_> = s.inst.bsim3.iter().map(|d| format!("{:?}", d.last)).collect();
            let x = s.w.x.clone();
            // The same operating point with every device evaluated again at the solution.
            let mut full = s.clone();
            full.inst.bsim3.iter_mut().for_each(|d| d.fresh = false);
            s.ac_prepare().unwrap();
            full.ac_prepare().unwrap();
            let mut n = 0;
            for (d, was) in s.inst.bsim3.iter().zip(&before) {
                let (vgs, vds, vbs) = (d.last.vgs, d.last.vds, d.last.vbs);
                let (ugs, uds, ubs) = d.voltages(&x);
                if &format!("{:?}", d.last) != was {
                    // Evaluated again: at the solution.
                    assert_eq!((vgs, vds, vbs), (ugs, uds, ubs), "w {w}");
                    continue;
                }
                // Not evaluated again: its last evaluation is within SMALL_SIGNAL_REUSE of the
                // solution, and its charges are those a fresh evaluation there gives, bit for bit
                // (from what the DC evaluation kept, or from a small-signal load before).
                n += 1;
                for (a, b) in [(vgs, ugs), (vds, uds), (vbs, ubs)] {
                    assert!(super::within_reuse(b, a), "w {w}: {a} against {b}");
                }
                let fresh = super::FetDevice::eval(&d.dev, vgs, vds, vbs, true).1;
                assert_eq!(format!("{:?}", d.ac_eval.unwrap()), format!("{fresh:?}"), "w {w}");
            }
            reused.push(n);
            // So the small-signal matrices are those at the solution, nearly.
            let (a, b) = (s.ac.as_ref().unwrap(), full.ac.as_ref().unwrap());
            for (p, q) in a.g.iter().zip(&b.g).chain(a.c.iter().zip(&b.c)) {
                assert!((p - q).abs() <= 1e-5 * p.abs().max(q.abs()) + 1e-18, "w {w}: {p} against {q}");
            }
        }
        // At least the 8 devices of the buffer copy (which the warm op bypasses) are not
        // evaluated again, and some of X1's whose last Newton step was that small (seen:
        // [10, 9, 9, 10, 9]).
        assert!(reused.iter().all(|&n| n >= 8), "{reused:?} of 16 devices per op reused their evaluation");
    }

    /// Every device of both copies re-sized: per device a width factor (0.7-1.4 of the deck's)
    /// and one length for all, as a sizing loop's candidate `k`.
    fn resize_all(s: &mut Simulator, k: usize) {
        let widths = [
            ("m8", 4.0),
            ("m5", 8.0),
            ("m1", 10.0),
            ("m2", 10.0),
            ("m3", 20.0),
            ("m4", 20.0),
            ("m6", 80.0),
            ("m7", 32.0),
        ];
        let l = [0.35e-6, 0.8e-6, 1.2e-6, 0.5e-6][k % 4];
        for (j, (name, w)) in widths.iter().enumerate() {
            let f = 0.7 + 0.7 * (((k * 7 + j * 3) % 11) as f64 / 10.0);
            for copy in ["x1", "x2"] {
                let h = s
                    .element_handle(&format!("{copy}.{name}"))
                    .or_else(|_| s.element_handle(&format!("{name}.{copy}")))
                    .unwrap();
                s.set_mos_size_of(h, w * f * 1e-6, l).unwrap();
            }
        }
    }

    #[test]
    fn seeded_ops_depend_on_nothing_run_before_and_agree_with_cold_ones() {
        let mut seeded = two_copies();
        assert!(seeded.set_op_seed().is_err(), "no operating point to seed from yet");
        seeded.op().unwrap();
        seeded.set_op_seed().unwrap();
        let (reltol, vntol) = (seeded.circuit().options.reltol, seeded.circuit().options.vntol);
        let run = |s: &mut Simulator, k: usize| {
            resize_all(s, k);
            s.op().unwrap();
            (s.solution().to_vec(), s.iterations)
        };
        let ks = [0, 1, 2, 3, 4, 5];
        let forward: Vec<_> = ks.iter().map(|&k| run(&mut seeded, k)).collect();
        // Another history in between: a warm op, an AC analysis, a transient from zero (`uic`:
        // it leaves the devices' last voltages, their limiting references, volts away from
        // the seed's), then the same candidates in the opposite order.
        let mut other = seeded.clone();
        other.set_warm_start(true);
        run(&mut other, 7);
        other.set_warm_start(false);
        other.ac_prepare().unwrap();
        other.tran(&crate::TranSpec { tstep: 0.1e-9, tstop: 0.5e-9, tstart: 0.0, tmax: None, uic: true }).unwrap();
        let backward: Vec<_> = ks.iter().rev().map(|&k| run(&mut other, k)).collect();
        let (mut cold_iters, mut seeded_iters) = (0, 0);
        for (&k, ((x, it), (y, _))) in ks.iter().zip(forward.iter().zip(backward.iter().rev())) {
            assert_eq!(x, y, "candidate {k}: the seeded result depends on what ran before");
            let mut cold = two_copies();
            let (c, cit) = run(&mut cold, k);
            for (j, (a, b)) in x.iter().zip(&c).enumerate() {
                assert!(
                    (a - b).abs() <= reltol * a.abs().max(b.abs()) + vntol,
                    "candidate {k}, unknown {j}: seeded {a}, cold {b}"
                );
            }
            cold_iters += cit;
            seeded_iters += it;
        }
        assert!(3 * seeded_iters < cold_iters, "seeded {seeded_iters} Newton iterations, cold {cold_iters}");
        // A seed Newton cannot leave falls back to the cold procedure, bit for bit.
        seeded.seed.as_mut().unwrap().0.iter_mut().for_each(|v| *v = 1e4);
        let (x, _) = run(&mut seeded, 2);
        assert_eq!(x, run(&mut two_copies(), 2).0);
        seeded.clear_op_seed();
        assert_eq!(run(&mut seeded, 3).0, run(&mut two_copies(), 3).0);
    }

    /// The AC sweep of a seeded simulator replays the seed's AC pivot plan (pinned by
    /// `set_op_seed`) from its first frequency: it pivots nothing afresh, gives the same bits
    /// whatever ran before, and agrees with a cold, freshly pivoted sweep.
    #[test]
    fn seeded_ac_sweeps_replay_the_seeds_plan_whatever_ran_before() {
        let freqs: Vec<f64> = (0..=45).map(|i| 10f64.powf(i as f64 / 5.0)).collect();
        let sweep = |s: &mut Simulator, k: usize, f: &[f64]| {
            resize_all(s, k);
            s.op().unwrap();
            s.ac_prepare().unwrap();
            let mut out = Vec::new();
            s.ac_sweep(f, |_, x| out.extend_from_slice(x)).unwrap();
            out
        };
        let mut seeded = two_copies();
        seeded.op().unwrap();
        seeded.ac_prepare().unwrap();
        seeded.ac_sweep(&freqs, |_, _| {}).unwrap();
        seeded.set_op_seed().unwrap();
        let ks = [0, 1, 2, 3, 4, 5];
        let pivotings = seeded.ac_lu_stats().1;
        let forward: Vec<_> = ks.iter().map(|&k| sweep(&mut seeded, k, &freqs)).collect();
        assert_eq!(seeded.ac_lu_stats().1, pivotings, "a seeded sweep pivoted afresh");
        // Another history: a noise analysis (plain Markowitz, its own plan) and a sweep that
        // starts at 1 THz, then the candidates in the opposite order.
        let mut other = seeded.clone();
        let (out, vin) = (other.circuit().node("out").unwrap(), other.element_handle("vin").unwrap().0);
        let grid = insitu_netlist::FreqGrid { kind: insitu_netlist::GridKind::Dec, points: 5, fstart: 1.0, fstop: 1e9 };
        other.noise(out, 0, vin, &grid).unwrap();
        sweep(&mut other, 7, &[1e12, 1e3]);
        let backward: Vec<_> = ks.iter().rev().map(|&k| sweep(&mut other, k, &freqs)).collect();
        // The two operating points, from different starts, each end where SPICE's test (the
        // nodes only, at the default reltol 1e-3) stops Newton, and a small-signal load may
        // linearize a device at its last evaluation, up to SMALL_SIGNAL_REUSE (relative) from
        // the solution (seen: 9.3e-5 of an entry near the 71 dB gain's output; 7.8e-6 while
        // the devices' current test still held Newton back, before session 23).
        let (reltol, abstol) = (3e-4, 1e-12);
        for (&k, (x, y)) in ks.iter().zip(forward.iter().zip(backward.iter().rev())) {
            assert_eq!(x, y, "candidate {k}: the seeded sweep depends on what ran before");
            let cold = sweep(&mut two_copies(), k, &freqs);
            for (j, (a, b)) in x.iter().zip(&cold).enumerate() {
                assert!(
                    (a - b).norm() <= reltol * a.norm().max(b.norm()) + abstol,
                    "candidate {k}, entry {j}: {a} against {b}"
                );
            }
        }
        // Without the seed, the sweep pivots afresh again.
        seeded.clear_op_seed();
        let before = seeded.ac_lu_stats().1;
        sweep(&mut seeded, 3, &freqs);
        assert_eq!(seeded.ac_lu_stats().1, before + 1);
    }
}

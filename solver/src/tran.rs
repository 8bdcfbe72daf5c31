//! Transient analysis: trapezoidal or Gear-2 with backward Euler at the start and after
//! breakpoints, local truncation error control on device charges, source breakpoints.

use crate::error::SimError;
use crate::linear::Pivoting;
use crate::load::{fmax, fmin, Init, Mode};
use crate::results::{Data, Dataset, Quantity, Recorder, Vector};
use crate::simulator::{Fail, Pins, Simulator};
use crate::states::Integrator;
use insitu_netlist::{Method, WaveKind};

/// Time-step attempts per window of the transient's progress check (`window_start` in
/// [`Simulator::tran`]).
const CRAWL_WINDOW: usize = 10_000;

/// A `.tran` request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TranSpec {
    pub tstep: f64,
    pub tstop: f64,
    pub tstart: f64,
    pub tmax: Option<f64>,
    pub uic: bool,
}

/// Length of the transient behind the last operating-point fallback (ngspice's `optran`
/// default final time).
pub const TRAN_OP_TIME: f64 = 1e-6;

/// Its step (ngspice's `optran` default step, which is also its maximum step).
pub const TRAN_OP_STEP: f64 = 1e-8;

/// Truncation error constant of each formula, as ngspice's `trapCoeff`/`gearCoeff`: the
/// error estimate is C h^(p+1) times the divided difference of order p+1.
fn lte_constant(method: Method, order: usize) -> f64 {
    match (method, order) {
        (_, 1) => 0.5,
        (Method::Trapezoidal, _) => 1.0 / 12.0,
        (Method::Gear, _) => 2.0 / 9.0,
    }
}

/// Divided differences over the last time points (newest first) with the reciprocals of
/// their spans computed once per step, as ngspice's `CKTterr` forms them.
struct DividedDifference {
    /// 1 / h0: also scales the charge tolerance.
    inv_h: f64,
    /// 1 / h1, 1 / h2.
    inv_h12: [f64; 2],
    /// 1 / (h0 + h1), 1 / (h1 + h2).
    inv_span2: [f64; 2],
    /// 1 / (h0 + h1 + h2).
    inv_span3: f64,
}

impl DividedDifference {
    fn new(hs: &[f64; 3]) -> Self {
        DividedDifference {
            inv_h: 1.0 / hs[0],
            inv_h12: [1.0 / hs[1], 1.0 / hs[2]],
            inv_span2: [1.0 / (hs[0] + hs[1]), 1.0 / (hs[1] + hs[2])],
            inv_span3: 1.0 / (hs[0] + hs[1] + hs[2]),
        }
    }

    /// Second divided difference over three points.
    #[inline]
    fn second(&self, q0: f64, q1: f64, q2: f64) -> f64 {
        ((q0 - q1) * self.inv_h - (q1 - q2) * self.inv_h12[0]) * self.inv_span2[0]
    }

    /// Third divided difference over four points.
    #[inline]
    fn third(&self, q0: f64, q1: f64, q2: f64, q3: f64) -> f64 {
        let d1 = [(q0 - q1) * self.inv_h, (q1 - q2) * self.inv_h12[0], (q2 - q3) * self.inv_h12[1]];
        let d2 = [(d1[0] - d1[1]) * self.inv_span2[0], (d1[1] - d1[2]) * self.inv_span2[1]];
        (d2[0] - d2[1]) * self.inv_span3
    }
}

/// The least of quotients `t / e` (positive `t`, `e`) offered `W` lanes at a time, kept as
/// each lane's numerator and denominator so that no quotient but the last is divided out.
struct Least<const W: usize> {
    num: [f64; W],
    den: [f64; W],
}

impl<const W: usize> Least<W> {
    /// No quotient yet: infinity in every lane.
    fn new() -> Self {
        Least { num: [f64::INFINITY; W], den: [1.0; W] }
    }

    /// Keeps, lane by lane, `t / e` where it is less than the lane's least so far.
    #[inline(always)]
    fn offer(&mut self, t: &[f64; W], e: &[f64; W]) {
        for j in 0..W {
            let less = t[j] * self.den[j] < self.num[j] * e[j];
            self.num[j] = if less { t[j] } else { self.num[j] };
            self.den[j] = if less { e[j] } else { self.den[j] };
        }
    }

    /// The least quotient over the lanes (infinite when none was offered).
    fn quotient(&self) -> f64 {
        (0..W).map(|j| self.num[j] / self.den[j]).fold(f64::INFINITY, |a, b| fmin(b, a))
    }
}

/// `slots` in chunks of `W`, the last filled up by repeating its first entry (a charge
/// offered twice leaves the least quotient as it is).
fn padded_chunks<const W: usize>(slots: &[usize]) -> impl Iterator<Item = [usize; W]> + '_ {
    let chunks = slots.chunks_exact(W);
    let rest = chunks.remainder();
    let last = rest.first().map(|&k0| {
        let mut ks = [k0; W];
        ks[..rest.len()].copy_from_slice(rest);
        ks
    });
    chunks.map(|c| <[usize; W]>::try_from(c).expect("chunk of W")).chain(last)
}

impl Simulator {
    /// Rebuilds source waveforms for this transient's step and stop time; returns the
    /// sorted breakpoints in `[0, tstop]`.
    fn prepare_sources(&mut self, spec: &TranSpec) -> Result<Vec<f64>, SimError> {
        let mut bps = vec![0.0, spec.tstop];
        let elems = &self.circuit.elements;
        let mut fix = |elem: usize, value: &mut crate::load::linear::SourceValue| -> Result<(), SimError> {
            let src = match &elems[elem].kind {
                insitu_netlist::ElementKind::VoltageSource { source, .. } => source,
                insitu_netlist::ElementKind::CurrentSource { source, .. } => source,
                _ => return Ok(()),
            };
            let dc = value.dc;
            *value = crate::compile::source_value(src, spec.tstep, spec.tstop)
                .map_err(|m| SimError::device(&elems[elem], m))?;
            value.dc = dc;
            // As ngspice: PULSE and PWL corners are breakpoints; SIN and EXP set none.
            let corners = src.wave.as_ref().is_some_and(|w| matches!(w.kind, WaveKind::Pulse | WaveKind::Pwl));
            if let (Some(w), true) = (&value.wave, corners) {
                bps.extend(w.breakpoints(spec.tstop));
            }
            Ok(())
        };
        for v in &mut self.inst.vsrc {
            fix(v.elem, &mut v.value)?;
        }
        for i in &mut self.inst.isrc {
            fix(i.elem, &mut i.value)?;
        }
        bps.retain(|t| t.is_finite() && *t >= 0.0 && *t <= spec.tstop);
        bps.sort_by(|a, b| a.total_cmp(b));
        Ok(bps)
    }

    /// Sets every independent source with a waveform to its value at t = 0 for the
    /// transient's operating point; returns the DC values to restore.
    fn sources_at_time_zero(&mut self) -> Vec<f64> {
        let values =
            self.inst.vsrc.iter_mut().map(|v| &mut v.value).chain(self.inst.isrc.iter_mut().map(|i| &mut i.value));
        values
            .map(|v| {
                let dc = v.dc;
                if let Some(w) = &v.wave {
                    v.dc = w.value(0.0);
                }
                dc
            })
            .collect()
    }

    /// The present DC values of the independent sources (V then I, as saved).
    fn source_dc_values(&self) -> impl Iterator<Item = f64> + '_ {
        self.inst.vsrc.iter().map(|v| v.value.dc).chain(self.inst.isrc.iter().map(|i| i.value.dc))
    }

    /// Restores the DC values saved by [`Simulator::sources_at_time_zero`].
    fn restore_source_dc(&mut self, saved: &[f64]) {
        let values =
            self.inst.vsrc.iter_mut().map(|v| &mut v.value).chain(self.inst.isrc.iter_mut().map(|i| &mut i.value));
        for (v, &dc) in values.zip(saved) {
            v.dc = dc;
        }
    }

    /// Local truncation error: the largest steps the charges allow at order 1 (when `order`
    /// is 1) and at order 2 after a step `hs[0]` (with previous steps `hs[1..]`), in one pass
    /// over the charges; the order-1 entry is infinite when `order` is 2. At order 1 both are
    /// needed: order 2's decides whether the order rises.
    fn lte_steps(&self, method: Method, order: usize, hs: &[f64; 3]) -> (f64, f64) {
        let (del1, del2) =
            if order == 1 { self.lte_scan::<true>(method, hs) } else { self.lte_scan::<false>(method, hs) };
        // The step is del^(1/order); the root is monotonic, so it is taken once on the minimum.
        (del1, del2.sqrt())
    }

    /// The minima over the charges of `trtol tol / (C |divided difference|)` at order 1 (with
    /// `ORDER1`, else infinite) and order 2.
    fn lte_scan<const ORDER1: bool>(&self, method: Method, hs: &[f64; 3]) -> (f64, f64) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU supports AVX, checked just above.
            return unsafe { self.lte_scan_avx::<ORDER1>(method, hs) };
        }
        self.lte_scan_with::<ORDER1>(method, hs)
    }

    /// [`Simulator::lte_scan`] compiled for AVX: four quotients per packed division instead
    /// of two. The quotients are IEEE divisions either way, so the steps are the same bits.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn lte_scan_avx<const ORDER1: bool>(&self, method: Method, hs: &[f64; 3]) -> (f64, f64) {
        self.lte_scan_with::<ORDER1>(method, hs)
    }

    #[inline(always)]
    fn lte_scan_with<const ORDER1: bool>(&self, method: Method, hs: &[f64; 3]) -> (f64, f64) {
        let o = &self.circuit.options;
        let st = &self.w.st;
        let (l0, l1, l2, l3) = (st.level(0), st.level(1), st.level(2), st.level(3));
        let dd = DividedDifference::new(hs);
        // As ngspice's CKTterr: the error estimate is C |divided difference of order p+1|,
        // without the (p+1)! that would make it the derivative. Including it (as insitu
        // did) made steps sqrt(6) = 2.4 times shorter than ngspice's at order 2: 45-75 %
        // more time points, placed differently from ngspice's.
        let (c1, c2) = (lte_constant(method, 1), lte_constant(method, 2));
        let (abstol, reltol, chgtol, trtol) = (o.abstol, o.reltol, o.chgtol, o.trtol);
        let slots = match &self.scope {
            Some(h) if self.scoped => &h.charge_slots,
            _ => &self.charge_slots,
        };
        // The least quotient is found without dividing: `t / e < n / d` is `t d < n e` for
        // the positive tolerances and errors (errors are at least `abstol`), so each lane
        // keeps the numerator and denominator of its least quotient and divides once at the
        // end. A division per charge was the scan's largest cost (the divider is not
        // pipelined); the products round, so of two quotients within an ulp or two of each
        // other either may be taken.
        const W: usize = 4;
        let mut best1 = Least::<W>::new();
        let mut best2 = Least::<W>::new();
        for ks in padded_chunks::<W>(slots) {
            // `W` charges gathered, then the arithmetic lane by lane (packed instructions).
            let (mut q0, mut i0, mut q1, mut i1, mut q2, mut q3) =
                ([0.0; W], [0.0; W], [0.0; W], [0.0; W], [0.0; W], [0.0; W]);
            for (j, &k) in ks.iter().enumerate() {
                // Charge and current of each level (one bounds check per level).
                [q0[j], i0[j]] = l0[k..k + 2].try_into().expect("charge slot");
                [q1[j], i1[j]] = l1[k..k + 2].try_into().expect("charge slot");
                (q2[j], q3[j]) = (l2[k], l3[k]);
            }
            // Tolerance and error estimates: (tol, order-1 error, order-2 error).
            let (mut tol, mut e1, mut e2) = ([0.0; W], [1.0; W], [0.0; W]);
            for j in 0..W {
                let volttol = abstol + reltol * fmax(i0[j].abs(), i1[j].abs());
                let chargetol = reltol * fmax(fmax(q0[j].abs(), q1[j].abs()), chgtol) * dd.inv_h;
                tol[j] = trtol * fmax(volttol, chargetol);
                if ORDER1 {
                    e1[j] = fmax(c1 * dd.second(q0[j], q1[j], q2[j]).abs(), abstol);
                }
                e2[j] = fmax(c2 * dd.third(q0[j], q1[j], q2[j], q3[j]).abs(), abstol);
            }
            if ORDER1 {
                best1.offer(&tol, &e1);
            }
            best2.offer(&tol, &e2);
        }
        (best1.quotient(), best2.quotient())
    }

    /// Runs a transient analysis (of the blocks in scope, see
    /// [`Simulator::set_transient_scope`]).
    pub fn tran(&mut self, spec: &TranSpec) -> Result<Dataset, SimError> {
        self.scoped = false;
        let out = self.tran_points(spec, false);
        self.scoped = false;
        out
    }

    /// ngspice 39's last operating-point fallback (`OPtran`, after gmin and source
    /// stepping): a transient of [`TRAN_OP_TIME`] at steps of at most [`TRAN_OP_STEP`] from
    /// all unknowns at 0, the independent sources held at
    /// their DC values, whose last point is taken as the operating point. Capacitors make
    /// a node that only they tie to the circuit solvable (their voltages divide as the
    /// charges did); a circuit that settles within the microsecond reaches its DC solution.
    /// The devices are loaded at the result in DC, as a converged operating point leaves them.
    pub(crate) fn tran_op(&mut self) -> Result<(), SimError> {
        let spec = TranSpec { tstep: TRAN_OP_STEP, tstop: TRAN_OP_TIME, tstart: 0.0, tmax: None, uic: true };
        let (scoped, have_op, iterations) = (self.scoped, self.have_op, self.iterations);
        self.scoped = false;
        let out = self.tran_points(&spec, true);
        (self.scoped, self.have_op) = (scoped, have_op);
        self.iterations += iterations;
        out?;
        let mut ctx = self.ctx(Mode::Dc, Init::Direct);
        let w = &mut self.w;
        w.rhs.iter_mut().for_each(|v| *v = 0.0);
        w.mat.iter_mut().for_each(|v| *v = 0.0);
        self.inst.load(&w.x, &mut w.mat, &mut w.rhs, &mut w.st, &mut ctx);
        Ok(())
    }

    /// The transient, or with `op` the transient operating point ([`Simulator::tran_op`]):
    /// sources frozen at their DC values, no breakpoints but its ends, nothing recorded.
    fn tran_points(&mut self, spec: &TranSpec, op: bool) -> Result<Dataset, SimError> {
        if !(spec.tstop > 0.0 && spec.tstep > 0.0) || spec.tstart < 0.0 || spec.tstart >= spec.tstop {
            return Err(SimError::InvalidAnalysis(format!(
                ".tran needs 0 < tstep, 0 <= tstart < tstop (got tstep={}, tstop={}, tstart={})",
                spec.tstep, spec.tstop, spec.tstart
            )));
        }
        let bps = if op { vec![0.0, spec.tstop] } else { self.prepare_sources(spec)? };
        let method = self.circuit.options.method;
        let itl4 = self.circuit.options.itl4.max(3);
        let itl1 = self.circuit.options.itl1;
        let span = spec.tstop - spec.tstart;
        let maxstep = spec.tmax.filter(|t| *t > 0.0).unwrap_or_else(|| spec.tstep.min(span / 50.0));
        let delmin = 1e-11 * maxstep;
        // As ngspice built with XSPICE (Debian's): breakpoints closer than 10 delmin merge.
        let minbreak = 10.0 * delmin;

        // Initial point.
        self.iterations = 0;
        self.w.reset_lu(Pivoting::Markowitz);
        if spec.uic {
            // As ngspice's CKTic: unknowns start at 0, `.nodeset` and `.ic` values on their
            // nodes; devices are loaded once there (no Newton solve) to set their charges.
            self.w.x.iter_mut().for_each(|v| *v = 0.0);
            // (The transient operating point starts from zero, as ngspice's, whose `.nodeset`
            // and `.ic` act on the DC iterations only.)
            for &(k, v) in self.nodesets.iter().chain(&self.ics).filter(|_| !op) {
                self.w.x[k] = v;
            }
            let mut ctx = self.ctx(Mode::Dc, Init::Direct);
            let w = &mut self.w;
            w.rhs.iter_mut().for_each(|v| *v = 0.0);
            w.mat.iter_mut().for_each(|v| *v = 0.0);
            self.inst.load(&w.x, &mut w.mat, &mut w.rhs, &mut w.st, &mut ctx);
        } else {
            // The transient's own operating point sees every source at its time-zero value
            // (PULSE's v1, SIN's offset, PWL's first value...), not its DC value.
            let saved = self.sources_at_time_zero();
            // When those equal the dc values and no `.ic` pins a node, the operating point
            // of a preceding `.op` (still in `x`, its devices loaded there) is this one.
            let same = self.have_op && self.ics.is_empty() && self.source_dc_values().eq(saved.iter().copied());
            if !same {
                self.w.x.iter_mut().for_each(|v| *v = 0.0);
                let op = self.solve_dc(Pins::TRAN_OP);
                self.restore_source_dc(&saved);
                op.map_err(|f| self.error(f))?;
            }
            self.restore_source_dc(&saved);
        }
        self.have_op = false;
        self.inst.init_states(&self.w.x, &mut self.w.st, spec.uic);
        self.w.st.seed_history();
        // From here on, the blocks out of scope keep their initial values.
        self.scoped = self.scope.is_some() && !op;
        if let Some(h) = self.scope.as_deref_mut().filter(|_| !op) {
            h.sub.reset(Pivoting::Markowitz);
        }

        let mut rec = Recorder::new(self);
        let mut times = Vec::new();
        // ngspice writes no t = 0 point after a `uic` start (it has not solved one).
        if spec.tstart <= 0.0 && !spec.uic {
            rec.push_real(&self.w.x);
            times.push(0.0);
        }
        let mut bps = bps;
        let mut t = 0.0f64;
        // ngspice's first step: min(tstop/100, tstep)/10, cut below at the breakpoint at 0.
        let mut h = (spec.tstop / 100.0).min(spec.tstep) / 10.0;
        let mut save_delta = spec.tstop / 50.0;
        let mut hs = [maxstep; 3];
        let mut order = 1usize;
        let mut bp_idx = 1usize; // next breakpoint (bps[0] = 0)
        let mut at_breakpoint = true;
        let mut first = true;
        let mut saved_x = self.w.x.clone();
        // The accepted point before `saved_x` (for the predictor), and how many of the two
        // are solutions: a `uic` start is none (its supplies read 0 V).
        let mut prev_x = self.w.x.clone();
        let mut solved = usize::from(!spec.uic);
        let mut steps = 0usize;
        // Where the last window of CRAWL_WINDOW attempts began. A circuit whose Newton
        // converges only by chance (round-off at the tolerance) can alternate between failing
        // and passing near the minimum step and never meet SPICE's own "too small" condition:
        // it would crawl for hours. A window whose attempts average under 1e-6 of the maximum
        // step (1e5 minimum steps) stops the analysis; a real waveform's steps grow from the
        // minimum to the maximum within about 40 accepted points.
        let mut window_start = 0.0f64;
        // Whether Newton has failed at a time point of this transient: from then on it
        // iterates in residual form (see `Ctx::residual`). Not before: the direct form computes
        // no residual, and every transient whose Newton never failed stays as it was. (Residual
        // form throughout: 21,000 generated decks agreed with ngspice as often, and the level-1
        // op-amp's op + ac + tran took 12 % more instructions.) Not only the failed point's
        // retries: a circuit whose direct-form round-off blocks Newton at one point blocks it
        // at the next, and alternating failed direct attempts with residual retries at an
        // eighth of the step crawled (a mutated BSIM3 chain with a 100 Mm gate, 4 F, advanced
        // 1e-16 s per attempt).
        let mut residual = false;
        while t < spec.tstop - minbreak {
            steps += 1;
            if steps.is_multiple_of(CRAWL_WINDOW) {
                if t - window_start < CRAWL_WINDOW as f64 * 1e5 * delmin {
                    return Err(SimError::TimestepTooSmall { time: t, step: h });
                }
                window_start = t;
            }
            while bp_idx + 1 < bps.len() && bps[bp_idx] <= t + minbreak {
                bp_idx += 1;
            }
            let mut next_bp = bps.get(bp_idx).copied().unwrap_or(spec.tstop);
            h = h.min(maxstep);
            if at_breakpoint {
                // First point after a breakpoint: order 1, and a tenth of the smaller of the
                // step before the breakpoint and the gap to the next (a further tenth at t = 0).
                order = 1;
                h = h.min(0.1 * save_delta.min(next_bp - t));
                if first {
                    h /= 10.0;
                    if spec.uic && spec.tstep < spec.tstop && !bps.contains(&spec.tstep) {
                        // As ngspice: a breakpoint at tstep after a `uic` start damps the
                        // ringing of device currents that the jump from the initial
                        // conditions excites.
                        let at = bps.partition_point(|&b| b < spec.tstep);
                        bps.insert(at, spec.tstep);
                        next_bp = bps[bp_idx];
                    }
                }
                at_breakpoint = false;
            }
            if t + h > next_bp {
                save_delta = h;
                h = next_bp - t;
            }
            let init = if spec.uic && first { Init::Unbiased } else { Init::Float };
            let mut ctx = self.ctx(Mode::Tran, init);
            ctx.frozen_sources = op;
            ctx.residual = (residual || self.residual_always) && !self.scoped;
            ctx.time = t + h;
            ctx.integ = Integrator::new(method, order, h, hs[0]);
            let olddelta = h;
            // The first point after a `uic` start solves from a point that is no solution
            // (supplies at 0 V, junctions unbiased) and its Meyer charges, updated
            // incrementally, converge only linearly: it gets the operating point's iteration
            // limit (ngspice, starting elsewhere, needs fewer; the point solved is the same).
            let maxit = if spec.uic && first { itl1.max(itl4) } else { itl4 };
            // As ngspice's devices in MODEINITPRED: every point but the first is first
            // linearized at the linear extrapolation of the last two accepted points, once
            // both are solutions (extrapolating from a `uic` start sent a BSIM-lite ring's
            // supply current to -1.45 A at its second point).
            let predicted = solved >= 2;
            if predicted {
                let r = h / hs[0];
                for ((x, &a), &b) in self.w.x.iter_mut().zip(&saved_x).zip(&prev_x) {
                    *x = a + r * (a - b);
                }
            }
            let res = self.newton_from(&mut ctx, maxit, 0.0, Pins::OP, predicted);
            let steps_now = [h, hs[0], hs[1]];
            let accepted = match res {
                Err(e @ Fail::Singular { .. }) => return Err(self.error(e)),
                Err(_) => {
                    h /= 8.0;
                    order = 1;
                    residual = true;
                    None
                }
                // As ngspice, the first time point is accepted without a truncation error
                // test: its charge history is flat (the initial point copied), so the divided
                // differences would only measure the jump from the initial conditions.
                Ok(_) if first => Some(h),
                Ok(_) => {
                    let (h1, h2) = self.lte_steps(method, order, &steps_now);
                    let hnew = if order == 1 { h1 } else { h2 }.min(2.0 * h);
                    if hnew > 0.9 * h {
                        if order == 1 {
                            // Raise the order only when order 2 allows a clearly longer step.
                            let h2 = h2.min(2.0 * h);
                            order = if h2 <= 1.05 * h { 1 } else { 2 };
                            Some(h2)
                        } else {
                            Some(hnew)
                        }
                    } else {
                        h = hnew;
                        None
                    }
                }
            };
            let Some(hnext) = accepted else {
                // Rejected: retry from the last accepted point with the smaller step.
                self.w.x.copy_from_slice(&saved_x);
                if h <= delmin {
                    if olddelta > delmin {
                        h = delmin;
                    } else {
                        return Err(SimError::TimestepTooSmall { time: t, step: h });
                    }
                }
                continue;
            };
            t += h;
            hs = steps_now;
            first = false;
            self.w.st.rotate();
            std::mem::swap(&mut prev_x, &mut saved_x);
            saved_x.copy_from_slice(&self.w.x);
            solved += 1;
            if t >= spec.tstart - minbreak && !op {
                rec.push_real(&self.w.x);
                times.push(t);
            }
            if (t - next_bp).abs() <= minbreak {
                at_breakpoint = true;
            }
            h = hnext;
        }
        let scale = Vector { name: "time".into(), quantity: Quantity::Time, data: Data::Real(times) };
        Ok(rec.finish("Transient Analysis", Some(scale)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Data, Simulator};
    use insitu_netlist::{elaborate, parse_str, ElabOptions, MemLoader};

    /// A transient in residual form throughout (`residual_always`) follows the direct form's
    /// waveforms to round-off (1e-14 of their range seen): the same Newton iteration, only the
    /// right-hand side differs. A 0.1 % error in the inductor's residual moves them by 4e-4.
    /// The deck has what the residual loads treat apart (a capacitor, an inductor) beside a
    /// diode with its charges, limiting and series resistance.
    #[test]
    fn residual_form_follows_the_direct_form() {
        let deck = "residual form\n\
v1 in 0 sin(0 2 1meg)\n\
r1 in a 100\n\
l1 a b 10u\n\
c1 b 0 1n\n\
d1 b c dmod\n\
c2 c 0 2n\n\
r2 c 0 1k\n\
.model dmod d is=1e-14 rs=5 cjo=1p tt=1n\n\
.end\n";
        let run = |residual: bool| {
            let parsed = parse_str(deck, "r.cir".as_ref(), &MemLoader::new()).expect("parse");
            let mut s =
                Simulator::new(elaborate(&parsed, &ElabOptions::default()).expect("elaborate")).expect("compile");
            s.residual_always = residual;
            let spec = TranSpec { tstep: 5e-9, tstop: 5e-6, tstart: 0.0, tmax: None, uic: false };
            let d = s.tran(&spec).expect("transient");
            let real = |name: &str| match &d.vector(name).expect(name).data {
                Data::Real(v) => v.clone(),
                Data::Complex(_) => unreachable!(),
            };
            (real("time"), real("v(c)"), real("i(l1)"))
        };
        let (t0, v0, i0) = run(false);
        let (t1, v1, i1) = run(true);
        assert!(t0.len() > 500, "{} points", t0.len());
        // The step control may place the points a round-off apart: compare at the direct
        // form's times, interpolating the residual form's waveform.
        let at = |t: &[f64], y: &[f64], x: f64| {
            let k = t.partition_point(|&s| s <= x).clamp(1, t.len() - 1);
            let f = (x - t[k - 1]) / (t[k] - t[k - 1]);
            y[k - 1] + f * (y[k] - y[k - 1])
        };
        let worst = |y0: &[f64], y1: &[f64]| {
            let scale = y0.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            t0.iter().zip(y0).map(|(&t, &y)| (at(&t1, y1, t) - y).abs()).fold(0.0, f64::max) / scale
        };
        let (dv, di) = (worst(&v0, &v1), worst(&i0, &i1));
        assert!(v0.iter().fold(0.0f64, |m, v| m.max(*v)) > 0.5, "the diode conducts");
        assert!(dv < 1e-9 && di < 1e-9, "v(c) differs by {dv:.2e}, i(l1) by {di:.2e} of its range");
    }

    /// The least quotient found by cross-multiplication is the least of the divided
    /// quotients, to the round-off of the products (two ulps), over quotients spread across
    /// 40 decades and with near ties.
    #[test]
    fn least_quotient_without_division_matches_the_divided_one() {
        let mut seed = 7u64;
        let mut unit = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for trial in 0..2000 {
            let n = 1 + trial % 37;
            let mut pairs: Vec<(f64, f64)> =
                (0..n).map(|_| (10f64.powf(-20.0 * unit()), 10f64.powf(20.0 * unit() - 10.0))).collect();
            if trial % 3 == 0 {
                // A near tie: the same quotient again, its terms scaled by a power of two
                // plus an ulp.
                let (t, e) = pairs[0];
                pairs.push((t * 4.0 * (1.0 + f64::EPSILON), e * 4.0));
            }
            let want = pairs.iter().map(|(t, e)| t / e).fold(f64::INFINITY, f64::min);
            let mut best = Least::<4>::new();
            for chunk in pairs.chunks(4) {
                let (mut t, mut e) = ([f64::INFINITY; 4], [1.0; 4]);
                for (j, &(a, b)) in chunk.iter().enumerate() {
                    (t[j], e[j]) = (a, b);
                }
                best.offer(&t, &e);
            }
            let got = best.quotient();
            assert!((got - want).abs() <= 2.0 * f64::EPSILON * want, "trial {trial}: {got:e} vs {want:e}");
        }
        assert_eq!(Least::<4>::new().quotient(), f64::INFINITY);
    }

    /// Every slot appears in the padded chunks, and only slots of the input do.
    #[test]
    fn padded_chunks_cover_every_slot() {
        for n in 0..13 {
            let slots: Vec<usize> = (0..n).map(|k| 2 * k + 1).collect();
            let chunks: Vec<[usize; 4]> = padded_chunks::<4>(&slots).collect();
            assert_eq!(chunks.len(), n.div_ceil(4));
            let seen: Vec<usize> = chunks.iter().flatten().copied().collect();
            assert!(slots.iter().all(|k| seen.contains(k)));
            assert!(seen.iter().all(|k| slots.contains(k)));
        }
    }
}

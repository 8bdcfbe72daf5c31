//! The compiled simulator: work arrays, Newton-Raphson and the operating point.

use crate::compile::{compile, CompiledModel, Unknown, UnknownKind};
use crate::error::SimError;
use crate::instances::{DevRef, Instances};
use crate::linear::{LinearSolver, Pivoting, Singular};
use crate::load::{Ctx, Init, Mode};
use crate::pattern::{diagonal_slots, Pattern, Slot};
use crate::states::{Integrator, States};
use insitu_netlist::{Circuit, Method, Options};

/// Fraction of SPICE's Newton tolerances within which the first solve of a transient point
/// must reproduce its prediction for the prediction to be accepted (see
/// [`Simulator::newton_from`]).
const PREDICTED_TOL: f64 = 1e-3;

/// Ulps of a row's magnitude a branch current may move by beyond its tolerance and still pass
/// the convergence test ([`Simulator::within_roundoff`]).
const ROUNDOFF_ROWS: f64 = 64.0;

/// Conductance used to pin `.nodeset`/`.ic` nodes during the first Newton phases (as SPICE).
const NODESET_G: f64 = 1e10;
/// Newton solves one gmin- or source-stepping continuation may spend. The usual run takes
/// 10 to 40; a continuation that advances in steps near its smallest (1e-7 of the sources)
/// would otherwise take millions of solves, minutes for a candidate the optimizer then
/// waits on.
const CONTINUATION_SOLVES: usize = 5_000;
/// Newton iterations an `.op` started from its seed ([`Simulator::set_op_seed`]) may take
/// before SPICE's procedure from zero takes over. A re-sized op-amp converges in 4 to 10; the
/// few that need more rarely converge before gmin stepping would.
const SEED_ITERATIONS: usize = 50;

/// Work arrays of the Newton loop; allocated once at compile time.
#[derive(Debug, Clone)]
pub(crate) struct Work {
    /// Matrix values (pattern entries + trash slot).
    pub mat: Vec<f64>,
    /// Right-hand side, then solution (`n + 1` with the ground/trash entry last).
    pub rhs: Vec<f64>,
    /// Present iterate (`x[n] = 0` is ground).
    pub x: Vec<f64>,
    /// Previous iterate.
    pub xold: Vec<f64>,
    /// Starting point saved by the DC solve for its fallbacks.
    pub x0: Vec<f64>,
    /// Last converged operating point (warm starts).
    pub xlast: Vec<f64>,
    /// Last good point of a continuation (gmin or source stepping), and its states.
    pub x1: Vec<f64>,
    pub st1: States,
    pub st: States,
    pub lu: LinearSolver<f64>,
    /// The matrix values `lu` holds the factors of, when `factored` is set: Newton skips a
    /// factorization of the very same values (a transient point whose devices were all
    /// bypassed, with the step of the point before, loads the matrix of that point again).
    pub lu_values: Vec<f64>,
    pub factored: bool,
}

impl Work {
    /// Resets the LU's pivot plan (see [`LinearSolver::reset_plan_with`]) and forgets the
    /// last factorization, so that the next one pivots afresh.
    pub(crate) fn reset_lu(&mut self, pivoting: Pivoting) {
        self.lu.reset_plan_with(pivoting);
        self.factored = false;
    }

    /// [`Work::reset_lu`], the next factorization replaying the pinned plan first (see
    /// [`LinearSolver::reset_to_pinned`]; a plan is pinned only while a seed is set).
    pub(crate) fn reset_lu_to_pinned(&mut self, pivoting: Pivoting) {
        self.lu.reset_to_pinned(pivoting);
        self.factored = false;
    }

    /// Turns the loads' right-hand side into the negated residual `rhs - mat x` at the iterate
    /// `x`: per unknown, the current its devices put into a node (or a branch equation's
    /// error), the right-hand side of the Newton step `mat dx = rhs - mat x`.
    fn residual_into_rhs(&mut self, pattern: &Pattern) {
        for (c, &xc) in self.x[..pattern.n].iter().enumerate() {
            for k in pattern.col_ptr[c]..pattern.col_ptr[c + 1] {
                self.rhs[pattern.row_idx[k]] -= self.mat[k] * xc;
            }
        }
    }

    /// Factors `mat` unless `lu` already holds the factors of these very values.
    #[inline]
    fn factor(&mut self) -> Result<(), Singular> {
        let same = self.factored && same_bits(&self.mat, &self.lu_values);
        if !same {
            self.factored = false;
            self.lu.factor(&self.mat)?;
            self.lu_values.copy_from_slice(&self.mat);
            self.factored = true;
        }
        Ok(())
    }
}

/// Whether `a` and `b` hold the same values bit for bit. Blocks of eight are compared
/// without a branch per entry (the compiler vectorizes the folded XOR), stopping at the first
/// block that differs.
#[inline]
pub(crate) fn same_bits(a: &[f64], b: &[f64]) -> bool {
    const BLOCK: usize = 8;
    let diff = |a: &[f64], b: &[f64]| a.iter().zip(b).fold(0u64, |acc, (x, y)| acc | (x.to_bits() ^ y.to_bits()));
    let (ca, cb) = (a.chunks_exact(BLOCK), b.chunks_exact(BLOCK));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    a.len() == b.len() && ca.zip(cb).all(|(x, y)| diff(x, y) == 0) && diff(ra, rb) == 0
}

/// A circuit compiled for repeated simulation.
///
/// ```
/// use insitu_netlist::{parse_str, elaborate, ElabOptions, MemLoader};
/// use insitu_solver::Simulator;
/// let deck = "divider\nV1 in 0 DC 2\nR1 in out 1k\nR2 out 0 1k\n.op\n.end\n";
/// let parsed = parse_str(deck, "d.cir".as_ref(), &MemLoader::default()).unwrap();
/// let circuit = elaborate(&parsed, &ElabOptions::default()).unwrap();
/// let mut sim = Simulator::new(circuit).unwrap();
/// sim.op().unwrap();
/// assert!((sim.voltage("out").unwrap() - 1.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct Simulator {
    pub(crate) circuit: Circuit,
    pub(crate) temp_c: f64,
    pub(crate) n: usize,
    pub(crate) unknowns: Vec<Unknown>,
    pub(crate) pattern: Pattern,
    pub(crate) diag: Vec<Slot>,
    pub(crate) inst: Instances,
    pub(crate) models: Vec<CompiledModel>,
    pub(crate) warnings: Vec<crate::Warning>,
    pub(crate) elem_map: Vec<Option<DevRef>>,
    pub(crate) charge_slots: Vec<usize>,
    /// First state slot of each element (see `Compiled::state_start`).
    pub(crate) state_start: Vec<usize>,
    /// The transient scope ([`Simulator::set_transient_scope`]): what a scoped transient holds.
    pub(crate) scope: Option<Box<crate::scope::Held>>,
    /// Whether the loads now run under `scope` (a transient's time points).
    pub(crate) scoped: bool,
    pub(crate) nodesets: Vec<(usize, f64)>,
    pub(crate) ics: Vec<(usize, f64)>,
    pub(crate) pins: Vec<PinRow>,
    /// Unknowns that no load reads: the branch currents of V, E and H sources.
    pub(crate) unread: Vec<bool>,
    pub(crate) w: Work,
    pub(crate) ac: Option<crate::ac::AcWork>,
    pub(crate) sparse_forced: bool,
    /// Every transient Newton iteration in residual form, not only those after the
    /// transient's first failed point (tests compare the two forms).
    pub(crate) residual_always: bool,
    pub(crate) warm_start: bool,
    /// The fixed start of every cold `.op` ([`Simulator::set_op_seed`]): a solution and the
    /// state vector it was converged with.
    pub(crate) seed: Option<Box<(Vec<f64>, States)>>,
    have_converged: bool,
    /// Whether `w.x` holds a converged operating point.
    pub(crate) have_op: bool,
    /// Newton iterations of the last analysis (diagnostics).
    pub iterations: usize,
}

impl Simulator {
    /// Compiles `circuit` at its own temperature.
    pub fn new(circuit: Circuit) -> Result<Simulator, SimError> {
        let temp = circuit.temp;
        Self::with_temperature(circuit, temp)
    }

    /// Compiles `circuit` at `temp_c` degrees Celsius.
    pub fn with_temperature(mut circuit: Circuit, temp_c: f64) -> Result<Simulator, SimError> {
        // Temperature-dependent element values (resistor TCs, `temper` in expressions) too.
        if circuit.param("temper").is_some_and(|t| t != temp_c) {
            circuit.set_param("temper", temp_c).map_err(|e| SimError::Param(e.to_string()))?;
        }
        let c = compile(&circuit, temp_c)?;
        let n = c.unknowns.len();
        let u = |node: usize| if node == 0 { n } else { node - 1 };
        let nodesets: Vec<(usize, f64)> =
            circuit.nodesets.iter().filter(|(k, _)| *k != 0).map(|&(k, v)| (u(k), v)).collect();
        let ics: Vec<(usize, f64)> = circuit.ics.iter().filter(|(k, _)| *k != 0).map(|&(k, v)| (u(k), v)).collect();
        let pins = pin_rows(&c.pattern, &c.unknowns, nodesets.iter().chain(&ics).map(|&(k, _)| k));
        let mut w = Work {
            mat: vec![0.0; c.pattern.nnz() + 1],
            rhs: vec![0.0; n + 1],
            x: vec![0.0; n + 1],
            xold: vec![0.0; n + 1],
            x0: vec![0.0; n + 1],
            x1: vec![0.0; n + 1],
            xlast: vec![0.0; n + 1],
            st1: States::new(c.n_states),
            st: States::new(c.n_states),
            lu: LinearSolver::for_pattern(&c.pattern),
            lu_values: vec![0.0; c.pattern.nnz() + 1],
            factored: false,
        };
        // Grounded voltage sources pivot first, as in the AC solver: two steps without fill
        // that leave the threshold-Markowitz search a smaller matrix (one fresh pivoting
        // per cold level-1 op-amp operating point instead of four).
        if let LinearSolver::Dense(lu) = &mut w.lu {
            lu.set_first_pivots(&c.inst.grounded_source_pivots(n));
        }
        let mut unread = vec![false; n];
        let branches = c.inst.vsrc.iter().map(|v| v.br);
        for br in branches.chain(c.inst.vcvs.iter().map(|e| e.br)).chain(c.inst.ccvs.iter().map(|h| h.br)) {
            unread[br] = true;
        }
        Ok(Simulator {
            unread,
            diag: diagonal_slots(&c.pattern),
            temp_c,
            n,
            unknowns: c.unknowns,
            pattern: c.pattern,
            inst: c.inst,
            models: c.models,
            warnings: c.warnings,
            elem_map: c.elem_map,
            charge_slots: c.charge_slots,
            state_start: c.state_start,
            scope: None,
            scoped: false,
            pins,
            nodesets,
            ics,
            w,
            ac: None,
            sparse_forced: false,
            residual_always: false,
            warm_start: false,
            seed: None,
            have_converged: false,
            have_op: false,
            iterations: 0,
            circuit,
        })
    }

    /// Compile-time warnings: model parameters ignored as ngspice ignores them, device
    /// parameter checks (ngspice's `b3check.c` for the full BSIM3v3), each once per model.
    ///
    /// ```
    /// use insitu_netlist::{parse_str, elaborate, ElabOptions, MemLoader};
    /// use insitu_solver::Simulator;
    /// let deck = "w\n.model n nmos level=8 rdsw=100 foo=1\nM1 d d 0 0 n W=1u L=1u PD=3u PS=3u\n\
    ///             VD d 0 1\n.op\n.end\n";
    /// let parsed = parse_str(deck, "w.cir".as_ref(), &MemLoader::default()).unwrap();
    /// let sim = Simulator::new(elaborate(&parsed, &ElabOptions::default()).unwrap()).unwrap();
    /// let w: Vec<String> = sim.warnings().iter().map(|w| w.to_string()).collect();
    /// assert_eq!(w, ["model 'n': unrecognized parameter (foo) - ignored"]);
    /// ```
    pub fn warnings(&self) -> &[crate::Warning] {
        &self.warnings
    }

    /// The circuit this simulator was compiled from (with any parameter updates applied).
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// The unknowns of the MNA system, in solution order.
    pub fn unknowns(&self) -> &[Unknown] {
        &self.unknowns
    }

    /// The matrix pattern.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// Uses the sparse LU backend whatever the size (tests and benchmarks).
    pub fn force_sparse(&mut self) {
        self.w.lu = LinearSolver::sparse(&self.pattern);
        self.w.factored = false;
        self.ac = None;
        self.sparse_forced = true;
    }

    /// Whether the sparse backend is in use.
    pub fn is_sparse(&self) -> bool {
        matches!(self.w.lu, LinearSolver::Sparse(_))
    }

    /// Temperature in degrees Celsius.
    pub fn temperature(&self) -> f64 {
        self.temp_c
    }

    pub(crate) fn options(&self) -> &Options {
        &self.circuit.options
    }

    pub(crate) fn ctx(&self, mode: Mode, init: Init) -> Ctx {
        let o = self.options();
        Ctx {
            mode,
            init,
            gmin: o.gmin,
            srcfact: 1.0,
            time: 0.0,
            integ: Integrator::new(Method::Trapezoidal, 1, 1.0, 1.0),
            reltol: o.reltol,
            abstol: o.abstol,
            vntol: o.vntol,
            noncon: 0,
            moved: 0,
            small_signal: false,
            dc_bypass: false,
            frozen_sources: false,
            residual: false,
        }
    }

    /// Solution vector of the last analysis point (`n + 1` entries, ground last).
    pub fn solution(&self) -> &[f64] {
        &self.w.x[..self.n]
    }

    /// Voltage of a circuit node (case-insensitive) at the last solution.
    pub fn voltage(&self, node: &str) -> Result<f64, SimError> {
        let id =
            self.circuit.node(node).ok_or_else(|| SimError::UnknownName { what: "node", name: node.to_string() })?;
        Ok(if id == 0 { 0.0 } else { self.w.x[id - 1] })
    }

    /// Branch current of a voltage source, inductor, E or H element at the last solution.
    pub fn current(&self, element: &str) -> Result<f64, SimError> {
        let want = format!("{}#branch", element.to_ascii_lowercase());
        self.unknowns
            .iter()
            .position(|u| u.name == want)
            .map(|k| self.w.x[k])
            .ok_or_else(|| SimError::UnknownName { what: "branch current", name: element.to_string() })
    }

    /// One Newton-Raphson solve from the present `x`. Returns the iteration count.
    ///
    /// `gshunt` is added to every voltage unknown's diagonal (gmin stepping); `.nodeset`
    /// (and in a transient's operating point, `.ic`) pin their nodes during the Jct/Fix phases.
    pub(crate) fn newton(&mut self, ctx: &mut Ctx, maxit: usize, gshunt: f64, pins: Pins) -> Result<usize, Fail> {
        self.newton_from(ctx, maxit, gshunt, pins, false)
    }

    /// [`Simulator::newton`]; with `predicted`, the present `x` is a prediction of the
    /// solution (a transient's extrapolation) at which the devices are linearized, and the
    /// first iteration may already end the solve: when its Newton step from the prediction
    /// passes SPICE's convergence test with tolerances [`PREDICTED_TOL`] times SPICE's, the
    /// prediction is accepted. SPICE always iterates twice (its test compares two solves);
    /// a Newton step that small bounds the prediction's distance from the solution to a
    /// thousandth of what SPICE's own test allows.
    pub(crate) fn newton_from(
        &mut self,
        ctx: &mut Ctx,
        maxit: usize,
        gshunt: f64,
        pins: Pins,
        predicted: bool,
    ) -> Result<usize, Fail> {
        let n = self.n;
        let mut init = ctx.init;
        // As ngspice's `NIiter` (`ipass`): with `.nodeset`s, the first free iteration after
        // the pinned ones never ends the solve.
        let nodesets = ctx.mode == Mode::Dc && pins.nodesets && !self.nodesets.is_empty();
        let mut after_fix = false;
        for iter in 1..=maxit {
            ctx.init = init;
            ctx.noncon = 0;
            ctx.moved = 0;
            let w = &mut self.w;
            w.mat.iter_mut().for_each(|v| *v = 0.0);
            w.rhs.iter_mut().for_each(|v| *v = 0.0);
            let held = self.scope.as_deref().filter(|_| self.scoped);
            self.inst.load_held(&w.x, &mut w.mat, &mut w.rhs, &mut w.st, ctx, held);
            if gshunt > 0.0 {
                for (k, u) in self.unknowns.iter().enumerate() {
                    if u.kind == UnknownKind::Voltage {
                        w.mat[self.diag[k]] += gshunt;
                    }
                }
            }
            if ctx.mode == Mode::Dc && matches!(init, Init::Jct | Init::Fix) {
                let sets = self.nodesets.iter().filter(|_| pins.nodesets);
                for &(k, v) in sets.chain(self.ics.iter().filter(|_| pins.ics)) {
                    pin_row(w, &self.pins, &self.diag, k, v * ctx.srcfact);
                }
            }
            // Residual form: the Newton step solves J dx = -F(x) instead of J x' = J x - F(x).
            // The same iteration in exact arithmetic; but a capacitor's companion source,
            // C/h times its voltage, no longer goes into the right-hand side, where beside a
            // large C at a small step it rounds away the currents of the devices sharing its
            // nodes (a rectifier's 200 uF reservoir at a 3e-11 s step: a 9e6 A source, whose
            // last bit is 2e-9 A, beside nanoamperes of diode current; Newton never settled).
            // (A scoped transient never sets it: its kept blocks solve their own system.)
            debug_assert!(!(ctx.residual && held.is_some()), "residual form in a scoped solve");
            let residual = ctx.residual;
            if residual {
                w.residual_into_rhs(&self.pattern);
                self.inst.load_reactive_residual(&w.x, &mut w.mat, &mut w.rhs, &mut w.st, &ctx.integ);
            }
            let mode = ctx.mode;
            let singular = |Singular { unknown }| Fail::Singular { unknown, mode };
            match self.scope.as_deref_mut().filter(|_| self.scoped) {
                // A scoped transient solves the kept blocks' own (smaller) system; the held
                // unknowns keep their values.
                Some(h) => {
                    std::mem::swap(&mut w.x, &mut w.xold);
                    w.x.copy_from_slice(&w.xold);
                    h.sub.solve(&w.mat, &w.rhs, &mut w.x).map_err(singular)?;
                }
                None => {
                    w.factor().map_err(singular)?;
                    w.lu.solve(&mut w.rhs);
                    std::mem::swap(&mut w.x, &mut w.xold);
                    if residual {
                        for ((x, &old), &dx) in w.x[..n].iter_mut().zip(&w.xold[..n]).zip(&w.rhs[..n]) {
                            *x = old + dx;
                        }
                    } else {
                        w.x[..n].copy_from_slice(&w.rhs[..n]);
                    }
                    w.x[n] = 0.0;
                }
            }
            if let Some(k) = w.x[..n].iter().position(|v| !v.is_finite()) {
                return Err(Fail::NonFinite { unknown: k, mode: ctx.mode });
            }
            // As ngspice's `NIiter`: no limited junction and the node test, never on the first
            // iteration unless it is a prediction (which has a test of its own).
            let forced = init == Init::Float && std::mem::take(&mut after_fix);
            let converged =
                !forced && ctx.noncon == 0 && (iter > 1 || predicted) && self.converged(ctx, predicted && iter == 1);
            match init {
                Init::Float if converged => {
                    if predicted && iter == 1 {
                        // The devices' states (charges, limiting references) are those of
                        // the prediction: it is the point accepted, so that they match it.
                        // Taking the solve instead left the charges lagging it and excited
                        // the trapezoidal rule's undamped ringing. The unknowns no load reads
                        // come from the solve (their prediction is no linearization point).
                        let w = &mut self.w;
                        for (k, _) in self.unread.iter().enumerate().filter(|(_, u)| !**u) {
                            w.x[k] = w.xold[k];
                        }
                    }
                    self.iterations += iter;
                    return Ok(iter);
                }
                Init::Jct => init = Init::Fix,
                Init::Unbiased => init = Init::Float,
                // A seeded start (`seeded_newton`): the first load at the seed as it is.
                Init::Direct => init = Init::Float,
                // As SPICE: the `.nodeset` phase ends once the pinned system has converged.
                Init::Fix => {
                    after_fix = nodesets;
                    if converged {
                        init = Init::Float;
                    }
                }
                _ => {}
            }
        }
        self.iterations += maxit;
        let (worst, delta) = self.worst_change();
        Err(Fail::NoConvergence { worst, delta, mode: ctx.mode, time: ctx.time })
    }

    /// The error a failure means, with names.
    pub(crate) fn error(&self, f: Fail) -> SimError {
        let name = |k: usize| self.unknowns.get(k).map(|u| u.name.clone()).unwrap_or_default();
        match f {
            Fail::Singular { unknown, mode } => self.singular(mode, unknown),
            Fail::NonFinite { unknown, mode } => {
                SimError::NonFinite { analysis: analysis_name(mode), unknown: name(unknown) }
            }
            Fail::NoConvergence { worst, delta, mode, time } => SimError::NoConvergence {
                analysis: analysis_name(mode),
                at: if mode == Mode::Tran { format!(" at t={time:.6e} s") } else { String::new() },
                worst: name(worst),
                delta,
            },
        }
    }

    /// ngspice's convergence test (`NIconvTest`): every unknown moved less than its
    /// tolerance (a branch current also when it moved within the round-off of its rows,
    /// [`Simulator::within_roundoff`]). Nothing else: ngspice 39's device current tests have
    /// no effect (see `FetInst::converged`), and its devices' part is the junction limiting
    /// counted in `ctx.noncon`. The `predicted` first iteration of a time point, which SPICE
    /// never accepts, is judged by a stricter test: tolerances [`PREDICTED_TOL`] of SPICE's, where
    /// the unknowns no load reads are not compared (the prediction is the linearization point
    /// only of the unknowns the loads read, and a source's branch current, which the
    /// trapezoidal rule makes alternate about its value, extrapolates badly), and every
    /// nonlinear device's currents at the solve agree with its linearization
    /// (`CKTconvTest`), unless no load moved its voltages (`ctx.moved`): the point accepted
    /// is then the prediction, where every device was either evaluated (its linearization
    /// exact there) or bypassed, and the bypass test is this current test at the prediction.
    fn converged(&self, ctx: &Ctx, predicted: bool) -> bool {
        let w = &self.w;
        for (k, u) in self.unknowns.iter().enumerate() {
            if predicted && self.unread[k] {
                continue;
            }
            let (a, b) = (w.x[k], w.xold[k]);
            let tol = ctx.reltol * crate::load::fmax(a.abs(), b.abs())
                + if u.kind == UnknownKind::Voltage { ctx.vntol } else { ctx.abstol };
            let tol = if predicted { tol * PREDICTED_TOL } else { tol };
            if (a - b).abs() > tol && !(u.kind != UnknownKind::Voltage && self.within_roundoff(k, (a - b).abs() - tol))
            {
                return false;
            }
        }
        !predicted
            || ctx.moved == 0
            || self.inst.converged(&w.x, ctx.reltol, ctx.abstol, self.scope.as_deref().filter(|_| self.scoped))
    }

    /// Whether `excess`, by which branch current `k` moved beyond its tolerance, is within the
    /// round-off with which the rows holding it determine it: [`ROUNDOFF_ROWS`] ulps of the
    /// largest of those rows' sums of |a_ij x_j| at the new iterate. At a step of 1e-18 s
    /// (where the truncation error put a BSIM-lite ring's second point after its `uic` start,
    /// ngspice's as well) the supply node's row holds capacitor companions of 1e3 S each, and
    /// the supply current alternated by 3e-11 A between two values, three times its
    /// tolerance, until the step was too small. Rows of milliamperes allow 1e-17 A.
    fn within_roundoff(&self, k: usize, excess: f64) -> bool {
        let (p, w) = (&self.pattern, &self.w);
        let rows = &p.row_idx[p.col_ptr[k]..p.col_ptr[k + 1]];
        let mut scale = 0.0f64;
        for &r in rows {
            let mut sum = 0.0;
            for col in 0..p.n {
                for s in p.col_ptr[col]..p.col_ptr[col + 1] {
                    if p.row_idx[s] == r {
                        sum += (w.mat[s] * w.x[col]).abs();
                    }
                }
            }
            scale = scale.max(sum);
        }
        excess <= ROUNDOFF_ROWS * f64::EPSILON * scale
    }

    fn worst_change(&self) -> (usize, f64) {
        let w = &self.w;
        let mut best = (0usize, 0.0f64);
        for k in 0..self.n {
            let d = (w.x[k] - w.xold[k]).abs();
            if d > best.1 || !d.is_finite() {
                best = (k, d);
            }
        }
        best
    }

    fn singular(&self, mode: Mode, unknown: usize) -> SimError {
        let detail = match self.unknowns.get(unknown) {
            Some(u) if u.kind == UnknownKind::Voltage => {
                format!("node '{}' is floating (no DC path to ground)", u.name)
            }
            Some(u) => format!("loop of voltage sources/inductors through '{}'", u.name.trim_end_matches("#branch")),
            None => "empty system".to_string(),
        };
        SimError::Singular { analysis: analysis_name(mode), detail }
    }

    /// Computes the DC operating point: Newton, then gmin stepping, then source stepping.
    ///
    /// With [`Simulator::set_warm_start`] on, Newton starts from the last converged solution
    /// (falling back to the cold procedure when that fails), which is faster for a re-sized
    /// circuit; otherwise every `.op` starts from zero, as SPICE does.
    pub fn op(&mut self) -> Result<(), SimError> {
        self.iterations = 0;
        // A warm start depends on the previous solution anyway; it also keeps the previous
        // pivot plan (a cold start pivots afresh, so that it depends on nothing before it).
        if self.warm_start && self.have_converged {
            let w = &mut self.w;
            w.x0.copy_from_slice(&w.x);
            w.x.copy_from_slice(&w.xlast);
            let mut ctx = self.ctx(Mode::Dc, Init::Float);
            ctx.dc_bypass = true;
            let itl1 = self.options().itl1;
            if self.newton(&mut ctx, itl1, 0.0, Pins::OP).is_ok() {
                self.converged_here();
                self.have_op = true;
                return Ok(());
            }
        }
        self.have_op = false;
        // Pivots afresh, or (seeded) replays the seed's plan pinned by `set_op_seed` while
        // its pivots hold.
        self.w.reset_lu_to_pinned(Pivoting::Markowitz);
        if self.seeded_newton() {
            self.converged_here();
            self.have_op = true;
            return Ok(());
        }
        self.w.x.iter_mut().for_each(|v| *v = 0.0);
        self.solve_dc(Pins::OP).map_err(|f| self.error(f))?;
        self.converged_here();
        self.have_op = true;
        Ok(())
    }

    /// Starts every `.op` from the last converged solution (see [`Simulator::op`]).
    pub fn set_warm_start(&mut self, on: bool) {
        self.warm_start = on;
    }

    /// Makes the operating point now in the simulator (the last converged `.op`) the start of
    /// every later cold `.op`: Newton begins there (its first load at the seed as it is, without
    /// limiting) and falls back to SPICE's procedure from zero when it does not converge within
    /// 50 iterations.
    ///
    /// Unlike [`Simulator::set_warm_start`], the start does not depend on what the simulator
    /// ran in between, so a pool of simulators seeded alike gives every candidate the same
    /// answer whichever simulator runs it. A sizing loop (`op_start: seeded`) seeds each
    /// corner's simulators with the operating point of its initial design: a re-sized candidate
    /// then converges in a few iterations instead of SPICE's cold procedure (gmin stepping, for
    /// most op-amp sizings). A circuit with several operating points may land on another one
    /// than from zero (a bandgap's working state where ngspice finds its zero-current one).
    /// The pivot plans in hand are kept with the seed: the operating point's and, when an AC
    /// or noise analysis ran since, the last one's. Seeded `.op`s and AC set-ups replay them
    /// first (pivoting afresh only where a pivot fails), so run the seed's AC analysis before
    /// seeding to keep its plan.
    /// Fails when no operating point has converged since the last change to the circuit.
    pub fn set_op_seed(&mut self) -> Result<(), SimError> {
        if !self.have_op {
            return Err(SimError::InvalidAnalysis("set_op_seed needs a converged operating point".into()));
        }
        self.seed = Some(Box::new((self.w.x.clone(), self.w.st.clone())));
        // The pivot plans in hand (the operating point's, and the last AC analysis' when one
        // ran since) become the seeded analyses' first plans.
        self.w.lu.pin_plan();
        if let Some(acw) = self.ac.as_mut() {
            acw.lu.pin_plan();
        }
        Ok(())
    }

    /// Forgets the start set by [`Simulator::set_op_seed`].
    pub fn clear_op_seed(&mut self) {
        self.seed = None;
        self.w.lu.unpin_plan();
        if let Some(acw) = self.ac.as_mut() {
            acw.lu.unpin_plan();
        }
    }

    /// Newton from the seed, if any: whether it converged. After a failed attempt the pivot
    /// plan is forgotten again, so that the cold start that follows pivots afresh.
    fn seeded_newton(&mut self) -> bool {
        let Some(seed) = self.seed.as_deref() else { return false };
        let w = &mut self.w;
        w.x.copy_from_slice(&seed.0);
        w.st.copy_from(&seed.1);
        w.x0.copy_from_slice(&w.x);
        // The devices' last evaluation (their limiting references, and what a bypass would
        // stamp again) belongs to whatever ran before: the first iteration loads the seed
        // without limiting, which is what limiting against the seed's own voltages would do,
        // and bypasses no load. Every device is then evaluated at the seed, so the later
        // iterations may bypass (as a warm start does) and still depend on the seed alone.
        let mut ctx = self.ctx(Mode::Dc, Init::Direct);
        ctx.dc_bypass = true;
        let converged = self.newton(&mut ctx, SEED_ITERATIONS, 0.0, Pins::OP).is_ok();
        if !converged {
            self.w.reset_lu(Pivoting::Markowitz);
        }
        converged
    }

    fn converged_here(&mut self) {
        let w = &mut self.w;
        w.xlast.copy_from_slice(&w.x);
        self.have_converged = true;
    }

    /// The DC solve behind `.op`, the transient's initial point and failed sweep points.
    pub(crate) fn solve_dc(&mut self, pins: Pins) -> Result<(), Fail> {
        let itl1 = self.options().itl1;
        let mut ctx = self.ctx(Mode::Dc, Init::Jct);
        let w = &mut self.w;
        w.x0.copy_from_slice(&w.x);
        // As ngspice 39's `CKTop`: a failed solve, singular or not, goes on to gmin
        // stepping, then source stepping, then the transient operating point.
        let first = match self.newton(&mut ctx, itl1, 0.0, pins) {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let w = &mut self.w;
        w.x.copy_from_slice(&w.x0);
        if self.gmin_stepping(pins).is_ok() {
            return Ok(());
        }
        let w = &mut self.w;
        w.x.copy_from_slice(&w.x0);
        if self.source_stepping(pins).is_ok() {
            return Ok(());
        }
        if self.tran_op().is_ok() {
            return Ok(());
        }
        let w = &mut self.w;
        w.x.copy_from_slice(&w.x0);
        Err(first)
    }

    fn save_point(&mut self) {
        let w = &mut self.w;
        w.x1.copy_from_slice(&w.x);
        w.st1.copy_from(&w.st);
    }

    /// Back to the last good point of a continuation. The devices' last voltages (their
    /// limiting references, which ngspice keeps in its state vector and restores with it)
    /// are reloaded there too: limiting the next attempt against the voltages of the failed
    /// one (volts away) made gmin stepping fail on op-amp sizings where ngspice's succeeds.
    fn restore_point(&mut self) {
        let w = &mut self.w;
        w.x.copy_from_slice(&w.x1);
        w.st.copy_from(&w.st1);
        let mut ctx = self.ctx(Mode::Dc, Init::Direct);
        let w = &mut self.w;
        self.inst.load(&w.x, &mut w.mat, &mut w.rhs, &mut w.st, &mut ctx);
        w.st.copy_from(&w.st1);
    }

    /// Dynamic gmin stepping: a diagonal conductance on every node, reduced adaptively.
    fn gmin_stepping(&mut self, pins: Pins) -> Result<(), Fail> {
        let itl = 50usize;
        let target = self.options().gmin;
        let mut factor = 10.0f64;
        let mut gshunt = 1e-2 / factor;
        let mut old_g = 1e-2;
        self.save_point();
        let mut init = Init::Jct;
        for solve in 1.. {
            if solve > CONTINUATION_SOLVES {
                return Err(self.stalled());
            }
            let mut ctx = self.ctx(Mode::Dc, init);
            match self.newton(&mut ctx, itl, gshunt, pins) {
                Ok(iters) => {
                    init = Init::Float;
                    if gshunt <= target {
                        break;
                    }
                    self.save_point();
                    if iters <= itl / 4 {
                        factor = (factor * factor.sqrt()).min(10.0);
                    }
                    if iters > 3 * itl / 4 {
                        factor = factor.sqrt();
                    }
                    old_g = gshunt;
                    if gshunt < factor * target {
                        gshunt = target;
                    } else {
                        gshunt /= factor;
                    }
                }
                Err(e @ Fail::Singular { .. }) => return Err(e),
                Err(e) => {
                    if factor < 1.00005 {
                        return Err(e);
                    }
                    factor = factor.sqrt().sqrt();
                    gshunt = old_g / factor;
                    self.restore_point();
                }
            }
        }
        let mut ctx = self.ctx(Mode::Dc, Init::Float);
        self.newton(&mut ctx, self.options().itl1, 0.0, pins).map(|_| ())
    }

    /// The failure of a continuation that ran out of [`CONTINUATION_SOLVES`].
    fn stalled(&self) -> Fail {
        let (worst, delta) = self.worst_change();
        Fail::NoConvergence { worst, delta, mode: Mode::Dc, time: 0.0 }
    }

    /// Source stepping: ramp every independent source from 0 to its value.
    fn source_stepping(&mut self, pins: Pins) -> Result<(), Fail> {
        let itl = 50usize;
        let mut ctx = self.ctx(Mode::Dc, Init::Jct);
        ctx.srcfact = 0.0;
        if self.newton(&mut ctx, self.options().itl1, 0.0, pins).is_err() {
            // As ngspice 39's `gillespie_src`: the circuit with every source at zero is
            // solved again under a diagonal conductance of 1e-2 S, then ten times less at
            // each of ten more solves, each from the last (a node only a device's gmin holds
            // can make Newton alternate forever without it); the ramp then starts without
            // the conductance. A failed rung ends source stepping.
            let mut gshunt = self.options().gmin * 1e10;
            let mut init = Init::Jct;
            for _ in 0..=10 {
                let mut ctx = self.ctx(Mode::Dc, init);
                ctx.srcfact = 0.0;
                self.newton(&mut ctx, itl, gshunt, pins)?;
                gshunt /= 10.0;
                init = Init::Float;
            }
        }
        let mut done = 0.0f64;
        let mut raise = 1e-3f64;
        self.save_point();
        let mut solves = 0usize;
        while done < 1.0 {
            solves += 1;
            if solves > CONTINUATION_SOLVES {
                return Err(self.stalled());
            }
            let f = (done + raise).min(1.0);
            let mut ctx = self.ctx(Mode::Dc, Init::Float);
            ctx.srcfact = f;
            // As ngspice's `gillespie_src`: a quick step grows the next, a slow one halves it,
            // a failed one divides it by ten (at most 1 %), and the ramp gives up once the
            // step falls below 1e-7 of the sources.
            match self.newton(&mut ctx, itl, 0.0, pins) {
                Ok(iters) => {
                    done = f;
                    self.save_point();
                    if iters <= itl / 4 {
                        raise *= 1.5;
                    }
                    if iters > 3 * itl / 4 {
                        raise *= 0.5;
                    }
                }
                Err(e @ Fail::Singular { .. }) => return Err(e),
                Err(e) => {
                    if f - done < 1e-8 {
                        return Err(e);
                    }
                    raise = (raise / 10.0).min(0.01);
                    self.restore_point();
                }
            }
            if raise < 1e-7 && done < 1.0 {
                return Err(self.stalled());
            }
        }
        Ok(())
    }
}

/// The row of a pinned node: the slots of its entries in voltage columns.
#[derive(Debug, Clone)]
pub(crate) struct PinRow {
    pub unknown: usize,
    pub voltage_slots: Vec<Slot>,
}

/// Pins unknown `k` to `v` as SPICE does (`ZeroNoncurRow` in ngspice's CKTload): the row's
/// entries in voltage columns are zeroed and a 1e10 conductance to `v` takes their place.
/// Merely adding 1e10 would leave the row's transconductances in it, and partial pivoting
/// could then pick the pinned row to eliminate another node, mixing 1e10-sized numbers into
/// that node's current balance. The right-hand side is replaced, as ngspice's, also in a row
/// with branch currents: the loads' currents left in it would otherwise flow in those branches
/// (1.3e-4 A in the feedback inductor between two pinned nodes of the generic180 op-amp, where
/// ngspice has none), and the branch current, which ngspice's convergence test compares too,
/// took two more iterations to settle.
fn pin_row(w: &mut Work, rows: &[PinRow], diag: &[Slot], k: usize, v: f64) {
    let Some(row) = rows.iter().find(|r| r.unknown == k) else { return };
    for &s in &row.voltage_slots {
        w.mat[s] = 0.0;
    }
    w.mat[diag[k]] = NODESET_G;
    w.rhs[k] = NODESET_G * v;
}

/// The rows of every node that a `.nodeset` or `.ic` may pin.
fn pin_rows(p: &Pattern, unknowns: &[Unknown], pinned: impl Iterator<Item = usize>) -> Vec<PinRow> {
    let mut out: Vec<PinRow> = Vec::new();
    for k in pinned {
        if out.iter().any(|r| r.unknown == k) {
            continue;
        }
        let mut row = PinRow { unknown: k, voltage_slots: Vec::new() };
        for (col, u) in unknowns.iter().enumerate().take(p.n) {
            if u.kind != UnknownKind::Voltage {
                continue;
            }
            for slot in p.col_ptr[col]..p.col_ptr[col + 1] {
                if p.row_idx[slot] == k {
                    row.voltage_slots.push(slot);
                }
            }
        }
        out.push(row);
    }
    out
}

/// Which nodes Newton pins during its first phases: `.nodeset`s, and `.ic`s for the
/// operating point that starts a transient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pins {
    pub nodesets: bool,
    pub ics: bool,
}

impl Pins {
    pub const OP: Pins = Pins { nodesets: true, ics: false };
    pub const TRAN_OP: Pins = Pins { nodesets: true, ics: true };
}

/// A Newton failure, cheap to carry (no allocation); [`Simulator::error`] names it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Fail {
    Singular { unknown: usize, mode: Mode },
    NonFinite { unknown: usize, mode: Mode },
    NoConvergence { worst: usize, delta: f64, mode: Mode, time: f64 },
}

pub(crate) fn analysis_name(mode: Mode) -> String {
    match mode {
        Mode::Dc => "dc operating point".to_string(),
        Mode::Tran => "transient".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::same_bits;

    #[test]
    fn same_bits_compares_every_entry_bit_for_bit() {
        let a: Vec<f64> = (0..19).map(|k| k as f64 * 0.5).collect();
        assert!(same_bits(&a, &a.clone()));
        // A difference in a full block, in the remainder, and one of sign only (0 and -0).
        for k in [3, 17, 0] {
            let mut b = a.clone();
            b[k] = if k == 0 { -0.0 } else { b[k] + 1e-15 };
            assert!(!same_bits(&a, &b), "entry {k}");
        }
        assert!(!same_bits(&a, &a[..18]));
    }
}

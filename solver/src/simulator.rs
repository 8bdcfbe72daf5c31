//! The compiled simulator: work arrays, Newton-Raphson and the operating point.

use crate::compile::{compile, CompiledModel, Unknown, UnknownKind};
use crate::error::SimError;
use crate::instances::{DevRef, Instances};
use crate::linear::{LinearSolver, Singular};
use crate::load::{Ctx, Init, Mode};
use crate::pattern::{diagonal_slots, Pattern, Slot};
use crate::states::{Integrator, States};
use insitu_netlist::{Circuit, Method, Options};

/// Conductance used to pin `.nodeset`/`.ic` nodes during the first Newton phases (as SPICE).
const NODESET_G: f64 = 1e10;

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
    pub st: States,
    pub lu: LinearSolver<f64>,
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
    pub(crate) elem_map: Vec<Option<DevRef>>,
    pub(crate) charge_slots: Vec<usize>,
    pub(crate) nodesets: Vec<(usize, f64)>,
    pub(crate) ics: Vec<(usize, f64)>,
    pub(crate) w: Work,
    pub(crate) ac: Option<crate::ac::AcWork>,
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
    pub fn with_temperature(circuit: Circuit, temp_c: f64) -> Result<Simulator, SimError> {
        let c = compile(&circuit, temp_c)?;
        let n = c.unknowns.len();
        let u = |node: usize| if node == 0 { n } else { node - 1 };
        let nodesets = circuit
            .nodesets
            .iter()
            .filter(|(k, _)| *k != 0)
            .map(|&(k, v)| (u(k), v))
            .collect();
        let ics = circuit
            .ics
            .iter()
            .filter(|(k, _)| *k != 0)
            .map(|&(k, v)| (u(k), v))
            .collect();
        let w = Work {
            mat: vec![0.0; c.pattern.nnz() + 1],
            rhs: vec![0.0; n + 1],
            x: vec![0.0; n + 1],
            xold: vec![0.0; n + 1],
            st: States::new(c.n_states),
            lu: LinearSolver::for_pattern(&c.pattern),
        };
        Ok(Simulator {
            diag: diagonal_slots(&c.pattern),
            temp_c,
            n,
            unknowns: c.unknowns,
            pattern: c.pattern,
            inst: c.inst,
            models: c.models,
            elem_map: c.elem_map,
            charge_slots: c.charge_slots,
            nodesets,
            ics,
            w,
            ac: None,
            have_op: false,
            iterations: 0,
            circuit,
        })
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
        }
    }

    /// Solution vector of the last analysis point (`n + 1` entries, ground last).
    pub fn solution(&self) -> &[f64] {
        &self.w.x[..self.n]
    }

    /// Voltage of a circuit node (case-insensitive) at the last solution.
    pub fn voltage(&self, node: &str) -> Result<f64, SimError> {
        let id = self
            .circuit
            .node(node)
            .ok_or_else(|| SimError::UnknownName {
                what: "node",
                name: node.to_string(),
            })?;
        Ok(if id == 0 { 0.0 } else { self.w.x[id - 1] })
    }

    /// Branch current of a voltage source, inductor, E or H element at the last solution.
    pub fn current(&self, element: &str) -> Result<f64, SimError> {
        let want = format!("{}#branch", element.to_ascii_lowercase());
        self.unknowns
            .iter()
            .position(|u| u.name == want)
            .map(|k| self.w.x[k])
            .ok_or_else(|| SimError::UnknownName {
                what: "branch current",
                name: element.to_string(),
            })
    }

    /// One Newton-Raphson solve from the present `x`. Returns the iteration count.
    ///
    /// `gshunt` is added to every voltage unknown's diagonal (gmin stepping); `.nodeset`
    /// (and in a transient's operating point, `.ic`) pin their nodes during the Jct/Fix phases.
    pub(crate) fn newton(
        &mut self,
        ctx: &mut Ctx,
        maxit: usize,
        gshunt: f64,
        pins: Pins,
    ) -> Result<usize, SimError> {
        let n = self.n;
        let mut init = ctx.init;
        for iter in 1..=maxit {
            ctx.init = init;
            ctx.noncon = 0;
            let w = &mut self.w;
            w.mat.iter_mut().for_each(|v| *v = 0.0);
            w.rhs.iter_mut().for_each(|v| *v = 0.0);
            self.inst.load(&w.x, &mut w.mat, &mut w.rhs, &mut w.st, ctx);
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
                    w.mat[self.diag[k]] += NODESET_G;
                    w.rhs[k] += NODESET_G * v;
                }
            }
            w.lu.factor(&w.mat)
                .map_err(|Singular { unknown }| self.singular(ctx, unknown))?;
            let w = &mut self.w;
            w.lu.solve(&mut w.rhs);
            std::mem::swap(&mut w.x, &mut w.xold);
            w.x[..n].copy_from_slice(&w.rhs[..n]);
            w.x[n] = 0.0;
            if let Some(k) = w.x[..n].iter().position(|v| !v.is_finite()) {
                return Err(SimError::NonFinite {
                    analysis: analysis_name(ctx),
                    unknown: self.unknowns[k].name.clone(),
                });
            }
            let converged = ctx.noncon == 0 && iter > 1 && self.converged(ctx);
            match init {
                Init::Float if converged => {
                    self.iterations += iter;
                    return Ok(iter);
                }
                Init::Jct => init = Init::Fix,
                Init::Fix if ctx.noncon == 0 => init = Init::Float,
                _ => {}
            }
        }
        self.iterations += maxit;
        let (worst, delta) = self.worst_change();
        Err(SimError::NoConvergence {
            analysis: analysis_name(ctx),
            at: if ctx.mode == Mode::Tran {
                format!(" at t={:.6e} s", ctx.time)
            } else {
                String::new()
            },
            worst,
            delta,
        })
    }

    fn converged(&self, ctx: &Ctx) -> bool {
        let w = &self.w;
        for (k, u) in self.unknowns.iter().enumerate() {
            let (a, b) = (w.x[k], w.xold[k]);
            let tol = ctx.reltol * a.abs().max(b.abs())
                + if u.kind == UnknownKind::Voltage {
                    ctx.vntol
                } else {
                    ctx.abstol
                };
            if (a - b).abs() > tol {
                return false;
            }
        }
        self.inst.converged(&w.x, ctx.reltol, ctx.abstol)
    }

    fn worst_change(&self) -> (String, f64) {
        let w = &self.w;
        let mut best = (0usize, 0.0f64);
        for k in 0..self.n {
            let d = (w.x[k] - w.xold[k]).abs();
            if d > best.1 || !d.is_finite() {
                best = (k, d);
            }
        }
        (
            self.unknowns
                .get(best.0)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            best.1,
        )
    }

    fn singular(&self, ctx: &Ctx, unknown: usize) -> SimError {
        let detail = match self.unknowns.get(unknown) {
            Some(u) if u.kind == UnknownKind::Voltage => {
                format!("node '{}' is floating (no DC path to ground)", u.name)
            }
            Some(u) => format!(
                "loop of voltage sources/inductors through '{}'",
                u.name.trim_end_matches("#branch")
            ),
            None => "empty system".to_string(),
        };
        SimError::Singular {
            analysis: analysis_name(ctx),
            detail,
        }
    }

    /// Computes the DC operating point: Newton, then gmin stepping, then source stepping.
    pub fn op(&mut self) -> Result<(), SimError> {
        self.have_op = false;
        self.iterations = 0;
        self.w.x.iter_mut().for_each(|v| *v = 0.0);
        self.solve_dc(Pins::OP)?;
        self.have_op = true;
        Ok(())
    }

    /// The DC solve behind `.op`, the transient's initial point and failed sweep points.
    pub(crate) fn solve_dc(&mut self, pins: Pins) -> Result<(), SimError> {
        let itl1 = self.options().itl1;
        let mut ctx = self.ctx(Mode::Dc, Init::Jct);
        let start = self.w.x.clone();
        let first = match self.newton(&mut ctx, itl1, 0.0, pins) {
            Ok(_) => return Ok(()),
            Err(e @ SimError::Singular { .. }) => return Err(e),
            Err(e) => e,
        };
        self.w.x.copy_from_slice(&start);
        if self.gmin_stepping(pins).is_ok() {
            return Ok(());
        }
        self.w.x.copy_from_slice(&start);
        if self.source_stepping(pins).is_ok() {
            return Ok(());
        }
        Err(first)
    }

    /// Dynamic gmin stepping: a diagonal conductance on every node, reduced adaptively.
    fn gmin_stepping(&mut self, pins: Pins) -> Result<(), SimError> {
        let itl = 50usize;
        let target = self.options().gmin;
        let mut factor = 10.0f64;
        let mut gshunt = 1e-2 / factor;
        let mut old_g = 1e-2;
        let mut saved_x = self.w.x.clone();
        let mut saved_st = self.w.st.clone();
        let mut init = Init::Jct;
        loop {
            let mut ctx = self.ctx(Mode::Dc, init);
            match self.newton(&mut ctx, itl, gshunt, pins) {
                Ok(iters) => {
                    init = Init::Float;
                    if gshunt <= target {
                        break;
                    }
                    saved_x.copy_from_slice(&self.w.x);
                    saved_st.clone_from(&self.w.st);
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
                Err(e @ SimError::Singular { .. }) => return Err(e),
                Err(e) => {
                    if factor < 1.00005 {
                        return Err(e);
                    }
                    factor = factor.sqrt().sqrt();
                    gshunt = old_g / factor;
                    self.w.x.copy_from_slice(&saved_x);
                    self.w.st.clone_from(&saved_st);
                }
            }
        }
        let mut ctx = self.ctx(Mode::Dc, Init::Float);
        self.newton(&mut ctx, self.options().itl1, 0.0, pins)
            .map(|_| ())
    }

    /// Source stepping: ramp every independent source from 0 to its value.
    fn source_stepping(&mut self, pins: Pins) -> Result<(), SimError> {
        let itl = 50usize;
        let mut ctx = self.ctx(Mode::Dc, Init::Jct);
        ctx.srcfact = 0.0;
        self.newton(&mut ctx, self.options().itl1, 0.0, pins)?;
        let mut done = 0.0f64;
        let mut raise = 1e-3f64;
        let mut saved_x = self.w.x.clone();
        while done < 1.0 {
            let f = (done + raise).min(1.0);
            let mut ctx = self.ctx(Mode::Dc, Init::Float);
            ctx.srcfact = f;
            match self.newton(&mut ctx, itl, 0.0, pins) {
                Ok(iters) => {
                    done = f;
                    saved_x.copy_from_slice(&self.w.x);
                    if iters < itl / 4 {
                        raise *= 1.5;
                    }
                }
                Err(e @ SimError::Singular { .. }) => return Err(e),
                Err(e) => {
                    raise /= 10.0;
                    self.w.x.copy_from_slice(&saved_x);
                    if raise < 1e-7 {
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Which nodes Newton pins during its first phases: `.nodeset`s, and `.ic`s for the
/// operating point that starts a transient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pins {
    pub nodesets: bool,
    pub ics: bool,
}

impl Pins {
    pub const OP: Pins = Pins {
        nodesets: true,
        ics: false,
    };
    pub const TRAN_OP: Pins = Pins {
        nodesets: true,
        ics: true,
    };
}

pub(crate) fn analysis_name(ctx: &Ctx) -> String {
    match ctx.mode {
        Mode::Dc => "dc operating point".to_string(),
        Mode::Tran => "transient".to_string(),
    }
}

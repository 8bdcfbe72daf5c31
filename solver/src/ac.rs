//! Small-signal AC analysis: linearize at the operating point, one complex solve per frequency.

use crate::error::SimError;
use crate::linear::{HessenbergAc, LinearSolver, DENSE_LIMIT};
use crate::load::{Init, Mode};
use crate::results::{Data, Dataset, Quantity, Recorder, Vector};
use crate::simulator::Simulator;
use insitu_netlist::FreqGrid;
use num_complex::Complex64;
use std::f64::consts::PI;

/// Work arrays of the AC sweep, allocated on first use and reused.
#[derive(Debug, Clone)]
pub(crate) struct AcWork {
    /// Conductance (Jacobian) values at the operating point.
    pub g: Vec<f64>,
    /// Capacitance values (and -L on inductor branches).
    pub c: Vec<f64>,
    pub y: Vec<Complex64>,
    /// Excitation, then solution.
    pub b: Vec<Complex64>,
    pub rhs: Vec<Complex64>,
    pub lu: LinearSolver<Complex64>,
    /// The O(n^2)-per-frequency path for dense systems, when `G` is non-singular.
    pub fast: Option<HessenbergAc>,
    pub fast_ok: bool,
    /// Row scales of the backward-error test.
    pub scale: Vec<f64>,
    /// Points solved by the fast path and in all, since the last `ac_prepare`.
    pub fast_hits: usize,
    pub points: usize,
    /// Consecutive fast-path rejections.
    pub fast_misses: usize,
}

/// Componentwise backward-error test of `x` for `(G + jwC) x = b`: every row's residual must
/// be below 1e-9 of that row's `|b| + sum |Y||x|`. An orthogonal reduction of a badly scaled
/// pencil (a 1 GF capacitor beside femtofarads) can fail it; the caller then solves directly.
#[allow(clippy::too_many_arguments)]
fn backward_error_ok(
    p: &crate::pattern::Pattern,
    g: &[f64],
    c: &[f64],
    w: f64,
    b: &[Complex64],
    x: &[Complex64],
    r: &mut [Complex64],
    scale: &mut [f64],
) -> bool {
    let n = p.n;
    for i in 0..n {
        r[i] = b[i];
        scale[i] = b[i].norm();
    }
    for j in 0..n {
        let xj = x[j];
        let xn = xj.norm();
        for k in p.col_ptr[j]..p.col_ptr[j + 1] {
            let y = Complex64::new(g[k], w * c[k]);
            let i = p.row_idx[k];
            r[i] -= y * xj;
            scale[i] += y.norm() * xn;
        }
    }
    (0..n).all(|i| r[i].norm() <= 1e-9 * scale[i] + f64::MIN_POSITIVE)
}

impl Simulator {
    /// Builds the small-signal G and C matrices at the present operating point.
    /// Runs `.op` first if no operating point is held.
    pub fn ac_prepare(&mut self) -> Result<(), SimError> {
        if !self.have_op {
            self.op()?;
        }
        let nnz1 = self.pattern.nnz() + 1;
        let n1 = self.n + 1;
        let sparse = self.sparse_forced;
        let acw = self.ac.get_or_insert_with(|| AcWork {
            g: vec![0.0; nnz1],
            c: vec![0.0; nnz1],
            y: vec![Complex64::new(0.0, 0.0); nnz1],
            b: vec![Complex64::new(0.0, 0.0); n1],
            rhs: vec![Complex64::new(0.0, 0.0); n1],
            lu: if sparse { LinearSolver::sparse(&self.pattern) } else { LinearSolver::for_pattern(&self.pattern) },
            fast: (!sparse && self.pattern.n <= DENSE_LIMIT).then(|| HessenbergAc::new(&self.pattern)),
            fast_ok: false,
            scale: vec![0.0; n1],
            fast_hits: 0,
            points: 0,
            fast_misses: 0,
        });
        let mut ctx = {
            let o = &self.circuit.options;
            crate::load::Ctx {
                mode: Mode::Dc,
                init: Init::Direct,
                gmin: o.gmin,
                srcfact: 1.0,
                time: 0.0,
                integ: crate::states::Integrator::new(insitu_netlist::Method::Trapezoidal, 1, 1.0, 1.0),
                reltol: o.reltol,
                abstol: o.abstol,
                vntol: o.vntol,
                noncon: 0,
            }
        };
        acw.g.iter_mut().for_each(|v| *v = 0.0);
        acw.c.iter_mut().for_each(|v| *v = 0.0);
        // The rhs of this load is not needed; reuse the real work array.
        self.w.rhs.iter_mut().for_each(|v| *v = 0.0);
        self.inst.load(&self.w.x, &mut acw.g, &mut self.w.rhs, &mut self.w.st, &mut ctx);
        self.inst.ac_caps(&mut acw.c);
        acw.b.iter_mut().for_each(|v| *v = Complex64::new(0.0, 0.0));
        self.inst.ac_rhs(&mut acw.b);
        acw.fast_hits = 0;
        acw.points = 0;
        acw.fast_misses = 0;
        acw.fast_ok = match acw.fast.as_mut() {
            Some(fast) => fast.prepare(&self.pattern, &acw.g, &acw.c, &acw.b).is_ok(),
            None => false,
        };
        Ok(())
    }

    /// Solves the small-signal system at frequency `f` (after [`Simulator::ac_prepare`]).
    /// Returns the complex solution (`n` unknowns, ground last at index `n`).
    pub fn ac_point(&mut self, f: f64) -> Result<&[Complex64], SimError> {
        let n = self.n;
        let Some(acw) = self.ac.as_mut() else {
            return Err(SimError::InvalidAnalysis("ac_point called before ac_prepare".into()));
        };
        let w = 2.0 * PI * f;
        acw.points += 1;
        if let (true, Some(fast)) = (acw.fast_ok, acw.fast.as_mut()) {
            if fast.solve(w, &mut acw.rhs[..n]).is_ok() {
                acw.rhs[n] = Complex64::new(0.0, 0.0);
                if backward_error_ok(&self.pattern, &acw.g, &acw.c, w, &acw.b, &acw.rhs, &mut acw.y, &mut acw.scale) {
                    acw.fast_hits += 1;
                    acw.fast_misses = 0;
                    return Ok(&acw.rhs[..=n]);
                }
            }
            // A badly scaled pencil fails every time: stop trying for this sweep.
            acw.fast_misses += 1;
            if acw.fast_misses >= 3 {
                acw.fast_ok = false;
            }
        }
        for ((y, &g), &c) in acw.y.iter_mut().zip(&acw.g).zip(&acw.c) {
            *y = Complex64::new(g, w * c);
        }
        if let Err(s) = acw.lu.factor(&acw.y) {
            let name = self.unknowns.get(s.unknown).map(|u| u.name.clone()).unwrap_or_default();
            return Err(SimError::Singular {
                analysis: format!("ac analysis at f={f:.6e} Hz"),
                detail: format!("at '{name}'"),
            });
        }
        acw.rhs.copy_from_slice(&acw.b);
        acw.lu.solve(&mut acw.rhs);
        acw.rhs[n] = Complex64::new(0.0, 0.0);
        if let Some(k) = acw.rhs[..n].iter().position(|v| !(v.re.is_finite() && v.im.is_finite())) {
            return Err(SimError::NonFinite { analysis: "ac analysis".into(), unknown: self.unknowns[k].name.clone() });
        }
        Ok(&acw.rhs[..=n])
    }

    /// Points of the last AC sweep solved by the O(n^2) Hessenberg path, and in all.
    pub fn ac_fast_points(&self) -> (usize, usize) {
        self.ac.as_ref().map_or((0, 0), |a| (a.fast_hits, a.points))
    }

    /// Runs an AC sweep over `grid` and returns its dataset.
    pub fn ac(&mut self, grid: &FreqGrid) -> Result<Dataset, SimError> {
        self.ac_prepare()?;
        let freqs = grid.frequencies();
        let mut rec = Recorder::new(self);
        for &f in &freqs {
            let x = self.ac_point(f)?;
            rec.push_complex(x);
        }
        let scale = Vector {
            name: "frequency".into(),
            quantity: Quantity::Frequency,
            data: Data::Complex(freqs.iter().map(|&f| Complex64::new(f, 0.0)).collect()),
        };
        Ok(rec.finish("AC Analysis", Some(scale)))
    }
}

//! Small-signal AC analysis: linearize at the operating point, one complex solve per frequency.

use crate::error::SimError;
use crate::linear::{AcLanes, LinearSolver, Pivoting, LANES};
use crate::load::fet::Relaxed;
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
    /// Several frequencies in lockstep under the dense LU's plan (dense backend only).
    pub lanes: Option<AcLanes>,
    /// Entries whose admittance is not `g + jwc` (BSIM3 ACNQSMOD channels): corrections
    /// added per frequency; circuits with any solve one frequency at a time.
    pub relaxed: Vec<Relaxed>,
    /// Pivots the AC sweep's LU takes first (grounded voltage sources; see `ac_prepare`).
    pub first_pivots: Vec<(usize, usize)>,
}

impl AcWork {
    /// The small-signal matrix `y` at angular frequency `w`: `g + jwc`, with the relaxed
    /// entries' corrections.
    pub(crate) fn assemble(&mut self, w: f64) {
        for ((y, &g), &c) in self.y.iter_mut().zip(&self.g).zip(&self.c) {
            *y = Complex64::new(g, w * c);
        }
        Relaxed::add(&self.relaxed, &mut self.y, w);
    }
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
            lanes: None,
            relaxed: Vec::new(),
            first_pivots: Vec::new(),
        });
        if acw.lanes.is_none() {
            if let LinearSolver::Dense(_) = acw.lu {
                acw.lanes = Some(AcLanes::new(self.n, self.pattern.nnz()));
                // Grounded voltage sources pivot first (`Instances::grounded_source_pivots`).
                // The node then no longer joins the blocks that meet there (a supply shared
                // by two copies of a circuit), so the lanes can leave out the blocks no AC
                // source drives. (The branch's diagonal, structurally present but zero, makes
                // structural fill in the branch column: exact zeros, which the lanes skip.)
                acw.first_pivots = self.inst.grounded_source_pivots(self.n);
            }
        }
        if let LinearSolver::Dense(lu) = &mut acw.lu {
            lu.set_first_pivots(&acw.first_pivots);
        }
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
                moved: 0,
                small_signal: true,
                dc_bypass: false,
                frozen_sources: false,
                residual: false,
            }
        };
        acw.g.iter_mut().for_each(|v| *v = 0.0);
        acw.c.iter_mut().for_each(|v| *v = 0.0);
        // The rhs of this load is not needed; reuse the real work array.
        self.w.rhs.iter_mut().for_each(|v| *v = 0.0);
        self.inst.load(&self.w.x, &mut acw.g, &mut self.w.rhs, &mut self.w.st, &mut ctx);
        self.inst.ac_caps(&mut acw.c);
        // Resistors with an AC resistance (`ac=`): the network uses it instead of the DC one.
        for r in self.inst.res.iter().filter(|r| r.g_ac != r.g) {
            crate::load::stamp_g(&mut acw.g, &r.s, r.g_ac - r.g);
        }
        acw.relaxed.clear();
        self.inst.ac_relaxed(&mut acw.relaxed);
        // A cold start pivots afresh, so that the sweep depends on nothing before it; a warm
        // start depends on the previous candidate anyway and, as its operating point does,
        // keeps the previous sweep's pivot plan (each replay still checks its pivots and
        // pivots afresh when one fails), so that every frequency can go to the lanes.
        // A seeded simulator (`set_op_seed`) replays the seed's AC plan first, when it pinned
        // one: that depends on the seed alone.
        let keep = self.warm_start && matches!(&acw.lu, LinearSolver::Dense(lu) if lu.compact_plan().is_some());
        if !keep {
            acw.lu.reset_to_pinned(Pivoting::Markowitz);
        }
        acw.b.iter_mut().for_each(|v| *v = Complex64::new(0.0, 0.0));
        self.inst.ac_rhs(&mut acw.b);
        // G, C and the excitation are new: the lanes check their compiled sweep against them.
        if let Some(lanes) = acw.lanes.as_mut() {
            lanes.new_sweep();
        }
        Ok(())
    }

    /// Solves the small-signal system at frequency `f` (after [`Simulator::ac_prepare`]).
    /// Returns the complex solution (`n` unknowns, ground last at index `n`).
    pub fn ac_point(&mut self, f: f64) -> Result<&[Complex64], SimError> {
        let n = self.n;
        let Some(acw) = self.ac.as_mut() else {
            return Err(SimError::InvalidAnalysis("ac_point called before ac_prepare".into()));
        };
        acw.assemble(2.0 * PI * f);
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

    /// Solves the small-signal system at every frequency of `freqs` (after
    /// [`Simulator::ac_prepare`]) and hands each solution to `each(index, x)` (`n` unknowns,
    /// ground last). The results equal those of [`Simulator::ac_point`] called in the same
    /// order, bit for bit; with the dense backend, groups of [`LANES`] frequencies are solved
    /// in lockstep under one pivot plan, which is several times faster.
    pub fn ac_sweep(&mut self, freqs: &[f64], mut each: impl FnMut(usize, &[Complex64])) -> Result<(), SimError> {
        let mut i = 0;
        while i < freqs.len() {
            let m = LANES.min(freqs.len() - i);
            if self.ac_lanes(&freqs[i..i + m]) {
                let lanes = self.ac.as_ref().and_then(|a| a.lanes.as_ref()).expect("lanes just solved");
                for l in 0..m {
                    each(i + l, lanes.solution(l));
                }
                i += m;
            } else if !self.ac_planned() {
                // The first frequency chooses the pivots; lanes replay them from the next one.
                each(i, self.ac_point(freqs[i])?);
                i += 1;
            } else {
                for (l, &f) in freqs[i..i + m].iter().enumerate() {
                    each(i + l, self.ac_point(f)?);
                }
                i += m;
            }
        }
        Ok(())
    }

    /// Whether the AC solver holds a pivot plan that lanes could replay.
    fn ac_planned(&self) -> bool {
        matches!(self.ac.as_ref().map(|a| &a.lu), Some(LinearSolver::Dense(lu)) if lu.compact_plan().is_some())
    }

    /// Solves up to [`LANES`] frequencies in lockstep; false when that cannot be done
    /// exactly as the one-at-a-time path would (no plan yet, a pivot of the plan fails its
    /// threshold in some lane, a non-finite solution): the caller then solves them singly.
    fn ac_lanes(&mut self, freqs: &[f64]) -> bool {
        let Some(acw) = self.ac.as_mut().filter(|a| a.relaxed.is_empty()) else { return false };
        let (LinearSolver::Dense(lu), Some(lanes)) = (&acw.lu, acw.lanes.as_mut()) else { return false };
        let Some(plan) = lu.compact_plan() else { return false };
        if !lanes.is_built_for(lu.plan_builds) {
            lanes.rebuild(plan, lu.plan_builds);
        }
        // Short groups repeat their last frequency.
        let w: [f64; LANES] = std::array::from_fn(|l| 2.0 * PI * freqs[l.min(freqs.len() - 1)]);
        if !lanes.factor(&acw.g, &acw.c, &acw.b, &w) {
            return false;
        }
        // Lanes past `freqs.len()` repeat the last frequency: all lanes finite is the test.
        lanes.solve(&acw.b)
    }

    /// Factorizations of the AC solver that replayed a pivot plan, and that pivoted afresh.
    pub fn ac_lu_stats(&self) -> (usize, usize) {
        match self.ac.as_ref().map(|a| &a.lu) {
            Some(LinearSolver::Dense(d)) => (d.replays, d.pivotings),
            _ => (0, 0),
        }
    }

    /// Elimination steps the last lockstep AC sweep performed per group of frequencies, and
    /// the unknowns: blocks of the matrix that no AC source reaches are not factored (their
    /// solution is zero). `None` when no sweep went to the lanes.
    pub fn ac_lane_steps(&self) -> Option<(usize, usize)> {
        self.ac.as_ref()?.lanes.as_ref()?.active_steps()
    }

    /// Runs an AC sweep over `grid` and returns its dataset.
    pub fn ac(&mut self, grid: &FreqGrid) -> Result<Dataset, SimError> {
        self.ac_prepare()?;
        let freqs = grid.frequencies();
        let mut rec = Recorder::new(self);
        self.ac_sweep(&freqs, |_, x| rec.push_complex(x))?;
        let scale = Vector {
            name: "frequency".into(),
            quantity: Quantity::Frequency,
            data: Data::Complex(freqs.iter().map(|&f| Complex64::new(f, 0.0)).collect()),
        };
        Ok(rec.finish("AC Analysis", Some(scale)))
    }
}

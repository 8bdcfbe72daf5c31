//! All device instances of a compiled circuit, grouped by kind.

use crate::load::diode::DiodeInst;
use crate::load::fet::FetInst;
use crate::load::linear::{Capacitor, Cccs, Ccvs, ISource, Inductor, Resistor, VSource, Vccs, Vcvs};
use crate::load::Ctx;
use crate::scope::Held;
use crate::states::{Integrator, States};
use insitu_devices::{Bsim3, Bsim3v3, Mos1};
use num_complex::Complex64;

/// Which instance an element became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevRef {
    Resistor(usize),
    Capacitor(usize),
    Inductor(usize),
    VSource(usize),
    ISource(usize),
    Vcvs(usize),
    Vccs(usize),
    Cccs(usize),
    Ccvs(usize),
    Diode(usize),
    Mos1(usize),
    Bsim3(usize),
    Bsim3v3(usize),
}

/// Device instances, one `Vec` per kind.
#[derive(Debug, Clone, Default)]
pub struct Instances {
    pub res: Vec<Resistor>,
    pub caps: Vec<Capacitor>,
    pub inds: Vec<Inductor>,
    pub vsrc: Vec<VSource>,
    pub isrc: Vec<ISource>,
    pub vcvs: Vec<Vcvs>,
    pub vccs: Vec<Vccs>,
    pub cccs: Vec<Cccs>,
    pub ccvs: Vec<Ccvs>,
    pub diodes: Vec<DiodeInst>,
    pub mos1: Vec<FetInst<Mos1>>,
    pub bsim3: Vec<FetInst<Bsim3>>,
    pub bsim3v3: Vec<FetInst<Bsim3v3>>,
}

impl Instances {
    /// The pivots (row, column) of grounded voltage sources, for
    /// [`crate::linear::DenseLu::set_first_pivots`] (`n` is the ground's index): each
    /// source's branch row on its node's column, then the node's row on the branch column.
    /// Both eliminate without fill.
    pub(crate) fn grounded_source_pivots(&self, n: usize) -> Vec<(usize, usize)> {
        self.vsrc
            .iter()
            .filter_map(|v| {
                match (v.a == n, v.b == n) {
                    (false, true) => Some(v.a),
                    (true, false) => Some(v.b),
                    _ => None,
                }
                .map(|node| [(v.br, node), (node, v.br)])
            })
            .flatten()
            .collect()
    }

    /// Loads every device into the matrix values `m` and right-hand side `rhs`.
    pub fn load(&mut self, x: &[f64], m: &mut [f64], rhs: &mut [f64], st: &mut States, ctx: &mut Ctx) {
        self.load_held(x, m, rhs, st, ctx, None);
    }

    /// [`Instances::load`] without the devices `held` marks (a scoped transient's).
    pub(crate) fn load_held(
        &mut self,
        x: &[f64],
        m: &mut [f64],
        rhs: &mut [f64],
        st: &mut States,
        ctx: &mut Ctx,
        held: Option<&Held>,
    ) {
        let h = |f: fn(&Held) -> &[bool]| held.map(f);
        each(&self.res, h(|h| &h.res), |d| d.load(m));
        each(&self.caps, h(|h| &h.caps), |d| d.load(x, m, rhs, st, ctx));
        each(&self.inds, h(|h| &h.inds), |d| d.load(x, m, rhs, st, ctx));
        each(&self.vsrc, h(|h| &h.vsrc), |d| d.load(m, rhs, ctx));
        each(&self.isrc, h(|h| &h.isrc), |d| d.load(rhs, ctx));
        each(&self.vcvs, h(|h| &h.vcvs), |d| d.load(m));
        each(&self.vccs, h(|h| &h.vccs), |d| d.load(m));
        each(&self.cccs, h(|h| &h.cccs), |d| d.load(m));
        each(&self.ccvs, h(|h| &h.ccvs), |d| d.load(m));
        each_mut(&mut self.diodes, h(|h| &h.diodes), |d| d.load(x, m, rhs, st, ctx));
        each_mut(&mut self.mos1, h(|h| &h.mos1), |d| d.load(x, m, rhs, st, ctx));
        each_mut(&mut self.bsim3, h(|h| &h.bsim3), |d| d.load(x, m, rhs, st, ctx));
        each_mut(&mut self.bsim3v3, h(|h| &h.bsim3v3), |d| d.load(x, m, rhs, st, ctx));
    }

    /// The capacitors' and inductors' transient loads of a Newton iteration in residual form
    /// (see [`crate::load::Ctx::residual`]): conductances into `m`, currents into the negated
    /// residual `r`.
    pub(crate) fn load_reactive_residual(
        &self,
        x: &[f64],
        m: &mut [f64],
        r: &mut [f64],
        st: &mut States,
        integ: &Integrator,
    ) {
        for d in &self.caps {
            d.load_residual(x, m, r, st, integ);
        }
        for d in &self.inds {
            d.load_residual(x, m, r, st, integ);
        }
    }

    /// Whether every nonlinear device (but those `held` marks) passes its current
    /// convergence test at `x`.
    pub(crate) fn converged(&self, x: &[f64], reltol: f64, abstol: f64, held: Option<&Held>) -> bool {
        let h = |f: fn(&Held) -> &[bool]| held.map(f);
        all(&self.diodes, h(|h| &h.diodes), |d| d.converged(x, reltol, abstol))
            && all(&self.mos1, h(|h| &h.mos1), |d| d.converged(x, reltol, abstol))
            && all(&self.bsim3, h(|h| &h.bsim3), |d| d.converged(x, reltol, abstol))
            && all(&self.bsim3v3, h(|h| &h.bsim3v3), |d| d.converged(x, reltol, abstol))
    }

    /// Sets the charges of the transient's first point from the operating point `x`.
    pub fn init_states(&self, x: &[f64], st: &mut States, uic: bool) {
        for d in &self.caps {
            d.init_state(x, st, uic);
        }
        for d in &self.inds {
            d.init_state(x, st, uic);
        }
        for d in &self.diodes {
            d.init_state(st);
        }
        for d in &self.mos1 {
            d.init_state(st);
        }
        for d in &self.bsim3 {
            d.init_state(st);
        }
        for d in &self.bsim3v3 {
            d.init_state(st);
        }
    }

    /// Stamps small-signal capacitances (and -L of inductor branches) into `c`.
    pub fn ac_caps(&self, c: &mut [f64]) {
        for d in &self.caps {
            d.ac(c);
        }
        for d in &self.inds {
            d.ac(c);
        }
        for d in &self.diodes {
            d.ac(c);
        }
        for d in &self.mos1 {
            d.ac(c);
        }
        for d in &self.bsim3 {
            d.ac(c);
        }
        for d in &self.bsim3v3 {
            d.ac(c);
        }
    }

    /// The frequency-dependent small-signal entries (BSIM3 ACNQSMOD channels) into `out`,
    /// corrections of the `G + jwC` of [`Instances::load`] and [`Instances::ac_caps`].
    pub fn ac_relaxed(&self, out: &mut Vec<crate::load::fet::Relaxed>) {
        for d in &self.mos1 {
            d.ac_relaxed(out);
        }
        for d in &self.bsim3 {
            d.ac_relaxed(out);
        }
        for d in &self.bsim3v3 {
            d.ac_relaxed(out);
        }
    }

    /// AC excitation of the independent sources.
    pub fn ac_rhs(&self, rhs: &mut [Complex64]) {
        for d in &self.vsrc {
            d.ac_rhs(rhs);
        }
        for d in &self.isrc {
            d.ac_rhs(rhs);
        }
    }
}

/// Runs `f` on every device of `v` that `held` does not mark.
#[inline(always)]
fn each<T>(v: &[T], held: Option<&[bool]>, mut f: impl FnMut(&T)) {
    match held {
        None => v.iter().for_each(f),
        Some(h) => v.iter().zip(h).filter(|(_, h)| !**h).for_each(|(d, _)| f(d)),
    }
}

/// [`each`] over mutable devices.
#[inline(always)]
fn each_mut<T>(v: &mut [T], held: Option<&[bool]>, mut f: impl FnMut(&mut T)) {
    match held {
        None => v.iter_mut().for_each(f),
        Some(h) => v.iter_mut().zip(h).filter(|(_, h)| !**h).for_each(|(d, _)| f(d)),
    }
}

/// Whether `f` holds for every device of `v` that `held` does not mark.
#[inline(always)]
fn all<T>(v: &[T], held: Option<&[bool]>, f: impl Fn(&T) -> bool) -> bool {
    match held {
        None => v.iter().all(f),
        Some(h) => v.iter().zip(h).all(|(d, h)| *h || f(d)),
    }
}

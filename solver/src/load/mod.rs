//! Device instances as the solver holds them, and the loads that stamp them.
//!
//! Devices of one kind live together in a `Vec` and are loaded in a tight loop; each holds
//! its unknown indices, its matrix slots and its state offsets, fixed at compile time.

pub mod bsim3;
pub mod bsim3v3;
pub mod diode;
pub mod fet;
pub mod linear;
pub mod mos1;

use crate::pattern::Slot;
use crate::states::{Integrator, States};

/// What an analysis asks of a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Operating point or DC sweep: capacitors open, inductors shorted.
    Dc,
    /// A transient time point: charges integrated.
    Tran,
}

/// Newton initialization phase, as SPICE sequences them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// First DC iteration: junctions start from their critical/initial voltages.
    Jct,
    /// Second phase: `off` devices held off, nodesets still applied.
    Fix,
    /// Free iterations.
    Float,
    /// Voltages taken from the solution as they are, without limiting (small-signal
    /// linearization at a converged point, `uic` start).
    Direct,
    /// First iteration of a transient's first step after a `uic` start: nonlinear devices
    /// are linearized at zero bias, not at the initial conditions (which may forward-bias a
    /// junction by volts while supplies still read 0 V; from there Newton would creep down
    /// by one thermal voltage per iteration). The charges keep the initial history.
    Unbiased,
}

/// The per-load context.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub mode: Mode,
    pub init: Init,
    /// Junction GMIN.
    pub gmin: f64,
    /// Source stepping factor (1 normally).
    pub srcfact: f64,
    /// Time of the point being solved (transient).
    pub time: f64,
    /// Integration formula of the current step (transient).
    pub integ: Integrator,
    pub reltol: f64,
    pub abstol: f64,
    pub vntol: f64,
    /// Count of devices that limited their voltages or failed their current test.
    pub noncon: usize,
    /// Count of loads linearized at voltages other than the iterate's without counting in
    /// `noncon` (SPICE's `fetlim` and `limvds` on a FET): the device convergence test of a
    /// transient's predicted point can be implied by its loads only when this stays 0.
    pub moved: usize,
    /// The load builds the small-signal matrix (AC, noise) at the operating point: models
    /// whose AC load differs from their DC one (bsim3v1's, without Isub) stamp that.
    pub small_signal: bool,
    /// DC loads may be bypassed (SPICE's device bypass in the free iterations): only warm-started
    /// and seeded operating points set it (a seeded one after evaluating every device at the
    /// seed), so cold-started answers do not depend on it.
    pub dc_bypass: bool,
    /// A transient that stands in for the operating point ([`crate::Simulator`]'s last DC
    /// fallback): independent sources keep their DC values instead of their waveforms'.
    pub frozen_sources: bool,
    /// A transient Newton iteration in residual form (see `Simulator::newton_from`): the
    /// loads leave out the companions of capacitors and inductors, which are loaded after the
    /// residual of the rest is taken, as currents (`Capacitor::load_residual`).
    pub residual: bool,
}

/// The larger of `a` and `b` for the tolerance tests of the hot loops: one `maxsd`, where
/// `f64::max` spends several instructions on NaN operands (which these tests never see: a
/// solve with a non-finite entry fails before any test; a NaN operand gives `b`).
#[inline(always)]
pub(crate) fn fmax(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

/// The smaller of `a` and `b`, as [`fmax`]: one `minsd` (a NaN `a` gives `b`).
#[inline(always)]
pub(crate) fn fmin(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}

/// Adds a conductance `g` between the two unknowns of `s = [aa, ab, ba, bb]`.
#[inline]
pub fn stamp_g(m: &mut [f64], s: &[Slot; 4], g: f64) {
    m[s[0]] += g;
    m[s[1]] -= g;
    m[s[2]] -= g;
    m[s[3]] += g;
}

/// Adds a current `i` that leaves unknown `a` and enters unknown `b` (through the device).
#[inline]
pub fn stamp_i(rhs: &mut [f64], a: usize, b: usize, i: f64) {
    rhs[a] -= i;
    rhs[b] += i;
}

/// Loads a two-terminal charge `q(v)` with capacitance `c` at `v = x[a] - x[b]`, state slot `k`:
/// stamps the companion conductance and current of the integrated charge.
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn stamp_charge(
    m: &mut [f64],
    rhs: &mut [f64],
    st: &mut States,
    integ: &Integrator,
    k: usize,
    s: &[Slot; 4],
    a: usize,
    b: usize,
    q: f64,
    c: f64,
    v: f64,
) {
    // One bounds check per time level for the charge and its current.
    let mut w = st.window::<2>(k);
    w.now[0] = q;
    let i = w.integrate(integ, 0);
    let g = integ.ag0() * c;
    stamp_g(m, s, g);
    stamp_i(rhs, a, b, i - g * v);
}

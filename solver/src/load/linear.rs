//! Linear elements: R, C, L, independent V and I sources, and the controlled sources E, F, G, H.

use super::{stamp_charge, stamp_g, stamp_i, Ctx, Mode};
use crate::pattern::Slot;
use crate::states::{Integrator, States};
use insitu_devices::waveform::Waveform;
use num_complex::Complex64;

/// A resistor.
#[derive(Debug, Clone)]
pub struct Resistor {
    pub elem: usize,
    pub a: usize,
    pub b: usize,
    pub g: f64,
    /// Conductance in AC and noise analyses (`ac=`; else `g`).
    pub g_ac: f64,
    pub s: [Slot; 4],
}

impl Resistor {
    pub fn load(&self, m: &mut [f64]) {
        stamp_g(m, &self.s, self.g);
    }
}

/// A capacitor with its charge state.
#[derive(Debug, Clone)]
pub struct Capacitor {
    pub elem: usize,
    pub a: usize,
    pub b: usize,
    pub c: f64,
    pub ic: Option<f64>,
    pub s: [Slot; 4],
    pub state: usize,
}

impl Capacitor {
    pub fn load(&self, x: &[f64], m: &mut [f64], rhs: &mut [f64], st: &mut States, ctx: &Ctx) {
        if ctx.mode == Mode::Tran && !ctx.residual {
            let v = x[self.a] - x[self.b];
            stamp_charge(m, rhs, st, &ctx.integ, self.state, &self.s, self.a, self.b, self.c * v, self.c, v);
        }
    }

    /// The transient load of a Newton iteration in residual form: the companion conductance
    /// into `m`, and the current at `x` as a current source into the negated residual `r`
    /// (what [`stamp_charge`] stamps with its linearization voltage at 0).
    pub fn load_residual(&self, x: &[f64], m: &mut [f64], r: &mut [f64], st: &mut States, integ: &Integrator) {
        let v = x[self.a] - x[self.b];
        stamp_charge(m, r, st, integ, self.state, &self.s, self.a, self.b, self.c * v, self.c, 0.0);
    }

    /// Charge at the start of a transient (`uic` uses the IC when given).
    pub fn init_state(&self, x: &[f64], st: &mut States, uic: bool) {
        let v = match (uic, self.ic) {
            (true, Some(ic)) => ic,
            _ => x[self.a] - x[self.b],
        };
        st.set(self.state, self.c * v);
        st.set(self.state + 1, 0.0);
    }

    pub fn ac(&self, c: &mut [f64]) {
        stamp_g(c, &self.s, self.c);
    }
}

/// An inductor: a branch current unknown and a flux state.
#[derive(Debug, Clone)]
pub struct Inductor {
    pub elem: usize,
    pub a: usize,
    pub b: usize,
    pub br: usize,
    pub l: f64,
    pub ic: Option<f64>,
    /// Slots `[a,br], [b,br], [br,a], [br,b], [br,br]`.
    pub s: [Slot; 5],
    pub state: usize,
}

impl Inductor {
    pub fn load(&self, x: &[f64], m: &mut [f64], rhs: &mut [f64], st: &mut States, ctx: &Ctx) {
        m[self.s[0]] += 1.0;
        m[self.s[1]] -= 1.0;
        m[self.s[2]] += 1.0;
        m[self.s[3]] -= 1.0;
        if ctx.mode == Mode::Tran && !ctx.residual {
            let i = x[self.br];
            let mut w = st.window::<2>(self.state);
            w.now[0] = self.l * i;
            let v = w.integrate(&ctx.integ, 0);
            let req = ctx.integ.ag0() * self.l;
            m[self.s[4]] -= req;
            rhs[self.br] += v - req * i;
        }
    }

    /// The transient load of a Newton iteration in residual form (see
    /// [`Capacitor::load_residual`]): the branch's `-ag0 L` into `m`, and the integrated
    /// voltage added to its row of the negated residual `r` (the incidence entries
    /// [`Inductor::load`] stamps give that row its `v(b) - v(a)`).
    pub fn load_residual(&self, x: &[f64], m: &mut [f64], r: &mut [f64], st: &mut States, integ: &Integrator) {
        let mut w = st.window::<2>(self.state);
        w.now[0] = self.l * x[self.br];
        let v = w.integrate(integ, 0);
        m[self.s[4]] -= integ.ag0() * self.l;
        r[self.br] += v;
    }

    pub fn init_state(&self, x: &[f64], st: &mut States, uic: bool) {
        let i = match (uic, self.ic) {
            (true, Some(ic)) => ic,
            _ => x[self.br],
        };
        st.set(self.state, self.l * i);
        st.set(self.state + 1, 0.0);
    }

    pub fn ac(&self, c: &mut [f64]) {
        c[self.s[4]] -= self.l;
    }
}

/// Independent source value: DC, AC phasor and transient waveform.
#[derive(Debug, Clone)]
pub struct SourceValue {
    pub dc: f64,
    pub ac: Complex64,
    pub wave: Option<Waveform>,
}

impl SourceValue {
    /// The value an analysis sees at this load.
    #[inline]
    pub fn at(&self, ctx: &Ctx) -> f64 {
        match (ctx.mode, &self.wave) {
            (Mode::Tran, Some(w)) if !ctx.frozen_sources => w.value(ctx.time),
            (Mode::Tran, _) => self.dc,
            (Mode::Dc, _) => self.dc * ctx.srcfact,
        }
    }
}

/// An independent voltage source with its branch current.
#[derive(Debug, Clone)]
pub struct VSource {
    pub elem: usize,
    pub a: usize,
    pub b: usize,
    pub br: usize,
    pub value: SourceValue,
    /// Slots `[a,br], [b,br], [br,a], [br,b]`.
    pub s: [Slot; 4],
}

impl VSource {
    pub fn load(&self, m: &mut [f64], rhs: &mut [f64], ctx: &Ctx) {
        m[self.s[0]] += 1.0;
        m[self.s[1]] -= 1.0;
        m[self.s[2]] += 1.0;
        m[self.s[3]] -= 1.0;
        rhs[self.br] += self.value.at(ctx);
    }

    pub fn ac_rhs(&self, rhs: &mut [Complex64]) {
        rhs[self.br] += self.value.ac;
    }
}

/// An independent current source.
#[derive(Debug, Clone)]
pub struct ISource {
    pub elem: usize,
    pub a: usize,
    pub b: usize,
    pub value: SourceValue,
}

impl ISource {
    pub fn load(&self, rhs: &mut [f64], ctx: &Ctx) {
        stamp_i(rhs, self.a, self.b, self.value.at(ctx));
    }

    pub fn ac_rhs(&self, rhs: &mut [Complex64]) {
        rhs[self.a] -= self.value.ac;
        rhs[self.b] += self.value.ac;
    }
}

/// `E`: voltage-controlled voltage source.
#[derive(Debug, Clone)]
pub struct Vcvs {
    pub elem: usize,
    pub br: usize,
    pub gain: f64,
    /// Slots `[a,br], [b,br], [br,a], [br,b], [br,ca], [br,cb]`.
    pub s: [Slot; 6],
}

impl Vcvs {
    pub fn load(&self, m: &mut [f64]) {
        m[self.s[0]] += 1.0;
        m[self.s[1]] -= 1.0;
        m[self.s[2]] += 1.0;
        m[self.s[3]] -= 1.0;
        m[self.s[4]] -= self.gain;
        m[self.s[5]] += self.gain;
    }
}

/// `G`: voltage-controlled current source.
#[derive(Debug, Clone)]
pub struct Vccs {
    pub elem: usize,
    pub gm: f64,
    /// Slots `[a,ca], [a,cb], [b,ca], [b,cb]`.
    pub s: [Slot; 4],
}

impl Vccs {
    pub fn load(&self, m: &mut [f64]) {
        stamp_g(m, &self.s, self.gm);
    }
}

/// `F`: current-controlled current source (controlled by a V source's branch current).
#[derive(Debug, Clone)]
pub struct Cccs {
    pub elem: usize,
    pub gain: f64,
    /// Slots `[a,ctrl], [b,ctrl]`.
    pub s: [Slot; 2],
}

impl Cccs {
    pub fn load(&self, m: &mut [f64]) {
        m[self.s[0]] += self.gain;
        m[self.s[1]] -= self.gain;
    }
}

/// `H`: current-controlled voltage source.
#[derive(Debug, Clone)]
pub struct Ccvs {
    pub elem: usize,
    pub br: usize,
    pub r: f64,
    /// Slots `[a,br], [b,br], [br,a], [br,b], [br,ctrl]`.
    pub s: [Slot; 5],
}

impl Ccvs {
    pub fn load(&self, m: &mut [f64]) {
        m[self.s[0]] += 1.0;
        m[self.s[1]] -= 1.0;
        m[self.s[2]] += 1.0;
        m[self.s[3]] -= 1.0;
        m[self.s[4]] -= self.r;
    }
}

//! The junction diode as the solver loads it: limiting, stamps and charge.

use super::{stamp_charge, stamp_g, stamp_i, Ctx, Init, Mode};
use crate::pattern::Slot;
use crate::states::States;
use insitu_devices::limit::pnjlim;
use insitu_devices::Diode;

/// One diode instance (anode `a`, internal anode `ai` after RS, cathode `c`).
#[derive(Debug, Clone)]
pub struct DiodeInst {
    pub elem: usize,
    pub dev: Diode,
    pub off: bool,
    pub a: usize,
    pub ai: usize,
    pub c: usize,
    pub s: [Slot; 4],
    pub s_rs: [Slot; 4],
    pub state: usize,
    /// Voltage, current and conductance of the last load.
    pub vd: f64,
    pub id: f64,
    pub gd: f64,
}

impl DiodeInst {
    pub fn load(&mut self, x: &[f64], m: &mut [f64], rhs: &mut [f64], st: &mut States, ctx: &mut Ctx) {
        let mut vd = x[self.ai] - x[self.c];
        match ctx.init {
            Init::Jct if ctx.mode == Mode::Dc => vd = if self.off { 0.0 } else { self.dev.vcrit() },
            Init::Fix if self.off && ctx.mode == Mode::Dc => vd = 0.0,
            Init::Direct => {}
            Init::Unbiased => vd = 0.0,
            _ => {
                let vte = self.dev.vte();
                let mut limited = false;
                match self.dev.breakdown_voltage() {
                    Some(bv) if vd < (-bv + 10.0 * self.dev.vte_breakdown()).min(0.0) => {
                        let (v, l) = pnjlim(-(vd + bv), -(self.vd + bv), self.dev.vte_breakdown(), self.dev.vcrit());
                        vd = -(v + bv);
                        limited = l;
                    }
                    _ => {
                        let (v, l) = pnjlim(vd, self.vd, vte, self.dev.vcrit());
                        vd = v;
                        limited = limited || l;
                    }
                }
                if limited {
                    ctx.noncon += 1;
                }
            }
        }
        let (id, gd) = self.dev.dc(vd);
        self.vd = vd;
        self.id = id;
        self.gd = gd;
        let gs = self.dev.series_conductance();
        if gs > 0.0 {
            stamp_g(m, &self.s_rs, gs);
        }
        stamp_g(m, &self.s, gd);
        stamp_i(rhs, self.ai, self.c, id - gd * vd);
        if ctx.mode == Mode::Tran {
            let (q, c) = self.dev.charge(vd, id, gd);
            stamp_charge(m, rhs, st, &ctx.integ, self.state, &self.s, self.ai, self.c, q, c, vd);
        }
    }

    pub fn converged(&self, x: &[f64], reltol: f64, abstol: f64) -> bool {
        let vd = x[self.ai] - x[self.c];
        let cdhat = self.id + self.gd * (vd - self.vd);
        let tol = reltol * cdhat.abs().max(self.id.abs()) + abstol;
        (cdhat - self.id).abs() <= tol
    }

    pub fn init_state(&self, st: &mut States) {
        let (q, _) = self.dev.charge(self.vd, self.id, self.gd);
        st.set(self.state, q);
        st.set(self.state + 1, 0.0);
    }

    /// Small-signal capacitance at the last load.
    pub fn cap(&self) -> f64 {
        self.dev.charge(self.vd, self.id, self.gd).1
    }

    pub fn ac(&self, c: &mut [f64]) {
        stamp_g(c, &self.s, self.cap());
    }
}

//! MOS level 1 as the solver loads it: limiting, stamps, Meyer and junction charges.
//!
//! The device equations are in `insitu_devices::mos1`; this file turns them into matrix
//! stamps. Terminals are ordered drain', gate, source', bulk (primes: after RD/RS).

use super::{stamp_charge, stamp_g, Ctx, Init, Mode};
use crate::pattern::Slot;
use crate::states::States;
use insitu_devices::limit::{fetlim, limvds, pnjlim};
use insitu_devices::mos1::{Mos1, Mos1Dc};

/// Terminal order of the local 4x4 stamp.
const D: usize = 0;
const G: usize = 1;
const S: usize = 2;
const B: usize = 3;

/// State entries per MOSFET: five charges with their currents, three half caps, three voltages.
pub const STATES: usize = 16;
const QGS: usize = 0;
const QGD: usize = 2;
const QGB: usize = 4;
const QBD: usize = 6;
const QBS: usize = 8;
const HCGS: usize = 10;
const HCGD: usize = 11;
const HCGB: usize = 12;
const VGS: usize = 13;
const VGD: usize = 14;
const VGB: usize = 15;

/// Voltages (n-frame) and results of the last load, for limiting and the convergence test.
#[derive(Debug, Clone, Copy, Default)]
pub struct Last {
    pub vgs: f64,
    pub vds: f64,
    pub vbs: f64,
    pub dc: Mos1Dc,
}

/// One MOSFET instance.
#[derive(Debug, Clone)]
pub struct Mos1Inst {
    pub elem: usize,
    pub dev: Mos1,
    pub off: bool,
    /// External drain and source unknowns.
    pub d: usize,
    pub s: usize,
    /// Unknowns of the local terminals drain', gate, source', bulk.
    pub t: [usize; 4],
    /// Slots of the local 4x4 block `[row][col]`.
    pub sl: [[Slot; 4]; 4],
    /// Slots of RD (d, d') and RS (s, s'), when present.
    pub s_rd: [Slot; 4],
    pub s_rs: [Slot; 4],
    pub state: usize,
    pub last: Last,
}

impl Mos1Inst {
    #[inline]
    fn pair(&self, a: usize, b: usize) -> [Slot; 4] {
        [self.sl[a][a], self.sl[a][b], self.sl[b][a], self.sl[b][b]]
    }

    /// n-frame terminal voltages (vgs, vds, vbs) read from `x`.
    #[inline]
    fn voltages(&self, x: &[f64]) -> (f64, f64, f64) {
        let ty = self.dev.mos_type();
        let vs = x[self.t[S]];
        (ty * (x[self.t[G]] - vs), ty * (x[self.t[D]] - vs), ty * (x[self.t[B]] - vs))
    }

    /// Loads the device for DC or a transient point.
    pub fn load(&mut self, x: &[f64], m: &mut [f64], rhs: &mut [f64], st: &mut States, ctx: &mut Ctx) {
        let ty = self.dev.mos_type();
        let (mut vgs, mut vds, mut vbs) = self.voltages(x);
        match ctx.init {
            Init::Jct if ctx.mode == Mode::Dc => {
                if self.off {
                    (vgs, vds, vbs) = (0.0, 0.0, 0.0);
                } else {
                    (vgs, vds, vbs) = (ty * self.dev.vto_t(), 0.0, -1.0);
                }
            }
            Init::Fix if self.off && ctx.mode == Mode::Dc => (vgs, vds, vbs) = (0.0, 0.0, 0.0),
            Init::Direct => {}
            _ => {
                let old = self.last;
                let vgd = vgs - vds;
                let vgdo = old.vgs - old.vds;
                let von = old.dc.von;
                if old.vds >= 0.0 {
                    vgs = fetlim(vgs, old.vgs, von);
                    vds = vgs - vgd;
                    vds = limvds(vds, old.vds);
                } else {
                    let vgd = fetlim(vgd, vgdo, von);
                    vds = vgs - vgd;
                    vds = -limvds(-vds, -old.vds);
                    vgs = vgd + vds;
                }
                let limited = if vds >= 0.0 {
                    let (v, l) = pnjlim(vbs, old.vbs, self.dev.vt(), self.dev.vcrit_bs());
                    vbs = v;
                    l
                } else {
                    let vbdo = old.vbs - old.vds;
                    let (v, l) = pnjlim(vbs - vds, vbdo, self.dev.vt(), self.dev.vcrit_bd());
                    vbs = v + vds;
                    l
                };
                if limited {
                    ctx.noncon += 1;
                }
            }
        }
        let dc = self.dev.dc(vgs, vds, vbs);
        self.last = Last { vgs, vds, vbs, dc };

        // Drain/source series resistances.
        let gdr = self.dev.drain_conductance();
        if gdr > 0.0 {
            stamp_g(m, &self.s_rd, gdr);
        }
        let gsr = self.dev.source_conductance();
        if gsr > 0.0 {
            stamp_g(m, &self.s_rs, gsr);
        }

        // Channel and junctions: terminal currents and Jacobian in the circuit frame.
        let Mos1Dc { mode, cdrain, gm, gds, gmbs, cbd, gbd, cbs, gbs, .. } = dc;
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
        // Circuit-frame voltages relative to the source (rows of j sum to zero).
        let v = [ty * vds, ty * vgs, 0.0, ty * vbs];
        for r in 0..4 {
            let mut lin = 0.0;
            for c in 0..4 {
                m[self.sl[r][c]] += j[r][c];
                lin += j[r][c] * v[c];
            }
            rhs[self.t[r]] -= i[r] - lin;
        }

        if ctx.mode == Mode::Tran {
            self.load_charges(m, rhs, st, ctx, vgs, vds, vbs, &dc);
        }
    }

    /// Gate (Meyer, charge updated incrementally as in SPICE) and junction charges.
    /// Charges and voltages in the state are in the circuit frame.
    #[allow(clippy::too_many_arguments)]
    fn load_charges(
        &self,
        m: &mut [f64],
        rhs: &mut [f64],
        st: &mut States,
        ctx: &Ctx,
        vgs: f64,
        vds: f64,
        vbs: f64,
        dc: &Mos1Dc,
    ) {
        let ty = self.dev.mos_type();
        let k = self.state;
        let (hgs, hgd, hgb) = self.half_caps(vgs, vgs - vds, dc);
        let (ogs, ogd, ogb) = self.dev.overlap_caps();
        let (qbd, cbd) = self.dev.junction_bd(vbs - vds);
        let (qbs, cbs) = self.dev.junction_bs(vbs);
        let (vgs, vgd, vgb, vbd, vbs) = (ty * vgs, ty * (vgs - vds), ty * (vgs - vbs), ty * (vbs - vds), ty * vbs);
        st.set(k + HCGS, hgs);
        st.set(k + HCGD, hgd);
        st.set(k + HCGB, hgb);
        st.set(k + VGS, vgs);
        st.set(k + VGD, vgd);
        st.set(k + VGB, vgb);
        let cgs = hgs + st.get(1, k + HCGS) + ogs;
        let cgd = hgd + st.get(1, k + HCGD) + ogd;
        let cgb = hgb + st.get(1, k + HCGB) + ogb;
        let qgs = st.get(1, k + QGS) + cgs * (vgs - st.get(1, k + VGS));
        let qgd = st.get(1, k + QGD) + cgd * (vgd - st.get(1, k + VGD));
        let qgb = st.get(1, k + QGB) + cgb * (vgb - st.get(1, k + VGB));
        let t = &self.t;
        let integ = &ctx.integ;
        stamp_charge(m, rhs, st, integ, k + QGS, &self.pair(G, S), t[G], t[S], qgs, cgs, vgs);
        stamp_charge(m, rhs, st, integ, k + QGD, &self.pair(G, D), t[G], t[D], qgd, cgd, vgd);
        stamp_charge(m, rhs, st, integ, k + QGB, &self.pair(G, B), t[G], t[B], qgb, cgb, vgb);
        stamp_charge(m, rhs, st, integ, k + QBD, &self.pair(B, D), t[B], t[D], ty * qbd, cbd, vbd);
        stamp_charge(m, rhs, st, integ, k + QBS, &self.pair(B, S), t[B], t[S], ty * qbs, cbs, vbs);
    }

    /// Meyer half capacitances (gs, gd, gb) with the source/drain swap of reverse mode.
    fn half_caps(&self, vgs: f64, vgd: f64, dc: &Mos1Dc) -> (f64, f64, f64) {
        if dc.mode > 0.0 {
            self.dev.meyer(vgs, vgd, dc.von, dc.vdsat)
        } else {
            let (a, b, c) = self.dev.meyer(vgd, vgs, dc.von, dc.vdsat);
            (b, a, c)
        }
    }

    /// Total small-signal capacitances at the last load: (cgs, cgd, cgb, cbd, cbs).
    pub fn caps(&self) -> (f64, f64, f64, f64, f64) {
        let l = &self.last;
        let (hgs, hgd, hgb) = self.half_caps(l.vgs, l.vgs - l.vds, &l.dc);
        let (ogs, ogd, ogb) = self.dev.overlap_caps();
        let (_, cbd) = self.dev.junction_bd(l.vbs - l.vds);
        let (_, cbs) = self.dev.junction_bs(l.vbs);
        (2.0 * hgs + ogs, 2.0 * hgd + ogd, 2.0 * hgb + ogb, cbd, cbs)
    }

    /// Charges at the operating point that starts a transient (Meyer: q = C v), circuit frame.
    pub fn init_state(&self, st: &mut States) {
        let l = self.last;
        let k = self.state;
        let ty = self.dev.mos_type();
        let (hgs, hgd, hgb) = self.half_caps(l.vgs, l.vgs - l.vds, &l.dc);
        let (ogs, ogd, ogb) = self.dev.overlap_caps();
        let (vgs, vgd, vgb) = (ty * l.vgs, ty * (l.vgs - l.vds), ty * (l.vgs - l.vbs));
        let vals = [
            (QGS, (2.0 * hgs + ogs) * vgs),
            (QGD, (2.0 * hgd + ogd) * vgd),
            (QGB, (2.0 * hgb + ogb) * vgb),
            (QBD, ty * self.dev.junction_bd(l.vbs - l.vds).0),
            (QBS, ty * self.dev.junction_bs(l.vbs).0),
        ];
        for (off, q) in vals {
            st.set(k + off, q);
            st.set(k + off + 1, 0.0);
        }
        for (off, v) in [(HCGS, hgs), (HCGD, hgd), (HCGB, hgb), (VGS, vgs), (VGD, vgd), (VGB, vgb)] {
            st.set(k + off, v);
        }
    }

    /// Small-signal capacitances into the C matrix (AC).
    pub fn ac(&self, c: &mut [f64]) {
        let (cgs, cgd, cgb, cbd, cbs) = self.caps();
        stamp_g(c, &self.pair(G, S), cgs);
        stamp_g(c, &self.pair(G, D), cgd);
        stamp_g(c, &self.pair(G, B), cgb);
        stamp_g(c, &self.pair(B, D), cbd);
        stamp_g(c, &self.pair(B, S), cbs);
    }

    /// SPICE's device convergence test after a solve: do the currents predicted by the
    /// linearization at the new voltages agree with those of the last load?
    pub fn converged(&self, x: &[f64], reltol: f64, abstol: f64) -> bool {
        let (vgs, vds, vbs) = self.voltages(x);
        let l = &self.last;
        let dc = &l.dc;
        let vbd = vbs - vds;
        let vgd = vgs - vds;
        let delvbs = vbs - l.vbs;
        let delvbd = vbd - (l.vbs - l.vds);
        let delvgs = vgs - l.vgs;
        let delvds = vds - l.vds;
        let delvgd = vgd - (l.vgs - l.vds);
        let cd = dc.mode * dc.cdrain - dc.cbd;
        let cdhat = if dc.mode >= 0.0 {
            cd - dc.gbd * delvbd + dc.gmbs * delvbs + dc.gm * delvgs + dc.gds * delvds
        } else {
            cd - (dc.gbd - dc.gmbs) * delvbd - dc.gm * delvgd + dc.gds * delvds
        };
        let cb = dc.cbs + dc.cbd;
        let cbhat = cb + dc.gbd * delvbd + dc.gbs * delvbs;
        let tol = reltol * cdhat.abs().max(cd.abs()) + abstol;
        if (cdhat - cd).abs() >= tol {
            return false;
        }
        let tol = reltol * cbhat.abs().max(cb.abs()) + abstol;
        (cbhat - cb).abs() <= tol
    }
}

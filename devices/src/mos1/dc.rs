//! Drain current, derivatives and bulk junction diodes (`mos1load.c`, DC part).

use super::Mos1;
use crate::consts::MAX_EXP_ARG;

/// DC operating quantities of level 1 at one bias, exactly as `mos1load.c` computes them
/// (the shared [`FetDc`](crate::FetDc)).
pub type Mos1Dc = crate::FetDc;

impl Mos1 {
    #[inline]
    fn diode(&self, v: f64, isat: f64) -> (f64, f64) {
        let vt = self.vt;
        if v == 0.0 {
            // A junction tied to its body: exp(0) = 1 exactly, as the general branch computes.
            return (0.0, isat / vt + self.gmin);
        }
        if v <= -3.0 * vt {
            let g = self.gmin;
            (g * v - isat, g)
        } else {
            let ev = (v / vt).min(MAX_EXP_ARG).exp();
            (isat * (ev - 1.0) + self.gmin * v, isat * ev / vt + self.gmin)
        }
    }

    /// Evaluates the drain current, its derivatives and the junction diodes at n-frame
    /// voltages (`vgs`, `vds`, `vbs` already multiplied by `mos_type()`).
    pub fn dc(&self, vgs: f64, vds: f64, vbs: f64) -> Mos1Dc {
        let vbd = vbs - vds;
        let vgd = vgs - vds;
        let (cbs, gbs) = self.diode(vbs, self.source_sat_cur);
        let (cbd, gbd) = self.diode(vbd, self.drain_sat_cur);
        let mode = if vds >= 0.0 { 1.0 } else { -1.0 };
        let (vgx, vbx) = if mode > 0.0 { (vgs, vbs) } else { (vgd, vbd) };
        let vdsx = vds * mode;

        let sarg = if vbx <= 0.0 {
            (self.tphi - vbx).sqrt()
        } else {
            let s = self.tphi.sqrt();
            (s - vbx / (s + s)).max(0.0)
        };
        let von = self.tvbi * self.typ + self.gamma * sarg;
        let vgst = vgx - von;
        let vdsat = vgst.max(0.0);
        let arg = if sarg <= 0.0 { 0.0 } else { self.gamma / (sarg + sarg) };
        let (cdrain, gm, gds, gmbs) = if vgst <= 0.0 {
            (0.0, 0.0, 0.0, 0.0)
        } else {
            let betap = self.beta * (1.0 + self.lambda * vdsx);
            if vgst <= vdsx {
                let gm = betap * vgst;
                (betap * vgst * vgst * 0.5, gm, self.lambda * self.beta * vgst * vgst * 0.5, gm * arg)
            } else {
                let gm = betap * vdsx;
                let cd = betap * vdsx * (vgst - 0.5 * vdsx);
                let gds = betap * (vgst - vdsx) + self.lambda * self.beta * vdsx * (vgst - 0.5 * vdsx);
                (cd, gm, gds, gm * arg)
            }
        };
        Mos1Dc { mode, cdrain, gm, gds, gmbs, cbd, gbd, cbs, gbs, von, vdsat, ..Default::default() }
    }
}

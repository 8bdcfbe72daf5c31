//! Drain current, derivatives and bulk junction diodes (`mos1load.c`, DC part).

use super::Mos1;
use crate::consts::MAX_EXP_ARG;

/// DC operating quantities at one bias, exactly as `mos1load.c` computes them.
///
/// `cdrain`, `gm`, `gds`, `gmbs` are in the mode frame: in reverse mode (`mode = -1`) they
/// are the channel current from the physical source to the physical drain, and derivatives
/// with respect to Vgd, -Vds, Vbd. `von` and `vdsat` are in the n-frame (multiply by
/// `mos_type()` for ngspice's `@m[von]`, `@m[vdsat]`). Junction currents include GMIN.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Mos1Dc {
    /// +1 normal (Vds >= 0), -1 inverse.
    pub mode: f64,
    /// Channel current (mode frame).
    pub cdrain: f64,
    /// Transconductance.
    pub gm: f64,
    /// Output conductance.
    pub gds: f64,
    /// Body transconductance.
    pub gmbs: f64,
    /// Bulk-drain junction current (n-frame, bulk to drain), GMIN included.
    pub cbd: f64,
    /// Bulk-drain junction conductance, GMIN included.
    pub gbd: f64,
    /// Bulk-source junction current, GMIN included.
    pub cbs: f64,
    /// Bulk-source junction conductance, GMIN included.
    pub gbs: f64,
    /// Threshold voltage at this bias (n-frame).
    pub von: f64,
    /// Saturation voltage (n-frame).
    pub vdsat: f64,
}

impl Mos1Dc {
    /// ngspice's `@m[id]` in the n-frame: `mode * cdrain - cbd` (multiply by `mos_type()`
    /// for the terminal current into the drain).
    pub fn id(&self) -> f64 {
        self.mode * self.cdrain - self.cbd
    }
}

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
        Mos1Dc { mode, cdrain, gm, gds, gmbs, cbd, gbd, cbs, gbs, von, vdsat }
    }
}

//! Diode current, conductance, charge and capacitance at a bias (`dioload.c`).

use super::Diode;
use crate::consts::MAX_EXP_ARG;

impl Diode {
    /// Junction current and conductance at junction voltage `vd` (across the intrinsic
    /// junction, after any series resistance), including GMIN (`id += gmin*vd`) and the
    /// breakdown region, as ngspice's `dioload.c` computes them.
    pub fn dc(&self, vd: f64) -> (f64, f64) {
        let csat = self.tsat_cur;
        let vte = self.vte;
        let (cd, gd) = if vd >= -3.0 * vte {
            // Capped like the MOS junctions: ngspice overflows to inf above ~709 vte.
            let evd = (vd / vte).min(MAX_EXP_ARG).exp();
            (csat * (evd - 1.0), csat * evd / vte)
        } else if self.bv.is_none_or(|bv| vd >= -bv) {
            let arg = 3.0 * vte / (vd * std::f64::consts::E);
            let arg = arg * arg * arg;
            (-csat * (1.0 + arg), csat * 3.0 * arg / vd)
        } else {
            let bv = self.bv.unwrap_or(0.0);
            let evrev = (-(bv + vd) / self.vtebrk).min(MAX_EXP_ARG).exp();
            (-csat * evrev, csat * evrev / self.vtebrk)
        };
        (cd + self.gmin * vd, gd + self.gmin)
    }

    /// Stored charge and capacitance at `vd`: depletion (with the FC linearisation above
    /// FC*VJ) plus the diffusion charge TT*id, where `id`, `gd` are the values of
    /// [`Diode::dc`] at the same `vd` (GMIN included, as ngspice does).
    pub fn charge(&self, vd: f64, id: f64, gd: f64) -> (f64, f64) {
        let czero = self.tjct_cap;
        let m = self.grading;
        let (qdep, cdep) = if vd < self.tdep_cap {
            let arg = 1.0 - vd / self.tjct_pot;
            let sarg = (-m * arg.ln()).exp();
            (self.tjct_pot * czero * (1.0 - arg * sarg) / (1.0 - m), czero * sarg)
        } else {
            let czof2 = czero / self.tf2;
            let q = czero * self.tf1
                + czof2
                    * (self.tf3 * (vd - self.tdep_cap)
                        + (m / (self.tjct_pot + self.tjct_pot)) * (vd * vd - self.tdep_cap * self.tdep_cap));
            (q, czof2 * (self.tf3 + m * vd / self.tjct_pot))
        };
        (self.tt * id + qdep, self.tt * gd + cdep)
    }
}

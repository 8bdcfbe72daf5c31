//! Channel noise of BSIM3 (`b3noi.c`), NOIMOD 1-4: thermal noise either SPICE2's
//! 4kT (2/3)|gm + gds + gmbs| (NOIMOD 1, 3) or BSIM3's charge-based 4kT ueff|Qinv|/(Leff^2 +
//! ueff|Qinv| Rds) (NOIMOD 2, 4); flicker noise either SPICE2's KF Id^AF/(f^EF Leff^2 Cox)
//! (NOIMOD 1, 4) or BSIM3's oxide-trap model with NOIA/NOIB/NOIC, EM, LINTNOI (NOIMOD 2, 3).

use super::{Bsim3v3, Bsim3v3Dc};
use crate::consts::CHARGE;
use crate::noise::{thermal_psd, N_MINLOG};

impl Bsim3v3 {
    /// Drain-current noise densities (channel thermal, flicker) in A^2/Hz at frequency `freq`
    /// for the operating point `dc` = [`Bsim3v3::dc`] of this instance at the n-frame bias
    /// (`vgs`, `vds`, `vbs`), per the card's NOIMOD, M included. The flicker density varies
    /// as 1/f^EF in every NOIMOD. The series resistances' thermal noise (RSH*NRD, RSH*NRS) is
    /// [`crate::noise::thermal_psd`] of their conductances.
    pub fn noise_psd_at(&self, dc: &Bsim3v3Dc, vgs: f64, vds: f64, vbs: f64, freq: f64) -> (f64, f64) {
        let m = self.m;
        let cd = (dc.cdrain / m).abs();
        let bsim_thermal = matches!(self.noimod, 2 | 4);
        let bsim_flicker = matches!(self.noimod, 2 | 3);
        let thermal = if bsim_thermal {
            let k = self.core(vgs, vds, vbs);
            let qinv = (self.intrinsic_caps(vgs, vds, vbs).qinv / m).abs();
            let g = m * k.ueff * qinv / (self.leff * self.leff + k.ueff * qinv * k.rds);
            thermal_psd(g, self.temp)
        } else {
            thermal_psd(2.0 * (dc.gm + dc.gds + dc.gmbs).abs() / 3.0, self.temp)
        };
        let ef = freq.powf(self.ef);
        let flicker = if bsim_flicker {
            let k = self.core(vgs, vds, vbs);
            let temp = self.temp;
            let ssi = self.strong_inversion_noise(&k, vds.abs(), cd, ef, temp);
            let t10 = self.noia * 8.62e-5 * temp;
            let t11 = self.weff * self.leff * ef * 4.0e36;
            let swi = t10 / t11 * cd * cd;
            let t1 = swi + ssi;
            if t1 > 0.0 {
                m * (ssi * swi) / t1
            } else {
                0.0
            }
        } else {
            let cd = cd.max(N_MINLOG);
            m * self.kf * (self.af * cd.ln()).exp() / (ef * self.leff * self.leff * self.cox)
        };
        (thermal, flicker)
    }

    /// NOIMOD 1 densities (thermal, flicker) from the DC result alone (see
    /// [`Bsim3v3::noise_psd_at`], which covers every NOIMOD).
    pub fn noise_psd(&self, dc: &Bsim3v3Dc, freq: f64) -> (f64, f64) {
        let thermal = thermal_psd(2.0 * (dc.gm + dc.gds + dc.gmbs).abs() / 3.0, self.temp);
        let m = self.m;
        let cd = (dc.cdrain / m).abs().max(N_MINLOG);
        let flicker = m * self.kf * (self.af * cd.ln()).exp() / (freq.powf(self.ef) * self.leff * self.leff * self.cox);
        (thermal, flicker)
    }

    /// The selected noise model (NOIMOD 1-4).
    pub fn noimod(&self) -> u8 {
        self.noimod
    }

    /// BSIM3's strong-inversion flicker density (`StrongInversionNoiseEval`) at |VDS| `vds`,
    /// per-unit drain current `cd`, `ef` = f^EF, device temperature `temp`.
    fn strong_inversion_noise(&self, k: &super::dc::Core, vds: f64, cd: f64, ef: f64, temp: f64) -> f64 {
        let leff = self.leff - 2.0 * self.lintnoi;
        let leffsq = leff * leff;
        let esat = 2.0 * self.vsattemp / k.ueff;
        let del_clm = if self.em <= 0.0 {
            0.0
        } else {
            let t0 = ((vds - k.vdseff) / self.litl + self.em) / esat;
            (self.litl * t0.max(N_MINLOG).ln()).max(0.0)
        };
        let abov_vgst2vtm = k.abulk / (k.vgsteff + 2.0 * self.vtm);
        let t1 = CHARGE * CHARGE * 8.62e-5 * cd * temp * k.ueff;
        let t2 = 1.0e8 * ef * k.abulk_pre_keta * self.cox * leffsq;
        let n0 = self.cox * k.vgsteff / CHARGE;
        let nl = self.cox * k.vgsteff * (1.0 - abov_vgst2vtm * k.vdseff) / CHARGE;
        let t3 = self.noia * ((n0 + 2.0e14) / (nl + 2.0e14)).max(N_MINLOG).ln();
        let t4 = self.noib * (n0 - nl);
        let t5 = self.noic * 0.5 * (n0 * n0 - nl * nl);
        let t6 = 8.62e-5 * temp * cd * cd;
        let t7 = 1.0e8 * ef * leffsq * self.weff;
        let t8 = self.noia + self.noib * nl + self.noic * nl * nl;
        let t9 = (nl + 2.0e14) * (nl + 2.0e14);
        t1 / t2 * (t3 + t4 + t5) + t6 / t7 * del_clm * t8 / t9
    }
}

//! Channel noise of BSIM3 (`b3noi.c`), NOIMOD 1-4: thermal noise either SPICE2's
//! 4kT (2/3)|gm + gds + gmbs| (NOIMOD 1, 3) or BSIM3's charge-based 4kT ueff|Qinv|/(Leff^2 +
//! ueff|Qinv| Rds) (NOIMOD 2, 4); flicker noise either SPICE2's KF Id^AF/(f^EF Leff^2 Cox)
//! (NOIMOD 1, 4) or BSIM3's oxide-trap model with NOIA/NOIB/NOIC, EM, LINTNOI (NOIMOD 2, 3).
//! Version 3.3.0 (ngspice's `bsim3`) adds NOIMOD 5 and 6: SPICE2 thermal noise with its
//! linear-region fix, 4kT (3 - min(Vds, Vdsat)/Vdsat)/3 |gm + gds + gmbs|, and flicker noise
//! as NOIMOD 1 (5) or 2 (6).

use super::{Bsim3Version, Bsim3v3, Bsim3v3Dc};
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
        // 3.0 (bsim3v0) is 3.1 here except: NOIMOD 2 alone is BSIM (thermal and flicker), its
        // SPICE2 thermal noise leaves gmbs out, and its BSIM flicker adds 273.15 to the
        // already absolute temperature.
        let v30 = self.version == Bsim3Version::V30;
        let v31 = self.version <= Bsim3Version::V31;
        // bsim3v1's flicker noise takes |BSIM3cd| = |mode Ids - Ibd| (the drain junction
        // current included); later revisions the channel current alone.
        let cd = if v31 { ((dc.mode * dc.cdrain - dc.cbd) / m).abs() } else { (dc.cdrain / m).abs() };
        let bsim_thermal = if v30 { self.noimod == 2 } else { matches!(self.noimod, 2 | 4) };
        let bsim_flicker = if v30 { self.noimod == 2 } else { matches!(self.noimod, 2 | 3 | 6) };
        let version = self.version;
        let thermal = if bsim_thermal {
            let k = self.core(vgs, vds, vbs);
            let qinv = if v31 {
                // bsim3v1: Qinv from the current model, Cox Weff(bias) Leff Vgsteff (1 - Abulk Vdseff / (2 (Vgsteff + 2 Vtm))).
                let t1 = k.vgsteff * (1.0 - 0.5 * k.abulk * k.vdseff / (k.vgsteff + 2.0 * self.vtm));
                (self.cox * k.weff * self.leff * t1).abs()
            } else {
                (self.intrinsic_caps(vgs, vds, vbs).qinv / m).abs()
            };
            let g = if version >= Bsim3Version::V324 {
                m * k.ueff * qinv / (self.leff * self.leff + k.ueff * qinv * k.rds)
            } else {
                // Before 3.2.4 the channel resistance term ignores Rds.
                m * k.ueff * (qinv / (self.leff * self.leff))
            };
            thermal_psd(g, self.temp)
        } else if self.noimod >= 5 {
            // `b3noi.c`: Vds is the n-frame state (negative in reverse mode), not the mode's.
            let v = vds.min(dc.vdsat);
            thermal_psd((3.0 - v / dc.vdsat) * (dc.gm + dc.gds + dc.gmbs).abs() / 3.0, self.temp)
        } else if v30 {
            thermal_psd(2.0 / 3.0 * (dc.gm + dc.gds).abs(), self.temp)
        } else if version.is_v32() {
            thermal_psd(2.0 / 3.0 * (dc.gm + dc.gds + dc.gmbs).abs(), self.temp)
        } else {
            thermal_psd(2.0 * (dc.gm + dc.gds + dc.gmbs).abs() / 3.0, self.temp)
        };
        let ef = freq.powf(self.ef);
        let flicker = if bsim_flicker && version < Bsim3Version::V324 {
            self.flicker_before_324(vgs, vds, vbs, cd, ef)
        } else if bsim_flicker {
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
        } else if v31 {
            // bsim3v1 raises M Id to AF (later revisions scale Id^AF by M).
            let cd = (m * cd).max(N_MINLOG);
            self.kf * (self.af * cd.ln()).exp() / (ef * self.leff * self.leff * self.cox)
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

    /// The selected noise model (NOIMOD 1-6; 5 and 6 on 3.3.0 cards only).
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
            let del_clm = self.litl * t0.max(N_MINLOG).ln();
            // 3.3.0 clamps a negative DelClm (its "bugfix"); 3.2.4 does not.
            if self.version >= Bsim3Version::V330 {
                del_clm.max(0.0)
            } else {
                del_clm
            }
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

    /// The NOIMOD 2/3 flicker density of revisions before 3.2.4 (`b3v32noi.c`): the
    /// strong-inversion density from Vgs - Vth (not Vgsteff) above Vth + 0.1 V, and below it
    /// that density at Vth + 0.1 V combined with the weak-inversion one.
    fn flicker_before_324(&self, vgs: f64, vds: f64, vbs: f64, cd: f64, ef: f64) -> f64 {
        let k = self.core(vgs, vds, vbs);
        let (vgs, vds) = if vds < 0.0 { (vgs - vds, -vds) } else { (vgs, vds) };
        let m = self.m;
        let von = k.vth;
        if vgs >= von + 0.1 {
            m * self.strong_inversion_noise_old(&k, vgs, vds, cd, ef)
        } else {
            let t10 = self.noia * 8.62e-5 * self.flicker_temp();
            let t11 = self.weff * self.leff * ef * 4.0e36;
            let swi = t10 / t11 * cd * cd;
            let slimit = self.strong_inversion_noise_old(&k, von + 0.1, vds, cd, ef);
            let t1 = swi + slimit;
            if t1 > 0.0 {
                m * (slimit * swi) / t1
            } else {
                0.0
            }
        }
    }

    /// The temperature the pre-3.2.4 BSIM flicker noise uses: the device's, plus 273.15 K
    /// again on 3.0 (`b3v0noi.c` adds CONSTCtoK to the absolute CKTtemp).
    fn flicker_temp(&self) -> f64 {
        if self.version == Bsim3Version::V30 {
            self.temp + 273.15
        } else {
            self.temp
        }
    }

    /// `StrongInversionNoiseEvalOld` of `b3v32noi.c` at mode-frame `vgs`, |VDS| `vds`.
    fn strong_inversion_noise_old(&self, k: &super::dc::Core, vgs: f64, vds: f64, cd: f64, ef: f64) -> f64 {
        let temp = self.flicker_temp();
        let del_clm = if (self.version >= Bsim3Version::V323 && self.em <= 0.0) || vds <= k.vdsat {
            0.0
        } else {
            let esat = 2.0 * self.vsattemp / k.ueff;
            let t0 = ((vds - k.vdsat) / self.litl + self.em) / esat;
            self.litl * t0.max(N_MINLOG).ln()
        };
        let t1 = CHARGE * CHARGE * 8.62e-5 * cd * temp * k.ueff;
        let t2 = 1.0e8 * ef * self.cox * self.leff * self.leff;
        let vgst = vgs - k.vth;
        let n0 = (self.cox * vgst / CHARGE).max(0.0);
        let nl = (self.cox * (vgst - vds.min(k.vdsat)) / CHARGE).max(0.0);
        let t3 = self.noia * ((n0 + 2.0e14) / (nl + 2.0e14)).max(N_MINLOG).ln();
        let t4 = self.noib * (n0 - nl);
        let t5 = self.noic * 0.5 * (n0 * n0 - nl * nl);
        let t6 = 8.62e-5 * temp * cd * cd;
        let t7 = 1.0e8 * ef * self.leff * self.leff * self.weff;
        let t8 = self.noia + self.noib * nl + self.noic * nl * nl;
        let t9 = (nl + 2.0e14) * (nl + 2.0e14);
        t1 / t2 * (t3 + t4 + t5) + t6 / t7 * del_clm * t8 / t9
    }
}

//! Drain current, its analytic derivatives and the junction diodes (`b3ld.c`, DC part).

use super::isub::{IsubInputs, Substrate};
use super::temp::{CHARGE_Q, EPSSI, EXP_THRESHOLD, MIN_EXP};
use super::{Bsim3Version, Bsim3v3};
use crate::bsim3::shared::{drain_current_with_idsa, DrainBias, OutputParams};

/// DC operating quantities at one bias, as `b3ld.c` computes them (M included).
///
/// `cdrain`, `gm`, `gds`, `gmbs` are in the mode frame like [`crate::Mos1Dc`]: in reverse
/// mode (`mode = -1`) `cdrain` is the channel current from the physical source to the
/// physical drain and the derivatives are with respect to Vgd, -Vds, Vbd. Everything
/// else that depends on the bias (von, vdsat, vgsteff, ...) is evaluated in the mode frame
/// too (with the roles of source and drain swapped in reverse mode), n-frame sign.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bsim3v3Dc {
    /// +1 normal (Vds >= 0), -1 inverse.
    pub mode: f64,
    /// Channel current (mode frame, >= 0 for a normal device). This is exactly what
    /// ngspice reports as BSIM3's `@m[id]` (channel only, not sign-corrected in reverse
    /// mode and not multiplied by the type).
    pub cdrain: f64,
    /// Transconductance dId/dVgs (mode frame).
    pub gm: f64,
    /// Output conductance dId/dVds (mode frame).
    pub gds: f64,
    /// Body transconductance dId/dVbs (mode frame).
    pub gmbs: f64,
    /// Bulk-drain junction current (n-frame, bulk to drain), GMIN included.
    pub cbd: f64,
    /// Bulk-drain junction conductance, GMIN included.
    pub gbd: f64,
    /// Bulk-source junction current, GMIN included.
    pub cbs: f64,
    /// Bulk-source junction conductance, GMIN included.
    pub gbs: f64,
    /// Threshold voltage Vth at this bias (n-frame; ngspice's `von`/`vth`).
    pub von: f64,
    /// Saturation voltage Vdsat.
    pub vdsat: f64,
    /// Effective gate overdrive Vgsteff.
    pub vgsteff: f64,
    /// Effective drain voltage Vdseff.
    pub vdseff: f64,
    /// Effective mobility ueff (m^2/Vs).
    pub ueff: f64,
    /// Bulk-charge factor Abulk.
    pub abulk: f64,
    /// Subthreshold slope factor n at this bias.
    pub n: f64,
    /// Junction current the circuit sees beyond `cbd`/`cbs` (bulk-drain, bulk-source): on
    /// 3.1 cards GMIN x V once more, because `b3v1ld.c` stamps cbd - (gbd - GMIN) vbd as the
    /// Norton current beside gbd (0 for other versions). [`Bsim3v3Dc::fet`] includes it.
    pub junction_extra: [f64; 2],
    /// Substrate current (ALPHA0/ALPHA1/BETA0) from the mode-frame drain into the bulk, and
    /// its mode-frame derivatives, M included (zero without ALPHA0/ALPHA1).
    pub substrate: Substrate,
    /// The substrate branch as stamped ([`Bsim3v3Dc::fet`]; 3.1's form differs).
    pub sub_stamp: crate::FetSubstrate,
}

impl Bsim3v3Dc {
    /// The quantities the solver's shared FET load uses (junction currents as stamped,
    /// with [`Bsim3v3Dc::junction_extra`]).
    pub fn fet(&self) -> crate::FetDc {
        crate::FetDc {
            mode: self.mode,
            cdrain: self.cdrain,
            gm: self.gm,
            gds: self.gds,
            gmbs: self.gmbs,
            cbd: self.cbd + self.junction_extra[0],
            gbd: self.gbd,
            cbs: self.cbs + self.junction_extra[1],
            gbs: self.gbs,
            von: self.von,
            vdsat: self.vdsat,
            sub: self.sub_stamp,
            // `at_source` marks bsim3v1's stamps (3.1 cards).
            gbd_in_source_row: self.sub_stamp.at_source,
        }
    }

    /// Channel current into the physical drain in the n-frame: `mode * cdrain` (multiply
    /// by `mos_type()` for the terminal value; junction currents not included). Note that
    /// ngspice's BSIM3 `@m[id]` is `cdrain`, without the `mode` sign.
    pub fn id(&self) -> f64 {
        self.mode * self.cdrain
    }
}

/// Bias-dependent intermediate values in the mode frame, per unit of M, shared by the
/// current and the charge model.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Core {
    pub mode: f64,
    pub vds: f64,
    pub vgs_eff: f64,
    pub dvgs_eff_dvg: f64,
    pub vbseff: f64,
    pub dvbseff_dvb: f64,
    pub phis: f64,
    pub dphis_dvb: f64,
    pub vth: f64,
    pub dvth_dvb: f64,
    pub dvth_dvd: f64,
    pub n: f64,
    pub dn_dvb: f64,
    pub dn_dvd: f64,
    pub vgst: f64,
    pub abulk0: f64,
    pub dabulk0_dvb: f64,
    pub abulk: f64,
    pub ids: f64,
    pub gm: f64,
    pub gds: f64,
    pub gmb: f64,
    pub vdsat: f64,
    pub vdseff: f64,
    pub vgsteff: f64,
    pub ueff: f64,
    pub rds: f64,
    pub abulk_pre_keta: f64,
    /// Vgsteff's derivatives (d/dVg, d/dVd, d/dVb), for bsim3v1's C-V Vgsteff.
    pub dvgsteff: [f64; 3],
    /// The bias-dependent Weff (DWG/DWB), for bsim3v1's noise Qinv.
    pub weff: f64,
    /// sqrt(phis) as BSIM3 smooths it and its Vbs derivative, for bsim3v1's C-V flat band.
    pub sqrt_phis: [f64; 2],
    /// Substrate current and derivatives (mode frame, per unit of M).
    pub sub: Substrate,
}

impl Bsim3v3 {
    #[inline]
    fn diode(&self, v: f64, sat: f64, vjm: f64, is_evjm: f64) -> (f64, f64) {
        let gmin = self.gmin;
        let nvtm = self.nvtm;
        if sat <= 0.0 {
            (gmin * v, gmin)
        } else if self.version == Bsim3Version::V30 {
            super::v30::diode(v, sat, nvtm, gmin)
        } else if self.version == Bsim3Version::V31 {
            // bsim3v1: exponential below 0.5 V, its tangent above (no IJTH).
            if v < 0.5 {
                let ev = (v / nvtm).exp();
                (sat * (ev - 1.0) + gmin * v, sat * ev / nvtm + gmin)
            } else {
                let ev = (0.5 / nvtm).exp();
                let t0 = sat * ev / nvtm;
                (sat * (ev - 1.0) + t0 * (v - 0.5) + gmin * v, t0 + gmin)
            }
        } else if self.ijth == 0.0 || v < vjm {
            let ev = (v / nvtm).exp();
            (sat * (ev - 1.0) + gmin * v, sat * ev / nvtm + gmin)
        } else if self.version <= Bsim3Version::V32 {
            // 3.2 and older `bsim3v32` paths: the linear extension written from IJTH.
            let t0 = (sat + self.ijth) / nvtm;
            (self.ijth + gmin * v + t0 * (v - vjm), t0 + gmin)
        } else {
            let t0 = is_evjm / nvtm;
            (is_evjm - sat + t0 * (v - vjm) + gmin * v, t0 + gmin)
        }
    }

    /// Evaluates the channel current and its derivatives (per unit of M, mode frame) at
    /// n-frame voltages.
    pub(crate) fn core(&self, vgs: f64, vds: f64, vbs: f64) -> Core {
        let (mode, vds_m, vgs_m, vbs_m) =
            if vds >= 0.0 { (1.0, vds, vgs, vbs) } else { (-1.0, -vds, vgs - vds, vbs - vds) };
        let (vds, vgs, vbs) = (vds_m, vgs_m, vbs_m);
        // 3.0 (`b3v0ld.c`) differs from the later revisions block by block (see `v30`).
        let v30 = self.version == Bsim3Version::V30;

        let t0 = vbs - self.vbsc - 0.001;
        let t1 = (t0 * t0 - 0.004 * self.vbsc).sqrt();
        let mut vbseff = self.vbsc + 0.5 * (t0 + t1);
        let dvbseff_dvb = 0.5 * (1.0 + t0 / t1);
        if vbseff < vbs && !v30 {
            vbseff = vbs;
        }

        let (phis, dphis_dvb, sqrt_phis, dsqrt_phis_dvb) = if vbseff > 0.0 {
            let t0 = self.phi / (self.phi + vbseff);
            let sq = self.phis3 / (self.phi + 0.5 * vbseff);
            (self.phi * t0, -t0 * t0, sq, -0.5 * sq * sq / self.phis3)
        } else {
            let ph = self.phi - vbseff;
            let sq = ph.sqrt();
            (ph, -1.0, sq, -0.5 / sq)
        };
        let xdep = self.xdep0 * sqrt_phis / self.sqrt_phi;
        let dxdep_dvb = (self.xdep0 / self.sqrt_phi) * dsqrt_phis_dvb;

        let leff = self.leff;
        let vtm = self.vtm;
        // --- Vth
        let t3 = xdep.sqrt();
        let v0 = self.vbi - self.phi;
        let lt_factor = |dvt2: f64| {
            let t0 = dvt2 * vbseff;
            if v30 {
                // 3.0: 1 + DVT2 Vbseff floored at 1e-10, its derivative left as DVT2.
                ((1.0 + t0).max(1.0e-10), dvt2)
            } else if t0 >= -0.5 {
                (1.0 + t0, dvt2)
            } else {
                let t4 = 1.0 / (3.0 + 8.0 * t0);
                ((1.0 + 3.0 * t0) * t4, dvt2 * t4 * t4)
            }
        };
        let (t1, t2) = lt_factor(self.dvt2);
        let lt1 = self.factor1 * t3 * t1;
        let dlt1_dvb = self.factor1 * (0.5 / t3 * t1 * dxdep_dvb + t3 * t2);
        let (t1, t2) = lt_factor(self.dvt2w);
        let ltw = self.factor1 * t3 * t1;
        let dltw_dvb = self.factor1 * (0.5 / t3 * t1 * dxdep_dvb + t3 * t2);

        let t0 = -0.5 * self.dvt1 * leff / lt1;
        let (theta0, dtheta0_dvb) = if t0 > -EXP_THRESHOLD {
            let t1 = t0.exp();
            let dt1_dvb = -t0 / lt1 * t1 * dlt1_dvb;
            (t1 * (1.0 + 2.0 * t1), (1.0 + 4.0 * t1) * dt1_dvb)
        } else {
            (MIN_EXP * (1.0 + 2.0 * MIN_EXP), 0.0)
        };
        let delt_vth = self.dvt0 * theta0 * v0;
        let ddelt_vth_dvb = self.dvt0 * dtheta0_dvb * v0;

        let t0 = -0.5 * self.dvt1w * self.weff * leff / ltw;
        let (t2, dt2_dvb) = if t0 > -EXP_THRESHOLD {
            let t1 = t0.exp();
            let dt1_dvb = -t0 / ltw * t1 * dltw_dvb;
            (t1 * (1.0 + 2.0 * t1), (1.0 + 4.0 * t1) * dt1_dvb)
        } else {
            (MIN_EXP * (1.0 + 2.0 * MIN_EXP), 0.0)
        };
        let t0 = self.dvt0w * t2;
        let t2 = t0 * v0;
        let dt2_dvb = self.dvt0w * dt2_dvb * v0;

        let temp_ratio = self.temp_ratio_m1;
        let t0 = (1.0 + self.nlx / leff).sqrt();
        let t1 =
            self.k1ox * (t0 - 1.0) * self.sqrt_phi + (self.kt1 + self.kt1l / leff + self.kt2 * vbseff) * temp_ratio;
        let tmp2 = self.tox * self.phi / (self.weff + self.w0);

        let mut t3 = self.eta0 + self.etab * vbseff;
        let t4 = if t3 < 1.0e-4 && !v30 {
            let t9 = 1.0 / (3.0 - 2.0e4 * t3);
            t3 = (2.0e-4 - t3) * t9;
            t9 * t9
        } else {
            1.0
        };
        let ddibl_sft_dvd = t3 * self.theta0vb0;
        let dibl_sft = ddibl_sft_dvd * vds;

        let vth =
            self.typ * self.vth0 - self.k1 * self.sqrt_phi + self.k1ox * sqrt_phis - self.k2ox * vbseff - delt_vth - t2
                + (self.k3 + self.k3b * vbseff) * tmp2
                + t1
                - dibl_sft;
        let dvth_dvb = self.k1ox * dsqrt_phis_dvb - self.k2ox - ddelt_vth_dvb - dt2_dvb + self.k3b * tmp2
            - self.etab * vds * self.theta0vb0 * t4
            + self.kt2 * temp_ratio;
        let dvth_dvd = -ddibl_sft_dvd;

        // --- n
        let cox = self.cox;
        let tmp2 = self.nfactor * EPSSI / xdep;
        let tmp3 = self.cdsc + self.cdscb * vbseff + self.cdscd * vds;
        let tmp4 = (tmp2 + tmp3 * theta0 + self.cit) / cox;
        let (n, dn_dvb, dn_dvd) = if v30 {
            // 3.0: n floored at 1 (its derivatives then zero).
            if tmp4 > 0.0 {
                (
                    1.0 + tmp4,
                    (-tmp2 / xdep * dxdep_dvb + tmp3 * dtheta0_dvb + self.cdscb * theta0) / cox,
                    self.cdscd * theta0 / cox,
                )
            } else {
                (1.0, 0.0, 0.0)
            }
        } else if tmp4 >= -0.5 {
            (
                1.0 + tmp4,
                (-tmp2 / xdep * dxdep_dvb + tmp3 * dtheta0_dvb + self.cdscb * theta0) / cox,
                self.cdscd * theta0 / cox,
            )
        } else {
            let t0 = 1.0 / (3.0 + 8.0 * tmp4);
            let n = (1.0 + 3.0 * tmp4) * t0;
            let t0 = t0 * t0;
            (
                n,
                (-tmp2 / xdep * dxdep_dvb + tmp3 * dtheta0_dvb + self.cdscb * theta0) / cox * t0,
                self.cdscd * theta0 / cox * t0,
            )
        };

        // --- poly-gate depletion (NGATE between 1e18 and 1e25 cm^-3)
        let t0 = self.vfb + self.phi;
        let (vgs_eff, dvgs_eff_dvg) = if v30 {
            // 3.0: NGATE whenever the card gives it, with a hard 1.12 V switch.
            if self.ngate_given && vgs > t0 {
                let t1 = 1.0e6 * CHARGE_Q * EPSSI * self.ngate / (cox * cox);
                let t4 = (1.0 + 2.0 * (vgs - t0) / t1).sqrt();
                let t2 = t1 * (t4 - 1.0);
                let t3 = 0.5 * t2 * t2 / t1;
                if t3 < 1.12 {
                    (t0 + t2, 1.0 / t4)
                } else {
                    (vgs - 1.12, 1.0)
                }
            } else {
                (vgs, 1.0)
            }
        } else if self.ngate > 1.0e18 && self.ngate < 1.0e25 && vgs > t0 {
            let t1 = 1.0e6 * CHARGE_Q * EPSSI * self.ngate / (cox * cox);
            let t4 = (1.0 + 2.0 * (vgs - t0) / t1).sqrt();
            let t2 = t1 * (t4 - 1.0);
            let t3 = 0.5 * t2 * t2 / t1;
            let t7 = 1.12 - t3 - 0.05;
            let t6 = (t7 * t7 + 0.224).sqrt();
            let t5 = 1.12 - 0.5 * (t7 + t6);
            (vgs - t5, 1.0 - (0.5 - 0.5 / t4) * (1.0 + t7 / t6))
        } else {
            (vgs, 1.0)
        };

        // --- Vgsteff
        let vgst = vgs_eff - vth;
        let t10 = 2.0 * n * vtm;
        let vgst_nvt = vgst / t10;
        let exp_arg = (2.0 * self.voff - vgst) / t10;
        let (vgsteff, dvgsteff_dvg, dvgsteff_dvd, dvgsteff_dvb) = if v30 {
            self.vgsteff_v30(vgst, n, [dn_dvd, dn_dvb], [dvth_dvd, dvth_dvb], dvgs_eff_dvg)
        } else if vgst_nvt > EXP_THRESHOLD {
            (vgst, dvgs_eff_dvg, -dvth_dvd, -dvth_dvb)
        } else if exp_arg > EXP_THRESHOLD {
            let t0 = (vgst - self.voff) / (n * vtm);
            let exp_vgst = t0.exp();
            let v = vtm * self.cdep0 / cox * exp_vgst;
            let dg = v / (n * vtm);
            (v, dg * dvgs_eff_dvg, -dg * (dvth_dvd + t0 * vtm * dn_dvd), -dg * (dvth_dvb + t0 * vtm * dn_dvb))
        } else {
            let exp_vgst = vgst_nvt.exp();
            let t1 = t10 * (1.0 + exp_vgst).ln();
            let dt1_dvg = exp_vgst / (1.0 + exp_vgst);
            let dt1_dvb = -dt1_dvg * (dvth_dvb + vgst / n * dn_dvb) + t1 / n * dn_dvb;
            let dt1_dvd = -dt1_dvg * (dvth_dvd + vgst / n * dn_dvd) + t1 / n * dn_dvd;
            let dt2_dvg = -cox / (vtm * self.cdep0) * exp_arg.exp();
            let t2 = 1.0 - t10 * dt2_dvg;
            let dt2_dvd = -dt2_dvg * (dvth_dvd - 2.0 * vtm * exp_arg * dn_dvd) + (t2 - 1.0) / n * dn_dvd;
            let dt2_dvb = -dt2_dvg * (dvth_dvb - 2.0 * vtm * exp_arg * dn_dvb) + (t2 - 1.0) / n * dn_dvb;
            let v = t1 / t2;
            let t3 = t2 * t2;
            (
                v,
                (t2 * dt1_dvg - t1 * dt2_dvg) / t3 * dvgs_eff_dvg,
                (t2 * dt1_dvd - t1 * dt2_dvd) / t3,
                (t2 * dt1_dvb - t1 * dt2_dvb) / t3,
            )
        };

        // --- effective width with DWG/DWB, and the source/drain resistance Rds (RDSW).
        let t9 = sqrt_phis - self.sqrt_phi;
        let mut weff = self.weff - 2.0 * (self.dwg * vgsteff + self.dwb * t9);
        let mut dweff_dvg = -2.0 * self.dwg;
        let mut dweff_dvb = -2.0 * self.dwb * dsqrt_phis_dvb;
        if v30 && weff < 1.0e-8 {
            // 3.0: a hard 10 nm floor.
            weff = 1.0e-8;
            dweff_dvg = 0.0;
            dweff_dvb = 0.0;
        } else if !v30 && weff < 2.0e-8 {
            let t0 = 1.0 / (6.0e-8 - 2.0 * weff);
            weff = 2.0e-8 * (4.0e-8 - weff) * t0;
            let t0 = t0 * t0 * 4.0e-16;
            dweff_dvg *= t0;
            dweff_dvb *= t0;
        }
        let t0 = self.prwg * vgsteff + self.prwb * t9;
        let (rds, drds_dvg, drds_dvb) = if v30 {
            // 3.0: no smoothing; a negative Rds is zero.
            let rds = self.rds0 * (1.0 + t0);
            if rds > 0.0 {
                (rds, self.rds0 * self.prwg, self.rds0 * self.prwb * dsqrt_phis_dvb)
            } else {
                (0.0, 0.0, 0.0)
            }
        } else if t0 >= -0.9 {
            (self.rds0 * (1.0 + t0), self.rds0 * self.prwg, self.rds0 * self.prwb * dsqrt_phis_dvb)
        } else {
            let t1 = 1.0 / (17.0 + 20.0 * t0);
            let rds = self.rds0 * (0.8 + t0) * t1;
            let t1 = t1 * t1;
            (rds, self.rds0 * self.prwg * t1, self.rds0 * self.prwb * dsqrt_phis_dvb * t1)
        };

        // --- Abulk
        let (abulk0, dabulk0_dvb, abulk, dabulk_dvg, dabulk_dvb, abulk_pre_keta) = if v30 {
            self.abulk_v30([sqrt_phis, dsqrt_phis_dvb], [xdep, dxdep_dvb], vbseff, vgsteff)
        } else {
            let t1 = 0.5 * self.k1ox / sqrt_phis;
            let dt1_dvb = -t1 / sqrt_phis * dsqrt_phis_dvb;
            let t9 = (self.xj * xdep).sqrt();
            let tmp1 = leff + 2.0 * t9;
            let t5 = leff / tmp1;
            let tmp2 = self.a0 * t5;
            let tmp3 = self.weff + self.b1;
            let tmp4 = self.b0 / tmp3;
            let t2 = tmp2 + tmp4;
            let dt2_dvb = -t9 / tmp1 / xdep * dxdep_dvb;
            let t6 = t5 * t5;
            let t7 = t5 * t6;
            let mut abulk0 = 1.0 + t1 * t2;
            let mut dabulk0_dvb = t1 * tmp2 * dt2_dvb + t2 * dt1_dvb;
            let t8 = self.ags * self.a0 * t7;
            let mut dabulk_dvg = -t1 * t8;
            let mut abulk = abulk0 + dabulk_dvg * vgsteff;
            let mut dabulk_dvb = dabulk0_dvb - t8 * vgsteff * (dt1_dvb + 3.0 * t1 * dt2_dvb);
            if abulk0 < 0.1 {
                let t9 = 1.0 / (3.0 - 20.0 * abulk0);
                abulk0 = (0.2 - abulk0) * t9;
                dabulk0_dvb *= t9 * t9;
            }
            if abulk < 0.1 {
                let t9 = 1.0 / (3.0 - 20.0 * abulk);
                abulk = (0.2 - abulk) * t9;
                let t10 = t9 * t9;
                dabulk_dvb *= t10;
                // Revisions 3.2 and older leave dAbulk/dVg unscaled here (b3v32ld.c).
                if self.version >= Bsim3Version::V322 {
                    dabulk_dvg *= t10;
                }
            }
            // Abulk before the KETA factor: what `b3ld.c` stores as `BSIM3Abulk` (flicker noise).
            let abulk_pre_keta = abulk;
            let t2 = self.keta * vbseff;
            let (t0, dt0_dvb) = if t2 >= -0.9 {
                let t0 = 1.0 / (1.0 + t2);
                (t0, -self.keta * t0 * t0)
            } else {
                let t1 = 1.0 / (0.8 + t2);
                ((17.0 + 20.0 * t2) * t1, -self.keta * t1 * t1)
            };
            dabulk_dvg *= t0;
            dabulk_dvb = dabulk_dvb * t0 + abulk * dt0_dvb;
            dabulk0_dvb = dabulk0_dvb * t0 + abulk0 * dt0_dvb;
            abulk *= t0;
            abulk0 *= t0;
            (abulk0, dabulk0_dvb, abulk, dabulk_dvg, dabulk_dvb, abulk_pre_keta)
        };

        // --- mobility (MOBMOD 1, 2 or 3)
        let (t5, mut dden_dvg, mut dden_dvd, mut dden_dvb) = match self.mobmod {
            1 => {
                let t0 = vgsteff + vth + vth;
                let t2 = self.ua + self.uc * vbseff;
                let t3 = t0 / self.tox;
                let t5 = t3 * (t2 + self.ub * t3);
                let dg = (t2 + 2.0 * self.ub * t3) / self.tox;
                (t5, dg, dg * 2.0 * dvth_dvd, dg * 2.0 * dvth_dvb + self.uc * t3)
            }
            2 => {
                let t5 = vgsteff / self.tox * (self.ua + self.uc * vbseff + self.ub * vgsteff / self.tox);
                let dg = (self.ua + self.uc * vbseff + 2.0 * self.ub * vgsteff / self.tox) / self.tox;
                (t5, dg, 0.0, vgsteff * self.uc / self.tox)
            }
            _ => {
                let t0 = vgsteff + vth + vth;
                let t2 = 1.0 + self.uc * vbseff;
                let t3 = t0 / self.tox;
                let t4 = t3 * (self.ua + self.ub * t3);
                let t5 = t4 * t2;
                let dg = (self.ua + 2.0 * self.ub * t3) * t2 / self.tox;
                (t5, dg, dg * 2.0 * dvth_dvd, dg * 2.0 * dvth_dvb + self.uc * t4)
            }
        };
        let denomi = if t5 >= -0.8 || v30 {
            1.0 + t5
        } else {
            let t9 = 1.0 / (7.0 + 10.0 * t5);
            let d = (0.6 + t5) * t9;
            let t9 = t9 * t9;
            dden_dvg *= t9;
            dden_dvd *= t9;
            dden_dvb *= t9;
            d
        };
        let ueff = self.u0temp / denomi;
        let t9 = -ueff / denomi;
        let dueff_dvg = t9 * dden_dvg;
        let dueff_dvd = t9 * dden_dvd;
        let dueff_dvb = t9 * dden_dvb;

        // --- Vdsat with Rds and Lambda (A1, A2)
        let wv_cox = weff * self.vsattemp * cox;
        let wv_cox_rds = wv_cox * rds;
        let esat = 2.0 * self.vsattemp / ueff;
        let esat_l = esat * leff;
        let t0 = -esat_l / ueff;
        let desatl_dvg = t0 * dueff_dvg;
        let desatl_dvd = t0 * dueff_dvd;
        let desatl_dvb = t0 * dueff_dvb;
        let a1 = self.a1;
        let (lambda, dlambda_dvg) = if v30 {
            // 3.0: the "Pmos_factor" A1 Vgsteff + A2, capped at 1 (then flat).
            let pf = a1 * vgsteff + self.a2;
            if pf > 1.0 {
                (1.0, 0.0)
            } else {
                (pf, a1)
            }
        } else if a1 == 0.0 {
            (self.a2, 0.0)
        } else if a1 > 0.0 {
            let t0 = 1.0 - self.a2;
            let t1 = t0 - a1 * vgsteff - 0.0001;
            let t2 = (t1 * t1 + 0.0004 * t0).sqrt();
            (self.a2 + t0 - 0.5 * (t1 + t2), 0.5 * a1 * (1.0 + t1 / t2))
        } else {
            let t1 = self.a2 + a1 * vgsteff - 0.0001;
            let t2 = (t1 * t1 + 0.0004 * self.a2).sqrt();
            (0.5 * (t1 + t2), 0.5 * a1 * (1.0 + t1 / t2))
        };
        let vgst2vtm = vgsteff + 2.0 * vtm;
        let (tmp2, tmp3) = if rds > 0.0 {
            (drds_dvg / rds + dweff_dvg / weff, drds_dvb / rds + dweff_dvb / weff)
        } else {
            (dweff_dvg / weff, dweff_dvb / weff)
        };
        let (tmp1, vdsat, dvdsat_dvg, dvdsat_dvd, dvdsat_dvb) = if rds == 0.0 && lambda == 1.0 {
            let t0 = 1.0 / (abulk * esat_l + vgst2vtm);
            let t1 = t0 * t0;
            let t2 = vgst2vtm * t0;
            let t3 = esat_l * vgst2vtm;
            let vdsat = t3 * t0;
            let dt0_dvg = -(abulk * desatl_dvg + esat_l * dabulk_dvg + 1.0) * t1;
            let dt0_dvd = -(abulk * desatl_dvd) * t1;
            let dt0_dvb = -(abulk * desatl_dvb + dabulk_dvb * esat_l) * t1;
            (
                0.0,
                vdsat,
                t3 * dt0_dvg + t2 * desatl_dvg + esat_l * t0,
                t3 * dt0_dvd + t2 * desatl_dvd,
                t3 * dt0_dvb + t2 * desatl_dvb,
            )
        } else {
            let tmp1 = dlambda_dvg / (lambda * lambda);
            let t9 = abulk * wv_cox_rds;
            let t8 = abulk * t9;
            let t7 = vgst2vtm * t9;
            let t6 = vgst2vtm * wv_cox_rds;
            let t0 = 2.0 * abulk * (t9 - 1.0 + 1.0 / lambda);
            let dt0_dvg = 2.0 * (t8 * tmp2 - abulk * tmp1 + (2.0 * t9 + 1.0 / lambda - 1.0) * dabulk_dvg);
            let dt0_dvb = 2.0 * (t8 * (2.0 / abulk * dabulk_dvb + tmp3) + (1.0 / lambda - 1.0) * dabulk_dvb);
            let t1 = vgst2vtm * (2.0 / lambda - 1.0) + abulk * esat_l + 3.0 * t7;
            let dt1_dvg = (2.0 / lambda - 1.0) - 2.0 * vgst2vtm * tmp1
                + abulk * desatl_dvg
                + esat_l * dabulk_dvg
                + 3.0 * (t9 + t7 * tmp2 + t6 * dabulk_dvg);
            let dt1_dvb = abulk * desatl_dvb + esat_l * dabulk_dvb + 3.0 * (t6 * dabulk_dvb + t7 * tmp3);
            let dt1_dvd = abulk * desatl_dvd;
            let t2 = vgst2vtm * (esat_l + 2.0 * t6);
            let dt2_dvg = esat_l + vgst2vtm * desatl_dvg + t6 * (4.0 + 2.0 * vgst2vtm * tmp2);
            let dt2_dvb = vgst2vtm * (desatl_dvb + 2.0 * t6 * tmp3);
            let dt2_dvd = vgst2vtm * desatl_dvd;
            let t3 = (t1 * t1 - 2.0 * t0 * t2).sqrt();
            let vdsat = (t1 - t3) / t0;
            (
                tmp1,
                vdsat,
                (dt1_dvg - (t1 * dt1_dvg - dt0_dvg * t2 - t0 * dt2_dvg) / t3 - vdsat * dt0_dvg) / t0,
                (dt1_dvd - (t1 * dt1_dvd - t0 * dt2_dvd) / t3) / t0,
                (dt1_dvb - (t1 * dt1_dvb - dt0_dvb * t2 - t0 * dt2_dvb) / t3 - vdsat * dt0_dvb) / t0,
            )
        };

        // --- Vdseff
        let delta = self.delta;
        let t1 = vdsat - vds - delta;
        let dt1_dvg = dvdsat_dvg;
        let dt1_dvd = dvdsat_dvd - 1.0;
        let dt1_dvb = dvdsat_dvb;
        let t2 = (t1 * t1 + 4.0 * delta * vdsat).sqrt();
        let t0 = t1 / t2;
        let t3 = 2.0 * delta / t2;
        let dt2_dvg = t0 * dt1_dvg + t3 * dvdsat_dvg;
        let dt2_dvd = t0 * dt1_dvd + t3 * dvdsat_dvd;
        let dt2_dvb = t0 * dt1_dvb + t3 * dvdsat_dvb;
        let mut vdseff = vdsat - 0.5 * (t1 + t2);
        let mut dvdseff_dvg = dvdsat_dvg - 0.5 * (dt1_dvg + dt2_dvg);
        let dvdseff_dvd = dvdsat_dvd - 0.5 * (dt1_dvd + dt2_dvd);
        let mut dvdseff_dvb = dvdsat_dvb - 0.5 * (dt1_dvb + dt2_dvb);
        // Vdseff = 0 at Vds = 0 from 3.2.2 on.
        if vds == 0.0 && self.version >= Bsim3Version::V322 {
            vdseff = 0.0;
            dvdseff_dvg = 0.0;
            dvdseff_dvb = 0.0;
        }

        // --- VAsat
        let tmp4 = 1.0 - 0.5 * abulk * vdsat / vgst2vtm;
        let t9 = wv_cox_rds * vgsteff;
        let t8 = t9 / vgst2vtm;
        let t0 = esat_l + vdsat + 2.0 * t9 * tmp4;
        let t7 = 2.0 * wv_cox_rds * tmp4;
        let dt0_dvg = desatl_dvg + dvdsat_dvg + t7 * (1.0 + tmp2 * vgsteff)
            - t8 * (abulk * dvdsat_dvg - abulk * vdsat / vgst2vtm + vdsat * dabulk_dvg);
        let dt0_dvb = desatl_dvb + dvdsat_dvb + t7 * tmp3 * vgsteff - t8 * (dabulk_dvb * vdsat + abulk * dvdsat_dvb);
        let dt0_dvd = desatl_dvd + dvdsat_dvd - t8 * abulk * dvdsat_dvd;
        let t9 = wv_cox_rds * abulk;
        let t1 = 2.0 / lambda - 1.0 + t9;
        let dt1_dvg = -2.0 * tmp1 + wv_cox_rds * (abulk * tmp2 + dabulk_dvg);
        let dt1_dvb = dabulk_dvb * wv_cox_rds + t9 * tmp3;
        let vasat = t0 / t1;
        let dvasat_dvg = (dt0_dvg - vasat * dt1_dvg) / t1;
        let dvasat_dvb = (dt0_dvb - vasat * dt1_dvb) / t1;
        let dvasat_dvd = dt0_dvd / t1;

        if vdseff > vds && !v30 {
            vdseff = vds;
        }
        let diff_vds = vds - vdseff;

        // --- output resistance (VACLM, VADIBL, VASCBE) and Ids
        let cox_wov_l = cox * weff / leff;
        let beta = ueff * cox_wov_l;
        let dbeta_dvg = cox_wov_l * dueff_dvg + beta * dweff_dvg / weff;
        let dbeta_dvd = cox_wov_l * dueff_dvd;
        let dbeta_dvb = cox_wov_l * dueff_dvb + beta * dweff_dvb / weff;
        let params = OutputParams {
            pclm: self.pclm,
            litl: self.litl,
            theta_rout: self.theta_rout,
            pdiblb: self.pdiblb,
            pvag: self.pvag,
            pscbe1_litl: self.pscbe1 * self.litl,
            pscbe2: self.pscbe2,
            leff,
        };
        let bias = DrainBias {
            abulk,
            dabulk_dvg,
            dabulk_dvb,
            vgsteff,
            dvgsteff_dvg,
            dvgsteff_dvd,
            dvgsteff_dvb,
            dvbseff_dvb,
            vgst2vtm,
            vbseff,
            esat,
            esat_l,
            desatl_dvg,
            desatl_dvd,
            desatl_dvb,
            vdsat,
            dvdsat_dvg,
            dvdsat_dvd,
            dvdsat_dvb,
            vasat,
            dvasat_dvg,
            dvasat_dvd,
            dvasat_dvb,
            vdseff,
            dvdseff_dvg,
            dvdseff_dvd,
            dvdseff_dvb,
            diff_vds,
            beta,
            dbeta_dvg,
            dbeta_dvd,
            dbeta_dvb,
        };
        let ([ids, gm, gds, gmb], [idsa, didsa_dvg, didsa_dvd, didsa_dvb]) = if v30 {
            super::v30::drain_current(&params, &bias, [rds, drds_dvg, drds_dvb])
        } else {
            drain_current_with_idsa(&params, &bias, Some([rds, drds_dvg, drds_dvb]))
        };
        let sub = self.substrate(&IsubInputs {
            leff,
            diff_vds,
            dvdseff: [dvdseff_dvg, dvdseff_dvd, dvdseff_dvb],
            idsa,
            didsa: [didsa_dvg, didsa_dvd, didsa_dvb],
            dvgsteff: [dvgsteff_dvg, dvgsteff_dvd, dvgsteff_dvb],
            dvbseff_dvb,
        });
        // `b3v0ld.c` sets Vdseff = Vds where its substrate-current block clamps Vds - Vdseff
        // to 0; the noise's Qinv reads that Vdseff.
        let vdseff = if v30 && diff_vds < 0.0 && self.alpha0 > 0.0 && self.beta0 > 0.0 { vds } else { vdseff };

        Core {
            mode,
            vds,
            vgs_eff,
            dvgs_eff_dvg,
            vbseff,
            dvbseff_dvb,
            phis,
            dphis_dvb,
            vth,
            dvth_dvb,
            dvth_dvd,
            n,
            dn_dvb,
            dn_dvd,
            vgst,
            abulk0,
            dabulk0_dvb,
            abulk,
            ids,
            gm,
            gds,
            gmb,
            vdsat,
            vdseff,
            vgsteff,
            ueff,
            rds,
            abulk_pre_keta,
            dvgsteff: [dvgsteff_dvg, dvgsteff_dvd, dvgsteff_dvb],
            weff,
            sqrt_phis: [sqrt_phis, dsqrt_phis_dvb],
            sub,
        }
    }

    /// Evaluates the drain current, its derivatives and the junction diodes at n-frame
    /// voltages (`vgs`, `vds`, `vbs` already multiplied by `mos_type()`), M included.
    pub fn dc(&self, vgs: f64, vds: f64, vbs: f64) -> Bsim3v3Dc {
        let vbd = vbs - vds;
        let (cbs, gbs) = self.diode(vbs, self.source_sat_cur, self.vjsm, self.is_evjsm);
        let (cbd, gbd) = self.diode(vbd, self.drain_sat_cur, self.vjdm, self.is_evjdm);
        let c = self.core(vgs, vds, vbs);
        let m = self.m;
        let vbs_mode = if c.mode > 0.0 { vbs } else { vbd };
        let sub_stamp = self.fet_substrate(&c.sub, vbs_mode, c.vbseff);
        Bsim3v3Dc {
            mode: c.mode,
            cdrain: m * c.ids,
            gm: m * c.gm,
            gds: m * c.gds,
            gmbs: m * c.gmb,
            cbd: m * cbd,
            gbd: m * gbd,
            cbs: m * cbs,
            gbs: m * gbs,
            von: c.vth,
            vdsat: c.vdsat,
            vgsteff: c.vgsteff,
            vdseff: c.vdseff,
            ueff: c.ueff,
            abulk: c.abulk,
            n: c.n,
            junction_extra: if self.version <= Bsim3Version::V31 {
                [m * self.gmin * vbd, m * self.gmin * vbs]
            } else {
                [0.0; 2]
            },
            substrate: Substrate { isub: m * c.sub.isub, gbg: m * c.sub.gbg, gbd: m * c.sub.gbd, gbb: m * c.sub.gbb },
            sub_stamp,
        }
    }
}

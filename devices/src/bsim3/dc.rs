//! Drain current, its analytic derivatives and the junction diodes (`b3ld.c`, DC part).

use super::lane::Lane;
use super::shared::{drain_current, DrainBias, OutputParams};
use super::temp::{EXP_THRESHOLD, MIN_EXP};
use super::Bsim3;

/// DC operating quantities at one bias, as `b3ld.c` computes them (M included).
///
/// `cdrain`, `gm`, `gds`, `gmbs` are in the mode frame like [`crate::Mos1Dc`]: in reverse
/// mode (`mode = -1`) `cdrain` is the channel current from the physical source to the
/// physical drain and the derivatives are with respect to Vgd, -Vds, Vbd. Everything
/// else that depends on the bias (von, vdsat, vgsteff, ...) is evaluated in the mode frame
/// too (with the roles of source and drain swapped in reverse mode), n-frame sign.
///
/// Generic over the number type (`f64`, or [`Lanes`](super::lane::Lanes) of gate voltages
/// at one (VDS, VBS)): the quantities that depend on VGS are `T`, those fixed by (VDS, VBS)
/// `f64`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bsim3Dc<T = f64> {
    /// +1 normal (Vds >= 0), -1 inverse.
    pub mode: f64,
    /// Channel current (mode frame, >= 0 for a normal device). This is exactly what
    /// ngspice reports as BSIM3's `@m[id]` (channel only, not sign-corrected in reverse
    /// mode and not multiplied by the type).
    pub cdrain: T,
    /// Transconductance dId/dVgs (mode frame).
    pub gm: T,
    /// Output conductance dId/dVds (mode frame).
    pub gds: T,
    /// Body transconductance dId/dVbs (mode frame).
    pub gmbs: T,
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
    pub vdsat: T,
    /// Effective gate overdrive Vgsteff.
    pub vgsteff: T,
    /// Effective drain voltage Vdseff.
    pub vdseff: T,
    /// Effective mobility ueff (m^2/Vs).
    pub ueff: T,
    /// Bulk-charge factor Abulk.
    pub abulk: T,
    /// Subthreshold slope factor n at this bias.
    pub n: f64,
}

impl Bsim3Dc<f64> {
    /// The quantities the solver's shared FET load uses.
    pub fn fet(&self) -> crate::FetDc {
        crate::FetDc {
            mode: self.mode,
            cdrain: self.cdrain,
            gm: self.gm,
            gds: self.gds,
            gmbs: self.gmbs,
            cbd: self.cbd,
            gbd: self.gbd,
            cbs: self.cbs,
            gbs: self.gbs,
            von: self.von,
            vdsat: self.vdsat,
            ..Default::default()
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
/// current and the charge model. `T` holds what depends on VGS; the rest is fixed by
/// (VDS, VBS).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Core<T = f64> {
    pub mode: f64,
    pub vds: f64,
    pub vgs: T,
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
    pub vgst: T,
    pub abulk0: f64,
    pub dabulk0_dvb: f64,
    pub abulk: T,
    pub ids: T,
    pub gm: T,
    pub gds: T,
    pub gmb: T,
    pub vdsat: T,
    pub vdseff: T,
    pub vgsteff: T,
    pub ueff: T,
}

/// The VGS-independent part of [`Core`] at one n-frame (VDS, VBS), mode frame, per unit of
/// M ([`Bsim3::core_bias`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CoreBias {
    pub mode: f64,
    /// VDS as given (n-frame), for the reverse-mode VGS shift.
    pub vds_n: f64,
    /// VDS in the mode frame.
    pub vds: f64,
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
    /// Abulk0 and its Vb derivative before the 0.1 clamp and the KETA factor, dAbulk/dVg
    /// before both, the factor T8 of Vgsteff and the bracket it multiplies in dAbulk/dVb.
    pub abulk0_raw: f64,
    pub dabulk0_dvb_raw: f64,
    pub dabulk_dvg_raw: f64,
    pub t8: f64,
    pub dabulk_dvb_slope: f64,
    /// The KETA factor 1/(1 + KETA Vbseff) (smoothed) and its Vb derivative.
    pub keta_factor: f64,
    pub dketa_factor_dvb: f64,
    /// Abulk0 and its Vb derivative, final.
    pub abulk0: f64,
    pub dabulk0_dvb: f64,
}

/// Everything of a BSIM-lite evaluation that depends on (VDS, VBS) only ([`Bsim3::bias`]):
/// a sweep over VGS at fixed VDS and VBS evaluates it once and each point with
/// [`Bsim3::dc_charges_at`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Bsim3Bias {
    pub(crate) core: CoreBias,
    /// Junction diodes per unit of M: [cbs, gbs, cbd, gbd] (n-frame, GMIN included).
    pub(crate) diodes: [f64; 4],
}

impl Bsim3 {
    #[inline]
    fn diode(&self, v: f64, sat: f64, vjm: f64, is_evjm: f64) -> (f64, f64) {
        let gmin = self.gmin;
        let nvtm = self.nvtm;
        if sat <= 0.0 {
            (gmin * v, gmin)
        } else if self.ijth == 0.0 || v < vjm {
            let ev = (v / nvtm).exp();
            (sat * (ev - 1.0) + gmin * v, sat * ev / nvtm + gmin)
        } else {
            let t0 = is_evjm / nvtm;
            (is_evjm - sat + t0 * (v - vjm) + gmin * v, t0 + gmin)
        }
    }

    /// Evaluates the channel current and its derivatives (per unit of M, mode frame) at
    /// n-frame voltages.
    #[inline]
    pub(crate) fn core(&self, vgs: f64, vds: f64, vbs: f64) -> Core {
        self.core_at(&self.core_bias(vds, vbs), vgs)
    }

    /// The part of [`Bsim3::core`] that does not depend on VGS, at n-frame `vds`, `vbs`:
    /// Vbseff, Phis, Xdep, Vth (short-channel, narrow-width, DIBL), n and the VGS-independent
    /// factors of Abulk.
    #[inline]
    pub(crate) fn core_bias(&self, vds: f64, vbs: f64) -> CoreBias {
        let vds_n = vds;
        let (mode, vds_m, vbs_m) = if vds >= 0.0 { (1.0, vds, vbs) } else { (-1.0, -vds, vbs - vds) };
        let (vds, vbs) = (vds_m, vbs_m);

        let t0 = vbs - self.vbsc - 0.001;
        let t1 = (t0 * t0 - 0.004 * self.vbsc).sqrt();
        let mut vbseff = self.vbsc + 0.5 * (t0 + t1);
        let dvbseff_dvb = 0.5 * (1.0 + t0 / t1);
        if vbseff < vbs {
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
        // --- Vth
        let t3 = xdep.sqrt();
        let v0 = self.vbi - self.phi;
        let lt_factor = |dvt2: f64| {
            let t0 = dvt2 * vbseff;
            if t0 >= -0.5 {
                (1.0 + t0, dvt2)
            } else {
                let t4 = 1.0 / (3.0 + 8.0 * t0);
                ((1.0 + 3.0 * t0) * t4, dvt2 * t4 * t4)
            }
        };
        let (t1, t2) = lt_factor(self.dvt2);
        let lt1 = self.factor1 * t3 * t1;
        let dlt1_dvb = self.factor1 * (0.5 / t3 * t1 * dxdep_dvb + t3 * t2);
        let pre = &self.pre;
        let t0 = pre.dvt1_leff / lt1;
        let (theta0, dtheta0_dvb) = if t0 > -EXP_THRESHOLD {
            let t1 = t0.exp();
            let dt1_dvb = -t0 / lt1 * t1 * dlt1_dvb;
            (t1 * (1.0 + 2.0 * t1), (1.0 + 4.0 * t1) * dt1_dvb)
        } else {
            (MIN_EXP * (1.0 + 2.0 * MIN_EXP), 0.0)
        };
        let delt_vth = self.dvt0 * theta0 * v0;
        let ddelt_vth_dvb = self.dvt0 * dtheta0_dvb * v0;

        // The narrow-width term (zero, and skipped, when DVT0W = 0).
        let (t2, dt2_dvb) = if self.dvt0w == 0.0 {
            (0.0, 0.0)
        } else {
            let (t1, t2) = lt_factor(self.dvt2w);
            let ltw = self.factor1 * t3 * t1;
            let dltw_dvb = self.factor1 * (0.5 / t3 * t1 * dxdep_dvb + t3 * t2);
            let t0 = pre.dvt1w_weff_leff / ltw;
            let (t2, dt2_dvb) = if t0 > -EXP_THRESHOLD {
                let t1 = t0.exp();
                let dt1_dvb = -t0 / ltw * t1 * dltw_dvb;
                (t1 * (1.0 + 2.0 * t1), (1.0 + 4.0 * t1) * dt1_dvb)
            } else {
                (MIN_EXP * (1.0 + 2.0 * MIN_EXP), 0.0)
            };
            let t0 = self.dvt0w * t2;
            (t0 * v0, self.dvt0w * dt2_dvb * v0)
        };

        let temp_ratio = self.temp_ratio_m1;
        let t1 = pre.nlx_term + (pre.kt1_l + self.kt2 * vbseff) * temp_ratio;
        let tmp2 = pre.k3_factor;

        let mut t3 = self.eta0 + self.etab * vbseff;
        let t4 = if t3 < 1.0e-4 {
            let t9 = 1.0 / (3.0 - 2.0e4 * t3);
            t3 = (2.0e-4 - t3) * t9;
            t9 * t9
        } else {
            1.0
        };
        let ddibl_sft_dvd = t3 * self.theta0vb0;
        let dibl_sft = ddibl_sft_dvd * vds;

        let vth = pre.vth_base + self.k1ox * sqrt_phis - self.k2ox * vbseff - delt_vth - t2
            + (self.k3 + self.k3b * vbseff) * tmp2
            + t1
            - dibl_sft;
        let dvth_dvb = self.k1ox * dsqrt_phis_dvb - self.k2ox - ddelt_vth_dvb - dt2_dvb + self.k3b * tmp2
            - self.etab * vds * self.theta0vb0 * t4
            + self.kt2 * temp_ratio;
        let dvth_dvd = -ddibl_sft_dvd;

        // --- n
        let cox = self.cox;
        let tmp2 = pre.nfactor_epssi / xdep;
        let tmp3 = self.cdsc + self.cdscb * vbseff + self.cdscd * vds;
        let tmp4 = (tmp2 + tmp3 * theta0 + self.cit) / cox;
        let (n, dn_dvb, dn_dvd) = if tmp4 >= -0.5 {
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

        // --- Abulk: the factors that do not depend on Vgsteff
        let t1 = 0.5 * self.k1ox / sqrt_phis;
        let dt1_dvb = -t1 / sqrt_phis * dsqrt_phis_dvb;
        let t9 = (self.xj * xdep).sqrt();
        let tmp1 = leff + 2.0 * t9;
        let t5 = leff / tmp1;
        let tmp2 = self.a0 * t5;
        let tmp4 = pre.b0_term;
        let t2 = tmp2 + tmp4;
        let dt2_dvb = -t9 / tmp1 / xdep * dxdep_dvb;
        let t6 = t5 * t5;
        let t7 = t5 * t6;
        let abulk0_raw = 1.0 + t1 * t2;
        let dabulk0_dvb_raw = t1 * tmp2 * dt2_dvb + t2 * dt1_dvb;
        let t8 = self.ags * self.a0 * t7;
        let dabulk_dvg_raw = -t1 * t8;
        let dabulk_dvb_slope = dt1_dvb + 3.0 * t1 * dt2_dvb;
        let mut abulk0 = abulk0_raw;
        let mut dabulk0_dvb = dabulk0_dvb_raw;
        if abulk0 < 0.1 {
            let t9 = 1.0 / (3.0 - 20.0 * abulk0);
            abulk0 = (0.2 - abulk0) * t9;
            dabulk0_dvb *= t9 * t9;
        }
        let t2 = self.keta * vbseff;
        let (keta_factor, dketa_factor_dvb) = if t2 >= -0.9 {
            let t0 = 1.0 / (1.0 + t2);
            (t0, -self.keta * t0 * t0)
        } else {
            let t1 = 1.0 / (0.8 + t2);
            ((17.0 + 20.0 * t2) * t1, -self.keta * t1 * t1)
        };
        let dabulk0_dvb = dabulk0_dvb * keta_factor + abulk0 * dketa_factor_dvb;
        let abulk0 = abulk0 * keta_factor;

        CoreBias {
            mode,
            vds_n,
            vds,
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
            abulk0_raw,
            dabulk0_dvb_raw,
            dabulk_dvg_raw,
            t8,
            dabulk_dvb_slope,
            keta_factor,
            dketa_factor_dvb,
            abulk0,
            dabulk0_dvb,
        }
    }

    /// [`Bsim3::core`] at n-frame `vgs` from the VGS-independent part `b` at the same
    /// (VDS, VBS): the same operations in the same order, hence the same bits. Generic over
    /// the number type: [`Lanes`](super::lane::Lanes) evaluate several gate voltages at once.
    #[inline(always)]
    pub(crate) fn core_at<T: Lane>(&self, b: &CoreBias, vgs: T) -> Core<T> {
        let CoreBias {
            mode,
            vds_n,
            vds,
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
            ..
        } = *b;
        let c = T::splat;
        let vgs = if mode > 0.0 { vgs } else { vgs - vds_n };
        let leff = self.leff;
        let vtm = self.vtm;
        let pre = &self.pre;

        // --- Vgsteff (no poly depletion: Vgs_eff = Vgs)
        let vgst = vgs - vth;
        let t10 = 2.0 * n * vtm;
        let vgst_nvt = vgst / t10;
        let exp_arg = (c(2.0 * self.voff) - vgst) / t10;
        let (vgsteff, dvgsteff_dvg, dvgsteff_dvd, dvgsteff_dvb) = T::select(
            vgst_nvt.gt(c(EXP_THRESHOLD)),
            || (vgst, c(1.0), c(-dvth_dvd), c(-dvth_dvb)),
            || {
                T::select(
                    exp_arg.gt(c(EXP_THRESHOLD)),
                    || {
                        let t0 = (vgst - self.voff) / (n * vtm);
                        let exp_vgst = t0.exp();
                        let v = exp_vgst * pre.vtm_cdep0_cox;
                        let dg = v / (n * vtm);
                        (v, dg, -dg * (t0 * vtm * dn_dvd + dvth_dvd), -dg * (t0 * vtm * dn_dvb + dvth_dvb))
                    },
                    || {
                        let exp_vgst = vgst_nvt.exp();
                        let t1 = (exp_vgst + 1.0).ln() * t10;
                        let dt1_dvg = exp_vgst / (exp_vgst + 1.0);
                        let dt1_dvb = -dt1_dvg * (vgst / n * dn_dvb + dvth_dvb) + t1 / n * dn_dvb;
                        let dt1_dvd = -dt1_dvg * (vgst / n * dn_dvd + dvth_dvd) + t1 / n * dn_dvd;
                        let dt2_dvg = exp_arg.exp() * pre.m_cox_vtm_cdep0;
                        let t2 = c(1.0) - dt2_dvg * t10;
                        let dt2_dvd =
                            -dt2_dvg * (c(dvth_dvd) - exp_arg * (2.0 * vtm) * dn_dvd) + (t2 - 1.0) / n * dn_dvd;
                        let dt2_dvb =
                            -dt2_dvg * (c(dvth_dvb) - exp_arg * (2.0 * vtm) * dn_dvb) + (t2 - 1.0) / n * dn_dvb;
                        let v = t1 / t2;
                        let t3 = t2 * t2;
                        (
                            v,
                            (t2 * dt1_dvg - t1 * dt2_dvg) / t3,
                            (t2 * dt1_dvd - t1 * dt2_dvd) / t3,
                            (t2 * dt1_dvb - t1 * dt2_dvb) / t3,
                        )
                    },
                )
            },
        );

        // --- effective width (DWG = DWB = 0, so only BSIM3's small-width guard) and Rds
        // (RDSW = 0).

        // --- Abulk (the Vgsteff-independent factors come from the bias part)
        let (abulk0, dabulk0_dvb, t8) = (b.abulk0, b.dabulk0_dvb, b.t8);
        let abulk = vgsteff * b.dabulk_dvg_raw + b.abulk0_raw;
        let dabulk_dvb = c(b.dabulk0_dvb_raw) - vgsteff * t8 * b.dabulk_dvb_slope;
        let (abulk, dabulk_dvb, dabulk_dvg) = T::select(
            abulk.lt(c(0.1)),
            || {
                let t9 = c(1.0) / (c(3.0) - abulk * 20.0);
                let t10 = t9 * t9;
                ((c(0.2) - abulk) * t9, dabulk_dvb * t10, t10 * b.dabulk_dvg_raw)
            },
            || (abulk, dabulk_dvb, c(b.dabulk_dvg_raw)),
        );
        let (t0, dt0_dvb) = (b.keta_factor, b.dketa_factor_dvb);
        let dabulk_dvg = dabulk_dvg * t0;
        let dabulk_dvb = dabulk_dvb * t0 + abulk * dt0_dvb;
        let abulk = abulk * t0;

        // --- mobility (MOBMOD = 1)
        let t0 = vgsteff + vth + vth;
        let t2 = self.ua + self.uc * vbseff;
        let t3 = t0 / self.tox;
        let t5 = t3 * (t3 * self.ub + t2);
        let dden_dvg = (t3 * (2.0 * self.ub) + t2) / self.tox;
        let dden_dvd = dden_dvg * 2.0 * dvth_dvd;
        let dden_dvb = dden_dvg * 2.0 * dvth_dvb + t3 * self.uc;
        let (denomi, dden_dvg, dden_dvd, dden_dvb) = T::select(
            t5.ge(c(-0.8)),
            || (t5 + 1.0, dden_dvg, dden_dvd, dden_dvb),
            || {
                let t9 = c(1.0) / (t5 * 10.0 + 7.0);
                let d = (t5 + 0.6) * t9;
                let t9 = t9 * t9;
                (d, dden_dvg * t9, dden_dvd * t9, dden_dvb * t9)
            },
        );
        let ueff = c(self.u0temp) / denomi;
        let t9 = -ueff / denomi;
        let dueff_dvg = t9 * dden_dvg;
        let dueff_dvd = t9 * dden_dvd;
        let dueff_dvb = t9 * dden_dvb;

        // --- Vdsat (Rds = 0, Lambda = 1)
        let esat = c(pre.two_vsat) / ueff;
        let esat_l = esat * leff;
        let t0 = -esat_l / ueff;
        let desatl_dvg = t0 * dueff_dvg;
        let desatl_dvd = t0 * dueff_dvd;
        let desatl_dvb = t0 * dueff_dvb;
        let vgst2vtm = vgsteff + 2.0 * vtm;
        let t0 = c(1.0) / (abulk * esat_l + vgst2vtm);
        let t1 = t0 * t0;
        let t2 = vgst2vtm * t0;
        let t3 = esat_l * vgst2vtm;
        let vdsat = t3 * t0;
        let dt0_dvg = -(abulk * desatl_dvg + esat_l * dabulk_dvg + 1.0) * t1;
        let dt0_dvd = -(abulk * desatl_dvd) * t1;
        let dt0_dvb = -(abulk * desatl_dvb + dabulk_dvb * esat_l) * t1;
        let dvdsat_dvg = t3 * dt0_dvg + t2 * desatl_dvg + esat_l * t0;
        let dvdsat_dvd = t3 * dt0_dvd + t2 * desatl_dvd;
        let dvdsat_dvb = t3 * dt0_dvb + t2 * desatl_dvb;

        // --- Vdseff
        let delta = self.delta;
        let t1 = vdsat - vds - delta;
        let dt1_dvg = dvdsat_dvg;
        let dt1_dvd = dvdsat_dvd - 1.0;
        let dt1_dvb = dvdsat_dvb;
        let t2 = (t1 * t1 + vdsat * (4.0 * delta)).sqrt();
        let t0 = t1 / t2;
        let t3 = c(2.0 * delta) / t2;
        let dt2_dvg = t0 * dt1_dvg + t3 * dvdsat_dvg;
        let dt2_dvd = t0 * dt1_dvd + t3 * dvdsat_dvd;
        let dt2_dvb = t0 * dt1_dvb + t3 * dvdsat_dvb;
        let mut vdseff = vdsat - (t1 + t2) * 0.5;
        let mut dvdseff_dvg = dvdsat_dvg - (dt1_dvg + dt2_dvg) * 0.5;
        let dvdseff_dvd = dvdsat_dvd - (dt1_dvd + dt2_dvd) * 0.5;
        let mut dvdseff_dvb = dvdsat_dvb - (dt1_dvb + dt2_dvb) * 0.5;
        if vds == 0.0 {
            vdseff = c(0.0);
            dvdseff_dvg = c(0.0);
            dvdseff_dvb = c(0.0);
        }

        // --- VAsat (Rds = 0, Lambda = 1: T1 = 1)
        let t0 = esat_l + vdsat;
        let dvasat_dvg = desatl_dvg + dvdsat_dvg;
        let dvasat_dvb = desatl_dvb + dvdsat_dvb;
        let dvasat_dvd = desatl_dvd + dvdsat_dvd;
        let vasat = t0;

        let vdseff = T::blend(vdseff.gt(c(vds)), c(vds), vdseff);
        let diff_vds = c(vds) - vdseff;

        // --- output resistance (VACLM, VADIBL, VASCBE) and Ids
        let cox_wov_l = pre.cox_wov_l;
        let beta = ueff * cox_wov_l;
        let dbeta_dvg = dueff_dvg * cox_wov_l;
        let dbeta_dvd = dueff_dvd * cox_wov_l;
        let dbeta_dvb = dueff_dvb * cox_wov_l;
        let params = OutputParams {
            pclm: self.pclm,
            litl: self.litl,
            theta_rout: self.theta_rout,
            pdiblb: self.pdiblb,
            pvag: self.pvag,
            pscbe1_litl: pre.pscbe1_litl,
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
        let [ids, gm, gds, gmb] = drain_current(&params, &bias, None);

        Core {
            mode,
            vds,
            vgs,
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
        }
    }

    /// Evaluates the drain current, its derivatives and the junction diodes at n-frame
    /// voltages (`vgs`, `vds`, `vbs` already multiplied by `mos_type()`), M included.
    pub fn dc(&self, vgs: f64, vds: f64, vbs: f64) -> Bsim3Dc {
        self.dc_from_core(&self.core(vgs, vds, vbs), self.diodes(vds, vbs))
    }

    /// The junction diodes' [cbs, gbs, cbd, gbd] per unit of M at n-frame `vds`, `vbs`.
    #[inline]
    pub(crate) fn diodes(&self, vds: f64, vbs: f64) -> [f64; 4] {
        let vbd = vbs - vds;
        let (cbs, gbs) = self.diode(vbs, self.source_sat_cur, self.vjsm, self.is_evjsm);
        let (cbd, gbd) = self.diode(vbd, self.drain_sat_cur, self.vjdm, self.is_evjdm);
        [cbs, gbs, cbd, gbd]
    }

    /// The VGS-independent part of an evaluation at n-frame `vds`, `vbs`, for
    /// [`Bsim3::dc_charges_at`].
    ///
    /// ```
    /// use insitu_devices::{Bsim3, Bsim3Model, MosGeom};
    /// let m = Bsim3Model::new("n", false, &[("tox".into(), 4.1e-9), ("vth0".into(), 0.4)]).unwrap();
    /// let g = MosGeom { w: 1e-6, l: 0.18e-6, ..MosGeom::default() };
    /// let d = Bsim3::new(&m, &g, 27.0, 27.0, 1e-12).unwrap();
    /// let b = d.bias(0.9, -0.3);
    /// assert_eq!(d.dc_charges_at(&b, 0.7), d.dc_charges(0.7, 0.9, -0.3));
    /// ```
    pub fn bias(&self, vds: f64, vbs: f64) -> Bsim3Bias {
        Bsim3Bias { core: self.core_bias(vds, vbs), diodes: self.diodes(vds, vbs) }
    }

    /// [`Bsim3::dc`] from an evaluated core and the junction diodes at the same bias.
    #[inline]
    pub(crate) fn dc_from_core<T: Lane>(&self, c: &Core<T>, diodes: [f64; 4]) -> Bsim3Dc<T> {
        let [cbs, gbs, cbd, gbd] = diodes;
        let m = self.m;
        Bsim3Dc {
            mode: c.mode,
            cdrain: c.ids * m,
            gm: c.gm * m,
            gds: c.gds * m,
            gmbs: c.gmb * m,
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
        }
    }
}

//! BSIM3 version 3.0 (ngspice's `bsim3v0`): the output-resistance stage and the junction
//! diodes, where `b3v0ld.c` differs from every later revision in more than a branch.
//!
//! `b3v0ld.c` computes VACLM without the `diffVds > 1e-10` guard, VADIBL without the PDIBLCB
//! smoothing, the PVAG factor without its smoothing, VASCBE only when `PSCBE1 litl / diffVds`
//! lies in (0, EXP_THRESHOLD), and Idl with its own Rds derivative terms; the shared stage of
//! the later revisions (`crate::bsim3::shared`) has all of those, so 3.0 has its own here. The
//! rest of 3.0 is branches in [`super::dc`], [`super::temp`], [`super::isub`] and the charge
//! and noise modules.

use super::temp::{Bsim3v3, EXP_THRESHOLD, MAX_EXP, MIN_EXP};
use crate::bsim3::shared::{DrainBias, OutputParams};

/// The junction diode of `b3v0ld.c`: area-only saturation current `sat` at the fixed
/// thermal voltage `vt0` (300.15 K); below -0.5 V the reverse current is -sat plus GMIN,
/// above 0.5 V the current stays at its 0.5 V value (plus GMIN x 0.5) while the reported
/// conductance is the exponential's at 0.5 V. Returns (current, conductance).
pub(crate) fn diode(v: f64, sat: f64, vt0: f64, gmin: f64) -> (f64, f64) {
    if sat <= 0.0 {
        (gmin * v, gmin)
    } else if v <= -0.5 {
        (-sat + gmin * v, gmin)
    } else if v < 0.5 {
        let ev = (v / vt0).exp();
        (sat * (ev - 1.0) + gmin * v, sat * ev / vt0 + gmin)
    } else {
        let ev = (0.5 / vt0).exp();
        (sat * (ev - 1.0) + gmin * 0.5, sat * ev / vt0 + gmin)
    }
}

/// Ids and its derivatives [ids, gm, gds, gmb] (mode frame, chained through Vgsteff and
/// Vbseff) from the bias quantities, with Rds and its Vg/Vb derivatives, as `b3v0ld.c`;
/// beside them [Idsa, dIdsa/dVg, dIdsa/dVd, dIdsa/dVb] (before the chain rule) for the
/// substrate current.
pub(crate) fn drain_current(p: &OutputParams, b: &DrainBias, rds: [f64; 3]) -> ([f64; 4], [f64; 4]) {
    let OutputParams { pclm, litl, theta_rout, pdiblb, pvag, pscbe1_litl, pscbe2, leff } = *p;
    let [rds, drds_dvg, drds_dvb] = rds;
    let DrainBias {
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
    } = *b;

    // VACLM (no diffVds guard; d/dVd divides by Esat, not EsatL, as b3v0ld.c does).
    let (vaclm, dvaclm_dvg, dvaclm_dvb, dvaclm_dvd) = if pclm > 0.0 {
        let t0 = 1.0 / (pclm * abulk * litl);
        let dt0_dvb = -t0 / abulk * dabulk_dvb;
        let dt0_dvg = -t0 / abulk * dabulk_dvg;
        let t2 = vgsteff / esat_l;
        let t1 = leff * (abulk + t2);
        let dt1_dvg = leff * ((1.0 - t2 * desatl_dvg) / esat_l + dabulk_dvg);
        let dt1_dvb = leff * (dabulk_dvb - t2 * desatl_dvb / esat_l);
        let dt1_dvd = -t2 * desatl_dvd / esat;
        (
            t0 * t1 * diff_vds,
            t0 * dt1_dvg * diff_vds - t0 * t1 * dvdseff_dvg + t1 * diff_vds * dt0_dvg,
            (dt0_dvb * t1 + t0 * dt1_dvb) * diff_vds - t0 * t1 * dvdseff_dvb,
            t0 * dt1_dvd * diff_vds + t0 * t1 * (1.0 - dvdseff_dvd),
        )
    } else {
        (MAX_EXP, 0.0, 0.0, 0.0)
    };

    // VADIBL (PDIBLCB without smoothing).
    let (vadibl, dvadibl_dvg, dvadibl_dvb, dvadibl_dvd) = if theta_rout > 0.0 {
        let t0 = vgst2vtm * abulk * vdsat;
        let dt0_dvg = vgst2vtm * abulk * dvdsat_dvg + abulk * vdsat + vgst2vtm * vdsat * dabulk_dvg;
        let dt0_dvb = vgst2vtm * (dabulk_dvb * vdsat + abulk * dvdsat_dvb);
        let dt0_dvd = vgst2vtm * abulk * dvdsat_dvd;
        let t1 = vgst2vtm + abulk * vdsat;
        let dt1_dvg = 1.0 + abulk * dvdsat_dvg + vdsat * dabulk_dvg;
        let dt1_dvb = abulk * dvdsat_dvb + dabulk_dvb * vdsat;
        let dt1_dvd = abulk * dvdsat_dvd;
        let t2 = theta_rout * (1.0 + pdiblb * vbseff);
        let v = (vgst2vtm - t0 / t1) / t2;
        (
            v,
            (1.0 - dt0_dvg / t1 + t0 * dt1_dvg / (t1 * t1)) / t2,
            ((-dt0_dvb / t1 + t0 * dt1_dvb / (t1 * t1)) - v * theta_rout * pdiblb) / t2,
            (-dt0_dvd / t1 + t0 * dt1_dvd / (t1 * t1)) / t2,
        )
    } else {
        (MAX_EXP, 0.0, 0.0, 0.0)
    };

    // VA = VAsat + (1 + PVAG Vgsteff / EsatL) (VACLM || VADIBL).
    let t0 = 1.0 + pvag * vgsteff / esat_l;
    let dt0_dvg = pvag * (1.0 - vgsteff * desatl_dvg / esat_l) / esat_l;
    let dt0_dvb = -pvag * vgsteff * desatl_dvb / esat_l / esat_l;
    let dt0_dvd = -pvag * vgsteff * desatl_dvd / esat_l / esat_l;
    let tmp1 = vaclm * vaclm;
    let tmp2 = vadibl * vadibl;
    let tmp3 = vaclm + vadibl;
    let t1 = vaclm * vadibl / tmp3;
    let tmp3 = tmp3 * tmp3;
    let dt1_dvg = (tmp1 * dvadibl_dvg + tmp2 * dvaclm_dvg) / tmp3;
    let dt1_dvd = (tmp1 * dvadibl_dvd + tmp2 * dvaclm_dvd) / tmp3;
    let dt1_dvb = (tmp1 * dvadibl_dvb + tmp2 * dvaclm_dvb) / tmp3;
    let va = vasat + t0 * t1;
    let dva_dvg = dvasat_dvg + t1 * dt0_dvg + t0 * dt1_dvg;
    let dva_dvd = dvasat_dvd + t1 * dt0_dvd + t0 * dt1_dvd;
    let dva_dvb = dvasat_dvb + t1 * dt0_dvb + t0 * dt1_dvb;

    // VASCBE: the exponential only for PSCBE1 litl / diffVds in (0, EXP_THRESHOLD).
    let t0 = if diff_vds != 0.0 { pscbe1_litl / diff_vds } else { 0.0 };
    let (vascbe, dvascbe_dvg, dvascbe_dvd, dvascbe_dvb) = if diff_vds != 0.0 && t0 > 0.0 && t0 < EXP_THRESHOLD {
        let v = leff * t0.exp() / pscbe2;
        let t1 = t0 * v / diff_vds;
        (v, t1 * dvdseff_dvg, -t1 * (1.0 - dvdseff_dvd), t1 * dvdseff_dvb)
    } else {
        (MAX_EXP * leff / pscbe2, 0.0, 0.0, 0.0)
    };

    // Idl with Rds.
    let t0 = 1.0 - 0.5 * abulk * vdseff / vgst2vtm;
    let dt0_dvg = -0.5 * (abulk * dvdseff_dvg - abulk * vdseff / vgst2vtm + vdseff * dabulk_dvg) / vgst2vtm;
    let dt0_dvd = -0.5 * abulk * dvdseff_dvd / vgst2vtm;
    let dt0_dvb = -0.5 * (abulk * dvdseff_dvb + dabulk_dvb * vdseff) / vgst2vtm;
    let fgche1 = vgsteff * t0;
    let dfgche1_dvg = vgsteff * dt0_dvg + t0;
    let dfgche1_dvd = vgsteff * dt0_dvd;
    let dfgche1_dvb = vgsteff * dt0_dvb;
    let fgche2 = 1.0 + vdseff / esat_l;
    let dfgche2_dvg = (dvdseff_dvg - vdseff / esat_l * desatl_dvg) / esat_l;
    let dfgche2_dvd = (dvdseff_dvd - vdseff / esat_l * desatl_dvd) / esat_l;
    let dfgche2_dvb = (dvdseff_dvb - vdseff / esat_l * desatl_dvb) / esat_l;
    let gche = beta * fgche1 / fgche2;
    let dgche_dvg = (beta * dfgche1_dvg + fgche1 * dbeta_dvg - gche * dfgche2_dvg) / fgche2;
    let dgche_dvd = (beta * dfgche1_dvd + fgche1 * dbeta_dvd - gche * dfgche2_dvd) / fgche2;
    let dgche_dvb = (beta * dfgche1_dvb + fgche1 * dbeta_dvb - gche * dfgche2_dvb) / fgche2;
    let t0 = 1.0 + gche * rds;
    let idl = gche * vdseff / t0;
    let didl_dvg = (gche * dvdseff_dvg + vdseff * dgche_dvg / t0) / t0 - idl * gche / t0 * drds_dvg;
    let didl_dvd = (gche * dvdseff_dvd + vdseff * dgche_dvd / t0) / t0;
    let didl_dvb = (gche * dvdseff_dvb + vdseff * dgche_dvb / t0 - idl * drds_dvb * gche) / t0;

    let t0 = 1.0 + diff_vds / va;
    let idsa = idl * t0;
    let didsa_dvg = t0 * didl_dvg - idl * (dvdseff_dvg + diff_vds / va * dva_dvg) / va;
    let didsa_dvd = t0 * didl_dvd + idl * (1.0 - dvdseff_dvd - diff_vds / va * dva_dvd) / va;
    let didsa_dvb = t0 * didl_dvb - idl * (dvdseff_dvb + diff_vds / va * dva_dvb) / va;

    let t0 = 1.0 + diff_vds / vascbe;
    let ids = idsa * t0;
    let gm = t0 * didsa_dvg - idsa * (dvdseff_dvg + diff_vds / vascbe * dvascbe_dvg) / vascbe;
    let gds = t0 * didsa_dvd + idsa * (1.0 - dvdseff_dvd - diff_vds / vascbe * dvascbe_dvd) / vascbe;
    let gmb = t0 * didsa_dvb - idsa * (dvdseff_dvb + diff_vds / vascbe * dvascbe_dvb) / vascbe;
    (
        [ids, gm * dvgsteff_dvg, gds + gm * dvgsteff_dvd, (gmb + gm * dvgsteff_dvb) * dvbseff_dvb],
        [idsa, didsa_dvg, didsa_dvd, didsa_dvb],
    )
}

impl Bsim3v3 {
    /// Vgsteff and its (d/dVg, d/dVd, d/dVb) as `b3v0ld.c`: numerator T1 and denominator T2
    /// each in its own three regimes (below -EXP_THRESHOLD, above it, between).
    pub(crate) fn vgsteff_v30(
        &self,
        vgst: f64,
        n: f64,
        [dn_dvd, dn_dvb]: [f64; 2],
        [dvth_dvd, dvth_dvb]: [f64; 2],
        dvgs_eff_dvg: f64,
    ) -> (f64, f64, f64, f64) {
        let vtm = self.vtm;
        let t10 = 2.0 * n * vtm;
        let vgst_nvt = vgst / t10;
        let (t1, dt1_dvg, dt1_dvd, dt1_dvb) = if vgst_nvt < -EXP_THRESHOLD {
            (t10 * MIN_EXP, 0.0, 0.0, 0.0)
        } else if vgst_nvt > EXP_THRESHOLD {
            (vgst, dvgs_eff_dvg, -dvth_dvd, -dvth_dvb)
        } else {
            let e = vgst_nvt.exp();
            let t1 = t10 * (1.0 + e).ln();
            let dg = e / (1.0 + e);
            (
                t1,
                dg * dvgs_eff_dvg,
                -dg * (dvth_dvd + vgst / n * dn_dvd) + t1 / n * dn_dvd,
                -dg * (dvth_dvb + vgst / n * dn_dvb) + t1 / n * dn_dvb,
            )
        };
        let exp_arg = (2.0 * self.voff - vgst) / t10;
        let (t2, dt2_dvg, dt2_dvd, dt2_dvb) = if exp_arg < -EXP_THRESHOLD {
            (1.0, 0.0, 0.0, 0.0)
        } else if exp_arg > EXP_THRESHOLD {
            (1.0 + 2.0 * n * self.cox / self.cdep0 * MAX_EXP, 0.0, 0.0, 0.0)
        } else {
            let dg = -self.cox / vtm / self.cdep0 * exp_arg.exp();
            let t2 = 1.0 - t10 * dg;
            (
                t2,
                dg * dvgs_eff_dvg,
                -dg * (dvth_dvd - 2.0 * vtm * exp_arg * dn_dvd) + (t2 - 1.0) / n * dn_dvd,
                -dg * (dvth_dvb - 2.0 * vtm * exp_arg * dn_dvb) + (t2 - 1.0) / n * dn_dvb,
            )
        };
        let t22 = t2 * t2;
        (
            t1 / t2,
            (t2 * dt1_dvg - t1 * dt2_dvg) / t22,
            (t2 * dt1_dvd - t1 * dt2_dvd) / t22,
            (t2 * dt1_dvb - t1 * dt2_dvb) / t22,
        )
    }

    /// (Abulk0, dAbulk0/dVb, Abulk, dAbulk/dVg, dAbulk/dVb, Abulk) as `b3v0ld.c`: KETA as
    /// 1 / (1 + KETA Vbseff) without smoothing, Abulk0 and Abulk floored at 0.01 with their
    /// derivatives left as they were.
    pub(crate) fn abulk_v30(
        &self,
        [sqrt_phis, dsqrt_phis_dvb]: [f64; 2],
        [xdep, dxdep_dvb]: [f64; 2],
        vbseff: f64,
        vgsteff: f64,
    ) -> (f64, f64, f64, f64, f64, f64) {
        let t0 = 1.0 / (1.0 + self.keta * vbseff);
        let dt0_dvb = -self.keta * t0 * t0;
        let t1 = 0.5 * self.k1 / sqrt_phis;
        let dt1_dvb = -t1 / sqrt_phis * dsqrt_phis_dvb;
        let leff = self.leff;
        let tmp1 = leff + 2.0 * (self.xj * xdep).sqrt();
        let t5 = leff / tmp1;
        let tmp2 = self.a0 * t5;
        let tmp4 = self.b0 / (self.weff + self.b1);
        let t2 = tmp2 + tmp4;
        let dt2_dvb = -tmp2 / tmp1 * (self.xj / xdep).sqrt() * dxdep_dvb;
        let t7 = t5 * t5 * t5;
        let abulk0 = (t0 * (1.0 + t1 * t2)).max(0.01);
        let t8 = self.ags * self.a0 * t7;
        let dabulk_dvg = -t1 * t0 * t8;
        let abulk = (abulk0 + dabulk_dvg * vgsteff).max(0.01);
        let dabulk0_dvb = t0 * t1 * dt2_dvb + t0 * t2 * dt1_dvb + (1.0 + t1 * t2) * dt0_dvb;
        let dabulk_dvb = dabulk0_dvb - t8 * vgsteff * (t1 * (3.0 * t0 * dt2_dvb / tmp2 + dt0_dvb) + t0 * dt1_dvb);
        (abulk0, dabulk0_dvb, abulk, dabulk_dvg, dabulk_dvb, abulk)
    }
}

//! The equations BSIM-lite ([`crate::bsim3`]) and the full BSIM3v3 ([`crate::bsim3v3`])
//! share, written once: the output-resistance terms and the drain current built on them
//! ([`drain_current`]), the charge-thickness (CAPMOD 3) charges from VdseffCV on
//! ([`ctm_charges`]), and the instance accessors and junction depletion charges
//! ([`bsim3_instance_methods!`], for two structs with the same field names).
//!
//! Each model computes the inputs its own way (BSIM-lite from precomputed products, the
//! full model with Rds, A1/A2, DWG/DWB and its revision branches) and hands them over by
//! name; the functions are `#[inline(always)]` so that BSIM-lite's hot path compiles to the
//! same code as when the lines stood in its own body (the same operations in the same
//! order, hence the same bits).

use super::lane::Lane;
use super::temp::{EXP_THRESHOLD, MAX_EXP};

/// Card values the output-resistance terms read (`b3ld.c` names).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OutputParams {
    pub pclm: f64,
    pub litl: f64,
    pub theta_rout: f64,
    pub pdiblb: f64,
    pub pvag: f64,
    /// PSCBE1 litl.
    pub pscbe1_litl: f64,
    pub pscbe2: f64,
    pub leff: f64,
}

/// Bias-dependent inputs of the drain current from VAsat on, in the mode frame with their
/// derivatives with respect to Vg, Vd, Vb (named as the bias functions name them).
/// `T` is the number type of the VGS-dependent values ([`Lane`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DrainBias<T = f64> {
    pub abulk: T,
    pub dabulk_dvg: T,
    pub dabulk_dvb: T,
    pub vgsteff: T,
    pub dvgsteff_dvg: T,
    pub dvgsteff_dvd: T,
    pub dvgsteff_dvb: T,
    pub dvbseff_dvb: f64,
    pub vgst2vtm: T,
    pub vbseff: f64,
    pub esat: T,
    pub esat_l: T,
    pub desatl_dvg: T,
    pub desatl_dvd: T,
    pub desatl_dvb: T,
    pub vdsat: T,
    pub dvdsat_dvg: T,
    pub dvdsat_dvd: T,
    pub dvdsat_dvb: T,
    pub vasat: T,
    pub dvasat_dvg: T,
    pub dvasat_dvd: T,
    pub dvasat_dvb: T,
    /// Vdseff (already clamped to Vds) and its derivatives.
    pub vdseff: T,
    pub dvdseff_dvg: T,
    pub dvdseff_dvd: T,
    pub dvdseff_dvb: T,
    /// Vds - Vdseff.
    pub diff_vds: T,
    /// beta = ueff Cox Weff / Leff and its derivatives.
    pub beta: T,
    pub dbeta_dvg: T,
    pub dbeta_dvd: T,
    pub dbeta_dvb: T,
}

/// The channel current and its derivatives `[Ids, gm, gds, gmb]` (per unit of M, mode
/// frame; gm, gds, gmb through Vgsteff and Vbseff) from VAsat on: VACLM, VADIBL, the Early
/// voltage VA, VASCBE, the channel conductance gche and Idl = gche Vdseff / (1 + gche Rds),
/// Ids = Idl (1 + (Vds - Vdseff)/VA) (1 + (Vds - Vdseff)/VASCBE) (`b3ld.c`).
/// `rds` = [Rds, dRds/dVg, dRds/dVb] where the model has RDSW (the full model always
/// passes it); `None` is BSIM-lite's Rds = 0.
#[inline(always)]
pub(crate) fn drain_current<T: Lane>(p: &OutputParams, b: &DrainBias<T>, rds: Option<[T; 3]>) -> [T; 4] {
    drain_current_with_idsa(p, b, rds).0
}

/// [`drain_current`] and `[Idsa, dIdsa/dVg, dIdsa/dVd, dIdsa/dVb]`: the current before the
/// VASCBE factor with its derivatives before the Vgsteff/Vbseff chain, which the substrate
/// current (`bsim3v3::isub`) multiplies.
#[inline(always)]
pub(crate) fn drain_current_with_idsa<T: Lane>(
    p: &OutputParams,
    b: &DrainBias<T>,
    rds: Option<[T; 3]>,
) -> ([T; 4], [T; 4]) {
    let OutputParams { pclm, litl, theta_rout, pdiblb, pvag, pscbe1_litl, pscbe2, leff } = *p;
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
    let c = T::splat;
    let huge = || (c(MAX_EXP), c(0.0), c(0.0), c(0.0));

    // --- VACLM
    let (vaclm, dvaclm_dvg, dvaclm_dvb, dvaclm_dvd) = if pclm > 0.0 {
        T::select(
            diff_vds.gt(c(1.0e-10)),
            || {
                let t0 = c(1.0) / (abulk * pclm * litl);
                let dt0_dvb = -t0 / abulk * dabulk_dvb;
                let dt0_dvg = -t0 / abulk * dabulk_dvg;
                let t2 = vgsteff / esat_l;
                let t1 = (abulk + t2) * leff;
                let dt1_dvg = ((c(1.0) - t2 * desatl_dvg) / esat_l + dabulk_dvg) * leff;
                let dt1_dvb = (dabulk_dvb - t2 * desatl_dvb / esat_l) * leff;
                let dt1_dvd = -t2 * desatl_dvd / esat;
                let t9 = t0 * t1;
                (
                    t9 * diff_vds,
                    t0 * dt1_dvg * diff_vds - t9 * dvdseff_dvg + t1 * diff_vds * dt0_dvg,
                    (dt0_dvb * t1 + t0 * dt1_dvb) * diff_vds - t9 * dvdseff_dvb,
                    t0 * dt1_dvd * diff_vds + t9 * (c(1.0) - dvdseff_dvd),
                )
            },
            huge,
        )
    } else {
        huge()
    };

    // --- VADIBL
    let (vadibl, dvadibl_dvg, dvadibl_dvb, dvadibl_dvd) = if theta_rout > 0.0 {
        let t8 = abulk * vdsat;
        let t0 = vgst2vtm * t8;
        let dt0_dvg = vgst2vtm * abulk * dvdsat_dvg + t8 + vgst2vtm * vdsat * dabulk_dvg;
        let dt0_dvb = vgst2vtm * (dabulk_dvb * vdsat + abulk * dvdsat_dvb);
        let dt0_dvd = vgst2vtm * abulk * dvdsat_dvd;
        let t1 = vgst2vtm + t8;
        let dt1_dvg = c(1.0) + abulk * dvdsat_dvg + vdsat * dabulk_dvg;
        let dt1_dvb = abulk * dvdsat_dvb + dabulk_dvb * vdsat;
        let dt1_dvd = abulk * dvdsat_dvd;
        let t9 = t1 * t1;
        let t2 = theta_rout;
        let mut v = (vgst2vtm - t0 / t1) / t2;
        let mut dg = (c(1.0) - dt0_dvg / t1 + t0 * dt1_dvg / t9) / t2;
        let mut db = (-dt0_dvb / t1 + t0 * dt1_dvb / t9) / t2;
        let mut dd = (-dt0_dvd / t1 + t0 * dt1_dvd / t9) / t2;
        let t7 = pdiblb * vbseff;
        if t7 >= -0.9 {
            let t3 = 1.0 / (1.0 + t7);
            v = v * t3;
            dg = dg * t3;
            db = (db - v * pdiblb) * t3;
            dd = dd * t3;
        } else {
            let t4 = 1.0 / (0.8 + t7);
            let t3 = (17.0 + 20.0 * t7) * t4;
            dg = dg * t3;
            db = db * t3 - v * pdiblb * t4 * t4;
            dd = dd * t3;
            v = v * t3;
        }
        (v, dg, db, dd)
    } else {
        huge()
    };

    // --- VA
    let t8 = c(pvag) / esat_l;
    let t9 = t8 * vgsteff;
    let (t0, dt0_dvg, dt0_dvb, dt0_dvd) = T::select(
        t9.gt(c(-0.9)),
        || {
            (
                t9 + 1.0,
                t8 * (c(1.0) - vgsteff * desatl_dvg / esat_l),
                -t9 * desatl_dvb / esat_l,
                -t9 * desatl_dvd / esat_l,
            )
        },
        || {
            let t1 = c(1.0) / (t9 * 20.0 + 17.0);
            let t0 = (t9 + 0.8) * t1;
            let t1 = t1 * t1;
            let dg = t8 * (c(1.0) - vgsteff * desatl_dvg / esat_l) * t1;
            let t9 = t9 * t1 / esat_l;
            (t0, dg, -t9 * desatl_dvb, -t9 * desatl_dvd)
        },
    );
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

    // --- VASCBE
    let (vascbe, dvascbe_dvg, dvascbe_dvd, dvascbe_dvb) = if pscbe2 > 0.0 {
        T::select(
            diff_vds.gt(c(pscbe1_litl / EXP_THRESHOLD)),
            || {
                let t0 = c(pscbe1_litl) / diff_vds;
                let v = t0.exp() * leff / pscbe2;
                let t1 = t0 * v / diff_vds;
                (v, t1 * dvdseff_dvg, -t1 * (c(1.0) - dvdseff_dvd), t1 * dvdseff_dvb)
            },
            || (c(MAX_EXP * leff / pscbe2), c(0.0), c(0.0), c(0.0)),
        )
    } else {
        huge()
    };

    // --- Ids
    let t0 = c(1.0) - abulk * 0.5 * vdseff / vgst2vtm;
    let dt0_dvg = (abulk * dvdseff_dvg - abulk * vdseff / vgst2vtm + vdseff * dabulk_dvg) * -0.5 / vgst2vtm;
    let dt0_dvd = abulk * -0.5 * dvdseff_dvd / vgst2vtm;
    let dt0_dvb = (abulk * dvdseff_dvb + dabulk_dvb * vdseff) * -0.5 / vgst2vtm;
    let fgche1 = vgsteff * t0;
    let dfgche1_dvg = vgsteff * dt0_dvg + t0;
    let dfgche1_dvd = vgsteff * dt0_dvd;
    let dfgche1_dvb = vgsteff * dt0_dvb;
    let t9 = vdseff / esat_l;
    let fgche2 = t9 + 1.0;
    let dfgche2_dvg = (dvdseff_dvg - t9 * desatl_dvg) / esat_l;
    let dfgche2_dvd = (dvdseff_dvd - t9 * desatl_dvd) / esat_l;
    let dfgche2_dvb = (dvdseff_dvb - t9 * desatl_dvb) / esat_l;
    let gche = beta * fgche1 / fgche2;
    let dgche_dvg = (beta * dfgche1_dvg + fgche1 * dbeta_dvg - gche * dfgche2_dvg) / fgche2;
    let dgche_dvd = (beta * dfgche1_dvd + fgche1 * dbeta_dvd - gche * dfgche2_dvd) / fgche2;
    let dgche_dvb = (beta * dfgche1_dvb + fgche1 * dbeta_dvb - gche * dfgche2_dvb) / fgche2;
    let (idl, didl_dvg, didl_dvd, didl_dvb) = match rds {
        None => {
            // Rds = 0: T0 = 1 + gche * Rds = 1.
            let t9 = vdseff;
            let idl = gche * t9;
            (
                idl,
                gche * dvdseff_dvg + t9 * dgche_dvg,
                gche * dvdseff_dvd + t9 * dgche_dvd,
                gche * dvdseff_dvb + t9 * dgche_dvb,
            )
        }
        Some([rds, drds_dvg, drds_dvb]) => {
            let t0 = c(1.0) + gche * rds;
            let t9 = vdseff / t0;
            let idl = gche * t9;
            (
                idl,
                (gche * dvdseff_dvg + t9 * dgche_dvg) / t0 - idl * gche / t0 * drds_dvg,
                (gche * dvdseff_dvd + t9 * dgche_dvd) / t0,
                (gche * dvdseff_dvb + t9 * dgche_dvb - idl * drds_dvb * gche) / t0,
            )
        }
    };

    let t9 = diff_vds / va;
    let t0 = t9 + 1.0;
    let idsa = idl * t0;
    let didsa_dvg = t0 * didl_dvg - idl * (dvdseff_dvg + t9 * dva_dvg) / va;
    let didsa_dvd = t0 * didl_dvd + idl * (c(1.0) - dvdseff_dvd - t9 * dva_dvd) / va;
    let didsa_dvb = t0 * didl_dvb - idl * (dvdseff_dvb + t9 * dva_dvb) / va;

    let t9 = diff_vds / vascbe;
    let t0 = t9 + 1.0;
    let ids = idsa * t0;
    let gm = t0 * didsa_dvg - idsa * (dvdseff_dvg + t9 * dvascbe_dvg) / vascbe;
    let gds = t0 * didsa_dvd + idsa * (c(1.0) - dvdseff_dvd - t9 * dvascbe_dvd) / vascbe;
    let gmb = t0 * didsa_dvb - idsa * (dvdseff_dvb + t9 * dvascbe_dvb) / vascbe;
    let gds = gds + gm * dvgsteff_dvd;
    let gmb = gmb + gm * dvgsteff_dvb;
    let gm = gm * dvgsteff_dvg;
    let gmb = gmb * dvbseff_dvb;
    ([ids, gm, gds, gmb], [idsa, didsa_dvg, didsa_dvd, didsa_dvb])
}

/// Inputs of the charge-thickness charges from VdseffCV on (mode frame, per unit of M).
/// `T` is the number type of the VGS-dependent values ([`Lane`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CtmBias<T = f64> {
    /// XPART: > 0.5 is 0/100, < 0.5 40/60, 0.5 50/50.
    pub xpart: f64,
    pub abulk_cv: f64,
    pub dabulk_cv_dvb: f64,
    pub vdseff_cv: T,
    pub dvdseff_cv_dvg: T,
    pub dvdseff_cv_dvd: T,
    pub dvdseff_cv_dvb: T,
    /// VgDP (Vgsteff - DeltaPhi, smoothed) and its Vg derivative through Vgsteff.
    pub vgdp: T,
    pub dvgdp_dvg: T,
    pub dvgsteff_dvg: T,
    pub dvgsteff_dvd: T,
    pub dvgsteff_dvb: T,
    pub dvbseff_dvb: f64,
    /// Cox WeffCV LeffCV Coxeff / Cox.
    pub cox_wl_cen: T,
    pub coxeff: T,
    pub dcoxeff_dvg: T,
    pub dcoxeff_dvd: T,
    pub dcoxeff_dvb: T,
    /// Accumulation and depletion charges with their derivatives.
    pub qac0: T,
    pub dqac0_dvg: T,
    pub dqac0_dvb: T,
    pub qsub0: T,
    pub dqsub0_dvg: T,
    pub dqsub0_dvd: T,
    pub dqsub0_dvb: T,
}

/// CAPMOD 3's inversion charges with the XPART partition, added to the accumulation and
/// depletion charges: `([qgate, qdrn, qbulk, qinv], [cgg, cgd, cgb, cbg, cbd, cbb, csg, csd,
/// csb])` per unit of M in the mode frame, the form [`crate::Bsim3Caps::assemble`] takes.
#[inline(always)]
pub(crate) fn ctm_charges<T: Lane>(b: &CtmBias<T>) -> ([T; 4], [T; 9]) {
    let CtmBias {
        xpart,
        abulk_cv,
        dabulk_cv_dvb,
        vdseff_cv,
        dvdseff_cv_dvg,
        dvdseff_cv_dvd,
        dvdseff_cv_dvb,
        vgdp,
        dvgdp_dvg,
        dvgsteff_dvg,
        dvgsteff_dvd,
        dvgsteff_dvb,
        dvbseff_dvb,
        cox_wl_cen,
        coxeff,
        dcoxeff_dvg,
        dcoxeff_dvd,
        dcoxeff_dvb,
        qac0,
        dqac0_dvg,
        dqac0_dvb,
        qsub0,
        dqsub0_dvg,
        dqsub0_dvd,
        dqsub0_dvb,
    } = *b;
    let c = T::splat;
    let t0 = vdseff_cv * abulk_cv;
    let t1 = vgdp;
    let t2 = (t1 - t0 * 0.5 + 1.0e-20) * 12.0;
    let t3 = t0 / t2;
    let t4 = c(1.0) - t3 * 12.0 * t3;
    let t5 = (t0 * 6.0 * (t1 * 4.0 - t0) / (t2 * t2) - 0.5) * abulk_cv;
    let t6 = t5 * vdseff_cv / abulk_cv;

    let qgate = cox_wl_cen * (t1 - t0 * (c(0.5) - t3));
    let qinoi = qgate;
    let qov_cox = qgate / coxeff;
    let cgg1 = cox_wl_cen * (t4 * dvgdp_dvg + t5 * dvdseff_cv_dvg);
    let cgd1 = cox_wl_cen * t5 * dvdseff_cv_dvd + cgg1 * dvgsteff_dvd + qov_cox * dcoxeff_dvd;
    let cgb1 = cox_wl_cen * (t5 * dvdseff_cv_dvb + t6 * dabulk_cv_dvb) + cgg1 * dvgsteff_dvb + qov_cox * dcoxeff_dvb;
    let cgg1 = cgg1 * dvgsteff_dvg + qov_cox * dcoxeff_dvg;

    let t7 = 1.0 - abulk_cv;
    let t8 = t2 * t2;
    let t9 = t0 * (12.0 * t7) * t0 / (t8 * abulk_cv);
    let t10 = t9 * dvgdp_dvg;
    let t11 = t5 * -t7 / abulk_cv;
    let t12 = -(t9 * t1 / abulk_cv + vdseff_cv * (c(0.5) - t0 / t2));

    let qbulk = cox_wl_cen * t7 * (vdseff_cv * 0.5 - t0 * vdseff_cv / t2);
    let qov_cox = qbulk / coxeff;
    let cbg1 = cox_wl_cen * (t10 + t11 * dvdseff_cv_dvg);
    let cbd1 = cox_wl_cen * t11 * dvdseff_cv_dvd + cbg1 * dvgsteff_dvd + qov_cox * dcoxeff_dvd;
    let cbb1 = cox_wl_cen * (t11 * dvdseff_cv_dvb + t12 * dabulk_cv_dvb) + cbg1 * dvgsteff_dvb + qov_cox * dcoxeff_dvb;
    let cbg1 = cbg1 * dvgsteff_dvg + qov_cox * dcoxeff_dvg;

    let (qsrc, csg, csd, csb) = if xpart > 0.5 {
        // 0/100
        let qsrc = -cox_wl_cen * (t1 / 2.0 + t0 / 4.0 - t0 * 0.5 * t0 / t2);
        let qov_cox = qsrc / coxeff;
        let t2 = t2 + t2;
        let t3 = t2 * t2;
        let t7 = -(c(0.25) - t0 * 12.0 * (t1 * 4.0 - t0) / t3);
        let t4 = -(t0 * 24.0 * t0 / t3 + 0.5) * dvgdp_dvg;
        let t5 = t7 * abulk_cv;
        let t6 = t7 * vdseff_cv;
        let csg = cox_wl_cen * (t4 + t5 * dvdseff_cv_dvg);
        let csd = cox_wl_cen * t5 * dvdseff_cv_dvd + csg * dvgsteff_dvd + qov_cox * dcoxeff_dvd;
        let csb = cox_wl_cen * (t5 * dvdseff_cv_dvb + t6 * dabulk_cv_dvb) + csg * dvgsteff_dvb + qov_cox * dcoxeff_dvb;
        let csg = csg * dvgsteff_dvg + qov_cox * dcoxeff_dvg;
        (qsrc, csg, csd, csb)
    } else if xpart < 0.5 {
        // 40/60
        let t2 = t2 / 12.0;
        let t3 = cox_wl_cen * 0.5 / (t2 * t2);
        let t4 = t1 * (t0 * 2.0 * t0 / 3.0 + t1 * (t1 - t0 * 4.0 / 3.0)) - t0 * 2.0 * t0 * t0 / 15.0;
        let qsrc = -t3 * t4;
        let qov_cox = qsrc / coxeff;
        let t8 = t1 * (4.0 / 3.0) * (t1 - t0) + t0 * 0.4 * t0;
        let t5 = qsrc * -2.0 / t2 - t3 * (t1 * (t1 * 3.0 - t0 * 8.0 / 3.0) + t0 * 2.0 * t0 / 3.0);
        let t6 = (qsrc / t2 + t3 * t8) * abulk_cv;
        let t7 = t6 * vdseff_cv / abulk_cv;
        let csg = t5 * dvgdp_dvg + t6 * dvdseff_cv_dvg;
        let csd = csg * dvgsteff_dvd + t6 * dvdseff_cv_dvd + qov_cox * dcoxeff_dvd;
        let csb = csg * dvgsteff_dvb + t6 * dvdseff_cv_dvb + t7 * dabulk_cv_dvb + qov_cox * dcoxeff_dvb;
        let csg = csg * dvgsteff_dvg + qov_cox * dcoxeff_dvg;
        (qsrc, csg, csd, csb)
    } else {
        // 50/50
        (qgate * -0.5, cgg1 * -0.5, cgd1 * -0.5, cgb1 * -0.5)
    };

    let qgate = qgate + (qac0 + qsub0 - qbulk);
    let qbulk = qbulk - (qac0 + qsub0);
    let qdrn = -(qgate + qbulk + qsrc);

    let cbg = cbg1 - dqac0_dvg - dqsub0_dvg;
    let cbd = cbd1 - dqsub0_dvd;
    let cbb = cbb1 - dqac0_dvb - dqsub0_dvb;
    let cgg = cgg1 - cbg;
    let cgd = cgd1 - cbd;
    let cgb = cgb1 - cbb;
    let cgb = cgb * dvbseff_dvb;
    let cbb = cbb * dvbseff_dvb;
    let csb = csb * dvbseff_dvb;
    ([qgate, qdrn, qbulk, -qinoi], [cgg, cgd, cgb, cbg, cbd, cbb, csg, csd, csb])
}

/// The accessors and junction depletion charges of a BSIM3 instance, for `impl Bsim3` and
/// `impl Bsim3v3` (both structs carry these fields under the same names).
macro_rules! bsim3_instance_methods {
    () => {
        /// +1 for NMOS, -1 for PMOS.
        pub fn mos_type(&self) -> f64 {
            self.typ
        }
        /// Oxide capacitance per area EPSOX/TOX (F/m^2).
        pub fn cox(&self) -> f64 {
            self.cox
        }
        /// Effective channel width of the I-V model (Weff).
        pub fn weff(&self) -> f64 {
            self.weff
        }
        /// Effective channel length of the I-V model (Leff).
        pub fn leff(&self) -> f64 {
            self.leff
        }
        /// Effective width of the C-V model (W + XW - 2 DWC).
        pub fn weff_cv(&self) -> f64 {
            self.weff_cv
        }
        /// Effective length of the C-V model (L + XL - 2 DLC).
        pub fn leff_cv(&self) -> f64 {
            self.leff_cv
        }
        /// Parallel multiplier M.
        pub fn m(&self) -> f64 {
            self.m
        }
        /// Thermal voltage used by ngspice's junction limiting in `b3ld.c`: CONSTvt0, kT/q at
        /// 27 C (BSIM3 passes this, not the device temperature's, to `pnjlim`).
        pub fn vt(&self) -> f64 {
            $crate::consts::vt($crate::consts::REFTEMP)
        }
        /// Thermal voltage (BSIM3's k/q) at the device temperature.
        pub fn vtm(&self) -> f64 {
            self.vtm
        }
        /// Device temperature in kelvin.
        pub fn temp_k(&self) -> f64 {
            self.temp
        }
        /// Nominal temperature in kelvin.
        pub fn tnom_k(&self) -> f64 {
            self.tnom
        }
        /// Critical voltage for pnjlim of the bulk-drain junction (`BSIM3vcrit`, same for both).
        pub fn vcrit_bd(&self) -> f64 {
            self.vcrit
        }
        /// Critical voltage for pnjlim of the bulk-source junction.
        pub fn vcrit_bs(&self) -> f64 {
            self.vcrit
        }
        /// VTH0 as ngspice stores it (sign of the card: negative for a usual PMOS).
        pub fn vth0(&self) -> f64 {
            self.vth0
        }
        /// VTH0 in the n-frame (`type * vth0`): ngspice's initial `vgs = vth0_n + 0.1` guess.
        pub fn vth0_n(&self) -> f64 {
            self.typ * self.vth0
        }
        /// Surface potential phi = 2 Vtm0 ln(NCH/ni) (at TNOM, as BSIM3 keeps it).
        pub fn phi(&self) -> f64 {
            self.phi
        }
        /// Zero-bias depletion width Xdep0.
        pub fn xdep0(&self) -> f64 {
            self.xdep0
        }
        /// Temperature-adjusted low-field mobility U0(T) in m^2/Vs.
        pub fn u0_t(&self) -> f64 {
            self.u0temp
        }
        /// Temperature-adjusted saturation velocity VSAT(T).
        pub fn vsat_t(&self) -> f64 {
            self.vsattemp
        }
        /// Temperature-adjusted (UA, UB, UC).
        pub fn mobility_coeffs_t(&self) -> (f64, f64, f64) {
            (self.ua, self.ub, self.uc)
        }
        /// Zero-bias flat-band voltage of the C-V model (`vfbzb`).
        pub fn vfbzb(&self) -> f64 {
            self.vfbzb
        }
        /// Subthreshold slope factor at zero body bias and zero VDS:
        /// n = 1 + (NFACTOR EPSSI/Xdep0 + CDSC theta(DVT1 Leff/lt0) + CIT)/Cox. In weak
        /// inversion gm/Id tends to 1/(n Vtm).
        pub fn n0(&self) -> f64 {
            let lt0 = self.factor1 * self.xdep0.sqrt();
            let theta0 = $crate::bsim3::temp::theta_sce(self.dvt1 * self.leff / lt0);
            let tmp4 =
                (self.nfactor * $crate::bsim3::temp::EPSSI / self.xdep0 + self.cdsc * theta0 + self.cit) / self.cox;
            if tmp4 >= -0.5 {
                1.0 + tmp4
            } else {
                (1.0 + 3.0 * tmp4) / (3.0 + 8.0 * tmp4)
            }
        }
        /// Drain series conductance M/(RSH*NRD); 0 means no internal drain node (RDSW, where a
        /// model has it, acts inside the drain current instead).
        pub fn drain_conductance(&self) -> f64 {
            self.gd
        }
        /// Source series conductance M/(RSH*NRS); 0 means no internal source node.
        pub fn source_conductance(&self) -> f64 {
            self.gs
        }
        /// Saturation currents of the (bulk-drain, bulk-source) diodes, per unit of M.
        pub fn junction_sat_currents(&self) -> (f64, f64) {
            (self.drain_sat_cur, self.source_sat_cur)
        }
        /// GMIN used in the junction currents.
        pub fn gmin(&self) -> f64 {
            self.gmin
        }
        /// Flicker-noise parameters (KF, AF, EF).
        pub fn flicker_params(&self) -> (f64, f64, f64) {
            (self.kf, self.af, self.ef)
        }

        #[inline]
        fn junction(&self, v: f64, cz: f64, czsw: f64, czswg: f64) -> (f64, f64) {
            let (mj, mjsw, mjswg) = (self.mj, self.mjsw, self.mjswg);
            let (q, c) = if v == 0.0 {
                (0.0, cz + czsw + czswg)
            } else if v < 0.0 {
                let part = |cz: f64, pb: f64, mj: f64| {
                    let arg = 1.0 - v / pb;
                    let sarg = if mj == 0.5 { 1.0 / arg.sqrt() } else { (-mj * arg.ln()).exp() };
                    (pb * cz * (1.0 - arg * sarg) / (1.0 - mj), cz * sarg)
                };
                let (mut q, mut c) = if cz > 0.0 { part(cz, self.phib, mj) } else { (0.0, 0.0) };
                if czsw > 0.0 {
                    let (dq, dc) = part(czsw, self.phibsw, mjsw);
                    q += dq;
                    c += dc;
                }
                if czswg > 0.0 {
                    let (dq, dc) = part(czswg, self.phibswg, mjswg);
                    q += dq;
                    c += dc;
                }
                (q, c)
            } else {
                let t0 = cz + czsw + czswg;
                let t1 = v * (cz * mj / self.phib + czsw * mjsw / self.phibsw + czswg * mjswg / self.phibswg);
                (v * (t0 + 0.5 * t1), t0 + t1)
            };
            (self.m * q, self.m * c)
        }

        /// Bulk-drain depletion (charge, capacitance) at n-frame `vbd`, M included.
        pub fn junction_bd(&self, vbd: f64) -> (f64, f64) {
            self.junction(vbd, self.czbd, self.czbdsw, self.czbdswg)
        }

        /// Bulk-source depletion (charge, capacitance) at n-frame `vbs`, M included.
        pub fn junction_bs(&self, vbs: f64) -> (f64, f64) {
            self.junction(vbs, self.czbs, self.czbssw, self.czbsswg)
        }
    };
}
pub(crate) use bsim3_instance_methods;

/// A BSIM3 card's parameter struct (`Option<f64>` per name, `None` = not given) with its
/// name lookup and the value checks every BSIM3 card gets: `bsim3_card! { /// docs
/// Name; field = "name", ... }`. BSIM-lite's `Bsim3Params` and the full model's
/// `Bsim3v3Params` are two such lists.
macro_rules! bsim3_card {
    ($(#[$doc:meta])* $params:ident; $($field:ident = $name:literal),* $(,)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq)]
        #[allow(missing_docs)]
        pub struct $params {
            $(pub $field: Option<f64>,)*
        }

        impl $params {
            fn slot(&mut self, name: &str) -> Option<&mut Option<f64>> {
                match name {
                    $($name => Some(&mut self.$field),)*
                    _ => None,
                }
            }

            /// Rejects physically unusable values: TOX, TOXM, XJ, NCH <= 0, grading
            /// coefficients outside [0, 1), NJ <= 0, TNOM below absolute zero.
            fn check_values(&self, name: &str) -> Result<(), $crate::DeviceError> {
                let p = self;
                let bad = |param: &str, value: f64, reason: &str| Err($crate::DeviceError::invalid(name, param, value, reason));
            for (pname, v) in [("tox", p.tox), ("toxm", p.toxm), ("xj", p.xj), ("nch", p.nch)] {
                if let Some(v) = v {
                    if v <= 0.0 {
                        return bad(pname, v, "must be positive");
                    }
                }
            }
            for (pname, v) in [("mj", p.mj), ("mjsw", p.mjsw), ("mjswg", p.mjswg)] {
                if let Some(v) = v {
                    if !(0.0..1.0).contains(&v) {
                        return bad(pname, v, "grading coefficient must be in [0, 1)");
                    }
                }
            }
            if let Some(nj) = p.nj {
                if nj <= 0.0 {
                    return bad("nj", nj, "emission coefficient must be positive");
                }
            }
            if let Some(t) = p.tnom {
                if t + $crate::consts::KELVIN <= 0.0 {
                    return bad("tnom", t, "TNOM below absolute zero");
                }
            }
                Ok(())
            }
        }
    };
}
pub(crate) use bsim3_card;

//! Charges and capacitances: the CAPMOD 3 charge-thickness intrinsic model (`b3ld.c`,
//! "CTM"), bias-dependent overlaps (CGSL/CGDL) and the bulk junction depletion charges.

use super::temp::{EPSSI, EXP_THRESHOLD, MAX_EXP, MIN_EXP};
use super::{Bsim3Version, Bsim3v3};
use crate::bsim3::shared::{ctm_charges, CtmBias};

/// DELTA_3 / DELTA_4 of the C-V smoothing functions.
const DELTA_3: f64 = 0.02;
const DELTA_4: f64 = 0.02;

/// Intrinsic charges and capacitances in BSIM3's own (mode) frame: the same struct as
/// BSIM-lite's ([`crate::Bsim3Caps`], with its `terminal()`).
pub type Bsim3v3Caps = crate::bsim3::Bsim3Caps;

/// Intrinsic terminal charges at one bias: the same struct as BSIM-lite's
/// ([`crate::Bsim3Charges`]).
pub type Bsim3v3Charges = crate::bsim3::Bsim3Charges;

impl Bsim3v3 {
    /// The intrinsic charges and capacitances (CAPMOD 0-3) in the mode frame (what
    /// ngspice stores as `BSIM3cggb` ... and reports as `@m[cgg]` ...), at n-frame voltages.
    pub fn intrinsic_caps(&self, vgs: f64, vds: f64, vbs: f64) -> Bsim3v3Caps {
        let k = self.core(vgs, vds, vbs);
        if self.capmod == 0 {
            return self.capmod0(&k, if vds >= 0.0 { vbs } else { vbs - vds });
        }
        let vtm = self.vtm;
        let vgs_eff = k.vgs_eff;
        let dvgs_eff_dvg = k.dvgs_eff_dvg;
        let vds = k.vds;
        let (vbseff_cv, dvbseff_cv_dvb) =
            if k.vbseff < 0.0 { (k.vbseff, 1.0) } else { (self.phi - k.phis, -k.dphis_dvb) };
        let cox_wl = self.cox * self.weff_cv * self.leff_cv;

        // VgsteffCV with NOFF and VOFFCV.
        let noff = k.n * self.noff;
        let dnoff_dvd = self.noff * k.dn_dvd;
        let dnoff_dvb = self.noff * k.dn_dvb;
        let t0 = vtm * noff;
        let voffcv = self.voffcv;
        let vgst_nvt = (k.vgst - voffcv) / t0;
        let (vgsteff, dvgsteff_dvg, dvgsteff_dvd, dvgsteff_dvb) = if vgst_nvt > EXP_THRESHOLD {
            (k.vgst - voffcv, dvgs_eff_dvg, -k.dvth_dvd, -k.dvth_dvb)
        } else if vgst_nvt < -EXP_THRESHOLD {
            let v = t0 * (1.0 + MIN_EXP).ln();
            let dd = v / noff;
            (v, 0.0, dd * dnoff_dvd, dd * dnoff_dvb)
        } else {
            let e = vgst_nvt.exp();
            let v = t0 * (1.0 + e).ln();
            let dg = e / (1.0 + e);
            let dd = -dg * (k.dvth_dvd + (k.vgst - voffcv) / noff * dnoff_dvd) + v / noff * dnoff_dvd;
            let db = -dg * (k.dvth_dvb + (k.vgst - voffcv) / noff * dnoff_dvb) + v / noff * dnoff_dvb;
            (v, dg * dvgs_eff_dvg, dd, db)
        };

        let vg = if self.version <= Bsim3Version::V31 {
            self.vgsteff_cv_v31(&k)
        } else {
            (vgsteff, dvgsteff_dvg, dvgsteff_dvd, dvgsteff_dvb)
        };
        match self.capmod {
            1 => return self.capmod1(&k, vbseff_cv, dvbseff_cv_dvb, cox_wl, vg),
            2 => return self.capmod2(&k, vbseff_cv, dvbseff_cv_dvb, cox_wl, vg),
            _ => {}
        }

        // Accumulation: effective flat-band voltage.
        let vfbzb = self.vfbzb;
        let v3 = vfbzb - vgs_eff + vbseff_cv - DELTA_3;
        let t0 = if vfbzb <= 0.0 {
            (v3 * v3 - 4.0 * DELTA_3 * vfbzb).sqrt()
        } else {
            (v3 * v3 + 4.0 * DELTA_3 * vfbzb).sqrt()
        };
        let t1 = 0.5 * (1.0 + v3 / t0);
        let vfbeff = vfbzb - 0.5 * (v3 + t0);
        let dvfbeff_dvg = t1 * dvgs_eff_dvg;
        let dvfbeff_dvb = -t1 * dvbseff_cv_dvb;

        let cox = self.cox;
        let mut tox = 1.0e8 * self.tox;
        let t0 = (vgs_eff - vbseff_cv - vfbzb) / tox;
        let dt0_dvg = dvgs_eff_dvg / tox;
        let dt0_dvb = -dvbseff_cv_dvb / tox;
        let tmp = t0 * self.acde;
        let (mut tcen, mut dtcen_dvg, mut dtcen_dvb) = if -EXP_THRESHOLD < tmp && tmp < EXP_THRESHOLD {
            let tcen = self.ldeb * tmp.exp();
            let dg = self.acde * tcen;
            (tcen, dg * dt0_dvg, dg * dt0_dvb)
        } else if tmp <= -EXP_THRESHOLD {
            (self.ldeb * MIN_EXP, 0.0, 0.0)
        } else {
            (self.ldeb * MAX_EXP, 0.0, 0.0)
        };
        let link = 1.0e-3 * self.tox;
        let v3 = self.ldeb - tcen - link;
        let v4 = (v3 * v3 + 4.0 * link * self.ldeb).sqrt();
        tcen = self.ldeb - 0.5 * (v3 + v4);
        let t1 = 0.5 * (1.0 + v3 / v4);
        dtcen_dvg *= t1;
        dtcen_dvb *= t1;

        let ccen = EPSSI / tcen;
        let t2 = cox / (cox + ccen);
        let coxeff = t2 * ccen;
        let t3 = -ccen / tcen;
        let dcoxeff_dvg0 = t2 * t2 * t3;
        let dcoxeff_dvb = dcoxeff_dvg0 * dtcen_dvb;
        let dcoxeff_dvg = dcoxeff_dvg0 * dtcen_dvg;
        let cox_wl_cen = cox_wl * coxeff / cox;

        let qac0 = cox_wl_cen * (vfbeff - vfbzb);
        let qov_cox = qac0 / coxeff;
        let dqac0_dvg = cox_wl_cen * dvfbeff_dvg + qov_cox * dcoxeff_dvg;
        let dqac0_dvb = cox_wl_cen * dvfbeff_dvb + qov_cox * dcoxeff_dvb;

        let t0 = 0.5 * self.k1ox;
        let t3 = vgs_eff - vfbeff - vbseff_cv - vgsteff;
        let (t1, t2) = if self.k1ox == 0.0 {
            (0.0, 0.0)
        } else if t3 < 0.0 {
            (t0 + t3 / self.k1ox, cox_wl_cen)
        } else {
            let t1 = (t0 * t0 + t3).sqrt();
            (t1, cox_wl_cen * t0 / t1)
        };
        let qsub0 = cox_wl_cen * self.k1ox * (t1 - t0);
        let qov_cox = qsub0 / coxeff;
        let dqsub0_dvg = t2 * (dvgs_eff_dvg - dvfbeff_dvg - dvgsteff_dvg) + qov_cox * dcoxeff_dvg;
        let dqsub0_dvd = -t2 * dvgsteff_dvd;
        let dqsub0_dvb = -t2 * (dvfbeff_dvb + dvbseff_cv_dvb + dvgsteff_dvb) + qov_cox * dcoxeff_dvb;

        // Gate-bias dependent delta phi_s.
        let (denomi, t0) = if self.k1ox <= 0.0 {
            (0.25 * self.moin * vtm, 0.5 * self.sqrt_phi)
        } else {
            (self.moin * vtm * self.k1ox * self.k1ox, self.k1ox * self.sqrt_phi)
        };
        let t1 = 2.0 * t0 + vgsteff;
        let delta_phi = vtm * (1.0 + t1 * vgsteff / denomi).ln();
        let ddelta_phi_dvg = 2.0 * vtm * (t1 - t0) / (denomi + t1 * vgsteff);

        // VgDP = Vgsteff - DeltaPhi, smoothed above zero from 3.3.0 on (3.2.x uses it raw).
        let v32 = self.version.is_v32();
        let (vgdp, dvgdp_dvg) = if v32 {
            (vgsteff - delta_phi, 1.0 - ddelta_phi_dvg)
        } else {
            let t0 = vgsteff - delta_phi - 0.001;
            let dt0_dvg = 1.0 - ddelta_phi_dvg;
            let t1 = (t0 * t0 + vgsteff * 0.004).sqrt();
            (0.5 * (t0 + t1), 0.5 * (dt0_dvg + (t0 * dt0_dvg + 0.002) / t1))
        };

        let t3 = 4.0 * (k.vth - vfbzb - self.phi);
        tox += tox;
        let (t0, dt0_dvd, dt0_dvb) = if t3 >= 0.0 {
            ((vgsteff + t3) / tox, (dvgsteff_dvd + 4.0 * k.dvth_dvd) / tox, (dvgsteff_dvb + 4.0 * k.dvth_dvb) / tox)
        } else {
            ((vgsteff + 1.0e-20) / tox, dvgsteff_dvd / tox, dvgsteff_dvb / tox)
        };
        let tmp = (0.7 * t0.ln()).exp();
        let t1 = 1.0 + tmp;
        let t2 = 0.7 * tmp / (t0 * tox);
        let tcen = 1.9e-9 / t1;
        let dtcen_dvg0 = -1.9e-9 * t2 / t1 / t1;
        let (dtcen_dvd, dtcen_dvb) = if self.version <= Bsim3Version::V32 {
            // 3.2 and older: Vth's slope in both branches of T3.
            (dtcen_dvg0 * (4.0 * k.dvth_dvd + dvgsteff_dvd), dtcen_dvg0 * (4.0 * k.dvth_dvb + dvgsteff_dvb))
        } else {
            let dtcen_dvd0 = tox * dtcen_dvg0;
            (dtcen_dvd0 * dt0_dvd, dtcen_dvd0 * dt0_dvb)
        };
        let dtcen_dvg = dtcen_dvg0 * dvgsteff_dvg;

        let ccen = EPSSI / tcen;
        let t0 = cox / (cox + ccen);
        let coxeff = t0 * ccen;
        let t1 = -ccen / tcen;
        let dc0 = t0 * t0 * t1;
        let dcoxeff_dvd = dc0 * dtcen_dvd;
        let dcoxeff_dvb = dc0 * dtcen_dvb;
        let dcoxeff_dvg = dc0 * dtcen_dvg;
        let cox_wl_cen = cox_wl * coxeff / cox;

        let abulk_cv = k.abulk0 * self.abulk_cv_factor;
        let dabulk_cv_dvb = self.abulk_cv_factor * k.dabulk0_dvb;
        let vdsat_cv = vgdp / abulk_cv;
        let (mut vdseff_cv, mut dvdseff_cv_dvg, dvdseff_cv_dvd, mut dvdseff_cv_dvb) = if v32 {
            // 3.2.x: the CAPMOD 2 form of VdseffCV.
            let v4 = vdsat_cv - vds - DELTA_4;
            let t0 = (v4 * v4 + 4.0 * DELTA_4 * vdsat_cv).sqrt();
            let t1 = 0.5 * (1.0 + v4 / t0);
            let t2 = DELTA_4 / t0;
            let t3 = (1.0 - t1 - t2) / abulk_cv;
            (vdsat_cv - 0.5 * (v4 + t0), t3 * dvgdp_dvg, t1, -t3 * vdsat_cv * dabulk_cv_dvb)
        } else {
            let t0 = vdsat_cv - vds - DELTA_4;
            let dt0_dvg = dvgdp_dvg / abulk_cv;
            let dt0_dvb = -vdsat_cv * dabulk_cv_dvb / abulk_cv;
            let t1 = (t0 * t0 + 4.0 * DELTA_4 * vdsat_cv).sqrt();
            let dt1_dvg0 = (t0 + DELTA_4 + DELTA_4) / t1;
            let dt1_dvd = -t0 / t1;
            let dt1_dvb = dt1_dvg0 * dt0_dvb;
            let dt1_dvg = dt1_dvg0 * dt0_dvg;
            if t0 >= 0.0 {
                (
                    vdsat_cv - 0.5 * (t0 + t1),
                    0.5 * (dt0_dvg - dt1_dvg),
                    0.5 * (1.0 - dt1_dvd),
                    0.5 * (dt0_dvb - dt1_dvb),
                )
            } else {
                let t3 = (DELTA_4 + DELTA_4) / (t1 - t0);
                let t4 = 1.0 - t3;
                let t5 = vdsat_cv * t3 / (t1 - t0);
                (
                    vdsat_cv * t4,
                    dt0_dvg * t4 + t5 * (dt1_dvg - dt0_dvg),
                    t5 * (dt1_dvd + 1.0),
                    dt0_dvb * (1.0 - t5) + t5 * dt1_dvb,
                )
            }
        };
        if vds == 0.0 && self.version >= Bsim3Version::V322 {
            vdseff_cv = 0.0;
            dvdseff_cv_dvg = 0.0;
            dvdseff_cv_dvb = 0.0;
        }

        let ctm = CtmBias {
            xpart: self.xpart,
            dvbseff_dvb: k.dvbseff_dvb,
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
        };
        let (q, c) = ctm_charges(&ctm);
        Bsim3v3Caps::assemble(self.m, k.mode, q, c)
    }

    /// bsim3v1's C-V Vgsteff (no NOFF/VOFFCV): n Vtm ln(1 + e^2) with `b3v1ld.c`'s e (the
    /// current model's exponential, so exp((Vgst - VOFF)/(n Vtm)) where that model is in weak
    /// inversion), and the current model's Vgsteff where |Vgst / (2 n Vtm)| >= EXP_THRESHOLD.
    fn vgsteff_cv_v31(&self, k: &super::dc::Core) -> (f64, f64, f64, f64) {
        let nvt = k.n * self.vtm;
        let t10 = 2.0 * nvt;
        let vgst_nvt = k.vgst / t10;
        if vgst_nvt > -EXP_THRESHOLD && vgst_nvt < EXP_THRESHOLD {
            // bsim3v0's ExpVgst is always exp(Vgst / (2 n Vtm)) here.
            let v30 = self.version == Bsim3Version::V30;
            let e = if !v30 && (2.0 * self.voff - k.vgst) / t10 > EXP_THRESHOLD {
                ((k.vgst - self.voff) / nvt).exp()
            } else {
                vgst_nvt.exp()
            };
            let e = e * e;
            let v = nvt * (1.0 + e).ln();
            let dg = e / (1.0 + e);
            let dd = -dg * (k.dvth_dvd + k.vgst / k.n * k.dn_dvd) + v / k.n * k.dn_dvd;
            let db = -dg * (k.dvth_dvb + k.vgst / k.n * k.dn_dvb) + v / k.n * k.dn_dvb;
            (v, dg * k.dvgs_eff_dvg, dd, db)
        } else {
            let [dg, dd, db] = k.dvgsteff;
            (k.vgsteff, dg, dd, db)
        }
    }

    /// CAPMOD 2: the smooth charge model without the charge-thickness correction
    /// (`b3ld.c`), from the shared VgsteffCV `vg` = (value, d/dVg, d/dVd, d/dVb).
    fn capmod2(
        &self,
        k: &super::dc::Core,
        vbseff_cv: f64,
        dvbseff_cv_dvb: f64,
        cox_wl: f64,
        vg: (f64, f64, f64, f64),
    ) -> Bsim3v3Caps {
        let (vgsteff, dvgsteff_dvg, dvgsteff_dvd, dvgsteff_dvb) = vg;
        let (vgs_eff, dvgs_eff_dvg, vds) = (k.vgs_eff, k.dvgs_eff_dvg, k.vds);
        // `bsim3v32` 3.2 carries flat-band derivatives that are zero for VFBZB: the same
        // numbers as 3.2.2 on, except at Vds = 0 below.
        let old = self.version <= Bsim3Version::V32;
        // 3.0 (bsim3v0) is 3.1 here but for the K1 = 0 and T3 < 0 guards below.
        let v30 = self.version == Bsim3Version::V30;
        let v31 = self.version <= Bsim3Version::V31;
        // Flat band: 3.1 follows Vth (Vth - phi - K1 sqrt(phis), bias-dependent), 3.2 on
        // use the zero-bias VFBZB.
        let (vfb, dvfb_dvd, dvfb_dvb, k1ox) = if v31 {
            let [sq, dsq_dvb] = k.sqrt_phis;
            (k.vth - self.phi - self.k1 * sq, k.dvth_dvd, k.dvth_dvb - self.k1 * dsq_dvb, self.k1)
        } else {
            (self.vfbzb, 0.0, 0.0, self.k1ox)
        };
        let v3 = vfb - vgs_eff + vbseff_cv - DELTA_3;
        let (t0, t2) = if vfb <= 0.0 {
            let t0 = (v3 * v3 - 4.0 * DELTA_3 * vfb).sqrt();
            (t0, -DELTA_3 / t0)
        } else {
            let t0 = (v3 * v3 + 4.0 * DELTA_3 * vfb).sqrt();
            (t0, DELTA_3 / t0)
        };
        let t1 = 0.5 * (1.0 + v3 / t0);
        let vfbeff = vfb - 0.5 * (v3 + t0);
        let dvfbeff_dvg = t1 * dvgs_eff_dvg;
        let (dvfbeff_dvd, dvfbeff_dvb) = if v31 {
            ((1.0 - t1 - t2) * dvfb_dvd, (1.0 - t1 - t2) * dvfb_dvb - t1 * dvbseff_cv_dvb)
        } else {
            (0.0, -t1 * dvbseff_cv_dvb)
        };
        let qac0 = cox_wl * (vfbeff - vfb);
        let dqac0_dvg = cox_wl * dvfbeff_dvg;
        let (dqac0_dvd, dqac0_dvb) = if v31 {
            (cox_wl * (dvfbeff_dvd - dvfb_dvd), cox_wl * (dvfbeff_dvb - dvfb_dvb))
        } else {
            (0.0, cox_wl * dvfbeff_dvb)
        };

        let t0 = 0.5 * k1ox;
        let t3 = vgs_eff - vfbeff - vbseff_cv - vgsteff;
        let (t1, t2) = if k1ox == 0.0 && !v30 {
            (0.0, 0.0)
        } else if t3 < 0.0 && !v30 {
            (t0 + t3 / k1ox, cox_wl)
        } else {
            let t1 = (t0 * t0 + t3).sqrt();
            (t1, cox_wl * t0 / t1)
        };
        let qsub0 = cox_wl * k1ox * (t1 - t0);
        let dqsub0_dvg = t2 * (dvgs_eff_dvg - dvfbeff_dvg - dvgsteff_dvg);
        let dqsub0_dvd = if v31 { -t2 * (dvfbeff_dvd + dvgsteff_dvd) } else { -t2 * dvgsteff_dvd };
        let dqsub0_dvb = -t2 * (dvfbeff_dvb + dvbseff_cv_dvb + dvgsteff_dvb);

        let abulk_cv = k.abulk0 * self.abulk_cv_factor;
        let dabulk_cv_dvb = self.abulk_cv_factor * k.dabulk0_dvb;
        let vdsat_cv = vgsteff / abulk_cv;
        let v4 = vdsat_cv - vds - DELTA_4;
        let t0 = (v4 * v4 + 4.0 * DELTA_4 * vdsat_cv).sqrt();
        let mut vdseff_cv = vdsat_cv - 0.5 * (v4 + t0);
        let t1 = 0.5 * (1.0 + v4 / t0);
        let t2 = DELTA_4 / t0;
        let t3 = (1.0 - t1 - t2) / abulk_cv;
        let mut dvdseff_cv_dvg = t3;
        let dvdseff_cv_dvd = t1;
        let mut dvdseff_cv_dvb = -t3 * vdsat_cv * dabulk_cv_dvb;
        if vds == 0.0 && !old {
            vdseff_cv = 0.0;
            dvdseff_cv_dvg = 0.0;
            dvdseff_cv_dvb = 0.0;
        }

        let t0 = abulk_cv * vdseff_cv;
        let t1 = 12.0 * (vgsteff - 0.5 * t0 + 1e-20);
        let t2 = vdseff_cv / t1;
        let t3 = t0 * t2;
        let t4 = 1.0 - 12.0 * t2 * t2 * abulk_cv;
        let t5 = 6.0 * t0 * (4.0 * vgsteff - t0) / (t1 * t1) - 0.5;
        let t6 = 12.0 * t2 * t2 * vgsteff;

        let qinoi = -cox_wl * (vgsteff - 0.5 * t0 + abulk_cv * t3);
        let mut qgate = cox_wl * (vgsteff - 0.5 * vdseff_cv + t3);
        let cgg1 = cox_wl * (t4 + t5 * dvdseff_cv_dvg);
        let cgd1 = cox_wl * t5 * dvdseff_cv_dvd + cgg1 * dvgsteff_dvd;
        let cgb1 = cox_wl * (t5 * dvdseff_cv_dvb + t6 * dabulk_cv_dvb) + cgg1 * dvgsteff_dvb;
        let cgg1 = cgg1 * dvgsteff_dvg;

        let t7 = 1.0 - abulk_cv;
        let mut qbulk = cox_wl * t7 * (0.5 * vdseff_cv - t3);
        let t4 = -t7 * (t4 - 1.0);
        let t5 = -t7 * t5;
        let t6 = -(t7 * t6 + (0.5 * vdseff_cv - t3));
        let cbg1 = cox_wl * (t4 + t5 * dvdseff_cv_dvg);
        let cbd1 = cox_wl * t5 * dvdseff_cv_dvd + cbg1 * dvgsteff_dvd;
        let cbb1 = cox_wl * (t5 * dvdseff_cv_dvb + t6 * dabulk_cv_dvb) + cbg1 * dvgsteff_dvb;
        let cbg1 = cbg1 * dvgsteff_dvg;

        let (qsrc, csg, csd, csb) = if self.xpart > 0.5 {
            // 0/100
            let t1 = t1 + t1;
            let qsrc = -cox_wl * (0.5 * vgsteff + 0.25 * t0 - t0 * t0 / t1);
            let t7 = (4.0 * vgsteff - t0) / (t1 * t1);
            let t4 = -(0.5 + 24.0 * t0 * t0 / (t1 * t1));
            let t5 = -(0.25 * abulk_cv - 12.0 * abulk_cv * t0 * t7);
            let t6 = -(0.25 * vdseff_cv - 12.0 * t0 * vdseff_cv * t7);
            let csg = cox_wl * (t4 + t5 * dvdseff_cv_dvg);
            let csd = cox_wl * t5 * dvdseff_cv_dvd + csg * dvgsteff_dvd;
            let csb = cox_wl * (t5 * dvdseff_cv_dvb + t6 * dabulk_cv_dvb) + csg * dvgsteff_dvb;
            (qsrc, csg * dvgsteff_dvg, csd, csb)
        } else if self.xpart < 0.5 {
            // 40/60
            let t1 = t1 / 12.0;
            let t2 = 0.5 * cox_wl / (t1 * t1);
            let t3 = vgsteff * (2.0 * t0 * t0 / 3.0 + vgsteff * (vgsteff - 4.0 * t0 / 3.0)) - 2.0 * t0 * t0 * t0 / 15.0;
            let qsrc = -t2 * t3;
            let t7 = 4.0 / 3.0 * vgsteff * (vgsteff - t0) + 0.4 * t0 * t0;
            let t4 = -2.0 * qsrc / t1 - t2 * (vgsteff * (3.0 * vgsteff - 8.0 * t0 / 3.0) + 2.0 * t0 * t0 / 3.0);
            let t5 = (qsrc / t1 + t2 * t7) * abulk_cv;
            let t6 = qsrc / t1 * vdseff_cv + t2 * t7 * vdseff_cv;
            let csg = t4 + t5 * dvdseff_cv_dvg;
            let csd = t5 * dvdseff_cv_dvd + csg * dvgsteff_dvd;
            let csb = (t5 * dvdseff_cv_dvb + t6 * dabulk_cv_dvb) + csg * dvgsteff_dvb;
            (qsrc, csg * dvgsteff_dvg, csd, csb)
        } else {
            // 50/50
            (-0.5 * (qgate + qbulk), -0.5 * (cgg1 + cbg1), -0.5 * (cgd1 + cbd1), -0.5 * (cgb1 + cbb1))
        };

        qgate += qac0 + qsub0;
        qbulk -= qac0 + qsub0;
        let qdrn = -(qgate + qbulk + qsrc);
        let cgg = dqac0_dvg + dqsub0_dvg + cgg1;
        let (cgd, cbd) = if v31 {
            (dqac0_dvd + dqsub0_dvd + cgd1, cbd1 - dqac0_dvd - dqsub0_dvd)
        } else {
            (dqsub0_dvd + cgd1, cbd1 - dqsub0_dvd)
        };
        let cgb = (dqac0_dvb + dqsub0_dvb + cgb1) * k.dvbseff_dvb;
        let cbg = cbg1 - dqac0_dvg - dqsub0_dvg;
        let cbb = (cbb1 - dqac0_dvb - dqsub0_dvb) * k.dvbseff_dvb;
        let csb = csb * k.dvbseff_dvb;
        let c = [cgg, cgd, cgb, cbg, cbd, cbb, csg, csd, csb];
        Bsim3v3Caps::assemble(self.m, k.mode, [qgate, qdrn, qbulk, qinoi], c)
    }

    /// Intrinsic terminal charges and their capacitance matrix at n-frame voltages, in
    /// physical terminal order (d, g, s, b); see [`Bsim3v3Charges`]. Source and drain are
    /// swapped back in reverse mode as `b3ld.c` does when it stamps.
    pub fn charges(&self, vgs: f64, vds: f64, vbs: f64) -> Bsim3v3Charges {
        self.intrinsic_caps(vgs, vds, vbs).terminal()
    }

    /// Gate overlap charges and capacitances at n-frame `vgs` and `vgd`, M included:
    /// `((q_gso, c_gso), (q_gdo, c_gdo), c_gbo)`. With CAPMOD 2/3 the gate-source and
    /// gate-drain overlaps carry the bias-dependent CGSL/CGDL part (smoothed with CKAPPA,
    /// `b3ld.c`); CGBO is constant. They are not part of `@m[cgg]`.
    pub fn overlaps(&self, vgs: f64, vgd: f64) -> ((f64, f64), (f64, f64), f64) {
        if self.capmod < 2 {
            return self.overlaps01(vgs, vgd);
        }
        const DELTA_1: f64 = 0.02;
        let part = |v: f64, cgo: f64, cgl: f64| {
            let t0 = v + DELTA_1;
            let t1 = (t0 * t0 + 4.0 * DELTA_1).sqrt();
            let t2 = 0.5 * (t0 - t1);
            let t3 = self.weff_cv * cgl;
            let t4 = (1.0 - 4.0 * t2 / self.ckappa).sqrt();
            let c = cgo + t3 - t3 * (1.0 - 1.0 / t4) * (0.5 - 0.5 * t0 / t1);
            let q = (cgo + t3) * v - t3 * (t2 + 0.5 * self.ckappa * (t4 - 1.0));
            (self.m * q, self.m * c)
        };
        (part(vgs, self.cgso, self.cgsl), part(vgd, self.cgdo, self.cgdl), self.m * self.cgbo)
    }
}

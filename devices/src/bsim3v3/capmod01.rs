//! CAPMOD 0 (simple piece-wise charge model, flat-band from VFBCV) and CAPMOD 1 (the
//! piece-wise model on the smoothed VgsteffCV), and the overlap forms these two CAPMODs
//! use (`b3ld.c`): constant CGSO/CGDO for CAPMOD 0, CGSL/CGDL with a square-root
//! accumulation branch for CAPMOD 1.

use super::charge::Bsim3v3Caps;
use super::dc::Core;
use super::{Bsim3Version, Bsim3v3};

impl Bsim3v3 {
    /// CAPMOD 0 intrinsic charges in the mode frame. `vbs_m` is the mode-frame VBS (the
    /// source is the more negative of source and drain).
    pub(crate) fn capmod0(&self, k: &Core, vbs_m: f64) -> Bsim3v3Caps {
        // sqrt(Phis) and its derivative as the DC model computes them.
        let (sqrt_phis, dsqrt_phis_dvb) = if k.vbseff > 0.0 {
            let sq = self.phis3 / (self.phi + 0.5 * k.vbseff);
            (sq, -0.5 * sq * sq / self.phis3)
        } else {
            let sq = (self.phi - k.vbseff).sqrt();
            (sq, -0.5 / sq)
        };
        let (vbseff, dvbseff_dvb) = if k.vbseff < 0.0 { (vbs_m, 1.0) } else { (self.phi - k.phis, -k.dphis_dvb) };
        let (vgs_eff, dvgs_eff_dvg, vds) = (k.vgs_eff, k.dvgs_eff_dvg, k.vds);
        let v31 = self.version == Bsim3Version::V31;
        // bsim3v1 has no TOXM: K1 where later revisions take K1ox.
        let k1ox = if v31 { self.k1 } else { self.k1ox };
        let vfb = self.vfbcv;
        let vth = vfb + self.phi + k1ox * sqrt_phis;
        let vgst = vgs_eff - vth;
        let dvth_dvb = k1ox * dsqrt_phis_dvb;
        let cox_wl = self.cox * self.weff_cv * self.leff_cv;
        let arg1 = vgs_eff - vbseff - vfb;

        // Stored (b3ld.c names): cggb, cgdb, cgsb, cdgb, cddb, cdsb, cbgb, cbdb, cbsb.
        let mut s = Bsim3v3Caps { mode: k.mode, ..Bsim3v3Caps::default() };
        let (qgate, qbulk, qdrn);
        if arg1 <= 0.0 {
            // Accumulation.
            qgate = cox_wl * arg1;
            qbulk = -qgate;
            qdrn = 0.0;
            s.cggb = cox_wl * dvgs_eff_dvg;
            s.cgsb = cox_wl * (dvbseff_dvb - dvgs_eff_dvg);
            s.cbgb = -cox_wl * dvgs_eff_dvg;
            s.cbsb = -s.cgsb;
        } else if vgst <= 0.0 {
            // Depletion.
            let t1 = 0.5 * k1ox;
            let t2 = (t1 * t1 + arg1).sqrt();
            qgate = cox_wl * k1ox * (t2 - t1);
            qbulk = -qgate;
            qdrn = 0.0;
            let t0 = cox_wl * t1 / t2;
            s.cggb = t0 * dvgs_eff_dvg;
            s.cgsb = t0 * (dvbseff_dvb - dvgs_eff_dvg);
            s.cbgb = -s.cggb;
            s.cbsb = -s.cgsb;
        } else {
            let third = cox_wl / 3.0;
            let two_third = 2.0 * third;
            let abulk_cv = k.abulk0 * self.abulk_cv_factor;
            let dabulk_cv_dvb = self.abulk_cv_factor * k.dabulk0_dvb;
            let vdsat = vgst / abulk_cv;
            let dvdsat_dvg = dvgs_eff_dvg / abulk_cv;
            let dvdsat_dvb = -(vdsat * dabulk_cv_dvb + dvth_dvb) / abulk_cv;
            let base = vgs_eff - vfb - self.phi;
            if vds >= vdsat {
                // Saturation: the gate and bulk charges do not depend on the partition.
                let t2 = -two_third * vgst;
                qgate = cox_wl * (base - vdsat / 3.0);
                qbulk = -(qgate + t2);
                qdrn = if self.xpart > 0.5 {
                    0.0
                } else if self.xpart < 0.5 {
                    0.4 * t2
                } else {
                    0.5 * t2
                };
                s.cggb = third * (3.0 - dvdsat_dvg) * dvgs_eff_dvg;
                let t2 = -third * dvdsat_dvb;
                s.cgsb = -(s.cggb + t2);
                let share = if self.xpart > 0.5 {
                    0.0
                } else if self.xpart < 0.5 {
                    0.4 * two_third
                } else {
                    third
                };
                if share != 0.0 {
                    s.cdgb = -share * dvgs_eff_dvg;
                    s.cdsb = -(share * dvth_dvb + s.cdgb);
                }
                s.cbgb = -(s.cggb - two_third * dvgs_eff_dvg);
                let t3 = -(t2 + two_third * dvth_dvb);
                s.cbsb = -(s.cbgb + t3);
            } else {
                // Linear region.
                let alphaz = vgst / vdsat;
                let t1 = 2.0 * vdsat - vds;
                let t2 = vds / (3.0 * t1);
                let t3 = t2 * vds;
                let t9 = 0.25 * cox_wl;
                let t4 = t9 * alphaz;
                qgate = cox_wl * (base - 0.5 * (vds - t3));
                let t5 = t3 / t1;
                s.cggb = cox_wl * (1.0 - t5 * dvdsat_dvg) * dvgs_eff_dvg;
                let tmp = -cox_wl * t5 * dvdsat_dvb;
                s.cgdb = cox_wl * (t2 - 0.5 + 0.5 * t5);
                s.cgsb = -(s.cggb + tmp + s.cgdb);
                let t6 = 1.0 / vdsat;
                let dalphaz_dvg = t6 * (1.0 - alphaz * dvdsat_dvg);
                let dalphaz_dvb = -t6 * (dvth_dvb + alphaz * dvdsat_dvb);
                if self.xpart > 0.5 {
                    // 0/100
                    let t7 = 2.0 * vds - t1 - 3.0 * t3;
                    let t8 = t3 - t1 - 2.0 * vds;
                    let t10 = t4 * t8;
                    qdrn = t4 * t7;
                    qbulk = -(qgate + qdrn + t10);
                    let t7 = t9 * t7;
                    let t8 = t9 * t8;
                    let t9b = 2.0 * t4 * (1.0 - 3.0 * t5);
                    s.cdgb = (t7 * dalphaz_dvg - t9b * dvdsat_dvg) * dvgs_eff_dvg;
                    let t12 = t7 * dalphaz_dvb - t9b * dvdsat_dvb;
                    s.cddb = t4 * (3.0 - 6.0 * t2 - 3.0 * t5);
                    s.cdsb = -(s.cdgb + t12 + s.cddb);
                    let t9c = 2.0 * t4 * (1.0 + t5);
                    let t10 = (t8 * dalphaz_dvg - t9c * dvdsat_dvg) * dvgs_eff_dvg;
                    let t11 = t8 * dalphaz_dvb - t9c * dvdsat_dvb;
                    let t12 = t4 * (2.0 * t2 + t5 - 1.0);
                    let t0 = -(t10 + t11 + t12);
                    s.cbgb = -(s.cggb + s.cdgb + t10);
                    s.cbdb = -(s.cgdb + s.cddb + t12);
                    s.cbsb = -(s.cgsb + s.cdsb + t0);
                } else if self.xpart < 0.5 {
                    // 40/60
                    let t6 = 8.0 * vdsat * vdsat - 6.0 * vdsat * vds + 1.2 * vds * vds;
                    let t8 = t2 / t1;
                    let t7 = vds - t1 - t8 * t6;
                    qdrn = t4 * t7;
                    let t7 = t7 * t9;
                    let tmp = t8 / t1;
                    let tmp1 = t4 * (2.0 - 4.0 * tmp * t6 + t8 * (16.0 * vdsat - 6.0 * vds));
                    s.cdgb = (t7 * dalphaz_dvg - tmp1 * dvdsat_dvg) * dvgs_eff_dvg;
                    let t10 = t7 * dalphaz_dvb - tmp1 * dvdsat_dvb;
                    s.cddb = t4 * (2.0 - (1.0 / (3.0 * t1 * t1) + 2.0 * tmp) * t6 + t8 * (6.0 * vdsat - 2.4 * vds));
                    s.cdsb = -(s.cdgb + t10 + s.cddb);
                    let t7 = 2.0 * (t1 + t3);
                    qbulk = -(qgate - t4 * t7);
                    let t7 = t7 * t9;
                    let t0 = 4.0 * t4 * (1.0 - t5);
                    let t12 = (-t7 * dalphaz_dvg - s.cdgb - t0 * dvdsat_dvg) * dvgs_eff_dvg;
                    let t11 = -t7 * dalphaz_dvb - t10 - t0 * dvdsat_dvb;
                    let t10 = -4.0 * t4 * (t2 - 0.5 + 0.5 * t5) - s.cddb;
                    let tmp = -(t10 + t11 + t12);
                    s.cbgb = -(s.cggb + s.cdgb + t12);
                    // bsim3v1 adds T11 (the d/dVb term) here; 3.2 on fixed it to T10.
                    s.cbdb = -(s.cgdb + s.cddb + if v31 { t11 } else { t10 });
                    s.cbsb = -(s.cgsb + s.cdsb + tmp);
                } else {
                    // 50/50
                    let t7 = t1 + t3;
                    qdrn = -t4 * t7;
                    qbulk = -(qgate + qdrn + qdrn);
                    let t7 = t7 * t9;
                    let t0 = t4 * (2.0 * t5 - 2.0);
                    s.cdgb = (t0 * dvdsat_dvg - t7 * dalphaz_dvg) * dvgs_eff_dvg;
                    let t12 = t0 * dvdsat_dvb - t7 * dalphaz_dvb;
                    s.cddb = t4 * (1.0 - 2.0 * t2 - t5);
                    s.cdsb = -(s.cdgb + t12 + s.cddb);
                    s.cbgb = -(s.cggb + 2.0 * s.cdgb);
                    s.cbdb = -(s.cgdb + 2.0 * s.cddb);
                    s.cbsb = -(s.cgsb + 2.0 * s.cdsb);
                }
            }
        }
        let m = self.m;
        // Accumulation and depletion carry no inversion charge (b3ld.c sets qinv = 0; bsim3v1
        // keeps the current model's Qinv, which its noise reads directly).
        let qinv = if arg1 <= 0.0 || vgst <= 0.0 { 0.0 } else { -(qgate + qbulk) };
        Bsim3v3Caps {
            mode: k.mode,
            qgate: m * qgate,
            qdrn: m * qdrn,
            qbulk: m * qbulk,
            cggb: m * s.cggb,
            cgdb: m * s.cgdb,
            cgsb: m * s.cgsb,
            cdgb: m * s.cdgb,
            cddb: m * s.cddb,
            cdsb: m * s.cdsb,
            cbgb: m * s.cbgb,
            cbdb: m * s.cbdb,
            cbsb: m * s.cbsb,
            qinv: m * qinv,
        }
    }

    /// CAPMOD 1 intrinsic charges in the mode frame from the shared VgsteffCV `vg` =
    /// (value, d/dVg, d/dVd, d/dVb).
    pub(crate) fn capmod1(
        &self,
        k: &Core,
        vbseff_cv: f64,
        dvbseff_cv_dvb: f64,
        cox_wl: f64,
        vg: (f64, f64, f64, f64),
    ) -> Bsim3v3Caps {
        let (vgsteff, dvgsteff_dvg, dvgsteff_dvd, dvgsteff_dvb) = vg;
        let (vgs_eff, dvgs_eff_dvg, vds) = (k.vgs_eff, k.dvgs_eff_dvg, k.vds);
        // Flat band: 3.1 (bsim3v1) follows Vth, Vth - phi - K1 sqrt(phis), with its bias
        // derivatives; 3.2 on take the zero-bias VFBZB.
        // 3.0 (bsim3v0) is 3.1 here but for the accumulation test (Arg1 without Vgsteff),
        // saturation at VdsatCV = Vds and no 1e-20 in the linear T1.
        let v30 = self.version == Bsim3Version::V30;
        let v31 = self.version <= Bsim3Version::V31;
        let k1ox = if v31 { self.k1 } else { self.k1ox };
        let (vfb, dvfb_dvd, dvfb_dvb) = if v31 {
            let [sq, dsq_dvb] = k.sqrt_phis;
            (k.vth - self.phi - k1ox * sq, k.dvth_dvd, k.dvth_dvb - k1ox * dsq_dvb)
        } else {
            (self.vfbzb, 0.0, 0.0)
        };
        let arg1 = vgs_eff - vbseff_cv - vfb - vgsteff;
        let accumulation = if v30 { arg1 + vgsteff <= 0.0 } else { arg1 <= 0.0 };
        let (mut qgate, mut cgg, mut cgd, mut cgb) = if accumulation {
            (
                cox_wl * arg1,
                cox_wl * (dvgs_eff_dvg - dvgsteff_dvg),
                -cox_wl * (dvfb_dvd + dvgsteff_dvd),
                -cox_wl * (dvfb_dvb + dvbseff_cv_dvb + dvgsteff_dvb),
            )
        } else {
            let t0 = 0.5 * k1ox;
            let t1 = (t0 * t0 + arg1).sqrt();
            let t2 = cox_wl * t0 / t1;
            (
                cox_wl * k1ox * (t1 - t0),
                t2 * (dvgs_eff_dvg - dvgsteff_dvg),
                -t2 * (dvfb_dvd + dvgsteff_dvd),
                -t2 * (dvfb_dvb + dvbseff_cv_dvb + dvgsteff_dvb),
            )
        };
        let mut qbulk = -qgate;
        let (mut cbg, mut cbd, mut cbb) = (-cgg, -cgd, -cgb);

        let third = cox_wl / 3.0;
        let two_third = 2.0 * third;
        let abulk_cv = k.abulk0 * self.abulk_cv_factor;
        let dabulk_cv_dvb = self.abulk_cv_factor * k.dabulk0_dvb;
        let vdsat_cv = vgsteff / abulk_cv;
        let (qsrc, csg, csd, mut csb);
        if vdsat_cv < vds || (v30 && vdsat_cv == vds) {
            let dvdsat_cv_dvg = 1.0 / abulk_cv;
            let dvdsat_cv_dvb = -vdsat_cv * dabulk_cv_dvb / abulk_cv;
            let t0 = vgsteff - vdsat_cv / 3.0;
            let dt0_dvg = 1.0 - dvdsat_cv_dvg / 3.0;
            let dt0_dvb = -dvdsat_cv_dvb / 3.0;
            qgate += cox_wl * t0;
            let cgg1 = cox_wl * dt0_dvg;
            cgb += cox_wl * dt0_dvb + cgg1 * dvgsteff_dvb;
            cgd += cgg1 * dvgsteff_dvd;
            cgg += cgg1 * dvgsteff_dvg;

            let t0 = vdsat_cv - vgsteff;
            let dt0_dvg = dvdsat_cv_dvg - 1.0;
            let dt0_dvb = dvdsat_cv_dvb;
            qbulk += third * t0;
            let cbg1 = third * dt0_dvg;
            cbb += third * dt0_dvb + cbg1 * dvgsteff_dvb;
            cbd += cbg1 * dvgsteff_dvd;
            cbg += cbg1 * dvgsteff_dvg;

            let t0 = if self.xpart > 0.5 {
                -two_third
            } else if self.xpart < 0.5 {
                -0.4 * cox_wl
            } else {
                -third
            };
            qsrc = t0 * vgsteff;
            csg = t0 * dvgsteff_dvg;
            csb = t0 * dvgsteff_dvb;
            csd = t0 * dvgsteff_dvd;
        } else {
            let t0 = abulk_cv * vds;
            let t1 = 12.0 * (vgsteff - 0.5 * t0 + if v30 { 0.0 } else { 1.0e-20 });
            let t2 = vds / t1;
            let t3 = t0 * t2;
            let dt3_dvg = -12.0 * t2 * t2 * abulk_cv;
            let dt3_dvd = 6.0 * t0 * (4.0 * vgsteff - t0) / t1 / t1 - 0.5;
            let dt3_dvb = 12.0 * t2 * t2 * dabulk_cv_dvb * vgsteff;

            qgate += cox_wl * (vgsteff - 0.5 * vds + t3);
            let cgg1 = cox_wl * (1.0 + dt3_dvg);
            let cgb1 = cox_wl * dt3_dvb + cgg1 * dvgsteff_dvb;
            let cgd1 = cox_wl * dt3_dvd + cgg1 * dvgsteff_dvd;
            let cgg1 = cgg1 * dvgsteff_dvg;
            cgg += cgg1;
            cgb += cgb1;
            cgd += cgd1;

            qbulk += cox_wl * (1.0 - abulk_cv) * (0.5 * vds - t3);
            let cbg1 = -cox_wl * ((1.0 - abulk_cv) * dt3_dvg);
            let cbb1 = -cox_wl * ((1.0 - abulk_cv) * dt3_dvb + (0.5 * vds - t3) * dabulk_cv_dvb) + cbg1 * dvgsteff_dvb;
            let cbd1 = -cox_wl * (1.0 - abulk_cv) * dt3_dvd + cbg1 * dvgsteff_dvd;
            let cbg1 = cbg1 * dvgsteff_dvg;
            cbg += cbg1;
            cbb += cbb1;
            cbd += cbd1;

            if self.xpart > 0.5 {
                // 0/100
                let t1 = t1 + t1;
                qsrc = -cox_wl * (0.5 * vgsteff + 0.25 * t0 - t0 * t0 / t1);
                let g = -cox_wl * (0.5 + 24.0 * t0 * vds / t1 / t1 * abulk_cv);
                csb = -cox_wl
                    * (0.25 * vds * dabulk_cv_dvb - 12.0 * t0 * vds / t1 / t1 * (4.0 * vgsteff - t0) * dabulk_cv_dvb)
                    + g * dvgsteff_dvb;
                csd = -cox_wl * (0.25 * abulk_cv - 12.0 * abulk_cv * t0 / t1 / t1 * (4.0 * vgsteff - t0))
                    + g * dvgsteff_dvd;
                csg = g * dvgsteff_dvg;
            } else if self.xpart < 0.5 {
                // 40/60
                let t1 = t1 / 12.0;
                let t2 = 0.5 * cox_wl / (t1 * t1);
                let t3 =
                    vgsteff * (2.0 * t0 * t0 / 3.0 + vgsteff * (vgsteff - 4.0 * t0 / 3.0)) - 2.0 * t0 * t0 * t0 / 15.0;
                qsrc = -t2 * t3;
                let t4 = 4.0 / 3.0 * vgsteff * (vgsteff - t0) + 0.4 * t0 * t0;
                let g = -2.0 * qsrc / t1 - t2 * (vgsteff * (3.0 * vgsteff - 8.0 * t0 / 3.0) + 2.0 * t0 * t0 / 3.0);
                csb = (qsrc / t1 * vds + t2 * t4 * vds) * dabulk_cv_dvb + g * dvgsteff_dvb;
                csd = (qsrc / t1 + t2 * t4) * abulk_cv + g * dvgsteff_dvd;
                csg = g * dvgsteff_dvg;
            } else {
                // 50/50
                qsrc = -0.5 * (qgate + qbulk);
                csg = -0.5 * (cgg1 + cbg1);
                csb = -0.5 * (cgb1 + cbb1);
                csd = -0.5 * (cgd1 + cbd1);
            }
        }
        cgb *= k.dvbseff_dvb;
        cbb *= k.dvbseff_dvb;
        csb *= k.dvbseff_dvb;
        let qdrn = -(qgate + qbulk + qsrc);
        let c = [cgg, cgd, cgb, cbg, cbd, cbb, csg, csd, csb];
        Bsim3v3Caps::assemble(self.m, k.mode, [qgate, qdrn, qbulk, -(qgate + qbulk)], c)
    }

    /// CAPMOD 0/1 gate overlaps, same convention as [`Bsim3v3::overlaps`]: CAPMOD 0 has
    /// constant CGSO/CGDO; CAPMOD 1 adds W*CGSL (W*CGDL), which in accumulation (V < 0)
    /// falls off as 1/sqrt(1 - 4V/CKAPPA).
    pub(crate) fn overlaps01(&self, vgs: f64, vgd: f64) -> ((f64, f64), (f64, f64), f64) {
        let part = |v: f64, cgo: f64, cgl: f64| {
            if self.capmod == 0 {
                (cgo * v, cgo)
            } else if v < 0.0 {
                let t1 = (1.0 - 4.0 * v / self.ckappa).sqrt();
                (cgo * v - self.weff_cv * 0.5 * cgl * self.ckappa * (t1 - 1.0), cgo + self.weff_cv * cgl / t1)
            } else {
                ((self.weff_cv * cgl + cgo) * v, cgo + self.weff_cv * cgl)
            }
        };
        let m = self.m;
        let (qs, cs) = part(vgs, self.cgso, self.cgsl);
        let (qd, cd) = part(vgd, self.cgdo, self.cgdl);
        ((m * qs, m * cs), (m * qd, m * cd), m * self.cgbo)
    }
}

//! Charges and capacitances: the CAPMOD 3 charge-thickness intrinsic model (`b3ld.c`,
//! "CTM"), constant overlaps and the bulk junction depletion charges.

use super::dc::Bsim3Bias;
use super::dc::Core;
use super::lane::Lane;
use super::shared::{ctm_charges, CtmBias};
use super::temp::{EPSSI, EXP_THRESHOLD, MAX_EXP, MIN_EXP};
use super::{Bsim3, Bsim3Dc};

/// DELTA_3 / DELTA_4 of the C-V smoothing functions.
const DELTA_3: f64 = 0.02;
const DELTA_4: f64 = 0.02;

/// Intrinsic charges and capacitances in BSIM3's own (mode) frame, as ngspice reports
/// them with `@m[cgg]` etc. (M included, overlaps excluded). `x` in `cxyb` is the charge
/// (g, d, b), `y` the terminal (g, d, s) of the mode frame: in reverse mode "d" is the
/// physical source.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
/// Generic over the number type like [`crate::Bsim3Dc`] (`mode` is fixed by the bias).
#[allow(missing_docs)]
pub struct Bsim3Caps<T = f64> {
    pub mode: f64,
    pub qgate: T,
    pub qdrn: T,
    pub qbulk: T,
    pub cggb: T,
    pub cgdb: T,
    pub cgsb: T,
    pub cdgb: T,
    pub cddb: T,
    pub cdsb: T,
    pub cbgb: T,
    pub cbdb: T,
    pub cbsb: T,
    /// Inversion charge (BSIM3's `qinv`, positive for an n-channel).
    pub qinv: T,
}

/// Intrinsic terminal charges at one bias (n-frame, physical terminals, M included).
/// `c[i][j] = d q_i / d v_j` with indices 0 = drain, 1 = gate, 2 = source, 3 = bulk. The
/// charges sum to zero and every column of `c` sums to zero (charge conservation).
/// Overlap and junction capacitances are not included. Generic over the number type like
/// [`crate::Bsim3Dc`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bsim3Charges<T = f64> {
    /// Gate charge.
    pub qg: T,
    /// Drain charge (XPART partition).
    pub qd: T,
    /// Source charge.
    pub qs: T,
    /// Bulk charge.
    pub qb: T,
    /// Capacitance matrix, (d, g, s, b) x (d, g, s, b).
    pub c: [[T; 4]; 4],
}

impl Bsim3 {
    /// The CAPMOD 3 intrinsic charges and capacitances in the mode frame (what ngspice
    /// stores as `BSIM3cggb` ... and reports as `@m[cgg]` ...), at n-frame voltages.
    pub fn intrinsic_caps(&self, vgs: f64, vds: f64, vbs: f64) -> Bsim3Caps {
        self.caps_from_core(&self.core(vgs, vds, vbs))
    }

    /// The CAPMOD 3 intrinsic charges from the bias-dependent quantities the current model
    /// already computed (one core evaluation serves both); generic over the number type like
    /// [`Bsim3::core_at`].
    #[inline(always)]
    pub(crate) fn caps_from_core<T: Lane>(&self, k: &Core<T>) -> Bsim3Caps<T> {
        let c = T::splat;
        let vtm = self.vtm;
        let vgs_eff = k.vgs;
        let vds = k.vds;
        let (vbseff_cv, dvbseff_cv_dvb) =
            if k.vbseff < 0.0 { (k.vbseff, 1.0) } else { (self.phi - k.phis, -k.dphis_dvb) };
        let cox_wl = self.pre.cox_wl;

        // VgsteffCV with NOFF and VOFFCV.
        let noff = k.n * self.noff;
        let dnoff_dvd = self.noff * k.dn_dvd;
        let dnoff_dvb = self.noff * k.dn_dvb;
        let t0 = vtm * noff;
        let voffcv = self.voffcv;
        let vgst_nvt = (k.vgst - voffcv) / t0;
        let (vgsteff, dvgsteff_dvg, dvgsteff_dvd, dvgsteff_dvb) = T::select(
            vgst_nvt.gt(c(EXP_THRESHOLD)),
            || (k.vgst - voffcv, c(1.0), c(-k.dvth_dvd), c(-k.dvth_dvb)),
            || {
                T::select(
                    vgst_nvt.lt(c(-EXP_THRESHOLD)),
                    || {
                        let v = t0 * (1.0 + MIN_EXP).ln();
                        let dd = v / noff;
                        (c(v), c(0.0), c(dd * dnoff_dvd), c(dd * dnoff_dvb))
                    },
                    || {
                        let e = vgst_nvt.exp();
                        let v = (e + 1.0).ln() * t0;
                        let dg = e / (e + 1.0);
                        let dd = -dg * ((k.vgst - voffcv) / noff * dnoff_dvd + k.dvth_dvd) + v / noff * dnoff_dvd;
                        let db = -dg * ((k.vgst - voffcv) / noff * dnoff_dvb + k.dvth_dvb) + v / noff * dnoff_dvb;
                        (v, dg, dd, db)
                    },
                )
            },
        );

        // Accumulation: effective flat-band voltage.
        let vfbzb = self.vfbzb;
        let v3 = c(vfbzb) - vgs_eff + vbseff_cv - DELTA_3;
        let t0 = if vfbzb <= 0.0 {
            (v3 * v3 - 4.0 * DELTA_3 * vfbzb).sqrt()
        } else {
            (v3 * v3 + 4.0 * DELTA_3 * vfbzb).sqrt()
        };
        let t1 = (v3 / t0 + 1.0) * 0.5;
        let vfbeff = c(vfbzb) - (v3 + t0) * 0.5;
        let dvfbeff_dvg = t1;
        let dvfbeff_dvb = -t1 * dvbseff_cv_dvb;

        let cox = self.cox;
        let mut tox = 1.0e8 * self.tox;
        let t0 = (vgs_eff - vbseff_cv - vfbzb) / tox;
        let dt0_dvg = 1.0 / tox;
        let dt0_dvb = -dvbseff_cv_dvb / tox;
        let tmp = t0 * self.acde;
        let (tcen, dtcen_dvg, dtcen_dvb) = T::select(
            T::and(c(-EXP_THRESHOLD).lt(tmp), tmp.lt(c(EXP_THRESHOLD))),
            || {
                let tcen = tmp.exp() * self.ldeb;
                let dg = tcen * self.acde;
                (tcen, dg * dt0_dvg, dg * dt0_dvb)
            },
            || {
                T::select(
                    c(-EXP_THRESHOLD).ge(tmp),
                    || (c(self.ldeb * MIN_EXP), c(0.0), c(0.0)),
                    || (c(self.ldeb * MAX_EXP), c(0.0), c(0.0)),
                )
            },
        );
        let link = 1.0e-3 * self.tox;
        let v3 = c(self.ldeb) - tcen - link;
        let v4 = (v3 * v3 + 4.0 * link * self.ldeb).sqrt();
        let tcen = c(self.ldeb) - (v3 + v4) * 0.5;
        let t1 = (v3 / v4 + 1.0) * 0.5;
        let dtcen_dvg = dtcen_dvg * t1;
        let dtcen_dvb = dtcen_dvb * t1;

        let ccen = c(EPSSI) / tcen;
        let t2 = c(cox) / (ccen + cox);
        let coxeff = t2 * ccen;
        let t3 = -ccen / tcen;
        let dcoxeff_dvg0 = t2 * t2 * t3;
        let dcoxeff_dvb = dcoxeff_dvg0 * dtcen_dvb;
        let dcoxeff_dvg = dcoxeff_dvg0 * dtcen_dvg;
        let cox_wl_cen = coxeff * cox_wl / cox;

        let qac0 = cox_wl_cen * (vfbeff - vfbzb);
        let qov_cox = qac0 / coxeff;
        let dqac0_dvg = cox_wl_cen * dvfbeff_dvg + qov_cox * dcoxeff_dvg;
        let dqac0_dvb = cox_wl_cen * dvfbeff_dvb + qov_cox * dcoxeff_dvb;

        let t0 = 0.5 * self.k1ox;
        let t3 = vgs_eff - vfbeff - vbseff_cv - vgsteff;
        let (t1, t2) = if self.k1ox == 0.0 {
            (c(0.0), c(0.0))
        } else {
            T::select(
                t3.lt(c(0.0)),
                || (t3 / self.k1ox + t0, cox_wl_cen),
                || {
                    let t1 = (t3 + t0 * t0).sqrt();
                    (t1, cox_wl_cen * t0 / t1)
                },
            )
        };
        let qsub0 = cox_wl_cen * self.k1ox * (t1 - t0);
        let qov_cox = qsub0 / coxeff;
        let dqsub0_dvg = t2 * (c(1.0) - dvfbeff_dvg - dvgsteff_dvg) + qov_cox * dcoxeff_dvg;
        let dqsub0_dvd = -t2 * dvgsteff_dvd;
        let dqsub0_dvb = -t2 * (dvfbeff_dvb + dvbseff_cv_dvb + dvgsteff_dvb) + qov_cox * dcoxeff_dvb;

        // Gate-bias dependent delta phi_s.
        let (denomi, t0) = if self.k1ox <= 0.0 {
            (0.25 * self.moin * vtm, 0.5 * self.sqrt_phi)
        } else {
            (self.moin * vtm * self.k1ox * self.k1ox, self.k1ox * self.sqrt_phi)
        };
        let t1 = vgsteff + 2.0 * t0;
        let delta_phi = (t1 * vgsteff / denomi + 1.0).ln() * vtm;
        let ddelta_phi_dvg = (t1 - t0) * (2.0 * vtm) / (t1 * vgsteff + denomi);

        let t0 = vgsteff - delta_phi - 0.001;
        let dt0_dvg = c(1.0) - ddelta_phi_dvg;
        let t1 = (t0 * t0 + vgsteff * 0.004).sqrt();
        let vgdp = (t0 + t1) * 0.5;
        let dvgdp_dvg = (dt0_dvg + (t0 * dt0_dvg + 0.002) / t1) * 0.5;

        let t3 = 4.0 * (k.vth - vfbzb - self.phi);
        tox += tox;
        let (t0, dt0_dvd, dt0_dvb) = if t3 >= 0.0 {
            ((vgsteff + t3) / tox, (dvgsteff_dvd + 4.0 * k.dvth_dvd) / tox, (dvgsteff_dvb + 4.0 * k.dvth_dvb) / tox)
        } else {
            ((vgsteff + 1.0e-20) / tox, dvgsteff_dvd / tox, dvgsteff_dvb / tox)
        };
        let tmp = (t0.ln() * 0.7).exp();
        let t1 = tmp + 1.0;
        let t2 = tmp * 0.7 / (t0 * tox);
        let tcen = c(1.9e-9) / t1;
        let dtcen_dvg0 = t2 * -1.9e-9 / t1 / t1;
        let dtcen_dvd0 = dtcen_dvg0 * tox;
        let dtcen_dvb = dtcen_dvd0 * dt0_dvb;
        let dtcen_dvd = dtcen_dvd0 * dt0_dvd;
        let dtcen_dvg = dtcen_dvg0 * dvgsteff_dvg;

        let ccen = c(EPSSI) / tcen;
        let t0 = c(cox) / (ccen + cox);
        let coxeff = t0 * ccen;
        let t1 = -ccen / tcen;
        let dc0 = t0 * t0 * t1;
        let dcoxeff_dvd = dc0 * dtcen_dvd;
        let dcoxeff_dvb = dc0 * dtcen_dvb;
        let dcoxeff_dvg = dc0 * dtcen_dvg;
        let cox_wl_cen = coxeff * cox_wl / cox;

        let abulk_cv = k.abulk0 * self.abulk_cv_factor;
        let dabulk_cv_dvb = self.abulk_cv_factor * k.dabulk0_dvb;
        let vdsat_cv = vgdp / abulk_cv;
        let t0 = vdsat_cv - vds - DELTA_4;
        let dt0_dvg = dvgdp_dvg / abulk_cv;
        let dt0_dvb = -vdsat_cv * dabulk_cv_dvb / abulk_cv;
        let t1 = (t0 * t0 + vdsat_cv * (4.0 * DELTA_4)).sqrt();
        let dt1_dvg0 = (t0 + DELTA_4 + DELTA_4) / t1;
        let dt1_dvd = -t0 / t1;
        let dt1_dvb = dt1_dvg0 * dt0_dvb;
        let dt1_dvg = dt1_dvg0 * dt0_dvg;
        let (mut vdseff_cv, mut dvdseff_cv_dvg, dvdseff_cv_dvd, mut dvdseff_cv_dvb) = T::select(
            t0.ge(c(0.0)),
            || {
                (
                    vdsat_cv - (t0 + t1) * 0.5,
                    (dt0_dvg - dt1_dvg) * 0.5,
                    (c(1.0) - dt1_dvd) * 0.5,
                    (dt0_dvb - dt1_dvb) * 0.5,
                )
            },
            || {
                let t3 = c(DELTA_4 + DELTA_4) / (t1 - t0);
                let t4 = c(1.0) - t3;
                let t5 = vdsat_cv * t3 / (t1 - t0);
                (
                    vdsat_cv * t4,
                    dt0_dvg * t4 + t5 * (dt1_dvg - dt0_dvg),
                    t5 * (dt1_dvd + 1.0),
                    dt0_dvb * (c(1.0) - t5) + t5 * dt1_dvb,
                )
            },
        );
        if vds == 0.0 {
            vdseff_cv = c(0.0);
            dvdseff_cv_dvg = c(0.0);
            dvdseff_cv_dvb = c(0.0);
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
        Bsim3Caps::assemble(self.m, k.mode, q, c)
    }

    /// Intrinsic terminal charges and their capacitance matrix at n-frame voltages, in
    /// physical terminal order (d, g, s, b); see [`Bsim3Charges`]. Source and drain are
    /// swapped back in reverse mode as `b3ld.c` does when it stamps.
    pub fn charges(&self, vgs: f64, vds: f64, vbs: f64) -> Bsim3Charges {
        self.intrinsic_caps(vgs, vds, vbs).terminal()
    }

    /// Drain current, derivatives, junction diodes and the intrinsic terminal charges at one
    /// bias from a single evaluation of the shared intermediate quantities (Vth, Vgsteff,
    /// Abulk, ...): the same numbers as [`Bsim3::dc`] and [`Bsim3::charges`] separately, at
    /// about half the cost of calling both.
    ///
    /// ```
    /// use insitu_devices::{Bsim3, Bsim3Model, MosGeom};
    /// let m = Bsim3Model::new("n", false, &[("tox".into(), 4.1e-9), ("vth0".into(), 0.4)]).unwrap();
    /// let g = MosGeom { w: 1e-6, l: 0.18e-6, ..MosGeom::default() };
    /// let d = Bsim3::new(&m, &g, 27.0, 27.0, 1e-12).unwrap();
    /// let (dc, q) = d.dc_charges(0.9, 0.9, 0.0);
    /// assert_eq!(dc, d.dc(0.9, 0.9, 0.0));
    /// assert_eq!(q, d.charges(0.9, 0.9, 0.0));
    /// ```
    pub fn dc_charges(&self, vgs: f64, vds: f64, vbs: f64) -> (Bsim3Dc, Bsim3Charges) {
        let core = self.core(vgs, vds, vbs);
        (self.dc_from_core(&core, self.diodes(vds, vbs)), self.caps_from_core(&core).terminal())
    }

    /// [`Bsim3::dc`] that also keeps the shared intermediate quantities of the evaluation, so
    /// that [`Bsim3::charges_kept`] can give the charges at the same bias later without
    /// evaluating them again (a small-signal load after an operating point's last iteration).
    ///
    /// ```
    /// use insitu_devices::{Bsim3, Bsim3Model, MosGeom};
    /// let m = Bsim3Model::new("n", false, &[("tox".into(), 4.1e-9), ("vth0".into(), 0.4)]).unwrap();
    /// let g = MosGeom { w: 1e-6, l: 0.18e-6, ..MosGeom::default() };
    /// let d = Bsim3::new(&m, &g, 27.0, 27.0, 1e-12).unwrap();
    /// let (dc, kept) = d.dc_keeping(0.9, 0.4, -0.2);
    /// assert_eq!((dc, d.charges_kept(&kept)), d.dc_charges(0.9, 0.4, -0.2));
    /// ```
    #[inline(always)]
    pub fn dc_keeping(&self, vgs: f64, vds: f64, vbs: f64) -> (Bsim3Dc, Bsim3Kept) {
        let core = self.core(vgs, vds, vbs);
        (self.dc_from_core(&core, self.diodes(vds, vbs)), Bsim3Kept(core))
    }

    /// The intrinsic terminal charges at the bias of a [`Bsim3::dc_keeping`] evaluation of
    /// this device: [`Bsim3::charges`] there, bit for bit.
    pub fn charges_kept(&self, kept: &Bsim3Kept) -> Bsim3Charges {
        self.caps_from_core(&kept.0).terminal()
    }

    /// [`Bsim3::dc_charges`] at n-frame `vgs` and the (VDS, VBS) of `bias` (from
    /// [`Bsim3::bias`]): the same numbers, bit for bit, without evaluating the VGS-independent
    /// part again (a VGS sweep's inner loop).
    /// Generic over the number type: with [`Lanes`](super::lane::Lanes) of gate voltages it
    /// evaluates them side by side, each lane bit for bit as the `f64` call.
    #[inline(always)]
    pub fn dc_charges_at<T: Lane>(&self, bias: &Bsim3Bias, vgs: T) -> (Bsim3Dc<T>, Bsim3Charges<T>) {
        let core = self.core_at(&bias.core, vgs);
        (self.dc_from_core(&core, bias.diodes), self.caps_from_core(&core).terminal())
    }
}

/// The intermediate quantities of one DC evaluation ([`Bsim3::dc_keeping`]), from which
/// [`Bsim3::charges_kept`] computes the charges at that bias.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bsim3Kept(Core);

impl<T: Lane> Bsim3Caps<T> {
    /// The stored charges and capacitances of `m` parallel devices from one device's charges
    /// `[qgate, qdrn, qbulk, qinv]` and its derivatives `[cgg, cgd, cgb, cbg, cbd, cbb, csg, csd,
    /// csb]` (`c_xy = dQx/dVy`, source columns and the drain row by charge conservation, as
    /// `b3ld.c` stores them).
    #[inline(always)]
    pub(crate) fn assemble(m: f64, mode: f64, q: [T; 4], c: [T; 9]) -> Bsim3Caps<T> {
        let [qgate, qdrn, qbulk, qinv] = q;
        let [cgg, cgd, cgb, cbg, cbd, cbb, csg, csd, csb] = c;
        Bsim3Caps {
            mode,
            qgate: qgate * m,
            qdrn: qdrn * m,
            qbulk: qbulk * m,
            cggb: cgg * m,
            cgsb: -(cgg + cgd + cgb) * m,
            cgdb: cgd * m,
            cdgb: -(cgg + cbg + csg) * m,
            cdsb: (cgg + cgd + cgb + cbg + cbd + cbb + csg + csd + csb) * m,
            cddb: -(cgd + cbd + csd) * m,
            cbgb: cbg * m,
            cbsb: -(cbg + cbd + cbb) * m,
            cbdb: cbd * m,
            qinv: qinv * m,
        }
    }

    /// The charges and capacitance matrix in physical terminal order (d, g, s, b); see
    /// [`Bsim3Charges`]. Source and drain are swapped back in reverse mode as `b3ld.c` does
    /// when it stamps.
    #[inline(always)]
    pub fn terminal(&self) -> Bsim3Charges<T> {
        let k = self;
        // Mode frame, order (d, g, s, b).
        let qs = -(k.qgate + k.qbulk + k.qdrn);
        let rows_mode = [
            [k.cddb, k.cdgb, k.cdsb],
            [k.cgdb, k.cggb, k.cgsb],
            [-(k.cgdb + k.cbdb + k.cddb), -(k.cggb + k.cbgb + k.cdgb), -(k.cgsb + k.cbsb + k.cdsb)],
            [k.cbdb, k.cbgb, k.cbsb],
        ];
        let q_mode = [k.qdrn, k.qgate, qs, k.qbulk];
        // Physical index -> mode index.
        let p = if k.mode > 0.0 { [0, 1, 2, 3] } else { [2, 1, 0, 3] };
        let mut c = [[T::default(); 4]; 4];
        for i in 0..4 {
            let r = rows_mode[p[i]];
            let full = [r[0], r[1], r[2], -(r[0] + r[1] + r[2])];
            for j in 0..4 {
                c[i][j] = full[p[j]];
            }
        }
        Bsim3Charges { qd: q_mode[p[0]], qg: q_mode[1], qs: q_mode[p[2]], qb: q_mode[3], c }
    }
}

impl Bsim3 {
    /// The intrinsic charges `k` at n-frame voltages (vgs, vds, vbs) with the constant
    /// overlaps (gate-source, gate-drain, gate-bulk) and the bulk-drain and bulk-source
    /// junction depletion charges added: every charge on the device's terminals (n-frame,
    /// physical order d, g, s, b; multiply the charges by `mos_type()` for the circuit's).
    /// Charges still sum to zero and the matrix's rows and columns to zero.
    pub fn with_extrinsic(&self, vgs: f64, vds: f64, vbs: f64, k: &Bsim3Charges) -> Bsim3Charges {
        self.with_extrinsic_junctions(vgs, vds, vbs, k, self.junction_bd(vbs - vds), self.junction_bs(vbs))
    }

    /// [`Bsim3::with_extrinsic`] with the junctions' (charge, capacitance) already evaluated
    /// (`bd` = [`Bsim3::junction_bd`] at `vbs - vds`, `bs` = [`Bsim3::junction_bs`] at
    /// `vbs`): a sweep over VGS at fixed VDS and VBS evaluates them once.
    /// Generic over the number type like [`Bsim3::dc_charges_at`] (the gate voltage and the
    /// charges per lane, the rest fixed).
    #[inline(always)]
    pub fn with_extrinsic_junctions<T: Lane>(
        &self,
        vgs: T,
        vds: f64,
        vbs: f64,
        k: &Bsim3Charges<T>,
        bd: (f64, f64),
        bs: (f64, f64),
    ) -> Bsim3Charges<T> {
        const D: usize = 0;
        const G: usize = 1;
        const S: usize = 2;
        const B: usize = 3;
        let mut q = [k.qd, k.qg, k.qs, k.qb];
        let mut c = k.c;
        let mut two = |a: usize, b: usize, qab: T, cab: f64| {
            q[a] = q[a] + qab;
            q[b] = q[b] - qab;
            c[a][a] = c[a][a] + cab;
            c[b][b] = c[b][b] + cab;
            c[a][b] = c[a][b] - cab;
            c[b][a] = c[b][a] - cab;
        };
        let (ogs, ogd, ogb) = self.overlap_caps();
        two(G, S, vgs * ogs, ogs);
        two(G, D, (vgs - vds) * ogd, ogd);
        two(G, B, (vgs - vbs) * ogb, ogb);
        let ((qbd, cbd), (qbs, cbs)) = (bd, bs);
        two(B, D, T::splat(qbd), cbd);
        two(B, S, T::splat(qbs), cbs);
        Bsim3Charges { qd: q[D], qg: q[G], qs: q[S], qb: q[B], c }
    }

    /// Total constant overlap capacitances (Cgso, Cgdo, Cgbo) = ((CGSO + CF) WeffCV,
    /// (CGDO + CF) WeffCV, CGBO LeffCV) times M. They are not part of `@m[cgg]`.
    pub fn overlap_caps(&self) -> (f64, f64, f64) {
        (self.m * self.cgso, self.m * self.cgdo, self.m * self.cgbo)
    }
}

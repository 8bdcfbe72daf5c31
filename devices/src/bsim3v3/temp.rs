//! Instance set-up: effective geometry, size-dependent parameters and temperature
//! (`b3set.c` defaults, `b3temp.c`), all computed once per instance.

use super::acm::AcmInstance;
use super::{Bsim3Version, Bsim3v3Model};
use crate::consts::{vt, REFTEMP, ROOT2};
use crate::{DeviceError, MosGeom};

/// BSIM3's constants, as BSIM-lite defines them.
pub(crate) use crate::bsim3::temp::{theta_sce, CHARGE_Q, EPSOX, EPSSI, EXP_THRESHOLD, KBOQ, MAX_EXP, MIN_EXP, PI_B3};

/// A BSIM-lite instance with everything that depends only on parameters, geometry and
/// temperature precomputed (ngspice's `bsim3SizeDependParam` plus the temperature values).
/// Build again with [`Bsim3v3::new`] after a re-size or a temperature change.
#[derive(Debug, Clone, PartialEq)]
pub struct Bsim3v3 {
    pub(crate) version: Bsim3Version,
    pub(crate) typ: f64,
    pub(crate) gmin: f64,
    pub(crate) m: f64,
    pub(crate) temp: f64,
    pub(crate) tnom: f64,
    pub(crate) vtm: f64,
    pub(crate) vtm0: f64,
    pub(crate) temp_ratio_m1: f64,
    // geometry
    pub(crate) leff: f64,
    pub(crate) weff: f64,
    pub(crate) leff_cv: f64,
    pub(crate) weff_cv: f64,
    pub(crate) tox: f64,
    pub(crate) cox: f64,
    pub(crate) factor1: f64,
    // doping-derived
    pub(crate) phi: f64,
    pub(crate) sqrt_phi: f64,
    pub(crate) phis3: f64,
    pub(crate) xdep0: f64,
    pub(crate) litl: f64,
    pub(crate) vbi: f64,
    pub(crate) cdep0: f64,
    pub(crate) ldeb: f64,
    pub(crate) acde: f64,
    pub(crate) moin: f64,
    pub(crate) noff: f64,
    pub(crate) voffcv: f64,
    pub(crate) vfbcv: f64,
    // threshold
    pub(crate) vth0: f64,
    pub(crate) vfbzb: f64,
    pub(crate) k1: f64,
    pub(crate) k2: f64,
    pub(crate) k1ox: f64,
    pub(crate) k2ox: f64,
    pub(crate) k3: f64,
    pub(crate) k3b: f64,
    pub(crate) w0: f64,
    pub(crate) nlx: f64,
    pub(crate) vbsc: f64,
    pub(crate) dvt0: f64,
    pub(crate) dvt1: f64,
    pub(crate) dvt2: f64,
    pub(crate) dvt0w: f64,
    pub(crate) dvt1w: f64,
    pub(crate) dvt2w: f64,
    pub(crate) eta0: f64,
    pub(crate) etab: f64,
    pub(crate) theta0vb0: f64,
    pub(crate) theta_rout: f64,
    pub(crate) kt1: f64,
    pub(crate) kt1l: f64,
    pub(crate) kt2: f64,
    // subthreshold
    pub(crate) voff: f64,
    pub(crate) nfactor: f64,
    pub(crate) cdsc: f64,
    pub(crate) cdscb: f64,
    pub(crate) cdscd: f64,
    pub(crate) cit: f64,
    // mobility, saturation, output conductance
    pub(crate) ua: f64,
    pub(crate) ub: f64,
    pub(crate) uc: f64,
    pub(crate) u0temp: f64,
    pub(crate) vsattemp: f64,
    pub(crate) a0: f64,
    pub(crate) ags: f64,
    pub(crate) b0: f64,
    pub(crate) b1: f64,
    pub(crate) keta: f64,
    pub(crate) xj: f64,
    pub(crate) pclm: f64,
    pub(crate) pdiblb: f64,
    pub(crate) pscbe1: f64,
    pub(crate) pscbe2: f64,
    pub(crate) alpha0: f64,
    pub(crate) alpha1: f64,
    pub(crate) beta0: f64,
    pub(crate) pvag: f64,
    pub(crate) delta: f64,
    pub(crate) rds0: f64,
    pub(crate) prwg: f64,
    pub(crate) prwb: f64,
    pub(crate) a1: f64,
    pub(crate) a2: f64,
    pub(crate) dwg: f64,
    pub(crate) dwb: f64,
    pub(crate) ngate: f64,
    pub(crate) vfb: f64,
    /// The card gives NGATE (3.0 applies NGATE whenever given).
    pub(crate) ngate_given: bool,
    pub(crate) mobmod: u8,
    pub(crate) capmod: u8,
    pub(crate) cgsl: f64,
    pub(crate) cgdl: f64,
    pub(crate) ckappa: f64,
    pub(crate) noimod: u8,
    pub(crate) noia: f64,
    pub(crate) noib: f64,
    pub(crate) noic: f64,
    pub(crate) em: f64,
    pub(crate) lintnoi: f64,
    // capacitances
    pub(crate) abulk_cv_factor: f64,
    pub(crate) xpart: f64,
    pub(crate) cgso: f64,
    pub(crate) cgdo: f64,
    pub(crate) cgbo: f64,
    // junctions
    pub(crate) nvtm: f64,
    pub(crate) ijth: f64,
    pub(crate) drain_sat_cur: f64,
    pub(crate) source_sat_cur: f64,
    pub(crate) vjdm: f64,
    pub(crate) is_evjdm: f64,
    pub(crate) vjsm: f64,
    pub(crate) is_evjsm: f64,
    pub(crate) phib: f64,
    pub(crate) phibsw: f64,
    pub(crate) phibswg: f64,
    pub(crate) mj: f64,
    pub(crate) mjsw: f64,
    pub(crate) mjswg: f64,
    pub(crate) czbd: f64,
    pub(crate) czbdsw: f64,
    pub(crate) czbdswg: f64,
    pub(crate) czbs: f64,
    pub(crate) czbssw: f64,
    pub(crate) czbsswg: f64,
    pub(crate) vcrit: f64,
    // series resistances (conductances, M included)
    pub(crate) gd: f64,
    pub(crate) gs: f64,
    // noise
    pub(crate) kf: f64,
    pub(crate) af: f64,
    pub(crate) ef: f64,
    // non-quasi-static model (`nqs`)
    pub(crate) nqs: bool,
    pub(crate) elm: f64,
    pub(crate) nqs_t0: f64,
    // AC-only non-quasi-static model (ACNQSMOD = 1, 3.3.0; `acnqs.rs`)
    pub(crate) acnqs: bool,
    pub(crate) model_acnqs: bool,
    /// ngspice's parameter-check warnings ([`Bsim3v3::warnings`]).
    pub(crate) warnings: Vec<String>,
}

impl Bsim3v3 {
    /// Sets up an instance of `model` with geometry `geom` at circuit temperature `temp_c`
    /// (degrees C), nominal temperature `tnom_c` (used unless the card gives TNOM) and
    /// junction conductance `gmin`. Errors name the model and the offending value
    /// (non-positive W, L, M, Leff, Weff, their C-V versions, non-finite derived values).
    pub fn new(
        model: &Bsim3v3Model,
        geom: &MosGeom,
        temp_c: f64,
        tnom_c: f64,
        gmin: f64,
    ) -> Result<Bsim3v3, DeviceError> {
        Bsim3v3::build(model, geom, &AcmInstance::default(), temp_c, tnom_c, gmin, false)
    }

    /// As [`Bsim3v3::new`] for the instance that creates its size's parameter set in ngspice:
    /// of a model's instances with the same L and W, the first ngspice sets up, which is the
    /// last in the netlist. On a 3.1 card `b3v1temp.c` runs its parameter check there only,
    /// and that check sets a PD/PS shorter than Weff to Weff (when the card has sidewall
    /// capacitance), so this instance gets that perimeter and its same-size siblings keep
    /// theirs, as in ngspice. Other revisions: the same as [`Bsim3v3::new`].
    pub fn new_size_creator(
        model: &Bsim3v3Model,
        geom: &MosGeom,
        temp_c: f64,
        tnom_c: f64,
        gmin: f64,
    ) -> Result<Bsim3v3, DeviceError> {
        Bsim3v3::build(model, geom, &AcmInstance::default(), temp_c, tnom_c, gmin, true)
    }

    /// As [`Bsim3v3::new`] (or [`Bsim3v3::new_size_creator`] when `creates_size`) with the
    /// instance's GEO and the flags of the AD/AS/PD/PS/NRD/NRS it gives, which the card's ACM
    /// uses ([`AcmInstance`]; `new` takes every value of `geom` as given and GEO = 0).
    pub fn with_instance(
        model: &Bsim3v3Model,
        geom: &MosGeom,
        inst: &AcmInstance,
        temp_c: f64,
        tnom_c: f64,
        gmin: f64,
        creates_size: bool,
    ) -> Result<Bsim3v3, DeviceError> {
        Bsim3v3::build(model, geom, inst, temp_c, tnom_c, gmin, creates_size)
    }

    fn build(
        model: &Bsim3v3Model,
        geom: &MosGeom,
        inst: &AcmInstance,
        temp_c: f64,
        tnom_c: f64,
        gmin: f64,
        creates_size: bool,
    ) -> Result<Bsim3v3, DeviceError> {
        let name = model.name.as_str();
        let p = &model.params;
        let typ = model.mos_type();
        geom.check(name)?;
        let (temp, tnom) = crate::consts::conditions(name, temp_c, p.tnom, tnom_c, gmin)?;
        let d = |v: Option<f64>, def: f64| v.unwrap_or(def);
        // 3.0 (`b3v0set.c`, `b3v0temp.c`): see the branches marked "3.0" below.
        let v30 = model.version == Bsim3Version::V30;

        // --- model defaults (b3set.c)
        let tox = d(p.tox, 150.0e-10);
        let cox = EPSOX / tox;
        let toxm = d(p.toxm, tox);
        let xj = d(p.xj, 0.15e-6);
        let drout = d(p.drout, 0.56);
        let dsub = d(p.dsub, drout);
        let lint = d(p.lint, 0.0);
        let wint = d(p.wint, 0.0);
        let dlc_model = d(p.dlc, lint);
        let dwc_model = d(p.dwc, wint);
        let ll = d(p.ll, 0.0);
        let lw = d(p.lw, 0.0);
        let lwl = d(p.lwl, 0.0);
        let wl = d(p.wl, 0.0);
        let ww = d(p.ww, 0.0);
        let wwl = d(p.wwl, 0.0);
        let lln = d(p.lln, 1.0);
        let lwn = d(p.lwn, 1.0);
        let wln = d(p.wln, 1.0);
        let wwn = d(p.wwn, 1.0);
        let llc = d(p.llc, ll);
        let lwc = d(p.lwc, lw);
        let lwlc = d(p.lwlc, lwl);
        let wlc = d(p.wlc, wl);
        let wwc = d(p.wwc, ww);
        let wwlc = d(p.wwlc, wwl);
        let xl = d(p.xl, 0.0);
        let xw = d(p.xw, 0.0);
        let cf = d(p.cf, 2.0 * EPSOX / PI_B3 * (1.0 + 0.4e-6 / tox).ln());
        let dlc_given_pos = p.dlc.is_some_and(|v| v > 0.0);
        let mut cgdo_model = p.cgdo.unwrap_or(if dlc_given_pos { dlc_model * cox } else { 0.6 * xj * cox });
        let mut cgso_model = p.cgso.unwrap_or(if dlc_given_pos { dlc_model * cox } else { 0.6 * xj * cox });
        let cgbo_model = d(p.cgbo, if v30 { 0.0 } else { 2.0 * dwc_model * cox });
        if v30 {
            // 3.0: negative overlaps are set to zero, CGBO defaults to 0.
            cgdo_model = cgdo_model.max(0.0);
            cgso_model = cgso_model.max(0.0);
        }

        // --- temperature-only model values (b3temp.c, model loop)
        let pb = d(p.pb, 1.0).max(0.1);
        let pbsw = d(p.pbsw, 1.0).max(0.1);
        let pbswg = d(p.pbswg, d(p.pbsw, 1.0)).max(0.1);
        let tratio = temp / tnom;
        let vtm0 = KBOQ * tnom;
        let eg0 = 1.16 - 7.02e-4 * tnom * tnom / (tnom + 1108.0);
        let ni = 1.45e10 * (tnom / 300.15) * (tnom / 300.15).sqrt() * (21.5565981 - eg0 / (2.0 * vtm0)).exp();
        let vtm = KBOQ * temp;
        let eg = 1.16 - 7.02e-4 * temp * temp / (temp + 1108.0);
        let nj = d(p.nj, 1.0);
        let js = d(p.js, 1.0e-4);
        let jsw = d(p.jsw, 0.0);
        let (mut js_t, mut jsw_t) = if temp != tnom {
            let t0 = eg0 / vtm0 - eg / vtm + d(p.xti, 3.0) * (temp / tnom).ln();
            let t1 = (t0 / nj).exp();
            (js * t1, jsw * t1)
        } else {
            (js, jsw)
        };
        js_t = js_t.max(0.0);
        jsw_t = jsw_t.max(0.0);
        let del_temp = temp - tnom;
        let tcap = |c: f64, tc: f64| if tc * del_temp >= -1.0 { c * (1.0 + tc * del_temp) } else { 0.0 };
        let cj_t = tcap(d(p.cj, 5.0e-4), d(p.tcj, 0.0));
        let cjsw = d(p.cjsw, 5.0e-10);
        let cjsw_t = tcap(cjsw, d(p.tcjsw, 0.0));
        let cjswg_t = tcap(d(p.cjswg, cjsw), d(p.tcjswg, 0.0));
        let phib = (pb - d(p.tpb, 0.0) * del_temp).max(0.01);
        let phibsw = (pbsw - d(p.tpbsw, 0.0) * del_temp).max(0.01);
        let phibswg = (pbswg - d(p.tpbswg, 0.0) * del_temp).max(0.01);
        let vt0 = vt(REFTEMP);
        let vcrit = vt0 * (vt0 / (ROOT2 * 1.0e-14)).ln();
        let factor1 = (EPSSI / EPSOX * tox).sqrt();

        // --- size-dependent parameters
        // `bsim3v32` multiplies the instance L by LMLT when the card gives it (b3v32set.c).
        let ldrn = p.lmlt.map_or(geom.l, |k| geom.l * k);
        let wdrn = geom.w;
        let t0 = ldrn.powf(lln);
        let t1 = wdrn.powf(lwn);
        let dl = lint + (ll / t0 + lw / t1 + lwl / (t0 * t1));
        let dlc = dlc_model + (llc / t0 + lwc / t1 + lwlc / (t0 * t1));
        let t2 = ldrn.powf(wln);
        let t3 = wdrn.powf(wwn);
        let dw = wint + (wl / t2 + ww / t3 + wwl / (t2 * t3));
        let dwc = dwc_model + (wlc / t2 + wwc / t3 + wwlc / (t2 * t3));
        let leff = ldrn + xl - 2.0 * dl;
        let weff = wdrn + xw - 2.0 * dw;
        let leff_cv = ldrn + xl - 2.0 * dlc;
        let weff_cv = wdrn + xw - 2.0 * dwc;
        for (what, v) in [("leff", leff), ("weff", weff), ("leffcv", leff_cv), ("weffcv", weff_cv)] {
            if v.is_nan() || v <= 0.0 {
                return Err(DeviceError::invalid(name, what, v, "effective channel dimension is not positive"));
            }
        }
        // Size dependence (b3temp.c): value + L/Leff + W/Weff + P/(Leff Weff), in um when
        // BINUNIT = 1 (the default).
        let (inv_l, inv_w, inv_lw) = if d(p.binunit, 1.0) == 1.0 {
            (1.0e-6 / leff, 1.0e-6 / weff, 1.0e-12 / (leff * weff))
        } else {
            (1.0 / leff, 1.0 / weff, 1.0 / (leff * weff))
        };
        let (lc, wc, pc) = (&model.lcoef, &model.wcoef, &model.pcoef);
        macro_rules! bin {
            ($f:ident, $def:expr) => {
                d(p.$f, $def) + d(lc.$f, 0.0) * inv_l + d(wc.$f, 0.0) * inv_w + d(pc.$f, 0.0) * inv_lw
            };
        }
        let clc = bin!(clc, 0.1e-6);
        let cle = bin!(cle, 0.6);
        // bsim3v1 (3.1) takes CLC's length from Leff, later revisions from LeffCV.
        let v31 = model.version == Bsim3Version::V31;
        let abulk_cv_factor = 1.0 + (clc / if v31 { leff } else { leff_cv }).powf(cle);
        let tr1 = tratio - 1.0;
        let ua = bin!(ua, 2.25e-9) + bin!(ua1, 4.31e-9) * tr1;
        let ub = bin!(ub, 5.87e-19) + bin!(ub1, -7.61e-18) * tr1;
        let uc = bin!(uc, -0.0465e-9) + bin!(uc1, -0.056e-9) * tr1;
        let mut u0 = bin!(u0, if typ > 0.0 { 0.067 } else { 0.025 });
        if v30 {
            // 3.0 converts U0 > 1 (cm^2/Vs) on the card; LU0/WU0/PU0 only when the converted
            // U0 is still above 1 (b3v0set.c tests the already divided U0), then no more.
            let mut u0m = d(p.u0, if typ > 0.0 { 0.067 } else { 0.025 });
            if p.u0.is_some() && u0m > 1.0 {
                u0m /= 1.0e4;
            }
            let k = if u0m > 1.0 { 1.0e-4 } else { 1.0 };
            u0 = u0m + k * (d(lc.u0, 0.0) * inv_l + d(wc.u0, 0.0) * inv_w + d(pc.u0, 0.0) * inv_lw);
        } else if u0 > 1.0 {
            u0 /= 1.0e4;
        }
        let u0temp = u0 * tratio.powf(bin!(ute, -1.5));
        let vsattemp = bin!(vsat, 8.0e4) - bin!(at, 3.3e4) * tr1;
        let rds0 = (bin!(rdsw, 0.0) + bin!(prt, 0.0) * tr1) / (weff * 1.0e6).powf(bin!(wr, 1.0));
        let cf = bin!(cf, cf);
        let xj = bin!(xj, xj);
        let drout = bin!(drout, drout);
        let dsub = bin!(dsub, dsub);
        let cgdo = (cgdo_model + cf) * weff_cv;
        let cgso = (cgso_model + cf) * weff_cv;
        let cgbo = cgbo_model * leff_cv;

        let mut npeak = bin!(nch, 1.7e17);
        if p.nch.is_none() && p.gamma1.is_some() {
            let t0 = bin!(gamma1, 0.0) * cox;
            npeak = 3.021e22 * t0 * t0;
        }
        if npeak.is_nan() || npeak <= 0.0 {
            return Err(DeviceError::invalid(name, "nch", npeak, "channel doping must be positive"));
        }
        let phi = 2.0 * vtm0 * (npeak / ni).ln();
        if phi.is_nan() || phi <= 0.0 {
            return Err(DeviceError::invalid(name, "nch", npeak, "surface potential 2*Vtm*ln(NCH/ni) is not positive"));
        }
        let sqrt_phi = phi.sqrt();
        let phis3 = sqrt_phi * phi;
        let xdep0 = (2.0 * EPSSI / (CHARGE_Q * npeak * 1.0e6)).sqrt() * sqrt_phi;
        let litl = (3.0 * xj * tox).sqrt();
        let vbi = vtm0 * (1.0e20 * npeak / (ni * ni)).ln();
        let cdep0 = (CHARGE_Q * EPSSI * npeak * 1.0e6 / 2.0 / phi).sqrt();
        let ldeb = (EPSSI * vtm0 / (CHARGE_Q * npeak * 1.0e6)).sqrt() / 3.0;
        let acde = bin!(acde, 1.0) * (npeak / 2.0e16).powf(-0.25);

        let mut vbm = bin!(vbm, if v30 { -5.0 } else { -3.0 });
        let (k1, k2) = if p.k1.is_some() || p.k2.is_some() {
            (
                if p.k1.is_some() { bin!(k1, 0.53) } else { 0.53 },
                if p.k2.is_some() { bin!(k2, -0.0186) } else { -0.0186 },
            )
        } else {
            let mut vbx = p.vbx.map(|_| bin!(vbx, 0.0)).unwrap_or_else(|| {
                let xt = bin!(xt, 1.55e-7);
                phi - 7.7348e-4 * npeak * xt * xt
            });
            if vbx > 0.0 {
                vbx = -vbx;
            }
            if vbm > 0.0 {
                vbm = -vbm;
            }
            let gamma1 = if p.gamma1.is_some() { bin!(gamma1, 0.0) } else { 5.753e-12 * npeak.sqrt() / cox };
            let gamma2 =
                if p.gamma2.is_some() { bin!(gamma2, 0.0) } else { 5.753e-12 * bin!(nsub, 6.0e16).sqrt() / cox };
            let t0 = gamma1 - gamma2;
            let t1 = (phi - vbx).sqrt() - sqrt_phi;
            let t2 = (phi * (phi - vbm)).sqrt() - phi;
            let k2 = t0 * t1 / (2.0 * t2 + vbm);
            (gamma2 - 2.0 * k2 * (phi - vbm).sqrt(), k2)
        };
        let mut vbsc = if v30 {
            // 3.0: the clamped value when K2 > 0 (the later revisions' K2 < 0), else -10 V,
            // and no VBM limit.
            if k2 > 0.0 {
                let t0 = 0.5 * k1 / k2;
                (0.9 * (phi - t0 * t0)).clamp(-30.0, -3.0)
            } else {
                -10.0
            }
        } else if k2 < 0.0 {
            let t0 = 0.5 * k1 / k2;
            (0.9 * (phi - t0 * t0)).clamp(-30.0, -3.0)
        } else {
            -30.0
        };
        if vbsc > vbm && !v30 {
            vbsc = vbm;
        }
        let vfb = match (p.vfb, p.vth0) {
            (Some(_), _) => bin!(vfb, 0.0),
            (None, Some(_)) => typ * bin!(vth0, 0.0) - phi - k1 * sqrt_phi,
            (None, None) => -1.0,
        };
        let vth0 = if p.vth0.is_some() { bin!(vth0, 0.0) } else { typ * (vfb + phi + k1 * sqrt_phi) };
        let k1ox = k1 * tox / toxm;
        let k2ox = k2 * tox / toxm;
        let t1 = (EPSSI / EPSOX * tox * xdep0).sqrt();
        let t0 = (-0.5 * dsub * leff / t1).exp();
        let theta0vb0 = t0 + 2.0 * t0 * t0;
        let t0 = (-0.5 * drout * leff / t1).exp();
        let t2 = t0 + 2.0 * t0 * t0;
        let theta_rout = bin!(pdiblc1, 0.39) * t2 + bin!(pdiblc2, 0.0086);

        let dvt0 = bin!(dvt0, 2.2);
        let dvt1 = bin!(dvt1, 0.53);
        let dvt0w = bin!(dvt0w, 0.0);
        let dvt1w = bin!(dvt1w, 5.3e6);
        let k3 = bin!(k3, 80.0);
        let w0 = bin!(w0, 2.5e-6);
        let nlx = bin!(nlx, 1.74e-7);
        let kt1 = bin!(kt1, -0.11);
        let kt1l = bin!(kt1l, 0.0);
        // vfbzb: the zero-bias flat-band voltage of the C-V model.
        let tmp = xdep0.sqrt();
        let tmp1 = vbi - phi;
        let tmp2 = factor1 * tmp;
        let t2 = dvt0w * theta_sce(dvt1w * weff * leff / tmp2) * tmp1;
        let t3 = dvt0 * theta_sce(dvt1 * leff / tmp2) * tmp1;
        let t4 = tox * phi / (weff + w0);
        let t0 = (1.0 + nlx / leff).sqrt();
        let t5 = k1ox * (t0 - 1.0) * sqrt_phi + (kt1 + kt1l / leff) * (tratio - 1.0);
        let tmp3 = typ * vth0 - t2 - t3 + k3 * t4 + t5;
        let vfbzb = tmp3 - phi - k1 * sqrt_phi;

        // --- junction diodes and capacitances
        // bsim3v1's parameter check (b3v1check.c) sets a drain/source perimeter shorter than
        // Weff to Weff when the card has sidewall capacitance (it warns with the given value);
        // it runs on the instance that creates the size only (`new_size_creator`).
        let mut g = *geom;
        if v31 && creates_size && (cjsw > 0.0 || d(p.cjswg, cjsw) > 0.0) {
            g.pd = g.pd.max(weff);
            g.ps = g.ps.max(weff);
        }
        let g = &g;
        // 3.0: the junctions run at the fixed 300.15 K thermal voltage, area only, JS unscaled.
        let nvtm = if v30 { vt0 } else { vtm * nj };
        let ijth = d(p.ijth, 0.1);
        let sat = |a: f64, per: f64| {
            if v30 {
                if a <= 0.0 {
                    1.0e-14
                } else {
                    a * js
                }
            } else if a <= 0.0 && per <= 0.0 {
                1.0e-14
            } else {
                a * js_t + per * jsw_t
            }
        };
        let source_sat_cur = sat(g.as_, g.ps);
        let drain_sat_cur = sat(g.ad, g.pd);
        let lim = |s: f64| {
            if s > 0.0 && ijth > 0.0 {
                let v = nvtm * (ijth / s + 1.0).ln();
                (v, s * (v / nvtm).exp())
            } else {
                (0.0, 0.0)
            }
        };
        // ACM > 0 (`acm.rs`): the diodes take ACM's saturation currents; 3.3.0 keeps the
        // IJTH knee of the ACM = 0 currents (`b3temp.c`), 3.2.x takes ACM's (`b3v32temp.c`).
        let acm = model.acm();
        let diff = [g.ad, g.as_, g.pd, g.ps];
        let dgiven = [inst.given[0], inst.given[1], inst.given[2], inst.given[3]];
        let acm_sat = acm.map(|a| a.sat_currents(inst.geo, g.w, diff, dgiven, js_t, jsw_t));
        let knee = match acm_sat {
            Some(s) if model.version.is_v32() => s,
            _ => [drain_sat_cur, source_sat_cur],
        };
        let [drain_sat_cur, source_sat_cur] = acm_sat.unwrap_or([drain_sat_cur, source_sat_cur]);
        let (vjsm, is_evjsm) = lim(knee[1]);
        let (vjdm, is_evjdm) = lim(knee[0]);
        let czbd = cj_t * g.ad;
        let czbs = cj_t * g.as_;
        let side = |per: f64| {
            if v30 {
                // 3.0: the whole perimeter at CJSW, no gate-edge sidewall.
                (cjsw_t * per, 0.0)
            } else if per < weff {
                (0.0, cjswg_t * per)
            } else {
                (cjsw_t * (per - weff), cjswg_t * weff)
            }
        };
        let (czbdsw, czbdswg) = side(g.pd);
        let (czbssw, czbsswg) = side(g.ps);
        // ACM > 0: 3.3.0 passes CJSWG without its temperature coefficient (`b3ld.c`); 3.2.x
        // the temperature-adjusted one (3.2/3.2.2 scale the card's value in place).
        let [[czbd, czbdsw, czbdswg], [czbs, czbssw, czbsswg]] = match acm {
            Some(a) => {
                let cjswg = if model.version.is_v32() { cjswg_t } else { d(p.cjswg, cjsw) };
                a.junction_caps(inst.geo, g.w, diff, dgiven, cj_t, cjsw_t, cjswg)
            }
            None => [[czbd, czbdsw, czbdswg], [czbs, czbssw, czbsswg]],
        };

        let rsh = d(p.rsh, 0.0);
        let [rd, rs] = match acm {
            Some(a) => a.resistances(g.w, rsh, [g.nrd, g.nrs], [inst.given[4], inst.given[5]]),
            None => [rsh * g.nrd, rsh * g.nrs],
        };
        if let Some(a) = acm {
            let we = g.w * a.wmlt + a.xw;
            if we.is_nan() || we <= 0.0 {
                return Err(DeviceError::invalid(name, "wmlt", a.wmlt, "ACM's W WMLT + XW must be positive"));
            }
            for (what, r) in [("rd", rd), ("rs", rs)] {
                if r.is_nan() || r < 0.0 {
                    return Err(DeviceError::invalid(name, what, r, "ACM series resistance must not be negative"));
                }
            }
        }
        let cond = |r: f64| {
            if r > 0.0 {
                g.m / r
            } else {
                0.0
            }
        };

        let mut out = Bsim3v3 {
            version: model.version,
            typ,
            gmin,
            m: g.m,
            temp,
            tnom,
            vtm,
            vtm0,
            temp_ratio_m1: tratio - 1.0,
            leff,
            weff,
            leff_cv,
            weff_cv,
            tox,
            cox,
            factor1,
            phi,
            sqrt_phi,
            phis3,
            xdep0,
            litl,
            vbi,
            cdep0,
            ldeb,
            acde,
            moin: bin!(moin, 15.0),
            noff: bin!(noff, 1.0),
            voffcv: bin!(voffcv, 0.0),
            vfbcv: bin!(vfbcv, -1.0),
            vth0,
            vfbzb,
            k1,
            k2,
            k1ox,
            k2ox,
            k3,
            k3b: bin!(k3b, 0.0),
            w0,
            nlx,
            vbsc,
            dvt0,
            dvt1,
            dvt2: bin!(dvt2, -0.032),
            dvt0w,
            dvt1w,
            dvt2w: bin!(dvt2w, -0.032),
            eta0: bin!(eta0, 0.08),
            etab: bin!(etab, -0.07),
            theta0vb0,
            theta_rout,
            kt1,
            kt1l,
            kt2: bin!(kt2, 0.022),
            voff: bin!(voff, -0.08),
            nfactor: bin!(nfactor, 1.0),
            cdsc: bin!(cdsc, 2.4e-4),
            cdscb: bin!(cdscb, 0.0),
            cdscd: bin!(cdscd, 0.0),
            cit: bin!(cit, 0.0),
            ua,
            ub,
            uc,
            u0temp,
            vsattemp,
            a0: bin!(a0, 1.0),
            ags: bin!(ags, 0.0),
            b0: bin!(b0, 0.0),
            b1: bin!(b1, 0.0),
            keta: bin!(keta, -0.047),
            xj,
            pclm: bin!(pclm, 1.3),
            pdiblb: bin!(pdiblcb, 0.0),
            pscbe1: bin!(pscbe1, 4.24e8),
            pscbe2: bin!(pscbe2, 1.0e-5),
            alpha0: bin!(alpha0, 0.0),
            alpha1: bin!(alpha1, 0.0),
            beta0: bin!(beta0, 30.0),
            pvag: bin!(pvag, 0.0),
            delta: bin!(delta, 0.01),
            rds0,
            prwg: bin!(prwg, 0.0),
            prwb: bin!(prwb, 0.0),
            a1: bin!(a1, 0.0),
            a2: bin!(a2, 1.0),
            dwg: bin!(dwg, 0.0),
            dwb: bin!(dwb, 0.0),
            ngate: bin!(ngate, 0.0),
            ngate_given: p.ngate.is_some(),
            vfb,
            mobmod: d(p.mobmod, 1.0) as u8,
            // 3.0: CAPMOD 1 by default, and any other value runs the smooth model (2 here).
            capmod: if v30 {
                if d(p.capmod, 1.0) == 1.0 {
                    1
                } else {
                    2
                }
            } else {
                d(p.capmod, if v31 { 2.0 } else { 3.0 }) as u8
            },
            cgsl: bin!(cgsl, 0.0),
            cgdl: bin!(cgdl, 0.0),
            ckappa: bin!(ckappa, 0.6),
            noimod: d(p.noimod, 1.0) as u8,
            noia: d(p.noia, if typ > 0.0 { 1e20 } else { 9.9e18 }),
            noib: d(p.noib, if typ > 0.0 { 5e4 } else { 2.4e3 }),
            noic: d(p.noic, if typ > 0.0 { -1.4e-12 } else { 1.4e-12 }),
            em: d(p.em, 4.1e7),
            lintnoi: d(p.lintnoi, 0.0),
            abulk_cv_factor,
            xpart: d(p.xpart, 0.0),
            cgso,
            cgdo,
            cgbo,
            nvtm,
            ijth,
            drain_sat_cur,
            source_sat_cur,
            vjdm,
            is_evjdm,
            vjsm,
            is_evjsm,
            phib,
            phibsw,
            phibswg,
            mj: d(p.mj, 0.5),
            mjsw: d(p.mjsw, 0.33),
            mjswg: d(p.mjswg, d(p.mjsw, 0.33)),
            czbd,
            czbdsw,
            czbdswg,
            czbs,
            czbssw,
            czbsswg,
            vcrit,
            gd: cond(rd),
            gs: cond(rs),
            kf: d(p.kf, 0.0),
            af: d(p.af, 1.0),
            ef: d(p.ef, 1.0),
            nqs: d(p.nqsmod, 0.0) == 1.0,
            elm: bin!(elm, 5.0),
            nqs_t0: (1.0 + nlx / leff).sqrt(),
            acnqs: false,
            model_acnqs: false,
            warnings: Vec::new(),
        };
        let mut set_warnings = Vec::new();
        out.model_acnqs = super::acnqs::model_acnqs(p.acnqsmod, &mut set_warnings);
        out.acnqs = out.model_acnqs;
        for (what, v) in [
            ("vth0", out.vth0),
            ("vfbzb", out.vfbzb),
            ("u0", out.u0temp),
            ("vsat", out.vsattemp),
            ("k1", out.k1),
            ("k2", out.k2),
            ("abulkcvfactor", out.abulk_cv_factor),
            ("theta0vb0", out.theta0vb0),
            ("thetarout", out.theta_rout),
        ] {
            if !v.is_finite() {
                return Err(DeviceError::invalid(name, what, v, "derived value is not finite"));
            }
        }
        out.run_checks(model, geom)?;
        // `b3set.c`'s warnings come before the checks' in ngspice's log.
        set_warnings.append(&mut out.warnings);
        out.warnings = set_warnings;
        if out.vsattemp.is_nan() || out.vsattemp <= 0.0 {
            return Err(DeviceError::invalid(name, "vsat", out.vsattemp, "temperature-adjusted VSAT must be positive"));
        }
        if out.u0temp.is_nan() || out.u0temp <= 0.0 {
            return Err(DeviceError::invalid(name, "u0", out.u0temp, "temperature-adjusted U0 must be positive"));
        }
        Ok(out)
    }

    crate::bsim3::shared::bsim3_instance_methods!();

    /// Applies the instance's `delvto` (volts added to VTH0) and `mulu0` (factor on U0 at
    /// temperature), as ngspice's `b3temp.c`/`b3v32temp.c` do after the size set-up and its
    /// checks: VTH0 + delvto, VFB and VFBZB + type x delvto, U0 x mulu0 (the NQS time
    /// constant follows). Versions 3.1 and 3.0 have neither parameter (the caller refuses them).
    pub fn set_variation(&mut self, delvto: f64, mulu0: f64) {
        self.vth0 += delvto;
        self.vfb += self.typ * delvto;
        self.vfbzb += self.typ * delvto;
        self.u0temp *= mulu0;
    }

    /// The BSIM3 code revision this instance follows.
    pub fn version(&self) -> Bsim3Version {
        self.version
    }
}

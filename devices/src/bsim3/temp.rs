//! Instance set-up: effective geometry, size-dependent parameters and temperature
//! (`b3set.c` defaults, `b3temp.c`), all computed once per instance.

use super::Bsim3Model;
use crate::consts::{vt, REFTEMP, ROOT2};
use crate::{DeviceError, MosGeom};

/// Oxide permittivity of BSIM3 (F/m).
pub(crate) const EPSOX: f64 = 3.453133e-11;
/// Silicon permittivity of BSIM3 (F/m).
pub(crate) const EPSSI: f64 = 1.03594e-10;
/// Elementary charge as BSIM3 hard-codes it.
pub(crate) const CHARGE_Q: f64 = 1.60219e-19;
/// k/q as BSIM3 hard-codes it.
pub(crate) const KBOQ: f64 = 8.617087e-5;
/// Exponent threshold of the smoothing functions.
pub(crate) const EXP_THRESHOLD: f64 = 34.0;
/// exp(34).
pub(crate) const MAX_EXP: f64 = 5.834617425e14;
/// exp(-34).
pub(crate) const MIN_EXP: f64 = 1.713908431e-15;
/// The value of pi in BSIM3's CF default (truncated as in `b3set.c`, kept for bit-closeness).
#[allow(clippy::approx_constant)]
pub(crate) const PI_B3: f64 = 3.141592654;

/// A BSIM-lite instance with everything that depends only on parameters, geometry and
/// temperature precomputed (ngspice's `bsim3SizeDependParam` plus the temperature values).
/// Build again with [`Bsim3::new`] after a re-size or a temperature change.
#[derive(Debug, Clone, PartialEq)]
pub struct Bsim3 {
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
    pub(crate) pvag: f64,
    pub(crate) delta: f64,
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
    /// Bias-independent combinations of the above that the bias functions use, computed
    /// once here in the order those functions would compute them (same numbers, fewer
    /// divisions and transcendental calls per evaluation).
    pub(crate) pre: Precomputed,
}

/// Bias-independent subexpressions of the current and charge models (see [`Bsim3`]'s `pre`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Precomputed {
    /// `type * VTH0 - K1 sqrt(phi)`: the leading terms of Vth.
    pub vth_base: f64,
    /// `K1ox (sqrt(1 + NLX/Leff) - 1) sqrt(phi)`.
    pub nlx_term: f64,
    /// `KT1 + KT1L/Leff`.
    pub kt1_l: f64,
    /// `TOX phi / (Weff + W0)` (the K3 term's factor).
    pub k3_factor: f64,
    /// `-0.5 DVT1 Leff` (numerator of the short-channel exponent).
    pub dvt1_leff: f64,
    /// `-0.5 DVT1W Weff Leff`.
    pub dvt1w_weff_leff: f64,
    /// `NFACTOR EPSSI`.
    pub nfactor_epssi: f64,
    /// `Vtm cdep0 / Cox`.
    pub vtm_cdep0_cox: f64,
    /// `-Cox / (Vtm cdep0)`.
    pub m_cox_vtm_cdep0: f64,
    /// `B0 / (Weff + B1)`.
    pub b0_term: f64,
    /// `2 VSAT(T)`.
    pub two_vsat: f64,
    /// `PSCBE1 litl`.
    pub pscbe1_litl: f64,
    /// `Cox Weff' / Leff` with BSIM3's small-width guard on Weff'.
    pub cox_wov_l: f64,
    /// `Cox WeffCV LeffCV`.
    pub cox_wl: f64,
}

impl Precomputed {
    fn new(d: &Bsim3) -> Precomputed {
        let weff = if d.weff < 2.0e-8 { 2.0e-8 * (4.0e-8 - d.weff) / (6.0e-8 - 2.0 * d.weff) } else { d.weff };
        let leff = d.leff;
        Precomputed {
            vth_base: d.typ * d.vth0 - d.k1 * d.sqrt_phi,
            nlx_term: d.k1ox * ((1.0 + d.nlx / leff).sqrt() - 1.0) * d.sqrt_phi,
            kt1_l: d.kt1 + d.kt1l / leff,
            k3_factor: d.tox * d.phi / (d.weff + d.w0),
            dvt1_leff: -0.5 * d.dvt1 * leff,
            dvt1w_weff_leff: -0.5 * d.dvt1w * d.weff * leff,
            nfactor_epssi: d.nfactor * EPSSI,
            vtm_cdep0_cox: d.vtm * d.cdep0 / d.cox,
            m_cox_vtm_cdep0: -d.cox / (d.vtm * d.cdep0),
            b0_term: d.b0 / (d.weff + d.b1),
            two_vsat: 2.0 * d.vsattemp,
            pscbe1_litl: d.pscbe1 * d.litl,
            cox_wov_l: d.cox * weff / leff,
            cox_wl: d.cox * d.weff_cv * d.leff_cv,
        }
    }
}

/// `exp(-x/2) + 2 exp(-x)` as BSIM3 evaluates it, with its MIN_EXP floor.
#[inline]
pub(crate) fn theta_sce(arg: f64) -> f64 {
    let t0 = -0.5 * arg;
    let t1 = if t0 > -EXP_THRESHOLD { t0.exp() } else { MIN_EXP };
    t1 * (1.0 + 2.0 * t1)
}

impl Bsim3 {
    /// Sets up an instance of `model` with geometry `geom` at circuit temperature `temp_c`
    /// (degrees C), nominal temperature `tnom_c` (used unless the card gives TNOM) and
    /// junction conductance `gmin`. Errors name the model and the offending value
    /// (non-positive W, L, M, Leff, Weff, their C-V versions, non-finite derived values).
    pub fn new(model: &Bsim3Model, geom: &MosGeom, temp_c: f64, tnom_c: f64, gmin: f64) -> Result<Bsim3, DeviceError> {
        let name = model.name.as_str();
        let p = &model.params;
        let typ = model.mos_type();
        geom.check(name)?;
        let (temp, tnom) = crate::consts::conditions(name, temp_c, p.tnom, tnom_c, gmin)?;
        let d = |v: Option<f64>, def: f64| v.unwrap_or(def);

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
        let cgdo_model = p.cgdo.unwrap_or(if dlc_given_pos { dlc_model * cox } else { 0.6 * xj * cox });
        let cgso_model = p.cgso.unwrap_or(if dlc_given_pos { dlc_model * cox } else { 0.6 * xj * cox });
        let cgbo_model = d(p.cgbo, 2.0 * dwc_model * cox);

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
        let (ldrn, wdrn) = (geom.l, geom.w);
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
        let clc = d(p.clc, 0.1e-6);
        let cle = d(p.cle, 0.6);
        let abulk_cv_factor = 1.0 + (clc / leff_cv).powf(cle);
        let tr1 = tratio - 1.0;
        let ua = d(p.ua, 2.25e-9) + d(p.ua1, 4.31e-9) * tr1;
        let ub = d(p.ub, 5.87e-19) + d(p.ub1, -7.61e-18) * tr1;
        let uc = d(p.uc, -0.0465e-9) + d(p.uc1, -0.056e-9) * tr1;
        let mut u0 = d(p.u0, if typ > 0.0 { 0.067 } else { 0.025 });
        if u0 > 1.0 {
            u0 /= 1.0e4;
        }
        let u0temp = u0 * tratio.powf(d(p.ute, -1.5));
        let vsattemp = d(p.vsat, 8.0e4) - d(p.at, 3.3e4) * tr1;
        let cgdo = (cgdo_model + cf) * weff_cv;
        let cgso = (cgso_model + cf) * weff_cv;
        let cgbo = cgbo_model * leff_cv;

        let mut npeak = d(p.nch, 1.7e17);
        if p.nch.is_none() {
            if let Some(g1) = p.gamma1 {
                let t0 = g1 * cox;
                npeak = 3.021e22 * t0 * t0;
            }
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
        let acde = d(p.acde, 1.0) * (npeak / 2.0e16).powf(-0.25);

        let mut vbm = d(p.vbm, -3.0);
        let (k1, k2) = if p.k1.is_some() || p.k2.is_some() {
            (d(p.k1, 0.53), d(p.k2, -0.0186))
        } else {
            let mut vbx = p.vbx.unwrap_or_else(|| {
                let xt = d(p.xt, 1.55e-7);
                phi - 7.7348e-4 * npeak * xt * xt
            });
            if vbx > 0.0 {
                vbx = -vbx;
            }
            if vbm > 0.0 {
                vbm = -vbm;
            }
            let gamma1 = p.gamma1.unwrap_or(5.753e-12 * npeak.sqrt() / cox);
            let gamma2 = p.gamma2.unwrap_or(5.753e-12 * d(p.nsub, 6.0e16).sqrt() / cox);
            let t0 = gamma1 - gamma2;
            let t1 = (phi - vbx).sqrt() - sqrt_phi;
            let t2 = (phi * (phi - vbm)).sqrt() - phi;
            let k2 = t0 * t1 / (2.0 * t2 + vbm);
            (gamma2 - 2.0 * k2 * (phi - vbm).sqrt(), k2)
        };
        let mut vbsc = if k2 < 0.0 {
            let t0 = 0.5 * k1 / k2;
            (0.9 * (phi - t0 * t0)).clamp(-30.0, -3.0)
        } else {
            -30.0
        };
        if vbsc > vbm {
            vbsc = vbm;
        }
        let vth0 = match p.vth0 {
            Some(v) => v,
            None => typ * (d(p.vfb, -1.0) + phi + k1 * sqrt_phi),
        };
        let k1ox = k1 * tox / toxm;
        let k2ox = k2 * tox / toxm;
        let t1 = (EPSSI / EPSOX * tox * xdep0).sqrt();
        let t0 = (-0.5 * dsub * leff / t1).exp();
        let theta0vb0 = t0 + 2.0 * t0 * t0;
        let t0 = (-0.5 * drout * leff / t1).exp();
        let t2 = t0 + 2.0 * t0 * t0;
        let theta_rout = d(p.pdiblc1, 0.39) * t2 + d(p.pdiblc2, 0.0086);

        let dvt0 = d(p.dvt0, 2.2);
        let dvt1 = d(p.dvt1, 0.53);
        let dvt0w = d(p.dvt0w, 0.0);
        let dvt1w = d(p.dvt1w, 5.3e6);
        let k3 = d(p.k3, 80.0);
        let w0 = d(p.w0, 2.5e-6);
        let nlx = d(p.nlx, 1.74e-7);
        let kt1 = d(p.kt1, -0.11);
        let kt1l = d(p.kt1l, 0.0);
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
        let g = geom;
        let nvtm = vtm * nj;
        let ijth = d(p.ijth, 0.1);
        let sat = |a: f64, per: f64| if a <= 0.0 && per <= 0.0 { 1.0e-14 } else { a * js_t + per * jsw_t };
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
        let (vjsm, is_evjsm) = lim(source_sat_cur);
        let (vjdm, is_evjdm) = lim(drain_sat_cur);
        let czbd = cj_t * g.ad;
        let czbs = cj_t * g.as_;
        let side = |per: f64| {
            if per < weff {
                (0.0, cjswg_t * per)
            } else {
                (cjsw_t * (per - weff), cjswg_t * weff)
            }
        };
        let (czbdsw, czbdswg) = side(g.pd);
        let (czbssw, czbsswg) = side(g.ps);

        let rsh = d(p.rsh, 0.0);
        let cond = |sq: f64| {
            let r = rsh * sq;
            if r > 0.0 {
                g.m / r
            } else {
                0.0
            }
        };

        let mut out = Bsim3 {
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
            moin: d(p.moin, 15.0),
            noff: d(p.noff, 1.0),
            voffcv: d(p.voffcv, 0.0),
            vth0,
            vfbzb,
            k1,
            k2,
            k1ox,
            k2ox,
            k3,
            k3b: d(p.k3b, 0.0),
            w0,
            nlx,
            vbsc,
            dvt0,
            dvt1,
            dvt2: d(p.dvt2, -0.032),
            dvt0w,
            dvt1w,
            dvt2w: d(p.dvt2w, -0.032),
            eta0: d(p.eta0, 0.08),
            etab: d(p.etab, -0.07),
            theta0vb0,
            theta_rout,
            kt1,
            kt1l,
            kt2: d(p.kt2, 0.022),
            voff: d(p.voff, -0.08),
            nfactor: d(p.nfactor, 1.0),
            cdsc: d(p.cdsc, 2.4e-4),
            cdscb: d(p.cdscb, 0.0),
            cdscd: d(p.cdscd, 0.0),
            cit: d(p.cit, 0.0),
            ua,
            ub,
            uc,
            u0temp,
            vsattemp,
            a0: d(p.a0, 1.0),
            ags: d(p.ags, 0.0),
            b0: d(p.b0, 0.0),
            b1: d(p.b1, 0.0),
            keta: d(p.keta, -0.047),
            xj,
            pclm: d(p.pclm, 1.3),
            pdiblb: d(p.pdiblcb, 0.0),
            pscbe1: d(p.pscbe1, 4.24e8),
            pscbe2: d(p.pscbe2, 1.0e-5),
            pvag: d(p.pvag, 0.0),
            delta: d(p.delta, 0.01),
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
            gd: cond(g.nrd),
            gs: cond(g.nrs),
            kf: d(p.kf, 0.0),
            af: d(p.af, 1.0),
            ef: d(p.ef, 1.0),
            pre: Precomputed::default(),
        };
        out.pre = Precomputed::new(&out);
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
        if out.vsattemp.is_nan() || out.vsattemp <= 0.0 {
            return Err(DeviceError::invalid(name, "vsat", out.vsattemp, "temperature-adjusted VSAT must be positive"));
        }
        if out.u0temp.is_nan() || out.u0temp <= 0.0 {
            return Err(DeviceError::invalid(name, "u0", out.u0temp, "temperature-adjusted U0 must be positive"));
        }
        Ok(out)
    }

    crate::bsim3::shared::bsim3_instance_methods!();
}

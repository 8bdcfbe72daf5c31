//! ngspice's BSIM3v3.3 parameter checks (`b3check.c` as ngspice 39 runs it, once per
//! instance size): the fatal checks become errors naming the parameter, the warnings are
//! kept on the instance ([`Bsim3v3::warnings`]) in ngspice's wording. Most warnings need
//! `PARAMCHK = 1` on the card; with it ngspice also clamps A2 (and A1), RDSW/Rds and
//! negative CGDO/CGSO/CGBO, which is done here too. Always run: the fatal checks and the
//! PSCBE2, Pd/Ps < W, CALCACM, NOFF, VOFFCV, MOIN and (CAPMOD 3) ACDE warnings.

use super::model::Bsim3v3Params;
use super::Bsim3v3;
use super::{Bsim3Version, Bsim3v3Model};
use crate::{DeviceError, MosGeom};

/// Picks one parameter out of a parameter set.
type Field = fn(&Bsim3v3Params) -> Option<f64>;

/// C's `%g`: six significant digits, trailing zeros dropped, exponent form outside
/// [1e-4, 1e6).
pub(crate) fn fmt_g(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x == 0.0 { "0".into() } else { format!("{x}") };
    }
    let e = format!("{x:.5e}");
    let (mant, exp) = e.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mant.to_string()), exp.abs())
    } else {
        trim(format!("{x:.*}", (5 - exp).max(0) as usize))
    }
}

impl Bsim3v3 {
    /// Runs ngspice's checks on this instance (`model` and `geom` as passed to
    /// [`Bsim3v3::new`]), applying the PARAMCHK clamps; stores the warnings.
    pub(crate) fn run_checks(&mut self, model: &Bsim3v3Model, geom: &MosGeom) -> Result<(), DeviceError> {
        let p = &model.params;
        let d = |v: Option<f64>, def: f64| v.unwrap_or(def);
        let (inv_l, inv_w, inv_lw) = if d(p.binunit, 1.0) == 1.0 {
            (1.0e-6 / self.leff, 1.0e-6 / self.weff, 1.0e-12 / (self.leff * self.weff))
        } else {
            (1.0 / self.leff, 1.0 / self.weff, 1.0 / (self.leff * self.weff))
        };
        // A size-dependent parameter as b3temp.c bins it.
        let bin = |f: Field, def: f64| {
            d(f(p), def)
                + d(f(&model.lcoef), 0.0) * inv_l
                + d(f(&model.wcoef), 0.0) * inv_w
                + d(f(&model.pcoef), 0.0) * inv_lw
        };
        let tox = d(p.tox, 150.0e-10);
        let toxm = d(p.toxm, tox);
        let npeak = if p.nch.is_none() && p.gamma1.is_some() {
            let t0 = bin(|p| p.gamma1, 0.0) * self.cox;
            3.021e22 * t0 * t0
        } else {
            bin(|p| p.nch, 1.7e17)
        };
        let nsub = bin(|p| p.nsub, 6.0e16);
        let xj = bin(|p| p.xj, d(p.xj, 0.15e-6));
        let drout = bin(|p| p.drout, d(p.drout, 0.56));
        let dsub = bin(|p| p.dsub, d(p.dsub, d(p.drout, 0.56)));
        let clc = bin(|p| p.clc, 0.1e-6);
        let acde = bin(|p| p.acde, 1.0);

        let g = fmt_g;
        // Each implementation runs its own checks: `b3check.c` (3.3.0), `b3v32check.c` (3.2.x:
        // b3check.c without LINTNOI), `b3v1check.c` (3.1: without the TOXM, PSCBE2, ACM,
        // NOFF/VOFFCV, IJTH, MOIN and ACDE checks; it prints some fatal lines in its own
        // wording). `bsim3v0` (3.0) has no parameter checks at all.
        let version = model.version;
        if version == Bsim3Version::V30 {
            self.warnings = Vec::new();
            return Ok(());
        }
        let v31 = version == Bsim3Version::V31;
        let mut warn: Vec<String> = Vec::new();
        let mut fatal: Vec<(&str, f64, String)> = Vec::new();
        let mut fail = |param: &'static str, value: f64, msg: String| fatal.push((param, value, msg));

        if self.nlx < -self.leff {
            fail("nlx", self.nlx, format!("Nlx = {} is less than -Leff.", g(self.nlx)));
        }
        if tox <= 0.0 {
            fail("tox", tox, format!("Tox = {} is not positive.", g(tox)));
        }
        if toxm <= 0.0 && !v31 {
            fail("toxm", toxm, format!("Toxm = {} is not positive.", g(toxm)));
        }
        if version == Bsim3Version::V330 && self.lintnoi > self.leff / 2.0 {
            let msg = format!("Lintnoi = {} is too large - Leff for noise is negative.", g(self.lintnoi));
            fail("lintnoi", self.lintnoi, msg);
        }
        if npeak <= 0.0 {
            fail("nch", npeak, format!("Nch = {} is not positive.", g(npeak)));
        }
        if nsub <= 0.0 {
            fail("nsub", nsub, format!("Nsub = {} is not positive.", g(nsub)));
        }
        // bsim3v1 prints (to the screen, which is what a user sees) its own NGATE lines.
        let (ngate_neg, ngate_high) = if v31 { (" Ngate", " Ngate is too high") } else { ("", " is too high.") };
        if self.ngate < 0.0 {
            fail("ngate", self.ngate, format!("Ngate = {}{ngate_neg} is not positive.", g(self.ngate)));
        }
        if self.ngate > 1.0e25 {
            fail("ngate", self.ngate, format!("Ngate = {}{ngate_high}", g(self.ngate)));
        }
        if xj <= 0.0 {
            fail("xj", xj, format!("Xj = {} is not positive.", g(xj)));
        }
        if self.dvt1 < 0.0 {
            fail("dvt1", self.dvt1, format!("Dvt1 = {} is negative.", g(self.dvt1)));
        }
        if self.dvt1w < 0.0 {
            fail("dvt1w", self.dvt1w, format!("Dvt1w = {} is negative.", g(self.dvt1w)));
        }
        if self.w0 == -self.weff {
            let word = if v31 { "cauing" } else { "causing" };
            fail("w0", self.w0, format!("(W0 + Weff) = 0 {word} divided-by-zero."));
        }
        if dsub < 0.0 {
            fail("dsub", dsub, format!("Dsub = {} is negative.", g(dsub)));
        }
        if self.b1 == -self.weff {
            fail("b1", self.b1, "(B1 + Weff) = 0 causing divided-by-zero.".into());
        }
        if self.u0temp <= 0.0 {
            fail("u0", self.u0temp, format!("u0 at current temperature = {} is not positive.", g(self.u0temp)));
        }
        if self.delta < 0.0 {
            fail("delta", self.delta, format!("Delta = {} is less than zero.", g(self.delta)));
        }
        if self.vsattemp <= 0.0 {
            let msg = format!("Vsat at current temperature = {} is not positive.", g(self.vsattemp));
            fail("vsat", self.vsattemp, msg);
        }
        if self.pclm <= 0.0 {
            fail("pclm", self.pclm, format!("Pclm = {} is not positive.", g(self.pclm)));
        }
        if drout < 0.0 {
            fail("drout", drout, format!("Drout = {} is negative.", g(drout)));
        }
        if v31 {
            // bsim3v1's own list ends here (before PARAMCHK): the Pd/Ps check (which also
            // sets a short perimeter to Weff, done in the instance set-up) and CLC.
            if d(p.cjsw, 5.0e-10) > 0.0 || d(p.cjswg, d(p.cjsw, 5.0e-10)) > 0.0 {
                if geom.pd < self.weff {
                    warn.push(format!("Pd = {} is less than W.", g(geom.pd)));
                }
                if geom.ps < self.weff {
                    warn.push(format!("Ps = {} is less than W.", g(geom.ps)));
                }
            }
            if clc < 0.0 {
                fail("clc", clc, format!("Clc = {} is negative.", g(clc)));
            }
        } else {
            self.checks_v32_on(p, geom, &mut warn, &mut fail, acde, clc);
        }

        if d(p.paramchk, 0.0) as i64 == 1 {
            self.paramchk(model, &bin, &mut warn, tox, npeak, nsub);
        }
        if let Some((param, value, msg)) = fatal.into_iter().next() {
            return Err(DeviceError::invalid(&model.name, param, value, &format!("Fatal: {msg}")));
        }
        self.warnings = warn;
        Ok(())
    }

    /// The checks `b3check.c`/`b3v32check.c` have after DROUT and before PARAMCHK (bsim3v1
    /// has only the Pd/Ps and CLC ones).
    fn checks_v32_on(
        &self,
        p: &Bsim3v3Params,
        geom: &MosGeom,
        warn: &mut Vec<String>,
        fail: &mut dyn FnMut(&'static str, f64, String),
        acde: f64,
        clc: f64,
    ) {
        let g = fmt_g;
        let d = |v: Option<f64>, def: f64| v.unwrap_or(def);
        if self.pscbe2 <= 0.0 {
            warn.push(format!("Pscbe2 = {} is not positive.", g(self.pscbe2)));
        }
        // The diffusion perimeters are checked with ACM = 0 only.
        let acm = p.acm.map_or(0, super::acm::integer);
        if acm == 0 && (d(p.cjsw, 5.0e-10) > 0.0 || d(p.cjswg, d(p.cjsw, 5.0e-10)) > 0.0) {
            if geom.pd < self.weff {
                warn.push(format!("Pd = {} is less than W.", g(geom.pd)));
            }
            if geom.ps < self.weff {
                warn.push(format!("Ps = {} is less than W.", g(geom.ps)));
            }
        }
        let calcacm = p.calcacm.map_or(0, super::acm::integer);
        if calcacm > 0 && acm != 12 {
            warn.push(format!("CALCACM = {calcacm} is wrong. Set back to 0."));
        }
        if self.noff < 0.1 {
            warn.push(format!("Noff = {} is too small.", g(self.noff)));
        }
        if self.noff > 4.0 {
            warn.push(format!("Noff = {} is too large.", g(self.noff)));
        }
        if self.voffcv < -0.5 {
            warn.push(format!("Voffcv = {} is too small.", g(self.voffcv)));
        }
        if self.voffcv > 0.5 {
            warn.push(format!("Voffcv = {} is too large.", g(self.voffcv)));
        }
        if self.ijth < 0.0 {
            fail("ijth", self.ijth, format!("Ijth = {} cannot be negative.", g(self.ijth)));
        }
        if clc < 0.0 {
            fail("clc", clc, format!("Clc = {} is negative.", g(clc)));
        }
        if self.moin < 5.0 {
            warn.push(format!("Moin = {} is too small.", g(self.moin)));
        }
        if self.moin > 25.0 {
            warn.push(format!("Moin = {} is too large.", g(self.moin)));
        }
        if self.capmod == 3 {
            if acde < 0.4 {
                warn.push(format!("Acde = {} is too small.", g(acde)));
            }
            if acde > 1.6 {
                warn.push(format!("Acde = {} is too large.", g(acde)));
            }
        }
    }

    /// The PARAMCHK = 1 warnings and the clamps that go with them.
    fn paramchk(
        &mut self,
        model: &Bsim3v3Model,
        bin: &dyn Fn(Field, f64) -> f64,
        warn: &mut Vec<String>,
        tox: f64,
        npeak: f64,
        nsub: f64,
    ) {
        let g = fmt_g;
        let p = &model.params;
        let d = |v: Option<f64>, def: f64| v.unwrap_or(def);
        if self.leff <= 5.0e-8 {
            warn.push(format!("Leff = {} may be too small.", g(self.leff)));
        }
        if self.leff_cv <= 5.0e-8 {
            warn.push(format!("Leff for CV = {} may be too small.", g(self.leff_cv)));
        }
        if self.weff <= 1.0e-7 {
            warn.push(format!("Weff = {} may be too small.", g(self.weff)));
        }
        if self.weff_cv <= 1.0e-7 {
            warn.push(format!("Weff for CV = {} may be too small.", g(self.weff_cv)));
        }
        if self.nlx < 0.0 {
            warn.push(format!("Nlx = {} is negative.", g(self.nlx)));
        }
        if tox < 1.0e-9 {
            warn.push(format!("Tox = {} is less than 10A.", g(tox)));
        }
        if npeak <= 1.0e15 {
            warn.push(format!("Nch = {} may be too small.", g(npeak)));
        } else if npeak >= 1.0e21 {
            warn.push(format!("Nch = {} may be too large.", g(npeak)));
        }
        if nsub <= 1.0e14 {
            warn.push(format!("Nsub = {} may be too small.", g(nsub)));
        } else if nsub >= 1.0e21 {
            warn.push(format!("Nsub = {} may be too large.", g(nsub)));
        }
        if self.ngate > 0.0 && self.ngate <= 1.0e18 {
            warn.push(format!("Ngate = {} is less than 1.E18cm^-3.", g(self.ngate)));
        }
        if self.dvt0 < 0.0 {
            warn.push(format!("Dvt0 = {} is negative.", g(self.dvt0)));
        }
        if (1.0e-6 / (self.w0 + self.weff)).abs() > 10.0 {
            warn.push("(W0 + Weff) may be too small.".into());
        }
        if self.nfactor < 0.0 {
            warn.push(format!("Nfactor = {} is negative.", g(self.nfactor)));
        }
        if self.cdsc < 0.0 {
            warn.push(format!("Cdsc = {} is negative.", g(self.cdsc)));
        }
        if self.cdscd < 0.0 {
            warn.push(format!("Cdscd = {} is negative.", g(self.cdscd)));
        }
        if self.eta0 < 0.0 {
            warn.push(format!("Eta0 = {} is negative.", g(self.eta0)));
        }
        if (1.0e-6 / (self.b1 + self.weff)).abs() > 10.0 {
            warn.push("(B1 + Weff) may be too small.".into());
        }
        if self.a2 < 0.01 {
            warn.push(format!("A2 = {} is too small. Set to 0.01.", g(self.a2)));
            self.a2 = 0.01;
        } else if self.a2 > 1.0 {
            warn.push(format!("A2 = {} is larger than 1. A2 is set to 1 and A1 is set to 0.", g(self.a2)));
            self.a2 = 1.0;
            self.a1 = 0.0;
        }
        let rdsw = bin(|p| p.rdsw, 0.0);
        if rdsw < 0.0 {
            warn.push(format!("Rdsw = {} is negative. Set to zero.", g(rdsw)));
            self.rds0 = 0.0;
        } else if self.rds0 > 0.0 && self.rds0 < 0.001 {
            let msg = format!("Rds at current temperature = {} is less than 0.001 ohm. Set to zero.", g(self.rds0));
            warn.push(msg);
            self.rds0 = 0.0;
        }
        if self.vsattemp < 1.0e3 {
            warn.push(format!("Vsat at current temperature = {} may be too small.", g(self.vsattemp)));
        }
        let pdibl1 = bin(|p| p.pdiblc1, 0.39);
        if pdibl1 < 0.0 {
            warn.push(format!("Pdibl1 = {} is negative.", g(pdibl1)));
        }
        let pdibl2 = bin(|p| p.pdiblc2, 0.0086);
        if pdibl2 < 0.0 {
            warn.push(format!("Pdibl2 = {} is negative.", g(pdibl2)));
        }
        // Negative model overlaps are set to zero before the instance values are formed:
        // CGDO_inst = (CGDO + CF) Weff_cv, CGBO_inst = CGBO Leff_cv.
        if let Some(c) = p.cgdo.filter(|c| *c < 0.0) {
            warn.push(format!("cgdo = {} is negative. Set to zero.", g(c)));
            self.cgdo -= c * self.weff_cv;
        }
        if let Some(c) = p.cgso.filter(|c| *c < 0.0) {
            warn.push(format!("cgso = {} is negative. Set to zero.", g(c)));
            self.cgso -= c * self.weff_cv;
        }
        let cgbo = p.cgbo.unwrap_or(2.0 * d(p.dwc, d(p.wint, 0.0)) * self.cox);
        if cgbo < 0.0 {
            warn.push(format!("cgbo = {} is negative. Set to zero.", g(cgbo)));
            self.cgbo = 0.0;
        }
    }

    /// ngspice's parameter-check warnings for this instance (`b3check.c`), in its wording
    /// without the "Warning: " prefix; empty when the card passes.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_g;

    #[test]
    fn percent_g_matches_c() {
        for (x, s) in [
            (0.0, "0"),
            (1.0, "1"),
            (0.5, "0.5"),
            (-2e-9, "-2e-09"),
            (1.7e17, "1.7e+17"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (1e-4, "0.0001"),
            (1.25e-5, "1.25e-05"),
            (-0.0423, "-0.0423"),
            (7.654321, "7.65432"),
            (0.000123456789, "0.000123457"),
        ] {
            assert_eq!(fmt_g(x), s, "{x}");
        }
    }
}

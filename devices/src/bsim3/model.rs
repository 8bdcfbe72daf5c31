//! The BSIM-lite model card: which BSIM3v3.3 parameters are read, their ngspice defaults,
//! and the check that everything outside the subset is neutral.

use crate::DeviceError;

crate::bsim3::shared::bsim3_card! {
    /// Model parameters of the subset as given on the card (`None` = not given, ngspice's
    /// "Given" flags). Names are ngspice's (`nch` is NPEAK); values in ngspice's units
    /// (NCH in cm^-3, U0 in cm^2/Vs when > 1, TNOM in degrees C).
    Bsim3Params;
    // selectors
    capmod = "capmod", mobmod = "mobmod", noimod = "noimod", nqsmod = "nqsmod", acnqsmod = "acnqsmod",
    acm = "acm",
    // process
    tox = "tox", toxm = "toxm", xj = "xj", nch = "nch", nsub = "nsub", gamma1 = "gamma1", gamma2 = "gamma2",
    vbx = "vbx", vbm = "vbm", xt = "xt",
    // threshold
    vth0 = "vth0", vfb = "vfb", k1 = "k1", k2 = "k2", k3 = "k3", k3b = "k3b", w0 = "w0", nlx = "nlx",
    dvt0 = "dvt0", dvt1 = "dvt1", dvt2 = "dvt2", dvt0w = "dvt0w", dvt1w = "dvt1w", dvt2w = "dvt2w",
    eta0 = "eta0", etab = "etab", dsub = "dsub",
    // subthreshold
    voff = "voff", nfactor = "nfactor", cdsc = "cdsc", cdscb = "cdscb", cdscd = "cdscd", cit = "cit",
    // mobility and saturation
    u0 = "u0", ua = "ua", ub = "ub", uc = "uc", vsat = "vsat",
    a0 = "a0", ags = "ags", b0 = "b0", b1 = "b1", keta = "keta",
    // output conductance
    pclm = "pclm", pdiblc1 = "pdiblc1", pdiblc2 = "pdiblc2", pdiblcb = "pdiblcb", drout = "drout",
    pscbe1 = "pscbe1", pscbe2 = "pscbe2", pvag = "pvag", delta = "delta",
    // temperature
    tnom = "tnom", ute = "ute", kt1 = "kt1", kt1l = "kt1l", kt2 = "kt2", ua1 = "ua1", ub1 = "ub1",
    uc1 = "uc1", at = "at",
    // geometry
    lint = "lint", wint = "wint", dlc = "dlc", dwc = "dwc", xl = "xl", xw = "xw",
    ll = "ll", llc = "llc", lln = "lln", lw = "lw", lwc = "lwc", lwn = "lwn", lwl = "lwl", lwlc = "lwlc",
    wl = "wl", wlc = "wlc", wln = "wln", ww = "ww", wwc = "wwc", wwn = "wwn", wwl = "wwl", wwlc = "wwlc",
    // capacitances
    xpart = "xpart", cgso = "cgso", cgdo = "cgdo", cgbo = "cgbo", cf = "cf", clc = "clc", cle = "cle",
    acde = "acde", moin = "moin", noff = "noff", voffcv = "voffcv", ckappa = "ckappa",
    // junctions
    cj = "cj", mj = "mj", cjsw = "cjsw", mjsw = "mjsw", cjswg = "cjswg", mjswg = "mjswg", pb = "pb",
    pbsw = "pbsw", pbswg = "pbswg", js = "js", jsw = "jsw", nj = "nj", xti = "xti", ijth = "ijth",
    tcj = "tcj", tcjsw = "tcjsw", tcjswg = "tcjswg", tpb = "tpb", tpbsw = "tpbsw", tpbswg = "tpbswg",
    rsh = "rsh",
    // noise
    kf = "kf", af = "af", ef = "ef",
}

/// Parameters outside the subset with the value that makes them neutral (ngspice's
/// default is that value too unless noted in the module docs).
const NEUTRAL: &[(&str, f64)] = &[
    ("rdsw", 0.0),
    ("prt", 0.0),
    ("prwg", 0.0),
    ("prwb", 0.0),
    ("wr", 1.0),
    ("a1", 0.0),
    ("a2", 1.0),
    ("dwg", 0.0),
    ("dwb", 0.0),
    ("ngate", 0.0),
    ("alpha0", 0.0),
    ("alpha1", 0.0),
    ("cgsl", 0.0),
    ("cgdl", 0.0),
];

/// Accepted and without effect in the subset: instance-selection bounds, SOA limits,
/// NOIMOD 2..6 coefficients, NQS, CAPMOD 0 and ACM-only values, and the card's version
/// (checked by the caller).
const IGNORED: &[&str] = &[
    "level", "version", "paramchk", "binunit", "lmin", "lmax", "wmin", "wmax", "elm", "vfbcv", "noia", "noib", "noic",
    "em", "lintnoi", "beta0", "hdif", "ldif", "ld", "rd", "rs", "rdc", "rsc", "wmlt", "calcacm", "vgs_max", "vgd_max",
    "vgb_max", "vds_max", "vbs_max", "vbd_max", "vgsr_max", "vgdr_max", "vgbr_max", "vbsr_max", "vbdr_max",
];

/// Base names of the binning parameters: `l`, `w` or `p` + base (ngspice's `b3.c` list). All must
/// be 0 in BSIM-lite; the full model bins them.
pub(crate) const BINNABLE: &[&str] = &[
    "cdsc", "cdscb", "cdscd", "cit", "nfactor", "xj", "vsat", "at", "a0", "ags", "a1", "a2", "keta", "nsub", "nch",
    "ngate", "gamma1", "gamma2", "vbx", "vbm", "xt", "k1", "kt1", "kt1l", "kt2", "k2", "k3", "k3b", "w0", "nlx",
    "dvt0", "dvt1", "dvt2", "dvt0w", "dvt1w", "dvt2w", "drout", "dsub", "vth0", "ua", "ua1", "ub", "ub1", "uc", "uc1",
    "u0", "ute", "voff", "elm", "delta", "rdsw", "prwg", "prwb", "prt", "eta0", "etab", "pclm", "pdiblc1", "pdiblc2",
    "pdiblcb", "pscbe1", "pscbe2", "pvag", "wr", "dwg", "dwb", "b0", "b1", "cgsl", "cgdl", "ckappa", "cf", "clc",
    "cle", "alpha0", "alpha1", "beta0", "vfbcv", "vfb", "acde", "moin", "noff", "voffcv",
];

/// A BSIM-lite (BSIM3v3.3 core subset) model card: name, polarity and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Bsim3Model {
    /// Model name (for error messages).
    pub name: String,
    /// True for PMOS.
    pub pmos: bool,
    /// The subset's parameters as given.
    pub params: Bsim3Params,
}

impl Bsim3Model {
    /// Builds a model from lower-case `(name, value)` pairs of a `level=8`/`level=49` card
    /// (the caller checks `version`). Errors: unknown names, non-finite values, a BSIM3
    /// parameter outside the subset with a non-neutral value (named, with the value it
    /// must have), CAPMOD other than 3, MOBMOD other than 1, NOIMOD other than 1, NQSMOD or
    /// ACM not 0, and physically unusable values (TOX, NCH, XJ <= 0, MJ >= 1, ...).
    pub fn new(name: &str, pmos: bool, params: &[(String, f64)]) -> Result<Bsim3Model, DeviceError> {
        let mut p = Bsim3Params::default();
        for (pname, value) in params {
            let lname = pname.to_ascii_lowercase();
            if !value.is_finite() {
                return Err(DeviceError::invalid(name, &lname, *value, "not a finite number"));
            }
            if let Some(slot) = p.slot(&lname) {
                *slot = Some(*value);
                continue;
            }
            if let Some(&(_, neutral)) = NEUTRAL.iter().find(|(n, _)| *n == lname) {
                if *value != neutral {
                    let reason = format!("outside the BSIM-lite subset; must be {neutral}");
                    return Err(DeviceError::invalid(name, &lname, *value, &reason));
                }
                continue;
            }
            if IGNORED.contains(&lname.as_str()) {
                continue;
            }
            let binned =
                ["l", "w", "p"].iter().any(|pre| lname.strip_prefix(pre).is_some_and(|b| BINNABLE.contains(&b)));
            if binned {
                if *value != 0.0 {
                    return Err(DeviceError::invalid(
                        name,
                        &lname,
                        *value,
                        "binning is outside the BSIM-lite subset; must be 0",
                    ));
                }
                continue;
            }
            return Err(DeviceError::UnknownParameter { model: name.to_string(), param: lname });
        }
        // ngspice scales a doping given in m^-3.
        if let Some(n) = p.nch {
            if n > 1.0e20 {
                p.nch = Some(n * 1.0e-6);
            }
        }
        let bad = |param: &str, value: f64, reason: &str| Err(DeviceError::invalid(name, param, value, reason));
        for (sel, want, what) in [
            ("capmod", p.capmod, 3.0),
            ("mobmod", p.mobmod, 1.0),
            ("noimod", p.noimod, 1.0),
            ("nqsmod", p.nqsmod, 0.0),
            ("acnqsmod", p.acnqsmod, 0.0),
            ("acm", p.acm, 0.0),
        ] {
            if let Some(v) = want {
                if v != what {
                    let reason = format!("BSIM-lite implements only {} = {what}", sel.to_ascii_uppercase());
                    return bad(sel, v, &reason);
                }
            }
        }
        p.check_values(name)?;
        if let Some(d) = p.delta {
            if d < 0.0 {
                return bad("delta", d, "must not be negative");
            }
        }
        Ok(Bsim3Model { name: name.to_string(), pmos, params: p })
    }

    /// +1 for NMOS, -1 for PMOS.
    pub fn mos_type(&self) -> f64 {
        if self.pmos {
            -1.0
        } else {
            1.0
        }
    }
}

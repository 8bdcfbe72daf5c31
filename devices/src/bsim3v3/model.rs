//! The full BSIM3v3.3 model card: every parameter ngspice's `bsim3` accepts, with the
//! L/W/P-prefixed size coefficients kept apart for binning.

use super::Bsim3Version;
use crate::DeviceError;

crate::bsim3::shared::bsim3_card! {
    /// Model parameters as given on the card (`None` = not given, ngspice's
    /// "Given" flags). Names are ngspice's (`nch` is NPEAK); values in ngspice's units
    /// (NCH in cm^-3, U0 in cm^2/Vs when > 1, TNOM in degrees C).
    Bsim3v3Params;
    // selectors
    capmod = "capmod", mobmod = "mobmod", noimod = "noimod", nqsmod = "nqsmod", acnqsmod = "acnqsmod",
    acm = "acm", binunit = "binunit",
    // process
    tox = "tox", toxm = "toxm", xj = "xj", nch = "nch", nsub = "nsub", ngate = "ngate", gamma1 = "gamma1",
    gamma2 = "gamma2", vbx = "vbx", vbm = "vbm", xt = "xt",
    // threshold
    vth0 = "vth0", vfb = "vfb", k1 = "k1", k2 = "k2", k3 = "k3", k3b = "k3b", w0 = "w0", nlx = "nlx",
    dvt0 = "dvt0", dvt1 = "dvt1", dvt2 = "dvt2", dvt0w = "dvt0w", dvt1w = "dvt1w", dvt2w = "dvt2w",
    eta0 = "eta0", etab = "etab", dsub = "dsub",
    // subthreshold
    voff = "voff", nfactor = "nfactor", cdsc = "cdsc", cdscb = "cdscb", cdscd = "cdscd", cit = "cit",
    // mobility and saturation
    u0 = "u0", ua = "ua", ub = "ub", uc = "uc", vsat = "vsat",
    a0 = "a0", ags = "ags", a1 = "a1", a2 = "a2", b0 = "b0", b1 = "b1", keta = "keta",
    // series resistance and width modulation
    rdsw = "rdsw", prwg = "prwg", prwb = "prwb", prt = "prt", wr = "wr", dwg = "dwg", dwb = "dwb",
    // output conductance
    pclm = "pclm", pdiblc1 = "pdiblc1", pdiblc2 = "pdiblc2", pdiblcb = "pdiblcb", drout = "drout",
    pscbe1 = "pscbe1", pscbe2 = "pscbe2", pvag = "pvag", delta = "delta",
    // substrate current
    alpha0 = "alpha0", alpha1 = "alpha1", beta0 = "beta0",
    // temperature
    tnom = "tnom", ute = "ute", kt1 = "kt1", kt1l = "kt1l", kt2 = "kt2", ua1 = "ua1", ub1 = "ub1",
    uc1 = "uc1", at = "at",
    // geometry
    lint = "lint", wint = "wint", dlc = "dlc", dwc = "dwc", xl = "xl", xw = "xw",
    ll = "ll", llc = "llc", lln = "lln", lw = "lw", lwc = "lwc", lwn = "lwn", lwl = "lwl", lwlc = "lwlc",
    wl = "wl", wlc = "wlc", wln = "wln", ww = "ww", wwc = "wwc", wwn = "wwn", wwl = "wwl", wwlc = "wwlc",
    lmin = "lmin", lmax = "lmax", wmin = "wmin", wmax = "wmax", lmlt = "lmlt",
    // capacitances
    xpart = "xpart", cgso = "cgso", cgdo = "cgdo", cgbo = "cgbo", cgsl = "cgsl", cgdl = "cgdl", cf = "cf",
    clc = "clc", cle = "cle", acde = "acde", moin = "moin", noff = "noff", voffcv = "voffcv",
    ckappa = "ckappa", vfbcv = "vfbcv", elm = "elm",
    // junctions
    cj = "cj", mj = "mj", cjsw = "cjsw", mjsw = "mjsw", cjswg = "cjswg", mjswg = "mjswg", pb = "pb",
    pbsw = "pbsw", pbswg = "pbswg", js = "js", jsw = "jsw", nj = "nj", xti = "xti", ijth = "ijth",
    tcj = "tcj", tcjsw = "tcjsw", tcjswg = "tcjswg", tpb = "tpb", tpbsw = "tpbsw", tpbswg = "tpbswg",
    rsh = "rsh",
    // noise
    kf = "kf", af = "af", ef = "ef", noia = "noia", noib = "noib", noic = "noic", em = "em",
    lintnoi = "lintnoi",
    // checked only (b3check.c)
    paramchk = "paramchk", calcacm = "calcacm",
    // area calculation method (ACM > 0, `acm.rs`)
    hdif = "hdif", ldif = "ldif", ld = "ld", rd = "rd", rs = "rs", rdc = "rdc", rsc = "rsc", wmlt = "wmlt",
}

/// Accepted and without effect in this implementation: the SOA limits, plus the card's level
/// and version (the version is checked by the caller).
const IGNORED: &[&str] = &[
    "level", "version", "vgs_max", "vgd_max", "vgb_max", "vds_max", "vbs_max", "vbd_max", "vgsr_max", "vgdr_max",
    "vgbr_max", "vbsr_max", "vbdr_max",
];

/// Base names of the size-dependent parameters: `l`, `w` or `p` + base (ngspice's
/// `b3.c` list; `vtho` is an alias of `vth0`), the list BSIM-lite requires to be 0.
pub(crate) use crate::bsim3::model::BINNABLE;

/// A full BSIM3v3.3 model card: name, polarity, parameters and their L/W/P size
/// coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct Bsim3v3Model {
    /// Model name (for error messages).
    pub name: String,
    /// True for PMOS.
    pub pmos: bool,
    /// The parameters as given.
    pub params: Bsim3v3Params,
    /// `L`-prefixed size coefficients (only the binnable fields are used).
    pub lcoef: Bsim3v3Params,
    /// `W`-prefixed size coefficients.
    pub wcoef: Bsim3v3Params,
    /// `P`-prefixed size coefficients.
    pub pcoef: Bsim3v3Params,
    /// The code revision the card's `version=` selects (3.3.0 from [`Bsim3v3Model::new`]).
    pub version: Bsim3Version,
    /// Parameter names the card gives that BSIM3v3.3 does not have, in card order: ignored,
    /// as ngspice ignores them with "unrecognized parameter (name) - ignored".
    pub ignored: Vec<String>,
    /// HDIF on a 3.1 card (`bsim3v1`): the instance's AD/AS default to 2 HDIF W and PD/PS to
    /// 2 W + 4 HDIF where the instance does not give them ([`Bsim3v3Model::diffusion`]).
    pub hdif: Option<f64>,
}

impl Bsim3v3Model {
    /// Builds a model from lower-case `(name, value)` pairs of a `level=8`/`level=49` card
    /// (the caller checks `version`). Names BSIM3v3.3 does not know are kept in
    /// [`Bsim3v3Model::ignored`] (ngspice ignores them with a warning). Errors: non-finite values, selectors
    /// this implementation does not have (CAPMOD outside 0..3, MOBMOD outside 1..3, NOIMOD
    /// outside 1..4, NQSMOD other than 0/1, an ACM ngspice does not have), and physically
    /// unusable values (TOX, NCH, XJ <= 0, MJ >= 1, ...).
    pub fn new(name: &str, pmos: bool, params: &[(String, f64)]) -> Result<Bsim3v3Model, DeviceError> {
        Bsim3v3Model::with_version(name, pmos, params, Bsim3Version::V330)
    }

    /// As [`Bsim3v3Model::new`] for a card of BSIM3 revision `version` (ngspice's
    /// `bsim3v32` for 3.2.x, `bsim3v1` for 3.1, `bsim3v0` for 3.0, where ALPHA0 and RSH are
    /// errors): parameters that revision does
    /// not know ([`Bsim3Version::unknown_params`], and LMLT outside 3.2.x) are ignored with a
    /// warning ([`Bsim3v3Model::ignored`]), as ngspice ignores them.
    pub fn with_version(
        name: &str,
        pmos: bool,
        params: &[(String, f64)],
        version: Bsim3Version,
    ) -> Result<Bsim3v3Model, DeviceError> {
        let v31 = version == Bsim3Version::V31;
        let mut p = Bsim3v3Params::default();
        let mut lc = Bsim3v3Params::default();
        let mut wc = Bsim3v3Params::default();
        let mut pc = Bsim3v3Params::default();
        let mut ignored = Vec::new();
        let mut hdif = None;
        for (pname, value) in params {
            let mut lname = pname.to_ascii_lowercase();
            if !value.is_finite() {
                return Err(DeviceError::invalid(name, &lname, *value, "not a finite number"));
            }
            if lname.ends_with("vtho") {
                lname = lname.replace("vtho", "vth0");
            }
            if v31 && lname == "hdif" {
                // bsim3v1 derives the AD/AS/PD/PS an instance does not give from HDIF and W.
                hdif = Some(*value);
                continue;
            }
            if version == Bsim3Version::V30 && version.unknown_params().contains(&lname.as_str()) {
                // bsim3v0 knows none of these (HDIF included): ngspice warns and ignores.
                ignored.push(lname);
                continue;
            }
            if IGNORED.contains(&lname.as_str()) {
                continue;
            }
            if version.unknown_params().contains(&lname.as_str()) {
                ignored.push(lname);
                continue;
            }
            if let Some(slot) = p.slot(&lname) {
                *slot = Some(*value);
                continue;
            }
            let (pre, base) = lname.split_at(1);
            let target = match pre {
                "l" => Some(&mut lc),
                "w" => Some(&mut wc),
                "p" => Some(&mut pc),
                _ => None,
            };
            if let Some(slot) = target.filter(|_| BINNABLE.contains(&base)).and_then(|t| t.slot(base)) {
                *slot = Some(*value);
                continue;
            }
            ignored.push(lname);
        }
        // LMLT (channel-length multiplier) exists in ngspice's `bsim3v32` only; other
        // revisions ignore it as an unknown name.
        if p.lmlt.is_some() && !version.is_v32() {
            p.lmlt = None;
            ignored.push("lmlt".into());
        }
        // ngspice scales a doping given in m^-3 (b3mpar.c), for the coefficients too.
        for set in [&mut p, &mut lc, &mut wc, &mut pc] {
            for (n, limit) in [(&mut set.nch, 1.0e20), (&mut set.ngate, 1.0e23)] {
                if let Some(v) = n.as_mut() {
                    if *v > limit {
                        *v *= 1.0e-6;
                    }
                }
            }
        }
        let bad = |param: &str, value: f64, reason: &str| Err(DeviceError::invalid(name, param, value, reason));
        if let Some(v) = p.capmod {
            if v31 && v == 3.0 {
                return bad("capmod", v, "BSIM3 3.1 (ngspice's bsim3v1) has CAPMOD 0, 1 and 2");
            }
            if ![0.0, 1.0, 2.0, 3.0].contains(&v) {
                return bad("capmod", v, "CAPMOD must be 0, 1, 2 or 3");
            }
        }
        if let Some(v) = p.mobmod {
            if ![1.0, 2.0, 3.0].contains(&v) {
                return bad("mobmod", v, "MOBMOD must be 1, 2 or 3");
            }
        }
        if let Some(v) = p.noimod {
            if (v == 5.0 || v == 6.0) && version != Bsim3Version::V330 {
                let reason = format!(
                    "NOIMOD 5 and 6 exist only in ngspice's bsim3 (version 3.3.0); its {} (version {}) \
                     has NOIMOD 1-4",
                    version.implementation(),
                    version
                );
                return bad("noimod", v, &reason);
            }
            if ![1.0, 2.0, 3.0, 4.0, 5.0, 6.0].contains(&v) {
                return bad("noimod", v, "NOIMOD must be 1, 2, 3, 4, 5 or 6");
            }
        }
        if let Some(v) = p.nqsmod {
            if v != 0.0 && v != 1.0 {
                return bad("nqsmod", v, "NQSMOD must be 0 or 1");
            }
        }
        if let Some(v) = p.acm {
            super::acm::check_acm(name, v)?;
        }
        if version == Bsim3Version::V30 {
            // bsim3v0's parameter table has no VERSION either: ngspice warns about it too.
            ignored.push("version".into());
        }
        p.check_values(name)?;
        Ok(Bsim3v3Model {
            name: name.to_string(),
            pmos,
            params: p,
            lcoef: lc,
            wcoef: wc,
            pcoef: pc,
            version,
            ignored,
            hdif,
        })
    }

    /// The instance's drain/source areas and perimeters `[ad, as, pd, ps]` as this card's
    /// revision sets them up: those the instance gave (`given`) are kept; on a 3.1 card with
    /// HDIF (`b3v1set.c`) the others become 2 HDIF W (areas) and 2 W + 4 HDIF (perimeters).
    ///
    /// ```
    /// use insitu_devices::bsim3v3::{Bsim3Version, Bsim3v3Model};
    /// let p = [("hdif".to_string(), 0.5e-6)];
    /// let m = Bsim3v3Model::with_version("n", false, &p, Bsim3Version::V31).unwrap();
    /// let d = m.diffusion(2e-6, [1e-12, 0.0, 0.0, 0.0], [true, false, false, false]);
    /// assert_eq!(d, [1e-12, 2e-12, 6e-6, 6e-6]);
    /// ```
    pub fn diffusion(&self, w: f64, values: [f64; 4], given: [bool; 4]) -> [f64; 4] {
        let Some(h) = self.hdif else {
            return values;
        };
        let derived = [2.0 * h * w, 2.0 * h * w, 2.0 * w + 4.0 * h, 2.0 * w + 4.0 * h];
        std::array::from_fn(|i| if given[i] { values[i] } else { derived[i] })
    }

    /// The card's area calculation method when ACM > 0 (`None`: ACM = 0, or a revision that
    /// does not know ACM, which ignores it).
    pub(crate) fn acm(&self) -> Option<super::acm::Acm> {
        let p = &self.params;
        let acm = super::acm::integer(p.acm.unwrap_or(0.0));
        (acm != 0).then(|| super::acm::Acm {
            acm,
            calcacm: super::acm::integer(p.calcacm.unwrap_or(0.0)),
            hdif: p.hdif.unwrap_or(0.0),
            ldif: p.ldif.unwrap_or(0.0),
            ld: p.ld.unwrap_or(0.0),
            rd: p.rd.unwrap_or(0.0),
            rs: p.rs.unwrap_or(0.0),
            rdc: p.rdc.unwrap_or(0.0),
            rsc: p.rsc.unwrap_or(0.0),
            wmlt: p.wmlt.unwrap_or(1.0),
            xw: p.xw.unwrap_or(0.0),
        })
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

//! The level-1 model card.

use crate::params::collect;
use crate::DeviceError;

/// Model parameters as given on the card (`None` = not given, ngspice's "Given" flags).
/// Names are ngspice's; values in SI units except UO (cm^2/Vs), NSUB (cm^-3), NSS (cm^-2)
/// and TNOM (degrees C).
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(missing_docs)]
pub struct Mos1Params {
    pub vto: Option<f64>,
    pub kp: Option<f64>,
    pub gamma: Option<f64>,
    pub phi: Option<f64>,
    pub lambda: Option<f64>,
    pub rd: Option<f64>,
    pub rs: Option<f64>,
    pub cbd: Option<f64>,
    pub cbs: Option<f64>,
    pub is: Option<f64>,
    pub pb: Option<f64>,
    pub cgso: Option<f64>,
    pub cgdo: Option<f64>,
    pub cgbo: Option<f64>,
    pub rsh: Option<f64>,
    pub cj: Option<f64>,
    pub mj: Option<f64>,
    pub cjsw: Option<f64>,
    pub mjsw: Option<f64>,
    pub js: Option<f64>,
    pub tox: Option<f64>,
    pub ld: Option<f64>,
    pub uo: Option<f64>,
    pub fc: Option<f64>,
    pub nsub: Option<f64>,
    pub tpg: Option<f64>,
    pub nss: Option<f64>,
    pub tnom: Option<f64>,
    pub kf: Option<f64>,
    pub af: Option<f64>,
}

/// Accepted names, in the order of the `Mos1Params` fields, with ngspice's aliases.
const NAMES: &[&[&str]] = &[
    &["vto", "vt0"],
    &["kp"],
    &["gamma"],
    &["phi"],
    &["lambda"],
    &["rd"],
    &["rs"],
    &["cbd"],
    &["cbs"],
    &["is"],
    &["pb"],
    &["cgso"],
    &["cgdo"],
    &["cgbo"],
    &["rsh"],
    &["cj"],
    &["mj"],
    &["cjsw"],
    &["mjsw"],
    &["js"],
    &["tox"],
    &["ld"],
    &["uo", "u0"],
    &["fc"],
    &["nsub"],
    &["tpg"],
    &["nss"],
    &["tnom"],
    &["kf"],
    &["af"],
    &["level"],
];

/// A level-1 MOSFET model card: name, polarity and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Mos1Model {
    /// Model name (for error messages).
    pub name: String,
    /// True for PMOS.
    pub pmos: bool,
    /// The parameters as given.
    pub params: Mos1Params,
}

impl Mos1Model {
    /// Builds a model from lower-case `(name, value)` pairs. Errors name the model and the
    /// parameter: unknown names, LEVEL other than 1, PHI <= 0, TOX < 0, NSUB <= 1.45e10
    /// (with TOX), FC outside [0, 1), MJ/MJSW >= 1, PB <= 0.
    pub fn new(name: &str, pmos: bool, params: &[(String, f64)]) -> Result<Mos1Model, DeviceError> {
        let v = collect(name, params, NAMES)?;
        let p = Mos1Params {
            vto: v[0],
            kp: v[1],
            gamma: v[2],
            phi: v[3],
            lambda: v[4],
            rd: v[5],
            rs: v[6],
            cbd: v[7],
            cbs: v[8],
            is: v[9],
            pb: v[10],
            cgso: v[11],
            cgdo: v[12],
            cgbo: v[13],
            rsh: v[14],
            cj: v[15],
            mj: v[16],
            cjsw: v[17],
            mjsw: v[18],
            js: v[19],
            tox: v[20],
            ld: v[21],
            uo: v[22],
            fc: v[23],
            nsub: v[24],
            tpg: v[25],
            nss: v[26],
            tnom: v[27],
            kf: v[28],
            af: v[29],
        };
        if let Some(level) = v[30] {
            if level != 1.0 {
                return Err(DeviceError::invalid(name, "level", level, "only level 1 is handled by mos1"));
            }
        }
        let bad = |param: &str, value: f64, reason: &str| Err(DeviceError::invalid(name, param, value, reason));
        if let Some(phi) = p.phi {
            if phi <= 0.0 {
                return bad("phi", phi, "PHI must be positive");
            }
        }
        if let Some(tox) = p.tox {
            if tox < 0.0 {
                return bad("tox", tox, "TOX must not be negative");
            }
            if tox > 0.0 {
                if let Some(nsub) = p.nsub {
                    if nsub * 1e6 <= 1.45e16 {
                        return bad("nsub", nsub, "NSUB must exceed the intrinsic density 1.45e10 cm^-3");
                    }
                }
            }
        }
        if let Some(fc) = p.fc {
            if !(0.0..1.0).contains(&fc) {
                return bad("fc", fc, "FC must be in [0, 1)");
            }
        }
        for (pname, val) in [("mj", p.mj), ("mjsw", p.mjsw)] {
            if let Some(m) = val {
                if !(0.0..1.0).contains(&m) {
                    return bad(pname, m, "grading coefficient must be in [0, 1)");
                }
            }
        }
        if let Some(pb) = p.pb {
            if pb <= 0.0 {
                return bad("pb", pb, "PB must be positive");
            }
        }
        if let Some(t) = p.tnom {
            if t + crate::consts::KELVIN <= 0.0 {
                return bad("tnom", t, "TNOM below absolute zero");
            }
        }
        Ok(Mos1Model { name: name.to_string(), pmos, params: p })
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

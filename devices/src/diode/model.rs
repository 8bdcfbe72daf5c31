//! The diode model card.

use crate::params::collect;
use crate::DeviceError;

/// Diode model parameters as given (`None` = default). TNOM in degrees C.
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(missing_docs)]
pub struct DiodeParams {
    pub is: Option<f64>,
    pub n: Option<f64>,
    pub rs: Option<f64>,
    pub cjo: Option<f64>,
    pub vj: Option<f64>,
    pub m: Option<f64>,
    pub fc: Option<f64>,
    pub tt: Option<f64>,
    pub bv: Option<f64>,
    pub ibv: Option<f64>,
    pub nbv: Option<f64>,
    pub eg: Option<f64>,
    pub xti: Option<f64>,
    pub tnom: Option<f64>,
    pub kf: Option<f64>,
    pub af: Option<f64>,
    pub trs: Option<f64>,
    pub trs2: Option<f64>,
    pub ttt1: Option<f64>,
    pub ttt2: Option<f64>,
    pub tcv: Option<f64>,
}

const NAMES: &[&[&str]] = &[
    &["is", "js"],
    &["n"],
    &["rs"],
    &["cjo", "cj0", "cj"],
    &["vj", "pb"],
    &["m", "mj"],
    &["fc"],
    &["tt"],
    &["bv"],
    &["ibv", "ib"],
    &["nbv"],
    &["eg"],
    &["xti"],
    &["tnom", "tref"],
    &["kf"],
    &["af"],
    &["trs", "trs1"],
    &["trs2"],
    &["ttt1"],
    &["ttt2"],
    &["tcv"],
    &["level"],
];

/// A diode model card.
#[derive(Debug, Clone, PartialEq)]
pub struct DiodeModel {
    /// Model name (for error messages).
    pub name: String,
    /// The parameters as given.
    pub params: DiodeParams,
}

impl DiodeModel {
    /// Builds a model from lower-case `(name, value)` pairs (IS N RS CJO/CJ0 VJ M FC TT BV
    /// IBV NBV EG XTI TNOM KF AF TRS TRS2 TTT1 TTT2 TCV, LEVEL=1). Errors name the model and
    /// the parameter.
    pub fn new(name: &str, params: &[(String, f64)]) -> Result<DiodeModel, DeviceError> {
        let v = collect(name, params, NAMES)?;
        let p = DiodeParams {
            is: v[0],
            n: v[1],
            rs: v[2],
            cjo: v[3],
            vj: v[4],
            m: v[5],
            fc: v[6],
            tt: v[7],
            bv: v[8],
            ibv: v[9],
            nbv: v[10],
            eg: v[11],
            xti: v[12],
            tnom: v[13],
            kf: v[14],
            af: v[15],
            trs: v[16],
            trs2: v[17],
            ttt1: v[18],
            ttt2: v[19],
            tcv: v[20],
        };
        let bad = |param: &str, value: f64, reason: &str| Err(DeviceError::invalid(name, param, value, reason));
        if let Some(level) = v[21] {
            if level != 1.0 {
                return bad("level", level, "only diode level 1 is supported");
            }
        }
        for (pname, val) in [("n", p.n), ("nbv", p.nbv), ("vj", p.vj)] {
            if let Some(x) = val {
                if x <= 0.0 {
                    return bad(pname, x, "must be positive");
                }
            }
        }
        if let Some(fc) = p.fc {
            if !(0.0..1.0).contains(&fc) {
                return bad("fc", fc, "FC must be in [0, 1)");
            }
        }
        if let Some(m) = p.m {
            if !(0.0..1.0).contains(&m) {
                return bad("m", m, "grading coefficient must be in [0, 1)");
            }
        }
        if let Some(is) = p.is {
            if is < 0.0 {
                return bad("is", is, "must not be negative");
            }
        }
        if let Some(rs) = p.rs {
            if rs < 0.0 {
                return bad("rs", rs, "must not be negative");
            }
        }
        if let Some(bv) = p.bv {
            if bv <= 0.0 {
                return bad("bv", bv, "must be positive");
            }
        }
        if let Some(ibv) = p.ibv {
            if ibv <= 0.0 {
                return bad("ibv", ibv, "must be positive");
            }
        }
        Ok(DiodeModel { name: name.to_string(), params: p })
    }
}

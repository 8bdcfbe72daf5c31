//! Diode instance set-up and temperature adjustment (`diotemp.c`, `diosetup.c`).

use super::DiodeModel;
use crate::consts::{pbfact, vt, EPSMIN, REFTEMP, ROOT2};
use crate::DeviceError;

/// ngspice's limit on the temperature-adjusted grading coefficient (`DIOgradingCoeffMax`).
const GRADING_MAX: f64 = 0.9;
/// RELTOL used by ngspice when matching the breakdown knee (circuit default).
const BV_RELTOL: f64 = 1e-3;

/// A diode instance with all temperature- and area-dependent values precomputed.
#[derive(Debug, Clone, PartialEq)]
pub struct Diode {
    pub(crate) gmin: f64,
    pub(crate) vt: f64,
    pub(crate) vte: f64,
    pub(crate) vtebrk: f64,
    pub(crate) tsat_cur: f64,
    pub(crate) tvcrit: f64,
    pub(crate) bv: Option<f64>,
    pub(crate) tt: f64,
    pub(crate) gspr: f64,
    pub(crate) grading: f64,
    pub(crate) tjct_cap: f64,
    pub(crate) tjct_pot: f64,
    pub(crate) tdep_cap: f64,
    pub(crate) tf1: f64,
    pub(crate) tf2: f64,
    pub(crate) tf3: f64,
}

impl Diode {
    /// Sets up a diode of `area` (multiplier 1) at `temp_c`, nominal `tnom_c` (unless the
    /// model gives TNOM), with junction conductance `gmin`.
    pub fn new(model: &DiodeModel, area: f64, temp_c: f64, tnom_c: f64, gmin: f64) -> Result<Diode, DeviceError> {
        Self::with_multiplier(model, area, 1.0, temp_c, tnom_c, gmin)
    }

    /// As [`Diode::new`] with an instance multiplier `m`: area-scaled quantities use
    /// `area * m`; the breakdown current is `m * IBV` as in ngspice level 1.
    pub fn with_multiplier(
        model: &DiodeModel,
        area: f64,
        m: f64,
        temp_c: f64,
        tnom_c: f64,
        gmin: f64,
    ) -> Result<Diode, DeviceError> {
        let name = model.name.as_str();
        let p = &model.params;
        if !(area.is_finite() && area > 0.0) {
            return Err(DeviceError::invalid(name, "area", area, "must be positive"));
        }
        if !(m.is_finite() && m > 0.0) {
            return Err(DeviceError::invalid(name, "m", m, "must be positive"));
        }
        let (temp, tnom) = crate::consts::conditions(name, temp_c, p.tnom, tnom_c, gmin)?;
        let area = area * m;
        let n = p.n.unwrap_or(1.0);
        let is = p.is.unwrap_or(1e-14).max(EPSMIN);
        let vj = p.vj.unwrap_or(1.0);
        let mj = p.m.unwrap_or(0.5);
        let fc = p.fc.unwrap_or(0.5);
        let eg = p.eg.unwrap_or(1.11);
        let xti = p.xti.unwrap_or(3.0);
        let nbv = p.nbv.unwrap_or(n);

        let vtt = vt(temp);
        let vte = n * vtt;
        let dt = temp - tnom;
        let grading = mj.min(GRADING_MAX);

        let fact2 = temp / REFTEMP;
        let pbf = pbfact(temp);
        let fact1 = tnom / REFTEMP;
        let pbfact1 = pbfact(tnom);
        let pbo = (vj - pbfact1) / fact1;
        let gmaold = (vj - pbo) / pbo;
        let jct_cap = p.cjo.unwrap_or(0.0) * area;
        let mut tjct_cap = jct_cap / (1.0 + grading * (400e-6 * (tnom - REFTEMP) - gmaold));
        let mut tjct_pot = pbf + fact2 * pbo;
        let gmanew = (tjct_pot - pbo) / pbo;
        tjct_cap *= 1.0 + grading * (400e-6 * (temp - REFTEMP) - gmanew);

        let arg1 = ((temp / tnom) - 1.0) * eg / vte;
        let arg2 = xti / n * (temp / tnom).ln();
        let tsat_cur = is * area * (arg1 + arg2).exp();

        let xfc = (1.0 - fc).ln();
        let tf1 = tjct_pot * (1.0 - ((1.0 - grading) * xfc).exp()) / (1.0 - grading);
        let mut tdep_cap = fc * tjct_pot;
        let tvcrit = vte * (vte / (ROOT2 * tsat_cur)).ln();
        if tdep_cap > 1.0 {
            tjct_pot = 1.0 / fc;
            tdep_cap = fc * tjct_pot;
        }
        if tjct_pot.is_nan() || tjct_pot <= 0.0 {
            return Err(DeviceError::invalid(
                name,
                "vj",
                vj,
                "temperature-adjusted junction potential is not positive",
            ));
        }

        let bv = match p.bv {
            None => None,
            Some(bv0) => {
                let tbv = bv0 - p.tcv.unwrap_or(0.0) * dt;
                let cbv = m * p.ibv.unwrap_or(1e-3);
                let xbv = if cbv < tsat_cur * tbv / vtt {
                    tbv
                } else {
                    let tol = BV_RELTOL * cbv;
                    let mut xbv = tbv - nbv * vtt * (1.0 + cbv / tsat_cur).ln();
                    for _ in 0..25 {
                        xbv = tbv - nbv * vtt * (cbv / tsat_cur + 1.0 - xbv / vtt).ln();
                        let xcbv = tsat_cur * (((tbv - xbv) / (nbv * vtt)).exp() - 1.0 + xbv / vtt);
                        if (xcbv - cbv).abs() <= tol {
                            break;
                        }
                    }
                    xbv
                };
                if !xbv.is_finite() {
                    return Err(DeviceError::invalid(name, "bv", bv0, "cannot match the breakdown knee"));
                }
                Some(xbv)
            }
        };

        let tt = p.tt.unwrap_or(0.0) * (1.0 + p.ttt1.unwrap_or(0.0) * dt + p.ttt2.unwrap_or(0.0) * dt * dt);
        let gspr = match p.rs {
            Some(rs) if rs != 0.0 => {
                let factor = 1.0 + p.trs.unwrap_or(0.0) * dt + p.trs2.unwrap_or(0.0) * dt * dt;
                (1.0 / rs) * area / factor
            }
            _ => 0.0,
        };
        let tf2 = ((1.0 + grading) * xfc).exp();
        let tf3 = 1.0 - fc * (1.0 + grading);
        let d = Diode {
            gmin,
            vt: vtt,
            vte,
            vtebrk: nbv * vtt,
            tsat_cur,
            tvcrit,
            bv,
            tt,
            gspr,
            grading,
            tjct_cap,
            tjct_pot,
            tdep_cap,
            tf1,
            tf2,
            tf3,
        };
        for (what, v) in [("is", d.tsat_cur), ("cjo", d.tjct_cap), ("rs", d.gspr), ("tt", d.tt)] {
            if !v.is_finite() {
                return Err(DeviceError::invalid(name, what, v, "temperature-adjusted value is not finite"));
            }
        }
        Ok(d)
    }

    /// Critical voltage for pnjlim.
    pub fn vcrit(&self) -> f64 {
        self.tvcrit
    }
    /// N * kT/q, the `vt` for pnjlim in the forward region.
    pub fn vte(&self) -> f64 {
        self.vte
    }
    /// NBV * kT/q, the `vt` for pnjlim in the breakdown region.
    pub fn vte_breakdown(&self) -> f64 {
        self.vtebrk
    }
    /// Temperature-adjusted breakdown voltage (positive), if BV is given.
    pub fn breakdown_voltage(&self) -> Option<f64> {
        self.bv
    }
    /// Series conductance area/RS at temperature; 0 means no internal node.
    pub fn series_conductance(&self) -> f64 {
        self.gspr
    }
    /// Temperature- and area-adjusted saturation current.
    pub fn sat_current(&self) -> f64 {
        self.tsat_cur
    }
    /// Temperature- and area-adjusted zero-bias junction capacitance.
    pub fn cj0(&self) -> f64 {
        self.tjct_cap
    }
    /// Temperature-adjusted junction potential.
    pub fn vj(&self) -> f64 {
        self.tjct_pot
    }
    /// Temperature-adjusted transit time.
    pub fn tt(&self) -> f64 {
        self.tt
    }
    /// Thermal voltage kT/q.
    pub fn vt(&self) -> f64 {
        self.vt
    }
}

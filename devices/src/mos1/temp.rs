//! Instance set-up: geometry, model preprocessing and temperature (`mos1temp.c`, and the
//! geometry terms ngspice recomputes in `mos1load.c`).

use super::Mos1Model;
use crate::consts::{egap, pbfact, vt, CHARGE, EPS0_MOS, REFTEMP, ROOT2};
use crate::DeviceError;

/// Instance geometry. Lengths in metres, areas in square metres; `nrd`/`nrs` are squares
/// of RSH; `m` is the parallel multiplier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MosGeom {
    /// Drawn channel width.
    pub w: f64,
    /// Drawn channel length.
    pub l: f64,
    /// Drain diffusion area.
    pub ad: f64,
    /// Source diffusion area.
    pub as_: f64,
    /// Drain diffusion perimeter.
    pub pd: f64,
    /// Source diffusion perimeter.
    pub ps: f64,
    /// Drain squares.
    pub nrd: f64,
    /// Source squares.
    pub nrs: f64,
    /// Multiplier.
    pub m: f64,
}

impl MosGeom {
    /// Rejects non-finite or negative sizes and non-positive W, L, M, naming the model.
    pub(crate) fn check(&self, name: &str) -> Result<(), DeviceError> {
        let g = self;
        let fields = [
            ("w", g.w),
            ("l", g.l),
            ("ad", g.ad),
            ("as", g.as_),
            ("pd", g.pd),
            ("ps", g.ps),
            ("nrd", g.nrd),
            ("nrs", g.nrs),
            ("m", g.m),
        ];
        for (p, v) in fields {
            if !v.is_finite() || v < 0.0 {
                return Err(DeviceError::invalid(name, p, v, "must be a finite, non-negative number"));
            }
        }
        for (p, v) in [("w", g.w), ("l", g.l), ("m", g.m)] {
            if v <= 0.0 {
                return Err(DeviceError::invalid(name, p, v, "must be positive"));
            }
        }
        Ok(())
    }
}

impl Default for MosGeom {
    /// ngspice's defaults: W = L = 100 um, no diffusions, NRD = NRS = 1, M = 1.
    fn default() -> Self {
        MosGeom { w: 100e-6, l: 100e-6, ad: 0.0, as_: 0.0, pd: 0.0, ps: 0.0, nrd: 1.0, nrs: 1.0, m: 1.0 }
    }
}

/// A level-1 MOSFET instance with everything that depends only on parameters, geometry and
/// temperature precomputed. Build again with [`Mos1::new`] after a re-size.
#[derive(Debug, Clone, PartialEq)]
pub struct Mos1 {
    pub(crate) typ: f64,
    pub(crate) gmin: f64,
    pub(crate) vt: f64,
    pub(crate) temp: f64,
    pub(crate) tnom: f64,
    // channel
    pub(crate) tphi: f64,
    pub(crate) tvbi: f64,
    pub(crate) tvto: f64,
    pub(crate) tkp: f64,
    pub(crate) gamma: f64,
    pub(crate) lambda: f64,
    pub(crate) beta: f64,
    pub(crate) leff: f64,
    pub(crate) cox: f64,
    // junction diodes
    pub(crate) drain_sat_cur: f64,
    pub(crate) source_sat_cur: f64,
    pub(crate) drain_vcrit: f64,
    pub(crate) source_vcrit: f64,
    // junction capacitances
    pub(crate) mj: f64,
    pub(crate) mjsw: f64,
    pub(crate) tbulk_pot: f64,
    pub(crate) tdep_cap: f64,
    pub(crate) czbd: f64,
    pub(crate) czbdsw: f64,
    pub(crate) czbs: f64,
    pub(crate) czbssw: f64,
    pub(crate) f2d: f64,
    pub(crate) f3d: f64,
    pub(crate) f4d: f64,
    pub(crate) f2s: f64,
    pub(crate) f3s: f64,
    pub(crate) f4s: f64,
    // overlaps and series resistances
    pub(crate) cgso: f64,
    pub(crate) cgdo: f64,
    pub(crate) cgbo: f64,
    pub(crate) gd: f64,
    pub(crate) gs: f64,
}

impl Mos1 {
    /// Sets up an instance of `model` with geometry `geom` at circuit temperature `temp_c`
    /// (degrees C), nominal temperature `tnom_c` (used unless the model gives TNOM) and
    /// junction conductance `gmin`. Errors name the model and the offending value
    /// (non-positive W, L, M or effective length, temperature-adjusted PHI <= 0, ...).
    pub fn new(model: &Mos1Model, geom: &MosGeom, temp_c: f64, tnom_c: f64, gmin: f64) -> Result<Mos1, DeviceError> {
        let name = model.name.as_str();
        let p = &model.params;
        let typ = model.mos_type();
        geom.check(name)?;
        let (temp, tnom) = crate::consts::conditions(name, temp_c, p.tnom, tnom_c, gmin)?;

        // --- model preprocessing at TNOM
        let fact1 = tnom / REFTEMP;
        let vtnom = vt(tnom);
        let egfet1 = egap(tnom);
        let pbfact1 = pbfact(tnom);
        let mut phi = p.phi.unwrap_or(0.6);
        let mut kp = p.kp.unwrap_or(2e-5);
        let mut gamma = p.gamma.unwrap_or(0.0);
        let mut vto = p.vto.unwrap_or(0.0);
        let tox = p.tox.unwrap_or(0.0);
        let cox_factor = if tox == 0.0 {
            0.0
        } else {
            let coxf = 3.9 * EPS0_MOS / tox;
            if p.kp.is_none() {
                kp = p.uo.unwrap_or(600.0) * coxf * 1e-4;
            }
            if let Some(nsub) = p.nsub {
                if nsub * 1e6 <= 1.45e16 {
                    return Err(DeviceError::invalid(name, "nsub", nsub, "NSUB must exceed 1.45e10 cm^-3"));
                }
                if p.phi.is_none() {
                    phi = (2.0 * vtnom * (nsub * 1e6 / 1.45e16).ln()).max(0.1);
                }
                let fermis = typ * 0.5 * phi;
                let tpg = p.tpg.unwrap_or(1.0);
                let wkfng = if tpg != 0.0 {
                    let fermig = typ * tpg * 0.5 * egfet1;
                    3.25 + 0.5 * egfet1 - fermig
                } else {
                    3.2
                };
                let wkfngs = wkfng - (3.25 + 0.5 * egfet1 + fermis);
                if p.gamma.is_none() {
                    gamma = (2.0 * 11.70 * EPS0_MOS * CHARGE * nsub * 1e6).sqrt() / coxf;
                }
                if p.vto.is_none() {
                    let nss = p.nss.unwrap_or(0.0);
                    let vfb = wkfngs - nss * 1e4 * CHARGE / coxf;
                    vto = vfb + typ * (gamma * phi.sqrt() + phi);
                }
            }
            coxf
        };

        // --- temperature adjustment
        let vtt = vt(temp);
        let ratio = temp / tnom;
        let fact2 = temp / REFTEMP;
        let egfet = egap(temp);
        let pbf = pbfact(temp);
        let ratio4 = ratio * ratio.sqrt();
        let tkp = kp / ratio4;
        let phio = (phi - pbfact1) / fact1;
        let tphi = fact2 * phio + pbf;
        if tphi.is_nan() || tphi <= 0.0 {
            return Err(DeviceError::invalid(name, "phi", phi, "temperature-adjusted PHI is not positive"));
        }
        let tvbi = vto - typ * (gamma * phi.sqrt()) + 0.5 * (egfet1 - egfet) + typ * 0.5 * (tphi - phi);
        let tvto = tvbi + typ * gamma * tphi.sqrt();
        let sat_factor = (-egfet / vtt + egfet1 / vtnom).exp();
        let tsat_cur = p.is.unwrap_or(1e-14) * sat_factor;
        let tsat_cur_dens = p.js.unwrap_or(0.0) * sat_factor;

        let pb = p.pb.unwrap_or(0.8);
        let mj = p.mj.unwrap_or(0.5);
        let mjsw = p.mjsw.unwrap_or(0.5);
        let fc = p.fc.unwrap_or(0.5);
        let pbo = (pb - pbfact1) / fact1;
        let gmaold = (pb - pbo) / pbo;
        let capfact = 1.0 / (1.0 + mj * (4e-4 * (tnom - REFTEMP) - gmaold));
        let mut tcbd = p.cbd.unwrap_or(0.0) * capfact;
        let mut tcbs = p.cbs.unwrap_or(0.0) * capfact;
        let mut tcj = p.cj.unwrap_or(0.0) * capfact;
        let capfact = 1.0 / (1.0 + mjsw * (4e-4 * (tnom - REFTEMP) - gmaold));
        let mut tcjsw = p.cjsw.unwrap_or(0.0) * capfact;
        let tbulk_pot = fact2 * pbo + pbf;
        if tbulk_pot.is_nan() || tbulk_pot <= 0.0 {
            return Err(DeviceError::invalid(name, "pb", pb, "temperature-adjusted PB is not positive"));
        }
        let gmanew = (tbulk_pot - pbo) / pbo;
        let capfact = 1.0 + mj * (4e-4 * (temp - REFTEMP) - gmanew);
        tcbd *= capfact;
        tcbs *= capfact;
        tcj *= capfact;
        let capfact = 1.0 + mjsw * (4e-4 * (temp - REFTEMP) - gmanew);
        tcjsw *= capfact;
        let tdep_cap = fc * tbulk_pot;

        let g = geom;
        let m = g.m;
        let use_is = tsat_cur_dens == 0.0 || g.ad == 0.0 || g.as_ == 0.0;
        let (drain_vcrit, source_vcrit) = if use_is {
            let v = vtt * (vtt / (ROOT2 * m * tsat_cur)).ln();
            (v, v)
        } else {
            (
                vtt * (vtt / (ROOT2 * m * tsat_cur_dens * g.ad)).ln(),
                vtt * (vtt / (ROOT2 * m * tsat_cur_dens * g.as_)).ln(),
            )
        };
        let (drain_sat_cur, source_sat_cur) =
            if use_is { (m * tsat_cur, m * tsat_cur) } else { (tsat_cur_dens * m * g.ad, tsat_cur_dens * m * g.as_) };

        let czbd = if p.cbd.is_some() {
            tcbd * m
        } else if p.cj.is_some() {
            tcj * m * g.ad
        } else {
            0.0
        };
        let czbs = if p.cbs.is_some() {
            tcbs * m
        } else if p.cj.is_some() {
            tcj * g.as_ * m
        } else {
            0.0
        };
        let (czbdsw, czbssw) = if p.cjsw.is_some() { (tcjsw * g.pd * m, tcjsw * g.ps * m) } else { (0.0, 0.0) };
        let arg = 1.0 - fc;
        let sarg = (-mj * arg.ln()).exp();
        let sargsw = (-mjsw * arg.ln()).exp();
        let f2 = |cz: f64, czsw: f64| {
            cz * (1.0 - fc * (1.0 + mj)) * sarg / arg + czsw * (1.0 - fc * (1.0 + mjsw)) * sargsw / arg
        };
        let f3 = |cz: f64, czsw: f64| cz * mj * sarg / arg / tbulk_pot + czsw * mjsw * sargsw / arg / tbulk_pot;
        let f4 = |cz: f64, czsw: f64, f2: f64, f3: f64| {
            cz * tbulk_pot * (1.0 - arg * sarg) / (1.0 - mj) + czsw * tbulk_pot * (1.0 - arg * sargsw) / (1.0 - mjsw)
                - f3 / 2.0 * (tdep_cap * tdep_cap)
                - tdep_cap * f2
        };
        let f2d = f2(czbd, czbdsw);
        let f3d = f3(czbd, czbdsw);
        let f4d = f4(czbd, czbdsw, f2d, f3d);
        let f2s = f2(czbs, czbssw);
        let f3s = f3(czbs, czbssw);
        let f4s = f4(czbs, czbssw, f2s, f3s);

        let conductance = |r: Option<f64>, squares: f64| match (r, p.rsh) {
            (Some(r), _) => {
                if r != 0.0 {
                    m / r
                } else {
                    0.0
                }
            }
            (None, Some(rsh)) => {
                if rsh != 0.0 && squares != 0.0 {
                    m / (rsh * squares)
                } else {
                    0.0
                }
            }
            (None, None) => 0.0,
        };
        let gd = conductance(p.rd, g.nrd);
        let gs = conductance(p.rs, g.nrs);

        let leff = g.l - 2.0 * p.ld.unwrap_or(0.0);
        if leff.is_nan() || leff <= 0.0 {
            return Err(DeviceError::invalid(name, "l", g.l, "effective channel length L - 2*LD is not positive"));
        }
        let beta = tkp * m * g.w / leff;
        let cox = cox_factor * leff * m * g.w;

        let out = Mos1 {
            typ,
            gmin,
            vt: vtt,
            temp,
            tnom,
            tphi,
            tvbi,
            tvto,
            tkp,
            gamma,
            lambda: p.lambda.unwrap_or(0.0),
            beta,
            leff,
            cox,
            drain_sat_cur,
            source_sat_cur,
            drain_vcrit,
            source_vcrit,
            mj,
            mjsw,
            tbulk_pot,
            tdep_cap,
            czbd,
            czbdsw,
            czbs,
            czbssw,
            f2d,
            f3d,
            f4d,
            f2s,
            f3s,
            f4s,
            cgso: p.cgso.unwrap_or(0.0) * m * g.w,
            cgdo: p.cgdo.unwrap_or(0.0) * m * g.w,
            cgbo: p.cgbo.unwrap_or(0.0) * m * leff,
            gd,
            gs,
        };
        for (what, v) in [("beta", out.beta), ("vto", out.tvto), ("cox", out.cox), ("f4d", out.f4d), ("f4s", out.f4s)] {
            if !v.is_finite() {
                return Err(DeviceError::invalid(name, what, v, "derived value is not finite"));
            }
        }
        Ok(out)
    }

    /// +1 for NMOS, -1 for PMOS.
    pub fn mos_type(&self) -> f64 {
        self.typ
    }
    /// Temperature-adjusted VTO(T) exactly as ngspice stores it (`MOS1tVto`: the sign of
    /// the card, negative for a usual PMOS). ngspice's initial junction guess is
    /// `vgs = type * vto_t()` (n-frame); [`Mos1::vto_n`] is that product.
    pub fn vto_t(&self) -> f64 {
        self.tvto
    }
    /// VTO(T) in the n-frame, `type * vto_t()` (positive for enhancement NMOS and PMOS):
    /// the `vto` for [`crate::limit::fetlim`] before any iteration; afterwards ngspice
    /// passes the previous iteration's n-frame `von` ([`crate::Mos1Dc::von`]).
    pub fn vto_n(&self) -> f64 {
        self.typ * self.tvto
    }
    /// Temperature-adjusted built-in voltage Vbi(T) (`MOS1tVbi`).
    pub fn vbi_t(&self) -> f64 {
        self.tvbi
    }
    /// Temperature-adjusted surface potential PHI(T).
    pub fn phi_t(&self) -> f64 {
        self.tphi
    }
    /// Temperature-adjusted KP(T).
    pub fn kp_t(&self) -> f64 {
        self.tkp
    }
    /// Beta = KP(T) * M * W / Leff.
    pub fn beta(&self) -> f64 {
        self.beta
    }
    /// Effective channel length L - 2 LD.
    pub fn leff(&self) -> f64 {
        self.leff
    }
    /// GAMMA after NSUB preprocessing.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// LAMBDA.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }
    /// Total oxide capacitance Cox' * Leff * W * M (0 without TOX).
    pub fn cox_total(&self) -> f64 {
        self.cox
    }
    /// Thermal voltage kT/q at the device temperature (the `vt` of the junction pnjlim).
    pub fn vt(&self) -> f64 {
        self.vt
    }
    /// Device temperature in kelvin.
    pub fn temp_k(&self) -> f64 {
        self.temp
    }
    /// Nominal temperature in kelvin.
    pub fn tnom_k(&self) -> f64 {
        self.tnom
    }
    /// Critical voltage for pnjlim of the bulk-source junction (ngspice `sourceVcrit`).
    pub fn vcrit(&self) -> f64 {
        self.source_vcrit
    }
    /// Critical voltage for pnjlim of the bulk-drain junction (ngspice `drainVcrit`).
    pub fn vcrit_bd(&self) -> f64 {
        self.drain_vcrit
    }
    /// Critical voltage for pnjlim of the bulk-source junction (same as [`Mos1::vcrit`]).
    pub fn vcrit_bs(&self) -> f64 {
        self.source_vcrit
    }
    /// Drain series conductance M/RD or M/(RSH*NRD); 0 means no internal drain node.
    pub fn drain_conductance(&self) -> f64 {
        self.gd
    }
    /// Source series conductance M/RS or M/(RSH*NRS); 0 means no internal source node.
    pub fn source_conductance(&self) -> f64 {
        self.gs
    }
    /// Saturation currents of the (bulk-drain, bulk-source) diodes, multiplier included.
    pub fn junction_sat_currents(&self) -> (f64, f64) {
        (self.drain_sat_cur, self.source_sat_cur)
    }
    /// Zero-bias junction capacitances (Cbd, Cbdsw, Cbs, Cbssw) at temperature, M included.
    pub fn zero_bias_junction_caps(&self) -> (f64, f64, f64, f64) {
        (self.czbd, self.czbdsw, self.czbs, self.czbssw)
    }
    /// GMIN used in the junction currents.
    pub fn gmin(&self) -> f64 {
        self.gmin
    }
}

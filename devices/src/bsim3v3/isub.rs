//! Substrate current from impact ionization (`b3ld.c`, "Substrate current begins"):
//! Isub = (ALPHA0 + ALPHA1 Leff) / Leff * (Vds - Vdseff) * exp(-BETA0 / (Vds - Vdseff)) * Idsa,
//! flowing from the (mode-frame) drain into the bulk. Version 3.1 (`bsim3v1`) has no
//! ALPHA1 (it is an unknown name there) and stamps the current at the mode-frame *source*
//! with a Norton current linearized around Vbseff instead of Vbs ([`Substrate`]). Version
//! 3.0 (`bsim3v0`) stamps it as 3.1 and computes it with two differences of its own
//! (`b3v0ld.c`): a negative Vds - Vdseff (round-off at Vds = 0) is set to 0, and the
//! dVbseff/dVbs factor multiplies Gbg instead of Gbb.

use super::temp::{EXP_THRESHOLD, MIN_EXP};
use super::{Bsim3Version, Bsim3v3};
use crate::FetSubstrate;

/// The substrate current and its derivatives in the mode frame, per unit of M.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Substrate {
    /// Isub (A), >= 0 for a device conducting in its mode.
    pub isub: f64,
    /// dIsub/dVgs (mode frame).
    pub gbg: f64,
    /// dIsub/dVds (mode frame).
    pub gbd: f64,
    /// dIsub/dVbs (mode frame).
    pub gbb: f64,
}

/// What the current calculation hands over: Idsa (Ids before the VASCBE factor) with its
/// raw derivatives, Vds - Vdseff with Vdseff's derivatives, and the chain factors.
pub(crate) struct IsubInputs {
    pub leff: f64,
    pub diff_vds: f64,
    pub dvdseff: [f64; 3],
    pub idsa: f64,
    pub didsa: [f64; 3],
    pub dvgsteff: [f64; 3],
    pub dvbseff_dvb: f64,
}

impl Bsim3v3 {
    /// Isub and its derivatives at the bias the inputs describe (0 when ALPHA0 + ALPHA1
    /// Leff <= 0 or BETA0 <= 0, as in `b3ld.c`).
    pub(crate) fn substrate(&self, x: &IsubInputs) -> Substrate {
        let v30 = self.version == Bsim3Version::V30;
        // ALPHA1 is not a 3.0 or 3.1 parameter: ignored on those cards, so 0 here.
        let tmp = self.alpha0 + self.alpha1 * x.leff;
        if tmp <= 0.0 || self.beta0 <= 0.0 {
            return Substrate::default();
        }
        let t2 = tmp / x.leff;
        let [dvdseff_dvg, dvdseff_dvd, dvdseff_dvb] = x.dvdseff;
        // `b3v0ld.c` clamps a negative Vds - Vdseff to 0 (the derivatives stay).
        let diff_vds = if v30 { x.diff_vds.max(0.0) } else { x.diff_vds };
        let above = if v30 {
            diff_vds != 0.0 && -self.beta0 / diff_vds > -EXP_THRESHOLD
        } else {
            diff_vds > self.beta0 / EXP_THRESHOLD
        };
        let (t1, dt1) = if above {
            let t0 = -self.beta0 / diff_vds;
            let t1 = t2 * diff_vds * t0.exp();
            let t3 = t1 / diff_vds * (t0 - 1.0);
            (t1, [t3 * dvdseff_dvg, t3 * (dvdseff_dvd - 1.0), t3 * dvdseff_dvb])
        } else {
            let t3 = t2 * MIN_EXP;
            (t3 * diff_vds, [-t3 * dvdseff_dvg, t3 * (1.0 - dvdseff_dvd), -t3 * dvdseff_dvb])
        };
        let [dg, dd, db] = x.dvgsteff;
        let isub = t1 * x.idsa;
        let gbg = t1 * x.didsa[0] + x.idsa * dt1[0];
        let gbd = t1 * x.didsa[1] + x.idsa * dt1[1] + gbg * dd;
        let gbb = t1 * x.didsa[2] + x.idsa * dt1[2] + gbg * db;
        if v30 {
            // `b3v0ld.c`: Gbg *= dVgsteff/dVg; Gbg *= dVbseff/dVb (Gbb keeps no such factor).
            Substrate { isub, gbg: gbg * dg * x.dvbseff_dvb, gbd, gbb }
        } else {
            Substrate { isub, gbg: gbg * dg, gbd, gbb: gbb * x.dvbseff_dvb }
        }
    }

    /// The substrate branch as the solver stamps it, M applied: `b3ld.c`/`b3v32ld.c` at the
    /// mode-frame drain, inside the convergence test; `b3v1ld.c` at the mode-frame source,
    /// with the Norton current Isub - (Gbb Vbseff + Gbd Vds + Gbg Vgs) (so `extra` = Gbb
    /// (Vbs - Vbseff)), outside the convergence test and absent from its AC matrix
    /// (`b3v1acld.c`).
    pub(crate) fn fet_substrate(&self, s: &Substrate, vbs: f64, vbseff: f64) -> FetSubstrate {
        let m = self.m;
        // 3.0 (`b3v0ld.c`) stamps as 3.1, gbd in the (source', drain') entry included.
        let v31 = self.version <= Bsim3Version::V31;
        FetSubstrate {
            isub: m * s.isub,
            gbg: m * s.gbg,
            gbd: m * s.gbd,
            gbb: m * s.gbb,
            extra: if v31 { m * s.gbb * (vbs - vbseff) } else { 0.0 },
            at_source: v31,
            small_signal: !v31,
        }
    }
}

//! ACM, the area calculation method of ngspice's BSIM3 (`acm=`, `calcacm=`; ngspice 39's
//! `devsup.c`: `ACM_SourceDrainResistances`, `ACM_saturationCurrents`,
//! `ACM_junctionCapacitances`), for versions 3.2.x and 3.3.0 (ngspice's `bsim3v32` and
//! `bsim3`; `bsim3v1`/`bsim3v0` do not know ACM and ignore it with a warning).
//!
//! With ACM > 0 the drain/source series resistances, junction saturation currents and
//! junction capacitances come from the card's HDIF, LDIF, LD, RD, RS, RDC, RSC, WMLT and XW
//! and the instance's W and GEO instead of RSH x NRD/NRS and AD/AS/PD/PS alone:
//! - ACM 1, 11: one diffusion of area Weff' WMLT and perimeter Weff' on each side, where
//!   Weff' = W WMLT + XW; R = (LD + LDIF)/Weff' RD + RSH NRD + RDC (NRD 0 when not given).
//! - ACM 2, 3, 12, 13: R as ACM 1 when NRD/NRS is given, else ((LD + LDIF) RD + HDIF WMLT
//!   RSH)/Weff' + RDC. ACM 2 (and 12 with CALCACM = 1): areas 2 HDIF WMLT Weff' and
//!   perimeters 4 HDIF WMLT + 2 Weff' where the instance gives none, else AD WMLT^2 and
//!   PD WMLT. ACM 3, 13: the same with GEO's shared sides (half the area, 2 HDIF WMLT
//!   perimeter) and a perimeter of 4 HDIF WMLT + Weff' otherwise.
//! - junction capacitances: ACM 1 and 11 have no gate-edge sidewall; ACM 2, 12 and 13 put
//!   Weff' of the perimeter at CJSWG (ACM 2: a shorter perimeter all at CJSWG on the field
//!   sidewall, ACM 12/13: all at the gate edge); ACM 3 adds Weff' of gate edge to the
//!   whole perimeter at CJSW.
//!
//! Saturation currents of zero or less become 1e-14 A, as in `devsup.c`.

use crate::DeviceError;

/// What ACM needs of a MOSFET instance beyond [`crate::MosGeom`]: GEO and which of AD, AS, PD,
/// PS, NRD, NRS the instance gives (ngspice's "Given" flags).
///
/// ```
/// use insitu_devices::bsim3v3::AcmInstance;
/// let given = AcmInstance::default();
/// assert_eq!((given.geo, given.given), (0, [true; 6]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcmInstance {
    /// GEO (ACM 3/13): 0 no shared side, 1 drain shared, 2 source shared, 3 both.
    pub geo: i32,
    /// Whether AD, AS, PD, PS, NRD, NRS (in that order) were given.
    pub given: [bool; 6],
}

impl Default for AcmInstance {
    /// GEO = 0, every AD/AS/PD/PS/NRD/NRS of the [`crate::MosGeom`] taken as given.
    fn default() -> Self {
        AcmInstance { geo: 0, given: [true; 6] }
    }
}

/// A card's ACM selection and parameters (ACM > 0 only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Acm {
    pub(crate) acm: i32,
    pub(crate) calcacm: i32,
    pub(crate) hdif: f64,
    pub(crate) ldif: f64,
    pub(crate) ld: f64,
    pub(crate) rd: f64,
    pub(crate) rs: f64,
    pub(crate) rdc: f64,
    pub(crate) rsc: f64,
    pub(crate) wmlt: f64,
    pub(crate) xw: f64,
}

/// The ACM values ngspice's `devsup.c` implements.
pub(crate) const ACM_VALUES: [i32; 7] = [0, 1, 2, 3, 11, 12, 13];

/// ngspice's reading of an integer parameter (`inpgval.c`: floor(x + 0.5)).
pub(crate) fn integer(v: f64) -> i32 {
    (v + 0.5).floor() as i32
}

/// Checks a card's ACM value: one of [`ACM_VALUES`] (ngspice leaves the resistances and
/// saturation currents of any other value uninitialised).
pub(crate) fn check_acm(model: &str, v: f64) -> Result<(), DeviceError> {
    if !ACM_VALUES.contains(&integer(v)) {
        return Err(DeviceError::invalid(model, "acm", v, "ACM must be 0, 1, 2, 3, 11, 12 or 13"));
    }
    Ok(())
}

/// Areas and perimeters of both sides, `[drain, source]`, each `(area, perimeter)`.
type Sides = [(f64, f64); 2];

impl Acm {
    /// Weff' = W WMLT + XW.
    fn wide(&self, w: f64) -> f64 {
        w * self.wmlt + self.xw
    }

    /// Drain and source series resistances (ohm, M not applied) from the instance width `w`,
    /// sheet resistance `rsh`, squares `nr` = (NRD, NRS) and whether each was given.
    pub(crate) fn resistances(&self, w: f64, rsh: f64, nr: [f64; 2], given: [bool; 2]) -> [f64; 2] {
        let we = self.wide(w);
        let lldd = self.ld + self.ldif;
        let side = |i: usize, r: f64, rc: f64| {
            // Squares not given are 0 with ACM > 0 (`b3set.c`).
            let sq = if given[i] { nr[i] } else { 0.0 };
            match self.acm {
                2 | 3 | 12 | 13 if !given[i] => (lldd * r + self.hdif * self.wmlt * rsh) / we + rc,
                _ => lldd / we * r + rsh * sq + rc,
            }
        };
        [side(0, self.rd, self.rdc), side(1, self.rs, self.rsc)]
    }

    /// Diffusion areas and perimeters `[drain, source]` as ACM sets them for the junction
    /// currents (`caps`: for the capacitances, where ACM 13 always scales the given values).
    /// `diff` is AD, AS, PD, PS and `given` their flags.
    fn sides(&self, geo: i32, w: f64, diff: [f64; 4], given: [bool; 4], caps: bool) -> Sides {
        let we = self.wide(w);
        let hw = self.hdif * self.wmlt;
        let (wm, wm2) = (self.wmlt, self.wmlt * self.wmlt);
        let scaled = |i: usize, a_def: f64, p_def: f64| {
            let a = if given[i] { diff[i] * wm2 } else { a_def };
            let p = if given[i + 2] { diff[i + 2] * wm } else { p_def };
            (a, p)
        };
        let full = (2.0 * hw * we, 4.0 * hw + 2.0 * we);
        match self.acm {
            1 | 11 => [(we * wm, we); 2],
            2 => [0, 1].map(|i| scaled(i, full.0, full.1)),
            12 if self.calcacm == 1 => [0, 1].map(|i| scaled(i, full.0, full.1)),
            13 if caps => [0, 1].map(|i| (diff[i] * wm2, diff[i + 2] * wm)),
            3 | 13 => {
                // GEO: the drain is a whole diffusion for 0 and 2, the source for 0 and 1.
                let whole = [geo == 0 || geo == 2, geo == 0 || geo == 1];
                [0, 1].map(|i| {
                    if whole[i] {
                        scaled(i, 2.0 * hw * we, 4.0 * hw + we)
                    } else {
                        scaled(i, hw * we, 2.0 * hw)
                    }
                })
            }
            // 12 without CALCACM: the instance's values as they are.
            _ => [(diff[0], diff[2]), (diff[1], diff[3])],
        }
    }

    /// Junction saturation currents `[drain, source]` (A, M not applied) from the
    /// temperature-adjusted densities `js` (A/m^2) and `jsw` (A/m).
    pub(crate) fn sat_currents(
        &self,
        geo: i32,
        w: f64,
        diff: [f64; 4],
        given: [bool; 4],
        js: f64,
        jsw: f64,
    ) -> [f64; 2] {
        self.sides(geo, w, diff, given, false).map(|(a, p)| {
            let s = a * js + p * jsw;
            if s <= 0.0 {
                1.0e-14
            } else {
                s
            }
        })
    }

    /// Zero-bias junction capacitances `[drain, source]`, each `[bottom, sidewall, gate
    /// edge]`, from the unit capacitances `cj` (F/m^2), `cjsw` and `cjswg` (F/m) the revision
    /// passes (3.3.0: CJSWG without its temperature coefficient).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn junction_caps(
        &self,
        geo: i32,
        w: f64,
        diff: [f64; 4],
        given: [bool; 4],
        cj: f64,
        cjsw: f64,
        cjswg: f64,
    ) -> [[f64; 3]; 2] {
        let we = self.wide(w);
        self.sides(geo, w, diff, given, true).map(|(a, p)| match self.acm {
            1 | 11 => [a * cj, p * cjsw, 0.0],
            3 => [a * cj, p * cjsw, we * cjswg],
            2 if p <= we => [a * cj, p * cjswg, 0.0],
            _ if p <= we => [a * cj, 0.0, p * cjswg],
            _ => [a * cj, (p - we) * cjsw, we * cjswg],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acm(n: i32) -> Acm {
        Acm {
            acm: n,
            calcacm: 0,
            hdif: 0.5e-6,
            ldif: 0.1e-6,
            ld: 0.05e-6,
            rd: 200.0,
            rs: 220.0,
            rdc: 5.0,
            rsc: 6.0,
            wmlt: 0.9,
            xw: 0.02e-6,
        }
    }

    #[test]
    fn acm2_defaults_follow_hdif() {
        let a = acm(2);
        let we = 2e-6 * 0.9 + 0.02e-6;
        let hw = 0.45e-6;
        let s = a.sides(0, 2e-6, [0.0; 4], [false; 4], false);
        assert_eq!(s[0], (2.0 * hw * we, 4.0 * hw + 2.0 * we));
        // Given values are scaled by WMLT.
        let s = a.sides(0, 2e-6, [1e-12, 2e-12, 3e-6, 4e-6], [true; 4], false);
        assert_eq!(s[1], (2e-12 * 0.81, 4e-6 * 0.9));
        // Resistance without NRD: (LD + LDIF) RD + HDIF WMLT RSH over Weff', plus RDC.
        let r = a.resistances(2e-6, 10.0, [1.0, 1.0], [false, true]);
        assert!((r[0] - ((0.15e-6 * 200.0 + hw * 10.0) / we + 5.0)).abs() < 1e-12);
        assert!((r[1] - (0.15e-6 / we * 220.0 + 10.0 + 6.0)).abs() < 1e-12);
    }

    #[test]
    fn acm3_geo_shares_sides() {
        let a = acm(3);
        let we = 2e-6 * 0.9 + 0.02e-6;
        let hw = 0.45e-6;
        let s = a.sides(1, 2e-6, [0.0; 4], [false; 4], false);
        assert_eq!(s[0], (hw * we, 2.0 * hw));
        assert_eq!(s[1], (2.0 * hw * we, 4.0 * hw + we));
        let c = a.junction_caps(1, 2e-6, [0.0; 4], [false; 4], 1e-3, 1e-10, 2e-10);
        assert_eq!(c[0], [hw * we * 1e-3, 2.0 * hw * 1e-10, we * 2e-10]);
    }

    #[test]
    fn unknown_acm_is_an_error() {
        assert!(check_acm("n", 4.0).is_err());
        assert!(check_acm("n", 12.2).is_ok());
    }
}

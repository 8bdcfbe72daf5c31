//! Physical constants with the exact values ngspice uses (`src/include/ngspice/const.h`).

/// Elementary charge q, in coulombs.
pub const CHARGE: f64 = 1.6021766208e-19;
/// Boltzmann constant k, in J/K.
pub const BOLTZ: f64 = 1.38064852e-23;
/// k/q, computed as the ratio like ngspice's `CONSTKoverQ`.
pub const KOVERQ: f64 = BOLTZ / CHARGE;
/// Reference temperature 27 degrees C in kelvin.
pub const REFTEMP: f64 = 300.15;
/// 0 degrees C in kelvin.
pub const KELVIN: f64 = 273.15;
/// sqrt(2), ngspice's `CONSTroot2`.
pub const ROOT2: f64 = std::f64::consts::SQRT_2;
/// Largest argument passed to `exp` in the MOS junction equations (`MAX_EXP_ARG`).
pub const MAX_EXP_ARG: f64 = 709.0;
/// Default minimum conductance across junctions (ngspice GMIN).
pub const GMIN_DEFAULT: f64 = 1e-12;
/// Permittivity of vacuum as hard-coded in the level-1 MOS oxide capacitance.
pub const EPS0_MOS: f64 = 8.854214871e-12;
/// Smallest saturation current ngspice allows for diodes (`CKTepsmin`).
pub const EPSMIN: f64 = 1e-28;

/// Silicon band gap in eV at temperature `t` in kelvin (ngspice's fit).
#[inline]
pub fn egap(t: f64) -> f64 {
    1.16 - (7.02e-4 * t * t) / (t + 1108.0)
}

/// Thermal voltage kT/q at temperature `t` in kelvin.
#[inline]
pub fn vt(t: f64) -> f64 {
    t * KOVERQ
}

/// The junction-potential temperature term `pbfact` of ngspice's temperature routines.
#[inline]
pub fn pbfact(t: f64) -> f64 {
    let arg = -egap(t) / (BOLTZ * t * 2.0) + 1.1150877 / (BOLTZ * (REFTEMP + REFTEMP));
    -2.0 * vt(t) * (1.5 * (t / REFTEMP).ln() + CHARGE * arg)
}

/// Checks the simulation conditions every device needs and converts them to kelvin:
/// circuit temperature `temp_c`, nominal temperature (the card's `tnom_card`, else the
/// circuit's `tnom_c`), and a finite, non-negative `gmin`. Errors name the model.
pub(crate) fn conditions(
    name: &str,
    temp_c: f64,
    tnom_card: Option<f64>,
    tnom_c: f64,
    gmin: f64,
) -> Result<(f64, f64), crate::DeviceError> {
    use crate::DeviceError;
    if !gmin.is_finite() || gmin < 0.0 {
        return Err(DeviceError::invalid(name, "gmin", gmin, "must be finite and non-negative"));
    }
    let temp = temp_c + KELVIN;
    let tnom = tnom_card.unwrap_or(tnom_c) + KELVIN;
    if !(temp > 0.0 && temp.is_finite()) {
        return Err(DeviceError::invalid(name, "temp", temp_c, "temperature below absolute zero"));
    }
    if !(tnom > 0.0 && tnom.is_finite()) {
        return Err(DeviceError::invalid(name, "tnom", tnom - KELVIN, "temperature below absolute zero"));
    }
    Ok((temp, tnom))
}

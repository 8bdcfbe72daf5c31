//! Noise current densities shared by the devices, as ngspice 39 computes them
//! (`NevalSrc` in `nevalsrc.c`, `mos1noi.c`, `dionoise.c`, `resnoise.c`). Every function
//! returns a one-sided current power spectral density in A^2/Hz; the noise analysis
//! multiplies it by the squared transfer gain to the output.

use crate::consts::{BOLTZ, CHARGE};

/// Floor ngspice puts under logarithm arguments (`N_MINLOG`).
pub const N_MINLOG: f64 = 1.0e-38;

/// Thermal noise of a conductance `g` at `temp_k` kelvin: 4kTg (`THERMNOISE`).
/// For a resistor `g = 1/R` and `temp_k` is the circuit temperature plus DTEMP.
pub fn thermal_psd(g: f64, temp_k: f64) -> f64 {
    4.0 * BOLTZ * temp_k * g
}

/// Shot noise of a DC current `i` through a junction: 2q|i| (`SHOTNOISE`).
pub fn shot_psd(i: f64) -> f64 {
    2.0 * CHARGE * i.abs()
}

/// Diode flicker noise (`dionoise.c`): KF |I/M|^AF / f * M, with I the diode current
/// (all M devices) and M the multiplier.
pub fn diode_flicker_psd(kf: f64, af: f64, i: f64, m: f64, freq: f64) -> f64 {
    kf * (af * (i / m).abs().max(N_MINLOG).ln()).exp() / freq * m
}

/// MOS level-1 channel thermal noise (`mos1noi.c`, ngspice 39): 4kT (2/3)|gm|, with gm
/// including M as `mos1load.c` computes it.
pub fn mos1_thermal_psd(gm: f64, temp_k: f64) -> f64 {
    thermal_psd(2.0 / 3.0 * gm.abs(), temp_k)
}

/// MOS level-1 flicker noise (`mos1noi.c`, ngspice 39):
/// KF |Id|^AF / (f W M Leff Cox'^2) (ngspice squares the oxide capacitance per area Cox' =
/// 3.9 eps0/TOX; it substitutes 3.9 eps0 / 1e-7 m when TOX is not given, passed here as
/// `cox_per_area = 0`). `id` is the drain current of all M devices, `leff = L - 2 LD`.
#[allow(clippy::too_many_arguments)]
pub fn mos1_flicker_psd(kf: f64, af: f64, id: f64, freq: f64, w: f64, m: f64, leff: f64, cox_per_area: f64) -> f64 {
    let cox = if cox_per_area == 0.0 { 3.9 * 8.854214871e-12 / 1e-7 } else { cox_per_area };
    kf * (af * id.abs().max(N_MINLOG).ln()).exp() / (freq * w * m * leff * (cox * cox))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas() {
        let t = 300.15;
        let r = 1e3;
        assert!((thermal_psd(1.0 / r, t) - 4.0 * 1.38064852e-23 * t / r).abs() < 1e-35);
        assert_eq!(shot_psd(-1e-3), 2.0 * 1.6021766208e-19 * 1e-3);
        let f = diode_flicker_psd(1e-16, 1.0, 2e-3, 2.0, 10.0);
        assert!((f - 1e-16 * 1e-3 / 10.0 * 2.0).abs() < 1e-12 * f);
        let g = mos1_thermal_psd(-3e-3, t);
        assert!((g - 4.0 * 1.38064852e-23 * t * 2e-3).abs() < 1e-12 * g);
        let fl = mos1_flicker_psd(1e-25, 2.0, 1e-4, 100.0, 10e-6, 2.0, 1e-6, 8.4e-3);
        let want = 1e-25 * 1e-8 / (100.0 * 10e-6 * 2.0 * 1e-6 * (8.4e-3 * 8.4e-3));
        assert!((fl - want).abs() < 1e-12 * want);
        assert!(mos1_flicker_psd(1e-25, 1.0, 0.0, 1.0, 1e-6, 1.0, 1e-6, 0.0) >= 0.0);
    }
}

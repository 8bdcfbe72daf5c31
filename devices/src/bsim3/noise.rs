//! Channel noise of BSIM3 with NOIMOD = 1 (`b3noi.c`): SPICE2 thermal and flicker noise.

use super::lane::Lane;
use super::{Bsim3, Bsim3Dc};
use crate::noise::{thermal_psd, N_MINLOG};

impl Bsim3 {
    /// Drain-current noise densities (channel thermal, flicker) in A^2/Hz at frequency
    /// `freq` for the operating point `dc` (from [`Bsim3::dc`] of this instance), as
    /// NOIMOD = 1 computes them:
    /// thermal = 4kT (2/3)|gm + gds + gmbs|, flicker = M KF |Id/M|^AF / (f^EF Leff^2 Cox),
    /// with T the device temperature and Cox per area. The series resistances' thermal
    /// noise (RSH*NRD, RSH*NRS) is [`crate::noise::thermal_psd`] of the conductances.
    ///
    /// Generic over the number type like [`Bsim3::dc_charges_at`].
    #[inline(always)]
    pub fn noise_psd<T: Lane>(&self, dc: &Bsim3Dc<T>, freq: f64) -> (T, T) {
        // thermal_psd(g, T) = 4 k T g, and 4 k T 1 is 4 k T exactly.
        let thermal = (dc.gm + dc.gds + dc.gmbs).abs() * 2.0 / 3.0 * thermal_psd(1.0, self.temp);
        let m = self.m;
        let cd = (dc.cdrain / m).abs().max(N_MINLOG);
        // f^EF is exactly 1 at 1 Hz (the table generator's frequency): skip the pow call.
        let f_ef = if freq == 1.0 { 1.0 } else { freq.powf(self.ef) };
        let flicker = (cd.ln() * self.af).exp() * (m * self.kf) / (f_ef * self.leff * self.leff * self.cox);
        (thermal, flicker)
    }
}

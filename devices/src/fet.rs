//! What every MOSFET model returns at a bias for the solver's shared FET load.

/// DC operating quantities of a MOSFET at one bias, in the form SPICE's MOS loads compute
/// them and the solver's shared FET load uses (level 1 returns it; BSIM-lite converts to it
/// with [`Bsim3Dc::fet`](crate::Bsim3Dc::fet)).
///
/// `cdrain`, `gm`, `gds`, `gmbs` are in the mode frame: in reverse mode (`mode = -1`) they
/// are the channel current from the physical source to the physical drain, and derivatives
/// with respect to Vgd, -Vds, Vbd. `von` and `vdsat` are in the n-frame (multiply by
/// `mos_type()` for ngspice's `@m[von]`, `@m[vdsat]`). Junction currents include GMIN.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FetDc {
    /// +1 normal (Vds >= 0), -1 inverse.
    pub mode: f64,
    /// Channel current (mode frame).
    pub cdrain: f64,
    /// Transconductance.
    pub gm: f64,
    /// Output conductance.
    pub gds: f64,
    /// Body transconductance.
    pub gmbs: f64,
    /// Bulk-drain junction current (n-frame, bulk to drain), GMIN included.
    pub cbd: f64,
    /// Bulk-drain junction conductance, GMIN included.
    pub gbd: f64,
    /// Bulk-source junction current, GMIN included.
    pub cbs: f64,
    /// Bulk-source junction conductance, GMIN included.
    pub gbs: f64,
    /// Threshold voltage at this bias (n-frame).
    pub von: f64,
    /// Saturation voltage (n-frame).
    pub vdsat: f64,
    /// Substrate (impact-ionization) current, zero for models without one.
    pub sub: FetSubstrate,
    /// `b3v1ld.c` (BSIM3 3.1) adds `gbd` to the (source', drain') entry of its DC/transient
    /// matrix with no right-hand-side counterpart, which shifts the solution by about gbd
    /// V(drain') at the source; set, the solver stamps the same entry.
    pub gbd_in_source_row: bool,
}

/// A substrate current from a channel terminal into the bulk (BSIM3's Isub), M applied:
/// current and derivatives with respect to the mode-frame Vgs, Vds, Vbs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FetSubstrate {
    /// Isub (n-frame), from the mode-frame drain (or source, see `at_source`) into the bulk.
    pub isub: f64,
    /// dIsub/dVgs.
    pub gbg: f64,
    /// dIsub/dVds.
    pub gbd: f64,
    /// dIsub/dVbs.
    pub gbb: f64,
    /// Added to `isub` in the stamped Norton current only (a model's own linearization
    /// quirk, e.g. `b3v1ld.c` linearizing around Vbseff instead of Vbs).
    pub extra: f64,
    /// Flows from the mode-frame source, and is left out of the convergence test, as
    /// `b3v1ld.c` (BSIM3 3.1) stamps it.
    pub at_source: bool,
    /// Part of the small-signal (AC, noise) matrix; `b3v1acld.c` leaves it out.
    pub small_signal: bool,
}

impl FetDc {
    /// Current into the drain terminal in the n-frame: the channel's `mode * cdrain` minus
    /// the bulk-drain junction's `cbd` (multiply by `mos_type()` for the circuit frame). This
    /// is ngspice's level-1 `@m[id]`.
    pub fn id(&self) -> f64 {
        self.mode * self.cdrain - self.cbd
    }
}

//! Adapter between the sizing loop and the gm/Id tables: the width of a device for a given
//! gm/Id, length and drain current at a corner.
//!
//! INTERIM (until `insitu_pdk::gmid` lands): there is no table here and no second gm/Id
//! generator; a `gmid` parameter is reported as unavailable, and problems size W directly.
//! This body becomes `insitu_pdk::gmid::sizing_table(..)?.width_for(..)` when it is merged.

/// NMOS or PMOS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceType {
    Nmos,
    Pmos,
}

/// Whether gm/Id parameters can be converted in this build.
pub const GMID_AVAILABLE: bool = false;

/// The width (m) that gives `gm_id` (1/V) at length `l` (m) and drain current `id` (A) for the
/// library `pdk` at `corner` and `temp` (degC), with the given |Vds| and |Vsb| (V).
#[allow(clippy::too_many_arguments)]
pub fn width_for(
    pdk: &str,
    corner: &str,
    temp: f64,
    dev: DeviceType,
    gm_id: f64,
    l: f64,
    id: f64,
    vds: f64,
    vsb: f64,
) -> Result<f64, String> {
    let _ = (pdk, corner, temp, dev, gm_id, l, id, vds, vsb);
    Err("gm/Id tables (insitu_pdk::gmid) are not in this build yet: size W directly".into())
}

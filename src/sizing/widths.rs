//! Adapter between the sizing loop and the gm/Id tables (`insitu_pdk::gmid`): the width of a
//! device for a given gm/Id, length and drain current at a corner. Tables are generated in
//! memory at first use per (library, corner, temperature, type, bias) and cached for the process:
//! only the bias the loop sizes at ([`sizing_bias`]) is tabulated.

pub use insitu_pdk::gmid::DeviceType;

/// The bias at which the sizing loop converts gm/Id to W: |VDS| a third of the library's
/// supply (1.8 V if unknown) and VSB 0.
pub fn sizing_bias(pdk: &str) -> (f64, f64) {
    (insitu_pdk::supply(pdk).unwrap_or(1.8) / 3.0, 0.0)
}

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
    let table = insitu_pdk::gmid::sizing_table_at(pdk, corner, temp, dev, vds, vsb).map_err(|e| e.to_string())?;
    table.width_for(gm_id, l, id, vds, vsb).map_err(|e| format!("gm/Id {gm_id} at L={l:e}: {e}"))
}

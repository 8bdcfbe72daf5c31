//! The 2-D sizing view as JSON (`nmos_gmid_lookup.json` of the sizing workflow): ratios over
//! (gm/Id, L) at one VDS and VSB, from the 4-D table by the kit's mode 3 (pchip against
//! GM_ID on the branch right of its maximum). Entries the table does not reach at a length
//! (gm/Id above its maximum there) are `null`.
//!
//! ```json
//! { "format": "insitu-gmid-sizing-view-1", "device": "nmos", "library": "generic180",
//!   "corner": "tt", "model": "nch", "temp_c": 27.0, "w_ref_m": 5e-6, "vds": 0.9, "vsb": 0.0,
//!   "l_m": [...], "gm_id": [...],
//!   "id_w": [[...]], "vgs": [[...]], "gm_gds": [[...]], "ft_hz": [[...]], ... }
//! ```
//! Each 2-D entry is indexed `[L][gm_id]`; `id_w` in A/m, capacitances per width in F/m.

use crate::gmid::{GmidError, Method, Table};
use serde_json::{json, Map, Value};
use std::path::Path;

/// The gm/Id values of the view: 3 to 28 in steps of 0.25.
pub fn gm_id_axis() -> Vec<f64> {
    (0..=100).map(|k| 3.0 + 0.25 * k as f64).collect()
}

/// Ratios of the view: (key, mode-3 output expression, scale).
const VIEW: [(&str, &str, f64); 6] = [
    ("id_w", "ID_W", 1.0),
    ("gm_gds", "GM_GDS", 1.0),
    ("ft_hz", "GM_CGG", 1.0 / (2.0 * std::f64::consts::PI)),
    ("cgg_w", "CGG_W", 1.0),
    ("cdd_w", "CDD_W", 1.0),
    ("gmb_gm", "GMB_GM", 1.0),
];

/// The view as a JSON value.
pub fn view(t: &Table, vds: f64, vsb: f64) -> Result<Value, GmidError> {
    let gm_ids = gm_id_axis();
    let m = &t.meta;
    let mut out = Map::new();
    out.insert("format".into(), json!("insitu-gmid-sizing-view-1"));
    out.insert("device".into(), json!(m.device.name()));
    out.insert("library".into(), json!(m.library));
    out.insert("corner".into(), json!(m.corner));
    out.insert("model".into(), json!(m.model));
    out.insert("temp_c".into(), json!(m.temp));
    out.insert("w_ref_m".into(), json!(m.w));
    out.insert("vds".into(), json!(vds));
    out.insert("vsb".into(), json!(vsb));
    out.insert("insitu_version".into(), json!(m.version));
    out.insert("l_m".into(), json!(t.grid.l));
    out.insert("gm_id".into(), json!(gm_ids));
    let cell = |r: Result<f64, GmidError>| -> Result<Value, GmidError> {
        match r {
            Ok(v) if v.is_finite() => Ok(json!(v)),
            Ok(_) | Err(GmidError::OutOfRange { .. }) => Ok(Value::Null),
            Err(e) => Err(e),
        }
    };
    let mut vgs_rows = Vec::new();
    for &l in &t.grid.l {
        let row: Result<Vec<Value>, GmidError> =
            gm_ids.iter().map(|&g| cell(t.vgs_for("GM_ID", g, l, vds, vsb))).collect();
        vgs_rows.push(Value::Array(row?));
    }
    out.insert("vgs".into(), Value::Array(vgs_rows));
    for (key, expr, scale) in VIEW {
        let mut rows = Vec::new();
        for &l in &t.grid.l {
            let row: Result<Vec<Value>, GmidError> = gm_ids
                .iter()
                .map(|&g| {
                    let r = t.lookup_vs(expr, "GM_ID", &[g], l, vds, vsb, Method::Pchip).map(|v| v[0] * scale);
                    cell(r)
                })
                .collect();
            rows.push(Value::Array(row?));
        }
        out.insert(key.into(), Value::Array(rows));
    }
    Ok(Value::Object(out))
}

/// Writes the view at (`vds`, `vsb`) to `path`.
pub fn save(t: &Table, path: &Path, vds: f64, vsb: f64) -> Result<(), GmidError> {
    let text = serde_json::to_string_pretty(&view(t, vds, vsb)?).map_err(|e| super::io_err(path, e))?;
    std::fs::write(path, text).map_err(|e| super::io_err(path, e))
}

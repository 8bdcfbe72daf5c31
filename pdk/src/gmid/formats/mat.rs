//! The Murmann kit's `.mat` layout (MAT v5/v7, written with the `matrw` crate): one struct
//! `nch` or `pch` whose fields `ID VT GM GMB GDS CGG CGS CGD CGB CDD CSS STH SFL` (and this
//! table's extras `VDSAT CGSOL CGDOL CGBOL CJD CJS`) are 4-D double arrays indexed
//! `(L, VGS, VDS, VSB)`, column-major as MATLAB stores them, with the column vectors `L`, `VGS`,
//! `VDS`, `VSB`, and `W` (um), `NFING`, `TEMP` (K), `CORNER`, `INFO`. As in the kit, `L` and
//! `W` are in micrometres, so a loaded `ID_W` ratio is in A/um; insitu converts back to SI on
//! load. pygmid's `Lookup` and the kit's `look_up.m` read the file unchanged.

use crate::gmid::{DeviceType, GmidError, Grid, Meta, Quantity, Table};
use indexmap::IndexMap;
use matrw::{MatFile, MatVariable, MatlabType, NumericArray, Structure};
use std::path::Path;

const UM: f64 = 1e6;
const KELVIN: f64 = 273.15;

fn array(dim: Vec<usize>, v: Vec<f64>) -> Result<MatVariable, GmidError> {
    NumericArray::new(dim, MatlabType::from(v), None)
        .map(MatVariable::NumericArray)
        .map_err(|e| GmidError::Format(format!("mat: {e}")))
}

fn column(v: &[f64]) -> Result<MatVariable, GmidError> {
    array(vec![v.len(), 1], v.to_vec())
}

fn text(s: &str) -> Result<MatVariable, GmidError> {
    let s = if s.is_empty() { " " } else { s };
    NumericArray::new(vec![1, s.chars().count()], MatlabType::from(s), None)
        .map(MatVariable::NumericArray)
        .map_err(|e| GmidError::Format(format!("mat: {e}")))
}

/// One quantity in MATLAB's column-major `(L, VGS, VDS, VSB)` order.
fn column_major(t: &Table, q: Quantity) -> Vec<f64> {
    let g = &t.grid;
    let [nl, ng, nd, nb] = g.shape();
    let mut out = Vec::with_capacity(g.len());
    for ib in 0..nb {
        for id in 0..nd {
            for ig in 0..ng {
                for il in 0..nl {
                    out.push(t.at(q, g.index(il, ig, id, ib)));
                }
            }
        }
    }
    out
}

/// Writes `t` to `path` in the kit's layout.
pub fn save(t: &Table, path: &Path) -> Result<(), GmidError> {
    let g = &t.grid;
    let m = &t.meta;
    let mut f: IndexMap<String, MatVariable> = IndexMap::new();
    let dim = g.shape().to_vec();
    for q in Quantity::ALL {
        f.insert(q.name().into(), array(dim.clone(), column_major(t, q))?);
    }
    let l_um: Vec<f64> = g.l.iter().map(|l| l * UM).collect();
    f.insert("L".into(), column(&l_um)?);
    f.insert("VGS".into(), column(&g.vgs)?);
    f.insert("VDS".into(), column(&g.vds)?);
    f.insert("VSB".into(), column(&g.vsb)?);
    f.insert("W".into(), column(&[m.w * UM])?);
    f.insert("NFING".into(), column(&[m.nf as f64])?);
    f.insert("TEMP".into(), column(&[m.temp + KELVIN])?);
    f.insert("CORNER".into(), text(&m.corner)?);
    let info =
        format!("insitu {} gm/Id table: {} {} model {} ({})", m.version, m.library, m.corner, m.model, m.device.name());
    f.insert("INFO".into(), text(&info)?);
    f.insert("LIBRARY".into(), text(&m.library)?);
    f.insert("MODEL".into(), text(&m.model)?);
    f.insert("CARD".into(), text(&m.card)?);
    f.insert("AD".into(), column(&[m.ad * UM * UM])?);
    f.insert("PD".into(), column(&[m.pd * UM])?);
    f.insert("VERSION".into(), text(&m.version)?);
    let mut file = MatFile::new();
    file.insert(m.device.kit_name(), MatVariable::Structure(Structure::new(f)));
    let p = path.to_str().ok_or_else(|| super::io_err(path, "path is not valid UTF-8"))?;
    matrw::save_matfile_v7(p, file, false).map_err(|e| super::io_err(path, e))?;
    // The writer does not report write failures: at least check that the file is there
    // beyond its 128-byte header (the arrays may be stored in smaller integer types).
    let md = std::fs::metadata(path).map_err(|e| super::io_err(path, e))?;
    if md.len() <= 128 {
        return Err(super::io_err(path, "incomplete write"));
    }
    Ok(())
}

/// Reads a table in the kit's layout (the first variable of the file, a struct).
pub fn load(path: &Path) -> Result<Table, GmidError> {
    let p = path.to_str().ok_or_else(|| super::io_err(path, "path is not valid UTF-8"))?;
    let file = matrw::load_matfile(p).map_err(|e| super::io_err(path, e))?;
    let (name, var) = file.iter().next().ok_or_else(|| super::io_err(path, "the file holds no variable"))?;
    let MatVariable::Structure(s) = var else {
        return Err(super::io_err(path, format!("variable '{name}' is not a struct")));
    };
    let err = |what: String| super::io_err(path, format!("struct '{name}': {what}"));
    let nums = |field: &str| -> Result<Vec<f64>, GmidError> {
        s.get(field)
            .and_then(|v| v.to_vec_f64())
            .ok_or_else(|| err(format!("field {field} is missing or not a double array")))
    };
    let num =
        |field: &str| nums(field).and_then(|v| v.first().copied().ok_or_else(|| err(format!("{field} is empty"))));
    let txt = |field: &str| -> String {
        s.get(field).and_then(|v| v.to_vec_char()).map(|c| c.into_iter().collect::<String>()).unwrap_or_default()
    };
    let l: Vec<f64> = nums("L")?.into_iter().map(|x| x / UM).collect();
    let grid = Grid::new(l, nums("VGS")?, nums("VDS")?, nums("VSB")?).map_err(|e| err(e.to_string()))?;
    let device = match name.to_ascii_lowercase().as_str() {
        "pch" | "pmos" => DeviceType::Pmos,
        _ => DeviceType::Nmos,
    };
    let [nl, ng, nd, _] = grid.shape();
    let mut arrays = Vec::new();
    for q in Quantity::ALL {
        let cm = match nums(q.name()) {
            Ok(v) => v,
            // Kit files without insitu's extra fields: zeros, so lookups of the kit's fields work.
            Err(_) if !matches!(q, Quantity::Id | Quantity::Gm | Quantity::Gds) => vec![0.0; grid.len()],
            Err(e) => return Err(e),
        };
        if cm.len() != grid.len() {
            return Err(err(format!("{} has {} values, the grid {}", q.name(), cm.len(), grid.len())));
        }
        let mut a = vec![0.0; grid.len()];
        for (k, v) in cm.into_iter().enumerate() {
            let (il, r) = (k % nl, k / nl);
            let (ig, r) = (r % ng, r / ng);
            let (id, ib) = (r % nd, r / nd);
            a[grid.index(il, ig, id, ib)] = v;
        }
        arrays.push((q, a));
    }
    let meta = Meta {
        library: txt("LIBRARY"),
        corner: txt("CORNER").trim().to_string(),
        model: txt("MODEL"),
        card: txt("CARD"),
        device,
        temp: num("TEMP")? - KELVIN,
        w: num("W")? / UM,
        nf: num("NFING").unwrap_or(1.0) as u32,
        ad: num("AD").unwrap_or(0.0) / (UM * UM),
        pd: num("PD").unwrap_or(0.0) / UM,
        version: txt("VERSION"),
    };
    Table::from_arrays(meta, grid, &arrays)
}

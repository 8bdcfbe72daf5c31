//! mosplot's `.npz` layout (`medwatt/gmid`, `LookupTableGenerator.build`): a zip archive with
//! one entry, `lookup_table.npy`, a 0-d numpy object array holding a dict. mosplot reads it
//! with `np.load(path, allow_pickle=True)["lookup_table"].item()`.
//!
//! The dict has `description`, `simulator`, `parameter_names`, `device_parameters` and one
//! entry per model (named `nch` or `pch`) holding:
//! - each quantity as an array `[len(L), n_VBS, n_VGS, n_VDS]` (mosplot's index order);
//! - the grid vectors `length` (m), `vgs`, `vds`, `vbs` (V), signed as the terminal voltages
//!   are: a PMOS has negative `vgs` and `vds` and positive `vbs`, an NMOS negative `vbs`;
//! - `model_name`, `parameter_names` and `device_parameters` (`{"w": W}`).
//!
//! Quantities use mosplot's names where it has one (`id`, `vth`, `vdsat`, `gm`, `gmbs`, `gds`,
//! `cgg`, `cgs`, `cgd`, `cdd`) and the kit's lowercased otherwise (`cgb`, `css`, `sth`, `sfl`).
//! Values follow ngspice's operating-point conventions, as mosplot's ngspice generator stores
//! them: `id`, `gm`, `gmbs`, `gds` positive for both polarities; `vth` and `vdsat` in the
//! n-frame (positive for a PMOS, as BSIM's `@m[vth]`); capacitances positive, here the totals
//! with overlaps and junctions (ngspice's `@m[cgg]` omits the overlaps).
//!
//! Differences from mosplot's own files: arrays are `float64` (mosplot writes `float32`; its
//! code accepts either) so no precision is lost, and constant arrays are not collapsed.
//! Write-only: insitu's own `.ins` is the fast way back in.

use super::pickle::{self, Py};
use crate::gmid::{DeviceType, GmidError, Quantity, Table};
use std::io::Write;

/// The stored quantities and their names in the file.
const FIELDS: [(Quantity, &str); 14] = [
    (Quantity::Id, "id"),
    (Quantity::Vt, "vth"),
    (Quantity::Vdsat, "vdsat"),
    (Quantity::Gm, "gm"),
    (Quantity::Gmb, "gmbs"),
    (Quantity::Gds, "gds"),
    (Quantity::Cgg, "cgg"),
    (Quantity::Cgs, "cgs"),
    (Quantity::Cgd, "cgd"),
    (Quantity::Cgb, "cgb"),
    (Quantity::Cdd, "cdd"),
    (Quantity::Css, "css"),
    (Quantity::Sth, "sth"),
    (Quantity::Sfl, "sfl"),
];

/// One quantity in mosplot's `[L][VBS][VGS][VDS]` order.
fn mosplot_order(t: &Table, q: Quantity) -> Vec<f64> {
    let g = &t.grid;
    let [nl, ng, nd, nb] = g.shape();
    let mut out = Vec::with_capacity(g.len());
    for il in 0..nl {
        for ib in 0..nb {
            for ig in 0..ng {
                for id in 0..nd {
                    out.push(t.at(q, g.index(il, ig, id, ib)));
                }
            }
        }
    }
    out
}

/// The dict mosplot loads, for one table.
pub fn lookup_dict(t: &Table) -> Py {
    let g = &t.grid;
    let m = &t.meta;
    let [nl, ng, nd, nb] = g.shape();
    // Terminal voltages from the table's magnitudes: VGS, VDS carry the device's sign, VBS = -type * VSB.
    let sign = match m.device {
        DeviceType::Nmos => 1.0,
        DeviceType::Pmos => -1.0,
    };
    let signed = |v: &[f64], s: f64| v.iter().map(|x| s * x + 0.0).collect::<Vec<_>>();
    let names = Py::List(FIELDS.iter().map(|(_, n)| Py::str(n)).collect());
    let device_parameters = Py::Dict(vec![(Py::str("w"), Py::Float(m.w))]);
    let mut model = Vec::new();
    for (q, name) in FIELDS {
        model.push((Py::str(name), Py::Array { shape: vec![nl, nb, ng, nd], data: mosplot_order(t, q) }));
    }
    model.push((Py::str("vgs"), Py::vector(&signed(&g.vgs, sign))));
    model.push((Py::str("vds"), Py::vector(&signed(&g.vds, sign))));
    model.push((Py::str("vbs"), Py::vector(&signed(&g.vsb, -sign))));
    model.push((Py::str("length"), Py::vector(&g.l)));
    model.push((Py::str("model_name"), Py::str(m.device.kit_name())));
    model.push((Py::str("parameter_names"), names.clone()));
    model.push((Py::str("device_parameters"), device_parameters.clone()));
    let description = format!(
        "insitu {} gm/Id table: {} {} model {} ({}), {} C",
        m.version,
        m.library,
        m.corner,
        m.model,
        m.device.name(),
        m.temp
    );
    Py::Dict(vec![
        (Py::str(m.device.kit_name()), Py::Dict(model)),
        (Py::str("description"), Py::Str(description)),
        (Py::str("simulator"), Py::Str(format!("insitu {}", m.version))),
        (Py::str("parameter_names"), names),
        (Py::str("device_parameters"), device_parameters),
    ])
}

/// An `.npy` file (format 1.0) holding a 0-d object array whose pickle is `payload`.
fn npy_object(payload: &[u8]) -> Vec<u8> {
    let mut header = "{'descr': '|O', 'fortran_order': False, 'shape': (), }".to_string();
    // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in '\n'.
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + payload.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// The complete `.npz` archive for `t`, deflate-compressed as `np.savez_compressed` writes it.
pub fn to_bytes(t: &Table) -> Result<Vec<u8>, GmidError> {
    let npy = npy_object(&pickle::to_bytes(&Py::ObjectScalar(Box::new(lookup_dict(t)))));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(npy.len() > u32::MAX as usize);
    let err = |e: &dyn std::fmt::Display| GmidError::Format(format!("npz: {e}"));
    zip.start_file("lookup_table.npy", options).map_err(|e| err(&e))?;
    zip.write_all(&npy).map_err(|e| err(&e))?;
    Ok(zip.finish().map_err(|e| err(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_header_is_aligned_and_terminated() {
        let b = npy_object(b"x");
        let len = u16::from_le_bytes([b[8], b[9]]) as usize;
        assert_eq!((10 + len) % 64, 0);
        assert_eq!(b[10 + len - 1], b'\n');
        assert_eq!(&b[10 + len..], b"x");
    }
}

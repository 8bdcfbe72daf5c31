//! insitu's own table format (`.ins`): little-endian, loads with one pass over the bytes.
//!
//! ```text
//! "INSGMID1"                      magic and format version
//! u32 n, n bytes                  metadata: UTF-8 `key<TAB>value` lines
//! 4 x (u64 n, n x f64)            grid axes L, VGS, VDS, VSB
//! f64 x (nL * nQ * nVGS * nVDS * nVSB)   data, `[L][quantity][VGS][VDS][VSB]`,
//!                                 quantities in the order of the `quantities` key
//! ```

use crate::gmid::{DeviceType, Grid, Meta, Quantity, Table};

const MAGIC: &[u8; 8] = b"INSGMID1";

fn clean(s: &str) -> String {
    s.replace(['\n', '\t', '\r'], " ")
}

/// The bytes of a table.
pub fn to_bytes(t: &Table) -> Vec<u8> {
    let m = &t.meta;
    let names: Vec<&str> = Quantity::ALL.iter().map(|q| q.name()).collect();
    let header = [
        ("library", clean(&m.library)),
        ("corner", clean(&m.corner)),
        ("model", clean(&m.model)),
        ("card", clean(&m.card)),
        ("device", m.device.name().to_string()),
        ("temp", format!("{:e}", m.temp)),
        ("w", format!("{:e}", m.w)),
        ("nf", m.nf.to_string()),
        ("ad", format!("{:e}", m.ad)),
        ("pd", format!("{:e}", m.pd)),
        ("version", clean(&m.version)),
        ("quantities", names.join(" ")),
    ]
    .iter()
    .map(|(k, v)| format!("{k}\t{v}\n"))
    .collect::<String>();
    let mut out = Vec::with_capacity(64 + header.len() + 8 * (Quantity::ALL.len() * t.grid.len() + 64));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for axis in t.grid.axes() {
        out.extend_from_slice(&(axis.len() as u64).to_le_bytes());
        for v in axis {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    // Every quantity VGS x VDS x VSB per length, whatever the table's storage.
    let mut row = Vec::with_capacity(t.layout.per_l);
    for il in 0..t.grid.l.len() {
        for q in Quantity::ALL {
            row.clear();
            t.layout.extend_row(&t.data, il, q, &mut row);
            for v in &row {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    out
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], String> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.b.len());
        let end = end.ok_or_else(|| format!("truncated file: {what} at byte {} needs {n} bytes", self.pos))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u64(&mut self, what: &str) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8, what)?.try_into().expect("8 bytes")))
    }
    fn f64s(&mut self, n: usize, what: &str) -> Result<Vec<f64>, String> {
        let bytes = self.take(n.checked_mul(8).ok_or("size overflow")?, what)?;
        Ok(bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
    }
}

/// A table from its bytes; errors name what is wrong and where.
pub fn from_bytes(b: &[u8]) -> Result<Table, String> {
    let mut r = Reader { b, pos: 0 };
    if r.take(8, "magic")? != MAGIC {
        return Err("not an insitu gm/Id table (bad magic; expected INSGMID1)".into());
    }
    let n = u32::from_le_bytes(r.take(4, "header length")?.try_into().expect("4 bytes")) as usize;
    let header = std::str::from_utf8(r.take(n, "header")?).map_err(|e| format!("header: {e}"))?;
    let mut kv = std::collections::HashMap::new();
    for line in header.lines() {
        let (k, v) = line.split_once('\t').ok_or_else(|| format!("header line '{line}': expected key<TAB>value"))?;
        kv.insert(k, v);
    }
    let get = |k: &str| kv.get(k).copied().ok_or_else(|| format!("header: missing key '{k}'"));
    let num = |k: &str| -> Result<f64, String> {
        let v = get(k)?;
        v.parse::<f64>().map_err(|_| format!("header: {k} = '{v}' is not a number"))
    };
    let device: DeviceType = get("device")?.parse().map_err(|e: crate::gmid::GmidError| e.to_string())?;
    let meta = Meta {
        library: get("library")?.into(),
        corner: get("corner")?.into(),
        model: get("model")?.into(),
        card: get("card")?.into(),
        device,
        temp: num("temp")?,
        w: num("w")?,
        nf: num("nf")? as u32,
        ad: num("ad")?,
        pd: num("pd")?,
        version: get("version")?.into(),
    };
    let names: Vec<&str> = get("quantities")?.split_whitespace().collect();
    let order: Vec<Quantity> = names
        .iter()
        .map(|s| Quantity::from_name(s).ok_or_else(|| format!("header: unknown quantity '{s}'")))
        .collect::<Result<_, _>>()?;
    let mut axes = Vec::new();
    for name in crate::gmid::grid::AXES {
        let n = r.u64(name)? as usize;
        axes.push(r.f64s(n, name)?);
    }
    let [l, vgs, vds, vsb]: [Vec<f64>; 4] = axes.try_into().expect("four axes");
    let grid = Grid::new(l, vgs, vds, vsb).map_err(|e| e.to_string())?;
    let data = r.f64s(grid.len().checked_mul(order.len()).ok_or("size overflow")?, "data")?;
    if r.pos != b.len() {
        return Err(format!("{} trailing bytes after the data", b.len() - r.pos));
    }
    if order == Quantity::ALL {
        return Ok(Table::from_full_blocks(meta, grid, data));
    }
    // Another quantity order (a later version): go through per-quantity arrays.
    let per_l = grid.vgs.len() * grid.vds.len() * grid.vsb.len();
    let arrays: Vec<(Quantity, Vec<f64>)> = order
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let mut a = Vec::with_capacity(grid.len());
            for il in 0..grid.l.len() {
                let k = (il * order.len() + qi) * per_l;
                a.extend_from_slice(&data[k..k + per_l]);
            }
            (*q, a)
        })
        .collect();
    Table::from_arrays(meta, grid, &arrays).map_err(|e| e.to_string())
}

//! A gm/Id table: metadata, grid and the stored quantities.

use super::layout::{row_is_flat, Layout, QuantitySet};
use super::{DeviceType, GmidError, Grid};

/// The quantities a table stores, per grid point, in the kit's conventions: n-frame
/// magnitudes (a conducting PMOS has positive ID), capacitances positive, noise in A^2/Hz.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Quantity {
    /// Drain current (A), as ngspice's `@m[id]`.
    Id,
    /// Threshold voltage at the bias (V).
    Vt,
    /// Transconductance (S).
    Gm,
    /// Body transconductance (S).
    Gmb,
    /// Output conductance (S).
    Gds,
    /// Saturation voltage (V).
    Vdsat,
    /// Total gate capacitance (F), overlaps included.
    Cgg,
    /// Gate-source capacitance, overlap included.
    Cgs,
    /// Gate-drain capacitance, overlap included.
    Cgd,
    /// Gate-bulk capacitance, overlap included.
    Cgb,
    /// Drain self-capacitance (overlap and junction included).
    Cdd,
    /// Source self-capacitance (overlap and junction included).
    Css,
    /// Gate-source overlap capacitance.
    Cgsol,
    /// Gate-drain overlap capacitance.
    Cgdol,
    /// Gate-bulk overlap capacitance.
    Cgbol,
    /// Drain-bulk junction capacitance.
    Cjd,
    /// Source-bulk junction capacitance.
    Cjs,
    /// Thermal drain-current noise density (A^2/Hz).
    Sth,
    /// Flicker drain-current noise density at 1 Hz (A^2/Hz).
    Sfl,
}

impl Quantity {
    /// Every stored quantity, in storage order.
    pub const ALL: [Quantity; 19] = [
        Quantity::Id,
        Quantity::Vt,
        Quantity::Gm,
        Quantity::Gmb,
        Quantity::Gds,
        Quantity::Vdsat,
        Quantity::Cgg,
        Quantity::Cgs,
        Quantity::Cgd,
        Quantity::Cgb,
        Quantity::Cdd,
        Quantity::Css,
        Quantity::Cgsol,
        Quantity::Cgdol,
        Quantity::Cgbol,
        Quantity::Cjd,
        Quantity::Cjs,
        Quantity::Sth,
        Quantity::Sfl,
    ];

    /// The kit's field name (upper case).
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Id => "ID",
            Quantity::Vt => "VT",
            Quantity::Gm => "GM",
            Quantity::Gmb => "GMB",
            Quantity::Gds => "GDS",
            Quantity::Vdsat => "VDSAT",
            Quantity::Cgg => "CGG",
            Quantity::Cgs => "CGS",
            Quantity::Cgd => "CGD",
            Quantity::Cgb => "CGB",
            Quantity::Cdd => "CDD",
            Quantity::Css => "CSS",
            Quantity::Cgsol => "CGSOL",
            Quantity::Cgdol => "CGDOL",
            Quantity::Cgbol => "CGBOL",
            Quantity::Cjd => "CJD",
            Quantity::Cjs => "CJS",
            Quantity::Sth => "STH",
            Quantity::Sfl => "SFL",
        }
    }

    /// The quantity of a field name (any case).
    pub fn from_name(name: &str) -> Option<Quantity> {
        Quantity::ALL.into_iter().find(|q| q.name().eq_ignore_ascii_case(name))
    }

    /// Position in [`Quantity::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a table was generated from.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Model library: a built-in PDK name or a file path.
    pub library: String,
    /// Corner or library section ("" when none).
    pub corner: String,
    /// Model card name.
    pub model: String,
    /// The model card, as SPICE text.
    pub card: String,
    pub device: DeviceType,
    /// Temperature, degrees Celsius.
    pub temp: f64,
    /// Reference width, metres.
    pub w: f64,
    /// Number of fingers (the models have none: always 1).
    pub nf: u32,
    /// Drain and source diffusion area (m^2) and perimeter (m) of the reference device.
    pub ad: f64,
    pub pd: f64,
    /// insitu version that wrote the table.
    pub version: String,
}

/// A 4-D gm/Id table over (L, VGS, VDS, VSB). Immutable once built: share it across threads
/// behind an `Arc`.
#[derive(Debug, Clone)]
pub struct Table {
    pub meta: Meta,
    pub grid: Grid,
    /// One contiguous block per length, in it one row per quantity in [`Quantity::ALL`]'s
    /// order: `[VGS][VDS][VSB]`, or `[VDS][VSB]` for a quantity that does not vary with VGS
    /// (see [`Layout`]).
    pub(crate) data: Vec<f64>,
    pub(crate) layout: Layout,
}

/// Tables are equal when their metadata, grids and values are (however they are stored).
impl PartialEq for Table {
    fn eq(&self, o: &Table) -> bool {
        self.meta == o.meta
            && self.grid == o.grid
            && if self.layout == o.layout {
                self.data == o.data
            } else {
                Quantity::ALL.into_iter().all(|q| self.array(q) == o.array(q))
            }
    }
}

impl Table {
    /// A table from metadata, grid and per-quantity arrays in grid order ([`Grid::index`]).
    /// A quantity whose values do not vary with VGS is stored once per (L, VDS, VSB).
    pub fn from_arrays(meta: Meta, grid: Grid, arrays: &[(Quantity, Vec<f64>)]) -> Result<Table, GmidError> {
        grid.check()?;
        let n = grid.len();
        let nl = grid.l.len();
        let mut found = Vec::with_capacity(Quantity::ALL.len());
        for q in Quantity::ALL {
            let (_, a) = arrays
                .iter()
                .find(|(k, _)| *k == q)
                .ok_or_else(|| GmidError::Format(format!("quantity {} is missing", q.name())))?;
            if a.len() != n {
                return Err(GmidError::Format(format!("{} has {} values, the grid {n}", q.name(), a.len())));
            }
            found.push(a);
        }
        let full = Layout::new(&grid, QuantitySet::default());
        let flat = Quantity::ALL.into_iter().zip(&found).fold(QuantitySet::default(), |s, (q, a)| {
            if full.is_flat(nl, a) {
                s.with(q)
            } else {
                s
            }
        });
        let layout = Layout::new(&grid, flat);
        let mut data = vec![0.0; layout.len(nl)];
        for il in 0..nl {
            for (q, a) in Quantity::ALL.into_iter().zip(&found) {
                let r = layout.row(q);
                let start = il * layout.per_l;
                data[il * layout.block() + r.start..il * layout.block() + r.end]
                    .copy_from_slice(&a[start..start + r.len()]);
            }
        }
        Ok(Table { meta, grid, data, layout })
    }

    /// A table from values in the layout of the `.ins` format (every quantity VGS x VDS x VSB
    /// per length: `[L][quantity][VGS][VDS][VSB]`, `data.len()` = `Quantity::ALL.len()` x
    /// points); quantities that do not vary with VGS are then stored once per (L, VDS, VSB).
    pub(crate) fn from_full_blocks(meta: Meta, grid: Grid, data: Vec<f64>) -> Table {
        let nl = grid.l.len();
        let full = Layout::new(&grid, QuantitySet::default());
        let row = |il: usize, q: Quantity| &data[il * full.block() + full.row(q).start..][..full.per_l];
        let flat = Quantity::ALL.into_iter().fold(QuantitySet::default(), |s, q| {
            if (0..nl).all(|il| row_is_flat(row(il, q), full.per_vgs)) {
                s.with(q)
            } else {
                s
            }
        });
        if flat == QuantitySet::default() {
            return Table { meta, grid, data, layout: full };
        }
        let layout = Layout::new(&grid, flat);
        let mut out = Vec::with_capacity(layout.len(nl));
        for il in 0..nl {
            for q in Quantity::ALL {
                out.extend_from_slice(&row(il, q)[..layout.row(q).len()]);
            }
        }
        Table { meta, grid, data: out, layout }
    }

    /// Position in `data` of quantity `q` at flat grid index `i`.
    #[inline]
    pub(crate) fn slot(&self, q: Quantity, i: usize) -> usize {
        self.layout.slot(q, i)
    }

    /// Quantity `q` at flat grid index `i` ([`Grid::index`]).
    #[inline]
    pub fn at(&self, q: Quantity, i: usize) -> f64 {
        self.data[self.slot(q, i)]
    }

    /// One quantity over the whole grid, in grid order.
    pub fn array(&self, q: Quantity) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.grid.len());
        for il in 0..self.grid.l.len() {
            self.layout.extend_row(&self.data, il, q, &mut out);
        }
        out
    }

    /// The quantities stored once per (L, VDS, VSB) because they do not vary with VGS.
    pub fn vgs_independent(&self) -> QuantitySet {
        self.layout.flat
    }
}

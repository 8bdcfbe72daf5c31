//! A gm/Id table: metadata, grid and the stored quantities.

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
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub meta: Meta,
    pub grid: Grid,
    /// Layout `[L][quantity][VGS][VDS][VSB]`: one contiguous block per length.
    pub(crate) data: Vec<f64>,
}

impl Table {
    /// A table from metadata, grid and per-quantity arrays in grid order ([`Grid::index`]).
    pub fn from_arrays(meta: Meta, grid: Grid, arrays: &[(Quantity, Vec<f64>)]) -> Result<Table, GmidError> {
        grid.check()?;
        let n = grid.len();
        let mut t = Table { meta, data: vec![0.0; n * Quantity::ALL.len()], grid };
        for q in Quantity::ALL {
            let (_, a) = arrays
                .iter()
                .find(|(k, _)| *k == q)
                .ok_or_else(|| GmidError::Format(format!("quantity {} is missing", q.name())))?;
            if a.len() != n {
                return Err(GmidError::Format(format!("{} has {} values, the grid {n}", q.name(), a.len())));
            }
            for (i, v) in a.iter().enumerate() {
                let k = t.slot(q, i);
                t.data[k] = *v;
            }
        }
        Ok(t)
    }

    /// Number of values per length block.
    #[inline]
    fn per_l(&self) -> usize {
        self.grid.vgs.len() * self.grid.vds.len() * self.grid.vsb.len()
    }

    /// Position in `data` of quantity `q` at flat grid index `i`.
    #[inline]
    pub(crate) fn slot(&self, q: Quantity, i: usize) -> usize {
        let r = self.per_l();
        let (il, rest) = (i / r, i % r);
        (il * Quantity::ALL.len() + q.index()) * r + rest
    }

    /// Quantity `q` at flat grid index `i` ([`Grid::index`]).
    #[inline]
    pub fn at(&self, q: Quantity, i: usize) -> f64 {
        self.data[self.slot(q, i)]
    }

    /// One quantity over the whole grid, in grid order.
    pub fn array(&self, q: Quantity) -> Vec<f64> {
        let r = self.per_l();
        let mut out = Vec::with_capacity(self.grid.len());
        for il in 0..self.grid.l.len() {
            let k = (il * Quantity::ALL.len() + q.index()) * r;
            out.extend_from_slice(&self.data[k..k + r]);
        }
        out
    }
}

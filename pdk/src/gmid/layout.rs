//! Where a table's values sit in memory: one block per length, in it one row per quantity in
//! [`Quantity::ALL`]'s order. A quantity that does not vary with VGS (the same value at
//! every VGS of each (L, VDS, VSB): junction capacitances, constant overlaps, BSIM's Vth)
//! has a short row, once per (VDS, VSB), instead of VGS x VDS x VSB values. That is about a
//! third of the memory of a BSIM-lite table, which the generator would otherwise have to
//! fault in and write.

use super::{Grid, Quantity};

/// Number of stored quantities.
const NQ: usize = Quantity::ALL.len();

/// A set of quantities, one bit each at [`Quantity::index`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuantitySet(u32);

impl QuantitySet {
    /// The set of `qs`.
    pub fn of(qs: &[Quantity]) -> QuantitySet {
        QuantitySet(qs.iter().fold(0, |m, q| m | (1 << q.index())))
    }

    /// Whether `q` is in the set.
    #[inline]
    pub fn contains(self, q: Quantity) -> bool {
        (self.0 >> q.index()) & 1 == 1
    }

    /// `self` with `q` added.
    pub fn with(self, q: Quantity) -> QuantitySet {
        QuantitySet(self.0 | (1 << q.index()))
    }
}

/// The storage layout of a table: the row length of each quantity in a length block and the
/// row offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Quantities stored once per (VDS, VSB).
    pub flat: QuantitySet,
    /// Points per length (VGS x VDS x VSB) and per gate voltage (VDS x VSB).
    pub per_l: usize,
    pub per_vgs: usize,
    /// Offset of each quantity's row in a block; the last entry is the block's length.
    offs: [usize; NQ + 1],
}

impl Layout {
    /// The layout of `grid` with the quantities of `flat` stored once per (VDS, VSB).
    pub fn new(grid: &Grid, flat: QuantitySet) -> Layout {
        let per_vgs = grid.vds.len() * grid.vsb.len();
        let per_l = grid.vgs.len() * per_vgs;
        let mut offs = [0; NQ + 1];
        for q in Quantity::ALL {
            offs[q.index() + 1] = offs[q.index()] + if flat.contains(q) { per_vgs } else { per_l };
        }
        Layout { flat, per_l, per_vgs, offs }
    }

    /// Values per length block.
    #[inline]
    pub fn block(&self) -> usize {
        self.offs[NQ]
    }

    /// Number of values of the whole table (`nl` lengths).
    pub fn len(&self, nl: usize) -> usize {
        nl * self.block()
    }

    /// The row of `q` within a block: `offset..offset + length`.
    #[inline]
    pub fn row(&self, q: Quantity) -> std::ops::Range<usize> {
        self.offs[q.index()]..self.offs[q.index() + 1]
    }

    /// Position of quantity `q` at flat grid index `i` ([`Grid::index`]).
    #[inline]
    pub fn slot(&self, q: Quantity, i: usize) -> usize {
        let (il, rest) = (i / self.per_l, i % self.per_l);
        let k = if self.flat.contains(q) { rest % self.per_vgs } else { rest };
        il * self.block() + self.offs[q.index()] + k
    }

    /// Appends quantity `q` of length block `il` of `data` in grid order (VGS x VDS x VSB
    /// values), repeating a short row at every VGS.
    pub fn extend_row(&self, data: &[f64], il: usize, q: Quantity, out: &mut Vec<f64>) {
        let r = self.row(q);
        let row = &data[il * self.block() + r.start..il * self.block() + r.end];
        if self.flat.contains(q) {
            for _ in 0..self.per_l / self.per_vgs.max(1) {
                out.extend_from_slice(row);
            }
        } else {
            out.extend_from_slice(row);
        }
    }

    /// Whether the values `a` of one quantity (grid order, `nl` lengths) are the same, bit
    /// for bit, at every VGS of each (L, VDS, VSB).
    pub fn is_flat(&self, nl: usize, a: &[f64]) -> bool {
        (0..nl).all(|il| row_is_flat(&a[il * self.per_l..(il + 1) * self.per_l], self.per_vgs))
    }
}

/// Whether a row of one length (VGS x VDS x VSB values) repeats its first VGS's values, bit
/// for bit, at every VGS.
pub(crate) fn row_is_flat(row: &[f64], per_vgs: usize) -> bool {
    let first = &row[..per_vgs];
    row.chunks_exact(per_vgs).all(|c| c.iter().zip(first).all(|(x, y)| x.to_bits() == y.to_bits()))
}

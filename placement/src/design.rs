//! The placement problem: hard blocks, fixed pads, nets of pins, and a fixed outline.

use crate::seqpair::Packing;

/// A hard rectangular block (fixed orientation N).
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub name: String,
    pub w: f64,
    pub h: f64,
}

impl Block {
    /// A block of width `w` and height `h`.
    pub fn new(name: &str, w: f64, h: f64) -> Self {
        Block { name: name.to_string(), w, h }
    }
}

/// A fixed I/O pad, a point in the outline's frame (lower-left of the outline at the origin).
#[derive(Clone, Debug, PartialEq)]
pub struct Pad {
    pub name: String,
    pub x: f64,
    pub y: f64,
}

/// Where a pin sits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PinAt {
    /// On block `block`, at `(dx, dy)` from its lower-left corner.
    Block { block: usize, dx: f64, dy: f64 },
    /// On pad `pad`.
    Pad(usize),
}

/// A pin of a net.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pin {
    pub at: PinAt,
}

impl Pin {
    /// A pin at the centre of block `block` (offsets are filled in by [`Pin::on_block`]).
    pub fn centre(block: usize) -> Self {
        Pin { at: PinAt::Block { block, dx: f64::NAN, dy: f64::NAN } }
    }
    /// A pin on block `block` at `(dx, dy)` from the lower-left corner.
    pub fn on_block(block: usize, dx: f64, dy: f64) -> Self {
        Pin { at: PinAt::Block { block, dx, dy } }
    }
    /// A pin on pad `pad`.
    pub fn pad(pad: usize) -> Self {
        Pin { at: PinAt::Pad(pad) }
    }
    /// The pin's offset from its block's lower-left corner (centre if unset).
    pub fn offset(&self, blocks: &[Block]) -> Option<(usize, f64, f64)> {
        match self.at {
            PinAt::Block { block, dx, dy } => {
                let b = &blocks[block];
                let dx = if dx.is_nan() { 0.5 * b.w } else { dx };
                let dy = if dy.is_nan() { 0.5 * b.h } else { dy };
                Some((block, dx, dy))
            }
            PinAt::Pad(_) => None,
        }
    }
}

/// A net: the pins it connects.
#[derive(Clone, Debug, PartialEq)]
pub struct Net {
    pub name: String,
    pub pins: Vec<Pin>,
}

/// A fixed-outline placement problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    pub name: String,
    pub blocks: Vec<Block>,
    pub pads: Vec<Pad>,
    pub nets: Vec<Net>,
    /// Outline `(W, H)` with its lower-left corner at the origin; blocks must lie inside it.
    pub outline: (f64, f64),
}

impl Design {
    /// Number of blocks.
    pub fn n(&self) -> usize {
        self.blocks.len()
    }
    /// Total block area.
    pub fn block_area(&self) -> f64 {
        self.blocks.iter().map(|b| b.w * b.h).sum()
    }
    /// Whether a packing (blocks at the origin) fits inside the outline.
    pub fn fits(&self, p: &Packing) -> bool {
        p.width <= self.outline.0 + 1e-9 && p.height <= self.outline.1 + 1e-9
    }
    /// How far a packing sticks out of the outline: `max(0, w - W) + max(0, h - H)`.
    pub fn overflow(&self, p: &Packing) -> f64 {
        (p.width - self.outline.0).max(0.0) + (p.height - self.outline.1).max(0.0)
    }
    /// Number of pins over all nets.
    pub fn pin_count(&self) -> usize {
        self.nets.iter().map(|n| n.pins.len()).sum()
    }
}

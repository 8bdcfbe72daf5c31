//! Half-perimeter wirelength.
//!
//! HPWL = sum over nets with at least two pins of (max x - min x) + (max y - min y) over the
//! net's pins; a block pin is the block's lower-left corner plus the pin offset, a pad is its
//! fixed point (ParquetFP's `evalHPWL` without net weights or terminal rescaling).

use crate::design::{Design, PinAt};

/// HPWL of the design with block lower-left corners `x`, `y`.
pub fn hpwl(design: &Design, x: &[f64], y: &[f64]) -> f64 {
    let mut total = 0.0;
    for net in &design.nets {
        if net.pins.len() < 2 {
            continue;
        }
        let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for p in &net.pins {
            let (px, py) = match p.at {
                PinAt::Pad(i) => (design.pads[i].x, design.pads[i].y),
                PinAt::Block { .. } => {
                    let (b, dx, dy) = p.offset(&design.blocks).expect("block pin");
                    (x[b] + dx, y[b] + dy)
                }
            };
            x0 = x0.min(px);
            x1 = x1.max(px);
            y0 = y0.min(py);
            y1 = y1.max(py);
        }
        total += (x1 - x0) + (y1 - y0);
    }
    total
}

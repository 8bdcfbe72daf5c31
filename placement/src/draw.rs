//! Drawing a placement: the outline, the blocks, the pads and each net's bounding box.
//!
//! PNG through plotters' bitmap backend and SVG through its SVG backend. The PNG carries no text
//! (plotters' font rendering needs system font libraries, which the project does not require);
//! the SVG names the blocks and states the HPWL.

use crate::design::{Design, PinAt};
use crate::error::PlaceError;
use plotters::prelude::*;
use std::path::Path;

/// Pixel size of the longer side.
const SIDE: u32 = 900;

fn draw_on<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    design: &Design,
    x: &[f64],
    y: &[f64],
    labels: bool,
    title: &str,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (w, h) = design.outline;
    // Pads may sit on the outline; keep a margin.
    let (dw, dh) = root.dim_in_pixel();
    let margin = 0.04 * w.max(h);
    let scale = ((dw as f64) / (w + 2.0 * margin)).min((dh as f64) / (h + 2.0 * margin));
    let px = |vx: f64| ((vx + margin) * scale) as i32;
    let py = |vy: f64| (dh as f64 - (vy + margin) * scale) as i32;
    root.draw(&Rectangle::new([(px(0.0), py(0.0)), (px(w), py(h))], ShapeStyle::from(&BLACK).stroke_width(2)))
        .map_err(e)?;
    // Nets' bounding boxes, faint, under the blocks.
    let net_style = ShapeStyle::from(&RGBColor(30, 90, 200).mix(0.25)).stroke_width(1);
    for net in &design.nets {
        if net.pins.len() < 2 {
            continue;
        }
        let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for p in &net.pins {
            let (qx, qy) = match p.at {
                PinAt::Pad(i) => (design.pads[i].x, design.pads[i].y),
                PinAt::Block { .. } => {
                    let (b, ox, oy) = p.offset(&design.blocks).expect("block pin");
                    (x[b] + ox, y[b] + oy)
                }
            };
            x0 = x0.min(qx);
            x1 = x1.max(qx);
            y0 = y0.min(qy);
            y1 = y1.max(qy);
        }
        root.draw(&Rectangle::new([(px(x0), py(y0)), (px(x1), py(y1))], net_style)).map_err(e)?;
    }
    for (i, b) in design.blocks.iter().enumerate() {
        let hue = (i as f64 * 0.618_033_988_75).fract();
        let fill = HSLColor(hue, 0.55, 0.72).mix(0.85).filled();
        let rect = [(px(x[i]), py(y[i] + b.h)), (px(x[i] + b.w), py(y[i]))];
        root.draw(&Rectangle::new(rect, fill)).map_err(e)?;
        root.draw(&Rectangle::new(rect, ShapeStyle::from(&BLACK).stroke_width(1))).map_err(e)?;
        if labels {
            let c = (px(x[i] + 0.5 * b.w), py(y[i] + 0.5 * b.h));
            root.draw(&Text::new(b.name.clone(), c, ("sans-serif", 12).into_font().color(&BLACK))).map_err(e)?;
        }
    }
    for p in &design.pads {
        root.draw(&Circle::new((px(p.x), py(p.y)), 4, RGBColor(200, 30, 30).filled())).map_err(e)?;
    }
    if labels {
        root.draw(&Text::new(title.to_string(), (10, 14), ("sans-serif", 16).into_font().color(&BLACK))).map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

fn size(design: &Design) -> (u32, u32) {
    let (w, h) = design.outline;
    if w >= h {
        (SIDE, ((SIDE as f64) * h / w).round().max(100.0) as u32)
    } else {
        (((SIDE as f64) * w / h).round().max(100.0) as u32, SIDE)
    }
}

/// Draws the placement to a PNG file (no text).
pub fn png(path: &Path, design: &Design, x: &[f64], y: &[f64]) -> Result<(), PlaceError> {
    let root = BitMapBackend::new(path, size(design)).into_drawing_area();
    draw_on(root, design, x, y, false, "").map_err(|m| PlaceError::Design(format!("{}: {m}", path.display())))
}

/// Draws the placement to an SVG file, with block names and `title`.
pub fn svg(path: &Path, design: &Design, x: &[f64], y: &[f64], title: &str) -> Result<(), PlaceError> {
    let root = SVGBackend::new(path, size(design)).into_drawing_area();
    draw_on(root, design, x, y, true, title).map_err(|m| PlaceError::Design(format!("{}: {m}", path.display())))
}

/// Writes the placement as a bookshelf `.pl`: lower-left corners, orientation N; pads `/FIXED`.
pub fn write_pl(path: &Path, design: &Design, x: &[f64], y: &[f64]) -> Result<(), PlaceError> {
    let mut s = String::from("UCLA pl 1.0\n# insitu place: blocks at lower-left corners, outline at the origin\n\n");
    for (i, b) in design.blocks.iter().enumerate() {
        s.push_str(&format!("{}\t{}\t{}\t: N\n", b.name, x[i], y[i]));
    }
    for p in &design.pads {
        s.push_str(&format!("{}\t{}\t{}\t: N /FIXED\n", p.name, p.x, p.y));
    }
    std::fs::write(path, s).map_err(|source| PlaceError::Io { path: path.to_path_buf(), source })
}

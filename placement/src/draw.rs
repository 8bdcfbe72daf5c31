//! Drawing a placement: the outline, the blocks, the pads and each net's bounding box.
//!
//! PNG through plotters' bitmap backend and SVG through its SVG backend. Both carry a header
//! (the title: bench, algorithm, HPWL) with a legend, and name the blocks. The PNG's text is drawn
//! with the TrueType font registered as plotters' "sans-serif" (`ab_glyph`, no system font
//! library): the caller registers it first (the `insitu` facade's `font::register`).

use crate::design::{Design, PinAt};
use crate::error::PlaceError;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// Pixel size of the longer side of the drawing.
const SIDE: u32 = 900;
/// Pixel height of the header (title and legend) above the drawing.
const HEADER: u32 = 58;

fn draw_on<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    design: &Design,
    x: &[f64],
    y: &[f64],
    title: &str,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (header, root) = root.split_vertically(HEADER);
    header.draw(&Text::new(title.to_string(), (10, 6), ("sans-serif", 18).into_font().color(&BLACK))).map_err(e)?;
    let font = ("sans-serif", 14).into_font().color(&BLACK);
    let mut lx = 10;
    let ly = 38;
    header
        .draw(&Rectangle::new([(lx, ly - 6), (lx + 22, ly + 6)], HSLColor(0.1, 0.55, 0.72).mix(0.85).filled()))
        .map_err(e)?;
    header
        .draw(&Rectangle::new([(lx, ly - 6), (lx + 22, ly + 6)], ShapeStyle::from(&BLACK).stroke_width(1)))
        .map_err(e)?;
    header.draw(&Text::new("block", (lx + 28, ly - 8), font.clone())).map_err(e)?;
    lx += 100;
    header.draw(&Circle::new((lx + 8, ly), 4, RGBColor(200, 30, 30).filled())).map_err(e)?;
    header.draw(&Text::new("I/O pad", (lx + 20, ly - 8), font.clone())).map_err(e)?;
    lx += 100;
    header
        .draw(&Rectangle::new(
            [(lx, ly - 6), (lx + 22, ly + 6)],
            ShapeStyle::from(&RGBColor(30, 90, 200).mix(0.6)).stroke_width(1),
        ))
        .map_err(e)?;
    header.draw(&Text::new("net bounding box", (lx + 28, ly - 8), font.clone())).map_err(e)?;
    lx += 170;
    header
        .draw(&Rectangle::new([(lx, ly - 6), (lx + 22, ly + 6)], ShapeStyle::from(&BLACK).stroke_width(2)))
        .map_err(e)?;
    header.draw(&Text::new("outline", (lx + 28, ly - 8), font)).map_err(e)?;
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
        let c = (px(x[i] + 0.5 * b.w), py(y[i] + 0.5 * b.h));
        let style = ("sans-serif", 12).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(b.name.clone(), c, style)).map_err(e)?;
    }
    for p in &design.pads {
        root.draw(&Circle::new((px(p.x), py(p.y)), 4, RGBColor(200, 30, 30).filled())).map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

fn size(design: &Design) -> (u32, u32) {
    let (w, h) = design.outline;
    if w >= h {
        (SIDE, ((SIDE as f64) * h / w).round().max(100.0) as u32 + HEADER)
    } else {
        (((SIDE as f64) * w / h).round().max(560.0) as u32, SIDE + HEADER)
    }
}

/// Draws the placement to a PNG file with `title`; the "sans-serif" font must be registered
/// with plotters first (see the module doc).
pub fn png(path: &Path, design: &Design, x: &[f64], y: &[f64], title: &str) -> Result<(), PlaceError> {
    let root = BitMapBackend::new(path, size(design)).into_drawing_area();
    draw_on(root, design, x, y, title).map_err(|m| PlaceError::Design(format!("{}: {m}", path.display())))
}

/// Draws the placement to an SVG file, with block names and `title`.
pub fn svg(path: &Path, design: &Design, x: &[f64], y: &[f64], title: &str) -> Result<(), PlaceError> {
    let root = SVGBackend::new(path, size(design)).into_drawing_area();
    draw_on(root, design, x, y, title).map_err(|m| PlaceError::Design(format!("{}: {m}", path.display())))
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

//! `--plot FILE.svg|png`: the convergence (cost of every iteration on a log scale, best so far,
//! phase changes marked) and the best design's Bode plot (magnitude and phase of the output at
//! each corner of the final phase), drawn with plotters.
//!
//! PNG text uses the font of [`crate::font`]; SVG needs none.

use super::session::Session;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Writes the plot; the format follows the extension (`.svg` or `.png`).
pub fn write(session: &Session, path: &Path) -> Result<(), String> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let size = (1100, 900);
    match ext.as_str() {
        "svg" => draw(SVGBackend::new(path, size).into_drawing_area(), session),
        "png" => {
            crate::font::register()?;
            draw(BitMapBackend::new(path, size).into_drawing_area(), session)
        }
        _ => Err(format!("{}: expected a .svg or .png file", path.display())),
    }
}

fn e<E: std::fmt::Debug>(x: E) -> String {
    format!("{x:?}")
}

/// The AC response of the output for each corner of the final phase.
/// (corner, frequencies, magnitude dB, phase deg).
type Bode = (String, Vec<f64>, Vec<f64>, Vec<f64>);

fn bode_data(session: &Session) -> Vec<Bode> {
    let tb = session.tb;
    let Some(best) = session.best() else { return Vec::new() };
    let mut out = Vec::new();
    for c in tb.corners(best.phase) {
        let Ok(ds) = tb.datasets(&best.detail.x, c) else { continue };
        let Some(ac) = ds.iter().find(|d| d.name.to_ascii_lowercase().starts_with("ac")) else { continue };
        let f: Vec<f64> = match ac.scale.as_ref().map(|s| &s.data) {
            Some(insitu_solver::Data::Real(f)) => f.clone(),
            Some(insitu_solver::Data::Complex(z)) => z.iter().map(|v| v.re).collect(),
            None => continue,
        };
        let h = ac.complex("v(out)").or_else(|| {
            ac.vectors.iter().find_map(|v| match &v.data {
                insitu_solver::Data::Complex(z) if v.name.starts_with("v(") => Some(z.as_slice()),
                _ => None,
            })
        });
        let Some(h) = h else { continue };
        let mag: Vec<f64> = h.iter().map(|z| 20.0 * z.norm().max(1e-30).log10()).collect();
        let mut ph: Vec<f64> = Vec::with_capacity(h.len());
        for z in h {
            let a = z.arg().to_degrees();
            let a = match ph.last() {
                Some(&p) => a + 360.0 * ((p - a) / 360.0).round(),
                None => a,
            };
            ph.push(a);
        }
        out.push((c.label(), f, mag, ph));
    }
    out
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, session: &Session) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let (top, bottom) = root.split_vertically(420);
    let hist = &session.history.history;
    let n = hist.iter().map(|h| h.iter).max().unwrap_or(1).max(1) as f64;
    let costs: Vec<f64> = hist.iter().map(|h| h.cost.max(1e-4)).collect();
    let ymin = costs.iter().cloned().fold(f64::INFINITY, f64::min).min(0.01) / 2.0;
    let ymax = costs.iter().cloned().fold(0.0, f64::max).max(1.0) * 2.0;
    let title = format!(
        "{}: cost per iteration ({}, {} iterations, status {})",
        session.history.meta.cell,
        session.history.meta.algorithm,
        session.history.meta.iteration,
        session.history.meta.status
    );
    let mut ch = ChartBuilder::on(&top)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..n + 1.0, (ymin..ymax).log_scale())
        .map_err(e)?;
    ch.configure_mesh()
        .x_desc("iteration")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("cost (log; infeasible = 1000 + violation)")
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(e)?;
    let cand = hist.iter().filter(|h| h.kind == "candidate");
    ch.draw_series(
        cand.clone().filter(|h| h.feasible).map(|h| Circle::new((h.iter as f64, h.cost.max(1e-4)), 3, GREEN.filled())),
    )
    .map_err(e)?
    .label("feasible")
    .legend(|(x, y)| Circle::new((x, y), 3, GREEN.filled()));
    ch.draw_series(cand.filter(|h| !h.feasible).map(|h| Cross::new((h.iter as f64, h.cost.max(1e-4)), 3, RED)))
        .map_err(e)?
        .label("infeasible")
        .legend(|(x, y)| Cross::new((x, y), 3, RED));
    // Best so far within each phase.
    let mut best = Vec::new();
    let mut cur = f64::INFINITY;
    let mut phase = 1;
    for h in hist {
        if h.phase != phase {
            phase = h.phase;
            cur = f64::INFINITY;
        }
        cur = cur.min(h.cost.max(1e-4));
        best.push((h.iter as f64, cur));
    }
    ch.draw_series(LineSeries::new(best, BLUE.stroke_width(2)))
        .map_err(e)?
        .label("best so far (per phase)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE.stroke_width(2)));
    for (it, ph) in &session.history.state.phase_changes {
        let x = *it as f64 + 0.5;
        ch.draw_series(LineSeries::new(vec![(x, ymin), (x, ymax)], BLACK.mix(0.5))).map_err(e)?;
        ch.draw_series(std::iter::once(Text::new(format!("phase {ph}"), (x + 0.5, ymax / 3.0), ("sans-serif", 13))))
            .map_err(e)?;
    }
    ch.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw().map_err(e)?;

    let bode = bode_data(session);
    let (mag_area, ph_area) = bottom.split_vertically(240);
    if bode.is_empty() {
        mag_area.draw(&Text::new("no AC analysis of v(out) to plot", (40, 40), ("sans-serif", 16))).map_err(e)?;
        root.present().map_err(e)?;
        return Ok(());
    }
    let fmin = bode.iter().map(|b| b.1[0]).fold(f64::INFINITY, f64::min).max(1e-3);
    let fmax = bode.iter().map(|b| *b.1.last().unwrap_or(&1.0)).fold(0.0, f64::max);
    let mmin = bode.iter().flat_map(|b| b.2.iter().cloned()).fold(f64::INFINITY, f64::min).max(-120.0);
    let mmax = bode.iter().flat_map(|b| b.2.iter().cloned()).fold(f64::NEG_INFINITY, f64::max) + 5.0;
    let pmin = bode.iter().flat_map(|b| b.3.iter().cloned()).fold(f64::INFINITY, f64::min) - 10.0;
    let pmax = bode.iter().flat_map(|b| b.3.iter().cloned()).fold(f64::NEG_INFINITY, f64::max) + 10.0;
    let colors = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
    let best = session.best().map_or(0, |b| b.iter);
    let mut cm = ChartBuilder::on(&mag_area)
        .caption(format!("best design (iteration {best}): open-loop gain |v(out)|"), ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(10)
        .y_label_area_size(64)
        .build_cartesian_2d((fmin..fmax).log_scale(), mmin..mmax)
        .map_err(e)?;
    cm.configure_mesh()
        .x_label_formatter(&|v| super::report::eng(*v))
        .y_desc("dB")
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(e)?;
    for (k, (label, f, m, _)) in bode.iter().enumerate() {
        let col = colors[k % colors.len()];
        cm.draw_series(LineSeries::new(
            f.iter().cloned().zip(m.iter().cloned()).filter(|p| p.1 >= mmin),
            col.stroke_width(2),
        ))
        .map_err(e)?
        .label(label.clone())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], col.stroke_width(2)));
    }
    cm.draw_series(LineSeries::new(vec![(fmin, 0.0), (fmax, 0.0)], BLACK.mix(0.4))).map_err(e)?;
    cm.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw().map_err(e)?;
    let mut cp = ChartBuilder::on(&ph_area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d((fmin..fmax).log_scale(), pmin..pmax)
        .map_err(e)?;
    cp.configure_mesh()
        .x_label_formatter(&|v| super::report::eng(*v))
        .x_desc("frequency (Hz)")
        .y_desc("phase (deg)")
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(e)?;
    for (k, (_, f, _, p)) in bode.iter().enumerate() {
        let col = colors[k % colors.len()];
        cp.draw_series(LineSeries::new(f.iter().cloned().zip(p.iter().cloned()), col.stroke_width(2))).map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

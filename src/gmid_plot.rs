//! Plots of a gm/Id table (`insitu gmid plot`): gm/Id against Id/W, gm/gds and fT against
//! gm/Id, one curve per length, at the kit's default VDS (max/2) and VSB = 0. Text (PNG and
//! SVG layout) uses the font of [`crate::font`].

use insitu_pdk::gmid::{GmidError, Table};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One curve per length: (L, points).
type Curves = Vec<(f64, Vec<(f64, f64)>)>;

/// The three families of curves: (gm/Id vs Id/W in A/um), (gm/gds vs gm/Id), (fT in GHz vs gm/Id).
pub fn curves(t: &Table) -> Result<[Curves; 3], GmidError> {
    let (vds, vsb) = (t.default_vds(), t.grid.vsb[0]);
    let n = t.grid.l.len();
    let picks: Vec<usize> = if n <= 6 { (0..n).collect() } else { (0..6).map(|k| k * (n - 1) / 5).collect() };
    let mut out: [Curves; 3] = Default::default();
    for il in picks {
        let l = t.grid.l[il];
        let sweep = |e: &str| t.sweep_vgs(&e.parse()?, l, vds, vsb);
        let (gm_id, id_w, gm_gds, gm_cgg) = (sweep("GM_ID")?, sweep("ID_W")?, sweep("GM_GDS")?, sweep("GM_CGG")?);
        let imax = (0..gm_id.len()).fold(0, |k, i| if gm_id[i] > gm_id[k] { i } else { k });
        let ok = |i: usize| gm_id[i].is_finite() && gm_id[i] > 0.5 && id_w[i] > 0.0;
        out[0].push((l, (0..gm_id.len()).filter(|&i| ok(i)).map(|i| (id_w[i] * 1e-6, gm_id[i])).collect()));
        out[1].push((l, (imax..gm_id.len()).filter(|&i| ok(i)).map(|i| (gm_id[i], gm_gds[i])).collect()));
        let ft = |i: usize| gm_cgg[i] / (2.0 * std::f64::consts::PI) * 1e-9;
        out[2].push((l, (imax..gm_id.len()).filter(|&i| ok(i)).map(|i| (gm_id[i], ft(i))).collect()));
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    xlabel: &str,
    ylabel: &str,
    curves: &Curves,
    log_x: bool,
    log_y: bool,
    legend: SeriesLabelPosition,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let pts = curves.iter().flat_map(|c| c.1.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 >= x1 || y0 >= y1 {
        return Err(format!("{title}: nothing to plot"));
    }
    let mut b = ChartBuilder::on(area);
    b.caption(title, ("sans-serif", 22)).margin(12).x_label_area_size(45).y_label_area_size(65);
    let lab = ("sans-serif", 16);
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart.map_err(e)?;
            chart
                .configure_mesh()
                .x_desc(xlabel)
                .y_desc(ylabel)
                .label_style(lab)
                .x_label_formatter(&|x| if log_x { format!("{:.0e}", x) } else { format!("{}", x) })
                .y_label_formatter(&|y| format!("{}", y))
                .draw()
                .map_err(e)?;
            for (k, (l, c)) in curves.iter().enumerate() {
                let color = Palette99::pick(k).stroke_width(2);
                chart
                    .draw_series(LineSeries::new(c.iter().copied(), color))
                    .map_err(e)?
                    .label(format!("L = {:.2} um", l * 1e6))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], Palette99::pick(k).stroke_width(2))
                    });
            }
            chart
                .configure_series_labels()
                .label_font(("sans-serif", 14))
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .position(legend)
                .draw()
                .map_err(e)?;
        }};
    }
    match (log_x, log_y) {
        (true, _) => draw!(b.build_cartesian_2d((x0..x1).log_scale(), y0..y1 * 1.05)),
        (false, true) => draw!(b.build_cartesian_2d(x0..x1, (y0..y1 * 1.2).log_scale())),
        (false, false) => draw!(b.build_cartesian_2d(x0..x1, 0.0..y1 * 1.05)),
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, t: &Table) -> Result<(), String> {
    let c = curves(t).map_err(|e| e.to_string())?;
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let m = &t.meta;
    let title = format!(
        "{} {} {} {} {} C, W = {:.2} um, VDS = {:.2} V, VSB = {:.2} V",
        m.library,
        m.corner,
        m.model,
        m.device.name(),
        m.temp,
        m.w * 1e6,
        t.default_vds(),
        t.grid.vsb[0]
    );
    let root = root.titled(&title, ("sans-serif", 24)).map_err(|e| e.to_string())?;
    let areas = root.split_evenly((1, 3));
    panel(
        &areas[0],
        "gm/Id vs current density",
        "Id/W (A/um)",
        "gm/Id (1/V)",
        &c[0],
        true,
        false,
        SeriesLabelPosition::LowerLeft,
    )?;
    panel(&areas[1], "intrinsic gain", "gm/Id (1/V)", "gm/gds", &c[1], false, true, SeriesLabelPosition::LowerRight)?;
    panel(
        &areas[2],
        "transit frequency",
        "gm/Id (1/V)",
        "fT (GHz)",
        &c[2],
        false,
        false,
        SeriesLabelPosition::UpperRight,
    )?;
    root.present().map_err(|e| e.to_string())
}

/// Writes the plot to `path` (`.svg` or `.png`).
pub fn plot(t: &Table, path: &Path) -> Result<(), String> {
    let size = (1800, 600);
    match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
        Some("svg") => {
            crate::font::register()?;
            draw(SVGBackend::new(path, size).into_drawing_area(), t)
        }
        Some("png") => {
            crate::font::register()?;
            draw(BitMapBackend::new(path, size).into_drawing_area(), t)
        }
        _ => Err(format!("{}: the plot format follows the extension, .svg or .png", path.display())),
    }
}

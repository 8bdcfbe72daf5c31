//! `insitu gmid`: generate gm/Id tables, look them up, size a transistor.

use super::{emit, fail, EXIT_INPUT, EXIT_SIM};
use clap::Subcommand;
use insitu_netlist::number::parse_number;
use insitu_pdk::gmid::{grid::range, At, Bounds, DeviceType, Expr, GmidError, Grid, Method, ModelSource, Table};
use std::path::PathBuf;
use std::process::ExitCode;

/// The `gmid` subcommands.
#[derive(Subcommand)]
pub enum GmidCmd {
    /// Generate a table: `--pdk generic180 --corner tt` or `--lib FILE [--section S]`.
    Generate {
        /// Built-in library (generic180, generic65, generic-l1).
        #[arg(long, conflicts_with = "lib")]
        pdk: Option<String>,
        /// Corner of the built-in library.
        #[arg(long, default_value = "tt")]
        corner: String,
        /// A model library file (any MOSFET card the simulator supports).
        #[arg(long)]
        lib: Option<PathBuf>,
        /// Section of the library file (`.lib FILE SECTION`); without it the file is included.
        #[arg(long)]
        section: Option<String>,
        /// Model card name (default: the first card of the device type).
        #[arg(long)]
        model: Option<String>,
        /// nmos or pmos.
        #[arg(long, default_value = "nmos")]
        device: String,
        /// Temperature, degrees Celsius.
        #[arg(long, default_value = "27")]
        temp: f64,
        /// Lengths, comma-separated with SPICE suffixes (0.18u,0.5u,1u); default: the kit's.
        #[arg(long)]
        l: Option<String>,
        /// VGS range start:step:stop (magnitudes for pmos); default 0:25m:VDD.
        #[arg(long)]
        vgs: Option<String>,
        /// VDS range start:step:stop; default 0:25m:VDD.
        #[arg(long)]
        vds: Option<String>,
        /// VSB range start:step:stop; default 0:0.1:1 (scaled to the supply).
        #[arg(long)]
        vsb: Option<String>,
        /// Reference width.
        #[arg(long, default_value = "5u")]
        w: String,
        /// Output file: .ins, .mat, .npz (mosplot) or .json (2-D sizing view).
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    /// Look up a quantity or ratio (ID, GM_ID, ID_W, GM_CGG, ...): at one VGS, over the VGS
    /// vector, or against another ratio (`--vs GM_ID=5:1:20`).
    Lookup {
        table: PathBuf,
        /// What to look up.
        out: String,
        /// Length (default: the shortest).
        #[arg(long)]
        l: Option<String>,
        /// VGS (default: every VGS of the grid).
        #[arg(long)]
        vgs: Option<String>,
        /// VDS (default: max(VDS)/2, as the kit).
        #[arg(long)]
        vds: Option<String>,
        /// VSB (default: 0).
        #[arg(long, default_value = "0")]
        vsb: String,
        /// Mode 3: RATIO=RANGE or RATIO=LIST, e.g. GM_ID=5:1:20.
        #[arg(long)]
        vs: Option<String>,
        /// 1-D method of mode 3: pchip or linear.
        #[arg(long, default_value = "pchip")]
        method: String,
        /// Extrapolate outside the grid instead of failing.
        #[arg(long)]
        extrapolate: bool,
    },
    /// Width for a drain current (or transconductance) at an inversion level and length.
    Size {
        table: PathBuf,
        /// gm/Id (1/V).
        #[arg(long)]
        gmid: f64,
        /// Length.
        #[arg(long)]
        l: String,
        /// Drain current.
        #[arg(long, conflicts_with = "gm")]
        id: Option<String>,
        /// Transconductance.
        #[arg(long)]
        gm: Option<String>,
        /// VDS (default: max(VDS)/2).
        #[arg(long)]
        vds: Option<String>,
        /// VSB.
        #[arg(long, default_value = "0")]
        vsb: String,
    },
    /// Plot gm/Id against Id/W, gm/gds and fT against gm/Id for several L (.svg or .png).
    Plot {
        table: PathBuf,
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
}

fn num(field: &str, s: &str) -> Result<f64, String> {
    parse_number(s).ok_or_else(|| format!("--{field}: '{s}' is not a number (SPICE suffixes allowed, e.g. 0.18u)"))
}

fn list(field: &str, s: &str) -> Result<Vec<f64>, String> {
    if s.contains(':') {
        let p: Vec<&str> = s.split(':').collect();
        let [a, b, c] = p.as_slice() else {
            return Err(format!("--{field}: '{s}' is not start:step:stop"));
        };
        let (a, b, c) = (num(field, a)?, num(field, b)?, num(field, c)?);
        if b <= 0.0 || c < a {
            return Err(format!("--{field}: '{s}' needs a positive step and stop >= start"));
        }
        Ok(range(a, b, c))
    } else {
        s.split(',').map(|x| num(field, x)).collect()
    }
}

/// Runs `insitu gmid ...`.
pub fn run(cmd: GmidCmd) -> ExitCode {
    let res = match cmd {
        GmidCmd::Generate { pdk, corner, lib, section, model, device, temp, l, vgs, vds, vsb, w, output } => {
            generate(pdk, corner, lib, section, model, &device, temp, [l, vgs, vds, vsb], &w, &output)
        }
        GmidCmd::Lookup { table, out, l, vgs, vds, vsb, vs, method, extrapolate } => {
            lookup(&table, &out, l, vgs, vds, &vsb, vs, &method, extrapolate)
        }
        GmidCmd::Size { table, gmid, l, id, gm, vds, vsb } => size(&table, gmid, &l, id, gm, vds, &vsb),
        GmidCmd::Plot { table, output } => Table::load(&table)
            .map_err(input)
            .and_then(|t| insitu::gmid_plot::plot(&t, &output).map_err(input))
            .map(|()| emit(&format!("wrote {}\n", output.display()))),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, msg)) => fail(code, &msg),
    }
}

type Res = Result<(), (u8, String)>;

fn input(e: impl std::fmt::Display) -> (u8, String) {
    (EXIT_INPUT, e.to_string())
}

fn lookup_err(e: GmidError) -> (u8, String) {
    (EXIT_SIM, e.to_string())
}

#[allow(clippy::too_many_arguments)]
fn generate(
    pdk: Option<String>,
    corner: String,
    lib: Option<PathBuf>,
    section: Option<String>,
    model: Option<String>,
    device: &str,
    temp: f64,
    axes: [Option<String>; 4],
    w: &str,
    output: &std::path::Path,
) -> Res {
    let dev: DeviceType = device.parse().map_err(input)?;
    let (src, vdd, lmin) = match (pdk, lib) {
        (Some(p), None) => {
            let vdd = insitu_pdk::supply(&p).ok_or_else(|| {
                input(format!("--pdk: no built-in library '{p}' (built-in: {})", insitu_pdk::LIBRARIES.join(", ")))
            })?;
            let lmin = insitu_pdk::gmid::min_length(&p).unwrap_or(0.18e-6);
            (ModelSource::pdk(&p, &corner), vdd, lmin)
        }
        (None, Some(path)) => (ModelSource::File { path, section }, 1.8, 0.18e-6),
        _ => return Err(input("give --pdk NAME or --lib FILE")),
    };
    let default = Grid::kit_like(lmin, vdd);
    let [l, vgs, vds, vsb] = axes;
    let pick = |name: &str, s: Option<String>, d: Vec<f64>| s.map_or(Ok(d), |s| list(name, &s));
    let grid = Grid::new(
        pick("l", l, default.l).map_err(input)?,
        pick("vgs", vgs, default.vgs).map_err(input)?,
        pick("vds", vds, default.vds).map_err(input)?,
        pick("vsb", vsb, default.vsb).map_err(input)?,
    )
    .map_err(input)?;
    let w = num("w", w).map_err(input)?;
    let nl = grid.l.len();
    let start = std::time::Instant::now();
    let progress = |done: usize| {
        let bar = 30 * done / nl;
        eprint!("\r[{}{}] {done}/{nl} lengths", "#".repeat(bar), " ".repeat(30 - bar));
    };
    let table = Table::generate_with(&src, model.as_deref(), dev, temp, &grid, w, &progress).map_err(input)?;
    eprintln!();
    table.save(output).map_err(input)?;
    emit(&format!(
        "{} {} {} {} at {temp} C, W = {w:e} m: {} points ({} L x {} VGS x {} VDS x {} VSB) in {:.2} s -> {}\n",
        table.meta.library,
        table.meta.corner,
        table.meta.model,
        dev.name(),
        grid.len(),
        grid.l.len(),
        grid.vgs.len(),
        grid.vds.len(),
        grid.vsb.len(),
        start.elapsed().as_secs_f64(),
        output.display()
    ));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn lookup(
    path: &std::path::Path,
    out: &str,
    l: Option<String>,
    vgs: Option<String>,
    vds: Option<String>,
    vsb: &str,
    vs: Option<String>,
    method: &str,
    extrapolate: bool,
) -> Res {
    let t = Table::load(path).map_err(input)?;
    let l = l.map_or(Ok(t.grid.l[0]), |s| num("l", &s)).map_err(input)?;
    let vds = vds.map_or(Ok(t.default_vds()), |s| num("vds", &s)).map_err(input)?;
    let vsb = num("vsb", vsb).map_err(input)?;
    let e: Expr = out.parse().map_err(input)?;
    let bounds = if extrapolate { Bounds::Extrapolate } else { Bounds::Error };
    let method = match method {
        "pchip" => Method::Pchip,
        "linear" => Method::Linear,
        m => return Err(input(format!("--method: '{m}' (expected pchip or linear)"))),
    };
    let mut text = String::new();
    if let Some(vs) = vs {
        let (x, values) = vs.split_once('=').ok_or_else(|| input(format!("--vs: '{vs}' is not RATIO=VALUES")))?;
        let xs = list("vs", values).map_err(input)?;
        let ys = t.lookup_vs(out, x, &xs, l, vds, vsb, method).map_err(lookup_err)?;
        text += &format!("# {out} against {x} at L = {l:e}, VDS = {vds:.4}, VSB = {vsb:.4}\n");
        for (x, y) in xs.iter().zip(ys) {
            text += &format!("{x:>12.6} {y:>16.8e}\n");
        }
    } else if let Some(v) = vgs {
        let vgs = num("vgs", &v).map_err(input)?;
        let y = t.lookup_expr(&e, At { l, vgs, vds, vsb }, bounds).map_err(lookup_err)?;
        text += &format!("{y:.10e}\n");
    } else {
        text += &format!("# VGS {out} at L = {l:e}, VDS = {vds:.4}, VSB = {vsb:.4}\n");
        for &vgs in &t.grid.vgs {
            let y = t.lookup_expr(&e, At { l, vgs, vds, vsb }, bounds).map_err(lookup_err)?;
            text += &format!("{vgs:>8.4} {y:>16.8e}\n");
        }
    }
    emit(&text);
    Ok(())
}

fn size(
    path: &std::path::Path,
    gmid: f64,
    l: &str,
    id: Option<String>,
    gm: Option<String>,
    vds: Option<String>,
    vsb: &str,
) -> Res {
    let t = Table::load(path).map_err(input)?;
    let l = num("l", l).map_err(input)?;
    let vds = vds.map_or(Ok(t.default_vds()), |s| num("vds", &s)).map_err(input)?;
    let vsb = num("vsb", vsb).map_err(input)?;
    let id = match (id, gm) {
        (Some(i), None) => num("id", &i).map_err(input)?,
        (None, Some(g)) => num("gm", &g).map_err(input)? / gmid,
        _ => return Err(input("give --id or --gm")),
    };
    let w = t.width_for(gmid, l, id, vds, vsb).map_err(lookup_err)?;
    let vgs = t.vgs_for("GM_ID", gmid, l, vds, vsb).map_err(lookup_err)?;
    let at = At { l, vgs, vds, vsb };
    let scale = w / t.meta.w;
    let get = |q: &str| t.lookup(q, at).map_err(lookup_err);
    let (gds, cgg) = (get("GDS")? * scale, get("CGG")? * scale);
    emit(&format!(
        "W = {w:.6e} m\nVGS = {vgs:.4} V\nID = {id:.6e} A\ngm = {:.6e} S\ngm/gds = {:.2}\nCgg = {cgg:.4e} F\nfT = {:.4e} Hz\n",
        gmid * id,
        gmid * id / gds,
        gmid * id / (2.0 * std::f64::consts::PI * cgg)
    ));
    Ok(())
}

//! Table generation: the device model evaluated at every grid point at forced terminal
//! voltages, in parallel over L with rayon, no matrix solve.

use super::device::{Bias, Card, Device};
use super::layout::Layout;
use super::{DeviceType, GmidError, Grid, Meta, ModelSource, Quantity, Table};
use insitu_devices::bsim3::lane::Lanes;
use insitu_netlist::{parse_str, ElabOptions, Model, ModelKind};
use rayon::prelude::*;
use std::path::Path;

/// Diffusion length used for the reference device's drain and source areas and perimeters:
/// AD = AS = W * LDIFF, PD = PS = 2 (W + LDIFF).
pub const LDIFF: f64 = 0.5e-6;

/// The `.lib`/`.include` line of a source, and the library and section names for metadata.
fn source_text(src: &ModelSource) -> (String, String, String) {
    match src {
        ModelSource::Pdk { library, corner } => {
            (format!(".lib '{}{library}' {corner}\n", crate::PREFIX), library.clone(), corner.clone())
        }
        ModelSource::File { path, section } => {
            let p = path.display().to_string();
            match section {
                Some(s) => (format!(".lib '{p}' {s}\n"), p, s.clone()),
                None => (format!(".include '{p}'\n"), p, String::new()),
            }
        }
        ModelSource::Text(text) => (format!("{text}\n"), "(text)".into(), String::new()),
    }
}

/// A model card as SPICE text.
pub fn card_text(m: &Model) -> String {
    let kind = if m.kind == ModelKind::Pmos { "pmos" } else { "nmos" };
    let mut s = format!(".model {} {kind} level={}", m.name, m.level);
    if let Some(v) = &m.version {
        s += &format!(" version={v}");
    }
    for (k, v) in &m.params {
        s += &format!(" {k}={v:e}");
    }
    s
}

/// Elaborates `deck` with the built-in libraries available.
fn elaborate(deck: &str) -> Result<insitu_netlist::Circuit, GmidError> {
    let loader = crate::PdkLoader { inner: insitu_netlist::FsLoader };
    let d = parse_str(deck, Path::new("gmid.cir"), &loader).map_err(|e| GmidError::Model(e.to_string()))?;
    insitu_netlist::elaborate(&d, &ElabOptions::default()).map_err(|e| GmidError::Model(e.to_string()))
}

/// Compiles the model of `dev` from `src` (`model`: a card name, else the first card of the
/// device type) for the reference width `w`.
pub(crate) fn compile(
    src: &ModelSource,
    model: Option<&str>,
    dev: DeviceType,
    w: f64,
) -> Result<(Card, Meta), GmidError> {
    let (inc, library, corner) = source_text(src);
    let models = elaborate(&format!("gmid models\n{inc}.end\n"))?.models;
    let want = if dev == DeviceType::Pmos { ModelKind::Pmos } else { ModelKind::Nmos };
    let card = match model {
        Some(name) => models
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| GmidError::Model(format!("no model card '{name}' in {library} {corner}")))?,
        None => models
            .iter()
            .find(|m| m.kind == want)
            .ok_or_else(|| GmidError::Model(format!("no {} model card in {library} {corner}", dev.name())))?,
    };
    if !(w.is_finite() && w > 0.0) {
        return Err(GmidError::Grid(format!("W: {w} is not a positive width")));
    }
    let (ad, pd) = (w * LDIFF, 2.0 * (w + LDIFF));
    let deck =
        format!("gmid\n{inc}M1 d g s b {} W={w:e} L=1u AD={ad:e} AS={ad:e} PD={pd:e} PS={pd:e}\n.end\n", card.name);
    let c = Card::from_circuit(&elaborate(&deck)?, dev)?;
    let meta = Meta {
        library,
        corner,
        model: card.name.clone(),
        card: card_text(c.model()),
        device: dev,
        temp: 27.0,
        w,
        nf: 1,
        ad,
        pd,
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    Ok((c, meta))
}

impl Table {
    /// Generates the table of device `dev` from model source `src` at `temp` degrees
    /// Celsius over `grid`, at reference width `w` (metres).
    ///
    /// ```
    /// use insitu_pdk::gmid::{DeviceType, Grid, ModelSource, Quantity, Table};
    /// let grid = Grid::new(vec![0.18e-6, 1e-6], vec![0.0, 0.9, 1.8], vec![0.9], vec![0.0]).unwrap();
    /// let src = ModelSource::pdk("generic180", "tt");
    /// let t = Table::generate(&src, DeviceType::Nmos, 27.0, &grid, 5e-6).unwrap();
    /// assert!(t.at(Quantity::Id, grid.index(0, 2, 0, 0)) > 1e-4);
    /// ```
    pub fn generate(src: &ModelSource, dev: DeviceType, temp: f64, grid: &Grid, w: f64) -> Result<Table, GmidError> {
        Table::generate_with(src, None, dev, temp, grid, w, &|_| {})
    }

    /// [`Table::generate`] with a model card name and a progress callback, called with the
    /// number of lengths done so far.
    pub fn generate_with(
        src: &ModelSource,
        model: Option<&str>,
        dev: DeviceType,
        temp: f64,
        grid: &Grid,
        w: f64,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Table, GmidError> {
        grid.check()?;
        if !temp.is_finite() {
            return Err(GmidError::Grid(format!("temperature {temp} is not a finite number")));
        }
        let (card, mut meta) = compile(src, model, dev, w)?;
        meta.temp = temp;
        let layout = Layout::new(grid, card.vgs_independent());
        let mut data = vec![0.0; layout.len(grid.l.len())];
        let done = std::sync::atomic::AtomicUsize::new(0);
        data.par_chunks_mut(layout.block()).zip(grid.l.par_iter()).try_for_each(|(block, &l)| {
            let d = card.device(l, temp)?;
            // The junctions and the model's VGS-independent part depend on (VDS, VSB) only:
            // once per pair, not per point.
            let junctions: Vec<_> = grid
                .vds
                .iter()
                .flat_map(|&vds| grid.vsb.iter().map(move |&vsb| (vds, vsb)))
                .map(|(vds, vsb)| d.bias(vds, -vsb))
                .collect();
            if !fill_lanes(&d, grid, &layout, &junctions, block) {
                let mut k = 0;
                for (ig, &vgs) in grid.vgs.iter().enumerate() {
                    let mut j = junctions.iter();
                    for &vds in &grid.vds {
                        for &vsb in &grid.vsb {
                            let p = d.eval_with(vgs, vds, -vsb, j.next().expect("one per (VDS, VSB)"));
                            for (q, v) in Quantity::ALL.into_iter().zip(p.values()) {
                                // A VGS-independent row from the first VGS only.
                                if ig == 0 || !layout.flat.contains(q) {
                                    block[layout.row(q).start + k] = v;
                                }
                            }
                            k += 1;
                        }
                    }
                }
            }
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            Ok::<(), GmidError>(())
        })?;
        Ok(Table { meta, grid: grid.clone(), data, layout })
    }
}

impl Table {
    /// The device of this table's card at length `l`, rebuilt from the stored metadata.
    pub fn device(&self, l: f64) -> Result<super::device::Device, GmidError> {
        let src = ModelSource::Text(self.meta.card.clone());
        let (card, _) = compile(&src, Some(&self.meta.model), self.meta.device, self.meta.w)?;
        card.device(l, self.meta.temp)
    }

    /// Recomputes one point from the stored card by direct device evaluation (any point,
    /// on or off the grid).
    pub fn recompute(&self, at: super::At) -> Result<super::device::OpPoint, GmidError> {
        Ok(self.device(at.l)?.eval(at.vgs, at.vds, -at.vsb))
    }

    /// Recomputes one point through the full simulator: the stored card in a testbench of
    /// ideal sources, solved by `.op`. Returns the simulator's operating point of the device
    /// (circuit-frame voltages, n-frame currents as ngspice's `@m[...]`).
    pub fn simulate(&self, at: super::At) -> Result<insitu_solver::MosOp, GmidError> {
        let s = if self.meta.device == DeviceType::Pmos { -1.0 } else { 1.0 };
        let (w, ad, pd) = (self.meta.w, self.meta.ad, self.meta.pd);
        let deck = format!(
            "gmid point\n{}\nVG g 0 {:e}\nVD d 0 {:e}\nVB b 0 {:e}\nM1 d g 0 b {} W={w:e} L={:e} AD={ad:e} AS={ad:e} PD={pd:e} PS={pd:e}\n.op\n.end\n",
            self.meta.card,
            s * at.vgs,
            s * at.vds,
            -s * at.vsb,
            self.meta.model,
            at.l
        );
        let sim_err = |e: insitu_solver::SimError| GmidError::Model(e.to_string());
        let mut sim = insitu_solver::Simulator::with_temperature(elaborate(&deck)?, self.meta.temp).map_err(sim_err)?;
        sim.op().map_err(sim_err)?;
        sim.mos_op("m1").map_err(sim_err)
    }
}

/// Fills one length's block (`Quantity::ALL.len()` rows of VGS x VDS x VSB) through the
/// model's lane path ([`Device::eval_lanes`]): [`lane_width`] gate voltages of one (VDS, VSB)
/// per evaluation. Returns false, untouched, for a model without a lane path.
fn fill_lanes(d: &Device, grid: &Grid, layout: &Layout, junctions: &[Bias], block: &mut [f64]) -> bool {
    if !d.has_lanes() {
        return false;
    }
    match lane_width() {
        // SAFETY: the CPU has AVX-512F (checked at run time by `lane_width`).
        #[cfg(target_arch = "x86_64")]
        8 => unsafe { fill_avx512(d, grid, layout, junctions, block) },
        // SAFETY: the CPU has AVX2 (checked at run time by `lane_width`).
        #[cfg(target_arch = "x86_64")]
        4 => unsafe { fill_avx2(d, grid, layout, junctions, block) },
        _ => fill::<2>(d, grid, layout, junctions, block),
    }
    true
}

/// The number of gate voltages the table generator evaluates side by side on this CPU
/// (detected at run time: the default build targets baseline x86-64): 8 in AVX-512
/// registers where the CPU has AVX-512F, else 4 in AVX2 registers where it has AVX2, else 2
/// in SSE2 registers. `INSITU_GMID_LANES=4` or `=2` forces a narrower width, for comparisons
/// (every width gives the same table, bit for bit). Eight lanes measured about 10 % less
/// CPU than four on the Zen 5 EPYC of session 10 (full-width AVX-512 units); on the Xeon of
/// earlier sessions they were slower, so force 4 there.
pub fn lane_width() -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let forced = std::env::var("INSITU_GMID_LANES").ok().and_then(|s| s.trim().parse::<usize>().ok());
        let max = forced.unwrap_or(8);
        if max >= 8 && std::is_x86_feature_detected!("avx512f") {
            return 8;
        }
        if max >= 4 && std::is_x86_feature_detected!("avx2") {
            return 4;
        }
    }
    2
}

/// [`fill`] with eight lanes, compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn fill_avx512(d: &Device, grid: &Grid, layout: &Layout, junctions: &[Bias], block: &mut [f64]) {
    fill::<8>(d, grid, layout, junctions, block)
}

/// [`fill`] with four lanes, compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fill_avx2(d: &Device, grid: &Grid, layout: &Layout, junctions: &[Bias], block: &mut [f64]) {
    fill::<4>(d, grid, layout, junctions, block)
}

/// The lane loop: per group of `N` gate voltages (the last group padded with its last
/// voltage), every (VDS, VSB) in storage order (`junctions` holds their [`Device::bias`]).
/// A VGS-independent quantity's row is written from the first group only.
#[inline(always)]
fn fill<const N: usize>(d: &Device, grid: &Grid, layout: &Layout, junctions: &[Bias], block: &mut [f64]) {
    let per_vgs = layout.per_vgs;
    for (g, vgs) in grid.vgs.chunks(N).enumerate() {
        let mut lanes = [vgs[vgs.len() - 1]; N];
        lanes[..vgs.len()].copy_from_slice(vgs);
        for (ij, j) in junctions.iter().enumerate() {
            let p = d.eval_lanes(Lanes(lanes), j).expect("a model with a lane path");
            for (q, v) in Quantity::ALL.into_iter().zip(p.values()) {
                let row = &mut block[layout.row(q)];
                if !layout.flat.contains(q) {
                    // Lane i at VGS index g N + i: every per_vgs-th value from the group's
                    // first (the row ends after the last group's last VGS).
                    let column = row[g * N * per_vgs + ij..].iter_mut().step_by(per_vgs);
                    for (dst, x) in column.zip(v.0) {
                        *dst = x;
                    }
                } else if g == 0 {
                    row[ij] = v.0[0];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two, four and eight lanes (the SSE2, AVX2 and AVX-512 widths; here all compiled for
    /// the build's target) fill a block with the same numbers, the scalar evaluation's to
    /// rounding.
    #[test]
    fn lane_widths_fill_the_scalar_values() {
        let grid = Grid::new(
            vec![0.18e-6],
            (0..19).map(|k| -0.2 + 0.1 * k as f64).collect(),
            vec![-0.3, 0.0, 0.05, 0.9, 1.8],
            vec![-0.2, 0.0, 0.5],
        )
        .unwrap();
        for dev in [DeviceType::Nmos, DeviceType::Pmos] {
            let (card, _) = compile(&ModelSource::pdk("generic180", "tt"), None, dev, 5e-6).unwrap();
            let d = card.device(0.18e-6, 85.0).unwrap();
            let d = &d;
            let junctions: Vec<_> =
                grid.vds.iter().flat_map(|&vds| grid.vsb.iter().map(move |&vsb| d.bias(vds, -vsb))).collect();
            let layout = Layout::new(&grid, card.vgs_independent());
            let n = layout.len(1);
            let (mut two, mut four, mut eight) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            fill::<2>(d, &grid, &layout, &junctions, &mut two);
            fill::<4>(d, &grid, &layout, &junctions, &mut four);
            fill::<8>(d, &grid, &layout, &junctions, &mut eight);
            // A lane's value depends on its own gate voltage only: the same table on a CPU
            // with or without AVX2 or AVX-512.
            assert!(two == four, "{dev:?}: 2 and 4 lanes differ");
            assert!(eight == four, "{dev:?}: 8 and 4 lanes differ");
            for (ig, &vgs) in grid.vgs.iter().enumerate() {
                for (id, &vds) in grid.vds.iter().enumerate() {
                    for (ib, &vsb) in grid.vsb.iter().enumerate() {
                        let k = grid.index(0, ig, id, ib);
                        let p = d.eval(vgs, vds, -vsb).values();
                        let scale = |q: Quantity| four[layout.row(q)].iter().fold(0.0f64, |m, x| m.max(x.abs()));
                        for (q, v) in Quantity::ALL.into_iter().zip(p) {
                            let i = layout.slot(q, k);
                            for x in [two[i], four[i]] {
                                let e = (x - v).abs() / v.abs().max(1e-3 * scale(q)).max(1e-300);
                                assert!(e <= 1e-12, "{dev:?} {q:?} at {vgs} {vds} {vsb}: {x} against {v}");
                                if layout.flat.contains(q) {
                                    // Stored once: the scalar value at every VGS, bit for bit.
                                    assert_eq!(v.to_bits(), p[q.index()].to_bits());
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

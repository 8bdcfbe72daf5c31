//! `.noise`: small-signal noise by the adjoint method.
//!
//! At each frequency the AC matrix `Y = G + jwC` of the operating point is factored once;
//! a forward solve gives the gain from the input source to the output, and one transposed
//! solve `Y^T z = e_out` gives the transfer of every noise current source at once: a source
//! of spectral density `S` between nodes `a` and `b` contributes `S |z_a - z_b|^2` to the
//! output. Sources: resistor thermal noise, diode shot and flicker noise and its series
//! resistance, MOSFET channel thermal and flicker noise and RD/RS (level 1 as ngspice's
//! `mos1noi.c`, BSIM-lite as BSIM3 NOIMOD 1).

use crate::error::SimError;
use crate::instances::DevRef;
use crate::load::fet::{D, S};
use crate::results::{Data, Dataset, Quantity, Vector};
use crate::simulator::Simulator;
use insitu_devices::consts::KELVIN;
use insitu_devices::noise::{diode_flicker_psd, mos1_flicker_psd, mos1_thermal_psd, shot_psd, thermal_psd};
use insitu_netlist::{ElementKind, FreqGrid};
use num_complex::Complex64;
use std::f64::consts::PI;

/// A noise current source between two unknowns: `white + flicker / f^exponent` (A^2/Hz).
#[derive(Debug, Clone)]
struct NoiseSource {
    /// The element it belongs to.
    device: usize,
    a: usize,
    b: usize,
    white: f64,
    flicker: f64,
    exponent: f64,
}

impl NoiseSource {
    fn psd(&self, f: f64) -> f64 {
        let fl = if self.flicker != 0.0 { self.flicker / f.powf(self.exponent) } else { 0.0 };
        self.white + fl
    }
}

impl Simulator {
    /// Every noise source at the present operating point.
    fn noise_sources(&self) -> Vec<NoiseSource> {
        let tk = self.temp_c + KELVIN;
        let mut out = Vec::new();
        let mut add = |device: usize, a: usize, b: usize, white: f64, flicker: f64, exponent: f64| {
            if a != b && (white != 0.0 || flicker != 0.0) {
                out.push(NoiseSource { device, a, b, white, flicker, exponent });
            }
        };
        let card = |e: usize, p: &str| -> Option<f64> {
            match &self.circuit.elements[e].kind {
                ElementKind::Mosfet { model, .. } | ElementKind::Diode { model, .. } => {
                    self.circuit.models[*model].param(p)
                }
                _ => None,
            }
        };
        for r in &self.inst.res {
            add(r.elem, r.a, r.b, thermal_psd(r.g.abs(), tk), 0.0, 1.0);
        }
        for d in &self.inst.diodes {
            add(d.elem, d.ai, d.c, shot_psd(d.id), 0.0, 1.0);
            let kf = card(d.elem, "kf").unwrap_or(0.0);
            let af = card(d.elem, "af").unwrap_or(1.0);
            add(d.elem, d.ai, d.c, 0.0, diode_flicker_psd(kf, af, d.id, 1.0, 1.0), 1.0);
            add(d.elem, d.a, d.ai, thermal_psd(d.dev.series_conductance(), tk), 0.0, 1.0);
        }
        for m in &self.inst.mos1 {
            let l = &m.last;
            let (dp, sp) = (m.f.t[D], m.f.t[S]);
            let ElementKind::Mosfet { geom, .. } = &self.circuit.elements[m.elem].kind else { continue };
            let id = l.dc.mode * l.dc.cdrain - l.dc.cbd;
            let kf = card(m.elem, "kf").unwrap_or(0.0);
            let af = card(m.elem, "af").unwrap_or(1.0);
            let cox = card(m.elem, "tox").filter(|t| *t > 0.0).map_or(0.0, |t| 3.9 * 8.854214871e-12 / t);
            let flicker = mos1_flicker_psd(kf, af, id, 1.0, geom.w, geom.m, m.dev.leff(), cox);
            add(m.elem, dp, sp, mos1_thermal_psd(l.dc.gm, tk), flicker, 1.0);
            let (gd, gs) = (m.dev.drain_conductance(), m.dev.source_conductance());
            add(m.elem, self.unknown_of_terminal(m.elem, 0), dp, thermal_psd(gd, tk), 0.0, 1.0);
            add(m.elem, self.unknown_of_terminal(m.elem, 2), sp, thermal_psd(gs, tk), 0.0, 1.0);
        }
        for m in &self.inst.bsim3 {
            let l = &m.last;
            let (dp, sp) = (m.f.t[D], m.f.t[S]);
            let dc = m.dev.dc(l.vgs, l.vds, l.vbs);
            let (thermal, flicker_1hz) = m.dev.noise_psd(&dc, 1.0);
            let ef = m.dev.flicker_params().2;
            add(m.elem, dp, sp, thermal, flicker_1hz, ef);
            let (gd, gs) = (m.dev.drain_conductance(), m.dev.source_conductance());
            add(m.elem, self.unknown_of_terminal(m.elem, 0), dp, thermal_psd(gd, tk), 0.0, 1.0);
            add(m.elem, self.unknown_of_terminal(m.elem, 2), sp, thermal_psd(gs, tk), 0.0, 1.0);
        }
        out
    }

    /// The unknown of a MOSFET's external drain (0) or source (2) node.
    fn unknown_of_terminal(&self, elem: usize, terminal: usize) -> usize {
        let ElementKind::Mosfet { d, s, .. } = self.circuit.elements[elem].kind else { return self.n };
        let node = if terminal == 0 { d } else { s };
        if node == 0 {
            self.n
        } else {
            node - 1
        }
    }

    /// Runs a noise analysis: output noise at `v(out_p, out_n)` and noise referred to the input
    /// source `input` (node ids and an element id of the circuit).
    pub fn noise(&mut self, out_p: usize, out_n: usize, input: usize, grid: &FreqGrid) -> Result<Dataset, SimError> {
        self.ac_prepare()?;
        let n = self.n;
        let u = |node: usize| if node == 0 { n } else { node - 1 };
        let (op, on) = (u(out_p), u(out_n));
        let mut excitation = vec![Complex64::new(0.0, 0.0); n + 1];
        match self.elem_map.get(input).copied().flatten() {
            Some(DevRef::VSource(k)) => excitation[self.inst.vsrc[k].br] = Complex64::new(1.0, 0.0),
            Some(DevRef::ISource(k)) => {
                let s = &self.inst.isrc[k];
                excitation[s.a] -= Complex64::new(1.0, 0.0);
                excitation[s.b] += Complex64::new(1.0, 0.0);
            }
            _ => return Err(SimError::InvalidAnalysis(".noise needs an independent V or I source as input".into())),
        }
        let sources = self.noise_sources();
        let mut devices: Vec<usize> = sources.iter().map(|s| s.device).collect();
        devices.dedup();
        devices.sort_unstable();
        devices.dedup();
        let freqs = grid.frequencies();
        let mut onoise = Vec::with_capacity(freqs.len());
        let mut inoise = Vec::with_capacity(freqs.len());
        let mut parts = vec![Vec::with_capacity(freqs.len()); devices.len()];
        let mut x = vec![Complex64::new(0.0, 0.0); n + 1];
        let mut z = vec![Complex64::new(0.0, 0.0); n + 1];
        let acw = self.ac.as_mut().expect("prepared above");
        for &f in &freqs {
            let w = 2.0 * PI * f;
            for ((y, &g), &c) in acw.y.iter_mut().zip(&acw.g).zip(&acw.c) {
                *y = Complex64::new(g, w * c);
            }
            acw.lu.factor(&acw.y).map_err(|s| SimError::Singular {
                analysis: format!("noise analysis at f={f:.6e} Hz"),
                detail: format!("at unknown {}", s.unknown),
            })?;
            x.copy_from_slice(&excitation);
            acw.lu.solve(&mut x);
            x[n] = Complex64::new(0.0, 0.0);
            let gain = x[op] - x[on];
            z.iter_mut().for_each(|v| *v = Complex64::new(0.0, 0.0));
            z[op] += Complex64::new(1.0, 0.0);
            z[on] -= Complex64::new(1.0, 0.0);
            z[n] = Complex64::new(0.0, 0.0);
            acw.lu.solve_transpose(&mut z);
            z[n] = Complex64::new(0.0, 0.0);
            let mut total = 0.0;
            let mut per = vec![0.0; devices.len()];
            for s in &sources {
                let c = s.psd(f) * (z[s.a] - z[s.b]).norm_sqr();
                total += c;
                let k = devices.binary_search(&s.device).unwrap_or(0);
                per[k] += c;
            }
            if !total.is_finite() || !gain.norm_sqr().is_finite() {
                return Err(SimError::NonFinite { analysis: "noise analysis".into(), unknown: format!("f={f:e}") });
            }
            onoise.push(total.sqrt());
            inoise.push((total / gain.norm_sqr()).sqrt());
            for (p, v) in parts.iter_mut().zip(per) {
                p.push(v);
            }
        }
        let mut vectors = vec![
            Vector { name: "inoise_spectrum".into(), quantity: Quantity::Noise, data: Data::Real(inoise) },
            Vector { name: "onoise_spectrum".into(), quantity: Quantity::Noise, data: Data::Real(onoise) },
        ];
        for (d, p) in devices.iter().zip(parts) {
            // Each device's share of the output noise power, V^2/Hz.
            let name = format!("onoise_{}", self.circuit.elements[*d].name);
            vectors.push(Vector { name, quantity: Quantity::Noise, data: Data::Real(p) });
        }
        let scale = Vector { name: "frequency".into(), quantity: Quantity::Frequency, data: Data::Real(freqs) };
        Ok(Dataset { name: "Noise Spectral Density Curves".into(), scale: Some(scale), vectors })
    }
}

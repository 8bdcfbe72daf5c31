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
use crate::linear::{LinearSolver, Pivoting};
use crate::load::fet::{D, S};
use crate::results::{Data, Dataset, Quantity, Vector};
use crate::simulator::Simulator;
use insitu_devices::consts::KELVIN;
use insitu_devices::noise::{diode_flicker_psd, mos1_flicker_psd, mos1_thermal_psd, shot_psd, thermal_psd};
use insitu_netlist::{ElementKind, FreqGrid};
use num_complex::Complex64;
use std::f64::consts::PI;

/// ngspice's floor on the squared input-to-output gain (`N_MINGAIN`).
const MIN_GAIN_SQ: f64 = 1e-20;

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
        for m in &self.inst.bsim3v3 {
            let l = &m.last;
            let (dp, sp) = (m.f.t[D], m.f.t[S]);
            let dc = m.dev.dc(l.vgs, l.vds, l.vbs);
            let (thermal, flicker_1hz) = m.dev.noise_psd_at(&dc, l.vgs, l.vds, l.vbs, 1.0);
            let ef = m.dev.flicker_params().2;
            add(m.elem, dp, sp, thermal, flicker_1hz, ef);
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
    /// source `input` (node ids and an element id of the circuit). Returns the spectral
    /// densities; [`Simulator::noise_with_totals`] also integrates them.
    pub fn noise(&mut self, out_p: usize, out_n: usize, input: usize, grid: &FreqGrid) -> Result<Dataset, SimError> {
        self.noise_with_totals(out_p, out_n, input, grid).map(|(spectrum, _)| spectrum)
    }

    /// [`Simulator::noise`], plus ngspice's "Integrated Noise" plot: `onoise_total` (V) and
    /// `inoise_total` (V or A), the RMS noise over the swept band. As ngspice does, each
    /// source's density is integrated on its own, as a power law of frequency between two
    /// grid points, and the integrals are summed.
    pub fn noise_with_totals(
        &mut self,
        out_p: usize,
        out_n: usize,
        input: usize,
        grid: &FreqGrid,
    ) -> Result<(Dataset, Dataset), SimError> {
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
        // Per source: the output density at the previous grid point.
        let mut last_out = vec![0.0; sources.len()];
        let (mut total_out, mut total_in) = (0.0f64, 0.0f64);
        let mut x = vec![Complex64::new(0.0, 0.0); n + 1];
        let mut z = vec![Complex64::new(0.0, 0.0); n + 1];
        let acw = self.ac.as_mut().expect("prepared above");
        // The noise solves every frequency on its own (no lanes, no skipped blocks): it
        // pivots as plain Markowitz, without the AC sweep's voltage sources first (their
        // structural fill would only cost it).
        if let LinearSolver::Dense(lu) = &mut acw.lu {
            lu.set_first_pivots(&[]);
            lu.reset_plan_with(Pivoting::Markowitz);
        }
        for (fi, &f) in freqs.iter().enumerate() {
            acw.assemble(2.0 * PI * f);
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
            // As ngspice (`noisean.c`, N_MINGAIN): the gain that refers noise to the input is
            // floored, so an input with no path to the output gives a finite input noise.
            let gain2 = gain.norm_sqr().max(MIN_GAIN_SQ);
            for (j, s) in sources.iter().enumerate() {
                let c = s.psd(f) * (z[s.a] - z[s.b]).norm_sqr();
                total += c;
                let k = devices.binary_search(&s.device).unwrap_or(0);
                per[k] += c;
                if fi > 0 {
                    total_out += power_law_integral(last_out[j], c, freqs[fi - 1], f, 1.0);
                    // As ngspice: both ends are referred to the input by this point's gain,
                    // after the output densities' floor (the same slope as the output's).
                    total_in += power_law_integral(last_out[j], c, freqs[fi - 1], f, 1.0 / gain2);
                }
                last_out[j] = c;
            }
            if !total.is_finite() || !gain2.is_finite() {
                return Err(SimError::NonFinite { analysis: "noise analysis".into(), unknown: format!("f={f:e}") });
            }
            if total < 0.0 {
                // A model's noise equations outside their range (a negative density) can
                // outweigh the rest: ngspice then prints NaN spectra. Name the device instead.
                let (k, worst) = per.iter().enumerate().fold((0, 0.0), |m, (k, &v)| if v < m.1 { (k, v) } else { m });
                let e = &self.circuit.elements[devices[k]];
                return Err(SimError::device(
                    e,
                    format!(
                        "negative output noise density {worst:.3e} V^2/Hz at f={f:e} Hz: the model's noise \
                         equations are outside their range at this bias (ngspice's spectrum is NaN here)"
                    ),
                ));
            }
            onoise.push(total.sqrt());
            inoise.push((total / gain2).sqrt());
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
        let spectrum = Dataset { name: "Noise Spectral Density Curves".into(), scale: Some(scale), vectors };
        let input_quantity = match self.elem_map.get(input).copied().flatten() {
            Some(DevRef::ISource(_)) => Quantity::Current,
            _ => Quantity::Voltage,
        };
        let totals = Dataset {
            name: "Integrated Noise".into(),
            scale: None,
            vectors: vec![
                Vector {
                    name: "onoise_total".into(),
                    quantity: Quantity::Voltage,
                    data: Data::Real(vec![total_out.sqrt()]),
                },
                Vector {
                    name: "inoise_total".into(),
                    quantity: input_quantity,
                    data: Data::Real(vec![total_in.sqrt()]),
                },
            ],
        };
        Ok((spectrum, totals))
    }
}

/// `scale` times the integral over `[f0, f1]` of a density that is `s0` at `f0`, `s1` at `f1`
/// and a power law of frequency in between (a straight line on log-log axes), as ngspice's
/// `Nintegrate` (densities below 1e-38 count as 1e-38 in the logarithms, before the scale:
/// an input-referred integral has the output's slope).
fn power_law_integral(s0: f64, s1: f64, f0: f64, f1: f64, scale: f64) -> f64 {
    const MIN_DENSITY: f64 = 1e-38;
    // ngspice's N_INTFTHRESH and N_INTUSELOG.
    const FLAT: f64 = 1e-10;
    let (l0, l1) = (f0.ln(), f1.ln());
    let dl = l1 - l0;
    let k = (s1.max(MIN_DENSITY).ln() - s0.max(MIN_DENSITY).ln()) / dl;
    if k.abs() < FLAT {
        return s1 * scale * (f1 - f0);
    }
    let (s0c, s1c) = (s0.max(MIN_DENSITY) * scale, s1.max(MIN_DENSITY) * scale);
    // s(f) = a f^k; the integral is a (f1^(k+1) - f0^(k+1)) / (k + 1), or a ln(f1/f0) at k = -1.
    // With a f^(k+1) = s(f) f it is written from the endpoint whose exponential cannot
    // overflow (a steep slope at 10 GHz made a underflow to 0 times an infinite power: NaN),
    // and with expm1 so that k near -1 (flicker noise) does not cancel.
    let k1 = k + 1.0;
    if k1.abs() < FLAT {
        s1c * f1 * dl
    } else if k1 > 0.0 {
        -s1c * f1 * (-k1 * dl).exp_m1() / k1
    } else {
        s0c * f0 * (k1 * dl).exp_m1() / k1
    }
}

#[cfg(test)]
mod tests {
    use super::power_law_integral;

    #[test]
    fn power_law_integral_is_exact_for_power_laws() {
        // Closed forms: integral of f^k from 10 to 1000.
        for k in [-2.0, -1.0, -0.5, 0.0, 1.0, 2.5] {
            let s = |f: f64| 3e-18 * f64::powf(f, k);
            let exact = if k == -1.0 {
                3e-18 * (1000.0f64 / 10.0).ln()
            } else {
                3e-18 * (1000f64.powf(k + 1.0) - 10f64.powf(k + 1.0)) / (k + 1.0)
            };
            let got = power_law_integral(s(10.0), s(1000.0), 10.0, 1000.0, 1.0);
            assert!((got / exact - 1.0).abs() < 1e-9, "k {k}: {got} vs {exact}");
        }
    }

    #[test]
    fn steep_slopes_at_high_frequency_stay_finite() {
        // s = s1 (f/f1)^k with k = +-150 near 10 GHz: a = s1 f1^-k under- or overflows, but
        // a f^(k+1) = s(f) f, so the integral is (s1 f1 - s0 f0) / (k + 1) exactly.
        let (f0, f1) = (7.9e9, 1e10);
        for (k, s1) in [(150.0, 1e-15), (-150.0, 1e-36), (150.0, 1e-20)] {
            let s0 = s1 * f64::powf(f0 / f1, k);
            let exact = (s1 * f1 - s0 * f0) / (k + 1.0);
            let got = power_law_integral(s0, s1, f0, f1, 1.0);
            assert!(got.is_finite() && (got / exact - 1.0).abs() < 1e-9, "k {k}: {got} vs {exact}");
        }
    }
}

//! Named amplifier and reference specs as plain functions over a testbench's results, each with
//! its exact definition. AC functions take the frequency scale and the complex response `h`
//! (e.g. `v(out)` for a unit AC input); "interpolated" means linearly in frequency between the
//! two sample points around the event, as ngspice's `.meas ac` does.
//! Each is also callable by name in expressions (`phase_margin(v(out))`).

use super::meas;
use super::vectors::{find_wrapped, Kind, Results, Scale};
use super::MeasureError;
use crate::results::Data;
use insitu_netlist::{Circuit, ElementKind};
use num_complex::Complex64;

fn not_found(what: &str) -> MeasureError {
    MeasureError::NotFound { what: what.to_string() }
}

fn db(z: Complex64) -> f64 {
    10.0 * z.norm_sqr().log10()
}

/// The first index `i >= 1` where `|h|^2` falls from `>= lim2` to `< lim2`.
fn fall_below(h: &[Complex64], lim2: f64) -> Option<usize> {
    (1..h.len()).find(|&i| h[i - 1].norm_sqr() >= lim2 && h[i].norm_sqr() < lim2)
}

/// Frequency where the dB gain reaches `level` between points `i-1` and `i`.
fn interp_db(f: Scale, h: &[Complex64], i: usize, level: f64) -> f64 {
    let (d0, d1) = (db(h[i - 1]), db(h[i]));
    let (f0, f1) = (f.at(i - 1), f.at(i));
    f0 + (level - d0) * (f1 - f0) / (d1 - d0)
}

/// Unwrapped phase (degrees) of `h[i]`, the first point taken in (-180, 180]: counts the
/// crossings of the negative real axis up to `i` (consecutive points less than 180° apart).
fn unwrapped_to(h: &[Complex64], i: usize) -> f64 {
    let mut turns = 0i64;
    for j in 1..=i {
        let (a, b) = (h[j - 1], h[j]);
        if (a.im >= 0.0) != (b.im >= 0.0) {
            // Where the segment meets the real axis.
            let re = a.re - a.im * (b.re - a.re) / (b.im - a.im);
            if re < 0.0 {
                turns += if a.im >= 0.0 { 1 } else { -1 };
            }
        }
    }
    h[i].im.atan2(h[i].re).to_degrees() + 360.0 * turns as f64
}

/// DC gain in dB: `20·log10|h[0]|` at the lowest frequency of the sweep.
pub fn dc_gain_db(h: &[Complex64]) -> Result<f64, MeasureError> {
    h.first().map(|z| db(*z)).ok_or_else(|| not_found("AC points"))
}

/// Unity-gain frequency: the first downward crossing of 0 dB (the first `i` with
/// `|h[i-1]| >= 1 > |h[i]|`), interpolated in dB. Not found when the gain never falls
/// through 1.
pub fn ugf(f: Scale, h: &[Complex64]) -> Result<f64, MeasureError> {
    let i = fall_below(h, 1.0).ok_or_else(|| not_found("a 0 dB crossing"))?;
    Ok(interp_db(f, h, i, 0.0))
}

/// Phase margin in degrees: 180 + the phase at the unity-gain frequency ([`ugf`]), the phase
/// unwrapped from the lowest frequency (taken in (-180°, 180°]) and interpolated between the
/// two points around the crossing.
pub fn phase_margin(f: Scale, h: &[Complex64]) -> Result<f64, MeasureError> {
    let i = fall_below(h, 1.0).ok_or_else(|| not_found("a 0 dB crossing"))?;
    let fu = interp_db(f, h, i, 0.0);
    let (p0, p1) = (unwrapped_to(h, i - 1), unwrapped_to(h, i));
    let (f0, f1) = (f.at(i - 1), f.at(i));
    Ok(180.0 + p0 + (fu - f0) * (p1 - p0) / (f1 - f0))
}

/// Gain margin in dB: minus the gain at the first frequency where the unwrapped phase falls
/// through -180° (interpolated), i.e. how far below 0 dB the loop gain is there. Not found
/// when the phase never reaches -180° within the sweep.
pub fn gain_margin(f: Scale, h: &[Complex64]) -> Result<f64, MeasureError> {
    let mut prev = unwrapped_to(h, 0);
    for i in 1..h.len() {
        let p = unwrapped_to(h, i);
        if prev > -180.0 && p <= -180.0 {
            let (f0, f1) = (f.at(i - 1), f.at(i));
            let fx = f0 + (-180.0 - prev) * (f1 - f0) / (p - prev);
            let (d0, d1) = (db(h[i - 1]), db(h[i]));
            return Ok(-(d0 + (fx - f0) * (d1 - d0) / (f1 - f0)));
        }
        prev = p;
    }
    Err(not_found("a -180 degree phase crossing"))
}

/// -3 dB bandwidth: the first frequency where the gain falls below `|h[0]|/√2`
/// (dc gain - 10·log10 2 dB), interpolated in dB.
pub fn f3db(f: Scale, h: &[Complex64]) -> Result<f64, MeasureError> {
    let h0 = h.first().ok_or_else(|| not_found("AC points"))?;
    let lim2 = h0.norm_sqr() / 2.0;
    let i = fall_below(h, lim2).ok_or_else(|| not_found("a -3 dB point"))?;
    Ok(interp_db(f, h, i, 10.0 * lim2.log10()))
}

/// Slew rate (V/s, positive) of the first step in `y`: with `y0 = y[0]`, `y1 = y[last]` and
/// `Δ = y1 - y0`, the time `t_lo` where `y` first reaches `y0 + lo%·Δ` and then `t_hi` where
/// it first reaches `y0 + hi%·Δ` (linear interpolation between points); the result is
/// `|Δ|·(hi - lo)/100 / (t_hi - t_lo)`. Rising or falling follows the sign of `Δ`.
pub fn slew_rate(t: Scale, y: &[f64], lo_pct: f64, hi_pct: f64) -> Result<f64, MeasureError> {
    let (tl, th, step) = edge_times(t, y, lo_pct, hi_pct)?;
    Ok(step.abs() * (hi_pct - lo_pct) / 100.0 / (th - tl))
}

/// Rising (`rising = true`) or falling slew rate (V/s, positive) of a waveform that may hold
/// several edges (a pulse): levels `lo%` and `hi%` of its range `[min y, max y]`; rising, the
/// first upward crossing of the low level and the next upward crossing of the high one; falling,
/// the first downward crossing of the high level and the next downward crossing of the low one;
/// `(hi - lo)% of the range / the time between them`. Overshoot widens the range.
pub fn slew_rate_edge(t: Scale, y: &[f64], lo_pct: f64, hi_pct: f64, rising: bool) -> Result<f64, MeasureError> {
    let n = y.len().min(t.len());
    let (ymin, ymax) = y[..n].iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    let range = ymax - ymin;
    if n < 2 || range <= 0.0 {
        return Err(not_found("an edge (constant waveform)"));
    }
    let (l_lo, l_hi) = (ymin + lo_pct / 100.0 * range, ymin + hi_pct / 100.0 * range);
    let s = if rising { 1.0 } else { -1.0 };
    let cross = |from: usize, level: f64| {
        (from.max(1)..n).find(|&i| s * (y[i] - level) >= 0.0 && s * (y[i - 1] - level) < 0.0).map(|i| {
            let (x0, x1) = (t.at(i - 1), t.at(i));
            (i, x0 + (level - y[i - 1]) * (x1 - x0) / (y[i] - y[i - 1]))
        })
    };
    let (first, second) = if rising { (l_lo, l_hi) } else { (l_hi, l_lo) };
    let (i, t0) = cross(1, first).ok_or_else(|| not_found("the first threshold crossing"))?;
    let (_, t1) = cross(i, second).ok_or_else(|| not_found("the second threshold crossing"))?;
    Ok((hi_pct - lo_pct) / 100.0 * range / (t1 - t0))
}

/// Rise (or fall) time between `lo%` and `hi%` of the step, as in [`slew_rate`] (seconds).
pub fn transition_time(t: Scale, y: &[f64], lo_pct: f64, hi_pct: f64) -> Result<f64, MeasureError> {
    let (tl, th, _) = edge_times(t, y, lo_pct, hi_pct)?;
    Ok(th - tl)
}

fn edge_times(t: Scale, y: &[f64], lo_pct: f64, hi_pct: f64) -> Result<(f64, f64, f64), MeasureError> {
    let n = y.len().min(t.len());
    if n < 2 {
        return Err(not_found("a step (fewer than 2 points)"));
    }
    let (y0, y1) = (y[0], y[n - 1]);
    let step = y1 - y0;
    if step == 0.0 {
        return Err(not_found("a step (final value equals initial value)"));
    }
    let s = step.signum();
    let reach = |from: usize, level: f64| -> Option<(usize, f64)> {
        (from.max(1)..n).find(|&i| s * (y[i] - level) >= 0.0 && s * (y[i - 1] - level) < 0.0).map(|i| {
            let (x0, x1) = (t.at(i - 1), t.at(i));
            (i, x0 + (level - y[i - 1]) * (x1 - x0) / (y[i] - y[i - 1]))
        })
    };
    let (i, tl) = reach(1, y0 + lo_pct / 100.0 * step).ok_or_else(|| not_found("the low threshold crossing"))?;
    let (_, th) = reach(i, y0 + hi_pct / 100.0 * step).ok_or_else(|| not_found("the high threshold crossing"))?;
    Ok((tl, th, step))
}

/// Settling time (s): with `y0 = y[0]`, final value `yf` (default `y[last]`) and the band
/// `band·|yf - y0|` (e.g. `band = 0.01` for 1 %), the time from where `y` first leaves the band
/// around `y0` to where it last enters the band around `yf` (both interpolated between points).
/// Not found when it never leaves the initial band or ends outside the final band.
pub fn settling_time(t: Scale, y: &[f64], band: f64, final_value: Option<f64>) -> Result<f64, MeasureError> {
    let n = y.len().min(t.len());
    if n < 2 {
        return Err(not_found("a step (fewer than 2 points)"));
    }
    let y0 = y[0];
    let yf = final_value.unwrap_or(y[n - 1]);
    let tol = band * (yf - y0).abs();
    let lerp = |i: usize, level: f64| {
        let (x0, x1) = (t.at(i - 1), t.at(i));
        if y[i] == y[i - 1] {
            x1
        } else {
            x0 + (level - y[i - 1]) * (x1 - x0) / (y[i] - y[i - 1])
        }
    };
    let i0 =
        (1..n).find(|&i| (y[i] - y0).abs() > tol).ok_or_else(|| not_found("a departure from the initial value"))?;
    let edge = if y[i0] > y0 { y0 + tol } else { y0 - tol };
    let start = lerp(i0, edge);
    if (y[n - 1] - yf).abs() > tol {
        return Err(not_found("settling within the band before the end"));
    }
    let last_out = (1..n).rev().find(|&i| (y[i - 1] - yf).abs() > tol);
    let end = match last_out {
        None => t.at(0),
        Some(i) => {
            let edge = if y[i - 1] > yf { yf + tol } else { yf - tol };
            lerp(i, edge)
        }
    };
    Ok(end - start)
}

/// Overshoot in percent of the step: with `y0 = y[0]`, `yf = y[last]`, for a rising step
/// `(max y - yf)/(yf - y0)·100`, for a falling one `(yf - min y)/(y0 - yf)·100` (sample
/// points only; 0 when the response never passes its final value).
pub fn overshoot(y: &[f64]) -> Result<f64, MeasureError> {
    let (Some(&y0), Some(&yf)) = (y.first(), y.last()) else {
        return Err(not_found("transient points"));
    };
    let step = yf - y0;
    if step == 0.0 {
        return Err(not_found("a step (final value equals initial value)"));
    }
    let peak = if step > 0.0 {
        y.iter().copied().fold(f64::NEG_INFINITY, f64::max) - yf
    } else {
        yf - y.iter().copied().fold(f64::INFINITY, f64::min)
    };
    Ok(peak.max(0.0) / step.abs() * 100.0)
}

/// Power (W) delivered by voltage source `name` at the operating point (the op dataset, else
/// the simulator's last solution): `-(v(p) - v(n))·i(name)` (ngspice's `i(vdd)` is negative
/// when the source supplies power).
pub fn power(r: &Results, name: &str) -> Result<f64, MeasureError> {
    let sim = r.simulator().ok_or(MeasureError::NoSimulator)?;
    let ckt = sim.circuit();
    let unknown = || MeasureError::UnknownDevice { name: name.to_string() };
    let id = ckt.element(name).ok_or_else(unknown)?;
    let ElementKind::VoltageSource { p, n, .. } = ckt.elements[id].kind else {
        return Err(unknown());
    };
    let Ok(ds) = r.dataset(Kind::Op) else {
        // No op dataset: the simulator's last solution (after an .ac, its operating point).
        use super::vectors::sim_unknown;
        let bad = || MeasureError::UnknownDevice { name: name.to_string() };
        let v = |node: usize| if node == 0 { Some(0.0) } else { sim_unknown(sim, &ckt.nodes[node], false) };
        let u = v(p).ok_or_else(bad)? - v(n).ok_or_else(bad)?;
        return Ok(-u * sim_unknown(sim, name, true).ok_or_else(bad)?);
    };
    let get = |prefix: &str, node: &str| -> Result<f64, MeasureError> {
        if prefix == "v" && node == "0" {
            return Ok(0.0);
        }
        match find_wrapped(ds, prefix, node).map(|v| &v.data) {
            Some(Data::Real(v)) if !v.is_empty() => Ok(v[0]),
            _ => Err(MeasureError::UnknownVector { name: format!("{prefix}({node})") }),
        }
    };
    let v = get("v", &ckt.nodes[p])? - get("v", &ckt.nodes[n])?;
    Ok(-v * get("i", name)?)
}

/// Area (m²): the sum of `W·L·M` over the MOSFETs of the circuit.
pub fn area(ckt: &Circuit) -> f64 {
    ckt.elements
        .iter()
        .map(|e| match &e.kind {
            ElementKind::Mosfet { geom, .. } => geom.w * geom.l * geom.m,
            _ => 0.0,
        })
        .sum()
}

/// Output swing (V) from a DC transfer sweep `y(x)`: the range of `y` over the sweep points
/// where the small-signal gain `|dy/dx|` (central differences, one-sided at the ends) is at
/// least `fraction` of its largest value.
pub fn output_swing(x: Scale, y: &[f64], fraction: f64) -> Result<f64, MeasureError> {
    let n = y.len().min(x.len());
    if n < 2 {
        return Err(not_found("a DC sweep (fewer than 2 points)"));
    }
    let g = |i: usize| {
        let (a, b) = (i.saturating_sub(1), (i + 1).min(n - 1));
        ((y[b] - y[a]) / (x.at(b) - x.at(a))).abs()
    };
    let gmax = (0..n).map(g).fold(0.0, f64::max);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in (0..n).filter(|&i| g(i) >= fraction * gmax) {
        lo = lo.min(y[i]);
        hi = hi.max(y[i]);
    }
    Ok(hi - lo)
}

/// Input offset (V) of an amplifier in unity-gain feedback at its operating point:
/// `v_out - v_in`.
pub fn offset(v_out: f64, v_in: f64) -> f64 {
    v_out - v_in
}

/// Rejection ratio in dB from two AC responses at the same frequency: `20·log10(|a_dm| / |a_x|)`
/// (CMRR with `a_x` the common-mode gain, PSRR with `a_x` the supply-to-output gain).
pub fn rejection_db(a_dm: Complex64, a_x: Complex64) -> f64 {
    db(a_dm) - db(a_x)
}

/// CMRR (dB): [`rejection_db`] of the differential and the common-mode gain.
pub fn cmrr(a_dm: Complex64, a_cm: Complex64) -> f64 {
    rejection_db(a_dm, a_cm)
}

/// PSRR (dB): [`rejection_db`] of the differential and the supply-to-output gain.
pub fn psrr(a_dm: Complex64, a_supply: Complex64) -> f64 {
    rejection_db(a_dm, a_supply)
}

/// Input-referred noise density at frequency `f` (units of `inoise_spectrum`, V/√Hz),
/// interpolated linearly between points.
pub fn input_noise_at(freq: Scale, inoise: &[f64], f: f64) -> Result<f64, MeasureError> {
    meas::at(Kind::Noise, freq, inoise, f).ok_or_else(|| not_found("the frequency in the noise sweep"))
}

/// Noise integrated over `[f1, f2]` (V rms): `sqrt(∫ density² df)`, with `density²` taken as
/// a power law `S(f) = S0·(f/f0)^a` between neighbouring sweep points (as ngspice integrates
/// each source's density for its "Integrated Noise"; here the total density is integrated, so
/// the result is close to, not equal to, ngspice's `inoise_total`). Band ends inside a segment
/// are cut on the same power law.
pub fn integrated_noise(freq: Scale, density: &[f64], f1: f64, f2: f64) -> Result<f64, MeasureError> {
    let n = density.len().min(freq.len());
    // ∫ from a to b of S0 (f/f0)^e df for the segment's power law through (f0, S0), (fb, Sb).
    let seg = |f0: f64, s0: f64, fb: f64, sb: f64, a: f64, b: f64| -> f64 {
        if s0 <= 0.0 || sb <= 0.0 || f0 <= 0.0 {
            // Not a power law: the trapezoid on the cut segment.
            let at = |x: f64| s0 + (sb - s0) * (x - f0) / (fb - f0);
            return 0.5 * (at(a) + at(b)) * (b - a);
        }
        let e = (sb / s0).ln() / (fb / f0).ln();
        if (e + 1.0).abs() < 1e-9 {
            s0 * f0 * (b / a).ln()
        } else {
            s0 * f0 / (e + 1.0) * ((b / f0).powf(e + 1.0) - (a / f0).powf(e + 1.0))
        }
    };
    let mut total = 0.0;
    let mut any = false;
    for i in 1..n {
        let (fa, fb) = (freq.at(i - 1), freq.at(i));
        let (a, b) = (fa.max(f1), fb.min(f2));
        if b <= a {
            continue;
        }
        any = true;
        total += seg(fa, density[i - 1].powi(2), fb, density[i].powi(2), a, b);
    }
    if !any {
        return Err(not_found("points in the band"));
    }
    Ok(total.sqrt())
}

/// Temperature coefficient (ppm/°C) by the box method over a `.dc temp` sweep `y(T)`:
/// `(max y - min y) / (y_nom · (T_max - T_min)) · 1e6`, `y_nom` the value at 27 °C
/// (interpolated; the sweep's middle point when 27 °C is outside it).
pub fn tc_ppm(temp: Scale, y: &[f64]) -> Result<f64, MeasureError> {
    let n = y.len().min(temp.len());
    if n < 2 {
        return Err(not_found("a temperature sweep (fewer than 2 points)"));
    }
    let (ymin, ymax) = y[..n].iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    let (tmin, tmax) =
        (0..n).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), i| (a.min(temp.at(i)), b.max(temp.at(i))));
    let ynom = meas::at(Kind::Dc, temp, &y[..n], 27.0).unwrap_or(y[n / 2]);
    Ok((ymax - ymin) / (ynom * (tmax - tmin)) * 1e6)
}

/// Line regulation (V/V) from a DC sweep of the supply `x`: the average slope
/// `(y[last] - y[0]) / (x[last] - x[0])`.
pub fn line_regulation(x: Scale, y: &[f64]) -> Result<f64, MeasureError> {
    let n = y.len().min(x.len());
    if n < 2 {
        return Err(not_found("a supply sweep (fewer than 2 points)"));
    }
    Ok((y[n - 1] - y[0]) / (x.at(n - 1) - x.at(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-pole amplifier h = A0 / ((1 + s/p1)(1 + s/p2)) on a log grid.
    fn two_pole(a0: f64, f1: f64, f2: f64) -> (Vec<f64>, Vec<Complex64>) {
        let f: Vec<f64> = (0..=400).map(|k| 10f64.powf(k as f64 / 40.0)).collect();
        let h = f
            .iter()
            .map(|&fr| {
                let j = Complex64::new(0.0, 1.0);
                a0 / ((1.0 + j * fr / f1) * (1.0 + j * fr / f2))
            })
            .collect();
        (f, h)
    }

    #[test]
    fn single_pole_ugf_is_gain_bandwidth() {
        // Second pole far away: UGF -> A0·f1 (to first order in fu/f2), PM -> 90 - atan(fu/f2).
        let (a0, f1, f2) = (1000.0, 1e3, 1e12);
        let (f, h) = two_pole(a0, f1, f2);
        let fu = ugf(Scale::Real(&f), &h).unwrap();
        // exact |h(fu)| = 1: fu = f1·sqrt(a0² - 1) (neglecting f2)
        let exact = f1 * (a0 * a0 - 1.0f64).sqrt();
        assert!((fu / exact - 1.0).abs() < 2e-3, "{fu} vs {exact}");
        let pm = phase_margin(Scale::Real(&f), &h).unwrap();
        let pm_exact = 180.0 - (exact / f1).atan().to_degrees() - (exact / f2).atan().to_degrees();
        assert!((pm - pm_exact).abs() < 0.05, "{pm} vs {pm_exact}");
        // at the first point, 1 Hz: |h| = A0 / sqrt(1 + (1/f1)²)
        let g0 = 20.0 * (a0 / (1.0 + (1.0 / f1).powi(2)).sqrt()).log10();
        assert!((dc_gain_db(&h).unwrap() - g0).abs() < 1e-9);
        let bw = f3db(Scale::Real(&f), &h).unwrap();
        assert!((bw / f1 - 1.0).abs() < 1e-2, "{bw}");
    }

    #[test]
    fn second_pole_sets_phase_margin() {
        // p2 at the UGF: PM = 180 - atan(fu/f1) - 45 ≈ 45 degrees.
        let (a0, f1) = (1000.0, 1e3);
        let f2 = 1e6;
        let (f, h) = two_pole(a0, f1, f2);
        let fu = ugf(Scale::Real(&f), &h).unwrap();
        let pm = phase_margin(Scale::Real(&f), &h).unwrap();
        let exact = 180.0 - (fu / f1).atan().to_degrees() - (fu / f2).atan().to_degrees();
        assert!((pm - exact).abs() < 0.1, "{pm} vs {exact}");
        assert!((pm - 51.8).abs() < 1.0, "{pm}");
        // Two poles never reach -180: no gain margin.
        assert!(matches!(gain_margin(Scale::Real(&f), &h), Err(MeasureError::NotFound { .. })));
    }

    #[test]
    fn step_specs_on_a_first_order_response() {
        // y = 1 - exp(-t/tau): 10-90 % rise = tau·ln 9; no overshoot; 1 % settling from 0 = tau·ln 100.
        let tau = 1e-6;
        let t: Vec<f64> = (0..=20000).map(|k| k as f64 * 1e-9).collect();
        let y: Vec<f64> = t.iter().map(|t| 1.0 - (-t / tau).exp()).collect();
        let yf = *y.last().unwrap();
        let rise = transition_time(Scale::Real(&t), &y, 10.0, 90.0).unwrap();
        assert!((rise / (tau * 9f64.ln()) - 1.0).abs() < 1e-5, "{rise}");
        let sr = slew_rate(Scale::Real(&t), &y, 10.0, 90.0).unwrap();
        assert!((sr - 0.8 * yf / rise).abs() < 1e-9 * sr);
        // The same edge by the multi-edge form, and a falling edge appended (mirror image).
        let edge = slew_rate_edge(Scale::Real(&t), &y, 10.0, 90.0, true).unwrap();
        assert!((edge / sr - 1.0).abs() < 1e-12);
        let n = y.len();
        let t2: Vec<f64> = (0..2 * n).map(|k| k as f64 * 1e-9).collect();
        let y2: Vec<f64> = y.iter().copied().chain(y.iter().map(|v| yf - v)).collect();
        let fall = slew_rate_edge(Scale::Real(&t2), &y2, 10.0, 90.0, false).unwrap();
        assert!((fall / sr - 1.0).abs() < 1e-6, "{fall} vs {sr}");
        assert_eq!(overshoot(&y).unwrap(), 0.0);
        let ts = settling_time(Scale::Real(&t), &y, 0.01, Some(1.0)).unwrap();
        // from leaving [0, 0.01] (t = -tau·ln 0.99) to entering [0.99, 1.01] (t = tau·ln 100)
        let exact = tau * 100f64.ln() + tau * 0.99f64.ln();
        assert!((ts - exact).abs() < 1e-12, "{ts} vs {exact}");
    }
}

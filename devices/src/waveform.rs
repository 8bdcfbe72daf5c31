//! Independent-source waveforms (PULSE, SIN, EXP, PWL) with ngspice's defaults
//! (`vsrcload.c`): missing or zero TR/TF/TAU default to TSTEP, PW/PER to TSTOP, SIN
//! frequency to 1/TSTOP, EXP TD1 to TSTEP and TD2 to TD1 + TSTEP.

use crate::DeviceError;

/// Waveform kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `PULSE(V1 V2 TD TR TF PW PER [NP])`.
    Pulse,
    /// `SIN(VO VA [FREQ [TD [THETA [PHASE]]]])`.
    Sin,
    /// `EXP(V1 V2 [TD1 [TAU1 [TD2 [TAU2]]]])`.
    Exp,
    /// PWL(T1 V1 T2 V2 ...).
    Pwl,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Pulse { v1: f64, v2: f64, td: f64, tr: f64, tf: f64, pw: f64, per: f64, tmax: f64 },
    Sin { vo: f64, va: f64, freq: f64, td: f64, theta: f64, phase: f64 },
    Exp { v1: f64, v2: f64, td1: f64, tau1: f64, td2: f64, tau2: f64 },
    Pwl { points: Vec<(f64, f64)> },
}

/// A time-dependent source value with its defaults resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Waveform {
    kind: Kind,
}

fn err(what: &str, value: f64, reason: &str) -> DeviceError {
    DeviceError::invalid("waveform", what, value, reason)
}

/// Largest number of breakpoints a periodic source contributes.
const MAX_BREAKPOINTS: usize = 1_000_000;

impl Waveform {
    /// Builds a waveform from its arguments, resolving defaults from the transient `tstep`
    /// and `tstop` as ngspice does. Errors on missing arguments, non-finite values, PWL
    /// with an odd count or decreasing times.
    pub fn new(shape: Shape, args: &[f64], tstep: f64, tstop: f64) -> Result<Waveform, DeviceError> {
        if let Some(bad) = args.iter().find(|a| !a.is_finite()) {
            return Err(err("argument", *bad, "not a finite number"));
        }
        let get = |i: usize| args.get(i).copied();
        let or_nonzero = |i: usize, dflt: f64| match get(i) {
            Some(v) if v != 0.0 => v,
            _ => dflt,
        };
        let kind = match shape {
            Shape::Pulse => {
                if args.len() < 2 {
                    return Err(err("pulse", args.len() as f64, "PULSE needs at least V1 and V2"));
                }
                let per = or_nonzero(6, tstop);
                let np = get(7).unwrap_or(0.0);
                Kind::Pulse {
                    v1: args[0],
                    v2: args[1],
                    td: get(2).unwrap_or(0.0),
                    tr: or_nonzero(3, tstep),
                    tf: or_nonzero(4, tstep),
                    pw: or_nonzero(5, tstop),
                    per,
                    tmax: if np > 0.0 { np * per } else { f64::INFINITY },
                }
            }
            Shape::Sin => {
                if args.len() < 2 {
                    return Err(err("sin", args.len() as f64, "SIN needs at least VO and VA"));
                }
                Kind::Sin {
                    vo: args[0],
                    va: args[1],
                    freq: or_nonzero(2, 1.0 / tstop),
                    td: get(3).unwrap_or(0.0),
                    theta: get(4).unwrap_or(0.0),
                    phase: get(5).unwrap_or(0.0),
                }
            }
            Shape::Exp => {
                if args.len() < 2 {
                    return Err(err("exp", args.len() as f64, "EXP needs at least V1 and V2"));
                }
                let td1 = or_nonzero(2, tstep);
                Kind::Exp {
                    v1: args[0],
                    v2: args[1],
                    td1,
                    tau1: or_nonzero(3, tstep),
                    td2: or_nonzero(4, td1 + tstep),
                    tau2: or_nonzero(5, tstep),
                }
            }
            Shape::Pwl => {
                if args.len() < 2 || !args.len().is_multiple_of(2) {
                    return Err(err("pwl", args.len() as f64, "PWL needs time-value pairs"));
                }
                let points: Vec<(f64, f64)> = args.chunks_exact(2).map(|c| (c[0], c[1])).collect();
                for w in points.windows(2) {
                    if w[1].0 < w[0].0 {
                        return Err(err("pwl", w[1].0, "PWL times must not decrease"));
                    }
                }
                Kind::Pwl { points }
            }
        };
        Ok(Waveform { kind })
    }

    /// Value at time `t` (no allocation).
    pub fn value(&self, t: f64) -> f64 {
        match &self.kind {
            Kind::Pulse { v1, v2, td, tr, tf, pw, per, tmax } => {
                let mut time = t - td;
                if time > *tmax {
                    return *v1;
                }
                if time > *per {
                    time -= per * (time / per).floor();
                }
                if time <= 0.0 || time >= tr + pw + tf {
                    *v1
                } else if time >= *tr && time <= tr + pw {
                    *v2
                } else if time > 0.0 && time < *tr {
                    v1 + (v2 - v1) * time / tr
                } else {
                    v2 + (v1 - v2) * (time - (tr + pw)) / tf
                }
            }
            Kind::Sin { vo, va, freq, td, theta, phase } => {
                let ph = phase * std::f64::consts::PI / 180.0;
                let time = t - td;
                if time <= 0.0 {
                    vo + va * ph.sin()
                } else {
                    vo + va * (freq * time * 2.0 * std::f64::consts::PI + ph).sin() * (-time * theta).exp()
                }
            }
            Kind::Exp { v1, v2, td1, tau1, td2, tau2 } => {
                if t <= *td1 {
                    *v1
                } else if t <= *td2 {
                    v1 + (v2 - v1) * (1.0 - (-(t - td1) / tau1).exp())
                } else {
                    v1 + (v2 - v1) * (1.0 - (-(t - td1) / tau1).exp()) + (v1 - v2) * (1.0 - (-(t - td2) / tau2).exp())
                }
            }
            Kind::Pwl { points } => {
                let first = points[0];
                if t <= first.0 {
                    return first.1;
                }
                // Index of the first point with time > t.
                let i = points.partition_point(|p| p.0 <= t);
                if i >= points.len() {
                    return points[points.len() - 1].1;
                }
                let (t0, y0) = points[i - 1];
                let (t1, y1) = points[i];
                if t1 == t0 {
                    y1
                } else {
                    y0 + (t - t0) / (t1 - t0) * (y1 - y0)
                }
            }
        }
    }

    /// Corners of the waveform in [0, `tstop`], sorted and without duplicates: PULSE edges
    /// of every period, PWL points, EXP delays, the SIN delay.
    pub fn breakpoints(&self, tstop: f64) -> Vec<f64> {
        let mut out = Vec::new();
        let mut push = |t: f64| {
            if t >= 0.0 && t <= tstop && t.is_finite() {
                out.push(t);
            }
        };
        match &self.kind {
            Kind::Pulse { td, tr, tf, pw, per, tmax, .. } => {
                let mut k = 0usize;
                loop {
                    let base = td + (k as f64) * per;
                    if base > tstop || (k as f64) * per >= *tmax || k >= MAX_BREAKPOINTS || *per <= 0.0 {
                        break;
                    }
                    for c in [0.0, *tr, tr + pw, tr + pw + tf] {
                        push(base + c);
                    }
                    k += 1;
                }
            }
            Kind::Sin { td, .. } => {
                if *td > 0.0 {
                    push(*td);
                }
            }
            Kind::Exp { td1, td2, .. } => {
                push(*td1);
                push(*td2);
            }
            Kind::Pwl { points } => {
                for p in points {
                    push(p.0);
                }
            }
        }
        out.sort_by(f64::total_cmp);
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulse_defaults_and_shape() {
        let w = Waveform::new(Shape::Pulse, &[0.0, 1.0, 1e-9, 1e-9, 1e-9, 5e-9, 20e-9], 1e-10, 1e-7).unwrap();
        assert_eq!(w.value(0.0), 0.0);
        assert!((w.value(1.5e-9) - 0.5).abs() < 1e-12);
        assert_eq!(w.value(3e-9), 1.0);
        assert!((w.value(21.5e-9) - 0.5).abs() < 1e-9);
        let bp = w.breakpoints(25e-9);
        assert!(bp.contains(&1e-9) && bp.contains(&2e-9) && bp.contains(&7e-9) && bp.contains(&8e-9));
        // tr/tf default to tstep, pw/per to tstop.
        let w = Waveform::new(Shape::Pulse, &[0.0, 1.0], 1e-9, 1e-6).unwrap();
        assert!((w.value(0.5e-9) - 0.5).abs() < 1e-12);
        assert_eq!(w.value(0.5e-6), 1.0);
    }

    #[test]
    fn pwl_sin_exp() {
        let w = Waveform::new(Shape::Pwl, &[0.0, 0.0, 1.0, 2.0, 2.0, 2.0, 3.0, -1.0], 0.1, 3.0).unwrap();
        assert_eq!(w.value(-1.0), 0.0);
        assert_eq!(w.value(0.5), 1.0);
        assert_eq!(w.value(1.5), 2.0);
        assert_eq!(w.value(2.5), 0.5);
        assert_eq!(w.value(9.0), -1.0);
        assert_eq!(w.breakpoints(3.0), vec![0.0, 1.0, 2.0, 3.0]);
        let s = Waveform::new(Shape::Sin, &[1.0, 2.0, 1e3], 1e-6, 1e-3).unwrap();
        assert!((s.value(0.25e-3) - 3.0).abs() < 1e-12);
        let e = Waveform::new(Shape::Exp, &[0.0, 1.0, 1e-6, 1e-6, 5e-6, 1e-6], 1e-7, 1e-5).unwrap();
        assert_eq!(e.value(0.5e-6), 0.0);
        assert!((e.value(2e-6) - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        assert!(Waveform::new(Shape::Pwl, &[0.0, 1.0, 1.0], 0.1, 1.0).is_err());
        assert!(Waveform::new(Shape::Pulse, &[0.0, f64::NAN], 0.1, 1.0).is_err());
    }
}

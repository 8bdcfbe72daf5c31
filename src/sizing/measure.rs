//! Adapter between the sizing loop and the measurements: what a measurement needs (which
//! analyses) and its value from the datasets of one corner.
//!
//! INTERIM (until `insitu_solver::measure` lands): expressions are parsed with the deck's own
//! `.param` expression parser (`insitu_netlist::expr`) and evaluated over a small set of
//! calls: `v(node)` / `i(source)` at the operating point, deck `.param` names, the netlist's
//! built-in functions, and the named specs `dc_gain_db(v(n))`, `ugf(v(n))`,
//! `phase_margin(v(n))`, `f3db(v(n))`, `slew_rate(v(n))`, `tc_ppm(v(n))` (over a `.dc temp`
//! sweep) and `dc_value(v(n))`. `{"meas": "pm"}` names a spec applied to `v(out)`.
//! This module's body is replaced by calls into the measurements module when it is merged.

use super::problem::MeasurementDef;
use insitu_netlist::expr::{apply_bin, apply_un, parse_expr, Expr, Func};
use insitu_solver::Dataset;
use num_complex::Complex64;

/// Which analyses a measurement reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub op: bool,
    pub dc: bool,
    pub ac: bool,
    pub tran: bool,
    pub noise: bool,
}

impl Needs {
    /// Union.
    pub fn or(self, o: Needs) -> Needs {
        Needs {
            op: self.op || o.op,
            dc: self.dc || o.dc,
            ac: self.ac || o.ac,
            tran: self.tran || o.tran,
            noise: self.noise || o.noise,
        }
    }
}

/// The analysis named in a problem file (`op`, `dcOp`, `dc`, `ac`, `tran`, `noise`).
pub fn analysis_kind(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "op" | "dcop" => Some("op"),
        "dc" => Some("dc"),
        "ac" => Some("ac"),
        "tran" => Some("tran"),
        "noise" => Some("noise"),
        _ => None,
    }
}

/// The datasets of one corner's run.
#[derive(Debug, Default, Clone)]
pub struct Results {
    pub op: Option<Dataset>,
    pub dc: Option<Dataset>,
    pub ac: Option<Dataset>,
    pub tran: Option<Dataset>,
    pub noise: Option<Dataset>,
    /// The deck's `.param` values in force (name, value).
    pub params: Vec<(String, f64)>,
}

/// Named specs and the analysis each reads.
const NAMED: [(&str, &str); 8] = [
    ("dc_gain_db", "ac"),
    ("ugf", "ac"),
    ("phase_margin", "ac"),
    ("f3db", "ac"),
    ("slew_rate", "tran"),
    ("tc_ppm", "dc"),
    ("dc_value", "dc"),
    ("psrr_db", "ac"),
];

/// Short names accepted by `{"meas": ...}`.
fn named_alias(n: &str) -> Option<&'static str> {
    Some(match n {
        "pm" | "phase_margin" => "phase_margin",
        "gbw" | "ugf" | "ugb" => "ugf",
        "gain" | "dc_gain" | "dc_gain_db" => "dc_gain_db",
        "f3db" => "f3db",
        "sr" | "slew_rate" => "slew_rate",
        "tc" | "tc_ppm" => "tc_ppm",
        "psrr" | "psrr_db" => "psrr_db",
        _ => return None,
    })
}

/// A compiled measurement.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub name: String,
    expr: Expr,
    needs: Needs,
}

impl Measurement {
    /// Compiles a problem-file measurement; the error says what is wrong with `expr`/`meas`.
    pub fn compile(name: &str, def: &MeasurementDef) -> Result<Measurement, String> {
        let text = match (&def.expr, &def.meas) {
            (Some(e), _) => e.clone(),
            (None, Some(m)) => {
                let m = m.trim().to_ascii_lowercase();
                let (head, arg) = match m.split_once('(') {
                    Some((h, rest)) => (h.trim().to_string(), format!("({rest}")),
                    None => (m.clone(), "(v(out))".to_string()),
                };
                let Some(f) = named_alias(&head) else {
                    return Err(format!(
                        "unknown measurement '{m}' (named specs: pm, gbw, gain, f3db, sr, tc, psrr; deck .meas \
                         results are not available yet)"
                    ));
                };
                format!("{f}{arg}")
            }
            (None, None) => return Err("needs expr or meas".into()),
        };
        let expr = parse_expr(&text.to_ascii_lowercase())
            .map_err(|(col, msg)| format!("column {}: {msg} in '{text}'", col + 1))?;
        let mut needs = Needs::default();
        check(&expr, &mut needs)?;
        if let Some(a) = def.analysis.as_deref().and_then(analysis_kind) {
            match a {
                "op" => needs.op = true,
                "dc" => needs.dc = true,
                "ac" => needs.ac = true,
                "tran" => needs.tran = true,
                _ => needs.noise = true,
            }
        }
        Ok(Measurement { name: name.to_string(), expr, needs })
    }

    /// The `.param` names it reads.
    pub fn vars(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_vars(&self.expr, &mut out);
        out
    }

    /// The analyses it reads.
    pub fn needs(&self) -> Needs {
        self.needs
    }

    /// Its value at one corner.
    pub fn eval(&self, r: &Results) -> Result<f64, String> {
        let v = eval(&self.expr, r)?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("{} is not finite ({v})", self.name))
        }
    }
}

fn collect_vars(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Num(_) => {}
        Expr::Var(v) => {
            if !out.contains(v) {
                out.push(v.clone())
            }
        }
        Expr::Un(_, a) => collect_vars(a, out),
        Expr::Bin(_, a, b) => {
            collect_vars(a, out);
            collect_vars(b, out)
        }
        Expr::Tern(c, a, b) => {
            collect_vars(c, out);
            collect_vars(a, out);
            collect_vars(b, out)
        }
        Expr::Call(_, args) => {
            if probe(e).is_none() {
                args.iter().for_each(|a| collect_vars(a, out))
            }
        }
    }
}

fn check(e: &Expr, needs: &mut Needs) -> Result<(), String> {
    match e {
        Expr::Num(_) | Expr::Var(_) => Ok(()),
        Expr::Un(_, a) => check(a, needs),
        Expr::Bin(_, a, b) => {
            check(a, needs)?;
            check(b, needs)
        }
        Expr::Tern(c, a, b) => {
            check(c, needs)?;
            check(a, needs)?;
            check(b, needs)
        }
        Expr::Call(name, args) => match name.as_str() {
            "v" | "i" => {
                if args.len() != 1 || !matches!(args[0], Expr::Var(_)) {
                    return Err(format!("{name}() takes one node or source name"));
                }
                needs.op = true;
                Ok(())
            }
            n => {
                if let Some((_, a)) = NAMED.iter().find(|(k, _)| *k == n) {
                    if args.len() != 1 || probe(&args[0]).is_none() {
                        return Err(format!("{n}() takes one vector, e.g. {n}(v(out))"));
                    }
                    match *a {
                        "ac" => needs.ac = true,
                        "tran" => needs.tran = true,
                        _ => needs.dc = true,
                    }
                    return Ok(());
                }
                let (_, k) = Func::lookup(n).ok_or_else(|| format!("unknown function '{n}'"))?;
                if args.len() != k {
                    return Err(format!("{n}() takes {k} argument(s)"));
                }
                args.iter().try_for_each(|a| check(a, needs))
            }
        },
    }
}

/// `v(node)` -> "v(node)", `i(src)` -> "i(src)".
fn probe(e: &Expr) -> Option<String> {
    match e {
        Expr::Call(f, a) if (f == "v" || f == "i") && a.len() == 1 => match &a[0] {
            Expr::Var(n) => Some(format!("{f}({n})")),
            _ => None,
        },
        _ => None,
    }
}

fn eval(e: &Expr, r: &Results) -> Result<f64, String> {
    Ok(match e {
        Expr::Num(v) => *v,
        Expr::Var(n) => {
            r.params.iter().find(|(k, _)| k == n).map(|(_, v)| *v).ok_or_else(|| format!("unknown parameter '{n}'"))?
        }
        Expr::Un(op, a) => apply_un(*op, eval(a, r)?),
        Expr::Bin(op, a, b) => apply_bin(*op, eval(a, r)?, eval(b, r)?),
        Expr::Tern(c, a, b) => {
            if eval(c, r)? != 0.0 {
                eval(a, r)?
            } else {
                eval(b, r)?
            }
        }
        Expr::Call(name, args) => match name.as_str() {
            "v" | "i" => {
                let p = probe(e).ok_or("bad probe")?;
                let op = r.op.as_ref().ok_or("no operating point")?;
                op.real(&p).and_then(|v| v.first().copied()).ok_or_else(|| format!("no vector {p} at the op"))?
            }
            n if NAMED.iter().any(|(k, _)| *k == n) => named(n, &probe(&args[0]).ok_or("bad probe")?, r)?,
            n => {
                let (f, _) = Func::lookup(n).ok_or_else(|| format!("unknown function '{n}'"))?;
                let vals = args.iter().map(|a| eval(a, r)).collect::<Result<Vec<_>, _>>()?;
                f.apply(&vals)
            }
        },
    })
}

fn ac_data<'a>(r: &'a Results, p: &str) -> Result<(Vec<f64>, &'a [Complex64]), String> {
    let ds = r.ac.as_ref().ok_or("no .ac analysis in the deck")?;
    let f: Vec<f64> = match ds.scale.as_ref().map(|s| &s.data) {
        Some(insitu_solver::Data::Real(v)) => v.clone(),
        Some(insitu_solver::Data::Complex(v)) => v.iter().map(|z| z.re).collect(),
        None => return Err("the AC dataset has no frequency scale".into()),
    };
    let h = ds.complex(p).ok_or_else(|| format!("no AC vector {p}"))?;
    Ok((f, h))
}

fn real_scale(ds: &Dataset) -> Option<&[f64]> {
    match &ds.scale.as_ref()?.data {
        insitu_solver::Data::Real(v) => Some(v.as_slice()),
        _ => None,
    }
}

/// First frequency where `|h|` falls through `level` (log-log interpolation).
fn crossing_down(f: &[f64], mag: &[f64], level: f64) -> Option<(usize, f64)> {
    (1..f.len()).find(|&k| mag[k - 1] >= level && mag[k] < level).map(|k| {
        let (a, b) = (mag[k - 1].ln(), mag[k].ln());
        let t = (level.ln() - a) / (b - a);
        (k, (f[k - 1].ln() + t * (f[k].ln() - f[k - 1].ln())).exp())
    })
}

fn named(n: &str, p: &str, r: &Results) -> Result<f64, String> {
    match n {
        "dc_gain_db" | "ugf" | "phase_margin" | "f3db" | "psrr_db" => {
            let (f, h) = ac_data(r, p)?;
            let f = f.as_slice();
            if f.len() < 2 {
                return Err("the AC sweep has fewer than 2 points".into());
            }
            let mag: Vec<f64> = h.iter().map(|c| c.norm()).collect();
            match n {
                "dc_gain_db" => Ok(20.0 * mag[0].log10()),
                "psrr_db" => Ok(-20.0 * mag[0].log10()),
                "f3db" => crossing_down(f, &mag, mag[0] / 2f64.sqrt())
                    .map(|x| x.1)
                    .ok_or_else(|| "no -3 dB point in the AC sweep".to_string()),
                _ => {
                    let (k, fu) = crossing_down(f, &mag, 1.0).ok_or("no unity-gain crossing in the AC sweep")?;
                    if n == "ugf" {
                        return Ok(fu);
                    }
                    // Unwrapped phase relative to the low-frequency phase (an inverting or
                    // non-inverting path both start near 0 or 180 degrees).
                    let mut ph: Vec<f64> = Vec::with_capacity(k + 1);
                    for c in &h[..=k] {
                        let a = c.arg().to_degrees();
                        let a = match ph.last() {
                            Some(&prev) => a + 360.0 * ((prev - a) / 360.0).round(),
                            None => a,
                        };
                        ph.push(a);
                    }
                    let t = (fu.ln() - f[k - 1].ln()) / (f[k].ln() - f[k - 1].ln());
                    let at = ph[k - 1] + t * (ph[k] - ph[k - 1]);
                    Ok(180.0 + (at - ph[0]))
                }
            }
        }
        "slew_rate" => {
            let ds = r.tran.as_ref().ok_or("no .tran analysis in the deck")?;
            let t = real_scale(ds).or_else(|| ds.real("time")).ok_or("no time scale")?;
            let y = ds.real(p).ok_or_else(|| format!("no transient vector {p}"))?;
            let mut best = 0.0f64;
            for k in 1..t.len() {
                let dt = t[k] - t[k - 1];
                if dt > 0.0 {
                    best = best.max(((y[k] - y[k - 1]) / dt).abs());
                }
            }
            Ok(best)
        }
        "tc_ppm" | "dc_value" => {
            let ds = r.dc.as_ref().ok_or("no .dc analysis in the deck")?;
            let x = real_scale(ds).ok_or("no sweep scale")?;
            let y = ds.real(p).ok_or_else(|| format!("no DC vector {p}"))?;
            if n == "dc_value" {
                return y.first().copied().ok_or_else(|| "empty sweep".into());
            }
            let (lo, hi) = y.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| (a.0.min(*v), a.1.max(*v)));
            let span =
                x.iter().cloned().fold(f64::NEG_INFINITY, f64::max) - x.iter().cloned().fold(f64::INFINITY, f64::min);
            let mean = y.iter().sum::<f64>() / y.len() as f64;
            if span <= 0.0 || mean == 0.0 {
                return Err("tc_ppm needs a .dc temp sweep and a non-zero output".into());
            }
            Ok((hi - lo) / (mean.abs() * span) * 1e6)
        }
        _ => Err(format!("unknown named spec {n}")),
    }
}

//! The printout: the workflow's block after every iteration and the final report.

use super::candidate::Candidate;
use super::problem::{ParamKind, SpecDef};
use super::scoring::{target_mark, Mark};
use super::testbench::Testbench;
use std::fmt::Write;

/// A number in engineering notation with an SI suffix: `650n`, `3.1u`, `8.1M`, `74.2`.
pub fn eng(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let (scale, suffix) = [
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
        (1.0, ""),
        (1e-3, "m"),
        (1e-6, "u"),
        (1e-9, "n"),
        (1e-12, "p"),
        (1e-15, "f"),
    ]
    .into_iter()
    .find(|(s, _)| a >= *s * 0.9995)
    .unwrap_or((1e-15, "f"));
    // Numbers between 1 and 1000 print plainly (dB, degrees, V/us).
    let (scale, suffix) = if (1.0..1000.0).contains(&a) { (1.0, "") } else { (scale, suffix) };
    let m = v / scale;
    let digits = if m.abs() >= 100.0 {
        0
    } else if m.abs() >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{m:.digits$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    format!("{s}{suffix}")
}

/// `eng` with a metre unit for sizes (`3.1um`).
fn eng_unit(v: f64, unit: &str) -> String {
    format!("{}{unit}", eng(v))
}

/// `gmid_M1=13.2 L_M1=650n ...`
pub fn params_line(tb: &Testbench, x: &[f64]) -> String {
    tb.problem.parameters.iter().zip(x).map(|(p, v)| format!("{}={}", p.name, eng(*v))).collect::<Vec<_>>().join(" ")
}

/// `W_input_pair=3.1um Id_input_pair=14.2uA`
pub fn derived_line(c: &Candidate) -> String {
    c.derived
        .iter()
        .map(|(k, v)| {
            let u = if k.starts_with("Id") { "A" } else { "m" };
            format!("{k}={}", eng_unit(*v, u))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The worst corner's value for a spec (the one farthest outside a bound, else farthest from
/// the target), with that corner's label.
pub fn worst_value(tb: &Testbench, c: &Candidate, spec: &str, s: &SpecDef) -> Option<(f64, String)> {
    let i = tb.measurement_names().iter().position(|n| *n == spec)?;
    let mut best: Option<(f64, f64, String)> = None;
    for cr in &c.corners {
        let m = cr.values[i]?;
        let mut badness = 0.0;
        if let Some(lo) = s.min {
            badness += (lo - m) / lo.abs();
        }
        if let Some(hi) = s.max {
            badness += (m - hi) / hi.abs();
        }
        if s.min.is_none() && s.max.is_none() {
            if let Some(t) = s.target {
                badness = (1.0 - m / t).abs();
            }
        }
        if best.as_ref().is_none_or(|b| badness > b.0) {
            best = Some((badness, m, cr.corner.clone()));
        }
    }
    best.map(|b| (b.1, b.2))
}

/// `gain_db: 74.2 (min:70 ✓ target:80 △)`; several corners add `@ss_27` (the worst corner).
pub fn spec_line(tb: &Testbench, c: &Candidate, name: &str, s: &SpecDef) -> String {
    let Some((m, corner)) = worst_value(tb, c, name, s) else {
        return format!("{name}: — (not measured ✗)");
    };
    let mut parts = Vec::new();
    if let Some(lo) = s.min {
        parts.push(format!("min:{} {}", eng(lo), if m >= lo { Mark::Met } else { Mark::Missed }.symbol()));
    }
    if let Some(hi) = s.max {
        parts.push(format!("max:{} {}", eng(hi), if m <= hi { Mark::Met } else { Mark::Missed }.symbol()));
    }
    if let Some(t) = s.target {
        parts.push(format!("target:{} {}", eng(t), target_mark(m, t).symbol()));
    }
    let at = if c.corners.len() > 1 { format!(" @{corner}") } else { String::new() };
    format!("{name}: {}{at} ({})", eng(m), parts.join(" "))
}

/// Phase title: `Phase 1: TT` or `Phase 2: TT/FF/SS`.
pub fn phase_title(tb: &Testbench, phase: usize) -> String {
    let cs = tb.corners(phase);
    let mut names: Vec<String> = Vec::new();
    for c in cs {
        let n = if cs.iter().filter(|d| d.model == c.model).count() > 1 || c.temp != 27.0 {
            format!("{}@{}C", c.model.to_uppercase(), eng(c.temp))
        } else {
            c.model.to_uppercase()
        };
        names.push(n);
    }
    format!("Phase {phase}: {}", names.join("/"))
}

/// Everything the block shows besides the candidate.
pub struct BlockInfo<'a> {
    pub iteration: usize,
    pub budget: usize,
    pub phase: usize,
    pub best_cost: f64,
    pub best_iteration: usize,
    pub strategy: &'a str,
}

/// The workflow's block after one iteration.
pub fn iteration_block(tb: &Testbench, c: &Candidate, info: &BlockInfo) -> String {
    let mut s = String::new();
    let head = format!("── Iteration {}/{} ({}) ", info.iteration, info.budget, phase_title(tb, info.phase));
    let w = 56usize.max(head.chars().count() + 4);
    let _ = writeln!(s, "{head}{}", "─".repeat(w - head.chars().count()));
    let _ = writeln!(s, "Parameters: {}", params_line(tb, &c.x));
    if !c.derived.is_empty() {
        let _ = writeln!(s, "Derived: {}", derived_line(c));
    }
    let _ = writeln!(s, "Results vs Spec:");
    for (name, spec) in tb.problem.specs.iter() {
        let _ = writeln!(s, "{}", spec_line(tb, c, name, spec));
    }
    if let Some(f) = &c.failure {
        let _ = writeln!(s, "Failure: {f}");
    }
    let feas = if c.feasible { "feasible ✓" } else { "infeasible ✗" };
    let _ = writeln!(
        s,
        "Cost: {} (feasible: {feas}) Best: {} @ iter {}",
        fmt_cost(c.cost),
        fmt_cost(info.best_cost),
        info.best_iteration
    );
    let _ = writeln!(s, "Strategy: {}", info.strategy);
    let _ = writeln!(s, "{}", "─".repeat(w));
    s
}

/// A cost: 4 significant digits.
pub fn fmt_cost(c: f64) -> String {
    if c >= 1000.0 {
        format!("{c:.2}")
    } else {
        format!("{c:.4}")
    }
}

/// `gmid_M1=12.8 L_M1=700n → W_M1=3.5um Id_M1=15.1uA` per device group, then the other
/// parameters.
pub fn design_lines(tb: &Testbench, c: &Candidate) -> Vec<String> {
    let mut out = Vec::new();
    let ps = &tb.problem.parameters;
    for (g, _) in tb.problem.devices.iter() {
        let mine: Vec<String> = ps
            .iter()
            .zip(&c.x)
            .filter(|(p, _)| p.device.as_deref() == Some(g.as_str()))
            .map(|(p, v)| format!("{}={}", p.name, eng(*v)))
            .collect();
        let derived: Vec<String> = c
            .derived
            .iter()
            .filter(|(k, _)| k.split_once('_').is_some_and(|(_, grp)| grp == g))
            .map(|(k, v)| format!("{k}={}", eng_unit(*v, if k.starts_with("Id") { "A" } else { "m" })))
            .collect();
        if derived.is_empty() {
            out.push(format!("{g}: {}", mine.join(" ")));
        } else {
            out.push(format!("{g}: {} → {}", mine.join(" "), derived.join(" ")));
        }
    }
    let rest: Vec<String> = ps
        .iter()
        .zip(&c.x)
        .filter(|(p, _)| matches!(p.kind, ParamKind::Comp | ParamKind::Param))
        .map(|(p, v)| format!("{}={}", p.name, eng(*v)))
        .collect();
    if !rest.is_empty() {
        out.push(rest.join(" "));
    }
    out
}

/// The corner table of the final report: one row per corner, ✓ when the corner meets every
/// bound, else ✗ and the specs it misses.
pub fn corner_table(tb: &Testbench, c: &Candidate) -> String {
    let names = tb.measurement_names();
    let mut s = String::new();
    let w = 10usize;
    let _ = write!(s, "{:<12}", "");
    for n in &names {
        let _ = write!(s, "{:>w$} ", n);
    }
    s.push('\n');
    for cr in &c.corners {
        let _ = write!(s, "{:<12}", format!("{}:", cr.corner));
        for v in &cr.values {
            let _ = write!(s, "{:>w$} ", v.map_or("—".to_string(), eng));
        }
        let mut miss = Vec::new();
        for (n, sp) in tb.problem.specs.iter() {
            let i = names.iter().position(|k| k == n).unwrap_or(0);
            let ok = match cr.values[i] {
                Some(m) => sp.min.is_none_or(|lo| m >= lo) && sp.max.is_none_or(|hi| m <= hi),
                None => false,
            };
            if !ok {
                miss.push(n.clone());
            }
        }
        if miss.is_empty() {
            s.push('✓');
        } else {
            let _ = write!(s, "✗ ({} missed)", miss.join(", "));
        }
        if let Some(e) = &cr.error {
            let _ = write!(s, " [{e}]");
        }
        s.push('\n');
    }
    s
}

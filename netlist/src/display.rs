//! A readable dump of a [`Circuit`] (what `insitu parse DECK` prints).

use std::fmt;

use crate::circuit::*;
use crate::elaborate::kind_name;

/// Formats a number with an engineering suffix (`4u`, `1.5k`, `2.5p`); plain below 1e-15 or
/// above 1e15, and for 0.
pub fn eng(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    const SUFFIXES: [(f64, &str); 9] = [
        (1e12, "t"),
        (1e9, "g"),
        (1e6, "meg"),
        (1e3, "k"),
        (1.0, ""),
        (1e-3, "m"),
        (1e-6, "u"),
        (1e-9, "n"),
        (1e-12, "p"),
    ];
    let a = v.abs();
    if !(1e-15..1e15).contains(&a) {
        return format!("{v:e}");
    }
    let (scale, suffix) = SUFFIXES.iter().copied().find(|(s, _)| a >= *s * 0.999_999_999_999).unwrap_or((1e-15, "f"));
    let x = v / scale;
    let mut s = format!("{x:.6}");
    while s.contains('.') && (s.ends_with('0') || s.ends_with('.')) {
        s.pop();
    }
    format!("{s}{suffix}")
}

fn source(f: &mut fmt::Formatter<'_>, s: &Source) -> fmt::Result {
    write!(f, " dc={}", eng(s.dc))?;
    if s.ac_mag != 0.0 || s.ac_phase != 0.0 {
        write!(f, " ac={} phase={}", eng(s.ac_mag), eng(s.ac_phase))?;
    }
    if let Some(w) = &s.wave {
        let kind = match w.kind {
            WaveKind::Pulse => "pulse",
            WaveKind::Sin => "sin",
            WaveKind::Exp => "exp",
            WaveKind::Pwl => "pwl",
        };
        let args: Vec<String> = w.args.iter().map(|a| eng(*a)).collect();
        write!(f, " {kind}({})", args.join(" "))?;
    }
    Ok(())
}

impl fmt::Display for Circuit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = |n: NodeId| self.nodes.get(n).map(String::as_str).unwrap_or("?");
        let elem = |e: ElementId| self.elements.get(e).map(|e| e.name.as_str()).unwrap_or("?");
        let model = |m: ModelId| self.models.get(m).map(|m| m.name.as_str()).unwrap_or("?");
        writeln!(f, "title: {}", self.title)?;
        writeln!(f, "temperature: {} C", eng(self.temp))?;
        writeln!(f, "nodes ({}): {}", self.nodes.len(), self.nodes.join(" "))?;
        writeln!(f, "elements ({}):", self.elements.len())?;
        for e in &self.elements {
            write!(f, "  {:<12}", e.name)?;
            match &e.kind {
                ElementKind::Resistor { p, n, r, r_ac } => {
                    write!(f, " resistor {} {} r={}", node(*p), node(*n), eng(*r))?;
                    if let Some(ac) = r_ac {
                        write!(f, " ac={}", eng(*ac))?;
                    }
                }
                ElementKind::Capacitor { p, n, c, ic } => {
                    write!(f, " capacitor {} {} c={}", node(*p), node(*n), eng(*c))?;
                    if let Some(ic) = ic {
                        write!(f, " ic={}", eng(*ic))?;
                    }
                }
                ElementKind::Inductor { p, n, l, ic } => {
                    write!(f, " inductor {} {} l={}", node(*p), node(*n), eng(*l))?;
                    if let Some(ic) = ic {
                        write!(f, " ic={}", eng(*ic))?;
                    }
                }
                ElementKind::VoltageSource { p, n, source: s } => {
                    write!(f, " vsource {} {}", node(*p), node(*n))?;
                    source(f, s)?;
                }
                ElementKind::CurrentSource { p, n, source: s } => {
                    write!(f, " isource {} {}", node(*p), node(*n))?;
                    source(f, s)?;
                }
                ElementKind::Vcvs { p, n, cp, cn, gain } => {
                    write!(f, " vcvs {} {} ctrl {} {} gain={}", node(*p), node(*n), node(*cp), node(*cn), eng(*gain))?
                }
                ElementKind::Vccs { p, n, cp, cn, gm } => {
                    write!(f, " vccs {} {} ctrl {} {} gm={}", node(*p), node(*n), node(*cp), node(*cn), eng(*gm))?
                }
                ElementKind::Cccs { p, n, control, gain } => {
                    write!(f, " cccs {} {} ctrl i({}) gain={}", node(*p), node(*n), elem(*control), eng(*gain))?
                }
                ElementKind::Ccvs { p, n, control, r } => {
                    write!(f, " ccvs {} {} ctrl i({}) r={}", node(*p), node(*n), elem(*control), eng(*r))?
                }
                ElementKind::Diode { a, c, model: m, area, off } => {
                    write!(f, " diode {} {} model={} area={}", node(*a), node(*c), model(*m), eng(*area))?;
                    if *off {
                        write!(f, " off")?;
                    }
                }
                ElementKind::Mosfet { d, g, s, b, model: m, geom, off } => {
                    write!(
                        f,
                        " mosfet d={} g={} s={} b={} model={}",
                        node(*d),
                        node(*g),
                        node(*s),
                        node(*b),
                        model(*m)
                    )?;
                    write!(
                        f,
                        " w={}{} l={}{}",
                        eng(geom.w),
                        if geom.w_given { "" } else { "(default)" },
                        eng(geom.l),
                        if geom.l_given { "" } else { "(default)" }
                    )?;
                    write!(f, " ad={} as={} pd={} ps={}", eng(geom.ad), eng(geom.as_), eng(geom.pd), eng(geom.ps))?;
                    if geom.nrd != 1.0 || geom.nrs != 1.0 {
                        write!(f, " nrd={} nrs={}", eng(geom.nrd), eng(geom.nrs))?;
                    }
                    if let Some(geo) = geom.geo {
                        write!(f, " geo={geo}")?;
                    }
                    if let Some(nqs) = geom.nqsmod {
                        write!(f, " nqsmod={nqs}")?;
                    }
                    if let Some(v) = geom.acnqsmod {
                        write!(f, " acnqsmod={v}")?;
                    }
                    if let Some(v) = geom.delvto {
                        write!(f, " delvto={}", eng(v))?;
                    }
                    if let Some(v) = geom.mulu0 {
                        write!(f, " mulu0={}", eng(v))?;
                    }
                    if let Some([a, b, c]) = geom.ic {
                        write!(f, " ic={},{},{}", eng(a), eng(b), eng(c))?;
                    }
                    if geom.m != 1.0 {
                        write!(f, " m={}", eng(geom.m))?;
                    }
                    if *off {
                        write!(f, " off")?;
                    }
                }
            }
            writeln!(f)?;
        }
        writeln!(f, "models ({}):", self.models.len())?;
        for m in &self.models {
            write!(f, "  {} {} level={}", m.name, kind_name(m.kind), m.level)?;
            if let Some(v) = &m.version {
                write!(f, " version={v}")?;
            }
            for (k, v) in &m.params {
                write!(f, " {k}={}", eng(*v))?;
            }
            writeln!(f)?;
        }
        writeln!(f, "analyses ({}):", self.analyses.len())?;
        for a in &self.analyses {
            match a {
                Analysis::Op => writeln!(f, "  .op")?,
                Analysis::Dc { sweeps } => {
                    write!(f, "  .dc")?;
                    for s in sweeps {
                        let var = match s.var {
                            SweepVar::Source(e) => elem(e).to_string(),
                            SweepVar::Temp => "temp".to_string(),
                        };
                        write!(f, " {var} {} {} {}", eng(s.start), eng(s.stop), eng(s.step))?;
                    }
                    writeln!(f)?;
                }
                Analysis::Ac { grid } => writeln!(
                    f,
                    "  .ac {} {} {} {} ({} points)",
                    grid.kind,
                    grid.points,
                    eng(grid.fstart),
                    eng(grid.fstop),
                    grid.frequencies().len()
                )?,
                Analysis::Tran { tstep, tstop, tstart, tmax, uic } => {
                    write!(f, "  .tran {} {} {}", eng(*tstep), eng(*tstop), eng(*tstart))?;
                    if let Some(t) = tmax {
                        write!(f, " {}", eng(*t))?;
                    }
                    writeln!(f, "{}", if *uic { " uic" } else { "" })?;
                }
                Analysis::Noise { out_p, out_n, input, grid } => writeln!(
                    f,
                    "  .noise v({},{}) {} {} {} {} {}",
                    node(*out_p),
                    node(*out_n),
                    elem(*input),
                    grid.kind,
                    grid.points,
                    eng(grid.fstart),
                    eng(grid.fstop)
                )?,
            }
        }
        let o = &self.options;
        write!(
            f,
            "options: reltol={} abstol={} vntol={} chgtol={} trtol={} gmin={} itl1={} itl4={} method={} tnom={} num_threads={}",
            eng(o.reltol),
            eng(o.abstol),
            eng(o.vntol),
            eng(o.chgtol),
            eng(o.trtol),
            eng(o.gmin),
            o.itl1,
            o.itl4,
            match o.method {
                Method::Trapezoidal => "trap",
                Method::Gear => "gear",
            },
            eng(o.tnom),
            o.num_threads
        )?;
        for (k, v) in &o.other {
            if v.is_empty() {
                write!(f, " {k}")?;
            } else {
                write!(f, " {k}={v}")?;
            }
        }
        writeln!(f)?;
        if !self.nodesets.is_empty() {
            let v: Vec<String> = self.nodesets.iter().map(|(n, v)| format!("v({})={}", node(*n), eng(*v))).collect();
            writeln!(f, "nodeset: {}", v.join(" "))?;
        }
        if !self.ics.is_empty() {
            let v: Vec<String> = self.ics.iter().map(|(n, v)| format!("v({})={}", node(*n), eng(*v))).collect();
            writeln!(f, "ic: {}", v.join(" "))?;
        }
        if !self.saves.is_empty() {
            writeln!(f, "save: {}", self.saves.join(" "))?;
        }
        let globals: Vec<String> = self.params.globals().map(|(n, v)| format!("{n}={}", eng(v))).collect();
        if !globals.is_empty() {
            writeln!(f, "params: {}", globals.join(" "))?;
        }
        if !self.warnings.is_empty() {
            writeln!(f, "warnings ({}):", self.warnings.len())?;
            for w in &self.warnings {
                writeln!(f, "  {w}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::eng;

    #[test]
    fn engineering_format() {
        assert_eq!(eng(4e-6), "4u");
        assert_eq!(eng(1500.0), "1.5k");
        assert_eq!(eng(2.5e-12), "2.5p");
        assert_eq!(eng(1e9), "1g");
        assert_eq!(eng(0.0), "0");
        assert_eq!(eng(-0.45), "-450m");
        assert_eq!(eng(27.0), "27");
    }
}

//! The expression language of sizing problems: parsed once (nom), type-checked into scalar and
//! waveform nodes, then evaluated per candidate over borrowed [`Results`].
//!
//! ```text
//! value(db20(v(out)), 1)          dB gain at 1 Hz          (Ocean: value(dB20(VF("/OUT")) 1))
//! cross(db20(v(out)), 0, 1, falling)                       (Ocean: cross(dB20(VF("/OUT")) 0 1 "falling"))
//! phase_margin(v(out))   ugf(v(out))   slew_rate(vt(out)) / 1e6   @m1[gm] / @m1[id]
//! ```
//!
//! **Values.** Numbers take SPICE suffixes (`1k`, `10meg`); `+ - * / ^ **`, parentheses,
//! `abs sqrt exp ln log log10 min max pow`. A bare name reads a value given to the [`Results`]
//! (a measure result or `.param`), else a vector of that name (`onoise_spectrum`).
//!
//! **Vectors.** `v(node)`, `v(a,b)`, `i(vsource)`; the analysis they read follows from where they
//! appear: inside `db20 mag phase real imag` and the AC specs, the AC results; inside
//! `slew_rate settling_time overshoot`, the transient; inside other waveform functions, the one
//! non-op analysis present (tran, then ac, dc, noise); as a bare scalar, the operating point.
//! Explicit forms: `vf`/`if` (AC), `vt`/`it` (transient), `vs`/`is` (DC sweep), `vdc`/`idc` (op),
//! and ngspice's `vdb vm vp vr vi` (AC). Ocean names `"/OUT"` map to `out` (leading `/`
//! dropped, `/` -> `.`, lower case); `IDC("/V0/PLUS")` is `i(v0)` (`MINUS`: its negative).
//!
//! **Waveform functions** (window `from`, `to` optional; ngspice's `.meas` semantics, see
//! [`meas`](super::meas)): `value(w, x)` (alias `at`), `cross(w, level [, n [, rising|falling|either]])`
//! (n = -1: last), `deriv(w, x)`, `min max average(avg, mean) rms integral(integ) pp (w [, from, to])`,
//! `slew_rate(w [, lo%, hi%])` (first step), `slew_rate_rise` / `slew_rate_fall` (edges of a
//! pulse), `settling_time(w, band [, final])`, `overshoot(w)`, and the named
//! specs `dc_gain_db ugf phase_margin gain_margin f3db (w)`, `tc_ppm(w)`, `line_regulation(w)`,
//! `output_swing(w [, fraction])` (DC), `input_noise_at(f)`, `integrated_noise()` (see
//! [`specs`](super::specs)). CMRR, PSRR and offset are differences of these, e.g.
//! `dc_gain_db(v(out_dm)) - dc_gain_db(v(out_cm))`, `v(out) - v(inp)`.
//! A complex AC waveform where a real one is needed is its magnitude; `phase` is in degrees,
//! unwrapped from the lowest frequency.
//!
//! A scalar vector (`v(out)`, `IDC("/V0/PLUS")`) reads the op dataset, or without one the
//! simulator's last solution (after `.ac`, its operating point).
//!
//! **Device quantities**: `@m1[gm]` and `id gds gmb vth vdsat vgs vds vbs cgs cgd cgb cbd cbs cgg`
//! from [`Simulator::mos_op`](crate::Simulator::mos_op); `area()` (sum of W·L·M), `power(vdd)`.
//!
//! Evaluation allocates nothing once the per-thread scratch pool has grown (vector look-ups
//! compare names in place; derived waveforms use pooled buffers).

use super::meas::{self, Counts};
use super::specs;
use super::vectors::{find_vector, find_wrapped, CplxBuf, Kind, RealBuf, Results, Scale};
use super::{MeasureError, Needs};
use crate::results::{Data, Dataset};
use insitu_netlist::measure::{Edge, Stat};
use insitu_netlist::number::PErr;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, multispace0, satisfy};
use nom::combinator::recognize;
use nom::{IResult, Parser};
use num_complex::Complex64;
use std::fmt;

/// A syntax or type error in an expression: the 1-based column and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub col: usize,
    pub expected: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "col {}: {}", self.col, self.expected)
    }
}

impl std::error::Error for ExprError {}

// ---------------------------------------------------------------------------------------------
// Syntax

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

#[derive(Debug, Clone)]
enum Ast {
    Num(f64),
    Str(String),
    Name(String),
    Dev { dev: String, q: String },
    Call { name: String, args: Vec<(Ast, usize)> },
    Neg(Box<Ast>),
    Bin(Op, Box<Ast>, Box<Ast>),
}

type R<'a, T> = IResult<&'a str, T, PErr<'a>>;

fn fail<'a, T>(at: &'a str, msg: &str) -> R<'a, T> {
    Err(nom::Err::Failure(PErr::new(at, msg)))
}

fn ident(i: &str) -> R<'_, &str> {
    recognize((
        satisfy(|c| c.is_ascii_alphabetic() || c == '_'),
        take_while(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '#'),
    ))
    .parse(i)
}

/// Parsing keeps the remaining length of each argument to report columns.
struct P {
    len: usize,
}

impl P {
    fn col(&self, rest: &str) -> usize {
        self.len - rest.len() + 1
    }

    fn expr<'a>(&self, i: &'a str) -> R<'a, Ast> {
        let (mut i, mut acc) = self.term(i)?;
        loop {
            let (j, _) = multispace0(i)?;
            let op = match j.as_bytes().first() {
                Some(b'+') => Op::Add,
                Some(b'-') => Op::Sub,
                _ => return Ok((i, acc)),
            };
            let (j, rhs) = self.term(&j[1..])?;
            acc = Ast::Bin(op, Box::new(acc), Box::new(rhs));
            i = j;
        }
    }

    fn term<'a>(&self, i: &'a str) -> R<'a, Ast> {
        let (mut i, mut acc) = self.unary(i)?;
        loop {
            let (j, _) = multispace0(i)?;
            let op = match j.as_bytes() {
                [b'*', b'*', ..] => return Ok((i, acc)),
                [b'*', ..] => Op::Mul,
                [b'/', ..] => Op::Div,
                _ => return Ok((i, acc)),
            };
            let (j, rhs) = self.unary(&j[1..])?;
            acc = Ast::Bin(op, Box::new(acc), Box::new(rhs));
            i = j;
        }
    }

    fn unary<'a>(&self, i: &'a str) -> R<'a, Ast> {
        let (i, _) = multispace0(i)?;
        if let Some(r) = i.strip_prefix('-') {
            let (r, a) = self.unary(r)?;
            return Ok((r, Ast::Neg(Box::new(a))));
        }
        if let Some(r) = i.strip_prefix('+') {
            return self.unary(r);
        }
        let (i, base) = self.atom(i)?;
        let (j, _) = multispace0(i)?;
        if let Ok((j, _)) = alt((tag::<_, _, PErr>("**"), tag("^"))).parse(j) {
            let (j, e) = self.unary(j)?;
            return Ok((j, Ast::Bin(Op::Pow, Box::new(base), Box::new(e))));
        }
        Ok((i, base))
    }

    fn atom<'a>(&self, i: &'a str) -> R<'a, Ast> {
        let (i, _) = multispace0(i)?;
        match i.chars().next() {
            None => fail(i, "expected a value"),
            Some('(') => {
                let (r, e) = self.expr(&i[1..])?;
                let (r, _) = multispace0(r)?;
                match r.strip_prefix(')') {
                    Some(r) => Ok((r, e)),
                    None => fail(r, "expected ')'"),
                }
            }
            Some('"') => {
                let body = &i[1..];
                match body.find('"') {
                    Some(end) => Ok((&body[end + 1..], Ast::Str(body[..end].to_string()))),
                    None => fail(i, "expected a closing '\"'"),
                }
            }
            Some('@') => {
                let r = &i[1..];
                let (r, dev) = take_while1::<_, _, PErr>(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                    .parse(r)
                    .or_else(|_| fail(r, "expected a device name after '@'"))?;
                let (r, _) = char::<_, PErr>('[').parse(r).or_else(|_| fail(r, "expected '['"))?;
                let (r, q) = ident(r).or_else(|_| fail(r, "expected a quantity (gm, id, ...)"))?;
                let (r, _) = char::<_, PErr>(']').parse(r).or_else(|_| fail(r, "expected ']'"))?;
                Ok((r, Ast::Dev { dev: dev.to_ascii_lowercase(), q: q.to_ascii_lowercase() }))
            }
            Some(c) if c.is_ascii_digit() || c == '.' => insitu_netlist::number::number(i)
                .map(|(r, v)| (r, Ast::Num(v)))
                .or_else(|_| fail(i, "expected a number")),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let (r, name) = ident(i)?;
                let name = name.to_ascii_lowercase();
                let (r2, _) = multispace0(r)?;
                if let Some(mut r) = r2.strip_prefix('(') {
                    let mut args = Vec::new();
                    loop {
                        let (j, _) = multispace0(r)?;
                        if let Some(j) = j.strip_prefix(')') {
                            return Ok((j, Ast::Call { name, args }));
                        }
                        if !args.is_empty() {
                            if let Some(k) = j.strip_prefix(',') {
                                r = k;
                            }
                        }
                        let (k, _) = multispace0(r)?;
                        let col = self.col(k);
                        if k.is_empty() {
                            return fail(k, "expected ')'");
                        }
                        let (k, a) = self.expr(k)?;
                        args.push((a, col));
                        r = k;
                        let (j, _) = multispace0(r)?;
                        if j.is_empty() {
                            return fail(j, "expected ')'");
                        }
                        if !(j.starts_with(')') || j.starts_with(',') || j.len() < r.len()) {
                            return fail(j, "expected ',' or ')'");
                        }
                    }
                }
                Ok((r, Ast::Name(name)))
            }
            Some(_) => fail(i, "expected a value"),
        }
    }
}

fn parse_ast(text: &str) -> Result<Ast, ExprError> {
    let p = P { len: text.len() };
    let err = |rest: &str, msg: &str| ExprError { col: p.col(rest), expected: msg.to_string() };
    match p.expr(text) {
        Ok((rest, a)) => {
            let (rest, _) = multispace0::<_, PErr>(rest).unwrap_or((rest, ""));
            if rest.is_empty() {
                Ok(a)
            } else if rest.starts_with(')') {
                Err(err(rest, "unbalanced ')'"))
            } else {
                Err(err(rest, "expected an operator or the end of the expression"))
            }
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(err(e.at, &e.msg)),
        Err(nom::Err::Incomplete(_)) => Err(err("", "unexpected end")),
    }
}

// ---------------------------------------------------------------------------------------------
// Typed nodes

/// A vector reference.
#[derive(Debug, Clone)]
enum VecRef {
    /// `v(p)` or `v(p, n)` (`None` is ground).
    V(Option<String>, Option<String>),
    /// `i(src)`, negated for Ocean's `MINUS` terminal.
    I(String, bool),
    /// A vector by its dataset name (`onoise_spectrum`, `time`).
    Named(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Math {
    Abs,
    Sqrt,
    Exp,
    Ln,
    Log10,
    Db20,
    Db10,
    Mag,
    Phase,
    Real,
    Imag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MosQ {
    Id,
    Gm,
    Gds,
    Gmb,
    Vth,
    Vdsat,
    Vgs,
    Vds,
    Vbs,
    Cgs,
    Cgd,
    Cgb,
    Cbd,
    Cbs,
    Cgg,
}

/// Waveform functions returning a scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WFn {
    Value,
    Cross(Edge),
    Deriv,
    Stat(Stat),
    SlewRate,
    SlewEdge(bool),
    OutputSwing,
    Settling,
    Overshoot,
    DcGainDb,
    Ugf,
    PhaseMargin,
    GainMargin,
    F3db,
    TcPpm,
    LineReg,
    InputNoiseAt,
}

#[derive(Debug, Clone)]
enum S {
    Num(f64),
    Named(String),
    Neg(Box<S>),
    Bin(Op, Box<S>, Box<S>),
    Math(Math, Box<S>),
    Min(Vec<S>),
    Max(Vec<S>),
    /// An operating-point vector.
    OpVec(VecRef),
    Mos(String, MosQ),
    Area,
    Power(String),
    /// A waveform function; the waveform reads `kind` (`None`: the one non-op analysis present).
    Wave {
        f: WFn,
        w: Box<W>,
        kind: Option<Kind>,
        args: Vec<S>,
    },
}

#[derive(Debug, Clone)]
enum W {
    Vec(VecRef),
    Const(Box<S>),
    Neg(Box<W>),
    Bin(Op, Box<W>, Box<W>),
    Math(Math, Box<W>),
}

/// A compiled expression: parse once with [`Expr::parse`], evaluate per candidate with
/// [`Expr::eval`].
///
/// ```
/// use insitu_solver::measure::{Expr, Results};
/// let e = Expr::parse("value(dB20(VF(\"/OUT\")) 1) - 3")?;
/// assert!(e.needs().ac && !e.needs().tran);
/// assert!(Expr::parse("cross(dB20(VF(\"/OUT\")) 0 1 \"falling\")").is_ok());
/// assert_eq!(Expr::parse("2 * (1k + 1)")?.eval(&Results::new(&[], None))?, 2002.0);
/// assert_eq!(Expr::parse("ugf(v(out)").unwrap_err().to_string(), "col 11: expected ')'");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Expr {
    root: S,
    needs: Needs,
}

/// A name in Ocean form (`"/OUT"`, `"/I0/net3"`) or plain, as a lower-case netlist name.
fn ocean_name(s: &str) -> String {
    let t = s.trim().trim_start_matches('/');
    t.replace('/', ".").to_ascii_lowercase()
}

struct Ctx<'t> {
    text: &'t str,
}

impl Ctx<'_> {
    fn err(&self, col: usize, msg: impl Into<String>) -> ExprError {
        let _ = self.text;
        ExprError { col, expected: msg.into() }
    }

    /// A name argument: a bare name, a number-like node (`0`) or a string.
    fn name_arg(&self, a: &(Ast, usize)) -> Result<String, ExprError> {
        match &a.0 {
            Ast::Name(n) => Ok(n.clone()),
            Ast::Str(s) => Ok(ocean_name(s)),
            Ast::Num(v) if *v == 0.0 => Ok("0".into()),
            Ast::Num(v) => Ok(format!("{v}")),
            _ => Err(self.err(a.1, "expected a node or device name")),
        }
    }

    /// The vector reference of `v(...)`, `i(...)` and their Ocean forms.
    fn vec_ref(&self, name: &str, args: &[(Ast, usize)], col: usize) -> Result<VecRef, ExprError> {
        let is_i = name.starts_with('i');
        if args.is_empty() || args.len() > 2 || (is_i && args.len() != 1) {
            return Err(
                self.err(col, format!("{name}() takes {}", if is_i { "one source" } else { "one or two nodes" }))
            );
        }
        if is_i {
            let raw = self.name_arg(&args[0])?;
            let mut parts: Vec<&str> = raw.split('.').collect();
            let mut neg = false;
            if parts.len() > 1 {
                match parts.last().copied() {
                    Some("plus") | Some("p") => {
                        parts.pop();
                    }
                    Some("minus") | Some("n") => {
                        parts.pop();
                        neg = true;
                    }
                    _ => {}
                }
            }
            return Ok(VecRef::I(parts.join("."), neg));
        }
        let node = |a: &(Ast, usize)| -> Result<Option<String>, ExprError> {
            let n = self.name_arg(a)?;
            Ok(if n == "0" || n == "gnd" { None } else { Some(n) })
        };
        let p = node(&args[0])?;
        let n = if args.len() == 2 { node(&args[1])? } else { None };
        Ok(VecRef::V(p, n))
    }

    fn scalar(&self, a: &Ast, col: usize) -> Result<S, ExprError> {
        Ok(match a {
            Ast::Num(v) => S::Num(*v),
            Ast::Str(_) => return Err(self.err(col, "expected a number, not a string")),
            Ast::Name(n) => S::Named(n.clone()),
            Ast::Dev { dev, q } => {
                let q = match q.as_str() {
                    "id" => MosQ::Id,
                    "gm" => MosQ::Gm,
                    "gds" => MosQ::Gds,
                    "gmb" | "gmbs" => MosQ::Gmb,
                    "vth" | "von" => MosQ::Vth,
                    "vdsat" => MosQ::Vdsat,
                    "vgs" => MosQ::Vgs,
                    "vds" => MosQ::Vds,
                    "vbs" => MosQ::Vbs,
                    "cgs" => MosQ::Cgs,
                    "cgd" => MosQ::Cgd,
                    "cgb" => MosQ::Cgb,
                    "cbd" => MosQ::Cbd,
                    "cbs" => MosQ::Cbs,
                    "cgg" => MosQ::Cgg,
                    _ => {
                        return Err(self.err(
                            col,
                            format!("unknown device quantity '{q}' (id gm gds gmb vth vdsat vgs vds vbs cgs cgd cgb cbd cbs cgg)"),
                        ))
                    }
                };
                S::Mos(dev.clone(), q)
            }
            Ast::Neg(x) => S::Neg(Box::new(self.scalar(x, col)?)),
            Ast::Bin(op, x, y) => S::Bin(*op, Box::new(self.scalar(x, col)?), Box::new(self.scalar(y, col)?)),
            Ast::Call { name, args } => self.call_scalar(name, args, col)?,
        })
    }

    fn math(name: &str) -> Option<Math> {
        Some(match name {
            "abs" => Math::Abs,
            "sqrt" => Math::Sqrt,
            "exp" => Math::Exp,
            "ln" | "log" => Math::Ln,
            "log10" => Math::Log10,
            "db20" | "db" => Math::Db20,
            "db10" => Math::Db10,
            "mag" => Math::Mag,
            "phase" | "phasedeg" => Math::Phase,
            "real" => Math::Real,
            "imag" => Math::Imag,
            _ => return None,
        })
    }

    fn wfn(name: &str) -> Option<(WFn, Option<Kind>, usize, usize)> {
        // (function, analysis hint, min scalar args, max scalar args)
        Some(match name {
            "value" | "at" => (WFn::Value, None, 1, 1),
            "cross" => (WFn::Cross(Edge::Any), None, 1, 3),
            "deriv" => (WFn::Deriv, None, 1, 1),
            "average" | "avg" | "mean" => (WFn::Stat(Stat::Avg), None, 0, 2),
            "rms" => (WFn::Stat(Stat::Rms), None, 0, 2),
            "integral" | "integ" => (WFn::Stat(Stat::Integ), None, 0, 2),
            "pp" => (WFn::Stat(Stat::Pp), None, 0, 2),
            "ymin" => (WFn::Stat(Stat::Min), None, 0, 2),
            "ymax" => (WFn::Stat(Stat::Max), None, 0, 2),
            "slew_rate" | "slewrate" => (WFn::SlewRate, Some(Kind::Tran), 0, 2),
            "slew_rate_rise" => (WFn::SlewEdge(true), Some(Kind::Tran), 0, 2),
            "slew_rate_fall" => (WFn::SlewEdge(false), Some(Kind::Tran), 0, 2),
            "settling_time" | "settlingtime" => (WFn::Settling, Some(Kind::Tran), 1, 2),
            "overshoot" => (WFn::Overshoot, Some(Kind::Tran), 0, 0),
            "dc_gain_db" => (WFn::DcGainDb, Some(Kind::Ac), 0, 0),
            "ugf" | "unitygainfreq" => (WFn::Ugf, Some(Kind::Ac), 0, 0),
            "phase_margin" | "phasemargin" => (WFn::PhaseMargin, Some(Kind::Ac), 0, 0),
            "gain_margin" | "gainmargin" => (WFn::GainMargin, Some(Kind::Ac), 0, 0),
            "f3db" | "bandwidth" => (WFn::F3db, Some(Kind::Ac), 0, 0),
            "tc_ppm" => (WFn::TcPpm, Some(Kind::Dc), 0, 0),
            "output_swing" => (WFn::OutputSwing, Some(Kind::Dc), 0, 1),
            "line_regulation" => (WFn::LineReg, Some(Kind::Dc), 0, 0),
            "input_noise_at" => (WFn::InputNoiseAt, Some(Kind::Noise), 1, 1),
            _ => return None,
        })
    }

    fn call_scalar(&self, name: &str, args: &[(Ast, usize)], col: usize) -> Result<S, ExprError> {
        let arg_col = |k: usize| args.get(k).map_or(col, |a| a.1);
        if let Some(m) = Self::math(name) {
            if args.len() != 1 {
                return Err(self.err(col, format!("{name}() takes one argument")));
            }
            return Ok(S::Math(m, Box::new(self.scalar(&args[0].0, args[0].1)?)));
        }
        match name {
            "v" | "i" | "vdc" | "idc" => return Ok(S::OpVec(self.vec_ref(name, args, col)?)),
            "pow" | "pwr" if args.len() == 2 => {
                return Ok(S::Bin(
                    Op::Pow,
                    Box::new(self.scalar(&args[0].0, args[0].1)?),
                    Box::new(self.scalar(&args[1].0, args[1].1)?),
                ))
            }
            "area" if args.is_empty() => return Ok(S::Area),
            "power" if args.len() == 1 => return Ok(S::Power(self.name_arg(&args[0])?)),
            "input_noise_at" if args.len() == 1 => {
                let x = self.scalar(&args[0].0, args[0].1)?;
                return Ok(S::Wave {
                    f: WFn::InputNoiseAt,
                    w: Box::new(W::Vec(VecRef::Named("inoise_spectrum".into()))),
                    kind: Some(Kind::Noise),
                    args: vec![x],
                });
            }
            "integrated_noise" if args.is_empty() => return Ok(S::OpVec(VecRef::Named("inoise_total".into()))),
            "min" | "max" if !args.is_empty() && !args.iter().any(|a| mentions_vector(&a.0)) => {
                let v = args.iter().map(|a| self.scalar(&a.0, a.1)).collect::<Result<Vec<_>, _>>()?;
                return Ok(if name == "min" { S::Min(v) } else { S::Max(v) });
            }
            _ => {}
        }
        let name = match name {
            "min" => "ymin",
            "max" => "ymax",
            n => n,
        };
        let Some((mut f, hint, lo, hi)) = Self::wfn(name) else {
            return Err(self.err(col, format!("unknown function '{name}'")));
        };
        if args.is_empty() {
            return Err(self.err(col, format!("{name}() needs a waveform")));
        }
        let (w, wkind) = self.wave(&args[0].0, args[0].1)?;
        let kind = match (wkind, hint) {
            (Some(k), Some(h)) if k != h => {
                return Err(self.err(args[0].1, format!("{name}() needs {} results, not {}", h.name(), k.name())))
            }
            (Some(k), _) => Some(k),
            (None, h) => h,
        };
        let rest = &args[1..];
        let mut scalars = Vec::new();
        for (k, a) in rest.iter().enumerate() {
            if let WFn::Cross(_) = f {
                if k == 2 {
                    let word = match &a.0 {
                        Ast::Str(s) => s.to_ascii_lowercase(),
                        Ast::Name(n) => n.clone(),
                        _ => String::new(),
                    };
                    f = WFn::Cross(match word.as_str() {
                        "rising" | "rise" => Edge::Rise(None),
                        "falling" | "fall" => Edge::Fall(None),
                        "either" | "cross" => Edge::Cross(None),
                        _ => return Err(self.err(a.1, "expected rising, falling or either")),
                    });
                    continue;
                }
            }
            scalars.push(self.scalar(&a.0, a.1)?);
        }
        let n = rest.len();
        if n < lo || n > hi {
            return Err(self.err(
                arg_col(n.min(hi) + 1),
                format!(
                    "{name}() takes a waveform and {}",
                    if lo == hi { format!("{lo} more") } else { format!("{lo} to {hi} more") }
                ),
            ));
        }
        Ok(S::Wave { f, w: Box::new(w), kind, args: scalars })
    }

    /// A waveform node and the analysis it names explicitly, if any.
    fn wave(&self, a: &Ast, col: usize) -> Result<(W, Option<Kind>), ExprError> {
        let merge = |x: Option<Kind>, y: Option<Kind>| -> Result<Option<Kind>, ExprError> {
            match (x, y) {
                (Some(a), Some(b)) if a != b => {
                    Err(self.err(col, format!("this mixes {} and {} results", a.name(), b.name())))
                }
                (Some(a), _) | (_, Some(a)) => Ok(Some(a)),
                _ => Ok(None),
            }
        };
        Ok(match a {
            Ast::Num(v) => (W::Const(Box::new(S::Num(*v))), None),
            Ast::Str(_) => return Err(self.err(col, "expected a waveform, not a string")),
            Ast::Name(n) => (W::Vec(VecRef::Named(n.clone())), None),
            Ast::Dev { .. } => (W::Const(Box::new(self.scalar(a, col)?)), None),
            Ast::Neg(x) => {
                let (w, k) = self.wave(x, col)?;
                (W::Neg(Box::new(w)), k)
            }
            Ast::Bin(op, x, y) => {
                let (wx, kx) = self.wave(x, col)?;
                let (wy, ky) = self.wave(y, col)?;
                (W::Bin(*op, Box::new(wx), Box::new(wy)), merge(kx, ky)?)
            }
            Ast::Call { name, args } => {
                let n = name.as_str();
                if let Some(m) = Self::math(n) {
                    if args.len() != 1 {
                        return Err(self.err(col, format!("{n}() takes one argument")));
                    }
                    let (w, k) = self.wave(&args[0].0, args[0].1)?;
                    let k = if matches!(m, Math::Db20 | Math::Db10 | Math::Mag | Math::Phase | Math::Real | Math::Imag)
                    {
                        merge(k, Some(Kind::Ac))?
                    } else {
                        k
                    };
                    return Ok((W::Math(m, Box::new(w)), k));
                }
                let (kind, base, part) = match n {
                    "v" | "i" => (None, n, None),
                    "vf" | "if" => (Some(Kind::Ac), &n[..1], None),
                    "vt" | "it" => (Some(Kind::Tran), &n[..1], None),
                    "vs" | "is" => (Some(Kind::Dc), &n[..1], None),
                    "vdc" | "idc" => (Some(Kind::Op), &n[..1], None),
                    "vdb" => (Some(Kind::Ac), "v", Some(Math::Db20)),
                    "vm" => (Some(Kind::Ac), "v", Some(Math::Mag)),
                    "vp" => (Some(Kind::Ac), "v", Some(Math::Phase)),
                    "vr" => (Some(Kind::Ac), "v", Some(Math::Real)),
                    "vi" => (Some(Kind::Ac), "v", Some(Math::Imag)),
                    _ => return Ok((W::Const(Box::new(self.call_scalar(n, args, col)?)), None)),
                };
                let r = self.vec_ref(base, args, col)?;
                if kind == Some(Kind::Op) {
                    return Ok((W::Const(Box::new(S::OpVec(r))), None));
                }
                let w = W::Vec(r);
                (part.map_or(w.clone(), |m| W::Math(m, Box::new(w))), kind)
            }
        })
    }
}

/// Whether an expression reads a vector (so `min`/`max` are over a waveform).
fn mentions_vector(a: &Ast) -> bool {
    match a {
        Ast::Call { name, args } => {
            matches!(
                name.as_str(),
                "v" | "i" | "vf" | "if" | "vt" | "it" | "vs" | "is" | "vdb" | "vm" | "vp" | "vr" | "vi"
            ) || (Ctx::math(name).is_some() && args.iter().any(|a| mentions_vector(&a.0)))
        }
        Ast::Neg(x) => mentions_vector(x),
        Ast::Bin(_, x, y) => mentions_vector(x) || mentions_vector(y),
        _ => false,
    }
}

fn needs_s(s: &S, n: &mut Needs) {
    match s {
        S::Num(_) | S::Named(_) | S::Area => {}
        S::Neg(x) | S::Math(_, x) => needs_s(x, n),
        S::Bin(_, x, y) => {
            needs_s(x, n);
            needs_s(y, n);
        }
        S::Min(v) | S::Max(v) => v.iter().for_each(|x| needs_s(x, n)),
        S::OpVec(VecRef::Named(name)) if name.ends_with("_total") => n.noise = true,
        S::OpVec(_) | S::Mos(..) | S::Power(_) => n.op = true,
        S::Wave { w, kind, args, .. } => {
            match kind {
                Some(Kind::Op) => n.op = true,
                Some(Kind::Dc) => n.dc = true,
                Some(Kind::Ac) => n.ac = true,
                Some(Kind::Tran) => n.tran = true,
                Some(Kind::Noise) => n.noise = true,
                None => n.any_sweep = true,
            }
            needs_w(w, n);
            args.iter().for_each(|x| needs_s(x, n));
        }
    }
}

/// Collects the signals of `kind` that `s` reads into `out`; false when one is unknowable.
fn signals_s(s: &S, kind: Kind, out: &mut Vec<String>) -> bool {
    match s {
        S::Num(_) | S::Named(_) | S::Area | S::OpVec(_) | S::Mos(..) | S::Power(_) => true,
        S::Neg(x) | S::Math(_, x) => signals_s(x, kind, out),
        S::Bin(_, x, y) => signals_s(x, kind, out) && signals_s(y, kind, out),
        S::Min(v) | S::Max(v) => v.iter().all(|x| signals_s(x, kind, out)),
        S::Wave { w, kind: k, args, .. } => {
            (k.is_some_and(|k| k != kind) || signals_w(w, kind, out)) && args.iter().all(|x| signals_s(x, kind, out))
        }
    }
}

fn signals_w(w: &W, kind: Kind, out: &mut Vec<String>) -> bool {
    match w {
        W::Vec(VecRef::V(p, n)) => {
            out.extend(p.iter().chain(n).cloned());
            true
        }
        W::Vec(VecRef::I(n, _)) => {
            out.push(format!("i({n})"));
            true
        }
        W::Vec(VecRef::Named(n)) => n == "time" || n == "frequency",
        W::Const(s) => signals_s(s, kind, out),
        W::Neg(x) | W::Math(_, x) => signals_w(x, kind, out),
        W::Bin(_, x, y) => signals_w(x, kind, out) && signals_w(y, kind, out),
    }
}

fn needs_w(w: &W, n: &mut Needs) {
    match w {
        W::Vec(_) => {}
        W::Const(s) => needs_s(s, n),
        W::Neg(x) | W::Math(_, x) => needs_w(x, n),
        W::Bin(_, x, y) => {
            needs_w(x, n);
            needs_w(y, n);
        }
    }
}

impl Expr {
    /// Parses and type-checks an expression.
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        let ast = parse_ast(text)?;
        let ctx = Ctx { text };
        let root = ctx.scalar(&ast, 1)?;
        let mut needs = Needs::default();
        needs_s(&root, &mut needs);
        Ok(Expr { root, needs })
    }

    /// Parses an expression as a waveform of analysis `kind` (a `.meas` signal such as
    /// `par('v(a)*v(b)')`).
    pub(crate) fn parse_wave(text: &str, kind: Kind) -> Result<Expr, ExprError> {
        let ast = parse_ast(text)?;
        let ctx = Ctx { text };
        let (w, k) = ctx.wave(&ast, 1)?;
        if let Some(k) = k.filter(|k| *k != kind) {
            return Err(ctx.err(1, format!("this reads {} results in a {} measure", k.name(), kind.name())));
        }
        // Stored as a `value` node whose waveform is evaluated whole by `eval_wave`.
        Ok(Expr {
            root: S::Wave { f: WFn::Value, w: Box::new(w), kind: Some(kind), args: vec![] },
            needs: Needs::default(),
        })
    }

    /// Which analyses the expression reads.
    pub fn needs(&self) -> Needs {
        self.needs
    }

    /// The signals its waveforms of analysis `kind` read (waveforms of no named analysis
    /// count too): node names, and `i(name)` for branch currents. `None` when one reads a
    /// vector by its dataset name (other than the scale), which may be any signal.
    ///
    /// ```
    /// use insitu_solver::measure::{Expr, Kind};
    /// let e = Expr::parse("slew_rate(vt(bout)) / 1e6 + value(db20(v(out)), 1)")?;
    /// assert_eq!(e.signals(Kind::Tran), Some(vec!["bout".to_string()]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signals(&self, kind: Kind) -> Option<Vec<String>> {
        let mut out = Vec::new();
        signals_s(&self.root, kind, &mut out).then_some(out)
    }

    /// Evaluates the expression over a candidate's results.
    pub fn eval(&self, r: &Results) -> Result<f64, MeasureError> {
        let v = eval_s(&self.root, r)?;
        if v.is_nan() {
            return Err(MeasureError::Invalid { what: "the expression is not a number (NaN)".into() });
        }
        Ok(v)
    }

    /// The whole waveform of an expression made by `parse_wave`, real (AC: real part, as
    /// ngspice's `.meas`).
    pub(crate) fn eval_wave(&self, r: &Results) -> Result<Vec<f64>, MeasureError> {
        let S::Wave { w, kind, .. } = &self.root else {
            return Err(MeasureError::Invalid { what: "not a waveform".into() });
        };
        let kind = resolve_kind(*kind, r)?;
        let ds = r.dataset(kind)?;
        let n = Scale::of(ds)?.len();
        Ok(match eval_w(w, ds, r)? {
            Wv::Const(c) => vec![c.re; n],
            Wv::Real(y) => y.as_slice().to_vec(),
            Wv::Cplx(y) => y.as_slice().iter().map(|z| z.re).collect(),
        })
    }
}

fn resolve_kind(k: Option<Kind>, r: &Results) -> Result<Kind, MeasureError> {
    if let Some(k) = k {
        return Ok(k);
    }
    [Kind::Tran, Kind::Ac, Kind::Dc, Kind::Noise]
        .into_iter()
        .find(|k| r.has(*k))
        .ok_or(MeasureError::MissingAnalysis { kind: Kind::Tran })
}

fn bin(op: Op, a: f64, b: f64) -> f64 {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Pow => a.powf(b),
    }
}

fn cbin(op: Op, a: Complex64, b: Complex64) -> Complex64 {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Pow => a.powc(b),
    }
}

fn math(m: Math, x: f64) -> f64 {
    match m {
        Math::Abs | Math::Mag => x.abs(),
        Math::Sqrt => x.sqrt(),
        Math::Exp => x.exp(),
        Math::Ln => x.ln(),
        Math::Log10 => x.log10(),
        Math::Db20 => 20.0 * x.abs().log10(),
        Math::Db10 => 10.0 * x.abs().log10(),
        Math::Phase => {
            if x < 0.0 {
                180.0
            } else {
                0.0
            }
        }
        Math::Real => x,
        Math::Imag => 0.0,
    }
}

fn op_value(v: &VecRef, r: &Results) -> Result<f64, MeasureError> {
    if let VecRef::Named(n) = v {
        if let Some(x) = r.value(n) {
            return Ok(x);
        }
        if let Some(ds) = r.noise_totals() {
            if let Some(x) = find_vector(ds, n).and_then(|v| first_real(&v.data)) {
                return Ok(x);
            }
        }
    }
    let ds = match r.dataset(Kind::Op) {
        Ok(ds) => ds,
        // Without an op dataset (an .ac runs its own operating point), the simulator's last
        // solution.
        Err(e) => return r.simulator().map_or(Err(e), |sim| sim_value(sim, v)),
    };
    let y = vector(ds, v)?;
    Ok(match y {
        Wv::Const(c) => c.re,
        Wv::Real(y) => y.as_slice().first().copied().unwrap_or(f64::NAN),
        Wv::Cplx(y) => y.as_slice().first().map_or(f64::NAN, |z| z.re),
    })
}

/// An operating-point quantity from the simulator's last solution.
fn sim_value(sim: &crate::Simulator, v: &VecRef) -> Result<f64, MeasureError> {
    use super::vectors::sim_unknown;
    let node = |n: &Option<String>| match n {
        None => Ok(0.0),
        Some(n) => sim_unknown(sim, n, false).ok_or_else(|| MeasureError::UnknownVector { name: format!("v({n})") }),
    };
    match v {
        VecRef::V(p, n) => Ok(node(p)? - node(n)?),
        VecRef::I(n, neg) => sim_unknown(sim, n, true)
            .map(|i| if *neg { -i } else { i })
            .ok_or_else(|| MeasureError::UnknownVector { name: format!("i({n})") }),
        VecRef::Named(n) => Err(MeasureError::UnknownVector { name: n.clone() }),
    }
}

fn first_real(d: &Data) -> Option<f64> {
    match d {
        Data::Real(v) => v.first().copied(),
        Data::Complex(v) => v.first().map(|z| z.re),
    }
}

fn eval_s(s: &S, r: &Results) -> Result<f64, MeasureError> {
    Ok(match s {
        S::Num(v) => *v,
        S::Named(n) => match r.value(n) {
            Some(v) => v,
            None => {
                op_value(&VecRef::Named(n.clone()), r).map_err(|_| MeasureError::UnknownVector { name: n.clone() })?
            }
        },
        S::Neg(x) => -eval_s(x, r)?,
        S::Bin(op, x, y) => bin(*op, eval_s(x, r)?, eval_s(y, r)?),
        S::Math(m, x) => math(*m, eval_s(x, r)?),
        S::Min(v) => v.iter().try_fold(f64::INFINITY, |a, x| eval_s(x, r).map(|b| a.min(b)))?,
        S::Max(v) => v.iter().try_fold(f64::NEG_INFINITY, |a, x| eval_s(x, r).map(|b| a.max(b)))?,
        S::OpVec(v) => op_value(v, r)?,
        S::Mos(dev, q) => {
            let sim = r.simulator().ok_or(MeasureError::NoSimulator)?;
            let m = sim.mos_op(dev).map_err(|_| MeasureError::UnknownDevice { name: dev.clone() })?;
            match q {
                MosQ::Id => m.id,
                MosQ::Gm => m.gm,
                MosQ::Gds => m.gds,
                MosQ::Gmb => m.gmb,
                MosQ::Vth => m.vth,
                MosQ::Vdsat => m.vdsat,
                MosQ::Vgs => m.vgs,
                MosQ::Vds => m.vds,
                MosQ::Vbs => m.vbs,
                MosQ::Cgs => m.cgs,
                MosQ::Cgd => m.cgd,
                MosQ::Cgb => m.cgb,
                MosQ::Cbd => m.cbd,
                MosQ::Cbs => m.cbs,
                MosQ::Cgg => m.cgs + m.cgd + m.cgb,
            }
        }
        S::Area => specs::area(r.simulator().ok_or(MeasureError::NoSimulator)?.circuit()),
        S::Power(src) => specs::power(r, src)?,
        S::Wave { f, w, kind, args } => eval_wave_fn(*f, w, *kind, args, r)?,
    })
}

/// A waveform value: a constant, or real or complex samples (borrowed from the dataset when
/// the node is a plain vector, else pooled).
enum Wv<'a> {
    Const(Complex64),
    Real(Samples<'a, f64, RealBuf>),
    Cplx(Samples<'a, Complex64, CplxBuf>),
}

enum Samples<'a, T, B> {
    Borrowed(&'a [T]),
    Owned(B),
}

impl<T, B: std::ops::Deref<Target = [T]>> Samples<'_, T, B> {
    fn as_slice(&self) -> &[T] {
        match self {
            Samples::Borrowed(s) => s,
            Samples::Owned(b) => b,
        }
    }
}

fn data<'a>(d: &'a Data, neg: bool) -> Wv<'a> {
    match (d, neg) {
        (Data::Real(v), false) => Wv::Real(Samples::Borrowed(v)),
        (Data::Complex(v), false) => Wv::Cplx(Samples::Borrowed(v)),
        (Data::Real(v), true) => {
            let mut b = RealBuf::take();
            b.vec().extend(v.iter().map(|x| -x));
            Wv::Real(Samples::Owned(b))
        }
        (Data::Complex(v), true) => {
            let mut b = CplxBuf::take();
            b.vec().extend(v.iter().map(|x| -x));
            Wv::Cplx(Samples::Owned(b))
        }
    }
}

fn vector<'a>(ds: &'a Dataset, v: &VecRef) -> Result<Wv<'a>, MeasureError> {
    match v {
        VecRef::Named(n) => find_vector(ds, n)
            .map(|v| data(&v.data, false))
            .ok_or_else(|| MeasureError::UnknownVector { name: n.clone() }),
        VecRef::I(n, neg) => find_wrapped(ds, "i", n)
            .map(|v| data(&v.data, *neg))
            .ok_or_else(|| MeasureError::UnknownVector { name: format!("i({n})") }),
        VecRef::V(p, n) => {
            let get = |x: &String| {
                find_wrapped(ds, "v", x).ok_or_else(|| MeasureError::UnknownVector { name: format!("v({x})") })
            };
            match (p, n) {
                (Some(p), None) => Ok(data(&get(p)?.data, false)),
                (None, Some(n)) => Ok(data(&get(n)?.data, true)),
                (None, None) => Ok(Wv::Const(0.0.into())),
                (Some(p), Some(n)) => Ok(combine(Op::Sub, data(&get(p)?.data, false), data(&get(n)?.data, false))),
            }
        }
    }
}

fn combine<'a>(op: Op, a: Wv<'a>, b: Wv<'a>) -> Wv<'a> {
    use Wv::*;
    match (a, b) {
        (Const(x), Const(y)) => Const(cbin(op, x, y)),
        (Real(x), Real(y)) => {
            let mut o = RealBuf::take();
            o.vec().extend(x.as_slice().iter().zip(y.as_slice()).map(|(a, b)| bin(op, *a, *b)));
            Real(Samples::Owned(o))
        }
        (Real(x), Const(c)) if c.im == 0.0 => {
            let mut o = RealBuf::take();
            o.vec().extend(x.as_slice().iter().map(|a| bin(op, *a, c.re)));
            Real(Samples::Owned(o))
        }
        (Const(c), Real(y)) if c.im == 0.0 => {
            let mut o = RealBuf::take();
            o.vec().extend(y.as_slice().iter().map(|b| bin(op, c.re, *b)));
            Real(Samples::Owned(o))
        }
        (a, b) => {
            let n = a.len().max(b.len());
            let mut o = CplxBuf::take();
            o.vec().extend((0..n).map(|i| cbin(op, a.c(i), b.c(i))));
            Cplx(Samples::Owned(o))
        }
    }
}

impl Wv<'_> {
    fn len(&self) -> usize {
        match self {
            Wv::Const(_) => 0,
            Wv::Real(x) => x.as_slice().len(),
            Wv::Cplx(x) => x.as_slice().len(),
        }
    }

    fn c(&self, i: usize) -> Complex64 {
        match self {
            Wv::Const(c) => *c,
            Wv::Real(x) => x.as_slice()[i].into(),
            Wv::Cplx(x) => x.as_slice()[i],
        }
    }
}

fn eval_w<'a>(w: &W, ds: &'a Dataset, r: &Results) -> Result<Wv<'a>, MeasureError> {
    Ok(match w {
        W::Vec(v) => vector(ds, v)?,
        W::Const(s) => Wv::Const(eval_s(s, r)?.into()),
        W::Neg(x) => combine(Op::Sub, Wv::Const(0.0.into()), eval_w(x, ds, r)?),
        W::Bin(op, x, y) => combine(*op, eval_w(x, ds, r)?, eval_w(y, ds, r)?),
        W::Math(m, x) => {
            let v = eval_w(x, ds, r)?;
            match v {
                Wv::Const(c) => Wv::Const(cmath(*m, c).into()),
                Wv::Real(y) => {
                    let mut o = RealBuf::take();
                    o.vec().extend(y.as_slice().iter().map(|v| math(*m, *v)));
                    Wv::Real(Samples::Owned(o))
                }
                Wv::Cplx(y) => {
                    let mut o = RealBuf::take();
                    if *m == Math::Phase {
                        super::vectors::unwrapped_phase_deg(y.as_slice(), o.vec());
                    } else {
                        o.vec().extend(y.as_slice().iter().map(|z| cmath(*m, *z)));
                    }
                    Wv::Real(Samples::Owned(o))
                }
            }
        }
    })
}

fn cmath(m: Math, z: Complex64) -> f64 {
    match m {
        Math::Real => z.re,
        Math::Imag => z.im,
        Math::Phase => z.im.atan2(z.re).to_degrees(),
        Math::Abs | Math::Mag => z.norm(),
        // 10·log10|z|² instead of 20·log10 hypot(re, im): no hypot, equal to rounding.
        Math::Db20 => 10.0 * z.norm_sqr().log10(),
        Math::Db10 => 5.0 * z.norm_sqr().log10(),
        _ => math(m, z.norm()),
    }
}

/// A waveform made real: complex becomes its magnitude.
fn real_of<'a>(v: Wv<'a>, n: usize) -> Samples<'a, f64, RealBuf> {
    match v {
        Wv::Real(y) => y,
        Wv::Const(c) => {
            let mut o = RealBuf::take();
            o.vec().resize(n, c.re);
            Samples::Owned(o)
        }
        Wv::Cplx(y) => {
            let mut o = RealBuf::take();
            o.vec().extend(y.as_slice().iter().map(|z| z.norm()));
            Samples::Owned(o)
        }
    }
}

/// The edge of `cross(w, level, n, edge)`: the n-th (n < 0.5: the last) transition.
fn cross_edge(edge: Edge, n: f64) -> Edge {
    let count = if n < 0.5 { None } else { Some((n + 0.5).floor() as u32) };
    match edge {
        Edge::Rise(_) => Edge::Rise(count),
        Edge::Fall(_) => Edge::Fall(count),
        _ => Edge::Cross(count),
    }
}

fn eval_wave_fn(f: WFn, w: &W, kind: Option<Kind>, args: &[S], r: &Results) -> Result<f64, MeasureError> {
    let kind = resolve_kind(kind, r)?;
    let ds = r.dataset(kind)?;
    let x = Scale::of(ds)?;
    let arg = |k: usize| -> Result<Option<f64>, MeasureError> { args.get(k).map(|a| eval_s(a, r)).transpose() };
    let nf = |what: &str| MeasureError::NotFound { what: what.to_string() };
    if f == WFn::Value {
        // A plain vector or a pointwise map of one (`db20(vf(out))`): only the two points
        // around `x` are evaluated.
        let (inner, map) = match w {
            W::Vec(v) => (Some(v), None),
            W::Math(m, b) if *m != Math::Phase => match b.as_ref() {
                W::Vec(v) => (Some(v), Some(*m)),
                _ => (None, None),
            },
            _ => (None, None),
        };
        if let Some(v) = inner {
            let data = vector(ds, v)?;
            let at = arg(0)?.unwrap_or(0.0);
            let i = meas::segment(kind, x, at).ok_or_else(|| nf("the point in the sweep"))?;
            let y = |k: usize| match (&data, map) {
                (Wv::Cplx(_), None) => data.c(k).norm(),
                (Wv::Cplx(_), Some(m)) => cmath(m, data.c(k)),
                (_, None) => data.c(k).re,
                (_, Some(m)) => math(m, data.c(k).re),
            };
            let (x0, x1, y0, y1) = (x.at(i - 1), x.at(i), y(i - 1), y(i));
            return Ok(y0 + (at - x0) * (y1 - y0) / (x1 - x0));
        }
    }
    if let (WFn::Cross(edge), W::Math(m @ (Math::Db20 | Math::Db10), b)) = (f, w) {
        // dB of a complex vector: scan |h|² against the level's |h|², take logs only at the
        // two points of the crossing (dB is strictly increasing in |h|², so the same crossing).
        let data = match b.as_ref() {
            W::Vec(v) => Some(vector(ds, v)?),
            _ => None,
        };
        if let Some(Wv::Cplx(h)) = data {
            let h = h.as_slice();
            let level = arg(0)?.unwrap_or(0.0);
            let e = cross_edge(edge, arg(1)?.unwrap_or(1.0));
            let scale = if *m == Math::Db20 { 10.0 } else { 5.0 };
            let mut key = RealBuf::take();
            key.vec().extend(h.iter().map(|z| z.norm_sqr()));
            let i = meas::when_index(kind, x, &key, None, 10f64.powf(level / scale), 0.0, Counts::of(e))
                .ok_or_else(|| nf("the crossing"))?;
            let (d0, d1) = (scale * h[i - 1].norm_sqr().log10(), scale * h[i].norm_sqr().log10());
            let (x0, x1) = (x.at(i - 1), x.at(i));
            let r = x0 + (level - d0) * (x1 - x0) / (d1 - d0);
            return if r.is_nan() { Err(nf("the crossing")) } else { Ok(r) };
        }
    }
    let v = eval_w(w, ds, r)?;
    // Complex-input specs.
    if matches!(f, WFn::DcGainDb | WFn::Ugf | WFn::PhaseMargin | WFn::GainMargin | WFn::F3db) {
        let h: Samples<Complex64, CplxBuf> = match v {
            Wv::Cplx(h) => h,
            Wv::Real(y) => {
                let mut o = CplxBuf::take();
                o.vec().extend(y.as_slice().iter().map(|v| Complex64::from(*v)));
                Samples::Owned(o)
            }
            Wv::Const(_) => return Err(MeasureError::Invalid { what: "an AC spec needs a waveform".into() }),
        };
        let h = h.as_slice();
        return match f {
            WFn::DcGainDb => specs::dc_gain_db(h),
            WFn::Ugf => specs::ugf(x, h),
            WFn::PhaseMargin => specs::phase_margin(x, h),
            WFn::GainMargin => specs::gain_margin(x, h),
            _ => specs::f3db(x, h),
        };
    }
    let y = real_of(v, x.len());
    let y = y.as_slice();
    match f {
        WFn::Value => {
            let at = arg(0)?.unwrap_or(0.0);
            meas::at(kind, x, y, at).ok_or_else(|| nf("the point in the sweep"))
        }
        WFn::Deriv => meas::deriv(kind, x, y, arg(0)?.unwrap_or(0.0)).ok_or_else(|| nf("the point in the sweep")),
        WFn::Cross(edge) => {
            let e = cross_edge(edge, arg(1)?.unwrap_or(1.0));
            meas::when(kind, x, y, None, arg(0)?.unwrap_or(0.0), 0.0, Counts::of(e)).ok_or_else(|| nf("the crossing"))
        }
        WFn::Stat(stat) => {
            let (from, to) = (arg(0)?, arg(1)?);
            let (fr, t) = meas::window(kind, from, to);
            let empty = || nf("points in the window");
            match stat {
                Stat::Rms | Stat::Integ => {
                    meas::rms_integ(x, y, fr, t, stat == Stat::Rms).map(|v| v.0).ok_or_else(empty)
                }
                Stat::Pp => {
                    let lo = meas::min_max_avg(kind, x, y, fr, t, Stat::Min).ok_or_else(empty)?;
                    let hi = meas::min_max_avg(kind, x, y, fr, t, Stat::Max).ok_or_else(empty)?;
                    Ok(hi.0 - lo.0)
                }
                _ => meas::min_max_avg(kind, x, y, fr, t, stat).map(|v| v.0).ok_or_else(empty),
            }
        }
        WFn::SlewRate => specs::slew_rate(x, y, arg(0)?.unwrap_or(10.0), arg(1)?.unwrap_or(90.0)),
        WFn::SlewEdge(rising) => specs::slew_rate_edge(x, y, arg(0)?.unwrap_or(10.0), arg(1)?.unwrap_or(90.0), rising),
        WFn::Settling => specs::settling_time(x, y, arg(0)?.unwrap_or(0.01), arg(1)?),
        WFn::Overshoot => specs::overshoot(y),
        WFn::TcPpm => specs::tc_ppm(x, y),
        WFn::OutputSwing => specs::output_swing(x, y, arg(0)?.unwrap_or(0.5)),
        WFn::LineReg => specs::line_regulation(x, y),
        WFn::InputNoiseAt => {
            let at = arg(0)?.unwrap_or(0.0);
            meas::at(kind, x, y, at).ok_or_else(|| nf("the frequency in the noise sweep"))
        }
        _ => unreachable!("complex specs handled above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocean_forms_parse() {
        for t in [
            "value(dB20(VF(\"/OUT\")) 1)",
            "cross(dB20(VF(\"/OUT\")) 0 1 \"falling\")",
            "slewRate(VT(\"/OUT\")) / 1e6",
            "IDC(\"/V0/PLUS\") * 1.8",
            "@m1[gm] / @m1[id]",
            "phase_margin(v(out))",
            "max(v(out), 1u, 2u) - min(vt(out))",
            "min(1, 2, 3)",
            "-2**2 + 3^2",
        ] {
            Expr::parse(t).unwrap_or_else(|e| panic!("{t}: {e}"));
        }
    }

    #[test]
    fn errors_name_the_column() {
        let e = Expr::parse("value(v(out) 1").unwrap_err();
        assert_eq!(e.to_string(), "col 15: expected ')'");
        let e = Expr::parse("1 + * 2").unwrap_err();
        assert_eq!(e.col, 5);
        let e = Expr::parse("foo(v(out))").unwrap_err();
        assert_eq!((e.col, e.expected.as_str()), (1, "unknown function 'foo'"));
        let e = Expr::parse("ugf(vt(out))").unwrap_err();
        assert!(e.expected.contains("needs ac results"), "{e}");
        let e = Expr::parse("@m1[foo]").unwrap_err();
        assert!(e.expected.contains("unknown device quantity"), "{e}");
        let e = Expr::parse("value(vf(a) + vt(b), 1)").unwrap_err();
        assert!(e.expected.contains("mixes"), "{e}");
    }

    #[test]
    fn arithmetic_and_precedence() {
        let r = Results::new(&[], None);
        let v = |t: &str| Expr::parse(t).unwrap().eval(&r).unwrap();
        assert_eq!(v("1 + 2 * 3"), 7.0);
        assert_eq!(v("-2^2"), -4.0);
        assert_eq!(v("2^3^2"), 512.0);
        assert_eq!(v("(1 + 2) * 3 / 9"), 1.0);
        assert_eq!(v("10meg / 1k"), 1e4);
        assert_eq!(v("max(1, 5, 3) + min(2, -1)"), 4.0);
        assert_eq!(v("db20(10)"), 20.0);
    }

    #[test]
    fn needs_follow_the_functions() {
        let n = Expr::parse("ugf(v(out)) + slew_rate(v(out))").unwrap().needs();
        assert!(n.ac && n.tran && !n.dc && !n.op);
        let n = Expr::parse("v(out) + @m1[gm]").unwrap().needs();
        assert!(n.op && !n.ac);
    }
}

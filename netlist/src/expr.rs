//! Parameter expressions: syntax (parsed with nom) and the built-in functions.
//!
//! Precedence, lowest first: `c ? a : b` (right associative), `||`, `&&`,
//! comparisons (`== != <> < <= > >=`, and `=` as equality as in `.if (a = 1)`), `+ -`, `* /`,
//! unary `- + !`, power `**` / `^` (right associative, binds tighter than unary minus:
//! `-2^2 = -4`). Truth values are 0 and 1; any non-zero number is true.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while};
use nom::character::complete::{char, satisfy};
use nom::{Err as NomErr, Parser};

use crate::number::{number, PErr, PResult};

/// Deepest nesting accepted (parentheses, unary operators, ternaries).
const MAX_DEPTH: u32 = 100;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

/// An expression as written (identifiers lower case).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(String),
    Un(UnOp, Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Tern(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

impl Expr {
    /// Applies `f` to every identifier (variables and called function names excluded).
    pub fn visit_vars(&self, f: &mut dyn FnMut(&str)) {
        match self {
            Expr::Num(_) => {}
            Expr::Var(v) => f(v),
            Expr::Un(_, a) => a.visit_vars(f),
            Expr::Bin(_, a, b) => {
                a.visit_vars(f);
                b.visit_vars(f);
            }
            Expr::Tern(c, a, b) => {
                c.visit_vars(f);
                a.visit_vars(f);
                b.visit_vars(f);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.visit_vars(f)),
        }
    }

    /// The value if the expression is a plain number.
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Expr::Num(v) => Some(*v),
            Expr::Un(UnOp::Neg, a) => a.as_num().map(|v| -v),
            _ => None,
        }
    }
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Sqrt,
    Exp,
    Ln,
    Log10,
    Pow,
    Pwr,
    Abs,
    Min,
    Max,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Floor,
    Ceil,
    Int,
    Nint,
    Sgn,
    Sqr,
    If,
    Limit,
}

impl Func {
    /// The built-in called `name` (lower case) and its argument count.
    pub fn lookup(name: &str) -> Option<(Func, usize)> {
        use Func::*;
        Some(match name {
            "sqrt" => (Sqrt, 1),
            "exp" => (Exp, 1),
            "log" | "ln" => (Ln, 1),
            "log10" => (Log10, 1),
            "pow" => (Pow, 2),
            "pwr" => (Pwr, 2),
            "abs" => (Abs, 1),
            "min" => (Min, 2),
            "max" => (Max, 2),
            "sin" => (Sin, 1),
            "cos" => (Cos, 1),
            "tan" => (Tan, 1),
            "asin" | "arcsin" => (Asin, 1),
            "acos" | "arccos" => (Acos, 1),
            "atan" | "arctan" => (Atan, 1),
            "sinh" => (Sinh, 1),
            "cosh" => (Cosh, 1),
            "tanh" => (Tanh, 1),
            "asinh" => (Asinh, 1),
            "acosh" => (Acosh, 1),
            "atanh" => (Atanh, 1),
            "floor" => (Floor, 1),
            "ceil" => (Ceil, 1),
            "int" => (Int, 1),
            "nint" => (Nint, 1),
            "sgn" => (Sgn, 1),
            "sqr" => (Sqr, 1),
            "if" | "ternary_fcn" => (If, 3),
            "limit" => (Limit, 3),
            _ => return None,
        })
    }

    /// Applies the function (argument count already checked).
    pub fn apply(self, a: &[f64]) -> f64 {
        use Func::*;
        let x = a.first().copied().unwrap_or(0.0);
        let y = a.get(1).copied().unwrap_or(0.0);
        let z = a.get(2).copied().unwrap_or(0.0);
        match self {
            Sqrt => x.sqrt(),
            Exp => x.exp(),
            Ln => x.ln(),
            Log10 => x.log10(),
            Pow => x.powf(y),
            Pwr => x.signum() * x.abs().powf(y),
            Abs => x.abs(),
            Min => x.min(y),
            Max => x.max(y),
            Sin => x.sin(),
            Cos => x.cos(),
            Tan => x.tan(),
            Asin => x.asin(),
            Acos => x.acos(),
            Atan => x.atan(),
            Sinh => x.sinh(),
            Cosh => x.cosh(),
            Tanh => x.tanh(),
            Asinh => x.asinh(),
            Acosh => x.acosh(),
            Atanh => x.atanh(),
            Floor => x.floor(),
            Ceil => x.ceil(),
            Int => x.trunc(),
            Nint => x.round_ties_even(),
            Sgn => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Sqr => x * x,
            If => {
                if x != 0.0 {
                    y
                } else {
                    z
                }
            }
            Limit => {
                let (lo, hi) = if y <= z { (y, z) } else { (z, y) };
                x.clamp(lo, hi)
            }
        }
    }
}

/// Applies a binary operator.
pub fn apply_bin(op: BinOp, a: f64, b: f64) -> f64 {
    let t = |c: bool| if c { 1.0 } else { 0.0 };
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Pow => a.powf(b),
        BinOp::Eq => t(a == b),
        BinOp::Ne => t(a != b),
        BinOp::Lt => t(a < b),
        BinOp::Le => t(a <= b),
        BinOp::Gt => t(a > b),
        BinOp::Ge => t(a >= b),
        BinOp::And => t(a != 0.0 && b != 0.0),
        BinOp::Or => t(a != 0.0 || b != 0.0),
    }
}

/// Applies a unary operator.
pub fn apply_un(op: UnOp, a: f64) -> f64 {
    match op {
        UnOp::Neg => -a,
        UnOp::Not => {
            if a == 0.0 {
                1.0
            } else {
                0.0
            }
        }
    }
}

fn ws(i: &str) -> &str {
    i.trim_start_matches([' ', '\t'])
}

fn too_deep(i: &str, d: u32) -> Result<(), NomErr<PErr<'_>>> {
    if d > MAX_DEPTH {
        Err(NomErr::Failure(PErr::new(i, "expression nested too deeply")))
    } else {
        Ok(())
    }
}

/// An identifier: a letter or `_`, then letters, digits and `_`.
pub fn identifier(i: &str) -> PResult<'_, &str> {
    let (rest, _) =
        (satisfy(|c| c.is_ascii_alphabetic() || c == '_'), take_while(|c: char| c.is_ascii_alphanumeric() || c == '_'))
            .parse(i)?;
    let rest = &i[i.len() - rest.len()..];
    Ok((rest, &i[..i.len() - rest.len()]))
}

fn ternary(i: &str, d: u32) -> PResult<'_, Expr> {
    too_deep(i, d)?;
    let (i, c) = or_expr(i, d)?;
    let r = ws(i);
    let Some(r) = r.strip_prefix('?') else { return Ok((i, c)) };
    let (r, a) = ternary(r, d + 1)?;
    let r = ws(r);
    let Some(r) = r.strip_prefix(':') else {
        return Err(NomErr::Failure(PErr::new(r, "expected ':' of a '?:' expression")));
    };
    let (r, b) = ternary(r, d + 1)?;
    Ok((r, Expr::Tern(Box::new(c), Box::new(a), Box::new(b))))
}

/// One left-associative precedence level.
fn level<'a>(
    i: &'a str,
    d: u32,
    op: &mut dyn FnMut(&'a str) -> PResult<'a, BinOp>,
    next: fn(&'a str, u32) -> PResult<'a, Expr>,
) -> PResult<'a, Expr> {
    let (mut i, mut acc) = next(i, d)?;
    loop {
        let r = ws(i);
        match op(r) {
            Ok((r, o)) => {
                let (r, rhs) = next(r, d)?;
                acc = Expr::Bin(o, Box::new(acc), Box::new(rhs));
                i = r;
            }
            Err(NomErr::Error(_)) => return Ok((i, acc)),
            Err(e) => return Err(e),
        }
    }
}

fn or_expr(i: &str, d: u32) -> PResult<'_, Expr> {
    level(i, d, &mut |r| tag("||").map(|_| BinOp::Or).parse(r), and_expr)
}

fn and_expr(i: &str, d: u32) -> PResult<'_, Expr> {
    level(i, d, &mut |r| tag("&&").map(|_| BinOp::And).parse(r), cmp_expr)
}

fn cmp_op(r: &str) -> PResult<'_, BinOp> {
    alt((
        tag("==").map(|_| BinOp::Eq),
        tag("!=").map(|_| BinOp::Ne),
        tag("<>").map(|_| BinOp::Ne),
        tag("<=").map(|_| BinOp::Le),
        tag(">=").map(|_| BinOp::Ge),
        tag("<").map(|_| BinOp::Lt),
        tag(">").map(|_| BinOp::Gt),
        tag("=").map(|_| BinOp::Eq),
    ))
    .parse(r)
}

fn cmp_expr(i: &str, d: u32) -> PResult<'_, Expr> {
    level(i, d, &mut cmp_op, add_expr)
}

fn add_expr(i: &str, d: u32) -> PResult<'_, Expr> {
    level(i, d, &mut |r| alt((char('+').map(|_| BinOp::Add), char('-').map(|_| BinOp::Sub))).parse(r), mul_expr)
}

fn mul_op(r: &str) -> PResult<'_, BinOp> {
    if r.starts_with("**") {
        return Err(NomErr::Error(PErr::new(r, "not a product")));
    }
    alt((char('*').map(|_| BinOp::Mul), char('/').map(|_| BinOp::Div))).parse(r)
}

fn mul_expr(i: &str, d: u32) -> PResult<'_, Expr> {
    level(i, d, &mut mul_op, unary)
}

fn unary(i: &str, d: u32) -> PResult<'_, Expr> {
    too_deep(i, d)?;
    let r = ws(i);
    if let Some(r) = r.strip_prefix('-') {
        let (r, a) = unary(r, d + 1)?;
        return Ok((r, Expr::Un(UnOp::Neg, Box::new(a))));
    }
    if let Some(r) = r.strip_prefix('+') {
        return unary(r, d + 1);
    }
    if let Some(r) = r.strip_prefix('!') {
        let (r, a) = unary(r, d + 1)?;
        return Ok((r, Expr::Un(UnOp::Not, Box::new(a))));
    }
    power(r, d)
}

fn power(i: &str, d: u32) -> PResult<'_, Expr> {
    let (i, base) = primary(i, d)?;
    let r = ws(i);
    let after = r.strip_prefix("**").or_else(|| r.strip_prefix('^'));
    match after {
        Some(r) => {
            let (r, e) = unary(r, d + 1)?;
            Ok((r, Expr::Bin(BinOp::Pow, Box::new(base), Box::new(e))))
        }
        None => Ok((i, base)),
    }
}

fn primary(i: &str, d: u32) -> PResult<'_, Expr> {
    too_deep(i, d)?;
    let i = ws(i);
    if let Some(r) = i.strip_prefix('(') {
        let (r, e) = ternary(r, d + 1)?;
        let r = ws(r);
        return match r.strip_prefix(')') {
            Some(r) => Ok((r, e)),
            None => Err(NomErr::Failure(PErr::new(r, "expected ')'"))),
        };
    }
    if i.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return number(i).map(|(r, v)| (r, Expr::Num(v)));
    }
    let (r, name) = match identifier(i) {
        Ok(x) => x,
        Err(_) => return Err(NomErr::Error(PErr::new(i, "expected a number, a name or '('"))),
    };
    let name = name.to_ascii_lowercase();
    let r2 = ws(r);
    let Some(mut r2) = r2.strip_prefix('(') else { return Ok((r, Expr::Var(name))) };
    let mut args = Vec::new();
    if let Some(r3) = ws(r2).strip_prefix(')') {
        return Ok((r3, Expr::Call(name, args)));
    }
    loop {
        let (r3, a) = ternary(r2, d + 1)?;
        args.push(a);
        let r3 = ws(r3);
        if let Some(r4) = r3.strip_prefix(',') {
            r2 = r4;
        } else if let Some(r4) = r3.strip_prefix(')') {
            return Ok((r4, Expr::Call(name, args)));
        } else {
            return Err(NomErr::Failure(PErr::new(r3, "expected ',' or ')' in a function call")));
        }
    }
}

/// Parses an expression at the start of `i`, returning the rest (for `name=expr name=expr` lists).
pub fn expr_prefix(i: &str) -> PResult<'_, Expr> {
    ternary(i, 0)
}

/// Parses a whole string as one expression; on error, the byte offset and what was expected.
///
/// ```
/// use insitu_netlist::expr::{parse_expr, Expr};
/// assert_eq!(parse_expr("2 ** 3").map(|e| e.as_num().is_none()), Ok(true));
/// assert!(parse_expr("1 +").is_err());
/// ```
pub fn parse_expr(text: &str) -> Result<Expr, (usize, String)> {
    let offset = |rest: &str| text.len() - rest.len();
    match ternary(text, 0) {
        Ok((rest, e)) => {
            let rest = ws(rest);
            if rest.is_empty() {
                Ok(e)
            } else {
                let c = rest.chars().next().unwrap_or(' ');
                Err((offset(rest), format!("unexpected '{c}' in expression")))
            }
        }
        Err(NomErr::Error(e)) | Err(NomErr::Failure(e)) => Err((offset(e.at), e.msg)),
        Err(NomErr::Incomplete(_)) => Err((text.len(), "incomplete expression".into())),
    }
}

/// Evaluates an expression with no variables other than those `var` knows (a test helper
/// and the evaluator of constant expressions); user functions are not known here.
pub fn eval_simple(e: &Expr, var: &dyn Fn(&str) -> Option<f64>) -> Result<f64, String> {
    Ok(match e {
        Expr::Num(v) => *v,
        Expr::Var(n) => var(n).ok_or_else(|| format!("undefined parameter '{n}'"))?,
        Expr::Un(op, a) => apply_un(*op, eval_simple(a, var)?),
        Expr::Bin(op, a, b) => apply_bin(*op, eval_simple(a, var)?, eval_simple(b, var)?),
        Expr::Tern(c, a, b) => {
            if eval_simple(c, var)? != 0.0 {
                eval_simple(a, var)?
            } else {
                eval_simple(b, var)?
            }
        }
        Expr::Call(name, args) => {
            let (f, n) = Func::lookup(name).ok_or_else(|| format!("unknown function '{name}'"))?;
            if args.len() != n {
                return Err(format!("{name}() takes {n} argument(s), got {}", args.len()));
            }
            let vals = args.iter().map(|a| eval_simple(a, var)).collect::<Result<Vec<_>, _>>()?;
            f.apply(&vals)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> f64 {
        let e = parse_expr(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        eval_simple(&e, &|n| if n == "x" { Some(3.0) } else { None }).unwrap_or(f64::NAN)
    }

    #[test]
    fn precedence() {
        assert_eq!(ev("1+2*3"), 7.0);
        assert_eq!(ev("(1+2)*3"), 9.0);
        assert_eq!(ev("2**3**2"), 512.0);
        assert_eq!(ev("2^3"), 8.0);
        assert_eq!(ev("-2^2"), -4.0);
        assert_eq!(ev("2^-1"), 0.5);
        assert_eq!(ev("1--1"), 2.0);
        assert_eq!(ev("5+2/-4"), 4.5);
        assert_eq!(ev("10-4-3"), 3.0);
        assert_eq!(ev("8/4/2"), 1.0);
        assert_eq!(ev("1 ? 42 : 0 ? 41 : 40"), 42.0);
        assert_eq!(ev("0 ? 42 : 1 ? 41 : 40"), 41.0);
        assert_eq!(ev("(3>2)||(1<4) ? 0.2 : 0.3"), 0.2);
        assert_eq!(ev("1 + 2 > 2 && 0.1"), 1.0);
        assert_eq!(ev("!0"), 1.0);
        assert_eq!(ev("2 == 2"), 1.0);
        assert_eq!(ev("2 = 3"), 0.0);
        assert_eq!(ev("3 != 2"), 1.0);
        assert_eq!(ev("x*2k"), 6000.0);
    }

    #[test]
    fn functions() {
        assert_eq!(ev("sqrt(16)"), 4.0);
        assert_eq!(ev("max(1, min(5, 3))"), 3.0);
        assert_eq!(ev("pow(2,10)"), 1024.0);
        assert_eq!(ev("pwr(-2,2)"), -4.0);
        assert_eq!(ev("abs(-2)"), 2.0);
        assert_eq!(ev("int(-1.9)"), -1.0);
        assert_eq!(ev("nint(2.5)"), 2.0);
        assert_eq!(ev("floor(-1.5)"), -2.0);
        assert_eq!(ev("ceil(1.2)"), 2.0);
        assert!((ev("log(2)") - std::f64::consts::LN_2).abs() < 1e-15);
        assert!((ev("ln(2)") - std::f64::consts::LN_2).abs() < 1e-15);
        assert_eq!(ev("log10(1000)"), 3.0);
        assert_eq!(ev("exp(0)"), 1.0);
        assert!((ev("atan(1)") - std::f64::consts::FRAC_PI_4).abs() < 1e-15);
        assert_eq!(ev("sin(0) + cos(0) + tan(0)"), 1.0);
    }

    #[test]
    fn errors_have_offsets() {
        assert_eq!(parse_expr("1 + * 2").map_err(|e| e.0), Err(4));
        assert!(parse_expr("(1+2").is_err());
        assert!(parse_expr("1 ? 2").is_err());
        assert!(parse_expr("4k7").is_err());
        assert!(parse_expr(&"(".repeat(500)).is_err());
        assert!(parse_expr(&"-".repeat(5000)).is_err());
    }
}

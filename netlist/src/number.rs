//! SPICE numbers: `1.5`, `2e-3`, `10pF`, `1kOhm`, `100meg`, `5mil`.
//!
//! A number is a decimal mantissa with an optional exponent, an optional scale suffix
//! (`f p n u m k meg g t mil`, case-insensitive) and optional trailing unit letters, which are
//! ignored as ngspice ignores them (so `1F` is one femto, as in ngspice). Digits after the
//! suffix (`4k7`, a schematic-tool habit that ngspice does not accept) are rejected with a
//! message suggesting `4.7k`.

use nom::branch::alt;
use nom::bytes::complete::take_while;
use nom::character::complete::{char, digit0, digit1, one_of};
use nom::combinator::opt;
use nom::{IResult, Parser};

/// A parse error carrying the remaining input (for its position) and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct PErr<'a> {
    /// The input where the error was detected.
    pub at: &'a str,
    /// What was expected there.
    pub msg: String,
}

impl<'a> PErr<'a> {
    /// An error at `at` saying `msg`.
    pub fn new(at: &'a str, msg: impl Into<String>) -> Self {
        PErr { at, msg: msg.into() }
    }
}

impl<'a> nom::error::ParseError<&'a str> for PErr<'a> {
    fn from_error_kind(input: &'a str, kind: nom::error::ErrorKind) -> Self {
        PErr { at: input, msg: format!("syntax error ({})", kind.description()) }
    }
    fn append(_: &'a str, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// Result type of the nom parsers of this crate.
pub type PResult<'a, T> = IResult<&'a str, T, PErr<'a>>;

/// The scale suffix at the start of `s`: (power of ten, extra factor, suffix length).
fn suffix(s: &str) -> (i64, f64, usize) {
    let lower: String = s.chars().take(3).collect::<String>().to_ascii_lowercase();
    if lower.starts_with("meg") {
        return (6, 1.0, 3);
    }
    if lower.starts_with("mil") {
        return (-6, 25.4, 3);
    }
    match lower.chars().next() {
        Some('t') => (12, 1.0, 1),
        Some('g') => (9, 1.0, 1),
        Some('k') => (3, 1.0, 1),
        Some('m') => (-3, 1.0, 1),
        Some('u') => (-6, 1.0, 1),
        Some('n') => (-9, 1.0, 1),
        Some('p') => (-12, 1.0, 1),
        Some('f') => (-15, 1.0, 1),
        _ => (0, 1.0, 0),
    }
}

/// The double nearest to `digits` (e.g. `12.5`) times 10^`exp`, without allocating in the
/// common case (exact integer mantissa and small exponent: one correctly rounded operation).
fn decimal(digits: &str, exp: i64) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let mut mant: u64 = 0;
    let mut ndigits = 0;
    let mut frac = 0i64;
    let mut seen_dot = false;
    for b in digits.bytes() {
        match b {
            b'.' => seen_dot = true,
            b'0'..=b'9' => {
                if mant == 0 && b == b'0' {
                    if seen_dot {
                        frac += 1;
                    }
                    continue;
                }
                ndigits += 1;
                if ndigits > 15 {
                    return format!("{digits}e{exp}").parse().ok();
                }
                mant = mant * 10 + u64::from(b - b'0');
                if seen_dot {
                    frac += 1;
                }
            }
            _ => return None,
        }
    }
    let e = exp - frac;
    let m = mant as f64;
    if mant == 0 {
        Some(0.0)
    } else if (0..=22).contains(&e) {
        Some(m * POW10[e as usize])
    } else if (-22..0).contains(&e) {
        Some(m / POW10[(-e) as usize])
    } else {
        format!("{digits}e{exp}").parse().ok()
    }
}

/// Parses one SPICE number (no sign) with suffix and unit letters.
///
/// ```
/// use insitu_netlist::number::number;
/// assert_eq!(number("10pF rest").unwrap(), (" rest", 10e-12));
/// assert_eq!(number("1kOhm").unwrap().1, 1e3);
/// assert!(number("4k7").is_err());
/// ```
pub fn number(input: &str) -> PResult<'_, f64> {
    // Lengths, not `recognize`: nom may return a detached "" at the end of input.
    let (rest, _) = (
        alt(((digit1, opt((char('.'), digit0))).map(|_| ()), (char('.'), digit1).map(|_| ()))),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
    )
        .parse(input)?;
    let mantissa = &input[..input.len() - rest.len()];
    let (exp10, factor, len) = suffix(rest);
    let rest = &rest[len..];
    // Fold the suffix into the decimal exponent so `100n` is exactly the double nearest 1e-7.
    let (digits, exp) = match mantissa.find(['e', 'E']) {
        Some(i) => (&mantissa[..i], mantissa[i + 1..].parse::<i64>().unwrap_or(0)),
        None => (mantissa, 0),
    };
    let total = exp.saturating_add(exp10).clamp(-100_000, 100_000);
    let value = decimal(digits, total).ok_or_else(|| nom::Err::Error(PErr::new(input, "expected a number")))? * factor;
    let (rest, _units) = take_while(|c: char| c.is_ascii_alphabetic()).parse(rest)?;
    if rest.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '_') {
        return Err(nom::Err::Failure(PErr::new(
            rest,
            "digits after the scale suffix are not SPICE (write 4.7k, not 4k7)",
        )));
    }
    Ok((rest, value))
}

/// Parses a whole string as one number (optionally signed), e.g. `-1mA`.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match number(body) {
        Ok(("", v)) => Some(if neg { -v } else { v }),
        _ => None,
    }
}

/// Why an unbraced word that starts as a number (after an optional sign, a digit or `.`)
/// is not one: the offset in `text` where it stops being one, and the message. `None`
/// when the word is a number, or does not start as one (a name, a function call).
///
/// SPICE reads such a word as a number and something else: ngspice takes `1e3-20` as
/// `1e3` followed by a separate `-20` (ignored on a `.model` card, the resistance itself on
/// an `R` line). Arithmetic on values needs braces or quotes, so `{1e3-20}` is 980 and the
/// bare word is an error rather than a third reading.
///
/// ```
/// use insitu_netlist::number::numeric_word_error;
/// assert_eq!(numeric_word_error("1e3-20").unwrap().0, 3);
/// assert!(numeric_word_error("-1.5kOhm").is_none());
/// assert!(numeric_word_error("wn*2").is_none());
/// ```
pub fn numeric_word_error(text: &str) -> Option<(usize, String)> {
    let sign = usize::from(text.starts_with(['+', '-']));
    let body = &text[sign..];
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    match number(body) {
        Ok(("", _)) => None,
        Ok((rest, _)) => {
            let at = text.len() - rest.len();
            let msg = format!(
                "'{text}' is not a number: SPICE reads '{}' and then '{rest}' apart; an expression \
                 needs braces: {{{text}}}",
                &text[..at]
            );
            Some((at, msg))
        }
        Err(nom::Err::Failure(e) | nom::Err::Error(e)) => Some((text.len() - e.at.len(), e.msg)),
        Err(nom::Err::Incomplete(_)) => Some((sign, "expected a number".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_and_units() {
        let cases = [
            ("1", 1.0),
            ("1.5", 1.5),
            (".5", 0.5),
            ("2.", 2.0),
            ("1e3", 1e3),
            ("1E-3", 1e-3),
            ("10pF", 10e-12),
            ("1kOhm", 1e3),
            ("100MEG", 100e6),
            ("1Meg", 1e6),
            ("2mil", 50.8e-6),
            ("3m", 3e-3),
            ("1uH", 1e-6),
            ("20ns", 20e-9),
            ("1T", 1e12),
            ("2g", 2e9),
            ("1f", 1e-15),
            ("5v", 5.0),
            ("0Hz", 0.0),
            ("1.0V", 1.0),
            ("2.5e-3k", 2.5),
        ];
        for (text, want) in cases {
            let got = parse_number(text).unwrap_or(f64::NAN);
            assert!((got - want).abs() <= 1e-12 * want.abs().max(1e-30), "{text}: {got} != {want}");
        }
        assert_eq!(parse_number("-1mA"), Some(-1e-3));
    }

    #[test]
    fn exact_like_a_literal() {
        for (text, want) in [
            ("100n", 100e-9),
            ("50u", 50e-6),
            ("2.5e-3", 2.5e-3),
            ("0.9001", 0.9001),
            ("1.5k", 1.5e3),
            ("400n", 400e-9),
            ("12345678901234567890", 12345678901234567890.0),
            ("1e-300", 1e-300),
            ("0.000", 0.0),
        ] {
            assert_eq!(parse_number(text), Some(want), "{text}");
        }
    }

    #[test]
    fn rejects_4k7_and_garbage() {
        assert!(parse_number("4k7").is_none());
        assert!(matches!(number("4k7"), Err(nom::Err::Failure(_))));
        assert!(parse_number("abc").is_none());
        assert!(parse_number("1.2.3").is_none());
        assert!(parse_number("").is_none());
    }
}

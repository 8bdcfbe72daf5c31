//! `.meas` / `.measure` cards in ngspice's syntax, parsed into [`Measure`].
//!
//! ```text
//! .meas tran NAME TRIG sig VAL=v [TD=t] [RISE=n|FALL=n|CROSS=n|...=LAST] TARG sig VAL=v ...
//! .meas tran NAME TRIG AT=t TARG ...
//! .meas ac   NAME WHEN sig=val|sig2 [TD=t] [RISE|FALL|CROSS=n|LAST]
//! .meas ac   NAME FIND sig WHEN sig2=val ...   |   FIND sig AT=x
//! .meas tran NAME DERIV sig AT=x               |   DERIV sig WHEN sig2=val ...
//! .meas dc   NAME AVG|MIN|MAX|PP|RMS|INTEG|MIN_AT|MAX_AT sig [FROM=x] [TO=x] [TD=t]
//! .meas tran NAME param='expression of other measures and .param values'
//! ```
//! Signals are kept as text (lower case) with their location; the solver's measure module
//! compiles them (`v(out)`, `v(a,b)`, `i(vdd)`, `vdb(out)`, `vm vp vr vi`, `par('expr')`).
//! Syntax errors are reported here with file:line:col.

use crate::error::Location;

/// The analysis a measure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasAnalysis {
    Ac,
    Dc,
    Tran,
    /// `.meas op NAME param='...'` (an insitu extension: expressions over the operating point).
    Op,
    /// `.meas noise ...` over the noise spectra.
    Noise,
}

impl MeasAnalysis {
    /// The keyword as written in a deck.
    pub fn keyword(self) -> &'static str {
        match self {
            MeasAnalysis::Ac => "ac",
            MeasAnalysis::Dc => "dc",
            MeasAnalysis::Tran => "tran",
            MeasAnalysis::Op => "op",
            MeasAnalysis::Noise => "noise",
        }
    }
}

/// A signal or expression written in a measure, lower case, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub text: String,
    pub loc: Location,
}

/// Which transition of a condition counts (ngspice keeps the last one given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// No RISE/FALL/CROSS given: the first transition of either kind.
    Any,
    /// `RISE=n` (n >= 1) or `RISE=LAST` (`None`).
    Rise(Option<u32>),
    /// `FALL=n` or `FALL=LAST`.
    Fall(Option<u32>),
    /// `CROSS=n` or `CROSS=LAST` (also a bare `LAST`).
    Cross(Option<u32>),
}

/// What a condition compares its signal with.
#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    Value(f64),
    Signal(Signal),
}

/// `sig = level` (WHEN) or `sig VAL=level` (TRIG/TARG) with its options.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub signal: Signal,
    pub level: Level,
    /// `TD=`: transitions before this scale value are ignored (transient only, as ngspice).
    pub td: f64,
    pub edge: Edge,
}

/// The trigger or target of a TRIG/TARG measure.
#[derive(Debug, Clone, PartialEq)]
pub enum Point {
    At(f64),
    When(Condition),
}

/// The statistics over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    Avg,
    Min,
    Max,
    MinAt,
    MaxAt,
    Pp,
    Rms,
    Integ,
}

/// What a measure computes.
#[derive(Debug, Clone, PartialEq)]
pub enum MeasKind {
    /// TRIG ... TARG ...: target minus trigger (scale units).
    TrigTarg { trig: Point, targ: Point },
    /// FIND sig AT=x.
    FindAt { signal: Signal, at: f64 },
    /// FIND sig WHEN cond.
    FindWhen { signal: Signal, when: Condition },
    /// WHEN cond: the scale value.
    When(Condition),
    /// DERIV sig AT=x.
    DerivAt { signal: Signal, at: f64 },
    /// DERIV sig WHEN cond.
    DerivWhen { signal: Signal, when: Condition },
    /// AVG/MIN/MAX/PP/RMS/INTEG/MIN_AT/MAX_AT over `[from, to]` (`None`: ngspice's defaults).
    Stat { stat: Stat, signal: Signal, from: Option<f64>, to: Option<f64> },
    /// `param='expr'` over other measures and `.param` values.
    Param(Signal),
}

/// One `.meas` card.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// Result name, lower case.
    pub name: String,
    pub analysis: MeasAnalysis,
    pub kind: MeasKind,
    /// Where the card starts.
    pub loc: Location,
}

impl Measure {
    /// The waveform signals the measure reads (trigger, target, FIND, DERIV, WHEN conditions and
    /// their signal levels, statistics), in card order; a `param=` expression reads none.
    pub fn signals(&self) -> Vec<&Signal> {
        fn cond(c: &Condition) -> impl Iterator<Item = &Signal> {
            std::iter::once(&c.signal).chain(match &c.level {
                Level::Signal(s) => Some(s),
                _ => None,
            })
        }
        match &self.kind {
            MeasKind::TrigTarg { trig, targ } => [trig, targ]
                .into_iter()
                .flat_map(|p| match p {
                    Point::When(c) => cond(c).collect(),
                    Point::At(_) => vec![],
                })
                .collect(),
            MeasKind::FindAt { signal, .. } | MeasKind::DerivAt { signal, .. } | MeasKind::Stat { signal, .. } => {
                vec![signal]
            }
            MeasKind::FindWhen { signal, when } | MeasKind::DerivWhen { signal, when } => {
                std::iter::once(signal).chain(cond(when)).collect()
            }
            MeasKind::When(c) => cond(c).collect(),
            MeasKind::Param(_) => vec![],
        }
    }
}

/// A word of a measure card: text and byte offset in the card's text.
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    off: usize,
}

/// Splits at blanks outside parentheses and quotes, then joins `a = b`, `a= b`, `a =b` into one
/// word, as ngspice's measure parser sees them.
fn words(text: &str, base: usize) -> Result<Vec<Word<'_>>, (usize, String)> {
    let b = text.as_bytes();
    let mut raw: Vec<Word> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut depth = 0i32;
        let mut quote: Option<u8> = None;
        while i < b.len() {
            let c = b[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    b'\'' | b'"' => quote = Some(c),
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    c if c.is_ascii_whitespace() && depth <= 0 => break,
                    _ => {}
                },
            }
            i += 1;
        }
        if quote.is_some() {
            return Err((base + start, "unterminated quote".into()));
        }
        if depth > 0 {
            return Err((base + start, "expected ')'".into()));
        }
        raw.push(Word { text: &text[start..i], off: base + start });
    }
    // Join words around '=' into one span of the original text.
    let mut out: Vec<Word> = Vec::new();
    let mut k = 0;
    while k < raw.len() {
        let mut w = raw[k];
        k += 1;
        loop {
            let next_starts_eq = k < raw.len() && raw[k].text.starts_with('=');
            if w.text.ends_with('=') && k < raw.len() || next_starts_eq {
                let n = raw[k];
                let end = n.off - base + n.text.len();
                w = Word { text: &text[w.off - base..end], off: w.off };
                k += 1;
                if w.text.ends_with('=') && k < raw.len() {
                    continue;
                }
            }
            break;
        }
        out.push(w);
    }
    Ok(out)
}

/// Parses the text of a `.meas` card (keyword included); `loc_at(offset)` gives the location
/// of a byte offset in that text.
pub(crate) fn parse_measure(text: &str, loc_at: &dyn Fn(usize) -> Location) -> Result<Measure, (usize, String)> {
    let ws = words(text, 0)?;
    let end = text.len();
    let at = |k: usize| ws.get(k).map_or(end, |w| w.off);
    let analysis = match ws.get(1).map(|w| w.text.to_ascii_lowercase()).as_deref() {
        Some("ac") => MeasAnalysis::Ac,
        Some("dc") => MeasAnalysis::Dc,
        Some("tran") => MeasAnalysis::Tran,
        Some("op") => MeasAnalysis::Op,
        Some("noise") => MeasAnalysis::Noise,
        _ => return Err((at(1), "expected an analysis: ac, dc, tran, op or noise".into())),
    };
    let name = match ws.get(2) {
        Some(w) if !w.text.contains('=') => w.text.to_ascii_lowercase(),
        _ => return Err((at(2), "expected the measure's name".into())),
    };
    let loc = loc_at(0);
    let sig = |w: Word| Signal { text: unquote(w.text).to_ascii_lowercase(), loc: loc_at(w.off) };
    let func_w = ws.get(3).copied().ok_or((
        end,
        "expected TRIG, FIND, WHEN, DERIV, AVG, MIN, MAX, PP, RMS, INTEG, MIN_AT, MAX_AT or PARAM=".to_string(),
    ))?;
    let func = func_w.text.to_ascii_lowercase();
    let rest = &ws[4..];
    let kind = if let Some(("param", val)) = split_eq(&func) {
        let off = func_w.off + func_w.text.len() - val.len();
        if val.trim().is_empty() {
            return Err((off, "expected an expression after param=".into()));
        }
        if let Some(x) = rest.first() {
            return Err((x.off, "unexpected text after param= (quote the expression)".into()));
        }
        MeasKind::Param(Signal { text: unquote(val).to_ascii_lowercase(), loc: loc_at(off) })
    } else {
        match func.as_str() {
            "trig" => {
                let targ_k = rest
                    .iter()
                    .position(|w| w.text.eq_ignore_ascii_case("targ"))
                    .ok_or((end, "expected TARG after TRIG".to_string()))?;
                let trig = point(&rest[..targ_k], func_w.off + 4, &sig, "TRIG")?;
                let targ = point(&rest[targ_k + 1..], rest[targ_k].off + 4, &sig, "TARG")?;
                MeasKind::TrigTarg { trig, targ }
            }
            "find" | "deriv" | "derivative" => {
                let s = rest.first().copied().ok_or((end, "expected a signal".to_string()))?;
                if s.text.contains('=') {
                    return Err((s.off, "expected a signal".into()));
                }
                let signal = sig(s);
                let deriv = func != "find";
                match rest.get(1) {
                    Some(w) if w.text.eq_ignore_ascii_case("when") => {
                        let when = condition(&rest[2..], w.off + 4, &sig, true)?;
                        if deriv {
                            MeasKind::DerivWhen { signal, when }
                        } else {
                            MeasKind::FindWhen { signal, when }
                        }
                    }
                    Some(w) if key_is(w.text, "at") => {
                        let at = number(w)?;
                        if let Some(x) = rest.get(2) {
                            return Err((x.off, "unexpected text after AT=".into()));
                        }
                        if deriv {
                            MeasKind::DerivAt { signal, at }
                        } else {
                            MeasKind::FindAt { signal, at }
                        }
                    }
                    Some(w) => return Err((w.off, "expected WHEN or AT=".into())),
                    None => return Err((end, "expected WHEN or AT=".into())),
                }
            }
            "when" => MeasKind::When(condition(rest, func_w.off + 4, &sig, true)?),
            "avg" | "min" | "max" | "min_at" | "max_at" | "pp" | "rms" | "integ" | "integral" => {
                let stat = match func.as_str() {
                    "avg" => Stat::Avg,
                    "min" => Stat::Min,
                    "max" => Stat::Max,
                    "min_at" => Stat::MinAt,
                    "max_at" => Stat::MaxAt,
                    "pp" => Stat::Pp,
                    "rms" => Stat::Rms,
                    _ => Stat::Integ,
                };
                let s = rest.first().copied().ok_or((end, "expected a signal".to_string()))?;
                if s.text.contains('=') {
                    return Err((s.off, "expected a signal".into()));
                }
                let (mut from, mut to) = (None, None);
                for w in &rest[1..] {
                    if key_is(w.text, "from") {
                        from = Some(number(w)?);
                    } else if key_is(w.text, "to") {
                        to = Some(number(w)?);
                    } else if key_is(w.text, "td") {
                        number(w)?; // accepted and, as in ngspice, unused by these functions
                    } else {
                        return Err((w.off, "expected FROM=, TO= or TD=".into()));
                    }
                }
                MeasKind::Stat { stat, signal: sig(s), from, to }
            }
            _ => {
                return Err((
                    func_w.off,
                    "expected TRIG, FIND, WHEN, DERIV, AVG, MIN, MAX, PP, RMS, INTEG, MIN_AT, MAX_AT or PARAM=".into(),
                ))
            }
        }
    };
    if analysis == MeasAnalysis::Op && !matches!(kind, MeasKind::Param(_)) {
        return Err((at(1), "an op measure takes only param='expression'".into()));
    }
    Ok(Measure { name, analysis, kind, loc })
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['\'', '"'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

/// Splits `key=value` at its first top-level '='.
fn split_eq(s: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '=' if depth == 0 => return Some((s[..i].trim(), s[i + 1..].trim_start())),
            _ => {}
        }
    }
    None
}

fn key_is(text: &str, key: &str) -> bool {
    split_eq(text).is_some_and(|(k, _)| k.eq_ignore_ascii_case(key))
}

/// The number after `key=`.
fn number(w: &Word) -> Result<f64, (usize, String)> {
    let (k, v) = split_eq(w.text).ok_or((w.off, "expected key=value".to_string()))?;
    let off = w.off + w.text.len() - v.len();
    crate::number::parse_number(unquote(v)).ok_or((off, format!("expected a number after {}=", k.to_ascii_uppercase())))
}

/// The count of `RISE=`, `FALL=`, `CROSS=`: a positive integer or LAST.
fn count(w: &Word) -> Result<Option<u32>, (usize, String)> {
    let (_, v) = split_eq(w.text).ok_or((w.off, "expected key=value".to_string()))?;
    if v.eq_ignore_ascii_case("last") {
        return Ok(None);
    }
    let n = number(w)?;
    let r = (n + 0.5).floor();
    if r < 1.0 {
        let off = w.off + w.text.len() - v.len();
        return Err((off, "expected a count of 1 or more, or LAST".into()));
    }
    Ok(Some(r as u32))
}

/// The options of a condition: TD, RISE/FALL/CROSS/LAST (FROM/TO accepted: ngspice ignores
/// them in conditions).
fn options(ws: &[Word], val: &mut Option<f64>, td: &mut f64, edge: &mut Edge) -> Result<(), (usize, String)> {
    for w in ws {
        let key = split_eq(w.text).map(|(k, _)| k.to_ascii_lowercase());
        match key.as_deref() {
            None if w.text.eq_ignore_ascii_case("last") => *edge = Edge::Cross(None),
            Some("rise") => *edge = Edge::Rise(count(w)?),
            Some("fall") => *edge = Edge::Fall(count(w)?),
            Some("cross") => *edge = Edge::Cross(count(w)?),
            Some("td") => *td = number(w)?,
            Some("val") => *val = Some(number(w)?),
            Some("from") | Some("to") => {
                number(w)?;
            }
            _ => return Err((w.off, "expected VAL=, TD=, RISE=, FALL=, CROSS= or LAST".into())),
        }
    }
    Ok(())
}

/// `sig=level [options]` (WHEN).
fn condition(
    ws: &[Word],
    missing_at: usize,
    sig: &dyn Fn(Word) -> Signal,
    _when: bool,
) -> Result<Condition, (usize, String)> {
    let first = ws.first().copied().ok_or((missing_at, "expected signal=value".to_string()))?;
    let (lhs, rhs) = split_eq(first.text).ok_or((first.off, "expected signal=value".to_string()))?;
    if lhs.is_empty() || rhs.is_empty() {
        return Err((first.off, "expected signal=value".into()));
    }
    let rhs_off = first.off + first.text.len() - rhs.len();
    let signal = sig(Word { text: lhs, off: first.off });
    let level = match crate::number::parse_number(unquote(rhs)) {
        Some(v) => Level::Value(v),
        None => Level::Signal(sig(Word { text: rhs, off: rhs_off })),
    };
    let (mut val, mut td, mut edge) = (None, 0.0, Edge::Any);
    options(&ws[1..], &mut val, &mut td, &mut edge)?;
    Ok(Condition { signal, level, td, edge })
}

/// A TRIG or TARG clause: `AT=x` or `sig VAL=v [options]`.
fn point(ws: &[Word], missing_at: usize, sig: &dyn Fn(Word) -> Signal, what: &str) -> Result<Point, (usize, String)> {
    let first = ws.first().copied().ok_or((missing_at, format!("expected a signal or AT= after {what}")))?;
    if key_is(first.text, "at") {
        if let Some(x) = ws.get(1) {
            return Err((x.off, "unexpected text after AT=".into()));
        }
        return Ok(Point::At(number(&first)?));
    }
    if first.text.contains('=') {
        return Err((first.off, format!("expected a signal or AT= after {what}")));
    }
    let (mut val, mut td, mut edge) = (None, 0.0, Edge::Any);
    options(&ws[1..], &mut val, &mut td, &mut edge)?;
    let val = val.ok_or((first.off, format!("{what} needs VAL=")))?;
    if edge == Edge::Any {
        return Err((first.off, format!("{what} needs RISE=, FALL=, CROSS= or AT=")));
    }
    Ok(Point::When(Condition { signal: sig(first), level: Level::Value(val), td, edge }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn p(text: &str) -> Result<Measure, (usize, String)> {
        let loc = |off: usize| Location {
            file: PathBuf::from("t.cir"),
            line: 1,
            col: off as u32 + 1,
            source_line: text.to_string(),
        };
        parse_measure(text, &loc)
    }

    #[test]
    fn trig_targ_with_spaces_around_equals() {
        let m = p(".meas tran tdel TRIG v(in) VAL = 0.5 RISE=1 TARG v(out) val= 0.5 fall =LAST td=1u").unwrap();
        assert_eq!(m.name, "tdel");
        let MeasKind::TrigTarg { trig: Point::When(t), targ: Point::When(g) } = m.kind else { panic!() };
        assert_eq!(t.level, Level::Value(0.5));
        assert_eq!(t.edge, Edge::Rise(Some(1)));
        assert_eq!(g.edge, Edge::Fall(None));
        assert_eq!(g.td, 1e-6);
        assert_eq!(g.signal.text, "v(out)");
    }

    #[test]
    fn find_when_and_stats() {
        let m = p(".measure ac g FIND vdb(out) WHEN vp(out)=-120 cross=2").unwrap();
        let MeasKind::FindWhen { signal, when } = m.kind else { panic!() };
        assert_eq!(signal.text, "vdb(out)");
        assert_eq!(when.signal.text, "vp(out)");
        assert_eq!(when.level, Level::Value(-120.0));
        let m = p(".meas dc s MAX_AT v(a, b) from=0 to=1.5").unwrap();
        assert!(matches!(m.kind, MeasKind::Stat { stat: Stat::MaxAt, from: Some(_), to: Some(t), .. } if t == 1.5));
        let m = p(".meas tran x WHEN v(a)=v(b) LAST").unwrap();
        assert!(matches!(m.kind, MeasKind::When(Condition { level: Level::Signal(_), edge: Edge::Cross(None), .. })));
        let m = p(".meas tran s param='a*2 + b'").unwrap();
        assert!(matches!(m.kind, MeasKind::Param(ref s) if s.text == "a*2 + b"));
    }

    #[test]
    fn errors_point_at_the_word() {
        let (off, msg) = p(".meas tran x FIND v(out) AT=abc").unwrap_err();
        assert_eq!(off, 25 + 3);
        assert!(msg.contains("number"), "{msg}");
        let (off, msg) = p(".meas xyz x FIND v(out) AT=1").unwrap_err();
        assert_eq!(off, 6);
        assert!(msg.contains("analysis"));
        let (_, msg) = p(".meas tran x TRIG v(a) VAL=1 TARG v(b) VAL=2").unwrap_err();
        assert!(msg.contains("RISE"), "{msg}");
        let (_, msg) = p(".meas tran x MEDIAN v(a)").unwrap_err();
        assert!(msg.contains("expected TRIG"), "{msg}");
    }
}

//! ngspice's `.meas` semantics (ngspice 39, `com_measure2.c`), found by reading its source and
//! checked against its output (`tests/measure_ngspice.rs`):
//!
//! - **Values.** Scale and values are the analysis' sample points; between points everything is
//!   linear in the scale (also in AC, where the scale is frequency, not its logarithm). In AC a
//!   plain `v(out)` is its **real part**; `vm vdb vp vr vi` give magnitude, 20·log10|·|, phase in
//!   **radians** in (-π, π] (not unwrapped; ngspice 39 — later sources convert to degrees), real
//!   and imaginary part. `v(a,b)` works here, but ngspice 39's `.meas` rejects it ("no such
//!   vector").
//! - **Conditions** (WHEN, TRIG, TARG): points with scale < TD are skipped (transient; in AC
//!   negative frequencies). The first two points kept set the side of the level ("below" when
//!   `value < level`); if the level is crossed upwards between them, that counts as crossing 1,
//!   and as rise 1 on the "above" side but as *fall* 1 on the "below" side (ngspice's quirk).
//!   From then on, going from below to `value >= level` is a rise, from above to
//!   `value <= level` a fall; both are crosses. RISE/FALL/CROSS=n return at the n-th one; with
//!   none given, the first transition; LAST keeps the last one. The result interpolates
//!   linearly between the two points around the transition (against a second signal: where the
//!   two linear interpolants meet).
//! - **AT** (FIND ... AT): the first segment with `x[i-1] <= at <= x[i]` (in a `.dc` also a
//!   decreasing one), linearly interpolated.
//! - **MIN, MAX, AVG, PP** over FROM/TO: sample points only (ngspice 39 computes these, and
//!   INTEG/RMS, in a `.dc` only over a voltage-source sweep: it looks for a `v-sweep` scale). Transient/AC: points with
//!   `x < FROM` are skipped, the first point with `x > TO` ends the window (TO=0, the default,
//!   means no end). DC: points outside `[FROM, TO]` (swapped if reversed; defaults ±1e99). MIN and
//!   MAX keep the last point of an equal extreme. AVG is the trapezoidal integral over the kept
//!   points divided by their span.
//! - **INTEG, RMS**: the window's ends are interpolated (when FROM ≠ 0 and not within 100 ulps of
//!   a point); the integral uses Simpson's 3/8 rule where three consecutive steps are equal
//!   (within 100 ulps), Simpson's 1/3 where two are, else the trapezoid. RMS is the square root of
//!   the integral of the square over the window's span.
//! - **DERIV**: ngspice 39 answers "function 'deriv' currently not supported". insitu defines it
//!   as the slope of the linear interpolant on the segment AT would use (the first segment that
//!   contains the point).
//! - **PARAM**: an expression ([`Expr`](super::Expr)) over earlier measures and `.param` values.
//! - A measure that cannot be computed (no crossing, empty window) fails by name. (ngspice 39
//!   prints 0 for MIN/MAX/AVG over an empty window; insitu reports it as not found.)
//! - Spellings: insitu also accepts `INTEGRAL` and `DERIVATIVE`, which ngspice 39 rejects.

use super::expr::Expr;
use super::vectors::{find_vector, find_wrapped, Kind, Results, Scale};
use super::MeasureError;
use crate::results::{Data, Dataset};
use insitu_netlist::measure::{Condition, Edge, Level, MeasAnalysis, MeasKind, Measure, Point, Signal, Stat};

/// ngspice's closeness test: equal within `ulps` units in the last place.
pub(crate) fn almost_equal_ulps(a: f64, b: f64, ulps: u64) -> bool {
    if a == b {
        return true;
    }
    if a.is_sign_negative() != b.is_sign_negative() {
        return false;
    }
    a.to_bits().abs_diff(b.to_bits()) <= ulps
}

/// How RISE/FALL/CROSS were given, in ngspice's encoding (-1 unset, -2 LAST).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counts {
    rise: i64,
    fall: i64,
    cross: i64,
}

const UNSET: i64 = -1;
const LAST: i64 = -2;

impl Counts {
    pub(crate) fn of(edge: Edge) -> Counts {
        let n = |c: Option<u32>| c.map_or(LAST, i64::from);
        let mut k = Counts { rise: UNSET, fall: UNSET, cross: UNSET };
        match edge {
            Edge::Any => {}
            Edge::Rise(c) => k.rise = n(c),
            Edge::Fall(c) => k.fall = n(c),
            Edge::Cross(c) => k.cross = n(c),
        }
        k
    }
}

/// The scale value where `y` meets `level` (or the signal `y2`), as ngspice's WHEN: the event
/// found by [`when_index`], interpolated linearly between its two points (against `y2`, where
/// the two interpolants meet). A 0/0 interpolation (both signals equal at both points) is
/// ngspice's "out of interval".
pub(crate) fn when(
    kind: Kind,
    x: Scale,
    y: &[f64],
    y2: Option<&[f64]>,
    level: f64,
    td: f64,
    counts: Counts,
) -> Option<f64> {
    let i = when_index(kind, x, y, y2, level, td, counts)?;
    let (x0, x1, v0, v1) = (x.at(i - 1), x.at(i), y[i - 1], y[i]);
    let r = match y2 {
        Some(s) => x0 + (s[i - 1] - v0) * (x1 - x0) / (v1 - v0 - s[i] + s[i - 1]),
        None => x0 + (level - v0) * (x1 - x0) / (v1 - v0),
    };
    (!r.is_nan()).then_some(r)
}

/// The index `i` of the point that completes the requested transition (the event lies between
/// points `i-1` and `i`), counting as ngspice's WHEN does (see the module notes). Only the
/// order of `y` against the level matters, so any strictly increasing transform of both gives
/// the same index (the expression language scans `|h|²` for a dB level).
pub(crate) fn when_index(
    kind: Kind,
    x: Scale,
    y: &[f64],
    y2: Option<&[f64]>,
    level: f64,
    mut td: f64,
    counts: Counts,
) -> Option<usize> {
    let (mut rise, mut fall, mut cross) = (0i64, 0i64, 0i64);
    let mut above = false;
    let mut prev = 0.0;
    let mut first = 0usize;
    let mut pending = false;
    let mut result = None;
    let any = counts.rise == UNSET && counts.fall == UNSET && counts.cross == UNSET;
    let last = counts.rise == LAST || counts.fall == LAST || counts.cross == LAST;
    for i in 0..y.len().min(x.len()) {
        let v = y[i];
        let xv = x.at(i);
        let lv = y2.map_or(level, |s| s[i]);
        if kind == Kind::Dc && i == 0 {
            td = xv;
        }
        if kind == Kind::Tran && xv < td {
            continue;
        }
        if matches!(kind, Kind::Ac | Kind::Noise) && xv < 0.0 {
            continue;
        }
        if first > 1 && kind == Kind::Dc && td == xv {
            first = 1;
        }
        if first == 1 {
            cross = 0;
            if v < lv {
                above = false;
                if prev <= lv && v >= lv {
                    fall = 1;
                    cross = 1;
                }
            } else {
                above = true;
                if prev <= lv && v >= lv {
                    rise = 1;
                    cross = 1;
                }
            }
        }
        if first > 1 {
            if !above && v >= lv {
                above = true;
                cross += 1;
                rise += 1;
                if counts.fall != LAST {
                    pending = true;
                }
            } else if above && v <= lv {
                above = false;
                cross += 1;
                fall += 1;
                if counts.rise != LAST {
                    pending = true;
                }
            }
            if cross == counts.cross || rise == counts.rise || fall == counts.fall {
                return Some(i);
            }
            if pending {
                if any {
                    return Some(i);
                } else if last {
                    result = Some(i);
                }
                pending = false;
            }
        }
        first += 1;
        prev = v;
    }
    result
}

/// The value of `y` at scale value `at`, as ngspice's FIND ... AT.
pub(crate) fn at(kind: Kind, x: Scale, y: &[f64], at: f64) -> Option<f64> {
    segment(kind, x, at).map(|i| {
        let (x0, x1) = (x.at(i - 1), x.at(i));
        y[i - 1] + (at - x0) * (y[i] - y[i - 1]) / (x1 - x0)
    })
}

/// The slope of `y` at scale value `at` on the segment [`at`] uses.
pub(crate) fn deriv(kind: Kind, x: Scale, y: &[f64], at: f64) -> Option<f64> {
    segment(kind, x, at).map(|i| (y[i] - y[i - 1]) / (x.at(i) - x.at(i - 1)))
}

/// The index `i` of the first segment `[i-1, i]` that contains `at`.
pub(crate) fn segment(kind: Kind, x: Scale, at: f64) -> Option<usize> {
    (1..x.len()).find(|&i| {
        let (p, s) = (x.at(i - 1), x.at(i));
        (p <= at && s >= at) || (kind == Kind::Dc && p >= at && s <= at)
    })
}

/// FROM/TO with ngspice's defaults: 0 and 0 (no end) except in a `.dc` (-1e99, 1e99, ordered).
pub(crate) fn window(kind: Kind, from: Option<f64>, to: Option<f64>) -> (f64, f64) {
    if kind == Kind::Dc {
        let (f, t) = (from.unwrap_or(-1e99), to.unwrap_or(1e99));
        if t < f {
            (t, f)
        } else {
            (f, t)
        }
    } else {
        (from.unwrap_or(0.0), to.unwrap_or(0.0))
    }
}

/// MIN, MAX or AVG over a window as ngspice computes them: (value, where) for MIN/MAX (the
/// scale value of the extreme), (value, end) for AVG.
pub(crate) fn min_max_avg(kind: Kind, x: Scale, y: &[f64], from: f64, to: f64, stat: Stat) -> Option<(f64, f64)> {
    let mut first = true;
    let (mut m, mut m_at, mut span) = (0.0, 0.0, 0.0);
    let (mut pv, mut px) = (0.0, 0.0);
    let mut last_x = 0.0;
    for (i, &v) in y.iter().enumerate().take(x.len()) {
        let xv = x.at(i);
        last_x = xv;
        if kind == Kind::Dc {
            if xv < from || xv > to {
                continue;
            }
        } else {
            if xv < from {
                continue;
            }
            if to != 0.0 && xv > to {
                break;
            }
        }
        if first {
            first = false;
            m = if stat == Stat::Avg { 0.0 } else { v };
            m_at = xv;
            pv = v;
            px = xv;
        } else {
            match stat {
                Stat::Min | Stat::MinAt => {
                    if v <= m {
                        m = v;
                        m_at = xv;
                    }
                }
                Stat::Max | Stat::MaxAt => {
                    if v >= m {
                        m = v;
                        m_at = xv;
                    }
                }
                _ => {
                    m += 0.5 * (v + pv) * (xv - px);
                    span += xv - px;
                    pv = v;
                    px = xv;
                }
            }
        }
    }
    if first {
        return None;
    }
    let r = match stat {
        Stat::Avg => (m / span, last_x),
        _ => (m, m_at),
    };
    (!r.0.is_nan()).then_some(r)
}

/// INTEG or RMS over a window as ngspice computes them: (value, from, to).
pub(crate) fn rms_integ(x: Scale, y: &[f64], from: f64, to: f64, rms: bool) -> Option<(f64, f64, f64)> {
    let n = y.len().min(x.len());
    let mut xs = super::vectors::RealBuf::take();
    let mut ys = super::vectors::RealBuf::take();
    let lin = |i: usize, j: usize, at: f64| {
        let slope = (y[j] - y[i]) / (x.at(j) - x.at(i));
        slope * at + (y[i] - slope * x.at(i))
    };
    let mut start = f64::NAN;
    let mut end = None;
    let mut first = true;
    for (i, &yi) in y.iter().enumerate().take(n) {
        let (mut v, mut xv) = (yi, x.at(i));
        if xv < from {
            continue;
        }
        if to != 0.0 && xv > to {
            if !almost_equal_ulps(xv, to, 100) && i > 0 {
                v = lin(i - 1, i, to);
                xv = to;
            }
            xs.vec().push(xv);
            ys.vec().push(if rms { v * v } else { v });
            end = Some(xv);
            break;
        }
        if first {
            if from != 0.0 && i > 0 && !almost_equal_ulps(xv, from, 100) {
                v = lin(i - 1, i, from);
                xv = from;
            }
            start = xv;
            first = false;
        }
        xs.vec().push(xv);
        ys.vec().push(if rms { v * v } else { v });
    }
    let m = xs.len();
    let w = |i: usize| if i + 1 < m { xs[i + 1] - xs[i] } else { 0.0 };
    let mut sum = 0.0;
    let mut i = 0;
    while i + 1 < m {
        let (w0, w1, w2) = (w(i), w(i + 1), w(i + 2));
        if almost_equal_ulps(w0, w1, 100) && almost_equal_ulps(w0, w2, 100) && i + 3 < m {
            sum += 3.0 * w0 * (ys[i] + 3.0 * (ys[i + 1] + ys[i + 2]) + ys[i + 3]) / 8.0;
            i += 3;
        } else if almost_equal_ulps(w0, w1, 100) && i + 2 < m {
            sum += w0 * (ys[i] + 4.0 * ys[i + 1] + ys[i + 2]) / 3.0;
            i += 2;
        } else {
            sum += w0 * (ys[i] + ys[i + 1]) / 2.0;
            i += 1;
        }
    }
    let end = end.unwrap_or_else(|| if n > 0 { x.at(n - 1) } else { f64::NAN });
    let value = if rms { (sum / (end - start)).sqrt() } else { sum };
    (!value.is_nan()).then_some((value, start, end))
}

/// One evaluated signal of a measure: the analysis, its scale and real values.
struct Sig<'a> {
    x: Scale<'a>,
    y: Vec<f64>,
}

/// How a complex AC vector becomes real in a `.meas`.
#[derive(Clone, Copy)]
enum Part {
    Re,
    Im,
    Mag,
    Db,
    Phase,
}

fn kind_of(a: MeasAnalysis) -> Kind {
    match a {
        MeasAnalysis::Ac => Kind::Ac,
        MeasAnalysis::Dc => Kind::Dc,
        MeasAnalysis::Tran => Kind::Tran,
        MeasAnalysis::Op => Kind::Op,
        MeasAnalysis::Noise => Kind::Noise,
    }
}

/// Evaluates a `.meas` signal: `v(n)`, `v(a,b)`, `i(src)`, `vm/vdb/vp/vr/vi(...)` (AC), a
/// dataset vector by name, or `par('expr')` / any expression of the expression language.
fn signal<'a>(kind: Kind, ds: &'a Dataset, r: &Results, s: &Signal) -> Result<Sig<'a>, MeasureError> {
    let x = Scale::of(ds)?;
    let t = s.text.trim();
    let unknown = || MeasureError::UnknownVector { name: t.to_string() };
    // ngspice's vector forms first.
    if let Some(open) = t.find('(').filter(|_| t.ends_with(')')) {
        let head = &t[..open];
        let args = &t[open + 1..t.len() - 1];
        let part = match head {
            "v" | "i" => Some(Part::Re),
            "vm" | "im" => Some(Part::Mag),
            "vdb" | "idb" => Some(Part::Db),
            "vp" | "ip" => Some(Part::Phase),
            "vr" | "ir" => Some(Part::Re),
            "vi" | "ii" => Some(Part::Im),
            _ => None,
        };
        if let Some(part) = part.filter(|_| !args.contains('(')) {
            if kind != Kind::Ac && head.len() > 1 {
                return Err(MeasureError::Invalid { what: format!("'{t}': {head}() is for ac measures") });
            }
            let is_i = head.starts_with('i');
            let mut names = args.split(',').map(str::trim);
            let a = names.next().filter(|n| !n.is_empty()).ok_or_else(unknown)?;
            let b = names.next();
            let get = |n: &str| -> Result<Option<&'a Data>, MeasureError> {
                if !is_i && (n == "0" || n == "gnd") {
                    return Ok(None);
                }
                find_wrapped(ds, if is_i { "i" } else { "v" }, n)
                    .map(|v| Some(&v.data))
                    .ok_or_else(|| MeasureError::UnknownVector { name: format!("{}({n})", &head[..1]) })
            };
            let (da, db) = (get(a)?, if let Some(b) = b { get(b)? } else { None });
            let n = x.len();
            let val = |d: Option<&Data>, i: usize| -> num_complex::Complex64 {
                match d {
                    None => 0.0.into(),
                    Some(Data::Real(v)) => v[i].into(),
                    Some(Data::Complex(v)) => v[i],
                }
            };
            let complex = matches!(da, Some(Data::Complex(_))) || matches!(db, Some(Data::Complex(_)));
            let y = (0..n)
                .map(|i| {
                    let z = val(da, i) - val(db, i);
                    if !complex {
                        return z.re;
                    }
                    match part {
                        Part::Re => z.re,
                        Part::Im => z.im,
                        Part::Mag => z.norm(),
                        Part::Db => 20.0 * z.norm().log10(),
                        Part::Phase => z.im.atan2(z.re),
                    }
                })
                .collect();
            return Ok(Sig { x, y });
        }
    }
    if let Some(v) = find_vector(ds, t) {
        let y = match &v.data {
            Data::Real(v) => v.clone(),
            Data::Complex(v) => v.iter().map(|z| z.re).collect(),
        };
        return Ok(Sig { x, y });
    }
    // Anything else: an expression of the expression language, evaluated as a waveform.
    let body = t.strip_prefix("par(").and_then(|b| b.strip_suffix(')')).map_or(t, |b| b.trim().trim_matches('\''));
    let e = Expr::parse_wave(body, kind).map_err(|e| MeasureError::Invalid { what: format!("'{t}': {e}") })?;
    let y = e.eval_wave(r)?;
    Ok(Sig { x, y })
}

fn level<'a>(kind: Kind, ds: &'a Dataset, r: &Results, c: &Condition) -> Result<(f64, Option<Sig<'a>>), MeasureError> {
    match &c.level {
        Level::Value(v) => Ok((*v, None)),
        Level::Signal(s) => Ok((f64::NAN, Some(signal(kind, ds, r, s)?))),
    }
}

fn cond(kind: Kind, ds: &Dataset, r: &Results, c: &Condition) -> Result<Option<f64>, MeasureError> {
    let s = signal(kind, ds, r, &c.signal)?;
    let (lv, s2) = level(kind, ds, r, c)?;
    Ok(when(kind, s.x, &s.y, s2.as_ref().map(|s| s.y.as_slice()), lv, c.td, Counts::of(c.edge)))
}

fn not_found(what: &str) -> MeasureError {
    MeasureError::NotFound { what: what.to_string() }
}

/// Computes one measure.
pub fn measure(m: &Measure, r: &Results) -> Result<f64, MeasureError> {
    let kind = kind_of(m.analysis);
    if let MeasKind::Param(s) = &m.kind {
        let e = Expr::parse(&s.text).map_err(|e| {
            // The expression's column within the card (past an opening quote).
            let mut loc = s.loc.clone();
            let quoted =
                loc.source_line.as_bytes().get(loc.col as usize - 1).is_some_and(|c| *c == b'\'' || *c == b'"');
            loc.col += e.col as u32 - 1 + u32::from(quoted);
            MeasureError::Invalid { what: format!("{loc}: {}", e.expected) }
        })?;
        return e.eval(r);
    }
    let ds = r.dataset(kind)?;
    match &m.kind {
        MeasKind::TrigTarg { trig, targ } => {
            let p = |p: &Point, what: &str| -> Result<f64, MeasureError> {
                match p {
                    Point::At(x) => Ok(*x),
                    Point::When(c) => cond(kind, ds, r, c)?.ok_or_else(|| not_found(what)),
                }
            };
            let t0 = p(trig, "the TRIG condition")?;
            let t1 = p(targ, "the TARG condition")?;
            Ok(t1 - t0)
        }
        MeasKind::When(c) => cond(kind, ds, r, c)?.ok_or_else(|| not_found("the WHEN condition")),
        MeasKind::FindAt { signal: s, at: x } => {
            let s = signal(kind, ds, r, s)?;
            at(kind, s.x, &s.y, *x).ok_or_else(|| not_found("the AT point in the sweep"))
        }
        MeasKind::FindWhen { signal: s, when: c } => {
            let x = cond(kind, ds, r, c)?.ok_or_else(|| not_found("the WHEN condition"))?;
            let s = signal(kind, ds, r, s)?;
            at(kind, s.x, &s.y, x).ok_or_else(|| not_found("the WHEN point in the sweep"))
        }
        MeasKind::DerivAt { signal: s, at: x } => {
            let s = signal(kind, ds, r, s)?;
            deriv(kind, s.x, &s.y, *x).ok_or_else(|| not_found("the AT point in the sweep"))
        }
        MeasKind::DerivWhen { signal: s, when: c } => {
            let x = cond(kind, ds, r, c)?.ok_or_else(|| not_found("the WHEN condition"))?;
            let s = signal(kind, ds, r, s)?;
            deriv(kind, s.x, &s.y, x).ok_or_else(|| not_found("the WHEN point in the sweep"))
        }
        MeasKind::Stat { stat, signal: s, from, to } => {
            let s = signal(kind, ds, r, s)?;
            let (f, t) = window(kind, *from, *to);
            let empty = || not_found("points in the FROM/TO window");
            match stat {
                Stat::Rms | Stat::Integ => {
                    rms_integ(s.x, &s.y, f, t, *stat == Stat::Rms).map(|v| v.0).ok_or_else(empty)
                }
                Stat::Pp => {
                    let lo = min_max_avg(kind, s.x, &s.y, f, t, Stat::Min).ok_or_else(empty)?;
                    let hi = min_max_avg(kind, s.x, &s.y, f, t, Stat::Max).ok_or_else(empty)?;
                    Ok(hi.0 - lo.0)
                }
                Stat::MinAt | Stat::MaxAt => min_max_avg(kind, s.x, &s.y, f, t, *stat).map(|v| v.1).ok_or_else(empty),
                _ => min_max_avg(kind, s.x, &s.y, f, t, *stat).map(|v| v.0).ok_or_else(empty),
            }
        }
        MeasKind::Param(_) => unreachable!("handled above"),
    }
}

/// Computes a deck's measures: the others first in deck order, then the `param=` ones in deck
/// order, each able to read every result before it (and the values of `r`). Failed measures
/// are reported by name and are not visible to later ones.
pub fn run_measures(cards: &[Measure], r: &Results) -> Vec<(String, Result<f64, MeasureError>)> {
    let mut out: Vec<(String, Result<f64, MeasureError>)> = Vec::with_capacity(cards.len());
    let mut values: Vec<(String, f64)> = Vec::new();
    let order = cards
        .iter()
        .filter(|m| !matches!(m.kind, MeasKind::Param(_)))
        .chain(cards.iter().filter(|m| matches!(m.kind, MeasKind::Param(_))));
    for m in order {
        let res = measure(m, &r.with_more_values(&values));
        if let Ok(v) = res {
            values.push((m.name.clone(), v));
        }
        out.push((m.name.clone(), res));
    }
    out
}

/// A failed measure as one line for people: the location of the signal that names an unknown
/// vector (else of the card), the measure's name and why, e.g.
/// `amp.cir:12:24: measure 'ugf' failed: unknown vector 'v(outt)'`.
pub fn describe_failure(m: &Measure, e: &MeasureError) -> String {
    let loc = match (e, &m.kind) {
        (MeasureError::UnknownVector { name }, _) => {
            // `v(outt)` is written `vdb(outt)` too: look for its argument.
            let arg = name.find('(').map_or(name.as_str(), |i| &name[i..]);
            m.signals().into_iter().find(|s| s.text.contains(arg))
        }
        (MeasureError::Invalid { .. }, MeasKind::Param(s)) => Some(s),
        _ => None,
    }
    .map_or(&m.loc, |s| &s.loc);
    format!("{loc}: measure '{}' failed: {e}", m.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: usize, h: f64) -> Vec<f64> {
        (0..=n).map(|k| k as f64 * h).collect()
    }

    #[test]
    fn integ_is_simpson_on_equal_steps_exact_for_cubics() {
        let x = grid(30, 0.1);
        let y: Vec<f64> = x.iter().map(|x| x * x * x).collect();
        let (v, from, to) = rms_integ(Scale::Real(&x), &y, 0.0, 0.0, false).unwrap();
        assert!((v - 81.0 / 4.0).abs() < 1e-12, "{v}");
        assert_eq!((from, to), (0.0, x[30]));
        // The trapezoid on the same points would be off by h²/12·(y'(3) - y'(0)) = 0.0225.
        let trap: f64 = (1..x.len()).map(|i| 0.5 * (y[i] + y[i - 1]) * (x[i] - x[i - 1])).sum();
        assert!((trap - v - 0.0225).abs() < 1e-9);
    }

    #[test]
    fn integ_and_rms_window_ends_are_interpolated() {
        // Unequal steps: the trapezoid, exact for a line; window [0.5, 5] cut inside segments.
        let x = [0.0, 1.0, 3.0, 6.0];
        let y = [0.0, 2.0, 6.0, 12.0]; // y = 2x
        let (v, from, to) = rms_integ(Scale::Real(&x), &y, 0.5, 5.0, false).unwrap();
        assert!((v - (25.0 - 0.25)).abs() < 1e-12, "{v}");
        assert_eq!((from, to), (0.5, 5.0));
        // rms of a sine over whole periods: 1/sqrt(2) up to the error of the mixed rules (the
        // steps k·1e-3 differ by more than 100 ulps, so Simpson and the trapezoid alternate).
        let x = grid(2000, 1e-3);
        let y: Vec<f64> = x.iter().map(|t| (2.0 * std::f64::consts::PI * 5.0 * t).sin()).collect();
        let (r, _, _) = rms_integ(Scale::Real(&x), &y, 0.0, 0.0, true).unwrap();
        assert!((r - 0.5f64.sqrt()).abs() < 1e-7, "{r}");
    }

    #[test]
    fn deriv_is_the_slope_of_the_segment_at_uses() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let y = [0.0, 1.0, 4.0, 9.0];
        assert_eq!(deriv(Kind::Tran, Scale::Real(&x), &y, 1.5), Some(3.0));
        // At a sample point, the first segment that contains it (the one on its left).
        assert_eq!(deriv(Kind::Tran, Scale::Real(&x), &y, 1.0), Some(1.0));
        assert_eq!(deriv(Kind::Tran, Scale::Real(&x), &y, 3.5), None);
        assert_eq!(at(Kind::Tran, Scale::Real(&x), &y, 2.5), Some(6.5));
    }

    #[test]
    fn stats_use_sample_points_and_ngspice_windows() {
        let x = grid(10, 1.0);
        let y: Vec<f64> = x.iter().map(|x| (x - 4.0).powi(2)).collect();
        let s = Scale::Real(&x);
        assert_eq!(min_max_avg(Kind::Tran, s, &y, 0.0, 0.0, Stat::Min), Some((0.0, 4.0)));
        // TO=0 is "no end" outside a .dc; FROM/TO pick sample points only.
        assert_eq!(min_max_avg(Kind::Tran, s, &y, 5.5, 0.0, Stat::Max), Some((36.0, 10.0)));
        assert_eq!(min_max_avg(Kind::Tran, s, &y, 5.5, 8.5, Stat::Min), Some((4.0, 6.0)));
        assert_eq!(min_max_avg(Kind::Tran, s, &y, 20.0, 30.0, Stat::Max), None);
        // A .dc window is [FROM, TO] in either order.
        let (f, t) = window(Kind::Dc, Some(8.0), Some(2.0));
        assert_eq!(min_max_avg(Kind::Dc, s, &y, f, t, Stat::Max), Some((16.0, 8.0)));
        // AVG: trapezoid over the kept points / their span; for a line exactly its mean.
        let lin: Vec<f64> = x.iter().map(|x| 3.0 * x + 1.0).collect();
        let (a, _) = min_max_avg(Kind::Tran, s, &lin, 2.0, 6.0, Stat::Avg).unwrap();
        assert!((a - 13.0).abs() < 1e-12);
    }

    #[test]
    fn when_interpolates_and_counts_edges() {
        let x = grid(40, 0.25);
        let y: Vec<f64> = x.iter().map(|t| (std::f64::consts::PI * t / 2.0).sin()).collect(); // period 4
        let s = Scale::Real(&x);
        let w = |e: Edge, td: f64| when(Kind::Tran, s, &y, None, 0.5, td, Counts::of(e));
        let exact_rise = |k: f64| 4.0 * k + (0.5f64).asin() * 2.0 / std::f64::consts::PI;
        let r2 = w(Edge::Rise(Some(2)), 0.0).unwrap();
        // (linear interpolation on steps of 1/16 period: within 1e-2)
        assert!((r2 - exact_rise(1.0)).abs() < 1e-2, "{r2}");
        let f1 = w(Edge::Fall(Some(1)), 0.0).unwrap();
        assert!((f1 - (2.0 - (exact_rise(0.0)))).abs() < 1e-2, "{f1}");
        let last = w(Edge::Rise(None), 0.0).unwrap();
        assert!((last - exact_rise(2.0)).abs() < 1e-2, "{last}");
        assert!(w(Edge::Rise(Some(9)), 0.0).is_none());
        // TD skips earlier points.
        let td = w(Edge::Any, 5.0).unwrap();
        assert!(td > 5.0 && (td - 5.666).abs() < 1e-2, "{td}");
    }
}

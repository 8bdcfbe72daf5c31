//! Lookups in the kit's three modes, the inverse lookups and W sizing.
//!
//! - mode 1: a quantity at (L, VGS, VDS, VSB) ([`Table::lookup`] with `"ID"`);
//! - mode 2: a ratio formed on the grid, then interpolated (`"GM_ID"`, `"ID_W"`);
//! - mode 3: one ratio against another over VGS ([`Table::lookup_vs`]), with the kit's branch
//!   rule: against GM_ID only the part right of its maximum, against GM_CGG the part left of
//!   it, otherwise an error when the curve crosses a requested value more than once.
//!
//! Multi-dimensional interpolation is linear (as the kit's); mode 3 interpolates in 1-D with
//! pchip (the kit's default) or linearly. A coordinate outside the grid is an error naming the
//! axis and its range, unless the lookup opts in to extrapolation ([`Bounds::Extrapolate`]).

use super::{GmidError, Quantity, Table};
use std::str::FromStr;

/// One term of a lookup expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// A stored quantity.
    Q(Quantity),
    /// The table's reference width (metres).
    W,
    /// The intrinsic part of a total capacitance (`CGGI`, `CGSI`, `CGDI`, `CGBI`, `CDDI`,
    /// `CSSI`): the total minus its overlaps and junctions.
    Intrinsic(Quantity),
}

/// A lookup expression: a term (`"GM"`) or the ratio of two (`"GM_ID"`, `"ID_W"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expr {
    Term(Term),
    Ratio(Term, Term),
}

impl FromStr for Term {
    type Err = GmidError;
    fn from_str(s: &str) -> Result<Term, GmidError> {
        let u = s.trim().to_ascii_uppercase();
        if u == "W" {
            return Ok(Term::W);
        }
        if let Some(q) = Quantity::from_name(&u) {
            return Ok(Term::Q(q));
        }
        let intr = match u.as_str() {
            "CGGI" => Some(Quantity::Cgg),
            "CGSI" => Some(Quantity::Cgs),
            "CGDI" => Some(Quantity::Cgd),
            "CGBI" => Some(Quantity::Cgb),
            "CDDI" => Some(Quantity::Cdd),
            "CSSI" => Some(Quantity::Css),
            _ => None,
        };
        intr.map(Term::Intrinsic).ok_or_else(|| {
            let names: Vec<&str> = Quantity::ALL.iter().map(|q| q.name()).collect();
            GmidError::Expr(format!(
                "unknown quantity '{s}' (known: {}, W, and CGGI CGSI CGDI CGBI CDDI CSSI)",
                names.join(" ")
            ))
        })
    }
}

impl FromStr for Expr {
    type Err = GmidError;
    /// `"GM"`, or `"GM_ID"`: numerator and denominator separated by `_`.
    fn from_str(s: &str) -> Result<Expr, GmidError> {
        let parts: Vec<&str> = s.split('_').collect();
        match parts.as_slice() {
            [a] => Ok(Expr::Term(a.parse()?)),
            [a, b] => Ok(Expr::Ratio(a.parse()?, b.parse()?)),
            _ => Err(GmidError::Expr(format!("'{s}': expected a quantity or a ratio A_B"))),
        }
    }
}

impl Expr {
    fn is(&self, a: Quantity, b: Quantity) -> bool {
        *self == Expr::Ratio(Term::Q(a), Term::Q(b))
    }
}

/// A bias point: length (m) and the three voltages (magnitudes for PMOS).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct At {
    pub l: f64,
    pub vgs: f64,
    pub vds: f64,
    pub vsb: f64,
}

/// What a lookup does outside the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bounds {
    /// An error naming the coordinate and the grid's range (the default).
    #[default]
    Error,
    /// Linear extrapolation from the nearest cell (a single-point axis is held constant).
    Extrapolate,
}

/// 1-D interpolation method of mode 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Piecewise cubic Hermite, shape-preserving (the kit's default).
    #[default]
    Pchip,
    Linear,
}

/// Cell and fraction of `x` on `axis`.
fn locate(axis: &[f64], x: f64, name: &str, bounds: Bounds) -> Result<(usize, f64), GmidError> {
    let n = axis.len();
    let (lo, hi) = (axis[0], axis[n - 1]);
    let tol = 1e-9 * (hi - lo).abs().max(lo.abs()).max(1e-30);
    let out = || GmidError::OutOfGrid { axis: name.to_string(), value: x, min: lo, max: hi };
    if !x.is_finite() {
        return Err(out());
    }
    if (x < lo - tol || x > hi + tol) && bounds == Bounds::Error {
        return Err(out());
    }
    if n == 1 {
        return Ok((0, 0.0));
    }
    let i = axis.partition_point(|v| *v <= x).saturating_sub(1).min(n - 2);
    let t = (x - axis[i]) / (axis[i + 1] - axis[i]);
    let t = if bounds == Bounds::Error { t.clamp(0.0, 1.0) } else { t };
    Ok((i, t))
}

impl Table {
    /// The value of a term at flat grid index `i`.
    #[inline]
    fn term(&self, t: Term, i: usize) -> f64 {
        match t {
            Term::Q(q) => self.at(q, i),
            Term::W => self.meta.w,
            Term::Intrinsic(q) => {
                let x = |q: Quantity| self.at(q, i);
                match q {
                    Quantity::Cgg => x(q) - x(Quantity::Cgsol) - x(Quantity::Cgdol) - x(Quantity::Cgbol),
                    Quantity::Cgs => x(q) - x(Quantity::Cgsol),
                    Quantity::Cgd => x(q) - x(Quantity::Cgdol),
                    Quantity::Cgb => x(q) - x(Quantity::Cgbol),
                    Quantity::Cdd => x(q) - x(Quantity::Cgdol) - x(Quantity::Cjd),
                    _ => x(q) - x(Quantity::Cgsol) - x(Quantity::Cjs),
                }
            }
        }
    }

    /// An expression at flat grid index `i`; a 0/0 ratio is 0 (as pygmid's).
    #[inline]
    pub fn node(&self, e: &Expr, i: usize) -> f64 {
        match *e {
            Expr::Term(t) => self.term(t, i),
            Expr::Ratio(a, b) => {
                let r = self.term(a, i) / self.term(b, i);
                if r.is_nan() {
                    0.0
                } else {
                    r
                }
            }
        }
    }

    /// Modes 1 and 2: `out` (`"ID"`, `"GM_ID"`, ...) at `at`, interpolated linearly in 4-D.
    ///
    /// ```
    /// use insitu_pdk::gmid::{At, DeviceType, Grid, ModelSource, Table};
    /// let grid = Grid::new(vec![0.18e-6, 1e-6], vec![0.0, 0.9, 1.8], vec![0.9], vec![0.0]).unwrap();
    /// let t = Table::generate(&ModelSource::pdk("generic180", "tt"), DeviceType::Nmos, 27.0, &grid, 5e-6).unwrap();
    /// let gm_id = t.lookup("GM_ID", At { l: 0.5e-6, vgs: 0.7, vds: 0.9, vsb: 0.0 }).unwrap();
    /// assert!(gm_id > 1.0 && gm_id < 30.0);
    /// let err = t.lookup("ID", At { l: 2e-6, vgs: 0.7, vds: 0.9, vsb: 0.0 }).unwrap_err();
    /// assert!(err.to_string().contains("L = 2e-6"), "{err}");
    /// ```
    pub fn lookup(&self, out: &str, at: At) -> Result<f64, GmidError> {
        self.lookup_expr(&out.parse()?, at, Bounds::Error)
    }

    /// [`Table::lookup`] with a parsed expression and an explicit out-of-grid behaviour.
    pub fn lookup_expr(&self, e: &Expr, at: At, bounds: Bounds) -> Result<f64, GmidError> {
        let g = &self.grid;
        let c = [
            locate(&g.l, at.l, "L", bounds)?,
            locate(&g.vgs, at.vgs, "VGS", bounds)?,
            locate(&g.vds, at.vds, "VDS", bounds)?,
            locate(&g.vsb, at.vsb, "VSB", bounds)?,
        ];
        let mut sum = 0.0;
        for corner in 0..16usize {
            let mut w = 1.0;
            let mut idx = [0usize; 4];
            for (k, &(i, t)) in c.iter().enumerate() {
                let up = (corner >> (3 - k)) & 1 == 1;
                w *= if up { t } else { 1.0 - t };
                idx[k] = i + usize::from(up);
            }
            if w != 0.0 {
                sum += w * self.node(e, g.index(idx[0], idx[1], idx[2], idx[3]));
            }
        }
        Ok(sum)
    }

    /// `e` at every VGS of the grid, at (`l`, `vds`, `vsb`): the kit's default VGS vector.
    pub fn sweep_vgs(&self, e: &Expr, l: f64, vds: f64, vsb: f64) -> Result<Vec<f64>, GmidError> {
        let g = &self.grid;
        let c = [
            locate(&g.l, l, "L", Bounds::Error)?,
            locate(&g.vds, vds, "VDS", Bounds::Error)?,
            locate(&g.vsb, vsb, "VSB", Bounds::Error)?,
        ];
        // The 8 (L, VDS, VSB) corners with a non-zero weight, located once for every VGS.
        let mut corners = [(0.0, [0usize; 3]); 8];
        let mut n = 0;
        for corner in 0..8usize {
            let mut w = 1.0;
            let mut idx = [0usize; 3];
            for (k, &(i, t)) in c.iter().enumerate() {
                let up = (corner >> (2 - k)) & 1 == 1;
                w *= if up { t } else { 1.0 - t };
                idx[k] = i + usize::from(up);
            }
            if w != 0.0 {
                corners[n] = (w, idx);
                n += 1;
            }
        }
        Ok((0..g.vgs.len())
            .map(|ig| corners[..n].iter().map(|&(w, [il, id, ib])| w * self.node(e, g.index(il, ig, id, ib))).sum())
            .collect())
    }

    /// Mode 3: ratio `out` at the values `xs` of ratio `x` (e.g. `GM_CGG` at `GM_ID` = 5..20),
    /// both interpolated over VGS at (`l`, `vds`, `vsb`), with the kit's branch rule.
    ///
    /// ```
    /// use insitu_pdk::gmid::{DeviceType, Grid, Method, ModelSource, Table};
    /// let vgs: Vec<f64> = (0..=72).map(|i| i as f64 * 0.025).collect();
    /// let grid = Grid::new(vec![0.18e-6, 1e-6], vgs, vec![0.9], vec![0.0]).unwrap();
    /// let t = Table::generate(&ModelSource::pdk("generic180", "tt"), DeviceType::Nmos, 27.0, &grid, 5e-6).unwrap();
    /// let ft = t.lookup_vs("GM_CGG", "GM_ID", &[10.0, 15.0], 0.18e-6, 0.9, 0.0, Method::Pchip).unwrap();
    /// assert!(ft[0] > ft[1]);
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn lookup_vs(
        &self,
        out: &str,
        x: &str,
        xs: &[f64],
        l: f64,
        vds: f64,
        vsb: f64,
        method: Method,
    ) -> Result<Vec<f64>, GmidError> {
        let (oe, xe): (Expr, Expr) = (out.parse()?, x.parse()?);
        if !matches!(oe, Expr::Ratio(..)) || !matches!(xe, Expr::Ratio(..)) {
            return Err(GmidError::Expr(format!("mode 3 takes two ratios, not '{out}' and '{x}'")));
        }
        let xv = self.sweep_vgs(&xe, l, vds, vsb)?;
        let yv = self.sweep_vgs(&oe, l, vds, vsb)?;
        let imax = argmax(&xv);
        let (lo, hi) = if xe.is(Quantity::Gm, Quantity::Id) {
            (imax, xv.len())
        } else if xe.is(Quantity::Gm, Quantity::Cgg) {
            (0, imax + 1)
        } else {
            (0, xv.len())
        };
        let curve = Curve::new(&xv[lo..hi], &yv[lo..hi]);
        xs.iter()
            .map(|&xd| {
                if lo == 0 && hi == xv.len() {
                    let crossings = xv.windows(2).filter(|w| (w[0] - xd).signum() != (w[1] - xd).signum()).count();
                    if crossings > 1 {
                        return Err(GmidError::Ambiguous(format!(
                            "{x} = {xd} is reached at {crossings} VGS values at L = {l:e}, VDS = {vds}, VSB = {vsb}"
                        )));
                    }
                }
                curve.eval(xd, method, x)
            })
            .collect()
    }

    /// The inverse lookup (`look_upVGS`): VGS at which ratio `ratio` (`GM_ID` or `ID_W`)
    /// equals `value`, at (`l`, `vds`, `vsb`); for GM_ID on the branch right of its maximum.
    /// Linear, as the kit's.
    pub fn vgs_for(&self, ratio: &str, value: f64, l: f64, vds: f64, vsb: f64) -> Result<f64, GmidError> {
        self.vgs_for_method(ratio, value, l, vds, vsb, Method::Linear)
    }

    /// [`Table::vgs_for`] with a 1-D method (pygmid's `lookupVGS` uses pchip).
    pub fn vgs_for_method(
        &self,
        ratio: &str,
        value: f64,
        l: f64,
        vds: f64,
        vsb: f64,
        method: Method,
    ) -> Result<f64, GmidError> {
        let e: Expr = ratio.parse()?;
        let rv = self.sweep_vgs(&e, l, vds, vsb)?;
        let lo = if e.is(Quantity::Gm, Quantity::Id) { argmax(&rv) } else { 0 };
        Curve::new(&rv[lo..], &self.grid.vgs[lo..]).eval(value, method, ratio)
    }

    /// W (metres) for drain current `id` at inversion level `gm_id` (1/V) and length `l`, at
    /// (`vds`, `vsb`): `id / ID_W`, with `ID_W` looked up against `GM_ID` (mode 3, pchip), the
    /// book's sizing idiom.
    ///
    /// ```
    /// use insitu_pdk::gmid::{sizing_table, DeviceType};
    /// let t = sizing_table("generic180", "tt", 27.0, DeviceType::Nmos).unwrap();
    /// let w = t.width_for(14.0, 0.5e-6, 20e-6, 0.9, 0.0).unwrap();
    /// assert!(w > 1e-6 && w < 100e-6, "{w}");
    /// ```
    pub fn width_for(&self, gm_id: f64, l: f64, id: f64, vds: f64, vsb: f64) -> Result<f64, GmidError> {
        if !(id.is_finite() && id > 0.0) {
            return Err(GmidError::Expr(format!("drain current {id} must be a positive number")));
        }
        let id_w = self.lookup_vs("ID_W", "GM_ID", &[gm_id], l, vds, vsb, Method::Pchip)?[0];
        if id_w.is_nan() || id_w <= 0.0 {
            return Err(GmidError::OutOfRange { what: "ID_W".into(), value: id_w, min: 0.0, max: f64::INFINITY });
        }
        Ok(id / id_w)
    }

    /// W (metres) for transconductance `gm` at inversion level `gm_id` and length `l`.
    pub fn width_for_gm(&self, gm: f64, gm_id: f64, l: f64, vds: f64, vsb: f64) -> Result<f64, GmidError> {
        self.width_for(gm_id, l, gm / gm_id, vds, vsb)
    }
}

fn argmax(v: &[f64]) -> usize {
    let mut k = 0;
    for (i, x) in v.iter().enumerate() {
        if *x > v[k] {
            k = i;
        }
    }
    k
}

/// A 1-D curve y(x), sorted by x, for linear or pchip interpolation.
struct Curve {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl Curve {
    fn new(x: &[f64], y: &[f64]) -> Curve {
        let mut p: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        Curve { x: p.iter().map(|q| q.0).collect(), y: p.iter().map(|q| q.1).collect() }
    }

    fn eval(&self, xd: f64, method: Method, what: &str) -> Result<f64, GmidError> {
        let n = self.x.len();
        let (lo, hi) = (self.x.first().copied().unwrap_or(f64::NAN), self.x.last().copied().unwrap_or(f64::NAN));
        if n < 2 || !(xd >= lo && xd <= hi) {
            return Err(GmidError::OutOfRange { what: what.to_string(), value: xd, min: lo, max: hi });
        }
        let i = self.x.partition_point(|v| *v <= xd).saturating_sub(1).min(n - 2);
        let h = self.x[i + 1] - self.x[i];
        let t = (xd - self.x[i]) / h;
        let (y0, y1) = (self.y[i], self.y[i + 1]);
        match method {
            Method::Linear => Ok(y0 + t * (y1 - y0)),
            Method::Pchip => {
                let (d0, d1) = (pchip_slope(&self.x, &self.y, i), pchip_slope(&self.x, &self.y, i + 1));
                let (t2, t3) = (t * t, t * t * t);
                Ok((2.0 * t3 - 3.0 * t2 + 1.0) * y0
                    + (t3 - 2.0 * t2 + t) * h * d0
                    + (-2.0 * t3 + 3.0 * t2) * y1
                    + (t3 - t2) * h * d1)
            }
        }
    }
}

/// Fritsch-Carlson/Butland slope at knot `k` with the shape-preserving three-point end
/// formula (the scheme of MATLAB's and SciPy's pchip).
fn pchip_slope(x: &[f64], y: &[f64], k: usize) -> f64 {
    let n = x.len();
    let h = |i: usize| x[i + 1] - x[i];
    let m = |i: usize| (y[i + 1] - y[i]) / h(i);
    if n == 2 {
        return m(0);
    }
    let edge = |h0: f64, h1: f64, m0: f64, m1: f64| {
        let d = ((2.0 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
        if d.signum() != m0.signum() || m0 == 0.0 {
            0.0
        } else if m0.signum() != m1.signum() && d.abs() > 3.0 * m0.abs() {
            3.0 * m0
        } else {
            d
        }
    };
    if k == 0 {
        return edge(h(0), h(1), m(0), m(1));
    }
    if k == n - 1 {
        return edge(h(n - 2), h(n - 3), m(n - 2), m(n - 3));
    }
    let (m0, m1) = (m(k - 1), m(k));
    if m0 == 0.0 || m1 == 0.0 || m0.signum() != m1.signum() {
        return 0.0;
    }
    let (h0, h1) = (h(k - 1), h(k));
    let (w1, w2) = (2.0 * h1 + h0, h1 + 2.0 * h0);
    (w1 + w2) / (w1 / m0 + w2 / m1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pchip_reproduces_cubic_free_shapes_and_is_monotone() {
        // Linear data: pchip is exact.
        let x = [0.0, 1.0, 2.5, 3.0, 5.0];
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        let c = Curve::new(&x, &y);
        for xd in [0.3, 1.7, 2.9, 4.99] {
            assert!((c.eval(xd, Method::Pchip, "t").unwrap() - (2.0 * xd + 1.0)).abs() < 1e-12);
        }
        // Monotone data stays monotone between knots.
        let y = [0.0, 0.1, 5.0, 5.1, 9.0];
        let c = Curve::new(&x, &y);
        let mut last = -1.0;
        for k in 0..=500 {
            let v = c.eval(k as f64 * 0.01, Method::Pchip, "t").unwrap();
            assert!(v >= last - 1e-12, "{v} after {last}");
            last = v;
        }
        assert!(c.eval(5.01, Method::Pchip, "t").is_err());
    }

    #[test]
    fn expressions_parse_and_bad_ones_are_named() {
        assert_eq!("gm_id".parse::<Expr>().unwrap(), Expr::Ratio(Term::Q(Quantity::Gm), Term::Q(Quantity::Id)));
        assert_eq!("ID_W".parse::<Expr>().unwrap(), Expr::Ratio(Term::Q(Quantity::Id), Term::W));
        let e = "GM_IDX".parse::<Expr>().unwrap_err();
        assert!(e.to_string().contains("IDX"), "{e}");
    }
}

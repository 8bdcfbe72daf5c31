//! The optimizer's coordinates: every parameter is searched in the unit interval, mapped to its
//! range linearly or, for wide positive ranges (`max/min >= 10` by default, or `"scale": "log"`),
//! logarithmically. A W from 0.5 to 20 um then spends as much of the box on 0.5-3 um as on
//! 3-20 um, where a linear map gives the small sizes 6 % of it.
//!
//! The optimizer's record holds unit coordinates; the testbench, the report and the history's
//! entries hold real values. A parameter with a declared discrete space (`values` or `step`)
//! takes the grid value nearest to the mapped point, so every algorithm respects the grid.

use super::problem::ParamSpec;

/// The map between the unit box and the parameters' ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct Coordinates {
    lo: Vec<f64>,
    hi: Vec<f64>,
    log: Vec<bool>,
    /// Declared discrete spaces (`values`/`step`), increasing.
    grids: Vec<Option<Vec<f64>>>,
}

impl Coordinates {
    /// The map of a problem's parameters (validated ranges: `lo < hi`, `lo > 0` when log).
    pub fn new(params: &[ParamSpec]) -> Self {
        Coordinates {
            lo: params.iter().map(|p| p.range[0]).collect(),
            hi: params.iter().map(|p| p.range[1]).collect(),
            log: params.iter().map(ParamSpec::log_scaled).collect(),
            grids: params.iter().map(|p| (p.values.is_some() || p.step.is_some()).then(|| p.grid())).collect(),
        }
    }

    /// Which parameters are searched in log coordinates.
    pub fn log_scaled(&self) -> &[bool] {
        &self.log
    }

    /// Real values to unit coordinates (clamped to [0, 1]).
    pub fn to_unit(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(self.lo.iter().zip(&self.hi).zip(&self.log))
            .map(|(&v, ((&lo, &hi), &log))| unit(v, lo, hi, log))
            .collect()
    }

    /// Each parameter's grid ([`ParamSpec::grid`]) in unit coordinates.
    pub fn unit_grids(&self, params: &[ParamSpec]) -> Vec<Vec<f64>> {
        params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (lo, hi, log) = (self.lo[i], self.hi[i], self.log[i]);
                p.grid().iter().map(|&v| unit(v, lo, hi, log)).collect()
            })
            .collect()
    }

    /// Unit coordinates to real values (clamped to the ranges; 0 and 1 give the bounds exactly;
    /// a declared grid's nearest value for a discrete parameter).
    pub fn from_unit(&self, u: &[f64]) -> Vec<f64> {
        u.iter()
            .zip(self.lo.iter().zip(&self.hi).zip(&self.log))
            .zip(&self.grids)
            .map(|((&u, ((&lo, &hi), &log)), grid)| {
                let u = u.clamp(0.0, 1.0);
                let v = if u == 0.0 {
                    lo
                } else if u == 1.0 {
                    hi
                } else if log {
                    lo * ((hi / lo).ln() * u).exp()
                } else {
                    lo + (hi - lo) * u
                };
                match grid {
                    Some(g) => nearest(g, v, lo, hi, log),
                    None => v.clamp(lo, hi),
                }
            })
            .collect()
    }
}

fn unit(v: f64, lo: f64, hi: f64, log: bool) -> f64 {
    let u = if log { (v / lo).ln() / (hi / lo).ln() } else { (v - lo) / (hi - lo) };
    u.clamp(0.0, 1.0)
}

/// The value of `grid` nearest to `v`, measured in the parameter's coordinate.
fn nearest(grid: &[f64], v: f64, lo: f64, hi: f64, log: bool) -> f64 {
    let uv = unit(v, lo, hi, log);
    grid.iter()
        .copied()
        .min_by(|a, b| (unit(*a, lo, hi, log) - uv).abs().total_cmp(&(unit(*b, lo, hi, log) - uv).abs()))
        .unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sizing::problem::{ParamKind, Scale};

    fn p(lo: f64, hi: f64, scale: Option<Scale>) -> ParamSpec {
        ParamSpec {
            name: "x".into(),
            kind: ParamKind::Param,
            device: None,
            id: None,
            param: None,
            range: vec![lo, hi],
            init: lo,
            scale,
            values: None,
            step: None,
        }
    }

    #[test]
    fn default_scale_follows_the_range_ratio() {
        assert!(p(0.5e-6, 20e-6, None).log_scaled());
        assert!(p(1.0, 10.0, None).log_scaled());
        assert!(!p(300e-9, 2e-6, None).log_scaled());
        assert!(!p(-1.0, 100.0, None).log_scaled());
        assert!(!p(1.0, 100.0, Some(Scale::Linear)).log_scaled());
        assert!(p(1.0, 2.0, Some(Scale::Log)).log_scaled());
    }

    #[test]
    fn log_map_is_geometric_and_inverts() {
        let c = Coordinates::new(&[p(1e-6, 100e-6, None), p(8.0, 22.0, None)]);
        // The middle of the box is the geometric mean (10 um) and the arithmetic mean (15).
        let x = c.from_unit(&[0.5, 0.5]);
        assert!((x[0] - 10e-6).abs() < 1e-18, "{}", x[0]);
        assert!((x[1] - 15.0).abs() < 1e-12);
        assert_eq!(c.from_unit(&[0.0, 1.0]), vec![1e-6, 22.0]);
        let back = c.to_unit(&[3e-6, 9.0]);
        let again = c.from_unit(&back);
        assert!((again[0] - 3e-6).abs() < 1e-18 && (again[1] - 9.0).abs() < 1e-12);
        assert!((back[0] - 3f64.log10() / 2.0).abs() < 1e-12);
    }

    #[test]
    fn declared_grids_snap_and_map_to_unit_coordinates() {
        let mut w = p(1e-6, 99e-6, None);
        w.step = Some(1e-6);
        let params = [w, p(8.0, 22.0, None)];
        let c = Coordinates::new(&params);
        let grid = params[0].grid();
        // Every unit point maps onto the declared grid; the continuous parameter is untouched.
        for k in 0..=50 {
            let x = c.from_unit(&[k as f64 / 50.0, 0.5]);
            assert!(grid.contains(&x[0]), "{} not on the grid", x[0]);
            assert_eq!(x[1], 15.0);
        }
        // The unit grid maps back onto the grid, value for value.
        let ug = c.unit_grids(&params);
        for (u, v) in ug[0].iter().zip(&grid) {
            assert_eq!(c.from_unit(&[*u, 0.0])[0], *v);
        }
        assert_eq!(ug[1].len(), crate::sizing::problem::DERIVED_GRID_POINTS);
    }
}

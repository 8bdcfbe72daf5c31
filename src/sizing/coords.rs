//! The optimizer's coordinates: every parameter is searched in the unit interval, mapped to its
//! range linearly or, for wide positive ranges (`max/min >= 10` by default, or `"scale": "log"`),
//! logarithmically. A W from 0.5 to 20 um then spends as much of the box on 0.5-3 um as on
//! 3-20 um, where a linear map gives the small sizes 6 % of it.
//!
//! The optimizer's record holds unit coordinates; the testbench, the report and the history's
//! entries hold real values.

use super::problem::ParamSpec;

/// The map between the unit box and the parameters' ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct Coordinates {
    lo: Vec<f64>,
    hi: Vec<f64>,
    log: Vec<bool>,
}

impl Coordinates {
    /// The map of a problem's parameters (validated ranges: `lo < hi`, `lo > 0` when log).
    pub fn new(params: &[ParamSpec]) -> Self {
        Coordinates {
            lo: params.iter().map(|p| p.range[0]).collect(),
            hi: params.iter().map(|p| p.range[1]).collect(),
            log: params.iter().map(ParamSpec::log_scaled).collect(),
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
            .map(|(&v, ((&lo, &hi), &log))| {
                let u = if log { (v / lo).ln() / (hi / lo).ln() } else { (v - lo) / (hi - lo) };
                u.clamp(0.0, 1.0)
            })
            .collect()
    }

    /// Unit coordinates to real values (clamped to the ranges; 0 and 1 give the bounds exactly).
    pub fn from_unit(&self, u: &[f64]) -> Vec<f64> {
        u.iter()
            .zip(self.lo.iter().zip(&self.hi).zip(&self.log))
            .map(|(&u, ((&lo, &hi), &log))| {
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
                v.clamp(lo, hi)
            })
            .collect()
    }
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
}

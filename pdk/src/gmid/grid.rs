//! The 4-D grid of a table: L, VGS, VDS, VSB (SI units; voltages are magnitudes for PMOS).

use super::GmidError;

/// Axis names in storage order.
pub const AXES: [&str; 4] = ["L", "VGS", "VDS", "VSB"];

/// Grid vectors, each strictly increasing. Data are stored with VSB varying fastest, then
/// VDS, VGS and L (row-major `[L][VGS][VDS][VSB]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Channel lengths, metres.
    pub l: Vec<f64>,
    pub vgs: Vec<f64>,
    pub vds: Vec<f64>,
    pub vsb: Vec<f64>,
}

/// `start:step:stop` inclusive, robust to rounding (the last point is kept when within
/// 1e-9 steps of `stop`).
pub fn range(start: f64, step: f64, stop: f64) -> Vec<f64> {
    if step <= 0.0 || stop < start {
        return vec![start];
    }
    let n = ((stop - start) / step + 1e-9).floor() as usize;
    (0..=n).map(|i| start + i as f64 * step).collect()
}

impl Grid {
    /// A grid from its four vectors, checked.
    pub fn new(l: Vec<f64>, vgs: Vec<f64>, vds: Vec<f64>, vsb: Vec<f64>) -> Result<Grid, GmidError> {
        let g = Grid { l, vgs, vds, vsb };
        g.check()?;
        Ok(g)
    }

    /// The Murmann kit's 180 nm grid: L = 0.18:0.02:0.5 and 0.6:0.1:2 um (32), VGS = VDS =
    /// 0:25 mV:1.8 V (73), VSB = 0:0.1:1 V (11): 1.88 M points.
    pub fn kit180() -> Grid {
        let mut l: Vec<f64> = range(18.0, 2.0, 50.0).into_iter().map(|x| x * 1e-8).collect();
        l.extend(range(6.0, 1.0, 20.0).into_iter().map(|x| x * 1e-7));
        let v: Vec<f64> = range(0.0, 25.0, 1800.0).into_iter().map(|x| x * 1e-3).collect();
        let vsb = range(0.0, 1.0, 10.0).into_iter().map(|x| x * 0.1).collect();
        Grid { l, vgs: v.clone(), vds: v, vsb }
    }

    /// The kit's grid scaled to a supply `vdd` and minimum length `lmin`: L from `lmin` to
    /// about 11x, VGS and VDS in 25 mV steps to `vdd`, VSB 0..vdd/1.8 V in 11 steps.
    pub fn kit_like(lmin: f64, vdd: f64) -> Grid {
        let k = Grid::kit180();
        let s = lmin / 0.18e-6;
        let v: Vec<f64> = range(0.0, 25.0, (vdd * 1000.0).round()).into_iter().map(|x| x * 1e-3).collect();
        let vsb = k.vsb.iter().map(|x| x * vdd / 1.8).collect();
        Grid { l: k.l.iter().map(|x| x * s).collect(), vgs: v.clone(), vds: v, vsb }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.l.len() * self.vgs.len() * self.vds.len() * self.vsb.len()
    }

    /// True when an axis is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The four axes in storage order.
    pub fn axes(&self) -> [&[f64]; 4] {
        [&self.l, &self.vgs, &self.vds, &self.vsb]
    }

    /// Sizes of the four axes.
    pub fn shape(&self) -> [usize; 4] {
        [self.l.len(), self.vgs.len(), self.vds.len(), self.vsb.len()]
    }

    /// Flat index of grid point `(il, ig, id, ib)`.
    #[inline]
    pub fn index(&self, il: usize, ig: usize, id: usize, ib: usize) -> usize {
        ((il * self.vgs.len() + ig) * self.vds.len() + id) * self.vsb.len() + ib
    }

    /// Checks every axis: non-empty, finite, strictly increasing; L positive.
    pub fn check(&self) -> Result<(), GmidError> {
        for (name, axis) in AXES.iter().zip(self.axes()) {
            if axis.is_empty() {
                return Err(GmidError::Grid(format!("{name}: the axis is empty")));
            }
            if let Some(x) = axis.iter().find(|x| !x.is_finite()) {
                return Err(GmidError::Grid(format!("{name}: {x} is not a finite number")));
            }
            if let Some(w) = axis.windows(2).find(|w| w[1] <= w[0]) {
                return Err(GmidError::Grid(format!("{name}: values must increase ({} then {})", w[0], w[1])));
            }
        }
        if self.l[0] <= 0.0 {
            return Err(GmidError::Grid(format!("L: {} is not a positive length", self.l[0])));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kit_grid_has_the_kits_sizes() {
        let g = Grid::kit180();
        assert_eq!(g.shape(), [32, 73, 73, 11]);
        assert_eq!(g.len(), 1_875_808);
        assert!((g.l[16] - 0.5e-6).abs() < 1e-18 && (g.l[17] - 0.6e-6).abs() < 1e-18);
        assert!((g.vgs[72] - 1.8).abs() < 1e-12);
        g.check().unwrap();
    }

    #[test]
    fn bad_axes_are_named() {
        let e = Grid::new(vec![1e-6], vec![0.0, 0.5, 0.4], vec![0.9], vec![0.0]).unwrap_err();
        assert!(e.to_string().contains("VGS"), "{e}");
        let e = Grid::new(vec![1e-6], vec![0.0], vec![], vec![0.0]).unwrap_err();
        assert!(e.to_string().contains("VDS"), "{e}");
    }
}

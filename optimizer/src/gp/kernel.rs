//! Stationary kernels as functions of the scaled squared distance
//! `r2 = sum_d (x_d - y_d)^2 / l_d^2`, with unit signal variance.

use serde::{Deserialize, Serialize};

/// Kernel family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KernelKind {
    /// `exp(-r2 / 2)`.
    SquaredExponential,
    /// `(1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)`.
    Matern52,
}

/// Kernel family and whether each input has its own lengthscale (ARD) or one is shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelSpec {
    pub kind: KernelKind,
    pub ard: bool,
}

impl Default for KernelSpec {
    fn default() -> Self {
        Self { kind: KernelKind::SquaredExponential, ard: true }
    }
}

impl KernelSpec {
    /// Number of lengthscales for `d` inputs.
    pub fn n_lengthscales(&self, d: usize) -> usize {
        if self.ard {
            d
        } else {
            1
        }
    }
}

const SQRT5: f64 = 2.236_067_977_499_79;

impl KernelKind {
    /// Kernel value with unit signal variance.
    #[inline]
    pub fn k(self, r2: f64) -> f64 {
        match self {
            KernelKind::SquaredExponential => (-0.5 * r2).exp(),
            KernelKind::Matern52 => {
                let r = r2.max(0.0).sqrt();
                (1.0 + SQRT5 * r + 5.0 / 3.0 * r2) * (-SQRT5 * r).exp()
            }
        }
    }

    /// `dk / d(r2)` with unit signal variance (finite at r = 0 for both kernels).
    #[inline]
    pub fn dk_dr2(self, r2: f64) -> f64 {
        match self {
            KernelKind::SquaredExponential => -0.5 * (-0.5 * r2).exp(),
            KernelKind::Matern52 => {
                let r = r2.max(0.0).sqrt();
                -5.0 / 6.0 * (1.0 + SQRT5 * r) * (-SQRT5 * r).exp()
            }
        }
    }

    /// Both at once.
    #[inline]
    pub fn k_and_dk(self, r2: f64) -> (f64, f64) {
        match self {
            KernelKind::SquaredExponential => {
                let e = (-0.5 * r2).exp();
                (e, -0.5 * e)
            }
            KernelKind::Matern52 => {
                let r = r2.max(0.0).sqrt();
                let e = (-SQRT5 * r).exp();
                ((1.0 + SQRT5 * r + 5.0 / 3.0 * r2) * e, -5.0 / 6.0 * (1.0 + SQRT5 * r) * e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivative_matches_fd() {
        for kind in [KernelKind::SquaredExponential, KernelKind::Matern52] {
            for r2 in [0.01, 0.3, 1.0, 4.0] {
                let h = 1e-6;
                let fd = (kind.k(r2 + h) - kind.k(r2 - h)) / (2.0 * h);
                assert!((fd - kind.dk_dr2(r2)).abs() < 1e-6, "{kind:?} {r2}");
            }
        }
    }
}

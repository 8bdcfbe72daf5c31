//! A Gaussian process over sequence pairs with a weighted position kernel.
//!
//! `k(p, q) = s2 exp(-(a Dw(p, q) + b Dh(p, q)))` with
//! `Dw = sum_i w_i (|s1pos_p(i) - s1pos_q(i)| + |s2pos_p(i) - s2pos_q(i)|) / n` and `Dh` the same
//! with the block heights `h_i` (both normalized to mean 1): LAW2ORDER's position distance on
//! both permutations, with each macro's weight `a w_i + b h_i` tied to its width and height.
//! Hyperparameters `(ln a, ln b, ln s2, ln noise)` are fitted by maximizing the marginal
//! likelihood with analytic gradients (the optimizer crate's bounded L-BFGS, several starts).
//! Linear algebra is the optimizer crate's (`linalg`).

use insitu_optimizer::lbfgs::{minimize_box, LbfgsOptions};
use insitu_optimizer::linalg::{cholesky_jitter, inverse_from_chol, solve_chol, solve_lower};
use rand::Rng;

/// Positions of each block in both sequences, as `f64` for distance sums: `[s1pos..., s2pos...]`.
pub type Features = Vec<f64>;

/// The two weighted distances between two feature vectors.
#[inline]
pub fn distances(a: &[f64], b: &[f64], wn: &[f64], hn: &[f64]) -> (f64, f64) {
    let n = wn.len();
    let (mut dw, mut dh) = (0.0, 0.0);
    for i in 0..n {
        let d = (a[i] - b[i]).abs() + (a[n + i] - b[n + i]).abs();
        dw += wn[i] * d;
        dh += hn[i] * d;
    }
    (dw / n as f64, dh / n as f64)
}

/// Bounds of the log-hyperparameters `(ln a, ln b, ln s2, ln noise)`.
pub const LO: [f64; 4] = [-6.0, -6.0, -3.0, -12.0];
/// Upper bounds matching [`LO`].
pub const HI: [f64; 4] = [3.0, 3.0, 3.0, 0.0];

/// A fitted GP on standardized targets.
#[derive(Clone, Debug)]
pub struct PositionGp {
    pub x: Vec<Features>,
    pub wn: Vec<f64>,
    pub hn: Vec<f64>,
    /// `(ln a, ln b, ln s2, ln noise)`.
    pub theta: [f64; 4],
    pub y_mean: f64,
    pub y_std: f64,
    chol: Vec<f64>,
    alpha: Vec<f64>,
}

fn kernel_parts(x: &[Features], wn: &[f64], hn: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let m = x.len();
    let mut dw = vec![0.0; m * m];
    let mut dh = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..i {
            let (a, b) = distances(&x[i], &x[j], wn, hn);
            dw[i * m + j] = a;
            dw[j * m + i] = a;
            dh[i * m + j] = b;
            dh[j * m + i] = b;
        }
    }
    (dw, dh)
}

/// Negative log marginal likelihood and its gradient in `theta`.
fn nll(theta: &[f64], dw: &[f64], dh: &[f64], y: &[f64], grad: &mut [f64]) -> f64 {
    let m = y.len();
    let (a, b, s2, sn2) = (theta[0].exp(), theta[1].exp(), theta[2].exp(), theta[3].exp());
    let mut e = vec![0.0; m * m];
    let mut k = vec![0.0; m * m];
    for i in 0..m * m {
        e[i] = s2 * (-(a * dw[i] + b * dh[i])).exp();
        k[i] = e[i];
    }
    for i in 0..m {
        k[i * m + i] += sn2;
    }
    let Some((l, _)) = cholesky_jitter(&k, m, s2) else {
        return f64::INFINITY;
    };
    let mut alpha = y.to_vec();
    solve_chol(&l, m, &mut alpha);
    let logdet: f64 = (0..m).map(|i| l[i * m + i].ln()).sum();
    let value = 0.5 * y.iter().zip(&alpha).map(|(p, q)| p * q).sum::<f64>()
        + logdet
        + 0.5 * m as f64 * (2.0 * std::f64::consts::PI).ln();
    // dNLL/dtheta = 0.5 tr((K^-1 - alpha alpha^T) dK)
    let kinv = inverse_from_chol(&l, m);
    let (mut ga, mut gb, mut gs, mut gn) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..m {
        for j in 0..m {
            let w = kinv[i * m + j] - alpha[i] * alpha[j];
            let eij = e[i * m + j];
            ga += w * (-eij * a * dw[i * m + j]);
            gb += w * (-eij * b * dh[i * m + j]);
            gs += w * eij;
        }
        gn += (kinv[i * m + i] - alpha[i] * alpha[i]) * sn2;
    }
    grad[0] = 0.5 * ga;
    grad[1] = 0.5 * gb;
    grad[2] = 0.5 * gs;
    grad[3] = 0.5 * gn;
    value
}

impl PositionGp {
    /// Fits the GP to features `x` and targets `y` (standardized inside) from `warm` (if any) and
    /// `restarts` random starts drawn from `rng`.
    pub fn fit(
        x: Vec<Features>,
        y: &[f64],
        wn: &[f64],
        hn: &[f64],
        warm: Option<[f64; 4]>,
        restarts: usize,
        rng: &mut impl Rng,
    ) -> Self {
        let m = y.len();
        let y_mean = y.iter().sum::<f64>() / m as f64;
        let var = y.iter().map(|v| (v - y_mean).powi(2)).sum::<f64>() / m as f64;
        let y_std = if var > 0.0 { var.sqrt() } else { 1.0 };
        let ys: Vec<f64> = y.iter().map(|v| (v - y_mean) / y_std).collect();
        let (dw, dh) = kernel_parts(&x, wn, hn);
        let mut starts: Vec<[f64; 4]> = warm.into_iter().collect();
        starts.push([0.0, 0.0, 0.0, -4.0]);
        for _ in 0..restarts {
            starts.push(std::array::from_fn(|i| rng.random_range(LO[i]..HI[i])));
        }
        let opt = LbfgsOptions { max_iter: 30, max_evals: 45, ..LbfgsOptions::default() };
        let mut best = ([0.0, 0.0, 0.0, -4.0], f64::INFINITY);
        for s in starts {
            let r = minimize_box(|t, g| nll(t, &dw, &dh, &ys, g), &s, &LO, &HI, &opt);
            if r.f < best.1 {
                best = ([r.x[0], r.x[1], r.x[2], r.x[3]], r.f);
            }
        }
        Self::with_theta(x, &ys, wn, hn, best.0, y_mean, y_std)
    }

    /// The GP with given hyperparameters on raw targets `y` (standardized inside).
    pub fn with_theta_raw(x: Vec<Features>, y: &[f64], wn: &[f64], hn: &[f64], theta: [f64; 4]) -> Self {
        let m = y.len();
        let y_mean = y.iter().sum::<f64>() / m as f64;
        let var = y.iter().map(|v| (v - y_mean).powi(2)).sum::<f64>() / m as f64;
        let y_std = if var > 0.0 { var.sqrt() } else { 1.0 };
        let ys: Vec<f64> = y.iter().map(|v| (v - y_mean) / y_std).collect();
        Self::with_theta(x, &ys, wn, hn, theta, y_mean, y_std)
    }

    fn with_theta(
        x: Vec<Features>,
        ys: &[f64],
        wn: &[f64],
        hn: &[f64],
        theta: [f64; 4],
        y_mean: f64,
        y_std: f64,
    ) -> Self {
        let m = ys.len();
        let (dw, dh) = kernel_parts(&x, wn, hn);
        let (a, b, s2, sn2) = (theta[0].exp(), theta[1].exp(), theta[2].exp(), theta[3].exp());
        let mut k: Vec<f64> = dw.iter().zip(&dh).map(|(p, q)| s2 * (-(a * p + b * q)).exp()).collect();
        for i in 0..m {
            k[i * m + i] += sn2;
        }
        let (chol, _) = cholesky_jitter(&k, m, s2).unwrap_or_else(|| {
            // Diagonal fallback: cannot fail with a positive noise.
            for i in 0..m {
                k[i * m + i] += s2;
            }
            cholesky_jitter(&k, m, s2).expect("diagonally dominant")
        });
        let mut alpha = ys.to_vec();
        solve_chol(&chol, m, &mut alpha);
        PositionGp { x, wn: wn.to_vec(), hn: hn.to_vec(), theta, y_mean, y_std, chol, alpha }
    }

    /// Prior kernel between two feature vectors.
    pub fn k(&self, a: &[f64], b: &[f64]) -> f64 {
        let (dw, dh) = distances(a, b, &self.wn, &self.hn);
        self.theta[2].exp() * (-(self.theta[0].exp() * dw + self.theta[1].exp() * dh)).exp()
    }

    /// Signal variance `s2`.
    pub fn s2(&self) -> f64 {
        self.theta[2].exp()
    }
    /// Noise variance.
    pub fn noise(&self) -> f64 {
        self.theta[3].exp()
    }

    /// Posterior of standardized `f` at `x`: mean, variance, and `v = L^-1 k(X, x)` (kept for
    /// conditional covariances between candidates).
    pub fn predict(&self, x: &[f64], v: &mut Vec<f64>) -> (f64, f64) {
        let m = self.x.len();
        v.clear();
        v.extend(self.x.iter().map(|xi| self.k(x, xi)));
        let mean = v.iter().zip(&self.alpha).map(|(p, q)| p * q).sum::<f64>();
        solve_lower(&self.chol, m, v);
        let var = (self.s2() - v.iter().map(|t| t * t).sum::<f64>()).max(1e-12);
        (mean, var)
    }

    /// Kernel value for the two weighted distances.
    #[inline]
    pub fn k_of(&self, dw: f64, dh: f64) -> f64 {
        self.theta[2].exp() * (-(self.theta[0].exp() * dw + self.theta[1].exp() * dh)).exp()
    }

    /// Posterior from `v = k(X, x)` given in place (overwritten by `L^-1 k`): mean, variance.
    pub fn predict_k(&self, v: &mut [f64]) -> (f64, f64) {
        let m = self.x.len();
        let mean = v.iter().zip(&self.alpha).map(|(p, q)| p * q).sum::<f64>();
        solve_lower(&self.chol, m, v);
        let var = (self.s2() - v.iter().map(|t| t * t).sum::<f64>()).max(1e-12);
        (mean, var)
    }

    /// Standardizes a raw target.
    pub fn standardize(&self, y: f64) -> f64 {
        (y - self.y_mean) / self.y_std
    }
}

/// Expected improvement below `best` (standardized) for a normal `(mean, var)`.
pub fn expected_improvement(mean: f64, var: f64, best: f64) -> f64 {
    let s = var.sqrt();
    let z = (best - mean) / s;
    let pdf = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let cdf = 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2);
    ((best - mean) * cdf + s * pdf).max(0.0)
}

//! Predictive mean and variance (in the original output units) and their input gradients.

use super::fit::Gp;
use crate::linalg;

/// A prediction with gradients with respect to the (native) input.
#[derive(Clone, Debug)]
pub struct Prediction {
    pub mean: f64,
    pub variance: f64,
    pub dmean: Vec<f64>,
    pub dvariance: Vec<f64>,
}

impl Gp {
    /// Kernel vector between unit-box point `u` and the training inputs, and (optionally)
    /// `dk/dr2` for each training point.
    fn kvec(&self, u: &[f64], k: &mut [f64], dk: Option<&mut [f64]>) {
        let d = self.d;
        let mut dk = dk;
        for i in 0..self.n {
            let xi = &self.x[i * d..(i + 1) * d];
            let mut r2 = 0.0;
            for q in 0..d {
                let t = u[q] - xi[q];
                r2 += t * t * self.inv_l2[q];
            }
            let (kv, dv) = self.spec.kind.k_and_dk(r2);
            k[i] = self.sf2 * kv;
            if let Some(g) = dk.as_deref_mut() {
                g[i] = self.sf2 * dv;
            }
        }
    }

    fn var_floor(&self) -> f64 {
        1e-12 * self.sf2
    }

    /// Mean and variance at a unit-box point, on the standardized scale.
    fn predict_unit_std(&self, u: &[f64], k: &mut [f64], v: &mut [f64]) -> (f64, f64) {
        self.kvec(u, k, None);
        let mu = self.mean + linalg::dot(k, &self.alpha);
        linalg::lower_matvec(&self.chol_inv, self.n, k, v);
        let vv = linalg::dot(v, v);
        let mut var = (self.sf2 - vv).max(self.var_floor());
        if self.include_noise {
            var += self.sn2;
        }
        (mu, var)
    }

    /// Mean and variance at a native point.
    pub fn predict(&self, x: &[f64]) -> (f64, f64) {
        let u: Vec<f64> = crate::problem::to_unit_unclamped(x, &self.lower, &self.upper);
        let mut k = vec![0.0; self.n];
        let mut w = vec![0.0; self.n];
        let (m, v) = self.predict_unit_std(&u, &mut k, &mut w);
        (self.y_mean + self.y_std * m, self.y_std * self.y_std * v)
    }

    /// Means and variances at unit-box points (original output units).
    pub fn predict_unit_batch(&self, us: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
        let mut k = vec![0.0; self.n];
        let mut w = vec![0.0; self.n];
        let mut means = Vec::with_capacity(us.len());
        let mut vars = Vec::with_capacity(us.len());
        let s2 = self.y_std * self.y_std;
        for u in us {
            let (m, v) = self.predict_unit_std(u, &mut k, &mut w);
            means.push(self.y_mean + self.y_std * m);
            vars.push(s2 * v);
        }
        (means, vars)
    }

    /// Mean, variance and their gradients with respect to the native input.
    pub fn predict_with_gradient(&self, x: &[f64]) -> Prediction {
        let d = self.d;
        let n = self.n;
        let u = crate::problem::to_unit_unclamped(x, &self.lower, &self.upper);
        let mut k = vec![0.0; n];
        let mut g = vec![0.0; n];
        self.kvec(&u, &mut k, Some(&mut g));
        let mu = self.mean + k.iter().zip(&self.alpha).map(|(a, b)| a * b).sum::<f64>();
        let mut w = k.clone();
        linalg::solve_lower(&self.chol, n, &mut w);
        let vv: f64 = w.iter().map(|v| v * v).sum();
        let raw_var = self.sf2 - vv;
        let floored = raw_var < self.var_floor();
        let mut var = raw_var.max(self.var_floor());
        if self.include_noise {
            var += self.sn2;
        }
        linalg::solve_lower_t(&self.chol, n, &mut w); // w = K^-1 k
                                                      // dk_i/du_q = dk/dr2 * 2 (u_q - x_iq) / l_q^2
        let mut dmu = vec![0.0; d];
        let mut dvar = vec![0.0; d];
        for i in 0..n {
            let xi = &self.x[i * d..(i + 1) * d];
            for q in 0..d {
                let dki = g[i] * 2.0 * (u[q] - xi[q]) * self.inv_l2[q];
                dmu[q] += self.alpha[i] * dki;
                dvar[q] -= 2.0 * w[i] * dki;
            }
        }
        let s = self.y_std;
        for q in 0..d {
            let width = self.upper[q] - self.lower[q];
            dmu[q] *= s / width;
            dvar[q] = if floored { 0.0 } else { dvar[q] * s * s / width };
        }
        Prediction { mean: self.y_mean + s * mu, variance: s * s * var, dmean: dmu, dvariance: dvar }
    }
}

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
    ///
    /// The scaled squared distances are accumulated over the inputs in order for each training
    /// point, but across training points at once (transposed inputs), which vectorizes.
    fn kvec(&self, u: &[f64], k: &mut [f64], dk: Option<&mut [f64]>) {
        let n = self.n;
        let mut dk = dk;
        // k holds r2 first.
        let r2s = &mut k[..n];
        r2s.iter_mut().for_each(|v| *v = 0.0);
        for (q, col) in self.xt.chunks_exact(n).enumerate() {
            let (uq, w) = (u[q], self.inv_l2[q]);
            for (r2, xq) in r2s.iter_mut().zip(col) {
                let t = uq - xq;
                *r2 += t * t * w;
            }
        }
        for i in 0..n {
            let r2 = k[i];
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
    ///
    /// Points are processed four at a time: each row of `L^-1` is loaded once for the four
    /// products `L^-1 k` (the `O(n^2)` part of the variance), and each product is summed exactly
    /// as for a single point, so the results are bitwise those of [`Gp::predict`] point by point.
    pub fn predict_unit_batch(&self, us: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
        let mut means = vec![0.0; us.len()];
        let mut vars = vec![0.0; us.len()];
        self.predict_unit_batch_into(us, &mut means, &mut vars);
        (means, vars)
    }

    /// [`Gp::predict_unit_batch`] into caller-provided slices (`means` and `vars` as long as `us`).
    pub fn predict_unit_batch_into(&self, us: &[Vec<f64>], means: &mut [f64], vars: &mut [f64]) {
        const B: usize = 4;
        let n = self.n;
        let mut kb = vec![0.0; B * n];
        let mut vb = vec![0.0; B * n];
        let s2 = self.y_std * self.y_std;
        for (c, chunk) in us.chunks(B).enumerate() {
            for (p, u) in chunk.iter().enumerate() {
                self.kvec(u, &mut kb[p * n..(p + 1) * n], None);
            }
            if chunk.len() == B {
                let ks: [&[f64]; B] = std::array::from_fn(|p| &kb[p * n..(p + 1) * n]);
                for i in 0..n {
                    let r = linalg::dot_multi(&self.chol_inv[i * n..i * n + i + 1], ks);
                    for p in 0..B {
                        vb[p * n + i] = r[p];
                    }
                }
            } else {
                for p in 0..chunk.len() {
                    linalg::lower_matvec(&self.chol_inv, n, &kb[p * n..(p + 1) * n], &mut vb[p * n..(p + 1) * n]);
                }
            }
            for p in 0..chunk.len() {
                let (k, v) = (&kb[p * n..(p + 1) * n], &vb[p * n..(p + 1) * n]);
                let mu = self.mean + linalg::dot(k, &self.alpha);
                let vv = linalg::dot(v, v);
                let mut var = (self.sf2 - vv).max(self.var_floor());
                if self.include_noise {
                    var += self.sn2;
                }
                means[c * B + p] = self.y_mean + self.y_std * mu;
                vars[c * B + p] = s2 * var;
            }
        }
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

#[cfg(test)]
mod tests {
    use crate::gp::{Gp, KernelKind, KernelSpec};

    #[test]
    fn batch_predictions_equal_pointwise_bitwise() {
        let d = 3;
        let xs: Vec<Vec<f64>> =
            (0..23).map(|i| (0..d).map(|q| ((i * 7 + q * 3) as f64 * 0.618).fract()).collect()).collect();
        let ys: Vec<f64> = xs.iter().map(|x| x[0].sin() + x[1] * x[2]).collect();
        let theta = [(0.4f64).ln(), (0.7f64).ln(), (0.5f64).ln(), 0.2, (1e-5f64).ln()];
        for kind in [KernelKind::SquaredExponential, KernelKind::Matern52] {
            let spec = KernelSpec { kind, ard: true };
            let gp = Gp::with_hyperparameters(&xs, &ys, &[0.0; 3], &[1.0; 3], spec, &theta, false).unwrap();
            let us: Vec<Vec<f64>> =
                (0..11).map(|i| (0..d).map(|q| ((i * 5 + q) as f64 * 0.377).fract()).collect()).collect();
            let (m, v) = gp.predict_unit_batch(&us);
            for (i, u) in us.iter().enumerate() {
                let (mp, vp) = gp.predict(u);
                assert_eq!(m[i].to_bits(), mp.to_bits());
                assert_eq!(v[i].to_bits(), vp.to_bits());
            }
        }
    }
}

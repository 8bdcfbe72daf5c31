//! Model construction and hyperparameter fitting.
//!
//! Hyperparameters are `theta = [ln l_1 .. ln l_p, ln sf2, ln sn2]` (p = 1 isotropic, p = d ARD)
//! on inputs scaled to the unit box and outputs standardized to zero mean and unit variance.
//! The constant mean is the generalized-least-squares estimate for the given `theta`, which
//! maximizes the likelihood over the mean, so the gradient with respect to `theta` is the
//! usual `1/2 tr((a a^T - K^-1) dK/dtheta)` (envelope theorem).

use super::kernel::KernelSpec;
use crate::lbfgs::{minimize_box, LbfgsOptions};
use crate::linalg;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// GP construction errors.
#[derive(Debug, thiserror::Error)]
pub enum GpError {
    #[error("no training data")]
    NoData,
    #[error("dimension mismatch: {0}")]
    Dimension(String),
    #[error("non-finite training output")]
    NonFinite,
    #[error("covariance matrix not positive definite even with jitter")]
    NotPositiveDefinite,
}

/// Fitting settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GpConfig {
    pub kernel: KernelSpec,
    /// Random (uniform in the start box) starts besides the warm start / default start.
    pub n_random_starts: usize,
    /// A random start first runs this many L-BFGS iterations (a probe) and continues to
    /// `max_iter` only when its negative log likelihood is then within `probe_margin_per_point
    /// * n` of the best fit so far: when the warm start is good, hopeless restarts stop early.
    /// 0 = every start runs to `max_iter`.
    #[serde(default = "default_probe_iter")]
    pub probe_iter: usize,
    /// See `probe_iter` (nats per training point).
    #[serde(default = "default_probe_margin")]
    pub probe_margin_per_point: f64,
    /// L-BFGS iterations per start.
    pub max_iter: usize,
    /// Bounds of ln(lengthscale) on unit-box inputs.
    pub log_lengthscale_bounds: (f64, f64),
    /// Bounds of ln(signal variance) on standardized outputs.
    pub log_signal_bounds: (f64, f64),
    /// Bounds of ln(noise variance) on standardized outputs.
    pub log_noise_bounds: (f64, f64),
    /// Default start: lengthscale (unit box), signal variance 1, this noise variance.
    pub default_lengthscale: f64,
    pub default_noise: f64,
    /// Whether predictive variances include the learned observation noise (the authors' code
    /// does, through `likelihood(model(x))`); default false (latent variance).
    pub include_noise_in_variance: bool,
}

fn default_probe_iter() -> usize {
    10
}

fn default_probe_margin() -> f64 {
    0.02
}

impl Default for GpConfig {
    fn default() -> Self {
        Self {
            kernel: KernelSpec::default(),
            n_random_starts: 1,
            probe_iter: default_probe_iter(),
            probe_margin_per_point: default_probe_margin(),
            max_iter: 50,
            log_lengthscale_bounds: ((0.01f64).ln(), (30.0f64).ln()),
            log_signal_bounds: ((0.01f64).ln(), (100.0f64).ln()),
            log_noise_bounds: ((1e-8f64).ln(), (1.0f64).ln()),
            default_lengthscale: 0.3,
            default_noise: 1e-4,
            include_noise_in_variance: false,
        }
    }
}

impl GpConfig {
    /// Lower and upper bounds of `theta` for `d` inputs.
    pub fn theta_bounds(&self, d: usize) -> (Vec<f64>, Vec<f64>) {
        let p = self.kernel.n_lengthscales(d);
        let mut lo = vec![self.log_lengthscale_bounds.0; p];
        let mut hi = vec![self.log_lengthscale_bounds.1; p];
        lo.push(self.log_signal_bounds.0);
        hi.push(self.log_signal_bounds.1);
        lo.push(self.log_noise_bounds.0);
        hi.push(self.log_noise_bounds.1);
        (lo, hi)
    }

    /// The default start.
    pub fn default_theta(&self, d: usize) -> Vec<f64> {
        let p = self.kernel.n_lengthscales(d);
        let ls = if self.kernel.ard { self.default_lengthscale } else { self.default_lengthscale * (d as f64).sqrt() };
        let mut t = vec![ls.ln(); p];
        t.push(0.0);
        t.push(self.default_noise.ln());
        let (lo, hi) = self.theta_bounds(d);
        for i in 0..t.len() {
            t[i] = t[i].clamp(lo[i], hi[i]);
        }
        t
    }
}

/// A fitted GP.
#[derive(Clone, Debug)]
pub struct Gp {
    pub(crate) spec: KernelSpec,
    pub(crate) n: usize,
    pub(crate) d: usize,
    /// Training inputs on the unit box, row-major `n x d`.
    pub(crate) x: Vec<f64>,
    /// The same inputs transposed (`d x n`), for kernel vectors computed across training points.
    pub(crate) xt: Vec<f64>,
    pub(crate) lower: Vec<f64>,
    pub(crate) upper: Vec<f64>,
    pub(crate) y_mean: f64,
    pub(crate) y_std: f64,
    pub(crate) theta: Vec<f64>,
    pub(crate) inv_l2: Vec<f64>,
    pub(crate) sf2: f64,
    pub(crate) sn2: f64,
    /// Constant mean on the standardized scale.
    pub(crate) mean: f64,
    pub(crate) chol: Vec<f64>,
    /// `L^{-1}`, for vectorized predictive variances.
    pub(crate) chol_inv: Vec<f64>,
    pub(crate) alpha: Vec<f64>,
    pub(crate) jitter: f64,
    pub(crate) nll: f64,
    pub(crate) include_noise: bool,
}

struct Factor {
    chol: Vec<f64>,
    alpha: Vec<f64>,
    mean: f64,
    jitter: f64,
    nll: f64,
}

fn inv_l2_of(spec: &KernelSpec, theta: &[f64], d: usize) -> Vec<f64> {
    if spec.ard {
        theta[..d].iter().map(|t| (-2.0 * t).exp()).collect()
    } else {
        vec![(-2.0 * theta[0]).exp(); d]
    }
}

/// Negative log marginal likelihood (GLS constant mean) of standardized outputs `y` at unit-box
/// inputs `x` (row-major `n x d`), and its gradient with respect to `theta` when `grad` is
/// given. Returns `None` when the covariance cannot be factorized.
pub fn neg_log_marginal_likelihood(
    spec: &KernelSpec,
    x: &[f64],
    n: usize,
    d: usize,
    y: &[f64],
    theta: &[f64],
    grad: Option<&mut [f64]>,
) -> Option<f64> {
    factorize(spec, x, n, d, y, theta, grad).map(|f| f.nll)
}

fn factorize(
    spec: &KernelSpec,
    x: &[f64],
    n: usize,
    d: usize,
    y: &[f64],
    theta: &[f64],
    grad: Option<&mut [f64]>,
) -> Option<Factor> {
    let p = spec.n_lengthscales(d);
    let inv_l2 = inv_l2_of(spec, theta, d);
    let sf2 = theta[p].exp();
    let sn2 = theta[p + 1].exp();
    let want_grad = grad.is_some();
    let mut k = vec![0.0; n * n];
    let mut dk = if want_grad { vec![0.0; n * n] } else { Vec::new() };
    for i in 0..n {
        let xi = &x[i * d..(i + 1) * d];
        for j in 0..i {
            let xj = &x[j * d..(j + 1) * d];
            let mut r2 = 0.0;
            for q in 0..d {
                let t = xi[q] - xj[q];
                r2 += t * t * inv_l2[q];
            }
            let (kv, dv) = spec.kind.k_and_dk(r2);
            k[i * n + j] = sf2 * kv;
            k[j * n + i] = sf2 * kv;
            if want_grad {
                dk[i * n + j] = sf2 * dv;
            }
        }
        k[i * n + i] = sf2 + sn2;
    }
    let (chol, jitter) = linalg::cholesky_jitter(&k, n, sf2)?;
    let f = finish(chol, n, y, jitter)?;
    if let Some(g) = grad {
        let (chol, alpha) = (&f.chol, &f.alpha);
        let kinv = linalg::inverse_lower_from_chol(chol, n);
        g.iter_mut().for_each(|v| *v = 0.0);
        let mut g_len = vec![0.0; d];
        let mut g_sig = 0.0;
        let mut g_noise = 0.0;
        for i in 0..n {
            let wii = kinv[i * n + i] - alpha[i] * alpha[i];
            g_sig += 0.5 * wii * sf2;
            g_noise += 0.5 * wii * sn2;
            let xi = &x[i * d..(i + 1) * d];
            for j in 0..i {
                let w = kinv[i * n + j] - alpha[i] * alpha[j];
                g_sig += w * k[i * n + j];
                // d K_ij / d ln l_q = dk/dr2 * (-2 diff_q^2 / l_q^2)
                let c = -2.0 * w * dk[i * n + j];
                let xj = &x[j * d..(j + 1) * d];
                for q in 0..d {
                    let t = xi[q] - xj[q];
                    g_len[q] += c * t * t * inv_l2[q];
                }
            }
        }
        if spec.ard {
            g[..d].copy_from_slice(&g_len);
        } else {
            g[0] = g_len.iter().sum();
        }
        g[p] = g_sig;
        g[p + 1] = g_noise;
    }
    Some(f)
}

/// GLS mean, weights and likelihood from a Cholesky factor of the covariance.
fn finish(chol: Vec<f64>, n: usize, y: &[f64], jitter: f64) -> Option<Factor> {
    let mut a1 = vec![1.0; n];
    linalg::solve_chol(&chol, n, &mut a1);
    let mut ay = y.to_vec();
    linalg::solve_chol(&chol, n, &mut ay);
    let s1: f64 = a1.iter().sum();
    let mean = if s1.abs() > 1e-300 { ay.iter().sum::<f64>() / s1 } else { 0.0 };
    let alpha: Vec<f64> = ay.iter().zip(&a1).map(|(a, b)| a - mean * b).collect();
    let fit: f64 = y.iter().zip(&alpha).map(|(yi, ai)| (yi - mean) * ai).sum();
    let logdet: f64 = (0..n).map(|i| chol[i * n + i].ln()).sum();
    let nll = 0.5 * fit + logdet + 0.5 * n as f64 * (2.0 * std::f64::consts::PI).ln();
    if !nll.is_finite() {
        return None;
    }
    Some(Factor { chol, alpha, mean, jitter, nll })
}

impl Gp {
    fn prepare(
        xs: &[Vec<f64>],
        ys: &[f64],
        lower: &[f64],
        upper: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>, f64, f64), GpError> {
        let n = xs.len();
        if n == 0 {
            return Err(GpError::NoData);
        }
        if ys.len() != n {
            return Err(GpError::Dimension(format!("{} inputs, {} outputs", n, ys.len())));
        }
        let d = lower.len();
        if upper.len() != d || xs.iter().any(|x| x.len() != d) {
            return Err(GpError::Dimension("input length differs from the bounds".into()));
        }
        if ys.iter().any(|y| !y.is_finite()) {
            return Err(GpError::NonFinite);
        }
        let mut x = Vec::with_capacity(n * d);
        for p in xs {
            for q in 0..d {
                x.push((p[q] - lower[q]) / (upper[q] - lower[q]));
            }
        }
        let y_mean = ys.iter().sum::<f64>() / n as f64;
        let var = ys.iter().map(|y| (y - y_mean).powi(2)).sum::<f64>() / n as f64;
        let y_std = if var.sqrt() > 1e-12 * (1.0 + y_mean.abs()) { var.sqrt() } else { 1.0 };
        let y: Vec<f64> = ys.iter().map(|v| (v - y_mean) / y_std).collect();
        Ok((x, y, y_mean, y_std))
    }

    /// Builds a GP with fixed hyperparameters `theta` (see the module docs for the layout).
    pub fn with_hyperparameters(
        xs: &[Vec<f64>],
        ys: &[f64],
        lower: &[f64],
        upper: &[f64],
        kernel: KernelSpec,
        theta: &[f64],
        include_noise_in_variance: bool,
    ) -> Result<Gp, GpError> {
        let (x, y, y_mean, y_std) = Self::prepare(xs, ys, lower, upper)?;
        let d = lower.len();
        if theta.len() != kernel.n_lengthscales(d) + 2 {
            return Err(GpError::Dimension("wrong number of hyperparameters".into()));
        }
        let f = factorize(&kernel, &x, xs.len(), d, &y, theta, None).ok_or(GpError::NotPositiveDefinite)?;
        Ok(Self::assemble(
            kernel,
            x,
            xs.len(),
            d,
            lower,
            upper,
            y_mean,
            y_std,
            theta.to_vec(),
            f,
            include_noise_in_variance,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        spec: KernelSpec,
        x: Vec<f64>,
        n: usize,
        d: usize,
        lower: &[f64],
        upper: &[f64],
        y_mean: f64,
        y_std: f64,
        theta: Vec<f64>,
        f: Factor,
        include_noise: bool,
    ) -> Gp {
        let chol_inv = linalg::lower_inverse(&f.chol, n);
        Self::assemble_with_inverse(spec, x, n, d, lower, upper, y_mean, y_std, theta, f, chol_inv, include_noise)
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble_with_inverse(
        spec: KernelSpec,
        x: Vec<f64>,
        n: usize,
        d: usize,
        lower: &[f64],
        upper: &[f64],
        y_mean: f64,
        y_std: f64,
        theta: Vec<f64>,
        f: Factor,
        chol_inv: Vec<f64>,
        include_noise: bool,
    ) -> Gp {
        let p = spec.n_lengthscales(d);
        let mut xt = vec![0.0; n * d];
        for i in 0..n {
            for q in 0..d {
                xt[q * n + i] = x[i * d + q];
            }
        }
        Gp {
            spec,
            n,
            d,
            x,
            xt,
            lower: lower.to_vec(),
            upper: upper.to_vec(),
            y_mean,
            y_std,
            inv_l2: inv_l2_of(&spec, &theta, d),
            sf2: theta[p].exp(),
            sn2: theta[p + 1].exp(),
            theta,
            mean: f.mean,
            chol_inv,
            chol: f.chol,
            alpha: f.alpha,
            jitter: f.jitter,
            nll: f.nll,
            include_noise,
        }
    }

    /// The same kernel and hyperparameters on new data whose first [`Gp::n_train`] inputs are
    /// this GP's training inputs (outputs may all differ): the Cholesky factor and `L^-1` are
    /// extended by the new rows in `O(n^2)` per added point instead of refactorized in `O(n^3)`.
    /// The result is bitwise equal to [`Gp::with_hyperparameters`] with [`Gp::theta`] on the new
    /// data; when the inputs do not extend the old ones, or a new pivot needs more jitter than the
    /// old factor used, it falls back to that full construction.
    ///
    /// ```
    /// use insitu_optimizer::gp::{Gp, KernelSpec};
    /// let xs: Vec<Vec<f64>> = (0..6).map(|i| vec![i as f64 / 5.0]).collect();
    /// let ys: Vec<f64> = xs.iter().map(|x| (3.0 * x[0]).sin()).collect();
    /// let theta = [(0.3f64).ln(), 0.0, (1e-6f64).ln()];
    /// let gp = Gp::with_hyperparameters(&xs[..4], &ys[..4], &[0.0], &[1.0], KernelSpec::default(), &theta, false).unwrap();
    /// let grown = gp.extended(&xs, &ys).unwrap();
    /// let full = Gp::with_hyperparameters(&xs, &ys, &[0.0], &[1.0], KernelSpec::default(), &theta, false).unwrap();
    /// assert_eq!(grown.predict(&[0.33]), full.predict(&[0.33]));
    /// ```
    pub fn extended(&self, xs: &[Vec<f64>], ys: &[f64]) -> Result<Gp, GpError> {
        let (x, y, y_mean, y_std) = Self::prepare(xs, ys, &self.lower, &self.upper)?;
        let (n_old, n, d) = (self.n, xs.len(), self.d);
        let full =
            || Gp::with_hyperparameters(xs, ys, &self.lower, &self.upper, self.spec, &self.theta, self.include_noise);
        if n < n_old || x.len() != n * d || x[..n_old * d].iter().zip(&self.x).any(|(a, b)| a.to_bits() != b.to_bits())
        {
            return full();
        }
        // Covariance rows of the new points, computed exactly as `factorize` computes them.
        let mut k = vec![0.0; n * n];
        for i in n_old..n {
            let xi = &x[i * d..(i + 1) * d];
            for j in 0..i {
                let xj = &x[j * d..(j + 1) * d];
                let mut r2 = 0.0;
                for q in 0..d {
                    let t = xi[q] - xj[q];
                    r2 += t * t * self.inv_l2[q];
                }
                k[i * n + j] = self.sf2 * self.spec.kind.k_and_dk(r2).0;
            }
            k[i * n + i] = self.sf2 + self.sn2;
        }
        let Some(chol) = linalg::cholesky_extend(&self.chol, n_old, &k, n, self.jitter) else {
            return full();
        };
        let chol_inv = linalg::lower_inverse_extend(&chol, n, &self.chol_inv, n_old);
        let Some(f) = finish(chol, n, &y, self.jitter) else {
            return full();
        };
        Ok(Self::assemble_with_inverse(
            self.spec,
            x,
            n,
            d,
            &self.lower,
            &self.upper,
            y_mean,
            y_std,
            self.theta.clone(),
            f,
            chol_inv,
            self.include_noise,
        ))
    }

    /// Fits hyperparameters by maximizing the log marginal likelihood from the warm start
    /// (if given, else the default start) plus `cfg.n_random_starts` random starts drawn
    /// from a stream keyed by `seed`; keeps the best.
    pub fn fit(
        xs: &[Vec<f64>],
        ys: &[f64],
        lower: &[f64],
        upper: &[f64],
        cfg: &GpConfig,
        warm: Option<&[f64]>,
        seed: u64,
    ) -> Result<Gp, GpError> {
        let (x, y, y_mean, y_std) = Self::prepare(xs, ys, lower, upper)?;
        let n = xs.len();
        let d = lower.len();
        let spec = cfg.kernel;
        let (lo, hi) = cfg.theta_bounds(d);
        let mut starts = Vec::new();
        match warm {
            Some(w) if w.len() == lo.len() => starts.push(w.to_vec()),
            _ => starts.push(cfg.default_theta(d)),
        }
        let mut rng = crate::rng::stream(seed, 0x6770_6669, 0);
        let p = spec.n_lengthscales(d);
        for _ in 0..cfg.n_random_starts {
            let mut t = Vec::with_capacity(lo.len());
            for _ in 0..p {
                t.push(rng.random_range((0.05f64).ln()..(2.0f64).ln()));
            }
            t.push(rng.random_range((0.3f64).ln()..(3.0f64).ln()));
            t.push(rng.random_range((1e-7f64).ln()..(1e-2f64).ln()));
            for i in 0..t.len() {
                t[i] = t[i].clamp(lo[i], hi[i]);
            }
            starts.push(t);
        }
        let opts = LbfgsOptions {
            max_iter: cfg.max_iter,
            max_evals: 3 * cfg.max_iter,
            pg_tol: 1e-3,
            f_rel_tol: 1e-8,
            ..Default::default()
        };
        let mut best: Option<(f64, Vec<f64>)> = None;
        let obj = |t: &[f64], g: &mut [f64]| -> f64 {
            neg_log_marginal_likelihood(&spec, &x, n, d, &y, t, Some(g)).unwrap_or(f64::INFINITY)
        };
        for (k, s) in starts.iter().enumerate() {
            let probe = k > 0 && cfg.probe_iter > 0 && cfg.probe_iter < cfg.max_iter;
            let r = match (&best, probe) {
                (Some((fb, _)), true) => {
                    let popts = LbfgsOptions { max_iter: cfg.probe_iter, max_evals: 3 * cfg.probe_iter, ..opts };
                    let r = minimize_box(obj, s, &lo, &hi, &popts);
                    // A non-finite probe (NaN included) is dropped too.
                    if r.f.is_nan() || r.f > fb + cfg.probe_margin_per_point * n as f64 {
                        continue;
                    }
                    let rest = cfg.max_iter - cfg.probe_iter;
                    minimize_box(obj, &r.x, &lo, &hi, &LbfgsOptions { max_iter: rest, max_evals: 3 * rest, ..opts })
                }
                _ => minimize_box(obj, s, &lo, &hi, &opts),
            };
            if r.f.is_finite() && best.as_ref().is_none_or(|b| r.f < b.0) {
                best = Some((r.f, r.x));
            }
        }
        let theta = match best {
            Some((_, t)) => t,
            None => cfg.default_theta(d),
        };
        let f = match factorize(&spec, &x, n, d, &y, &theta, None) {
            Some(f) => f,
            None => {
                // Last resort: the default start with a large noise.
                let mut t = cfg.default_theta(d);
                let last = t.len() - 1;
                t[last] = hi[last].min((1e-2f64).ln());
                let f = factorize(&spec, &x, n, d, &y, &t, None).ok_or(GpError::NotPositiveDefinite)?;
                return Ok(Self::assemble(
                    spec,
                    x,
                    n,
                    d,
                    lower,
                    upper,
                    y_mean,
                    y_std,
                    t,
                    f,
                    cfg.include_noise_in_variance,
                ));
            }
        };
        Ok(Self::assemble(spec, x, n, d, lower, upper, y_mean, y_std, theta, f, cfg.include_noise_in_variance))
    }

    /// Hyperparameters `[ln l.., ln sf2, ln sn2]` (standardized outputs, unit-box inputs).
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }
    /// Negative log marginal likelihood at the fitted hyperparameters (standardized outputs).
    pub fn neg_log_likelihood(&self) -> f64 {
        self.nll
    }
    /// Jitter added to the diagonal for the factorization.
    pub fn jitter(&self) -> f64 {
        self.jitter
    }
    /// Number of training points.
    pub fn n_train(&self) -> usize {
        self.n
    }
    /// Number of inputs.
    pub fn dim(&self) -> usize {
        self.d
    }
    /// Output standard deviation used for standardization.
    pub fn y_scale(&self) -> f64 {
        self.y_std
    }
}

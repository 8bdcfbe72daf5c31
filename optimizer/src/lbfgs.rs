//! Bounded quasi-Newton minimization: projected L-BFGS with an Armijo backtracking
//! search along the projected path.
//!
//! Written here because argmin 0.11 has no bounded L-BFGS-B and the pure-Rust L-BFGS-B
//! ports pull in large dependency trees; the GP likelihood has a handful of box-bounded
//! log-hyperparameters, for which this simple method is sufficient.

/// Settings of [`minimize_box`].
#[derive(Clone, Copy, Debug)]
pub struct LbfgsOptions {
    /// Maximum number of iterations (each needs at least one function evaluation).
    pub max_iter: usize,
    /// Maximum number of function evaluations.
    pub max_evals: usize,
    /// Stop when the infinity norm of the projected gradient is below this.
    pub pg_tol: f64,
    /// Stop when the relative decrease of `f` over an iteration is below this.
    pub f_rel_tol: f64,
    /// Number of correction pairs kept.
    pub memory: usize,
}

impl Default for LbfgsOptions {
    fn default() -> Self {
        Self { max_iter: 60, max_evals: 120, pg_tol: 1e-5, f_rel_tol: 1e-9, memory: 8 }
    }
}

/// Result of [`minimize_box`].
#[derive(Clone, Debug)]
pub struct LbfgsResult {
    pub x: Vec<f64>,
    pub f: f64,
    pub evals: usize,
    pub iterations: usize,
}

fn project(x: &mut [f64], lo: &[f64], hi: &[f64]) {
    for ((v, l), h) in x.iter_mut().zip(lo).zip(hi) {
        *v = v.clamp(*l, *h);
    }
}

/// Minimizes `f` (which writes its gradient into the second argument and returns the value;
/// a non-finite value means "reject this point") over the box `[lo, hi]` from `x0`.
pub fn minimize_box<F>(mut f: F, x0: &[f64], lo: &[f64], hi: &[f64], opt: &LbfgsOptions) -> LbfgsResult
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = x0.len();
    let mut x = x0.to_vec();
    project(&mut x, lo, hi);
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut evals = 1;
    if !fx.is_finite() {
        return LbfgsResult { x, f: f64::INFINITY, evals, iterations: 0 };
    }
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut iterations = 0;
    let mut xn = vec![0.0; n];
    let mut gn = vec![0.0; n];
    while iterations < opt.max_iter && evals < opt.max_evals {
        iterations += 1;
        // Active set: at a bound with the gradient pushing outwards.
        let active: Vec<bool> =
            (0..n).map(|i| (x[i] <= lo[i] && g[i] > 0.0) || (x[i] >= hi[i] && g[i] < 0.0)).collect();
        let pg = (0..n).filter(|&i| !active[i]).map(|i| g[i].abs()).fold(0.0, f64::max);
        if pg < opt.pg_tol {
            break;
        }
        // Two-loop recursion on the free variables.
        let mut d: Vec<f64> = (0..n).map(|i| if active[i] { 0.0 } else { -g[i] }).collect();
        let m = s_hist.len();
        let mut alpha = vec![0.0; m];
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
        for k in (0..m).rev() {
            let rho = 1.0 / dot(&y_hist[k], &s_hist[k]);
            alpha[k] = rho * dot(&s_hist[k], &d);
            for i in 0..n {
                d[i] -= alpha[k] * y_hist[k][i];
            }
        }
        if m > 0 {
            let gamma = dot(&s_hist[m - 1], &y_hist[m - 1]) / dot(&y_hist[m - 1], &y_hist[m - 1]);
            for v in d.iter_mut() {
                *v *= gamma;
            }
        }
        for k in 0..m {
            let rho = 1.0 / dot(&y_hist[k], &s_hist[k]);
            let beta = rho * dot(&y_hist[k], &d);
            for i in 0..n {
                d[i] += (alpha[k] - beta) * s_hist[k][i];
            }
        }
        for i in 0..n {
            if active[i] {
                d[i] = 0.0;
            }
        }
        let mut gd = dot(&g, &d);
        if gd.is_nan() || gd >= 0.0 {
            s_hist.clear();
            y_hist.clear();
            for i in 0..n {
                d[i] = if active[i] { 0.0 } else { -g[i] };
            }
            gd = dot(&g, &d);
        }
        let mut t = if m == 0 { (1.0 / d.iter().map(|v| v.abs()).fold(0.0, f64::max)).min(1.0) } else { 1.0 };
        let mut accepted = false;
        let mut fnew = f64::INFINITY;
        for _ in 0..30 {
            for i in 0..n {
                xn[i] = x[i] + t * d[i];
            }
            project(&mut xn, lo, hi);
            fnew = f(&xn, &mut gn);
            evals += 1;
            let decrease: f64 = g.iter().zip(xn.iter().zip(&x)).map(|(gi, (a, b))| gi * (a - b)).sum();
            if fnew.is_finite() && fnew <= fx + 1e-4 * decrease.min(0.0) {
                accepted = true;
                break;
            }
            if evals >= opt.max_evals {
                break;
            }
            t *= 0.3;
        }
        let _ = gd;
        if !accepted {
            break;
        }
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&y, &y).max(1e-300) && sy > 0.0 {
            if s_hist.len() == opt.memory {
                s_hist.remove(0);
                y_hist.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
        }
        let rel = (fx - fnew).abs() / fx.abs().max(1.0);
        x.copy_from_slice(&xn);
        g.copy_from_slice(&gn);
        fx = fnew;
        if rel < opt.f_rel_tol {
            break;
        }
    }
    LbfgsResult { x, f: fx, evals, iterations }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock_and_bounds() {
        let f = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let opt = LbfgsOptions { max_iter: 500, max_evals: 2000, ..Default::default() };
        let r = minimize_box(f, &[-1.2, 1.0], &[-2.0, -2.0], &[2.0, 2.0], &opt);
        assert!((r.x[0] - 1.0).abs() < 1e-3 && (r.x[1] - 1.0).abs() < 1e-3, "{:?}", r);
        let r = minimize_box(f, &[-1.2, 1.0], &[-2.0, -2.0], &[0.5, 2.0], &opt);
        assert!((r.x[0] - 0.5).abs() < 1e-6 && (r.x[1] - 0.25).abs() < 1e-3, "{:?}", r);
    }
}

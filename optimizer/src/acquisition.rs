//! Acquisition functions for minimization, vectorized over candidate sets.
//!
//! Inputs are predictive means `mu` and standard deviations `sigma` (original units).
//! `z = (tau - eps - mu) / sigma` with `tau` the incumbent value.

use serde::{Deserialize, Serialize};

/// Which PI/EI formulas to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum AcquisitionFormulas {
    /// Textbook PI = Phi(z), EI = sigma (z Phi(z) + phi(z)) (computed in log space).
    #[default]
    Textbook,
    /// The TRACE authors' code: Phi and phi evaluated at `(z - mu)/sigma` ("standardized twice"),
    /// and the pdf term carries an extra `1/sigma` (trace.md section 1.2).
    Authors,
}

const SQRT2: f64 = std::f64::consts::SQRT_2;
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Standard normal density.
pub fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z - LN_SQRT_2PI).exp()
}

/// Standard normal distribution function.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / SQRT2)
}

/// `ln Phi(z)`, accurate in the far left tail.
pub fn log_norm_cdf(z: f64) -> f64 {
    if z > -30.0 {
        norm_cdf(z).ln()
    } else {
        // Phi(z) ~ phi(z)/|z| (1 - 1/z^2 + 3/z^4)
        let z2 = z * z;
        -0.5 * z2 - LN_SQRT_2PI - (-z).ln() + (1.0 - 1.0 / z2 + 3.0 / (z2 * z2)).ln()
    }
}

/// `ln(phi(z) + z Phi(z))`, the log of EI per unit sigma.
pub fn log_h(z: f64) -> f64 {
    if z > -25.0 {
        let h = norm_pdf(z) + z * norm_cdf(z);
        if h > 0.0 {
            return h.ln();
        }
    }
    // h(z) ~ phi(z)/z^2 (1 - 3/z^2 + 15/z^4)
    let z2 = z * z;
    -0.5 * z2 - LN_SQRT_2PI - z2.ln() + (1.0 - 3.0 / z2 + 15.0 / (z2 * z2)).max(1e-300).ln()
}

/// Lower confidence bound `mu - beta sigma` (minimize).
pub fn lcb(mu: &[f64], sigma: &[f64], beta: f64) -> Vec<f64> {
    mu.iter().zip(sigma).map(|(m, s)| m - beta * s).collect()
}

fn z_of(mu: f64, sigma: f64, tau: f64, eps: f64) -> f64 {
    (tau - eps - mu) / sigma.max(1e-300)
}

/// Probability of improvement `Phi(z)` (maximize).
pub fn pi(mu: &[f64], sigma: &[f64], tau: f64, eps: f64) -> Vec<f64> {
    mu.iter().zip(sigma).map(|(m, s)| norm_cdf(z_of(*m, *s, tau, eps))).collect()
}

/// `ln PI` (maximize).
pub fn log_pi(mu: &[f64], sigma: &[f64], tau: f64, eps: f64) -> Vec<f64> {
    mu.iter().zip(sigma).map(|(m, s)| log_norm_cdf(z_of(*m, *s, tau, eps))).collect()
}

/// Expected improvement `sigma (z Phi(z) + phi(z))` (maximize).
pub fn ei(mu: &[f64], sigma: &[f64], tau: f64, eps: f64) -> Vec<f64> {
    log_ei(mu, sigma, tau, eps).into_iter().map(f64::exp).collect()
}

/// `ln EI`, finite far into the tail (maximize).
pub fn log_ei(mu: &[f64], sigma: &[f64], tau: f64, eps: f64) -> Vec<f64> {
    mu.iter().zip(sigma).map(|(m, s)| s.max(1e-300).ln() + log_h(z_of(*m, *s, tau, eps))).collect()
}

/// The authors' PI: `Phi((z - mu)/sigma)` (maximize). Kept to reproduce their code.
pub fn pi_authors(mu: &[f64], sigma: &[f64], tau: f64, eps: f64) -> Vec<f64> {
    mu.iter()
        .zip(sigma)
        .map(|(m, s)| {
            let s = s.max(1e-300);
            let lam = (tau - m - eps) / s;
            norm_cdf((lam - m) / s)
        })
        .collect()
}

/// The authors' EI: `sigma (lam Phi((lam-mu)/sigma) + phi((lam-mu)/sigma)/sigma)` (maximize).
pub fn ei_authors(mu: &[f64], sigma: &[f64], tau: f64, eps: f64) -> Vec<f64> {
    mu.iter()
        .zip(sigma)
        .map(|(m, s)| {
            let s = s.max(1e-300);
            let lam = (tau - m - eps) / s;
            let t = (lam - m) / s;
            s * (lam * norm_cdf(t) + norm_pdf(t) / s)
        })
        .collect()
}

/// Probability of feasibility `prod_k Phi(-mu_k / sigma_k)` for each candidate.
/// `mu_c[k][i]`, `sigma_c[k][i]`: constraint `k`, candidate `i`.
pub fn pof(mu_c: &[Vec<f64>], sigma_c: &[Vec<f64>], n: usize) -> Vec<f64> {
    log_pof(mu_c, sigma_c, n).into_iter().map(f64::exp).collect()
}

/// `ln PoF`.
pub fn log_pof(mu_c: &[Vec<f64>], sigma_c: &[Vec<f64>], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for (mk, sk) in mu_c.iter().zip(sigma_c) {
        for i in 0..n {
            out[i] += log_norm_cdf(-mk[i] / sk[i].max(1e-300));
        }
    }
    out
}

/// Form of TRACE's level-1 objectives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Level1Form {
    /// `[g, |g|]` with `g = max_k (mu_k - kappa s_k)`: the single-constraint construction applied
    /// to the aggregated constraint, for which the paper's proposition (the level-1 Pareto set is
    /// the feasible region) holds for any number of constraints.
    #[default]
    Aggregated,
    /// The paper's `[max_k v_k, min_k |v_k|]`, `v_k = mu_k - kappa s_k`: with several constraints
    /// an infeasible point lying on the boundary of another constraint is non-dominated too.
    Paper,
}

/// Level-1 objectives in the chosen form.
pub fn trace_f1_form(mu_c: &[Vec<f64>], sigma_c: &[Vec<f64>], kappa: f64, n: usize, form: Level1Form) -> Vec<[f64; 2]> {
    match form {
        Level1Form::Paper => trace_f1(mu_c, sigma_c, kappa, n),
        Level1Form::Aggregated => trace_f1(mu_c, sigma_c, kappa, n).into_iter().map(|[g, _]| [g, g.abs()]).collect(),
    }
}

/// TRACE's level-1 objectives `[f_cv1, f_cv2]` with `f_cv1 = max_k (mu_k - kappa sigma_k)` and
/// `f_cv2 = min_k |mu_k - kappa sigma_k|` (both minimized). With no constraints both are 0.
pub fn trace_f1(mu_c: &[Vec<f64>], sigma_c: &[Vec<f64>], kappa: f64, n: usize) -> Vec<[f64; 2]> {
    (0..n)
        .map(|i| {
            let mut cv1 = f64::NEG_INFINITY;
            let mut cv2 = f64::INFINITY;
            for (mk, sk) in mu_c.iter().zip(sigma_c) {
                let v = mk[i] - kappa * sk[i];
                cv1 = cv1.max(v);
                cv2 = cv2.min(v.abs());
            }
            if mu_c.is_empty() {
                [0.0, 0.0]
            } else {
                [cv1, cv2]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_forms_agree() {
        for z in [-40.0, -26.0, -10.0, -1.0, 0.0, 2.0] {
            let direct = norm_pdf(z) + z * norm_cdf(z);
            if direct > 1e-280 {
                assert!((log_h(z) - direct.ln()).abs() < 1e-3 * direct.ln().abs().max(1.0), "{z}");
            }
            assert!(log_h(z).is_finite());
            assert!(log_norm_cdf(z).is_finite());
        }
        assert!((log_norm_cdf(-31.0) - (0.5 * libm::erfc(31.0 / SQRT2)).ln()).abs() < 1e-4);
        let e = ei(&[0.0], &[1.0], 0.0, 0.0)[0];
        assert!((e - norm_pdf(0.0)).abs() < 1e-12);
    }
}

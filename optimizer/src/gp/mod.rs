//! Gaussian-process regression: constant (GLS) mean, squared-exponential or Matern-5/2 kernel,
//! isotropic or ARD, learned signal and noise variances, inputs scaled to the unit box,
//! outputs standardized. Hyperparameters maximize the log marginal likelihood (analytic
//! gradient, projected L-BFGS, several starts including a warm start).

mod fit;
mod kernel;
mod predict;

pub use fit::{neg_log_marginal_likelihood, Gp, GpConfig, GpError};
pub use kernel::{KernelKind, KernelSpec};
pub use predict::Prediction;

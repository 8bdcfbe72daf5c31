//! Black-box optimizers, pure math: GP, acquisitions, TRACE, MOPSO, baselines.

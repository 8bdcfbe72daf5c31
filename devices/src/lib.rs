//! Device equations: R C L V I E F G H D, MOS level 1, BSIM-lite; waveforms; temperature; noise.

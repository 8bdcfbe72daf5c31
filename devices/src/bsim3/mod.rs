//! BSIM-lite: the core subset of BSIM3v3.3 exactly as ngspice 39 (`level=8`/`level=49`,
//! `version=3.3.0`) computes it.
//!
//! BSIM3 was developed by the BSIM Research Group of the University of California,
//! Berkeley (Department of Electrical Engineering and Computer Sciences). This module is
//! an independent implementation of its published equations; the BSIM3 terms of use allow
//! modification and redistribution with this acknowledgement of the UC Berkeley BSIM group.
//!
//! - [`model`]: the card ([`Bsim3Model`]): which parameters are read and which must be
//!   neutral.
//! - [`temp`]: instance set-up ([`Bsim3::new`]): effective geometry, doping-derived values,
//!   K1/K2, Vbsc, vfbzb, temperature (U0 with UTE, VSAT with AT, UA/UB/UC with UA1/UB1/UC1,
//!   KT1/KT1L/KT2 in Vth, Vtm), junction saturation currents and capacitances.
//! - [`dc`]: drain current, analytic gm/gds/gmbs, junction diodes ([`Bsim3::dc`]).
//! - [`charge`]: CAPMOD 3 (charge-thickness) intrinsic charges with XPART partition,
//!   constant overlaps, junction depletion charges.
//! - [`noise`]: NOIMOD 1 channel thermal and flicker noise.
//! - [`lane`]: the number type the bias-dependent equations are written over (`f64`, or
//!   [`lane::Lanes`] of several gate voltages for the gm/Id table generator).
//!
//! Voltages passed to the bias functions are in the "n frame" (terminal voltages times
//! [`Bsim3::mos_type`]); for VDS < 0 source and drain swap roles as in `b3ld.c`.
//!
//! # The subset and neutral parameters
//! Implemented with ngspice's defaults (so a card that omits them runs identically in
//! ngspice): TOX, TOXM, XJ, NCH (NPEAK), NSUB, GAMMA1/2, VBX, VBM, XT (only when K1 and
//! K2 are both omitted), VTH0, VFB, K1, K2, K3, K3B, W0, NLX, DVT0/1/2, DVT0W/1W/2W, ETA0,
//! ETAB, DSUB, VOFF, NFACTOR, CDSC, CDSCB, CDSCD, CIT, U0, UA, UB, UC, VSAT, A0, AGS, B0,
//! B1, KETA, PCLM, PDIBLC1/2, PDIBLCB, DROUT, PSCBE1/2, PVAG, DELTA, TNOM, UTE, KT1, KT1L,
//! KT2, UA1, UB1, UC1, AT, LINT, WINT, DLC, DWC, XL, XW, LL..WWLC, XPART, CGSO, CGDO, CGBO,
//! CF, CLC, CLE, ACDE, MOIN, NOFF, VOFFCV, CJ, MJ, CJSW, MJSW, CJSWG, MJSWG, PB, PBSW,
//! PBSWG, JS, JSW, NJ, XTI, IJTH, TCJ*, TPB*, RSH, KF, AF, EF.
//! Several of these have ngspice defaults that are not "neutral" (K3 = 80, NLX = 1.74e-7,
//! ETAB = -0.07, CDSC = 2.4e-4, KETA = -0.047, DVT2 = -0.032, KT1 = -0.11, KT2 = 0.022,
//! UA1/UB1/UC1, AT = 3.3e4, PSCBE2 = 1e-5, CF from TOX, IJTH = 0.1, JS = 1e-4): rather
//! than rejecting cards that omit them, BSIM-lite implements those terms, so every
//! accepted card computes the same numbers as ngspice whether or not they are written.
//! The reference cards still write the neutral values explicitly.
//!
//! Outside the subset and rejected unless neutral (an error names the parameter and the
//! value it must have): RDSW = PRT = PRWG = PRWB = 0, WR = 1, A1 = 0, A2 = 1, DWG = DWB = 0,
//! NGATE = 0, ALPHA0 = ALPHA1 = 0 (no substrate current), CGSL = CGDL = 0 (constant
//! overlaps), all binning parameters (L*, W*, P*) = 0, and the selectors CAPMOD = 3,
//! MOBMOD = 1, NOIMOD = 1, NQSMOD = ACNQSMOD = 0, ACM = 0. All of those have neutral
//! ngspice defaults except CAPMOD, whose default (3) is the one implemented. Parameters
//! with no effect in this subset (ELM, NOIA/B/C, EM, LINTNOI, VFBCV, BETA0, CKAPPA, the
//! ACM-only and SOA values, LMIN..WMAX) are accepted and ignored.
//!
//! Results are per instance with the multiplier M applied (ngspice applies M when it
//! stamps and in `@m[...]`).

pub mod charge;
pub mod dc;
pub mod lane;
pub mod model;
pub mod noise;
pub(crate) mod shared;
pub mod temp;

pub use charge::{Bsim3Caps, Bsim3Charges, Bsim3Kept};
pub use dc::{Bsim3Bias, Bsim3Dc};
pub use model::{Bsim3Model, Bsim3Params};
pub use temp::Bsim3;

#[cfg(test)]
mod tests;

//! Full BSIM3v3: ngspice 39's `bsim3` implementation (`level=8`/`level=49`,
//! `version=3.3.0`) with its whole parameter set, for cards that need more than
//! BSIM-lite's core subset ([`crate::bsim3`]).
//!
//! BSIM3 was developed by the BSIM Research Group of the University of California,
//! Berkeley (Department of Electrical Engineering and Computer Sciences). This module is
//! an independent implementation of its published equations; the BSIM3 terms of use allow
//! modification and redistribution with this acknowledgement of the UC Berkeley BSIM group.
//!
//! Beyond BSIM-lite it computes:
//! - size dependence: every `L`/`W`/`P`-prefixed parameter, `value + L/Leff + W/Weff +
//!   P/(Leff Weff)` with Leff, Weff in um when BINUNIT = 1 (`b3temp.c`);
//! - source/drain resistance inside the drain current: Rds = (RDSW + PRT (T/TNOM - 1)) /
//!   (Weff\[um\])^WR times (1 + PRWG Vgsteff + PRWB (sqrt(phis) - sqrt(phi))), in Vdsat, VAsat
//!   and Idl = Idl0 / (1 + gche Rds);
//! - A1/A2 (Lambda, the non-saturation factor) in Vdsat and VAsat;
//! - DWG/DWB bias-dependent width, NGATE poly depletion (Vgs_eff);
//! - MOBMOD 1, 2 and 3;
//! - CGSL/CGDL/CKAPPA bias-dependent overlaps (CAPMOD 3 form).
//!
//! - substrate current ALPHA0/ALPHA1/BETA0 ([`isub`]), in each revision's form.
//!
//! - CAPMOD 0 (piece-wise, flat band VFBCV), 1 (piece-wise on VgsteffCV), 2 (smooth) and 3
//!   (charge thickness), each with its overlap form.
//!
//! - NOIMOD 1-4 channel noise (SPICE2 or BSIM3 thermal, SPICE2 or BSIM3 oxide-trap flicker),
//!   and 3.3.0's NOIMOD 5/6 (SPICE2 thermal with its linear-region fix).
//!
//! - versions 3.2, 3.2.2, 3.2.3 and 3.2.4 (ngspice's `bsim3v32`) and 3.1 (`bsim3v1`) through
//!   [`Bsim3Version`] branches in the same code ([`Bsim3v3Model::with_version`]).
//!   3.0 (`bsim3v0`): DC, charges, noise and substrate current as `V30` branches (`v30`
//!   holds its output-resistance stage and junction diode).
//!
//! - ngspice's parameter checks (`b3check.c`): fatal ones are errors, warnings are kept on the
//!   instance ([`Bsim3v3::warnings`]); names BSIM3v3.3 does not know are ignored
//!   ([`Bsim3v3Model::ignored`]), as ngspice ignores them with a warning.
//!
//! - ACM 1, 2, 3, 11, 12, 13 with CALCACM ([`acm`]): series resistances, junction currents
//!   and capacitances from HDIF/LDIF/LD/RD/RS/RDC/RSC/WMLT and the instance's GEO, on 3.2.x
//!   and 3.3.0 cards ([`Bsim3v3::with_instance`] takes the instance's given-flags).
//!
//! Not implemented (rejected with an error naming the parameter): NOIMOD 5/6 on revisions
//! other than 3.3.0 (ngspice has them in `bsim3` only). NQSMOD = 1 runs on every revision
//! ([`nqs`]; 3.1/3.0 with `bsim3v1`/`bsim3v0`'s own NQS); ACNQSMOD (3.3.0's AC-only NQS) is
//! [`acnqs`].
//!
//! - [`model`]: the card ([`Bsim3v3Model`]) with its size coefficients.
//! - [`temp`]: instance set-up ([`Bsim3v3::new`]): binning, geometry, temperature.
//! - [`dc`]: drain current and its analytic derivatives ([`Bsim3v3::dc`]).
//! - [`charge`]: CAPMOD 2/3 intrinsic charges, overlaps, junctions; `capmod01`: CAPMOD 0/1;
//!   `check`: the parameter checks.
//! - [`noise`]: NOIMOD 1-6 channel thermal and flicker noise.
//! - [`version`]: the card's `version=` text and the revision it selects.
//!
//! Voltages passed to the bias functions are in the "n frame" (terminal voltages times
//! [`Bsim3v3::mos_type`]); for VDS < 0 source and drain swap roles as in `b3ld.c`.
//! Results are per instance with the multiplier M applied.

pub mod acm;
pub mod acnqs;
mod capmod01;
pub mod charge;
mod check;
pub mod dc;
pub mod isub;
pub mod model;
pub mod noise;
pub mod nqs;
pub mod temp;
mod v30;
pub mod version;

pub use acm::AcmInstance;
pub use charge::{Bsim3v3Caps, Bsim3v3Charges};
pub use dc::Bsim3v3Dc;
pub use isub::Substrate;
pub use model::{Bsim3v3Model, Bsim3v3Params};
pub use nqs::NqsTerms;
pub use temp::Bsim3v3;
pub use version::Bsim3Version;

//! The AC-only non-quasi-static model (ACNQSMOD = 1) of ngspice 39's `bsim3` (3.3.0;
//! `b3ld.c` computes `taunet`, `b3acld.c` uses it). `bsim3v32`, `bsim3v1` and `bsim3v0` do
//! not know the parameter: on their cards the model-card value is ignored with ngspice's
//! warning ([`super::Bsim3Version::unknown_params`]) and an instance line giving it is an
//! error ("unknown parameter"), as in ngspice.
//!
//! The small-signal channel is the quasi-static one delayed by a first-order relaxation:
//! the drain and source rows of the intrinsic admittance (gm, gds, gmbs and `jw C` of the
//! intrinsic capacitances) are divided by `1 + jw taunet`, the gate row takes minus their
//! capacitive part (the bulk row stays quasi-static), with `taunet = 1e-9 / gtau` and
//! `gtau` the relaxation rate of NQSMOD ([`super::NqsTerms::gtau`]). Overlaps, junctions,
//! series resistances and the substrate current are not delayed. DC and transient are the
//! quasi-static model's (or NQSMOD's, when both are on; its charge-deficit node is then
//! decoupled in AC). Noise sources are unchanged; only the AC matrix they see differs.

use super::nqs::NQS_SCALE;
use super::Bsim3v3;

/// What the frequency-dependent small-signal stamp of an ACNQSMOD instance needs at one
/// operating point.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AcnqsTerms {
    /// The relaxation time `taunet = 1e-9 / gtau` (s).
    pub taunet: f64,
    /// Intrinsic capacitances `dq_i / dv_j` in the circuit frame, physical terminal order
    /// (d, g, s, b), M included (overlaps and junctions excluded).
    pub c: [[f64; 4]; 4],
}

impl Bsim3v3 {
    /// Whether the instance runs the AC-only non-quasi-static model (ACNQSMOD = 1).
    pub fn acnqs(&self) -> bool {
        self.acnqs
    }

    /// Applies an instance line's `acnqsmod=` as ngspice's `b3set.c` does: 0 or 1 replaces
    /// the card's value; another value keeps the card's, with ngspice's warning.
    ///
    /// ```
    /// use insitu_devices::bsim3v3::{Bsim3v3, Bsim3v3Model};
    /// use insitu_devices::MosGeom;
    /// let card = Bsim3v3Model::new("n", false, &[("tox".into(), 4e-9)]).unwrap();
    /// let geom = MosGeom { w: 2e-6, l: 1e-6, ..MosGeom::default() };
    /// let mut m = Bsim3v3::new(&card, &geom, 27.0, 27.0, 1e-12).unwrap();
    /// m.set_acnqsmod(1);
    /// assert!(m.acnqs());
    /// // Not 0 or 1: the card's value (0 here), with ngspice's warning.
    /// m.set_acnqsmod(2);
    /// assert!(!m.acnqs() && m.warnings().iter().any(|w| w.contains("global value 0")));
    /// ```
    pub fn set_acnqsmod(&mut self, v: i32) {
        match v {
            0 | 1 => self.acnqs = v == 1,
            _ => {
                let global = i32::from(self.model_acnqs);
                self.acnqs = self.model_acnqs;
                self.warnings.push(format!("acnqsMod has been set to its global value {global}."));
            }
        }
    }

    /// `taunet` and the intrinsic capacitances at n-frame voltages (see the module
    /// documentation).
    pub fn acnqs_terms(&self, vgs: f64, vds: f64, vbs: f64) -> AcnqsTerms {
        let gtau = self.nqs_terms(vgs, vds, vbs).gtau;
        AcnqsTerms { taunet: NQS_SCALE / gtau, c: self.charges(vgs, vds, vbs).c }
    }
}

/// The card's ACNQSMOD as ngspice's `b3set.c` takes it (an integer parameter, read as
/// `floor(x + 0.5)`): 1 turns the model on; a value other than 0 or 1 becomes 0 with
/// ngspice's warning, pushed onto `warnings`.
pub(crate) fn model_acnqs(v: Option<f64>, warnings: &mut Vec<String>) -> bool {
    let Some(v) = v else { return false };
    match (v + 0.5).floor() {
        1.0 => true,
        0.0 => false,
        _ => {
            warnings.push("acnqsMod has been set to its default value: 0.".into());
            false
        }
    }
}

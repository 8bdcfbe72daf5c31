//! The non-quasi-static charge model (NQSMOD = 1) as ngspice 39's `bsim3` (3.3.0) and
//! `bsim3v32` (3.2.x) have it (`b3ld.c`, `b3acld.c`; "NQS begins").
//!
//! An extra unknown per instance, the charge deficit `qdef` (ngspice's `#charge` node, held
//! in units of 1e-9 C so that it sits among node voltages), obeys
//! `d(1e-9 qdef)/dt - d(qcheq)/dt + gtau qdef = 0`, where `qcheq = -(qgate + qbulk)` is the
//! quasi-static channel charge and `gtau` the relaxation rate (per 1e-9 C). The channel
//! current `gtau qdef` is shared between drain and source by the quasi-static partition
//! `qdrn / qcheq` and leaves the gate; the intrinsic charges themselves are no longer
//! integrated (overlaps and junctions stay).
//!
//! `gtau = |tconst qcheq| 1e-9 + 16 u0 vtm / LeffCV^2 1e-9`. ngspice 39's `b3temp.c` (and
//! `b3v32temp.c`) compute `tconst = u0 ELM / (Cox WeffCV LeffCV T0)` with `T0` a variable
//! left over from earlier code: `sqrt(1 + NLX / Leff)` of the most recent instance that
//! created its size's parameter set, not `LeffCV^2`. The drift term is therefore about
//! 1e-12 of its textbook size and the relaxation is set by the diffusion term alone; insitu
//! copies this ([`Bsim3v3::set_nqs_t0`]). In DC (`.op`, `.dc`) ngspice stamps `gtau` with the
//! diffusion term only and a fixed 0.4/0.6 partition, which leaves `qdef = 0`.

use super::{Bsim3Version, Bsim3v3};

/// ngspice's `ScalingFactor`: the charge deficit node holds `qdef` in units of 1e-9 C.
pub const NQS_SCALE: f64 = 1.0e-9;

/// NQS quantities at one bias, per unit of M, n-frame, physical terminal order
/// (drain, gate, source, bulk).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NqsTerms {
    /// Relaxation rate `gtau` (drift + diffusion).
    pub gtau: f64,
    /// Quasi-static channel charge `qcheq = -(qgate + qbulk)`.
    pub qcheq: f64,
    /// `d qcheq / d v_j`.
    pub cq: [f64; 4],
    /// Share of the channel current that goes to the drain (`dxpart`).
    pub xd: f64,
    /// Share that goes to the source (`sxpart`).
    pub xs: f64,
    /// Derivatives of `xd` by the terminal voltages.
    pub dxd: [f64; 4],
    /// Derivatives of `xs` by the terminal voltages.
    pub dxs: [f64; 4],
    /// `d gtau / d qcheq` (sign(qcheq) tconst 1e-9, ngspice's sign convention at 0):
    /// `d (gtau qdef) / d v_j` is `dgtau * qdef * cq[j]` (ngspice's `ggt*`).
    pub dgtau: f64,
}

impl NqsTerms {
    /// ngspice's `ggt*`: `d (gtau qdef) / d v_j` at charge deficit `qdef`.
    pub fn ggt(&self, qdef: f64) -> [f64; 4] {
        let t0 = self.dgtau * qdef;
        self.cq.map(|c| t0 * c)
    }
}

impl Bsim3v3 {
    /// Whether the instance runs the non-quasi-static model (NQSMOD = 1).
    pub fn nqs(&self) -> bool {
        self.nqs
    }

    /// The `T0` ngspice's temperature code leaves for this instance's `tconst` when it is the
    /// one that creates its size's parameter set: `sqrt(1 + NLX / Leff)`.
    pub fn nqs_t0(&self) -> f64 {
        self.nqs_t0
    }

    /// Sets the `T0` of `tconst` (see the module documentation): an instance whose size
    /// ngspice already set up takes the one of the instance set up just before it.
    pub fn set_nqs_t0(&mut self, t0: f64) {
        self.nqs_t0 = t0;
    }

    /// ngspice's `tconst`, per unit of M.
    fn tconst(&self) -> f64 {
        self.u0temp * self.elm / (self.cox * self.weff_cv * self.leff_cv * self.nqs_t0)
    }

    /// The diffusion part of `gtau` (all of it in DC).
    pub fn nqs_gtau_diffusion(&self) -> f64 {
        16.0 * self.u0temp * self.vtm / (self.leff_cv * self.leff_cv) * NQS_SCALE
    }

    /// The DC partition of the channel current to the drain (ngspice's line850 branch):
    /// 0.4 in forward mode, 0.6 in reverse mode.
    pub fn nqs_dc_xd(mode: f64) -> f64 {
        if mode > 0.0 {
            0.4
        } else {
            0.6
        }
    }

    /// NQS quantities at n-frame voltages (a transient or small-signal load).
    pub fn nqs_terms(&self, vgs: f64, vds: f64, vbs: f64) -> NqsTerms {
        let k = self.intrinsic_caps(vgs, vds, vbs);
        // Per unit of M: ngspice multiplies its stamps by M, the charges here carry it.
        let m = self.m;
        let qcheq = -(k.qbulk + k.qgate) / m;
        let cqgb = -(k.cggb + k.cbgb) / m;
        let cqdb = -(k.cgdb + k.cbdb) / m;
        let cqsb = -(k.cgsb + k.cbsb) / m;
        let cqbb = -(cqgb + cqdb + cqsb);
        let tconst = self.tconst();
        let gtau = (tconst * qcheq).abs() * NQS_SCALE + self.nqs_gtau_diffusion();
        let dgtau = if qcheq > 0.0 { tconst * NQS_SCALE } else { -tconst * NQS_SCALE };
        let forward = k.mode > 0.0;
        let cq = if forward { [cqdb, cqgb, cqsb, cqbb] } else { [cqsb, cqgb, cqdb, cqbb] };
        let cox_wl = self.cox * self.weff_cv * self.leff_cv;
        let fixed = if self.xpart < 0.5 {
            0.4
        } else if self.xpart > 0.5 {
            0.0
        } else {
            0.5
        };
        // The mode-frame drain's share and its derivatives by circuit (d, g, s), as b3ld.c
        // writes them for each mode (the b derivative closes the sum).
        let (xm, dxm) = if qcheq.abs() <= 1.0e-5 * cox_wl {
            (fixed, [0.0; 3])
        } else {
            // M cancels in the share and its derivatives.
            let qch = -(k.qbulk + k.qgate);
            let x = k.qdrn / qch;
            let cdd = k.cddb;
            let csd = -(k.cgdb + k.cddb + k.cbdb);
            let cdg = k.cdgb;
            let csg = -(k.cggb + k.cdgb + k.cbgb);
            let cds = k.cdsb;
            let css = -(k.cgsb + k.cdsb + k.cbsb);
            let dg = (cdg - x * (cdg + csg)) / qch;
            if forward {
                (x, [(cdd - x * (cdd + csd)) / qch, dg, (cds - x * (cds + css)) / qch])
            } else {
                // Reverse mode: the mode-frame drain is the circuit source; its charge
                // derivatives by the circuit drain are the mode-frame source columns.
                (x, [(cds - x * (cds + css)) / qch, dg, (cdd - x * (cdd + csd)) / qch])
            }
        };
        let close = |d: [f64; 3]| [d[0], d[1], d[2], -(d[0] + d[1] + d[2])];
        let neg = |d: [f64; 3]| [-d[0], -d[1], -d[2]];
        // The share of the terminal b3ld.c computes first, then the other one as 1 - x with
        // negated derivatives (b derivative again closing the sum).
        let (xd, dxd, xs, dxs) = if forward {
            (xm, close(dxm), 1.0 - xm, close(neg(dxm)))
        } else {
            (1.0 - xm, close(neg(dxm)), xm, close(dxm))
        };
        NqsTerms { gtau, qcheq, cq, xd, xs, dxd, dxs, dgtau }
    }
}

/// Whether ngspice 39 has NQSMOD = 1 in the implementation for `version` as insitu follows
/// it: `bsim3` (3.3.0) and `bsim3v32` (3.2.x). `bsim3v1` (3.1) and `bsim3v0` (3.0) have their
/// own NQS code (no charge scaling, `tconst` set in the load), which insitu does not
/// implement: such cards are refused.
pub fn nqs_supported(version: Bsim3Version) -> bool {
    version >= Bsim3Version::V32
}

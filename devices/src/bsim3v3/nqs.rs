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
//!
//! ngspice 39's `bsim3v1` (3.1) and `bsim3v0` (3.0) have an older NQS of their own
//! (`b3v1ld.c`/`b3v0ld.c`, `b3v1acld.c`/`b3v0acld.c`, "Non-quasi-static Model"), which
//! [`Bsim3v3::nqs_terms`] follows on those cards ([`Bsim3v3::nqs_legacy`]): the node holds
//! `qdef` in coulombs (no 1e-9), `tconst = u0 ELM / (Cox WeffCV LeffCV LeffCV^2)` is computed
//! in the load (so the drift term has its textbook size), the partition is always the fixed
//! 0.4/0.6 one (no `qdrn/qcheq` share, no derivatives), DC stamps `16 u0 vtm / Leff^2` (Leff,
//! not LeffCV), and the `gt*` columns are taken in the mode frame even in reverse mode.

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
    /// The charge derivatives ngspice's `gt*` use, by column (drain, gate, source, bulk):
    /// `cq` for 3.3.0/3.2.x; on 3.1/3.0 the mode-frame ones even in reverse mode, as
    /// `b3v1ld.c`/`b3v0ld.c` take them (only the Newton path sees the difference).
    pub cq_gt: [f64; 4],
    /// Units of the charge-deficit node: 1e-9 C (3.3.0/3.2.x) or 1 C (3.1/3.0).
    pub scale: f64,
}

impl NqsTerms {
    /// ngspice's `ggt*`: `d (gtau qdef) / d v_j` at charge deficit `qdef`.
    pub fn ggt(&self, qdef: f64) -> [f64; 4] {
        let t0 = self.dgtau * qdef;
        self.cq_gt.map(|c| t0 * c)
    }
}

impl Bsim3v3 {
    /// Whether the instance runs the non-quasi-static model (NQSMOD = 1).
    pub fn nqs(&self) -> bool {
        self.nqs
    }

    /// Sets the instance's NQSMOD (an instance-line `nqsmod=` overrides the card's, as in
    /// ngspice's `b3*set.c`: `if (!nqsModGiven) nqsMod = model->nqsMod`).
    pub fn set_nqs(&mut self, on: bool) {
        self.nqs = on;
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

    /// Whether the instance runs `bsim3v1`/`bsim3v0`'s NQS (3.1 and 3.0 cards; see the
    /// module documentation) rather than `b3ld.c`'s.
    pub fn nqs_legacy(&self) -> bool {
        self.version < Bsim3Version::V32
    }

    /// Whether the instance's transient NQS stamp has `b3v0ld.c`'s two matrix entries that
    /// differ from its right-hand side (3.0 cards): (drain', source') takes `0.5 gts` where
    /// the right-hand side has `dxpart gts`, and (source', bulk) `sxpart gtg` where it has
    /// `sxpart gtb`. The Jacobian then is not that of the right-hand side, so these move the
    /// solution (by `(0.5 - dxpart) gts vs` and `sxpart (gtg - gtb) vb` at a source or bulk
    /// away from ground) and are copied.
    pub fn nqs_v30_stamp(&self) -> bool {
        self.version == Bsim3Version::V30
    }

    /// Units of the charge-deficit node: [`NQS_SCALE`] on 3.3.0/3.2.x, 1 C on 3.1/3.0.
    pub fn nqs_scale(&self) -> f64 {
        if self.nqs_legacy() {
            1.0
        } else {
            NQS_SCALE
        }
    }

    /// The `gtau` a DC load stamps: the diffusion term, `16 u0 vtm / Leff^2` on 3.1/3.0
    /// (`b3v1ld.c`'s line850 takes Leff there, LeffCV in its transient load).
    pub fn nqs_dc_gtau(&self) -> f64 {
        if self.nqs_legacy() {
            16.0 * self.u0temp * self.vtm / self.leff / self.leff
        } else {
            self.nqs_gtau_diffusion()
        }
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
        let forward = k.mode > 0.0;
        let cq = if forward { [cqdb, cqgb, cqsb, cqbb] } else { [cqsb, cqgb, cqdb, cqbb] };
        if self.nqs_legacy() {
            // b3v1ld.c / b3v0ld.c: tconst with LeffCV^2, signed like qcheq (0 at qcheq = 0),
            // the fixed partition, gt* from the mode-frame derivatives.
            let lcv2 = self.leff_cv * self.leff_cv;
            let t = self.u0temp * self.elm / (self.cox * self.weff_cv * self.leff_cv) / lcv2;
            let tconst = if qcheq == 0.0 {
                0.0
            } else if qcheq < 0.0 {
                -t
            } else {
                t
            };
            let gtau = (tconst * qcheq).abs() + 16.0 * self.u0temp * self.vtm / lcv2;
            let xd = Self::nqs_dc_xd(k.mode);
            return NqsTerms {
                gtau,
                qcheq,
                cq,
                xd,
                xs: 1.0 - xd,
                dxd: [0.0; 4],
                dxs: [0.0; 4],
                dgtau: tconst,
                cq_gt: [cqdb, cqgb, cqsb, cqbb],
                scale: 1.0,
            };
        }
        let tconst = self.tconst();
        let gtau = (tconst * qcheq).abs() * NQS_SCALE + self.nqs_gtau_diffusion();
        let dgtau = if qcheq > 0.0 { tconst * NQS_SCALE } else { -tconst * NQS_SCALE };
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
        NqsTerms { gtau, qcheq, cq, xd, xs, dxd, dxs, dgtau, cq_gt: cq, scale: NQS_SCALE }
    }
}

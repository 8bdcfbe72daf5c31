//! Full BSIM3v3 in the solver, loaded like BSIM-lite (`bsim3.rs`): CAPMOD 3 intrinsic
//! charges, the bias-dependent overlaps (CGSL/CGDL) and the junctions folded into four nodal
//! charges, integrated as three states, with the 4x4 capacitance matrix as Jacobian.
//! Device equations in `insitu_devices::bsim3v3`; DC stamps in `fet.rs`.
//!
//! With NQSMOD = 1 the intrinsic charges leave the nodal charges (overlaps and junctions
//! stay) and the charge-deficit node carries the channel charge ([`Bsim3v3::nqs_terms`]):
//! two more integrated states, `1e-9 qdef` and `qcheq` (n-frame, per unit of M), as
//! `b3ld.c` keeps them (`qdef` itself on 3.1/3.0 cards, as `b3v1ld.c`/`b3v0ld.c` do).

use super::bsim3::{init_charges, stamp_charges, QB, QD, QG};
use super::fet::{FetDc, FetDevice, FetSlots, Last, QStamp, Stamp, B, D, G, S};
use super::{Ctx, Mode};
use crate::states::{Integrator, States};
use insitu_devices::bsim3v3::Bsim3v3;

/// Offsets of the NQS states after the nodal ones: `1e-9 qdef` (`qdef` on 3.1/3.0) and
/// `qcheq`, each followed by its current.
const QCDUMP: usize = 0;
const QCHEQ: usize = 2;
/// Number of NQS state entries of an instance with NQSMOD = 1.
pub const NQS_STATES: usize = 4;

/// Nodal charges (d, g, s, b) and `dq_i/dv_j` in the circuit frame at a load, overlaps and
/// junctions included; the intrinsic charges only with `intrinsic` (NQSMOD = 1 integrates
/// the channel charge through its charge-deficit node instead).
fn nodal(dev: &Bsim3v3, l: &Last, intrinsic: bool) -> ([f64; 4], [[f64; 4]; 4]) {
    let ty = dev.mos_type();
    let (vgs, vds, vbs) = (l.vgs, l.vds, l.vbs);
    let (mut q, mut c) = if !intrinsic {
        ([0.0; 4], [[0.0; 4]; 4])
    } else {
        let k = dev.charges(vgs, vds, vbs);
        ([k.qd, k.qg, k.qs, k.qb], k.c)
    };
    let mut two = |a: usize, b: usize, qab: f64, cab: f64| {
        q[a] += qab;
        q[b] -= qab;
        c[a][a] += cab;
        c[b][b] += cab;
        c[a][b] -= cab;
        c[b][a] -= cab;
    };
    let ((qgs, cgs), (qgd, cgd), ogb) = dev.overlaps(vgs, vgs - vds);
    two(G, S, qgs, cgs);
    two(G, D, qgd, cgd);
    two(G, B, ogb * (vgs - vbs), ogb);
    let (qbd, cbd) = dev.junction_bd(vbs - vds);
    let (qbs, cbs) = dev.junction_bs(vbs);
    two(B, D, qbd, cbd);
    two(B, S, qbs, cbs);
    (q.map(|v| ty * v), c)
}

impl FetDevice for Bsim3v3 {
    type Eval = ();
    type Kept = ();
    const STATES: usize = 6;
    const LTE_CHARGES: &'static [usize] = &[QD, QG, QB];

    fn mos_type(&self) -> f64 {
        Bsim3v3::mos_type(self)
    }
    /// BSIM3's MODEINITJCT guess: vgs = VTH0 + 0.1, vds = 0.1, vbs = 0.
    fn init_bias(&self) -> (f64, f64, f64) {
        (self.vth0_n() + 0.1, 0.1, 0.0)
    }
    fn vt(&self) -> f64 {
        Bsim3v3::vt(self)
    }
    fn vcrit_bs(&self) -> f64 {
        Bsim3v3::vcrit_bs(self)
    }
    fn vcrit_bd(&self) -> f64 {
        Bsim3v3::vcrit_bd(self)
    }
    fn drain_conductance(&self) -> f64 {
        Bsim3v3::drain_conductance(self)
    }
    fn source_conductance(&self) -> f64 {
        Bsim3v3::source_conductance(self)
    }
    fn dc(&self, vgs: f64, vds: f64, vbs: f64) -> FetDc {
        Bsim3v3::dc(self, vgs, vds, vbs).fet()
    }

    fn load_charges(&self, k: usize, st: &mut States, integ: &Integrator, last: &Last, stamp: &mut Stamp) {
        let ty = self.mos_type();
        let (q, c) = nodal(self, last, !self.nqs());
        // Circuit-frame voltages relative to the source (each row of c sums to zero).
        let v = [ty * last.vds, ty * last.vgs, 0.0, ty * last.vbs];
        stamp_charges(k, st, integ, &q, &c, &v, stamp);
    }

    fn init_state(&self, f: &FetSlots, st: &mut States, last: &Last) {
        init_charges(f, st, &nodal(self, last, !self.nqs()).0);
    }

    /// The quasi-static capacitances (what ngspice reports as `@m[cgg]` ... with NQSMOD too).
    fn cap_matrix(&self, last: &Last) -> [[f64; 4]; 4] {
        nodal(self, last, true).1
    }
    /// With NQSMOD = 1 the charge-deficit node carries the intrinsic capacitances, unless
    /// ACNQSMOD = 1 too (`b3acld.c` then takes the quasi-static ones and relaxes them).
    fn ac_cap_matrix(&self, last: &Last) -> [[f64; 4]; 4] {
        nodal(self, last, !self.nqs() || self.acnqs()).1
    }

    /// ACNQSMOD = 1: `taunet` and the intrinsic capacitances (`b3acld.c`).
    fn ac_relaxation(&self, last: &Last) -> Option<(f64, [[f64; 4]; 4])> {
        if !self.acnqs() {
            return None;
        }
        let t = self.acnqs_terms(last.vgs, last.vds, last.vbs);
        Some((t.taunet, t.c))
    }

    /// `b3ld.c`'s NQS stamps. DC: the diffusion `gtau` with the fixed 0.4/0.6 partition,
    /// no right-hand side (so `qdef = 0`). Small signal (`b3acld.c`'s conductances): the full
    /// `gtau`, the charge partition and `ggt*`. Transient: `1e-9 qdef` and `qcheq`
    /// integrated, the channel current `gtau qdef` shared by the partition. On 3.1/3.0
    /// cards the same stamps with `b3v1ld.c`'s terms ([`Bsim3v3::nqs_terms`]: unscaled
    /// `qdef`, fixed partition).
    fn load_nqs(
        &self,
        k: usize,
        st: &mut States,
        ctx: &Ctx,
        last: &Last,
        qdef: f64,
        stamp: &mut Stamp,
        q: &mut QStamp,
    ) {
        let m = self.m();
        if ctx.mode == Mode::Dc && !ctx.small_signal {
            let gtau = self.nqs_dc_gtau();
            let xd = Bsim3v3::nqs_dc_xd(last.dc.mode);
            q.row[4] += m * gtau;
            q.col = [m * xd * gtau, -m * gtau, m * (1.0 - xd) * gtau];
            return;
        }
        if ctx.small_signal && self.acnqs() {
            // `b3acld.c` with ACNQSMOD too: the `q` node is decoupled (1 on its diagonal).
            q.row[4] += m;
            return;
        }
        let t = self.nqs_terms(last.vgs, last.vds, last.vbs);
        let ty = self.mos_type();
        // b3v1ld.c/b3v0ld.c read the node without the type factor b3ld.c applies, so a PMOS's
        // gt* carry the opposite sign there: matrix and right-hand side alike, which changes
        // the Newton path only, never the solution. Copied for the same iterations.
        let ggt = t.ggt(if self.nqs_legacy() { ty * qdef } else { qdef });
        let t1 = qdef * t.gtau;
        // n-frame voltages relative to the source (every row below sums to zero).
        let v = [last.vds, last.vgs, 0.0, last.vbs];
        let dot = |a: &[f64; 4]| a.iter().zip(&v).fold(0.0, |acc, (x, y)| acc + x * y);
        let t0v = dot(&ggt);
        for (j, &g) in ggt.iter().enumerate() {
            stamp.j[D][j] += m * (t.xd * g + t1 * t.dxd[j]);
            stamp.j[S][j] += m * (t.xs * g + t1 * t.dxs[j]);
            stamp.j[G][j] -= m * g;
            q.row[j] += m * g;
        }
        q.col = [m * t.xd * t.gtau, -m * t.gtau, m * t.xs * t.gtau];
        q.row[4] += m * t.gtau;
        if self.nqs_legacy() {
            // (source', bulk): sxpart gtg instead of gtb, in b3v1acld.c/b3v0acld.c and in
            // b3v0ld.c's transient load; (drain', source'): 0.5 gts in b3v0ld.c. Matrix only.
            let [_, gtg, gts, gtb] = ggt;
            if ctx.small_signal || self.nqs_v30_stamp() {
                stamp.j[S][B] += m * t.xs * (gtg - gtb);
            }
            if !ctx.small_signal && self.nqs_v30_stamp() {
                stamp.j[D][S] += m * (0.5 - t.xd) * gts;
            }
        }
        if ctx.small_signal {
            return;
        }
        // Transient: the companion currents as `b3ld.c` builds them (ceqqg, ceqqd, the
        // source taking the rest, and the q row's cqcheq - cqdef), circuit frame.
        let ceqqd = -(t.xd * t0v + t1 * dot(&t.dxd));
        stamp.rhs[G] -= ty * m * t0v;
        stamp.rhs[D] -= ty * m * ceqqd;
        stamp.rhs[S] += ty * m * (t0v + ceqqd);
        let integ = &ctx.integ;
        let ag0 = integ.ag0();
        let mut w = st.window::<NQS_STATES>(k);
        w.now[QCDUMP] = qdef * t.scale;
        w.now[QCHEQ] = t.qcheq;
        let icdump = w.integrate(integ, QCDUMP);
        let icheq = w.integrate(integ, QCHEQ);
        let gqdef = t.scale * ag0;
        q.row[4] += m * gqdef;
        for (r, c) in q.row.iter_mut().zip(&t.cq) {
            *r -= m * ag0 * c;
        }
        let cqdef = icdump - gqdef * qdef;
        let cqcheq = icheq - ag0 * dot(&t.cq) + t0v;
        q.rhs += ty * m * (cqcheq - cqdef);
    }

    /// `b3acld.c`'s NQS capacitances: `1e-9` (1 on 3.1/3.0) on the `q` diagonal,
    /// `-dqcheq/dv` in its row.
    fn ac_nqs_caps(&self, last: &Last) -> QStamp {
        if self.acnqs() {
            return QStamp::default();
        }
        let m = self.m();
        let t = self.nqs_terms(last.vgs, last.vds, last.vbs);
        let mut q = QStamp::default();
        for (r, c) in q.row.iter_mut().zip(&t.cq) {
            *r = -m * c;
        }
        q.row[4] = m * t.scale;
        q
    }

    /// `b3v1ld.c`/`b3v0ld.c` read `qcdump` from their state in small-signal loads.
    fn nqs_qdef_from_state(&self) -> bool {
        self.nqs_legacy()
    }

    /// The states a transient starts from (`MODEINITTRAN` copies the first load's into the
    /// history): `1e-9 qdef` (`qdef` on 3.1/3.0) and `qcheq` at the operating point,
    /// currents zero.
    fn init_nqs(&self, k: usize, st: &mut States, last: &Last, qdef: f64) {
        let t = self.nqs_terms(last.vgs, last.vds, last.vbs);
        st.set(k + QCDUMP, qdef * t.scale);
        st.set(k + QCDUMP + 1, 0.0);
        st.set(k + QCHEQ, t.qcheq);
        st.set(k + QCHEQ + 1, 0.0);
    }
}

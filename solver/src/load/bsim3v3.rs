//! Full BSIM3v3 in the solver, loaded like BSIM-lite (`bsim3.rs`): CAPMOD 3 intrinsic
//! charges, the bias-dependent overlaps (CGSL/CGDL) and the junctions folded into four nodal
//! charges, integrated as three states, with the 4x4 capacitance matrix as Jacobian.
//! Device equations in `insitu_devices::bsim3v3`; DC stamps in `fet.rs`.

use super::bsim3::{init_charges, stamp_charges, QB, QD, QG};
use super::fet::{FetDc, FetDevice, FetSlots, Last, Stamp, B, D, G, S};
use crate::states::{Integrator, States};
use insitu_devices::bsim3v3::Bsim3v3;

/// Nodal charges (d, g, s, b) and `dq_i/dv_j` in the circuit frame at a load, overlaps and
/// junctions included.
fn nodal(dev: &Bsim3v3, l: &Last) -> ([f64; 4], [[f64; 4]; 4]) {
    let ty = dev.mos_type();
    let (vgs, vds, vbs) = (l.vgs, l.vds, l.vbs);
    let k = dev.charges(vgs, vds, vbs);
    let mut q = [k.qd, k.qg, k.qs, k.qb];
    let mut c = k.c;
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
        let (q, c) = nodal(self, last);
        // Circuit-frame voltages relative to the source (each row of c sums to zero).
        let v = [ty * last.vds, ty * last.vgs, 0.0, ty * last.vbs];
        stamp_charges(k, st, integ, &q, &c, &v, stamp);
    }

    fn init_state(&self, f: &FetSlots, st: &mut States, last: &Last) {
        init_charges(f, st, &nodal(self, last).0);
    }

    fn cap_matrix(&self, last: &Last) -> [[f64; 4]; 4] {
        nodal(self, last).1
    }
}

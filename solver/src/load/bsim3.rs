//! BSIM-lite (BSIM3v3.3 core) in the solver: charge-based (CAPMOD 3) intrinsic charges with
//! the constant overlaps and the junctions folded into four nodal charges, integrated as
//! three states (the source's follows from conservation), with the full 4x4 capacitance
//! matrix as Jacobian. Device equations in `insitu_devices::bsim3`; DC stamps in `fet.rs`.

use super::fet::{FetDc, FetDevice, FetSlots, Last, Stamp, B, D, G, S};
use crate::states::{Integrator, States};
use insitu_devices::bsim3::{Bsim3, Bsim3Charges, Bsim3Kept};

/// State offsets of the integrated nodal charges (each followed by its current); shared with
/// the full BSIM3v3 load, which keeps the same states.
pub(super) const QD: usize = 0;
pub(super) const QG: usize = 2;
pub(super) const QB: usize = 4;

/// Nodal charges (d, g, s, b) and `dq_i/dv_j` in the circuit frame at one bias, overlaps and
/// junctions included: what a transient load integrates, and what a bypassed load carries to
/// nearby voltages.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nodal {
    /// Charges, circuit frame.
    pub q: [f64; 4],
    /// Capacitance matrix, circuit frame.
    pub c: [[f64; 4]; 4],
}

/// [`Nodal`] charges of `dev` at n-frame voltages from its intrinsic charges `k` at that bias.
pub fn nodal_from(dev: &Bsim3, vgs: f64, vds: f64, vbs: f64, k: &Bsim3Charges) -> Nodal {
    let ty = dev.mos_type();
    let t = dev.with_extrinsic(vgs, vds, vbs, k);
    Nodal { q: [t.qd, t.qg, t.qs, t.qb].map(|v| ty * v), c: t.c }
}

/// Nodal charges at the voltages of a load.
fn nodal(dev: &Bsim3, l: &Last) -> Nodal {
    nodal_from(dev, l.vgs, l.vds, l.vbs, &dev.charges(l.vgs, l.vds, l.vbs))
}

/// Stamps the companion models of the integrated nodal charges `q` with capacitances `c` at
/// circuit-frame voltages `v` (d, g, s, b relative to the source).
pub(super) fn stamp_charges(
    k: usize,
    st: &mut States,
    integ: &Integrator,
    q: &[f64; 4],
    c: &[[f64; 4]; 4],
    v: &[f64; 4],
    stamp: &mut Stamp,
) {
    // The integration formula is picked once for the three charges.
    match integ.rule() {
        Integrator::EULER => stamp_charges_by::<{ Integrator::EULER }>(k, st, integ, q, c, v, stamp),
        Integrator::TRAPEZOIDAL => stamp_charges_by::<{ Integrator::TRAPEZOIDAL }>(k, st, integ, q, c, v, stamp),
        _ => stamp_charges_by::<{ Integrator::GEAR }>(k, st, integ, q, c, v, stamp),
    }
}

/// [`stamp_charges`] with the integration formula `R` ([`Integrator::rule`]).
#[inline(always)]
fn stamp_charges_by<const R: u8>(
    k: usize,
    st: &mut States,
    integ: &Integrator,
    q: &[f64; 4],
    c: &[[f64; 4]; 4],
    v: &[f64; 4],
    stamp: &mut Stamp,
) {
    let ag0 = integ.ag0();
    let mut i_sum = 0.0;
    let mut lin_sum = 0.0;
    let mut w = st.window::<{ QB + 2 }>(k);
    for (row, off) in [(D, QD), (G, QG), (B, QB)] {
        w.now[off] = q[row];
        let i = w.integrate_by::<R>(integ, off);
        let mut lin = 0.0;
        for col in 0..4 {
            stamp.j[row][col] += ag0 * c[row][col];
            stamp.j[S][col] -= ag0 * c[row][col];
            lin += ag0 * c[row][col] * v[col];
        }
        stamp.rhs[row] -= i - lin;
        i_sum += i;
        lin_sum += lin;
    }
    // The source carries the rest: i_s = -(i_d + i_g + i_b).
    stamp.rhs[S] += i_sum - lin_sum;
}

/// Initial states: the nodal charges `q`, with zero currents.
pub(super) fn init_charges(f: &FetSlots, st: &mut States, q: &[f64; 4]) {
    for (row, off) in [(D, QD), (G, QG), (B, QB)] {
        st.set(f.state + off, q[row]);
        st.set(f.state + off + 1, 0.0);
    }
}

impl FetDevice for Bsim3 {
    const STATES: usize = 6;
    const LTE_CHARGES: &'static [usize] = &[QD, QG, QB];

    fn mos_type(&self) -> f64 {
        Bsim3::mos_type(self)
    }
    /// BSIM3's MODEINITJCT guess: vgs = VTH0 + 0.1, vds = 0.1, vbs = 0.
    fn init_bias(&self) -> (f64, f64, f64) {
        (self.vth0_n() + 0.1, 0.1, 0.0)
    }
    fn vt(&self) -> f64 {
        Bsim3::vt(self)
    }
    fn vcrit_bs(&self) -> f64 {
        Bsim3::vcrit_bs(self)
    }
    fn vcrit_bd(&self) -> f64 {
        Bsim3::vcrit_bd(self)
    }
    fn drain_conductance(&self) -> f64 {
        Bsim3::drain_conductance(self)
    }
    fn source_conductance(&self) -> f64 {
        Bsim3::source_conductance(self)
    }
    fn dc(&self, vgs: f64, vds: f64, vbs: f64) -> FetDc {
        Bsim3::dc(self, vgs, vds, vbs).fet()
    }

    fn load_charges(&self, k: usize, st: &mut States, integ: &Integrator, last: &Last, stamp: &mut Stamp) {
        let n = nodal(self, last);
        self.load_charges_eval(k, st, integ, last, &n, stamp);
    }

    type Eval = Nodal;
    const BYPASS: bool = true;
    const AC_EVAL: bool = true;
    type Kept = Bsim3Kept;
    const KEEPS: bool = true;

    #[inline(always)]
    fn dc_keeping(&self, vgs: f64, vds: f64, vbs: f64) -> (FetDc, Bsim3Kept) {
        let (dc, k) = Bsim3::dc_keeping(self, vgs, vds, vbs);
        (dc.fet(), k)
    }

    fn eval_kept(&self, last: &Last, kept: &Bsim3Kept) -> Nodal {
        nodal_from(self, last.vgs, last.vds, last.vbs, &self.charges_kept(kept))
    }

    /// The capacitances of the nodal charges evaluated with the current.
    fn ac_cap_matrix_eval(&self, _last: &Last, e: &Nodal) -> [[f64; 4]; 4] {
        e.c
    }

    /// One evaluation of the shared intermediate quantities serves the current and, in a
    /// transient, the charges.
    // Inlined into the load, so that its results are written in place (not returned through
    // the stack and copied with `memcpy`: 1.4 % of a seeded op + ac's instructions).
    #[inline(always)]
    fn eval(&self, vgs: f64, vds: f64, vbs: f64, charges: bool) -> (FetDc, Nodal) {
        if charges {
            let (dc, k) = self.dc_charges(vgs, vds, vbs);
            (dc.fet(), nodal_from(self, vgs, vds, vbs, &k))
        } else {
            (Bsim3::dc(self, vgs, vds, vbs).fet(), Nodal::default())
        }
    }

    fn load_charges_eval(
        &self,
        k: usize,
        st: &mut States,
        integ: &Integrator,
        last: &Last,
        e: &Nodal,
        stamp: &mut Stamp,
    ) {
        let ty = self.mos_type();
        // Circuit-frame voltages relative to the source (each row of c sums to zero).
        let v = [ty * last.vds, ty * last.vgs, 0.0, ty * last.vbs];
        stamp_charges(k, st, integ, &e.q, &e.c, &v, stamp);
    }

    /// The cached charges carried to `v` to first order, `q + C dv`, with the cached
    /// capacitances as Jacobian.
    fn load_charges_bypass(
        &self,
        k: usize,
        st: &mut States,
        integ: &Integrator,
        last: &Last,
        e: &Nodal,
        v: (f64, f64, f64),
        stamp: &mut Stamp,
    ) {
        let ty = self.mos_type();
        let (vgs, vds, vbs) = v;
        let dv = [ty * (vds - last.vds), ty * (vgs - last.vgs), 0.0, ty * (vbs - last.vbs)];
        let mut q = e.q;
        for (qi, row) in q.iter_mut().zip(&e.c) {
            *qi += row.iter().zip(&dv).map(|(c, d)| c * d).sum::<f64>();
        }
        let v = [ty * vds, ty * vgs, 0.0, ty * vbs];
        stamp_charges(k, st, integ, &q, &e.c, &v, stamp);
    }

    fn init_state(&self, f: &FetSlots, st: &mut States, last: &Last) {
        init_charges(f, st, &nodal(self, last).q);
    }

    fn cap_matrix(&self, last: &Last) -> [[f64; 4]; 4] {
        nodal(self, last).c
    }
}

//! MOS level 1 in the solver: Meyer gate charges (updated incrementally, as SPICE does,
//! since Meyer capacitances are not derivatives of a charge) and junction charges.
//! The device equations are in `insitu_devices::mos1`; limiting and DC stamps in `fet.rs`.

use super::fet::{FetDc, FetDevice, FetSlots, Last, Stamp, B, D, G, S};
use crate::states::{Integrator, States};
use insitu_devices::mos1::Mos1;

/// Offsets in the state of the five charges (each with its current), the three Meyer half
/// caps and the three voltages of the previous point.
const QGS: usize = 0;
const QGD: usize = 2;
const QGB: usize = 4;
const QBD: usize = 6;
const QBS: usize = 8;
const HCGS: usize = 10;
const HCGD: usize = 11;
const HCGB: usize = 12;
const VGS: usize = 13;
const VGD: usize = 14;
const VGB: usize = 15;

/// Meyer half capacitances (gs, gd, gb) with the source/drain swap of reverse mode.
fn half_caps(dev: &Mos1, vgs: f64, vgd: f64, dc: &FetDc) -> (f64, f64, f64) {
    if dc.mode > 0.0 {
        dev.meyer(vgs, vgd, dc.von, dc.vdsat)
    } else {
        let (a, b, c) = dev.meyer(vgd, vgs, dc.von, dc.vdsat);
        (b, a, c)
    }
}

/// Total capacitances (cgs, cgd, cgb, cbd, cbs) at a load: 2 x half Meyer + overlap, junctions.
pub fn caps(dev: &Mos1, l: &Last) -> (f64, f64, f64, f64, f64) {
    let (hgs, hgd, hgb) = half_caps(dev, l.vgs, l.vgs - l.vds, &l.dc);
    let (ogs, ogd, ogb) = dev.overlap_caps();
    let (_, cbd) = dev.junction_bd(l.vbs - l.vds);
    let (_, cbs) = dev.junction_bs(l.vbs);
    (2.0 * hgs + ogs, 2.0 * hgd + ogd, 2.0 * hgb + ogb, cbd, cbs)
}

/// The charge quantities of one level-1 evaluation (n-frame): the Meyer half capacitances and
/// the junctions' charges and capacitances. A transient load caches them; a bypassed load
/// (SPICE's device bypass) reuses them instead of evaluating the device again.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mos1Charges {
    /// Meyer half capacitances gs, gd, gb.
    pub half: (f64, f64, f64),
    /// Bulk-drain junction charge.
    pub qbd: f64,
    /// Bulk-drain junction capacitance.
    pub cbd: f64,
    /// Bulk-source junction charge.
    pub qbs: f64,
    /// Bulk-source junction capacitance.
    pub cbs: f64,
}

/// [`Mos1Charges`] at n-frame voltages with the DC results `dc` of the same bias.
fn charge_eval(dev: &Mos1, vgs: f64, vds: f64, vbs: f64, dc: &FetDc) -> Mos1Charges {
    let half = half_caps(dev, vgs, vgs - vds, dc);
    let (qbd, cbd) = dev.junction_bd(vbs - vds);
    let (qbs, cbs) = dev.junction_bs(vbs);
    Mos1Charges { half, qbd, cbd, qbs, cbs }
}

/// Integrates the gate (Meyer, incremental) and junction charges of `e` at n-frame voltages
/// `v` = (vgs, vds, vbs) from state entry `k` and adds their companion models to `stamp`.
fn stamp_charges(
    dev: &Mos1,
    k: usize,
    st: &mut States,
    integ: &Integrator,
    v: (f64, f64, f64),
    e: &Mos1Charges,
    stamp: &mut Stamp,
) {
    // The integration formula is picked once for the five charges.
    match integ.rule() {
        Integrator::EULER => stamp_charges_by::<{ Integrator::EULER }>(dev, k, st, integ, v, e, stamp),
        Integrator::TRAPEZOIDAL => stamp_charges_by::<{ Integrator::TRAPEZOIDAL }>(dev, k, st, integ, v, e, stamp),
        _ => stamp_charges_by::<{ Integrator::GEAR }>(dev, k, st, integ, v, e, stamp),
    }
}

/// [`stamp_charges`] with the integration formula `R` ([`Integrator::rule`]).
#[inline(always)]
fn stamp_charges_by<const R: u8>(
    dev: &Mos1,
    k: usize,
    st: &mut States,
    integ: &Integrator,
    v: (f64, f64, f64),
    e: &Mos1Charges,
    stamp: &mut Stamp,
) {
    let b = integrate_charges::<R>(dev, k, st, integ, v, e);
    // The five branches' stamps summed entry by entry (each entry of `stamp` is added to
    // once: a chain of read-modify-writes through memory per entry was most of this load).
    for (row, add) in stamp.j.iter_mut().zip(b.block()) {
        for (x, a) in row.iter_mut().zip(add) {
            *x += a;
        }
    }
    for (x, a) in stamp.rhs.iter_mut().zip(b.rhs()) {
        *x += a;
    }
}

/// The companion models of a level-1 device's five charges: conductance and current (from
/// its first terminal to its second) of the gate-source, gate-drain, gate-bulk, bulk-drain
/// and bulk-source branches.
#[derive(Debug, Clone, Copy)]
struct Branches {
    g: [f64; 5],
    ieq: [f64; 5],
}

impl Branches {
    /// The 4x4 block of the five branches (terminals drain, gate, source, bulk).
    #[inline(always)]
    fn block(&self) -> [[f64; 4]; 4] {
        let [gs, gd, gb, bd, bs] = self.g;
        let mut j = [[0.0; 4]; 4];
        j[D] = [gd + bd, -gd, 0.0, -bd];
        j[G] = [-gd, gs + gd + gb, -gs, -gb];
        j[S] = [0.0, -gs, gs + bs, -bs];
        j[B] = [-bd, -gb, -bs, gb + bd + bs];
        j
    }

    /// The right-hand-side terms of the five branches.
    #[inline(always)]
    fn rhs(&self) -> [f64; 4] {
        let [igs, igd, igb, ibd, ibs] = self.ieq;
        let mut r = [0.0; 4];
        r[D] = igd + ibd;
        r[G] = -(igs + igd + igb);
        r[S] = igs + ibs;
        r[B] = igb - ibd - ibs;
        r
    }
}

/// Integrates the gate (Meyer, incremental) and junction charges of `e` at n-frame voltages
/// `v` from state entry `k` by the formula `R`; returns their companion models.
#[inline(always)]
fn integrate_charges<const R: u8>(
    dev: &Mos1,
    k: usize,
    st: &mut States,
    integ: &Integrator,
    v: (f64, f64, f64),
    e: &Mos1Charges,
) -> Branches {
    let ty = dev.mos_type();
    let (vgs, vds, vbs) = v;
    let (hgs, hgd, hgb) = e.half;
    let (ogs, ogd, ogb) = dev.overlap_caps();
    let (vgs, vgd, vgb, vbd, vbs) = (ty * vgs, ty * (vgs - vds), ty * (vgs - vbs), ty * (vbs - vds), ty * vbs);
    let mut w = st.window::<{ <Mos1 as FetDevice>::STATES }>(k);
    for (off, v) in [(HCGS, hgs), (HCGD, hgd), (HCGB, hgb), (VGS, vgs), (VGD, vgd), (VGB, vgb)] {
        w.now[off] = v;
    }
    let old = w.old[0];
    let cgs = hgs + old[HCGS] + ogs;
    let cgd = hgd + old[HCGD] + ogd;
    let cgb = hgb + old[HCGB] + ogb;
    let qgs = old[QGS] + cgs * (vgs - old[VGS]);
    let qgd = old[QGD] + cgd * (vgd - old[VGD]);
    let qgb = old[QGB] + cgb * (vgb - old[VGB]);
    let ag0 = integ.ag0();
    let charges = [
        (QGS, qgs, cgs, vgs),
        (QGD, qgd, cgd, vgd),
        (QGB, qgb, cgb, vgb),
        (QBD, ty * e.qbd, e.cbd, vbd),
        (QBS, ty * e.qbs, e.cbs, vbs),
    ];
    let mut b = Branches { g: [0.0; 5], ieq: [0.0; 5] };
    for (n, (off, q, c, v)) in charges.into_iter().enumerate() {
        w.now[off] = q;
        let i = w.integrate_by::<R>(integ, off);
        b.g[n] = ag0 * c;
        b.ieq[n] = i - b.g[n] * v;
    }
    b
}

/// A bypassed level-1 load straight into the matrix: each entry gets the cached channel
/// block's value plus the charges' (no intermediate block).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn stamp_bypassed_by<const R: u8>(
    dev: &Mos1,
    f: &FetSlots,
    st: &mut States,
    integ: &Integrator,
    v: (f64, f64, f64),
    e: &Mos1Charges,
    dc: &Stamp,
    m: &mut [f64],
    rhs: &mut [f64],
) {
    let b = integrate_charges::<R>(dev, f.state, st, integ, v, e);
    let (block, brhs) = (b.block(), b.rhs());
    f.scatter_with(m, rhs, |r, c| dc.j[r][c] + block[r][c], |r| dc.rhs[r] + brhs[r]);
}

/// The cached charges `e` (evaluated at `last`) with the junction charges carried to the
/// n-frame voltages `v` to first order, `q + C dv` (the Meyer charges stay incremental).
#[inline(always)]
fn carried(e: &Mos1Charges, last: &Last, v: (f64, f64, f64)) -> Mos1Charges {
    let (_, vds, vbs) = v;
    let mut e = *e;
    e.qbd += e.cbd * ((vbs - vds) - (last.vbs - last.vds));
    e.qbs += e.cbs * (vbs - last.vbs);
    e
}

impl FetDevice for Mos1 {
    const STATES: usize = 16;
    // As ngspice's MOS1trunc: the gate charges.
    const LTE_CHARGES: &'static [usize] = &[QGS, QGD, QGB];

    fn mos_type(&self) -> f64 {
        Mos1::mos_type(self)
    }
    fn init_bias(&self) -> (f64, f64, f64) {
        (self.mos_type() * self.vto_t(), 0.0, -1.0)
    }
    fn vt(&self) -> f64 {
        Mos1::vt(self)
    }
    fn vcrit_bs(&self) -> f64 {
        Mos1::vcrit_bs(self)
    }
    fn vcrit_bd(&self) -> f64 {
        Mos1::vcrit_bd(self)
    }
    fn drain_conductance(&self) -> f64 {
        Mos1::drain_conductance(self)
    }
    fn source_conductance(&self) -> f64 {
        Mos1::source_conductance(self)
    }
    fn dc(&self, vgs: f64, vds: f64, vbs: f64) -> FetDc {
        Mos1::dc(self, vgs, vds, vbs)
    }

    /// Gate (Meyer, `q += C_avg dV`) and junction charges; charges and voltages in the state
    /// are in the circuit frame.
    fn load_charges(&self, k: usize, st: &mut States, integ: &Integrator, last: &Last, stamp: &mut Stamp) {
        let e = charge_eval(self, last.vgs, last.vds, last.vbs, &last.dc);
        stamp_charges(self, k, st, integ, (last.vgs, last.vds, last.vbs), &e, stamp);
    }

    type Eval = Mos1Charges;
    type Kept = ();
    const BYPASS: bool = true;

    fn eval(&self, vgs: f64, vds: f64, vbs: f64, charges: bool) -> (FetDc, Mos1Charges) {
        let dc = Mos1::dc(self, vgs, vds, vbs);
        let e = if charges { charge_eval(self, vgs, vds, vbs, &dc) } else { Mos1Charges::default() };
        (dc, e)
    }

    fn load_charges_eval(
        &self,
        k: usize,
        st: &mut States,
        integ: &Integrator,
        last: &Last,
        e: &Mos1Charges,
        stamp: &mut Stamp,
    ) {
        stamp_charges(self, k, st, integ, (last.vgs, last.vds, last.vbs), e, stamp);
    }

    /// A bypassed load: the Meyer half capacitances of the last evaluation (the gate charges
    /// stay incremental, `q += C_avg dV`, at the present voltages), and the junction charges
    /// carried to the present voltages to first order, `q + C dv`, with the cached
    /// capacitances.
    #[inline]
    fn load_charges_bypass(
        &self,
        k: usize,
        st: &mut States,
        integ: &Integrator,
        last: &Last,
        e: &Mos1Charges,
        v: (f64, f64, f64),
        stamp: &mut Stamp,
    ) {
        stamp_charges(self, k, st, integ, v, &carried(e, last, v), stamp);
    }

    #[inline]
    fn stamp_bypassed(
        &self,
        f: &FetSlots,
        st: &mut States,
        integ: &Integrator,
        last: &Last,
        e: &Mos1Charges,
        v: (f64, f64, f64),
        dc: &Stamp,
        m: &mut [f64],
        rhs: &mut [f64],
    ) {
        let e = carried(e, last, v);
        match integ.rule() {
            Integrator::EULER => stamp_bypassed_by::<{ Integrator::EULER }>(self, f, st, integ, v, &e, dc, m, rhs),
            Integrator::TRAPEZOIDAL => {
                stamp_bypassed_by::<{ Integrator::TRAPEZOIDAL }>(self, f, st, integ, v, &e, dc, m, rhs)
            }
            _ => stamp_bypassed_by::<{ Integrator::GEAR }>(self, f, st, integ, v, &e, dc, m, rhs),
        }
    }

    /// Charges at the operating point that starts a transient (Meyer: q = C v), circuit frame.
    fn init_state(&self, f: &FetSlots, st: &mut States, l: &Last) {
        let k = f.state;
        let ty = self.mos_type();
        let (hgs, hgd, hgb) = half_caps(self, l.vgs, l.vgs - l.vds, &l.dc);
        let (ogs, ogd, ogb) = self.overlap_caps();
        let (vgs, vgd, vgb) = (ty * l.vgs, ty * (l.vgs - l.vds), ty * (l.vgs - l.vbs));
        let vals = [
            (QGS, (2.0 * hgs + ogs) * vgs),
            (QGD, (2.0 * hgd + ogd) * vgd),
            (QGB, (2.0 * hgb + ogb) * vgb),
            (QBD, ty * self.junction_bd(l.vbs - l.vds).0),
            (QBS, ty * self.junction_bs(l.vbs).0),
        ];
        for (off, q) in vals {
            st.set(k + off, q);
            st.set(k + off + 1, 0.0);
        }
        for (off, v) in [(HCGS, hgs), (HCGD, hgd), (HCGB, hgb), (VGS, vgs), (VGD, vgd), (VGB, vgb)] {
            st.set(k + off, v);
        }
    }

    fn cap_matrix(&self, last: &Last) -> [[f64; 4]; 4] {
        let (cgs, cgd, cgb, cbd, cbs) = caps(self, last);
        let mut c = [[0.0; 4]; 4];
        for (a, b, v) in [(G, S, cgs), (G, D, cgd), (G, B, cgb), (B, D, cbd), (B, S, cbs)] {
            c[a][a] += v;
            c[b][b] += v;
            c[a][b] -= v;
            c[b][a] -= v;
        }
        c
    }
}

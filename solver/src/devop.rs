//! Device operating points after `.op`, with ngspice's conventions (`@m1[id]` etc.).

use crate::error::SimError;
use crate::instances::DevRef;
use crate::load::fet::{FetDevice, B, D, G, S};
use crate::simulator::Simulator;
use serde::Serialize;

/// A MOSFET's operating point. Signs follow ngspice's `@m[...]` vectors: `id`, `gm`, `gds`,
/// `gmb` are in the device's own (n-type) frame, so a conducting PMOS has a positive `id`;
/// `vth` and `vdsat` carry the device type's sign.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MosOp {
    /// Drain current, including the bulk-drain junction current as ngspice's level 1 does.
    pub id: f64,
    pub gm: f64,
    pub gds: f64,
    pub gmb: f64,
    /// Threshold voltage at the bias (ngspice's `von`).
    pub vth: f64,
    pub vdsat: f64,
    /// Terminal voltages in the circuit frame.
    pub vgs: f64,
    pub vds: f64,
    pub vbs: f64,
    /// Total capacitances (Meyer plus overlap; junctions), farads.
    pub cgs: f64,
    pub cgd: f64,
    pub cgb: f64,
    pub cbd: f64,
    pub cbs: f64,
    /// 1 in normal mode, -1 when source and drain are swapped (vds < 0 in the n-frame).
    pub mode: f64,
}

impl Simulator {
    /// The operating point of MOSFET `name` at the last solution.
    ///
    /// Level 1: `id` includes the bulk-drain junction and the capacitances are Meyer plus
    /// overlap, as ngspice's `@m[...]`. BSIM-lite: `id` is the channel current (as ngspice's
    /// BSIM3 `@m[id]`) and the capacitances are totals from the charge model including
    /// overlaps and junctions (ngspice's BSIM3 `@m[cgs]` etc. exclude the overlaps).
    pub fn mos_op(&self, name: &str) -> Result<MosOp, SimError> {
        let not_mos = || SimError::UnknownName { what: "MOSFET", name: name.into() };
        let id = self.circuit.element(name).ok_or_else(not_mos)?;
        let (l, ty, id_total, cm) = match self.elem_map[id] {
            Some(DevRef::Mos1(k)) => {
                let m = &self.inst.mos1[k];
                let l = m.last;
                (l, m.dev.mos_type(), l.dc.mode * l.dc.cdrain - l.dc.cbd, m.dev.cap_matrix(&l))
            }
            Some(DevRef::Bsim3(k)) => {
                let m = &self.inst.bsim3[k];
                let l = m.last;
                (l, m.dev.mos_type(), l.dc.mode * l.dc.cdrain, m.dev.cap_matrix(&l))
            }
            Some(DevRef::Bsim3v3(k)) => {
                let m = &self.inst.bsim3v3[k];
                let l = m.last;
                (l, m.dev.mos_type(), l.dc.mode * l.dc.cdrain, m.dev.cap_matrix(&l))
            }
            _ => return Err(not_mos()),
        };
        Ok(MosOp {
            id: id_total,
            gm: l.dc.gm,
            gds: l.dc.gds,
            gmb: l.dc.gmbs,
            vth: ty * l.dc.von,
            vdsat: ty * l.dc.vdsat,
            vgs: ty * l.vgs,
            vds: ty * l.vds,
            vbs: ty * l.vbs,
            cgs: -cm[G][S],
            cgd: -cm[G][D],
            cgb: -cm[G][B],
            cbd: -cm[B][D],
            cbs: -cm[B][S],
            mode: l.dc.mode,
        })
    }
}

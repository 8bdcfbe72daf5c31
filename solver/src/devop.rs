//! Device operating points after `.op`, with ngspice's conventions (`@m1[id]` etc.).

use crate::error::SimError;
use crate::instances::DevRef;
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
    pub fn mos_op(&self, name: &str) -> Result<MosOp, SimError> {
        let id =
            self.circuit.element(name).ok_or_else(|| SimError::UnknownName { what: "MOSFET", name: name.into() })?;
        let Some(DevRef::Mos1(k)) = self.elem_map[id] else {
            return Err(SimError::UnknownName { what: "MOSFET", name: name.into() });
        };
        let m = &self.inst.mos1[k];
        let l = &m.last;
        let ty = m.dev.mos_type();
        let (cgs, cgd, cgb, cbd, cbs) = crate::load::mos1::caps(&m.dev, l);
        Ok(MosOp {
            id: l.dc.mode * l.dc.cdrain - l.dc.cbd,
            gm: l.dc.gm,
            gds: l.dc.gds,
            gmb: l.dc.gmbs,
            vth: ty * l.dc.von,
            vdsat: ty * l.dc.vdsat,
            vgs: ty * l.vgs,
            vds: ty * l.vds,
            vbs: ty * l.vbs,
            cgs,
            cgd,
            cgb,
            cbd,
            cbs,
            mode: l.dc.mode,
        })
    }
}

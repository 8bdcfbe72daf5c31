//! One transistor at forced terminal voltages, for every MOSFET model the simulator has: the
//! model card is compiled by the solver's own path ([`insitu_solver::compile::compile_models`])
//! and evaluated through the solver's model-agnostic [`FetDevice`] interface (DC and the
//! capacitance matrix with overlaps and junctions), with no matrix solve.

use super::{DeviceType, GmidError, Quantity, QuantitySet};
use insitu_devices::bsim3::lane::{Lane, Lanes};
use insitu_devices::noise::{mos1_flicker_psd, mos1_thermal_psd};
use insitu_devices::{Bsim3, Bsim3Bias, Bsim3v3, FetDc, Mos1, MosGeom};
use insitu_netlist::{Circuit, ElementKind, Model};
use insitu_solver::compile::{compile_models, mos_geom, CompiledModel};
use insitu_solver::{FetDevice, Last};

/// Terminal order of the capacitance matrix.
const D: usize = 0;
const G: usize = 1;
const S: usize = 2;
const B: usize = 3;

/// Everything a table stores at one bias, in the kit's conventions: n-frame (magnitudes for
/// PMOS), currents and conductances positive in normal operation, capacitances positive.
/// `T` is `f64`, or [`Lanes`] of several gate voltages at one (VDS, VBS) ([`Device::eval_lanes`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OpPoint<T = f64> {
    /// Drain current as ngspice's `@m[id]` (level 1 includes the bulk-drain junction).
    pub id: T,
    pub vt: T,
    pub gm: T,
    pub gmb: T,
    pub gds: T,
    pub vdsat: T,
    /// Totals, overlaps and junctions included.
    pub cgg: T,
    pub cgs: T,
    pub cgd: T,
    pub cgb: T,
    pub cdd: T,
    pub css: T,
    /// Gate-source, gate-drain, gate-bulk overlap capacitances.
    pub cgsol: T,
    pub cgdol: T,
    pub cgbol: T,
    /// Drain-bulk and source-bulk junction capacitances.
    pub cjd: T,
    pub cjs: T,
    /// Drain current noise densities at 1 Hz, A^2/Hz: thermal and flicker.
    pub sth: T,
    pub sfl: T,
}

impl<T: Copy> OpPoint<T> {
    /// The values in [`super::Quantity::ALL`]'s order.
    #[inline(always)]
    pub fn values(&self) -> [T; 19] {
        let p = self;
        [
            p.id, p.vt, p.gm, p.gmb, p.gds, p.vdsat, p.cgg, p.cgs, p.cgd, p.cgb, p.cdd, p.css, p.cgsol, p.cgdol,
            p.cgbol, p.cjd, p.cjs, p.sth, p.sfl,
        ]
    }
}

/// A compiled model instance.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // one per table length: size does not matter
enum Inst {
    Mos1 { dev: Mos1, kf: f64, af: f64, cox: f64, w: f64, m: f64 },
    Bsim3(Bsim3),
    Bsim3v3(Bsim3v3),
}

/// A model card compiled for one instance geometry and temperature.
#[derive(Debug, Clone)]
pub struct Device {
    inst: Inst,
}

/// The compiled model of the first MOSFET in `circuit` and the circuit's TNOM and GMIN.
pub(crate) struct Card {
    model: CompiledModel,
    card: Model,
    pub(crate) geom: MosGeom,
    tnom: f64,
    gmin: f64,
}

impl Card {
    /// Compiles the model of the MOSFET element `m_ref` of an elaborated testbench.
    pub(crate) fn from_circuit(c: &Circuit, dev: DeviceType) -> Result<Card, GmidError> {
        let (idx, geom) = c
            .elements
            .iter()
            .find_map(|e| match &e.kind {
                ElementKind::Mosfet { model, geom, .. } => Some((*model, mos_geom(geom))),
                _ => None,
            })
            .ok_or_else(|| GmidError::Model("the testbench has no MOSFET".into()))?;
        let card = c.models[idx].clone();
        let is_pmos = card.kind == insitu_netlist::ModelKind::Pmos;
        if is_pmos != (dev == DeviceType::Pmos) {
            return Err(GmidError::Model(format!("model '{}' is not {}", card.name, dev.name())));
        }
        let models = compile_models(c).map_err(|e| GmidError::Model(e.to_string()))?;
        Ok(Card { model: models[idx].clone(), card, geom, tnom: c.options.tnom, gmin: c.options.gmin })
    }

    /// The quantities this card's model gives the same at every VGS of a (VDS, VBS)
    /// (stored once per (L, VDS, VSB)): the junction capacitances always, the overlaps where
    /// they are constant (level 1, BSIM-lite; BSIM3v3's CGSL/CGDL make them bias-dependent)
    /// and BSIM-lite's threshold voltage (a function of VDS and VBS).
    pub(crate) fn vgs_independent(&self) -> QuantitySet {
        use Quantity::{Cgbol, Cgdol, Cgsol, Cjd, Cjs, Vt};
        match &self.model {
            CompiledModel::Mos1(_) => QuantitySet::of(&[Cgsol, Cgdol, Cgbol, Cjd, Cjs]),
            CompiledModel::Bsim3(_) => QuantitySet::of(&[Vt, Cgsol, Cgdol, Cgbol, Cjd, Cjs]),
            _ => QuantitySet::of(&[Cjd, Cjs]),
        }
    }

    /// The model card.
    pub(crate) fn model(&self) -> &Model {
        &self.card
    }

    /// An instance of length `l` at `temp_c`.
    pub(crate) fn device(&self, l: f64, temp_c: f64) -> Result<Device, GmidError> {
        let geom = MosGeom { l, ..self.geom };
        let err = |e: insitu_devices::DeviceError| GmidError::Model(e.to_string());
        let inst = match &self.model {
            CompiledModel::Mos1(mm) => {
                let p = |k: &str| self.card.param(k);
                Inst::Mos1 {
                    dev: Mos1::new(mm, &geom, temp_c, self.tnom, self.gmin).map_err(err)?,
                    kf: p("kf").unwrap_or(0.0),
                    af: p("af").unwrap_or(1.0),
                    cox: p("tox").filter(|t| *t > 0.0).map_or(0.0, |t| 3.9 * 8.854214871e-12 / t),
                    w: geom.w,
                    m: geom.m,
                }
            }
            CompiledModel::Bsim3(bm) => Inst::Bsim3(Bsim3::new(bm, &geom, temp_c, self.tnom, self.gmin).map_err(err)?),
            CompiledModel::Bsim3v3(bm) => {
                Inst::Bsim3v3(Bsim3v3::new(bm, &geom, temp_c, self.tnom, self.gmin).map_err(err)?)
            }
            _ => return Err(GmidError::Model(format!("model '{}' is not a MOSFET model", self.card.name))),
        };
        Ok(Device { inst })
    }
}

/// What every point of a VGS sweep at one (VDS, VBS) shares ([`Device::bias`]): the
/// junction (charge, capacitance) pairs, drain-bulk then source-bulk, and for BSIM-lite the
/// VGS-independent part of the model's evaluation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bias {
    bd: (f64, f64),
    bs: (f64, f64),
    bsim3: Option<Bsim3Bias>,
}

impl Device {
    /// Evaluates at n-frame `vgs`, `vds`, `vbs` (for PMOS: the magnitudes of the circuit's
    /// voltages, `vbs = -vsb`).
    pub fn eval(&self, vgs: f64, vds: f64, vbs: f64) -> OpPoint {
        self.eval_with(vgs, vds, vbs, &self.bias(vds, vbs))
    }

    /// The VGS-independent part at (`vds`, `vbs`), for [`Device::eval_with`].
    pub fn bias(&self, vds: f64, vbs: f64) -> Bias {
        let (bd, bs, bsim3) = match &self.inst {
            Inst::Mos1 { dev, .. } => (dev.junction_bd(vbs - vds), dev.junction_bs(vbs), None),
            Inst::Bsim3(dev) => (dev.junction_bd(vbs - vds), dev.junction_bs(vbs), Some(dev.bias(vds, vbs))),
            Inst::Bsim3v3(dev) => (dev.junction_bd(vbs - vds), dev.junction_bs(vbs), None),
        };
        Bias { bd, bs, bsim3 }
    }

    /// [`Device::eval`] with the VGS-independent part at (`vds`, `vbs`) given (`j` =
    /// [`Device::bias`] of the same `vds`, `vbs`): the same result, bit for bit, without
    /// evaluating it again (the table generator's inner loop over VGS).
    pub fn eval_with(&self, vgs: f64, vds: f64, vbs: f64, j: &Bias) -> OpPoint {
        let jn = (j.bd.1, j.bs.1);
        match &self.inst {
            Inst::Mos1 { dev, kf, af, cox, w, m } => {
                let (dc, cm) = fet(dev, vgs, vds, vbs);
                let id = dc.id();
                let sth = mos1_thermal_psd(dc.gm, dev.temp_k());
                let sfl = mos1_flicker_psd(*kf, *af, id, 1.0, *w, *m, dev.leff(), *cox);
                let ol = dev.overlap_caps();
                fet_point(&dc, id, &cm, ol, jn, sth, sfl)
            }
            Inst::Bsim3(dev) => match &j.bsim3 {
                Some(b) => bsim3_point(dev, b, j, vgs),
                None => bsim3_point(dev, &dev.bias(vds, vbs), j, vgs),
            },
            Inst::Bsim3v3(dev) => {
                let full = dev.dc(vgs, vds, vbs);
                let dc = full.fet();
                let cm = dev.cap_matrix(&Last { vgs, vds, vbs, dc });
                let id = dc.mode * dc.cdrain;
                let (sth, sfl) = dev.noise_psd_at(&full, vgs, vds, vbs, 1.0);
                // Overlaps at this bias (CGSL/CGDL make them bias-dependent).
                let ((_, cgs), (_, cgd), cgb) = dev.overlaps(vgs, vgs - vds);
                fet_point(&dc, id, &cm, (cgs, cgd, cgb), jn, sth, sfl)
            }
        }
    }

    /// [`Device::eval_with`] at `N` gate voltages side by side (one SIMD lane each) and the
    /// (VDS, VBS) of `j` ([`Device::bias`]), lane by lane bit for bit what `eval_with` gives;
    /// `None` for a model without a lane path (BSIM-lite has one).
    #[inline(always)]
    pub fn eval_lanes<const N: usize>(&self, vgs: Lanes<N>, j: &Bias) -> Option<OpPoint<Lanes<N>>> {
        match (&self.inst, &j.bsim3) {
            (Inst::Bsim3(dev), Some(b)) => Some(bsim3_point(dev, b, j, vgs)),
            _ => None,
        }
    }

    /// Whether [`Device::eval_lanes`] has a lane path for this model.
    pub fn has_lanes(&self) -> bool {
        matches!(self.inst, Inst::Bsim3(_))
    }

    /// The gate-source, gate-drain, gate-bulk overlap capacitances.
    pub fn overlap_caps(&self) -> (f64, f64, f64) {
        match &self.inst {
            Inst::Mos1 { dev, .. } => dev.overlap_caps(),
            Inst::Bsim3(dev) => dev.overlap_caps(),
            Inst::Bsim3v3(dev) => {
                // At zero bias (the CGSL/CGDL part varies with the bias).
                let ((_, cgs), (_, cgd), cgb) = dev.overlaps(0.0, 0.0);
                (cgs, cgd, cgb)
            }
        }
    }
}

/// DC and capacitance matrix through the solver's model-agnostic interface.
fn fet<F: FetDevice>(dev: &F, vgs: f64, vds: f64, vbs: f64) -> (FetDc, [[f64; 4]; 4]) {
    let dc = dev.dc(vgs, vds, vbs);
    let cm = dev.cap_matrix(&Last { vgs, vds, vbs, dc });
    (dc, cm)
}

/// BSIM-lite at one or several gate voltages: one evaluation of the model's core serves the
/// current, the charges and the noise; the capacitances include overlaps and junctions.
#[inline(always)]
fn bsim3_point<T: Lane>(dev: &Bsim3, b: &Bsim3Bias, j: &Bias, vgs: T) -> OpPoint<T> {
    let (full, k) = dev.dc_charges_at(b, vgs);
    let ol = dev.overlap_caps();
    let caps = extrinsic_caps(&k.c, ol, (j.bd.1, j.bs.1));
    // ngspice's BSIM3 `@m[id]` is the channel current alone.
    let id = full.cdrain * full.mode;
    let (sth, sfl) = dev.noise_psd(&full, 1.0);
    let s = T::splat;
    let dc = [id, s(full.von), full.gm, full.gmbs, full.gds, full.vdsat];
    point(dc, caps, ol, (j.bd.1, j.bs.1), sth, sfl)
}

/// The stored capacitances `[Cgg, Cgs, Cgd, Cgb, Cdd, Css]` from the intrinsic matrix `c`
/// (terminal order d, g, s, b), the overlaps (gate-source, gate-drain, gate-bulk) and the
/// junction capacitances (drain-bulk, source-bulk): the entries of
/// `Bsim3::with_extrinsic_junctions`'s matrix the table keeps, with its additions in its
/// order (the same bits), without building the whole matrix.
#[inline(always)]
fn extrinsic_caps<T: Lane>(c: &[[T; 4]; 4], ol: (f64, f64, f64), jn: (f64, f64)) -> [T; 6] {
    let (ogs, ogd, ogb) = ol;
    [
        c[G][G] + ogs + ogd + ogb,
        -(c[G][S] - ogs),
        -(c[G][D] - ogd),
        -(c[G][B] - ogb),
        c[D][D] + ogd + jn.0,
        c[S][S] + ogs + jn.1,
    ]
}

fn fet_point(
    dc: &FetDc,
    id: f64,
    cm: &[[f64; 4]; 4],
    ol: (f64, f64, f64),
    jn: (f64, f64),
    sth: f64,
    sfl: f64,
) -> OpPoint {
    let caps = [cm[G][G], -cm[G][S], -cm[G][D], -cm[G][B], cm[D][D], cm[S][S]];
    point([id, dc.von, dc.gm, dc.gmbs, dc.gds, dc.vdsat], caps, ol, jn, sth, sfl)
}

/// The stored point from `[id, vt, gm, gmb, gds, vdsat]`, `[cgg, cgs, cgd, cgb, cdd, css]`
/// (overlaps and junctions included), the overlaps, the junction capacitances and the noise
/// densities.
#[inline(always)]
fn point<T: Lane>(dc: [T; 6], caps: [T; 6], ol: (f64, f64, f64), jn: (f64, f64), sth: T, sfl: T) -> OpPoint<T> {
    let s = T::splat;
    let [id, vt, gm, gmb, gds, vdsat] = dc;
    let [cgg, cgs, cgd, cgb, cdd, css] = caps;
    OpPoint {
        id,
        vt,
        gm,
        gmb,
        gds,
        vdsat,
        cgg,
        cgs,
        cgd,
        cgb,
        cdd,
        css,
        cgsol: s(ol.0),
        cgdol: s(ol.1),
        cgbol: s(ol.2),
        cjd: s(jn.0),
        cjs: s(jn.1),
        sth,
        sfl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gmid::generate::compile;
    use crate::gmid::ModelSource;

    /// The table's capacitances are the entries of the device's full matrix with overlaps and
    /// junctions, bit for bit, in both modes and both polarities.
    #[test]
    fn extrinsic_caps_are_the_device_matrix_entries() {
        for dev in [DeviceType::Nmos, DeviceType::Pmos] {
            let (card, _) = compile(&ModelSource::pdk("generic180", "tt"), None, dev, 5e-6).unwrap();
            let d = card.device(0.18e-6, 27.0).unwrap();
            let Inst::Bsim3(b3) = &d.inst else { panic!("generic180 is BSIM-lite") };
            for (vgs, vds, vbs) in [(0.9, 0.9, 0.0), (0.3, -0.4, -0.5), (1.8, 0.05, -1.0), (-0.2, 1.8, 0.3)] {
                let j = d.bias(vds, vbs);
                let (_, k) = b3.dc_charges_at(j.bsim3.as_ref().unwrap(), vgs);
                let cm = b3.with_extrinsic_junctions(vgs, vds, vbs, &k, j.bd, j.bs).c;
                let want = [cm[G][G], -cm[G][S], -cm[G][D], -cm[G][B], cm[D][D], cm[S][S]];
                let got = extrinsic_caps(&k.c, b3.overlap_caps(), (j.bd.1, j.bs.1));
                assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{dev:?} at {vgs} {vds} {vbs}");
            }
        }
    }
}

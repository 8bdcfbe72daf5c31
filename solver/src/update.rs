//! Re-sizing and re-biasing a compiled simulator without re-parsing or re-compiling:
//! parameter updates, instance values, temperature.

use crate::compile::{acm_instance, bsim3v3_geom, creates_size, mos_geom, CompiledModel};
use crate::error::SimError;
use crate::instances::DevRef;
use crate::simulator::Simulator;
use insitu_devices::bsim3v3::Bsim3Version;
use insitu_devices::{Bsim3, Bsim3v3, Diode, DiodeModel, Mos1, Mos1Model};
use insitu_netlist::{ElementKind, ModelKind, Target};

/// A resolved element of a compiled simulator (see [`Simulator::element_handle`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementHandle(pub usize);

impl Simulator {
    /// Changes a `.param` value and re-evaluates every element and model number that
    /// depends on it. The matrix pattern and work arrays are kept.
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<(), SimError> {
        let targets = self.circuit.set_param(name, value).map_err(|e| SimError::Param(e.to_string()))?;
        let mut models = Vec::new();
        for t in targets {
            match t {
                Target::Element(e) => self.refresh_element(e)?,
                Target::Model(m) => models.push(m),
            }
        }
        for m in models {
            self.refresh_model(m)?;
        }
        self.have_op = false;
        Ok(())
    }

    /// Replaces the parameters of the circuit's models that have the same name and type as the
    /// given cards (for example a process corner's, from `insitu_pdk::corner_models`), and
    /// recomputes the devices that use them. Nothing is re-parsed or re-compiled; a card that
    /// would change a model's level is an error.
    pub fn set_models(&mut self, cards: &[insitu_netlist::Model]) -> Result<(), SimError> {
        let mut changed = Vec::new();
        for card in cards {
            let Some(m) = self.circuit.model(&card.name) else { continue };
            let old = &self.circuit.models[m];
            if old.kind != card.kind || old.level != card.level {
                return Err(SimError::Param(format!(
                    "model '{}': level {} cannot replace level {} without recompiling",
                    card.name, card.level, old.level
                )));
            }
            self.circuit.models[m].params.clone_from(&card.params);
            self.circuit.models[m].version.clone_from(&card.version);
            changed.push(m);
        }
        for m in changed {
            self.refresh_model(m)?;
        }
        self.have_op = false;
        Ok(())
    }

    /// The present value of a `.param`.
    pub fn param(&self, name: &str) -> Option<f64> {
        self.circuit.param(name)
    }

    /// Sets the temperature (degrees Celsius) and recomputes every temperature-dependent
    /// device quantity.
    pub fn set_temperature(&mut self, temp_c: f64) -> Result<(), SimError> {
        // Elements whose values follow the temperature: resistors with TC1/TC2/TCE, and any
        // expression that reads `temper`.
        if self.circuit.param("temper").is_some_and(|t| t != temp_c) {
            self.set_param("temper", temp_c)?;
        }
        self.temp_c = temp_c;
        for e in 0..self.circuit.elements.len() {
            if matches!(self.circuit.elements[e].kind, ElementKind::Mosfet { .. } | ElementKind::Diode { .. }) {
                self.refresh_element(e)?;
            }
        }
        self.have_op = false;
        Ok(())
    }

    /// A handle to an element, for repeated updates without name look-ups.
    pub fn element_handle(&self, name: &str) -> Result<ElementHandle, SimError> {
        self.circuit
            .element(name)
            .map(ElementHandle)
            .ok_or_else(|| SimError::UnknownName { what: "element", name: name.to_string() })
    }

    /// Sets a MOSFET's width and length (metres) directly.
    pub fn set_mos_size(&mut self, element: &str, w: f64, l: f64) -> Result<(), SimError> {
        let h = self.element_handle(element)?;
        self.set_mos_size_of(h, w, l)
    }

    /// Sets a MOSFET's width and length (metres) through a handle; does not allocate.
    pub fn set_mos_size_of(&mut self, h: ElementHandle, w: f64, l: f64) -> Result<(), SimError> {
        match &mut self.circuit.elements[h.0].kind {
            ElementKind::Mosfet { geom, .. } => {
                geom.w = w;
                geom.l = l;
            }
            _ => return Err(SimError::UnknownName { what: "MOSFET", name: self.circuit.elements[h.0].name.clone() }),
        }
        self.have_op = false;
        self.refresh_element(h.0)
    }

    fn refresh_model(&mut self, m: usize) -> Result<(), SimError> {
        let card = &self.circuit.models[m];
        let err = |e: insitu_devices::DeviceError| SimError::Device {
            element: card.name.clone(),
            message: e.to_string(),
            loc: None,
        };
        match self.models[m] {
            CompiledModel::Mos1(_) => {
                self.models[m] = CompiledModel::Mos1(
                    Mos1Model::new(&card.name, card.kind == ModelKind::Pmos, &card.params).map_err(err)?,
                )
            }
            CompiledModel::Bsim3(_) | CompiledModel::Bsim3v3(_) => {
                let routed = crate::compile::bsim3_route_card(&self.circuit, m).map_err(err)?;
                if std::mem::discriminant(&routed) != std::mem::discriminant(&self.models[m]) {
                    return Err(SimError::Device {
                        element: card.name.clone(),
                        message: "this change moves the card between BSIM-lite and the full BSIM3v3; it needs a \
                                  recompile"
                            .into(),
                        loc: None,
                    });
                }
                self.models[m] = routed;
            }
            CompiledModel::Diode(_) => {
                self.models[m] = CompiledModel::Diode(DiodeModel::new(&card.name, &card.params).map_err(err)?)
            }
            CompiledModel::Unused => return Ok(()),
        }
        for e in 0..self.circuit.elements.len() {
            let uses = match &self.circuit.elements[e].kind {
                ElementKind::Mosfet { model, .. } | ElementKind::Diode { model, .. } => *model == m,
                _ => false,
            };
            if uses {
                self.refresh_element(e)?;
            }
        }
        Ok(())
    }

    /// Copies an element's values from the circuit into its instance.
    pub(crate) fn refresh_element(&mut self, e: usize) -> Result<(), SimError> {
        let elem = &self.circuit.elements[e];
        let temp = self.temp_c;
        let tnom = self.circuit.options.tnom;
        let gmin = self.circuit.options.gmin;
        let derr = |m: String| SimError::device(elem, m);
        let Some(r) = self.elem_map[e] else {
            return Ok(());
        };
        match (&elem.kind, r) {
            (ElementKind::Resistor { r, r_ac, .. }, DevRef::Resistor(k)) => {
                self.inst.res[k].g = 1.0 / r;
                self.inst.res[k].g_ac = 1.0 / r_ac.unwrap_or(*r);
            }
            (ElementKind::Capacitor { c, ic, .. }, DevRef::Capacitor(k)) => {
                self.inst.caps[k].c = *c;
                self.inst.caps[k].ic = *ic;
            }
            (ElementKind::Inductor { l, ic, .. }, DevRef::Inductor(k)) => {
                self.inst.inds[k].l = *l;
                self.inst.inds[k].ic = *ic;
            }
            (ElementKind::VoltageSource { source, .. }, DevRef::VSource(k)) => {
                self.inst.vsrc[k].value = crate::compile::source_value(source, 0.0, 0.0).map_err(derr)?
            }
            (ElementKind::CurrentSource { source, .. }, DevRef::ISource(k)) => {
                self.inst.isrc[k].value = crate::compile::source_value(source, 0.0, 0.0).map_err(derr)?
            }
            (ElementKind::Vcvs { gain, .. }, DevRef::Vcvs(k)) => self.inst.vcvs[k].gain = *gain,
            (ElementKind::Vccs { gm, .. }, DevRef::Vccs(k)) => self.inst.vccs[k].gm = *gm,
            (ElementKind::Cccs { gain, .. }, DevRef::Cccs(k)) => self.inst.cccs[k].gain = *gain,
            (ElementKind::Ccvs { r, .. }, DevRef::Ccvs(k)) => self.inst.ccvs[k].r = *r,
            (ElementKind::Diode { model, area, .. }, DevRef::Diode(k)) => {
                let CompiledModel::Diode(dm) = &self.models[*model] else {
                    return Ok(());
                };
                let dev = Diode::new(dm, *area, temp, tnom, gmin).map_err(|x| derr(x.to_string()))?;
                if (dev.series_conductance() > 0.0) != (self.inst.diodes[k].dev.series_conductance() > 0.0) {
                    return Err(derr("changing RS between zero and non-zero needs a recompile".into()));
                }
                self.inst.diodes[k].dev = dev;
            }
            (ElementKind::Mosfet { model, geom, .. }, DevRef::Mos1(k)) => {
                let CompiledModel::Mos1(mm) = &self.models[*model] else {
                    return Ok(());
                };
                let dev = Mos1::new(mm, &mos_geom(geom), temp, tnom, gmin).map_err(|x| derr(x.to_string()))?;
                let old = &self.inst.mos1[k].dev;
                if (dev.drain_conductance() > 0.0) != (old.drain_conductance() > 0.0)
                    || (dev.source_conductance() > 0.0) != (old.source_conductance() > 0.0)
                {
                    return Err(derr("changing RD/RS between zero and non-zero needs a recompile".into()));
                }
                self.inst.mos1[k].replace_dev(dev);
            }
            (ElementKind::Mosfet { model, geom, .. }, DevRef::Bsim3v3(k)) => {
                let CompiledModel::Bsim3v3(bm) = &self.models[*model] else {
                    return Ok(());
                };
                let g = bsim3v3_geom(bm, geom);
                // Only 3.1 cards depend on which instance creates a size (bsim3v1's check).
                let creator = bm.version == Bsim3Version::V31 && creates_size(&self.circuit, e);
                let mut dev = Bsim3v3::with_instance(bm, &g, &acm_instance(geom), temp, tnom, gmin, creator)
                    .map_err(|x| derr(x.to_string()))?;
                crate::compile::bsim3v3_instance_settings(&mut dev, geom);
                let old = &self.inst.bsim3v3[k].dev;
                if (dev.drain_conductance() > 0.0) != (old.drain_conductance() > 0.0)
                    || (dev.source_conductance() > 0.0) != (old.source_conductance() > 0.0)
                {
                    return Err(derr("changing RD/RS between zero and non-zero needs a recompile".into()));
                }
                if dev.nqs() != old.nqs() {
                    return Err(derr("changing NQSMOD adds or removes the #charge node; it needs a recompile".into()));
                }
                if dev.nqs() && !creates_size(&self.circuit, e) {
                    // ngspice's tconst T0 of an instance whose size exists: that of the next
                    // instance of the model in the netlist that creates a size (compile.rs).
                    let same = |x: &ElementKind| matches!(x, ElementKind::Mosfet { model: m2, .. } if m2 == model);
                    let t0 = (e + 1..self.circuit.elements.len())
                        .filter(|&j| same(&self.circuit.elements[j].kind) && creates_size(&self.circuit, j))
                        .find_map(|j| match self.elem_map[j] {
                            Some(DevRef::Bsim3v3(kj)) => Some(self.inst.bsim3v3[kj].dev.nqs_t0()),
                            _ => None,
                        });
                    if let Some(t0) = t0 {
                        dev.set_nqs_t0(t0);
                    }
                }
                self.inst.bsim3v3[k].replace_dev(dev);
            }
            (ElementKind::Mosfet { model, geom, .. }, DevRef::Bsim3(k)) => {
                let CompiledModel::Bsim3(bm) = &self.models[*model] else {
                    return Ok(());
                };
                let dev = Bsim3::new(bm, &mos_geom(geom), temp, tnom, gmin).map_err(|x| derr(x.to_string()))?;
                let old = &self.inst.bsim3[k].dev;
                if (dev.drain_conductance() > 0.0) != (old.drain_conductance() > 0.0)
                    || (dev.source_conductance() > 0.0) != (old.source_conductance() > 0.0)
                {
                    return Err(derr("changing RD/RS between zero and non-zero needs a recompile".into()));
                }
                self.inst.bsim3[k].replace_dev(dev);
            }
            _ => {}
        }
        Ok(())
    }
}

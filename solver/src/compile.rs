//! Compile a [`Circuit`] once: number the unknowns, build the device instances, reserve their
//! matrix entries and state slots, and allocate every work array the analyses need.

use crate::error::SimError;
use crate::instances::{DevRef, Instances};
use crate::load::diode::DiodeInst;
use crate::load::fet::{FetDevice, FetInst, FetSlots, QSlots};
use crate::load::linear::{Capacitor, Cccs, Ccvs, ISource, Inductor, Resistor, SourceValue, VSource, Vccs, Vcvs};
use crate::pattern::{PatternBuilder, Slot};
use insitu_devices::bsim3v3::Bsim3Version;
use insitu_devices::{Bsim3, Bsim3Model, Bsim3v3, Bsim3v3Model, Diode, DiodeModel, Mos1, Mos1Model, MosGeom};
use insitu_netlist::{Circuit, Element, ElementKind, ModelKind, MosGeometry, Source};
use num_complex::Complex64;

/// What an unknown of the MNA system is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownKind {
    /// A node voltage (circuit node or device-internal node).
    Voltage,
    /// A branch current (V, L, E, H).
    Current,
}

/// A named unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// ngspice-style name: node name, `m1#drain`, or `vdd#branch`.
    pub name: String,
    pub kind: UnknownKind,
}

/// A compile-time warning (a model card's ignored parameter, a device parameter check):
/// the simulation runs, as ngspice runs it with the same warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The element the warning is about (`None` for a warning about the model card alone).
    pub element: Option<String>,
    /// The model card.
    pub model: String,
    /// What ngspice says (its wording where it has one).
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(e) = &self.element {
            write!(f, "element '{e}': ")?;
        }
        write!(f, "model '{}': {}", self.model, self.message)
    }
}

/// Warnings of the model cards (ignored parameters) and of the instances (parameter
/// checks), each (model, message) once, in circuit order.
fn collect_warnings(c: &Circuit, models: &[CompiledModel], devs_full: &[Option<Bsim3v3>]) -> Vec<Warning> {
    let mut out: Vec<Warning> = Vec::new();
    for m in models {
        if let CompiledModel::Bsim3v3(bm) = m {
            for name in &bm.ignored {
                let message = format!("unrecognized parameter ({name}) - ignored");
                out.push(Warning { element: None, model: bm.name.clone(), message });
            }
        }
    }
    for (e, dev) in c.elements.iter().zip(devs_full) {
        let (Some(dev), ElementKind::Mosfet { model, .. }) = (dev, &e.kind) else { continue };
        let model = &c.models[*model].name;
        for message in dev.warnings() {
            if !out.iter().any(|w| w.model == *model && w.message == *message) {
                let element = Some(e.name.clone());
                out.push(Warning { element, model: model.clone(), message: message.clone() });
            }
        }
    }
    out
}

/// A model compiled for the devices that use it.
#[derive(Debug, Clone)]
pub enum CompiledModel {
    Mos1(Mos1Model),
    Bsim3(Box<Bsim3Model>),
    Bsim3v3(Box<Bsim3v3Model>),
    Diode(DiodeModel),
    /// Not used by any element, or not a device model.
    Unused,
}

/// Builds device models for every model card used by an element.
pub fn compile_models(c: &Circuit) -> Result<Vec<CompiledModel>, SimError> {
    let mut out = vec![CompiledModel::Unused; c.models.len()];
    for e in &c.elements {
        let (model, pmos_or_diode) = match &e.kind {
            ElementKind::Mosfet { model, .. } => (*model, true),
            ElementKind::Diode { model, .. } => (*model, false),
            _ => continue,
        };
        if !matches!(out[model], CompiledModel::Unused) {
            continue;
        }
        let m = &c.models[model];
        let dev_err = |err: insitu_devices::DeviceError| SimError::device(e, err.to_string());
        out[model] = match (m.kind, pmos_or_diode) {
            (ModelKind::Nmos | ModelKind::Pmos, true) => {
                let pmos = m.kind == ModelKind::Pmos;
                match m.level {
                    1 => CompiledModel::Mos1(Mos1Model::new(&m.name, pmos, &m.params).map_err(dev_err)?),
                    8 | 49 => {
                        let version = m.version.as_deref().unwrap_or("3.3.0");
                        let v = version.trim_matches(|c| c == '"' || c == '\'');
                        if let Some(other) = bsim3_other_implementation(v) {
                            return Err(SimError::unsupported(
                                e,
                                format!(
                                    "model '{}': BSIM3 version {version} is not supported (ngspice runs it on its \
                                     {other} implementation; insitu has BSIM3 3.0, 3.1, 3.2.x and 3.3.0)",
                                    m.name
                                ),
                            ));
                        }
                        bsim3_route_card(c, model).map_err(dev_err)?
                    }
                    level => {
                        return Err(SimError::unsupported(
                            e,
                            format!(
                            "MOS model '{}' has level {level}, which is not supported (supported: 1, 8/49 BSIM3v3.3)",
                            m.name
                        ),
                        ))
                    }
                }
            }
            (ModelKind::Diode, false) => CompiledModel::Diode(DiodeModel::new(&m.name, &m.params).map_err(dev_err)?),
            _ => return Err(SimError::device(e, format!("model '{}' is not of the element's type", m.name))),
        };
    }
    Ok(out)
}

/// Which other ngspice BSIM3 implementation a `level=8/49` version string selects, as
/// ngspice's `inpdomod.c` maps them: "3.0" to `bsim3v0`, "3.1" to `bsim3v1`, anything starting
/// with "3.2" (3.2, 3.2.2, 3.2.3, 3.2.4, 3.24) to `bsim3v32`, "3.3..." and "default" to
/// `bsim3` ([`Bsim3Version::parse`]). insitu runs all four (`None`: `bsim3v0` too, as
/// `Bsim3Version::V30` branches of the full model). ngspice rejects other strings too.
pub fn bsim3_other_implementation(version: &str) -> Option<&'static str> {
    match Bsim3Version::parse(Some(version)) {
        Ok(_) => None,
        Err(_) => Some("no BSIM3"),
    }
}

/// Routes a `level=8`/`level=49` card of `version` (`None`: 3.3.0): a 3.3.0 card goes to
/// BSIM-lite when it stays inside its core subset (every parameter it does not implement
/// absent or neutral, as on the built-in PDK cards), otherwise to the full BSIM3v3 model
/// (binning, RDSW, A1/A2, MOBMOD 2/3, NGATE, DWG/DWB, CGSL/CGDL, PARAMCHK = 1, ...). Both compute the
/// same numbers on a subset card; BSIM-lite is the faster one. Errors are the full model's
/// (the more general message) when neither accepts the card. Cards of other revisions
/// (3.2.x) always take the full model, which has their code paths.
pub fn bsim3_route(
    name: &str,
    pmos: bool,
    params: &[(String, f64)],
    version: Option<&str>,
) -> Result<CompiledModel, insitu_devices::DeviceError> {
    let version = Bsim3Version::parse(version).map_err(|reason| insitu_devices::DeviceError::InvalidValue {
        model: name.to_string(),
        param: "version".into(),
        value: version.and_then(|v| v.trim_matches(|c| c == '"' || c == '\'').parse().ok()).unwrap_or(f64::NAN),
        reason,
    })?;
    if version != Bsim3Version::V330 {
        return Ok(CompiledModel::Bsim3v3(Box::new(Bsim3v3Model::with_version(name, pmos, params, version)?)));
    }
    // PARAMCHK = 1 cards go to the full model, which runs ngspice's checks and clamps.
    let paramchk = params.iter().any(|(n, v)| n.eq_ignore_ascii_case("paramchk") && *v != 0.0);
    match Bsim3Model::new(name, pmos, params).ok().filter(|_| !paramchk) {
        Some(lite) => Ok(CompiledModel::Bsim3(Box::new(lite))),
        None => Ok(CompiledModel::Bsim3v3(Box::new(Bsim3v3Model::new(name, pmos, params)?))),
    }
}

/// The instance-line settings of a full-BSIM3 instance that override or adjust its card:
/// NQSMOD, ACNQSMOD, DELVTO and MULU0 (compile and re-size apply them alike).
pub(crate) fn bsim3v3_instance_settings(dev: &mut Bsim3v3, geom: &MosGeometry) {
    if let Some(n) = geom.nqsmod {
        dev.set_nqs(n == 1);
    }
    if let Some(v) = geom.acnqsmod {
        dev.set_acnqsmod(v);
    }
    if geom.delvto.is_some() || geom.mulu0.is_some() {
        dev.set_variation(geom.delvto.unwrap_or(0.0), geom.mulu0.unwrap_or(1.0));
    }
}

/// [`bsim3_route`] for card `model` of `c`, sending a card BSIM-lite would take to the full
/// BSIM3v3 when one of its instances sets `nqsmod=1`, `acnqsmod=1` (BSIM-lite has no NQS),
/// `delvto` or `mulu0` (BSIM-lite has no per-instance variation).
pub fn bsim3_route_card(c: &Circuit, model: usize) -> Result<CompiledModel, insitu_devices::DeviceError> {
    let m = &c.models[model];
    let pmos = m.kind == ModelKind::Pmos;
    let routed = bsim3_route(&m.name, pmos, &m.params, m.version.as_deref())?;
    let instance_nqs = c.elements.iter().any(|e| {
        matches!(&e.kind, ElementKind::Mosfet { model: mi, geom, .. }
            if *mi == model && (geom.nqsmod == Some(1) || geom.acnqsmod == Some(1)
                || geom.delvto.is_some() || geom.mulu0.is_some()))
    });
    if matches!(routed, CompiledModel::Bsim3(_)) && instance_nqs {
        return Ok(CompiledModel::Bsim3v3(Box::new(Bsim3v3Model::new(&m.name, pmos, &m.params)?)));
    }
    Ok(routed)
}

/// The netlist's geometry for a full-BSIM3 instance: as [`mos_geom`], with the diffusion
/// sizes the instance does not give taken from the card where its revision does so (HDIF on
/// 3.1, [`Bsim3v3Model::diffusion`]).
pub fn bsim3v3_geom(bm: &Bsim3v3Model, g: &MosGeometry) -> MosGeom {
    let mut out = mos_geom(g);
    [out.ad, out.as_, out.pd, out.ps] = bm.diffusion(g.w, [g.ad, g.as_, g.pd, g.ps], g.diff_given);
    out
}

/// The instance's GEO and given-flags of AD/AS/PD/PS/NRD/NRS, which a full-BSIM3 card's ACM
/// reads ([`insitu_devices::bsim3v3::AcmInstance`]).
pub fn acm_instance(g: &MosGeometry) -> insitu_devices::bsim3v3::AcmInstance {
    let [ad, as_, pd, ps] = g.diff_given;
    let [nrd, nrs] = g.nr_given;
    insitu_devices::bsim3v3::AcmInstance { geo: g.geo.unwrap_or(0), given: [ad, as_, pd, ps, nrd, nrs] }
}

/// For each element, whether it is the MOSFET that creates its size's parameter set in
/// ngspice: of a model's instances with the same L and W, the one ngspice sets up first, which
/// is the last in the netlist (ngspice keeps a model's instances newest first).
/// [`Bsim3v3::new_size_creator`] uses it (bsim3v1's parameter check runs there only).
pub fn size_creators(c: &Circuit) -> Vec<bool> {
    let mut seen = std::collections::HashSet::new();
    let mut out = vec![false; c.elements.len()];
    for (ei, e) in c.elements.iter().enumerate().rev() {
        if let ElementKind::Mosfet { model, geom, .. } = &e.kind {
            out[ei] = seen.insert((*model, geom.l.to_bits(), geom.w.to_bits()));
        }
    }
    out
}

/// Whether element `e` creates its size's parameter set in ngspice ([`size_creators`] for one
/// element): no later MOSFET of the same model has its L and W.
pub fn creates_size(c: &Circuit, e: usize) -> bool {
    let ElementKind::Mosfet { model, geom, .. } = &c.elements[e].kind else {
        return false;
    };
    let key = (*model, geom.l.to_bits(), geom.w.to_bits());
    !c.elements[e + 1..].iter().any(|x| match &x.kind {
        ElementKind::Mosfet { model, geom, .. } => (*model, geom.l.to_bits(), geom.w.to_bits()) == key,
        _ => false,
    })
}

/// Gives every BSIM3 NQS instance the `T0` of its `tconst` as ngspice 39's temperature code
/// leaves it (see `insitu_devices::bsim3v3::nqs`): ngspice sets up a model's instances newest
/// first (reverse netlist order); an instance that creates its size's parameter set gets its
/// own `sqrt(1 + NLX / Leff)`, one whose size exists the value of the last creator before it.
fn nqs_tconst_t0(c: &Circuit, creators: &[bool], devs: &mut [Option<Bsim3v3>]) {
    let mut last: std::collections::HashMap<usize, f64> = std::collections::HashMap::new();
    for (ei, e) in c.elements.iter().enumerate().rev() {
        let (ElementKind::Mosfet { model, .. }, Some(dev)) = (&e.kind, devs[ei].as_mut()) else {
            continue;
        };
        if creators[ei] {
            last.insert(*model, dev.nqs_t0());
        } else if let Some(t0) = last.get(model) {
            dev.set_nqs_t0(*t0);
        }
    }
}

/// Converts the netlist's instance geometry.
pub fn mos_geom(g: &MosGeometry) -> MosGeom {
    MosGeom { w: g.w, l: g.l, ad: g.ad, as_: g.as_, pd: g.pd, ps: g.ps, nrd: g.nrd, nrs: g.nrs, m: g.m }
}

/// A source's DC/AC/transient value; the waveform uses the transient's step and stop times.
pub fn source_value(src: &Source, tstep: f64, tstop: f64) -> Result<SourceValue, String> {
    let ph = src.ac_phase.to_radians();
    let wave = match &src.wave {
        None => None,
        Some(w) => {
            let shape = match w.kind {
                insitu_netlist::WaveKind::Pulse => insitu_devices::Shape::Pulse,
                insitu_netlist::WaveKind::Sin => insitu_devices::Shape::Sin,
                insitu_netlist::WaveKind::Exp => insitu_devices::Shape::Exp,
                insitu_netlist::WaveKind::Pwl => insitu_devices::Shape::Pwl,
            };
            Some(insitu_devices::Waveform::new(shape, &w.args, tstep, tstop).map_err(|e| e.to_string())?)
        }
    };
    Ok(SourceValue { dc: src.dc, ac: Complex64::from_polar(src.ac_mag, ph), wave })
}

/// Everything compile produces.
pub struct Compiled {
    pub unknowns: Vec<Unknown>,
    pub inst: Instances,
    pub elem_map: Vec<Option<DevRef>>,
    pub pattern: crate::pattern::Pattern,
    pub n_states: usize,
    /// State slots holding charges, for truncation error control.
    pub charge_slots: Vec<usize>,
    /// First state slot of each element, and one past the last element's (element `e` owns
    /// slots `state_start[e]..state_start[e + 1]`).
    pub state_start: Vec<usize>,
    pub models: Vec<CompiledModel>,
    /// Compile-time warnings ([`Warning`]).
    pub warnings: Vec<Warning>,
}

/// Compiles a circuit at temperature `temp_c`.
pub fn compile(c: &Circuit, temp_c: f64) -> Result<Compiled, SimError> {
    let models = compile_models(c)?;
    let tnom = c.options.tnom;
    let gmin = c.options.gmin;
    let nn = c.nodes.len() - 1;

    // Phase 1: unknowns. Circuit nodes first, then internal nodes, then branch currents.
    let mut unknowns: Vec<Unknown> =
        c.nodes[1..].iter().map(|n| Unknown { name: n.clone(), kind: UnknownKind::Voltage }).collect();
    let mut internal: Vec<[Option<usize>; 2]> = vec![[None, None]; c.elements.len()];
    let mut devs_mos: Vec<Option<Mos1>> = vec![None; c.elements.len()];
    let mut devs_bsim: Vec<Option<Bsim3>> = vec![None; c.elements.len()];
    let mut devs_full: Vec<Option<Bsim3v3>> = vec![None; c.elements.len()];
    let creators = size_creators(c);
    let mut devs_diode: Vec<Option<Diode>> = vec![None; c.elements.len()];
    // The charge-deficit unknown of BSIM3 instances with NQSMOD = 1.
    let mut qnode: Vec<Option<usize>> = vec![None; c.elements.len()];
    for (ei, e) in c.elements.iter().enumerate() {
        let dev_err = |err: insitu_devices::DeviceError| SimError::device(e, err.to_string());
        match &e.kind {
            ElementKind::Mosfet { model, geom, .. } => {
                // GEO is an instance parameter of ngspice's `bsim3` and `bsim3v32` only; the
                // others stop with "unknown parameter (geo)", as ngspice does.
                let knows_geo = match &models[*model] {
                    CompiledModel::Bsim3(_) => true,
                    CompiledModel::Bsim3v3(bm) => bm.version.is_v32() || bm.version == Bsim3Version::V330,
                    _ => false,
                };
                if geom.geo.is_some() && !knows_geo {
                    return Err(SimError::device(e, "unknown parameter (geo)"));
                }
                // NQSMOD is an instance parameter of every ngspice BSIM3, of no other MOSFET.
                if geom.nqsmod.is_some()
                    && !matches!(models[*model], CompiledModel::Bsim3(_) | CompiledModel::Bsim3v3(_))
                {
                    return Err(SimError::device(e, "unknown parameter (nqsmod)"));
                }
                // DELVTO and MULU0 are instance parameters of ngspice's `bsim3` and `bsim3v32`.
                let knows_variation = match &models[*model] {
                    CompiledModel::Bsim3(_) => true,
                    CompiledModel::Bsim3v3(bm) => !matches!(bm.version, Bsim3Version::V31 | Bsim3Version::V30),
                    _ => false,
                };
                for (name, given) in [("delvto", geom.delvto.is_some()), ("mulu0", geom.mulu0.is_some())] {
                    if given && !knows_variation {
                        return Err(SimError::device(e, format!("unknown parameter ({name})")));
                    }
                }
                // ACNQSMOD is an instance parameter of ngspice's `bsim3` (3.3.0) only.
                let knows_acnqs = match &models[*model] {
                    CompiledModel::Bsim3(_) => geom.acnqsmod == Some(0),
                    CompiledModel::Bsim3v3(bm) => bm.version == Bsim3Version::V330,
                    _ => false,
                };
                if geom.acnqsmod.is_some() && !knows_acnqs {
                    let message = if matches!(models[*model], CompiledModel::Bsim3(_)) {
                        "instance parameter 'acnqsmod' on a BSIM-lite card is not supported: set ACNQSMOD on \
                         the .model card (which then runs the full BSIM3v3)"
                    } else {
                        "unknown parameter (acnqsmod)"
                    };
                    return Err(SimError::device(e, message));
                }
                let (gd, gs) = match &models[*model] {
                    CompiledModel::Mos1(mm) => {
                        let dev = Mos1::new(mm, &mos_geom(geom), temp_c, tnom, gmin).map_err(dev_err)?;
                        let g = (dev.drain_conductance(), dev.source_conductance());
                        devs_mos[ei] = Some(dev);
                        g
                    }
                    CompiledModel::Bsim3(bm) => {
                        let dev = Bsim3::new(bm, &mos_geom(geom), temp_c, tnom, gmin).map_err(dev_err)?;
                        let g = (dev.drain_conductance(), dev.source_conductance());
                        devs_bsim[ei] = Some(dev);
                        g
                    }
                    CompiledModel::Bsim3v3(bm) => {
                        let g = bsim3v3_geom(bm, geom);
                        let mut dev =
                            Bsim3v3::with_instance(bm, &g, &acm_instance(geom), temp_c, tnom, gmin, creators[ei])
                                .map_err(dev_err)?;
                        bsim3v3_instance_settings(&mut dev, geom);
                        let g = (dev.drain_conductance(), dev.source_conductance());
                        devs_full[ei] = Some(dev);
                        g
                    }
                    _ => unreachable!("compiled above"),
                };
                if gd > 0.0 {
                    internal[ei][0] = Some(unknowns.len());
                    unknowns.push(Unknown { name: format!("{}#drain", e.name), kind: UnknownKind::Voltage });
                }
                if gs > 0.0 {
                    internal[ei][1] = Some(unknowns.len());
                    unknowns.push(Unknown { name: format!("{}#source", e.name), kind: UnknownKind::Voltage });
                }
                if devs_full[ei].as_ref().is_some_and(|d| d.nqs()) {
                    qnode[ei] = Some(unknowns.len());
                    unknowns.push(Unknown { name: format!("{}#charge", e.name), kind: UnknownKind::Voltage });
                }
            }
            ElementKind::Diode { model, area, .. } => {
                let CompiledModel::Diode(dm) = &models[*model] else { unreachable!("compiled above") };
                let dev = Diode::new(dm, *area, temp_c, tnom, gmin).map_err(dev_err)?;
                if dev.series_conductance() > 0.0 {
                    internal[ei][0] = Some(unknowns.len());
                    unknowns.push(Unknown { name: format!("{}#internal", e.name), kind: UnknownKind::Voltage });
                }
                devs_diode[ei] = Some(dev);
            }
            _ => {}
        }
    }
    nqs_tconst_t0(c, &creators, &mut devs_full);
    let warnings = collect_warnings(c, &models, &devs_full);
    let mut branch: Vec<Option<usize>> = vec![None; c.elements.len()];
    for (ei, e) in c.elements.iter().enumerate() {
        if matches!(
            e.kind,
            ElementKind::VoltageSource { .. }
                | ElementKind::Inductor { .. }
                | ElementKind::Vcvs { .. }
                | ElementKind::Ccvs { .. }
        ) {
            branch[ei] = Some(unknowns.len());
            unknowns.push(Unknown { name: format!("{}#branch", e.name), kind: UnknownKind::Current });
        }
    }
    let n = unknowns.len();
    let u = |node: usize| if node == 0 { n } else { node - 1 };
    debug_assert!(nn <= n);

    // Phase 2: instances and provisional slots.
    let mut pb = PatternBuilder::new(n);
    let mut inst = Instances::default();
    let mut elem_map = vec![None; c.elements.len()];
    let mut n_states = 0usize;
    let mut charge_slots = Vec::new();
    let mut state_start = Vec::with_capacity(c.elements.len() + 1);
    let ctrl_branch = |ctrl: usize, e: &Element| -> Result<usize, SimError> {
        branch[ctrl]
            .filter(|_| matches!(c.elements[ctrl].kind, ElementKind::VoltageSource { .. }))
            .ok_or_else(|| SimError::unsupported(e, "controlling element is not a voltage source"))
    };
    for (ei, e) in c.elements.iter().enumerate() {
        state_start.push(n_states);
        let src_err = |m: String| SimError::device(e, m);
        let r = match &e.kind {
            ElementKind::Resistor { p, n: m, r, r_ac } => {
                let (a, b) = (u(*p), u(*m));
                let g_ac = 1.0 / r_ac.unwrap_or(*r);
                inst.res.push(Resistor { elem: ei, a, b, g: 1.0 / r, g_ac, s: pb.pair(a, b) });
                DevRef::Resistor(inst.res.len() - 1)
            }
            ElementKind::Capacitor { p, n: m, c: cap, ic } => {
                let (a, b) = (u(*p), u(*m));
                charge_slots.push(n_states);
                inst.caps.push(Capacitor { elem: ei, a, b, c: *cap, ic: *ic, s: pb.pair(a, b), state: n_states });
                n_states += 2;
                DevRef::Capacitor(inst.caps.len() - 1)
            }
            ElementKind::Inductor { p, n: m, l, ic } => {
                let (a, b, br) = (u(*p), u(*m), branch[ei].expect("allocated"));
                let s = [pb.entry(a, br), pb.entry(b, br), pb.entry(br, a), pb.entry(br, b), pb.entry(br, br)];
                charge_slots.push(n_states);
                inst.inds.push(Inductor { elem: ei, a, b, br, l: *l, ic: *ic, s, state: n_states });
                n_states += 2;
                DevRef::Inductor(inst.inds.len() - 1)
            }
            ElementKind::VoltageSource { p, n: m, source } => {
                let (a, b, br) = (u(*p), u(*m), branch[ei].expect("allocated"));
                let s = [pb.entry(a, br), pb.entry(b, br), pb.entry(br, a), pb.entry(br, b)];
                let value = source_value(source, 0.0, 0.0).map_err(src_err)?;
                inst.vsrc.push(VSource { elem: ei, a, b, br, value, s });
                DevRef::VSource(inst.vsrc.len() - 1)
            }
            ElementKind::CurrentSource { p, n: m, source } => {
                let value = source_value(source, 0.0, 0.0).map_err(src_err)?;
                inst.isrc.push(ISource { elem: ei, a: u(*p), b: u(*m), value });
                DevRef::ISource(inst.isrc.len() - 1)
            }
            ElementKind::Vcvs { p, n: m, cp, cn, gain } => {
                let (a, b, br) = (u(*p), u(*m), branch[ei].expect("allocated"));
                let s = [
                    pb.entry(a, br),
                    pb.entry(b, br),
                    pb.entry(br, a),
                    pb.entry(br, b),
                    pb.entry(br, u(*cp)),
                    pb.entry(br, u(*cn)),
                ];
                inst.vcvs.push(Vcvs { elem: ei, br, gain: *gain, s });
                DevRef::Vcvs(inst.vcvs.len() - 1)
            }
            ElementKind::Vccs { p, n: m, cp, cn, gm } => {
                let (a, b) = (u(*p), u(*m));
                let s = [pb.entry(a, u(*cp)), pb.entry(a, u(*cn)), pb.entry(b, u(*cp)), pb.entry(b, u(*cn))];
                inst.vccs.push(Vccs { elem: ei, gm: *gm, s });
                DevRef::Vccs(inst.vccs.len() - 1)
            }
            ElementKind::Cccs { p, n: m, control, gain } => {
                let jc = ctrl_branch(*control, e)?;
                let s = [pb.entry(u(*p), jc), pb.entry(u(*m), jc)];
                inst.cccs.push(Cccs { elem: ei, gain: *gain, s });
                DevRef::Cccs(inst.cccs.len() - 1)
            }
            ElementKind::Ccvs { p, n: m, control, r } => {
                let jc = ctrl_branch(*control, e)?;
                let (a, b, br) = (u(*p), u(*m), branch[ei].expect("allocated"));
                let s = [pb.entry(a, br), pb.entry(b, br), pb.entry(br, a), pb.entry(br, b), pb.entry(br, jc)];
                inst.ccvs.push(Ccvs { elem: ei, br, r: *r, s });
                DevRef::Ccvs(inst.ccvs.len() - 1)
            }
            ElementKind::Diode { a, c: k, off, .. } => {
                let dev = devs_diode[ei].take().expect("built in phase 1");
                let (a, k) = (u(*a), u(*k));
                let ai = internal[ei][0].unwrap_or(a);
                charge_slots.push(n_states);
                inst.diodes.push(DiodeInst {
                    elem: ei,
                    dev,
                    off: *off,
                    a,
                    ai,
                    c: k,
                    s: pb.pair(ai, k),
                    s_rs: pb.pair(a, ai),
                    state: n_states,
                    vd: 0.0,
                    id: 0.0,
                    gd: 0.0,
                });
                n_states += 2;
                DevRef::Diode(inst.diodes.len() - 1)
            }
            ElementKind::Mosfet { d, g, s, b, off, geom, .. } => {
                let (d, g, s, b) = (u(*d), u(*g), u(*s), u(*b));
                let dp = internal[ei][0].unwrap_or(d);
                let sp = internal[ei][1].unwrap_or(s);
                let t = [dp, g, sp, b];
                let mut sl = [[0 as Slot; 4]; 4];
                for (r, row) in sl.iter_mut().enumerate() {
                    for (col, slot) in row.iter_mut().enumerate() {
                        *slot = pb.entry(t[r], t[col]);
                    }
                }
                let q = qnode[ei].map(|qn| QSlots {
                    node: qn,
                    row: [
                        pb.entry(qn, t[0]),
                        pb.entry(qn, t[1]),
                        pb.entry(qn, t[2]),
                        pb.entry(qn, t[3]),
                        pb.entry(qn, qn),
                    ],
                    col: [pb.entry(t[0], qn), pb.entry(t[1], qn), pb.entry(t[2], qn)],
                });
                let f = FetSlots { t, sl, s_rd: pb.pair(d, dp), s_rs: pb.pair(s, sp), state: n_states, q };
                if let Some(dev) = devs_mos[ei].take() {
                    charge_slots.extend(Mos1::LTE_CHARGES.iter().map(|q| n_states + q));
                    n_states += Mos1::STATES;
                    inst.mos1.push(FetInst::new(ei, dev, *off, f).with_ic(geom.ic));
                    DevRef::Mos1(inst.mos1.len() - 1)
                } else if let Some(dev) = devs_full[ei].take() {
                    charge_slots.extend(Bsim3v3::LTE_CHARGES.iter().map(|q| n_states + q));
                    n_states += Bsim3v3::STATES;
                    if qnode[ei].is_some() {
                        n_states += crate::load::bsim3v3::NQS_STATES;
                    }
                    inst.bsim3v3.push(FetInst::new(ei, dev, *off, f).with_ic(geom.ic));
                    DevRef::Bsim3v3(inst.bsim3v3.len() - 1)
                } else {
                    let dev = devs_bsim[ei].take().expect("built in phase 1");
                    charge_slots.extend(Bsim3::LTE_CHARGES.iter().map(|q| n_states + q));
                    n_states += Bsim3::STATES;
                    inst.bsim3.push(FetInst::new(ei, dev, *off, f).with_ic(geom.ic));
                    DevRef::Bsim3(inst.bsim3.len() - 1)
                }
            }
        };
        elem_map[ei] = Some(r);
    }
    state_start.push(n_states);

    // Phase 3: final slots.
    let (pattern, map) = pb.finish();
    let fix = |s: &mut Slot| *s = map[*s];
    for d in &mut inst.res {
        d.s.iter_mut().for_each(fix);
    }
    for d in &mut inst.caps {
        d.s.iter_mut().for_each(fix);
    }
    for d in &mut inst.inds {
        d.s.iter_mut().for_each(fix);
    }
    for d in &mut inst.vsrc {
        d.s.iter_mut().for_each(fix);
    }
    for d in &mut inst.vcvs {
        d.s.iter_mut().for_each(fix);
    }
    for d in &mut inst.vccs {
        d.s.iter_mut().for_each(fix);
    }
    for d in &mut inst.cccs {
        d.s.iter_mut().for_each(fix);
    }
    for d in &mut inst.ccvs {
        d.s.iter_mut().for_each(fix);
    }
    for d in &mut inst.diodes {
        d.s.iter_mut().chain(d.s_rs.iter_mut()).for_each(fix);
    }
    for d in &mut inst.mos1 {
        d.f.sl.iter_mut().flatten().chain(d.f.s_rd.iter_mut()).chain(d.f.s_rs.iter_mut()).for_each(fix);
    }
    for d in &mut inst.bsim3 {
        d.f.sl.iter_mut().flatten().chain(d.f.s_rd.iter_mut()).chain(d.f.s_rs.iter_mut()).for_each(fix);
    }
    for d in &mut inst.bsim3v3 {
        d.f.sl.iter_mut().flatten().chain(d.f.s_rd.iter_mut()).chain(d.f.s_rs.iter_mut()).for_each(fix);
        if let Some(q) = &mut d.f.q {
            q.row.iter_mut().chain(q.col.iter_mut()).for_each(fix);
        }
    }
    Ok(Compiled { unknowns, inst, elem_map, pattern, n_states, charge_slots, state_start, models, warnings })
}

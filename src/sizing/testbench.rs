//! The testbench: the deck compiled once, one simulator per corner and worker (clones of the
//! compiled one, moved to their corner by `set_models` and `set_temperature`), the parameter
//! mapping (gm/Id -> W, L, W, `.param` values) and the measurements.
//!
//! A candidate is re-sized with `set_mos_size_of` and `set_param`; the deck is never parsed
//! again. Every `.op` starts from the same point at a corner (zero, `testbench.op_start: cold`,
//! the default, or the initial design's operating point, `seeded`), so a result depends only on
//! the candidate and the corner, not on which pooled simulator ran it (same seed, same result
//! under rayon).

use super::coords::Coordinates;
use super::measure::{self, Measurement, Needs, Results};
use super::problem::{CornerDef, IdSpec, OpStart, Optimization, ParamKind, ProblemError, ProblemFile};
use super::widths::{self, DeviceType};
use insitu_netlist::expr::{eval_simple, parse_expr, Expr};
use insitu_netlist::{Analysis, ElementKind, Model, ModelKind};
use insitu_solver::measure::Kind;
use insitu_solver::{ElementHandle, Simulator};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// The simulators of one corner.
#[derive(Debug)]
struct Pool {
    /// `tt_27`.
    label: String,
    /// Idle simulators already at the corner.
    idle: Mutex<Vec<Simulator>>,
    /// What a new one is cloned from: the compiled simulator at the corner, its `.op` seeded
    /// with the initial design's under `op_start: seeded` (made once, by whichever worker
    /// needs it first; it depends on nothing else).
    template: OnceLock<Result<Simulator, String>>,
}

/// A device group resolved against the deck.
#[derive(Debug, Clone)]
struct Group {
    name: String,
    handles: Vec<ElementHandle>,
    dtype: DeviceType,
    /// W and L as written in the deck (first device).
    w0: f64,
    l0: f64,
}

/// One corner's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CornerResult {
    /// `tt_27`.
    pub corner: String,
    /// Measurement values in problem order (`None` when it could not be measured).
    pub values: Vec<Option<f64>>,
    /// Why a measurement or the simulation failed (first reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Simulator wall time, seconds.
    pub seconds: f64,
}

/// What the parameters mean for the deck at one corner.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Sizing {
    /// (group, W, L) per device group.
    pub devices: Vec<(String, f64, f64)>,
    /// `.param` values written.
    pub params: Vec<(String, f64)>,
    /// Derived values for the report: `W_<group>`, `Id_<group>`.
    pub derived: Vec<(String, f64)>,
}

/// The compiled testbench of a problem.
pub struct Testbench {
    pub problem: Optimization,
    /// Folder of the problem file (the deck path is relative to it).
    pub dir: PathBuf,
    /// The deck path as resolved.
    pub deck_path: PathBuf,
    base: Simulator,
    groups: Vec<Group>,
    /// Corner label -> model cards.
    corner_cards: Vec<(String, Vec<Model>)>,
    /// The simulators of each corner.
    pools: Vec<Pool>,
    measurements: Vec<Measurement>,
    needs: Needs,
    /// Deck analyses to run, in deck order.
    analyses: Vec<Analysis>,
    /// `.param` names the measurement expressions read.
    /// The deck's `.meas` cards.
    deck_measures: Vec<insitu_netlist::measure::Measure>,
    id_exprs: Vec<Option<Expr>>,
}

fn field_err(file: &str, field: impl Into<String>, message: impl Into<String>) -> ProblemError {
    ProblemError { file: file.to_string(), field: field.into(), message: message.into() }
}

/// True when a flat element name is `dev` or a subcircuit copy of it (`x1.m1` for `m1`).
fn matches_device(flat: &str, dev: &str) -> bool {
    let dev = dev.to_ascii_lowercase();
    flat == dev || flat.ends_with(&format!(".{dev}"))
}

impl Testbench {
    /// Reads a problem file, then its deck, and compiles the testbench.
    pub fn from_file(path: &Path) -> Result<Testbench, ProblemError> {
        let p = ProblemFile::read(path)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Testbench::new(p.optimization, &dir, &path.display().to_string())
    }

    /// Compiles a validated problem; `dir` resolves the deck path, `file` names errors.
    pub fn new(problem: Optimization, dir: &Path, file: &str) -> Result<Testbench, ProblemError> {
        let deck_path = dir.join(&problem.testbench.deck);
        let circuit = insitu_pdk::load_deck(&deck_path)
            .map_err(|e| field_err(file, "testbench.deck", format!("{}: {e}", deck_path.display())))?;
        let mut groups = Vec::new();
        for (g, devs) in problem.devices.iter() {
            let mut handles = Vec::new();
            let mut dtype = None;
            let (mut w0, mut l0) = (0.0, 0.0);
            for (j, d) in devs.iter().enumerate() {
                let found: Vec<usize> =
                    (0..circuit.elements.len()).filter(|&e| matches_device(&circuit.elements[e].name, d)).collect();
                if found.is_empty() {
                    return Err(field_err(
                        file,
                        format!("devices.{g}[{j}]"),
                        format!("unknown device '{d}': no element of that name in {}", deck_path.display()),
                    ));
                }
                for e in found {
                    let el = &circuit.elements[e];
                    let ElementKind::Mosfet { model, geom, .. } = &el.kind else {
                        return Err(field_err(
                            file,
                            format!("devices.{g}[{j}]"),
                            format!("'{}' is not a MOSFET", el.name),
                        ));
                    };
                    let t = if circuit.models[*model].kind == ModelKind::Pmos {
                        DeviceType::Pmos
                    } else {
                        DeviceType::Nmos
                    };
                    if *dtype.get_or_insert(t) != t {
                        return Err(field_err(file, format!("devices.{g}"), "a group mixes NMOS and PMOS devices"));
                    }
                    if handles.is_empty() {
                        w0 = geom.w;
                        l0 = geom.l;
                    }
                    handles.push(ElementHandle(e));
                }
            }
            groups.push(Group { name: g.clone(), handles, dtype: dtype.unwrap_or(DeviceType::Nmos), w0, l0 });
        }
        let mut id_exprs = Vec::new();
        for (i, p) in problem.parameters.iter().enumerate() {
            let f = format!("parameters[{i}] ({})", p.name);
            if matches!(p.kind, ParamKind::Comp | ParamKind::Param) {
                let name = p.param.as_deref().unwrap_or(&p.name).to_ascii_lowercase();
                if circuit.param(&name).is_none() {
                    return Err(field_err(
                        file,
                        format!("{f}.param"),
                        format!("the deck has no .param '{name}' to write"),
                    ));
                }
            }
            id_exprs.push(match &p.id {
                Some(IdSpec::Expr(s)) => Some(
                    parse_expr(&s.to_ascii_lowercase())
                        .map_err(|(c, m)| field_err(file, format!("{f}.id"), format!("column {}: {m}", c + 1)))?,
                ),
                Some(IdSpec::Value(v)) => Some(Expr::Num(*v)),
                None => None,
            });
        }
        let mut measurements = Vec::new();
        let mut needs = Needs::default();
        for (name, def) in problem.measurements.iter() {
            let which = if def.expr.is_some() { "expr" } else { "meas" };
            let m = Measurement::compile(name, def, Some(&circuit.measures))
                .map_err(|e| field_err(file, format!("measurements.{name}.{which}"), e))?;
            needs = measure::union(needs, m.needs());
            measurements.push(m);
        }
        let mut analyses = Vec::new();
        for a in &circuit.analyses {
            let want = match a {
                Analysis::Op => false,
                Analysis::Dc { .. } => needs.dc || needs.any_sweep,
                Analysis::Ac { .. } => needs.ac || needs.any_sweep,
                Analysis::Tran { .. } => needs.tran || needs.any_sweep,
                Analysis::Noise { .. } => needs.noise || needs.any_sweep,
            };
            if want && !analyses.iter().any(|b| std::mem::discriminant(b) == std::mem::discriminant(a)) {
                analyses.push(a.clone());
            }
        }
        for (kind, need, has) in [
            ("dc", needs.dc, analyses.iter().any(|a| matches!(a, Analysis::Dc { .. }))),
            ("ac", needs.ac, analyses.iter().any(|a| matches!(a, Analysis::Ac { .. }))),
            ("tran", needs.tran, analyses.iter().any(|a| matches!(a, Analysis::Tran { .. }))),
            ("noise", needs.noise, analyses.iter().any(|a| matches!(a, Analysis::Noise { .. }))),
        ] {
            if need && !has {
                let m = measurements.iter().find(|m| {
                    let n = m.needs();
                    match kind {
                        "dc" => n.dc,
                        "ac" => n.ac,
                        "tran" => n.tran,
                        _ => n.noise,
                    }
                });
                return Err(field_err(
                    file,
                    format!("measurements.{}", m.map_or("?", |m| m.name.as_str())),
                    format!("needs a .{kind} analysis, and the deck has none"),
                ));
            }
        }
        let deck_measures = circuit.measures.clone();
        let lib = problem.testbench.pdk.clone();
        let mut corner_cards = Vec::new();
        for (phase, cs) in problem.corners.iter() {
            for (j, c) in cs.iter().enumerate() {
                if corner_cards.iter().any(|(k, _): &(String, Vec<Model>)| *k == c.model) {
                    continue;
                }
                let cards = insitu_pdk::corner_models(&lib, &c.model)
                    .map_err(|e| field_err(file, format!("corners.{phase}[{j}].model"), e.to_string()))?;
                corner_cards.push((c.model.clone(), cards));
            }
        }
        let mut base = Simulator::new(circuit).map_err(|e| field_err(file, "testbench.deck", e.to_string()))?;
        // The transient computes only the blocks of the circuit its measurements read (a
        // testbench's open-loop AC copy is at rest through the step). Unknown signals leave
        // the whole circuit computed: their measurement then fails by name.
        let tran_signals =
            measurements.iter().filter(|m| m.needs().tran || m.needs().any_sweep).try_fold(Vec::new(), |mut acc, m| {
                acc.extend(m.signals(Kind::Tran)?);
                Some(acc)
            });
        if let Some(sig) = tran_signals.filter(|s| needs.tran && !s.is_empty()) {
            let refs: Vec<&str> = sig.iter().map(String::as_str).collect();
            // On an error the scope stays unset.
            let _ = base.set_transient_scope(Some(&refs));
        }
        let mut pools = Vec::new();
        for (_, cs) in problem.corners.iter() {
            for c in cs {
                if !pools.iter().any(|p: &Pool| p.label == c.label()) {
                    pools.push(Pool { label: c.label(), idle: Mutex::new(Vec::new()), template: OnceLock::new() });
                }
            }
        }
        let tb = Testbench {
            problem,
            dir: dir.to_path_buf(),
            deck_path,
            base,
            groups,
            corner_cards,
            pools,
            measurements,
            needs,
            analyses,
            deck_measures,
            id_exprs,
        };
        // The init point must map to sizes (catches bad id expressions early).
        let init = tb.init();
        let c0 = tb.problem.corners.0[0].1[0].clone();
        tb.sizing(&init, &c0).map_err(|e| field_err(file, "parameters", e))?;
        Ok(tb)
    }

    /// Compile-time warnings of the testbench deck (see `Simulator::warnings`).
    pub fn warnings(&self) -> &[insitu_solver::Warning] {
        self.base.warnings()
    }

    /// Names of the measurements, in problem order.
    pub fn measurement_names(&self) -> Vec<&str> {
        self.measurements.iter().map(|m| m.name.as_str()).collect()
    }

    /// Lower bounds of the parameters.
    pub fn lower(&self) -> Vec<f64> {
        self.problem.parameters.iter().map(|p| p.range[0]).collect()
    }

    /// Upper bounds of the parameters.
    pub fn upper(&self) -> Vec<f64> {
        self.problem.parameters.iter().map(|p| p.range[1]).collect()
    }

    /// The init point.
    pub fn init(&self) -> Vec<f64> {
        self.problem.parameters.iter().map(|p| p.init).collect()
    }

    /// The map between the optimizer's unit box and the parameters' ranges.
    pub fn coordinates(&self) -> Coordinates {
        Coordinates::new(&self.problem.parameters)
    }

    /// The init point in the optimizer's unit coordinates.
    pub fn unit_init(&self) -> Vec<f64> {
        self.coordinates().to_unit(&self.init())
    }

    /// Number of phases.
    pub fn phases(&self) -> usize {
        self.problem.corners.len()
    }

    /// Corners of phase `k` (1-based).
    pub fn corners(&self, phase: usize) -> &[CornerDef] {
        &self.problem.corners.0[phase.clamp(1, self.phases()) - 1].1
    }

    /// Makes the gm/Id tables of every corner of `phase` that the gmid parameters need, one
    /// after the other (each generation is itself parallel). Call it before evaluating
    /// candidates in parallel: the table cache generates outside its lock, so parallel
    /// candidates meeting a new corner would each generate the same table (measured: table
    /// generation was 40 % of the Miller loop's time, half of it duplicated). Cheap once made.
    pub fn warm(&self, phase: usize) {
        let ps = &self.problem.parameters;
        for c in self.corners(phase) {
            for g in &self.groups {
                if ps.iter().any(|p| p.kind == ParamKind::Gmid && p.device.as_deref() == Some(&g.name)) {
                    // An error here is reported by the candidate's own sizing.
                    let (vds, vsb) = widths::sizing_bias(&self.problem.testbench.pdk);
                    let _ = insitu_pdk::gmid::sizing_table_at(
                        &self.problem.testbench.pdk,
                        &c.model,
                        c.temp,
                        g.dtype,
                        vds,
                        vsb,
                    );
                }
            }
        }
    }

    /// Maps a parameter vector to device sizes and `.param` values at a corner.
    pub fn sizing(&self, x: &[f64], corner: &CornerDef) -> Result<Sizing, String> {
        let ps = &self.problem.parameters;
        if x.len() != ps.len() {
            return Err(format!("expected {} parameter values, got {}", ps.len(), x.len()));
        }
        let mut s = Sizing::default();
        for (p, v) in ps.iter().zip(x) {
            if matches!(p.kind, ParamKind::Comp | ParamKind::Param) {
                s.params.push((p.param.as_deref().unwrap_or(&p.name).to_ascii_lowercase(), *v));
            }
        }
        let lookup = |n: &str| -> Option<f64> {
            ps.iter()
                .zip(x)
                .find(|(p, _)| p.name.eq_ignore_ascii_case(n))
                .map(|(_, v)| *v)
                .or_else(|| s.params.iter().find(|(k, _)| k == n).map(|(_, v)| *v))
                .or_else(|| self.base.param(n))
        };
        for g in &self.groups {
            let find =
                |k: ParamKind| ps.iter().zip(x).position(|(p, _)| p.kind == k && p.device.as_deref() == Some(&g.name));
            let l = find(ParamKind::L).map_or(g.l0, |i| x[i]);
            let mut w = find(ParamKind::W).map_or(g.w0, |i| x[i]);
            if let Some(i) = find(ParamKind::Gmid) {
                let e = self.id_exprs[i].as_ref().ok_or("gmid parameter without id")?;
                let id = eval_simple(e, &lookup).map_err(|m| format!("{}.id: {m}", ps[i].name))?;
                if !(id.is_finite() && id > 0.0) {
                    return Err(format!("{}: drain current {id} A is not positive", ps[i].name));
                }
                let (vds, vsb) = widths::sizing_bias(&self.problem.testbench.pdk);
                w = widths::width_for(
                    &self.problem.testbench.pdk,
                    &corner.model,
                    corner.temp,
                    g.dtype,
                    x[i],
                    l,
                    id,
                    vds,
                    vsb,
                )?;
                s.derived.push((format!("Id_{}", g.name), id));
                s.derived.push((format!("W_{}", g.name), w));
            }
            if !(w.is_finite() && w > 0.0 && l.is_finite() && l > 0.0) {
                return Err(format!("group {}: W={w} L={l} is not a valid size", g.name));
            }
            s.devices.push((g.name.clone(), w, l));
        }
        Ok(s)
    }

    fn take_sim(&self, corner: &CornerDef) -> Result<Simulator, String> {
        let label = corner.label();
        let pool = self.pools.iter().find(|p| p.label == label).ok_or("unknown corner")?;
        if let Some(s) = pool.idle.lock().map_err(|_| "poisoned pool")?.pop() {
            return Ok(s);
        }
        pool.template.get_or_init(|| self.corner_template(corner)).clone()
    }

    /// The compiled simulator moved to `corner`; under `op_start: seeded`, its `.op` seeded
    /// with the initial design's there (left cold when that one does not converge), and its
    /// AC pivot plan with that of the initial design's analyses.
    fn corner_template(&self, corner: &CornerDef) -> Result<Simulator, String> {
        let mut sim = self.base.clone();
        let cards = &self.corner_cards.iter().find(|(k, _)| *k == corner.model).ok_or("unknown corner model")?.1;
        sim.set_models(cards).map_err(|e| e.to_string())?;
        sim.set_temperature(corner.temp).map_err(|e| e.to_string())?;
        if self.problem.testbench.op_start == OpStart::Seeded {
            // The analyses first (their results, and failures, are not kept): the last
            // AC-type one leaves the pivot plan `set_op_seed` keeps beside the op's.
            let seeded = self.sizing(&self.init(), corner).and_then(|s| {
                self.apply(&mut sim, &s)?;
                let _ = self.simulate(&mut sim, &s);
                Ok(())
            });
            if seeded.is_ok() && sim.op().is_ok() {
                sim.set_op_seed().map_err(|e| e.to_string())?;
            }
        }
        Ok(sim)
    }

    fn give_back(&self, corner: &CornerDef, sim: Simulator) {
        let label = corner.label();
        if let Some(pool) = self.pools.iter().find(|p| p.label == label) {
            if let Ok(mut p) = pool.idle.lock() {
                p.push(sim);
            }
        }
    }

    /// Simulates one candidate at one corner and measures it.
    pub fn run_corner(&self, x: &[f64], corner: &CornerDef) -> (CornerResult, Sizing) {
        let t = Instant::now();
        let n = self.measurements.len();
        let fail = |e: String, t: Instant| CornerResult {
            corner: corner.label(),
            values: vec![None; n],
            error: Some(e),
            seconds: t.elapsed().as_secs_f64(),
        };
        let sizing = match self.sizing(x, corner) {
            Ok(s) => s,
            Err(e) => return (fail(e, t), Sizing::default()),
        };
        let mut sim = match self.take_sim(corner) {
            Ok(s) => s,
            Err(e) => return (fail(e, t), sizing),
        };
        let out = self.simulate(&mut sim, &sizing);
        let measured = out.map(|res| self.measure(&res, Some(&sim)));
        self.give_back(corner, sim);
        let (values, error) = match measured {
            Ok(r) => r,
            Err(e) => return (fail(e, t), sizing),
        };
        (CornerResult { corner: corner.label(), values, error, seconds: t.elapsed().as_secs_f64() }, sizing)
    }

    /// Evaluates every measurement on one corner's results: values in problem order and the
    /// first failure reason.
    /// `sim` is the simulator that produced them, when in process (device quantities, area).
    pub fn measure(&self, res: &Results, sim: Option<&Simulator>) -> (Vec<Option<f64>>, Option<String>) {
        let mut error = None;
        let values = self
            .measurements
            .iter()
            .map(|m| match m.eval(res, sim, &self.deck_measures) {
                Ok(v) => Some(v),
                Err(e) => {
                    error.get_or_insert_with(|| format!("{}: {e}", m.name));
                    None
                }
            })
            .collect();
        (values, error)
    }

    /// The named values expressions may read: the deck's top-level `.param`s as sized, then
    /// the sizing parameters by their problem-file names.
    pub fn param_values(&self, s: &Sizing) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = self
            .base
            .circuit()
            .params
            .globals()
            .map(|(k, v)| (k.to_string(), s.params.iter().find(|(n, _)| n == k).map_or(v, |x| x.1)))
            .collect();
        out.extend(s.params.iter().cloned());
        for (g, w, l) in &s.devices {
            out.push((format!("w_{g}"), *w));
            out.push((format!("l_{g}"), *l));
        }
        out
    }

    /// Writes a sizing's `.param` values and device sizes into `sim`.
    fn apply(&self, sim: &mut Simulator, s: &Sizing) -> Result<(), String> {
        for (name, v) in &s.params {
            sim.set_param(name, *v).map_err(|e| e.to_string())?;
        }
        for ((_, w, l), g) in s.devices.iter().zip(&self.groups) {
            for h in &g.handles {
                sim.set_mos_size_of(*h, *w, *l).map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    fn simulate(&self, sim: &mut Simulator, s: &Sizing) -> Result<Results, String> {
        self.apply(sim, s)?;
        let mut r = Results::default();
        if self.needs.op {
            r.datasets.push(sim.op_dataset().map_err(|e| format!("op: {e}"))?);
        }
        for a in &self.analyses {
            r.datasets.push(sim.run_analysis(a).map_err(|e| e.to_string())?);
        }
        r.values = self.param_values(s);
        Ok(r)
    }

    /// Where one corner evaluation's time goes (the bench's breakdown): seconds spent mapping
    /// the parameters to sizes (gm/Id width lookups), re-sizing the compiled simulator, and in
    /// each analysis (`op`, then the deck's, by name), and measuring, in that order.
    pub fn stage_seconds(&self, x: &[f64], corner: &CornerDef) -> Result<Vec<(String, f64)>, String> {
        let mut out = Vec::new();
        let mut t = Instant::now();
        let mut lap = |name: &str, out: &mut Vec<(String, f64)>| {
            out.push((name.to_string(), t.elapsed().as_secs_f64()));
            t = Instant::now();
        };
        let s = self.sizing(x, corner)?;
        lap("sizing", &mut out);
        let mut sim = self.take_sim(corner)?;
        self.apply(&mut sim, &s)?;
        lap("resize", &mut out);
        let mut r = Results::default();
        if self.needs.op {
            r.datasets.push(sim.op_dataset().map_err(|e| format!("op: {e}"))?);
            lap("op", &mut out);
        }
        for a in &self.analyses {
            r.datasets.push(sim.run_analysis(a).map_err(|e| e.to_string())?);
            let name = match a {
                Analysis::Op => "op",
                Analysis::Dc { .. } => "dc",
                Analysis::Ac { .. } => "ac",
                Analysis::Tran { .. } => "tran",
                Analysis::Noise { .. } => "noise",
            };
            lap(name, &mut out);
        }
        r.values = self.param_values(&s);
        let _ = self.measure(&r, Some(&sim));
        lap("measure", &mut out);
        self.give_back(corner, sim);
        Ok(out)
    }

    /// Simulates one candidate at every corner of `phase`, corners in parallel.
    pub fn evaluate(&self, x: &[f64], phase: usize) -> Vec<(CornerResult, Sizing)> {
        self.corners(phase).par_iter().map(|c| self.run_corner(x, c)).collect()
    }

    /// A batch of candidates at `phase`, candidates and corners in parallel (rayon).
    pub fn evaluate_batch(&self, xs: &[Vec<f64>], phase: usize) -> Vec<Vec<(CornerResult, Sizing)>> {
        self.warm(phase);
        xs.par_iter().map(|x| self.evaluate(x, phase)).collect()
    }

    /// The compiled (unsized) simulator, for tools that need the circuit.
    pub fn simulator(&self) -> &Simulator {
        &self.base
    }

    /// A simulator at `corner` with candidate `x` applied and its analyses run: the datasets
    /// (for plots and the ngspice comparison).
    pub fn datasets(&self, x: &[f64], corner: &CornerDef) -> Result<Vec<insitu_solver::Dataset>, String> {
        let s = self.sizing(x, corner)?;
        let mut sim = self.take_sim(corner)?;
        let r = self.simulate(&mut sim, &s);
        self.give_back(corner, sim);
        let r = r?;
        Ok(r.datasets)
    }
}

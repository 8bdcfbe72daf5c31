//! The problem file (JSON, the sizing workflow's format) and its validation.
//!
//! [`ProblemFile::from_json`] parses with serde (unknown fields are errors); [`Problem::load`]
//! also checks the meaning (ranges, specs, measurements, corners, devices against the deck) and
//! names the offending field in every error, e.g. `specs.gain_db: needs min, max or target`.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::path::{Path, PathBuf};

/// A JSON object kept in file order (specs, measurements and phases print in the order written).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T> Ordered<T> {
    /// The entry named `k`.
    pub fn get(&self, k: &str) -> Option<&T> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v)
    }
    /// Entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &T)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, T>()? {
                    if out.iter().any(|(n, _): &(String, T)| *n == k) {
                        return Err(serde::de::Error::custom(format!("duplicate key '{k}'")));
                    }
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// The whole file: `{"optimization": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemFile {
    pub optimization: Optimization,
}

/// The problem definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Optimization {
    pub testbench: TestbenchSpec,
    /// Device groups: a name -> the deck's MOSFETs it sizes. A MOSFET name matches the element
    /// of that name and every subcircuit copy of it (`m1` sizes `x1.m1` and `x2.m1`).
    #[serde(default)]
    pub devices: Ordered<Vec<String>>,
    pub parameters: Vec<ParamSpec>,
    pub specs: Ordered<SpecDef>,
    pub measurements: Ordered<MeasurementDef>,
    /// Phases `phase1`, `phase2`, ... -> corners evaluated in that phase.
    pub corners: Ordered<Vec<CornerDef>>,
    #[serde(default)]
    pub budget: Budget,
    #[serde(default)]
    pub algorithm: AlgorithmDef,
    /// `standard` (default) or the bandgap variant.
    #[serde(default)]
    pub scoring: Scoring,
}

/// The deck and its process library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestbenchSpec {
    /// Deck path, relative to the problem file.
    pub deck: PathBuf,
    /// Built-in library whose corners the phases name (`generic180`, `generic65`, `generic-l1`).
    pub pdk: String,
    /// Where each candidate's operating point starts Newton (default `cold`, as ngspice).
    #[serde(default, skip_serializing_if = "OpStart::is_default")]
    pub op_start: OpStart,
}

/// The start of a candidate's operating point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpStart {
    /// From zero, as ngspice does (gmin and source stepping when Newton fails): a circuit
    /// with several operating points (a bandgap's zero-current state) lands where ngspice's
    /// lands.
    #[default]
    #[serde(rename = "cold")]
    Cold,
    /// From the operating point of the initial design at the same corner
    /// (`Simulator::set_op_seed`), falling back to the cold procedure: the same answer for a
    /// candidate whichever worker runs it, in a few Newton iterations instead of gmin
    /// stepping. For circuits with one operating point (op-amps).
    #[serde(rename = "seeded")]
    Seeded,
}

impl OpStart {
    fn is_default(&self) -> bool {
        *self == OpStart::default()
    }
}

/// A parameter's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamKind {
    /// gm/Id (1/V), converted to W through the device's gm/Id table.
    #[serde(rename = "gmid")]
    Gmid,
    /// Channel length of a device group (m).
    #[serde(rename = "L")]
    L,
    /// Width of a device group (m).
    #[serde(rename = "W")]
    W,
    /// A compensation element's value, written to a deck `.param`.
    #[serde(rename = "comp")]
    Comp,
    /// Any other deck `.param`.
    #[serde(rename = "param")]
    Param,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamKind,
    /// Device group (gmid, L, W).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Drain current of one device of the group (gmid): a number or an expression of the deck's
    /// `.param`s and the other parameters, e.g. `"Ibias/2"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<IdSpec>,
    /// The deck `.param` written (comp, param); default: the parameter's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    pub range: Vec<f64>,
    pub init: f64,
    /// How the optimizer searches the range (default: [`Scale::Log`] when the range is positive
    /// and `max/min >= `[`LOG_RATIO`], else linear).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// A discrete space: the allowed values (increasing, inside `range`). Used by grid
    /// optimizers (`bagnet`); see [`ParamSpec::grid`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    /// A discrete space: `range[0]`, `range[0] + step`, ... up to `range[1]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
}

/// Points of the grid derived for a continuous parameter (no `values` or `step`).
pub const DERIVED_GRID_POINTS: usize = 64;

/// Range ratio `max/min` from which a positive parameter is searched in log coordinates by
/// default.
pub const LOG_RATIO: f64 = 10.0;

/// The coordinate a parameter is searched in: the optimizer sees the unit box, mapped to the
/// range linearly or logarithmically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    Linear,
    Log,
}

impl ParamSpec {
    /// True when the parameter is searched in log coordinates: `"scale": "log"`, or no scale
    /// and a positive range with `max/min >= `[`LOG_RATIO`].
    pub fn log_scaled(&self) -> bool {
        match self.scale {
            Some(s) => s == Scale::Log,
            None => self.range.len() == 2 && self.range[0] > 0.0 && self.range[1] / self.range[0] >= LOG_RATIO,
        }
    }

    /// The parameter's discrete space, increasing: its `values`; or `range[0]` in steps of
    /// `step` up to `range[1]`; or, for a continuous parameter, [`DERIVED_GRID_POINTS`] points
    /// spanning the range, log-spaced when the parameter is searched in log coordinates
    /// ([`ParamSpec::log_scaled`]), else evenly spaced.
    pub fn grid(&self) -> Vec<f64> {
        let (lo, hi) = (self.range[0], self.range[1]);
        if let Some(v) = &self.values {
            return v.clone();
        }
        if let Some(st) = self.step {
            let n = ((hi - lo) / st * (1.0 + 1e-9)).floor() as usize;
            return (0..=n).map(|k| lo + k as f64 * st).collect();
        }
        let n = DERIVED_GRID_POINTS;
        if self.log_scaled() {
            let (a, b) = (lo.ln(), hi.ln());
            // Ends exact (exp(ln(x)) need not return x).
            (0..n)
                .map(|k| match k {
                    0 => lo,
                    k if k + 1 == n => hi,
                    k => (a + (b - a) * k as f64 / (n - 1) as f64).exp(),
                })
                .collect()
        } else {
            (0..n).map(|k| if k + 1 == n { hi } else { lo + (hi - lo) * k as f64 / (n - 1) as f64 }).collect()
        }
    }
}

/// A drain current: a value or an expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdSpec {
    Value(f64),
    Expr(String),
}

/// A spec: hard bounds `min`/`max`, a `target` that matters once feasible, its `weight`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

/// A measurement: an expression over an analysis, a `.meas` of the deck, or a named spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurementDef {
    /// `op`, `dc`, `ac`, `tran` or `noise` (also the workflow's `dcOp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meas: Option<String>,
}

/// A corner: a section of the PDK and a temperature (degrees Celsius).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CornerDef {
    pub model: String,
    pub temp: f64,
}

impl CornerDef {
    /// `tt_27`, `ff_m40`.
    pub fn label(&self) -> String {
        let t = if self.temp.fract() == 0.0 {
            format!("{}", self.temp.abs() as i64)
        } else {
            format!("{}", self.temp.abs())
        };
        format!("{}_{}{}", self.model, if self.temp < 0.0 { "m" } else { "" }, t)
    }
}

/// Stop conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Candidates evaluated, initial design included.
    #[serde(default = "default_iterations")]
    pub max_iterations: usize,
    /// Wall-clock limit of the whole run, minutes.
    #[serde(default = "default_minutes")]
    pub max_sim_time_min: f64,
    /// Whether 5 iterations without improvement in the last phase end the run (the workflow's
    /// rule). Default: yes when the problem has several phases, no for a single phase (the run
    /// then goes on to the budget unless it converges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_on_stall: Option<bool>,
}

fn default_iterations() -> usize {
    200
}
fn default_minutes() -> f64 {
    10.0
}

impl Default for Budget {
    fn default() -> Self {
        Self { max_iterations: default_iterations(), max_sim_time_min: default_minutes(), stop_on_stall: None }
    }
}

/// The optimizer and its seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlgorithmDef {
    #[serde(default = "default_algo")]
    pub name: String,
    #[serde(default)]
    pub seed: u64,
    /// Size of the initial design (Latin hypercube; the init point is its first member).
    #[serde(default = "default_initial")]
    pub initial_samples: usize,
}

/// The default optimizer, chosen from `sizing_bench`'s 10-seed wall-clock table (see the
/// README): with log coordinates TRACE reached the lowest median cost after 30 s on the Miller
/// problem and tied MACE for the best gain, with the smallest spread, on the paper problem.
fn default_algo() -> String {
    "trace".into()
}
fn default_initial() -> usize {
    20
}

impl Default for AlgorithmDef {
    fn default() -> Self {
        Self { name: default_algo(), seed: 0, initial_samples: default_initial() }
    }
}

/// Which cost function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Scoring {
    /// The workflow's general scoring (see [`crate::sizing::scoring`]).
    #[default]
    Standard,
    /// The workflow's bandgap variant: the named specs play Vbg, PSRR and TC.
    Bandgap {
        vbg: String,
        psrr: String,
        tc: String,
        #[serde(default = "one")]
        w_vbg: f64,
        #[serde(default = "half")]
        w_psrr: f64,
        #[serde(default = "w_tc")]
        w_tc: f64,
    },
}

fn half() -> f64 {
    0.5
}
fn w_tc() -> f64 {
    0.3
}

/// A problem-file error: the field path and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {field}: {message}")]
pub struct ProblemError {
    /// The problem file.
    pub file: String,
    /// Dotted path of the field, e.g. `parameters[2].range` or `specs.gain_db`.
    pub field: String,
    pub message: String,
}

/// Parameter names and kinds checked against each other and the devices; the deck checks
/// (device names, `.param`s, `.meas`) happen in [`crate::sizing::Testbench::new`].
impl ProblemFile {
    /// Parses JSON text; `file` names the source in errors.
    pub fn from_json(text: &str, file: &str) -> Result<ProblemFile, ProblemError> {
        let p: ProblemFile = serde_json::from_str(text).map_err(|e| ProblemError {
            file: file.to_string(),
            field: format!("line {} column {}", e.line(), e.column()),
            message: e.to_string(),
        })?;
        p.validate(file)?;
        Ok(p)
    }

    /// Reads and parses a file.
    pub fn read(path: &Path) -> Result<ProblemFile, ProblemError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ProblemError {
            file: file.clone(),
            field: "(file)".into(),
            message: e.to_string(),
        })?;
        Self::from_json(&text, &file)
    }

    /// Checks what can be checked without the deck.
    pub fn validate(&self, file: &str) -> Result<(), ProblemError> {
        let err = |field: String, message: String| Err(ProblemError { file: file.to_string(), field, message });
        let o = &self.optimization;
        let lib = o.testbench.pdk.as_str();
        if insitu_pdk::library_text(lib).is_none() {
            return err(
                "testbench.pdk".into(),
                format!("unknown library '{lib}' (built-in: {})", insitu_pdk::LIBRARIES.join(", ")),
            );
        }
        for (g, devs) in o.devices.iter() {
            if devs.is_empty() {
                return err(format!("devices.{g}"), "empty device group".into());
            }
        }
        if o.parameters.is_empty() {
            return err("parameters".into(), "no parameters to size".into());
        }
        for (i, p) in o.parameters.iter().enumerate() {
            let f = |s: &str| format!("parameters[{i}] ({}).{s}", p.name);
            if o.parameters[..i].iter().any(|q| q.name == p.name) {
                return err(f("name"), format!("duplicate parameter name '{}'", p.name));
            }
            if p.range.len() != 2 || !p.range.iter().all(|v| v.is_finite()) {
                return err(f("range"), "expected [low, high], two finite numbers".into());
            }
            let (lo, hi) = (p.range[0], p.range[1]);
            if lo >= hi {
                return err(f("range"), format!("empty range [{lo}, {hi}]: low must be below high"));
            }
            if !(lo..=hi).contains(&p.init) {
                return err(f("init"), format!("init {} is outside the range [{lo}, {hi}]", p.init));
            }
            if p.scale == Some(Scale::Log) && lo <= 0.0 {
                return err(f("scale"), format!("log scale needs a positive range, got [{lo}, {hi}]"));
            }
            match (&p.values, p.step) {
                (Some(_), Some(_)) => return err(f("step"), "give either values or step, not both".into()),
                (Some(v), None) => {
                    if v.is_empty() || !v.iter().all(|x| x.is_finite()) {
                        return err(f("values"), "expected a non-empty list of finite numbers".into());
                    }
                    if let Some(w) = v.windows(2).find(|w| w[0] >= w[1]) {
                        return err(f("values"), format!("values must increase ({} then {})", w[0], w[1]));
                    }
                    if let Some(x) = v.iter().find(|x| !(lo..=hi).contains(*x)) {
                        return err(f("values"), format!("value {x} is outside the range [{lo}, {hi}]"));
                    }
                }
                (None, Some(st)) => {
                    if !(st.is_finite() && st > 0.0) {
                        return err(f("step"), format!("expected a positive step, got {st}"));
                    }
                    if (hi - lo) / st > 1e6 {
                        return err(f("step"), format!("step {st} makes more than 1e6 values over [{lo}, {hi}]"));
                    }
                }
                (None, None) => {}
            }
            let needs_device = matches!(p.kind, ParamKind::Gmid | ParamKind::L | ParamKind::W);
            match (&p.device, needs_device) {
                (None, true) => return err(f("device"), "a gmid, L or W parameter needs a device group".into()),
                (Some(_), false) => {
                    return err(
                        f("device"),
                        "only gmid, L and W parameters size devices (comp/param write a .param)".into(),
                    )
                }
                (Some(d), true) if o.devices.get(d).is_none() => {
                    let known: Vec<&str> = o.devices.iter().map(|(k, _)| k.as_str()).collect();
                    return err(f("device"), format!("unknown device group '{d}' (devices: {})", known.join(", ")));
                }
                _ => {}
            }
            if p.kind == ParamKind::Gmid {
                if p.id.is_none() {
                    return err(
                        f("id"),
                        "a gmid parameter needs the drain current `id` (a number or expression)".into(),
                    );
                }
                if lo <= 0.0 {
                    return err(f("range"), "gm/Id must be positive".into());
                }
            } else if p.id.is_some() {
                return err(f("id"), "only gmid parameters take a drain current".into());
            }
            if matches!(p.kind, ParamKind::L | ParamKind::W) && lo <= 0.0 {
                return err(f("range"), "device sizes must be positive".into());
            }
            if needs_device {
                let d = p.device.as_deref().unwrap_or_default();
                if let Some(q) = o.parameters[..i].iter().find(|q| q.kind == p.kind && q.device.as_deref() == Some(d)) {
                    return err(
                        f("device"),
                        format!("group '{d}' already has a {:?} parameter ('{}')", p.kind, q.name),
                    );
                }
            }
        }
        for (g, _) in o.devices.iter() {
            let sized = o.parameters.iter().any(|p| p.device.as_deref() == Some(g.as_str()));
            if !sized {
                return err(format!("devices.{g}"), "no parameter sizes this group".into());
            }
        }
        if o.specs.is_empty() {
            return err("specs".into(), "no specs".into());
        }
        for (name, s) in o.specs.iter() {
            let f = format!("specs.{name}");
            if s.min.is_none() && s.max.is_none() && s.target.is_none() {
                return err(f, "a spec needs min, max or target".into());
            }
            for (k, v) in [("min", s.min), ("max", s.max), ("target", s.target)] {
                if let Some(v) = v {
                    if !v.is_finite() {
                        return err(format!("{f}.{k}"), "not a finite number".into());
                    }
                    if v == 0.0 && k != "target" {
                        return err(
                            format!("{f}.{k}"),
                            "a bound of 0 cannot normalize the violation (|bound| divides it)".into(),
                        );
                    }
                    if v == 0.0 {
                        return err(
                            format!("{f}.{k}"),
                            "a target of 0 cannot normalize the cost (|1 - m/target|)".into(),
                        );
                    }
                }
            }
            if let (Some(a), Some(b)) = (s.min, s.max) {
                if a > b {
                    return err(f, format!("min {a} is above max {b}"));
                }
            }
            if !(s.weight.is_finite() && s.weight >= 0.0) {
                return err(format!("{f}.weight"), "expected a non-negative number".into());
            }
            if o.measurements.get(name).is_none() {
                return err(f, format!("unknown measurement '{name}': add it to \"measurements\""));
            }
        }
        for (name, m) in o.measurements.iter() {
            let f = format!("measurements.{name}");
            match (&m.expr, &m.meas) {
                (Some(_), Some(_)) => return err(f, "give either expr or meas, not both".into()),
                (None, None) => return err(f, "needs expr (an expression) or meas (a .meas or named spec)".into()),
                _ => {}
            }
            if let Some(a) = &m.analysis {
                if super::measure::analysis_kind(a).is_none() {
                    return err(format!("{f}.analysis"), format!("unknown analysis '{a}' (op, dc, ac, tran, noise)"));
                }
            }
            if m.expr.is_some() {
                super::measure::Measurement::compile(name, m, None).map_err(|e| ProblemError {
                    file: file.to_string(),
                    field: format!("{f}.expr"),
                    message: e,
                })?;
            }
        }
        if o.corners.is_empty() {
            return err("corners".into(), "no phases (expected phase1, phase2, ...)".into());
        }
        for (i, (phase, cs)) in o.corners.iter().enumerate() {
            let expect = format!("phase{}", i + 1);
            if *phase != expect {
                return err(
                    format!("corners.{phase}"),
                    format!("phases must be named phase1, phase2, ... in order; expected '{expect}'"),
                );
            }
            if cs.is_empty() {
                return err(format!("corners.{phase}"), "a phase needs at least one corner".into());
            }
            for (j, c) in cs.iter().enumerate() {
                if !insitu_pdk::CORNERS.contains(&c.model.as_str()) {
                    return err(
                        format!("corners.{phase}[{j}].model"),
                        format!("unknown corner '{}' ({lib} has {})", c.model, insitu_pdk::CORNERS.join(", ")),
                    );
                }
                if !(-273.15..=500.0).contains(&c.temp) {
                    return err(
                        format!("corners.{phase}[{j}].temp"),
                        format!("temperature {} degC out of range", c.temp),
                    );
                }
            }
        }
        if o.budget.max_iterations == 0 {
            return err("budget.max_iterations".into(), "must be at least 1".into());
        }
        if o.budget.max_sim_time_min.is_nan() || o.budget.max_sim_time_min <= 0.0 {
            return err("budget.max_sim_time_min".into(), "must be positive".into());
        }
        if super::algo::Algorithm::from_name(&o.algorithm.name).is_none() {
            return err(
                "algorithm.name".into(),
                format!("unknown algorithm '{}' ({})", o.algorithm.name, super::algo::Algorithm::NAMES.join(", ")),
            );
        }
        if o.algorithm.initial_samples == 0 {
            return err("algorithm.initial_samples".into(), "must be at least 1".into());
        }
        if let Scoring::Bandgap { vbg, psrr, tc, .. } = &o.scoring {
            if let Some((n, _)) = o.specs.iter().find(|(n, _)| *n != vbg && *n != psrr && *n != tc) {
                return err(
                    format!("specs.{n}"),
                    "the bandgap scoring scores only its vbg, psrr and tc specs; report other quantities as \
                     measurements without a spec"
                        .into(),
                );
            }
            for (k, n) in [("vbg", vbg), ("psrr", psrr), ("tc", tc)] {
                let Some(s) = o.specs.get(n) else {
                    return err(format!("scoring.{k}"), format!("no spec named '{n}'"));
                };
                let ok = match k {
                    "vbg" => s.target.is_some(),
                    "psrr" => s.min.is_some() && s.target.is_some(),
                    _ => s.max.is_some() && s.target.is_some(),
                };
                if !ok {
                    let need = match k {
                        "vbg" => "target",
                        "psrr" => "min and target",
                        _ => "max and target",
                    };
                    return err(format!("specs.{n}"), format!("the bandgap {k} spec needs {need}"));
                }
            }
        }
        Ok(())
    }
}

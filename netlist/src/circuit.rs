//! The elaborated, flat circuit: what the solver compiles.
//!
//! Every number is resolved, every subcircuit is flattened (hierarchical names as ngspice
//! writes them: `x1.m1`, node `x1.n3`), every name is lower case. Parameter expressions stay
//! attached (see [`Circuit::set_param`]) so a re-sized circuit is re-evaluated without re-parsing.

use std::fmt;

/// Index of a node in [`Circuit::nodes`]; `0` is ground.
pub type NodeId = usize;
/// Index of an element in [`Circuit::elements`].
pub type ElementId = usize;
/// Index of a model in [`Circuit::models`].
pub type ModelId = usize;

/// The ground node.
pub const GROUND: NodeId = 0;

/// A flat circuit with resolved numbers.
#[derive(Debug, Clone)]
pub struct Circuit {
    /// The deck's title line.
    pub title: String,
    /// Node names, lower case; `nodes[0]` is `"0"` (ground, also reached by `gnd`).
    pub nodes: Vec<String>,
    /// Flat element list in deck order (subcircuit contents in place of each `X` line).
    pub elements: Vec<Element>,
    /// Models referenced by elements, with hierarchical names when defined inside a subcircuit
    /// (`x1.nch`), plus unused top-level models whose kind and level are supported.
    pub models: Vec<Model>,
    /// Analyses in deck order.
    pub analyses: Vec<Analysis>,
    /// `.options` values.
    pub options: Options,
    /// Circuit temperature in degrees Celsius (`.temp`, or `.options temp`, default 27).
    pub temp: f64,
    /// `.nodeset` initial guesses.
    pub nodesets: Vec<(NodeId, f64)>,
    /// `.ic` initial conditions.
    pub ics: Vec<(NodeId, f64)>,
    /// `.save` and `.print` vector names as written (lower case), for output selection.
    pub saves: Vec<String>,
    /// Top-level `.meas` cards in deck order (cards inside a subcircuit definition are ignored).
    pub measures: Vec<crate::measure::Measure>,
    /// Non-fatal messages from parsing and elaboration (e.g. skipped `.control` blocks).
    pub warnings: Vec<String>,
    /// Symbolic parameters and which numbers depend on them.
    pub params: crate::params::ParamBindings,
}

/// One flat circuit element.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Lower-case hierarchical name, e.g. `m1` or `x1.x2.r3`.
    pub name: String,
    /// What the element is.
    pub kind: ElementKind,
    /// Where its card was written (inside its subcircuit for an instance's element);
    /// `None` for an element built in code.
    pub loc: Option<Box<crate::Location>>,
}

/// Element kinds with their resolved values (SI units).
#[derive(Debug, Clone, PartialEq)]
pub enum ElementKind {
    /// `R`: resistance between `p` and `n` (ohms; never 0 after elaboration: an error names it),
    /// and the AC resistance `ac=` that AC and noise analyses use for the network instead (as
    /// ngspice does; the resistor's thermal noise still follows `r`).
    Resistor { p: NodeId, n: NodeId, r: f64, r_ac: Option<f64> },
    /// `C`: capacitance (farads) with an optional initial condition.
    Capacitor { p: NodeId, n: NodeId, c: f64, ic: Option<f64> },
    /// `L`: inductance (henries) with an optional initial current.
    Inductor { p: NodeId, n: NodeId, l: f64, ic: Option<f64> },
    /// `V`: independent voltage source; current flows from `p` through the source to `n`.
    VoltageSource { p: NodeId, n: NodeId, source: Source },
    /// `I`: independent current source; current flows from `p` through the source to `n`.
    CurrentSource { p: NodeId, n: NodeId, source: Source },
    /// `E`: V(p,n) = gain * V(cp,cn).
    Vcvs { p: NodeId, n: NodeId, cp: NodeId, cn: NodeId, gain: f64 },
    /// `G`: current gm * V(cp,cn) flows from `p` through the element to `n`.
    Vccs { p: NodeId, n: NodeId, cp: NodeId, cn: NodeId, gm: f64 },
    /// `F`: current gain * I(control) flows from `p` through the element to `n`;
    /// `control` is a voltage source element.
    Cccs { p: NodeId, n: NodeId, control: ElementId, gain: f64 },
    /// `H`: V(p,n) = r * I(control); `control` is a voltage source element.
    Ccvs { p: NodeId, n: NodeId, control: ElementId, r: f64 },
    /// `D`: diode from anode `a` to cathode `c`.
    Diode { a: NodeId, c: NodeId, model: ModelId, area: f64, off: bool },
    /// `M`: MOSFET with drain, gate, source, bulk.
    Mosfet { d: NodeId, g: NodeId, s: NodeId, b: NodeId, model: ModelId, geom: MosGeometry, off: bool },
}

/// Instance geometry of a MOSFET (SI units). Unset areas/perimeters are 0, as in ngspice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MosGeometry {
    pub w: f64,
    pub l: f64,
    pub ad: f64,
    pub as_: f64,
    pub pd: f64,
    pub ps: f64,
    pub nrd: f64,
    pub nrs: f64,
    /// Parallel multiplier `M` (default 1).
    pub m: f64,
    /// Whether `W` / `L` were given on the instance (else the model's or ngspice's default applies).
    pub w_given: bool,
    pub l_given: bool,
    /// Whether `AD`, `AS`, `PD`, `PS` (in that order) were given on the instance (BSIM3 3.1
    /// derives the missing ones from the model's HDIF).
    pub diff_given: [bool; 4],
    /// Whether `NRD`, `NRS` were given (BSIM3's ACM > 0 takes 0 squares when not).
    pub nr_given: [bool; 2],
    /// BSIM3's instance `geo=` (ACM 3: 0 no shared side, 1 drain shared, 2 source shared,
    /// 3 both), `None` when not given (GEO 0; models without GEO reject it).
    pub geo: Option<i32>,
    /// BSIM3's instance `nqsmod=` (0 or 1), `None` when not given (the card's NQSMOD applies;
    /// models other than BSIM3 reject it).
    pub nqsmod: Option<i32>,
    /// BSIM3's instance `acnqsmod=` (3.3.0 only), `None` when not given (the card's).
    pub acnqsmod: Option<i32>,
    /// BSIM3's instance `delvto=` (volts added to VTH0, 3.2.x/3.3.0), `None` when not given.
    pub delvto: Option<f64>,
    /// BSIM3's instance `mulu0=` (factor on U0 at temperature, 3.2.x/3.3.0), `None` when not given.
    pub mulu0: Option<f64>,
    /// The instance's `ic=vds,vgs,vbs` (volts, circuit polarity; components not given are 0),
    /// `None` when not given: ngspice's first Newton bias of the device.
    pub ic: Option<[f64; 3]>,
}

impl MosGeometry {
    /// ngspice's defaults when neither the instance nor `.options defl/defw` set them
    /// (W = L = 100 um, no diffusions, one square); the base other defaults update.
    pub const NGSPICE_DEFAULT: MosGeometry = MosGeometry {
        w: 100e-6,
        l: 100e-6,
        ad: 0.0,
        as_: 0.0,
        pd: 0.0,
        ps: 0.0,
        nrd: 1.0,
        nrs: 1.0,
        m: 1.0,
        w_given: false,
        l_given: false,
        diff_given: [false; 4],
        nr_given: [false; 2],
        geo: None,
        nqsmod: None,
        acnqsmod: None,
        delvto: None,
        mulu0: None,
        ic: None,
    };
}

impl Default for MosGeometry {
    fn default() -> Self {
        MosGeometry::NGSPICE_DEFAULT
    }
}

/// Independent source specification.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Source {
    /// DC value (also the value used for `.op` when a waveform is present and no DC is given:
    /// ngspice uses the waveform's value at t = 0 then; elaboration stores that here).
    pub dc: f64,
    /// Whether `DC` was given explicitly.
    pub dc_given: bool,
    /// AC magnitude (0 when absent; `AC` alone means 1).
    pub ac_mag: f64,
    /// AC phase in degrees.
    pub ac_phase: f64,
    /// Transient waveform, if any.
    pub wave: Option<WaveSpec>,
}

/// A transient waveform as written: its kind and its numeric arguments in order.
/// Defaults (which depend on the `.tran` step and stop time) are applied by `devices`.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveSpec {
    pub kind: WaveKind,
    pub args: Vec<f64>,
}

/// Transient waveform kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveKind {
    Pulse,
    Sin,
    Exp,
    Pwl,
}

/// A model card.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Lower-case name (hierarchical if defined in a subcircuit, e.g. `x1.nch`).
    pub name: String,
    /// Model type from the card.
    pub kind: ModelKind,
    /// `level=` (1 when absent).
    pub level: u32,
    /// `version=` as written, if present.
    pub version: Option<String>,
    /// All other parameters, lower-case names, in card order (`level`/`version` excluded).
    pub params: Vec<(String, f64)>,
}

impl Model {
    /// The value of parameter `name` (lower case), if the card sets it.
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
}

/// Model types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    Nmos,
    Pmos,
    Diode,
    Resistor,
    Capacitor,
}

/// One analysis card.
#[derive(Debug, Clone, PartialEq)]
pub enum Analysis {
    /// `.op`
    Op,
    /// `.dc`: one sweep, or two with the second as the outer loop (as ngspice nests them).
    Dc { sweeps: Vec<DcSweep> },
    /// `.ac`
    Ac { grid: FreqGrid },
    /// `.tran tstep tstop [tstart [tmax]] [uic]`
    Tran { tstep: f64, tstop: f64, tstart: f64, tmax: Option<f64>, uic: bool },
    /// `.noise v(out[,ref]) src grid`
    Noise { out_p: NodeId, out_n: NodeId, input: ElementId, grid: FreqGrid },
}

/// A `.dc` sweep: variable, start, stop, step.
#[derive(Debug, Clone, PartialEq)]
pub struct DcSweep {
    pub var: SweepVar,
    pub start: f64,
    pub stop: f64,
    pub step: f64,
}

/// What a `.dc` sweep varies.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepVar {
    /// The DC value of an independent V or I source.
    Source(ElementId),
    /// The circuit temperature in degrees Celsius.
    Temp,
}

/// A frequency grid for `.ac` and `.noise`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FreqGrid {
    pub kind: GridKind,
    /// Points per decade/octave, or total points for `lin`.
    pub points: usize,
    pub fstart: f64,
    pub fstop: f64,
}

/// Frequency grid kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridKind {
    Dec,
    Oct,
    Lin,
}

/// Integration method (`.options method=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    #[default]
    Trapezoidal,
    Gear,
}

/// `.options` values, with SPICE defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub reltol: f64,
    pub abstol: f64,
    pub vntol: f64,
    pub chgtol: f64,
    pub trtol: f64,
    pub gmin: f64,
    /// DC iteration limit.
    pub itl1: usize,
    /// Transient iteration limit per time point.
    pub itl4: usize,
    pub method: Method,
    /// Nominal temperature in degrees Celsius.
    pub tnom: f64,
    pub num_threads: usize,
    /// Options the simulator does not interpret, lower case, as written.
    pub other: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reltol: 1e-3,
            abstol: 1e-12,
            vntol: 1e-6,
            chgtol: 1e-14,
            trtol: 7.0,
            gmin: 1e-12,
            itl1: 100,
            itl4: 10,
            method: Method::Trapezoidal,
            tnom: 27.0,
            num_threads: 1,
            other: Vec::new(),
        }
    }
}

impl Circuit {
    /// The id of node `name` (case-insensitive; `gnd` is ground), if it exists.
    pub fn node(&self, name: &str) -> Option<NodeId> {
        // Names are stored lower case: compare in place, without allocating.
        if name == "0" || name.eq_ignore_ascii_case("gnd") {
            return Some(GROUND);
        }
        self.nodes.iter().position(|n| n.eq_ignore_ascii_case(name))
    }

    /// The id of element `name` (case-insensitive, hierarchical), if it exists.
    pub fn element(&self, name: &str) -> Option<ElementId> {
        self.elements.iter().position(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// The id of model `name` (case-insensitive), if it exists.
    pub fn model(&self, name: &str) -> Option<ModelId> {
        let lower = name.to_ascii_lowercase();
        self.models.iter().position(|m| m.name == lower)
    }
}

impl fmt::Display for GridKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GridKind::Dec => "dec",
            GridKind::Oct => "oct",
            GridKind::Lin => "lin",
        })
    }
}

impl FreqGrid {
    /// The frequencies of the grid, as ngspice generates them.
    pub fn frequencies(&self) -> Vec<f64> {
        let mut out = Vec::new();
        match self.kind {
            GridKind::Lin => {
                let n = self.points.max(1);
                if n == 1 {
                    out.push(self.fstart);
                } else {
                    let step = (self.fstop - self.fstart) / (n - 1) as f64;
                    for i in 0..n {
                        out.push(self.fstart + step * i as f64);
                    }
                }
            }
            GridKind::Dec | GridKind::Oct => {
                if !(self.fstart > 0.0 && self.fstop.is_finite()) {
                    return out;
                }
                let base: f64 = if self.kind == GridKind::Dec { 10.0 } else { 2.0 };
                let ratio = base.powf(1.0 / self.points.max(1) as f64);
                // ngspice steps multiplicatively from fstart and keeps points up to
                // fstop + reltol * ratio * fstop (reltol = 1e-3): `dec 20 1 1G` gives 181 points,
                // `dec 10 1 15` stops at 12.59.
                let limit = self.fstop * (1.0 + 1e-3 * ratio);
                let mut i = 0;
                loop {
                    let f = self.fstart * ratio.powi(i);
                    if f > limit || out.len() >= 10_000_000 {
                        break;
                    }
                    out.push(f);
                    i += 1;
                }
            }
        }
        out
    }
}

//! Analysis results as named vectors, named the way ngspice names them
//! (`v(out)`, `i(vdd)`, `frequency`, `time`, `v(v-sweep)`).

use crate::compile::UnknownKind;
use crate::simulator::Simulator;
use num_complex::Complex64;
use serde::Serialize;

/// What a vector holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantity {
    Voltage,
    Current,
    Time,
    Frequency,
    Temperature,
    /// Noise spectral density.
    Noise,
    Other,
}

impl Quantity {
    /// The type word ngspice writes in rawfiles.
    pub fn raw_type(self) -> &'static str {
        match self {
            Quantity::Voltage => "voltage",
            Quantity::Current => "current",
            Quantity::Time => "time",
            Quantity::Frequency => "frequency",
            Quantity::Temperature => "temp-sweep",
            Quantity::Noise => "notype",
            Quantity::Other => "notype",
        }
    }
}

/// Vector data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Data {
    Real(Vec<f64>),
    Complex(Vec<Complex64>),
}

impl Data {
    /// Number of points.
    pub fn len(&self) -> usize {
        match self {
            Data::Real(v) => v.len(),
            Data::Complex(v) => v.len(),
        }
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A named vector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vector {
    pub name: String,
    pub quantity: Quantity,
    pub data: Data,
}

/// The result of one analysis: a scale (absent for `.op`) and the vectors over it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dataset {
    /// ngspice's plot name: "Operating Point", "DC transfer characteristic", "AC Analysis",
    /// "Transient Analysis", "Noise Spectral Density Curves".
    pub name: String,
    /// The scale vector (first in a rawfile), if any.
    pub scale: Option<Vector>,
    pub vectors: Vec<Vector>,
}

impl Dataset {
    /// A vector by name (case-insensitive), the scale included.
    pub fn vector(&self, name: &str) -> Option<&Vector> {
        let lower = name.to_ascii_lowercase();
        self.scale.iter().chain(self.vectors.iter()).find(|v| v.name == lower)
    }

    /// A real vector's values by name.
    pub fn real(&self, name: &str) -> Option<&[f64]> {
        match &self.vector(name)?.data {
            Data::Real(v) => Some(v),
            Data::Complex(_) => None,
        }
    }

    /// A complex vector's values by name.
    pub fn complex(&self, name: &str) -> Option<&[Complex64]> {
        match &self.vector(name)?.data {
            Data::Complex(v) => Some(v),
            Data::Real(_) => None,
        }
    }
}

/// Collects selected unknowns over the points of a sweep.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    /// (unknown index, vector name, quantity)
    cols: Vec<(usize, String, Quantity)>,
    real: Vec<Vec<f64>>,
    cplx: Vec<Vec<Complex64>>,
}

impl Recorder {
    /// Records every circuit node voltage and every branch current (internal nodes omitted,
    /// as ngspice's rawfiles omit them).
    pub fn new(sim: &Simulator) -> Self {
        let nodes = sim.circuit.nodes.len() - 1;
        let mut cols = Vec::new();
        for (k, u) in sim.unknowns.iter().enumerate() {
            match u.kind {
                UnknownKind::Voltage if k < nodes => cols.push((k, format!("v({})", u.name), Quantity::Voltage)),
                UnknownKind::Current => {
                    cols.push((k, format!("i({})", u.name.trim_end_matches("#branch")), Quantity::Current))
                }
                _ => {}
            }
        }
        Recorder { real: vec![Vec::new(); cols.len()], cplx: vec![Vec::new(); cols.len()], cols }
    }

    pub fn push_real(&mut self, x: &[f64]) {
        for (c, (k, _, _)) in self.cols.iter().enumerate() {
            self.real[c].push(x[*k]);
        }
    }

    pub fn push_complex(&mut self, x: &[Complex64]) {
        for (c, (k, _, _)) in self.cols.iter().enumerate() {
            self.cplx[c].push(x[*k]);
        }
    }

    pub fn finish(self, name: &str, scale: Option<Vector>) -> Dataset {
        let complex = self.cplx.first().is_some_and(|v| !v.is_empty());
        let vectors = self
            .cols
            .into_iter()
            .zip(self.real)
            .zip(self.cplx)
            .map(|(((_, name, quantity), r), c)| Vector {
                name,
                quantity,
                data: if complex { Data::Complex(c) } else { Data::Real(r) },
            })
            .collect();
        Dataset { name: name.to_string(), scale, vectors }
    }
}

//! Access to analysis results: datasets by analysis kind, vectors by ngspice name without
//! allocating, and pooled scratch buffers for derived waveforms.

use super::MeasureError;
use crate::results::{Data, Dataset, Vector};
use crate::simulator::Simulator;
use num_complex::Complex64;
use std::cell::RefCell;

/// The analyses results come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Op,
    Dc,
    Ac,
    Tran,
    Noise,
}

impl Kind {
    /// ngspice's plot name of the analysis' dataset.
    pub fn plot_name(self) -> &'static str {
        match self {
            Kind::Op => "Operating Point",
            Kind::Dc => "DC transfer characteristic",
            Kind::Ac => "AC Analysis",
            Kind::Tran => "Transient Analysis",
            Kind::Noise => "Noise Spectral Density Curves",
        }
    }

    /// Lower-case name, as in `.meas ac`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Op => "op",
            Kind::Dc => "dc",
            Kind::Ac => "ac",
            Kind::Tran => "tran",
            Kind::Noise => "noise",
        }
    }
}

/// A borrowed view of a candidate's results: its datasets (found by analysis kind), the
/// simulator (for `@m1[gm]` and W·L) and named values (`.param`s and earlier measures).
#[derive(Debug, Clone, Copy)]
pub struct Results<'a> {
    datasets: &'a [Dataset],
    sim: Option<&'a Simulator>,
    values: &'a [(String, f64)],
    more: &'a [(String, f64)],
}

impl<'a> Results<'a> {
    /// A view of `datasets` (as returned by [`Simulator::run_all`]) and optionally the simulator
    /// they came from.
    pub fn new(datasets: &'a [Dataset], sim: Option<&'a Simulator>) -> Results<'a> {
        Results { datasets, sim, values: &[], more: &[] }
    }

    /// The same view with named values that expressions may read by name (measure results,
    /// `.param` values); names are lower case.
    pub fn with_values(self, values: &'a [(String, f64)]) -> Results<'a> {
        Results { values, ..self }
    }

    /// The same view with further named values, read before those of `self`.
    pub fn with_more_values<'b>(&self, more: &'b [(String, f64)]) -> Results<'b>
    where
        'a: 'b,
    {
        Results { datasets: self.datasets, sim: self.sim, values: self.values, more }
    }

    /// The simulator, when given.
    pub fn simulator(&self) -> Option<&'a Simulator> {
        self.sim
    }

    /// The first dataset of an analysis kind.
    pub fn dataset(&self, kind: Kind) -> Result<&'a Dataset, MeasureError> {
        let name = kind.plot_name();
        self.datasets.iter().find(|d| d.name == name).ok_or(MeasureError::MissingAnalysis { kind })
    }

    /// Whether a dataset of this kind is present.
    pub fn has(&self, kind: Kind) -> bool {
        self.dataset(kind).is_ok()
    }

    /// A named value: a measure result or value given to this view (case-insensitive), else a
    /// global `.param` of the simulator's circuit (lower-case name).
    pub fn value(&self, name: &str) -> Option<f64> {
        let find = |s: &[(String, f64)]| s.iter().rev().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
        find(self.more).or_else(|| find(self.values)).or_else(|| self.sim.and_then(|s| s.circuit().params.value(name)))
    }

    /// The integrated-noise dataset (`onoise_total`, `inoise_total`), when a `.noise` ran.
    pub fn noise_totals(&self) -> Option<&'a Dataset> {
        self.datasets.iter().find(|d| d.name == "Integrated Noise")
    }
}

/// A vector of a dataset by name, case-insensitive, without allocating (the scale included).
pub fn find_vector<'d>(ds: &'d Dataset, name: &str) -> Option<&'d Vector> {
    ds.scale.iter().chain(ds.vectors.iter()).find(|v| v.name.eq_ignore_ascii_case(name))
}

/// Finds `prefix(name)` (e.g. `v(out)`) without building the string.
pub fn find_wrapped<'d>(ds: &'d Dataset, prefix: &str, name: &str) -> Option<&'d Vector> {
    ds.vectors.iter().find(|v| {
        let n = v.name.as_bytes();
        n.len() == prefix.len() + name.len() + 2
            && v.name[..prefix.len()].eq_ignore_ascii_case(prefix)
            && n[prefix.len()] == b'('
            && v.name[prefix.len() + 1..n.len() - 1].eq_ignore_ascii_case(name)
            && n[n.len() - 1] == b')'
    })
}

/// A dataset's scale (time, frequency, sweep) as real numbers (the real part of AC's complex
/// frequency).
#[derive(Debug, Clone, Copy)]
pub enum Scale<'a> {
    Real(&'a [f64]),
    Complex(&'a [Complex64]),
}

impl<'a> Scale<'a> {
    /// The scale of a dataset.
    pub fn of(ds: &'a Dataset) -> Result<Scale<'a>, MeasureError> {
        match ds.scale.as_ref().map(|s| &s.data) {
            Some(Data::Real(x)) => Ok(Scale::Real(x)),
            Some(Data::Complex(x)) => Ok(Scale::Complex(x)),
            None => Err(MeasureError::Invalid { what: format!("the {} results have no scale", ds.name) }),
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        match self {
            Scale::Real(x) => x.len(),
            Scale::Complex(x) => x.len(),
        }
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i`.
    #[inline]
    pub fn at(&self, i: usize) -> f64 {
        match self {
            Scale::Real(x) => x[i],
            Scale::Complex(x) => x[i].re,
        }
    }
}

thread_local! {
    static REAL_POOL: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
    static CPLX_POOL: RefCell<Vec<Vec<Complex64>>> = const { RefCell::new(Vec::new()) };
}

/// A scratch vector of reals taken from a per-thread pool and given back on drop, so that
/// evaluating an expression allocates only until the pool has grown to its needs.
#[derive(Debug)]
pub struct RealBuf(Vec<f64>);

impl RealBuf {
    /// An empty buffer from the pool.
    pub fn take() -> RealBuf {
        let mut v = REAL_POOL.with(|p| p.borrow_mut().pop()).unwrap_or_default();
        v.clear();
        RealBuf(v)
    }

    /// The vector.
    pub fn vec(&mut self) -> &mut Vec<f64> {
        &mut self.0
    }
}

impl std::ops::Deref for RealBuf {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        &self.0
    }
}

impl Drop for RealBuf {
    fn drop(&mut self) {
        let v = std::mem::take(&mut self.0);
        let _ = REAL_POOL.try_with(|p| p.borrow_mut().push(v));
    }
}

/// A complex scratch vector from a per-thread pool (see [`RealBuf`]).
#[derive(Debug)]
pub struct CplxBuf(Vec<Complex64>);

impl CplxBuf {
    /// An empty buffer from the pool.
    pub fn take() -> CplxBuf {
        let mut v = CPLX_POOL.with(|p| p.borrow_mut().pop()).unwrap_or_default();
        v.clear();
        CplxBuf(v)
    }

    /// The vector.
    pub fn vec(&mut self) -> &mut Vec<Complex64> {
        &mut self.0
    }
}

impl std::ops::Deref for CplxBuf {
    type Target = [Complex64];
    fn deref(&self) -> &[Complex64] {
        &self.0
    }
}

impl Drop for CplxBuf {
    fn drop(&mut self) {
        let v = std::mem::take(&mut self.0);
        let _ = CPLX_POOL.try_with(|p| p.borrow_mut().push(v));
    }
}

/// Unwrapped phase in degrees of `h`, from its first point (taken in (-180, 180]) onwards:
/// each step adds the principal value of the angle between consecutive points.
pub fn unwrapped_phase_deg(h: &[Complex64], out: &mut Vec<f64>) {
    out.clear();
    let mut prev = 0.0f64;
    for (i, z) in h.iter().enumerate() {
        let p = z.im.atan2(z.re).to_degrees();
        let v = if i == 0 {
            p
        } else {
            let mut d = p - prev;
            d -= 360.0 * (d / 360.0).round();
            prev + d
        };
        out.push(v);
        prev = v;
    }
}

/// A node voltage (`branch = false`, ground is 0) or a branch current (`name#branch`) from the
/// simulator's last solution, found without allocating.
pub fn sim_unknown(sim: &Simulator, name: &str, branch: bool) -> Option<f64> {
    if !branch && (name == "0" || name.eq_ignore_ascii_case("gnd")) {
        return Some(0.0);
    }
    let x = sim.solution();
    sim.unknowns()
        .iter()
        .position(|u| {
            let n = u.name.as_str();
            if branch {
                n.len() == name.len() + 7 && n[..name.len()].eq_ignore_ascii_case(name) && n.ends_with("#branch")
            } else {
                u.kind == crate::UnknownKind::Voltage && n.eq_ignore_ascii_case(name)
            }
        })
        .and_then(|k| x.get(k).copied())
}

//! Writing results: datasets to ngspice rawfiles and JSON.

use crate::raw::{Plot, Variable};
use insitu_solver::{Data, Dataset, Quantity};
use num_complex::Complex64;

/// Converts solver datasets to rawfile plots (scale first, names as ngspice writes them).
pub fn to_plots(title: &str, datasets: &[Dataset]) -> Vec<Plot> {
    datasets.iter().map(|d| to_plot(title, d)).collect()
}

/// Converts one dataset to a rawfile plot.
pub fn to_plot(title: &str, d: &Dataset) -> Plot {
    let vectors: Vec<_> = d.scale.iter().chain(d.vectors.iter()).collect();
    let complex = vectors.iter().any(|v| matches!(v.data, Data::Complex(_)));
    let mut plot =
        Plot { title: title.to_string(), date: String::new(), name: d.name.clone(), complex, ..Default::default() };
    for v in vectors {
        // As ngspice: a plain voltage or current vector name (`onoise_total`) is written as
        // `v(onoise_total)` or `i(...)`.
        let name = match v.quantity {
            Quantity::Voltage if !v.name.contains('(') => format!("v({})", v.name),
            Quantity::Current if !v.name.contains('(') => format!("i({})", v.name),
            _ => v.name.clone(),
        };
        plot.variables.push(Variable { name, kind: v.quantity.raw_type().to_string() });
        match &v.data {
            Data::Real(x) => {
                plot.real.push(x.clone());
                if complex {
                    plot.cplx.push(x.iter().map(|&r| Complex64::new(r, 0.0)).collect());
                }
            }
            Data::Complex(x) => {
                plot.real.push(x.iter().map(|c| c.re).collect());
                plot.cplx.push(x.clone());
            }
        }
    }
    plot
}

/// Converts a rawfile plot (e.g. ngspice's) to a dataset with insitu's vector names
/// (lower case; `out` -> `v(out)`, `v1#branch` -> `i(v1)`), so insitu's measures can run on
/// another simulator's waveforms.
pub fn from_plot(p: &Plot) -> Dataset {
    let mut vectors: Vec<insitu_solver::Vector> = p
        .variables
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let lower = v.name.to_ascii_lowercase();
            let (name, quantity) = match v.kind.as_str() {
                "voltage" if !lower.contains('(') => (format!("v({lower})"), Quantity::Voltage),
                "voltage" => (lower, Quantity::Voltage),
                "current" if lower.ends_with("#branch") => {
                    (format!("i({})", lower.trim_end_matches("#branch")), Quantity::Current)
                }
                "current" => (lower, Quantity::Current),
                "time" => (lower, Quantity::Time),
                "frequency" => (lower, Quantity::Frequency),
                "temp-sweep" => (lower, Quantity::Temperature),
                _ => (lower, Quantity::Other),
            };
            let data = if p.complex { Data::Complex(p.cplx[k].clone()) } else { Data::Real(p.real[k].clone()) };
            insitu_solver::Vector { name, quantity, data }
        })
        .collect();
    let is_op = p.name.to_ascii_lowercase().starts_with("operating");
    let scale = if is_op || vectors.is_empty() { None } else { Some(vectors.remove(0)) };
    Dataset { name: p.name.clone(), scale, vectors }
}

//! Adapter between the sizing loop and the measurements module (`insitu_solver::measure`):
//! a problem-file measurement is an expression ([`Expr`]), a `.meas` card of the deck, or a
//! named spec (`{"meas": "pm"}` = `phase_margin(v(out))`); what it needs (which analyses)
//! and its value over one corner's datasets.

use super::problem::MeasurementDef;
use insitu_netlist::measure::{MeasAnalysis, Measure};
pub use insitu_solver::measure::Needs;
use insitu_solver::measure::{self as m, Expr, Kind};
use insitu_solver::{Dataset, Simulator};

/// The analysis named in a problem file (`op`, `dcOp`, `dc`, `ac`, `tran`, `noise`).
pub fn analysis_kind(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "op" | "dcop" => Some("op"),
        "dc" => Some("dc"),
        "ac" => Some("ac"),
        "tran" => Some("tran"),
        "noise" => Some("noise"),
        _ => None,
    }
}

/// Union of two needs.
pub fn union(a: Needs, b: Needs) -> Needs {
    Needs {
        op: a.op || b.op,
        dc: a.dc || b.dc,
        ac: a.ac || b.ac,
        tran: a.tran || b.tran,
        noise: a.noise || b.noise,
        any_sweep: a.any_sweep || b.any_sweep,
    }
}

/// One corner's results: the datasets (op first, then the deck's analyses) and the named
/// values expressions may read (the deck's `.param`s and the sizing parameters).
#[derive(Debug, Default, Clone)]
pub struct Results {
    pub datasets: Vec<Dataset>,
    pub values: Vec<(String, f64)>,
}

/// Named specs `{"meas": NAME}` applies to `v(out)` (or to `NAME(v(node))` as written).
fn named_alias(n: &str) -> Option<&'static str> {
    Some(match n {
        "pm" | "phase_margin" => "phase_margin",
        "gm" | "gain_margin" => "gain_margin",
        "gbw" | "ugf" | "ugb" => "ugf",
        "gain" | "dc_gain" | "dc_gain_db" => "dc_gain_db",
        "f3db" | "bandwidth" => "f3db",
        "sr" | "slew_rate" => "slew_rate",
        "tc" | "tc_ppm" => "tc_ppm",
        _ => return None,
    })
}

#[derive(Debug, Clone)]
enum Source {
    Expr(Box<Expr>),
    /// Index into the deck's `.meas` cards.
    Deck(usize),
}

/// A compiled measurement.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub name: String,
    source: Source,
    needs: Needs,
}

impl Measurement {
    /// Compiles a problem-file measurement against the deck's `.meas` cards (`None`: checks
    /// `expr` only, as the problem file alone can). The error says what is wrong with
    /// `expr`/`meas`.
    pub fn compile(name: &str, def: &MeasurementDef, deck: Option<&[Measure]>) -> Result<Measurement, String> {
        let (source, mut needs) = match (&def.expr, &def.meas) {
            (Some(e), _) => {
                let x = Expr::parse(e).map_err(|err| format!("{err} in '{e}'"))?;
                let n = x.needs();
                (Source::Expr(Box::new(x)), n)
            }
            (None, Some(mname)) => {
                let key = mname.trim().to_ascii_lowercase();
                if let Some(i) = deck.and_then(|d| d.iter().position(|c| c.name == key)) {
                    let card = &deck.expect("found")[i];
                    let mut n = Needs::default();
                    match card.analysis {
                        MeasAnalysis::Ac => n.ac = true,
                        MeasAnalysis::Dc => n.dc = true,
                        MeasAnalysis::Tran => n.tran = true,
                        MeasAnalysis::Op => n.op = true,
                        MeasAnalysis::Noise => n.noise = true,
                    }
                    (Source::Deck(i), n)
                } else {
                    let (head, arg) = match key.split_once('(') {
                        Some((h, rest)) => (h.trim().to_string(), format!("({rest}")),
                        None => (key.clone(), "(v(out))".to_string()),
                    };
                    let Some(f) = named_alias(&head) else {
                        let cards: Vec<&str> = deck.unwrap_or(&[]).iter().map(|c| c.name.as_str()).collect();
                        return Err(format!(
                            "unknown measurement '{mname}': not a .meas of the deck ({}) nor a named spec \
                             (pm, gbw, gain, gain_margin, f3db, sr, tc)",
                            if cards.is_empty() { "it has none".to_string() } else { cards.join(", ") }
                        ));
                    };
                    let text = format!("{f}{arg}");
                    let x = Expr::parse(&text).map_err(|err| format!("{err} in '{text}'"))?;
                    let n = x.needs();
                    (Source::Expr(Box::new(x)), n)
                }
            }
            (None, None) => return Err("needs expr or meas".into()),
        };
        if let Some(a) = def.analysis.as_deref().and_then(analysis_kind) {
            match a {
                "op" => needs.op = true,
                "dc" => needs.dc = true,
                "ac" => needs.ac = true,
                "tran" => needs.tran = true,
                _ => needs.noise = true,
            }
        }
        Ok(Measurement { name: name.to_string(), source, needs })
    }

    /// The analyses it reads.
    pub fn needs(&self) -> Needs {
        self.needs
    }

    /// The signals it reads from analysis `kind` (see [`Expr::signals`]); `None` when they
    /// are not known (a deck `.meas`, a vector read by dataset name).
    pub fn signals(&self, kind: Kind) -> Option<Vec<String>> {
        match &self.source {
            Source::Expr(x) => x.signals(kind),
            Source::Deck(_) => None,
        }
    }

    /// Its value at one corner. `sim` (the simulator that produced the datasets, when in
    /// process) gives device quantities and areas; `deck` holds the deck's `.meas` cards.
    pub fn eval(&self, r: &Results, sim: Option<&Simulator>, deck: &[Measure]) -> Result<f64, String> {
        let view = m::Results::new(&r.datasets, sim).with_values(&r.values);
        let v = match &self.source {
            Source::Expr(e) => e.eval(&view),
            Source::Deck(i) => m::measure(&deck[*i], &view),
        }
        .map_err(|e| e.to_string())?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("{} is not finite ({v})", self.name))
        }
    }
}

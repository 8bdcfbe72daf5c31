//! `insitu check`: run a deck in insitu and in ngspice and compare every common vector.
//!
//! Tolerances (per analysis): operating point and DC sweeps, |a - b| <= rel |b| + abs with
//! rel = 1e-6 and abs = 1 uV (voltages) or 1 pA (currents); AC, 0.01 dB in magnitude and
//! 0.1 degree in phase; transient, the integrated error of Xyce's test suite,
//! sqrt(integral(((ref - x) / (reltol |ref| + abstol))^2 dt) / T) < 1 with reltol 1e-2 and
//! abstol 1e-6, the insitu waveform interpolated linearly onto ngspice's time points; noise
//! spectra, 1 % relative; `.meas` results (ngspice runs once per analysis without a rawfile,
//! see [`ngspice_measure_deck`]), |a - b| <= 1e-6 |b| + 1e-15.

use crate::ngspice::{Ngspice, NgspiceError};
use crate::raw::Plot;
use insitu_netlist::measure::{MeasAnalysis, MeasKind, Measure};
use insitu_solver::measure::{run_measures, MeasureError, Results};
use insitu_solver::{Data, Dataset, Quantity};
use std::fmt;
use std::path::Path;

/// Tolerances of the comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    pub op_rel: f64,
    pub op_abs_v: f64,
    pub op_abs_i: f64,
    pub ac_db: f64,
    pub ac_deg: f64,
    pub tran_reltol: f64,
    pub tran_abstol: f64,
    /// Noise spectra: relative error.
    pub noise_rel: f64,
    /// `.meas` results: |a - b| <= meas_rel |b| + meas_abs.
    pub meas_rel: f64,
    pub meas_abs: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            op_rel: 1e-6,
            op_abs_v: 1e-6,
            op_abs_i: 1e-12,
            ac_db: 0.01,
            ac_deg: 0.1,
            tran_reltol: 1e-2,
            tran_abstol: 1e-6,
            noise_rel: 1e-2,
            meas_rel: 1e-6,
            meas_abs: 1e-15,
        }
    }
}

/// One compared vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Plot name ("Operating Point", ...).
    pub analysis: String,
    pub vector: String,
    /// The worst error in units of the tolerance (pass when <= 1).
    pub score: f64,
    /// Human-readable worst error.
    pub detail: String,
    /// For a row that failed against ngspice at the deck's tolerances: its score and detail
    /// against ngspice re-run at a tight RELTOL (see [`Report::tight`]).
    pub tight: Option<(f64, String)>,
}

impl Row {
    /// Whether the row passes: within tolerance of ngspice, or of ngspice at tight RELTOL.
    pub fn pass(&self) -> bool {
        self.score <= 1.0 || self.passes_tight()
    }

    /// Whether the row fails against ngspice at the deck's tolerances but passes against
    /// ngspice at tight RELTOL: ngspice's own answer was not converged.
    pub fn passes_tight(&self) -> bool {
        self.score > 1.0 && self.tight.as_ref().is_some_and(|(s, _)| *s <= 1.0)
    }
}

/// The re-run of ngspice at a tight RELTOL that [`check_file_tight`] makes when rows of the
/// operating point, DC sweeps, AC or noise fail.
#[derive(Debug, Clone, PartialEq)]
pub struct TightRun {
    /// The deck's RELTOL as both simulators ran it (its last `.options reltol`, else 1e-3).
    pub deck_reltol: f64,
    /// The RELTOL of the re-run.
    pub reltol: f64,
    /// Why the re-run gave no reference (ngspice failed at the tight tolerance), if it did not.
    pub error: Option<String>,
}

/// The outcome of a check.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: Vec<Row>,
    /// Analyses that could not be paired or compared.
    pub problems: Vec<String>,
    /// The tight re-run of ngspice, when one was made.
    pub tight: Option<TightRun>,
}

impl Report {
    /// Whether every row passed and nothing was missing.
    pub fn pass(&self) -> bool {
        self.problems.is_empty() && !self.rows.is_empty() && self.rows.iter().all(Row::pass)
    }

    /// The row for `vector` in the analysis whose name starts with `analysis`.
    pub fn row(&self, analysis: &str, vector: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.analysis.starts_with(analysis) && r.vector.eq_ignore_ascii_case(vector))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            writeln!(
                f,
                "{:<28} {:<24} {:>10.3e} {:<40} {}",
                r.analysis,
                r.vector,
                r.score,
                r.detail,
                if r.passes_tight() {
                    "ok*"
                } else if r.pass() {
                    "ok"
                } else {
                    "FAIL"
                }
            )?;
            if let (Some((s, d)), Some(t)) = (&r.tight, &self.tight) {
                let verdict = if r.passes_tight() {
                    format!("ngspice unconverged at reltol={:e} (passes against reltol={:e})", t.deck_reltol, t.reltol)
                } else {
                    format!("fails against reltol={:e} too", t.reltol)
                };
                writeln!(f, "{:<28} {:<24} {:>10.3e} {:<40} tight: {verdict}", "", "", s, d)?;
            }
        }
        for p in &self.problems {
            writeln!(f, "problem: {p}")?;
        }
        if let Some(t) = &self.tight {
            let excused = self.rows.iter().filter(|r| r.passes_tight()).count();
            let failing = self.rows.iter().filter(|r| !r.pass()).count();
            match &t.error {
                Some(e) => writeln!(f, "ngspice at reltol={:e} gave no reference: {e}", t.reltol)?,
                None if excused > 0 => writeln!(
                    f,
                    "{excused} row(s) fail against ngspice at the deck's reltol={:e} but pass against ngspice at \
                     reltol={:e}: ngspice's own answer is unconverged there, not a difference (ok*); \
                     {failing} row(s) fail",
                    t.deck_reltol, t.reltol
                )?,
                None => writeln!(
                    f,
                    "the failing rows fail against ngspice at reltol={:e} as well (shown after 'tight')",
                    t.reltol
                )?,
            }
        }
        write!(f, "{}", if self.pass() { "PASS" } else { "FAIL" })
    }
}

/// Errors that stop a check before any comparison.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Netlist(#[from] insitu_netlist::Error),
    #[error("insitu: {0}")]
    Sim(#[from] insitu_solver::SimError),
    #[error(transparent)]
    Ngspice(#[from] NgspiceError),
}

/// Runs `deck` (a file) in insitu and ngspice and compares the results.
pub fn check_file(deck: &Path, ng: &Ngspice, work_dir: &Path, tol: &Tolerances) -> Result<Report, CheckError> {
    check_file_with(deck, ng, work_dir, tol, "")
}

/// The RELTOL of the re-run of ngspice that tells its unconverged answers from differences.
pub const TIGHT_RELTOL: f64 = 1e-7;

/// Like [`check_file`], with `extra_options` (e.g. `"reltol=1e-6 vntol=1e-9"`) added as an
/// `.options` card to the deck that both simulators run. Tighter Newton tolerances make both
/// converge to the same solution, so that what remains is a difference of equations.
/// Failing operating-point, DC, AC and noise rows are re-checked against ngspice at
/// [`TIGHT_RELTOL`] (see [`check_file_tight`]).
pub fn check_file_with(
    deck: &Path,
    ng: &Ngspice,
    work_dir: &Path,
    tol: &Tolerances,
    extra_options: &str,
) -> Result<Report, CheckError> {
    check_file_tight(deck, ng, work_dir, tol, extra_options, Some(TIGHT_RELTOL))
}

/// Like [`check_file_with`]; when `tight_reltol` is given and rows of the operating point,
/// DC sweeps, AC or noise fail, ngspice runs those analyses once more with `.options
/// reltol=tight_reltol` added after the deck's own options (insitu is not re-run) and each
/// failing row also gets its score against that reference ([`Row::tight`]). ngspice's Newton
/// loop stops within RELTOL (1e-3 by default) of its previous iterate, which on a high-gain
/// node can be far outside the 1e-6 comparison tolerance; a row that passes against the tight
/// reference is ngspice's unconverged answer, not a difference, and does not fail the check.
/// AC and noise are linearized at the operating point and move with it; transients are not
/// re-run (their time steps depend on RELTOL too).
pub fn check_file_tight(
    deck: &Path,
    ng: &Ngspice,
    work_dir: &Path,
    tol: &Tolerances,
    extra_options: &str,
    tight_reltol: Option<f64>,
) -> Result<Report, CheckError> {
    let text = std::fs::read_to_string(deck)
        .map_err(|e| NgspiceError::Io(std::io::Error::new(e.kind(), format!("{}: {e}", deck.display()))))?;
    let dir = deck.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).map_err(NgspiceError::Io)?;
    let text = prepare_deck(&text, &dir, extra_options);
    let circuit = insitu_pdk::load_deck_str(&text, deck)?;
    let measures = circuit.measures.clone();
    let mut sim = insitu_solver::Simulator::new(circuit)?;
    let ours = sim.run_all()?;
    let theirs = ng.run(&text, work_dir)?;
    let mut report = compare(&ours, &theirs.plots, tol);
    if let Some(reltol) = tight_reltol {
        recheck_tight(&mut report, &ours, &text, reltol, ng, &work_dir.join("tight"), tol);
    }
    if !measures.is_empty() {
        let mine = run_measures(&measures, &Results::new(&ours, Some(&sim)));
        let ng_meas = ngspice_measures(ng, &text, &measures, work_dir)?;
        report.rows.extend(compare_measures(&measures, &mine, &ng_meas, &ours, tol));
    }
    Ok(report)
}

/// Whether an analysis (by plot name) is a function of the operating point alone, so that a
/// tight-RELTOL ngspice run is its converged reference: op, DC sweeps, AC, noise.
fn op_determined(plot_name: &str) -> bool {
    matches!(plot_key(plot_name).as_str(), "operating" | "dc" | "ac" | "noise" | "integrated")
}

/// Re-runs ngspice on `text` (a prepared deck, see [`prepare_deck`]) at `reltol` when
/// operating-point, DC, AC or noise rows of `report` (the comparison of `ours` with ngspice at
/// the deck's tolerances) fail, and gives each of those rows its score against that run
/// ([`Row::tight`]); sets [`Report::tight`]. Nothing is run when no such row fails or the deck's
/// RELTOL is already at most `reltol`. A failed re-run is recorded in [`TightRun::error`].
pub fn recheck_tight(
    report: &mut Report,
    ours: &[Dataset],
    text: &str,
    reltol: f64,
    ng: &Ngspice,
    dir: &Path,
    tol: &Tolerances,
) {
    let deck_reltol = deck_reltol(text);
    let failing = |r: &Row| !r.pass() && op_determined(&r.analysis);
    if deck_reltol <= reltol || !report.rows.iter().any(failing) {
        return;
    }
    let mut run = TightRun { deck_reltol, reltol, error: None };
    let tight = match ng.run(&tight_deck(text, reltol), dir) {
        Ok(t) => compare_iter(ours.iter().filter(|d| op_determined(&d.name)), &t.plots, tol),
        Err(e) => {
            run.error = Some(e.to_string());
            report.tight = Some(run);
            return;
        }
    };
    for k in 0..report.rows.len() {
        if !failing(&report.rows[k]) {
            continue;
        }
        let same = |r: &&Row| r.analysis == report.rows[k].analysis && r.vector == report.rows[k].vector;
        // The n-th row of this name in the report pairs with the n-th in the tight report
        // (a deck may have two analyses of one kind; both reports keep the deck's order).
        let nth = report.rows[..k].iter().filter(same).count();
        if let Some(t) = tight.rows.iter().filter(same).nth(nth) {
            report.rows[k].tight = Some((t.score, t.detail.clone()));
        }
    }
    report.tight = Some(run);
}

/// The RELTOL a prepared deck runs with: the last `reltol` of its `.options` cards, else
/// SPICE's default 1e-3.
///
/// ```
/// use insitu::check::deck_reltol;
/// assert_eq!(deck_reltol("title\n.op\n.end\n"), 1e-3);
/// assert_eq!(deck_reltol("title\n.options reltol=1e-4\n.options RELTOL = 1e-6\n.end\n"), 1e-6);
/// ```
pub fn deck_reltol(text: &str) -> f64 {
    let mut reltol = 1e-3;
    for line in text.lines() {
        let lower = line.trim_start().to_ascii_lowercase();
        let Some(rest) = lower.strip_prefix(".options").or_else(|| lower.strip_prefix(".option")) else { continue };
        let rest = rest.replace('=', " = ");
        let words: Vec<&str> = rest.split_whitespace().collect();
        for w in words.windows(3) {
            if w[0] == "reltol" && w[1] == "=" {
                if let Ok(v) = w[2].parse::<f64>() {
                    reltol = v;
                }
            }
        }
    }
    reltol
}

/// The deck of the tight re-run: `text` (a prepared deck) without its transient, `.meas`
/// and `.four` cards, with `.options reltol=reltol` before `.end` (after the deck's own
/// options, which it overrides).
///
/// ```
/// use insitu::check::tight_deck;
/// let deck = tight_deck("title\n.op\n.tran 1n 10n\n.end\n", 1e-7);
/// assert_eq!(deck, "title\n.op\n.options reltol=1e-7\n.end\n");
/// ```
pub fn tight_deck(text: &str, reltol: f64) -> String {
    let options = format!(".options reltol={reltol:e}\n");
    let mut ended = false;
    let mut out = filter_cards(text, 32, |word, _, out| {
        if word == ".end" && !ended {
            out.push_str(&options);
            ended = true;
        }
        matches!(word, ".tran" | ".meas" | ".measure" | ".four")
    });
    if !ended {
        out.push_str(&options);
        out.push_str(".end\n");
    }
    out
}

/// `text` without the cards `drop` marks, their `+` continuation lines going with them. `drop`
/// sees each card but the title: its first word and its line, both lower case; it may write
/// lines to insert before the card into the output.
fn filter_cards(text: &str, extra: usize, mut drop: impl FnMut(&str, &str, &mut String) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + extra);
    let mut dropping = false;
    for (k, line) in text.lines().enumerate() {
        let t = line.trim_start().to_ascii_lowercase();
        if k > 0 && !t.starts_with('+') {
            let word = t.split_whitespace().next().unwrap_or("");
            dropping = drop(word, &t, &mut out);
        }
        if !dropping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Adds an `.options` card after the title line and makes relative `.include`/`.lib` paths
/// absolute (against `dir`), so the deck runs from any directory; built-in libraries
/// (`insitu:generic180`) become the path of a file holding their text.
pub fn prepare_deck(text: &str, dir: &Path, extra_options: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (k, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let lower = trimmed.to_ascii_lowercase();
        let is_inc = lower.starts_with(".include ") || lower.starts_with(".inc ") || lower.starts_with(".lib ");
        let mut words = trimmed.split_whitespace();
        match (is_inc, words.next(), words.next()) {
            // `interp` only resamples ngspice's output, and its binary rawfile written with it
            // has a corrupt tail: compare the computed time points instead.
            (false, Some(card), _) if card.eq_ignore_ascii_case(".options") || card.eq_ignore_ascii_case(".option") => {
                let kept: Vec<&str> =
                    trimmed.split_whitespace().filter(|w| !w.eq_ignore_ascii_case("interp")).collect();
                if kept.len() > 1 {
                    out.push_str(&kept.join(" "));
                } else {
                    out.push_str("* .options interp dropped by insitu check");
                }
            }
            (true, Some(card), Some(file)) => {
                let bare = file.trim_matches(|c| c == '"' || c == '\'');
                let path = Path::new(bare);
                let rest: Vec<&str> = words.collect();
                let builtin = bare.strip_prefix(insitu_pdk::PREFIX).and_then(|n| insitu_pdk::library_file(n).ok());
                if let Some(file) = builtin.filter(|_| !dir.join(path).exists()) {
                    // A built-in library: ngspice reads the same text from a file.
                    out.push_str(&format!("{card} \"{}\" {}", file.display(), rest.join(" ")));
                } else if path.is_relative() {
                    out.push_str(&format!("{card} \"{}\" {}", dir.join(path).display(), rest.join(" ")));
                } else {
                    out.push_str(line);
                }
            }
            _ => out.push_str(line),
        }
        out.push('\n');
        if k == 0 && !extra_options.trim().is_empty() {
            out.push_str(&format!(".options {}\n", extra_options.trim()));
        }
    }
    out
}

/// Compares insitu datasets with ngspice plots, pairing analyses of the same kind in order.
pub fn compare(ours: &[Dataset], theirs: &[Plot], tol: &Tolerances) -> Report {
    compare_iter(ours, theirs, tol)
}

fn compare_iter<'a>(ours: impl IntoIterator<Item = &'a Dataset>, theirs: &[Plot], tol: &Tolerances) -> Report {
    let mut report = Report::default();
    let mut used = vec![false; theirs.len()];
    for d in ours {
        let key = plot_key(&d.name);
        let Some(k) = theirs.iter().enumerate().position(|(i, p)| !used[i] && plot_key(&p.name) == key) else {
            report.problems.push(format!("ngspice produced no '{}' plot", d.name));
            continue;
        };
        used[k] = true;
        let p = &theirs[k];
        let before = report.rows.len();
        for v in &d.vectors {
            if let Some(row) = compare_vector(d, v, p, tol) {
                report.rows.push(row);
            }
        }
        if report.rows.len() == before {
            report.problems.push(format!("no common vectors in '{}'", d.name));
        }
    }
    report
}

fn plot_key(name: &str) -> String {
    name.split_whitespace().next().unwrap_or("").to_ascii_lowercase()
}

fn compare_vector(d: &Dataset, v: &insitu_solver::Vector, p: &Plot, tol: &Tolerances) -> Option<Row> {
    let analysis = d.name.clone();
    let row = |score: f64, detail: String| Row {
        analysis: analysis.clone(),
        vector: v.name.clone(),
        score,
        detail,
        tight: None,
    };
    match (&v.data, plot_key(&d.name).as_str()) {
        (Data::Complex(x), _) => {
            let reference = p.complex_vector(&v.name)?;
            if reference.len() != x.len() {
                return Some(row(f64::INFINITY, format!("{} points vs ngspice {}", x.len(), reference.len())));
            }
            // The noise floor is relative to the largest voltage of the whole plot: a node the
            // excitation does not reach is zero in theory and only rounding in either simulator.
            let peak = p
                .variables
                .iter()
                .zip(&p.cplx)
                .filter(|(v, _)| v.kind == "voltage")
                .flat_map(|(_, d)| d.iter().map(|c| c.norm()))
                .fold(f64::MIN_POSITIVE, f64::max);
            let (mut worst_db, mut worst_deg) = (0.0f64, 0.0f64);
            for (a, b) in x.iter().zip(reference) {
                // Below 1e-9 of the peak (e.g. a current that is zero in theory) compare
                // absolutely against that floor instead of in dB.
                if b.norm() < 1e-9 * peak {
                    let e = (a - b).norm() / (1e-9 * peak);
                    worst_db = worst_db.max(e * tol.ac_db);
                    continue;
                }
                let db = 20.0 * (a.norm() / b.norm()).log10();
                let mut deg = (a.arg() - b.arg()).to_degrees();
                deg = (deg + 180.0).rem_euclid(360.0) - 180.0;
                worst_db = worst_db.max(db.abs());
                worst_deg = worst_deg.max(deg.abs());
            }
            let score = (worst_db / tol.ac_db).max(worst_deg / tol.ac_deg);
            Some(row(score, format!("{worst_db:.2e} dB, {worst_deg:.2e} deg")))
        }
        (Data::Real(x), "noise" | "integrated") => {
            let reference = p.vector(&v.name)?;
            if reference.len() != x.len() {
                return Some(row(f64::INFINITY, format!("{} points vs ngspice {}", x.len(), reference.len())));
            }
            let worst = x
                .iter()
                .zip(reference)
                .map(|(a, b)| (a - b).abs() / b.abs().max(f64::MIN_POSITIVE))
                .fold(0.0f64, |m, e| if e.is_nan() { f64::INFINITY } else { m.max(e) });
            Some(row(worst / tol.noise_rel, format!("relative {worst:.2e}")))
        }
        (Data::Real(x), "transient") => {
            let reference = p.vector(&v.name)?;
            let t_all = p.real.first()?;
            // Only the strictly increasing prefix of ngspice's time vector is data.
            let n_ok = 1 + t_all.windows(2).take_while(|w| w[1] > w[0]).count().min(t_all.len().saturating_sub(1));
            let t_ref = &t_all[..n_ok.min(t_all.len())];
            let reference = &reference[..t_ref.len()];
            let t_ours = d.scale.as_ref().and_then(|s| match &s.data {
                Data::Real(t) => Some(t),
                _ => None,
            })?;
            // ngspice's `interp` output grid may end a little before tstop; a reference that
            // covers less than 95 % of the span means its transient aborted.
            let covered = t_ref.last().zip(t_ours.last()).is_some_and(|(r, o)| *r >= 0.95 * o);
            if t_ref.len() < 2 || !covered {
                let end = t_ref.last().copied().unwrap_or(f64::NAN);
                return Some(row(f64::INFINITY, format!("ngspice stopped at t={end:.4e} ({} points)", t_ref.len())));
            }
            let e = integrated_error(t_ours, x, t_ref, reference, tol.tran_reltol, tol.tran_abstol);
            let (tw, yr, yo) = worst_point(t_ours, x, t_ref, reference, tol.tran_reltol, tol.tran_abstol);
            Some(row(e, format!("integrated {e:.3}; worst at t={tw:.4e}: {yo:.4e} vs {yr:.4e}")))
        }
        (Data::Real(x), _) => {
            let reference = p.vector(&v.name)?;
            if reference.len() != x.len() {
                return Some(row(f64::INFINITY, format!("{} points vs ngspice {}", x.len(), reference.len())));
            }
            let abs = if v.quantity == Quantity::Current { tol.op_abs_i } else { tol.op_abs_v };
            // The worst point (the first one when all agree exactly, so its values show).
            let mut worst = (f64::NEG_INFINITY, 0.0f64, 0.0f64);
            for (a, b) in x.iter().zip(reference) {
                let s = (a - b).abs() / (tol.op_rel * b.abs() + abs);
                if s > worst.0 || !s.is_finite() {
                    worst = (s, *a, *b);
                }
            }
            if worst.0 == f64::NEG_INFINITY {
                worst.0 = 0.0;
            }
            Some(row(worst.0, format!("{:.9e} vs {:.9e}", worst.1, worst.2)))
        }
    }
}

/// Linear interpolation of (t, y) at `at` (clamped at the ends).
pub fn interpolate(t: &[f64], y: &[f64], at: f64) -> f64 {
    if t.is_empty() {
        return f64::NAN;
    }
    let k = t.partition_point(|&v| v < at);
    if k == 0 {
        return y[0];
    }
    if k >= t.len() {
        return y[t.len() - 1];
    }
    let (t0, t1) = (t[k - 1], t[k]);
    if t1 <= t0 {
        return y[k];
    }
    y[k - 1] + (y[k] - y[k - 1]) * (at - t0) / (t1 - t0)
}

/// The integrated, tolerance-normalized RMS error of `(t, y)` against `(t_ref, y_ref)`.
pub fn integrated_error(t: &[f64], y: &[f64], t_ref: &[f64], y_ref: &[f64], reltol: f64, abstol: f64) -> f64 {
    let n = t_ref.len().min(y_ref.len());
    if n < 2 {
        return f64::INFINITY;
    }
    let span = t_ref[n - 1] - t_ref[0];
    if span <= 0.0 {
        return f64::INFINITY;
    }
    let e = |k: usize| (y_ref[k] - interpolate(t, y, t_ref[k])) / (reltol * y_ref[k].abs() + abstol);
    let mut acc = 0.0;
    let mut prev = e(0);
    for k in 1..n {
        let cur = e(k);
        acc += 0.5 * (prev * prev + cur * cur) * (t_ref[k] - t_ref[k - 1]);
        prev = cur;
    }
    (acc / span).sqrt()
}

/// The reference point with the largest normalized error: (time, reference, ours).
fn worst_point(t: &[f64], y: &[f64], t_ref: &[f64], y_ref: &[f64], reltol: f64, abstol: f64) -> (f64, f64, f64) {
    let mut worst = (0.0, f64::NAN, f64::NAN, -1.0);
    for (&tr, &yr) in t_ref.iter().zip(y_ref) {
        let yo = interpolate(t, y, tr);
        let e = ((yr - yo) / (reltol * yr.abs() + abstol)).abs();
        if e > worst.3 {
            worst = (tr, yr, yo, e);
        }
    }
    (worst.0, worst.1, worst.2)
}

/// The analysis card word of a `.meas` analysis.
fn analysis_card(a: MeasAnalysis) -> &'static str {
    match a {
        MeasAnalysis::Ac => ".ac",
        MeasAnalysis::Dc => ".dc",
        MeasAnalysis::Tran => ".tran",
        MeasAnalysis::Op => ".op",
        MeasAnalysis::Noise => ".noise",
    }
}

/// The deck ngspice runs to print the `.meas` results of one analysis: its other analysis
/// cards and other measures removed (ngspice 39 prints the measures of only one analysis
/// per deck), `.save all` added (else `vdb()` in a measure is not found), and for every
/// measure `NAME` a `.meas KIND NAME__insitu param='NAME'` (param results are printed with
/// `NGSPICE_MEAS_PRECISION` digits, the others with 7).
pub fn ngspice_measure_deck(text: &str, analysis: MeasAnalysis, names: &[String]) -> String {
    let keep = analysis_card(analysis);
    filter_cards(text, 64 * names.len(), |word, t, out| match word {
        ".op" | ".dc" | ".ac" | ".tran" | ".noise" | ".tf" | ".pz" | ".sens" | ".disto" => word != keep,
        ".meas" | ".measure" => t.split_whitespace().nth(1).is_none_or(|a| !a.eq_ignore_ascii_case(analysis.keyword())),
        ".end" => {
            out.push_str(".save all\n");
            for n in names {
                out.push_str(&format!(".meas {} {n}__insitu param='{n}'\n", analysis.keyword()));
            }
            false
        }
        _ => false,
    })
}

/// The `.meas` results in an ngspice batch log: `name = value` (the full-precision
/// `NAME__insitu` copy preferred), `None` for a measure that failed or printed nothing.
pub fn parse_ngspice_measures(log: &str, names: &[String]) -> Vec<(String, Option<f64>)> {
    let mut found: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
    for line in log.lines() {
        let mut parts = line.splitn(2, '=');
        let (Some(lhs), Some(rhs)) = (parts.next(), parts.next()) else { continue };
        let name = lhs.trim().to_ascii_lowercase();
        if name.contains(char::is_whitespace) || name.is_empty() {
            continue;
        }
        if let Some(v) = rhs.split_whitespace().next().and_then(|w| w.parse::<f64>().ok()) {
            found.insert(name, v);
        }
    }
    names
        .iter()
        .map(|n| {
            let v = found.get(&format!("{n}__insitu")).or_else(|| found.get(n)).copied();
            (n.clone(), v)
        })
        .collect()
}

/// Runs ngspice on `text` (a prepared deck) once per analysis that has measures and returns
/// its results in the order of `measures`; `op` measures (an insitu extension) are absent.
pub fn ngspice_measures(
    ng: &Ngspice,
    text: &str,
    measures: &[Measure],
    work_dir: &Path,
) -> Result<Vec<(String, Option<f64>)>, NgspiceError> {
    let mut out = Vec::new();
    for a in [MeasAnalysis::Ac, MeasAnalysis::Dc, MeasAnalysis::Tran, MeasAnalysis::Noise] {
        let names: Vec<String> = measures.iter().filter(|m| m.analysis == a).map(|m| m.name.clone()).collect();
        if names.is_empty() {
            continue;
        }
        let deck = ngspice_measure_deck(text, a, &names);
        let log = ng.run_for_log(&deck, &work_dir.join(format!("meas-{}", a.keyword())))?;
        out.extend(parse_ngspice_measures(&log, &names));
    }
    Ok(out)
}

/// Why ngspice 39 cannot be compared on a measure it failed (and insitu computed), if that is
/// a known limit of ngspice rather than a difference: DERIV (unsupported), the `INTEGRAL` and
/// `DERIVATIVE` spellings, `v(a,b)` signals, window statistics over a `.dc` sweep that is not a
/// voltage-source sweep, an empty window (ngspice prints 0), and param measures over those.
fn ngspice_gap(m: &Measure, dc_scale: Option<&str>, gaps: &[String]) -> Option<&'static str> {
    let card = m.loc.source_line.to_ascii_lowercase();
    let word = |w: &str| card.split_whitespace().any(|x| x == w);
    match &m.kind {
        MeasKind::DerivAt { .. } | MeasKind::DerivWhen { .. } => Some("ngspice 39 has no DERIV"),
        MeasKind::Stat { .. } if word("integral") => Some("ngspice 39 rejects the INTEGRAL spelling"),
        _ if m.signals().iter().any(|s| s.text.contains(',')) => Some("ngspice 39's .meas rejects v(a,b)"),
        MeasKind::Stat { .. } if m.analysis == MeasAnalysis::Dc && dc_scale != Some("v(v-sweep)") => {
            Some("ngspice 39 computes .dc window statistics only over a voltage-source sweep")
        }
        MeasKind::Param(p) if gaps.iter().any(|g| p.text.contains(g.as_str())) => {
            Some("reads a measure ngspice 39 cannot compute")
        }
        _ => None,
    }
}

/// Compares insitu's measure results with ngspice's: a row per measure, scored
/// `|a - b| / (meas_rel |b| + meas_abs)`; failing in both passes. Where ngspice 39 fails for a
/// known limit of its own (see the list in `ngspice_gap`) or prints 0 for an empty window, the
/// row says so and is not scored. `ours_data` are insitu's datasets (for the `.dc` scale).
pub fn compare_measures(
    measures: &[Measure],
    ours: &[(String, Result<f64, MeasureError>)],
    theirs: &[(String, Option<f64>)],
    ours_data: &[Dataset],
    tol: &Tolerances,
) -> Vec<Row> {
    let dc_scale =
        ours_data.iter().find(|d| d.name.starts_with("DC")).and_then(|d| d.scale.as_ref()).map(|s| s.name.as_str());
    let mut rows = Vec::new();
    let mut gaps: Vec<String> = Vec::new();
    let order = measures
        .iter()
        .filter(|m| !matches!(m.kind, MeasKind::Param(_)))
        .chain(measures.iter().filter(|m| matches!(m.kind, MeasKind::Param(_))));
    for m in order {
        let Some((_, mine)) = ours.iter().find(|(n, _)| *n == m.name) else { continue };
        let Some((_, theirs)) = theirs.iter().find(|(n, _)| *n == m.name) else { continue };
        let analysis = format!("Measure ({})", m.analysis.keyword());
        let row = |score: f64, detail: String| Row {
            analysis: analysis.clone(),
            vector: m.name.clone(),
            score,
            detail,
            tight: None,
        };
        let empty_window = matches!(mine, Err(MeasureError::NotFound { what }) if what.contains("window"));
        rows.push(match (mine, theirs) {
            (Ok(a), Some(b)) => {
                let err = (a - b).abs();
                row(err / (tol.meas_rel * b.abs() + tol.meas_abs), format!("{a:.12e} vs ngspice {b:.12e}"))
            }
            (Err(_), None) => row(0.0, "failed in both".into()),
            (Err(e), Some(b)) if empty_window && *b == 0.0 => {
                row(0.0, format!("not compared: ngspice 39 prints 0 for an empty window, insitu: {e}"))
            }
            (Ok(a), None) => match ngspice_gap(m, dc_scale, &gaps) {
                Some(why) => {
                    gaps.push(m.name.clone());
                    row(0.0, format!("{a:.12e}; not compared: {why}"))
                }
                None => row(f64::INFINITY, format!("{a:.12e}, ngspice failed")),
            },
            (Err(e), Some(b)) => row(f64::INFINITY, format!("insitu failed ({e}), ngspice {b:.12e}")),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrated_error_is_zero_for_identical_and_scales_with_offset() {
        let t: Vec<f64> = (0..101).map(|k| k as f64 * 1e-3).collect();
        let y: Vec<f64> = t.iter().map(|t| (t * 50.0).sin()).collect();
        assert!(integrated_error(&t, &y, &t, &y, 1e-2, 1e-6) < 1e-12);
        // A constant offset of 1e-6 with |ref| ~ 0..1: error bounded by offset/abstol.
        let shifted: Vec<f64> = y.iter().map(|v| v + 1e-6).collect();
        let e = integrated_error(&t, &shifted, &t, &y, 1e-2, 1e-6);
        assert!(e > 0.0 && e < 1.0, "{e}");
    }

    #[test]
    fn prepare_deck_adds_options_absolutizes_includes_and_drops_interp() {
        let deck =
            "title\n.include sub/core.inc\n.lib 'models.lib' tt\n.options acct interp\n.options interp\n.op\n.end\n";
        let out = prepare_deck(deck, Path::new("/abs/dir"), "reltol=1e-6");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "title");
        assert_eq!(lines[1], ".options reltol=1e-6");
        assert_eq!(lines[2], ".include \"/abs/dir/sub/core.inc\" ");
        assert!(lines[3].starts_with(".lib \"/abs/dir/models.lib\" tt"));
        assert_eq!(lines[4], ".options acct");
        assert!(lines[5].starts_with('*'));
        assert_eq!(lines[6], ".op");
    }

    #[test]
    fn tight_deck_drops_transients_and_overrides_reltol_before_end() {
        let deck = "t\n.options reltol=1e-4\n.subckt a x\nR1 x 0 1\n.ends\n.op\n.tran 1n 10n\n+ 0 1n\n\
                    .meas tran m max v(x)\n.ac dec 1 1 10\n.end\n";
        let out = tight_deck(deck, 1e-7);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "t",
                ".options reltol=1e-4",
                ".subckt a x",
                "R1 x 0 1",
                ".ends",
                ".op",
                ".ac dec 1 1 10",
                ".options reltol=1e-7",
                ".end"
            ]
        );
        assert_eq!(deck_reltol(deck), 1e-4);
        assert_eq!(deck_reltol(&out), 1e-7);
        assert_eq!(deck_reltol("t\n.option gmin=1e-12 RELTOL = 2e-3\n.op\n"), 2e-3);
        assert_eq!(deck_reltol("t\n.op\n.end\n"), 1e-3);
        // No `.end`: the card is appended with one.
        assert!(tight_deck("t\n.op\n", 1e-7).ends_with(".options reltol=1e-7\n.end\n"));
    }

    #[test]
    fn a_row_passes_at_the_deck_tolerance_or_against_the_tight_reference() {
        let row = |score: f64, tight: Option<f64>| Row {
            analysis: "Operating Point".into(),
            vector: "v(a)".into(),
            score,
            detail: String::new(),
            tight: tight.map(|s| (s, String::new())),
        };
        assert!(row(0.5, None).pass() && !row(0.5, None).passes_tight());
        assert!(!row(2.0, None).pass());
        assert!(row(2.0, Some(0.5)).pass() && row(2.0, Some(0.5)).passes_tight());
        assert!(!row(2.0, Some(1.5)).pass() && !row(2.0, Some(1.5)).passes_tight());
    }

    #[test]
    fn interpolation_is_linear_and_clamped() {
        let t = [0.0, 1.0, 2.0];
        let y = [0.0, 10.0, 0.0];
        assert_eq!(interpolate(&t, &y, 0.5), 5.0);
        assert_eq!(interpolate(&t, &y, 1.5), 5.0);
        assert_eq!(interpolate(&t, &y, -1.0), 0.0);
        assert_eq!(interpolate(&t, &y, 3.0), 0.0);
    }
}

//! The history file (meta, problem, best, history[]), written atomically after every
//! iteration: a temporary file in the same folder, then a rename, so a crash or Ctrl-C leaves
//! either the previous complete file or the new one.

use super::candidate::Candidate;
use super::problem::{Optimization, Ordered};
use insitu_optimizer::RunRecord;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Run-level facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Deck file stem.
    pub cell: String,
    pub pdk: String,
    /// Current phase (1-based).
    pub phase: usize,
    /// Candidates evaluated so far.
    pub iteration: usize,
    /// `running`, `converged`, `stalled`, `budget`, `time`.
    pub status: String,
    pub algorithm: String,
    pub seed: u64,
    /// `insitu` or `ngspice`.
    pub simulator: String,
    /// Wall-clock seconds of the run so far (all sessions).
    pub elapsed_s: f64,
    /// Simulator seconds summed over candidates and corners.
    pub sim_seconds: f64,
    /// Optimizer seconds (proposals, fits).
    pub optimizer_seconds: f64,
    /// Candidates re-evaluated at phase changes.
    pub reevaluations: usize,
}

/// One iteration (or the incumbent's re-evaluation at a phase change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub iter: usize,
    pub phase: usize,
    /// `candidate` or `reevaluation`.
    pub kind: String,
    pub params: Ordered<f64>,
    pub derived: Ordered<f64>,
    /// Corner -> measurement -> value (`null` when not measured).
    pub results: Ordered<Ordered<Option<f64>>>,
    pub cost: f64,
    pub feasible: bool,
    pub note: String,
    pub strategy: String,
    /// The full evaluation (parameter vector, per-corner errors, optimizer view).
    pub detail: Candidate,
}

/// The loop's control state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct State {
    pub phase: usize,
    /// Iterations since the last improvement (after the initial design).
    pub stall: usize,
    /// Index into `history` of the best entry of the current phase.
    pub best: Option<usize>,
    /// (iteration, new phase) at each phase change.
    pub phase_changes: Vec<(usize, usize)>,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub meta: Meta,
    pub problem: Optimization,
    /// The best design of the current phase.
    pub best: Option<Entry>,
    pub history: Vec<Entry>,
    pub state: State,
    /// The optimizer's record (the current phase's values), for an exact resume.
    pub optimizer: RunRecord,
}

impl History {
    /// Writes the file atomically (temporary file beside it, then rename).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("history.json");
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    }

    /// Reads a history file.
    pub fn load(path: &Path) -> Result<History, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: not a history file: {e}", path.display()))
    }
}

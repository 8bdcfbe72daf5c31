//! `insitu check`: run a deck in insitu and in ngspice and compare.

use super::{emit, fail, EXIT_INPUT, EXIT_SIM};
use insitu::check::{check_file_tight, CheckError, Tolerances, TIGHT_RELTOL};
use insitu::ngspice::Ngspice;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs `insitu check`; with `tight`, failing op/DC/AC/noise rows are re-checked against
/// ngspice at reltol 1e-7 (see `insitu::check::check_file_tight`).
pub fn check(deck: &Path, work_dir: Option<PathBuf>, options: &str, tight: bool) -> ExitCode {
    let Some(ng) = Ngspice::find() else {
        return fail(EXIT_INPUT, &"ngspice not found on PATH (install it: apt-get install -y ngspice)");
    };
    // The deck's compile-time warnings (ignored parameters, model checks), as `insitu sim`
    // prints them; load and compile errors are left to the check, which reports them.
    if let Ok(sim) = insitu_pdk::load_deck(deck).map(insitu_solver::Simulator::new) {
        for w in sim.iter().flat_map(|s| s.warnings()) {
            eprintln!("warning: {w}");
        }
    }
    let dir = work_dir.unwrap_or_else(|| std::env::temp_dir().join(format!("insitu-check-{}", std::process::id())));
    let result = check_file_tight(deck, &ng, &dir, &Tolerances::default(), options, tight.then_some(TIGHT_RELTOL));
    match result {
        Ok(report) => {
            emit(&format!("{report}\n"));
            if report.pass() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e @ CheckError::Netlist(_)) => fail(EXIT_INPUT, &e),
        Err(e) => fail(EXIT_SIM, &e),
    }
}

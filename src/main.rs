//! The `insitu` command line.

use clap::{Parser, Subcommand};
use insitu::check::{check_file_with, CheckError, Tolerances};
use insitu::ngspice::Ngspice;
use insitu::output::to_plots;
use insitu::raw;
use insitu_solver::{Data, Simulator};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code for bad input (parse or elaboration errors, unreadable files).
const EXIT_INPUT: u8 = 2;
/// Exit code for a simulation failure.
const EXIT_SIM: u8 = 3;

#[derive(Parser)]
#[command(name = "insitu", version, about = "In-process SPICE-class simulator and sizing optimizer")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and elaborate a deck, and print the flat circuit.
    Parse { deck: PathBuf },
    /// Run the analyses of a deck.
    Sim {
        deck: PathBuf,
        /// Write an ngspice-compatible rawfile (binary unless --ascii).
        #[arg(short = 'r', long = "raw")]
        raw: Option<PathBuf>,
        /// Write the rawfile as ASCII.
        #[arg(long)]
        ascii: bool,
        /// Write the results as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Run a deck in insitu and in ngspice and compare every common vector.
    Check {
        deck: PathBuf,
        /// Directory for ngspice's files (default: a temporary directory).
        #[arg(long)]
        work_dir: Option<PathBuf>,
        /// Extra `.options` for both simulators, e.g. "reltol=1e-6 vntol=1e-9".
        #[arg(long, default_value = "")]
        options: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { deck } => match insitu_pdk::load_deck(&deck) {
            Ok(c) => {
                emit(&c.to_string());
                ExitCode::SUCCESS
            }
            Err(e) => fail(EXIT_INPUT, &e),
        },
        Command::Sim { deck, raw, ascii, json } => sim(&deck, raw, ascii, json),
        Command::Check { deck, work_dir, options } => check(&deck, work_dir, &options),
    }
}

/// Writes to standard output; a closed pipe (`insitu parse deck | head`) is not an error.
fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn fail(code: u8, e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(code)
}

fn sim(deck: &Path, raw_out: Option<PathBuf>, ascii: bool, json: Option<PathBuf>) -> ExitCode {
    let circuit = match insitu_pdk::load_deck(deck) {
        Ok(c) => c,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    for w in &circuit.warnings {
        eprintln!("warning: {w}");
    }
    let title = circuit.title.clone();
    let mut sim = match Simulator::new(circuit) {
        Ok(s) => s,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    let start = std::time::Instant::now();
    let datasets = match sim.run_all() {
        Ok(d) => d,
        Err(e) => return fail(EXIT_SIM, &e),
    };
    let elapsed = start.elapsed();
    let mut report = String::new();
    for d in &datasets {
        match &d.scale {
            None => {
                report.push_str(&format!("{}:\n", d.name));
                for v in &d.vectors {
                    if let Data::Real(x) = &v.data {
                        report.push_str(&format!("  {:<24} {:>15.6e}\n", v.name, x[0]));
                    }
                }
            }
            Some(s) => report.push_str(&format!("{}: {} points of {}\n", d.name, s.data.len(), s.name)),
        }
    }
    emit(&report);
    eprintln!("simulated in {:.3} ms", elapsed.as_secs_f64() * 1e3);
    if let Some(path) = raw_out {
        let plots = to_plots(&title, &datasets);
        let mut buf = Vec::new();
        let res = if ascii { raw::write_ascii(&plots, &mut buf) } else { raw::write_binary(&plots, &mut buf) };
        if let Err(e) = res.and_then(|_| std::fs::write(&path, &buf)) {
            return fail(EXIT_INPUT, &format!("{}: {e}", path.display()));
        }
    }
    if let Some(path) = json {
        let text = match serde_json::to_string_pretty(&datasets) {
            Ok(t) => t,
            Err(e) => return fail(EXIT_SIM, &e),
        };
        if let Err(e) = std::fs::write(&path, text) {
            return fail(EXIT_INPUT, &format!("{}: {e}", path.display()));
        }
    }
    ExitCode::SUCCESS
}

fn check(deck: &Path, work_dir: Option<PathBuf>, options: &str) -> ExitCode {
    let Some(ng) = Ngspice::find() else {
        return fail(EXIT_INPUT, &"ngspice not found on PATH (install it: apt-get install -y ngspice)");
    };
    let dir = work_dir.unwrap_or_else(|| std::env::temp_dir().join(format!("insitu-check-{}", std::process::id())));
    let result = check_file_with(deck, &ng, &dir, &Tolerances::default(), options);
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

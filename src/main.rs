//! The `insitu` command line.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod cli;
use cli::{emit, fail, EXIT_INPUT};

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
        /// Do not re-run ngspice at reltol=1e-7 to tell its unconverged operating points
        /// (and the AC/noise linearized at them) from real differences.
        #[arg(long)]
        no_tight: bool,
    },
    /// Place the blocks of an MCNC benchmark (name, .yal or .blocks) by BO or SA.
    Place(cli::place::PlaceArgs),
    /// Size a circuit: the problem file's specs, corners and phases, optimized over the deck.
    Optimize(cli::optimize::OptimizeArgs),
    /// gm/Id lookup tables: generate, look up, size.
    Gmid {
        #[command(subcommand)]
        cmd: Box<cli::gmid::GmidCmd>,
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
        Command::Sim { deck, raw, ascii, json } => cli::sim::sim(&deck, raw, ascii, json),
        Command::Check { deck, work_dir, options, no_tight } => cli::check::check(&deck, work_dir, &options, !no_tight),
        Command::Place(args) => cli::place::place(&args),
        Command::Optimize(a) => cli::optimize::optimize(&a),
        Command::Gmid { cmd } => cli::gmid::run(*cmd),
    }
}

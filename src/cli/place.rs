//! `insitu place`: macro placement of an MCNC benchmark by Bayesian optimization or annealing.

use super::{emit, fail, EXIT_INPUT};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use insitu_placement::bo::{optimize, BoConfig};
use insitu_placement::sa::{anneal, SaConfig, SaObjective};
use insitu_placement::{bench, draw};
use std::path::PathBuf;
use std::process::ExitCode;

/// The search to run.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Algo {
    /// Batch Bayesian optimization (GP on sequence pairs, DPP batches of 10).
    Bo,
    /// Simulated annealing, every evaluation an LP placement.
    Sa,
    /// Simulated annealing on the packed HPWL; the LP places the best pairs at the end.
    SaPacked,
}

/// Arguments of `insitu place`.
#[derive(Args, Debug)]
pub struct PlaceArgs {
    /// apte, xerox, hp, ami33 or ami49 (under $INSITU_MCNC_DIR), or a .yal or .blocks file.
    pub bench: String,
    #[arg(long, value_enum, default_value = "bo")]
    pub algo: Algo,
    /// Objective evaluations (BO: 30 initial + batches of 10).
    #[arg(long, default_value_t = 830)]
    pub budget: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the placement as a bookshelf .pl (lower-left corners, orientation N).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Draw the placement as SVG (with block names).
    #[arg(long, conflicts_with = "png")]
    pub svg: Option<PathBuf>,
    /// Draw the placement as PNG (text needs a TrueType font, see `$INSITU_FONT`).
    #[arg(long)]
    pub png: Option<PathBuf>,
}

/// Runs `insitu place`.
pub fn place(args: &PlaceArgs) -> ExitCode {
    let design = match bench::load(&args.bench) {
        Ok(d) => d,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    if args.budget == 0 {
        return fail(EXIT_INPUT, &"--budget must be at least 1");
    }
    eprintln!(
        "{}: {} blocks, {} nets, {} pads, outline {} x {} (block area {:.1} %)",
        design.name,
        design.n(),
        design.nets.len(),
        design.pads.len(),
        design.outline.0,
        design.outline.1,
        100.0 * design.block_area() / (design.outline.0 * design.outline.1)
    );
    let bar = ProgressBar::new(args.budget as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} evals  best {msg}")
            .expect("template")
            .progress_chars("=> "),
    );
    let progress = |done: usize, _budget: usize, best: f64| {
        bar.set_position(done as u64);
        bar.set_message(format!("{best:.0}"));
    };
    let result = match args.algo {
        Algo::Bo => optimize(&design, &BoConfig { budget: args.budget, ..BoConfig::default() }, args.seed, &progress),
        Algo::Sa => anneal(&design, &SaConfig { evals: args.budget, ..SaConfig::default() }, args.seed, &progress),
        Algo::SaPacked => anneal(
            &design,
            &SaConfig { evals: args.budget, objective: SaObjective::Packed, ..SaConfig::default() },
            args.seed,
            &progress,
        ),
    };
    bar.finish();
    let p = &result.placement;
    let algo = match args.algo {
        Algo::Bo => "BO",
        Algo::Sa => "SA",
        Algo::SaPacked => "SA (packed HPWL)",
    };
    let title =
        format!("{} - {algo}, seed {}: HPWL {:.0} after {} evaluations", design.name, args.seed, p.hpwl, result.evals);
    let outputs = [
        args.out.as_ref().map(|o| draw::write_pl(o, &design, &p.x, &p.y)),
        args.svg.as_ref().map(|o| draw::svg(o, &design, &p.x, &p.y, &title)),
        args.png.as_ref().map(|o| {
            insitu::font::register()
                .map_err(|m| insitu_placement::PlaceError::Design(format!("{}: {m}", o.display())))?;
            draw::png(o, &design, &p.x, &p.y, &title)
        }),
    ];
    for r in outputs.into_iter().flatten() {
        if let Err(e) = r {
            return fail(EXIT_INPUT, &e);
        }
    }
    emit(&format!("{title}\nHPWL {:.1}\n", p.hpwl));
    ExitCode::SUCCESS
}

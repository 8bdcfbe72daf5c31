//! Circuit sizing: the loop behind `insitu optimize`, as a library.
//!
//! * [`problem`]: the problem file (serde) and its validation, errors naming the field.
//! * [`Testbench`]: the deck compiled once, one simulator per corner and worker, the
//!   parameter mapping (gm/Id, L, W, `.param`s, device groups) and the measurements;
//!   [`Testbench::assess`] evaluates a candidate at every corner of a phase (corners in
//!   parallel), [`Testbench::assess_batch`] a batch (rayon).
//! * [`scoring`]: the workflow's violation and cost (and its bandgap variant).
//! * [`Coordinates`]: the unit box the optimizer searches, mapped to the ranges linearly or
//!   logarithmically (wide positive ranges).
//! * [`Algorithm`]: the one place that chooses the optimizer.
//! * [`Session`]: phases, convergence, the per-iteration report, the history file and resume;
//!   its [`CornerMemo`] keeps the corner results, so a phase change simulates only new corners.
//!
//! The README's "Use it from Rust" example (a test checks they are the same text):
//!
//! ```
//! use insitu::sizing::{InProcess, Session, Testbench};
//!
//! // Compile once: the deck, one simulator per corner and worker, the measurements.
//! let mut tb = Testbench::from_file("examples/two_stage_miller/problem.json".as_ref())?;
//! // One candidate at every corner of phase 2 (corners in parallel, re-sized, never re-parsed).
//! let c = tb.assess(&tb.init(), 2);
//! for corner in &c.corners {
//!     println!("{}: {:?} {:?}", corner.corner, tb.measurement_names(), corner.values);
//! }
//! println!("cost {:.3}, feasible {}", c.cost, c.feasible);
//! // A batch over rayon.
//! let batch = tb.assess_batch(&[tb.init(), tb.upper()], 1);
//! assert_eq!(batch.len(), 2);
//! // The whole loop, here 8 iterations and no history file.
//! tb.problem.budget.max_iterations = 8;
//! tb.problem.algorithm.initial_samples = 6;
//! let mut run = Session::new(&tb, None, None, &InProcess);
//! let status = run.run(&mut |block| print!("{block}"))?;
//! println!("{status:?}: best cost {:.3}", run.best().map_or(f64::NAN, |b| b.cost));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod algo;
pub mod candidate;
pub mod coords;
pub mod history;
pub mod measure;
pub mod ngspice;
pub mod plot;
pub mod problem;
pub mod report;
pub mod scoring;
pub mod session;
pub mod testbench;
pub mod widths;

pub use algo::Algorithm;
pub use candidate::{Bound, Candidate};
pub use coords::Coordinates;
pub use history::{Entry, History};
pub use problem::{Optimization, ProblemError, ProblemFile};
pub use scoring::Score;
pub use session::{CornerMemo, Evaluator, InProcess, PhaseProblem, Session, Status};
pub use testbench::{CornerResult, Sizing, Testbench};

//! Circuit sizing: the loop behind `insitu optimize`, as a library.
//!
//! * [`problem`]: the problem file (serde) and its validation, errors naming the field.
//! * [`Testbench`]: the deck compiled once, one simulator per corner and worker, the
//!   parameter mapping (gm/Id, L, W, `.param`s, device groups) and the measurements;
//!   [`Testbench::assess`] evaluates a candidate at every corner of a phase (corners in
//!   parallel), [`Testbench::assess_batch`] a batch (rayon).
//! * [`scoring`]: the workflow's violation and cost (and its bandgap variant).
//! * [`Algorithm`]: the one place that chooses the optimizer.
//! * [`Session`]: phases, convergence, the per-iteration report, the history file and resume.
//!
//! ```no_run
//! use insitu::sizing::{Session, Testbench, InProcess};
//! let tb = Testbench::from_file("examples/two_stage_miller/problem.json".as_ref()).unwrap();
//! let mut run = Session::new(&tb, None, None, &InProcess);
//! let status = run.run(&mut |block| print!("{block}")).unwrap();
//! println!("{status:?}\n{}", run.final_report());
//! ```

pub mod algo;
pub mod candidate;
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
pub use history::{Entry, History};
pub use problem::{Optimization, ProblemError, ProblemFile};
pub use scoring::Score;
pub use session::{Evaluator, InProcess, PhaseProblem, Session, Status};
pub use testbench::{CornerResult, Sizing, Testbench};

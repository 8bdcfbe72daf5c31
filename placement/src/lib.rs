//! Fixed-outline macro placement on the MCNC block benchmarks (apte, xerox, hp, ami33, ami49).
//!
//! A placement is a sequence pair (two permutations of the blocks). It is packed by weighted
//! longest common subsequence ([`seqpair`]), checked against the outline, and then placed by a
//! linear program that keeps the pair's relative positions and minimizes the half-perimeter
//! wirelength of pins and pads ([`lp`]). Two searches over sequence pairs use that objective:
//! batch Bayesian optimization with a position kernel and a DPP batch ([`bo`]) and simulated
//! annealing ([`sa`]). Readers for YAL ([`yal`]) and GSRC bookshelf ([`bookshelf`]) build a
//! [`Design`] ([`design`]).
//!
//! ```
//! use insitu_placement::{Design, Block, Net, Pin, SeqPair};
//! let design = Design {
//!     name: "two".into(),
//!     blocks: vec![Block::new("a", 2.0, 1.0), Block::new("b", 1.0, 1.0)],
//!     pads: vec![],
//!     nets: vec![Net { name: "n".into(), pins: vec![Pin::centre(0), Pin::centre(1)] }],
//!     outline: (3.0, 1.0),
//! };
//! let sp = SeqPair::identity(2); // a left of b
//! let packed = insitu_placement::seqpair::pack(&design, &sp);
//! assert_eq!(packed.x, vec![0.0, 2.0]);
//! assert!(design.fits(&packed));
//! assert_eq!(insitu_placement::hpwl::hpwl(&design, &packed.x, &packed.y), 1.5);
//! ```

pub mod bench;
pub mod bo;
pub mod bookshelf;
pub mod design;
pub mod draw;
pub mod error;
pub mod flow;
pub mod gp;
pub mod hpwl;
pub mod lp;
pub mod moves;
pub mod repair;
pub mod result;
pub mod sa;
pub mod seqpair;
pub mod yal;

pub use design::{Block, Design, Net, Pad, Pin, PinAt};
pub use error::PlaceError;
pub use result::SearchResult;
pub use seqpair::{Packing, SeqPair};

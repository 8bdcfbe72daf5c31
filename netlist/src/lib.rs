//! SPICE netlist front end: text -> [`Deck`] (syntax tree with spans) -> [`Circuit`] (flat,
//! numbers resolved, parameters kept symbolic for re-sizing).
//!
//! ```
//! use insitu_netlist::{parse_str, elaborate, ElabOptions, MemLoader, ElementKind};
//! let files = MemLoader::new().with("models.inc", ".model nch nmos (level=1 vto=0.45\n+ kp=280u)\n");
//! let text = "inverter\n.include models.inc\n.param wn=2u\n\
//!             X1 in out amp w={wn*2}\n.subckt amp a y params: w=1u\nM1 y a 0 0 nch W={w} L=1u\n.ends\n.op\n.end\n";
//! let deck = parse_str(text, "inv.cir".as_ref(), &files)?;
//! let mut ckt = elaborate(&deck, &ElabOptions::default())?;
//! let m1 = ckt.element("x1.m1").unwrap_or_default();
//! assert!(matches!(ckt.elements[m1].kind, ElementKind::Mosfet { geom, .. } if geom.w == 4e-6));
//! ckt.set_param("wn", 3e-6)?; // re-evaluates x1.w, then x1.m1's W; nothing else
//! assert!(matches!(ckt.elements[m1].kind, ElementKind::Mosfet { geom, .. } if geom.w == 6e-6));
//! # Ok::<(), insitu_netlist::Error>(())
//! ```
//!
//! # Dialect
//! ngspice is the reference. The first line is the title; `*` starts a comment line, `;` and
//! ` $ ` start inline comments; `+` continues the previous card (also inside `.model`);
//! keywords and names are case-insensitive (names are lower-cased; file names are not);
//! `.end` ends the deck; `.control ... .endc` is skipped with a warning; `.meas`/`.measure` cards are parsed
//! into [`measure::Measure`] and carried into the top-level circuit; unknown dot cards
//! (`.width`, ...) are kept as [`deck::CardKind::Unknown`] with a warning.
//!
//! Numbers take the suffixes `f p n u m k meg g t mil` and ignore trailing unit letters
//! (`10pF`, `1kOhm`, and, as in ngspice, `1F` is one femto). **`4k7` is rejected** with a
//! message suggesting `4.7k`: ngspice does not read it as 4.7k, and silently reading
//! something else would be worse than an error. So is an unbraced word that starts as a
//! number and goes on with arithmetic (`1e3-20`, `2*500`): ngspice splits it into a number and
//! a stray token (`1e3` on a `.model` card, `-20` on an `R` line); `{1e3-20}` is 980.
//!
//! Elements: R C L (value, expression `{...}`/`'...'`, `r=`, or a model; `m`, `tc1`, `tc2`,
//! `scale`, `ic`), V I (`DC`, `AC mag [phase]`, `PULSE SIN EXP PWL` with or without
//! parentheses), E G F H, D (model, area, `off`), M (4 nodes, model, `W L AD AS PD PS NRD NRS
//! M`, `off`), X (with `name=value` overrides, optionally after `params:`), K (parsed, rejected
//! at elaboration). Dot cards: `.model .param .func .subckt/.ends .include/.inc .lib/.endl
//! .if/.elseif/.else/.endif .temp .options .nodeset .ic .op .dc .ac .tran .noise .save .print
//! .plot .global .end`. Expressions: see [`expr`].
//!
//! Paths of `.include`/`.lib` are resolved relative to the including file and read through a
//! [`Loader`] (so tests and the PDK crate can serve them from memory); include cycles are
//! errors. Node `gnd` is ground. Subcircuit contents are named `x1.m1`, internal nodes
//! `x1.n3`. A model whose level is not in [`ElabOptions::supported`] is an error only when an
//! element uses it.

pub mod circuit;
pub mod deck;
pub mod display;
pub mod elaborate;
pub mod error;
pub mod expr;
pub mod lines;
pub mod loader;
pub mod measure;
pub mod number;
pub mod params;

pub use circuit::*;
pub use deck::{parse_file, parse_str, Deck};
pub use elaborate::{elaborate, load_file, ElabOptions};
pub use error::{Error, Location};
pub use loader::{FsLoader, Loader, MemLoader};
pub use params::Target;

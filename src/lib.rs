//! insitu: an in-process SPICE-class analog simulator and circuit sizing optimizer.
//!
//! The crates: [`netlist`] (SPICE text to a flat circuit), [`devices`] (device equations),
//! [`solver`] (compile once, run op/dc/ac/tran many times), [`pdk`] (built-in process
//! libraries), [`optimizer`] (GP, TRACE and baselines). This facade adds rawfile I/O,
//! the ngspice cross-check and the `insitu` command line.

pub use insitu_devices as devices;
pub use insitu_netlist as netlist;
pub use insitu_optimizer as optimizer;
pub use insitu_pdk as pdk;
pub use insitu_solver as solver;

pub mod check;
pub mod font;
pub mod fuzz;
pub mod gen;
pub mod gmid_plot;
pub mod libngspice;
pub mod ngspice;
pub mod output;
pub mod raw;
pub mod sizing;

//! insitu: an in-process SPICE-class analog simulator and circuit sizing optimizer.

pub use insitu_devices as devices;
pub use insitu_netlist as netlist;
pub use insitu_optimizer as optimizer;
pub use insitu_pdk as pdk;
pub use insitu_solver as solver;

pub mod ngspice;
pub mod raw;

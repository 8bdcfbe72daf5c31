//! ngspice-compatible rawfiles (ASCII and binary): reader and writer.

//! ngspice as a subprocess, for cross-checks.

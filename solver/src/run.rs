//! Run every analysis a circuit asks for, in deck order.

use crate::error::SimError;
use crate::results::{Dataset, Recorder};
use crate::simulator::Simulator;
use crate::tran::TranSpec;
use insitu_netlist::Analysis;

impl Simulator {
    /// The operating point as a dataset (`v(node)`, `i(source)`).
    pub fn op_dataset(&mut self) -> Result<Dataset, SimError> {
        self.op()?;
        let mut rec = Recorder::new(self);
        rec.push_real(&self.w.x);
        Ok(rec.finish("Operating Point", None))
    }

    /// Runs one analysis card.
    pub fn run_analysis(&mut self, a: &Analysis) -> Result<Dataset, SimError> {
        match a {
            Analysis::Op => self.op_dataset(),
            Analysis::Dc { sweeps } => self.dc(sweeps),
            Analysis::Ac { grid } => self.ac(grid),
            Analysis::Tran { tstep, tstop, tstart, tmax, uic } => {
                self.tran(&TranSpec { tstep: *tstep, tstop: *tstop, tstart: *tstart, tmax: *tmax, uic: *uic })
            }
            Analysis::Noise { out_p, out_n, input, grid } => self.noise(*out_p, *out_n, *input, grid),
        }
    }

    /// Runs every analysis of the circuit in deck order.
    pub fn run_all(&mut self) -> Result<Vec<Dataset>, SimError> {
        let analyses = self.circuit.analyses.clone();
        analyses.iter().map(|a| self.run_analysis(a)).collect()
    }
}

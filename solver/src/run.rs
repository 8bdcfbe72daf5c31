//! Run every analysis a circuit asks for, in the order ngspice runs them.

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

    /// Runs one analysis card (of a `.noise`, the spectra; see [`Simulator::run_all`]).
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

    /// Runs every analysis of the circuit, one dataset each, as ngspice's plots: a `.noise`
    /// gives two, its spectra and then its "Integrated Noise".
    ///
    /// The order is ngspice's, not the deck's: ngspice 39's batch run (`CKTdoJob`) goes through
    /// its analysis table, `.ac`, `.dc`, `.op`, `.tran`, `.noise`, each kind's cards in deck
    /// order. It matters beyond the order of the plots where a model keeps history across
    /// analyses (the charge deficit of `bsim3v1`/`bsim3v0`'s NQS, which only their transient
    /// writes and their `.ac`/`.noise` read).
    pub fn run_all(&mut self) -> Result<Vec<Dataset>, SimError> {
        let mut analyses = self.circuit.analyses.clone();
        analyses.sort_by_key(ngspice_rank);
        let mut out = Vec::with_capacity(analyses.len() + 1);
        for a in &analyses {
            match a {
                Analysis::Noise { out_p, out_n, input, grid } => {
                    let (spectrum, totals) = self.noise_with_totals(*out_p, *out_n, *input, grid)?;
                    out.push(spectrum);
                    out.push(totals);
                }
                _ => out.push(self.run_analysis(a)?),
            }
        }
        Ok(out)
    }
}

/// Position of an analysis kind in ngspice's analysis table (`analysis.c`'s `analInfo`).
fn ngspice_rank(a: &Analysis) -> u8 {
    match a {
        Analysis::Ac { .. } => 0,
        Analysis::Dc { .. } => 1,
        Analysis::Op => 2,
        Analysis::Tran { .. } => 3,
        Analysis::Noise { .. } => 4,
    }
}

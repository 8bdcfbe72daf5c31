//! `.dc` sweeps of one or two sources (nested) or of temperature, each point warm-started.

use crate::error::SimError;
use crate::instances::DevRef;
use crate::linear::Pivoting;
use crate::load::{Init, Mode};
use crate::results::{Data, Dataset, Quantity, Recorder, Vector};
use crate::simulator::{Pins, Simulator};
use insitu_netlist::{DcSweep, SweepVar};

/// The values a sweep visits, as ngspice steps them: the value accumulates `step` and the
/// sweep ends once it passes `stop` by more than 1000 machine epsilons (absolute, as
/// ngspice's `DCtrCurv`); temperatures accumulate in kelvin, as ngspice holds them. So a
/// stop value that rounding puts a hair below the last step still gets its point.
pub fn sweep_values(s: &DcSweep) -> Vec<f64> {
    if s.step == 0.0 || !s.step.is_finite() {
        return vec![s.start];
    }
    const C_TO_K: f64 = 273.15;
    let offset = if matches!(s.var, SweepVar::Temp) { C_TO_K } else { 0.0 };
    let sign = s.step.signum();
    let mut out = Vec::new();
    let mut v = s.start + offset;
    // A sweep whose step points away from its stop visits its start only; a guard bounds
    // the count of absurd sweeps.
    while out.len() < 100_000_000 {
        out.push(v - offset);
        v += s.step;
        if sign * ((v - offset) - s.stop) > f64::EPSILON * 1e3 {
            break;
        }
    }
    out
}

impl Simulator {
    /// Sets the DC value of an independent V or I source (by element name).
    pub fn set_source_dc(&mut self, element: &str, value: f64) -> Result<(), SimError> {
        let id = self
            .circuit
            .element(element)
            .ok_or_else(|| SimError::UnknownName { what: "source", name: element.to_string() })?;
        self.set_source_dc_id(id, value)
    }

    pub(crate) fn set_source_dc_id(&mut self, id: usize, value: f64) -> Result<(), SimError> {
        match self.elem_map.get(id).copied().flatten() {
            Some(DevRef::VSource(k)) => self.inst.vsrc[k].value.dc = value,
            Some(DevRef::ISource(k)) => self.inst.isrc[k].value.dc = value,
            _ => {
                return Err(SimError::UnknownName {
                    what: "independent source",
                    name: self.circuit.elements.get(id).map(|e| e.name.clone()).unwrap_or_default(),
                })
            }
        }
        Ok(())
    }

    fn source_dc(&self, id: usize) -> f64 {
        match self.elem_map.get(id).copied().flatten() {
            Some(DevRef::VSource(k)) => self.inst.vsrc[k].value.dc,
            Some(DevRef::ISource(k)) => self.inst.isrc[k].value.dc,
            _ => 0.0,
        }
    }

    fn set_sweep_var(&mut self, var: &SweepVar, v: f64) -> Result<(), SimError> {
        match var {
            SweepVar::Source(id) => self.set_source_dc_id(*id, v),
            SweepVar::Temp => self.set_temperature(v),
        }
    }

    /// Solves one sweep point from the previous solution, falling back to the full DC
    /// procedure (gmin, then source stepping, then the transient operating point) when warm
    /// Newton fails, singular or not (as ngspice's `DCtrCurv` calls `CKTop`).
    fn dc_point(&mut self, first: bool) -> Result<(), SimError> {
        if first {
            self.w.x.iter_mut().for_each(|v| *v = 0.0);
            return self.solve_dc(Pins::OP).map_err(|f| self.error(f));
        }
        let w = &mut self.w;
        w.x0.copy_from_slice(&w.x);
        let mut ctx = self.ctx(Mode::Dc, Init::Float);
        match self.newton(&mut ctx, 50, 0.0, Pins::OP) {
            Ok(_) => Ok(()),
            Err(_) => {
                let w = &mut self.w;
                w.x.copy_from_slice(&w.x0);
                self.solve_dc(Pins::OP).map_err(|f| self.error(f))
            }
        }
    }

    /// Runs a `.dc` sweep; the first sweep is the inner loop.
    pub fn dc(&mut self, sweeps: &[DcSweep]) -> Result<Dataset, SimError> {
        if sweeps.is_empty() || sweeps.len() > 2 {
            return Err(SimError::InvalidAnalysis(".dc needs one or two sweeps".into()));
        }
        let inner = sweep_values(&sweeps[0]);
        let outer = sweeps.get(1).map(sweep_values).unwrap_or_else(|| vec![f64::NAN]);
        let saved: Vec<f64> = sweeps
            .iter()
            .map(|s| match s.var {
                SweepVar::Source(id) => self.source_dc(id),
                SweepVar::Temp => self.temp_c,
            })
            .collect();
        self.w.reset_lu(Pivoting::Markowitz);
        let mut rec = Recorder::new(self);
        let mut scale = Vec::with_capacity(inner.len() * outer.len());
        let mut result = Ok(());
        'outer: for &o in &outer {
            if let Some(s) = sweeps.get(1) {
                if let Err(e) = self.set_sweep_var(&s.var, o) {
                    result = Err(e);
                    break;
                }
            }
            for (i, &v) in inner.iter().enumerate() {
                if let Err(e) = self.set_sweep_var(&sweeps[0].var, v).and_then(|_| self.dc_point(i == 0)) {
                    result = Err(e);
                    break 'outer;
                }
                rec.push_real(&self.w.x);
                scale.push(v);
            }
        }
        // Restore the swept values.
        for (s, v) in sweeps.iter().zip(saved) {
            self.set_sweep_var(&s.var, v)?;
        }
        self.have_op = false;
        result?;
        let (name, quantity) = match sweeps[0].var {
            SweepVar::Temp => ("temp-sweep".to_string(), Quantity::Temperature),
            SweepVar::Source(id) => match self.elem_map[id] {
                Some(DevRef::ISource(_)) => ("i(i-sweep)".to_string(), Quantity::Current),
                _ => ("v(v-sweep)".to_string(), Quantity::Voltage),
            },
        };
        let scale = Vector { name, quantity, data: Data::Real(scale) };
        Ok(rec.finish("DC transfer characteristic", Some(scale)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(start: f64, stop: f64, step: f64) -> DcSweep {
        DcSweep { var: SweepVar::Source(0), start, stop, step }
    }

    #[test]
    fn a_stop_a_hair_below_the_last_step_keeps_its_point_as_in_ngspice() {
        // From a generated deck: 8 x 8.198344e-7 exceeds 6.558675e-6 by 2e-13 A, less than
        // ngspice's absolute 1000 epsilon, so ngspice visits 8 values (a count from the
        // span, 6.99999976 steps, gives 7).
        let v = sweep_values(&sweep(8.198344e-7, 6.558675e-6, 8.198344e-7));
        assert_eq!(v.len(), 8);
        assert_eq!(v[0], 8.198344e-7);
        assert_eq!(sweep_values(&sweep(0.0, 1.8, 0.15)).len(), 13);
    }

    #[test]
    fn a_step_away_from_stop_visits_the_start_only() {
        assert_eq!(sweep_values(&sweep(1.0, 0.0, 0.1)), vec![1.0]);
        assert_eq!(sweep_values(&sweep(0.0, -1.0, -0.25)).len(), 5);
    }
}

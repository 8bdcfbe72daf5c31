//! Charge (and flux) history for transient analysis, and the integration formulas.
//!
//! Devices keep their charges in state slots; each charge slot `k` holds the charge at `k`
//! and its current at `k + 1`. Four time levels are kept: the point being solved (0) and
//! the three accepted before it, enough for the local truncation error of order 2.

use insitu_netlist::Method;

/// State vectors for the current and the three previous accepted time points.
#[derive(Debug, Clone)]
pub struct States {
    levels: [Vec<f64>; 4],
}

impl States {
    /// `n` state entries per level.
    pub fn new(n: usize) -> Self {
        States { levels: [vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]] }
    }

    /// Value at time level `lvl` (0 = being solved).
    #[inline]
    pub fn get(&self, lvl: usize, k: usize) -> f64 {
        self.levels[lvl][k]
    }

    /// Sets the value at level 0.
    #[inline]
    pub fn set(&mut self, k: usize, v: f64) {
        self.levels[0][k] = v;
    }

    /// Accepts the current point: every level moves back one (no allocation).
    pub fn rotate(&mut self) {
        self.levels.rotate_right(1);
        let (head, tail) = self.levels.split_at_mut(1);
        head[0].copy_from_slice(&tail[0]);
    }

    /// Copies level 0 into every older level (start of a transient).
    pub fn seed_history(&mut self) {
        let (head, tail) = self.levels.split_at_mut(1);
        for l in tail.iter_mut() {
            l.copy_from_slice(&head[0]);
        }
    }

    /// Copies every level from `other` (same size) without allocating.
    pub fn copy_from(&mut self, other: &States) {
        for (a, b) in self.levels.iter_mut().zip(&other.levels) {
            a.copy_from_slice(b);
        }
    }

    /// Number of entries per level.
    pub fn len(&self) -> usize {
        self.levels[0].len()
    }

    /// Whether there are no state entries.
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }
}

/// The integration formula for one time step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Integrator {
    pub method: Method,
    /// 1 (backward Euler) or 2 (trapezoidal / Gear-2).
    pub order: usize,
    /// Coefficients: `i0 = ag[0] q0 + ag[1] q1 + ag[2] q2` (Gear) or the trapezoidal rule.
    pub ag: [f64; 3],
}

impl Integrator {
    /// Coefficients for a step `h` after a previous step `h_prev`.
    pub fn new(method: Method, order: usize, h: f64, h_prev: f64) -> Self {
        let ag = match (method, order) {
            (_, 1) => [1.0 / h, -1.0 / h, 0.0],
            (Method::Trapezoidal, _) => [2.0 / h, -2.0 / h, 0.0],
            (Method::Gear, _) => {
                let r = h / h_prev;
                [(1.0 + 2.0 * r) / (h * (1.0 + r)), -(1.0 + r) / h, r * r / (h * (1.0 + r))]
            }
        };
        Integrator { method, order, ag }
    }

    /// The Jacobian factor: d(current)/d(charge) at level 0.
    #[inline]
    pub fn ag0(&self) -> f64 {
        self.ag[0]
    }

    /// Integrates the charge in slot `k` (level 0 already set); stores and returns its current.
    #[inline]
    pub fn integrate(&self, st: &mut States, k: usize) -> f64 {
        let q0 = st.get(0, k);
        let q1 = st.get(1, k);
        let i = match (self.method, self.order) {
            (_, 1) => self.ag[0] * (q0 - q1),
            (Method::Trapezoidal, _) => self.ag[0] * (q0 - q1) - st.get(1, k + 1),
            (Method::Gear, _) => self.ag[0] * q0 + self.ag[1] * q1 + self.ag[2] * st.get(2, k),
        };
        st.set(k + 1, i);
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gear2_is_exact_on_quadratics_with_uneven_steps() {
        // q(t) = t^2: q'(t) = 2t, which BDF2 reproduces exactly for any step ratio.
        let (t2, t1, t0) = (0.3, 0.5, 0.9);
        let mut st = States::new(2);
        st.levels[2][0] = t2 * t2;
        st.levels[1][0] = t1 * t1;
        st.set(0, t0 * t0);
        let integ = Integrator::new(Method::Gear, 2, t0 - t1, t1 - t2);
        let i = integ.integrate(&mut st, 0);
        assert!((i - 2.0 * t0).abs() < 1e-12, "{i}");
    }

    #[test]
    fn trapezoid_averages_currents() {
        // q = t^2 from 0 to h with i(0) = 0: (i0 + i1)/2 = (q1 - q0)/h gives i1 = 2h.
        let h = 0.1;
        let mut st = States::new(2);
        st.set(0, h * h);
        let integ = Integrator::new(Method::Trapezoidal, 2, h, h);
        let i = integ.integrate(&mut st, 0);
        assert!((i - 2.0 * h).abs() < 1e-14);
    }

    #[test]
    fn rotate_moves_levels_back() {
        let mut st = States::new(1);
        st.set(0, 1.0);
        st.rotate();
        st.set(0, 2.0);
        st.rotate();
        assert_eq!(st.get(1, 0), 2.0);
        assert_eq!(st.get(2, 0), 1.0);
        assert_eq!(st.get(0, 0), 2.0);
    }
}

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

    /// Every value at time level `lvl`.
    #[inline]
    pub fn level(&self, lvl: usize) -> &[f64] {
        &self.levels[lvl]
    }

    /// Sets the value at level 0.
    #[inline]
    pub fn set(&mut self, k: usize, v: f64) {
        self.levels[0][k] = v;
    }

    /// The `N` entries from `k` of every level, level 0 writable: one bounds check for a
    /// device's whole state.
    #[inline]
    pub fn window<const N: usize>(&mut self, k: usize) -> Window<'_, N> {
        let [l0, l1, l2, _] = &mut self.levels;
        Window { now: (&mut l0[k..k + N]).try_into().expect("N entries"), old: [head(l1, k), head(l2, k)] }
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

/// The `N` entries of `l` from `k`.
#[inline]
fn head<const N: usize>(l: &[f64], k: usize) -> &[f64; N] {
    l[k..k + N].try_into().expect("N entries")
}

/// A device's state entries (see [`States::window`]): level 0 to set, levels 1 and 2 to read.
#[derive(Debug)]
pub struct Window<'a, const N: usize> {
    pub now: &'a mut [f64; N],
    pub old: [&'a [f64; N]; 2],
}

impl<const N: usize> Window<'_, N> {
    /// Integrates the charge at offset `k` (level 0 already set); stores and returns its current.
    #[inline]
    pub fn integrate(&mut self, integ: &Integrator, k: usize) -> f64 {
        let i = integ.current(self.now[k], self.old[0][k], self.old[1][k], self.old[0][k + 1]);
        self.now[k + 1] = i;
        i
    }

    /// [`Window::integrate`] with the formula fixed at compile time (`R`, see
    /// [`Integrator::rule`]): a device integrating several charges picks it once.
    #[inline(always)]
    pub fn integrate_by<const R: u8>(&mut self, integ: &Integrator, k: usize) -> f64 {
        let i = integ.current_by::<R>(self.now[k], self.old[0][k], self.old[1][k], self.old[0][k + 1]);
        self.now[k + 1] = i;
        i
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
        let i = self.current(st.get(0, k), st.get(1, k), st.get(2, k), st.get(1, k + 1));
        st.set(k + 1, i);
        i
    }

    /// The current of a charge `q0` with values `q1`, `q2` and current `i1` at the older levels.
    #[inline]
    pub fn current(&self, q0: f64, q1: f64, q2: f64, i1: f64) -> f64 {
        match self.rule() {
            Self::EULER => self.current_by::<{ Self::EULER }>(q0, q1, q2, i1),
            Self::TRAPEZOIDAL => self.current_by::<{ Self::TRAPEZOIDAL }>(q0, q1, q2, i1),
            _ => self.current_by::<{ Self::GEAR }>(q0, q1, q2, i1),
        }
    }

    /// Rule of order 1 (backward Euler), see [`Integrator::rule`].
    pub const EULER: u8 = 0;
    /// Trapezoidal rule of order 2.
    pub const TRAPEZOIDAL: u8 = 1;
    /// Gear (BDF) of order 2.
    pub const GEAR: u8 = 2;

    /// Which formula [`Integrator::current`] applies: [`Integrator::EULER`],
    /// [`Integrator::TRAPEZOIDAL`] or [`Integrator::GEAR`].
    #[inline]
    pub fn rule(&self) -> u8 {
        match (self.method, self.order) {
            (_, 1) => Self::EULER,
            (Method::Trapezoidal, _) => Self::TRAPEZOIDAL,
            (Method::Gear, _) => Self::GEAR,
        }
    }

    /// [`Integrator::current`] by the formula `R` (the caller's [`Integrator::rule`]).
    #[inline(always)]
    pub fn current_by<const R: u8>(&self, q0: f64, q1: f64, q2: f64, i1: f64) -> f64 {
        match R {
            Self::EULER => self.ag[0] * (q0 - q1),
            Self::TRAPEZOIDAL => self.ag[0] * (q0 - q1) - i1,
            _ => self.ag[0] * q0 + self.ag[1] * q1 + self.ag[2] * q2,
        }
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

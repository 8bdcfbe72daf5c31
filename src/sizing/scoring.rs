//! Scoring, exactly as the sizing workflow defines it.
//!
//! * violation = Σ over specs with bounds of `max(0, min − m)/|min| + max(0, m − max)/|max|`;
//! * infeasible (violation > 0): cost = `1000 + violation`;
//! * feasible: cost = Σ over specs with targets of `weight·|1 − m/target|`;
//! * several corners: cost = the maximum over corners.
//!
//! A missing measurement (failed simulation, no crossing) makes the corner infeasible with a
//! violation of 1 per missing bounded spec (and 1 when it only has a target), so a failure
//! always scores worse than any point that was measured. The bandgap variant is
//! [`score_bandgap`].

use super::problem::SpecDef;

/// Offset of an infeasible cost.
pub const INFEASIBLE: f64 = 1000.0;

/// Violation charged for a spec whose measurement is missing.
pub const MISSING: f64 = 1.0;

/// How one measurement stands against one bound or target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Met (a bound), or within 5 % of the target.
    Met,
    /// Within 20 % of the target.
    Near,
    /// Violated (a bound) or more than 20 % from the target.
    Missed,
}

impl Mark {
    /// ✓ △ ✗
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Met => "✓",
            Mark::Near => "△",
            Mark::Missed => "✗",
        }
    }
}

/// Mark of a measured value against a target: ✓ within 5 %, △ within 20 %, else ✗.
pub fn target_mark(m: f64, target: f64) -> Mark {
    let d = (1.0 - m / target).abs();
    if d <= 0.05 {
        Mark::Met
    } else if d <= 0.2 {
        Mark::Near
    } else {
        Mark::Missed
    }
}

/// Normalized violation of one spec (0 when met).
pub fn spec_violation(s: &SpecDef, m: Option<f64>) -> f64 {
    let Some(m) = m else {
        return if s.min.is_some() || s.max.is_some() || s.target.is_some() { MISSING } else { 0.0 };
    };
    let mut v = 0.0;
    if let Some(lo) = s.min {
        v += (lo - m).max(0.0) / lo.abs();
    }
    if let Some(hi) = s.max {
        v += (m - hi).max(0.0) / hi.abs();
    }
    v
}

/// Score of one corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Total normalized violation.
    pub violation: f64,
    /// `1000 + violation` when infeasible, else the weighted target cost.
    pub cost: f64,
    pub feasible: bool,
}

/// Scores one corner: `specs` and the measured values in the same order.
pub fn score(specs: &[(String, SpecDef)], values: &[Option<f64>]) -> Score {
    let violation: f64 = specs.iter().zip(values).map(|((_, s), m)| spec_violation(s, *m)).sum();
    if violation > 0.0 {
        return Score { violation, cost: INFEASIBLE + violation, feasible: false };
    }
    let cost =
        specs.iter().zip(values).filter_map(|((_, s), m)| Some(s.weight * (1.0 - (*m)? / s.target?).abs())).sum();
    Score { violation: 0.0, cost, feasible: true }
}

/// The workflow's bandgap score. `vbg`, `psrr`, `tc` are the measured values and the specs
/// that play them (Vbg: target; PSRR: min and target; TC: max and target):
/// * violation = `max(0,(T−V)/T) + max(0,(V−T)/T) + max(0,(PSRRmin−PSRR)/PSRRmin) + max(0,(TC−TCmax)/TCmax)`,
///   where `T` is the Vbg target; the Vbg terms are taken beyond the spec's own `min`/`max`
///   when it has them (a tolerance band), exactly at the target when it has none;
/// * feasible cost = `w_vbg·|1 − V/T| + w_psrr·|1 − PSRR/PSRRt|·0.5 + w_tc·|1 − TCt/TC|·0.3`.
pub fn score_bandgap(
    vbg: (&SpecDef, Option<f64>),
    psrr: (&SpecDef, Option<f64>),
    tc: (&SpecDef, Option<f64>),
    weights: (f64, f64, f64),
) -> Score {
    let (Some(v), Some(p), Some(t)) = (vbg.1, psrr.1, tc.1) else {
        let missing = [vbg.1, psrr.1, tc.1].iter().filter(|m| m.is_none()).count() as f64 * MISSING;
        return Score { violation: missing, cost: INFEASIBLE + missing, feasible: false };
    };
    let vt = vbg.0.target.unwrap_or(f64::NAN);
    let lo = vbg.0.min.unwrap_or(vt);
    let hi = vbg.0.max.unwrap_or(vt);
    let pmin = psrr.0.min.unwrap_or(f64::NAN);
    let tmax = tc.0.max.unwrap_or(f64::NAN);
    let violation = ((lo - v) / vt).max(0.0)
        + ((v - hi) / vt).max(0.0)
        + ((pmin - p) / pmin).max(0.0)
        + ((t - tmax) / tmax).max(0.0);
    if violation > 0.0 {
        return Score { violation, cost: INFEASIBLE + violation, feasible: false };
    }
    let pt = psrr.0.target.unwrap_or(f64::NAN);
    let tt = tc.0.target.unwrap_or(f64::NAN);
    let cost = weights.0 * (1.0 - v / vt).abs()
        + weights.1 * (1.0 - p / pt).abs() * 0.5
        + weights.2 * (1.0 - tt / t).abs() * 0.3;
    Score { violation: 0.0, cost, feasible: true }
}

/// Combines corners: the worst (highest) cost; violations add up in the constraint view.
pub fn combine(corners: &[Score]) -> Score {
    let worst = corners.iter().copied().max_by(|a, b| a.cost.total_cmp(&b.cost));
    match worst {
        Some(w) => Score { violation: corners.iter().map(|s| s.violation).fold(0.0, f64::max), ..w },
        None => Score { violation: MISSING, cost: INFEASIBLE + MISSING, feasible: false },
    }
}

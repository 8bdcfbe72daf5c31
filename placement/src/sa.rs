//! Simulated annealing over sequence pairs, the baseline.
//!
//! Moves: swap two blocks in `s1`, in `s2`, or in both (Murata et al.). A move whose packing
//! does not fit the outline is rejected without an evaluation (the fit test is a packing, as
//! in the BO's restricted local search). Metropolis acceptance with a geometric temperature
//! from `t0` to `t1` (relative to the starting cost) over the evaluation budget. The start is a
//! repaired random pair. Two objectives: the LP placement's HPWL (each evaluation is an LP), or
//! the HPWL of the packing at the origin (cheap), in which case the best few pairs get the LP
//! at the end.

use crate::design::Design;
use crate::hpwl::hpwl;
use crate::lp::place_packed;
use crate::repair::{random_feasible, random_move};
use crate::result::{Progress, SearchResult};
use crate::seqpair::{pack, SeqPair};
use insitu_optimizer::rng::stream;
use rand::Rng;

/// What the annealer minimizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaObjective {
    /// HPWL after the LP placement (the true objective; one LP per evaluation).
    Lp,
    /// HPWL of the packing at the origin; the LP places the best pairs at the end.
    Packed,
}

/// Settings of [`anneal`].
#[derive(Clone, Copy, Debug)]
pub struct SaConfig {
    /// Objective evaluations (feasible moves evaluated), including the start.
    pub evals: usize,
    pub objective: SaObjective,
    /// Start and end temperature relative to the starting cost.
    pub t0: f64,
    pub t1: f64,
    /// With [`SaObjective::Packed`]: how many of the best distinct pairs get the final LP.
    pub final_lps: usize,
}

impl Default for SaConfig {
    fn default() -> Self {
        SaConfig { evals: 830, objective: SaObjective::Lp, t0: 0.02, t1: 2e-4, final_lps: 8 }
    }
}

/// Runs simulated annealing with `seed`.
pub fn anneal(design: &Design, cfg: &SaConfig, seed: u64, progress: Progress) -> SearchResult {
    let mut rng = stream(seed, 0x5A, 0);
    let cost = |sp: &SeqPair| -> Option<f64> {
        let p = pack(design, sp);
        if !design.fits(&p) {
            return None;
        }
        Some(match cfg.objective {
            SaObjective::Lp => place_packed(design, sp, &p).hpwl,
            SaObjective::Packed => hpwl(design, &p.x, &p.y),
        })
    };
    let mut cur = random_feasible(design, &mut rng, 100).expect("a repairable design");
    let mut fcur = cost(&cur).expect("repaired pair fits");
    let f0 = fcur;
    let mut best = vec![(fcur, cur.clone())];
    let mut history = vec![fcur];
    let budget = cfg.evals.max(1);
    let mut proposals = 0usize;
    let step = (budget / 100).max(1);
    while history.len() < budget && proposals < 200 * budget {
        proposals += 1;
        let mut cand = cur.clone();
        random_move(&mut cand, &mut rng);
        let Some(f) = cost(&cand) else { continue };
        let k = history.len() as f64 / budget as f64;
        let t = f0 * cfg.t0 * (cfg.t1 / cfg.t0).powf(k);
        if f <= fcur || rng.random::<f64>() < (-(f - fcur) / t).exp() {
            cur = cand;
            fcur = f;
            if (best.len() < cfg.final_lps.max(1) || f < best.last().map_or(f64::INFINITY, |b| b.0))
                && !best.iter().any(|b| b.1 == cur)
            {
                best.push((f, cur.clone()));
                best.sort_by(|a, b| a.0.total_cmp(&b.0));
                best.truncate(cfg.final_lps.max(1));
            }
        }
        history.push(history.last().copied().unwrap_or(f).min(f));
        if history.len() % step == 0 {
            progress(history.len(), budget, best[0].0);
        }
    }
    let evals = history.len();
    let (best_sp, placement) = match cfg.objective {
        SaObjective::Lp => {
            let sp = best[0].1.clone();
            let p = place_packed(design, &sp, &pack(design, &sp));
            (sp, p)
        }
        SaObjective::Packed => best
            .iter()
            .map(|(_, sp)| (sp.clone(), place_packed(design, sp, &pack(design, sp))))
            .min_by(|a, b| a.1.hpwl.total_cmp(&b.1.hpwl))
            .expect("at least one"),
    };
    progress(evals, budget, placement.hpwl);
    SearchResult { best: best_sp, placement, history, evals }
}

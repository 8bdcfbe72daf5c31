//! Batch Bayesian optimization over sequence pairs (after Oh et al., "Bayesian optimization for
//! macro placement", with LAW2ORDER's batch machinery).
//!
//! - Objective: HPWL of the LP placement ([`crate::lp`]); only pairs that fit the outline are
//!   evaluated. The initial design is `n_init` random pairs, each repaired to fit
//!   ([`crate::repair`]).
//! - Surrogate: [`PositionGp`] on `ln HPWL`, on at
//!   most `max_train` points (the best half and the most recent ones) to bound the O(m^3) cost;
//!   the hyperparameters are refitted every 5 rounds (10 random starts the first time, a warm
//!   start and 2 random ones after), the posterior every round.
//! - Batch: greedy DPP with acquisition weights: point 1 maximizes expected improvement (EI);
//!   point `b` maximizes `w(EI(x)) sqrt(var(x | data, points 1..b-1))` with the bounded weight
//!   `w(a) = 0.01 + (1 - 1/(1 + a))`. Each maximization is a steepest-ascent local search over
//!   adjacent-swap neighbours (in `s1` or `s2`) that fit the outline, from the best data points
//!   and a few random ones; starts run in parallel.
//! - Each batch is evaluated in parallel (rayon). Every random choice comes from a stream keyed
//!   by (seed, purpose, index), and parallel results are reduced in a fixed order, so the run is
//!   the same for any thread count.

use crate::design::Design;
use crate::gp::{expected_improvement, Features, PositionGp};
use crate::lp::{place_packed, Placement};
use crate::repair::random_feasible;
use crate::result::{Progress, SearchResult};
use crate::seqpair::{pack, SeqPair};
use insitu_optimizer::linalg::{cholesky_jitter, solve_chol};
use insitu_optimizer::rng::stream;
use rand::Rng;
use rayon::prelude::*;
use std::collections::HashSet;

/// Rounds between two marginal-likelihood fits (the posterior is updated every round).
const REFIT: u64 = 5;

/// Settings of [`optimize`].
#[derive(Clone, Copy, Debug)]
pub struct BoConfig {
    /// Total evaluations (initial + batches).
    pub budget: usize,
    /// Initial random (repaired) pairs.
    pub n_init: usize,
    /// Points per batch.
    pub batch: usize,
    /// Most points the GP is fitted on.
    pub max_train: usize,
    /// Local-search starts per batch point (best data points) and random extra starts.
    pub starts_best: usize,
    pub starts_random: usize,
    /// Most ascent steps per local search.
    pub max_steps: usize,
    /// Random restarts of the likelihood fit (the first round; later rounds use 2 plus a warm start).
    pub fit_restarts: usize,
}

impl Default for BoConfig {
    fn default() -> Self {
        BoConfig {
            budget: 830,
            n_init: 30,
            batch: 10,
            max_train: 150,
            starts_best: 6,
            starts_random: 2,
            max_steps: 12,
            fit_restarts: 10,
        }
    }
}

/// Positions of every block in both sequences.
pub fn features(sp: &SeqPair) -> Features {
    let n = sp.n();
    let mut f = vec![0.0; 2 * n];
    for (i, &b) in sp.s1.iter().enumerate() {
        f[b] = i as f64;
    }
    for (i, &b) in sp.s2.iter().enumerate() {
        f[n + b] = i as f64;
    }
    f
}

/// The adjacent-swap neighbours of a pair (swap positions `i, i+1` in `s1`, then in `s2`).
pub fn adjacent_neighbours(sp: &SeqPair) -> impl Iterator<Item = SeqPair> + '_ {
    let n = sp.n();
    (0..2 * n.saturating_sub(1)).map(move |k| {
        let mut c = sp.clone();
        if k < n - 1 {
            c.s1.swap(k, k + 1);
        } else {
            c.s2.swap(k - (n - 1), k - (n - 1) + 1);
        }
        c
    })
}

/// The batch points chosen so far with what the conditional variance needs.
struct Chosen {
    feats: Vec<Features>,
    /// `L^-1 k(X, b)` of each chosen point.
    vs: Vec<Vec<f64>>,
    /// Cholesky factor of the chosen points' posterior covariance plus noise.
    chol: Vec<f64>,
}

/// Acquisition of the next batch point: EI for the first, weighted conditional std after.
/// `v` holds `k(X, f)` on entry.
fn score(gp: &PositionGp, chosen: &Chosen, best: f64, f: &[f64], v: &mut [f64]) -> f64 {
    let (mean, var) = gp.predict_k(v);
    let ei = expected_improvement(mean, var, best);
    let b = chosen.feats.len();
    if b == 0 {
        return ei;
    }
    let mut c: Vec<f64> = (0..b)
        .map(|j| gp.k(f, &chosen.feats[j]) - v.iter().zip(&chosen.vs[j]).map(|(p, q)| p * q).sum::<f64>())
        .collect();
    let c0 = c.clone();
    solve_chol(&chosen.chol, b, &mut c);
    let var_b = (var - c0.iter().zip(&c).map(|(p, q)| p * q).sum::<f64>()).max(1e-12);
    let w = 0.01 + (1.0 - 1.0 / (1.0 + ei));
    w * var_b.sqrt()
}

/// Steepest ascent of the score over feasible, unseen adjacent-swap neighbours.
fn local_search(
    design: &Design,
    gp: &PositionGp,
    chosen: &Chosen,
    best: f64,
    start: &SeqPair,
    seen: &HashSet<SeqPair>,
    max_steps: usize,
) -> Option<(f64, SeqPair)> {
    let m = gp.x.len();
    let n = start.n();
    let nf = n as f64;
    let mut v = vec![0.0; m];
    let mut base = vec![(0.0, 0.0); m];
    let mut cur: Option<(f64, SeqPair)> = None;
    let mut from = start.clone();
    for _ in 0..max_steps {
        // Distances of `from` to the training points; a neighbour moves two blocks by one
        // position in one sequence, so its distances are updates of these (O(m) each).
        let f0 = features(&from);
        for (j, xj) in gp.x.iter().enumerate() {
            base[j] = crate::gp::distances(&f0, xj, &gp.wn, &gp.hn);
        }
        let mut step: Option<(f64, SeqPair)> = None;
        for (idx, nb) in adjacent_neighbours(&from).enumerate() {
            if seen.contains(&nb) || !design.fits(&pack(design, &nb)) {
                continue;
            }
            let (off, k) = if idx < n - 1 { (0, idx) } else { (n, idx - (n - 1)) };
            let seq = if off == 0 { &from.s1 } else { &from.s2 };
            let (u, w) = (seq[k], seq[k + 1]); // u moves k -> k+1, w moves k+1 -> k
            let (kf, k1) = (k as f64, (k + 1) as f64);
            for (j, xj) in gp.x.iter().enumerate() {
                let du = (k1 - xj[off + u]).abs() - (kf - xj[off + u]).abs();
                let dv = (kf - xj[off + w]).abs() - (k1 - xj[off + w]).abs();
                let dw = base[j].0 + (gp.wn[u] * du + gp.wn[w] * dv) / nf;
                let dh = base[j].1 + (gp.hn[u] * du + gp.hn[w] * dv) / nf;
                v[j] = gp.k_of(dw, dh);
            }
            let s = if chosen.feats.is_empty() {
                score(gp, chosen, best, &[], &mut v)
            } else {
                score(gp, chosen, best, &features(&nb), &mut v)
            };
            if step.as_ref().is_none_or(|(bs, _)| s > *bs) {
                step = Some((s, nb));
            }
        }
        match step {
            Some((s, nb)) if cur.as_ref().is_none_or(|(cs, _)| s > *cs) => {
                from = nb.clone();
                cur = Some((s, nb));
            }
            _ => break,
        }
    }
    cur
}

/// Indices of the training subset: all if few, else the best half and the most recent.
fn train_subset(y: &[f64], max_train: usize) -> Vec<usize> {
    let n = y.len();
    if n <= max_train {
        return (0..n).collect();
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| y[a].total_cmp(&y[b]).then(a.cmp(&b)));
    let mut keep = vec![false; n];
    for &i in order.iter().take(max_train / 2) {
        keep[i] = true;
    }
    let mut count = max_train / 2;
    for i in (0..n).rev() {
        if count >= max_train {
            break;
        }
        if !keep[i] {
            keep[i] = true;
            count += 1;
        }
    }
    (0..n).filter(|&i| keep[i]).collect()
}

/// Runs batch BO with `seed`.
pub fn optimize(design: &Design, cfg: &BoConfig, seed: u64, progress: Progress) -> SearchResult {
    let n = design.n();
    let mean_w = design.blocks.iter().map(|b| b.w).sum::<f64>() / n as f64;
    let mean_h = design.blocks.iter().map(|b| b.h).sum::<f64>() / n as f64;
    let wn: Vec<f64> = design.blocks.iter().map(|b| b.w / mean_w).collect();
    let hn: Vec<f64> = design.blocks.iter().map(|b| b.h / mean_h).collect();
    let budget = cfg.budget.max(1);
    let n_init = cfg.n_init.clamp(1, budget);

    let mut sps: Vec<SeqPair> = Vec::with_capacity(budget);
    let mut placements: Vec<Placement> = Vec::with_capacity(budget);
    let mut seen: HashSet<SeqPair> = HashSet::new();
    let init: Vec<SeqPair> = (0..n_init as u64)
        .into_par_iter()
        .map(|i| random_feasible(design, &mut stream(seed, 0xB0, i), 100).expect("a repairable design"))
        .collect();
    let evaluated: Vec<Placement> = init.par_iter().map(|sp| place_packed(design, sp, &pack(design, sp))).collect();
    for (sp, p) in init.into_iter().zip(evaluated) {
        if seen.insert(sp.clone()) {
            sps.push(sp);
            placements.push(p);
        }
    }
    let mut history: Vec<f64> = Vec::with_capacity(budget);
    for p in &placements {
        history.push(history.last().map_or(p.hpwl, |h: &f64| h.min(p.hpwl)));
    }
    let best_of = |h: &[f64]| h.last().copied().unwrap_or(f64::INFINITY);
    progress(sps.len(), budget, best_of(&history));

    let mut warm = None;
    let mut round = 0u64;
    while sps.len() < budget {
        let y: Vec<f64> = placements.iter().map(|p| p.hpwl.ln()).collect();
        let idx = train_subset(&y, cfg.max_train);
        let xs: Vec<Features> = idx.iter().map(|&i| features(&sps[i])).collect();
        let ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
        // Hyperparameters: a full fit first, a warm refit every `REFIT` rounds, else kept.
        let gp = match warm {
            Some(theta) if round % REFIT != 0 => PositionGp::with_theta_raw(xs, &ys, &wn, &hn, theta),
            _ => {
                let restarts = if round == 0 { cfg.fit_restarts } else { 2 };
                PositionGp::fit(xs, &ys, &wn, &hn, warm, restarts, &mut stream(seed, 0x6F, round))
            }
        };
        warm = Some(gp.theta);
        let best = gp.standardize(y.iter().cloned().fold(f64::INFINITY, f64::min));

        let mut order: Vec<usize> = (0..sps.len()).collect();
        order.sort_by(|&a, &b| y[a].total_cmp(&y[b]).then(a.cmp(&b)));
        let mut rng = stream(seed, 0x57, round);
        let want = cfg.batch.min(budget - sps.len());
        let mut chosen = Chosen { feats: Vec::new(), vs: Vec::new(), chol: Vec::new() };
        let mut batch: Vec<SeqPair> = Vec::with_capacity(want);
        let mut taboo = seen.clone();
        for _ in 0..want {
            let mut starts: Vec<&SeqPair> = order.iter().take(cfg.starts_best).map(|&i| &sps[i]).collect();
            for _ in 0..cfg.starts_random {
                starts.push(&sps[rng.random_range(0..sps.len())]);
            }
            let found: Vec<Option<(f64, SeqPair)>> =
                starts.par_iter().map(|s| local_search(design, &gp, &chosen, best, s, &taboo, cfg.max_steps)).collect();
            let mut pick: Option<(f64, SeqPair)> = None;
            for f in found.into_iter().flatten() {
                if pick.as_ref().is_none_or(|(ps, _)| f.0 > *ps) {
                    pick = Some(f);
                }
            }
            let sp = match pick {
                Some((_, sp)) => sp,
                None => {
                    // Every neighbourhood is exhausted: a fresh repaired pair.
                    let mut r = stream(seed, 0xF1, round * 1000 + batch.len() as u64);
                    match (0..20)
                        .map(|_| random_feasible(design, &mut r, 100))
                        .find(|s| s.as_ref().is_some_and(|s| !taboo.contains(s)))
                    {
                        Some(Some(s)) => s,
                        _ => break,
                    }
                }
            };
            taboo.insert(sp.clone());
            let f = features(&sp);
            let mut v = Vec::new();
            gp.predict(&f, &mut v);
            chosen.feats.push(f);
            chosen.vs.push(v);
            let b = chosen.feats.len();
            let mut cov = vec![0.0; b * b];
            for i in 0..b {
                for j in 0..b {
                    let k = gp.k(&chosen.feats[i], &chosen.feats[j]);
                    let vv: f64 = chosen.vs[i].iter().zip(&chosen.vs[j]).map(|(p, q)| p * q).sum();
                    cov[i * b + j] = k - vv + if i == j { gp.noise() } else { 0.0 };
                }
            }
            chosen.chol = cholesky_jitter(&cov, b, gp.s2()).map(|c| c.0).unwrap_or_else(|| {
                let mut d = vec![0.0; b * b];
                for i in 0..b {
                    d[i * b + i] = gp.s2().sqrt();
                }
                d
            });
            batch.push(sp);
        }
        if batch.is_empty() {
            break;
        }
        let evaluated: Vec<Placement> =
            batch.par_iter().map(|sp| place_packed(design, sp, &pack(design, sp))).collect();
        for (sp, p) in batch.into_iter().zip(evaluated) {
            history.push(best_of(&history).min(p.hpwl));
            seen.insert(sp.clone());
            sps.push(sp);
            placements.push(p);
        }
        progress(sps.len(), budget, best_of(&history));
        round += 1;
    }
    let bi =
        (0..placements.len()).min_by(|&a, &b| placements[a].hpwl.total_cmp(&placements[b].hpwl)).expect("evaluated");
    SearchResult { best: sps[bi].clone(), placement: placements[bi].clone(), history, evals: sps.len() }
}

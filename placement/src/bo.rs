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
//!   `w(a) = 0.01 + (1 - 1/(1 + a))`.
//! - Acquisition optimization (our change to the paper's adjacent-swap hill climbing, which moved
//!   too little: with 80 rounds it could not leave the neighbourhood of the initial pairs):
//!   a trust region around the best pairs. Each round draws a pool of candidates as random walks
//!   of 1..=`radius` wide moves ([`crate::moves`]: arbitrary swaps and insertions in either or
//!   both sequences) from the `centres` best evaluated pairs (half from the best), keeps those
//!   that fit the outline and are unseen, adds the best pair's adjacent-swap neighbours (the
//!   finest steps), and scores them all; each batch point then takes the
//!   best-scoring candidates as starts of a steepest ascent over the adjacent-swap neighbours
//!   plus random wide-move neighbours (feasible, unseen). The radius doubles after two improving
//!   rounds and halves after three rounds without improvement.
//! - At radius 1 the trust region is the best pair's whole one-move neighbourhood
//!   ([`crate::moves::all_wide_moves`], about 220 pairs for 9 blocks): it is enumerated, and each
//!   batch point is the exact maximum of its score over the new, fitting neighbours (no sampling,
//!   no local search). The radius restarts at its initial value after `floor_rounds` failing
//!   rounds there, or as soon as that neighbourhood is exhausted (the best is then a local
//!   optimum of every move). Sampling the neighbourhood instead left apte stuck: its runs ended
//!   at 513,528 or 513,729 although exactly one of the ~220 neighbours of each reaches 513,048.
//! - Each batch is evaluated in parallel (rayon). Every random choice comes from a stream keyed
//!   by (seed, purpose, round, index), and parallel results are collected and reduced in a fixed
//!   order, so the run is the same for any thread count.

use crate::design::Design;
use crate::gp::{expected_improvement, Features, PositionGp};
use crate::lp::{place_packed, Placement};
use crate::moves::{all_wide_moves, wide_move};
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
    /// Trust-region centres: the best this many evaluated pairs.
    pub centres: usize,
    /// Candidates drawn per round inside the trust region (random walks from the centres).
    pub pool: usize,
    /// Local-search starts per batch point (the best-scoring candidates).
    pub starts: usize,
    /// Random wide-move neighbours tried per local-search step (besides the adjacent swaps).
    pub neighbours: usize,
    /// Most ascent steps per local search.
    pub max_steps: usize,
    /// Initial and largest trust-region radius, in wide moves from a centre.
    pub radius: usize,
    pub max_radius: usize,
    /// Failing rounds at radius 1 (the enumerated one-move neighbourhood of the best pair)
    /// before the radius restarts at `radius`; it restarts earlier when that neighbourhood is
    /// exhausted.
    pub floor_rounds: usize,
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
            centres: 8,
            pool: 1000,
            starts: 2,
            neighbours: 24,
            max_steps: 4,
            radius: 3,
            max_radius: 8,
            floor_rounds: 3,
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

/// A candidate pair with its posterior under the current GP.
#[derive(Clone)]
struct Cand {
    sp: SeqPair,
    f: Features,
    /// `L^-1 k(X, x)`.
    v: Vec<f64>,
    var: f64,
    ei: f64,
}

impl Cand {
    fn new(gp: &PositionGp, best: f64, sp: SeqPair) -> Self {
        let f = features(&sp);
        let mut v = Vec::with_capacity(gp.x.len());
        let (mean, var) = gp.predict(&f, &mut v);
        let ei = expected_improvement(mean, var, best);
        Cand { sp, f, v, var, ei }
    }
}

/// Acquisition of the next batch point: EI for the first, `w(EI) sqrt(var | chosen)` after.
fn score(gp: &PositionGp, chosen: &Chosen, c: &Cand) -> f64 {
    let b = chosen.feats.len();
    if b == 0 {
        return c.ei;
    }
    let mut r: Vec<f64> = (0..b)
        .map(|j| gp.k(&c.f, &chosen.feats[j]) - c.v.iter().zip(&chosen.vs[j]).map(|(p, q)| p * q).sum::<f64>())
        .collect();
    let r0 = r.clone();
    solve_chol(&chosen.chol, b, &mut r);
    let var_b = (c.var - r0.iter().zip(&r).map(|(p, q)| p * q).sum::<f64>()).max(1e-12);
    let w = 0.01 + (1.0 - 1.0 / (1.0 + c.ei));
    w * var_b.sqrt()
}

/// What the acquisition search needs to know about a round.
struct Round<'a> {
    design: &'a Design,
    gp: &'a PositionGp,
    best: f64,
    taboo: &'a HashSet<SeqPair>,
}

impl Round<'_> {
    /// Whether `sp` is a new pair that fits the outline.
    fn admissible(&self, sp: &SeqPair) -> bool {
        !self.taboo.contains(sp) && self.design.fits(&pack(self.design, sp))
    }

    /// Steepest ascent of the score from `start` over its adjacent-swap neighbours and
    /// `neighbours` random wide-move neighbours per step (feasible and unseen only).
    fn local_search(&self, chosen: &Chosen, start: Cand, cfg: &BoConfig, rng: &mut impl Rng) -> (f64, Cand) {
        let mut cur = (score(self.gp, chosen, &start), start);
        for _ in 0..cfg.max_steps {
            let mut step: Option<(f64, Cand)> = None;
            let wide: Vec<SeqPair> = (0..cfg.neighbours)
                .map(|_| {
                    let mut nb = cur.1.sp.clone();
                    wide_move(&mut nb, rng);
                    nb
                })
                .collect();
            for nb in adjacent_neighbours(&cur.1.sp).chain(wide) {
                if !self.admissible(&nb) {
                    continue;
                }
                let c = Cand::new(self.gp, self.best, nb);
                let s = score(self.gp, chosen, &c);
                if step.as_ref().is_none_or(|(bs, _)| s > *bs) {
                    step = Some((s, c));
                }
            }
            match step {
                Some(st) if st.0 > cur.0 => cur = st,
                _ => break,
            }
        }
        cur
    }
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

/// The trust region's candidates above the smallest radius: random walks of 1..=`radius` wide
/// moves from the centres (half from the best pair, the rest spread over the next best), kept if
/// they fit and are new, plus the best pair's adjacent-swap neighbours (the finest steps).
#[allow(clippy::too_many_arguments)]
fn wide_pool(
    design: &Design,
    gp: &PositionGp,
    best: f64,
    sps: &[SeqPair],
    order: &[usize],
    seen: &HashSet<SeqPair>,
    radius: usize,
    cfg: &BoConfig,
    seed: u64,
    round: u64,
) -> Vec<Cand> {
    let centres = cfg.centres.clamp(1, sps.len());
    let pool: Vec<Option<Cand>> = (0..cfg.pool as u64)
        .into_par_iter()
        .map(|i| {
            let mut rng = stream(seed, 0xC0, (round << 24) + i);
            let c = if i % 2 == 0 || centres == 1 { 0 } else { 1 + (i as usize / 2) % (centres - 1) };
            let centre = &sps[order[c]];
            for _ in 0..8 {
                let mut sp = centre.clone();
                for _ in 0..rng.random_range(1..=radius) {
                    wide_move(&mut sp, &mut rng);
                }
                if !seen.contains(&sp) && design.fits(&pack(design, &sp)) {
                    return Some(Cand::new(gp, best, sp));
                }
            }
            None
        })
        .collect();
    // Plus the best pair's adjacent-swap neighbours (the paper's moves, the finest steps).
    let fine: Vec<Option<Cand>> = adjacent_neighbours(&sps[order[0]])
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|sp| (!seen.contains(&sp) && design.fits(&pack(design, &sp))).then(|| Cand::new(gp, best, sp)))
        .collect();
    let mut unique = HashSet::new();
    fine.into_iter().chain(pool).flatten().filter(|c| unique.insert(c.sp.clone())).collect()
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
    let max_radius = cfg.max_radius.max(1);
    let mut radius = cfg.radius.clamp(1, max_radius);
    let (mut wins, mut losses) = (0usize, 0usize);
    while sps.len() < budget {
        let y: Vec<f64> = placements.iter().map(|p| p.hpwl.ln()).collect();
        let idx = train_subset(&y, cfg.max_train);
        let xs: Vec<Features> = idx.iter().map(|&i| features(&sps[i])).collect();
        let ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
        // Hyperparameters: a full fit first, a warm refit every `REFIT` rounds, else kept.
        let gp = match warm {
            Some(theta) if !round.is_multiple_of(REFIT) => PositionGp::with_theta_raw(xs, &ys, &wn, &hn, theta),
            _ => {
                let restarts = if round == 0 { cfg.fit_restarts } else { 2 };
                PositionGp::fit(xs, &ys, &wn, &hn, warm, restarts, &mut stream(seed, 0x6F, round))
            }
        };
        warm = Some(gp.theta);
        let best = gp.standardize(y.iter().cloned().fold(f64::INFINITY, f64::min));

        let mut order: Vec<usize> = (0..sps.len()).collect();
        order.sort_by(|&a, &b| y[a].total_cmp(&y[b]).then(a.cmp(&b)));
        let want = cfg.batch.min(budget - sps.len());
        let mut taboo = seen.clone();

        // At the smallest radius the trust region is the best pair's one-move neighbourhood,
        // enumerated: the acquisition is maximized over all of it (new, fitting pairs) exactly.
        let mut exhaustive = false;
        let mut pool: Vec<Cand> = Vec::new();
        if radius == 1 {
            let around: Vec<SeqPair> = all_wide_moves(&sps[order[0]]);
            pool = around
                .into_par_iter()
                .filter(|sp| !seen.contains(sp) && design.fits(&pack(design, sp)))
                .map(|sp| Cand::new(&gp, best, sp))
                .collect();
            exhaustive = !pool.is_empty();
            if !exhaustive {
                // Every neighbour is evaluated: the best is a local optimum of all moves.
                radius = cfg.radius.clamp(1, max_radius);
                (wins, losses) = (0, 0);
            }
        }
        if !exhaustive {
            pool = wide_pool(design, &gp, best, &sps, &order, &seen, radius, cfg, seed, round);
        }

        let mut chosen = Chosen { feats: Vec::new(), vs: Vec::new(), chol: Vec::new() };
        let mut batch: Vec<SeqPair> = Vec::with_capacity(want);
        for bi in 0..want {
            pool.retain(|c| !taboo.contains(&c.sp));
            let scores: Vec<f64> = pool.par_iter().map(|c| score(&gp, &chosen, c)).collect();
            let mut ranked: Vec<usize> = (0..pool.len()).collect();
            ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
            let ctx = Round { design, gp: &gp, best, taboo: &taboo };
            // Over the enumerated neighbourhood the best-scoring candidate is the exact maximum;
            // elsewhere the best-scoring candidates start local searches.
            let starts = if exhaustive { 0 } else { cfg.starts.max(1) };
            let mut found: Vec<(f64, Cand)> = ranked
                .iter()
                .take(starts)
                .enumerate()
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|(k, &i)| {
                    let mut rng = stream(seed, 0x15, (round << 24) + (bi as u64) * 64 + k as u64);
                    ctx.local_search(&chosen, pool[i].clone(), cfg, &mut rng)
                })
                .collect();
            if exhaustive {
                found.extend(ranked.first().map(|&i| (scores[i], pool[i].clone())));
            }
            let mut pick: Option<(f64, Cand)> = None;
            for f in found {
                if pick.as_ref().is_none_or(|(ps, _)| f.0 > *ps) {
                    pick = Some(f);
                }
            }
            let cand = match pick {
                Some((_, c)) => c,
                None => {
                    // The trust region holds nothing new: a fresh repaired pair.
                    let mut r = stream(seed, 0xF1, round * 1000 + batch.len() as u64);
                    match (0..20)
                        .map(|_| random_feasible(design, &mut r, 100))
                        .find(|s| s.as_ref().is_some_and(|s| !taboo.contains(s)))
                    {
                        Some(Some(s)) => Cand::new(&gp, best, s),
                        _ => break,
                    }
                }
            };
            taboo.insert(cand.sp.clone());
            chosen.feats.push(cand.f);
            chosen.vs.push(cand.v);
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
            batch.push(cand.sp);
        }
        if batch.is_empty() {
            break;
        }
        let evaluated: Vec<Placement> =
            batch.par_iter().map(|sp| place_packed(design, sp, &pack(design, sp))).collect();
        let before = best_of(&history);
        for (sp, p) in batch.into_iter().zip(evaluated) {
            history.push(best_of(&history).min(p.hpwl));
            seen.insert(sp.clone());
            sps.push(sp);
            placements.push(p);
        }
        // Trust region: widen after two improving rounds in a row, narrow after three failures,
        // and restart at the initial radius when it cannot narrow further.
        if best_of(&history) < before {
            (wins, losses) = (wins + 1, 0);
            if wins >= 2 {
                radius = (2 * radius).min(max_radius);
                wins = 0;
            }
        } else {
            (wins, losses) = (0, losses + 1);
            if radius > 1 && losses >= 3 {
                radius /= 2;
                losses = 0;
            } else if radius == 1 && losses >= cfg.floor_rounds.max(1) {
                radius = cfg.radius.clamp(1, max_radius);
                losses = 0;
            }
        }
        progress(sps.len(), budget, best_of(&history));
        round += 1;
    }
    let bi =
        (0..placements.len()).min_by(|&a, &b| placements[a].hpwl.total_cmp(&placements[b].hpwl)).expect("evaluated");
    SearchResult { best: sps[bi].clone(), placement: placements[bi].clone(), history, evals: sps.len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Block, Net, Pad, Pin};
    use crate::lp::place;
    use insitu_optimizer::rng::stream;

    /// Seven blocks in a box of twice their area, pads on its boundary, two- to four-pin nets.
    fn small_design() -> Design {
        let mut rng = stream(11, 0, 0);
        let blocks: Vec<Block> = (0..7)
            .map(|i| Block::new(&format!("b{i}"), rng.random_range(2..10) as f64, rng.random_range(2..10) as f64))
            .collect();
        let side = (2.0 * blocks.iter().map(|b| b.w * b.h).sum::<f64>()).sqrt().ceil();
        let pads: Vec<Pad> = (0..8)
            .map(|i| {
                let t = rng.random_range(0.0..side);
                let (x, y) = [(t, 0.0), (side, t), (t, side), (0.0, t)][i % 4];
                Pad { name: format!("p{i}"), x, y }
            })
            .collect();
        let nets = (0..14)
            .map(|i| {
                let k = rng.random_range(2..=4);
                let mut pins: Vec<Pin> = (0..k).map(|_| Pin::centre(rng.random_range(0..7))).collect();
                if i % 2 == 0 {
                    pins.push(Pin::pad(rng.random_range(0..8)));
                }
                Net { name: format!("n{i}"), pins }
            })
            .collect();
        Design { name: "small".into(), blocks, pads, nets, outline: (side, side) }
    }

    /// Held at radius 1 with a sampled pool of one candidate and no local search, the search
    /// still ends at a local optimum of every move: each fitting one-move neighbour of the final
    /// pair is no better than it, because the floor enumerates the whole neighbourhood. (With
    /// the floor sampling like the larger radii, a neighbour 1.5 below the final pair is missed.)
    #[test]
    fn the_radius_floor_ends_at_a_local_optimum_of_all_moves() {
        let d = small_design();
        let cfg = BoConfig {
            budget: 400,
            n_init: 10,
            max_train: 80,
            centres: 2,
            pool: 1,
            starts: 1,
            neighbours: 0,
            max_steps: 0,
            radius: 1,
            max_radius: 1,
            floor_rounds: usize::MAX,
            fit_restarts: 2,
            ..BoConfig::default()
        };
        let r = optimize(&d, &cfg, 3, &|_, _, _| {});
        let neighbours = all_wide_moves(&r.best);
        assert!(neighbours.len() > 100, "{} neighbours", neighbours.len());
        let placed: Vec<f64> = neighbours.iter().filter_map(|c| place(&d, c)).map(|p| p.hpwl).collect();
        assert!(placed.len() > 20, "{} fitting neighbours", placed.len());
        for h in placed {
            assert!(h >= r.placement.hpwl - 1e-9, "a neighbour at {h} beats the final {}", r.placement.hpwl);
        }
    }
}

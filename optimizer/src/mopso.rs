//! Multi-objective particle swarm over the two-level combined rank (TRACE's inner optimizer),
//! on the unit box, with a bounded, de-duplicated archive of the best-ranked points.

use crate::pareto::{combined_ranks, crowding_distance};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Swarm settings (defaults: the paper's 20 particles x 100 iterations, inertia 0.8 -> 0.5,
/// c1 = c2 = 1.7).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MopsoConfig {
    pub swarm_size: usize,
    pub iterations: usize,
    pub inertia_start: f64,
    pub inertia_end: f64,
    pub c1: f64,
    pub c2: f64,
    /// Maximum archive size; beyond it the most crowded members are dropped.
    pub archive_cap: usize,
    /// Round positions to this many decimals every step (the authors use 4); `None` = no rounding.
    pub round_decimals: Option<i32>,
}

impl Default for MopsoConfig {
    fn default() -> Self {
        Self {
            swarm_size: 20,
            iterations: 100,
            inertia_start: 0.8,
            inertia_end: 0.5,
            c1: 1.7,
            c2: 1.7,
            archive_cap: 40,
            round_decimals: None,
        }
    }
}

/// A scored point: position (unit box) and its level-1 and level-2 objective vectors.
#[derive(Clone, Debug)]
pub struct Member {
    pub x: Vec<f64>,
    pub f1: Vec<f64>,
    pub f2: Vec<f64>,
}

fn better_or_equal(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 <= b.1)
}

/// Keeps the members of rank (0, 0) of `cands`, de-duplicated and capped.
fn best_of(cands: Vec<Member>, cap: usize) -> Vec<Member> {
    let f1: Vec<&[f64]> = cands.iter().map(|m| m.f1.as_slice()).collect();
    let f2: Vec<&[f64]> = cands.iter().map(|m| m.f2.as_slice()).collect();
    let ranks = combined_ranks(&f1, &f2);
    let mut kept: Vec<Member> = Vec::new();
    for (m, r) in cands.into_iter().zip(ranks) {
        if r != (0, 0) {
            continue;
        }
        let dup = kept.iter().any(|k| k.x.iter().zip(&m.x).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() < 1e-20);
        if !dup {
            kept.push(m);
        }
    }
    if kept.len() > cap {
        let objs: Vec<Vec<f64>> = kept.iter().map(|m| m.f1.iter().chain(&m.f2).copied().collect()).collect();
        let cd = crowding_distance(&objs);
        let mut idx: Vec<usize> = (0..kept.len()).collect();
        idx.sort_by(|&a, &b| cd[b].total_cmp(&cd[a]).then(a.cmp(&b)));
        idx.truncate(cap);
        idx.sort();
        let mut out = Vec::with_capacity(cap);
        let mut kept: Vec<Option<Member>> = kept.into_iter().map(Some).collect();
        for i in idx {
            out.push(kept[i].take().expect("index used once"));
        }
        return out;
    }
    kept
}

/// Runs the swarm. `eval` maps a set of unit-box points to `(f1, f2)` objective vectors (all
/// minimized); `seeds` are used as initial positions (e.g. the incumbent), the rest of the
/// swarm is uniform. Returns the final archive: every point tied at the best combined rank.
pub fn mopso<R, F>(dim: usize, cfg: &MopsoConfig, seeds: &[Vec<f64>], rng: &mut R, mut eval: F) -> Vec<Member>
where
    R: Rng + ?Sized,
    F: FnMut(&[Vec<f64>]) -> Vec<(Vec<f64>, Vec<f64>)>,
{
    let np = cfg.swarm_size.max(1);
    let round = |v: f64| match cfg.round_decimals {
        Some(k) => {
            let s = 10f64.powi(k);
            (v * s).round() / s
        }
        None => v,
    };
    let mut pos: Vec<Vec<f64>> = Vec::with_capacity(np);
    for s in seeds.iter().take(np) {
        pos.push(s.iter().map(|v| v.clamp(0.0, 1.0)).collect());
    }
    while pos.len() < np {
        pos.push((0..dim).map(|_| round(rng.random::<f64>())).collect());
    }
    let mut vel: Vec<Vec<f64>> = pos.iter().map(|p| p.iter().map(|v| 0.1 * v).collect()).collect();
    let scores = eval(&pos);
    let mut pbest: Vec<Member> = pos.iter().zip(scores).map(|(x, (f1, f2))| Member { x: x.clone(), f1, f2 }).collect();
    let mut archive = best_of(pbest.clone(), cfg.archive_cap);
    for it in 0..cfg.iterations {
        let w = cfg.inertia_start - (cfg.inertia_start - cfg.inertia_end) * it as f64 / cfg.iterations as f64;
        for i in 0..np {
            let leader = &archive[rng.random_range(0..archive.len())].x;
            for q in 0..dim {
                let r1: f64 = rng.random();
                let r2: f64 = rng.random();
                vel[i][q] =
                    w * vel[i][q] + cfg.c1 * r1 * (pbest[i].x[q] - pos[i][q]) + cfg.c2 * r2 * (leader[q] - pos[i][q]);
                let mut v = pos[i][q] + vel[i][q];
                if !(0.0..=1.0).contains(&v) {
                    v = rng.random();
                    vel[i][q] = 0.0;
                }
                pos[i][q] = round(v);
            }
        }
        let scores = eval(&pos);
        let current: Vec<Member> =
            pos.iter().zip(scores).map(|(x, (f1, f2))| Member { x: x.clone(), f1, f2 }).collect();
        // pbest update on ranks computed jointly over pop + pbest + archive.
        let all: Vec<&Member> = current.iter().chain(pbest.iter()).chain(archive.iter()).collect();
        let f1: Vec<&[f64]> = all.iter().map(|m| m.f1.as_slice()).collect();
        let f2: Vec<&[f64]> = all.iter().map(|m| m.f2.as_slice()).collect();
        let ranks = combined_ranks(&f1, &f2);
        for i in 0..np {
            if better_or_equal(ranks[i], ranks[np + i]) {
                pbest[i] = current[i].clone();
            }
        }
        let mut cands = archive;
        cands.extend(current);
        archive = best_of(cands, cfg.archive_cap);
    }
    archive
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_minimum_of_sphere() {
        let mut rng = crate::rng::stream(3, 0, 0);
        let cfg = MopsoConfig::default();
        let arch = mopso(2, &cfg, &[], &mut rng, |xs| {
            xs.iter().map(|x| (vec![], vec![(x[0] - 0.3).powi(2) + (x[1] - 0.7).powi(2)])).collect()
        });
        assert!(!arch.is_empty());
        assert!(arch[0].f2[0] < 1e-4, "{:?}", arch[0]);
    }
}

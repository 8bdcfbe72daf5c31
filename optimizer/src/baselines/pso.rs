use crate::doe;
use crate::problem::{evaluate_batch, from_unit, Problem};
use crate::record::RunRecord;
use crate::rng::stream;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Settings of the penalty PSO baseline.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PsoConfig {
    pub budget: usize,
    pub swarm_size: usize,
    pub inertia_start: f64,
    pub inertia_end: f64,
    pub c1: f64,
    pub c2: f64,
    /// Penalty weight on `sum_k max(0, c_k)`.
    pub penalty: f64,
    pub seed: u64,
}

impl Default for PsoConfig {
    fn default() -> Self {
        Self {
            budget: 50,
            swarm_size: 10,
            inertia_start: 0.8,
            inertia_end: 0.5,
            c1: 1.7,
            c2: 1.7,
            penalty: 1e3,
            seed: 0,
        }
    }
}

/// Global-best PSO on the real problem with a static penalty `f + w sum_k max(0, c_k)`
/// (failures get +infinity). The first swarm is a Latin hypercube; each generation is
/// evaluated as one parallel batch; the run stops at the budget.
pub fn pso<P: Problem + ?Sized>(problem: &P, cfg: &PsoConfig) -> RunRecord {
    let d = problem.dim();
    let (lo, hi) = (problem.lower().to_vec(), problem.upper().to_vec());
    let mut rec = RunRecord::new("pso", cfg.seed, &lo, &hi, problem.n_constraints());
    let mut rng = stream(cfg.seed, 21, 0);
    let np = cfg.swarm_size.max(1).min(cfg.budget.max(1));
    let mut pos = doe::lhs_centered_maximin(np, d, 20, &mut rng);
    let mut vel = vec![vec![0.0; d]; np];
    let mut pbest = pos.clone();
    let mut pbest_v = vec![f64::INFINITY; np];
    let mut gbest = pos[0].clone();
    let mut gbest_v = f64::INFINITY;
    let generations = cfg.budget.div_ceil(np);
    let mut step = 0;
    while rec.evaluations.len() < cfg.budget {
        step += 1;
        let take = np.min(cfg.budget - rec.evaluations.len());
        let xs: Vec<Vec<f64>> = pos[..take].iter().map(|u| from_unit(u, &lo, &hi)).collect();
        let res = evaluate_batch(problem, &xs);
        for (i, (x, (e, t))) in xs.into_iter().zip(res).enumerate() {
            let v = match &e {
                Ok(o) => o.objective + cfg.penalty * o.constraints.iter().map(|c| c.max(0.0)).sum::<f64>(),
                Err(_) => f64::INFINITY,
            };
            rec.push(x, e, step, "pso", t);
            if v < pbest_v[i] {
                pbest_v[i] = v;
                pbest[i] = pos[i].clone();
            }
            if v < gbest_v {
                gbest_v = v;
                gbest = pos[i].clone();
            }
        }
        rec.push_step(step, 0.0, 0.0, Vec::new());
        let w = cfg.inertia_start - (cfg.inertia_start - cfg.inertia_end) * step as f64 / generations as f64;
        for i in 0..np {
            for q in 0..d {
                let (r1, r2): (f64, f64) = (rng.random(), rng.random());
                vel[i][q] =
                    w * vel[i][q] + cfg.c1 * r1 * (pbest[i][q] - pos[i][q]) + cfg.c2 * r2 * (gbest[q] - pos[i][q]);
                let v = pos[i][q] + vel[i][q];
                if (0.0..=1.0).contains(&v) {
                    pos[i][q] = v;
                } else {
                    pos[i][q] = v.clamp(0.0, 1.0);
                    vel[i][q] = 0.0;
                }
            }
        }
    }
    rec
}

//! The two LP solvers of the placement step side by side: the min-cost-flow dual (used) and
//! microlp's simplex (reference), on repaired random pairs of each MCNC benchmark. Prints both
//! HPWLs (they must agree) and the median time of each, and their ratio.
//!
//! `cargo run --release -p insitu-placement --example lp_solvers [-- --pairs 9]`

use insitu_placement::lp::{place_packed_with, LpSolver};
use insitu_placement::{bench, repair, seqpair};
use rand::SeedableRng;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pairs: usize = args
        .iter()
        .position(|a| a == "--pairs")
        .and_then(|i| args.get(i + 1))
        .map_or(9, |s| s.parse().expect("--pairs N"));
    println!("| bench | pairs | max rel. HPWL difference | flow median (ms) | simplex median (ms) | simplex / flow |");
    println!("|---|---|---|---|---|---|");
    for name in bench::BENCHES {
        let d = match bench::load(name) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("skipping {name}: {e}");
                continue;
            }
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let (mut tf, mut ts, mut diff) = (Vec::new(), Vec::new(), 0.0f64);
        for _ in 0..pairs {
            let sp = repair::random_feasible(&d, &mut rng, 10).expect("repairable");
            let p = seqpair::pack(&d, &sp);
            let t = Instant::now();
            let a = place_packed_with(&d, &sp, &p, LpSolver::Flow);
            tf.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            let b = place_packed_with(&d, &sp, &p, LpSolver::Simplex);
            ts.push(t.elapsed().as_secs_f64() * 1e3);
            diff = diff.max((a.hpwl - b.hpwl).abs() / b.hpwl);
        }
        let (f, s) = (median(tf), median(ts));
        println!("| {name} | {pairs} | {diff:.1e} | {f:.2} | {s:.2} | {:.1} |", s / f);
    }
}

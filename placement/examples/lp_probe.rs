use insitu_placement::lp::{place_packed_with, LpSolver};
use insitu_placement::*;
use rand::SeedableRng;
fn main() {
    for name in bench::BENCHES {
        let d = bench::load(name).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let (mut tf, mut ts) = (0.0, 0.0);
        for _ in 0..5 {
            let sp = repair::random_feasible(&d, &mut rng, 5).unwrap();
            let p = seqpair::pack(&d, &sp);
            let t = std::time::Instant::now();
            let a = place_packed_with(&d, &sp, &p, LpSolver::Flow);
            tf += t.elapsed().as_secs_f64();
            let t = std::time::Instant::now();
            let b = place_packed_with(&d, &sp, &p, LpSolver::Simplex);
            ts += t.elapsed().as_secs_f64();
            print!("{:.1}/{:.1} ", a.hpwl, b.hpwl);
        }
        println!("\n{name}: flow {:.4}s simplex {:.4}s", tf / 5.0, ts / 5.0);
    }
}

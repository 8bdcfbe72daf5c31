//! Same seed, same placement, whatever the number of threads.

mod common;

use insitu_placement::bench::load;
use insitu_placement::bo::{optimize, BoConfig};

#[test]
fn bo_is_independent_of_thread_count() {
    if !common::have_data() {
        return;
    }
    let d = load("hp").unwrap();
    let cfg =
        BoConfig { budget: 60, n_init: 20, batch: 10, pool: 120, max_steps: 3, fit_restarts: 2, ..BoConfig::default() };
    // Also from radius 1, where the search enumerates the best pair's one-move neighbourhood.
    let floor = BoConfig { radius: 1, floor_rounds: usize::MAX, ..cfg };
    for cfg in [cfg, floor] {
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| optimize(&d, &cfg, 7, &|_, _, _| {}))
        };
        let (a, b) = (run(1), run(3));
        assert_eq!(a.evals, 60);
        assert_eq!(a.best, b.best);
        assert_eq!(a.history, b.history);
        assert_eq!(a.placement, b.placement);
        // Monotone best-so-far, and the final HPWL is the best seen.
        assert!(a.history.windows(2).all(|w| w[1] <= w[0]));
        assert_eq!(*a.history.last().unwrap(), a.placement.hpwl);
    }
}

//! Operating-point failures over random sizings of the two-stage op-amp
//! (`../shared/cases/opamp/opamp_core.inc`, cold start as `opamp_opac_cold.cir`): what a
//! sizing loop throws at the simulator. Each candidate draws every device's W in 0.5-100 um
//! and L in 0.18-5 um (the input pair and the mirror load matched) and the bias current in
//! 1-200 uA, log-uniformly; insitu and ngspice (a subprocess) solve the same decks.
//!
//! `cargo run --release --example sizing_candidates -- --candidates 10000 --ngspice 10000 --seed 1`
//!
//! It then solves the same candidates re-sized in place (`.param` sizes on one compiled
//! simulator) twice: from zero, and seeded with the box centre's operating point as the sizing
//! loop seeds with its initial design under `op_start: seeded` (`Simulator::set_op_seed`), and
//! compares the two.
//!
//! The last line is `RESULT {json}` with both failure counts.

use insitu::ngspice::Ngspice;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|k| args.get(k + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} expects a number, got '{v}'")))
        .unwrap_or(default)
}

/// The independently sized devices (M2 follows M1, M4 follows M3).
const GROUPS: [&str; 6] = ["m8", "m5", "m1", "m3", "m6", "m7"];

fn log_uniform(r: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    r.random_range(lo.ln()..hi.ln()).exp()
}

/// Candidate `k`'s draws: (W, L) per group of `GROUPS`, in its order, and the bias current.
fn draws(seed: u64, k: usize) -> (Vec<(f64, f64)>, f64) {
    let mut r = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ k as u64);
    let sizes =
        GROUPS.iter().map(|_| (log_uniform(&mut r, 0.5e-6, 100e-6), log_uniform(&mut r, 0.18e-6, 5e-6))).collect();
    (sizes, log_uniform(&mut r, 1e-6, 200e-6))
}

/// The core under `title` with every MOSFET line rewritten by `mos(first six fields, index of
/// its group in GROUPS)` (matched groups: M1/M2 the input pair, M3/M4 the mirror load; every
/// other device alone), the bias source's line replaced by `ibias`, and the open-loop fixture.
fn rewrite(core: &str, title: &str, mos: impl Fn(&str, usize) -> String, ibias: &str) -> String {
    let mut out = format!("{title}\n");
    for line in core.lines() {
        let lower = line.to_ascii_lowercase();
        let name = lower.split_whitespace().next().unwrap_or("");
        let name = match name {
            "m2" => "m1",
            "m4" => "m3",
            n => n,
        };
        if let Some(g) = GROUPS.iter().position(|g| *g == name) {
            let fields: Vec<&str> = line.split_whitespace().take(6).collect();
            out += &mos(&fields.join(" "), g);
        } else if name == "ibias" {
            out += ibias;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push_str("VINP inp 0 DC 0.9 AC 1\nLFB out inm 1G\nCFB inm 0 1G\n.op\n.end\n");
    out
}

/// Candidate `k`: the core with new W/L on every MOSFET line and a new bias current.
fn candidate(core: &str, seed: u64, k: usize) -> String {
    let (sizes, ibias) = draws(seed, k);
    let ext = 2e-6;
    let mos = |fields: &str, g: usize| {
        let (w, l) = sizes[g];
        format!(
            "{fields} W={w:.6e} L={l:.6e} AD={:.6e} AS={:.6e} PD={:.6e} PS={:.6e}",
            w * ext,
            w * ext,
            2.0 * (w + ext),
            2.0 * (w + ext)
        )
    };
    rewrite(core, &format!("sizing candidate {k}"), mos, &format!("IBIAS vdd nb DC {ibias:.6e}"))
}

/// The core with every size and the bias current as `.param`s (`w_m1`, `l_m1`, ..., `ib`), at
/// the centre of the log box (the initial design a sizing loop seeds its operating points
/// with), and the open-loop test fixture of `candidate`.
fn parametrized(core: &str) -> String {
    let centre = |lo: f64, hi: f64| (lo * hi).sqrt();
    let mut params = format!(".param ib={:.6e}", centre(1e-6, 200e-6));
    for g in GROUPS {
        let _ = write!(params, " w_{g}={:.6e} l_{g}={:.6e}", centre(0.5e-6, 100e-6), centre(0.18e-6, 5e-6));
    }
    let mos = |fields: &str, g: usize| {
        let g = GROUPS[g];
        format!("{fields} W={{w_{g}}} L={{l_{g}}} AD={{w_{g}*2e-6}} AS={{w_{g}*2e-6}} PD={{2*(w_{g}+2e-6)}} PS={{2*(w_{g}+2e-6)}}")
    };
    let title = format!("sizing candidates, parametrized\n{params}");
    rewrite(core, &title, mos, "IBIAS vdd nb DC {ib}")
}

/// Candidate `k`'s parameter values for `parametrized` (the draws of `candidate`).
fn candidate_params(seed: u64, k: usize) -> Vec<(String, f64)> {
    let (sizes, ibias) = draws(seed, k);
    let mut out: Vec<(String, f64)> =
        GROUPS.iter().zip(&sizes).flat_map(|(g, (w, l))| [(format!("w_{g}"), *w), (format!("l_{g}"), *l)]).collect();
    out.push(("ib".to_string(), ibias));
    out
}

/// One candidate re-sized in place: v(out) (or the failure) and the Newton iterations.
fn resized_op(sim: &mut insitu_solver::Simulator, params: &[(String, f64)]) -> (Result<f64, String>, usize) {
    for (name, v) in params {
        if let Err(e) = sim.set_param(name, *v) {
            return (Err(e.to_string()), 0);
        }
    }
    let r = sim.op().map_err(|e| e.to_string()).and_then(|_| sim.voltage("out").map_err(|e| e.to_string()));
    (r, sim.iterations)
}

/// Seeded against cold operating points on the same re-sized simulator (`Simulator::set_op_seed`
/// with the box centre's operating point, as the sizing loop under `op_start: seeded` seeds
/// with its initial design):
/// failures, Newton iterations, time, and candidates whose two answers differ.
fn seeded_against_cold(core: &str, seed: u64, n: usize) -> serde_json::Value {
    let text = parametrized(core);
    let c = insitu_pdk::load_deck_str(&text, "parametrized.cir".as_ref()).expect("parametrized deck");
    let cold = insitu_solver::Simulator::new(c).expect("compile");
    let mut seeded = cold.clone();
    seeded.op().expect("the box centre's operating point");
    seeded.set_op_seed().expect("seed");
    let run = |base: &insitu_solver::Simulator| {
        let t = std::time::Instant::now();
        let r: Vec<(Result<f64, String>, usize)> = (0..n)
            .into_par_iter()
            .map_init(|| base.clone(), |sim, k| resized_op(sim, &candidate_params(seed, k)))
            .collect();
        (r, t.elapsed().as_secs_f64())
    };
    let (a, ta) = run(&cold);
    let (b, tb) = run(&seeded);
    let fails = |v: &[(Result<f64, String>, usize)]| v.iter().filter(|r| r.0.is_err()).count();
    let iters = |v: &[(Result<f64, String>, usize)]| {
        let mut i: Vec<usize> = v.iter().map(|r| r.1).collect();
        i.sort_unstable();
        (i.iter().sum::<usize>() as f64 / n as f64, i[n / 2], i[n * 9 / 10])
    };
    let mut differ = 0;
    for (k, (x, y)) in a.iter().zip(&b).enumerate() {
        if let (Ok(x), Ok(y)) = (&x.0, &y.0) {
            if (x - y).abs() > 1e-3 * y.abs().max(1e-3) {
                differ += 1;
                println!("candidate {k}: v(out) cold {x:.6} V, seeded {y:.6} V");
            }
        }
    }
    let (ia, ib) = (iters(&a), iters(&b));
    println!(
        "re-sized in place: cold {} failures, Newton iterations mean {:.1} / median {} / p90 {}, {:.2} s; \
         seeded {} failures, mean {:.1} / median {} / p90 {}, {:.2} s; v(out) differs by more than 0.1 %: {differ}",
        fails(&a),
        ia.0,
        ia.1,
        ia.2,
        ta,
        fails(&b),
        ib.0,
        ib.1,
        ib.2,
        tb
    );
    serde_json::json!({
        "cold_failures": fails(&a),
        "seeded_failures": fails(&b),
        "cold_iterations_mean": ia.0,
        "seeded_iterations_mean": ib.0,
        "cold_seconds": ta,
        "seeded_seconds": tb,
        "seeded_cold_differ": differ,
    })
}

fn main() {
    let n = arg("--candidates", 10_000) as usize;
    let n_ng = (arg("--ngspice", 10_000) as usize).min(n);
    let seed = arg("--seed", 1);
    let core_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases/opamp/opamp_core.inc");
    let core = std::fs::read_to_string(&core_path)
        .unwrap_or_else(|e| panic!("{}: {e} (the shared op-amp deck is needed)", core_path.display()));
    // `--dump K`: print candidate K's deck and stop (to reproduce one by hand).
    if std::env::args().any(|a| a == "--dump") {
        print!("{}", candidate(&core, seed, arg("--dump", 0) as usize));
        return;
    }
    let t0 = std::time::Instant::now();
    let ours: Vec<Result<f64, String>> = (0..n)
        .into_par_iter()
        .map(|k| {
            let text = candidate(&core, seed, k);
            let c = insitu_pdk::load_deck_str(&text, "candidate.cir".as_ref()).map_err(|e| e.to_string())?;
            let mut sim = insitu_solver::Simulator::new(c).map_err(|e| e.to_string())?;
            sim.op().map_err(|e| e.to_string())?;
            sim.voltage("out").map_err(|e| e.to_string())
        })
        .collect();
    let t_ours = t0.elapsed().as_secs_f64();
    let ours_fail = ours.iter().filter(|r| r.is_err()).count();
    println!("insitu: {ours_fail} operating-point failures of {n} candidates ({t_ours:.2} s)");
    let seeded = seeded_against_cold(&core, seed, n);
    let Some(ng) = Ngspice::find() else {
        eprintln!("ngspice not found: no comparison");
        std::process::exit(2);
    };
    let base = std::env::temp_dir().join(format!("insitu-sizing-{}", std::process::id()));
    let t1 = std::time::Instant::now();
    let theirs: Vec<Result<f64, String>> = (0..n_ng)
        .into_par_iter()
        .map(|k| {
            let run = ng.run(&candidate(&core, seed, k), &base.join(k.to_string())).map_err(|e| e.to_string())?;
            let _ = std::fs::remove_dir_all(base.join(k.to_string()));
            let op = run.plot("Operating").ok_or("no operating point")?;
            op.vector("v(out)").and_then(|v| v.first().copied()).ok_or_else(|| "no v(out)".to_string())
        })
        .collect();
    let _ = std::fs::remove_dir_all(&base);
    let t_ng = t1.elapsed().as_secs_f64();
    let ng_fail = theirs.iter().filter(|r| r.is_err()).count();
    let ours_fail_subset = ours[..n_ng].iter().filter(|r| r.is_err()).count();
    let (mut only_ours, mut only_ng, mut differ) = (0, 0, 0);
    for (k, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        match (a, b) {
            (Err(e), Ok(_)) => {
                only_ours += 1;
                println!("candidate {k}: insitu only fails: {e}");
            }
            (Ok(_), Err(_)) => only_ng += 1,
            // Both converged: to the same solution?
            (Ok(x), Ok(y)) if (x - y).abs() > 1e-3 * y.abs().max(1e-3) => {
                differ += 1;
                println!("candidate {k}: v(out) insitu {x:.6} V, ngspice {y:.6} V");
            }
            _ => {}
        }
    }
    println!(
        "ngspice: {ng_fail} operating-point failures of the first {n_ng} candidates ({t_ng:.2} s); insitu on those: \
         {ours_fail_subset} (insitu only {only_ours}, ngspice only {only_ng}); both converged but v(out) differs by \
         more than 0.1 %: {differ}"
    );
    let json = serde_json::json!({
        "candidates": n,
        "seed": seed,
        "insitu_op_failures": ours_fail,
        "ngspice_candidates": n_ng,
        "ngspice_op_failures": ng_fail,
        "insitu_op_failures_on_ngspice_candidates": ours_fail_subset,
        "insitu_only_failures": only_ours,
        "ngspice_only_failures": only_ng,
        "both_converged_different_vout": differ,
        "resized_in_place": seeded,
    });
    println!("RESULT {json}");
}

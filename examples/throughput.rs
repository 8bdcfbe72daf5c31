//! Throughput on the two-stage op-amp of `../shared/cases/opamp`: insitu against ngspice as a
//! subprocess and in process (libngspice), measured in the same run.
//!
//! Run with `cargo run --release --example throughput`. Every evaluation re-sizes M6 (its
//! width sweeps 80-120 um) so no simulator can reuse a previous answer. Times are medians.
//! The last line is `RESULT {json}`. `--bsim` runs the generic180 (BSIM-lite) rows alone.

use insitu::libngspice::SharedNgspice;
use insitu::ngspice::Ngspice;
use insitu_netlist::{elaborate, parse_str, ElabOptions, FreqGrid, FsLoader, GridKind};
use insitu_solver::{Simulator, TranSpec};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Seconds one call of `f` takes.
fn seconds(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

/// Median seconds per call of `f(k)` over `n` calls (after `warm` unmeasured calls).
fn time_each(n: usize, warm: usize, mut f: impl FnMut(usize)) -> f64 {
    for k in 0..warm {
        f(k);
    }
    median((0..n).map(|k| seconds(|| f(k))).collect())
}

fn width(k: usize) -> f64 {
    80e-6 + 40e-6 * ((k * 7919) % 1000) as f64 / 1000.0
}

/// The op-amp core with M6's width set, for ngspice decks.
fn core_with(core: &str, w6: f64) -> String {
    core.lines()
        .map(|l| if l.starts_with("M6 ") { l.replace("W=100u", &format!("W={:.4}u", w6 * 1e6)) } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

const OPEN_LOOP: &str = "VINP inp 0 DC 0.9 AC 1 PULSE(0.9 0.9001 100n 1n 1n 400n 2u)\nLFB out inm 1G\nCFB inm 0 1G\n.options num_threads=1\n.nodeset v(out)=0.9 v(inm)=0.9\n";

fn deck(core: &str, w6: f64, analyses: &str) -> String {
    format!("two-stage op-amp\n{}\n{OPEN_LOOP}{analyses}\n.end\n", core_with(core, w6))
}

/// The generic180 op-amp (BSIM-lite, `examples/opamp_generic180.cir`) without its analysis
/// cards, with `analyses` in their place; built-in libraries become files ngspice can read.
fn generic180_deck(analyses: &str) -> String {
    pdk_deck("examples/opamp_generic180.cir", analyses)
}

/// A built-in-PDK deck of this repository (path relative to it) with its analyses replaced.
fn pdk_deck(rel: &str, analyses: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body: Vec<&str> = text
        .lines()
        .filter(|l| {
            let w = l.trim_start().to_ascii_lowercase();
            !(w.starts_with(".op")
                || w.starts_with(".ac")
                || w.starts_with(".noise")
                || w.starts_with(".tran")
                || w == ".end")
        })
        .collect();
    let deck = format!("{}\n.options num_threads=1\n{analyses}\n.end\n", body.join("\n"));
    insitu::check::prepare_deck(&deck, path.parent().unwrap(), "")
}

/// BSIM-lite timings (medians).
struct BsimTimes {
    tran: f64,
    lib_tran: f64,
    /// libngspice's transient time over insitu's: the median of per-turn ratios.
    ratio_tran: f64,
    /// op + ac, cold, at one size.
    op_ac: f64,
    /// op + ac, warm, M6 of the AC copy re-sized per call.
    op_ac_warm: f64,
    /// op + ac, seeded with the deck's own operating point, M6 re-sized per call (the sizing
    /// loop under `op_start: seeded`: `Simulator::set_op_seed`).
    op_ac_seeded: f64,
    lib_op_ac: f64,
    /// libngspice's op + ac time over insitu's, cold, seeded and warm: medians of per-turn
    /// ratios (see `bsim_times`).
    ratio_cold: f64,
    ratio_seeded: f64,
    ratio_warm: f64,
}

/// M6 of the generic180 op-amp's AC copy `X1`, re-sized per evaluation (64-96 um around
/// the deck's 80 um; L stays 0.5 um) as the level-1 rows re-size theirs.
fn resize_bsim_m6(sim: &mut Simulator, m6: insitu_solver::ElementHandle, k: usize) {
    sim.set_mos_size_of(m6, 0.8 * width(k), 0.5e-6).unwrap();
}

/// The unknown of the generic180 op-amp's AC output `out` (of copy `X1`): what the BSIM-lite
/// rows read at each frequency.
fn bsim_out(sim: &Simulator) -> usize {
    sim.circuit().node("out").filter(|&id| id > 0).expect("node out") - 1
}

/// The generic180 op-amp's M6 in the AC copy.
fn bsim_m6(sim: &Simulator) -> insitu_solver::ElementHandle {
    sim.element_handle("m6.x1").or_else(|_| sim.element_handle("x1.m6")).expect("M6 of X1")
}

fn bsim_times() -> Option<BsimTimes> {
    let grid = FreqGrid { kind: GridKind::Dec, points: 20, fstart: 1.0, fstop: 1e9 };
    let freqs = grid.frequencies();
    let text = generic180_deck(".op");
    let circuit = insitu_pdk::load_deck_str(&text, Path::new("generic180.cir")).unwrap();
    let mut sim = Simulator::new(circuit).unwrap();
    let tran = TranSpec { tstep: 0.5e-9, tstop: 400e-9, tstart: 0.0, tmax: None, uic: false };
    let mut ng = SharedNgspice::get()?.lock().ok()?;
    // The transient: insitu (3 calls) and libngspice (2 runs) in 8 alternating turns after
    // an unmeasured one, as the op + ac rows below.
    ng.circuit(&generic180_deck(".tran 0.5n 400n")).ok()?;
    let turns = in_turns(&mut |_| drop(sim.tran(&tran).unwrap()), 3, &mut || {
        time_each(2, 0, |_| {
            ng.command("run").unwrap();
            ng.command("destroy all").unwrap();
        })
    });
    ng.command("remcirc").ok()?;
    let (ours_tran, lib_tran, tran_ratio) = (turns.ours, turns.lib, turns.ratio);
    let points = sim.tran(&tran).unwrap().vectors[0].data.len();
    let iters = sim.iterations;
    // One output read per frequency, as the level-1 rows and libngspice (which computes
    // nothing per point) do; `black_box` keeps it from being optimized away.
    let out = bsim_out(&sim);
    let m6 = bsim_m6(&sim);
    // op + ac, M6 re-sized first when `k` is given.
    let op_ac = |sim: &mut Simulator, k: Option<usize>| {
        if let Some(k) = k {
            resize_bsim_m6(sim, m6, k);
        }
        sim.op().unwrap();
        sim.ac_prepare().unwrap();
        let mut acc = 0.0;
        sim.ac_sweep(&freqs, |_, x| acc += x[out].norm()).unwrap();
        std::hint::black_box(acc);
    };
    // op + ac: three simulators (cold at one size; warm and seeded, M6 re-sized per call) and
    // libngspice, measured in turns of 10 calls each, 10 turns: the shared machine's drift
    // then moves both sides of a ratio alike. Times are medians over all calls; ratios are
    // medians over the turns of the turn's libngspice median over its insitu median (the first
    // call of a turn, after the others evicted its data from the caches, hardly moves a median).
    let mut cold = sim.clone();
    let mut warm = sim.clone();
    // Warm: Newton starts from the last solution. Seeded, as the sizing loop under
    // `op_start: seeded`: every call starts from the deck size's operating point, whatever ran
    // before; the seed is the deck size's op + ac (`set_op_seed` keeps both pivot plans too).
    warm.set_warm_start(true);
    let mut seeded = sim.clone();
    seeded.set_mos_size_of(m6, 80e-6, 0.5e-6).unwrap();
    op_ac(&mut seeded, None);
    seeded.set_op_seed().unwrap();
    ng.circuit(&generic180_deck(".op\n.ac dec 20 1 1G")).ok()?;
    let (turns, per_turn) = (10, 10);
    let mut all: [Vec<f64>; 4] = Default::default();
    let mut ratios: [Vec<f64>; 3] = Default::default();
    let mut k = 0;
    for turn in 0..=turns {
        let mut t: [Vec<f64>; 4] = Default::default();
        // Cold stays at one size; the others are re-sized per call.
        for (ti, (s, resize)) in t.iter_mut().zip([(&mut cold, false), (&mut seeded, true), (&mut warm, true)]) {
            for _ in 0..per_turn {
                ti.push(seconds(|| op_ac(s, resize.then_some(k))));
                k += 1;
            }
        }
        for _ in 0..per_turn {
            t[3].push(seconds(|| {
                ng.command("run").unwrap();
                ng.command("destroy all").unwrap();
            }));
        }
        if turn == 0 {
            continue; // warm-up
        }
        let lib = median(t[3].clone());
        for (r, ours) in ratios.iter_mut().zip(&t) {
            r.push(lib / median(ours.clone()));
        }
        for (a, b) in all.iter_mut().zip(t) {
            a.extend(b);
        }
    }
    ng.command("remcirc").ok()?;
    let [ours_op_ac, ours_op_ac_seeded, ours_op_ac_warm, lib_op_ac] = all.map(median);
    let [ratio_cold, ratio_seeded, ratio_warm] = ratios.map(median);
    let seeded_iters = seeded.iterations;
    println!(
        "generic180 op-amp (BSIM-lite): tran {:.2} ms ({points} points, {iters} Newton iterations) vs libngspice tran {:.2} ms; \
         op + ac {:.3} ms cold, {:.3} ms seeded re-sized ({seeded_iters} Newton iterations in the last op), \
         {:.3} ms warm re-sized, vs libngspice {:.3} ms",
        ours_tran * 1e3,
        lib_tran * 1e3,
        ours_op_ac * 1e3,
        ours_op_ac_seeded * 1e3,
        ours_op_ac_warm * 1e3,
        lib_op_ac * 1e3
    );
    Some(BsimTimes {
        tran: ours_tran,
        lib_tran,
        ratio_tran: tran_ratio,
        op_ac: ours_op_ac,
        op_ac_warm: ours_op_ac_warm,
        op_ac_seeded: ours_op_ac_seeded,
        lib_op_ac,
        ratio_cold,
        ratio_seeded,
        ratio_warm,
    })
}

/// Whole-process wall time of the issue's 5-stage level-1 ring (3 us at 10 ps, `uic`):
/// `insitu sim` against `ngspice -b`, medians of 3 runs each.
fn ring_process_times(ng: Option<&Ngspice>) -> Option<(f64, f64)> {
    let insitu = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/insitu");
    if !insitu.exists() {
        println!("ring: {} is missing (cargo build --release first)", insitu.display());
        return None;
    }
    let ng = ng?;
    let dir = std::env::temp_dir().join(format!("insitu-ring-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let deck = dir.join("ring.cir");
    std::fs::write(&deck, RING_DECK).ok()?;
    let run = |cmd: &mut std::process::Command| {
        let t = Instant::now();
        let out = cmd.output().expect("run a simulator");
        assert!(out.status.success() || cmd.get_program().to_string_lossy().contains("ngspice"), "{out:?}");
        t.elapsed().as_secs_f64()
    };
    let ours = median(
        (0..3)
            .map(|_| run(std::process::Command::new(&insitu).arg("sim").arg(&deck).arg("-r").arg(dir.join("i.raw"))))
            .collect(),
    );
    let theirs = median(
        (0..3)
            .map(|_| run(std::process::Command::new(&ng.path).arg("-b").arg("-r").arg(dir.join("n.raw")).arg(&deck)))
            .collect(),
    );
    let _ = std::fs::remove_dir_all(&dir);
    println!("5-stage ring, 3 us at 10 ps, whole process: insitu {ours:.3} s, ngspice {theirs:.3} s");
    Some((ours, theirs))
}

/// The ring of issue 11 run for 3 us.
const RING_DECK: &str = "5-stage ring oscillator, level 1, started by uic
.model nch nmos level=1 vto=0.5 kp=180u gamma=0.5 phi=0.7 lambda=0.05 tox=7n cgso=0.25n cgdo=0.25n cgbo=0.1n
+ cj=0.9m mj=0.45 cjsw=0.25n mjsw=0.3 pb=0.85 is=1e-15 ld=20n
.model pch pmos level=1 vto=-0.6 kp=60u gamma=0.5 phi=0.7 lambda=0.09 tox=7n cgso=0.28n cgdo=0.28n cgbo=0.1n
+ cj=1.1m mj=0.5 cjsw=0.3n mjsw=0.35 pb=0.9 is=1e-15 ld=25n
vdd vdd 0 3.3
.subckt inv a y vdd
mp y a vdd vdd pch w=3u l=0.6u ad=3p as=3p pd=8u ps=8u
mn y a 0 0 nch w=1u l=0.6u ad=1p as=1p pd=4u ps=4u
.ends
x1 n1 n2 vdd inv
x2 n2 n3 vdd inv
x3 n3 n4 vdd inv
x4 n4 n5 vdd inv
x5 n5 n1 vdd inv
c1 n1 0 20f
c2 n2 0 20f
c3 n3 0 20f
c4 n4 0 20f
c5 n5 0 20f
.ic v(n1)=0 v(n2)=3.3 v(n3)=0 v(n4)=3.3 v(n5)=0
.options num_threads=1
.tran 10p 3u uic
.end
";

/// Medians of a workload timed in alternating turns ([`in_turns`]).
#[derive(Clone, Copy)]
struct Turns {
    /// insitu's median seconds per call.
    ours: f64,
    /// The median of libngspice's per-turn medians, seconds per call.
    lib: f64,
    /// The median over the turns of the turn's libngspice median over its insitu median.
    ratio: f64,
}

/// Times insitu and libngspice in 8 alternating turns (after one unmeasured turn): `ours(k)`
/// `n_ours` times, then `lib()`, which times libngspice and returns its median seconds per
/// call in that turn. Drift of a shared machine then moves both sides of each turn's ratio
/// alike.
fn in_turns(ours: &mut dyn FnMut(usize), n_ours: usize, lib: &mut dyn FnMut() -> f64) -> Turns {
    let (mut all_ours, mut all_lib, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for turn in 0..=8 {
        let o: Vec<f64> = (0..n_ours).map(|k| seconds(|| ours(k))).collect();
        let l = lib();
        if turn == 0 {
            continue; // warm-up
        }
        ratios.push(l / median(o.clone()));
        all_ours.extend(o);
        all_lib.push(l);
    }
    Turns { ours: median(all_ours), lib: median(all_lib), ratio: median(ratios) }
}

/// `sim` with warm starts on or off.
fn warmed(sim: &mut Simulator, warm: bool) -> &mut Simulator {
    sim.set_warm_start(warm);
    sim
}

/// libngspice's median seconds per call (after `warm` unmeasured calls) of the op-amp deck
/// `deck(width)`, both ways: `n` times re-loading the deck re-sized, and `n` times `alter`ing
/// M6 of the loaded deck.
fn lib_both_ways(ng: &mut SharedNgspice, deck: &dyn Fn(f64) -> String, n: usize, warm: usize) -> (f64, f64) {
    let reload = time_each(n, warm, |k| {
        ng.circuit(&deck(width(k))).unwrap();
        ng.command("run").unwrap();
        ng.command("remcirc").unwrap();
        ng.command("destroy all").unwrap();
    });
    ng.circuit(&deck(100e-6)).unwrap();
    let alter = time_each(n, warm, |k| {
        ng.command(&format!("alter m6 w={:.6e}", width(k))).unwrap();
        ng.command("run").unwrap();
        ng.command("destroy all").unwrap();
    });
    ng.command("remcirc").unwrap();
    (reload, alter)
}

struct Row {
    what: &'static str,
    insitu: f64,
    sub: Option<f64>,
    lib: Option<f64>,
}

/// `--profile WHAT N`: runs one insitu workload `N` times and nothing else (no ngspice), for
/// `perf` or `valgrind --tool=callgrind`. WHAT is `l1-opac-warm`, `l1-opac-cold`, `l1-tran`
/// (op + ac + tran, warm), `bsim-opac` (cold, one size), `bsim-opac-warm` (M6 re-sized),
/// `bsim-opac-seeded` (M6 re-sized, every op from the deck size's),
/// `bsim-tran`, `miller-tran` (the transient of the
/// sizing loop's Miller testbench, `examples/two_stage_miller`: two generic180 op-amps, 200
/// steps) or `miller-tran-scoped` (the same, scoped to the buffer copy's output as the sizing
/// loop scopes it).
fn profile(what: &str, n: usize) {
    let grid = FreqGrid { kind: GridKind::Dec, points: 20, fstart: 1.0, fstop: 1e9 };
    let freqs = grid.frequencies();
    let mut acc = 0.0;
    let t = Instant::now();
    if let Some(scope) = what.strip_prefix("miller-tran") {
        let text = pdk_deck("examples/two_stage_miller/two_stage_tb.cir", ".op");
        let circuit = insitu_pdk::load_deck_str(&text, Path::new("two_stage_tb.cir")).unwrap();
        let mut sim = Simulator::new(circuit).unwrap();
        match scope {
            "" => {}
            "-scoped" => sim.set_transient_scope(Some(&["bout"])).unwrap(),
            _ => panic!("unknown profile {what}"),
        }
        let tran = TranSpec { tstep: 2e-9, tstop: 400e-9, tstart: 0.0, tmax: None, uic: false };
        for _ in 0..n {
            sim.op().unwrap();
            let data = sim.tran(&tran).unwrap();
            acc += data.vectors[0].data.len() as f64;
        }
        println!("miller-tran: {} points, {} Newton iterations in the last transient", acc / n as f64, sim.iterations);
    } else if let Some(rest) = what.strip_prefix("bsim-") {
        let text = generic180_deck(".op");
        let circuit = insitu_pdk::load_deck_str(&text, Path::new("generic180.cir")).unwrap();
        let mut sim = Simulator::new(circuit).unwrap();
        let tran = TranSpec { tstep: 0.5e-9, tstop: 400e-9, tstart: 0.0, tmax: None, uic: false };
        let m6 = bsim_m6(&sim);
        let out = bsim_out(&sim);
        sim.set_warm_start(rest == "opac-warm");
        if rest == "opac-seeded" {
            sim.op().unwrap();
            sim.ac_prepare().unwrap();
            sim.ac_sweep(&freqs, |_, _| {}).unwrap();
            sim.set_op_seed().unwrap();
        }
        for k in 0..n {
            match rest {
                "opac-warm" | "opac-seeded" => {
                    resize_bsim_m6(&mut sim, m6, k);
                    sim.op().unwrap();
                    sim.ac_prepare().unwrap();
                    sim.ac_sweep(&freqs, |_, x| acc += x[out].norm()).unwrap();
                }
                "opac" => {
                    sim.op().unwrap();
                    sim.ac_prepare().unwrap();
                    sim.ac_sweep(&freqs, |_, x| acc += x[out].norm()).unwrap();
                }
                "tran" => acc += sim.tran(&tran).unwrap().vectors[0].data.len() as f64,
                _ => panic!("unknown profile {what}"),
            }
        }
    } else {
        let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases/opamp");
        let core = std::fs::read_to_string(dir.join("opamp_core.inc")).unwrap();
        let core = core.lines().filter(|l| !l.starts_with('*')).collect::<Vec<_>>().join("\n");
        let text = deck(&core, 100e-6, ".op");
        let parsed = parse_str(&text, &dir.join("bench.cir"), &FsLoader).unwrap();
        let mut sim = Simulator::new(elaborate(&parsed, &ElabOptions::default()).unwrap()).unwrap();
        let m6 = sim.element_handle("m6").unwrap();
        let tran = TranSpec { tstep: 1e-9, tstop: 1e-6, tstart: 0.0, tmax: None, uic: false };
        sim.set_warm_start(what != "l1-opac-cold");
        for k in 0..n {
            sim.set_mos_size_of(m6, width(k), 1e-6).unwrap();
            sim.op().unwrap();
            sim.ac_prepare().unwrap();
            sim.ac_sweep(&freqs, |_, x| acc += x[0].norm()).unwrap();
            match what {
                "l1-opac-warm" | "l1-opac-cold" => {}
                "l1-tran" => acc += sim.tran(&tran).unwrap().vectors[0].data.len() as f64,
                _ => panic!("unknown profile {what}"),
            }
        }
        if what == "l1-tran" {
            println!("l1-tran: {} Newton iterations in the last transient", sim.iterations);
        }
    }
    let dt = t.elapsed().as_secs_f64() / n as f64;
    println!("{what}: {n} runs, {:.4} ms each (mean), checksum {acc:.6e}", dt * 1e3);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let what = args.get(i + 1).map(String::as_str).unwrap_or("l1-opac-warm");
        let n = args.get(i + 2).and_then(|s| s.parse().ok()).unwrap_or(1000);
        profile(what, n);
        return;
    }
    if args.iter().any(|a| a == "--bsim") {
        // The generic180 rows alone (a quick look; the RESULT line needs the whole run).
        if let Some(b) = bsim_times() {
            println!(
                "vs libngspice: tran {:.2}x, op + ac cold {:.2}x, seeded {:.2}x, warm {:.2}x",
                b.ratio_tran, b.ratio_cold, b.ratio_seeded, b.ratio_warm
            );
        }
        return;
    }
    bsim3_eval_speed();
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases/opamp");
    let core = std::fs::read_to_string(dir.join("opamp_core.inc"))
        .unwrap_or_else(|e| panic!("{}: {e} (the benchmark needs ../shared/cases/opamp)", dir.display()));
    let core = core.lines().filter(|l| !l.starts_with('*')).collect::<Vec<_>>().join("\n");
    let ac_cmd = ".ac dec 20 1 1G";
    let tran_cmd = ".tran 1n 1u";

    // insitu: one compiled simulator, re-sized per evaluation.
    let text = deck(&core, 100e-6, ".op");
    let parsed = parse_str(&text, &dir.join("bench.cir"), &FsLoader).unwrap();
    let circuit = elaborate(&parsed, &ElabOptions::default()).unwrap();
    let mut sim = Simulator::new(circuit).unwrap();
    let m6 = sim.element_handle("m6").unwrap();
    let grid = FreqGrid { kind: GridKind::Dec, points: 20, fstart: 1.0, fstop: 1e9 };
    let freqs = grid.frequencies();
    assert_eq!(freqs.len(), 181);
    let tran = TranSpec { tstep: 1e-9, tstop: 1e-6, tstart: 0.0, tmax: None, uic: false };

    let op = |s: &mut Simulator, k: usize| {
        s.set_mos_size_of(m6, width(k), 1e-6).unwrap();
        s.op().unwrap();
    };
    let op_ac = |s: &mut Simulator, k: usize| -> f64 {
        op(s, k);
        s.ac_prepare().unwrap();
        let mut acc = 0.0;
        s.ac_sweep(&freqs, |_, x| acc += x[0].norm()).unwrap();
        acc
    };
    // Cold: every operating point starts from zero, as SPICE's does.
    let cold_op = time_each(400, 20, |k| op(&mut sim, k));
    let cold_op_ac = time_each(200, 10, |k| {
        op_ac(&mut sim, k);
    });
    // Warm: a re-sized candidate starts Newton from the previous solution.
    sim.set_warm_start(true);
    let ours_op = time_each(400, 20, |k| op(&mut sim, k));
    let ours_op_ac = time_each(200, 10, |k| {
        op_ac(&mut sim, k);
    });
    let ours_op_ac_tran = time_each(40, 3, |k| {
        op_ac(&mut sim, k);
        sim.tran(&tran).unwrap();
    });
    println!("insitu cold start: op {:.4} ms, op + ac {:.4} ms", cold_op * 1e3, cold_op_ac * 1e3);

    // ngspice as a subprocess: a fresh process per evaluation.
    let tmp = std::env::temp_dir().join(format!("insitu-throughput-{}", std::process::id()));
    let ng = Ngspice::find();
    let sub = |analyses: String, n: usize| -> Option<f64> {
        let ng = ng.as_ref()?;
        Some(time_each(n, 1, |k| {
            ng.run(&deck(&core, width(k), &analyses), &tmp).expect("ngspice run");
        }))
    };
    let sub_op = sub(".op".into(), 15);
    let sub_op_ac = sub(format!(".op\n{ac_cmd}"), 15);
    let sub_op_ac_tran = sub(format!(".op\n{ac_cmd}\n{tran_cmd}"), 10);

    // libngspice in process: load the re-sized circuit and run it (parse + setup + analyses),
    // or `alter` the loaded circuit and re-run; the faster of the two is the baseline.
    let lib = SharedNgspice::get();
    let lib_time = |analyses: String, n: usize| -> Option<f64> {
        let mut ng = lib?.lock().ok()?;
        let (reload, alter) = lib_both_ways(&mut ng, &|w| deck(&core, w, &analyses), n, 2);
        println!(
            "  libngspice {:<28} reload {:.3} ms, alter {:.3} ms",
            analyses.replace('\n', " + "),
            reload * 1e3,
            alter * 1e3
        );
        Some(reload.min(alter))
    };
    let lib_op = lib_time(".op".into(), 60);
    let lib_op_ac = lib_time(format!(".op\n{ac_cmd}"), 40);
    let lib_op_ac_tran = lib_time(format!(".op\n{ac_cmd}\n{tran_cmd}"), 15);
    // op and op + ac (cold and warm) and op + ac + tran again, insitu and libngspice in
    // alternating turns: the separate medians above are taken tens of seconds apart, and this
    // shared host's speed drifts by 2x between minutes. These ratios are the RESULT's.
    let turned = |ours: &mut dyn FnMut(usize), analyses: String, n_ours: usize, n_lib: usize| {
        let mut ng = lib?.lock().ok()?;
        let deck = |w| deck(&core, w, &analyses);
        Some(in_turns(ours, n_ours, &mut || {
            let (reload, alter) = lib_both_ways(&mut ng, &deck, n_lib, 0);
            reload.min(alter)
        }))
    };
    // Cold then warm (Newton from the last solution), re-sized per call.
    let [op_cold_turns, op_warm_turns] =
        [false, true].map(|warm| turned(&mut |k| op(warmed(&mut sim, warm), k), ".op".into(), 40, 10));
    let [cold_turns, warm_turns] = [false, true]
        .map(|warm| turned(&mut |k| _ = op_ac(warmed(&mut sim, warm), k), format!(".op\n{ac_cmd}"), 20, 4));
    let tran_turns = turned(
        &mut |k| {
            sim.set_warm_start(true);
            op_ac(&mut sim, k);
            sim.tran(&tran).unwrap();
        },
        format!(".op\n{ac_cmd}\n{tran_cmd}"),
        4,
        2,
    );
    let all_turns = [
        ("op, cold", op_cold_turns),
        ("op, warm", op_warm_turns),
        ("op + ac, cold", cold_turns),
        ("op + ac, warm", warm_turns),
        ("op + ac + tran", tran_turns),
    ];
    for (what, t) in all_turns {
        if let Some(t) = t {
            println!(
                "{what} in alternating turns: insitu {:.4} ms, libngspice {:.3} ms, median ratio {:.2}x",
                t.ours * 1e3,
                t.lib * 1e3,
                t.ratio
            );
        }
    }

    // Batch: 1,000 re-sized candidates, one simulator clone per rayon worker.
    // Cold starts here: a warm start would make each result depend on which candidates a
    // worker happened to evaluate before it, and the batch must not depend on scheduling.
    let n_batch = 1000;
    let mut base = sim.clone();
    base.set_warm_start(false);
    let sim = base;
    // The same parallel code in a one-thread pool and in the default pool (all cores);
    // medians of 5 batches each. Results must equal a plain sequential loop's.
    let mut s1 = sim.clone();
    let seq: Vec<f64> = (0..n_batch).map(|k| op_ac(&mut s1, k)).collect();
    let batch = || -> Vec<f64> { (0..n_batch).into_par_iter().map_init(|| sim.clone(), |s, k| op_ac(s, k)).collect() };
    let time_batch = |pool: &rayon::ThreadPool| {
        median(
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    let par = pool.install(batch);
                    let dt = t.elapsed().as_secs_f64();
                    assert!(seq.iter().zip(&par).all(|(a, b)| a == b), "parallel results differ from sequential ones");
                    dt
                })
                .collect(),
        )
    };
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread pool");
    let all = rayon::ThreadPoolBuilder::new().build().expect("the default pool");
    let t_seq = time_batch(&one);
    let t_par = time_batch(&all);
    let threads = rayon::current_num_threads();

    let bsim = bsim_times();
    let ring = ring_process_times(ng.as_ref());

    let rows = [
        Row { what: "op, cold start", insitu: cold_op, sub: sub_op, lib: lib_op },
        Row { what: "op, warm start", insitu: ours_op, sub: sub_op, lib: lib_op },
        Row { what: "op + ac (181 points), cold", insitu: cold_op_ac, sub: sub_op_ac, lib: lib_op_ac },
        Row { what: "op + ac (181 points), warm", insitu: ours_op_ac, sub: sub_op_ac, lib: lib_op_ac },
        Row { what: "op + ac + tran (1 us), warm", insitu: ours_op_ac_tran, sub: sub_op_ac_tran, lib: lib_op_ac_tran },
    ];
    println!();
    println!("| evaluation | insitu | evals/s | ngspice subprocess | ratio | libngspice | ratio |");
    println!("|---|---|---|---|---|---|---|");
    let ms = |x: Option<f64>| x.map_or("n/a".to_string(), |t| format!("{:.3} ms", t * 1e3));
    let ratio = |x: Option<f64>, ours: f64| x.map_or("n/a".to_string(), |t| format!("{:.1}x", t / ours));
    for r in &rows {
        println!(
            "| {} | {:.4} ms | {:.0} | {} | {} | {} | {} |",
            r.what,
            r.insitu * 1e3,
            1.0 / r.insitu,
            ms(r.sub),
            ratio(r.sub, r.insitu),
            ms(r.lib),
            ratio(r.lib, r.insitu)
        );
    }
    println!(
        "| batch of {n_batch} op + ac candidates | {:.1} ms on 1 thread | {:.1} ms on {threads} threads | speed-up {:.2}x | | | |",
        t_seq * 1e3,
        t_par * 1e3,
        t_seq / t_par
    );
    let r = |x: Option<f64>, ours: f64| x.map_or("null".to_string(), |t| format!("{:.2}", t / ours));
    let opt = |x: Option<f64>| x.map_or("null".to_string(), |v| format!("{v:.2}"));
    let bsim_tran = bsim.as_ref().map(|b| b.ratio_tran);
    let bsim_op_ac = bsim.as_ref().map(|b| b.ratio_cold);
    let bsim_op_ac_seeded = bsim.as_ref().map(|b| b.ratio_seeded);
    let bsim_op_ac_warm = bsim.as_ref().map(|b| b.ratio_warm);
    if let Some(b) = &bsim {
        println!(
            "| generic180 op-amp (BSIM-lite): tran 400 ns | {:.2} ms | | | | {:.2} ms | {:.1}x |",
            b.tran * 1e3,
            b.lib_tran * 1e3,
            b.ratio_tran
        );
        println!(
            "| generic180 op-amp (BSIM-lite): op + ac, cold, one size | {:.3} ms | | | | {:.3} ms | {:.1}x |",
            b.op_ac * 1e3,
            b.lib_op_ac * 1e3,
            b.ratio_cold
        );
        println!(
            "| generic180 op-amp (BSIM-lite): op + ac, seeded (`op_start: seeded`), M6 re-sized | {:.3} ms | | | | {:.3} ms | {:.1}x |",
            b.op_ac_seeded * 1e3,
            b.lib_op_ac * 1e3,
            b.ratio_seeded
        );
        println!(
            "| generic180 op-amp (BSIM-lite): op + ac, warm, M6 re-sized | {:.3} ms | | | | {:.3} ms | {:.1}x |",
            b.op_ac_warm * 1e3,
            b.lib_op_ac * 1e3,
            b.ratio_warm
        );
    }
    if let Some((a, b)) = ring {
        println!("| 5-stage ring, 3 us at 10 ps, whole process | {a:.3} s | | {b:.3} s | {:.2}x | | |", b / a);
    }
    println!(
        "RESULT {{\"bsim_tran_vs_ngspice\": {}, \"bsim_op_ac_vs_libngspice\": {}, \"bsim_op_ac_seeded_vs_libngspice\": {}, \"bsim_op_ac_warm_vs_libngspice\": {}, \"ring_process_vs_ngspice\": {}, \"op_vs_libngspice\": {}, \"op_ac_vs_libngspice\": {}, \"op_ac_vs_subprocess\": {}, \"op_ac_tran_vs_libngspice\": {}, \"op_vs_subprocess\": {}, \"op_ac_tran_vs_subprocess\": {}, \"batch_speedup\": {:.2}, \"threads\": {threads}, \"insitu_op_ms\": {:.4}, \"insitu_op_ac_ms\": {:.4}, \"insitu_op_ac_tran_ms\": {:.4}, \"op_cold_vs_libngspice\": {}, \"op_ac_cold_vs_libngspice\": {}, \"op_vs_libngspice_apart\": {}, \"op_cold_vs_libngspice_apart\": {}, \"op_ac_vs_libngspice_apart\": {}, \"op_ac_cold_vs_libngspice_apart\": {}, \"op_ac_tran_vs_libngspice_apart\": {}, \"warm_start\": true}}",
        opt(bsim_tran),
        opt(bsim_op_ac),
        opt(bsim_op_ac_seeded),
        opt(bsim_op_ac_warm),
        opt(ring.map(|(a, b)| b / a)),
        opt(op_warm_turns.map(|t| t.ratio)),
        opt(warm_turns.map(|t| t.ratio)),
        r(sub_op_ac, ours_op_ac),
        opt(tran_turns.map(|t| t.ratio)),
        r(sub_op, ours_op),
        r(sub_op_ac_tran, ours_op_ac_tran),
        t_seq / t_par,
        ours_op * 1e3,
        ours_op_ac * 1e3,
        ours_op_ac_tran * 1e3,
        opt(op_cold_turns.map(|t| t.ratio)),
        opt(cold_turns.map(|t| t.ratio)),
        r(lib_op, ours_op),
        r(lib_op, cold_op),
        r(lib_op_ac, ours_op_ac),
        r(lib_op_ac, cold_op_ac),
        r(lib_op_ac_tran, ours_op_ac_tran)
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Device evaluations per second of BSIM-lite and of the full BSIM3v3 (`bsim3v3`): DC
/// (Id, gm, gds, gmb, junctions) plus the intrinsic charge matrix at 2,000 bias points
/// covering all regions, medians of 21 sweeps. Rows: the BSIM-lite card `nb` of
/// `tests/decks/bsim_cs_amp.cir` in both models (same physics, so the ratio is the cost of
/// the generality), and the full card `nfull` of `tests/bsim3v3/full_cards.lib` (RDSW,
/// A1/A2, NGATE, DWG/DWB, MOBMOD 3, binned parameters) in the full model.
fn bsim3_eval_speed() {
    use insitu_devices::{Bsim3, Bsim3Model, Bsim3v3, Bsim3v3Model, MosGeom};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let card = |file: &str, name: &str| {
        let c = insitu_netlist::load_file(&root.join(file)).expect("deck");
        c.models.iter().find(|m| m.name == name).expect("card").params.clone()
    };
    let lite_card = card("tests/decks/bsim_cs_amp.cir", "nb");
    let full_card = card("tests/bsim3v3/cs_stage.cir", "nfull");
    let geom = MosGeom { w: 4e-6, l: 0.36e-6, ad: 2e-12, as_: 2e-12, pd: 9e-6, ps: 9e-6, ..MosGeom::default() };
    let lite = Bsim3::new(&Bsim3Model::new("nb", false, &lite_card).expect("lite"), &geom, 27.0, 27.0, 1e-12)
        .expect("lite instance");
    let full_on_lite =
        Bsim3v3::new(&Bsim3v3Model::new("nb", false, &lite_card).expect("full"), &geom, 27.0, 27.0, 1e-12)
            .expect("full instance");
    let full = Bsim3v3::new(&Bsim3v3Model::new("nfull", false, &full_card).expect("full"), &geom, 27.0, 27.0, 1e-12)
        .expect("full instance");
    let bias: Vec<(f64, f64, f64)> = (0..2000)
        .map(|k| {
            let a = (k % 40) as f64 / 39.0;
            let b = ((k / 40) % 50) as f64 / 49.0;
            (1.8 * a, 3.6 * b - 1.8, -0.5 * ((k % 3) as f64) / 2.0)
        })
        .collect();
    let n = bias.len() as f64;
    let mut sink = 0.0;
    let t_lite = time_each(21, 3, |_| {
        for &(vg, vd, vb) in &bias {
            sink += lite.dc(vg, vd, vb).gm + lite.charges(vg, vd, vb).c[1][1];
        }
    }) / n;
    let t_full_lite = time_each(21, 3, |_| {
        for &(vg, vd, vb) in &bias {
            sink += full_on_lite.dc(vg, vd, vb).gm + full_on_lite.charges(vg, vd, vb).c[1][1];
        }
    }) / n;
    let t_full = time_each(21, 3, |_| {
        for &(vg, vd, vb) in &bias {
            sink += full.dc(vg, vd, vb).gm + full.charges(vg, vd, vb).c[1][1];
        }
    }) / n;
    println!("BSIM3 device evaluation (DC + charge matrix), median per bias point (checksum {sink:.3e}):");
    println!("| model | card | ns/eval | evals/s | vs BSIM-lite |");
    println!("|---|---|---|---|---|");
    for (model, cardname, t) in [
        ("BSIM-lite", "nb (subset)", t_lite),
        ("full BSIM3v3", "nb (subset)", t_full_lite),
        ("full BSIM3v3", "nfull (full)", t_full),
    ] {
        println!("| {model} | {cardname} | {:.0} | {:.2e} | {:.2}x |", t * 1e9, 1.0 / t, t / t_lite);
    }
    println!();
}

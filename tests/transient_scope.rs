//! A transient restricted to the blocks that hold some signals (`set_transient_scope`): the
//! signals in scope get the whole circuit's answer, the blocks out of scope keep their
//! operating point, and the sizing loop scopes its testbench to what its measurements read.

use insitu::netlist::{elaborate, parse_str, ElabOptions, MemLoader};
use insitu::sizing::Testbench;
use insitu::solver::{Dataset, Simulator, TranSpec};
use std::path::Path;

fn sim_of(deck: &str) -> Simulator {
    let parsed = parse_str(deck, "scope.cir".as_ref(), &MemLoader::default()).unwrap();
    Simulator::new(elaborate(&parsed, &ElabOptions::default()).unwrap()).unwrap()
}

fn vec_of<'a>(d: &'a Dataset, name: &str) -> &'a [f64] {
    d.real(name).unwrap_or_else(|| panic!("no {name}"))
}

/// Largest difference between `b` (on times `tb`) and `a` (on `ta`), `b` interpolated
/// linearly at `a`'s times.
fn max_gap(ta: &[f64], a: &[f64], tb: &[f64], b: &[f64]) -> f64 {
    ta.iter()
        .zip(a)
        .map(|(&t, &y)| {
            let j = tb.partition_point(|&s| s < t).clamp(1, tb.len() - 1);
            let (t0, t1) = (tb[j - 1], tb[j]);
            let w = if t1 > t0 { ((t - t0) / (t1 - t0)).clamp(0.0, 1.0) } else { 1.0 };
            (y - (b[j - 1] + w * (b[j] - b[j - 1]))).abs()
        })
        .fold(0.0, f64::max)
}

#[test]
fn miller_step_response_is_the_whole_circuits() {
    // The sizing example's testbench: an open-loop copy (AC) and a buffer copy (step).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/two_stage_miller/two_stage_tb.cir");
    let text = std::fs::read_to_string(&path).unwrap();
    let ckt = insitu::pdk::load_deck_str(&text, &path).unwrap();
    let mut sim = Simulator::new(ckt).unwrap();
    let spec = TranSpec { tstep: 2e-9, tstop: 400e-9, tstart: 0.0, tmax: None, uic: false };
    let whole = sim.tran(&spec).unwrap();
    let vout_op = vec_of(&whole, "v(out)")[0];
    let it_whole = sim.iterations;
    sim.set_transient_scope(Some(&["bout"])).unwrap();
    // The open-loop copy, its supplies and its feedback network are held.
    assert!(sim.transient_held_unknowns() >= 10, "held {}", sim.transient_held_unknowns());
    let scoped = sim.tran(&spec).unwrap();
    let (tw, ts) = (vec_of(&whole, "time"), vec_of(&scoped, "time"));
    let gap = max_gap(ts, vec_of(&scoped, "v(bout)"), tw, vec_of(&whole, "v(bout)"));
    println!(
        "v(bout): {} / {} points, {it_whole} / {} Newton iterations, largest gap {gap:.3e} V",
        tw.len(),
        ts.len(),
        sim.iterations
    );
    // The buffer steps by 0.6 V; the check tolerances allow 1e-3 relative.
    assert!(gap < 1e-6, "scoped v(bout) departs from the whole circuit's by {gap} V");
    // The held output sits at its operating point through the transient.
    let out = vec_of(&scoped, "v(out)");
    assert!(out.iter().all(|&v| v == out[0]) && (out[0] - vout_op).abs() < 1e-9, "{} vs {vout_op}", out[0]);
    // Unscoped again: the whole circuit, bit for bit as before.
    sim.set_transient_scope(None).unwrap();
    let again = sim.tran(&spec).unwrap();
    assert_eq!(vec_of(&again, "v(bout)"), vec_of(&whole, "v(bout)"));
    assert_eq!(sim.transient_held_unknowns(), 0);
}

#[test]
fn an_unstable_block_out_of_scope_stays_at_rest() {
    // A ring oscillator started from its (unstable) operating point beside a driven RC: the
    // RC in scope matches the whole circuit's; the ring out of scope keeps its op voltage.
    let deck = "ring and RC
.model nch nmos level=1 vto=0.5 kp=180u gamma=0.5 phi=0.7 lambda=0.05 tox=7n cgso=0.25n cgdo=0.25n cj=0.9m pb=0.85
.model pch pmos level=1 vto=-0.6 kp=60u gamma=0.5 phi=0.7 lambda=0.09 tox=7n cgso=0.28n cgdo=0.28n cj=1.1m pb=0.9
vdd vdd 0 3.3
.subckt inv a y vdd
mp y a vdd vdd pch w=3u l=0.6u ad=3p as=3p pd=8u ps=8u
mn y a 0 0 nch w=1u l=0.6u ad=1p as=1p pd=4u ps=4u
.ends
x1 n1 n2 vdd inv
x2 n2 n3 vdd inv
x3 n3 n1 vdd inv
c1 n1 0 21f
vin a 0 pulse(0 1 2n 1n 1n 5n 20n)
r1 a b 1k
c2 b 0 2p
.tran 0.1n 40n
.end
";
    let mut sim = sim_of(deck);
    let spec = TranSpec { tstep: 0.1e-9, tstop: 40e-9, tstart: 0.0, tmax: None, uic: false };
    let whole = sim.tran(&spec).unwrap();
    sim.set_transient_scope(Some(&["b"])).unwrap();
    let scoped = sim.tran(&spec).unwrap();
    let (tw, ts) = (vec_of(&whole, "time"), vec_of(&scoped, "time"));
    let gap = max_gap(ts, vec_of(&scoped, "v(b)"), tw, vec_of(&whole, "v(b)"));
    println!("v(b): {} / {} points, largest gap {gap:.3e} V", tw.len(), ts.len());
    assert!(gap < 1e-3, "scoped v(b) departs by {gap} V");
    let n1 = vec_of(&scoped, "v(n1)");
    assert!(n1.iter().all(|&v| v == n1[0]) && n1[0] > 0.5 && n1[0] < 2.8, "v(n1) {}", n1[0]);
}

#[test]
fn scope_errors_name_the_signal() {
    let mut sim = sim_of("rc\nv1 a 0 1\nr1 a b 1k\nc1 b 0 1p\n.end\n");
    let e = sim.set_transient_scope(Some(&["nowhere"])).unwrap_err().to_string();
    assert!(e.contains("nowhere"), "{e}");
    let e = sim.set_transient_scope(Some(&["i(vx)"])).unwrap_err().to_string();
    assert!(e.contains("i(vx)"), "{e}");
    // A scope covering the whole circuit holds nothing.
    sim.set_transient_scope(Some(&["b", "i(v1)"])).unwrap();
    assert_eq!(sim.transient_held_unknowns(), 0);
}

#[test]
fn the_sizing_loop_scopes_its_transient_to_its_measurements() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/two_stage_miller/problem.json");
    let tb = Testbench::from_file(&p).unwrap();
    // sr_Vus reads vt(bout): the open-loop copy is held.
    assert!(tb.simulator().transient_held_unknowns() >= 10);
}

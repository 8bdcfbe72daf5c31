//! Robustness against ngspice: the transient's time-zero semantics, the `uic` start of ring
//! oscillators and their periods, and a fixed-seed batch of generated circuits
//! (`insitu::gen`). Skipped (with a message) when ngspice is absent, unless
//! `INSITU_REQUIRE_NGSPICE=1`.

mod common;

use insitu::gen::{generate, period, run_deck, Outcome};
use insitu::ngspice::Ngspice;
use insitu_solver::{Data, Dataset, Simulator};
use rayon::prelude::*;

fn sim(text: &str) -> Simulator {
    let circuit = insitu_pdk::load_deck_str(text, "deck.cir".as_ref()).expect("deck parses");
    Simulator::new(circuit).expect("deck compiles")
}

fn real<'a>(d: &'a Dataset, name: &str) -> &'a [f64] {
    match &d.vector(name).unwrap_or_else(|| panic!("no vector {name}")).data {
        Data::Real(v) => v,
        Data::Complex(_) => panic!("{name} is complex"),
    }
}

/// The deck of issue 11, defect 1: the dc value (1 V) differs from the pulse's first (0 V).
const PULSE_DECK: &str = "tran op at time zero\n\
v1 a 0 dc 1 pulse(0 2 10n 1n 1n 20n 50n)\n\
r1 a b 1k\n\
c1 b 0 1p\n\
r2 b 0 1k\n\
.op\n\
.tran 0.1n 5n\n\
.end\n";

#[test]
fn transient_starts_from_the_sources_time_zero_values_and_op_from_dc() {
    let mut s = sim(PULSE_DECK);
    let out = s.run_all().unwrap();
    // `.op` uses the dc value: v(b) = 1 V / 2.
    assert!((real(&out[0], "v(a)")[0] - 1.0).abs() < 1e-12);
    assert!((real(&out[0], "v(b)")[0] - 0.5).abs() < 1e-12);
    // The transient's operating point uses PULSE's v1 = 0: nothing moves before 10 ns.
    let tran = &out[1];
    assert_eq!(real(tran, "time")[0], 0.0);
    for name in ["v(a)", "v(b)"] {
        let worst = real(tran, name).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(worst < 1e-12, "{name} moved to {worst} V before the pulse");
    }
    // And so does ngspice, vector by vector.
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let dir = common::scratch_dir("time-zero");
    let theirs = ng.run(PULSE_DECK, &dir).unwrap();
    let report = insitu::check::compare(&out, &theirs.plots, &insitu::check::Tolerances::default());
    println!("{report}");
    assert!(report.pass() && report.rows.len() >= 6);
}

#[test]
fn time_zero_values_of_sin_exp_and_pwl_start_the_transient_as_in_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    // Each source's dc differs from its waveform's value at t = 0 (SIN's offset, EXP's v1,
    // PWL's first value; a current source too).
    let deck = "time-zero values\n\
vs s 0 dc 2 sin(0.5 1 10meg 5n)\n\
rs s 0 1k\n\
ve e 0 dc -1 exp(0.3 1.3 2n 1n 4n 2n)\n\
re e x 1k\n\
cx x 0 1p\n\
vp p 0 dc 5 pwl(0 1.5 3n 0.2 6n 0.7)\n\
rp p y 2k\n\
cy y 0 2p\n\
ii 0 z dc 1m pulse(0.2m 0.5m 4n 1n 1n 2n 10n)\n\
rz z 0 1k\n\
cz z 0 1p\n\
.tran 0.05n 8n\n\
.end\n";
    let mut s = sim(deck);
    let out = s.run_all().unwrap();
    let t0 = |n: &str| real(&out[0], n)[0];
    assert!((t0("v(x)") - 0.3).abs() < 1e-9 && (t0("v(y)") - 1.5).abs() < 1e-9 && (t0("v(z)") - 0.2).abs() < 1e-9);
    let theirs = ng.run(deck, &common::scratch_dir("time-zero-waves")).unwrap();
    let report = insitu::check::compare(&out, &theirs.plots, &insitu::check::Tolerances::default());
    println!("{report}");
    assert!(report.pass());
}

/// The ring of issue 11, defect 2 (level 1, `uic`, junction and overlap capacitances, `ld`).
const RING: &str = "uic ring\n\
.model nch nmos level=1 vto=0.5 kp=180u gamma=0.5 phi=0.7 lambda=0.05 tox=7n cgso=0.25n cgdo=0.25n cgbo=0.1n\n\
+ cj=0.9m mj=0.45 cjsw=0.25n mjsw=0.3 pb=0.85 is=1e-15 ld=20n\n\
.model pch pmos level=1 vto=-0.6 kp=60u gamma=0.5 phi=0.7 lambda=0.09 tox=7n cgso=0.28n cgdo=0.28n cgbo=0.1n\n\
+ cj=1.1m mj=0.5 cjsw=0.3n mjsw=0.35 pb=0.9 is=1e-15 ld=25n\n\
vdd vdd 0 3.3\n\
.subckt inv a y vdd\n\
mp y a vdd vdd pch w=3u l=0.6u ad=3p as=3p pd=8u ps=8u\n\
mn y a 0 0 nch w=1u l=0.6u ad=1p as=1p pd=4u ps=4u\n\
.ends\n\
x1 n1 n2 vdd inv\n\
x2 n2 n3 vdd inv\n\
x3 n3 n4 vdd inv\n\
x4 n4 n5 vdd inv\n\
x5 n5 n1 vdd inv\n\
c1 n1 0 20f\n\
c2 n2 0 20f\n\
c3 n3 0 20f\n\
c4 n4 0 20f\n\
c5 n5 0 20f\n\
.ic v(n1)=0 v(n2)=3.3 v(n3)=0 v(n4)=3.3 v(n5)=0\n\
.tran 10p 30n uic\n\
.end\n";

fn ring_periods(ng: &Ngspice, options: &str) -> (f64, f64) {
    let deck = RING.replace(".tran", &format!(".options {options}\n.tran"));
    let ours = sim(&deck).run_all().expect("the uic ring runs");
    let tran = &ours[0];
    let p = period(real(tran, "time"), real(tran, "v(n1)"), 1.65).expect("insitu oscillates");
    let theirs = ng.run(&deck, &common::scratch_dir("ring")).unwrap();
    let plot = theirs.plot("Transient").unwrap();
    let q = period(&plot.real[0], plot.vector("v(n1)").unwrap(), 1.65).expect("ngspice oscillates");
    println!("{options}: period insitu {p:.7e} s, ngspice {q:.7e} s ({:+.5} %)", 100.0 * (p - q) / q);
    (p, q)
}

#[test]
fn uic_ring_starts_and_its_period_matches_ngspice_within_a_hundredth_of_a_percent() {
    // Before: "time step too small at t=0" (Newton linearized the junctions at the
    // initial conditions, forward-biased by 3.3 V while the supply read 0 V).
    let out = sim(RING).run_all().expect("the uic ring runs");
    // As ngspice, no t = 0 point after a `uic` start.
    assert!(real(&out[0], "time")[0] > 0.0);
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    // Converged (reltol 1e-7), the periods agree within 0.01 %.
    let (p_tight, q_tight) = ring_periods(&ng, "reltol=1e-7");
    assert!(((p_tight - q_tight) / q_tight).abs() < 1e-4, "reltol 1e-7: periods differ by more than 0.01 %");
    // At the default reltol 1e-3 ngspice's own period is 0.12 % from its converged one: the
    // two agree within a quarter of that, or 0.01 %. (Seen: 0.024 %, insitu 0.15 % from the
    // converged period. Before session 23, when insitu's Newton also tested every device's
    // currents, they agreed within 0.01 % there; at reltol 1e-4 and 1e-5 they agree within
    // 0.002 %.)
    let (p, q) = ring_periods(&ng, "reltol=1e-3");
    let own = (q - q_tight).abs();
    assert!(own > 1e-4 * q_tight, "ngspice's period moved by {own:e} s only between reltol 1e-3 and 1e-7");
    assert!(
        (p - q).abs() < (0.25 * own).max(1e-4 * q),
        "reltol 1e-3: periods {p:e} and {q:e} s (ngspice at 1e-7: {q_tight:e} s)"
    );
}

#[test]
fn generated_decks_converge_wherever_ngspice_does_and_agree() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let (seed, decks) = (1u64, 300usize);
    let base = common::scratch_dir("generated");
    let results: Vec<_> =
        (0..decks).into_par_iter().map(|i| (i, run_deck(&generate(seed, i), &ng, &base.join(i.to_string())))).collect();
    let (mut both, mut ngspice_only) = (0, 0);
    let (mut failures, mut disagreements) = (Vec::new(), Vec::new());
    for (i, r) in &results {
        match &r.outcome {
            Outcome::Both { agree: true, .. } => both += 1,
            Outcome::Both { agree: false, detail, .. } => {
                both += 1;
                disagreements.push(format!("deck {i}: disagrees: {detail}"));
            }
            Outcome::InsituOnly(e) => failures.push(format!("deck {i}: insitu-only failure: {e}")),
            Outcome::NgspiceOnly(_) => ngspice_only += 1,
            Outcome::Neither(e) => println!("deck {i}: both failed: {e}"),
        }
    }
    println!(
        "{decks} decks: {both} converged in both, {} of them disagree; {ngspice_only} failed in ngspice only",
        disagreements.len()
    );
    for d in &disagreements {
        println!("{d}");
    }
    assert!(both >= decks * 9 / 10, "too few decks ran in both: {both}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The one disagreement of this seed (deck 199, a BSIM-lite inverter chain) is its supply
    // current between edges, where both simulators' trapezoidal capacitor currents alternate
    // sign from point to point (+-4e-6 A against +-9e-6 A in the opposite phase on such a
    // deck); ngspice at reltol 1e-6 and 1e-7 differs from itself there by the same order.
    assert!(disagreements.len() * 100 <= both, "more than 1 % of the decks disagree:\n{}", disagreements.join("\n"));
}

/// A fuzzed deck (a negative resistor and a PMOS with KP = 1e9, so round-off in its
/// branch current exceeds the tolerance): its Newton passes only by chance near the minimum
/// step. ngspice stops with "Timestep too small"; insitu used to alternate between failing
/// and passing there for 50 million steps (minutes). It now stops after one window of
/// attempts without progress, with the same error kind.
#[test]
fn a_transient_that_only_crawls_stops_with_timestep_too_small() {
    let deck = "crawling transient\n\
.model nch nmos level=1 vto=0.5 kp=120u gamma=0.45 phi=0.7 lambda=0.05 tox=8n cgso=0.2n cgdo=0.2n cj=0.5m cjsw=0.1n\n\
.model pch pmos level=1 vto=-0.55 kp=1e9 gamma=0.5 phi=0.7 lambda=0.08 tox=8n cgso=0.2n cgdo=0.2n cj=0.6m cjsw=0.12n\n\
VDD vdd 0 1.8\n\
VIN in 0 DC 0 PULSE(0 1.8 1n 0.5n 0.5n 10n 20n)\n\
MP y in vdd vdd pch W=8u L=0.5u AD=8p AS=8p PD=18u PS=18u\n\
MN y in 0 0 nch W=4u L=0.5u AD=4p AS=4p PD=10u PS=10u\n\
R1 y z -1\n\
C1 z 0 200f\n\
.tran 0.05n 40n 0 0.01n\n\
.end\n";
    let mut s = sim(deck);
    let err = s.run_all().expect_err("the transient cannot finish");
    assert!(matches!(err, insitu_solver::SimError::TimestepTooSmall { .. }), "{err}");
    assert!(s.iterations < 200_000, "{} Newton iterations before giving up", s.iterations);
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let run = ng.run(deck, &common::scratch_dir("crawl"));
    let log = match run {
        Ok(r) => r.log,
        Err(e) => e.to_string(),
    };
    assert!(log.contains("Timestep too small"), "ngspice should fail too: {log}");
}

/// A fuzzed deck: -1 A forced into a diode-connected BSIM3 3.1 NMOS whose junctions carry
/// no saturation current. Every continuation fails, in ngspice too ("source stepping failed");
/// ngspice's transient-op fallback then returns a point, nb = -178 kV, after about 5 s. insitu's
/// source stepping used to advance 1e-7 of the sources per solve and would have taken millions
/// of solves; it gives up as ngspice's `gillespie_src` does, and its own transient operating
/// point (1.4 million Newton iterations of a crawling 1 us transient, as long as ngspice's)
/// ends far below ground too, at -56 kV: neither answer means anything beyond "no DC point".
#[test]
fn an_operating_point_whose_continuations_stall_falls_back_to_a_transient_as_in_ngspice() {
    let cards = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3/v31_cards.lib");
    let deck = format!(
        "stalled continuation\n.include \"{}\"\nVDD vdd 0 1.8\nIB vdd nb -1\n\
         M0 nb nb 0 0 n31 W=2u L=0.5u AD=1p AS=1p PD=5u PS=5u\n\
         M5 tail nb 0 0 n31 W=4u L=0.5u AD=2p AS=2p PD=9u PS=9u\n\
         M3 tail tail vdd vdd p31 W=6u L=0.5u AD=3p AS=3p PD=13u PS=13u\n.op\n.end\n",
        cards.display()
    );
    let mut s = sim(&deck);
    s.op().expect("the transient operating point returns a point");
    let nb = s.voltage("nb").unwrap();
    assert!(nb < -1e3, "v(nb) = {nb}");
    assert!(s.iterations < 2_500_000, "{} Newton iterations", s.iterations);
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let log = match ng.run(&deck, &common::scratch_dir("stalled-op")) {
        Ok(r) => r.log,
        Err(e) => e.to_string(),
    };
    assert!(log.contains("source stepping failed"), "ngspice's continuations should fail too: {log}");
    assert!(log.contains("Transient op finished successfully"), "{log}");
}

/// A bias current into a diode-connected MOSFET that conducts nothing (L = 1e30 m, as a
/// fuzzed deck had it): gmin alone holds the node, at IB / gmin = 2.5e7 V. M5's gate sits
/// there and its channel (5.6e4 S) pulls `tail` to 3.2e-9 V. The device's vds is vgs - vgd,
/// exact only to 3.7e-9 V (one ulp of 2.5e7), which the device current test turned into
/// 2e-4 A of "non-convergence": insitu failed the operating point where ngspice (whose
/// device test is dead code) converges. The test now allows for that round-off.
#[test]
fn a_gate_held_by_gmin_at_25_megavolts_converges_as_in_ngspice() {
    let deck = "gate held by gmin\n\
.model n1 nmos level=1 vto=0.45 kp=280u gamma=0.4 phi=0.8 lambda=0.08\n\
VDD vdd 0 1.8\n\
IB vdd nb 25u\n\
M8 nb nb 0 0 n1 W=4u L=1e30\n\
M5 tail nb 0 0 n1 W=8u L=1u\n\
R1 vdd tail 10k\n\
.op\n\
.end\n";
    let mut s = sim(deck);
    s.op().expect("the operating point converges");
    let (nb, tail) = (s.voltage("nb").unwrap(), s.voltage("tail").unwrap());
    // gmin (1e-12 S) from every junction of M8 and M5 to ground carries IB.
    assert!((nb - 25e-6 / 1e-12).abs() < 1e-3 * nb, "v(nb) = {nb}");
    // R1's current is M5's triode current beta (vgs - vto - vds / 2) vds (1 + lambda vds).
    let beta = 280e-6 * 8.0;
    let id = beta * (nb - 0.45 - tail / 2.0) * tail * (1.0 + 0.08 * tail);
    assert!((id - (1.8 - tail) / 10e3).abs() < 1e-3 * id, "v(tail) = {tail}: M5 carries {id} A");
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let theirs = ng.run(deck, &common::scratch_dir("gmin-gate")).expect("ngspice runs the deck");
    let ours = s.run_all().unwrap();
    let report = insitu::check::compare(&ours, &theirs.plots, &insitu::check::Tolerances::default());
    println!("{report}");
    assert!(report.pass() && report.rows.len() >= 3);
}

/// A node that only capacitors tie to the circuit has no DC solution of its own (the matrix
/// is singular). ngspice 39 gets an operating point anyway: after gmin and source stepping
/// fail, its `optran` runs a 1 us transient from zero and takes the last point, where the
/// capacitors have divided the voltage as the charge flowed: v(c) = v(b) C2 / (C2 + C3).
/// insitu failed with "singular matrix"; it now has the same fallback.
#[test]
fn a_node_only_capacitors_hold_gets_its_operating_point_from_a_transient_as_in_ngspice() {
    let deck = "capacitive divider\n\
V1 a 0 1\n\
R1 a b 1k\n\
C1 b 0 1p\n\
C2 b c 1p\n\
C3 c 0 2p\n\
.op\n\
.end\n";
    let mut s = sim(deck);
    s.op().expect("the transient operating point");
    let (b, c) = (s.voltage("b").unwrap(), s.voltage("c").unwrap());
    assert!((b - 1.0).abs() < 1e-6, "v(b) = {b}");
    assert!((c - b / 3.0).abs() < 1e-6, "v(c) = {c}");
    // Nothing left to solve: a floating pair of nodes with no capacitor to the rest stays
    // an error naming them.
    let mut island = sim("t\nV1 a 0 1\nR1 a 0 1k\nC1 b c 1p\nR2 b c 1k\n.end\n");
    assert!(matches!(island.op(), Err(insitu_solver::SimError::Singular { .. })));
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let theirs = ng.run(deck, &common::scratch_dir("tran-op")).expect("ngspice runs the deck");
    assert!(theirs.log.contains("Transient op finished successfully"), "{}", theirs.log);
    let ours = s.run_all().unwrap();
    let report = insitu::check::compare(&ours, &theirs.plots, &insitu::check::Tolerances::default());
    println!("{report}");
    // The voltages; i(v1) is what the trapezoidal rule leaves of the charging current after
    // 1 us in either simulator (1e-10 A here, 1e-11 A in ngspice).
    assert!(report.rows.iter().filter(|r| r.vector.starts_with("v(")).all(|r| r.pass()));
    assert!(report.rows.len() >= 3);
}

/// A bulk node held only by the junctions' gmin, on a BSIM3 3.0 card (whose load adds gmin
/// to the junction current twice and to its derivative once, as ngspice's `b3v0ld.c`): Newton
/// alternates there forever, and gmin stepping fails in both simulators. ngspice 39's
/// source stepping solves the zero-source circuit under a diagonal conductance ladder
/// (1e-2 down to 1e-12 S) before ramping, and reaches the bulk's DC solution (-19 mV, no
/// gate current). insitu gave up at zero sources and reported its transient fallback's
/// unsettled point (v(bx) = +0.114 V, a gate current of -1.2e-14 A); it now has the ladder.
#[test]
fn a_bulk_only_gmin_holds_converges_through_the_source_stepping_ladder_as_in_ngspice() {
    let cards = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3/v30_deck_cards.lib");
    let deck = format!(
        "floating bulk\n.include \"{}\"\nVD d 0 -0.038\nVG g 0 0.62\n\
         MN d g 0 bx nb30 W=2u L=0.36u AD=1p AS=1p PD=5u PS=5u\n.options reltol=1e-6 vntol=1e-9\n.op\n.end\n",
        cards.display()
    );
    let mut s = sim(&deck);
    let ours = s.run_all().expect("the operating point");
    let bx = s.voltage("bx").unwrap();
    assert!((bx + 0.019).abs() < 1e-5, "v(bx) = {bx}");
    let ig = real(&ours[0], "i(vg)")[0];
    assert!(ig.abs() < 1e-20, "a DC solution has no gate current: i(vg) = {ig}");
    agrees_with_ngspice(&ours, &deck, "bulk-ladder", 4);
}

/// Mutated deck 88 of `examples/mutated.rs` (seed 20261202): the repository's two-stage op-amp
/// with VDD = -5 V, which forward-biases drain junctions to 5.7e28 A. Partial pivoting in
/// natural column order (what operating points used) mixed those conductances into the
/// current balance of other nodes: `fb`, which the 1 GH feedback inductor shorts to `out`,
/// came out 2.5 V away from it, and the gates drew currents. Threshold Markowitz with grounded
/// sources first, as ngspice's Sparse 1.3 chooses, keeps them apart.
#[test]
fn an_ill_scaled_operating_point_keeps_an_inductor_short_as_in_ngspice() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/two_stage_opamp.cir");
    let text = std::fs::read_to_string(path).unwrap();
    let mut deck = String::new();
    for line in text.lines() {
        let line = match line {
            l if l.starts_with(".param") => l.replace("cc=2p", "cc=1e-30"),
            l if l.starts_with("M6 ") => l.replace("AD=240p", "AD=0.0"),
            l if l.starts_with("VDD ") => "VDD vdd 0 -5".to_string(),
            l if l.starts_with(".ac") || l.starts_with(".tran") => continue,
            l if l.starts_with(".op") => ".options reltol=1e-6\n.op".to_string(),
            l => l.to_string(),
        };
        deck.push_str(&line);
        deck.push('\n');
    }
    assert!(deck.contains("VDD vdd 0 -5") && deck.contains("AD=0.0") && deck.contains("cc=1e-30"), "{deck}");
    let mut s = sim(&deck);
    let ours = s.run_all().expect("the operating point");
    let (fb, out) = (s.voltage("fb").unwrap(), s.voltage("out").unwrap());
    assert!((fb - out).abs() < 1e-9 && (out + 2.5).abs() < 1e-6, "v(fb) = {fb}, v(out) = {out}");
    for source in ["i(vin)", "i(vstep)"] {
        let i = real(&ours[0], source)[0];
        assert!(i.abs() < 1e-15, "a gate draws no DC current: {source} = {i}");
    }
    agrees_with_ngspice(&ours, &deck, "ill-scaled-op", 20);
}

/// Runs `deck` in ngspice (when it is here) and asserts that `ours` agrees with it within
/// `insitu check`'s tolerances on at least `rows` vectors.
fn agrees_with_ngspice(ours: &[Dataset], deck: &str, scratch: &str, rows: usize) {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let theirs = ng.run(deck, &common::scratch_dir(scratch)).expect("ngspice runs the deck");
    let report = insitu::check::compare(ours, &theirs.plots, &insitu::check::Tolerances::default());
    println!("{report}");
    assert!(report.pass() && report.rows.len() >= rows, "{} rows", report.rows.len());
}

/// The generated OTA is wired as its family names say: the diode side's gate is the
/// non-inverting input, so the buffer (`out` on `inm`) holds its output at its input, and the
/// open-loop stage's low-frequency gain is positive. (They were swapped until session 21: the
/// "buffer" was a latch whose operating point sat at a rail, 0 V or VDD, chosen by Newton's
/// path.)
#[test]
fn generated_ota_buffers_follow_their_input_and_open_loop_otas_do_not_invert() {
    let (mut worst, mut gains) = (0.0f64, Vec::new());
    for k in 0..30 {
        let buffer = generate(1, 3 + 9 * k);
        assert_eq!(buffer.family, insitu::gen::Family::OtaBuffer);
        let mut s = sim(&buffer.text);
        s.op().expect("buffer op");
        let (vin, vout) = (s.voltage("in").unwrap(), s.voltage("out").unwrap());
        worst = worst.max((vout - vin).abs());
        let open = generate(1, 2 + 9 * k);
        assert_eq!(open.family, insitu::gen::Family::OtaOpenLoop);
        let mut s = sim(&open.text);
        s.op().expect("open-loop op");
        s.ac_prepare().unwrap();
        // Unknown k is node k + 1 (ground is node 0).
        let out = s.circuit().node("out").unwrap() - 1;
        let x = s.ac_point(1.0).unwrap();
        gains.push(x[out]);
    }
    println!("buffers: largest |v(out) - v(in)| {worst:.4} V; open-loop gains at 1 Hz {gains:?}");
    assert!(worst < 0.05, "a buffer's output is {worst} V from its input");
    assert!(gains.iter().all(|g| g.re > 1.0 && g.im.abs() < 0.1 * g.re), "an open-loop OTA inverts: {gains:?}");
}

/// A deck ngspice aborts late is ngspice's failure, whatever its rawfile holds: on seed 8's
/// deck 95 (a full-wave bridge whose RC load floats, 1 MOhm to ground) ngspice stops at
/// 1.36 us of 1.42 us, "time step too small". The harness used to judge ngspice by its
/// rawfile alone; its log says it aborted. (insitu stopped at 0.21 us, as on deck 950 below;
/// since its transients iterate in residual form after a failed point, it finishes.)
#[test]
fn a_deck_ngspice_aborts_late_is_a_failure_of_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let deck = generate(8, 95);
    let r = run_deck(&deck, &ng, &common::scratch_dir("aborted_late"));
    match &r.outcome {
        Outcome::NgspiceOnly(why) => assert!(why.contains("Timestep too small"), "{why}"),
        other => panic!("expected a failure of ngspice alone, got {other:?}"),
    }
}

/// Seed 8 deck 950: a full-wave bridge whose 200 uF reservoir floats between `out` and `m`,
/// 1 MOhm from `m` to ground. At 1.1797 ms, with every diode off and `m` crossing 0 V, Newton
/// in direct form never settled: beside the capacitor's companion source (C/h times its
/// voltage, 2e3 A at the 0.3 us step, 9e6 A after the step was cut) the right-hand side kept
/// the diodes' nanoamperes only to its last bit, and every cut of the step made that 8 times
/// coarser, down to "time step too small" at a 6e-18 s step. ngspice finishes. After a failed
/// point the transient now iterates in residual form, where the capacitor adds its current.
/// `v(m)`, the common mode the diodes' leakage sets, is as far from ngspice at reltol 1e-7 in
/// ngspice at the deck's reltol as in insitu.
#[test]
fn a_rectifier_whose_reservoir_floats_finishes_its_transient_as_in_ngspice() {
    let deck = generate(8, 950);
    assert!(deck.text.contains("cl out m"), "the deck of the floating reservoir:\n{}", deck.text);
    sim(&deck.text).run_all().expect("the transient finishes");
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let r = run_deck(&deck, &ng, &common::scratch_dir("floating_reservoir"));
    match &r.outcome {
        Outcome::Both { agree, mirror, detail, .. } => assert!(*agree || !*mirror, "{detail}"),
        other => panic!("expected both to finish, got {other:?}"),
    }
}

/// Seed 18 deck 972: a 7-stage BSIM-lite ring started by `uic`. After its first point the
/// truncation error asks for a step of 8e-19 s (ngspice's does too), where the supply node's
/// row holds capacitor companions of 1e3 S: the supply current then alternated by 3e-11 A
/// between two iterates, three times its tolerance, and every cut of the step kept it so, down
/// to "time step too small" at t = 3e-14 s. (Since session 23 the drain junction is limited as
/// ngspice limits it, which led there; the earlier limiting had passed by luck.) A branch
/// current that moves within the round-off of its rows has converged.
#[test]
fn a_uic_ring_whose_second_step_is_1e_18_s_finishes_as_in_ngspice() {
    let deck = generate(18, 972);
    assert!(deck.bsim && deck.text.contains(" uic"), "the BSIM-lite ring started by uic:\n{}", deck.text);
    sim(&deck.text).run_all().expect("the transient finishes");
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let r = run_deck(&deck, &ng, &common::scratch_dir("ring_tiny_step"));
    match &r.outcome {
        Outcome::Both { agree, detail, .. } => assert!(*agree, "{detail}"),
        other => panic!("expected both to finish, got {other:?}"),
    }
}

/// The operating point of `text` with its other analyses, `.ic`s and `.temp` left out, and
/// `.options acct` (ngspice then prints "Total iterations"); `None` for a deck without `.op`.
fn op_only(text: &str) -> Option<String> {
    let card = |l: &str| l.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    if !text.lines().any(|l| card(l) == ".op") {
        return None;
    }
    let skip = [".tran", ".dc", ".ac", ".noise", ".ic", ".temp", ".end"];
    let mut out: Vec<&str> = text.lines().filter(|l| !skip.contains(&card(l).as_str())).collect();
    out.extend([".options acct", ".end"]);
    Some(out.join("\n") + "\n")
}

/// Newton iterations of insitu's operating point of `text` and ngspice's ("Total iterations"
/// under `.options acct`), or `None` when insitu's fails or ngspice does not run.
fn op_iterations(ng: &Ngspice, text: &str, dir: &std::path::Path) -> Option<(usize, usize)> {
    std::fs::create_dir_all(dir).unwrap();
    let text = insitu::check::prepare_deck(text, dir, "");
    let circuit = insitu_pdk::load_deck_str(&text, &dir.join("deck.cir")).unwrap_or_else(|e| panic!("{e}"));
    let mut s = Simulator::new(circuit).unwrap_or_else(|e| panic!("{e}"));
    if let Err(e) = s.op() {
        eprintln!("{}: {e}", dir.display());
        return None;
    }
    let log = ng.run_for_log(&text, dir).ok()?;
    let theirs = log.lines().find_map(|l| l.trim().strip_prefix("Total iterations = "));
    let Some(theirs) = theirs.and_then(|n| n.trim().parse().ok()) else {
        panic!("no iteration count in ngspice's log:\n{log}");
    };
    Some((s.iterations, theirs))
}

/// The operating point takes ngspice's Newton iterations: the same phases (junction
/// initialization, then `.nodeset`s pinned as `ZeroNoncurRow` pins them, then free), the same
/// limiting (`vbd` limited from the unlimited voltages, as `mos1load.c` and `b3ld.c` do) and
/// the same convergence test (the nodes only: ngspice 39's device current tests have no
/// effect). Before session 23, insitu took more iterations than ngspice on 157 of 777
/// generated operating points (one limit-cycled for 115 more) and 14 against ngspice's 12 on
/// the generic180 op-amp (now 11). ngspice may count one iteration more than it solves: when a
/// factorization finds a pivot too small it reorders and loads again (`NIiter`'s "forced
/// reordering"), counting both loads.
#[test]
fn operating_points_take_as_many_newton_iterations_as_in_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let base = common::scratch_dir("op-iterations");
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/opamp_generic180.cir")).unwrap();
    let mut decks: Vec<(String, String)> = vec![("opamp_generic180".into(), op_only(&example).unwrap())];
    decks.extend((0..300).filter_map(|i| op_only(&generate(8, i).text).map(|t| (format!("seed 8 deck {i}"), t))));
    let counts: Vec<(String, Option<(usize, usize)>)> = decks
        .par_iter()
        .enumerate()
        .map(|(k, (name, text))| (name.clone(), op_iterations(&ng, text, &base.join(k.to_string()))))
        .collect();
    let both: Vec<(&str, usize, usize)> =
        counts.iter().filter_map(|(n, c)| c.map(|(a, b)| (n.as_str(), a, b))).collect();
    let more: Vec<_> = both.iter().filter(|(_, a, b)| a > b).collect();
    let equal = both.iter().filter(|(_, a, b)| a == b).count();
    println!("{} operating points in both, {equal} with ngspice's iteration count; more: {more:?}", both.len());
    let none: Vec<&str> = counts.iter().filter(|(_, c)| c.is_none()).map(|(n, _)| n.as_str()).collect();
    assert!(both.len() >= 200 && both[0].0 == "opamp_generic180", "failed: {none:?}");
    assert!(more.is_empty(), "insitu took more Newton iterations than ngspice: {more:?}");
    assert!(equal * 100 >= both.len() * 97, "only {equal} of {} equal: {both:?}", both.len());
}

//! The cost of measuring: DC gain, unity-gain frequency and phase margin of the two-stage op-amp
//! (`tests/decks/measure/opamp_ac.cir`, 181 AC points) as a share of its op + ac evaluation.
//!
//! Run with `cargo run --release --example measure_cost`. Every evaluation re-sizes M6 (width
//! 80-120 um), runs the deck's analyses (op + ac) into datasets, then evaluates the three
//! expressions `dc_gain_db(v(out))`, `ugf(v(out))`, `phase_margin(v(out))` parsed once.
//! Times are medians; the goal is a share under 5 %. The same three quantities are also timed
//! in their Ocean spellings (`value(dB20(VF("/OUT")) 1)`, `cross(...)`, with `power(vdd)`,
//! `@m6[gm] / @m6[id]`, `IDC("/VDD/PLUS")` and `v(out) - v(inm)` after them), and heap
//! allocations during all measurements are counted (none are expected after the first
//! evaluation).

use insitu_solver::measure::{Expr, Results};
use insitu_solver::Simulator;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Counts allocations, to show that evaluating parsed expressions does not allocate.
struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let deck = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks/measure/opamp_ac.cir");
    let circuit = match insitu_netlist::load_file(&deck) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot load {} (it includes ../shared/cases/opamp): {e}", deck.display());
            std::process::exit(2);
        }
    };
    let mut sim = Simulator::new(circuit).expect("compile");
    let m6 = sim.element_handle("m6").expect("m6");
    let exprs: Vec<Expr> = ["dc_gain_db(v(out))", "ugf(v(out))", "phase_margin(v(out))"]
        .iter()
        .map(|t| Expr::parse(t).expect("parse"))
        .collect();
    // The same three quantities in the Ocean spellings of a problem file: `value` of a dB
    // waveform evaluates two points, `cross` scans |h|².
    let ocean: Vec<Expr> =
        ["value(dB20(VF(\"/OUT\")) 1)", "cross(dB20(VF(\"/OUT\")) 0 1 \"falling\")", "phase_margin(VF(\"/OUT\"))"]
            .iter()
            .map(|t| Expr::parse(t).expect("parse"))
            .collect();
    // Operating-point quantities (no op dataset: the simulator's solution after the .ac).
    let op: Vec<Expr> = ["power(vdd)", "@m6[gm] / @m6[id]", "IDC(\"/VDD/PLUS\")", "v(out) - v(inm)"]
        .iter()
        .map(|t| Expr::parse(t).expect("parse"))
        .collect();
    let n = 400;
    let mut t_ocean = Vec::with_capacity(n);
    let mut t_op = Vec::with_capacity(n);
    let (mut t_sim, mut t_meas) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut allocs_after_first = 0;
    let mut last = [0.0; 3];
    for k in 0..n + 20 {
        let w = 80e-6 + 40e-6 * ((k % 41) as f64 / 40.0);
        let t0 = Instant::now();
        sim.set_mos_size_of(m6, w, 1e-6).expect("resize");
        let data = sim.run_all().expect("op + ac");
        let t1 = Instant::now();
        let before = ALLOCS.load(Ordering::Relaxed);
        let r = Results::new(&data, Some(&sim));
        for (i, e) in exprs.iter().enumerate() {
            last[i] = e.eval(&r).expect("measure");
        }
        let t2 = Instant::now();
        if k > 0 {
            allocs_after_first += ALLOCS.load(Ordering::Relaxed) - before;
        }
        let t3 = Instant::now();
        let before = ALLOCS.load(Ordering::Relaxed);
        let mut oc = [0.0; 3];
        for (i, e) in ocean.iter().enumerate() {
            oc[i] = e.eval(&r).expect("ocean measure");
        }
        let t3b = Instant::now();
        for e in &op {
            e.eval(&r).expect("op measure");
        }
        let t3c = Instant::now();
        if k > 0 {
            allocs_after_first += ALLOCS.load(Ordering::Relaxed) - before;
        }
        assert!((oc[0] - last[0]).abs() < 1e-9 && (oc[1] / last[1] - 1.0).abs() < 1e-12, "{oc:?} vs {last:?}");
        if k >= 20 {
            t_sim.push((t1 - t0).as_secs_f64());
            t_meas.push((t2 - t1).as_secs_f64());
            t_ocean.push((t3b - t3).as_secs_f64());
            t_op.push((t3c - t3b).as_secs_f64());
        }
        assert_eq!(data[0].scale.as_ref().map(|s| s.data.len()), Some(181));
    }
    let (ts, tm, to, top) = (median(t_sim), median(t_meas), median(t_ocean), median(t_op));
    println!("op-amp, 181 AC points, {n} evaluations (M6 re-sized each time), medians:");
    println!("  op + ac into datasets      {:>9.2} us", ts * 1e6);
    println!("  gain + UGF + PM (3 Expr)   {:>9.2} us", tm * 1e6);
    println!("  share                      {:>9.2} %   (goal < 5 %)", 100.0 * tm / ts);
    println!("  the same in Ocean spellings {:>8.2} us  ({:.2} %)", to * 1e6, 100.0 * to / ts);
    println!("  4 op quantities (power, @m6[gm]/@m6[id], IDC, v(a)-v(b)) {:>6.2} us", top * 1e6);
    println!("  allocations while measuring, after the first evaluation: {allocs_after_first}");
    println!("  last: A0 {:.3} dB, UGF {:.3} MHz, PM {:.2} deg", last[0], last[1] / 1e6, last[2]);
    println!(
        "RESULT {{\"op_ac_us\": {:.3}, \"measure_us\": {:.3}, \"share_pct\": {:.3}, \"ocean_us\": {:.3}, \"allocs\": {allocs_after_first}}}",
        ts * 1e6,
        tm * 1e6,
        100.0 * tm / ts,
        to * 1e6
    );
}

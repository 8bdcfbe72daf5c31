//! No allocation in the Newton loop or per re-sized candidate: a counting allocator
//! watches a re-size + op + 181-point AC evaluation after warm-up.

mod common;
use common::{sim, OPAMP};
use insitu_solver::{ElementHandle, Simulator};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // Only the measuring thread counts: the test harness runs other tests concurrently.
    static ON: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: the allocator may run during thread teardown.
    let _ = ON.try_with(|on| {
        if on.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn evaluate(s: &mut Simulator, m6: ElementHandle, freqs: &[f64], w: f64) -> f64 {
    s.set_mos_size_of(m6, w, 1e-6).unwrap();
    s.op().unwrap();
    s.ac_prepare().unwrap();
    let mut acc = 0.0;
    for &f in freqs {
        acc += s.ac_point(f).unwrap()[0].norm();
    }
    // The lockstep sweep too.
    s.ac_prepare().unwrap();
    s.ac_sweep(freqs, |_, x| acc += x[0].norm()).unwrap();
    acc
}

fn run(sparse: bool) -> usize {
    let mut s = sim(OPAMP);
    if sparse {
        s.force_sparse();
    }
    let freqs: Vec<f64> = (0..181).map(|k| 10f64.powf(k as f64 / 20.0)).collect();
    // Warm-up: work arrays and factor storage reach their final sizes.
    let m6 = s.element_handle("m6").unwrap();
    evaluate(&mut s, m6, &freqs, 90e-6);
    evaluate(&mut s, m6, &freqs, 110e-6);
    COUNT.with(|c| c.set(0));
    ON.with(|on| on.set(true));
    let mut acc = 0.0;
    for k in 0..10 {
        acc += evaluate(&mut s, m6, &freqs, 80e-6 + 5e-6 * k as f64);
    }
    ON.with(|on| on.set(false));
    assert!(acc.is_finite());
    COUNT.with(|c| c.get())
}

#[test]
fn resized_op_and_ac_do_not_allocate_dense() {
    let n = run(false);
    assert_eq!(n, 0, "{n} allocations in 10 dense evaluations");
}

#[test]
fn resized_op_and_ac_do_not_allocate_sparse() {
    let n = run(true);
    assert_eq!(n, 0, "{n} allocations in 10 sparse evaluations");
}

#[test]
fn warm_started_resized_op_does_not_allocate() {
    let mut s = sim(OPAMP);
    s.set_warm_start(true);
    let m6 = s.element_handle("m6").unwrap();
    let freqs = [1e3, 1e6];
    evaluate(&mut s, m6, &freqs, 90e-6);
    evaluate(&mut s, m6, &freqs, 110e-6);
    COUNT.with(|c| c.set(0));
    ON.with(|on| on.set(true));
    for k in 0..10 {
        evaluate(&mut s, m6, &freqs, 80e-6 + 5e-6 * k as f64);
    }
    ON.with(|on| on.set(false));
    assert_eq!(COUNT.with(|c| c.get()), 0);
}

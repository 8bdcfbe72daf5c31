//! Parse + elaborate throughput of the netlist front end.
//!
//! `cargo bench --bench parse` prints the median time for the op-amp deck of
//! `../shared/cases/opamp` (with its include, read through the file system) and for a
//! generated deck of 10,000 elements (read from memory). Aims: well under 1 ms and 50 ms.

use std::path::Path;
use std::time::Instant;

use insitu_netlist::{elaborate, parse_file, parse_str, ElabOptions, FsLoader, MemLoader};

fn median_us(mut f: impl FnMut() -> usize, runs: usize) -> (f64, usize) {
    let mut size = f();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        size = std::hint::black_box(f());
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    (times[times.len() / 2], size)
}

/// 2,000 instances of a 4-element cell (a MOSFET pair, a resistor, a capacitor, with
/// parameter expressions) plus 2,000 top-level resistors: 10,000 elements.
fn generated_deck() -> String {
    let mut s = String::from("generated 10k-element deck\n.param wn=1u wp='2*wn' rl=10k cl=1p\n");
    s.push_str(".model nch nmos level=1 vto=0.45 kp=280u\n.model pch pmos level=1 vto=-0.45 kp=70u\n");
    s.push_str(
        ".subckt cell in out vdd w=1u\nMN out in 0 0 nch W={w} L=0.18u\nMP out in vdd vdd pch W={2*w} L=0.18u\n",
    );
    s.push_str("R1 out mid {rl}\nC1 mid 0 {cl*2}\n.ends\nVDD vdd 0 1.8\n");
    for i in 0..2000 {
        s.push_str(&format!("X{i} n{i} n{} vdd cell w={{wn*{}}}\n", i + 1, 1 + i % 7));
    }
    for i in 0..1999 {
        s.push_str(&format!("RB{i} n{i} 0 {}k\n", 1 + i % 100));
    }
    s.push_str(".op\n.ac dec 20 1 1G\n.end\n");
    s
}

fn main() {
    let opts = ElabOptions::default();
    let opamp = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases/opamp/opamp_opactran_ns.cir");
    if opamp.exists() {
        let (t, n) = median_us(
            || {
                let deck = parse_file(&opamp, &FsLoader).expect("op-amp deck parses");
                elaborate(&deck, &opts).expect("op-amp deck elaborates").elements.len()
            },
            2000,
        );
        println!("op-amp deck ({n} elements, file system): parse+elaborate median {t:.1} us (aim < 1000 us)");
    } else {
        println!("op-amp deck: skipped ({} is absent)", opamp.display());
    }
    let text = generated_deck();
    let loader = MemLoader::new();
    let (t, n) = median_us(
        || {
            let deck = parse_str(&text, "gen.cir".as_ref(), &loader).expect("generated deck parses");
            elaborate(&deck, &opts).expect("generated deck elaborates").elements.len()
        },
        30,
    );
    println!("generated deck ({n} elements, memory): parse+elaborate median {:.2} ms (aim < 50 ms)", t / 1e3);
}

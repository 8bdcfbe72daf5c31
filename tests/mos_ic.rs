//! The MOSFET instance vector `ic=vds,vgs,vbs` (every ngspice MOSFET has it): ngspice's
//! loads start a device there in the first Newton iteration of an operating point when any
//! value is non-zero. On a latch this picks the state: cross-coupled inverters whose devices
//! are given the voltages of one state settle in it, in ngspice and in insitu, and without
//! `ic=` both stay at the metastable point.

mod common;

/// A latch of two inverters on cards `n`/`p`, with `ic=` for the state q = high (`Some(true)`),
/// q = low (`Some(false)`) or none.
fn latch(cards: &str, vdd: f64, q_high: Option<bool>) -> String {
    let ic = |on: bool, dev: &str| -> String {
        // Per device (vds, vgs, vbs) in the state where the inverter's output is `on`.
        let v = match (dev, on) {
            ("p", true) => format!("0,{},0", -vdd),
            ("p", false) => format!("{},0,0", -vdd),
            ("n", true) => format!("{vdd},0,0"),
            _ => format!("0,{vdd},0"),
        };
        format!(" ic={v}")
    };
    let (a, b) = match q_high {
        Some(h) => ((ic(h, "p"), ic(h, "n")), (ic(!h, "p"), ic(!h, "n"))),
        None => ((String::new(), String::new()), (String::new(), String::new())),
    };
    format!(
        "latch\n{cards}\nvdd vdd 0 {vdd}\nmp1 q qb vdd vdd p w=3u l=0.6u{}\nmn1 q qb 0 0 n w=1u l=0.6u{}\n\
         mp2 qb q vdd vdd p w=3u l=0.6u{}\nmn2 qb q 0 0 n w=1u l=0.6u{}\n.op\n.end\n",
        a.0, a.1, b.0, b.1
    )
}

#[test]
fn mosfet_ic_picks_the_latch_state_as_in_ngspice() {
    let level1 = ".model n nmos level=1 vto=0.5 kp=180u gamma=0.5 phi=0.7 lambda=0.05\n\
                  .model p pmos level=1 vto=-0.6 kp=60u gamma=0.5 phi=0.7 lambda=0.09";
    let bsim3 = ".model n nmos level=8 version=3.3.0 tox=4e-9 vth0=0.45 rdsw=200\n\
                 .model p pmos level=8 version=3.3.0 tox=4e-9 vth0=-0.5 u0=0.01 rdsw=400";
    let ng = insitu::ngspice::Ngspice::for_tests();
    for (name, cards, vdd) in [("level 1", level1, 3.3), ("BSIM3 3.3.0", bsim3, 1.8)] {
        let mut seen = Vec::new();
        for state in [Some(true), Some(false), None] {
            let text = latch(cards, vdd, state);
            let path = common::scratch_dir("mos-ic").join("latch.cir");
            std::fs::write(&path, &text).expect("deck");
            let circuit = insitu::pdk::load_deck_str(&text, &path).expect("parses");
            let mut sim = insitu::solver::Simulator::new(circuit).expect("compiles");
            sim.op().expect("op");
            let (q, qb) = (sim.voltage("q").unwrap(), sim.voltage("qb").unwrap());
            println!("{name}, ic for q high = {state:?}: v(q) {q:.6}, v(qb) {qb:.6}");
            match state {
                Some(true) => assert!(q > 0.9 * vdd && qb < 0.1 * vdd, "{name}: {q} {qb}"),
                Some(false) => assert!(q < 0.1 * vdd && qb > 0.9 * vdd, "{name}: {q} {qb}"),
                None => assert!((q - qb).abs() < 1e-6, "{name}: metastable expected, {q} {qb}"),
            }
            seen.push((q, qb));
            if let Some(ng) = &ng {
                let tol = insitu::check::Tolerances::default();
                let report = insitu::check::check_file_with(&path, ng, &common::scratch_dir("mos-ic-ng"), &tol, "")
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(report.pass(), "{name} {state:?}:\n{report}");
            }
        }
        assert!(seen[0] != seen[1], "{name}: ic= changed nothing");
    }
}

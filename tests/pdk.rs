//! The built-in process libraries: every corner against ngspice on a two-stage op-amp,
//! corner switching without re-parsing, and the weak-inversion gm/Id limit of each NMOS.

use insitu::check::{check_file_with, Tolerances};
use insitu::ngspice::Ngspice;
use insitu_pdk::{corner_models, load_deck_str, supply, CORNERS};
use insitu_solver::Simulator;
use std::path::{Path, PathBuf};

const TIGHT: &str = "reltol=1e-6 vntol=1e-9 abstol=1e-15";

/// Builds a testbench deck for a library and corner.
type Testbench = fn(&str, &str) -> String;

/// A MOSFET line `name d g s b model` of width `w` um and length `l`, with diffusion areas and
/// perimeters given so BSIM's parameter checks stay quiet.
fn mos_line(l: &str, [name, d, g, s, b, t]: [&str; 6], w: f64) -> String {
    format!("{name} {d} {g} {s} {b} {t} W={w}u L={l} AD={a}p AS={a}p PD={p}u PS={p}u\n", a = w * 0.5, p = 2.0 * w + 1.0)
}

/// A two-stage Miller op-amp on a built-in library, open loop with DC feedback through
/// 1 GH / 1 GF: operating point, AC and a small step.
fn opamp(lib: &str, corner: &str) -> String {
    let vdd = supply(lib).unwrap();
    let vcm = vdd / 2.0;
    let l = if lib == "generic65" { "0.2u" } else { "0.5u" };
    let mos = |name: &str, d: &str, g: &str, s: &str, b: &str, t: &str, w: f64| mos_line(l, [name, d, g, s, b, t], w);
    let mut s = format!("op-amp on {lib} {corner}\n.lib 'insitu:{lib}' {corner}\nVDD vdd 0 {vdd}\nIB vdd nb 20u\n");
    s += &mos("M8", "nb", "nb", "0", "0", "nch", 4.0);
    s += &mos("M5", "tail", "nb", "0", "0", "nch", 8.0);
    s += &mos("M1", "d1", "inm", "tail", "0", "nch", 10.0);
    s += &mos("M2", "d2", "inp", "tail", "0", "nch", 10.0);
    s += &mos("M3", "d1", "d1", "vdd", "vdd", "pch", 20.0);
    s += &mos("M4", "d2", "d1", "vdd", "vdd", "pch", 20.0);
    s += &mos("M6", "out", "d2", "vdd", "vdd", "pch", 80.0);
    s += &mos("M7", "out", "nb", "0", "0", "nch", 32.0);
    s += &format!(
        "RZ d2 cz 1.5k\nCC cz out 1p\nCL out 0 2p\nVINP inp 0 DC {vcm} AC 1 PULSE({vcm} {} 10n 1n 1n 100n 200n)\n",
        vcm + 1e-3
    );
    s += &format!("LFB out inm 1G\nCFB inm 0 1G\n.nodeset v(out)={vcm} v(inm)={vcm}\n");
    s += ".op\n.ac dec 10 1 1g\n.tran 1n 200n\n.end\n";
    s
}

/// A folded-cascode OTA (NMOS input pair, PMOS folding sources and cascodes, low-voltage NMOS
/// cascode mirror), biased from current sources through diode-connected devices, with the
/// same DC-feedback trick and analyses.
fn folded_cascode(lib: &str, corner: &str) -> String {
    let vdd = supply(lib).unwrap();
    let (vcm, vbpc, vbnc) = if vdd > 1.5 { (1.0, 0.95, 0.85) } else { (0.7, 0.45, 0.62) };
    let l = if lib == "generic65" { "0.2u" } else { "0.5u" };
    let mos = |name: &str, d: &str, g: &str, s: &str, b: &str, t: &str, w: f64| mos_line(l, [name, d, g, s, b, t], w);
    let mut s = format!("folded cascode on {lib} {corner}\n.lib 'insitu:{lib}' {corner}\nVDD vdd 0 {vdd}\n");
    s += &format!("IBN vdd nb 20u\nIBP pb 0 40u\nVBPC bpc 0 {vbpc}\nVBNC bnc 0 {vbnc}\n");
    s += &mos("MBN", "nb", "nb", "0", "0", "nch", 4.0);
    s += &mos("MBP", "pb", "pb", "vdd", "vdd", "pch", 16.0);
    s += &mos("M0", "tail", "nb", "0", "0", "nch", 8.0);
    s += &mos("M1", "f1", "inp", "tail", "0", "nch", 12.0);
    s += &mos("M2", "f2", "inm", "tail", "0", "nch", 12.0);
    s += &mos("M3", "f1", "pb", "vdd", "vdd", "pch", 16.0);
    s += &mos("M4", "f2", "pb", "vdd", "vdd", "pch", 16.0);
    s += &mos("M5", "o1", "bpc", "f1", "vdd", "pch", 16.0);
    s += &mos("M6", "out", "bpc", "f2", "vdd", "pch", 16.0);
    s += &mos("M7", "o1", "bnc", "m1", "0", "nch", 8.0);
    s += &mos("M8", "out", "bnc", "m2", "0", "nch", 8.0);
    s += &mos("M9", "m1", "o1", "0", "0", "nch", 8.0);
    s += &mos("M10", "m2", "o1", "0", "0", "nch", 8.0);
    s += &format!("CL out 0 1p\nVINP inp 0 DC {vcm} AC 1 PULSE({vcm} {} 10n 1n 1n 100n 200n)\n", vcm + 1e-3);
    s += &format!("LFB out inm 1G\nCFB inm 0 1G\n.nodeset v(out)={vcm} v(inm)={vcm}\n");
    s += ".op\n.ac dec 10 1 1g\n.tran 1n 200n\n.end\n";
    s
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("insitu-pdk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn opamp_and_folded_cascode_agree_with_ngspice_on_every_library_and_corner() {
    let Some(ng) = Ngspice::for_tests() else { return };
    let mut failures = Vec::new();
    let circuits: [(&str, Testbench); 2] = [("opamp", opamp), ("folded", folded_cascode)];
    for (lib, (kind, make)) in
        ["generic180", "generic65", "generic-l1"].into_iter().flat_map(|l| circuits.into_iter().map(move |c| (l, c)))
    {
        for corner in CORNERS {
            let deck = write(&format!("{kind}-{lib}-{corner}.cir"), &make(lib, corner));
            let work = deck.with_extension("ng");
            match check_file_with(&deck, &ng, &work, &Tolerances::default(), TIGHT) {
                Ok(r) => {
                    let worst = r.rows.iter().map(|x| x.score).fold(0.0, f64::max);
                    println!("{kind:<6} {lib:<11} {corner}: {} vectors, worst {worst:.2e} of tolerance", r.rows.len());
                    if !r.pass() {
                        failures.push(format!("{kind} {lib} {corner}:\n{r}"));
                    }
                }
                Err(e) => failures.push(format!("{kind} {lib} {corner}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn switching_corners_needs_no_reparse_and_matches_a_fresh_parse() {
    for lib in ["generic180", "generic65", "generic-l1"] {
        let path = Path::new("tb.cir");
        let mut sim = Simulator::new(load_deck_str(&opamp(lib, "tt"), path).unwrap()).unwrap();
        let mut outs = Vec::new();
        for corner in CORNERS {
            sim.set_models(&corner_models(lib, corner).unwrap()).unwrap();
            sim.op().unwrap();
            let mut fresh = Simulator::new(load_deck_str(&opamp(lib, corner), path).unwrap()).unwrap();
            fresh.op().unwrap();
            for node in ["out", "d1", "d2", "tail", "nb"] {
                let (a, b) = (sim.voltage(node).unwrap(), fresh.voltage(node).unwrap());
                assert!(a == b, "{lib} {corner} {node}: {a} vs {b}");
            }
            outs.push(sim.voltage("nb").unwrap());
        }
        // A fast NMOS needs less gate voltage for the same bias current: nb(ff) < nb(tt) < nb(ss).
        assert!(outs[1] < outs[0] && outs[0] < outs[2], "{lib}: nb over corners {outs:?}");
    }
}

/// n = 1 + NFACTOR eps_si / (Xdep0 Cox) from the card, as bsim-lite.md states it.
fn slope_factor(card: &insitu_netlist::Model) -> f64 {
    let p = |k: &str| card.param(k).unwrap();
    let (eps_si, eps_ox, q, koverq) = (1.03594e-10, 3.453133e-11, 1.60219e-19, 8.617087e-5);
    let tnom = 27.0 + 273.15;
    let vtm0 = koverq * tnom;
    let eg0 = 1.16 - 7.02e-4 * tnom * tnom / (tnom + 1108.0);
    let ni = 1.45e10 * (tnom / 300.15f64).powf(1.5) * (21.5565981 - eg0 / (2.0 * vtm0)).exp();
    let nch = p("nch");
    let phis = 2.0 * vtm0 * (nch / ni).ln();
    let xdep0 = (2.0 * eps_si / (q * nch * 1e6)).sqrt() * phis.sqrt();
    1.0 + p("nfactor") * eps_si / (xdep0 * (eps_ox / p("tox")))
}

#[test]
fn nmos_weak_inversion_gm_over_id_reaches_one_over_n_ut() {
    for lib in ["generic180", "generic65"] {
        let l = if lib == "generic65" { "0.6u" } else { "1.8u" };
        let vdd = supply(lib).unwrap();
        let deck = format!(
            "gm/Id {lib}\n.lib 'insitu:{lib}' tt\nVD d 0 {}\nVG g 0 0\nM1 d g 0 0 nch W=10u L={l} AD=5p AS=5p PD=21u PS=21u\n.end\n",
            vdd / 2.0
        );
        let circuit = load_deck_str(&deck, Path::new("gmid.cir")).unwrap();
        let n = slope_factor(&circuit.models[circuit.model("nch").unwrap()]);
        let mut sim = Simulator::new(circuit).unwrap();
        let mut best: f64 = 0.0;
        for k in 0..400 {
            sim.set_source_dc("vg", k as f64 * 2e-3).unwrap();
            sim.op().unwrap();
            let op = sim.mos_op("m1").unwrap();
            if op.id > 1e-14 {
                best = best.max(op.gm / op.id);
            }
        }
        let limit = 1.0 / (n * 8.617087e-5 * 300.15);
        println!("{lib}: max gm/Id {best:.3} V^-1, 1/(n UT) = {limit:.3} (n = {n:.4})");
        assert!((best / limit - 1.0).abs() < 0.02, "{lib}: {best} vs {limit}");
    }
}

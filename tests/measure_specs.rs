//! Named specs and the expression language against independent answers: a two-pole amplifier
//! in closed form, the two-stage op-amp's known answers (`../shared/reference/ngspice.md`) and
//! ngspice's `.meas` on the same decks (`tests/decks/measure/opamp_*.cir`).

use insitu::check::{ngspice_measures, prepare_deck};
use insitu::ngspice::Ngspice;
use insitu_netlist::{elaborate, parse_str, ElabOptions, MemLoader};
use insitu_solver::measure::{Expr, Results};
use insitu_solver::{Dataset, Simulator};
use std::f64::consts::PI;
use std::path::{Path, PathBuf};

fn run(text: &str) -> (Simulator, Vec<Dataset>) {
    let deck = parse_str(text, "t.cir".as_ref(), &MemLoader::new()).unwrap();
    let mut sim = Simulator::new(elaborate(&deck, &ElabOptions::default()).unwrap()).unwrap();
    let data = sim.run_all().unwrap();
    (sim, data)
}

fn eval(e: &str, sim: &Simulator, data: &[Dataset]) -> f64 {
    Expr::parse(e).unwrap_or_else(|err| panic!("{e}: {err}")).eval(&Results::new(data, Some(sim))).unwrap()
}

/// Two transconductance stages, each loaded by R || C: H(s) = (gm R)^2 / ((1 + s R C1)(1 + s R C2)).
#[test]
fn two_pole_amplifier_matches_closed_form() {
    let (gm, r, c1, c2) = (1e-3, 100e3, 1.59155e-9, 15.9155e-15); // poles near 1 kHz and 100 MHz
    let text = format!(
        "two-pole amplifier\nV1 in 0 DC 0 AC 1\nG1 0 a in 0 {gm}\nR1 a 0 {r}\nC1 a 0 {c1}\n\
         G2 0 out a 0 {gm}\nR2 out 0 {r}\nC2 out 0 {c2}\n.ac dec 200 1 10g\n.end\n"
    );
    let (sim, data) = run(&text);
    let a0 = (gm * r) * (gm * r);
    let (f1, f2) = (1.0 / (2.0 * PI * r * c1), 1.0 / (2.0 * PI * r * c2));
    let mag = |f: f64| a0 / ((1.0 + (f / f1).powi(2)) * (1.0 + (f / f2).powi(2))).sqrt();
    // |H(fu)| = 1 by bisection on the closed form.
    let (mut lo, mut hi) = (f1, 1e10);
    for _ in 0..200 {
        let mid = (lo * hi).sqrt();
        if mag(mid) > 1.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let fu = lo;
    let pm = 180.0 - (fu / f1).atan().to_degrees() - (fu / f2).atan().to_degrees();
    let ugf = eval("ugf(v(out))", &sim, &data);
    let pm_sim = eval("phase_margin(v(out))", &sim, &data);
    println!("A0 {a0}, f1 {f1:.4e}, f2 {f2:.4e}: UGF {ugf:.6e} (exact {fu:.6e}), PM {pm_sim:.4} (exact {pm:.4})");
    assert!((ugf / fu - 1.0).abs() < 1e-3, "UGF {ugf} vs {fu}");
    assert!((pm_sim - pm).abs() < 0.02, "PM {pm_sim} vs {pm}");
    // UGF ≈ A0·f1 while the second pole is far above it.
    assert!((ugf / (a0 * f1) - 1.0).abs() < 0.03);
    let g0 = 20.0 * mag(1.0).log10();
    assert!((eval("dc_gain_db(v(out))", &sim, &data) - g0).abs() < 1e-9);
    assert!((eval("value(db20(v(out)), 1)", &sim, &data) - g0).abs() < 1e-9);
    // The Ocean spellings read the same numbers.
    let ocean = eval("cross(dB20(VF(\"/OUT\")) 0 1 \"falling\")", &sim, &data);
    assert!((ocean / ugf - 1.0).abs() < 1e-12, "{ocean} vs {ugf}");
    // The |h|² scan of cross(db20(...)) finds what the generic path (dB at every point) finds.
    for (level, n, edge) in [(-3.0, 1, "falling"), (20.0, 1, "either"), (60.0, -1, "falling")] {
        let fast = eval(&format!("cross(db20(v(out)), {level}, {n}, {edge})"), &sim, &data);
        let slow = eval(&format!("cross(db20(v(out)) + 0, {level}, {n}, {edge})"), &sim, &data);
        assert!((fast / slow - 1.0).abs() < 1e-12, "{level}: {fast} vs {slow}");
    }
    // -3 dB: f1·sqrt(sqrt(2) - 1)-ish corrections are tiny here; check against the closed form.
    let (mut lo, mut hi) = (1.0f64, 1e6f64);
    for _ in 0..200 {
        let mid = (lo * hi).sqrt();
        if mag(mid) > mag(1.0) / 2f64.sqrt() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    assert!((eval("f3db(v(out))", &sim, &data) / lo - 1.0).abs() < 1e-3);
}

fn opamp_decks() -> Option<PathBuf> {
    let inc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases/opamp/opamp_core.inc");
    if !inc.is_file() {
        eprintln!("skipping: {} is absent", inc.display());
        return None;
    }
    Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks/measure"))
}

fn load(deck: &Path) -> (Simulator, Vec<Dataset>, String) {
    let text = prepare_deck(&std::fs::read_to_string(deck).unwrap(), deck.parent().unwrap(), "");
    let circuit = insitu_pdk::load_deck_str(&text, deck).unwrap();
    let mut sim = Simulator::new(circuit).unwrap();
    let data = sim.run_all().unwrap();
    (sim, data, text)
}

#[test]
fn opamp_specs_match_known_answers_and_ngspice() {
    let Some(dir) = opamp_decks() else { return };
    let (sim, data, text) = load(&dir.join("opamp_ac.cir"));
    let a0 = eval("dc_gain_db(v(out))", &sim, &data);
    let ugf = eval("ugf(v(out))", &sim, &data);
    let pm = eval("phase_margin(v(out))", &sim, &data);
    println!("op-amp: A0 {a0:.4} dB, UGF {:.4} MHz, PM {pm:.3} deg", ugf / 1e6);
    // Known answers: A0 69.62 dB, UGF 17.10 MHz, PM 61.1 degrees.
    assert!((a0 - 69.62).abs() < 0.01, "A0 {a0}");
    assert!((ugf / 17.10e6 - 1.0).abs() < 2e-3, "UGF {ugf}");
    assert!((pm - 61.1).abs() < 0.1, "PM {pm}");
    // Supply and devices at the operating point: I(VDD) = 263.7 uA (known answer), so
    // P = 1.8 V · 263.7 uA; area = sum of W·L = (4+8+10+10+10+10+100+40) um².
    let p = eval("power(vdd)", &sim, &data);
    assert!((p / (1.8 * 263.7e-6) - 1.0).abs() < 5e-4, "power {p}");
    assert!((eval("-1.8 * IDC(\"/VDD/PLUS\")", &sim, &data) - p).abs() < 1e-15);
    assert!((eval("area()", &sim, &data) / 192e-12 - 1.0).abs() < 1e-12);
    let m1 = sim.mos_op("m1").unwrap();
    assert_eq!(eval("@m1[gm] / @m1[id]", &sim, &data), m1.gm / m1.id);
    assert_eq!(eval("@m6[cgg]", &sim, &data), m6_cgg(&sim));
    let Some(ng) = Ngspice::for_tests() else { return };
    let circuit = insitu_pdk::load_deck_str(&text, &dir.join("opamp_ac.cir")).unwrap();
    let theirs =
        ngspice_measures(&ng, &text, &circuit.measures, &std::env::temp_dir().join("insitu-specs-opamp")).unwrap();
    let get = |n: &str| theirs.iter().find(|(m, _)| m == n).and_then(|(_, v)| *v).unwrap();
    let pm_ng = 180.0 + (get("pm") - 180.0).to_degrees();
    println!("ngspice .meas: A0 {:.6} dB, UGF {:.6e}, PM {pm_ng:.6}", get("a0_db"), get("ugf"));
    // Same definitions (first 0 dB crossing, linear in frequency; phase interpolated there):
    // they differ only by the two simulators' operating points (default tolerances).
    assert!((a0 - get("a0_db")).abs() < 1e-3);
    assert!((ugf / get("ugf") - 1.0).abs() < 1e-4);
    // ngspice 39's vp() is in radians: the deck's pm = 180 + ph_ugf(rad), converted above.
    assert!((pm - pm_ng).abs() < 1e-2, "PM {pm} vs ngspice {pm_ng}");
}

#[test]
fn opamp_buffer_step_matches_known_answers_and_ngspice() {
    let Some(dir) = opamp_decks() else { return };
    let (sim, data, text) = load(&dir.join("opamp_buffer_tran.cir"));
    // 10-90 % of the 0.8 -> 1.0 V step: slew_rate over 10..90 % of the swing.
    let sr = eval("slew_rate(v(out), 10, 90)", &sim, &data);
    let rise = 0.8 * (eval("value(v(out), 500n)", &sim, &data) - 0.8) / sr;
    let os = eval("overshoot(v(out))", &sim, &data);
    let ts = eval("settling_time(v(out), 0.01)", &sim, &data);
    println!(
        "buffer: rise {:.4} ns, SR {:.4} V/us, overshoot {os:.3} %, 1 % settling {:.2} ns",
        rise * 1e9,
        sr / 1e6,
        ts * 1e9
    );
    // Known answers: rise 15.38 ns, overshoot 4.67 %.
    assert!((rise / 15.38e-9 - 1.0).abs() < 5e-3, "rise {rise}");
    assert!((os - 4.67).abs() < 0.05, "overshoot {os}");
    assert!(ts > rise && ts < 400e-9);
    let Some(ng) = Ngspice::for_tests() else { return };
    let circuit = insitu_pdk::load_deck_str(&text, &dir.join("opamp_buffer_tran.cir")).unwrap();
    let theirs =
        ngspice_measures(&ng, &text, &circuit.measures, &std::env::temp_dir().join("insitu-specs-buffer")).unwrap();
    let get = |n: &str| theirs.iter().find(|(m, _)| m == n).and_then(|(_, v)| *v).unwrap();
    println!("ngspice .meas: rise {:.4} ns, overshoot {:.3} %", get("rise") * 1e9, get("overshoot"));
    assert!((rise / get("rise") - 1.0).abs() < 2e-3);
    assert!((os - get("overshoot")).abs() < 0.02);
}

fn m6_cgg(sim: &Simulator) -> f64 {
    let m = sim.mos_op("m6").unwrap();
    m.cgs + m.cgd + m.cgb
}

/// The bandgap's temperature coefficient by the box method, from the named spec and from the
/// `.meas` cards of the same deck (MAX, MIN, FIND AT=27), and its curvature: the spec's value
/// must equal (max - min) / (v27 · 165 °C) · 1e6.
#[test]
fn bandgap_tc_by_box_method() {
    let deck = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks/measure/bandgap_dc.cir");
    let (sim, data, _) = load(&deck);
    let tc = eval("tc_ppm(v(ref))", &sim, &data);
    let ms = insitu_netlist::load_file(&deck).unwrap().measures;
    let r = insitu_solver::measure::run_measures(&ms, &Results::new(&data, Some(&sim)));
    let get = |n: &str| r.iter().find(|(m, _)| m == n).unwrap().1.clone().unwrap();
    let box_tc = (get("vref_max") - get("vref_min")) / (get("vref_27") * 165.0) * 1e6;
    println!("bandgap: TC {tc:.3} ppm/C, v(ref) at 27 C {:.6} V", get("vref_27"));
    assert!((tc / box_tc - 1.0).abs() < 1e-12);
    // A first-order bandgap: tens of ppm/C, not thousands (a bare diode is about -2 mV/C).
    assert!(tc > 1.0 && tc < 300.0, "{tc}");
    // Line regulation of the resistor divider in dc_sweep.cir: v(b) = V1/3 exactly.
    let (sim, data, _) = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks/measure/dc_sweep.cir"));
    assert!((eval("line_regulation(v(b))", &sim, &data) - 1.0 / 3.0).abs() < 1e-12);
}

/// Noise specs on the level-1 common-source stage: the density at a grid frequency is the
/// spectrum's point; the output noise integrated over the whole sweep as a power law between
/// points agrees with the "Integrated Noise" `onoise_total` (which, as ngspice, integrates each
/// source separately) within 1 %. (`inoise_total` is not that integral of `inoise_spectrum`:
/// ngspice refers each interval to the input with its upper point's gain.)
#[test]
fn noise_specs_read_the_spectra() {
    let deck = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks/noise_cs_level1.cir");
    let (sim, data, _) = load(&deck);
    let spectrum = &data[0];
    let f = spectrum.real("frequency").unwrap();
    let k = f.iter().position(|x| (x / 1e3 - 1.0).abs() < 1e-9).unwrap();
    let dens = spectrum.real("inoise_spectrum").unwrap();
    // (1k is a grid point up to the rounding of the log grid)
    assert!((eval("input_noise_at(1k)", &sim, &data) / dens[k] - 1.0).abs() < 1e-12);
    let total = eval("integrated_noise()", &sim, &data);
    assert_eq!(total, data[1].real("inoise_total").unwrap()[0]);
    let onoise = spectrum.real("onoise_spectrum").unwrap();
    let out_total = data[1].real("onoise_total").unwrap()[0];
    let spec = insitu_solver::measure::specs::integrated_noise(
        insitu_solver::measure::Scale::Real(f),
        onoise,
        f[0],
        f[f.len() - 1],
    )
    .unwrap();
    println!(
        "input noise {:.4e} V/rtHz at 1 kHz; output noise {spec:.4e} V vs onoise_total {out_total:.4e} V",
        dens[k]
    );
    assert!((spec / out_total - 1.0).abs() < 0.01, "{spec} vs {out_total}");
}

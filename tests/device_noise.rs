//! Shared noise formulas (`insitu::devices::noise`) against ngspice `.noise`.
//!
//! Each device sits at a forced bias; its noise current flows through a 0 V source sensed
//! by a noiseless 1-ohm CCVS, so `onoise_spectrum^2` is the device's current PSD: resistor
//! thermal noise 4kT/R, diode shot 2qI plus flicker, MOS level-1 channel thermal and
//! flicker noise as `mos1noi.c` computes them.

mod common;

use common::{scratch_dir, sp, Worst};
use insitu::devices::noise::{diode_flicker_psd, mos1_flicker_psd, mos1_thermal_psd, shot_psd, thermal_psd};
use insitu::devices::{Diode, DiodeModel, Mos1, Mos1Model, MosGeom};
use insitu::ngspice::Ngspice;

const TOL: f64 = 1e-9;

fn run(ng: &Ngspice, name: &str, body: &str, temp: f64) -> (Vec<f64>, Vec<f64>) {
    let dir = scratch_dir(name);
    let deck = format!(
        "{name}\n.temp {temp}\nVX x 0 dc 0 ac 1\nVM dd a 0\nH1 out 0 VM 1\n{body}.noise v(out) VX dec 5 1 1e9\n.end\n"
    );
    let run = ng.run(&deck, &dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
    let plot = run.plot("Noise Spectral").expect("noise plot");
    (plot.vector("frequency").unwrap().to_vec(), plot.vector("onoise_spectrum").unwrap().to_vec())
}

#[test]
fn noise_formulas_match_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let mut worst = Worst::default();
    for temp in [-40.0, 27.0, 125.0] {
        let tk = temp + 273.15;
        // Resistor.
        let (f, v) = run(&ng, "res-noise", "VD dd 0 0.5\nR1 a 0 2.2k\n", temp);
        for (fi, vi) in f.iter().zip(&v) {
            worst.check("resistor", thermal_psd(1.0 / 2.2e3, tk), vi * vi, 1e-40, TOL, &format!("T={temp} f={fi:e}"));
        }
        // Diode: shot + flicker.
        let dp = [("is", 1e-14), ("n", 1.05), ("kf", 1e-16), ("af", 1.1)];
        let line: Vec<String> = dp.iter().map(|(n, x)| format!("{n}={}", sp(*x))).collect();
        let body = format!("VD dd 0 0.62\nD1 a 0 dm\n.model dm d ({})\n", line.join(" "));
        let (f, v) = run(&ng, "dio-noise", &body, temp);
        let params: Vec<(String, f64)> = dp.iter().map(|(n, x)| (n.to_string(), *x)).collect();
        let d = Diode::new(&DiodeModel::new("dm", &params).unwrap(), 1.0, temp, 27.0, 1e-12).unwrap();
        let (id, _) = d.dc(0.62);
        for (fi, vi) in f.iter().zip(&v) {
            let want = shot_psd(id) + diode_flicker_psd(1e-16, 1.1, id, 1.0, *fi);
            worst.check("diode", want, vi * vi, 1e-40, TOL, &format!("T={temp} f={fi:e} id={id:e}"));
        }
        // MOS level 1: channel thermal + flicker (forced VGS via the gate source).
        let mp =
            [("vto", 0.5), ("kp", 1e-4), ("tox", 5e-9), ("lambda", 0.05), ("ld", 2e-8), ("kf", 1e-25), ("af", 1.3)];
        let line: Vec<String> = mp.iter().map(|(n, x)| format!("{n}={}", sp(*x))).collect();
        let g = MosGeom { w: 4e-6, l: 0.5e-6, m: 2.0, ..MosGeom::default() };
        let body = format!(
            "VD dd 0 1.2\nVG g 0 1.1\nM1 a g 0 0 nm w={} l={} m=2\n.model nm nmos (level=1 {})\n",
            sp(g.w),
            sp(g.l),
            line.join(" ")
        );
        let (f, v) = run(&ng, "mos1-noise", &body, temp);
        let params: Vec<(String, f64)> = mp.iter().map(|(n, x)| (n.to_string(), *x)).collect();
        let m = Mos1::new(&Mos1Model::new("nm", false, &params).unwrap(), &g, temp, 27.0, 1e-12).unwrap();
        let r = m.dc(1.1, 1.2, 0.0);
        let cox_per_area = m.cox_total() / (m.leff() * g.m * g.w);
        for (fi, vi) in f.iter().zip(&v) {
            let want = mos1_thermal_psd(r.gm, tk)
                + mos1_flicker_psd(1e-25, 1.3, r.id(), *fi, g.w, g.m, m.leff(), cox_per_area);
            worst.check("mos1", want, vi * vi, 1e-40, TOL, &format!("T={temp} f={fi:e}"));
        }
    }
    worst.report("noise formulas vs ngspice");
}

/// An input source with no path to the output: ngspice floors the squared gain at 1e-20
/// (`N_MINGAIN`), so the input-referred noise is the output noise times 1e10, not NaN.
#[test]
fn input_noise_without_gain_is_floored_as_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let deck = "input with no path to the output\nVX x 0 dc 0 ac 1\nR1 x 0 1k\nR2 out 0 4.7k\nC2 out 0 1n\n\
                .noise v(out) VX dec 5 1 1e9\n.end\n";
    let ours = insitu::solver::Simulator::new(
        insitu::netlist::elaborate(
            &insitu::netlist::parse_str(deck, "zero-gain.cir".as_ref(), &insitu::netlist::FsLoader).unwrap(),
            &insitu::netlist::ElabOptions::default(),
        )
        .unwrap(),
    )
    .unwrap()
    .run_all()
    .unwrap();
    let theirs = ng.run(deck, &scratch_dir("zero-gain-noise")).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
    let mut worst = Worst::default();
    for (plot, vector) in [("Noise Spectral", "inoise_spectrum"), ("Integrated", "inoise_total")] {
        let want = theirs.plot(plot).and_then(|p| p.vector(vector)).unwrap_or_else(|| panic!("ngspice {vector}"));
        let got = ours.iter().find_map(|d| d.real(vector)).unwrap_or_else(|| panic!("insitu {vector}"));
        assert_eq!(got.len(), want.len(), "{vector}");
        for (k, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(g.is_finite() && *w > 0.0, "{vector}[{k}]: insitu {g}, ngspice {w}");
            worst.check(vector, *g, *w, 0.0, TOL, &format!("point {k}"));
        }
    }
    worst.report("input noise at zero gain vs ngspice");
}

/// A reversed supply (a fuzzed deck) puts a BSIM3 3.2.4 NQS stage where its noise equations
/// give a negative density that outweighs the others: ngspice's spectra are NaN there;
/// insitu stops with an error that names the device.
#[test]
fn a_negative_noise_density_is_an_error_naming_the_device() {
    let cards = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3/nqs_cards.lib");
    let deck = format!(
        "reversed supply\n.include \"{}\"\nVDD vdd 0 -5\nVIN in 0 DC 1.2 AC 1\n\
         MN out in 0 0 n324nqs W=20u L=2u AD=20p AS=20p PD=22u PS=22u\n\
         MP out out vdd vdd p324nqs W=40u L=2u AD=40p AS=40p PD=42u PS=42u\n\
         MX x vdd out 0 n324nqs W=4u L=1u AD=4p AS=4p PD=6u PS=6u\nRX x 0 100k\nCL out 0 10f\n\
         .noise v(out) vin dec 10 1k 10g\n.end\n",
        cards.display()
    );
    let circuit = insitu::pdk::load_deck_str(&deck, "reversed.cir".as_ref()).unwrap();
    let err = insitu::solver::Simulator::new(circuit).unwrap().run_all().expect_err("negative density").to_string();
    assert!(err.contains("element 'mn'") && err.contains("negative output noise density"), "{err}");
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let run = ng.run(&deck, &scratch_dir("negative-noise")).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
    let spectrum = run.plot("Noise Spectral").and_then(|p| p.vector("onoise_spectrum")).expect("ngspice spectrum");
    assert!(spectrum.iter().any(|v| v.is_nan()), "ngspice's spectrum was expected to hold NaN: {spectrum:?}");
}

/// A fuzzed deck whose load resistor's noise reaches the output with an exactly zero
/// transfer at some frequencies (its supply floats): the power-law integral between a
/// density and zero once made 0 x inf, and `inoise_total` was NaN where ngspice has a number.
#[test]
fn integrated_noise_with_zero_densities_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let deck = "floating supply\n\
.model nch nmos level=1 vto=0.5 kp=150u gamma=0.5 phi=0.7 lambda=0.06 rd=15 rs=15 tox=6n kf=2e-25 af=1.2\n\
+ cgso=0.25n cgdo=0.25n cj=0.8m cjsw=-1\n\
VDD vdd 1e30 1.8\nVIN in 0 DC 0.75 AC 1\nRG in g 1k\nM1 out g src 0 nch W=10u L=0.5u AD=10p AS=10p PD=22u PS=22u\n\
RS src 0 100\nRL vdd out 5k\nCL out 0 100f\n.noise v(out) vin dec 10 1 10g\n.end\n";
    integrated_totals_match_ngspice(&ng, deck, "zero-density-noise", "integrated noise with zero densities vs ngspice");
}

/// Runs `deck` in both simulators and checks `onoise_total` and `inoise_total` (finite, within
/// 1e-9 of ngspice's); `name` names ngspice's scratch directory.
fn integrated_totals_match_ngspice(ng: &Ngspice, deck: &str, name: &str, title: &str) {
    let circuit = insitu::pdk::load_deck_str(deck, format!("{name}.cir").as_ref()).unwrap();
    let ours = insitu::solver::Simulator::new(circuit).unwrap().run_all().unwrap();
    let theirs = ng.run(deck, &scratch_dir(name)).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
    let mut worst = Worst::default();
    for vector in ["onoise_total", "inoise_total"] {
        let want = theirs.plot("Integrated").and_then(|p| p.vector(vector)).expect("ngspice total")[0];
        let got = ours.iter().find_map(|d| d.real(vector)).expect("insitu total")[0];
        assert!(got.is_finite(), "{vector}: {got}");
        worst.check(vector, got, want, 0.0, 1e-9, "integrated");
    }
    worst.report(title);
}

/// Output densities below ngspice's floor of the logarithms (1e-38 V^2/Hz; here a 1 GF
/// capacitor shorts the output): the input-referred integral takes the output's clamped
/// slope, then divides by the gain, as ngspice's `Nintegrate` calls do. Dividing first and
/// clamping after kept the true slope: `inoise_total` 12 % above ngspice's.
#[test]
fn input_noise_integral_clamps_the_output_densities_first() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let deck = "densities under the floor\nVIN in 0 DC 0 AC 1\nR1 in out 1k\nC1 out 0 1e9\n\
                .noise v(out) vin dec 10 10 1g\n.end\n";
    integrated_totals_match_ngspice(
        &ng,
        deck,
        "density-floor-noise",
        "integrated noise under the density floor vs ngspice",
    );
}

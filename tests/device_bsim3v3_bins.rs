//! Binned model sets (`.model nb.1 ...` .. `nb.N`) with the full BSIM3v3: each instance of
//! `nb` takes the bin whose LMIN <= L < LMAX and WMIN <= W < WMAX (ngspice's rule), a size in
//! no bin is an error naming the size and the bins, and a binned amplifier deck
//! (`tests/bsim3v3/binned_amp.cir`: op, dc, ac, tran, noise) agrees with ngspice.

use insitu::check::{check_file_with, Tolerances};
use insitu::ngspice::Ngspice;
use insitu_netlist::{ElementKind, MemLoader};
use std::path::{Path, PathBuf};

const TIGHT: &str = "reltol=1e-6 vntol=1e-9 abstol=1e-15";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3")
}

#[test]
fn instances_take_the_bin_of_their_size() {
    let c = insitu_netlist::load_file(&dir().join("binned_amp.cir")).expect("deck parses");
    let model_of = |name: &str| {
        let e = c.elements.iter().find(|e| e.name == name).expect("element");
        let ElementKind::Mosfet { model, .. } = &e.kind else { panic!("{name} is not a MOSFET") };
        c.models[*model].name.clone()
    };
    // L = 1u in bin 2; L = 0.36u in bin 1; L = 0.5u (LMAX of bin 1 = LMIN of bin 2) takes
    // bin 1 as in ngspice 39 (inclusive bounds, first bin wins); L = 0.5009u, 0.9 nm past
    // LMAX, still bin 1 (1e-9 m slack) and L = 0.502u bin 2.
    assert_eq!(model_of("mbn"), "nb.2");
    assert_eq!(model_of("mt"), "nb.1");
    assert_eq!(model_of("mn"), "nb.1");
    assert_eq!(model_of("mu"), "nb.1");
    assert_eq!(model_of("mv"), "nb.2");
    assert_eq!(model_of("mbp"), "pb.2");
    assert_eq!(model_of("mp"), "pb.1");
}

#[test]
fn a_size_in_no_bin_is_an_error_naming_size_and_bins() {
    let deck = "bins\n.model nb.1 nmos level=8 version=3.3.0 lmin=0.18u lmax=0.5u wmin=0.2u wmax=10u\n\
                .model nb.2 nmos level=8 version=3.3.0 lmin=0.5u lmax=20u wmin=0.2u wmax=10u\n\
                M1 d g 0 0 nb W=20u L=1u\nVD d 0 1\nVG g 0 1\n.op\n.end\n";
    let parsed = insitu_netlist::parse_str(deck, Path::new("bins.cir"), &MemLoader::default()).expect("parses");
    let err = insitu_netlist::elaborate(&parsed, &Default::default()).unwrap_err().to_string();
    assert!(err.contains("no bin of model 'nb'"), "{err}");
    assert!(err.contains("L = 1e-6") && err.contains("W = 2e-5"), "{err}");
    assert!(err.contains("nb.1 L [1.8e-7, 5e-7]") && err.contains("nb.2 L [5e-7, 2e-5]"), "{err}");
    assert!(err.contains("m1"), "names the element: {err}");
}

#[test]
fn binned_amplifier_agrees_with_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let work = std::env::temp_dir().join(format!("insitu-bsim3v3-bins-{}", std::process::id()));
    let report =
        check_file_with(&dir().join("binned_amp.cir"), &ng, &work, &Tolerances::default(), TIGHT).expect("runs");
    let worst = report.rows.iter().map(|r| r.score).fold(0.0, f64::max);
    println!("binned_amp {} vectors, worst {worst:.3e} of tolerance\n{report}", report.rows.len());
    assert!(report.pass(), "{report}");
}

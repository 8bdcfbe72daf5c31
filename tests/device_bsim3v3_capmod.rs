//! Full BSIM3v3 on CAPMOD 0 and CAPMOD 1 against ngspice (`level=8 version=3.3.0`) on the
//! cards of `tests/bsim3v3/capmod01_cards.lib` (written for this test; all three XPART
//! partitions on each CAPMOD, NMOS and PMOS, VFBCV, NOFF/VOFFCV, size dependence).
//!
//! Capacitances: `.op` points from accumulation to strong inversion, saturation and triode,
//! both modes, at -40/27/125 C: `@m[cgg] cgs cgd cdg cdd cds cbg cbd cbs` (mode frame,
//! overlaps excluded) within 1e-9 relative (floor 1e-6 x |cgg|). The overlaps of CAPMOD 0/1
//! and the whole load are checked by a transient deck (`tests/bsim3v3/cs_stage_capmod1.cir`).

mod common;

use common::{check_caps_point, mos_params, read_cards, scratch_dir, OpGrid, Worst};
use insitu::devices::{Bsim3v3, Bsim3v3Model, MosGeom};
use insitu::ngspice::Ngspice;
use std::path::{Path, PathBuf};

const CAP_TOL: f64 = 1e-9;
const TEMPS: [f64; 3] = [-40.0, 27.0, 125.0];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3")
}

fn geom(w: f64, l: f64) -> MosGeom {
    let ext = 0.5e-6;
    MosGeom { w, l, ad: w * ext, as_: w * ext, pd: 2.0 * (w + ext), ps: 2.0 * (w + ext), ..MosGeom::default() }
}

const SIZES: [(f64, f64); 4] = [(2e-6, 0.18e-6), (0.5e-6, 0.5e-6), (10e-6, 1.8e-6), (0.3e-6, 0.18e-6)];

/// Bias points (vgs, vds, vbs) in the n-frame: accumulation, depletion, weak, moderate and
/// strong inversion in saturation and triode, VDS = 0, reverse mode, body bias (both signs).
const OP_POINTS: [(f64, f64, f64); 16] = [
    (-1.0, 0.5, 0.0),
    (-0.3, 1.0, -0.5),
    (0.1, 0.9, 0.0),
    (0.25, 0.05, 0.0),
    (0.45, 1.2, 0.0),
    (0.6, 0.9, -0.6),
    (0.9, 1.8, 0.0),
    (1.2, 0.1, 0.0),
    (1.8, 0.4, -0.3),
    (1.8, 1.8, 0.0),
    (1.0, 0.0, 0.0),
    (1.2, -0.8, 0.0),
    (1.8, -0.2, -0.4),
    (0.9, 0.5, 0.2),
    (0.7, 0.02, 0.3),
    (-0.6, -0.4, -0.2),
];

#[test]
fn capmod01_caps_match_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let text = std::fs::read_to_string(dir().join("capmod01_cards.lib")).expect("cards");
    let cards = read_cards(&text);
    assert_eq!(cards.len(), 6);
    let grid = OpGrid {
        title: "bsim3v3 capmod 0/1 cross-check",
        models: format!("{text}\n"),
        cards: cards.iter().map(|c| (c.name.clone(), c.pmos)).collect(),
        geoms: SIZES.iter().map(|&(w, l)| geom(w, l)).collect(),
        points: &OP_POINTS,
        extra: &[],
    };
    let mut regions = [0usize; 3];
    let work = scratch_dir("bsim3v3-capmod01");
    let worst = grid.run(&ng, &work, &TEMPS, |worst, ci, gi, temp, (vgs, vds, vbs), get| {
        let (c, g) = (&cards[ci], &grid.geoms[gi]);
        let model = Bsim3v3Model::new(&c.name, c.pmos, &c.params).expect("model");
        let dev = Bsim3v3::new(&model, g, temp, 27.0, 1e-12).expect("instance");
        let k = dev.intrinsic_caps(vgs, vds, vbs);
        // Which charge region the point is in (accumulation/depletion, saturation, triode).
        regions[if k.qinv == 0.0 {
            0
        } else if k.cgdb == 0.0 {
            1
        } else {
            2
        }] += 1;
        let ctx = format!("{} W={:e} L={:e} T={temp} vgs={vgs} vds={vds} vbs={vbs}", c.name, g.w, g.l);
        check_caps_point(worst, &k, get, CAP_TOL, &ctx);
        worst.check("id(op)", dev.dc(vgs, vds, vbs).cdrain, get("id"), 1e-15, 1e-9, &ctx);
    });
    println!("points per region (CAPMOD 0 no-inversion / zero cgd / other): {regions:?}");
    worst.report("bsim3v3 CAPMOD 0/1 capacitances vs ngspice");
}

/// A CAPMOD 1 common-source stage (CAPMOD 0 PMOS load) through op, ac and a transient
/// against ngspice at tight Newton tolerances: the overlap forms of CAPMOD 0/1 (constant,
/// and CGSL/CGDL with the accumulation square root) and the charges in the time loop.
#[test]
fn capmod01_deck_matches_ngspice() {
    common::check_bsim3_deck("cs_stage_capmod1.cir", "bsim3v3-capmod01-deck");
}

/// BSIM3 thermal noise (NOIMOD 2 and 4) reads the inversion charge of the CAPMOD: on CAPMOD 0
/// and 1 cards, `.noise` of one transistor at forced bias (drain noise current sensed by a
/// noiseless 1-ohm CCVS) against ngspice, within 1e-9 of the drain-current PSD.
#[test]
fn capmod01_noise_matches_ngspice() {
    let Some(ng) = Ngspice::for_tests() else {
        return;
    };
    let text = std::fs::read_to_string(dir().join("capmod01_cards.lib")).expect("cards");
    let work = scratch_dir("bsim3v3-capmod01-noise");
    let mut worst = Worst::default();
    let mut k = 0;
    for base in
        read_cards(&text).into_iter().filter(|c| ["ncap0", "pcap0", "ncap1", "pcap1"].contains(&c.name.as_str()))
    {
        for noimod in [2.0, 4.0] {
            let mut params = base.params.clone();
            params.extend([("noimod".to_string(), noimod), ("kf".to_string(), 2e-26), ("af".to_string(), 1.2)]);
            let kind = if base.pmos { "pmos" } else { "nmos" };
            let card: Vec<String> = params.iter().map(|(n, v)| format!("+ {n}={}", common::sp(*v))).collect();
            let card = format!(".model {} {kind} level=8 version=3.3.0\n{}\n", base.name, card.join("\n"));
            for &(temp, vgs, vds, l) in
                &[(27.0, 0.9, 1.2, 0.18e-6), (125.0, 0.5, 0.3, 1e-6), (-40.0, 1.5, -0.6, 0.5e-6)]
            {
                k += 1;
                let g = geom(2e-6, l);
                let s = if base.pmos { -1.0 } else { 1.0 };
                let deck = format!(
                    "capmod01 noise\n.temp {temp}\nVG g 0 dc {} ac 1\nVD dd 0 {}\nVM dd d 0\nH1 out 0 VM 1\n{card}m1 d g 0 \
                     0 {} {}\n.noise v(out) VG dec 5 1 1e9\n.end\n",
                    common::sp(s * vgs),
                    common::sp(s * vds),
                    base.name,
                    mos_params(&g)
                );
                let run = ng.run(&deck, &work).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
                let plot = run.plot("Noise Spectral").expect("noise plot");
                let freq = plot.vector("frequency").expect("frequency");
                let onoise = plot.vector("onoise_spectrum").expect("onoise_spectrum");
                let model = Bsim3v3Model::new(&base.name, base.pmos, &params).expect("model");
                let dev = Bsim3v3::new(&model, &g, temp, 27.0, 1e-12).expect("instance");
                let r = dev.dc(vgs, vds, 0.0);
                for (f, v) in freq.iter().zip(onoise) {
                    let (th, fl) = dev.noise_psd_at(&r, vgs, vds, 0.0, *f);
                    let ctx = format!("{} NOIMOD {noimod} T={temp} vgs={vgs} vds={vds} L={l:e} f={f:e}", base.name);
                    if v.is_nan() {
                        // NOIMOD 2's flicker density goes negative in reverse mode (ngspice: NaN).
                        assert!(th + fl < 0.0, "ngspice NaN where ours is {}: {ctx}", th + fl);
                        continue;
                    }
                    worst.check("psd", th + fl, v * v, 1e-40, 1e-9, &ctx);
                }
            }
        }
    }
    assert_eq!(k, 24);
    worst.report("bsim3v3 CAPMOD 0/1 noise vs ngspice");
}

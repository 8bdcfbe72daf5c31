//! A gm/Id table (the `pdk::gmid` generator) from a full-BSIM3v3 card
//! (`tests/bsim3v3/full_cards.lib`, `nfull`: RDSW, NGATE, A1/A2, binned parameters): the peak
//! gm/Id of a fine VGS sweep at VDS = 0.9 V, VSB = 0 is within 1 % of 1/(n UT), n from the
//! card (1 + (NFACTOR EPSSI/Xdep0 + CDSC theta(DVT1 Leff/lt0) + CIT)/Cox at the binned values).

use insitu::devices::{Bsim3v3, Bsim3v3Model, MosGeom};
use insitu::pdk::gmid::{DeviceType, Grid, ModelSource, Quantity, Table};
use std::path::Path;

#[test]
fn full_card_gm_over_id_peaks_at_one_over_n_ut() {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3/full_cards.lib");
    let lengths = vec![0.18e-6, 0.5e-6, 2e-6];
    let vgs: Vec<f64> = (0..=360).map(|i| i as f64 * 0.005).collect();
    let grid = Grid::new(lengths.clone(), vgs.clone(), vec![0.9], vec![0.0]).expect("grid");
    let src = ModelSource::File { path: lib.clone(), section: None };
    let w = 5e-6;
    let t = Table::generate_with(&src, Some("nfull"), DeviceType::Nmos, 27.0, &grid, w, &|_| {}).expect("table");
    let c = insitu_netlist::load_file(&lib).expect("cards");
    let card = c.models.iter().find(|m| m.name == "nfull").expect("nfull");
    let model = Bsim3v3Model::new("nfull", false, &card.params).expect("model");
    for (il, &l) in lengths.iter().enumerate() {
        let peak = (0..vgs.len())
            .map(|ig| grid.index(il, ig, 0, 0))
            .filter(|&i| t.at(Quantity::Id, i) > 0.0)
            .map(|i| t.at(Quantity::Gm, i) / t.at(Quantity::Id, i))
            .fold(0.0, f64::max);
        let dev = Bsim3v3::new(&model, &MosGeom { w, l, ..MosGeom::default() }, 27.0, 27.0, 1e-12).expect("dev");
        let ideal = 1.0 / (dev.n0() * dev.vtm());
        println!("L = {l:e}: peak gm/Id {peak:.3} V^-1, 1/(n UT) = {ideal:.3} (n = {:.4})", dev.n0());
        assert!((peak / ideal - 1.0).abs() < 0.01, "L = {l:e}: peak {peak} vs 1/(n UT) {ideal}");
    }
}

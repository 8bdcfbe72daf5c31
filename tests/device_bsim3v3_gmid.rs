//! A gm/Id table (the `pdk::gmid` generator) from a full-BSIM3v3 card
//! (`tests/bsim3v3/full_cards.lib`, `nfull`: RDSW, NGATE, A1/A2, binned parameters): the peak
//! gm/Id of a fine VGS sweep at VDS = 0.9 V, VSB = 0 is within 1 % of 1/(n UT), n from the
//! card (1 + (NFACTOR EPSSI/Xdep0 + CDSC theta(DVT1 Leff/lt0) + CIT)/Cox at the binned values).

mod common;

use insitu::devices::Bsim3v3Model;
use std::path::Path;

#[test]
fn full_card_gm_over_id_peaks_at_one_over_n_ut() {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3/full_cards.lib");
    let c = insitu_netlist::load_file(&lib).expect("cards");
    let card = c.models.iter().find(|m| m.name == "nfull").expect("nfull");
    let model = Bsim3v3Model::new("nfull", false, &card.params).expect("model");
    let vgs: Vec<f64> = (0..=360).map(|i| i as f64 * 0.005).collect();
    common::assert_gmid_peak_at_one_over_n_ut(&lib, "nfull", &model, &[0.18e-6, 0.5e-6, 2e-6], &vgs, 0.9, 5e-6);
}

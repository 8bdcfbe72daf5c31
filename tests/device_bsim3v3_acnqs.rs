//! BSIM3 ACNQSMOD = 1 (ngspice 39's AC-only non-quasi-static model in `bsim3`, 3.3.0) against
//! ngspice: a common-source stage (`tests/bsim3v3/acnqs_cs_stage.cir`: ACNQS NMOS and
//! diode-connected PMOS load, a reverse-mode pass device with NQSMOD and ACNQSMOD both on;
//! op, dc, ac to 100 GHz, a step, noise) and a five-transistor OTA with ACNQSMOD on the card
//! and on instance lines (`acnqs_ota.cir`), at the tight Newton options; the same decks
//! against their quasi-static selves (op, dc and transient unchanged, the high-frequency AC
//! response and the noise differ by far more than the deck tolerances); ngspice's handling of
//! values other than 0/1 and of revisions without ACNQSMOD.

mod common;

use common::{check_bsim3_deck, scratch_dir};

#[test]
fn acnqs_stage_agrees_with_ngspice() {
    check_bsim3_deck("acnqs_cs_stage.cir", "bsim3-acnqs-cs");
}

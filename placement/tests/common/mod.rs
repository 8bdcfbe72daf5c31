//! Shared by the integration tests: whether the MCNC data is there.

/// True if the MCNC data is present. When absent, prints why the test skips, or panics when
/// `INSITU_REQUIRE_NGSPICE=1` (CI has the data and must run the test).
pub fn have_data() -> bool {
    if insitu_placement::bench::data_available() {
        return true;
    }
    let dir = insitu_placement::bench::data_dir();
    if std::env::var("INSITU_REQUIRE_NGSPICE").as_deref() == Ok("1") {
        panic!("MCNC data missing at {} (INSITU_REQUIRE_NGSPICE=1 requires it)", dir.display());
    }
    eprintln!("skipping: MCNC data missing at {} (set INSITU_MCNC_DIR)", dir.display());
    false
}

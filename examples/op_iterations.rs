//! Prints Newton iteration counts of operating points (diagnostics).
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases/opamp");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let decks: Vec<std::path::PathBuf> = if args.is_empty() {
        ["opamp_opac_cold.cir", "opamp_opactran_ns.cir"].iter().map(|d| dir.join(d)).collect()
    } else {
        args.iter().map(std::path::PathBuf::from).collect()
    };
    for deck in decks {
        let c = insitu_netlist::load_file(&deck).unwrap();
        let mut s = insitu_solver::Simulator::new(c).unwrap();
        let t = std::time::Instant::now();
        s.op().unwrap();
        println!("{}: {} iterations, {:.1} us", deck.display(), s.iterations, t.elapsed().as_secs_f64() * 1e6);
    }
}

//! Prints Newton iteration counts and times of a deck's analyses (diagnostics).
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases/opamp");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let decks: Vec<std::path::PathBuf> = if args.is_empty() {
        ["opamp_opac_cold.cir", "opamp_opactran_ns.cir"].iter().map(|d| dir.join(d)).collect()
    } else {
        args.iter().map(std::path::PathBuf::from).collect()
    };
    let repeat: usize = std::env::var("REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    for deck in decks {
        let c = insitu_pdk::load_deck(&deck).unwrap();
        let mut s = insitu_solver::Simulator::new(c).unwrap();
        for a in s.circuit().analyses.clone() {
            let t = std::time::Instant::now();
            let mut d = s.run_analysis(&a).unwrap();
            for _ in 1..repeat {
                d = s.run_analysis(&a).unwrap();
            }
            let points = d.scale.as_ref().map_or(1, |v| v.data.len());
            println!(
                "{}: {}: {points} points, {} Newton iterations, {:.1} us",
                deck.file_name().unwrap().to_string_lossy(),
                d.name,
                s.iterations,
                t.elapsed().as_secs_f64() * 1e6 / repeat as f64
            );
            if d.name.starts_with("AC") {
                println!("  ac lu replays/pivotings {:?}", s.ac_lu_stats());
            }
        }
    }
}

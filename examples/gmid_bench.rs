//! gm/Id table generation: insitu against ngspice on the same grids, measured in the same run.
//!
//! Run with `cargo run --release --example gmid_bench`. Grids (generic180 `nch`, tt, 27 C,
//! W = 5 um): the small one of `../shared/reference/ngspice.md` (10 L x 181 VGS x 4 VDS x 3 VSB
//! = 21,720 points) and the Murmann kit's 180 nm grid (32 L x 73 VGS x 73 VDS x 11 VSB =
//! 1.88 M points).
//!
//! ngspice, two ways, each one process with `.options num_threads=1`, its wall time the
//! process's:
//! - the method of `../shared/reference/ngspice.md`, which the issue names: one instance, and per
//!   (L, VSB) an `alter` of its length and body source and a 2-D `.dc` of the gate and drain
//!   sources, written to a rawfile (`*_ratio` in the RESULT line);
//! - a faster deck of our own: one forced-bias instance per (L, VSB) on shared gate and drain
//!   sources, all swept by one 2-D `.dc` (`*_ratio_shared_dc`): about 10x faster than the
//!   reference method, because ngspice's per-analysis overhead is paid once.
//!
//! insitu: `Table::generate` (every quantity of the table, noise included) on all cores and on
//! one; BSIM-lite evaluates several VGS points per call in SIMD lanes (`vgs_lanes` in the RESULT
//! line: 8 with AVX-512F, 4 with AVX2, else 2). The ngspice rawfile is read back and ID and GM
//! are compared with the table at every point, so both sides compute the same thing.
//! Times are medians of `GMID_BENCH_RUNS` runs (default 3). The last line is `RESULT {json}`.

use insitu::ngspice::Ngspice;
use insitu::pdk::gmid::{sizing_table, At, DeviceType, Grid, ModelSource, Quantity, Table};
use std::process::Command;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

fn steps(start: f64, step: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| start + i as f64 * step).collect()
}

/// The small grid: 10 L x 181 VGS x 4 VDS x 3 VSB.
fn small() -> Grid {
    let l = [0.18, 0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 3.0, 5.0].map(|x| x * 1e-6).to_vec();
    Grid::new(l, steps(0.0, 0.01, 181), steps(0.45, 0.45, 4), steps(0.0, 0.3, 3)).unwrap()
}

/// The ngspice deck of a grid: one instance per (L, VSB) on shared gate and drain sources.
fn deck(t: &Table) -> String {
    let g = &t.grid;
    let lib = insitu::pdk::library_file("generic180").expect("library file");
    let mut d =
        format!("gmid bench\n.options num_threads=1\n.lib '{}' tt\n.temp 27\nVG g 0 0\nVD d 0 0\n", lib.display());
    let mut saves = vec!["v(g)".to_string(), "v(d)".to_string()];
    let (w, ad, pd) = (t.meta.w, t.meta.ad, t.meta.pd);
    for (il, l) in g.l.iter().enumerate() {
        for (ib, vsb) in g.vsb.iter().enumerate() {
            let m = format!("m{il}_{ib}");
            d += &format!("vb{il}_{ib} b{il}_{ib} 0 {:e}\n", -vsb);
            d += &format!("{m} d g 0 b{il}_{ib} nch w={w:e} l={l:e} ad={ad:e} as={ad:e} pd={pd:e} ps={pd:e}\n");
            for q in ["id", "gm", "gds", "gmbs", "vth", "cgg", "cgs", "cgd", "cdd"] {
                saves.push(format!("@{m}[{q}]"));
            }
        }
    }
    let step = |v: &[f64]| v[1] - v[0];
    d += &format!(".save {}\n", saves.join(" "));
    d += &format!(
        ".dc VG {:e} {:e} {:e} VD {:e} {:e} {:e}\n.end\n",
        g.vgs[0],
        g.vgs[g.vgs.len() - 1],
        step(&g.vgs),
        g.vds[0],
        g.vds[g.vds.len() - 1],
        step(&g.vds)
    );
    d
}

/// The reference method's deck: one instance, an `alter` of L and VSB and a `.dc` per (L, VSB),
/// each written (appended) to `raw`.
fn reference_deck(t: &Table, raw: &std::path::Path) -> String {
    let g = &t.grid;
    let lib = insitu::pdk::library_file("generic180").expect("library file");
    let (w, ad, pd) = (t.meta.w, t.meta.ad, t.meta.pd);
    let mut d = format!(
        "gmid bench (reference method)\n.options num_threads=1\n.lib '{}' tt\n.temp 27\nVG g 0 0\nVD d 0 0\nVB b 0 0\n\
         m1 d g 0 b nch w={w:e} l={:e} ad={ad:e} as={ad:e} pd={pd:e} ps={pd:e}\n.control\nset appendwrite\n",
        lib.display(),
        g.l[0]
    );
    let saves = "v(g) v(d) @m1[id] @m1[gm] @m1[gds] @m1[gmbs] @m1[vth] @m1[cgg] @m1[cgs] @m1[cgd] @m1[cdd]";
    d += &format!("save {saves}\n");
    let step = |v: &[f64]| v[1] - v[0];
    for l in &g.l {
        for vsb in &g.vsb {
            d += &format!("alter m1 l = {l:e}\nalter vb dc = {:e}\n", -vsb);
            d += &format!(
                "dc VG {:e} {:e} {:e} VD {:e} {:e} {:e}\nwrite {} {saves}\n",
                g.vgs[0],
                g.vgs[g.vgs.len() - 1],
                step(&g.vgs),
                g.vds[0],
                g.vds[g.vds.len() - 1],
                step(&g.vds),
                raw.display()
            );
        }
    }
    d += "quit\n.endc\n.end\n";
    d
}

/// Runs the reference method: (wall seconds, worst rel. error of ID and GM of the last
/// (L, VSB) sweep against the table where |ID| > 1 nA).
fn run_reference(ng: &Ngspice, t: &Table, dir: &std::path::Path) -> (f64, f64) {
    let deck_path = dir.join("gmid_reference.cir");
    let raw_path = dir.join("gmid_reference.raw");
    let _ = std::fs::remove_file(&raw_path);
    std::fs::write(&deck_path, reference_deck(t, &raw_path)).unwrap();
    let t0 = Instant::now();
    let out = Command::new(&ng.path).arg("-b").arg(&deck_path).output().expect("run ngspice");
    let secs = t0.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!log.lines().any(|l| l.trim_start().starts_with("Error")), "ngspice: {log}");
    let plots = insitu::raw::read(&std::fs::read(&raw_path).expect("rawfile")).expect("parse rawfile");
    let g = &t.grid;
    assert_eq!(plots.len(), g.l.len() * g.vsb.len(), "one written sweep per (L, VSB)");
    let p = plots.last().unwrap();
    let (vg, vd) = (p.vector("v(g)").unwrap(), p.vector("v(d)").unwrap());
    let (id, gm) = (p.vector("@m1[id]").unwrap(), p.vector("@m1[gm]").unwrap());
    let (il, ib) = (g.l.len() - 1, g.vsb.len() - 1);
    let mut worst: f64 = 0.0;
    for k in 0..vg.len() {
        let ig = ((vg[k] - g.vgs[0]) / (g.vgs[1] - g.vgs[0])).round() as usize;
        let idd = ((vd[k] - g.vds[0]) / (g.vds[1] - g.vds[0])).round() as usize;
        let i = g.index(il, ig, idd, ib);
        if id[k].abs() > 1e-9 {
            worst = worst.max((t.at(Quantity::Id, i) - id[k]).abs() / id[k].abs());
            worst = worst.max((t.at(Quantity::Gm, i) - gm[k]).abs() / gm[k].abs());
        }
    }
    let _ = std::fs::remove_file(&raw_path);
    (secs, worst)
}

/// Runs ngspice on the deck: (wall seconds of the process, worst rel. error of ID and GM
/// against the table where |ID| > 1 nA).
fn run_ngspice(ng: &Ngspice, t: &Table, dir: &std::path::Path, check: bool) -> (f64, f64) {
    let deck_path = dir.join("gmid_bench.cir");
    let raw_path = dir.join("gmid_bench.raw");
    std::fs::write(&deck_path, deck(t)).unwrap();
    let _ = std::fs::remove_file(&raw_path);
    let t0 = Instant::now();
    let out = Command::new(&ng.path).arg("-b").arg("-r").arg(&raw_path).arg(&deck_path).output().expect("run ngspice");
    let secs = t0.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!log.lines().any(|l| l.trim_start().starts_with("Error")), "ngspice: {log}");
    if !check {
        return (secs, f64::NAN);
    }
    let plots = insitu::raw::read(&std::fs::read(&raw_path).expect("rawfile")).expect("parse rawfile");
    let p = plots.iter().find(|p| p.name.to_ascii_lowercase().starts_with("dc transfer")).expect("dc plot");
    let g = &t.grid;
    let (vg, vd) = (p.vector("v(g)").unwrap(), p.vector("v(d)").unwrap());
    assert_eq!(vg.len(), g.vgs.len() * g.vds.len(), "ngspice swept another number of points");
    let mut worst: f64 = 0.0;
    for (il, _) in g.l.iter().enumerate() {
        for (ib, _) in g.vsb.iter().enumerate() {
            let id = p.vector(&format!("@m{il}_{ib}[id]")).unwrap();
            let gm = p.vector(&format!("@m{il}_{ib}[gm]")).unwrap();
            for k in 0..vg.len() {
                let ig = ((vg[k] - g.vgs[0]) / (g.vgs[1] - g.vgs[0])).round() as usize;
                let idd = ((vd[k] - g.vds[0]) / (g.vds[1] - g.vds[0])).round() as usize;
                let i = g.index(il, ig, idd, ib);
                if id[k].abs() > 1e-9 {
                    worst = worst.max((t.at(Quantity::Id, i) - id[k]).abs() / id[k].abs());
                    worst = worst.max((t.at(Quantity::Gm, i) - gm[k]).abs() / gm[k].abs());
                }
            }
        }
    }
    let _ = std::fs::remove_file(&raw_path);
    (secs, worst)
}

fn insitu_time(grid: &Grid, threads: usize) -> (f64, Table) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let t0 = Instant::now();
    let t = pool.install(|| Table::generate(&ModelSource::pdk("generic180", "tt"), DeviceType::Nmos, 27.0, grid, 5e-6));
    (t0.elapsed().as_secs_f64(), t.unwrap())
}

fn main() {
    let runs: usize = std::env::var("GMID_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(3).max(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ng = Ngspice::find();
    if ng.is_none() {
        println!("ngspice not found: insitu times only");
    }
    let dir = std::env::temp_dir().join(format!("insitu-gmid-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lanes = insitu::pdk::gmid::generate::lane_width();
    println!(
        "gm/Id table generation, generic180 nch tt 27 C, W = 5 um; medians of {runs} runs; {cores} cores; {lanes} VGS lanes"
    );
    println!(
        "{:<8} {:>10} {:>10} {:>11} {:>12} {:>8} {:>8} {:>13} {:>8} {:>10}",
        "grid",
        "points",
        "insitu s",
        "insitu 1t s",
        "ngspice ref s",
        "ratio",
        "ratio 1t",
        "ngspice dc s",
        "ratio",
        "max rel"
    );
    let mut result = serde_json::Map::new();
    for (name, grid) in [("small", small()), ("large", Grid::kit180())] {
        let mut ti = Vec::new();
        let mut t1 = Vec::new();
        let mut tn = Vec::new();
        let mut tr = Vec::new();
        let mut table = None;
        let mut err = f64::NAN;
        for r in 0..runs {
            let (s, t) = insitu_time(&grid, cores);
            ti.push(s);
            drop(t);
            let (s, t) = insitu_time(&grid, 1);
            t1.push(s);
            if let Some(ng) = &ng {
                let (s, e) = run_ngspice(ng, &t, &dir, r == 0);
                tn.push(s);
                let (s2, e2) = run_reference(ng, &t, &dir);
                tr.push(s2);
                if r == 0 {
                    err = e.max(e2);
                }
            }
            table = Some(t);
        }
        drop(table);
        let (mi, m1) = (median(ti), median(t1));
        let mn = if tn.is_empty() { f64::NAN } else { median(tn) };
        let mr = if tr.is_empty() { f64::NAN } else { median(tr) };
        println!(
            "{name:<8} {:>10} {mi:>10.4} {m1:>11.4} {mr:>13.3} {:>7.1}x {:>7.1}x {mn:>13.3} {:>7.1}x {err:>10.1e}",
            grid.len(),
            mr / mi,
            mr / m1,
            mn / mi
        );
        result.insert(format!("{name}_points"), grid.len().into());
        result.insert(format!("{name}_insitu_s"), mi.into());
        result.insert(format!("{name}_insitu_1thread_s"), m1.into());
        result.insert(format!("{name}_ngspice_s"), serde_json::json!(mr));
        result.insert(format!("{name}_ratio"), serde_json::json!(mr / mi));
        result.insert(format!("{name}_ratio_1thread"), serde_json::json!(mr / m1));
        result.insert(format!("{name}_ngspice_shared_dc_s"), serde_json::json!(mn));
        result.insert(format!("{name}_ratio_shared_dc"), serde_json::json!(mn / mi));
        result.insert(format!("{name}_ratio_shared_dc_1thread"), serde_json::json!(mn / m1));
        result.insert(format!("{name}_max_rel_err_id_gm"), serde_json::json!(err));
    }
    // The sizing loop's start-up and per-call costs.
    let t0 = Instant::now();
    let st = sizing_table("generic180", "ss", 85.0, DeviceType::Nmos).unwrap();
    let sizing_s = t0.elapsed().as_secs_f64();
    let n = 20_000;
    let t0 = Instant::now();
    let mut acc = 0.0;
    for k in 0..n {
        let at =
            At { l: 0.3e-6 + 1e-6 * (k % 97) as f64 / 97.0, vgs: 0.3 + (k % 89) as f64 * 0.01, vds: 0.9, vsb: 0.1 };
        acc += st.lookup("GM_ID", at).unwrap();
    }
    let lookup_us = t0.elapsed().as_secs_f64() / n as f64 * 1e6;
    let n = 2_000;
    let t0 = Instant::now();
    for k in 0..n {
        acc += st.width_for(6.0 + (k % 50) as f64 * 0.3, 0.5e-6, 10e-6, 0.9, 0.1).unwrap();
    }
    let width_us = t0.elapsed().as_secs_f64() / n as f64 * 1e6;
    println!(
        "sizing_table (generic180 ss 85 C nmos, {} points): {:.3} s; lookup GM_ID {lookup_us:.2} us; width_for {width_us:.1} us ({acc:.1e})",
        st.grid.len(),
        sizing_s
    );
    result.insert("sizing_table_s".into(), sizing_s.into());
    result.insert("lookup_us".into(), lookup_us.into());
    result.insert("width_for_us".into(), width_us.into());
    result.insert("cores".into(), cores.into());
    result.insert("vgs_lanes".into(), lanes.into());
    std::fs::remove_dir_all(&dir).ok();
    println!("RESULT {}", serde_json::Value::Object(result));
}

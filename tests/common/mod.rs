//! Shared helpers for the ngspice cross-check tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh scratch directory for one test run.
pub fn scratch_dir(name: &str) -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = base.join(format!("insitu-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Formats a number so SPICE reads back exactly the same double.
pub fn sp(x: f64) -> String {
    format!("{x:.17e}")
}

/// Tracks the worst relative error per quantity and the failures.
#[derive(Default)]
pub struct Worst {
    worst: BTreeMap<String, (f64, String)>,
    failures: Vec<String>,
    count: usize,
}

impl Worst {
    /// Relative error |ours - reference| / max(|reference|, floor); records it under
    /// `quantity` and a failure when above `tol`.
    pub fn check(&mut self, quantity: &str, ours: f64, reference: f64, floor: f64, tol: f64, context: &str) {
        self.count += 1;
        let err = if ours == reference { 0.0 } else { (ours - reference).abs() / reference.abs().max(floor) };
        let err = if err.is_nan() { f64::INFINITY } else { err };
        let e = self.worst.entry(quantity.to_string()).or_insert((0.0, String::new()));
        if err > e.0 {
            *e = (err, format!("{context}: ours {ours:.12e} ngspice {reference:.12e}"));
        }
        if err > tol && self.failures.len() < 40 {
            self.failures.push(format!(
                "{quantity} rel.err {err:.3e} > {tol:e} at {context}: ours {ours:.15e} ngspice {reference:.15e}"
            ));
        }
    }

    /// Prints the worst error per quantity and panics when any check failed.
    pub fn report(&self, what: &str) {
        println!("{what}: {} comparisons", self.count);
        for (q, (e, at)) in &self.worst {
            println!("  worst rel. error {q:>8}: {e:.3e}   ({at})");
        }
        assert!(self.count > 0, "{what}: nothing compared");
        if !self.failures.is_empty() {
            panic!("{what}: {} failures, first ones:\n{}", self.failures.len(), self.failures.join("\n"));
        }
    }
}

/// Instance parameters of a MOSFET line (`w= l= ad= as= pd= ps= m=`), exact to the last bit.
pub fn mos_params(g: &insitu::devices::MosGeom) -> String {
    format!(
        "w={} l={} ad={} as={} pd={} ps={} m={}",
        sp(g.w),
        sp(g.l),
        sp(g.ad),
        sp(g.as_),
        sp(g.pd),
        sp(g.ps),
        sp(g.m)
    )
}

/// A testbench of MOSFETs at forced terminal voltages, for device cross-checks: `.save`s the
/// requested `@inst[quantity]` vectors. Voltages are given in the n-frame; PMOS instances get
/// them mirrored, so one grid serves both polarities. Sources at ground.
pub struct ForcedBias {
    deck: String,
    saves: Vec<String>,
}

impl ForcedBias {
    /// A deck at `temp` whose gate and drain, for [`ForcedBias::swept`] instances, are the
    /// nodes `g` and `d` driven by `VG` and `VD` (and `gp`, `dp` mirrored for PMOS).
    pub fn new(title: &str, temp: f64) -> Self {
        let deck = format!("{title}\n.temp {temp}\nVG g 0 0\nVD d 0 0\nEGP gp 0 g 0 -1\nEDP dp 0 d 0 -1\n");
        ForcedBias { deck, saves: vec!["v(g)".into(), "v(d)".into()] }
    }

    /// Adds model cards (or any deck text).
    pub fn text(&mut self, text: &str) {
        self.deck += text;
    }

    /// An instance on the swept gate and drain, with its own body bias `vbs` (n-frame).
    pub fn swept(&mut self, inst: &str, model: &str, pmos: bool, vbs: f64, params: &str, quantities: &[&str]) {
        let b = format!("b_{inst}");
        let (d, g, vb) = if pmos { ("dp", "gp", -vbs) } else { ("d", "g", vbs) };
        self.deck += &format!("V{b} {b} 0 {}\n{inst} {d} {g} 0 {b} {model} {params}\n", sp(vb));
        self.save(inst, quantities);
    }

    /// An instance with its own sources at the n-frame bias `(vgs, vds, vbs)`.
    pub fn biased(
        &mut self,
        inst: &str,
        model: &str,
        pmos: bool,
        bias: (f64, f64, f64),
        params: &str,
        quantities: &[&str],
    ) {
        let typ = if pmos { -1.0 } else { 1.0 };
        let (g, d, b) = (format!("g_{inst}"), format!("d_{inst}"), format!("b_{inst}"));
        self.deck += &format!(
            "V{g} {g} 0 {}\nV{d} {d} 0 {}\nV{b} {b} 0 {}\n{inst} {d} {g} 0 {b} {model} {params}\n",
            sp(typ * bias.0),
            sp(typ * bias.1),
            sp(typ * bias.2)
        );
        self.save(inst, quantities);
    }

    fn save(&mut self, inst: &str, quantities: &[&str]) {
        self.saves.extend(quantities.iter().map(|q| format!("@{inst}[{q}]")));
    }

    /// The deck with its `.save` card and the analysis card(s).
    pub fn finish(self, analysis: &str) -> String {
        format!("{}.save {}\n{analysis}\n.end\n", self.deck, self.saves.join(" "))
    }
}

/// The vector `@inst[quantity]` of an ngspice plot (panics naming it when missing).
pub fn device_vector<'a>(plot: &'a insitu::raw::Plot, inst: &str, quantity: &str) -> &'a [f64] {
    plot.vector(&format!("@{inst}[{quantity}]")).unwrap_or_else(|| panic!("missing @{inst}[{quantity}]"))
}

/// Starts `insitu ARGS` (a `optimize` run writing its history to `cut`), kills it with SIGKILL
/// once the history holds `iterations` entries, checks the partial history is marked running,
/// then resumes it with `insitu optimize PROBLEM --resume CUT`. Returns the number of entries
/// the killed run had written and the resumed history.
pub fn kill_and_resume(
    bin: &str,
    args: &[&str],
    problem: &std::path::Path,
    cut: &std::path::Path,
    iterations: usize,
) -> (usize, insitu::sizing::History) {
    use insitu::sizing::History;
    use std::process::{Command, Stdio};
    let mut child = Command::new(bin).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let t0 = std::time::Instant::now();
    loop {
        if History::load(cut).is_ok_and(|h| h.history.len() >= iterations) {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be killed");
        assert!(t0.elapsed().as_secs() < 300);
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = History::load(cut).unwrap();
    assert_eq!(partial.meta.status, "running");
    let st = Command::new(bin)
        .args(["optimize", problem.to_str().unwrap(), "--resume", cut.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.code().is_some_and(|c| c <= 1), "resume exited with {st}");
    (partial.history.len(), History::load(cut).unwrap())
}

/// Generates an NMOS gm/Id table of `card` in `lib` (the `pdk::gmid` generator) over `lengths`
/// and `vgs` at one VDS and VSB = 0, and asserts that at every length the peak gm/Id is
/// within 1 % of 1/(n UT), with n and UT of the full BSIM3v3 instance of `model` (the same card).
pub fn assert_gmid_peak_at_one_over_n_ut(
    lib: &std::path::Path,
    card: &str,
    model: &insitu::devices::Bsim3v3Model,
    lengths: &[f64],
    vgs: &[f64],
    vds: f64,
    w: f64,
) {
    use insitu::devices::{Bsim3v3, MosGeom};
    use insitu::pdk::gmid::{DeviceType, Grid, ModelSource, Quantity, Table};
    let grid = Grid::new(lengths.to_vec(), vgs.to_vec(), vec![vds], vec![0.0]).expect("grid");
    let src = ModelSource::File { path: lib.to_path_buf(), section: None };
    let t = Table::generate_with(&src, Some(card), DeviceType::Nmos, 27.0, &grid, w, &|_| {}).expect("table");
    for (il, &l) in lengths.iter().enumerate() {
        let peak = (0..vgs.len())
            .map(|ig| grid.index(il, ig, 0, 0))
            .filter(|&i| t.at(Quantity::Id, i) > 0.0)
            .map(|i| t.at(Quantity::Gm, i) / t.at(Quantity::Id, i))
            .fold(0.0, f64::max);
        let dev = Bsim3v3::new(model, &MosGeom { w, l, ..MosGeom::default() }, 27.0, 27.0, 1e-12).expect("dev");
        let ideal = 1.0 / (dev.n0() * dev.vtm());
        println!("{card} L = {l:e}: peak gm/Id {peak:.3} V^-1, 1/(n UT) = {ideal:.3} (n = {:.4})", dev.n0());
        assert!((peak / ideal - 1.0).abs() < 0.01, "{card} L = {l:e}: peak {peak} vs 1/(n UT) {ideal}");
    }
}

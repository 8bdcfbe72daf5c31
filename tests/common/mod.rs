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

/// Our DC quantities at one bias, from either BSIM3 implementation, in the form the device
/// cross-checks compare with ngspice's `@m[...]` vectors.
#[derive(Debug, Clone, Copy)]
pub struct OurDc {
    /// Threshold voltage (`@m[vth]`).
    pub von: f64,
    /// Saturation voltage (`@m[vdsat]`).
    pub vdsat: f64,
    /// What the implementation reports as `@m[id]`.
    pub id: f64,
    /// `@m[gm]`, `@m[gds]`, `@m[gmbs]`.
    pub gm: f64,
    /// Output conductance.
    pub gds: f64,
    /// Body transconductance.
    pub gmbs: f64,
    /// Junction currents `@m[ibd]`, `@m[ibs]`.
    pub cbd: f64,
    /// Bulk-source junction current.
    pub cbs: f64,
}

impl From<insitu::devices::Bsim3Dc> for OurDc {
    /// BSIM-lite: `@m[id]` is the channel current `cdrain`.
    fn from(r: insitu::devices::Bsim3Dc) -> OurDc {
        OurDc { von: r.von, vdsat: r.vdsat, id: r.cdrain, gm: r.gm, gds: r.gds, gmbs: r.gmbs, cbd: r.cbd, cbs: r.cbs }
    }
}

impl From<insitu::devices::bsim3v3::Bsim3v3Dc> for OurDc {
    /// The full model (3.2 and later): `@m[id]` is the channel current `cdrain`.
    fn from(r: insitu::devices::bsim3v3::Bsim3v3Dc) -> OurDc {
        OurDc { von: r.von, vdsat: r.vdsat, id: r.cdrain, gm: r.gm, gds: r.gds, gmbs: r.gmbs, cbd: r.cbd, cbs: r.cbs }
    }
}

/// ngspice's DC sweep vectors of one [`ForcedBias::swept`] instance: `id`, `gm`, `gds`,
/// `gmbs`, `vth`, `vdsat`, `ibd`/`ibs` where the deck saved them, and the sweep's n-frame
/// VDS `v(d)`.
pub struct NgDc<'a> {
    vds: &'a [f64],
    id: &'a [f64],
    gm: &'a [f64],
    gds: &'a [f64],
    gmbs: &'a [f64],
    vth: &'a [f64],
    vdsat: &'a [f64],
    ibd: Option<&'a [f64]>,
    ibs: Option<&'a [f64]>,
}

impl<'a> NgDc<'a> {
    /// The vectors of instance `inst` in `plot` (panics naming a missing one; `ibd`/`ibs`
    /// are optional).
    pub fn read(plot: &'a insitu::raw::Plot, inst: &str) -> NgDc<'a> {
        let get = |q: &str| device_vector(plot, inst, q);
        let opt = |q: &str| plot.vector(&format!("@{inst}[{q}]"));
        NgDc {
            vds: plot.vector("v(d)").expect("v(d)"),
            id: get("id"),
            gm: get("gm"),
            gds: get("gds"),
            gmbs: get("gmbs"),
            vth: get("vth"),
            vdsat: get("vdsat"),
            ibd: opt("ibd"),
            ibs: opt("ibs"),
        }
    }
}

/// How an implementation's `@m[id]` and its conductances are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DcRule {
    /// BSIM3 3.2 and later, BSIM-lite: points with |id| <= 1e-15 A compare only vth, vdsat
    /// (and the junction currents); derivatives are floored at 1e-6 |id| per volt.
    Bsim3,
    /// ngspice's `bsim3v1` (3.1): points at the sweep's round-off "zero" VDS (|vds| < 1e-12)
    /// compare only vth, vdsat; derivatives are floored at 1e-6 (|gm| + |gds| + |gmbs|) of
    /// ngspice (at least 1e-21).
    Bsim3v1,
}

/// Compares our DC point with ngspice's at sweep index `k`, each quantity within
/// `tol` relative: vth, vdsat, the junction currents where ngspice saved them, then id, gm,
/// gds, gmbs as `rule` says. Returns whether the current and its derivatives were compared.
pub fn check_dc_point(worst: &mut Worst, ours: &OurDc, ng: &NgDc, k: usize, rule: DcRule, tol: f64, ctx: &str) -> bool {
    worst.check("vth", ours.von, ng.vth[k], 1e-12, tol, ctx);
    worst.check("vdsat", ours.vdsat, ng.vdsat[k], 1e-15, tol, ctx);
    if let Some(ibd) = ng.ibd {
        worst.check("ibd", ours.cbd, ibd[k], 1e-15, tol, ctx);
    }
    if let Some(ibs) = ng.ibs {
        worst.check("ibs", ours.cbs, ibs[k], 1e-15, tol, ctx);
    }
    let (gm, gds, gmb) = (ng.gm[k], ng.gds[k], ng.gmbs[k]);
    let floor = match rule {
        DcRule::Bsim3 if ng.id[k].abs() <= 1e-15 => return false,
        DcRule::Bsim3 => ng.id[k].abs() * 1e-6,
        DcRule::Bsim3v1 if ng.vds[k].abs() < 1e-12 => return false,
        DcRule::Bsim3v1 => 1e-6 * (gm.abs() + gds.abs() + gmb.abs()).max(1e-15),
    };
    worst.check("id", ours.id, ng.id[k], 1e-15, tol, ctx);
    worst.check("gm", ours.gm, gm, floor, tol, ctx);
    worst.check("gds", ours.gds, gds, floor, tol, ctx);
    worst.check("gmbs", ours.gmbs, gmb, floor, tol, ctx);
    true
}

/// The nine intrinsic capacitances BSIM3 reports (`@m[cgg]` ... `@m[cbs]`).
pub const CAPS: [&str; 9] = ["cgg", "cgs", "cgd", "cdg", "cdd", "cds", "cbg", "cbd", "cbs"];

/// Compares our intrinsic capacitances `k` (either BSIM3 implementation) with ngspice's
/// `get("cgg")` ... at one operating point, within `tol` relative with the floor
/// 1e-6 |cgg| (at least 1e-24 F).
pub fn check_caps_point(
    worst: &mut Worst,
    k: &insitu::devices::Bsim3Caps,
    get: impl Fn(&str) -> f64,
    tol: f64,
    ctx: &str,
) {
    let floor = 1e-6 * k.cggb.abs().max(1e-18);
    for (q, ours) in [
        ("cgg", k.cggb),
        ("cgs", k.cgsb),
        ("cgd", k.cgdb),
        ("cdd", k.cddb),
        ("cdg", k.cdgb),
        ("cds", k.cdsb),
        ("cbg", k.cbgb),
        ("cbd", k.cbdb),
        ("cbs", k.cbsb),
    ] {
        worst.check(q, ours, get(q), floor, tol, ctx);
    }
}

/// The devices of an `.op` cross-check at forced biases: every card's `.model` text, and one
/// instance per (card, geometry, bias point) of the n-frame `points`.
pub struct OpGrid<'a> {
    /// Deck title.
    pub title: &'a str,
    /// The `.model` cards (any deck text), added before the instances.
    pub models: String,
    /// (model name, PMOS) per card.
    pub cards: Vec<(String, bool)>,
    /// Instance geometries.
    pub geoms: Vec<insitu::devices::MosGeom>,
    /// Bias points (vgs, vds, vbs), n-frame.
    pub points: &'a [(f64, f64, f64)],
    /// Quantities saved beyond the nine capacitances and `id`.
    pub extra: &'a [&'a str],
}

impl OpGrid<'_> {
    /// At each temperature runs the grid's `.op` deck in ngspice (scratch directory `dir`)
    /// and calls `each(worst, card, geometry, temp, bias, get)` per instance, `get(q)` being
    /// ngspice's `@m[q]` there; returns the comparisons.
    pub fn run(
        &self,
        ng: &insitu::ngspice::Ngspice,
        dir: &std::path::Path,
        temps: &[f64],
        mut each: impl FnMut(&mut Worst, usize, usize, f64, (f64, f64, f64), &dyn Fn(&str) -> f64),
    ) -> Worst {
        let mut worst = Worst::default();
        let q: Vec<&str> = CAPS.iter().chain(["id"].iter()).chain(self.extra).copied().collect();
        let inst = |ci: usize, gi: usize, pi: usize| format!("m{ci}g{gi}p{pi}");
        for &temp in temps {
            let mut tb = ForcedBias::new(self.title, temp);
            tb.text(&self.models);
            for (ci, (name, pmos)) in self.cards.iter().enumerate() {
                for (gi, g) in self.geoms.iter().enumerate() {
                    for (pi, &bias) in self.points.iter().enumerate() {
                        tb.biased(&inst(ci, gi, pi), name, *pmos, bias, &mos_params(g), &q);
                    }
                }
            }
            let run = ng.run(&tb.finish(".op"), dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
            let plot = run.plot("Operating Point").expect("op plot");
            for ci in 0..self.cards.len() {
                for gi in 0..self.geoms.len() {
                    for (pi, &bias) in self.points.iter().enumerate() {
                        let name = inst(ci, gi, pi);
                        let get = |q: &str| device_vector(plot, &name, q)[0];
                        each(&mut worst, ci, gi, temp, bias, &get);
                    }
                }
            }
        }
        worst
    }
}

/// The devices of a DC-sweep cross-check on [`ForcedBias::swept`] instances: every card's
/// `.model` text, and one instance per (card, geometry, body bias) on the swept gate and
/// drain, saving `id`, `gm`, `gds`, `gmbs`, `vth`, `vdsat` and `extra`.
pub struct DcGrid<'a> {
    /// Deck title.
    pub title: &'a str,
    /// The `.model` cards (any deck text), added before the instances.
    pub models: String,
    /// (model name, PMOS) per card.
    pub cards: Vec<(String, bool)>,
    /// Instance geometries.
    pub geoms: Vec<insitu::devices::MosGeom>,
    /// Text appended to every instance line (after `w= l= ...`).
    pub inst_extra: &'a str,
    /// Body biases (n-frame).
    pub vbs: &'a [f64],
    /// Quantities saved beyond id, gm, gds, gmbs, vth, vdsat (e.g. `ibd`, `ibs`).
    pub extra: &'a [&'a str],
    /// The `.dc VG ... VD ...` card.
    pub sweep: &'a str,
}

impl DcGrid<'_> {
    /// At each temperature runs the grid's sweep in ngspice (scratch directory `dir`) and
    /// calls `each(worst, card, geometry, temp, vbs, ngspice's vectors, v(g), v(d))` per
    /// instance; returns the comparisons.
    pub fn run(
        &self,
        ng: &insitu::ngspice::Ngspice,
        dir: &std::path::Path,
        temps: &[f64],
        mut each: impl FnMut(&mut Worst, usize, usize, f64, f64, &NgDc, &[f64], &[f64]),
    ) -> Worst {
        let mut worst = Worst::default();
        let q: Vec<&str> = ["id", "gm", "gds", "gmbs", "vth", "vdsat"].iter().chain(self.extra).copied().collect();
        let inst = |ci: usize, gi: usize, bi: usize| format!("m{ci}g{gi}b{bi}");
        for &temp in temps {
            let mut tb = ForcedBias::new(self.title, temp);
            tb.text(&self.models);
            for (ci, (name, pmos)) in self.cards.iter().enumerate() {
                for (gi, g) in self.geoms.iter().enumerate() {
                    for (bi, &vb) in self.vbs.iter().enumerate() {
                        let params = format!("{} {}", mos_params(g), self.inst_extra);
                        tb.swept(&inst(ci, gi, bi), name, *pmos, vb, params.trim_end(), &q);
                    }
                }
            }
            let run = ng.run(&tb.finish(self.sweep), dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
            let plot = run.plot("DC transfer").expect("dc plot");
            let vg = plot.vector("v(g)").expect("v(g)");
            let vd = plot.vector("v(d)").expect("v(d)");
            for ci in 0..self.cards.len() {
                for gi in 0..self.geoms.len() {
                    for (bi, &vb) in self.vbs.iter().enumerate() {
                        let ngdc = NgDc::read(plot, &inst(ci, gi, bi));
                        each(&mut worst, ci, gi, temp, vb, &ngdc, vg, vd);
                    }
                }
            }
        }
        worst
    }
}

/// One channel-noise point against ngspice `.noise`: the device `x` (card text from
/// `model_line`, given the name `x`; instance parameters `inst`) at the n-frame bias (`vgs`,
/// `vds`, VBS = 0) and `temp`, its drain noise current read through a 1-ohm CCVS from 10 Hz
/// to 1 GHz (4 points a decade), against [`insitu::devices::Bsim3v3::noise_psd_at`] of `dev`
/// (thermal + flicker) under `psd` in `worst`. ngspice's NaN (a negative flicker density)
/// must be a negative density of ours too; returns how many such points there were.
#[allow(clippy::too_many_arguments)]
pub fn check_noise_point(
    worst: &mut Worst,
    ng: &insitu::ngspice::Ngspice,
    dir: &std::path::Path,
    title: &str,
    model_line: impl Fn(&str) -> String,
    inst: &str,
    dev: &insitu::devices::Bsim3v3,
    (temp, vgs, vds): (f64, f64, f64),
    tol: f64,
    ctx: &str,
) -> usize {
    let s = dev.mos_type();
    let text = format!(
        "{title}\n.temp {temp}\nVG g 0 dc {} ac 1\nVD dd 0 {}\nVM dd d 0\nH1 out 0 VM 1\n{}\
         m1 d g 0 0 x {inst}\n.noise v(out) VG dec 4 10 1e9\n.end\n",
        sp(s * vgs),
        sp(s * vds),
        model_line("x"),
    );
    let run = ng.run(&text, dir).unwrap_or_else(|e| panic!("ngspice failed: {e}"));
    let plot = run.plot("Noise Spectral").expect("noise plot");
    let freq = plot.vector("frequency").expect("frequency");
    let onoise = plot.vector("onoise_spectrum").expect("onoise_spectrum");
    let r = dev.dc(vgs, vds, 0.0);
    let mut negative = 0;
    for (f, v) in freq.iter().zip(onoise) {
        let (th, fl) = dev.noise_psd_at(&r, vgs, vds, 0.0, *f);
        let ctx = format!("{ctx} f={f:e}");
        if v.is_nan() {
            assert!(th + fl < 0.0, "ngspice NaN where ours is {}: {ctx}", th + fl);
            negative += 1;
            continue;
        }
        worst.check("psd", th + fl, v * v, 1e-40, tol, &ctx);
    }
    negative
}

/// The Newton tolerances at which whole decks are compared with ngspice, so that neither
/// simulator's convergence test shows up as a difference.
pub const TIGHT_NEWTON: &str = "reltol=1e-6 vntol=1e-9 abstol=1e-15";

/// Checks the deck `tests/bsim3v3/NAME` against ngspice at [`TIGHT_NEWTON`], prints every
/// vector's score and the worst, asserts that the deck passes and returns the report (`None`
/// when ngspice is absent and not required).
pub fn check_bsim3_deck(name: &str, work: &str) -> Option<insitu::check::Report> {
    let ng = insitu::ngspice::Ngspice::for_tests()?;
    let deck = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3").join(name);
    let tol = insitu::check::Tolerances::default();
    let report = insitu::check::check_file_with(&deck, &ng, &scratch_dir(work), &tol, TIGHT_NEWTON)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let worst = report.rows.iter().map(|r| r.score).fold(0.0, f64::max);
    println!("{name}: {} vectors, worst {worst:.3e} of tolerance\n{report}", report.rows.len());
    assert!(report.pass(), "{report}");
    Some(report)
}

/// How far ngspice's own transient `i(vdd)` of the deck `tests/bsim3v3/NAME` moves when its
/// maximum step goes from 5 ps to 1 ps, with the trapezoidal rule and with Gear: the
/// integrated error of the 1 ps run against the 5 ps run in units of the deck tolerances
/// (`check::Tolerances::default()`), `(trapezoidal, gear)`. The deck's `.op`, `.dc` and
/// `.options method=` lines are left out; [`TIGHT_NEWTON`] as in [`check_bsim3_deck`].
/// Asserts that the trapezoidal rule's moves by more than one tolerance (ngspice is not
/// converged there) and Gear's by less than 0.2. Skips when ngspice is absent and not required.
pub fn assert_trapezoidal_supply_current_unconverged(name: &str, work: &str) {
    let Some(ng) = insitu::ngspice::Ngspice::for_tests() else { return };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bsim3v3");
    let text = std::fs::read_to_string(dir.join(name)).expect("deck");
    let body: String = text
        .lines()
        .filter(|l| !(l.starts_with(".op") || l.starts_with(".dc") || l.starts_with(".tran") || l.starts_with(".end")))
        .filter(|l| !l.starts_with(".options method="))
        .map(|l| match l.strip_prefix(".include ") {
            Some(f) => format!(".include {}\n", dir.join(f.trim()).display()),
            None => format!("{l}\n"),
        })
        .collect();
    let tol = insitu::check::Tolerances::default();
    let run = |method: &str, tmax: &str| {
        let deck = format!("{body}.options {TIGHT_NEWTON} method={method}\n.tran 5p 5n 0 {tmax}\n.end\n");
        let out = ng.run(&deck, &scratch_dir(work)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let plot = out.plot("Transient").expect("transient plot");
        let v = |n: &str| plot.vector(n).unwrap_or_else(|| panic!("{name}: no {n}")).to_vec();
        (v("time"), v("i(vdd)"))
    };
    let spread = |method: &str| {
        let (t_ref, i_ref) = run(method, "5p");
        let (t, i) = run(method, "1p");
        insitu::check::integrated_error(&t, &i, &t_ref, &i_ref, tol.tran_reltol, tol.tran_abstol)
    };
    let (trap, gear) = (spread("trap"), spread("gear"));
    println!("{name}: ngspice i(vdd), tmax 1 ps against 5 ps: trapezoidal {trap:.3}, Gear {gear:.3} of tolerance");
    assert!(trap > 1.0, "{name}: trapezoidal i(vdd) moved by only {trap} of tolerance");
    assert!(gear < 0.2, "{name}: Gear i(vdd) moved by {gear} of tolerance");
}

/// A card of a one-revision BSIM3 test library (`v30_cards.lib`, `v31_cards.lib`) as the
/// netlist reads it: name, polarity (names starting with `p`), parameters (lower-case), and
/// the revision its `version=` text selects.
pub struct RevisionCard {
    pub name: String,
    pub pmos: bool,
    pub params: Vec<(String, f64)>,
    /// The `version=` text every card of the library carries.
    pub version: String,
    pub revision: insitu::devices::bsim3v3::Bsim3Version,
}

/// The cards of `lib`, each asserted to carry `version=<version>`.
pub fn revision_cards(
    lib: &std::path::Path,
    version: &str,
    revision: insitu::devices::bsim3v3::Bsim3Version,
) -> Vec<RevisionCard> {
    let c = insitu::netlist::load_file(lib).unwrap_or_else(|e| panic!("{}: {e}", lib.display()));
    c.models
        .iter()
        .map(|m| {
            assert_eq!(m.version.as_deref(), Some(version), "{}", m.name);
            RevisionCard {
                name: m.name.clone(),
                pmos: m.name.starts_with('p'),
                params: m.params.clone(),
                version: version.to_string(),
                revision,
            }
        })
        .collect()
}

impl RevisionCard {
    /// The parameters with the values of `set` replacing or added to the card's.
    pub fn params_with(&self, set: &[(&str, f64)]) -> Vec<(String, f64)> {
        let mut p = self.params.clone();
        for (n, v) in set {
            match p.iter_mut().find(|(m, _)| m == n) {
                Some(slot) => slot.1 = *v,
                None => p.push((n.to_string(), *v)),
            }
        }
        p
    }

    /// The card text for ngspice under `name`, with `set` applied.
    pub fn model_line(&self, name: &str, set: &[(&str, f64)]) -> String {
        let kind = if self.pmos { "pmos" } else { "nmos" };
        let p: Vec<String> = self.params_with(set).iter().map(|(n, v)| format!("+ {n}={}", sp(*v))).collect();
        format!(".model {name} {kind} level=49 version={}\n{}\n", self.version, p.join("\n"))
    }

    /// The full model at the card's revision, with `set` applied.
    pub fn model(&self, set: &[(&str, f64)]) -> insitu::devices::Bsim3v3Model {
        insitu::devices::Bsim3v3Model::with_version(&self.name, self.pmos, &self.params_with(set), self.revision)
            .expect("model")
    }
}

/// The instance geometry of the per-revision forced-bias tests: W x L with 0.48 um diffusions
/// on each side (AD = AS = 0.48 um W, PD = PS = 2 (W + 0.48 um)).
pub fn revision_geom(w: f64, l: f64) -> insitu::devices::MosGeom {
    let ext = 0.48e-6;
    insitu::devices::MosGeom {
        w,
        l,
        ad: w * ext,
        as_: w * ext,
        pd: 2.0 * (w + ext),
        ps: 2.0 * (w + ext),
        ..insitu::devices::MosGeom::default()
    }
}

/// A `.model` card of a test library of plain `name=value` cards (no SPICE suffixes).
pub struct LibCard {
    pub name: String,
    pub pmos: bool,
    /// The `version=` text, if given.
    pub version: Option<String>,
    /// Every other parameter but `level`.
    pub params: Vec<(String, f64)>,
}

/// The `.model` cards of such a library (`+` continuation lines joined, `*` comments skipped).
pub fn read_cards(text: &str) -> Vec<LibCard> {
    let mut joined = String::new();
    for line in text.lines().filter(|l| !l.starts_with('*')) {
        match line.strip_prefix('+') {
            Some(rest) => joined.push_str(rest),
            None => {
                joined.push('\n');
                joined.push_str(line);
            }
        }
    }
    joined
        .lines()
        .filter_map(|l| l.strip_prefix(".model "))
        .map(|l| {
            let mut it = l.split_whitespace();
            let name = it.next().expect("name").to_string();
            let pmos = it.next().expect("type") == "pmos";
            let mut version = None;
            let mut params = Vec::new();
            for (k, v) in it.filter_map(|kv| kv.split_once('=')) {
                match k {
                    "level" => {}
                    "version" => version = Some(v.to_string()),
                    _ => params.push((k.to_string(), v.parse::<f64>().expect("plain number"))),
                }
            }
            LibCard { name, pmos, version, params }
        })
        .collect()
}

//! Random but plausible circuits, each run in insitu and in ngspice: the robustness check
//! (`examples/robustness.rs` and `tests/robustness.rs` share it).
//!
//! [`generate`] builds deck `index` of a seed (deterministic, independent of the other decks)
//! from one of the [`Family`] templates with random sizes, random level-1 model cards or the
//! built-in BSIM-lite `generic180`. [`run_deck`] runs it in both simulators and classifies
//! the outcome: both converged (and whether they agree within [`crate::check`]'s tolerances,
//! or for ring oscillators whether their periods agree), or a failure in one of them.
//!
//! ```
//! let deck = insitu::gen::generate(7, 0);
//! assert!(deck.text.contains(".end"));
//! assert_eq!(deck.text, insitu::gen::generate(7, 0).text);
//! ```

use crate::check::{compare, prepare_deck, Report, Tolerances};
use crate::ngspice::Ngspice;
use crate::raw::Plot;
use insitu_solver::{Data, Dataset, Quantity, Simulator, Vector};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::path::Path;

/// Newton tolerances both simulators run every generated deck with, tight enough that both
/// converge to the same solution (so a difference is one of equations or integration).
/// ABSTOL stays at SPICE's 1e-12 A: at 1e-15 a branch current next to a microfarad
/// capacitor (15 S at a microsecond step) cannot converge in either simulator, whose LU
/// solves carry a residual of about eps |A| |x| = 1e-14 A; ngspice got through such a deck
/// by the luck of its rounding.
pub const OPTIONS: &str = "reltol=1e-6 vntol=1e-9";

/// [`OPTIONS`] with reltol 1e-7: the reference transient ngspice runs.
pub const TIGHT_OPTIONS: &str = "reltol=1e-7 vntol=1e-9";

/// How much farther from ngspice's reltol 1e-7 waveform than ngspice's own (at the deck's
/// tolerance) an insitu transient vector may be and still agree. Both simulators place their
/// time points by the same rules; their Newton solutions differ within the tolerance, which
/// shifts steps at edges by fractions of a picosecond, enough to move a supply current's
/// integrated error by tens of percent either way.
pub const REFERENCE_SLACK: f64 = 2.0;

/// Largest relative difference of ring-oscillator periods counted as agreement (0.01 %).
pub const PERIOD_TOL: f64 = 1e-4;

/// The circuit templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Ring oscillator started by `uic` from alternating node voltages.
    Ring,
    /// Inverter chain driven by a pulse.
    InverterChain,
    /// Five-transistor OTA in open loop, pulse input whose dc differs from its first value.
    OtaOpenLoop,
    /// The same OTA as a unity-gain buffer.
    OtaBuffer,
    /// Current mirror under a nested dc sweep (output voltage, reference current).
    MirrorSweep,
    /// Diode rectifier (half or full wave) with an RC load and a SIN source.
    Rectifier,
    /// Temperature sweep of a diode-connected MOSFET or a diode with a resistor.
    TempSweep,
    /// RLC ladder with a pulse source: op, ac, tran.
    Rlc,
    /// Linear network of E, F, G and H blocks: op, dc, ac.
    Controlled,
}

impl Family {
    /// Every family, in the order decks cycle through them.
    pub const ALL: [Family; 9] = [
        Family::Ring,
        Family::InverterChain,
        Family::OtaOpenLoop,
        Family::OtaBuffer,
        Family::MirrorSweep,
        Family::Rectifier,
        Family::TempSweep,
        Family::Rlc,
        Family::Controlled,
    ];

    /// Short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Family::Ring => "ring",
            Family::InverterChain => "inverter_chain",
            Family::OtaOpenLoop => "ota_open_loop",
            Family::OtaBuffer => "ota_buffer",
            Family::MirrorSweep => "mirror_sweep",
            Family::Rectifier => "rectifier",
            Family::TempSweep => "temp_sweep",
            Family::Rlc => "rlc",
            Family::Controlled => "controlled",
        }
    }
}

/// One generated deck.
#[derive(Debug, Clone, PartialEq)]
pub struct GenDeck {
    pub family: Family,
    /// Whether its MOSFETs are BSIM-lite (`generic180`) rather than level 1.
    pub bsim: bool,
    /// The netlist (with [`OPTIONS`] in it).
    pub text: String,
    /// For oscillators: the node whose period is compared, and the level it crosses.
    pub period_probe: Option<(String, f64)>,
}

/// Deck `index` of `seed`: the family cycles with the index, everything else is random.
pub fn generate(seed: u64, index: usize) -> GenDeck {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (index as u64));
    let family = Family::ALL[index % Family::ALL.len()];
    let uses_mos = !matches!(family, Family::Rectifier | Family::Rlc | Family::Controlled);
    let bsim = uses_mos && rng.random_bool(0.35);
    let tech = if bsim { Tech::generic180() } else { Tech::level1(&mut rng) };
    let mut g = Gen { rng, tech, out: String::new(), probe: None };
    let title = format!("robustness seed {seed} deck {index}: {}{}", family.name(), if bsim { " (bsim)" } else { "" });
    let _ = writeln!(g.out, "{title}");
    let _ = writeln!(g.out, ".options {OPTIONS}");
    g.out.push_str(&g.tech.cards.clone());
    match family {
        Family::Ring => g.ring(),
        Family::InverterChain => g.chain(),
        Family::OtaOpenLoop => g.ota(false),
        Family::OtaBuffer => g.ota(true),
        Family::MirrorSweep => g.mirror(),
        Family::Rectifier => g.rectifier(),
        Family::TempSweep => g.temp_sweep(),
        Family::Rlc => g.rlc(),
        Family::Controlled => g.controlled(),
    }
    g.out.push_str(".end\n");
    GenDeck { family, bsim, text: g.out, period_probe: g.probe }
}

/// The MOS technology of a deck: model cards and the ranges sizes are drawn from.
#[derive(Debug, Clone)]
struct Tech {
    cards: String,
    vdd: f64,
    lmin: f64,
    /// Threshold magnitudes (n, p) and transconductance parameters, for rough sizing.
    vtn: f64,
    vtp: f64,
    kpn: f64,
    kpp: f64,
    cox: f64,
}

impl Tech {
    fn generic180() -> Tech {
        Tech {
            cards: ".lib 'insitu:generic180' tt\n".into(),
            vdd: 1.8,
            lmin: 0.18e-6,
            vtn: 0.42,
            vtp: 0.44,
            kpn: 300e-6,
            kpp: 70e-6,
            cox: 8.4e-3,
        }
    }

    /// Random plausible level-1 cards `nch` and `pch` (with the Meyer, overlap and junction
    /// capacitances that exercise the transient).
    fn level1(r: &mut ChaCha8Rng) -> Tech {
        let tox = log_uniform(r, 4e-9, 20e-9);
        let cox = 3.9 * 8.854e-12 / tox;
        let vdd: f64 = [1.8, 2.5, 3.3, 5.0][r.random_range(0..4)];
        let lmin = (tox * 100.0).clamp(0.25e-6, 1.5e-6);
        let vtn = r.random_range(0.2..0.3) * vdd.min(3.3);
        let vtp = r.random_range(0.2..0.3) * vdd.min(3.3);
        let kpn = r.random_range(0.5..1.0) * 450e-4 * cox;
        let kpp = r.random_range(0.25..0.45) * 450e-4 * cox;
        let mut cards = String::new();
        for (name, ty, vt, kp) in [("nch", "nmos", vtn, kpn), ("pch", "pmos", -vtp, kpp)] {
            let ld = r.random_range(0.0..0.1) * lmin;
            let _ = writeln!(
                cards,
                ".model {name} {ty} level=1 vto={} kp={} gamma={} phi={} lambda={} tox={}",
                f(vt),
                f(kp),
                f(r.random_range(0.2..0.8)),
                f(r.random_range(0.6..0.9)),
                f(r.random_range(0.01..0.12)),
                f(tox)
            );
            let _ = writeln!(
                cards,
                "+ cgso={} cgdo={} cgbo={} cj={} mj={} cjsw={} mjsw={} pb={} is={} ld={}",
                f(r.random_range(0.1e-9..0.5e-9)),
                f(r.random_range(0.1e-9..0.5e-9)),
                f(r.random_range(0.0..0.2e-9)),
                f(r.random_range(0.2e-3..1.5e-3)),
                f(r.random_range(0.3..0.55)),
                f(r.random_range(0.1e-9..0.5e-9)),
                f(r.random_range(0.2..0.45)),
                f(r.random_range(0.7..0.95)),
                f(log_uniform(r, 1e-16, 1e-14)),
                f(ld)
            );
        }
        Tech { cards, vdd, lmin, vtn, vtp, kpn, kpp, cox }
    }
}

/// A number in SPICE text, round-trippable.
fn f(x: f64) -> String {
    format!("{x:.6e}")
}

fn log_uniform(r: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    (r.random_range(lo.ln()..hi.ln())).exp()
}

/// Writes a formatted line, its arguments evaluated before the output is borrowed.
macro_rules! emit {
    ($g:expr, $($a:tt)*) => {{
        let s = format!($($a)*);
        $g.line(s);
    }};
}

struct Gen {
    rng: ChaCha8Rng,
    tech: Tech,
    out: String,
    probe: Option<(String, f64)>,
}

impl Gen {
    fn line(&mut self, s: impl AsRef<str>) {
        self.out.push_str(s.as_ref());
        self.out.push('\n');
    }

    fn log(&mut self, lo: f64, hi: f64) -> f64 {
        log_uniform(&mut self.rng, lo, hi)
    }

    fn uni(&mut self, lo: f64, hi: f64) -> f64 {
        self.rng.random_range(lo..hi)
    }

    /// A length between the minimum and `k` times it, on a 10 nm grid.
    fn length(&mut self, k: f64) -> f64 {
        let l = self.log(self.tech.lmin, k * self.tech.lmin);
        (l / 10e-9).round() * 10e-9
    }

    /// Instance geometry: W, L and drain/source areas and perimeters.
    fn geom(w: f64, l: f64) -> String {
        let ext = 0.5e-6;
        format!(
            "w={} l={} ad={} as={} pd={} ps={}",
            f(w),
            f(l),
            f(w * ext),
            f(w * ext),
            f(2.0 * (w + ext)),
            f(2.0 * (w + ext))
        )
    }

    /// An inverter subcircuit `inv a y vdd`; returns (wn, wp, l).
    fn inverter(&mut self) -> (f64, f64, f64) {
        let l = self.length(2.5);
        let wn = self.log(2.0, 12.0) * self.tech.lmin;
        let wp = wn * self.uni(1.5, 3.5) * (self.tech.kpn / self.tech.kpp / 2.5).clamp(0.7, 1.5);
        self.line(".subckt inv a y vdd");
        emit!(self, "mp y a vdd vdd pch {}", Self::geom(wp, l));
        emit!(self, "mn y a 0 0 nch {}", Self::geom(wn, l));
        self.line(".ends");
        (wn, wp, l)
    }

    /// A rough stage delay of the inverter driving `cload` (for choosing time spans).
    fn stage_delay(&self, wn: f64, wp: f64, l: f64, cload: f64) -> f64 {
        let t = &self.tech;
        let c = cload + t.cox * (wn + wp) * l + 1e-3 * 0.5e-6 * (wn + wp);
        let i_n = 0.5 * t.kpn * wn / l * (t.vdd - t.vtn).powi(2);
        let i_p = 0.5 * t.kpp * wp / l * (t.vdd - t.vtp).powi(2);
        c * t.vdd / (2.0 * i_n.min(i_p))
    }

    fn ring(&mut self) {
        let stages = [3usize, 5, 7][self.rng.random_range(0..3)];
        let (wn, wp, l) = self.inverter();
        let vdd = self.tech.vdd;
        let cload = self.log(2e-15, 50e-15);
        emit!(self, "vdd vdd 0 {}", f(vdd));
        let node = |k: usize| format!("n{}", k % stages + 1);
        for k in 0..stages {
            emit!(self, "x{} {} {} vdd inv", k + 1, node(k), node(k + 1));
            emit!(self, "c{} {} 0 {}", k + 1, node(k), f(cload));
        }
        let ics: Vec<String> =
            (0..stages).map(|k| format!("v({})={}", node(k), f(if k % 2 == 0 { 0.0 } else { vdd }))).collect();
        emit!(self, ".ic {}", ics.join(" "));
        let period = 2.0 * stages as f64 * self.stage_delay(wn, wp, l, cload);
        let tstop = 12.0 * period;
        emit!(self, ".tran {} {} uic", f(period / 100.0), f(tstop));
        self.probe = Some((node(0), vdd / 2.0));
    }

    fn pulse_input(&mut self, name: &str, node: &str, lo: f64, hi: f64, dc: f64, scale: f64) -> f64 {
        let td = scale * self.uni(0.5, 2.0);
        let tr = scale * self.log(0.02, 0.5);
        let pw = scale * self.uni(3.0, 8.0);
        let per = 2.0 * pw + 2.0 * tr;
        emit!(
            self,
            "{name} {node} 0 dc {} pulse({} {} {} {} {} {} {})",
            f(dc),
            f(lo),
            f(hi),
            f(td),
            f(tr),
            f(tr),
            f(pw),
            f(per)
        );
        td + per * 1.5
    }

    fn chain(&mut self) {
        let n = self.rng.random_range(2..6);
        let (wn, wp, l) = self.inverter();
        let vdd = self.tech.vdd;
        let cload = self.log(2e-15, 100e-15);
        let td = self.stage_delay(wn, wp, l, cload);
        emit!(self, "vdd vdd 0 {}", f(vdd));
        // The dc value differs from the pulse's first: the transient starts from the latter.
        let dc = if self.rng.random_bool(0.5) { vdd } else { vdd / 2.0 };
        let tstop = self.pulse_input("vin", "n0", 0.0, vdd, dc, 4.0 * td * n as f64);
        for k in 0..n {
            emit!(self, "x{} n{} n{} vdd inv", k + 1, k, k + 1);
            emit!(self, "c{} n{} 0 {}", k + 1, k + 1, f(cload));
        }
        self.line(".op");
        emit!(self, ".tran {} {}", f(tstop / 400.0), f(tstop));
    }

    /// The 5-transistor OTA `ota inp inm out vdd` with a tail mirror fed by `ib`.
    fn ota(&mut self, buffer: bool) {
        let vdd = self.tech.vdd;
        let l = self.length(4.0);
        let ib = self.log(2e-6, 100e-6);
        // Input pair at an overdrive of 0.1-0.3 V, mirror load similar.
        let vov = self.uni(0.1, 0.3);
        let w_in = (ib * l / (self.tech.kpn * vov * vov)).clamp(self.tech.lmin, 200e-6);
        let w_ld = (ib * l / (self.tech.kpp * vov * vov)).clamp(self.tech.lmin, 200e-6);
        let w_tail = (2.0 * ib * l / (self.tech.kpn * vov * vov)).clamp(self.tech.lmin, 200e-6);
        self.line(".subckt ota inp inm out vdd");
        emit!(self, "ib vdd nb {}", f(ib));
        emit!(self, "m0 nb nb 0 0 nch {}", Self::geom(w_tail / 2.0, l));
        emit!(self, "m5 tail nb 0 0 nch {}", Self::geom(w_tail, l));
        // The diode side's gate is the non-inverting input: more current there is mirrored
        // into `out`.
        emit!(self, "m1 d1 inp tail 0 nch {}", Self::geom(w_in, l));
        emit!(self, "m2 out inm tail 0 nch {}", Self::geom(w_in, l));
        emit!(self, "m3 d1 d1 vdd vdd pch {}", Self::geom(w_ld, l));
        emit!(self, "m4 out d1 vdd vdd pch {}", Self::geom(w_ld, l));
        self.line(".ends");
        emit!(self, "vdd vdd 0 {}", f(vdd));
        let vcm = vdd * self.uni(0.5, 0.7);
        let cl = self.log(50e-15, 2e-12);
        // Slew-limited time scale of the output.
        let scale = (cl * 0.5 / (2.0 * ib)).max(1e-9);
        if buffer {
            let step = self.uni(0.05, 0.2) * vdd;
            let dc = vcm + step / 2.0;
            let tstop = self.pulse_input("vin", "in", vcm, vcm + step, dc, scale);
            self.line("x1 in out out vdd ota");
            emit!(self, "cl out 0 {}", f(cl));
            emit!(self, ".nodeset v(out)={}", f(vcm));
            self.line(".op");
            emit!(self, ".tran {} {}", f(tstop / 400.0), f(tstop));
        } else {
            let amp = self.uni(0.002, 0.05);
            emit!(self, "vref ref 0 {}", f(vcm));
            emit!(
                self,
                "vin in 0 dc {} ac 1 pulse({} {} {} {} {} {} {})",
                f(vcm),
                f(vcm - amp),
                f(vcm + amp),
                f(scale),
                f(scale * 0.1),
                f(scale * 0.1),
                f(scale * 4.0),
                f(scale * 8.4)
            );
            self.line("x1 in ref out vdd ota");
            emit!(self, "cl out 0 {}", f(cl));
            self.line(".op");
            self.line(".ac dec 10 1k 10g");
            emit!(self, ".tran {} {}", f(scale * 12.0 / 400.0), f(scale * 12.0));
        }
    }

    fn mirror(&mut self) {
        let vdd = self.tech.vdd;
        let l = self.length(5.0);
        let w = self.log(2.0, 50.0) * self.tech.lmin;
        let ratio = [1.0, 2.0, 4.0][self.rng.random_range(0..3)];
        let iref = self.log(1e-6, 100e-6);
        let p = self.rng.random_bool(0.4);
        if p {
            emit!(self, "vdd vdd 0 {}", f(vdd));
            emit!(self, "iref g 0 {}", f(iref));
            emit!(self, "m1 g g vdd vdd pch {}", Self::geom(w, l));
            emit!(self, "m2 d g vdd vdd pch {}", Self::geom(w * ratio, l));
        } else {
            emit!(self, "iref 0 g {}", f(iref));
            emit!(self, "m1 g g 0 0 nch {}", Self::geom(w, l));
            emit!(self, "m2 d g 0 0 nch {}", Self::geom(w * ratio, l));
        }
        emit!(self, "vout d 0 {}", f(vdd / 2.0));
        self.line(".op");
        let steps = self.rng.random_range(10..40) as f64;
        emit!(
            self,
            ".dc vout 0 {} {} iref {} {} {}",
            f(vdd),
            f(vdd / steps),
            f(iref / 4.0),
            f(iref * 2.0),
            f(iref * 0.25)
        );
    }

    fn rectifier(&mut self) {
        let amp = self.uni(1.0, 10.0);
        let freq = self.log(1e3, 10e6);
        let rs = self.log(0.1, 50.0);
        let cjo = self.log(0.1e-12, 20e-12);
        let tt = self.log(1e-10, 1e-6) / freq.sqrt().max(1.0) * 1e3f64.sqrt();
        emit!(
            self,
            ".model dr d is={} n={} rs={} cjo={} vj={} m={} tt={} bv={}",
            f(self.log(1e-15, 1e-9)),
            f(self.uni(1.0, 2.0)),
            f(rs),
            f(cjo),
            f(self.uni(0.5, 0.9)),
            f(self.uni(0.3, 0.5)),
            f(tt),
            f(amp * 3.0 + 10.0)
        );
        emit!(self, "vs a 0 dc 0 sin(0 {} {})", f(amp), f(freq));
        let rl = self.log(100.0, 100e3);
        let cl = self.log(1.0, 100.0) / (rl * freq);
        let bridge = self.rng.random_bool(0.5);
        if !bridge {
            self.line("d1 a out dr");
        } else {
            // Full-wave bridge, the load floating between two diode pairs.
            self.line("d1 a out dr");
            self.line("d2 0 out dr");
            self.line("d3 m a dr");
            self.line("d4 m 0 dr");
            self.line("rm m 0 1meg");
        }
        let rl_name = if bridge { "m" } else { "0" };
        emit!(self, "rl out {rl_name} {}", f(rl));
        emit!(self, "cl out {rl_name} {}", f(cl));
        emit!(self, ".tran {} {}", f(1.0 / freq / 100.0), f(3.0 / freq));
    }

    fn temp_sweep(&mut self) {
        let vdd = self.tech.vdd;
        if self.rng.random_bool(0.5) {
            let l = self.length(4.0);
            let w = self.log(2.0, 50.0) * self.tech.lmin;
            emit!(self, "vdd vdd 0 {}", f(vdd));
            emit!(self, "r1 vdd g {}", f(self.log(5e3, 500e3)));
            emit!(self, "m1 g g 0 0 nch {}", Self::geom(w, l));
            emit!(self, "m2 d g 0 0 nch {}", Self::geom(2.0 * w, l));
            emit!(self, "r2 vdd d {}", f(self.log(1e3, 100e3)));
        } else {
            emit!(
                self,
                ".model dt d is={} n={} rs={} eg={} xti={}",
                f(self.log(1e-16, 1e-12)),
                f(self.uni(1.0, 1.8)),
                f(self.log(0.1, 20.0)),
                f(self.uni(0.6, 1.2)),
                f(self.uni(2.0, 4.0))
            );
            emit!(self, "vdd vdd 0 {}", f(vdd));
            emit!(self, "r1 vdd a {}", f(self.log(1e3, 100e3)));
            self.line("d1 a 0 dt");
        }
        self.line(".op");
        let step = [5.0, 10.0, 15.0][self.rng.random_range(0..3)];
        emit!(self, ".dc temp -40 125 {step}");
    }

    fn rlc(&mut self) {
        let sections = self.rng.random_range(1..5);
        let l = self.log(1e-9, 1e-3);
        let c = self.log(1e-12, 1e-6);
        let z0 = (l / c).sqrt();
        let f0 = 1.0 / (2.0 * std::f64::consts::PI * (l * c).sqrt());
        let t0 = 1.0 / f0;
        let rs = z0 * self.log(0.05, 3.0);
        emit!(
            self,
            "vs in 0 dc 0 ac 1 pulse(0 1 {} {} {} {} {})",
            f(t0),
            f(t0 * 0.05),
            f(t0 * 0.05),
            f(t0 * 10.0),
            f(t0 * 30.0)
        );
        emit!(self, "rs in n0 {}", f(rs));
        for k in 0..sections {
            let lk = l * self.uni(0.5, 2.0);
            let ck = c * self.uni(0.5, 2.0);
            if self.rng.random_bool(0.5) {
                emit!(self, "l{k} n{k} n{} {}", k + 1, f(lk));
            } else {
                // A series resistance in the inductor branch.
                emit!(self, "l{k} n{k} m{k} {}", f(lk));
                emit!(self, "rl{k} m{k} n{} {}", k + 1, f(z0 * self.log(0.01, 0.5)));
            }
            emit!(self, "c{k} n{} 0 {}", k + 1, f(ck));
        }
        emit!(self, "rload n{sections} 0 {}", f(z0 * self.log(0.3, 10.0)));
        self.line(".op");
        emit!(self, ".ac dec 20 {} {}", f(f0 / 100.0), f(f0 * 100.0));
        emit!(self, ".tran {} {}", f(t0 / 50.0), f(t0 * 20.0));
    }

    fn controlled(&mut self) {
        emit!(self, "vin in 0 dc {} ac 1", f(self.uni(-1.0, 1.0)));
        emit!(self, "r1 in a {}", f(self.log(100.0, 100e3)));
        emit!(self, "r2 a 0 {}", f(self.log(100.0, 100e3)));
        let gain = self.uni(-5.0, 5.0);
        emit!(self, "e1 b 0 a 0 {}", f(gain));
        emit!(self, "r3 b c {}", f(self.log(100.0, 100e3)));
        emit!(self, "c1 c 0 {}", f(self.log(1e-12, 1e-8)));
        emit!(self, "g1 0 d c 0 {}", f(self.log(1e-5, 1e-2)));
        emit!(self, "r4 d 0 {}", f(self.log(100.0, 100e3)));
        self.line("vsense d e 0");
        emit!(self, "re e 0 {}", f(self.log(100.0, 10e3)));
        emit!(self, "f1 0 g vsense {}", f(self.uni(-3.0, 3.0)));
        emit!(self, "rg g 0 {}", f(self.log(100.0, 10e3)));
        emit!(self, "h1 h 0 vsense {}", f(self.log(10.0, 10e3)));
        emit!(self, "rh h a {}", f(self.log(10e3, 1e6)));
        emit!(self, "ch h 0 {}", f(self.log(1e-12, 1e-9)));
        self.line(".op");
        self.line(".dc vin -1 1 0.1");
        self.line(".ac dec 10 1 1g");
    }
}

/// How one deck went.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Both converged. `agree`: within [`crate::check`]'s tolerances, or for a transient
    /// vector outside them, at most [`REFERENCE_SLACK`] times as far from ngspice at reltol
    /// 1e-7 as ngspice at the deck's tolerance is; `strict`: the same with a slack of 1
    /// (periods: within [`PERIOD_TOL`] of ngspice, or no farther from the reltol 1e-7
    /// period than ngspice's). `detail` says where not. `mirror` and `mirror_strict`: the
    /// same tests with the two simulators' roles swapped, i.e. whether ngspice at the deck's
    /// tolerance is at most [`REFERENCE_SLACK`] (1) times as far from its own reltol 1e-7
    /// answer as insitu is. They measure how often the test fails a simulator that is
    /// nobody's suspect: ngspice itself.
    Both { agree: bool, strict: bool, mirror: bool, mirror_strict: bool, detail: String },
    /// insitu failed where ngspice succeeded.
    InsituOnly(String),
    /// ngspice failed (an error, or an analysis it did not finish) where insitu succeeded.
    NgspiceOnly(String),
    /// Both failed.
    Neither(String),
}

/// A deck's outcome, and for oscillators the relative period difference.
#[derive(Debug, Clone, PartialEq)]
pub struct DeckResult {
    pub outcome: Outcome,
    /// (insitu - ngspice) / ngspice period, when both oscillated.
    pub period_error: Option<f64>,
}

/// Runs `deck` in insitu and in ngspice (scratch files in `dir`) and compares.
pub fn run_deck(deck: &GenDeck, ng: &Ngspice, dir: &Path) -> DeckResult {
    let text = prepare_deck(&deck.text, dir, "");
    let ours = insitu_pdk::load_deck_str(&text, &dir.join("deck.cir"))
        .map_err(|e| e.to_string())
        .and_then(|c| Simulator::new(c).map_err(|e| e.to_string()))
        .and_then(|mut s| s.run_all().map_err(|e| e.to_string()));
    let theirs = ng.run(&text, dir).map_err(|e| e.to_string());
    // ngspice's own abort ("Timestep too small") is its failure, however far its rawfile got.
    let theirs = theirs.and_then(|t| t.aborted().map_or(Ok(t), |why| Err(format!("ngspice: {why}"))));
    let (ours, theirs) = match (ours, theirs) {
        (Ok(o), Ok(t)) => (o, t.plots),
        (Err(a), Err(b)) => return plain(Outcome::Neither(format!("insitu: {a}; ngspice: {b}"))),
        (Err(a), Ok(_)) => return plain(Outcome::InsituOnly(a)),
        (Ok(_), Err(b)) => return plain(Outcome::NgspiceOnly(b)),
    };
    let report = compare(&ours, &theirs, &Tolerances::default());
    // An analysis ngspice did not produce or finish is its failure.
    let unfinished: Vec<String> = report
        .problems
        .iter()
        .cloned()
        .chain(report.rows.iter().filter(|r| r.detail.starts_with("ngspice stopped")).map(|r| r.detail.clone()))
        .collect();
    if !unfinished.is_empty() {
        return plain(Outcome::NgspiceOnly(unfinished.join("; ")));
    }
    // The reference for transients: ngspice at reltol 1e-7, run only when needed.
    let mut tight: Option<Option<Vec<Plot>>> = None;
    let mut tight_plots = |dir: &Path| -> Option<Vec<Plot>> {
        tight
            .get_or_insert_with(|| {
                let text = prepare_deck(&deck.text.replace(OPTIONS, TIGHT_OPTIONS), dir, "");
                ng.run(&text, &dir.join("tight")).ok().map(|r| r.plots)
            })
            .clone()
    };
    if let Some((node, level)) = &deck.period_probe {
        let name = format!("v({node})");
        let a = tran_period(&ours, &name, *level);
        let b = plot_period(&theirs, &name, *level);
        if let (Some(a), Some(b)) = (a, b) {
            let e = (a - b) / b;
            let mut agree = e.abs() <= PERIOD_TOL;
            let mut mirror = agree;
            let mut detail = format!("period {a:.6e} s vs ngspice {b:.6e} s ({:+.4} %)", 100.0 * e);
            if !agree {
                // As close to ngspice at reltol 1e-7 as ngspice itself at the deck's tolerance?
                if let Some(c) = tight_plots(dir).and_then(|p| plot_period(&p, &name, *level)) {
                    agree = (a - c).abs() <= (b - c).abs().max(PERIOD_TOL * c);
                    mirror = (b - c).abs() <= (a - c).abs().max(PERIOD_TOL * c);
                    let _ = write!(detail, "; ngspice at reltol 1e-7 {c:.6e} s");
                }
            }
            let outcome = Outcome::Both { agree, strict: agree, mirror, mirror_strict: mirror, detail };
            return DeckResult { outcome, period_error: Some(e) };
        }
        if a.is_some() != b.is_some() {
            let detail = format!("oscillates in {} only", if a.is_some() { "insitu" } else { "ngspice" });
            let outcome = Outcome::Both { agree: false, strict: false, mirror: false, mirror_strict: false, detail };
            return plain(outcome);
        }
        // Neither oscillates: the waveforms are compared like any transient.
    }
    let j = judge(&report, &ours, &theirs, &mut || tight_plots(dir));
    plain(Outcome::Both {
        agree: j.agree(),
        strict: j.strict && j.agree(),
        mirror: j.mirror,
        mirror_strict: j.mirror_strict && j.mirror,
        detail: j.detail(),
    })
}

/// The verdict on the rows of a comparison that fall outside the tolerances (see
/// [`Outcome::Both`]): transient rows are judged against a reference, ngspice at reltol
/// 1e-7; any other row fails.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// The rows that fail, with their scores against the reference.
    pub failing: Vec<String>,
    /// Every transient row at most as far from the reference as ngspice's.
    pub strict: bool,
    /// The test with the roles swapped (ngspice in insitu's place).
    pub mirror: bool,
    /// The swapped test with a slack of 1.
    pub mirror_strict: bool,
    /// The rows the swapped test fails.
    pub mirror_failing: Vec<String>,
}

impl Judgement {
    /// Whether no row fails.
    pub fn agree(&self) -> bool {
        self.failing.is_empty()
    }

    /// The failing rows, then the mirrored test's.
    pub fn detail(&self) -> String {
        let mut detail = self.failing.join("; ");
        if !self.mirror {
            let sep = if self.agree() { "" } else { " | " };
            let _ = write!(detail, "{sep}mirrored: {}", self.mirror_failing.join("; "));
        }
        detail
    }
}

/// Judges `report` (insitu's `ours` against ngspice's `theirs`): a transient row outside the
/// tolerances agrees when insitu is at most [`REFERENCE_SLACK`] times as far from
/// `reference()` (ngspice at reltol 1e-7, asked for once, at the first transient row that
/// fails) as ngspice is.
pub fn judge(
    report: &Report,
    ours: &[Dataset],
    theirs: &[Plot],
    reference: &mut dyn FnMut() -> Option<Vec<Plot>>,
) -> Judgement {
    let mut failing: Vec<String> = Vec::new();
    let mut strict = true;
    let (mut mirror, mut mirror_strict) = (true, true);
    let mut mirror_failing: Vec<String> = Vec::new();
    // Both simulators' transients compared with the reference, once for every row.
    let mut against: Option<Option<(Report, Report)>> = None;
    for r in report.rows.iter().filter(|r| !r.pass()) {
        if r.analysis.starts_with("Transient") {
            // Transients agree when insitu is as close to ngspice at reltol 1e-7 as ngspice
            // at the deck's tolerance is.
            let reports = against.get_or_insert_with(|| {
                reference().map(|reference| {
                    let ours_tran: Vec<Dataset> =
                        ours.iter().filter(|d| d.name.starts_with("Transient")).cloned().collect();
                    let theirs_tran: Vec<Dataset> = theirs.iter().filter_map(tran_dataset).collect();
                    let tol = Tolerances::default();
                    (compare(&ours_tran, &reference, &tol), compare(&theirs_tran, &reference, &tol))
                })
            });
            if let Some((ours_ref, theirs_ref)) = reports {
                let score = |rep: &Report| rep.row(&r.analysis, &r.vector).map_or(f64::INFINITY, |x| x.score);
                let (s_ours, s_ng) = (score(ours_ref), score(theirs_ref));
                strict &= s_ours <= s_ng.max(1.0);
                let ok = s_ours <= (REFERENCE_SLACK * s_ng).max(1.0);
                mirror_strict &= s_ng <= s_ours.max(1.0);
                if s_ng > (REFERENCE_SLACK * s_ours).max(1.0) {
                    mirror = false;
                    mirror_failing.push(format!(
                        "{} {}: against ngspice at reltol 1e-7: ngspice {s_ng:.3}, insitu {s_ours:.3}",
                        r.analysis, r.vector
                    ));
                }
                if !ok {
                    failing.push(format!(
                        "{} {}: {} (against ngspice at reltol 1e-7: insitu {s_ours:.3}, ngspice {s_ng:.3})",
                        r.analysis, r.vector, r.detail
                    ));
                }
                continue;
            }
        }
        // A difference with no reference to tell who is off fails both roles.
        (mirror, mirror_strict) = (false, false);
        let row = format!("{} {}: {}", r.analysis, r.vector, r.detail);
        mirror_failing.push(row.clone());
        failing.push(row);
    }
    Judgement { failing, strict, mirror, mirror_strict, mirror_failing }
}

/// ngspice's transient plot as a dataset (to compare two ngspice runs).
fn tran_dataset(p: &Plot) -> Option<Dataset> {
    if !p.name.starts_with("Transient") || p.complex {
        return None;
    }
    let vector = |k: usize| Vector {
        name: p.variables[k].name.clone(),
        quantity: if p.variables[k].kind == "current" { Quantity::Current } else { Quantity::Voltage },
        data: Data::Real(p.real[k].clone()),
    };
    let mut scale = vector(0);
    scale.quantity = Quantity::Time;
    Some(Dataset { name: p.name.clone(), scale: Some(scale), vectors: (1..p.variables.len()).map(vector).collect() })
}

fn plain(outcome: Outcome) -> DeckResult {
    DeckResult { outcome, period_error: None }
}

/// Mean period of the rising crossings of `level` over the second half of the run, when
/// there are at least three.
pub fn period(t: &[f64], y: &[f64], level: f64) -> Option<f64> {
    let t_half = t.last()? / 2.0;
    let mut c = Vec::new();
    for k in 1..t.len().min(y.len()) {
        if y[k - 1] < level && y[k] >= level && t[k] > t_half {
            c.push(t[k - 1] + (level - y[k - 1]) * (t[k] - t[k - 1]) / (y[k] - y[k - 1]));
        }
    }
    (c.len() >= 3).then(|| (c[c.len() - 1] - c[0]) / (c.len() - 1) as f64)
}

fn tran_period(ds: &[Dataset], name: &str, level: f64) -> Option<f64> {
    let d = ds.iter().find(|d| d.name.starts_with("Transient"))?;
    let t = match &d.scale.as_ref()?.data {
        Data::Real(t) => t,
        _ => return None,
    };
    match &d.vectors.iter().find(|v| v.name == name)?.data {
        Data::Real(y) => period(t, y, level),
        _ => None,
    }
}

fn plot_period(plots: &[Plot], name: &str, level: f64) -> Option<f64> {
    let p = plots.iter().find(|p| p.name.starts_with("Transient"))?;
    period(p.real.first()?, p.vector(name)?, level)
}

//! Acceptance check 2: each construct of the dialect, including the tricky ones.

use insitu_netlist::*;

fn ckt(text: &str) -> Circuit {
    let deck = parse_str(text, "t.cir".as_ref(), &MemLoader::new()).unwrap_or_else(|e| panic!("parse: {e}"));
    elaborate(&deck, &ElabOptions::default()).unwrap_or_else(|e| panic!("elaborate: {e}"))
}

fn elab_err(text: &str) -> Error {
    match parse_str(text, "t.cir".as_ref(), &MemLoader::new()) {
        Err(e) => e,
        Ok(deck) => match elaborate(&deck, &ElabOptions::default()) {
            Err(e) => e,
            Ok(c) => panic!("expected an error, got\n{c}"),
        },
    }
}

fn r_of(c: &Circuit, name: &str) -> f64 {
    match c.element(name).map(|i| &c.elements[i].kind) {
        Some(ElementKind::Resistor { r, .. }) => *r,
        other => panic!("{name}: {other:?}"),
    }
}

fn src(c: &Circuit, name: &str) -> Source {
    match c.element(name).map(|i| &c.elements[i].kind) {
        Some(ElementKind::VoltageSource { source, .. } | ElementKind::CurrentSource { source, .. }) => source.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

fn geom(c: &Circuit, name: &str) -> MosGeometry {
    match c.element(name).map(|i| &c.elements[i].kind) {
        Some(ElementKind::Mosfet { geom, .. }) => *geom,
        other => panic!("{name}: {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn title_comments_continuation_case_and_end() {
    let c = ckt("My Title\n* comment\nR1 A B 1k ; inline\n+ m=2 $ another\n  r2 b GND 2K\n.END\nR3 a 0 1\n");
    assert_eq!(c.title, "My Title");
    assert_eq!(c.elements.len(), 2, "cards after .end are ignored");
    assert_eq!(r_of(&c, "r1"), 500.0);
    assert_eq!(c.nodes, vec!["0", "a", "b"]);
    assert_eq!(c.node("GND"), Some(0));
    assert_eq!(r_of(&c, "R2"), 2e3);
}

#[test]
fn numbers_suffixes_and_4k7() {
    let c = ckt("t\nC1 a 0 10pF\nR1 a 0 1kOhm\nR2 a 0 1meg\nR3 a 0 2mil\nL1 a 0 1uH\n");
    let cval = match c.elements[0].kind {
        ElementKind::Capacitor { c, .. } => c,
        _ => 0.0,
    };
    assert!(close(cval, 10e-12));
    assert_eq!(r_of(&c, "r1"), 1e3);
    assert_eq!(r_of(&c, "r2"), 1e6);
    assert!(close(r_of(&c, "r3"), 50.8e-6));
    let e = elab_err("t\nR1 a 0 4k7\n");
    let msg = e.to_string();
    assert!(msg.contains("t.cir:2:") && msg.contains("4.7k"), "{msg}");
}

/// An unbraced word that starts as a number and goes on with arithmetic is an error at the
/// place it stops being a number (ngspice reads `1e3-20` as 1e3 and a separate -20: on a
/// `.model` card the 1e3, on an `R` line the -20), while the braced expression is evaluated.
#[test]
fn unbraced_arithmetic_after_a_number_is_an_error() {
    for (value, col) in [("1e3-20", 11), ("1k+1k", 10), ("2*500", 9), ("1e--1e-3", 10), ("-0.5-1", 12)] {
        let e = elab_err(&format!("t\nR1 a 0 {value}\n"));
        let msg = e.to_string();
        assert!(msg.starts_with(&format!("t.cir:2:{col}: '{value}' is not a number")), "{msg}");
        assert!(msg.contains(&format!("{{{value}}}")), "{msg}");
    }
    let e = elab_err("t\nM1 d g 0 0 nch W=1u L=1u\n.model nch nmos level=1 cgdo=0.0-10\n");
    assert!(e.to_string().starts_with("t.cir:3:33: '0.0-10' is not a number"), "{e}");
    let c = ckt("t\n.param wn=1k\nR1 a 0 {1e3-20}\nR2 a 0 '1k+1k'\nR3 a 0 wn\nR4 a 0 -1.5kOhm\n");
    assert_eq!(r_of(&c, "r1"), 980.0);
    assert_eq!(r_of(&c, "r2"), 2e3);
    assert_eq!(r_of(&c, "r3"), 1e3);
    assert_eq!(r_of(&c, "r4"), -1.5e3);
}

#[test]
fn parse_error_has_location_caret_and_expectation() {
    let e = elab_err("t\nV1 d 0 1\nM1 d g 0 0 nch W=) L=1u\n.model nch nmos level=1\n");
    let msg = e.to_string();
    assert!(msg.starts_with("t.cir:3:18: expected a number or expression after 'W='"), "{msg}");
    let lines: Vec<&str> = msg.lines().collect();
    assert_eq!(lines[1].trim(), "M1 d g 0 0 nch W=) L=1u");
    assert_eq!(lines[2].find('^'), lines[1].find(')'), "{msg}");
    let e = elab_err("t\nR1 a 0 {1+*2}\n");
    assert!(e.to_string().contains("t.cir:2:"), "{e}");
    let e = elab_err("t\nM1 d g s nch\n");
    assert!(e.to_string().contains("model name"), "{e}");
}

#[test]
fn passives_with_expressions_and_named_values() {
    let c = ckt(
        "t\n.param rv=2k\nR1 a 0 {rv*2}\nR2 a 0 'rv/2'\nR3 a 0 r=3k\nR4 a 0 rv\nC1 a 0 1p ic=0.5\nL1 a b 1n ic=1m\n",
    );
    assert_eq!(r_of(&c, "r1"), 4e3);
    assert_eq!(r_of(&c, "r2"), 1e3);
    assert_eq!(r_of(&c, "r3"), 3e3);
    assert_eq!(r_of(&c, "r4"), 2e3);
    assert!(matches!(c.elements[4].kind, ElementKind::Capacitor { ic: Some(v), .. } if v == 0.5));
    assert!(matches!(c.elements[5].kind, ElementKind::Inductor { ic: Some(v), .. } if v == 1e-3));
}

#[test]
fn resistor_models_and_temperature_coefficients() {
    let c = ckt("t\n.model rm r rsh=1k narrow=1u\n.model rr r(r=2k)\nR1 a 0 rm l=11u w=2u\nR2 a 0 rr\nR3 a 0 1k tc1=2m\n.temp 127\n");
    assert!(close(r_of(&c, "r1"), 11e3));
    assert_eq!(r_of(&c, "r2"), 2e3);
    assert!(close(r_of(&c, "r3"), 1e3 * 1.2));
    let e = elab_err("t\nR1 a 0 0\n");
    assert!(e.to_string().contains("r1"), "{e}");
}

#[test]
fn independent_sources() {
    let c = ckt("t\n\
        V1 a 0 DC 1.5 AC 2 45\n\
        V2 a 0 PULSE(0.8 1.0 100n 1n 1n 400n 2u)\n\
        V3 a 0 dc=0 ac=1\n\
        V4 a 0 SIN 0.5 1 1K 0 0 DISTOF1 0\n\
        I1 a 0 -1mA\n\
        V5 a 0 pwl(0 1 1u 2)\n\
        V6 a 0 exp (0.2 1 1n 10n 50n 10n)\n\
        V7 a 0 ac\n\
        V8 a 0 sin(0 1 1k 0 0 90)\n");
    let v1 = src(&c, "v1");
    assert_eq!((v1.dc, v1.dc_given, v1.ac_mag, v1.ac_phase), (1.5, true, 2.0, 45.0));
    let v2 = src(&c, "v2");
    assert_eq!((v2.dc, v2.dc_given), (0.8, false), "DC of a PULSE-only source is its t=0 value");
    let w = v2.wave.unwrap_or_else(|| panic!("no wave"));
    assert_eq!(w.kind, WaveKind::Pulse);
    assert_eq!(w.args, vec![0.8, 1.0, 100e-9, 1e-9, 1e-9, 400e-9, 2e-6]);
    assert_eq!(src(&c, "v3").ac_mag, 1.0);
    let v4 = src(&c, "v4");
    assert_eq!(v4.wave.map(|w| (w.kind, w.args.len())), Some((WaveKind::Sin, 5)));
    assert_eq!(v4.dc, 0.5);
    assert_eq!(src(&c, "i1").dc, -1e-3);
    assert_eq!(src(&c, "v5").dc, 1.0);
    assert_eq!(src(&c, "v6").dc, 0.2);
    assert_eq!(src(&c, "v7").ac_mag, 1.0);
    assert!(close(src(&c, "v8").dc, 1.0));
}

#[test]
fn controlled_sources() {
    let c = ckt("t\nE1 a 0 b 0 2\nG1 a 0 b 0 1m\nF1 a 0 vs 3\nH1 a 0 vs 4k\nE2 a 0 vcvs b 0 5\nVs b 0 0\n");
    let vs = c.element("vs");
    assert!(matches!(c.elements[0].kind, ElementKind::Vcvs { gain, .. } if gain == 2.0));
    assert!(matches!(c.elements[1].kind, ElementKind::Vccs { gm, .. } if gm == 1e-3));
    assert!(
        matches!(c.elements[2].kind, ElementKind::Cccs { control, gain, .. } if Some(control) == vs && gain == 3.0)
    );
    assert!(matches!(c.elements[3].kind, ElementKind::Ccvs { control, r, .. } if Some(control) == vs && r == 4e3));
    assert!(matches!(c.elements[4].kind, ElementKind::Vcvs { gain, .. } if gain == 5.0));
    let e = elab_err("t\nF1 a 0 vnone 3\n");
    assert!(e.to_string().contains("vnone") && e.to_string().contains("f1"), "{e}");
}

#[test]
fn diodes_and_mosfets() {
    let c = ckt("t\n.model dm d is=1f\n.model nch nmos level=1 vto=0.5\nD1 a 0 dm 2 off\nD2 a 0 dm area=3 m=2\n\
        M1 d g s b nch W=2u L=0.5u AD=1p AS=2p PD=3u PS=4u NRD=2 NRS=3 M=4 off\nM2 d g s b nch\n");
    assert!(matches!(c.elements[0].kind, ElementKind::Diode { area, off: true, .. } if area == 2.0));
    assert!(matches!(c.elements[1].kind, ElementKind::Diode { area, off: false, .. } if area == 6.0));
    let g = geom(&c, "m1");
    assert_eq!(
        (g.w, g.l, g.ad, g.as_, g.pd, g.ps, g.nrd, g.nrs, g.m),
        (2e-6, 0.5e-6, 1e-12, 2e-12, 3e-6, 4e-6, 2.0, 3.0, 4.0)
    );
    assert!(g.w_given && g.l_given);
    let g2 = geom(&c, "m2");
    assert_eq!(g2, MosGeometry::default());
    assert!(matches!(c.elements[2].kind, ElementKind::Mosfet { off: true, .. }));
    let m = &c.models[c.model("nch").unwrap_or(usize::MAX)];
    assert_eq!((m.kind, m.level, m.param("vto")), (ModelKind::Nmos, 1, Some(0.5)));
}

#[test]
fn model_cards_with_and_without_parentheses_and_continuations() {
    let c = ckt("t\n.model n1 nmos (level=1 vto=0.45\n* a comment between continuation lines\n+ kp=280u, gamma=0.4 ; inline\n+ lambda={0.1*2} version=3.3.0)\n\
        .model p1 PMOS LEVEL=1 VTO=-0.45\n+ KP=70u\nM1 d g 0 0 n1\nM2 d g 0 0 p1\n");
    let n1 = &c.models[c.model("n1").unwrap_or(usize::MAX)];
    assert_eq!(
        n1.params,
        vec![("vto".into(), 0.45), ("kp".into(), 280e-6), ("gamma".into(), 0.4), ("lambda".into(), 0.2)]
    );
    assert_eq!(n1.version.as_deref(), Some("3.3.0"));
    let p1 = &c.models[c.model("p1").unwrap_or(usize::MAX)];
    assert_eq!(p1.kind, ModelKind::Pmos);
    assert_eq!(p1.param("kp"), Some(70e-6));
}

#[test]
fn unsupported_levels_only_matter_when_used() {
    let ok = ckt("t\n.model b4 nmos level=54\n.model n1 nmos level=1\nM1 d g 0 0 n1\n");
    assert!(ok.model("b4").is_none());
    let e = elab_err("t\n.model b4 nmos level=54 version=4.5\nM1 d g 0 0 b4 w=1u l=1u\n");
    match &e {
        Error::UnsupportedModel { model, level, element, .. } => {
            assert_eq!((model.as_str(), *level, element.as_str()), ("b4", 54, "m1"))
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("level 54") && e.to_string().contains("b4"), "{e}");
    let mut opts = ElabOptions::default();
    opts.supported.push((ModelKind::Nmos, 54));
    let deck = parse_str("t\n.model b4 nmos level=54\nM1 d g 0 0 b4\n", "t.cir".as_ref(), &MemLoader::new());
    assert!(deck.and_then(|d| elaborate(&d, &opts)).is_ok());
}

#[test]
fn mutual_inductance_is_parsed_then_rejected() {
    let text = "t\nL1 a 0 1u\nL2 b 0 1u\nK1 L1 L2 0.9\n";
    let deck = parse_str(text, "t.cir".as_ref(), &MemLoader::new()).unwrap_or_else(|e| panic!("{e}"));
    let e = elaborate(&deck, &ElabOptions::default()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("k1") && e.contains("mutual inductance"), "{e}");
}

#[test]
fn expressions_precedence_functions_and_user_funcs() {
    let c = ckt("t\n.func sq(x) = x*x\n.func hyp(a, b) {sqrt(sq(a) + sq(b))}\n\
        .param a = 1 + 2 * 3 ** 2 b = -2^2 c = (a > 10) && (b < 0) ? 1 : 2\n\
        .param d = hyp(3, 4) e = max(min(1, 2), abs(-3)) + floor(2.7) + ceil(2.1) + int(-2.5)\n\
        .param f = log(exp(2)) + log10(100) + pow(2, 3) + sin(0) + cos(0) + tan(0) + atan(0)\n\
        .param g = 1 == 1 || 0 h = !1 i = 10 - 4 - 3 j = 2 ** 3 ** 2\n\
        R1 a 0 1\n");
    let p = |n: &str| c.param(n).unwrap_or(f64::NAN);
    assert_eq!(p("a"), 19.0);
    assert_eq!(p("b"), -4.0);
    assert_eq!(p("c"), 1.0);
    assert_eq!(p("d"), 5.0);
    assert_eq!(p("e"), 3.0 + 2.0 + 3.0 - 2.0);
    assert!(close(p("f"), 2.0 + 2.0 + 8.0 + 1.0));
    assert_eq!((p("g"), p("h"), p("i"), p("j")), (1.0, 0.0, 3.0, 512.0));
    let e = elab_err("t\n.param a = b + 1\n.param b = a\nR1 x 0 {a}\n");
    assert!(e.to_string().contains("circular"), "{e}");
    let e = elab_err("t\nR1 x 0 {nope * 2}\n");
    assert!(e.to_string().contains("r1") && e.to_string().contains("undefined parameter 'nope'"), "{e}");
}

#[test]
fn nested_subcircuits_with_overridden_params() {
    // ngspice's scope-3: instance overrides > subcircuit defaults > global; nested definitions
    // shadow outer ones; the override expression is evaluated in the instantiating scope.
    let c = ckt("t\n.param foo = 2k\n\
        X1 n1 0 sub1 foo='foo*3'\n\
        X3 n3 0 sub foo=3k\n\
        X4 n4 0 sub\n\
        .subckt sub1 a b foo=5k\n\
        .subckt sub a b foo=10k\n\
        R1 a b 'foo'\n\
        R2 a mid {foo}\n\
        .ends\n\
        X1 a b sub foo='3*foo'\n\
        R1 a b '5*foo'\n\
        .ends\n\
        .subckt sub a b foo=17k\n\
        R1 a b 'foo*11'\n\
        .ends sub\n");
    assert_eq!(r_of(&c, "x1.r1"), 30e3);
    assert_eq!(r_of(&c, "x1.x1.r1"), 18e3);
    assert_eq!(r_of(&c, "x3.r1"), 33e3);
    assert_eq!(r_of(&c, "x4.r1"), 187e3);
    assert!(c.node("x1.x1.mid").is_some(), "{:?}", c.nodes);
    assert_eq!(c.param("x1.foo"), Some(6e3));
    assert_eq!(c.param("x1.x1.foo"), Some(18e3));
    let e = elab_err("t\nX1 a b sub\n.subckt sub a\nR1 a 0 1\n.ends\n");
    assert!(e.to_string().contains("x1") && e.to_string().contains("1 pins, 2 nodes"), "{e}");
    let e = elab_err("t\nX1 a nosuch\n");
    assert!(e.to_string().contains("unknown subcircuit 'nosuch'"), "{e}");
    let e = elab_err("t\nX1 a loop\n.subckt loop a\nX1 a loop\n.ends\n");
    assert!(e.to_string().contains("nested more than"), "{e}");
}

#[test]
fn options_scale_applies_to_mosfet_geometry() {
    let c = ckt("t\n.option scale=1u\n.model nch nmos level=1\nM1 d g 0 0 nch w=2 l=0.5 ad=3 pd=4\nM2 d g 0 0 nch\n");
    let g = geom(&c, "m1");
    assert!(close(g.w, 2e-6) && close(g.l, 0.5e-6) && close(g.ad, 3e-12) && close(g.pd, 4e-6), "{g:?}");
    assert_eq!(geom(&c, "m2").w, MosGeometry::default().w);
}

#[test]
fn instance_multiplier_m_scales_the_devices_inside() {
    let c = ckt("t\n.model nch nmos level=1\nX1 a 0 cell m=2\nX2 b 0 outer m=3\n\
        .subckt cell p q\nR1 p q 1k\nC1 p q 1p\nM1 p p q q nch m=2\nV1 p q 1\n.ends\n\
        .subckt outer p q\nX1 p q cell m=2\n.ends\n");
    assert_eq!(r_of(&c, "x1.r1"), 500.0);
    assert!(matches!(c.elements[1].kind, ElementKind::Capacitor { c, .. } if close(c, 2e-12)));
    assert_eq!(geom(&c, "x1.m1").m, 4.0);
    assert!(close(r_of(&c, "x2.x1.r1"), 1e3 / 6.0));
    assert_eq!(geom(&c, "x2.x1.m1").m, 12.0);
    assert!(c.warnings.iter().any(|w| w.contains("x1.v1")), "{:?}", c.warnings);
}

#[test]
fn subckt_params_colon_form_and_models_scoped_in_subckt() {
    let c = ckt("t\nX1 a 0 amp params: w=2u\nX2 b 0 amp\n.subckt amp d s params: w=1u l=1u\n\
        .model nch nmos level=1 vto={w*1e5}\nM1 d d s s nch w={w} l={l}\n.ends\n");
    assert_eq!(geom(&c, "x1.m1").w, 2e-6);
    assert_eq!(geom(&c, "x2.m1").w, 1e-6);
    let m1 = &c.models[c.model("x1.nch").unwrap_or(usize::MAX)];
    assert!(close(m1.param("vto").unwrap_or(0.0), 0.2));
    assert!(c.model("x2.nch").is_some());
}

#[test]
fn global_nodes_and_ground_inside_subcircuits() {
    let c = ckt("t\n.global vdd\nX1 a sub\n.subckt sub p\nR1 p vdd 1\nR2 p gnd 1\nR3 p inner 1\n.ends\nV1 vdd 0 1\n");
    let nodes_of = |n: &str| match c.element(n).map(|i| &c.elements[i].kind) {
        Some(ElementKind::Resistor { p, n, .. }) => (c.nodes[*p].clone(), c.nodes[*n].clone()),
        _ => (String::new(), String::new()),
    };
    assert_eq!(nodes_of("x1.r1"), ("a".into(), "vdd".into()));
    assert_eq!(nodes_of("x1.r2"), ("a".into(), "0".into()));
    assert_eq!(nodes_of("x1.r3"), ("a".into(), "x1.inner".into()));
}

#[test]
fn includes_relative_to_the_including_file_and_cycles() {
    let files = MemLoader::new()
        .with("dir/top.cir", "top\n.include 'sub/a.inc'\nR1 x 0 {ra}\n")
        .with("dir/sub/a.inc", ".param ra=5k\n.inc \"../b.inc\"\n")
        .with("dir/b.inc", "R2 y 0 1\n");
    let deck = parse_file("dir/top.cir".as_ref(), &files).unwrap_or_else(|e| panic!("{e}"));
    let c = elaborate(&deck, &ElabOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r_of(&c, "r1"), 5e3);
    assert!(c.element("r2").is_some());
    assert_eq!(deck.sources.len(), 3);

    let cyc = MemLoader::new()
        .with("a.cir", "t\n.include b.inc\n")
        .with("b.inc", ".include c.inc\n")
        .with("c.inc", ".include b.inc\n");
    match parse_file("a.cir".as_ref(), &cyc) {
        Err(Error::IncludeCycle { chain, .. }) => {
            assert!(chain.contains("b.inc") && chain.contains("c.inc"), "{chain}")
        }
        other => panic!("{:?}", other.map(|d| d.cards.len())),
    }
    match parse_str("t\n.include nothere.inc\n", "x/t.cir".as_ref(), &MemLoader::new()) {
        Err(e @ Error::Io { .. }) => {
            assert!(e.to_string().contains("x/nothere.inc") && e.to_string().contains("t.cir:2:1"), "{e}")
        }
        other => panic!("{:?}", other.map(|d| d.cards.len())),
    }
}

#[test]
fn lib_sections_that_include_other_sections() {
    let files = MemLoader::new()
        .with("top.cir", "t\n.lib 'lib/models.lib' tt\nM1 d g 0 0 nch\nX1 a 0 rsub\n")
        .with(
            "lib/models.lib",
            "* corners\n.lib common\n.model nch nmos level=1 vto={vt}\n.subckt rsub a b\n.lib 'res.lib' res\nR1 a b {rval}\n.ends\n.endl common\n\
             .lib tt\n.param vt=0.4\n.lib 'models.lib' common\n.endl tt\n\
             .lib ff\n.param vt=0.3\n.lib models.lib common\n.endl ff\n",
        )
        .with("lib/res.lib", ".lib res\n.param rval=7k\n.endl\n.lib other\nR9 x 0 1\n.endl\n");
    let deck = parse_file("top.cir".as_ref(), &files).unwrap_or_else(|e| panic!("{e}"));
    let c = elaborate(&deck, &ElabOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.models[0].param("vto"), Some(0.4));
    assert_eq!(r_of(&c, "x1.r1"), 7e3);
    assert!(c.element("r9").is_none() && c.element("x1.r9").is_none());
    let e = parse_str("t\n.lib 'lib/models.lib' nosuch\n", "top.cir".as_ref(), &files).err().map(|e| e.to_string());
    assert!(e.unwrap_or_default().contains("section 'nosuch' not found"));
    let selfref = MemLoader::new().with("l.lib", ".lib a\n.lib 'l.lib' a\n.endl\n");
    assert!(matches!(parse_str("t\n.lib l.lib a\n", "t.cir".as_ref(), &selfref), Err(Error::IncludeCycle { .. })));
}

#[test]
fn analyses_and_frequency_grids() {
    let c = ckt("t\nV1 in 0 1\nI1 in 0 1m\nR1 in out 1k\n.op\n.dc V1 0 1 0.1 I1 0 1m 0.5m\n.dc temp -40 125 5\n\
        .ac dec 20 1 1G\n.ac oct 2 1 8\n.ac lin 5 0 100\n.tran 1n 1u 10n 2n uic\n.tran 1n 1u\n.noise v(out,in) V1 dec 10 1 1k\n");
    assert_eq!(c.analyses[0], Analysis::Op);
    let Analysis::Dc { sweeps } = &c.analyses[1] else { panic!() };
    assert_eq!(sweeps.len(), 2);
    assert_eq!(sweeps[0].var, SweepVar::Source(0));
    assert_eq!(sweeps[1].var, SweepVar::Source(1));
    assert!(
        matches!(&c.analyses[2], Analysis::Dc { sweeps } if sweeps[0].var == SweepVar::Temp && sweeps[0].start == -40.0)
    );
    let Analysis::Ac { grid } = &c.analyses[3] else { panic!() };
    let f = grid.frequencies();
    assert_eq!(f.len(), 181);
    assert!(close(f[180], 1e9) && f[0] == 1.0);
    assert!(matches!(&c.analyses[4], Analysis::Ac { grid } if grid.frequencies().len() == 7));
    assert!(
        matches!(&c.analyses[5], Analysis::Ac { grid } if grid.frequencies() == vec![0.0, 25.0, 50.0, 75.0, 100.0])
    );
    assert_eq!(c.analyses[6], Analysis::Tran { tstep: 1e-9, tstop: 1e-6, tstart: 10e-9, tmax: Some(2e-9), uic: true });
    assert_eq!(c.analyses[7], Analysis::Tran { tstep: 1e-9, tstop: 1e-6, tstart: 0.0, tmax: None, uic: false });
    let Analysis::Noise { out_p, out_n, input, grid } = &c.analyses[8] else { panic!() };
    assert_eq!((c.nodes[*out_p].as_str(), c.nodes[*out_n].as_str(), *input), ("out", "in", 0));
    assert_eq!(grid.frequencies().len(), 31);
    let g = FreqGrid { kind: GridKind::Dec, points: 10, fstart: 1.0, fstop: 15.0 };
    assert_eq!(g.frequencies().len(), 12);
    let e = elab_err("t\nR1 a 0 1\n.dc vx 0 1 0.1\n");
    assert!(e.to_string().contains("unknown source 'vx'"), "{e}");
}

#[test]
fn options_temp_nodeset_ic_save_and_warnings() {
    let text = "t\n.options reltol=1e-4 abstol=1n vntol=2u chgtol=1e-15 trtol=5 gmin=1e-13 itl1=200 itl4=20\n\
        + method=gear tnom=25 num_threads=4 acct post=2\n.temp 85\nV1 a 0 1\nR1 a b 1\nC1 b 0 1p\n\
        .nodeset v(a)=0.5 v(b)=0.2\n.ic v(b)=0.1\n.save v(a) i(v1)\n.print tran v(b)\n.meas tran x find v(a) at=1n\n\
        .control\nrun\n.endc\n";
    let c = ckt(text);
    let o = &c.options;
    assert_eq!((o.reltol, o.abstol, o.vntol, o.chgtol, o.trtol, o.gmin), (1e-4, 1e-9, 2e-6, 1e-15, 5.0, 1e-13));
    assert_eq!((o.itl1, o.itl4, o.method, o.tnom, o.num_threads), (200, 20, Method::Gear, 25.0, 4));
    assert_eq!(o.other, vec![("acct".to_string(), String::new()), ("post".to_string(), "2".to_string())]);
    assert_eq!(c.temp, 85.0);
    assert_eq!(c.nodesets, vec![(1, 0.5), (2, 0.2)]);
    assert_eq!(c.ics, vec![(2, 0.1)]);
    assert_eq!(c.saves, vec!["v(a)", "i(v1)", "v(b)"]);
    // `.meas` cards are parsed and carried into the circuit (evaluated by the solver).
    assert_eq!(c.measures.len(), 1);
    assert_eq!(c.measures[0].name, "x");
    assert!(!c.warnings.iter().any(|w| w.contains(".meas")), "{:?}", c.warnings);
    assert!(c.warnings.iter().any(|w| w.contains(".control")), "{:?}", c.warnings);
    let deck = parse_str(text, "t.cir".as_ref(), &MemLoader::new()).unwrap_or_else(|e| panic!("{e}"));
    let opts = ElabOptions { temp: Some(-40.0), ..Default::default() };
    assert_eq!(elaborate(&deck, &opts).map(|c| c.temp).ok(), Some(-40.0));
    let text = c.to_string();
    for want in ["title: t", "r1", "resistor a b r=1", "nodeset: v(a)=500m", "method=gear", "warnings"] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
}

#[test]
fn if_elseif_else_selects_a_branch() {
    let c = ckt("t\n.param sel=2\n.if (sel == 1)\nR1 a 0 1\n.elseif (sel = 2)\n.if (sel > 5)\nR1 a 0 5\n.else\nR1 a 0 2\n.endif\n.else\nR1 a 0 3\n.endif\n");
    assert_eq!(r_of(&c, "r1"), 2.0);
}

#[test]
fn temper_in_model_parameters() {
    let c = ckt("t\n.model dt d is='1e-12*temper'\nD1 a 0 dt\n.temp 50\n");
    assert!(close(c.models[0].param("is").unwrap_or(0.0), 50e-12));
}

#[test]
fn set_param_reevaluates_dependents_through_params_into_instances_and_models() {
    let mut c = ckt("t\n.param wn=1u wp='2*wn' vt=0.4 vtp='-vt' rl=10k\n\
        .model nch nmos level=1 vto={vt}\n.model pch pmos level=1 vto={vtp} kp=50u\n\
        X1 out in vdd inv wn={wn*2}\nM9 a b 0 0 nch w=1u\nRL out 0 {rl}\nV1 vdd 0 1.8\n\
        .subckt inv out in vdd wn=1u\nMN out in 0 0 nch w={wn} l=1u\nMP out in vdd vdd pch w={wp} l=1u\n.ends\n");
    assert_eq!(geom(&c, "x1.mn").w, 2e-6);
    assert_eq!(geom(&c, "x1.mp").w, 2e-6);
    let (mn, mp, rl) = (c.element("x1.mn"), c.element("x1.mp"), c.element("rl"));
    let (nch, pch) = (c.model("nch"), c.model("pch"));
    let before = c.elements.clone();

    let changed = c.set_param("WN", 3e-6).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(geom(&c, "x1.mn").w, 6e-6);
    assert_eq!(geom(&c, "x1.mp").w, 6e-6);
    assert!(geom(&c, "x1.mn").w_given);
    assert_eq!(c.param("wp"), Some(6e-6));
    assert_eq!(c.param("x1.wn"), Some(6e-6));
    let mut want = vec![Target::Element(mn.unwrap_or(0)), Target::Element(mp.unwrap_or(0))];
    want.sort();
    assert_eq!(changed, want);
    for (i, (a, b)) in before.iter().zip(&c.elements).enumerate() {
        if Some(i) != mn && Some(i) != mp {
            assert_eq!(a, b, "{} changed", a.name);
        }
    }

    let changed = c.set_param("vt", 0.5).unwrap_or_else(|e| panic!("{e}"));
    let mut want = vec![Target::Model(nch.unwrap_or(0)), Target::Model(pch.unwrap_or(0))];
    want.sort();
    assert_eq!(changed, want);
    assert_eq!(c.models[nch.unwrap_or(0)].param("vto"), Some(0.5));
    assert_eq!(c.models[pch.unwrap_or(0)].param("vto"), Some(-0.5));
    assert_eq!(c.models[pch.unwrap_or(0)].param("kp"), Some(50e-6));

    assert_eq!(c.set_param("rl", 20e3).ok(), Some(vec![Target::Element(rl.unwrap_or(0))]));
    assert_eq!(r_of(&c, "rl"), 20e3);
    assert!(c.set_param("rl", 0.0).is_err());
    assert_eq!(r_of(&c, "rl"), 20e3, "a failed update leaves the numbers alone");
    assert_eq!(c.param("rl"), Some(20e3), "and the parameter");
    assert!(matches!(c.set_param("nosuch", 1.0), Err(Error::UnknownParam(_))));
    // Re-sizing gives the same circuit as elaborating the edited deck.
    let mut fresh = ckt("t\nR1 a 0 {r}\n.param r=1k\n");
    fresh.set_param("r", 2e3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r_of(&fresh, "r1"), 2e3);
}

#[test]
fn set_temper_updates_temperature_dependent_numbers() {
    let mut c = ckt("t\nR1 a 0 1k tc1=1m\n.model dt d is='1e-12*temper'\nD1 a 0 dt\n");
    assert_eq!(r_of(&c, "r1"), 1e3);
    let changed = c.set_param("temper", 127.0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(close(r_of(&c, "r1"), 1.1e3));
    assert!(close(c.models[0].param("is").unwrap_or(0.0), 127e-12));
    assert_eq!(c.temp, 127.0);
}

#[test]
fn elaboration_errors_name_element_and_parameter() {
    let e = elab_err("t\nM1 d g 0 0 nomodel\n");
    assert!(e.to_string().contains("m1") && e.to_string().contains("unknown model 'nomodel'"), "{e}");
    let e = elab_err("t\n.model nch nmos level=1\nM1 d g 0 0 nch w={wx}\n");
    let msg = e.to_string();
    assert!(msg.contains("m1, parameter 'w': undefined parameter 'wx'") && msg.contains("t.cir:3:"), "{msg}");
    let e = elab_err("t\nR1 a 0 1\nR1 b 0 1\n");
    assert!(e.to_string().contains("duplicate"), "{e}");
    let e = elab_err("t\n.model dm d\nM1 d g 0 0 dm\n");
    assert!(e.to_string().contains("nmos or pmos"), "{e}");
    let e = elab_err("t\nQ1 c b e npn\n");
    assert!(e.to_string().contains("q1") && e.to_string().contains("not supported"), "{e}");
}

#[test]
fn ngspice_expression_tests_match_their_gold_values() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/cases/ngspice-tests/regression/parser/xpressn-1.cir");
    if !path.exists() {
        println!("skipped: {} is absent", path.display());
        return;
    }
    let c = load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut n = 0;
    for e in &c.elements {
        if let Some(stem) = e.name.strip_suffix("_t") {
            let gold = src(&c, &format!("{stem}_g")).dc;
            let got = src(&c, &e.name).dc;
            assert!((got - gold).abs() <= 1e-9 * gold.abs().max(1.0), "{}: {got} != {gold}", e.name);
            n += 1;
        }
    }
    assert_eq!(n, 118);
}

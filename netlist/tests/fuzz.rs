//! Acceptance check 3: random and mutated decks never panic; parse and elaborate return `Result`.

use insitu_netlist::{elaborate, parse_str, Circuit, ElabOptions, Loader, MemLoader};
use proptest::prelude::*;

const FALLBACK: &str = "two-stage op-amp (fallback when ../shared/cases is absent)\n\
.model nmos1 nmos level=1 vto=0.45 kp=280u gamma=0.4 phi=0.8 lambda=0.1\n\
+ tox=4n cgso=0.3n cgdo=0.3n cj=1m mj=0.5 cjsw=0.2n mjsw=0.33 pb=0.8\n\
.model pmos1 pmos level=1 vto=-0.45 kp=70u\n\
.param wn=10u rz={1.5k*2}\n\
.subckt inv a y vdd params: w=1u\nMN y a 0 0 nmos1 W={w} L=1u\nMP y a vdd vdd pmos1 W={2*w} L=1u\n.ends\n\
VDD vdd 0 DC 1.8\nIBIAS vdd nb DC 20u\nM8 nb nb 0 0 nmos1 W=4u L=1u AD=8p AS=8p PD=12u PS=12u\n\
M1 d1 inm tail 0 nmos1 W={wn} L=1u\nX1 d1 out vdd inv w=2u\nRZ d2 cz {rz}\nCC cz out 2.5p\n\
VINP inp 0 DC 0.9 AC 1 PULSE(0.9 0.9001 100n 1n 1n 400n 2u)\nE1 a 0 b 0 2\nF1 c 0 vdd 3\n\
.nodeset v(out)=0.9\n.op\n.ac dec 20 1 1G\n.tran 1n 1u\n.end\n";

fn opamp_text() -> (String, String) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cases/opamp");
    let deck = std::fs::read_to_string(dir.join("opamp_opactran_ns.cir"));
    let inc = std::fs::read_to_string(dir.join("opamp_core.inc"));
    match (deck, inc) {
        (Ok(d), Ok(i)) => (d, i),
        _ => {
            println!("note: ../shared/cases absent, fuzzing a built-in deck");
            (FALLBACK.to_string(), String::new())
        }
    }
}

fn run(text: &str, loader: &dyn Loader) {
    if let Ok(deck) = parse_str(text, "fuzz.cir".as_ref(), loader) {
        if let Ok(mut c) = elaborate(&deck, &ElabOptions::default()) {
            exercise(&mut c);
        }
    }
}

/// Uses what a caller would: display, frequency grids, set_param on every global.
fn exercise(c: &mut Circuit) {
    let _ = c.to_string();
    for a in &c.analyses {
        if let insitu_netlist::Analysis::Ac { grid } = a {
            if grid.points < 10_000 && grid.fstop / grid.fstart.max(1e-300) < 1e30 {
                let _ = grid.frequencies();
            }
        }
    }
    let names: Vec<String> = c.params.globals().map(|(n, _)| n.to_string()).collect();
    for n in names {
        let _ = c.set_param(&n, 2.5);
        let _ = c.set_param(&n, 0.0);
    }
}

#[derive(Debug, Clone)]
enum Edit {
    DeleteChar(usize),
    InsertChar(usize, char),
    DuplicateChar(usize),
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let chars = prop::sample::select(vec![
        '(', ')', '{', '}', '\'', '"', '=', ',', '+', '-', '*', '/', '^', '?', ':', '.', ' ', '\n', ';', '$', '0', '1',
        '9', 'k', 'm', 'u', 'e', 'x', 'v', 'X', 'M', 'R', 'é',
    ]);
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteChar),
        (any::<usize>(), chars).prop_map(|(i, c)| Edit::InsertChar(i, c)),
        any::<usize>().prop_map(Edit::DuplicateChar),
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        match *e {
            Edit::DeleteChar(i) if !chars.is_empty() => {
                chars.remove(i % chars.len());
            }
            Edit::InsertChar(i, c) => chars.insert(i % (chars.len() + 1), c),
            Edit::DuplicateChar(i) if !chars.is_empty() => {
                let i = i % chars.len();
                chars.insert(i, chars[i]);
            }
            Edit::DeleteLine(_) | Edit::DuplicateLine(_) | Edit::SwapLines(..) => {
                let s: String = chars.iter().collect();
                let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
                if lines.is_empty() {
                    continue;
                }
                let n = lines.len();
                match *e {
                    Edit::DeleteLine(i) => {
                        lines.remove(i % n);
                    }
                    Edit::DuplicateLine(i) => {
                        let l = lines[i % n].clone();
                        lines.insert(i % n, l);
                    }
                    Edit::SwapLines(a, b) => lines.swap(a % n, b % n),
                    _ => {}
                }
                chars = lines.join("\n").chars().collect();
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_opamp_deck_never_panics(edits in prop::collection::vec(edit(), 1..12), in_include in any::<bool>()) {
        let (deck, inc) = opamp_text();
        if in_include && !inc.is_empty() {
            let loader = MemLoader::new().with("opamp_core.inc", apply(&inc, &edits));
            run(&deck, &loader);
        } else {
            let loader = MemLoader::new().with("opamp_core.inc", inc);
            run(&apply(&deck, &edits), &loader);
        }
    }

    #[test]
    fn random_text_never_panics(text in "[ -~\\n]{0,300}") {
        run(&format!("title\n{text}"), &MemLoader::new());
    }

    #[test]
    fn random_cards_never_panic(lines in prop::collection::vec(prop::sample::select(vec![
        "R1 a b {p*2}", "C1 b 0 1p", ".param p=1k", ".param p='q+1' q=p", "X1 a b s w=2", ".subckt s x y w=1",
        ".ends", "M1 a b 0 0 n w={w}", ".model n nmos level=1 vto={p}", ".model n nmos level=8", "V1 a 0 pulse(0 1)",
        ".if (p > 1)", ".else", ".endif", ".lib x", ".endl", ".include self.cir", ".lib 'self.cir' x", "+ m=2",
        ".ac dec 10 1 1k", ".dc v1 0 1 0.1", ".tran 1n 1u", ".noise v(a) v1 dec 1 1 10", "F1 a 0 v1 2", "K1 l1 l2 1",
        ".func f(x) = f(x)", ".func g(x) = x*x", "R2 a 0 {g(g(g(p)))}", ".control", ".endc", ".end", "X2 a b s",
    ]), 0..25)) {
        let text = format!("t\n{}\n", lines.join("\n"));
        let loader = MemLoader::new().with("self.cir", text.clone());
        run(&text, &loader);
    }
}

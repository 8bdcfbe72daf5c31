//! The readers reproduce the benchmark facts of the reference (block counts, areas, nets, pins,
//! pads, pad-ring boxes), and YAL and bookshelf agree on blocks, pads and pin positions.

mod common;

use insitu_placement::bench::{data_dir, load};
use insitu_placement::bookshelf::Bookshelf;
use insitu_placement::yal::read_yal;
use insitu_placement::PinAt;

/// (bench, blocks, nets, pins, pads, total block area, pad-ring box).
type Fact = (&'static str, usize, usize, usize, usize, f64, (f64, f64));
const FACTS: [Fact; 5] = [
    ("apte", 9, 97, 287, 73, 46_561_628.0, (10500.0, 10500.0)),
    ("xerox", 10, 203, 698, 2, 19_350_296.0, (5831.0, 6412.0)),
    ("hp", 11, 83, 309, 45, 8_830_584.0, (4928.0, 4200.0)),
    ("ami33", 33, 123, 520, 42, 1_156_449.0, (2058.0, 1463.0)),
    ("ami49", 49, 408, 953, 22, 35_445_424.0, (7672.0, 7840.0)),
];

#[test]
fn benchmark_facts() {
    if !common::have_data() {
        return;
    }
    for (name, blocks, nets, pins, pads, area, ring) in FACTS {
        let shelf = Bookshelf::read(&data_dir().join(format!("bookshelf_soft/{name}.blocks"))).unwrap();
        assert_eq!(shelf.blocks.len(), blocks, "{name} blocks");
        assert_eq!(shelf.nets.len(), nets, "{name} nets");
        assert_eq!(shelf.pin_count(), pins, "{name} pins");
        assert_eq!(shelf.pads.len(), pads, "{name} pads");
        let d = load(name).unwrap();
        assert_eq!(d.n(), blocks);
        assert_eq!(d.block_area(), area, "{name} area");
        assert_eq!(d.outline, ring, "{name} outline");
        // Every pad lies on the boundary of the pad-ring box.
        for p in &d.pads {
            let on_edge = p.x == 0.0 || p.y == 0.0 || p.x == ring.0 || p.y == ring.1;
            assert!(on_edge, "{name}: pad {} at ({}, {}) is not on the ring", p.name, p.x, p.y);
        }
    }
}

#[test]
fn ami33_quirks() {
    if !common::have_data() {
        return;
    }
    let shelf = Bookshelf::read(&data_dir().join("bookshelf_soft/ami33.blocks")).unwrap();
    assert_eq!(shelf.header_pins, Some(522));
    assert_eq!(shelf.pin_count(), 520);
    let distinct: std::collections::BTreeSet<&String> = shelf.terminals.iter().collect();
    assert_eq!((shelf.terminals.len(), distinct.len()), (42, 40), "42 pads under 40 names");
    let d = load("ami33").unwrap();
    // A net naming POW touches both POW pads.
    let pow: Vec<usize> = d.pads.iter().enumerate().filter(|p| p.1.name == "POW").map(|p| p.0).collect();
    assert_eq!(pow.len(), 2);
    let net = d.nets.iter().find(|n| n.pins.iter().any(|p| p.at == PinAt::Pad(pow[0]))).unwrap();
    assert!(net.pins.iter().any(|p| p.at == PinAt::Pad(pow[1])));
}

/// YAL and bookshelf describe the same blocks and pads; every bookshelf pin offset is a YAL pin
/// of the same block truncated to 0.1 % (so within 0.1 % of w or h).
#[test]
fn yal_and_bookshelf_agree() {
    if !common::have_data() {
        return;
    }
    for (name, ..) in FACTS {
        let yal = read_yal(&data_dir().join(format!("yal/{name}.yal"))).unwrap();
        let shelf = load(name).unwrap();
        assert_eq!(yal.outline, shelf.outline);
        let mut a: Vec<_> = yal.pads.iter().map(|p| (p.name.clone(), p.x as i64, p.y as i64)).collect();
        let mut b: Vec<_> = shelf.pads.iter().map(|p| (p.name.clone(), p.x as i64, p.y as i64)).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{name} pads");
        for blk in &shelf.blocks {
            let y = yal.blocks.iter().find(|b| b.name == blk.name).unwrap();
            assert_eq!((y.w, y.h), (blk.w, blk.h));
        }
        let yal_pins: Vec<(String, f64, f64)> = yal
            .nets
            .iter()
            .flat_map(|n| n.pins.iter())
            .filter_map(|p| p.offset(&yal.blocks).map(|(b, dx, dy)| (yal.blocks[b].name.clone(), dx, dy)))
            .collect();
        for net in &shelf.nets {
            for p in &net.pins {
                if let Some((b, dx, dy)) = p.offset(&shelf.blocks) {
                    let blk = &shelf.blocks[b];
                    let ok = yal_pins.iter().any(|(n, x, y)| {
                        n == &blk.name
                            && (x - dx).abs() <= 0.001 * blk.w + 1e-9
                            && (y - dy).abs() <= 0.001 * blk.h + 1e-9
                    });
                    assert!(ok, "{name}: net {} pin on {} at ({dx}, {dy}) has no YAL pin", net.name, blk.name);
                }
            }
        }
    }
}

#[test]
fn bad_input_names_file_and_line() {
    let dir = std::env::temp_dir().join(format!("insitu-place-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("t.blocks"),
        "UCSC blocks 1.0\nNumTerminals : 0\na hardrectilinear 4 (0, 0) (0, 2) (3, 2) (3, 0)\n",
    )
    .unwrap();
    std::fs::write(dir.join("t.nets"), "UCLA nets 1.0\nNumNets : 1\nNetDegree : 2\na B : %0.0 %0.0\nzz B\n").unwrap();
    std::fs::write(dir.join("t.pl"), "UCLA pl 1.0\n").unwrap();
    let e = load(dir.join("t.blocks").to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("t.nets:5") && e.contains("unknown node `zz`"), "{e}");
    std::fs::write(dir.join("t.nets"), "UCLA nets 1.0\nNetDegree : 2\na B : %0.0 %x\n").unwrap();
    let e = load(dir.join("t.blocks").to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("t.nets:3") && e.contains("y offset"), "{e}");
    std::fs::write(dir.join("t.yal"), "MODULE a;\n TYPE GENERAL;\n DIMENSIONS 0 0 1 0 1 q 0 1;\nENDMODULE;\n").unwrap();
    let e = read_yal(&dir.join("t.yal")).unwrap_err().to_string();
    assert!(e.contains("t.yal:3") && e.contains("DIMENSIONS y"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

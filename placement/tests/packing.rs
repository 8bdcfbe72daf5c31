//! Sequence-pair packing, HPWL and the LP placement, checked against definitions and hand
//! computations.

mod common;

use insitu_placement::bench::load;
use insitu_placement::hpwl::hpwl;
use insitu_placement::lp::{place, place_packed};
use insitu_placement::seqpair::{overlaps, pack, pack_reference, Relation};
use insitu_placement::{Block, Design, Net, Pad, Pin, SeqPair};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_design(n: usize, rng: &mut impl Rng) -> Design {
    let blocks = (0..n)
        .map(|i| Block::new(&format!("b{i}"), rng.random_range(1..20) as f64, rng.random_range(1..20) as f64))
        .collect();
    Design { name: "random".into(), blocks, pads: vec![], nets: vec![], outline: (1e9, 1e9) }
}

/// The O(n log n) packer equals the O(n^2) definition on random pairs (integer sizes, so the
/// coordinates are exact), and packings never overlap.
#[test]
fn packers_agree_and_never_overlap() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for case in 0..400 {
        let n = 1 + case % 40;
        let d = random_design(n, &mut rng);
        let sp = SeqPair::random(n, &mut rng);
        let fast = pack(&d, &sp);
        let slow = pack_reference(&d, &sp);
        assert_eq!(fast, slow, "case {case}: {sp:?}");
        assert_eq!(overlaps(&d, &fast.x, &fast.y, 0.0), None, "case {case}");
        // Every relation of the pair holds in the packing.
        let pos = sp.positions();
        for a in 0..n {
            for b in 0..n {
                match SeqPair::relation(&pos, a, b) {
                    Relation::Left if a != b => assert!(fast.x[a] + d.blocks[a].w <= fast.x[b]),
                    Relation::Below if a != b => assert!(fast.y[a] + d.blocks[a].h <= fast.y[b]),
                    _ => {}
                }
            }
        }
    }
}

/// On the MCNC blocks too (real sizes), both packers agree.
#[test]
fn packers_agree_on_mcnc() {
    if !common::have_data() {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(12345);
    for b in insitu_placement::bench::BENCHES {
        let d = load(b).unwrap();
        for _ in 0..50 {
            let sp = SeqPair::random(d.n(), &mut rng);
            assert_eq!(pack(&d, &sp), pack_reference(&d, &sp), "{b}");
        }
    }
}

/// Three blocks, one pad, two nets; sequence pair (abc, bac): a left of c, b left of c, a above b.
#[test]
fn hand_computed_packing_and_hpwl() {
    let d = Design {
        name: "hand".into(),
        blocks: vec![Block::new("a", 4.0, 2.0), Block::new("b", 3.0, 3.0), Block::new("c", 2.0, 6.0)],
        pads: vec![Pad { name: "p".into(), x: 10.0, y: 0.0 }],
        nets: vec![
            // a's top-left corner, c's centre, the pad
            Net { name: "n1".into(), pins: vec![Pin::on_block(0, 0.0, 2.0), Pin::centre(2), Pin::pad(0)] },
            // b's centre and a's centre
            Net { name: "n2".into(), pins: vec![Pin::centre(1), Pin::centre(0)] },
            // a single pin does not count
            Net { name: "n3".into(), pins: vec![Pin::centre(1)] },
        ],
        outline: (6.0, 6.0),
    };
    let sp = SeqPair { s1: vec![0, 1, 2], s2: vec![1, 0, 2] };
    let p = pack(&d, &sp);
    // b at (0,0); a on top of b at (0,3); c right of both at x = max(4, 3) = 4.
    assert_eq!((p.x.clone(), p.y.clone()), (vec![0.0, 0.0, 4.0], vec![3.0, 0.0, 0.0]));
    assert_eq!((p.width, p.height), (6.0, 6.0));
    // n1: pins (0, 5), (5, 3), (10, 0): 10 + 5 = 15. n2: (1.5, 1.5), (2, 4): 0.5 + 2.5 = 3.
    assert_eq!(hpwl(&d, &p.x, &p.y), 18.0);
    // The LP keeps the relations inside the 6 x 6 outline. x: a + 4 <= c, b + 3 <= c, c <= 4
    // force x_c = 4, x_a = 0, x_b in [0, 1]; n1 spans 0..10 (10), n2 is |x_b + 1.5 - 2|, zero at
    // x_b = 0.5. y: y_c = 0, y_b + 3 <= y_a <= 4; n1 spans 0..max(y_a + 2, 3) = y_a + 2 >= 5, n2
    // is y_a + 1 - (y_b + 1.5) >= 2.5; both least at y_a = 3, y_b = 0. HPWL 10 + 5 + 2.5 = 17.5.
    let lp = place(&d, &sp).expect("fits");
    assert!((lp.hpwl - 17.5).abs() < 1e-9, "{}", lp.hpwl);
    assert!((lp.x[1] - 0.5).abs() < 1e-9 && lp.x[0].abs() < 1e-9 && (lp.y[0] - 3.0).abs() < 1e-9);
    assert!((hpwl(&d, &lp.x, &lp.y) - lp.hpwl).abs() < 1e-9);
    assert_eq!(overlaps(&d, &lp.x, &lp.y, 1e-9), None);
    // A pair that does not fit: all in a row is 9 wide.
    assert!(place(&d, &SeqPair::identity(3)).is_none());
}

/// On MCNC pairs that fit the pad-ring outline, the LP placement stays inside it, never overlaps,
/// keeps the pair's relations, and never has a larger HPWL than the packing it started from.
#[test]
fn lp_placement_is_legal_and_better() {
    if !common::have_data() {
        return;
    }
    let d = load("ami33").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..3 {
        let sp = insitu_placement::repair::random_feasible(&d, &mut rng, 10).expect("repairable");
        let p = pack(&d, &sp);
        assert!(d.fits(&p));
        let lp = place_packed(&d, &sp, &p);
        assert!(lp.hpwl <= hpwl(&d, &p.x, &p.y) + 1e-6);
        assert_eq!(overlaps(&d, &lp.x, &lp.y, 1e-6), None);
        let pos = sp.positions();
        for a in 0..d.n() {
            let b = &d.blocks[a];
            assert!(lp.x[a] >= -1e-9 && lp.x[a] + b.w <= d.outline.0 + 1e-6);
            assert!(lp.y[a] >= -1e-9 && lp.y[a] + b.h <= d.outline.1 + 1e-6);
            for c in 0..d.n() {
                if a != c && SeqPair::relation(&pos, a, c) == Relation::Left {
                    assert!(lp.x[a] + b.w <= lp.x[c] + 1e-6);
                }
            }
        }
    }
}

/// The min-cost-flow dual and the simplex reach the same LP optimum on MCNC pairs that fit.
#[test]
fn flow_and_simplex_agree() {
    use insitu_placement::lp::{place_packed_with, LpSolver};
    if !common::have_data() {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for b in ["apte", "hp", "ami33"] {
        let d = load(b).unwrap();
        for _ in 0..2 {
            let sp = insitu_placement::repair::random_feasible(&d, &mut rng, 10).expect("repairable");
            let p = pack(&d, &sp);
            let flow = place_packed_with(&d, &sp, &p, LpSolver::Flow);
            let simplex = place_packed_with(&d, &sp, &p, LpSolver::Simplex);
            assert!(
                (flow.hpwl - simplex.hpwl).abs() <= 1e-6 * simplex.hpwl,
                "{b}: flow {} simplex {}",
                flow.hpwl,
                simplex.hpwl
            );
            assert!(flow.hpwl < hpwl(&d, &p.x, &p.y), "{b}: the LP improves on the packing");
            assert_eq!(overlaps(&d, &flow.x, &flow.y, 1e-6), None);
        }
    }
}

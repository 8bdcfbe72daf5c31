//! The LP that places blocks under a sequence pair's relative positions, minimizing HPWL inside
//! the outline.
//!
//! HPWL separates into x and y, so each axis is one LP: variables are the blocks' lower-left
//! coordinates `x_i` in `[0, W - w_i]` and each net's span `[lo_e, hi_e]`; a pin at `x_i + dx`
//! must lie inside its net's span (pads fold into `lo_e <= min pad`, `hi_e >= max pad`); for
//! each edge of the transitive reduction of "left of" (resp. "below"), `x_a + w_a <= x_b`;
//! the objective is the sum of `hi_e - lo_e`. Every constraint is a difference of two variables
//! (or a bound), so the LP is the dual of a min-cost flow: [`LpSolver::Flow`] solves it exactly
//! that way ([`crate::flow`], one shortest-path augmentation per net; about 5x faster than the
//! simplex on ami49, which is what makes 830 LP evaluations per run affordable).
//! [`LpSolver::Simplex`] states the same LP to `microlp` through `good_lp` (pure-Rust sparse
//! simplex, no system library) and is the cross-check in the tests. If the pair does not fit
//! the outline the LP is infeasible and [`place`] returns `None`.

use crate::design::{Design, PinAt};
use crate::hpwl::hpwl;
use crate::seqpair::{constraint_edges, pack, Packing, SeqPair};
use good_lp::{microlp, variable, Expression, ProblemVariables, Solution, SolverModel, Variable};

/// A placement: block lower-left corners and its HPWL.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub hpwl: f64,
}

/// Which solver places the blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LpSolver {
    /// The min-cost-flow dual ([`crate::flow`]); the default.
    Flow,
    /// `microlp`'s simplex through `good_lp` (reference).
    Simplex,
}

/// The net spans of one axis: for each net with a block pin, the block pins `(block, offset)` and
/// the pads' `(min, max)` coordinate if any.
#[allow(clippy::type_complexity)]
fn net_spans(design: &Design, horizontal: bool) -> Vec<(Vec<(usize, f64)>, Option<(f64, f64)>)> {
    let mut out = Vec::with_capacity(design.nets.len());
    for net in &design.nets {
        if net.pins.len() < 2 {
            continue;
        }
        let (mut pmin, mut pmax) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut block_pins = Vec::new();
        for p in &net.pins {
            match p.at {
                PinAt::Pad(i) => {
                    let v = if horizontal { design.pads[i].x } else { design.pads[i].y };
                    pmin = pmin.min(v);
                    pmax = pmax.max(v);
                }
                PinAt::Block { .. } => {
                    let (b, dx, dy) = p.offset(&design.blocks).expect("block pin");
                    block_pins.push((b, if horizontal { dx } else { dy }));
                }
            }
        }
        if !block_pins.is_empty() {
            out.push((block_pins, pmin.is_finite().then_some((pmin, pmax))));
        }
    }
    out
}

fn solve_axis_flow(design: &Design, horizontal: bool, edges: &[(usize, usize)], extent: f64) -> Option<Vec<f64>> {
    let n = design.n();
    let size = |b: usize| if horizontal { design.blocks[b].w } else { design.blocks[b].h };
    let spans = net_spans(design, horizontal);
    // Nodes: 0 ground, 1..=n blocks, then (lo, hi) per net. Edge (u, v, w): p_v - p_u <= w.
    let nodes = 1 + n + 2 * spans.len();
    let mut e = Vec::with_capacity(2 * n + edges.len() + 4 * spans.len() + design.pin_count() * 2);
    let mut supply = vec![0i64; nodes];
    for b in 0..n {
        e.push((1 + b, 0, 0.0)); // x_b >= 0
        e.push((0, 1 + b, (extent - size(b)).max(0.0))); // x_b <= W - w_b
    }
    for &(a, b) in edges {
        e.push((1 + b, 1 + a, -size(a))); // x_a + w_a <= x_b
    }
    for (k, (pins, pads)) in spans.iter().enumerate() {
        let (lo, hi) = (1 + n + 2 * k, 2 + n + 2 * k);
        supply[hi] = 1;
        supply[lo] = -1;
        for &(b, d) in pins {
            e.push((1 + b, lo, d)); // lo <= x_b + d
            e.push((hi, 1 + b, -d)); // hi >= x_b + d
        }
        if let Some((pmin, pmax)) = pads {
            e.push((0, lo, *pmin));
            e.push((hi, 0, -pmax));
        }
    }
    let p = crate::flow::solve(nodes, &e, &supply)?;
    Some((0..n).map(|b| p[1 + b].clamp(0.0, (extent - size(b)).max(0.0))).collect())
}

fn solve_axis_simplex(design: &Design, horizontal: bool, edges: &[(usize, usize)], extent: f64) -> Option<Vec<f64>> {
    let n = design.n();
    let size = |b: usize| if horizontal { design.blocks[b].w } else { design.blocks[b].h };
    let mut vars = ProblemVariables::new();
    let xs: Vec<Variable> = (0..n).map(|b| vars.add(variable().min(0.0).max((extent - size(b)).max(0.0)))).collect();
    let mut cons = Vec::new();
    let spans = net_spans(design, horizontal);
    let mut objective = Expression::with_capacity(2 * spans.len());
    // Nets of pads only are a constant (added back by `hpwl`); `net_spans` leaves them out.
    for (block_pins, pads) in spans {
        let lo = vars.add(variable());
        let hi = vars.add(variable());
        objective += hi - lo;
        if let Some((pmin, pmax)) = pads {
            cons.push(Expression::from(lo).leq(pmin));
            cons.push(Expression::from(hi).geq(pmax));
        }
        for (b, d) in block_pins {
            cons.push(Expression::from(lo).leq(xs[b] + d));
            cons.push(Expression::from(hi).geq(xs[b] + d));
        }
    }
    for &(a, b) in edges {
        cons.push((xs[a] + size(a)).leq(xs[b]));
    }
    let mut model = vars.minimise(objective).using(microlp);
    for c in cons {
        model.add_constraint(c);
    }
    let sol = model.solve().ok()?;
    Some(xs.iter().enumerate().map(|(b, &v)| sol.value(v).clamp(0.0, (extent - size(b)).max(0.0))).collect())
}

/// Places the pair by the LP; `None` if the pair does not fit the outline.
pub fn place(design: &Design, sp: &SeqPair) -> Option<Placement> {
    let packing = pack(design, sp);
    if !design.fits(&packing) {
        return None;
    }
    Some(place_packed(design, sp, &packing))
}

/// [`place_packed_with`] the min-cost-flow solver.
pub fn place_packed(design: &Design, sp: &SeqPair, packing: &Packing) -> Placement {
    place_packed_with(design, sp, packing, LpSolver::Flow)
}

/// Places a pair whose packing fits the outline with the given solver. Falls back to the packing itself if the solver
/// fails (it has not in our runs), so the result is always a legal placement.
pub fn place_packed_with(design: &Design, sp: &SeqPair, packing: &Packing, solver: LpSolver) -> Placement {
    let (left, below) = constraint_edges(sp);
    let solve = match solver {
        LpSolver::Flow => solve_axis_flow,
        LpSolver::Simplex => solve_axis_simplex,
    };
    let xs = solve(design, true, &left, design.outline.0);
    let ys = solve(design, false, &below, design.outline.1);
    let (x, y) = match (xs, ys) {
        (Some(x), Some(y)) => (x, y),
        _ => (packing.x.clone(), packing.y.clone()),
    };
    let h = hpwl(design, &x, &y);
    let packed = hpwl(design, &packing.x, &packing.y);
    // The LP optimum is never worse than the packing (a feasible point of the same LP); keep
    // the packing if round-off made it so.
    if h <= packed {
        Placement { x, y, hpwl: h }
    } else {
        Placement { x: packing.x.clone(), y: packing.y.clone(), hpwl: packed }
    }
}

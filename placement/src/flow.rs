//! LPs over difference constraints, solved exactly through their min-cost-flow dual.
//!
//! Primal: minimize `sum_v b_v p_v` subject to `p_v - p_u <= w_uv` for every edge `(u, v, w)`,
//! with `p_0 = 0` (node 0 is the ground) and integer `b` summing to zero. Its dual is the
//! uncapacitated min-cost flow `min sum w_uv f_uv`, `out(v) - in(v) = b_v`, `f >= 0`. We route
//! the flow by successive shortest paths (Dijkstra on reduced costs, potentials from an initial
//! Bellman-Ford) and read the optimal `p` back as shortest distances from the ground in the
//! final residual graph: forward arcs give feasibility, reverse arcs of arcs carrying flow give
//! complementary slackness. The HPWL LP of [`crate::lp`] has this form with `b = +1` at each
//! net's upper end and `-1` at its lower end, so it needs one augmentation per net.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

const INF_CAP: i64 = i64::MAX / 4;

struct Arc {
    to: usize,
    cost: f64,
    cap: i64,
}

#[derive(PartialEq)]
struct Item(f64, usize);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}

/// Solves the difference-constraint LP described in the module doc over `nodes` nodes.
/// Returns the optimal `p` (with `p[0] = 0`), or `None` if the constraints are infeasible
/// (a negative cycle) or the LP is unbounded (a supply cannot reach a demand).
pub fn solve(nodes: usize, edges: &[(usize, usize, f64)], supply: &[i64]) -> Option<Vec<f64>> {
    let mut arcs: Vec<Arc> = Vec::with_capacity(2 * edges.len());
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for &(u, v, w) in edges {
        adj[u].push(arcs.len());
        arcs.push(Arc { to: v, cost: w, cap: INF_CAP });
        adj[v].push(arcs.len());
        arcs.push(Arc { to: u, cost: -w, cap: 0 });
    }
    // Potentials: shortest distances from a virtual source joined to every node at cost 0
    // (Bellman-Ford sweeps; more than `nodes` sweeps means a negative cycle).
    let mut pot = vec![0.0; nodes];
    let mut changed = true;
    let mut rounds = 0;
    while changed {
        changed = false;
        rounds += 1;
        if rounds > nodes + 1 {
            return None; // negative cycle: the constraints are infeasible
        }
        for u in 0..nodes {
            for &a in &adj[u] {
                let arc = &arcs[a];
                if arc.cap > 0 && pot[u] + arc.cost < pot[arc.to] - 1e-9 {
                    pot[arc.to] = pot[u] + arc.cost;
                    changed = true;
                }
            }
        }
    }
    let mut excess: Vec<i64> = supply.to_vec();
    let mut dist = vec![f64::INFINITY; nodes];
    let mut parent = vec![usize::MAX; nodes];
    let mut done = vec![false; nodes];
    let mut heap = BinaryHeap::new();
    while excess.iter().any(|&e| e > 0) {
        // Dijkstra on reduced costs from every node with excess, to the nearest demand.
        dist.iter_mut().for_each(|d| *d = f64::INFINITY);
        parent.iter_mut().for_each(|p| *p = usize::MAX);
        done.iter_mut().for_each(|d| *d = false);
        heap.clear();
        for v in 0..nodes {
            if excess[v] > 0 {
                dist[v] = 0.0;
                heap.push(Item(0.0, v));
            }
        }
        let mut target = None;
        while let Some(Item(d, u)) = heap.pop() {
            if done[u] || d > dist[u] {
                continue;
            }
            done[u] = true;
            if excess[u] < 0 {
                target = Some(u);
                break;
            }
            for &a in &adj[u] {
                let arc = &arcs[a];
                if arc.cap <= 0 {
                    continue;
                }
                let nd = d + (arc.cost + pot[u] - pot[arc.to]).max(0.0);
                if nd < dist[arc.to] {
                    dist[arc.to] = nd;
                    parent[arc.to] = a;
                    heap.push(Item(nd, arc.to));
                }
            }
        }
        let t = target?; // a supply cannot reach any demand: unbounded
        let dt = dist[t];
        for v in 0..nodes {
            pot[v] += if done[v] { dist[v] } else { dt };
        }
        // Bottleneck along the path, then augment.
        let mut amount = -excess[t];
        let mut v = t;
        while parent[v] != usize::MAX {
            let a = parent[v];
            amount = amount.min(arcs[a].cap);
            v = arcs[a ^ 1].to;
        }
        let s = v;
        amount = amount.min(excess[s]);
        let mut v = t;
        while parent[v] != usize::MAX {
            let a = parent[v];
            arcs[a].cap -= amount;
            arcs[a ^ 1].cap += amount;
            v = arcs[a ^ 1].to;
        }
        excess[s] -= amount;
        excess[t] += amount;
    }
    // p = shortest distances from the ground in the residual graph (Dijkstra on reduced costs).
    dist.iter_mut().for_each(|d| *d = f64::INFINITY);
    done.iter_mut().for_each(|d| *d = false);
    heap.clear();
    dist[0] = 0.0;
    heap.push(Item(0.0, 0));
    while let Some(Item(d, u)) = heap.pop() {
        if done[u] || d > dist[u] {
            continue;
        }
        done[u] = true;
        for &a in &adj[u] {
            let arc = &arcs[a];
            if arc.cap <= 0 {
                continue;
            }
            let nd = d + (arc.cost + pot[u] - pot[arc.to]).max(0.0);
            if nd < dist[arc.to] {
                dist[arc.to] = nd;
                heap.push(Item(nd, arc.to));
            }
        }
    }
    if done.iter().any(|d| !d) {
        return None;
    }
    Some((0..nodes).map(|v| dist[v] + pot[v] - pot[0]).collect())
}

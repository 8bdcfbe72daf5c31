//! Transient scope: which blocks of a circuit a transient computes.
//!
//! A circuit's unknowns fall into independent blocks: two unknowns share a block when a matrix
//! entry couples them (ground is the common reference, not a coupling). A testbench often holds
//! several copies of a design, one per analysis (an open-loop copy for the AC, a buffer for the
//! step response); a caller that reads only some signals of a transient can restrict it to the
//! blocks holding them with [`Simulator::set_transient_scope`]. The other blocks keep the values
//! the transient starts from (the operating point, or the `uic` initial conditions): their
//! devices are not loaded, Newton factors and solves the kept blocks' equations only (a
//! smaller LU), and their charges leave the truncation error test. The blocks computed see the same equations as in the whole circuit; only the
//! shared step control (Newton's convergence test, the truncation error) differs, by what
//! blocks at rest contribute to it: nothing, in exact arithmetic.

use crate::instances::Instances;
use crate::linear::{LinearSolver, Pivoting, Singular};
use crate::pattern::{Pattern, PatternBuilder, Slot};
use crate::simulator::same_bits;
use crate::{SimError, Simulator};
use insitu_netlist::{Circuit, ElementKind, NodeId};

/// Which instances of each kind a scoped transient leaves unloaded (`true`: held).
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub res: Vec<bool>,
    pub caps: Vec<bool>,
    pub inds: Vec<bool>,
    pub vsrc: Vec<bool>,
    pub isrc: Vec<bool>,
    pub vcvs: Vec<bool>,
    pub vccs: Vec<bool>,
    pub cccs: Vec<bool>,
    pub ccvs: Vec<bool>,
    pub diodes: Vec<bool>,
    pub mos1: Vec<bool>,
    pub bsim3: Vec<bool>,
    pub bsim3v3: Vec<bool>,
    /// The charge slots of the loaded devices (the truncation error test's).
    pub charge_slots: Vec<usize>,
    /// The kept blocks' equations.
    pub sub: SubSystem,
}

/// The equations of the kept unknowns: their rows and columns of the full matrix, with their
/// own LU (the held blocks share no entry with them).
#[derive(Debug, Clone)]
pub(crate) struct SubSystem {
    /// Full index of each kept unknown, in the subsystem's order.
    kept: Vec<usize>,
    /// (subsystem slot, full slot) of every entry.
    gather: Vec<(Slot, Slot)>,
    mat: Vec<f64>,
    rhs: Vec<f64>,
    lu: LinearSolver<f64>,
    /// The values `lu` holds the factors of, when `factored` (see `Work::factor`).
    lu_values: Vec<f64>,
    factored: bool,
}

impl SubSystem {
    fn new(p: &Pattern, kept_flag: &[bool]) -> SubSystem {
        let kept: Vec<usize> = (0..p.n).filter(|&k| kept_flag[k]).collect();
        let mut index = vec![usize::MAX; p.n];
        for (i, &k) in kept.iter().enumerate() {
            index[k] = i;
        }
        let mut pb = PatternBuilder::new(kept.len());
        let mut full = Vec::new();
        for &col in &kept {
            for slot in p.col_ptr[col]..p.col_ptr[col + 1] {
                let row = p.row_idx[slot];
                if row < p.n && kept_flag[row] {
                    pb.entry(index[row], index[col]);
                    full.push(slot);
                }
            }
        }
        let (sp, map) = pb.finish();
        let gather = full.iter().enumerate().map(|(k, &f)| (map[k], f)).collect();
        SubSystem {
            mat: vec![0.0; sp.nnz() + 1],
            rhs: vec![0.0; kept.len() + 1],
            lu: LinearSolver::for_pattern(&sp),
            lu_values: vec![0.0; sp.nnz() + 1],
            factored: false,
            kept,
            gather,
        }
    }

    /// Forgets the pivot plan and the last factorization (a transient's start).
    pub(crate) fn reset(&mut self, pivoting: Pivoting) {
        self.lu.reset_plan_with(pivoting);
        self.factored = false;
    }

    /// Solves the kept rows of the full system (`mat`, `rhs`) for the kept unknowns of `x`,
    /// leaving the others as they are. A singular pivot is named by its full unknown.
    pub(crate) fn solve(&mut self, mat: &[f64], rhs: &[f64], x: &mut [f64]) -> Result<(), Singular> {
        for &(d, f) in &self.gather {
            self.mat[d] = mat[f];
        }
        if !(self.factored && same_bits(&self.mat, &self.lu_values)) {
            self.factored = false;
            self.lu.factor(&self.mat).map_err(|Singular { unknown }| Singular { unknown: self.kept[unknown] })?;
            self.lu_values.copy_from_slice(&self.mat);
            self.factored = true;
        }
        for (r, &k) in self.rhs.iter_mut().zip(&self.kept) {
            *r = rhs[k];
        }
        self.lu.solve(&mut self.rhs);
        for (&r, &k) in self.rhs.iter().zip(&self.kept) {
            x[k] = r;
        }
        Ok(())
    }
}

/// Block number of each of the pattern's unknowns (union-find over its entries).
pub(crate) fn blocks(p: &Pattern) -> Vec<usize> {
    fn root(parent: &mut [usize], mut k: usize) -> usize {
        while parent[k] != k {
            parent[k] = parent[parent[k]];
            k = parent[k];
        }
        k
    }
    let mut parent: Vec<usize> = (0..p.n).collect();
    for col in 0..p.n {
        for &row in &p.row_idx[p.col_ptr[col]..p.col_ptr[col + 1]] {
            if row < p.n {
                let (a, b) = (root(&mut parent, row), root(&mut parent, col));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    (0..p.n).map(|k| root(&mut parent, k)).collect()
}

/// The circuit nodes an element connects (ground included).
fn element_nodes(kind: &ElementKind) -> Vec<NodeId> {
    use ElementKind as K;
    match *kind {
        K::Resistor { p, n, .. }
        | K::Capacitor { p, n, .. }
        | K::Inductor { p, n, .. }
        | K::VoltageSource { p, n, .. }
        | K::CurrentSource { p, n, .. }
        | K::Cccs { p, n, .. }
        | K::Ccvs { p, n, .. } => vec![p, n],
        K::Vcvs { p, n, cp, cn, .. } | K::Vccs { p, n, cp, cn, .. } => vec![p, n, cp, cn],
        K::Diode { a, c, .. } => vec![a, c],
        K::Mosfet { d, g, s, b, .. } => vec![d, g, s, b],
    }
}

impl Held {
    /// The held sets when only the blocks of `keep` (unknown indices) are computed; `None`
    /// when those blocks are the whole circuit.
    fn new(
        circuit: &Circuit,
        inst: &Instances,
        pattern: &Pattern,
        charge_slots: &[usize],
        state_start: &[usize],
        keep: &[usize],
    ) -> Option<Held> {
        let block = blocks(pattern);
        let mut kept = vec![false; pattern.n];
        for &k in keep {
            kept[block[k]] = true;
        }
        if block.iter().all(|&b| kept[b]) {
            return None;
        }
        // An element is held when it touches a node and every node it touches is in a held
        // block (a current source between a kept and a held block stays loaded: it stamps only
        // right-hand sides, and the held row's is overwritten).
        let held_elem: Vec<bool> = circuit
            .elements
            .iter()
            .map(|e| {
                let nodes: Vec<usize> = element_nodes(&e.kind).into_iter().filter(|&n| n != 0).collect();
                !nodes.is_empty() && nodes.iter().all(|&n| !kept[block[n - 1]])
            })
            .collect();
        let of = |elems: &mut dyn Iterator<Item = usize>| -> Vec<bool> { elems.map(|e| held_elem[e]).collect() };
        let owner = |slot: usize| state_start.partition_point(|&s| s <= slot) - 1;
        Some(Held {
            res: of(&mut inst.res.iter().map(|d| d.elem)),
            caps: of(&mut inst.caps.iter().map(|d| d.elem)),
            inds: of(&mut inst.inds.iter().map(|d| d.elem)),
            vsrc: of(&mut inst.vsrc.iter().map(|d| d.elem)),
            isrc: of(&mut inst.isrc.iter().map(|d| d.elem)),
            vcvs: of(&mut inst.vcvs.iter().map(|d| d.elem)),
            vccs: of(&mut inst.vccs.iter().map(|d| d.elem)),
            cccs: of(&mut inst.cccs.iter().map(|d| d.elem)),
            ccvs: of(&mut inst.ccvs.iter().map(|d| d.elem)),
            diodes: of(&mut inst.diodes.iter().map(|d| d.elem)),
            mos1: of(&mut inst.mos1.iter().map(|d| d.elem)),
            bsim3: of(&mut inst.bsim3.iter().map(|d| d.elem)),
            bsim3v3: of(&mut inst.bsim3v3.iter().map(|d| d.elem)),
            charge_slots: charge_slots.iter().copied().filter(|&k| !held_elem[owner(k)]).collect(),
            sub: SubSystem::new(pattern, &block.iter().map(|&b| kept[b]).collect::<Vec<_>>()),
        })
    }
}

impl Simulator {
    /// Restricts later transients to the blocks of the circuit that hold `signals` (node
    /// names, and `i(name)` for the branch current of a voltage source, inductor, E or H
    /// element); `None` computes the whole circuit again (the default).
    ///
    /// The blocks are the circuit's independent parts: unknowns coupled by no element, only
    /// through ground, are in different blocks. The blocks not computed keep, for the whole
    /// transient, the values it starts from (the operating point; with `uic`, the initial
    /// conditions), so their vectors in the results are constant. A caller that measures a
    /// step response on one copy of a design while another copy serves the AC (a common
    /// testbench) skips the other copy's devices; the signals in scope get the whole
    /// circuit's answer (to within the step control's tolerances). Other analyses always
    /// compute the whole circuit.
    ///
    /// ```
    /// use insitu_netlist::{parse_str, elaborate, ElabOptions, MemLoader};
    /// use insitu_solver::{Simulator, TranSpec};
    /// let deck = "two RC blocks\nv1 a 0 pulse(0 1 1n 1n 1n 5n 10n)\nr1 a b 1k\nc1 b 0 1p\n\
    ///             v2 c 0 1\nr2 c d 1k\nc2 d 0 1p\n.tran 0.1n 5n\n.end\n";
    /// let parsed = parse_str(deck, "rc.cir".as_ref(), &MemLoader::default()).unwrap();
    /// let mut sim = Simulator::new(elaborate(&parsed, &ElabOptions::default()).unwrap()).unwrap();
    /// let spec = TranSpec { tstep: 0.1e-9, tstop: 5e-9, tstart: 0.0, tmax: None, uic: false };
    /// let whole = sim.tran(&spec).unwrap();
    /// sim.set_transient_scope(Some(&["b"])).unwrap();
    /// let scoped = sim.tran(&spec).unwrap();
    /// let vb = |d: &insitu_solver::Dataset| d.real("v(b)").unwrap().last().copied().unwrap();
    /// assert!((vb(&whole) - vb(&scoped)).abs() < 1e-9);
    /// assert!(sim.set_transient_scope(Some(&["nowhere"])).is_err());
    /// ```
    pub fn set_transient_scope(&mut self, signals: Option<&[&str]>) -> Result<(), SimError> {
        let Some(signals) = signals else {
            self.scope = None;
            return Ok(());
        };
        let mut keep = Vec::with_capacity(signals.len());
        for s in signals {
            let t = s.trim();
            let lower = t.to_ascii_lowercase();
            let k = if let Some(name) = lower.strip_prefix("i(").and_then(|r| r.strip_suffix(')')) {
                let want = format!("{}#branch", name.trim());
                self.unknowns
                    .iter()
                    .position(|u| u.name == want)
                    .ok_or_else(|| SimError::UnknownName { what: "branch current", name: t.to_string() })?
            } else {
                match self.circuit.node(t) {
                    Some(0) => continue,
                    Some(id) => id - 1,
                    None => return Err(SimError::UnknownName { what: "node", name: t.to_string() }),
                }
            };
            keep.push(k);
        }
        self.scope = Held::new(&self.circuit, &self.inst, &self.pattern, &self.charge_slots, &self.state_start, &keep)
            .map(Box::new);
        Ok(())
    }

    /// How many unknowns a scoped transient holds (0 without a scope, or when the signals'
    /// blocks are the whole circuit).
    pub fn transient_held_unknowns(&self) -> usize {
        self.scope.as_ref().map_or(0, |h| self.n - h.sub.kept.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::PatternBuilder;

    #[test]
    fn blocks_join_coupled_unknowns_only() {
        // 0-1 coupled, 2 alone, 3-4 coupled through one off-diagonal entry.
        let mut pb = PatternBuilder::new(5);
        pb.pair(0, 1);
        pb.entry(2, 2);
        pb.entry(4, 3);
        pb.entry(0, 5); // ground
        let (p, _) = pb.finish();
        let b = blocks(&p);
        assert_eq!(b[0], b[1]);
        assert_eq!(b[3], b[4]);
        assert_ne!(b[0], b[2]);
        assert_ne!(b[0], b[3]);
        assert_ne!(b[2], b[3]);
    }
}

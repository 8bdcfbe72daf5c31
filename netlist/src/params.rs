//! Symbolic parameters kept in a [`Circuit`](crate::Circuit) for re-evaluation.
//!
//! Every `.param` (global, or of a subcircuit instance, named `x1.foo`) is a node of a
//! dependency graph holding its expression with names already resolved by ngspice's scoping
//! rules. Element and model numbers that depend on parameters keep a recipe (their input
//! expressions); [`Circuit::set_param`](crate::Circuit::set_param) re-evaluates only the
//! parameters downstream of the changed one and the elements/models that use them.

use std::collections::HashMap;

use crate::circuit::{ElementId, ModelId};
use crate::expr::{apply_bin, apply_un, BinOp, Func, UnOp};

/// An expression whose names are bound to parameter nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum RExpr {
    Num(f64),
    Param(usize),
    Un(UnOp, Box<RExpr>),
    Bin(BinOp, Box<RExpr>, Box<RExpr>),
    Tern(Box<RExpr>, Box<RExpr>, Box<RExpr>),
    Call(Func, Vec<RExpr>),
}

impl RExpr {
    /// Evaluates with the current parameter values.
    pub fn eval(&self, values: &[f64]) -> f64 {
        match self {
            RExpr::Num(v) => *v,
            RExpr::Param(i) => values.get(*i).copied().unwrap_or(f64::NAN),
            RExpr::Un(op, a) => apply_un(*op, a.eval(values)),
            RExpr::Bin(op, a, b) => apply_bin(*op, a.eval(values), b.eval(values)),
            RExpr::Tern(c, a, b) => {
                if c.eval(values) != 0.0 {
                    a.eval(values)
                } else {
                    b.eval(values)
                }
            }
            RExpr::Call(f, args) => {
                let mut v = [0.0f64; 3];
                for (slot, a) in v.iter_mut().zip(args) {
                    *slot = a.eval(values);
                }
                f.apply(&v[..args.len().min(3)])
            }
        }
    }

    /// The parameter nodes the expression reads (may repeat).
    pub fn deps(&self, out: &mut Vec<usize>) {
        match self {
            RExpr::Num(_) => {}
            RExpr::Param(i) => out.push(*i),
            RExpr::Un(_, a) => a.deps(out),
            RExpr::Bin(_, a, b) => {
                a.deps(out);
                b.deps(out);
            }
            RExpr::Tern(c, a, b) => {
                c.deps(out);
                a.deps(out);
                b.deps(out);
            }
            RExpr::Call(_, args) => args.iter().for_each(|a| a.deps(out)),
        }
    }

    /// Number of nodes (to bound inlining of user functions).
    pub fn size(&self) -> usize {
        match self {
            RExpr::Num(_) | RExpr::Param(_) => 1,
            RExpr::Un(_, a) => 1 + a.size(),
            RExpr::Bin(_, a, b) => 1 + a.size() + b.size(),
            RExpr::Tern(c, a, b) => 1 + c.size() + a.size() + b.size(),
            RExpr::Call(_, args) => 1 + args.iter().map(RExpr::size).sum::<usize>(),
        }
    }
}

/// What a parameter change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Element(ElementId),
    Model(ModelId),
}

/// The numeric inputs of an element, by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Resistance, capacitance or inductance as written.
    Value,
    M,
    Scale,
    Tc1,
    Tc2,
    /// A resistor's AC resistance (`ac=`).
    AcValue,
    L,
    W,
    Ic,
    Dc,
    AcMag,
    AcPhase,
    Wave(usize),
    Gain,
    Area,
    Ad,
    As,
    Pd,
    Ps,
    Nrd,
    Nrs,
    /// A BSIM3 MOSFET's `geo=` (ACM 3's shared drain/source selector).
    Geo,
    /// A BSIM3 MOSFET's `nqsmod=` (overrides the card's NQSMOD).
    Nqsmod,
    /// A BSIM3 MOSFET's `acnqsmod=` (3.3.0's AC-only non-quasi-static model).
    Acnqsmod,
    /// A BSIM3 MOSFET's `delvto=` (threshold voltage shift, 3.2.x/3.3.0).
    Delvto,
    /// A BSIM3 MOSFET's `mulu0=` (low-field mobility multiplier, 3.2.x/3.3.0).
    Mulu0,
    /// A MOSFET's initial condition `ic=vds,vgs,vbs` (component 0, 1 or 2; `icvds=`... on level 1).
    MosIc(u8),
}

/// The inputs of one element that depends on parameters.
#[derive(Debug, Clone)]
pub struct ElementRecipe {
    pub element: ElementId,
    pub inputs: Vec<(Key, RExpr)>,
    /// The resistor/capacitor model giving the value, if any.
    pub model: Option<ModelId>,
}

/// Model parameters that depend on parameters: (index in `Model::params`, expression).
#[derive(Debug, Clone)]
pub struct ModelRecipe {
    pub model: ModelId,
    pub params: Vec<(usize, RExpr)>,
}

/// Parameter expressions and the element/model numbers that depend on them.
#[derive(Debug, Clone, Default)]
pub struct ParamBindings {
    /// Hierarchical names (`foo`, `x1.foo`, `temper`).
    pub(crate) names: Vec<String>,
    pub(crate) exprs: Vec<RExpr>,
    pub(crate) values: Vec<f64>,
    pub(crate) by_name: HashMap<String, usize>,
    /// Position of each node in a topological order (dependencies first).
    pub(crate) order_pos: Vec<usize>,
    /// Direct dependents (parameters) of each parameter.
    pub(crate) dependents: Vec<Vec<usize>>,
    /// Elements and models whose recipes read each parameter directly.
    pub(crate) users: Vec<Vec<Target>>,
    pub(crate) elements: Vec<ElementRecipe>,
    pub(crate) models: Vec<ModelRecipe>,
    /// Recipe index of each element/model.
    pub(crate) recipe_of: HashMap<Target, usize>,
    /// The `temper` node, when expressions use it.
    pub(crate) temper: Option<usize>,
}

impl ParamBindings {
    /// Number of parameter nodes (global and per instance).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there is no parameter at all.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The current value of parameter `name` (lower case; `x1.foo` for instance parameters).
    pub fn value(&self, name: &str) -> Option<f64> {
        self.by_name.get(name).and_then(|&i| self.values.get(i).copied())
    }

    /// Global parameters (names without a hierarchy) and their values, in definition order.
    pub fn globals(&self) -> impl Iterator<Item = (&str, f64)> + '_ {
        self.names
            .iter()
            .zip(&self.values)
            .filter(|(n, _)| !n.contains('.') && n.as_str() != "temper")
            .map(|(n, v)| (n.as_str(), *v))
    }

    /// Adds a parameter node (expression set later); returns its id.
    pub(crate) fn add(&mut self, name: String) -> usize {
        let id = self.names.len();
        self.by_name.insert(name.clone(), id);
        self.names.push(name);
        self.exprs.push(RExpr::Num(f64::NAN));
        self.values.push(f64::NAN);
        id
    }

    /// Evaluates every node in dependency order; fails on a cycle, naming a parameter in it.
    pub(crate) fn evaluate_all(&mut self) -> Result<(), String> {
        let n = self.names.len();
        // 0 = not visited, 1 = on the current path, 2 = done.
        let mut state = vec![0u8; n];
        let mut order = Vec::with_capacity(n);
        let mut deps = Vec::new();
        for root in 0..n {
            if state[root] == 2 {
                continue;
            }
            let mut stack = vec![(root, false)];
            while let Some((node, expanded)) = stack.pop() {
                if expanded {
                    self.values[node] = self.exprs[node].eval(&self.values);
                    state[node] = 2;
                    order.push(node);
                    continue;
                }
                if state[node] == 2 {
                    continue;
                }
                state[node] = 1;
                stack.push((node, true));
                deps.clear();
                self.exprs[node].deps(&mut deps);
                for &d in &deps {
                    match state.get(d) {
                        Some(0) => stack.push((d, false)),
                        Some(1) => {
                            return Err(format!(
                                "circular parameter definition: '{}' depends on '{}'",
                                self.names[node], self.names[d]
                            ))
                        }
                        _ => {}
                    }
                }
            }
        }
        self.order_pos = vec![0; n];
        for (pos, &node) in order.iter().enumerate() {
            self.order_pos[node] = pos;
        }
        self.dependents = vec![Vec::new(); n];
        for node in 0..n {
            deps.clear();
            self.exprs[node].deps(&mut deps);
            deps.sort_unstable();
            deps.dedup();
            for &d in &deps {
                self.dependents[d].push(node);
            }
        }
        Ok(())
    }

    /// Registers a recipe reading `deps` directly.
    pub(crate) fn add_user(&mut self, target: Target, deps: &[usize]) {
        if self.users.len() < self.names.len() {
            self.users.resize(self.names.len(), Vec::new());
        }
        for &d in deps {
            if let Some(u) = self.users.get_mut(d) {
                if u.last() != Some(&target) {
                    u.push(target);
                }
            }
        }
    }

    /// Sets node `id` to a constant and re-evaluates everything downstream; returns the
    /// elements and models whose recipes read any changed parameter.
    pub(crate) fn set(&mut self, id: usize, value: f64) -> Vec<Target> {
        self.set_expr(id, RExpr::Num(value))
    }

    /// Like [`ParamBindings::set`] with an expression (used to undo a failed change).
    pub(crate) fn set_expr(&mut self, id: usize, expr: RExpr) -> Vec<Target> {
        self.exprs[id] = expr;
        let mut affected = vec![id];
        let mut seen = vec![false; self.names.len()];
        seen[id] = true;
        let mut i = 0;
        while i < affected.len() {
            let node = affected[i];
            for &d in &self.dependents[node] {
                if !seen[d] {
                    seen[d] = true;
                    affected.push(d);
                }
            }
            i += 1;
        }
        affected.sort_by_key(|&n| self.order_pos[n]);
        for &node in &affected {
            self.values[node] = self.exprs[node].eval(&self.values);
        }
        let mut targets: Vec<Target> =
            affected.iter().flat_map(|&n| self.users.get(n).cloned().unwrap_or_default()).collect();
        targets.sort_unstable_by_key(|t| match *t {
            Target::Model(m) => (0, m),
            Target::Element(e) => (1, e),
        });
        targets.dedup();
        targets
    }
}

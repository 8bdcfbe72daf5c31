//! [`Deck`] to [`Circuit`]: subcircuit flattening, parameter scoping, model resolution.
//!
//! Scoping follows ngspice: a name in an expression is looked up in the subcircuit instance's
//! parameters (instance overrides, else the subcircuit's defaults, and its own `.param`s),
//! then in the instantiating scope, up to the global `.param`s. Subcircuit and model names are
//! looked up lexically: definitions nested in the current subcircuit first, then outwards.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::circuit::*;
use crate::deck::*;
use crate::error::Error;
use crate::expr::{eval_simple, BinOp, Expr, Func};
use crate::params::{ElementRecipe, Key, ModelRecipe, ParamBindings, RExpr, Target};

/// Slack (m) of ngspice 39's binning bounds LMIN..WMAX (measured: a size up to 1e-9 outside a
/// bin's bounds still selects it).
const BIN_SLACK: f64 = 1e-9;

/// Deepest subcircuit instantiation accepted (a self-instantiating subcircuit stops here).
const MAX_DEPTH: usize = 50;
/// Largest flat circuit accepted.
const MAX_ELEMENTS: usize = 5_000_000;
/// Largest expression after inlining user functions.
const MAX_EXPR_SIZE: usize = 100_000;

/// FNV-1a: names are short and trusted enough; SipHash showed in profiles.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Options of [`elaborate`].
#[derive(Debug, Clone, PartialEq)]
pub struct ElabOptions {
    /// Circuit temperature (°C), overriding `.temp` and `.options temp`.
    pub temp: Option<f64>,
    /// Device model kinds and levels the simulator implements; other levels are rejected
    /// when an element uses them. Resistor and capacitor models are always accepted
    /// (they only give element values).
    pub supported: Vec<(ModelKind, u32)>,
}

impl Default for ElabOptions {
    fn default() -> Self {
        ElabOptions {
            temp: None,
            supported: vec![
                (ModelKind::Nmos, 1),
                (ModelKind::Pmos, 1),
                (ModelKind::Nmos, 8),
                (ModelKind::Pmos, 8),
                (ModelKind::Nmos, 49),
                (ModelKind::Pmos, 49),
                (ModelKind::Diode, 1),
            ],
        }
    }
}

/// Reads `path` from the file system, parses and elaborates it with default options.
pub fn load_file(path: &std::path::Path) -> Result<Circuit, Error> {
    let deck = crate::deck::parse_file(path, &crate::loader::FsLoader)?;
    elaborate(&deck, &ElabOptions::default())
}

/// Flattens a deck into a circuit with every number resolved.
///
/// ```
/// use insitu_netlist::{parse_str, elaborate, ElabOptions, MemLoader, ElementKind};
/// let text = "divider\n.param r=2k\nV1 in 0 1\nR1 in out {r}\nR2 out 0 {r/2}\n.op\n";
/// let deck = parse_str(text, "d.cir".as_ref(), &MemLoader::new())?;
/// let mut ckt = elaborate(&deck, &ElabOptions::default())?;
/// assert!(matches!(ckt.elements[2].kind, ElementKind::Resistor { r, .. } if r == 1e3));
/// ckt.set_param("r", 4e3)?;
/// assert!(matches!(ckt.elements[2].kind, ElementKind::Resistor { r, .. } if r == 2e3));
/// # Ok::<(), insitu_netlist::Error>(())
/// ```
pub fn elaborate(deck: &Deck, opts: &ElabOptions) -> Result<Circuit, Error> {
    let mut e = Elab::new(deck, opts);
    e.run()?;
    Ok(e.finish())
}

struct Def<'d> {
    name: String,
    pins: &'d [Name],
    params: &'d [Assign],
    body: &'d [Card],
    parent: Option<usize>,
    subckts: HashMap<String, usize>,
    models: HashMap<String, &'d ModelCard>,
    funcs: HashMap<String, &'d FuncDef>,
}

struct Scope {
    params: Map<String, usize>,
    parent: Option<usize>,
    def: usize,
    prefix: String,
    pins: Map<String, NodeId>,
    /// Instance multiplier (`X1 ... m=2` on a subcircuit without an `m` parameter), times
    /// the enclosing instances' multipliers.
    mult: Option<RExpr>,
}

struct Elab<'d> {
    deck: &'d Deck,
    opts: &'d ElabOptions,
    defs: Vec<Def<'d>>,
    scopes: Vec<Scope>,
    p: ParamBindings,
    ckt: Circuit,
    node_ids: Map<String, NodeId>,
    elem_ids: Map<String, ElementId>,
    /// (scope that owns the model definition, model name) -> model id.
    model_ids: Map<(usize, String), ModelId>,
    /// Expressions of each model's parameters (for resistor/capacitor values).
    model_exprs: Vec<Vec<(String, RExpr)>>,
    globals: HashSet<String>,
    /// F/H elements whose controlling source is looked up at the end: (element, name, span).
    pending_controls: Vec<(ElementId, String, Span)>,
    warnings: Vec<String>,
    spans: Vec<Span>,
    inputs: Vec<Vec<(Key, RExpr)>>,
    /// R/C elements and the model giving their value, if any.
    passive_models: Vec<(ElementId, Option<ModelId>)>,
    /// Reused buffer for hierarchical names.
    scratch: String,
    /// The scope whose body is being walked (for instance multipliers).
    cur_scope: usize,
}

fn fold(e: RExpr) -> RExpr {
    let all_num = |v: &[RExpr]| v.iter().all(|x| matches!(x, RExpr::Num(_)));
    let foldable = match &e {
        RExpr::Un(_, a) => matches!(**a, RExpr::Num(_)),
        RExpr::Bin(_, a, b) => matches!(**a, RExpr::Num(_)) && matches!(**b, RExpr::Num(_)),
        RExpr::Tern(c, a, b) => all_num(&[(**c).clone(), (**a).clone(), (**b).clone()]),
        RExpr::Call(_, args) => all_num(args),
        _ => false,
    };
    if foldable {
        RExpr::Num(e.eval(&[]))
    } else {
        e
    }
}

impl<'d> Elab<'d> {
    fn new(deck: &'d Deck, opts: &'d ElabOptions) -> Self {
        let ckt = Circuit {
            title: deck.title.clone(),
            nodes: vec!["0".to_string()],
            elements: Vec::new(),
            models: Vec::new(),
            analyses: Vec::new(),
            options: Options::default(),
            temp: 27.0,
            nodesets: Vec::new(),
            ics: Vec::new(),
            saves: Vec::new(),
            measures: Vec::new(),
            warnings: deck.warnings.clone(),
            params: ParamBindings::default(),
        };
        Elab {
            deck,
            opts,
            defs: Vec::new(),
            scopes: Vec::new(),
            p: ParamBindings::default(),
            ckt,
            node_ids: Map::default(),
            elem_ids: Map::default(),
            model_ids: Map::default(),
            model_exprs: Vec::new(),
            globals: HashSet::new(),
            pending_controls: Vec::new(),
            warnings: Vec::new(),
            spans: Vec::new(),
            inputs: Vec::new(),
            passive_models: Vec::new(),
            scratch: String::new(),
            cur_scope: 0,
        }
    }

    fn err(&self, span: Option<Span>, element: Option<&str>, param: Option<&str>, msg: impl Into<String>) -> Error {
        Error::Elaboration {
            loc: span.map(|s| Box::new(self.deck.location(s))),
            element: element.map(str::to_string),
            param: param.map(str::to_string),
            message: msg.into(),
        }
    }

    fn warn(&mut self, span: Span, msg: impl Into<String>) {
        let loc = self.deck.location(span);
        self.warnings.push(format!("{loc}: {}", msg.into()));
    }

    /// Collects subcircuit, model and function definitions (lexically nested).
    fn collect_defs(
        &mut self,
        name: String,
        pins: &'d [Name],
        params: &'d [Assign],
        body: &'d [Card],
        parent: Option<usize>,
    ) -> usize {
        let id = self.defs.len();
        self.defs.push(Def {
            name,
            pins,
            params,
            body,
            parent,
            subckts: HashMap::new(),
            models: HashMap::new(),
            funcs: HashMap::new(),
        });
        let mut stack: Vec<&'d [Card]> = vec![body];
        while let Some(cards) = stack.pop() {
            for card in cards {
                match &card.kind {
                    CardKind::Subckt(s) => {
                        let child = self.collect_defs(s.name.node.clone(), &s.pins, &s.params, &s.body, Some(id));
                        self.defs[id].subckts.insert(s.name.node.clone(), child);
                    }
                    CardKind::Model(m) => {
                        self.defs[id].models.insert(m.name.node.clone(), m);
                    }
                    CardKind::Func(f) => {
                        self.defs[id].funcs.insert(f.name.node.clone(), f);
                    }
                    CardKind::If(branches) => branches.iter().for_each(|b| stack.push(&b.body)),
                    _ => {}
                }
            }
        }
        id
    }

    fn run(&mut self) -> Result<(), Error> {
        let deck = self.deck;
        self.collect_defs(String::new(), &[], &[], &deck.cards, None);
        self.top_level_settings()?;
        let temper = self.p.add("temper".to_string());
        self.p.exprs[temper] = RExpr::Num(self.ckt.temp);
        self.p.values[temper] = self.ckt.temp;
        self.p.temper = Some(temper);
        self.scopes.push(Scope {
            params: Map::default(),
            parent: None,
            def: 0,
            prefix: String::new(),
            pins: Map::default(),
            mult: None,
        });
        self.declare_params(0, &[], None, &deck.cards)?;
        self.walk(&deck.cards, 0, 0)?;
        if let Err(m) = self.p.evaluate_all() {
            return Err(self.err(None, None, None, m));
        }
        self.resolve_controls()?;
        self.unused_models()?;
        self.analyses()?;
        self.compute_all()?;
        Ok(())
    }

    fn const_value(&self, v: &Value, what: &str) -> Result<f64, Error> {
        eval_simple(&v.node, &|_| None)
            .map_err(|m| self.err(Some(v.span), None, Some(what), format!("{m} (a number is expected here)")))
    }

    /// `.temp`, `.options`, `.global`, `.save`/`.print` of the top level.
    fn top_level_settings(&mut self) -> Result<(), Error> {
        let deck = self.deck;
        let mut temp = None;
        for card in &deck.cards {
            match &card.kind {
                CardKind::Temp(v) => temp = Some(self.const_value(v, "temp")?),
                CardKind::Options(items) => {
                    for it in items {
                        if let Some(t) = self.option(it)? {
                            temp = Some(t);
                        }
                    }
                }
                CardKind::Global(names) => names.iter().for_each(|n| {
                    self.globals.insert(n.node.clone());
                }),
                CardKind::Save(v) | CardKind::Print(v) => self.ckt.saves.extend(v.iter().cloned()),
                CardKind::Measure(m) => self.ckt.measures.push(m.clone()),
                _ => {}
            }
        }
        self.ckt.temp = self.opts.temp.or(temp).unwrap_or(27.0);
        Ok(())
    }

    /// Applies one `.options` item; returns `temp` when given.
    fn option(&mut self, it: &OptionItem) -> Result<Option<f64>, Error> {
        let name = it.name.node.as_str();
        let num = |s: &Self| -> Result<f64, Error> {
            let v = it.value.as_ref().ok_or_else(|| s.err(Some(it.name.span), None, Some(name), "expected a value"))?;
            let e = crate::expr::parse_expr(&v.node).map_err(|(_, m)| s.err(Some(v.span), None, Some(name), m))?;
            s.const_value(&Spanned { node: e, span: v.span }, name)
        };
        match name {
            "reltol" => self.ckt.options.reltol = num(self)?,
            "abstol" => self.ckt.options.abstol = num(self)?,
            "vntol" => self.ckt.options.vntol = num(self)?,
            "chgtol" => self.ckt.options.chgtol = num(self)?,
            "trtol" => self.ckt.options.trtol = num(self)?,
            "gmin" => self.ckt.options.gmin = num(self)?,
            "itl1" => self.ckt.options.itl1 = num(self)?.max(0.0) as usize,
            "itl4" => self.ckt.options.itl4 = num(self)?.max(0.0) as usize,
            "num_threads" => self.ckt.options.num_threads = num(self)?.max(1.0) as usize,
            "tnom" => self.ckt.options.tnom = num(self)?,
            "temp" => return Ok(Some(num(self)?)),
            "method" => {
                let v = it.value.as_ref().map(|v| v.node.as_str()).unwrap_or("");
                self.ckt.options.method = match v {
                    "gear" => Method::Gear,
                    "trap" | "trapezoidal" => Method::Trapezoidal,
                    _ => {
                        return Err(self.err(
                            Some(it.name.span),
                            None,
                            Some("method"),
                            format!("unknown integration method '{v}' (expected trap or gear)"),
                        ))
                    }
                }
            }
            _ => self
                .ckt
                .options
                .other
                .push((name.to_string(), it.value.as_ref().map(|v| v.node.clone()).unwrap_or_default())),
        }
        Ok(None)
    }

    /// Creates the parameter nodes of a scope: subcircuit defaults (or instance overrides,
    /// resolved in the caller's scope) and the `.param` cards of the body.
    fn declare_params(
        &mut self,
        scope: usize,
        defaults: &'d [Assign],
        overrides: Option<(&'d [Assign], usize)>,
        body: &'d [Card],
    ) -> Result<(), Error> {
        let prefix = self.scopes[scope].prefix.clone();
        let mut todo: Vec<(usize, &'d Value, usize, Option<String>)> = Vec::new();
        for a in defaults {
            let id = self.p.add(format!("{prefix}{}", a.name.node));
            self.scopes[scope].params.insert(a.name.node.clone(), id);
            todo.push((id, &a.value, scope, Some(a.name.node.clone())));
        }
        if let Some((ovr, caller)) = overrides {
            for a in ovr {
                let Some(&id) = self.scopes[scope].params.get(&a.name.node) else {
                    if a.name.node == "m" {
                        // ngspice: `m` on an instance multiplies every device inside.
                        let r = self
                            .resolve(&a.value.node, caller, None, &HashMap::new(), 0)
                            .map_err(|m| self.err(Some(a.value.span), None, Some("m"), m))?;
                        let s = &mut self.scopes[scope];
                        s.mult = Some(match s.mult.take() {
                            Some(outer) => fold(RExpr::Bin(BinOp::Mul, Box::new(outer), Box::new(r))),
                            None => r,
                        });
                        continue;
                    }
                    let def = &self.defs[self.scopes[scope].def];
                    return Err(self.err(
                        Some(a.name.span),
                        None,
                        Some(&a.name.node),
                        format!("subcircuit '{}' has no parameter '{}'", def.name, a.name.node),
                    ));
                };
                if let Some(t) = todo.iter_mut().find(|t| t.0 == id) {
                    *t = (id, &a.value, caller, None);
                }
            }
        }
        for card in body {
            if let CardKind::Param(assigns) = &card.kind {
                for a in assigns {
                    let id = match self.scopes[scope].params.get(&a.name.node) {
                        Some(&id) if scope == 0 => id,
                        _ => {
                            let id = self.p.add(format!("{prefix}{}", a.name.node));
                            self.scopes[scope].params.insert(a.name.node.clone(), id);
                            id
                        }
                    };
                    todo.retain(|t| t.0 != id);
                    todo.push((id, &a.value, scope, Some(a.name.node.clone())));
                }
            }
        }
        for (id, value, in_scope, exclude) in todo {
            let r = self
                .resolve(&value.node, in_scope, exclude.as_deref(), &HashMap::new(), 0)
                .map_err(|m| self.err(Some(value.span), None, Some(self.p.names[id].as_str()), m))?;
            self.p.exprs[id] = r;
        }
        Ok(())
    }

    fn lookup_func(&self, scope: usize, name: &str) -> Option<&'d FuncDef> {
        let mut d = Some(self.scopes[scope].def);
        while let Some(id) = d {
            if let Some(f) = self.defs[id].funcs.get(name) {
                return Some(f);
            }
            d = self.defs[id].parent;
        }
        None
    }

    /// Binds the names of `e` by the scoping rules (user functions inlined).
    fn resolve(
        &self,
        e: &Expr,
        scope: usize,
        exclude: Option<&str>,
        locals: &HashMap<String, RExpr>,
        depth: usize,
    ) -> Result<RExpr, String> {
        if depth > 40 {
            return Err("user functions nested too deeply (recursive .func?)".into());
        }
        let r = match e {
            Expr::Num(v) => RExpr::Num(*v),
            Expr::Var(name) => {
                if let Some(v) = locals.get(name) {
                    return Ok(v.clone());
                }
                let mut s = Some(scope);
                let mut first = true;
                while let Some(id) = s {
                    let skip = first && exclude == Some(name.as_str());
                    if !skip {
                        if let Some(&p) = self.scopes[id].params.get(name) {
                            return Ok(RExpr::Param(p));
                        }
                    }
                    first = false;
                    s = self.scopes[id].parent;
                }
                match name.as_str() {
                    "temper" | "temp" => RExpr::Param(self.p.temper.unwrap_or(0)),
                    "pi" => RExpr::Num(std::f64::consts::PI),
                    _ => return Err(format!("undefined parameter '{name}'")),
                }
            }
            Expr::Un(op, a) => fold(RExpr::Un(*op, Box::new(self.resolve(a, scope, exclude, locals, depth)?))),
            Expr::Bin(op, a, b) => fold(RExpr::Bin(
                *op,
                Box::new(self.resolve(a, scope, exclude, locals, depth)?),
                Box::new(self.resolve(b, scope, exclude, locals, depth)?),
            )),
            Expr::Tern(c, a, b) => fold(RExpr::Tern(
                Box::new(self.resolve(c, scope, exclude, locals, depth)?),
                Box::new(self.resolve(a, scope, exclude, locals, depth)?),
                Box::new(self.resolve(b, scope, exclude, locals, depth)?),
            )),
            Expr::Call(name, args) => {
                let mut rargs = Vec::with_capacity(args.len());
                for a in args {
                    rargs.push(self.resolve(a, scope, exclude, locals, depth)?);
                }
                if let Some(f) = self.lookup_func(scope, name) {
                    if f.args.len() != rargs.len() {
                        return Err(format!(
                            "function '{name}' takes {} argument(s), got {}",
                            f.args.len(),
                            rargs.len()
                        ));
                    }
                    let inner: HashMap<String, RExpr> = f.args.iter().cloned().zip(rargs).collect();
                    let r = self.resolve(&f.body.node, scope, exclude, &inner, depth + 1)?;
                    if r.size() > MAX_EXPR_SIZE {
                        return Err(format!("expression too large after expanding function '{name}'"));
                    }
                    return Ok(r);
                }
                match Func::lookup(name) {
                    Some((f, n)) if n == rargs.len() => fold(RExpr::Call(f, rargs)),
                    Some((_, n)) => return Err(format!("{name}() takes {n} argument(s), got {}", rargs.len())),
                    None if matches!(name.as_str(), "v" | "i") => {
                        return Err(format!(
                            "{name}(...) reads a circuit quantity: behavioural expressions are not supported"
                        ))
                    }
                    None => return Err(format!("unknown function '{name}'")),
                }
            }
        };
        Ok(r)
    }

    fn rexpr(&self, v: &Value, scope: usize, element: &str, param: &str) -> Result<RExpr, Error> {
        self.resolve(&v.node, scope, None, &HashMap::new(), 0)
            .map_err(|m| self.err(Some(v.span), Some(element), Some(param), m))
    }

    fn node(&mut self, scope: usize, name: &str) -> NodeId {
        if name == "0" || name == "gnd" {
            return GROUND;
        }
        let s = &self.scopes[scope];
        if let Some(&n) = s.pins.get(name) {
            return n;
        }
        let mut full = std::mem::take(&mut self.scratch);
        full.clear();
        if !(self.globals.contains(name) || s.prefix.is_empty()) {
            full.push_str(&s.prefix);
        }
        full.push_str(name);
        let id = match self.node_ids.get(full.as_str()) {
            Some(&n) => n,
            None => {
                let id = self.ckt.nodes.len();
                self.ckt.nodes.push(full.clone());
                self.node_ids.insert(full.clone(), id);
                id
            }
        };
        self.scratch = full;
        id
    }

    fn walk(&mut self, body: &'d [Card], scope: usize, depth: usize) -> Result<(), Error> {
        for card in body {
            match &card.kind {
                CardKind::Element(e) => {
                    self.cur_scope = scope;
                    self.element(e, scope, depth)?
                }
                CardKind::If(branches) => {
                    for b in branches {
                        let take = match &b.cond {
                            None => true,
                            Some(c) => {
                                let r = self.rexpr(c, scope, ".if", "condition")?;
                                self.eval_now(&r, c.span)? != 0.0
                            }
                        };
                        if take {
                            self.declare_params(scope, &[], None, &b.body)?;
                            self.walk(&b.body, scope, depth)?;
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Evaluates an expression during elaboration (parameters evaluated as needed).
    fn eval_now(&mut self, r: &RExpr, span: Span) -> Result<f64, Error> {
        if let Err(m) = self.p.evaluate_all() {
            return Err(self.err(Some(span), None, None, m));
        }
        Ok(r.eval(&self.p.values))
    }

    /// Folds the instance multiplier of `scope` into the element's `m`.
    fn apply_mult(&mut self, scope: usize, kind: &ElementKind, inputs: &mut Vec<(Key, RExpr)>, span: Span, name: &str) {
        let Some(mult) = self.scopes[scope].mult.clone() else { return };
        if !matches!(
            kind,
            ElementKind::Resistor { .. }
                | ElementKind::Capacitor { .. }
                | ElementKind::Inductor { .. }
                | ElementKind::Diode { .. }
                | ElementKind::Mosfet { .. }
        ) {
            self.warn(span, format!("{name}: the instance multiplier m does not apply to this element"));
            return;
        }
        match inputs.iter_mut().rev().find(|(k, _)| *k == Key::M) {
            Some((_, r)) => {
                let own = std::mem::replace(r, RExpr::Num(1.0));
                *r = fold(RExpr::Bin(BinOp::Mul, Box::new(own), Box::new(mult)));
            }
            None => inputs.push((Key::M, mult)),
        }
    }

    fn push_element(
        &mut self,
        name: String,
        kind: ElementKind,
        span: Span,
        inputs: Vec<(Key, RExpr)>,
    ) -> Result<ElementId, Error> {
        if self.ckt.elements.len() >= MAX_ELEMENTS {
            return Err(self.err(Some(span), Some(&name), None, "circuit too large"));
        }
        let id = self.ckt.elements.len();
        if self.elem_ids.insert(name.clone(), id).is_some() {
            return Err(self.err(Some(span), Some(&name), None, "duplicate element name"));
        }
        let loc = Some(Box::new(self.deck.location(span)));
        self.ckt.elements.push(Element { name, kind, loc });
        self.spans.push(span);
        let mut inputs = inputs;
        if self.scopes.get(self.cur_scope).is_some_and(|s| s.mult.is_some()) {
            let kind = self.ckt.elements[id].kind.clone();
            let name = self.ckt.elements[id].name.clone();
            self.apply_mult(self.cur_scope, &kind, &mut inputs, span, &name);
        }
        self.inputs.push(inputs);
        Ok(id)
    }

    /// Model `name` as seen from `scope`: (model id, kind), creating the model instance on first use.
    fn model(&mut self, scope: usize, name: &Name, element: &str) -> Result<(ModelId, ModelKind), Error> {
        // Lexical lookup of the definition, then the instance scope that owns it.
        let mut s = Some(scope);
        while let Some(sid) = s {
            let def = self.scopes[sid].def;
            if let Some(&card) = self.defs[def].models.get(&name.node) {
                return self.model_instance(sid, card, element);
            }
            s = self.scopes[sid].parent;
        }
        Err(self.err(Some(name.span), Some(element), None, format!("unknown model '{}'", name.node)))
    }

    /// A binned model set for MOSFET `element`: the cards `name.1` .. `name.N` (any digits
    /// after the dot) of the nearest scope that has some, and of those the first (in suffix
    /// order) whose [LMIN, LMAX] holds L and [WMIN, WMAX] holds W, with L and W from the
    /// instance times `.options scale`. As measured on ngspice 39: both bounds are inclusive
    /// with 1e-9 (m) slack, so L = LMAX of bin 1 = LMIN of bin 2 takes bin 1, and L = 0.1799u
    /// still takes a bin starting at 0.18u. Cards without all four bounds are not bins; the
    /// instance must give both L and W. `Ok(None)` when there is no such set; an error naming
    /// the size and the bins when the set has no bin for it.
    fn binned_model(
        &mut self,
        scope: usize,
        name: &Name,
        element: &str,
        params: &[Assign],
    ) -> Result<Option<(ModelId, ModelKind)>, Error> {
        let is_bin = |key: &str| {
            key.strip_prefix(name.node.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .map(|d| d.parse::<u64>().unwrap_or(u64::MAX))
        };
        let mut found: Option<(usize, Vec<(u64, &'d ModelCard)>)> = None;
        let mut s = Some(scope);
        while let Some(sid) = s {
            let def = self.scopes[sid].def;
            let mut bins: Vec<(u64, &'d ModelCard)> =
                self.defs[def].models.iter().filter_map(|(k, card)| is_bin(k).map(|n| (n, *card))).collect();
            if !bins.is_empty() {
                bins.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.node.cmp(&b.1.name.node)));
                found = Some((sid, bins));
                break;
            }
            s = self.scopes[sid].parent;
        }
        let Some((sid, bins)) = found else {
            return Ok(None);
        };
        let mut size = [None, None];
        for a in params {
            let slot = match a.name.node.as_str() {
                "l" => 0,
                "w" => 1,
                _ => continue,
            };
            let r = self.rexpr(&a.value, scope, element, &a.name.node)?;
            size[slot] = Some(self.eval_now(&r, a.value.span)?);
        }
        let [Some(l), Some(w)] = size else {
            return Err(self.err(
                Some(name.span),
                Some(element),
                None,
                format!("model '{}' is a binned set ({}.1 ...): the instance needs both L and W", name.node, name.node),
            ));
        };
        let scale = option_scale(&self.ckt.options);
        let (l, w) = (l * scale, w * scale);
        let in_range = |v: f64, lo: f64, hi: f64| lo - v < BIN_SLACK && v - hi < BIN_SLACK;
        let mut listed = Vec::new();
        for (_, card) in &bins {
            let mut b = [None; 4];
            for mp in &card.params {
                let k = match mp.name.node.as_str() {
                    "lmin" => 0,
                    "lmax" => 1,
                    "wmin" => 2,
                    "wmax" => 3,
                    _ => continue,
                };
                if let Some(v) = &mp.value {
                    let r = self.rexpr(v, sid, &card.name.node, &mp.name.node)?;
                    b[k] = Some(self.eval_now(&r, v.span)?);
                }
            }
            let [Some(lmin), Some(lmax), Some(wmin), Some(wmax)] = b else {
                listed.push(format!("{} (no LMIN/LMAX/WMIN/WMAX)", card.name.node));
                continue;
            };
            if in_range(l, lmin, lmax) && in_range(w, wmin, wmax) {
                return self.model_instance(sid, card, element).map(Some);
            }
            listed.push(format!("{} L [{lmin:e}, {lmax:e}] W [{wmin:e}, {wmax:e}]", card.name.node));
        }
        Err(self.err(
            Some(name.span),
            Some(element),
            None,
            format!("no bin of model '{}' covers L = {l:e}, W = {w:e}; bins: {}", name.node, listed.join("; ")),
        ))
    }

    fn model_instance(
        &mut self,
        scope: usize,
        card: &'d ModelCard,
        element: &str,
    ) -> Result<(ModelId, ModelKind), Error> {
        let key = (scope, card.name.node.clone());
        if let Some(&id) = self.model_ids.get(&key) {
            return Ok((id, self.ckt.models[id].kind));
        }
        let kind = match card.kind.node.as_str() {
            "nmos" => ModelKind::Nmos,
            "pmos" => ModelKind::Pmos,
            "d" => ModelKind::Diode,
            "r" | "res" => ModelKind::Resistor,
            "c" | "cap" => ModelKind::Capacitor,
            other => {
                return Err(self.err(
                    Some(card.kind.span),
                    Some(element),
                    None,
                    format!(
                        "model '{}' has type '{other}', which is not supported (nmos, pmos, d, r, c)",
                        card.name.node
                    ),
                ))
            }
        };
        let mname = format!("{}{}", self.scopes[scope].prefix, card.name.node);
        let mut level = 1u32;
        let mut version = None;
        let mut params = Vec::new();
        let mut exprs = Vec::new();
        let mut recipe = Vec::new();
        let mut deps = Vec::new();
        for mp in &card.params {
            let pname = mp.name.node.as_str();
            if pname == "version" {
                version = Some(mp.text.clone());
                continue;
            }
            let Some(v) = &mp.value else {
                return Err(self.err(
                    Some(mp.name.span),
                    Some(&mname),
                    Some(pname),
                    format!("expected a number, found '{}'", mp.text),
                ));
            };
            let r = self.rexpr(v, scope, &mname, pname)?;
            if pname == "level" {
                let lv = match r {
                    RExpr::Num(x) => x,
                    _ => self.eval_now(&r, v.span)?,
                };
                if !(lv.is_finite() && lv >= 0.0 && lv.fract() == 0.0 && lv < 1e6) {
                    return Err(self.err(
                        Some(v.span),
                        Some(&mname),
                        Some("level"),
                        format!("level must be a whole number, got {lv}"),
                    ));
                }
                level = lv as u32;
                continue;
            }
            if !matches!(r, RExpr::Num(_)) {
                r.deps(&mut deps);
                recipe.push((params.len(), r.clone()));
            }
            params.push((pname.to_string(), f64::NAN));
            exprs.push((pname.to_string(), r));
        }
        let id = self.ckt.models.len();
        self.ckt.models.push(Model { name: mname, kind, level, version, params });
        self.model_exprs.push(exprs);
        if !recipe.is_empty() {
            self.p.recipe_of.insert(Target::Model(id), self.p.models.len());
            self.p.models.push(ModelRecipe { model: id, params: recipe });
            self.p.add_user(Target::Model(id), &deps);
        }
        self.model_ids.insert(key, id);
        Ok((id, kind))
    }

    fn check_level(&self, model: ModelId, element: &str, span: Span) -> Result<(), Error> {
        let m = &self.ckt.models[model];
        if matches!(m.kind, ModelKind::Resistor | ModelKind::Capacitor)
            || self.opts.supported.contains(&(m.kind, m.level))
        {
            return Ok(());
        }
        let supported: Vec<String> =
            self.opts.supported.iter().map(|(k, l)| format!("{} level {l}", kind_name(*k))).collect();
        Err(Error::UnsupportedModel {
            loc: Some(Box::new(self.deck.location(span))),
            model: m.name.clone(),
            kind: kind_name(m.kind).to_string(),
            level: m.level,
            element: element.to_string(),
            supported: supported.join(", "),
        })
    }

    fn element(&mut self, e: &'d ElementCard, scope: usize, depth: usize) -> Result<(), Error> {
        let name = format!("{}{}", self.scopes[scope].prefix, e.name.node);
        let span = e.name.span;
        let mut inputs: Vec<(Key, RExpr)> = Vec::new();
        macro_rules! input {
            ($key:expr, $v:expr, $pname:expr) => {{
                let r = self.rexpr($v, scope, &name, $pname)?;
                inputs.push(($key, r));
            }};
        }
        let kind = match &e.body {
            ElementBody::Passive { nodes, positional, params } => {
                let letter = e.name.node.as_bytes()[0];
                let p = self.node(scope, &nodes[0].node);
                let n = self.node(scope, &nodes[1].node);
                let mut model = None;
                for pos in positional {
                    match pos {
                        ValueOrName::Value(v) => input!(Key::Value, v, "value"),
                        ValueOrName::Name(nm) => {
                            if model.is_none() && self.model_visible(scope, &nm.node) {
                                model = Some(self.model(scope, nm, &name)?.0);
                            } else {
                                let v = Spanned { node: Expr::Var(nm.node.clone()), span: nm.span };
                                input!(Key::Value, &v, "value");
                            }
                        }
                    }
                }
                for a in params {
                    let key = match (letter, a.name.node.as_str()) {
                        (b'r', "r" | "resistance") | (b'c', "c" | "capacitance") | (b'l', "l" | "inductance") => {
                            Key::Value
                        }
                        (_, "m") => Key::M,
                        (b'r' | b'c', "scale") => Key::Scale,
                        (b'r', "tc1") | (b'r', "tc") => Key::Tc1,
                        (b'r', "tc2") => Key::Tc2,
                        (b'r' | b'c', "l") => Key::L,
                        (b'r' | b'c', "w") => Key::W,
                        (b'c' | b'l', "ic") => Key::Ic,
                        (b'r', "ac") => Key::AcValue,
                        _ => {
                            self.warn(a.name.span, format!("{name}: parameter '{}' ignored", a.name.node));
                            continue;
                        }
                    };
                    input!(key, &a.value, &a.name.node);
                }
                if let Some(m) = model {
                    let kind = self.ckt.models[m].kind;
                    let want = if letter == b'r' {
                        ModelKind::Resistor
                    } else if letter == b'c' {
                        ModelKind::Capacitor
                    } else {
                        ModelKind::Diode
                    };
                    if kind != want || letter == b'l' {
                        return Err(self.err(
                            Some(span),
                            Some(&name),
                            None,
                            format!("model '{}' is a {} model", self.ckt.models[m].name, kind_name(kind)),
                        ));
                    }
                }
                match letter {
                    b'r' => {
                        let id =
                            self.push_element(name, ElementKind::Resistor { p, n, r: 0.0, r_ac: None }, span, inputs)?;
                        if model.is_some() {
                            self.passive_models.push((id, model));
                        }
                        return Ok(());
                    }
                    b'c' => {
                        let id =
                            self.push_element(name, ElementKind::Capacitor { p, n, c: 0.0, ic: None }, span, inputs)?;
                        if model.is_some() {
                            self.passive_models.push((id, model));
                        }
                        return Ok(());
                    }
                    _ => ElementKind::Inductor { p, n, l: 0.0, ic: None },
                }
            }
            ElementBody::Source { nodes, spec } => {
                let p = self.node(scope, &nodes[0].node);
                let n = self.node(scope, &nodes[1].node);
                if let Some(v) = &spec.dc {
                    input!(Key::Dc, v, "dc");
                }
                if let Some(v) = &spec.ac_mag {
                    input!(Key::AcMag, v, "ac");
                } else if spec.ac {
                    inputs.push((Key::AcMag, RExpr::Num(1.0)));
                }
                if let Some(v) = &spec.ac_phase {
                    input!(Key::AcPhase, v, "ac phase");
                }
                let wave = match &spec.wave {
                    Some(w) => {
                        for (i, a) in w.args.iter().enumerate() {
                            input!(Key::Wave(i), a, "waveform");
                        }
                        Some(WaveSpec { kind: w.kind, args: vec![0.0; w.args.len()] })
                    }
                    None => None,
                };
                let source = Source { dc: 0.0, dc_given: spec.dc.is_some(), ac_mag: 0.0, ac_phase: 0.0, wave };
                if e.name.node.starts_with('v') {
                    ElementKind::VoltageSource { p, n, source }
                } else {
                    ElementKind::CurrentSource { p, n, source }
                }
            }
            ElementBody::Controlled { nodes, gain } => {
                let ids: Vec<NodeId> = nodes.iter().map(|nm| self.node(scope, &nm.node)).collect();
                input!(Key::Gain, gain, "gain");
                if e.name.node.starts_with('e') {
                    ElementKind::Vcvs { p: ids[0], n: ids[1], cp: ids[2], cn: ids[3], gain: 0.0 }
                } else {
                    ElementKind::Vccs { p: ids[0], n: ids[1], cp: ids[2], cn: ids[3], gm: 0.0 }
                }
            }
            ElementBody::CurrentControlled { nodes, control, gain } => {
                let p = self.node(scope, &nodes[0].node);
                let n = self.node(scope, &nodes[1].node);
                input!(Key::Gain, gain, "gain");
                let cname = format!("{}{}", self.scopes[scope].prefix, control.node);
                let kind = if e.name.node.starts_with('f') {
                    ElementKind::Cccs { p, n, control: 0, gain: 0.0 }
                } else {
                    ElementKind::Ccvs { p, n, control: 0, r: 0.0 }
                };
                let id = self.push_element(name, kind, span, inputs)?;
                self.pending_controls.push((id, cname, control.span));
                return Ok(());
            }
            ElementBody::Diode { nodes, model, area, params, off } => {
                let a = self.node(scope, &nodes[0].node);
                let c = self.node(scope, &nodes[1].node);
                let (mid, kind) = self.model(scope, model, &name)?;
                if kind != ModelKind::Diode {
                    return Err(self.err(
                        Some(model.span),
                        Some(&name),
                        None,
                        format!("model '{}' is a {} model, a diode needs a d model", model.node, kind_name(kind)),
                    ));
                }
                self.check_level(mid, &name, model.span)?;
                if let Some(v) = area {
                    input!(Key::Area, v, "area");
                }
                for a in params {
                    match a.name.node.as_str() {
                        "area" => input!(Key::Area, &a.value, "area"),
                        "m" => input!(Key::M, &a.value, "m"),
                        other => {
                            let msg = format!("{name}: parameter '{other}' ignored");
                            self.warn(a.name.span, msg);
                        }
                    }
                }
                ElementKind::Diode { a, c, model: mid, area: 1.0, off: *off }
            }
            ElementBody::Mos { nodes, model, params, off } => {
                let ids: Vec<NodeId> = nodes.iter().map(|nm| self.node(scope, &nm.node)).collect();
                let (mid, kind) = match self.model(scope, model, &name) {
                    Ok(found) => found,
                    Err(e) => self.binned_model(scope, model, &name, params)?.ok_or(e)?,
                };
                if !matches!(kind, ModelKind::Nmos | ModelKind::Pmos) {
                    return Err(self.err(
                        Some(model.span),
                        Some(&name),
                        None,
                        format!("model '{}' is a {} model, a MOSFET needs nmos or pmos", model.node, kind_name(kind)),
                    ));
                }
                self.check_level(mid, &name, model.span)?;
                let mut geom = MosGeometry::default();
                for a in params {
                    let key = match a.name.node.as_str() {
                        "w" => {
                            geom.w_given = true;
                            Key::W
                        }
                        "l" => {
                            geom.l_given = true;
                            Key::L
                        }
                        "ad" => Key::Ad,
                        "as" => Key::As,
                        "pd" => Key::Pd,
                        "ps" => Key::Ps,
                        "nrd" => Key::Nrd,
                        "nrs" => Key::Nrs,
                        "geo" => Key::Geo,
                        "nqsmod" => Key::Nqsmod,
                        "acnqsmod" => Key::Acnqsmod,
                        "delvto" => Key::Delvto,
                        "mulu0" => Key::Mulu0,
                        "icvds" => Key::MosIc(0),
                        "icvgs" => Key::MosIc(1),
                        "icvbs" => Key::MosIc(2),
                        "m" => Key::M,
                        other => {
                            let msg = format!("{name}: parameter '{other}' ignored");
                            self.warn(a.name.span, msg);
                            continue;
                        }
                    };
                    input!(key, &a.value, &a.name.node);
                }
                ElementKind::Mosfet { d: ids[0], g: ids[1], s: ids[2], b: ids[3], model: mid, geom, off: *off }
            }
            ElementBody::Instance { nodes, subckt, params } => {
                return self.instance(&name, nodes, subckt, params, scope, depth, span);
            }
            ElementBody::Mutual { .. } => {
                return Err(self.err(Some(span), Some(&name), None, "mutual inductance (K) is not supported yet"));
            }
            ElementBody::Unsupported(what) => {
                return Err(self.err(Some(span), Some(&name), None, format!("{what} is not supported")));
            }
        };
        self.push_element(name, kind, span, inputs)?;
        Ok(())
    }

    fn model_visible(&self, scope: usize, name: &str) -> bool {
        let mut s = Some(scope);
        while let Some(sid) = s {
            let mut d = Some(self.scopes[sid].def);
            while let Some(did) = d {
                if self.defs[did].models.contains_key(name) {
                    return true;
                }
                d = self.defs[did].parent;
            }
            s = self.scopes[sid].parent;
        }
        false
    }

    fn lookup_subckt(&self, scope: usize, name: &str) -> Option<usize> {
        let mut d = Some(self.scopes[scope].def);
        while let Some(id) = d {
            if let Some(&s) = self.defs[id].subckts.get(name) {
                return Some(s);
            }
            d = self.defs[id].parent;
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn instance(
        &mut self,
        name: &str,
        nodes: &'d [Name],
        subckt: &'d Name,
        params: &'d [Assign],
        scope: usize,
        depth: usize,
        span: Span,
    ) -> Result<(), Error> {
        if depth >= MAX_DEPTH {
            return Err(self.err(
                Some(span),
                Some(name),
                None,
                format!("subcircuits nested more than {MAX_DEPTH} deep (does '{}' instantiate itself?)", subckt.node),
            ));
        }
        let Some(def) = self.lookup_subckt(scope, &subckt.node) else {
            return Err(self.err(Some(subckt.span), Some(name), None, format!("unknown subcircuit '{}'", subckt.node)));
        };
        let d = &self.defs[def];
        let (pins_def, defaults, body) = (d.pins, d.params, d.body);
        if pins_def.len() != nodes.len() {
            return Err(self.err(
                Some(span),
                Some(name),
                None,
                format!("subcircuit '{}' has {} pins, {} nodes given", subckt.node, pins_def.len(), nodes.len()),
            ));
        }
        let mut pins = Map::default();
        for (pin, node) in pins_def.iter().zip(nodes) {
            let id = self.node(scope, &node.node);
            pins.insert(pin.node.clone(), id);
        }
        let sid = self.scopes.len();
        let mult = self.scopes[scope].mult.clone();
        self.scopes.push(Scope {
            params: Map::default(),
            parent: Some(scope),
            def,
            prefix: format!("{name}."),
            pins,
            mult,
        });
        self.declare_params(sid, defaults, Some((params, scope)), body)?;
        self.walk(body, sid, depth + 1)
    }

    fn resolve_controls(&mut self) -> Result<(), Error> {
        for (id, cname, span) in std::mem::take(&mut self.pending_controls) {
            let elem_name = self.ckt.elements[id].name.clone();
            let ctl = match self.elem_ids.get(&cname) {
                Some(&c) if matches!(self.ckt.elements[c].kind, ElementKind::VoltageSource { .. }) => c,
                Some(_) => {
                    return Err(self.err(
                        Some(span),
                        Some(&elem_name),
                        None,
                        format!("controlling element '{cname}' is not a voltage source"),
                    ))
                }
                None => {
                    return Err(self.err(
                        Some(span),
                        Some(&elem_name),
                        None,
                        format!("unknown controlling voltage source '{cname}'"),
                    ))
                }
            };
            match &mut self.ckt.elements[id].kind {
                ElementKind::Cccs { control, .. } | ElementKind::Ccvs { control, .. } => *control = ctl,
                _ => {}
            }
        }
        Ok(())
    }

    /// Top-level models nobody uses are kept (for display) when they are simulable.
    fn unused_models(&mut self) -> Result<(), Error> {
        let mut cards: Vec<&'d ModelCard> = self.defs[0].models.values().copied().collect();
        cards.sort_by_key(|c| (c.name.span.file, c.name.span.line));
        for card in cards {
            if self.model_ids.contains_key(&(0, card.name.node.clone())) {
                continue;
            }
            let simple = matches!(card.kind.node.as_str(), "nmos" | "pmos" | "d" | "r" | "res" | "c" | "cap");
            if !simple {
                continue;
            }
            let before = self.ckt.models.len();
            if self.model_instance(0, card, &card.name.node).is_err() {
                continue;
            }
            let m = &self.ckt.models[before];
            if matches!(m.kind, ModelKind::Nmos | ModelKind::Pmos | ModelKind::Diode)
                && !self.opts.supported.contains(&(m.kind, m.level))
            {
                // Keep it out of the circuit: nothing uses it and the solver could not.
                self.ckt.models.pop();
                self.model_exprs.pop();
                if self.p.models.last().is_some_and(|r| r.model == before) {
                    self.p.models.pop();
                    self.p.recipe_of.remove(&Target::Model(before));
                }
                self.model_ids.remove(&(0, card.name.node.clone()));
            }
        }
        if let Err(m) = self.p.evaluate_all() {
            return Err(self.err(None, None, None, m));
        }
        Ok(())
    }

    fn global_value(&mut self, v: &Value, what: &str) -> Result<f64, Error> {
        let r = self.rexpr(v, 0, what, what)?;
        let x = r.eval(&self.p.values);
        if !x.is_finite() {
            return Err(self.err(Some(v.span), Some(what), None, format!("value is not finite ({x})")));
        }
        Ok(x)
    }

    fn top_node(&self, name: &Name, what: &str) -> Result<NodeId, Error> {
        if name.node == "0" || name.node == "gnd" {
            return Ok(GROUND);
        }
        self.node_ids
            .get(&name.node)
            .copied()
            .ok_or_else(|| self.err(Some(name.span), Some(what), None, format!("unknown node '{}'", name.node)))
    }

    fn source_id(&self, name: &Name, what: &str) -> Result<ElementId, Error> {
        match self.elem_ids.get(&name.node) {
            Some(&id)
                if matches!(
                    self.ckt.elements[id].kind,
                    ElementKind::VoltageSource { .. } | ElementKind::CurrentSource { .. }
                ) =>
            {
                Ok(id)
            }
            Some(_) => Err(self.err(
                Some(name.span),
                Some(what),
                None,
                format!("'{}' is not an independent source", name.node),
            )),
            None => Err(self.err(Some(name.span), Some(what), None, format!("unknown source '{}'", name.node))),
        }
    }

    fn grid(&mut self, kind: GridKind, points: &Value, f1: &Value, f2: &Value, what: &str) -> Result<FreqGrid, Error> {
        let n = self.global_value(points, what)?;
        if !(1.0..=1e7).contains(&n) {
            return Err(self.err(
                Some(points.span),
                Some(what),
                Some("points"),
                format!("number of points must be at least 1, got {n}"),
            ));
        }
        let fstart = self.global_value(f1, what)?;
        let fstop = self.global_value(f2, what)?;
        if kind != GridKind::Lin && (fstart <= 0.0 || fstop < fstart) {
            return Err(self.err(
                Some(f1.span),
                Some(what),
                None,
                format!("a {kind} sweep needs 0 < fstart <= fstop (got {fstart} and {fstop})"),
            ));
        }
        Ok(FreqGrid { kind, points: n.round() as usize, fstart, fstop })
    }

    fn analyses(&mut self) -> Result<(), Error> {
        let deck = self.deck;
        for card in &deck.cards {
            match &card.kind {
                CardKind::Analysis(a) => {
                    let an = match a {
                        AnalysisCard::Op => Analysis::Op,
                        AnalysisCard::Dc(sweeps) => {
                            let mut out = Vec::new();
                            for s in sweeps {
                                let var = if s.var.node == "temp" {
                                    SweepVar::Temp
                                } else {
                                    SweepVar::Source(self.source_id(&s.var, ".dc")?)
                                };
                                let start = self.global_value(&s.start, ".dc")?;
                                let stop = self.global_value(&s.stop, ".dc")?;
                                let step = self.global_value(&s.step, ".dc")?;
                                if step == 0.0 || (stop - start) / step < 0.0 || ((stop - start) / step).abs() > 1e8 {
                                    return Err(self.err(
                                        Some(s.step.span),
                                        Some(".dc"),
                                        Some("step"),
                                        format!("step {step} does not lead from {start} to {stop}"),
                                    ));
                                }
                                out.push(DcSweep { var, start, stop, step });
                            }
                            Analysis::Dc { sweeps: out }
                        }
                        AnalysisCard::Ac { kind, points, fstart, fstop } => {
                            Analysis::Ac { grid: self.grid(*kind, points, fstart, fstop, ".ac")? }
                        }
                        AnalysisCard::Tran { tstep, tstop, tstart, tmax, uic } => {
                            let tstep_v = self.global_value(tstep, ".tran")?;
                            let tstop_v = self.global_value(tstop, ".tran")?;
                            let tstart_v = match tstart {
                                Some(v) => self.global_value(v, ".tran")?,
                                None => 0.0,
                            };
                            let tmax_v = match tmax {
                                Some(v) => Some(self.global_value(v, ".tran")?),
                                None => None,
                            };
                            if tstep_v <= 0.0 || tstop_v <= 0.0 || tstart_v < 0.0 || tstart_v >= tstop_v {
                                return Err(self.err(Some(tstep.span), Some(".tran"), None, format!("need tstep > 0 and 0 <= tstart < tstop (got tstep {tstep_v}, tstop {tstop_v}, tstart {tstart_v})")));
                            }
                            Analysis::Tran { tstep: tstep_v, tstop: tstop_v, tstart: tstart_v, tmax: tmax_v, uic: *uic }
                        }
                        AnalysisCard::Noise { out_p, out_n, input, kind, points, fstart, fstop } => {
                            let p = self.top_node(out_p, ".noise")?;
                            let n = match out_n {
                                Some(n) => self.top_node(n, ".noise")?,
                                None => GROUND,
                            };
                            let input = self.source_id(input, ".noise")?;
                            Analysis::Noise {
                                out_p: p,
                                out_n: n,
                                input,
                                grid: self.grid(*kind, points, fstart, fstop, ".noise")?,
                            }
                        }
                    };
                    self.ckt.analyses.push(an);
                }
                CardKind::Nodeset(items) | CardKind::Ic(items) => {
                    let is_ic = matches!(card.kind, CardKind::Ic(_));
                    for it in items {
                        let v = self.global_value(&it.value, if is_ic { ".ic" } else { ".nodeset" })?;
                        match self.top_node(&it.node, "") {
                            Ok(n) if n != GROUND => {
                                if is_ic {
                                    self.ckt.ics.push((n, v));
                                } else {
                                    self.ckt.nodesets.push((n, v));
                                }
                            }
                            _ => self.warn(it.node.span, format!("unknown node '{}' ignored", it.node.node)),
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Evaluates every model and element from its inputs; keeps recipes of the
    /// parameter-dependent ones.
    fn compute_all(&mut self) -> Result<(), Error> {
        let values = &self.p.values;
        for (mid, exprs) in self.model_exprs.iter().enumerate() {
            for (i, (_, r)) in exprs.iter().enumerate() {
                let v = r.eval(values);
                if !v.is_finite() {
                    let m = &self.ckt.models[mid];
                    return Err(self.err(
                        None,
                        Some(&format!("model {}", m.name)),
                        Some(&m.params[i].0),
                        format!("value is not finite ({v})"),
                    ));
                }
                self.ckt.models[mid].params[i].1 = v;
            }
        }
        let temper = self.p.temper;
        let mut deps = Vec::new();
        let passive: Map<ElementId, Option<ModelId>> = self.passive_models.iter().copied().collect();
        let mut vals: Vec<(Key, f64)> = Vec::new();
        let scale = option_scale(&self.ckt.options);
        for id in 0..self.ckt.elements.len() {
            let inputs = std::mem::take(&mut self.inputs[id]);
            vals.clear();
            vals.extend(inputs.iter().map(|(k, r)| (*k, r.eval(&self.p.values))));
            let model = if passive.is_empty() { None } else { passive.get(&id).copied().flatten() };
            let ctx = Ctx {
                temp: self.ckt.temp,
                tnom: self.ckt.options.tnom,
                scale,
                mos_defaults: option_mos_defaults(&self.ckt.options),
                models: &self.ckt.models,
            };
            let res = compute(&mut self.ckt.elements[id].kind, &vals, model, &ctx);
            let uses_temp = match res {
                Ok(u) => u,
                Err((p, m)) => return Err(self.err(Some(self.spans[id]), Some(&self.ckt.elements[id].name), p, m)),
            };
            deps.clear();
            for (_, r) in &inputs {
                r.deps(&mut deps);
            }
            if let Some(m) = model {
                for (_, r) in &self.model_exprs[m] {
                    r.deps(&mut deps);
                }
            }
            if uses_temp {
                if let Some(t) = temper {
                    deps.push(t);
                }
            }
            if !deps.is_empty() {
                deps.sort_unstable();
                deps.dedup();
                self.p.recipe_of.insert(Target::Element(id), self.p.elements.len());
                self.p.elements.push(ElementRecipe { element: id, inputs, model });
                self.p.add_user(Target::Element(id), &deps);
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Circuit {
        self.ckt.warnings.append(&mut self.warnings);
        self.ckt.params = std::mem::take(&mut self.p);
        self.ckt
    }
}

/// Name of a model kind as written on `.model` cards.
pub fn kind_name(k: ModelKind) -> &'static str {
    match k {
        ModelKind::Nmos => "nmos",
        ModelKind::Pmos => "pmos",
        ModelKind::Diode => "d",
        ModelKind::Resistor => "r",
        ModelKind::Capacitor => "c",
    }
}

/// What element values depend on besides their own inputs.
pub(crate) struct Ctx<'a> {
    pub temp: f64,
    pub tnom: f64,
    /// `.options scale` (geometry unit of MOSFET W, L, AD, AS, PD, PS).
    pub scale: f64,
    /// MOSFET geometry where a level-1 instance gives none: ngspice's defaults, or
    /// `.options defw/defl/defad/defas` (metres, not scaled); BSIM3 instances take
    /// `BSIM3_DEFAULTS` instead.
    pub mos_defaults: MosGeometry,
    pub models: &'a [Model],
}

/// A number in `.options` (kept in `Options::other`; the last one given wins).
fn option_number(o: &Options, name: &str) -> Option<f64> {
    o.other
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| crate::number::parse_number(v))
        .filter(|v| v.is_finite())
}

/// MOSFET geometry defaults from `.options defw, defl, defad, defas`, as ngspice 39 applies
/// them: DEFAS sets the default *drain* area like DEFAD (the first of the two given wins) and
/// the default source area stays 0 (measured against ngspice: `.options defas=30p` gives the
/// same answers as `AD=30p` on every instance).
fn option_mos_defaults(o: &Options) -> MosGeometry {
    let d = MosGeometry::default();
    let area = o
        .other
        .iter()
        .find(|(k, _)| k == "defad" || k == "defas")
        .and_then(|(_, v)| crate::number::parse_number(v))
        .filter(|v| v.is_finite());
    MosGeometry {
        w: option_number(o, "defw").unwrap_or(d.w),
        l: option_number(o, "defl").unwrap_or(d.l),
        ad: area.unwrap_or(d.ad),
        ..d
    }
}

/// The geometry of a BSIM3 (level 8/49) instance that gives none: W = L = 5 um, no
/// diffusion areas or perimeters, one square (`b3set.c`, `b3v32set.c`, `b3v1set.c`,
/// `b3v0set.c`). ngspice 39 reads `.options defw/defl/defad/defas` only in its MOS level
/// 1-3, 6 and 9 set-up (`mos1temp.c`, ...), so BSIM3 instances ignore them.
const BSIM3_DEFAULTS: MosGeometry = MosGeometry { w: 5e-6, l: 5e-6, ..MosGeometry::NGSPICE_DEFAULT };

/// `.options scale=...` (kept in `Options::other`), 1 when absent.
fn option_scale(o: &Options) -> f64 {
    option_number(o, "scale").filter(|s| *s > 0.0).unwrap_or(1.0)
}

fn get(vals: &[(Key, f64)], key: Key) -> Option<f64> {
    vals.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Fills the numbers of `kind` from evaluated inputs. Returns whether the result depends on
/// the temperature; on error, the parameter and the message.
pub(crate) fn compute(
    kind: &mut ElementKind,
    vals: &[(Key, f64)],
    model: Option<ModelId>,
    ctx: &Ctx,
) -> Result<bool, (Option<&'static str>, String)> {
    for (k, v) in vals {
        if !v.is_finite() {
            let p = key_name(*k);
            return Err((Some(p), format!("value is not finite ({v})")));
        }
    }
    let m = get(vals, Key::M).unwrap_or(1.0);
    if m <= 0.0 {
        return Err((Some("m"), format!("multiplier must be positive, got {m}")));
    }
    let mparam = |name: &[&str]| -> Option<f64> {
        let md = ctx.models.get(model?)?;
        name.iter().find_map(|n| md.param(n))
    };
    let mut uses_temp = false;
    match kind {
        ElementKind::Resistor { r, r_ac, .. } => {
            let nominal = match get(vals, Key::Value) {
                Some(v) => v,
                None => {
                    let rsh = mparam(&["rsh"]);
                    match (rsh, get(vals, Key::L)) {
                        (Some(rsh), Some(l)) if rsh != 0.0 => {
                            let w = get(vals, Key::W).or(mparam(&["defw", "w"])).unwrap_or(1e-6);
                            let narrow = mparam(&["narrow", "dw"]).unwrap_or(0.0);
                            let short = mparam(&["short", "dlr"]).unwrap_or(0.0);
                            rsh * (l - short) / (w - narrow)
                        }
                        _ => match mparam(&["r", "res", "resistance"]) {
                            Some(v) => v,
                            None if model.is_some() => 1e3,
                            None => return Err((None, "resistor has no value".into())),
                        },
                    }
                }
            };
            let tc1 = get(vals, Key::Tc1).or(mparam(&["tc1"])).unwrap_or(0.0);
            let tc2 = get(vals, Key::Tc2).or(mparam(&["tc2"])).unwrap_or(0.0);
            let dt = ctx.temp - ctx.tnom;
            // Temperature, `scale` and `m`: the AC resistance scales like the DC one.
            let mut factor = 1.0;
            if let Some(tce) = mparam(&["tce"]) {
                factor *= 1.01f64.powf(tce * dt);
                uses_temp = true;
            } else if tc1 != 0.0 || tc2 != 0.0 {
                factor *= 1.0 + tc1 * dt + tc2 * dt * dt;
                uses_temp = true;
            }
            factor *= get(vals, Key::Scale).unwrap_or(1.0) / m;
            let value = nominal * factor;
            if value == 0.0 || !value.is_finite() {
                return Err((Some("r"), format!("resistance must be non-zero and finite, got {value}")));
            }
            *r = value;
            *r_ac = match get(vals, Key::AcValue).map(|v| v * factor) {
                Some(v) if v == 0.0 || !v.is_finite() => {
                    return Err((Some("ac"), format!("AC resistance must be non-zero and finite, got {v}")))
                }
                v => v,
            };
        }
        ElementKind::Capacitor { c, ic, .. } => {
            let mut value = match get(vals, Key::Value) {
                Some(v) => v,
                None => match mparam(&["c", "cap", "capacitance"]) {
                    Some(v) => v,
                    None => match (mparam(&["cj"]), get(vals, Key::L), get(vals, Key::W)) {
                        (Some(cj), Some(l), Some(w)) => cj * l * w + mparam(&["cjsw"]).unwrap_or(0.0) * 2.0 * (l + w),
                        _ => return Err((None, "capacitor has no value".into())),
                    },
                },
            };
            value *= get(vals, Key::Scale).unwrap_or(1.0) * m;
            *c = value;
            *ic = get(vals, Key::Ic);
        }
        ElementKind::Inductor { l, ic, .. } => {
            let value = get(vals, Key::Value).ok_or((None, "inductor has no value".to_string()))?;
            *l = value / m;
            *ic = get(vals, Key::Ic);
        }
        ElementKind::VoltageSource { source, .. } | ElementKind::CurrentSource { source, .. } => {
            if let Some(w) = &mut source.wave {
                for (i, a) in w.args.iter_mut().enumerate() {
                    *a = get(vals, Key::Wave(i)).unwrap_or(0.0);
                }
            }
            source.dc = match get(vals, Key::Dc) {
                Some(v) => v,
                None => source.wave.as_ref().map(wave_at_zero).unwrap_or(0.0),
            };
            source.ac_mag = get(vals, Key::AcMag).unwrap_or(0.0);
            source.ac_phase = get(vals, Key::AcPhase).unwrap_or(0.0);
        }
        ElementKind::Vcvs { gain, .. } | ElementKind::Cccs { gain, .. } => *gain = get(vals, Key::Gain).unwrap_or(0.0),
        ElementKind::Vccs { gm, .. } => *gm = get(vals, Key::Gain).unwrap_or(0.0),
        ElementKind::Ccvs { r, .. } => *r = get(vals, Key::Gain).unwrap_or(0.0),
        ElementKind::Diode { area, .. } => {
            *area = get(vals, Key::Area).unwrap_or(1.0) * m;
            if *area <= 0.0 {
                return Err((Some("area"), format!("area must be positive, got {area}")));
            }
        }
        ElementKind::Mosfet { geom, model, .. } => {
            let bsim3 = ctx.models.get(*model).is_some_and(|m| matches!(m.level, 8 | 49));
            let d = if bsim3 { &BSIM3_DEFAULTS } else { &ctx.mos_defaults };
            let (s1, s2) = (ctx.scale, ctx.scale * ctx.scale);
            geom.w = get(vals, Key::W).map_or(d.w, |v| v * s1);
            geom.l = get(vals, Key::L).map_or(d.l, |v| v * s1);
            geom.ad = get(vals, Key::Ad).map_or(d.ad, |v| v * s2);
            geom.as_ = get(vals, Key::As).map_or(d.as_, |v| v * s2);
            geom.pd = get(vals, Key::Pd).map_or(d.pd, |v| v * s1);
            geom.ps = get(vals, Key::Ps).map_or(d.ps, |v| v * s1);
            geom.nrd = get(vals, Key::Nrd).unwrap_or(d.nrd);
            geom.nrs = get(vals, Key::Nrs).unwrap_or(d.nrs);
            geom.m = m;
            geom.diff_given = [Key::Ad, Key::As, Key::Pd, Key::Ps].map(|k| get(vals, k).is_some());
            geom.nr_given = [Key::Nrd, Key::Nrs].map(|k| get(vals, k).is_some());
            // `geo` is an integer parameter: ngspice rounds the value it reads (floor(x + 0.5)).
            geom.geo = match get(vals, Key::Geo) {
                None => None,
                Some(v) if v.is_finite() && v.abs() < 1e9 => Some((v + 0.5).floor() as i32),
                Some(v) => return Err((Some("geo"), format!("GEO must be a finite integer, got {v}"))),
            };
            // NQSMOD is an integer instance parameter of every ngspice BSIM3 (`b3*par.c`); the
            // instance's value overrides the card's.
            geom.nqsmod = match get(vals, Key::Nqsmod) {
                None => None,
                Some(v) if v == 0.0 || v == 1.0 => Some(v as i32),
                Some(v) => return Err((Some("nqsmod"), format!("NQSMOD must be 0 or 1, got {v}"))),
            };
            // An integer parameter too (ngspice's BSIM3 3.3.0 takes it per instance).
            geom.acnqsmod = match get(vals, Key::Acnqsmod) {
                None => None,
                Some(v) if v.is_finite() && v.abs() < 1e9 => Some((v + 0.5).floor() as i32),
                Some(v) => return Err((Some("acnqsmod"), format!("ACNQSMOD must be a finite integer, got {v}"))),
            };
            // Per-instance variation of ngspice's BSIM3 3.2.x/3.3.0 (`b3temp.c`).
            geom.delvto = get(vals, Key::Delvto);
            geom.mulu0 = get(vals, Key::Mulu0);
            let ic = [0, 1, 2].map(|k| get(vals, Key::MosIc(k)));
            geom.ic = ic.iter().any(Option::is_some).then(|| ic.map(|v| v.unwrap_or(0.0)));
            if geom.w <= 0.0 {
                return Err((Some("w"), format!("W must be positive, got {}", geom.w)));
            }
            if geom.l <= 0.0 {
                return Err((Some("l"), format!("L must be positive, got {}", geom.l)));
            }
        }
    }
    Ok(uses_temp)
}

/// The value of a waveform at t = 0 (what ngspice uses for the operating point).
fn wave_at_zero(w: &WaveSpec) -> f64 {
    let a = |i: usize| w.args.get(i).copied().unwrap_or(0.0);
    match w.kind {
        WaveKind::Pulse | WaveKind::Exp => a(0),
        WaveKind::Sin => a(0) + a(1) * (a(5) * std::f64::consts::PI / 180.0).sin(),
        WaveKind::Pwl => a(1),
    }
}

fn key_name(k: Key) -> &'static str {
    match k {
        Key::Value => "value",
        Key::M => "m",
        Key::Scale => "scale",
        Key::Tc1 => "tc1",
        Key::Tc2 => "tc2",
        Key::AcValue => "ac",
        Key::L => "l",
        Key::W => "w",
        Key::Ic => "ic",
        Key::Dc => "dc",
        Key::AcMag => "ac",
        Key::AcPhase => "ac phase",
        Key::Wave(_) => "waveform",
        Key::Gain => "gain",
        Key::Area => "area",
        Key::Ad => "ad",
        Key::As => "as",
        Key::Pd => "pd",
        Key::Ps => "ps",
        Key::Nrd => "nrd",
        Key::Nrs => "nrs",
        Key::Geo => "geo",
        Key::Nqsmod => "nqsmod",
        Key::Acnqsmod => "acnqsmod",
        Key::Delvto => "delvto",
        Key::Mulu0 => "mulu0",
        Key::MosIc(0) => "icvds",
        Key::MosIc(1) => "icvgs",
        Key::MosIc(_) => "icvbs",
    }
}

impl Circuit {
    /// The current value of parameter `name` (case-insensitive; `x1.foo` for a subcircuit
    /// instance's parameter, `temper` for the temperature).
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params.value(&name.to_ascii_lowercase())
    }

    /// Sets parameter `name` to `value` and re-evaluates the numbers that depend on it
    /// (through other parameters too); returns the elements and models that changed,
    /// models first. Analysis cards (`.tran` times, ...) keep their elaborated values.
    /// On error (e.g. a resistance becoming 0) nothing changes, the parameter included.
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<Vec<Target>, Error> {
        let lower = name.to_ascii_lowercase();
        let Some(&id) = self.params.by_name.get(&lower) else { return Err(Error::UnknownParam(lower)) };
        let old_expr = self.params.exprs[id].clone();
        let old_temp = self.temp;
        let targets = self.params.set(id, value);
        if Some(id) == self.params.temper {
            self.temp = value;
        }
        match self.recompute(&targets) {
            Ok(()) => Ok(targets),
            Err(e) => {
                // Undo: the parameter and everything downstream get their previous values back.
                self.params.set_expr(id, old_expr);
                self.temp = old_temp;
                Err(e)
            }
        }
    }

    /// Re-evaluates the recipes of `targets` (models first); all or nothing.
    fn recompute(&mut self, targets: &[Target]) -> Result<(), Error> {
        let values = &self.params.values;
        let mut models = self.models.clone();
        for t in targets {
            if let Target::Model(mid) = t {
                if let Some(&ri) = self.params.recipe_of.get(t) {
                    for (pi, r) in &self.params.models[ri].params {
                        let v = r.eval(values);
                        if !v.is_finite() {
                            let m = &models[*mid];
                            return Err(Error::Elaboration {
                                loc: None,
                                element: Some(format!("model {}", m.name)),
                                param: Some(m.params[*pi].0.clone()),
                                message: format!("value is not finite ({v})"),
                            });
                        }
                        models[*mid].params[*pi].1 = v;
                    }
                }
            }
        }
        let ctx = Ctx {
            temp: self.temp,
            tnom: self.options.tnom,
            scale: option_scale(&self.options),
            mos_defaults: option_mos_defaults(&self.options),
            models: &models,
        };
        let mut updates = Vec::new();
        let mut vals = Vec::new();
        for t in targets {
            if let Target::Element(eid) = t {
                let Some(&ri) = self.params.recipe_of.get(t) else { continue };
                let recipe = &self.params.elements[ri];
                vals.clear();
                vals.extend(recipe.inputs.iter().map(|(k, r)| (*k, r.eval(values))));
                let mut kind = self.elements[*eid].kind.clone();
                compute(&mut kind, &vals, recipe.model, &ctx).map_err(|(p, m)| Error::Elaboration {
                    loc: None,
                    element: Some(self.elements[*eid].name.clone()),
                    param: p.map(str::to_string),
                    message: m,
                })?;
                updates.push((*eid, kind));
            }
        }
        self.models = models;
        for (eid, kind) in updates {
            self.elements[eid].kind = kind;
        }
        Ok(())
    }
}

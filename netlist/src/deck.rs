//! The syntax tree of a deck ([`Deck`]) and its parser: includes and `.lib` sections resolved,
//! `.control` blocks skipped, every card checked against the grammar, spans kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::circuit::{GridKind, WaveKind};
use crate::error::{Error, Location};
use crate::expr::{expr_prefix, identifier, parse_expr, Expr};
use crate::lines::{logical_lines, tokenize, FileId, LLine, Tok, TokKind};
use crate::loader::{resolve, Loader};

/// Deepest `.subckt` / `.if` nesting and include depth accepted.
const MAX_NESTING: usize = 64;

/// A source position: file, 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub file: FileId,
    pub line: u32,
    pub col: u32,
}

/// A value with the position where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

/// An expression with its position.
pub type Value = Spanned<Expr>;
/// A lower-case name with its position.
pub type Name = Spanned<String>;

/// A file read while parsing (the deck, then included files in order of first use).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// A parsed deck: title, cards (includes spliced in place), the files read, warnings.
#[derive(Debug, Clone)]
pub struct Deck {
    pub title: String,
    pub cards: Vec<Card>,
    pub sources: Vec<SourceFile>,
    pub warnings: Vec<String>,
}

/// One card with the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub span: Span,
    pub kind: CardKind,
}

/// What a card says.
#[derive(Debug, Clone, PartialEq)]
pub enum CardKind {
    Element(ElementCard),
    Model(ModelCard),
    /// `.param a=1 b={a*2}`
    Param(Vec<Assign>),
    /// `.func name(args) = body`
    Func(FuncDef),
    Subckt(SubcktDef),
    /// `.if` / `.elseif` / `.else` branches in order (`cond` is `None` for `.else`).
    If(Vec<IfBranch>),
    Temp(Value),
    Options(Vec<OptionItem>),
    Nodeset(Vec<NodeValue>),
    Ic(Vec<NodeValue>),
    Global(Vec<Name>),
    /// `.save` vectors, lower case as written (`v(out)`).
    Save(Vec<String>),
    /// `.print` / `.plot` vectors (the analysis type word dropped).
    Print(Vec<String>),
    Analysis(AnalysisCard),
    /// `.meas` / `.measure`.
    Measure(crate::measure::Measure),
    /// A dot card this front end does not interpret (name, lower case); a warning was issued.
    Unknown(String),
}

/// `name = value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assign {
    pub name: Name,
    pub value: Value,
}

/// An element line: lower-case name and its syntax by type letter.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementCard {
    pub name: Name,
    pub body: ElementBody,
}

/// A positional value of R, C, L: a number/expression, or a bare name (a model, else a parameter).
#[derive(Debug, Clone, PartialEq)]
pub enum ValueOrName {
    Value(Value),
    Name(Name),
}

/// Element syntax by type letter.
#[derive(Debug, Clone, PartialEq)]
pub enum ElementBody {
    /// R, C, L: two nodes, positional value and/or model name, `key=value` parameters.
    Passive { nodes: [Name; 2], positional: Vec<ValueOrName>, params: Vec<Assign> },
    /// V, I.
    Source { nodes: [Name; 2], spec: SourceSpec },
    /// E, G: `p n cp cn gain`.
    Controlled { nodes: [Name; 4], gain: Value },
    /// F, H: `p n vcontrol gain`.
    CurrentControlled { nodes: [Name; 2], control: Name, gain: Value },
    /// D: `a c model [area] [off] [key=value]`.
    Diode { nodes: [Name; 2], model: Name, area: Option<Value>, params: Vec<Assign>, off: bool },
    /// M: `d g s b model [key=value] [off]`.
    Mos { nodes: [Name; 4], model: Name, params: Vec<Assign>, off: bool },
    /// X: `nodes... subckt [params:] key=value...`.
    Instance { nodes: Vec<Name>, subckt: Name, params: Vec<Assign> },
    /// K: `l1 l2 k` (parsed, rejected at elaboration).
    Mutual { inductors: [Name; 2], k: Value },
    /// A syntactically accepted element this front end cannot elaborate (what it is).
    Unsupported(String),
}

/// Independent source specification as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceSpec {
    pub dc: Option<Value>,
    /// `AC` given (alone it means magnitude 1).
    pub ac: bool,
    pub ac_mag: Option<Value>,
    pub ac_phase: Option<Value>,
    pub wave: Option<WaveSyntax>,
}

/// `PULSE(...)`, `SIN(...)`, `EXP(...)`, `PWL(...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveSyntax {
    pub kind: WaveKind,
    pub args: Vec<Value>,
    pub span: Span,
}

/// `.model name type (params)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCard {
    pub name: Name,
    pub kind: Name,
    pub params: Vec<ModelParam>,
}

/// One model parameter: its text as written and its expression when it is one
/// (`version=3.3.0` is text only).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelParam {
    pub name: Name,
    pub text: String,
    pub value: Option<Value>,
}

/// `.func name(args) = body`.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncDef {
    pub name: Name,
    pub args: Vec<String>,
    pub body: Value,
}

/// `.subckt name pins [params:] defaults` ... `.ends`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubcktDef {
    pub name: Name,
    pub pins: Vec<Name>,
    pub params: Vec<Assign>,
    pub body: Vec<Card>,
}

/// One branch of `.if`.
#[derive(Debug, Clone, PartialEq)]
pub struct IfBranch {
    pub cond: Option<Value>,
    pub body: Vec<Card>,
}

/// One `.options` item: `name` or `name=value` (value text as written, lower case).
#[derive(Debug, Clone, PartialEq)]
pub struct OptionItem {
    pub name: Name,
    pub value: Option<Name>,
}

/// `v(node)=value` of `.nodeset` / `.ic`.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeValue {
    pub node: Name,
    pub value: Value,
}

/// A `.dc` sweep as written.
#[derive(Debug, Clone, PartialEq)]
pub struct DcSweepSyntax {
    /// Source name or `temp`.
    pub var: Name,
    pub start: Value,
    pub stop: Value,
    pub step: Value,
}

/// An analysis card.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisCard {
    Op,
    Dc(Vec<DcSweepSyntax>),
    Ac { kind: GridKind, points: Value, fstart: Value, fstop: Value },
    Tran { tstep: Value, tstop: Value, tstart: Option<Value>, tmax: Option<Value>, uic: bool },
    Noise { out_p: Name, out_n: Option<Name>, input: Name, kind: GridKind, points: Value, fstart: Value, fstop: Value },
}

impl Deck {
    /// The [`Location`] (with source line) of a span.
    pub fn location(&self, span: Span) -> Location {
        location(&self.sources, span)
    }
}

fn location(sources: &[SourceFile], span: Span) -> Location {
    let (file, source_line) = match sources.get(span.file) {
        Some(s) => (
            s.path.clone(),
            s.text.lines().nth(span.line.saturating_sub(1) as usize).unwrap_or("").trim_end().to_string(),
        ),
        None => (PathBuf::new(), String::new()),
    };
    Location { file, line: span.line, col: span.col, source_line }
}

/// Parses deck `text` read from `path`; includes are read through `loader`.
///
/// ```
/// use insitu_netlist::{parse_str, MemLoader};
/// let deck = parse_str("rc\nR1 a 0 1k\nC1 a 0 1p\n.op\n.end\n", "rc.cir".as_ref(), &MemLoader::new())?;
/// assert_eq!(deck.title, "rc");
/// assert_eq!(deck.cards.len(), 3);
/// # Ok::<(), insitu_netlist::Error>(())
/// ```
pub fn parse_str(text: &str, path: &Path, loader: &dyn Loader) -> Result<Deck, Error> {
    let mut p = DeckParser {
        loader,
        sources: vec![SourceFile { path: path.to_path_buf(), text: text.to_string() }],
        warnings: Vec::new(),
        stack: vec![(path.to_path_buf(), None)],
        cache: HashMap::new(),
    };
    let (title, lines) = logical_lines(text, 0, true);
    let mut flat = Vec::with_capacity(lines.len());
    p.expand(lines, &mut flat, true)?;
    let mut pos = 0;
    let (cards, end) = p.block(&flat, &mut pos, 0)?;
    if let Some((kw, line)) = end {
        return Err(p.err(line, 0, format!("'{kw}' without a matching opening card")));
    }
    Ok(Deck { title: title.unwrap_or_default(), cards, sources: p.sources, warnings: p.warnings })
}

/// Reads `path` through `loader` and parses it.
pub fn parse_file(path: &Path, loader: &dyn Loader) -> Result<Deck, Error> {
    let text =
        loader.load(path).map_err(|e| Error::Io { loc: None, path: path.to_path_buf(), reason: e.to_string() })?;
    parse_str(&text, path, loader)
}

struct DeckParser<'l> {
    loader: &'l dyn Loader,
    sources: Vec<SourceFile>,
    warnings: Vec<String>,
    /// Files (and `.lib` sections) being expanded, for cycle detection.
    stack: Vec<(PathBuf, Option<String>)>,
    /// Logical lines of files already read (for `.lib` files used several times).
    cache: HashMap<PathBuf, (FileId, Vec<LLine>)>,
}

/// Strips one pair of surrounding quotes.
fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

/// Splits the arguments of `.include` / `.lib` (quoted names may hold blanks).
fn include_args(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            match rest[1..].find(q) {
                Some(end) => {
                    out.push(rest[1..1 + end].to_string());
                    rest = rest[end + 2..].trim_start();
                }
                None => {
                    out.push(rest[1..].to_string());
                    break;
                }
            }
        } else {
            let end = rest.find([' ', '\t']).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    out
}

impl<'l> DeckParser<'l> {
    fn span(&self, line: &LLine, off: usize) -> Span {
        let (l, c) = line.pos(off);
        Span { file: line.file, line: l, col: c }
    }

    fn err(&self, line: &LLine, off: usize, expected: impl Into<String>) -> Error {
        Error::Parse { loc: Box::new(location(&self.sources, self.span(line, off))), expected: expected.into() }
    }

    fn warn(&mut self, line: &LLine, off: usize, msg: impl Into<String>) {
        let loc = location(&self.sources, self.span(line, off));
        self.warnings.push(format!("{loc}: {}", msg.into()));
    }

    /// Reads a file (once) into logical lines.
    fn read(&mut self, from: &LLine, path: &Path) -> Result<(FileId, Vec<LLine>), Error> {
        if let Some(c) = self.cache.get(path) {
            return Ok(c.clone());
        }
        let text = self.loader.load(path).map_err(|e| Error::Io {
            loc: Some(Box::new(location(&self.sources, self.span(from, 0)))),
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let id = self.sources.len();
        let (_, lines) = logical_lines(&text, id, false);
        self.sources.push(SourceFile { path: path.to_path_buf(), text });
        self.cache.insert(path.to_path_buf(), (id, lines.clone()));
        Ok((id, lines))
    }

    fn enter(&mut self, line: &LLine, path: &Path, section: Option<&str>) -> Result<(), Error> {
        let key = (path.to_path_buf(), section.map(str::to_string));
        if self.stack.contains(&key) || self.stack.len() > MAX_NESTING {
            let mut chain: Vec<String> = self
                .stack
                .iter()
                .map(|(p, s)| match s {
                    Some(s) => format!("{} [{s}]", p.display()),
                    None => p.display().to_string(),
                })
                .collect();
            chain.push(match section {
                Some(s) => format!("{} [{s}]", path.display()),
                None => path.display().to_string(),
            });
            return Err(Error::IncludeCycle {
                loc: Box::new(location(&self.sources, self.span(line, 0))),
                chain: chain.join(" -> "),
            });
        }
        self.stack.push(key);
        Ok(())
    }

    /// Expands includes and `.lib` references, drops `.control` blocks and `.lib` section
    /// definitions, stops at `.end` (top level only).
    fn expand(&mut self, lines: Vec<LLine>, out: &mut Vec<LLine>, top: bool) -> Result<(), Error> {
        let mut it = lines.into_iter();
        while let Some(line) = it.next() {
            let kw = line.keyword();
            match kw.as_str() {
                ".control" => {
                    self.warn(&line, 0, ".control block skipped (interactive commands are not run)");
                    for l in it.by_ref() {
                        if l.keyword() == ".endc" {
                            break;
                        }
                    }
                }
                ".endc" => self.warn(&line, 0, "'.endc' without '.control' ignored"),
                ".end" => {
                    if top {
                        return Ok(());
                    }
                }
                ".include" | ".inc" | ".includes" => {
                    let arg = unquote(line.text[kw.len()..].trim()).to_string();
                    if arg.is_empty() {
                        return Err(self.err(&line, 0, "expected a file name after .include"));
                    }
                    let path = resolve(&self.sources[line.file].path.clone(), &arg);
                    self.enter(&line, &path, None)?;
                    let (_, inc) = self.read(&line, &path)?;
                    self.expand(inc, out, false)?;
                    self.stack.pop();
                }
                ".lib" => {
                    let args = include_args(&line.text[kw.len()..]);
                    match args.len() {
                        0 => return Err(self.err(&line, 0, "expected a file name and a section, or a section name")),
                        1 => {
                            // A section definition: skipped unless reached through `.lib FILE SECTION`.
                            for l in it.by_ref() {
                                if l.keyword() == ".endl" {
                                    break;
                                }
                            }
                        }
                        _ => {
                            let path = resolve(&self.sources[line.file].path.clone(), &args[0]);
                            let section = args[1].to_ascii_lowercase();
                            self.enter(&line, &path, Some(&section))?;
                            let (_, lib) = self.read(&line, &path)?;
                            let body = self.section(&line, &lib, &path, &section)?;
                            self.expand(body, out, false)?;
                            self.stack.pop();
                        }
                    }
                }
                ".endl" => {}
                _ => out.push(line),
            }
        }
        Ok(())
    }

    /// The lines of section `name` of a library file.
    fn section(&self, from: &LLine, lib: &[LLine], path: &Path, name: &str) -> Result<Vec<LLine>, Error> {
        let mut i = 0;
        while i < lib.len() {
            let l = &lib[i];
            if l.keyword() == ".lib" {
                let args = include_args(&l.text[4..]);
                if args.len() == 1 && args[0].eq_ignore_ascii_case(name) {
                    let body: Vec<LLine> =
                        lib[i + 1..].iter().take_while(|l| l.keyword() != ".endl").cloned().collect();
                    return Ok(body);
                }
            }
            i += 1;
        }
        Err(self.err(from, 0, format!("section '{name}' not found in '{}'", path.display())))
    }

    /// Parses cards until the end of input or a block terminator, which is returned.
    #[allow(clippy::type_complexity)]
    fn block<'a>(
        &mut self,
        lines: &'a [LLine],
        pos: &mut usize,
        depth: usize,
    ) -> Result<(Vec<Card>, Option<(String, &'a LLine)>), Error> {
        let mut cards = Vec::new();
        while *pos < lines.len() {
            let line = &lines[*pos];
            *pos += 1;
            let kw = line.keyword();
            match kw.as_str() {
                ".ends" | ".elseif" | ".else" | ".endif" => return Ok((cards, Some((kw, line)))),
                ".subckt" => {
                    if depth >= MAX_NESTING {
                        return Err(self.err(line, 0, "subcircuits nested too deeply"));
                    }
                    let mut def = self.subckt_header(line)?;
                    let (body, end) = self.block(lines, pos, depth + 1)?;
                    match end {
                        Some((k, _)) if k == ".ends" => {}
                        Some((k, l)) => return Err(self.err(l, 0, format!("expected '.ends' before '{k}'"))),
                        None => {
                            return Err(self.err(
                                line,
                                0,
                                format!("'.subckt {}' has no matching '.ends'", def.name.node),
                            ))
                        }
                    }
                    def.body = body;
                    cards.push(Card { span: self.span(line, 0), kind: CardKind::Subckt(def) });
                }
                ".if" => {
                    if depth >= MAX_NESTING {
                        return Err(self.err(line, 0, ".if nested too deeply"));
                    }
                    let mut branches = Vec::new();
                    let mut cond = Some(self.if_cond(line, 3)?);
                    loop {
                        let (body, end) = self.block(lines, pos, depth + 1)?;
                        branches.push(IfBranch { cond: cond.take(), body });
                        match end {
                            Some((k, l)) if k == ".elseif" => cond = Some(self.if_cond(l, 7)?),
                            Some((k, _)) if k == ".else" => cond = None,
                            Some((k, _)) if k == ".endif" => break,
                            Some((k, l)) => return Err(self.err(l, 0, format!("expected '.endif' before '{k}'"))),
                            None => return Err(self.err(line, 0, "'.if' has no matching '.endif'")),
                        }
                    }
                    cards.push(Card { span: self.span(line, 0), kind: CardKind::If(branches) });
                }
                _ => {
                    if let Some(card) = self.card(line, &kw)? {
                        cards.push(card);
                    }
                }
            }
        }
        Ok((cards, None))
    }

    fn if_cond(&self, line: &LLine, kwlen: usize) -> Result<Value, Error> {
        self.expr_at(line, kwlen, &line.text[kwlen..])
    }

    /// Parses `text` (found at byte `off` of the line) as a whole expression.
    fn expr_at(&self, line: &LLine, off: usize, text: &str) -> Result<Value, Error> {
        match parse_expr(text) {
            Ok(e) => Ok(Spanned { node: e, span: self.span(line, off + (text.len() - text.trim_start().len())) }),
            Err((o, msg)) => Err(self.err(line, off + o, msg)),
        }
    }

    /// A value token (word or quoted) as an expression.
    fn value(&self, line: &LLine, t: &Tok, after: Option<&str>) -> Result<Value, Error> {
        let (text, off) = match t.kind {
            TokKind::Word => (t.text, t.off),
            TokKind::Quoted => (t.text, t.off + 1),
            _ => {
                let what = after.map(|k| format!("expected a number or expression after '{k}='"));
                return Err(self.err(line, t.off, what.unwrap_or_else(|| "expected a number or expression".into())));
            }
        };
        if let Some(v) = crate::number::parse_number(text) {
            return Ok(Spanned { node: Expr::Num(v), span: self.span(line, t.off) });
        }
        // Unbraced, a word that starts as a number is a number or an error (`1e3-20`).
        if t.kind == TokKind::Word {
            if let Some((o, msg)) = crate::number::numeric_word_error(text) {
                return Err(self.err(line, off + o, msg));
            }
        }
        match parse_expr(text) {
            Ok(e) => Ok(Spanned { node: e, span: self.span(line, t.off) }),
            Err((o, msg)) => {
                let what = match after {
                    Some(k) => format!("expected a number after '{k}=' ({msg})"),
                    None => msg,
                };
                Err(self.err(line, off + o, what))
            }
        }
    }

    fn name(&self, line: &LLine, t: &Tok) -> Name {
        Spanned { node: t.text.to_ascii_lowercase(), span: self.span(line, t.off) }
    }

    fn tokens<'a>(&self, line: &'a LLine) -> Result<Vec<Tok<'a>>, Error> {
        tokenize(&line.text).map_err(|(o, m)| self.err(line, o, m))
    }

    /// Parses one non-block card; `None` for cards that produce nothing.
    fn card(&mut self, line: &LLine, kw: &str) -> Result<Option<Card>, Error> {
        let span = self.span(line, 0);
        let kind = if kw.starts_with('.') {
            match self.dot_card(line, kw)? {
                Some(k) => k,
                None => return Ok(None),
            }
        } else {
            CardKind::Element(self.element(line)?)
        };
        Ok(Some(Card { span, kind }))
    }

    fn dot_card(&mut self, line: &LLine, kw: &str) -> Result<Option<CardKind>, Error> {
        let rest_off = kw.len();
        let rest = &line.text[rest_off..];
        Ok(Some(match kw {
            ".model" => CardKind::Model(self.model(line)?),
            ".param" | ".params" => CardKind::Param(self.param_list(line, rest_off)?),
            ".func" => CardKind::Func(self.func(line, rest_off)?),
            ".temp" => {
                let toks = self.tokens(line)?;
                let t = toks.get(1).ok_or_else(|| self.err(line, line.text.len(), "expected a temperature"))?;
                CardKind::Temp(self.value(line, t, None)?)
            }
            ".options" | ".option" | ".opt" | ".opts" => CardKind::Options(self.options(line)?),
            ".nodeset" => CardKind::Nodeset(self.node_values(line)?),
            ".ic" => CardKind::Ic(self.node_values(line)?),
            ".global" => {
                let toks = self.tokens(line)?;
                CardKind::Global(
                    toks[1..].iter().filter(|t| t.kind == TokKind::Word).map(|t| self.name(line, t)).collect(),
                )
            }
            ".save" => CardKind::Save(vectors(rest, false)),
            ".print" | ".plot" => CardKind::Print(vectors(rest, true)),
            ".op" => CardKind::Analysis(AnalysisCard::Op),
            ".dc" => CardKind::Analysis(self.dc(line)?),
            ".ac" => {
                let toks = self.tokens(line)?;
                let (kind, points, fstart, fstop) = self.grid(line, &toks, 1)?;
                CardKind::Analysis(AnalysisCard::Ac { kind, points, fstart, fstop })
            }
            ".tran" => CardKind::Analysis(self.tran(line)?),
            ".noise" => CardKind::Analysis(self.noise(line)?),
            ".title" => return Ok(None),
            ".meas" | ".measure" => {
                let sources = &self.sources;
                let loc_at = |off: usize| location(sources, self.span(line, off));
                match crate::measure::parse_measure(&line.text, &loc_at) {
                    Ok(m) => CardKind::Measure(m),
                    Err((off, msg)) => return Err(self.err(line, off, msg)),
                }
            }
            _ => {
                self.warn(line, 0, format!("unknown card '{kw}' ignored"));
                CardKind::Unknown(kw.to_string())
            }
        }))
    }

    fn model(&mut self, line: &LLine) -> Result<ModelCard, Error> {
        let toks = self.tokens(line)?;
        let name = match toks.get(1) {
            Some(t) if t.kind == TokKind::Word => self.name(line, t),
            _ => return Err(self.err(line, toks.get(1).map_or(line.text.len(), |t| t.off), "expected a model name")),
        };
        let kind = match toks.get(2) {
            Some(t) if t.kind == TokKind::Word => self.name(line, t),
            _ => {
                return Err(self.err(
                    line,
                    toks.get(2).map_or(line.text.len(), |t| t.off),
                    "expected a model type (nmos, pmos, d, r, c, ...)",
                ))
            }
        };
        let mut params = Vec::new();
        let mut i = 3;
        while i < toks.len() {
            let t = toks[i];
            match t.kind {
                TokKind::LParen | TokKind::RParen | TokKind::Comma => i += 1,
                TokKind::Word if toks.get(i + 1).map(|t| t.kind) == Some(TokKind::Eq) => {
                    let v = toks.get(i + 2).filter(|v| matches!(v.kind, TokKind::Word | TokKind::Quoted));
                    let Some(v) = v else {
                        return Err(self.err(
                            line,
                            t.off + t.text.len() + 1,
                            format!("expected a value after '{}='", t.text),
                        ));
                    };
                    let value = self.value(line, v, Some(t.text)).ok();
                    if value.is_none() && !t.text.eq_ignore_ascii_case("version") {
                        self.value(line, v, Some(t.text))?;
                    }
                    params.push(ModelParam { name: self.name(line, &t), text: v.text.to_ascii_lowercase(), value });
                    i += 3;
                }
                _ => {
                    self.warn(line, t.off, format!("model parameter '{}' without a value ignored", t.text));
                    i += 1;
                }
            }
        }
        Ok(ModelCard { name, kind, params })
    }

    /// `name = expr` pairs from the raw text after the keyword (blanks allowed around `=`
    /// and inside unquoted expressions).
    fn param_list(&self, line: &LLine, start: usize) -> Result<Vec<Assign>, Error> {
        let text = &line.text;
        let mut out = Vec::new();
        let mut i = start;
        loop {
            let rest = &text[i..];
            let trimmed = rest.trim_start_matches([' ', '\t', ',']);
            i += rest.len() - trimmed.len();
            if trimmed.is_empty() {
                break;
            }
            let (after, name) = identifier(trimmed).map_err(|_| self.err(line, i, "expected a parameter name"))?;
            let name_off = i;
            i += trimmed.len() - after.len();
            let after_ws = after.trim_start();
            i += after.len() - after_ws.len();
            let Some(val) = after_ws.strip_prefix('=') else {
                return Err(self.err(line, i, format!("expected '=' after parameter '{name}'")));
            };
            i += 1;
            let val_ws = val.trim_start();
            i += val.len() - val_ws.len();
            let name_s = Spanned { node: name.to_ascii_lowercase(), span: self.span(line, name_off) };
            let first = val_ws.chars().next();
            let value = match first {
                Some(q @ ('\'' | '"' | '{')) => {
                    let close = if q == '{' { '}' } else { q };
                    let toks = tokenize(val_ws).map_err(|(o, m)| self.err(line, i + o, m))?;
                    let t = toks.first().filter(|t| t.kind == TokKind::Quoted);
                    let Some(t) = t else { return Err(self.err(line, i, format!("unterminated {q}"))) };
                    let len = t.text.len() + 2;
                    debug_assert!(val_ws[len - 1..].starts_with(close));
                    let v = self.expr_at(line, i + 1, t.text)?;
                    i += len;
                    v
                }
                None => return Err(self.err(line, i, format!("expected a value after '{name}='"))),
                _ => match expr_prefix(val_ws) {
                    Ok((r, e)) => {
                        let used = val_ws.len() - r.len();
                        let v = Spanned { node: e, span: self.span(line, i) };
                        i += used;
                        v
                    }
                    Err(nom::Err::Error(e)) | Err(nom::Err::Failure(e)) => {
                        let o = val_ws.len() - e.at.len();
                        return Err(self.err(line, i + o, format!("expected a number after '{name}=' ({})", e.msg)));
                    }
                    Err(nom::Err::Incomplete(_)) => return Err(self.err(line, i, "incomplete expression")),
                },
            };
            out.push(Assign { name: name_s, value });
        }
        Ok(out)
    }

    fn func(&self, line: &LLine, start: usize) -> Result<FuncDef, Error> {
        let text = &line.text;
        let rest = &text[start..];
        let t = rest.trim_start();
        let mut i = start + rest.len() - t.len();
        let (after, name) = identifier(t).map_err(|_| self.err(line, i, "expected a function name"))?;
        let name_s = Spanned { node: name.to_ascii_lowercase(), span: self.span(line, i) };
        i += t.len() - after.len();
        let a = after.trim_start();
        i += after.len() - a.len();
        let Some(inner) = a.strip_prefix('(') else { return Err(self.err(line, i, "expected '(' and argument names")) };
        let Some(close) = inner.find(')') else { return Err(self.err(line, i, "expected ')' after the arguments")) };
        let mut args = Vec::new();
        for arg in inner[..close].split(',') {
            let arg = arg.trim();
            if arg.is_empty() {
                continue;
            }
            match identifier(arg) {
                Ok(("", _)) => args.push(arg.to_ascii_lowercase()),
                _ => return Err(self.err(line, i + 1, format!("'{arg}' is not an argument name"))),
            }
        }
        i += 1 + close + 1;
        let body = &text[i..];
        let b = body.trim_start();
        i += body.len() - b.len();
        let (b, skip) = match b.strip_prefix('=') {
            Some(x) => (x, 1),
            None => (b, 0),
        };
        i += skip;
        let b2 = b.trim();
        i += b.len() - b.trim_start().len();
        let (inner, off) = if b2.len() >= 2
            && ((b2.starts_with('{') && b2.ends_with('}')) || (b2.starts_with('\'') && b2.ends_with('\'')))
        {
            (&b2[1..b2.len() - 1], i + 1)
        } else {
            (b2, i)
        };
        Ok(FuncDef { name: name_s, args, body: self.expr_at(line, off, inner)? })
    }

    fn subckt_header(&self, line: &LLine) -> Result<SubcktDef, Error> {
        let toks = self.tokens(line)?;
        let name = match toks.get(1) {
            Some(t) if t.kind == TokKind::Word => self.name(line, t),
            _ => return Err(self.err(line, line.text.len().min(8), "expected a subcircuit name")),
        };
        let mut pins = Vec::new();
        let mut i = 2;
        while i < toks.len() {
            let t = toks[i];
            if t.kind != TokKind::Word || toks.get(i + 1).map(|t| t.kind) == Some(TokKind::Eq) {
                break;
            }
            let lower = t.text.to_ascii_lowercase();
            if lower == "params:" || lower == "param:" {
                i += 1;
                break;
            }
            pins.push(self.name(line, &t));
            i += 1;
        }
        let (params, flags) = self.assigns(line, &toks[i..])?;
        if let Some(f) = flags.first() {
            return Err(self.err(line, f.off, "expected 'name=value' (subcircuit parameter)"));
        }
        Ok(SubcktDef { name, pins, params, body: Vec::new() })
    }

    /// `key=value` items and bare words of a token list.
    fn assigns<'a>(&self, line: &LLine, toks: &[Tok<'a>]) -> Result<(Vec<Assign>, Vec<Tok<'a>>), Error> {
        let mut out = Vec::new();
        let mut flags = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            match t.kind {
                TokKind::Word if toks.get(i + 1).map(|t| t.kind) == Some(TokKind::Eq) => {
                    let Some(v) = toks.get(i + 2) else {
                        return Err(self.err(line, line.text.len(), format!("expected a number after '{}='", t.text)));
                    };
                    out.push(Assign { name: self.name(line, &t), value: self.value(line, v, Some(t.text))? });
                    i += 3;
                }
                TokKind::Comma | TokKind::LParen | TokKind::RParen => i += 1,
                _ => {
                    flags.push(t);
                    i += 1;
                }
            }
        }
        Ok((out, flags))
    }

    fn options(&self, line: &LLine) -> Result<Vec<OptionItem>, Error> {
        let toks = self.tokens(line)?;
        let mut out = Vec::new();
        let mut i = 1;
        while i < toks.len() {
            let t = toks[i];
            if t.kind != TokKind::Word {
                i += 1;
                continue;
            }
            if toks.get(i + 1).map(|t| t.kind) == Some(TokKind::Eq) {
                let v = toks.get(i + 2).filter(|v| matches!(v.kind, TokKind::Word | TokKind::Quoted));
                let Some(v) = v else {
                    return Err(self.err(line, t.off, format!("expected a value after '{}='", t.text)));
                };
                out.push(OptionItem { name: self.name(line, &t), value: Some(self.name(line, v)) });
                i += 3;
            } else {
                out.push(OptionItem { name: self.name(line, &t), value: None });
                i += 1;
            }
        }
        Ok(out)
    }

    fn node_values(&self, line: &LLine) -> Result<Vec<NodeValue>, Error> {
        let toks = self.tokens(line)?;
        let mut out = Vec::new();
        let mut i = 1;
        while i < toks.len() {
            let t = toks[i];
            let ok = t.kind == TokKind::Word
                && t.text.eq_ignore_ascii_case("v")
                && toks.get(i + 1).map(|t| t.kind) == Some(TokKind::LParen)
                && toks.get(i + 2).map(|t| t.kind) == Some(TokKind::Word)
                && toks.get(i + 3).map(|t| t.kind) == Some(TokKind::RParen)
                && toks.get(i + 4).map(|t| t.kind) == Some(TokKind::Eq);
            if !ok {
                return Err(self.err(line, t.off, "expected 'v(node)=value'"));
            }
            let Some(v) = toks.get(i + 5) else {
                return Err(self.err(line, line.text.len(), "expected a value after 'v(node)='"));
            };
            out.push(NodeValue { node: self.name(line, &toks[i + 2]), value: self.value(line, v, Some("v(node)"))? });
            i += 6;
        }
        Ok(out)
    }

    fn num_tok(&self, line: &LLine, toks: &[Tok], i: usize, what: &str) -> Result<Value, Error> {
        match toks.get(i) {
            Some(t) => self.value(line, t, None).map_err(|e| match e {
                Error::Parse { loc, expected } => Error::Parse { loc, expected: format!("{what}: {expected}") },
                e => e,
            }),
            None => Err(self.err(line, line.text.len(), format!("expected {what}"))),
        }
    }

    fn grid(&self, line: &LLine, toks: &[Tok], i: usize) -> Result<(GridKind, Value, Value, Value), Error> {
        let kind = match toks.get(i).map(|t| t.text.to_ascii_lowercase()) {
            Some(k) if k == "dec" => GridKind::Dec,
            Some(k) if k == "oct" => GridKind::Oct,
            Some(k) if k == "lin" => GridKind::Lin,
            _ => {
                return Err(self.err(line, toks.get(i).map_or(line.text.len(), |t| t.off), "expected dec, oct or lin"))
            }
        };
        Ok((
            kind,
            self.num_tok(line, toks, i + 1, "expected the number of points")?,
            self.num_tok(line, toks, i + 2, "expected the start frequency")?,
            self.num_tok(line, toks, i + 3, "expected the stop frequency")?,
        ))
    }

    fn dc(&self, line: &LLine) -> Result<AnalysisCard, Error> {
        let toks = self.tokens(line)?;
        let mut i = 1;
        if toks.get(1).is_some_and(|t| t.text.eq_ignore_ascii_case("lin")) {
            i = 2;
        }
        let mut sweeps = Vec::new();
        while i < toks.len() && sweeps.len() < 2 {
            let t = toks[i];
            if t.kind != TokKind::Word || parse_expr(t.text).is_ok_and(|e| e.as_num().is_some()) {
                return Err(self.err(line, t.off, "expected a source name or 'temp'"));
            }
            sweeps.push(DcSweepSyntax {
                var: self.name(line, &t),
                start: self.num_tok(line, &toks, i + 1, "expected the start value")?,
                stop: self.num_tok(line, &toks, i + 2, "expected the stop value")?,
                step: self.num_tok(line, &toks, i + 3, "expected the step")?,
            });
            i += 4;
        }
        if sweeps.is_empty() {
            return Err(self.err(line, line.text.len(), "expected a source name or 'temp'"));
        }
        Ok(AnalysisCard::Dc(sweeps))
    }

    fn tran(&self, line: &LLine) -> Result<AnalysisCard, Error> {
        let toks = self.tokens(line)?;
        let mut uic = false;
        let mut vals = Vec::new();
        for (i, t) in toks.iter().enumerate().skip(1) {
            if t.text.eq_ignore_ascii_case("uic") {
                uic = true;
            } else if vals.len() < 4 {
                vals.push(self.num_tok(line, &toks, i, "expected a time")?);
            } else {
                return Err(self.err(line, t.off, "expected at most tstep tstop tstart tmax and 'uic'"));
            }
        }
        if vals.len() < 2 {
            return Err(self.err(line, line.text.len(), "expected tstep and tstop"));
        }
        let mut it = vals.into_iter();
        let (Some(tstep), Some(tstop)) = (it.next(), it.next()) else {
            return Err(self.err(line, 0, "expected tstep and tstop"));
        };
        Ok(AnalysisCard::Tran { tstep, tstop, tstart: it.next(), tmax: it.next(), uic })
    }

    fn noise(&self, line: &LLine) -> Result<AnalysisCard, Error> {
        let toks = self.tokens(line)?;
        let bad = |i: usize| {
            self.err(
                line,
                toks.get(i).map_or(line.text.len(), |t| t.off),
                "expected 'v(out[,ref]) source dec|oct|lin points fstart fstop'",
            )
        };
        let word = |i: usize| toks.get(i).filter(|t| t.kind == TokKind::Word).copied();
        let kind_at = |i: usize, k: TokKind| toks.get(i).map(|t| t.kind) == Some(k);
        if !(word(1).is_some_and(|t| t.text.eq_ignore_ascii_case("v")) && kind_at(2, TokKind::LParen)) {
            return Err(bad(1));
        }
        let out_p = word(3).map(|t| self.name(line, &t)).ok_or_else(|| bad(3))?;
        let mut i = 4;
        let mut out_n = None;
        if kind_at(i, TokKind::Comma) {
            out_n = Some(word(i + 1).map(|t| self.name(line, &t)).ok_or_else(|| bad(i + 1))?);
            i += 2;
        }
        if !kind_at(i, TokKind::RParen) {
            return Err(bad(i));
        }
        let input = word(i + 1).map(|t| self.name(line, &t)).ok_or_else(|| bad(i + 1))?;
        let (kind, points, fstart, fstop) = self.grid(line, &toks, i + 2)?;
        Ok(AnalysisCard::Noise { out_p, out_n, input, kind, points, fstart, fstop })
    }

    fn node(&self, line: &LLine, toks: &[Tok], i: usize, what: &str) -> Result<Name, Error> {
        match toks.get(i) {
            Some(t) if t.kind == TokKind::Word => Ok(self.name(line, t)),
            Some(t) => Err(self.err(line, t.off, format!("expected {what}"))),
            None => Err(self.err(line, line.text.len(), format!("expected {what}"))),
        }
    }

    fn element(&mut self, line: &LLine) -> Result<ElementCard, Error> {
        let toks = self.tokens(line)?;
        let Some(first) = toks.first().filter(|t| t.kind == TokKind::Word) else {
            return Err(self.err(line, 0, "expected an element name or a dot card"));
        };
        let name = self.name(line, first);
        let letter = name.node.chars().next().unwrap_or(' ');
        let n2 = |s: &Self| -> Result<[Name; 2], Error> {
            Ok([s.node(line, &toks, 1, "a node name")?, s.node(line, &toks, 2, "a second node name")?])
        };
        let body = match letter {
            'r' | 'c' | 'l' => {
                let nodes = n2(self)?;
                let mut positional = Vec::new();
                let mut rest = &toks[3..];
                while let Some(t) = rest.first() {
                    if rest.get(1).map(|t| t.kind) == Some(TokKind::Eq) {
                        break;
                    }
                    match t.kind {
                        TokKind::Quoted => positional.push(ValueOrName::Value(self.value(line, t, None)?)),
                        TokKind::Word => {
                            if identifier(t.text).is_ok_and(|(r, _)| r.is_empty()) {
                                positional.push(ValueOrName::Name(self.name(line, t)));
                            } else {
                                positional.push(ValueOrName::Value(self.value(line, t, None)?));
                            }
                        }
                        _ => return Err(self.err(line, t.off, "expected a value, a model name or 'name=value'")),
                    }
                    rest = &rest[1..];
                }
                let (params, flags) = self.assigns(line, rest)?;
                for f in flags {
                    self.warn(line, f.off, format!("'{}' ignored on {}", f.text, name.node));
                }
                ElementBody::Passive { nodes, positional, params }
            }
            'v' | 'i' => {
                let nodes = n2(self)?;
                ElementBody::Source { nodes, spec: self.source_spec(line, &toks[3..])? }
            }
            'e' | 'g' => {
                let p = self.node(line, &toks, 1, "a node name")?;
                let n = self.node(line, &toks, 2, "a second node name")?;
                let mut i = 3;
                let w3 = toks.get(3).map(|t| t.text.to_ascii_lowercase()).unwrap_or_default();
                if w3 == "vcvs" || w3 == "vccs" {
                    i = 4;
                }
                let w = toks.get(i).map(|t| t.text.to_ascii_lowercase()).unwrap_or_default();
                if w == "value" || w == "poly" || w == "table" || w == "vol" || w == "cur" || w == "laplace" {
                    ElementBody::Unsupported(format!("behavioural/polynomial '{letter}' source ({w})"))
                } else {
                    let cp = self.node(line, &toks, i, "a controlling node")?;
                    let cn = self.node(line, &toks, i + 1, "a second controlling node")?;
                    let gain = match toks.get(i + 2) {
                        Some(t) => self.value(line, t, None)?,
                        None => return Err(self.err(line, line.text.len(), "expected the gain")),
                    };
                    ElementBody::Controlled { nodes: [p, n, cp, cn], gain }
                }
            }
            'f' | 'h' => {
                let nodes = n2(self)?;
                let w = toks.get(3).map(|t| t.text.to_ascii_lowercase()).unwrap_or_default();
                if w == "poly" || w == "value" {
                    ElementBody::Unsupported(format!("polynomial '{letter}' source"))
                } else {
                    let control = self.node(line, &toks, 3, "the controlling voltage source")?;
                    let gain = match toks.get(4) {
                        Some(t) => self.value(line, t, None)?,
                        None => return Err(self.err(line, line.text.len(), "expected the gain")),
                    };
                    ElementBody::CurrentControlled { nodes, control, gain }
                }
            }
            'd' => {
                let nodes = n2(self)?;
                let model = self.node(line, &toks, 3, "a diode model name")?;
                let mut area = None;
                let mut rest = &toks[4.min(toks.len())..];
                if let Some(t) = rest.first() {
                    let is_assign = rest.get(1).map(|t| t.kind) == Some(TokKind::Eq);
                    let is_off = t.text.eq_ignore_ascii_case("off");
                    if !is_assign && !is_off && matches!(t.kind, TokKind::Word | TokKind::Quoted) {
                        area = Some(self.value(line, t, None)?);
                        rest = &rest[1..];
                    }
                }
                let (params, flags) = self.assigns(line, rest)?;
                let off = self.flags(line, &name.node, &flags);
                ElementBody::Diode { nodes, model, area, params, off }
            }
            'm' => {
                let mut nodes = Vec::new();
                for i in 1..=4 {
                    nodes.push(self.node(line, &toks, i, "four nodes (drain gate source bulk) and a model name")?);
                }
                let model = self.node(line, &toks, 5, "a model name after the four nodes")?;
                if toks.get(6).map(|t| t.kind) == Some(TokKind::Eq) {
                    return Err(self.err(
                        line,
                        toks[5].off,
                        "expected four nodes (drain gate source bulk) and a model name",
                    ));
                }
                // `ic=vds,vgs,vbs`: a vector, given to the model as `icvds`, `icvgs`, `icvbs`.
                let rest = &toks[6.min(toks.len())..];
                let mut ic = Vec::new();
                let mut kept = Vec::with_capacity(rest.len());
                let mut i = 0;
                while i < rest.len() {
                    let t = rest[i];
                    let is_ic = t.kind == TokKind::Word
                        && t.text.eq_ignore_ascii_case("ic")
                        && rest.get(i + 1).map(|t| t.kind) == Some(TokKind::Eq);
                    if !is_ic {
                        kept.push(t);
                        i += 1;
                        continue;
                    }
                    i += 2;
                    for (k, key) in ["icvds", "icvgs", "icvbs"].into_iter().enumerate() {
                        if k > 0 {
                            if rest.get(i).map(|t| t.kind) != Some(TokKind::Comma) {
                                break;
                            }
                            i += 1;
                        }
                        let Some(v) = rest.get(i) else {
                            return Err(self.err(line, line.text.len(), "expected a number after 'ic='"));
                        };
                        let value = self.value(line, v, Some("ic"))?;
                        ic.push(Assign {
                            name: Spanned { node: key.to_string(), span: self.span(line, t.off) },
                            value,
                        });
                        i += 1;
                    }
                }
                let (mut params, flags) = self.assigns(line, &kept)?;
                params.extend(ic);
                let off = self.flags(line, &name.node, &flags);
                let [d, g, s, b]: [Name; 4] = nodes.try_into().map_err(|_| self.err(line, 0, "expected four nodes"))?;
                ElementBody::Mos { nodes: [d, g, s, b], model, params, off }
            }
            'x' => {
                let mut words = Vec::new();
                let mut i = 1;
                while i < toks.len() {
                    let t = toks[i];
                    if t.kind != TokKind::Word || toks.get(i + 1).map(|t| t.kind) == Some(TokKind::Eq) {
                        break;
                    }
                    i += 1;
                    let lower = t.text.to_ascii_lowercase();
                    if lower == "params:" || lower == "param:" {
                        break;
                    }
                    words.push(self.name(line, &t));
                }
                let (params, flags) = self.assigns(line, &toks[i..])?;
                if let Some(f) = flags.first() {
                    return Err(self.err(line, f.off, "expected 'name=value' after the subcircuit name"));
                }
                let Some(subckt) = words.pop() else {
                    return Err(self.err(line, line.text.len(), "expected nodes and a subcircuit name"));
                };
                ElementBody::Instance { nodes: words, subckt, params }
            }
            'k' => {
                let l1 = self.node(line, &toks, 1, "an inductor name")?;
                let l2 = self.node(line, &toks, 2, "a second inductor name")?;
                let k = match toks.get(3) {
                    Some(t) => self.value(line, t, None)?,
                    None => return Err(self.err(line, line.text.len(), "expected the coupling coefficient")),
                };
                ElementBody::Mutual { inductors: [l1, l2], k }
            }
            c if c.is_ascii_alphabetic() => ElementBody::Unsupported(format!("element type '{c}'")),
            _ => {
                return Err(self.err(
                    line,
                    0,
                    "expected an element name (a letter, then letters and digits) or a dot card",
                ))
            }
        };
        Ok(ElementCard { name, body })
    }

    fn flags(&mut self, line: &LLine, elem: &str, flags: &[Tok]) -> bool {
        let mut off = false;
        for f in flags {
            if f.text.eq_ignore_ascii_case("off") {
                off = true;
            } else {
                self.warn(line, f.off, format!("'{}' ignored on {elem}", f.text));
            }
        }
        off
    }

    fn source_spec(&mut self, line: &LLine, toks: &[Tok]) -> Result<SourceSpec, Error> {
        const KEYWORDS: [&str; 10] = ["dc", "ac", "pulse", "sin", "exp", "pwl", "sffm", "am", "distof1", "distof2"];
        let mut spec = SourceSpec::default();
        let is_value = |t: &Tok| match t.kind {
            TokKind::Quoted => true,
            TokKind::Word => !KEYWORDS.contains(&t.text.to_ascii_lowercase().as_str()),
            _ => false,
        };
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            let lower = t.text.to_ascii_lowercase();
            let assign = t.kind == TokKind::Word && toks.get(i + 1).map(|t| t.kind) == Some(TokKind::Eq);
            if assign {
                let Some(v) = toks.get(i + 2) else {
                    return Err(self.err(line, line.text.len(), format!("expected a number after '{}='", t.text)));
                };
                let val = self.value(line, v, Some(t.text))?;
                match lower.as_str() {
                    "dc" => spec.dc = Some(val),
                    "ac" => {
                        spec.ac = true;
                        spec.ac_mag = Some(val);
                    }
                    _ => self.warn(line, t.off, format!("'{}=' ignored on a source", t.text)),
                }
                i += 3;
                continue;
            }
            match (t.kind, lower.as_str()) {
                (TokKind::Word, "dc") => {
                    let v = toks.get(i + 1).filter(|t| is_value(t));
                    let Some(v) = v else { return Err(self.err(line, t.off + 2, "expected a number after DC")) };
                    spec.dc = Some(self.value(line, v, None)?);
                    i += 2;
                }
                (TokKind::Word, "ac") => {
                    spec.ac = true;
                    i += 1;
                    if let Some(v) = toks.get(i).filter(|t| is_value(t)) {
                        spec.ac_mag = Some(self.value(line, v, None)?);
                        i += 1;
                        if let Some(v) = toks.get(i).filter(|t| is_value(t)) {
                            spec.ac_phase = Some(self.value(line, v, None)?);
                            i += 1;
                        }
                    }
                }
                (TokKind::Word, "pulse" | "sin" | "exp" | "pwl") => {
                    let kind = match lower.as_str() {
                        "pulse" => WaveKind::Pulse,
                        "sin" => WaveKind::Sin,
                        "exp" => WaveKind::Exp,
                        _ => WaveKind::Pwl,
                    };
                    let span = self.span(line, t.off);
                    i += 1;
                    let mut args = Vec::new();
                    if toks.get(i).map(|t| t.kind) == Some(TokKind::LParen) {
                        i += 1;
                        loop {
                            match toks.get(i) {
                                None => {
                                    return Err(self.err(
                                        line,
                                        line.text.len(),
                                        format!("expected ')' closing {}(", t.text),
                                    ))
                                }
                                Some(a) if a.kind == TokKind::RParen => {
                                    i += 1;
                                    break;
                                }
                                Some(a) if a.kind == TokKind::Comma => i += 1,
                                Some(a) => {
                                    args.push(self.value(line, a, None)?);
                                    i += 1;
                                }
                            }
                        }
                    } else {
                        while let Some(a) = toks.get(i).filter(|t| is_value(t)) {
                            if toks.get(i + 1).map(|t| t.kind) == Some(TokKind::Eq) {
                                break;
                            }
                            args.push(self.value(line, a, None)?);
                            i += 1;
                        }
                    }
                    spec.wave = Some(WaveSyntax { kind, args, span });
                }
                (TokKind::Word, "distof1" | "distof2") => {
                    self.warn(line, t.off, format!("{} (distortion analysis) ignored", t.text));
                    i += 1;
                    for _ in 0..2 {
                        if toks.get(i).is_some_and(is_value) {
                            i += 1;
                        }
                    }
                }
                (TokKind::Word, "sffm" | "am") => {
                    return Err(self.err(
                        line,
                        t.off,
                        format!("{} waveforms are not supported (use PULSE, SIN, EXP or PWL)", t.text),
                    ))
                }
                (TokKind::Comma, _) => i += 1,
                _ if is_value(&t) && spec.dc.is_none() && spec.wave.is_none() && !spec.ac => {
                    spec.dc = Some(self.value(line, &t, None)?);
                    i += 1;
                }
                _ => {
                    return Err(self.err(
                        line,
                        t.off,
                        format!("unexpected '{}': expected DC, AC, PULSE, SIN, EXP or PWL", t.text),
                    ))
                }
            }
        }
        Ok(spec)
    }
}

/// Output vectors of `.save` / `.print`: `v(out)`, `i(vdd)`, `v(a,b)`, lower case.
fn vectors(text: &str, drop_type: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in text.to_ascii_lowercase().chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c);
            }
            ')' => {
                depth -= 1;
                cur.push(c);
            }
            ' ' | '\t' | ',' if depth <= 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            ' ' | '\t' => {}
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    if drop_type && out.first().is_some_and(|w| matches!(w.as_str(), "ac" | "dc" | "tran" | "op" | "noise")) {
        out.remove(0);
    }
    out
}

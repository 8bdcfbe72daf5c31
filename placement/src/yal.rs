//! Reader for the MCNC YAL format (1987/1991 block benchmarks).
//!
//! Handled as the files use it: `/* */` comments; statements end with `;`; `MODULE name;
//! TYPE GENERAL|PARENT; DIMENSIONS x y x y ...;` (all rectangles here, possibly with a
//! negative lower-left, e.g. apte's `cc_*` start at x = -109); `IOLIST; name type x y width
//! layer [...]; ENDIOLIST;` with pin coordinates absolute in the module's frame; in the
//! PARENT module the IOLIST holds the pads and `NETWORK; inst module sig_1 .. sig_k;
//! ENDNETWORK;` connects the module's j-th IOLIST pin to net `sig_j`. A pad joins the net
//! of its own name; a name given to two pads (ami33's POW and GND) joins both, as in YAL.

use crate::design::{Block, Design, Net, Pad, Pin};
use crate::error::{read, PlaceError};
use std::collections::BTreeMap;
use std::path::Path;

/// A pin of a YAL module (coordinates in the module's own frame).
#[derive(Clone, Debug, PartialEq)]
pub struct YalPin {
    pub name: String,
    pub kind: String,
    pub x: f64,
    pub y: f64,
}

/// An instance in a PARENT module's NETWORK.
#[derive(Clone, Debug, PartialEq)]
pub struct YalInstance {
    pub name: String,
    pub module: String,
    pub signals: Vec<String>,
    pub line: usize,
}

/// A YAL module: its bounding box, pins and (for the parent) network.
#[derive(Clone, Debug, PartialEq)]
pub struct YalModule {
    pub name: String,
    pub kind: String,
    /// Bounding box of the DIMENSIONS polygon: `(xmin, ymin, xmax, ymax)`.
    pub bbox: (f64, f64, f64, f64),
    pub pins: Vec<YalPin>,
    pub network: Vec<YalInstance>,
}

impl YalModule {
    /// Width of the module's box.
    pub fn width(&self) -> f64 {
        self.bbox.2 - self.bbox.0
    }
    /// Height of the module's box.
    pub fn height(&self) -> f64 {
        self.bbox.3 - self.bbox.1
    }
}

/// Splits the text into statements `(first line, tokens)`, dropping comments.
fn statements(text: &str, path: &Path) -> Result<Vec<(usize, Vec<String>)>, PlaceError> {
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let mut cur_line = 0;
    let mut line = 1;
    let mut in_comment = false;
    let mut comment_line = 0;
    let mut tok = String::new();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    let flush = |tok: &mut String, cur: &mut Vec<String>, cur_line: &mut usize, line: usize| {
        if !tok.is_empty() {
            if cur.is_empty() {
                *cur_line = line;
            }
            cur.push(std::mem::take(tok));
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        if in_comment {
            if c == '*' && bytes.get(i + 1) == Some(&'/') {
                in_comment = false;
                i += 2;
                continue;
            }
            if c == '\n' {
                line += 1;
            }
            i += 1;
            continue;
        }
        if c == '/' && bytes.get(i + 1) == Some(&'*') {
            flush(&mut tok, &mut cur, &mut cur_line, line);
            in_comment = true;
            comment_line = line;
            i += 2;
            continue;
        }
        if c == ';' {
            flush(&mut tok, &mut cur, &mut cur_line, line);
            if !cur.is_empty() {
                out.push((cur_line, std::mem::take(&mut cur)));
            }
        } else if c.is_whitespace() {
            flush(&mut tok, &mut cur, &mut cur_line, line);
            if c == '\n' {
                line += 1;
            }
        } else {
            tok.push(c);
        }
        i += 1;
    }
    if in_comment {
        return Err(PlaceError::parse(path, comment_line, "unterminated comment `/*`"));
    }
    flush(&mut tok, &mut cur, &mut cur_line, line);
    if !cur.is_empty() {
        return Err(PlaceError::parse(path, cur_line, "statement without a closing `;`"));
    }
    Ok(out)
}

fn num(tok: &str, path: &Path, line: usize, what: &str) -> Result<f64, PlaceError> {
    match tok.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(PlaceError::parse(path, line, format!("expected a number for {what}, found `{tok}`"))),
    }
}

/// Parses YAL text into its modules.
pub fn parse_yal(text: &str, path: &Path) -> Result<Vec<YalModule>, PlaceError> {
    #[derive(PartialEq)]
    enum Sec {
        Top,
        Module,
        Io,
        Net,
    }
    let mut modules = Vec::new();
    let mut cur: Option<YalModule> = None;
    let mut sec = Sec::Top;
    for (line, toks) in statements(text, path)? {
        let kw = toks[0].to_ascii_uppercase();
        match sec {
            Sec::Top => {
                if kw != "MODULE" || toks.len() != 2 {
                    return Err(PlaceError::parse(
                        path,
                        line,
                        format!("expected `MODULE name;`, found `{}`", toks.join(" ")),
                    ));
                }
                cur = Some(YalModule {
                    name: toks[1].clone(),
                    kind: String::new(),
                    bbox: (0.0, 0.0, 0.0, 0.0),
                    pins: Vec::new(),
                    network: Vec::new(),
                });
                sec = Sec::Module;
            }
            Sec::Module => {
                let m = cur.as_mut().expect("module open");
                match kw.as_str() {
                    "TYPE" if toks.len() == 2 => m.kind = toks[1].to_ascii_uppercase(),
                    "DIMENSIONS" => {
                        let v = &toks[1..];
                        if v.len() < 6 || v.len() % 2 != 0 {
                            return Err(PlaceError::parse(
                                path,
                                line,
                                "DIMENSIONS needs an even number (>= 6) of coordinates",
                            ));
                        }
                        let mut bb = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
                        for xy in v.chunks(2) {
                            let x = num(&xy[0], path, line, "a DIMENSIONS x")?;
                            let y = num(&xy[1], path, line, "a DIMENSIONS y")?;
                            bb = (bb.0.min(x), bb.1.min(y), bb.2.max(x), bb.3.max(y));
                        }
                        if bb.2 <= bb.0 || bb.3 <= bb.1 {
                            return Err(PlaceError::parse(path, line, "DIMENSIONS describe an empty box"));
                        }
                        m.bbox = bb;
                    }
                    "IOLIST" => sec = Sec::Io,
                    "NETWORK" => sec = Sec::Net,
                    "ENDMODULE" => {
                        let m = cur.take().expect("module open");
                        if m.width() <= 0.0 {
                            return Err(PlaceError::parse(
                                path,
                                line,
                                format!("module `{}` has no DIMENSIONS", m.name),
                            ));
                        }
                        modules.push(m);
                        sec = Sec::Top;
                    }
                    _ => {
                        return Err(PlaceError::parse(
                            path,
                            line,
                            format!("unexpected statement `{}` in a module", toks[0]),
                        ))
                    }
                }
            }
            Sec::Io => {
                let m = cur.as_mut().expect("module open");
                if kw == "ENDIOLIST" {
                    sec = Sec::Module;
                    continue;
                }
                if toks.len() < 4 {
                    return Err(PlaceError::parse(path, line, "a pin needs `name type x y ...`"));
                }
                m.pins.push(YalPin {
                    name: toks[0].clone(),
                    kind: toks[1].to_ascii_uppercase(),
                    x: num(&toks[2], path, line, "the pin x")?,
                    y: num(&toks[3], path, line, "the pin y")?,
                });
            }
            Sec::Net => {
                let m = cur.as_mut().expect("module open");
                if kw == "ENDNETWORK" {
                    sec = Sec::Module;
                    continue;
                }
                if toks.len() < 2 {
                    return Err(PlaceError::parse(path, line, "an instance needs `name module signals...`"));
                }
                m.network.push(YalInstance {
                    name: toks[0].clone(),
                    module: toks[1].clone(),
                    signals: toks[2..].to_vec(),
                    line,
                });
            }
        }
    }
    if sec != Sec::Top {
        return Err(PlaceError::parse(path, text.lines().count(), "file ends inside a MODULE (missing ENDMODULE)"));
    }
    Ok(modules)
}

/// Reads a YAL file and builds the design of its PARENT module: blocks named by module (as the
/// bookshelf files name them), exact pins, pads shifted so the parent box starts at (0,0), the
/// outline = the parent (pad-ring) box.
pub fn read_yal(path: &Path) -> Result<Design, PlaceError> {
    let text = read(path)?;
    let modules = parse_yal(&text, path)?;
    design_from_yal(&modules, path)
}

/// Builds the design of the PARENT module of parsed YAL modules.
pub fn design_from_yal(modules: &[YalModule], path: &Path) -> Result<Design, PlaceError> {
    let parent = modules
        .iter()
        .find(|m| m.kind == "PARENT")
        .ok_or_else(|| PlaceError::parse(path, 1, "no module of TYPE PARENT"))?;
    let by_name: BTreeMap<&str, &YalModule> = modules.iter().map(|m| (m.name.as_str(), m)).collect();
    let (px, py) = (parent.bbox.0, parent.bbox.1);
    let pads: Vec<Pad> = parent.pins.iter().map(|p| Pad { name: p.name.clone(), x: p.x - px, y: p.y - py }).collect();
    let mut nets: BTreeMap<String, Vec<Pin>> = BTreeMap::new();
    let mut blocks = Vec::new();
    for inst in &parent.network {
        let m = by_name.get(inst.module.as_str()).ok_or_else(|| {
            PlaceError::parse(path, inst.line, format!("instance `{}` of unknown module `{}`", inst.name, inst.module))
        })?;
        if inst.signals.len() != m.pins.len() {
            return Err(PlaceError::parse(
                path,
                inst.line,
                format!(
                    "instance `{}` lists {} signals, module `{}` has {} pins",
                    inst.name,
                    inst.signals.len(),
                    m.name,
                    m.pins.len()
                ),
            ));
        }
        let b = blocks.len();
        blocks.push(Block::new(&m.name, m.width(), m.height()));
        for (sig, pin) in inst.signals.iter().zip(&m.pins) {
            nets.entry(sig.clone()).or_default().push(Pin::on_block(b, pin.x - m.bbox.0, pin.y - m.bbox.1));
        }
    }
    for (i, pad) in pads.iter().enumerate() {
        if let Some(pins) = nets.get_mut(&pad.name) {
            pins.push(Pin::pad(i));
        }
    }
    let nets = nets.into_iter().map(|(name, pins)| Net { name, pins }).collect();
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Design { name, blocks, pads, nets, outline: (parent.width(), parent.height()) })
}

//! Reader for GSRC bookshelf block benchmarks (`.blocks`, `.nets`, `.pl`).
//!
//! Handled quirks: `softrectangular area ar1 ar2` blocks (the MCNC soft set; `ar1` is the
//! original h/w, so without YAL the hard size is `w = sqrt(area/ar1)`, `h = area/w`) and
//! `hardrectilinear 4 (x, y) ...` blocks; pin offsets `: %dx %dy` from the block centre in
//! percent of w/h, truncated to 0.1 % by the converter (pins without offsets sit at the centre);
//! `NumPins` headers that do not match the net degrees (ami33 says 522, its nets hold 520) are
//! accepted and reported in [`Bookshelf::header_pins`]; a pad name listed twice in `.pl`
//! (ami33's POW, GND) makes a net that names it touch both pads, as in YAL.

use crate::design::{Block, Design, Net, Pad, Pin};
use crate::error::{read, PlaceError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A block of a `.blocks` file.
#[derive(Clone, Debug, PartialEq)]
pub enum BlockShape {
    /// `softrectangular area minAR maxAR`.
    Soft { area: f64, ar1: f64, ar2: f64 },
    /// `hardrectilinear` with its bounding box size.
    Hard { w: f64, h: f64 },
}

/// A pin line of a `.nets` file: node name and offset from the centre in percent (or none).
#[derive(Clone, Debug, PartialEq)]
pub struct NetPin {
    pub node: String,
    pub offset_pct: Option<(f64, f64)>,
    pub line: usize,
}

/// A parsed bookshelf benchmark.
#[derive(Clone, Debug, PartialEq)]
pub struct Bookshelf {
    pub blocks: Vec<(String, BlockShape)>,
    pub terminals: Vec<String>,
    pub nets: Vec<(String, Vec<NetPin>)>,
    /// The `NumPins` header of `.nets` (may disagree with the nets).
    pub header_pins: Option<usize>,
    /// Pads from `.pl`: name and point, in file order (duplicates kept).
    pub pads: Vec<Pad>,
    pub nets_path: PathBuf,
}

fn kv<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(key)?.trim_start();
    Some(rest.strip_prefix(':')?.trim())
}

fn num(tok: &str, path: &Path, line: usize, what: &str) -> Result<f64, PlaceError> {
    match tok.trim_matches(|c| c == '(' || c == ')' || c == ',').parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(PlaceError::parse(path, line, format!("expected a number for {what}, found `{tok}`"))),
    }
}

/// Lines without comments and blanks, numbered from 1, skipping the format header line.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let l = l.split('#').next().unwrap_or("").trim();
        let header = l.starts_with("UCSC ") || l.starts_with("UCLA ");
        (!l.is_empty() && !header).then_some((i + 1, l))
    })
}

/// Named blocks and terminal names of a `.blocks` file.
type BlocksFile = (Vec<(String, BlockShape)>, Vec<String>);

fn parse_blocks(path: &Path) -> Result<BlocksFile, PlaceError> {
    let text = read(path)?;
    let mut blocks = Vec::new();
    let mut terminals = Vec::new();
    let mut declared = (None, None, None);
    for (ln, l) in lines(&text) {
        if let Some(v) = kv(l, "NumSoftRectangularBlocks") {
            declared.0 = Some(num(v, path, ln, "NumSoftRectangularBlocks")? as usize);
            continue;
        }
        if let Some(v) = kv(l, "NumHardRectilinearBlocks") {
            declared.1 = Some(num(v, path, ln, "NumHardRectilinearBlocks")? as usize);
            continue;
        }
        if let Some(v) = kv(l, "NumTerminals") {
            declared.2 = Some(num(v, path, ln, "NumTerminals")? as usize);
            continue;
        }
        let t: Vec<&str> = l.split_whitespace().collect();
        match t.get(1).copied() {
            Some("terminal") => terminals.push(t[0].to_string()),
            Some("softrectangular") if t.len() == 5 => {
                let area = num(t[2], path, ln, "the block area")?;
                let ar1 = num(t[3], path, ln, "the min aspect ratio")?;
                let ar2 = num(t[4], path, ln, "the max aspect ratio")?;
                if area <= 0.0 || ar1 <= 0.0 {
                    return Err(PlaceError::parse(path, ln, "block area and aspect ratio must be positive"));
                }
                blocks.push((t[0].to_string(), BlockShape::Soft { area, ar1, ar2 }));
            }
            Some("hardrectilinear") if t.len() >= 3 => {
                let rest = t[3..].join(" ");
                let nums: Vec<f64> = rest
                    .split(|c: char| c == '(' || c == ')' || c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .map(|s| num(s, path, ln, "a vertex coordinate"))
                    .collect::<Result<_, _>>()?;
                if nums.len() < 6 || !nums.len().is_multiple_of(2) {
                    return Err(PlaceError::parse(path, ln, "hardrectilinear needs vertices `(x, y) ...`"));
                }
                let xs = nums.iter().step_by(2);
                let ys = nums.iter().skip(1).step_by(2);
                let w =
                    xs.clone().cloned().fold(f64::NEG_INFINITY, f64::max) - xs.cloned().fold(f64::INFINITY, f64::min);
                let h =
                    ys.clone().cloned().fold(f64::NEG_INFINITY, f64::max) - ys.cloned().fold(f64::INFINITY, f64::min);
                if w <= 0.0 || h <= 0.0 {
                    return Err(PlaceError::parse(path, ln, "hardrectilinear block with an empty box"));
                }
                blocks.push((t[0].to_string(), BlockShape::Hard { w, h }));
            }
            _ => {
                return Err(PlaceError::parse(
                    path,
                    ln,
                    format!("expected `name softrectangular|hardrectilinear|terminal ...`, found `{l}`"),
                ))
            }
        }
    }
    let soft = blocks.iter().filter(|b| matches!(b.1, BlockShape::Soft { .. })).count();
    for (want, got, what) in [
        (declared.0, soft, "NumSoftRectangularBlocks"),
        (declared.1, blocks.len() - soft, "NumHardRectilinearBlocks"),
        (declared.2, terminals.len(), "NumTerminals"),
    ] {
        if let Some(w) = want {
            if w != got {
                return Err(PlaceError::parse(path, 1, format!("{what} says {w}, the file lists {got}")));
            }
        }
    }
    Ok((blocks, terminals))
}

#[allow(clippy::type_complexity)]
fn parse_nets(path: &Path) -> Result<(Vec<(String, Vec<NetPin>)>, Option<usize>), PlaceError> {
    let text = read(path)?;
    let mut nets: Vec<(String, Vec<NetPin>)> = Vec::new();
    let mut header_pins = None;
    let mut header_nets = None;
    let mut remaining = 0usize;
    let mut last_line = 0;
    for (ln, l) in lines(&text) {
        last_line = ln;
        if let Some(v) = kv(l, "NumNets") {
            header_nets = Some(num(v, path, ln, "NumNets")? as usize);
            continue;
        }
        if let Some(v) = kv(l, "NumPins") {
            header_pins = Some(num(v, path, ln, "NumPins")? as usize);
            continue;
        }
        if let Some(v) = kv(l, "NetDegree") {
            if remaining != 0 {
                return Err(PlaceError::parse(path, ln, format!("previous net is missing {remaining} pins")));
            }
            let mut t = v.split_whitespace();
            let k = num(t.next().unwrap_or(""), path, ln, "NetDegree")?;
            if k < 1.0 || k.fract() != 0.0 {
                return Err(PlaceError::parse(path, ln, "NetDegree must be a positive integer"));
            }
            remaining = k as usize;
            let name = t.next().map(str::to_string).unwrap_or_else(|| format!("net{}", nets.len()));
            nets.push((name, Vec::with_capacity(remaining)));
            continue;
        }
        if remaining == 0 {
            return Err(PlaceError::parse(path, ln, format!("pin line outside a net (after NetDegree's pins): `{l}`")));
        }
        let (node_part, off_part) = match l.split_once(':') {
            Some((a, b)) => (a, Some(b)),
            None => (l, None),
        };
        let node = node_part.split_whitespace().next().unwrap_or("").to_string();
        let offset_pct = match off_part {
            None => None,
            Some(o) => {
                let v: Vec<&str> = o.split_whitespace().collect();
                if v.len() != 2 {
                    return Err(PlaceError::parse(path, ln, "pin offset needs `: %dx %dy`"));
                }
                let dx = num(v[0].trim_start_matches('%'), path, ln, "the pin x offset (%)")?;
                let dy = num(v[1].trim_start_matches('%'), path, ln, "the pin y offset (%)")?;
                if dx.abs() > 50.0 + 1e-9 || dy.abs() > 50.0 + 1e-9 {
                    return Err(PlaceError::parse(path, ln, "pin offset outside -50..50 %"));
                }
                Some((dx, dy))
            }
        };
        nets.last_mut().expect("net open").1.push(NetPin { node, offset_pct, line: ln });
        remaining -= 1;
    }
    if remaining != 0 {
        return Err(PlaceError::parse(path, last_line, format!("last net is missing {remaining} pins")));
    }
    if let Some(n) = header_nets {
        if n != nets.len() {
            return Err(PlaceError::parse(path, 1, format!("NumNets says {n}, the file holds {}", nets.len())));
        }
    }
    Ok((nets, header_pins))
}

fn parse_pl(path: &Path) -> Result<Vec<Pad>, PlaceError> {
    let text = read(path)?;
    let mut pads = Vec::new();
    for (ln, l) in lines(&text) {
        let t: Vec<&str> = l.split_whitespace().collect();
        if t.len() < 3 {
            return Err(PlaceError::parse(path, ln, "expected `name x y`"));
        }
        pads.push(Pad { name: t[0].to_string(), x: num(t[1], path, ln, "x")?, y: num(t[2], path, ln, "y")? });
    }
    Ok(pads)
}

impl Bookshelf {
    /// Reads `X.blocks`, `X.nets` and `X.pl` given the `.blocks` path.
    pub fn read(blocks: &Path) -> Result<Self, PlaceError> {
        let (blocks_v, terminals) = parse_blocks(blocks)?;
        let nets_path = blocks.with_extension("nets");
        let (nets, header_pins) = parse_nets(&nets_path)?;
        let pads = parse_pl(&blocks.with_extension("pl"))?;
        Ok(Bookshelf { blocks: blocks_v, terminals, nets, header_pins, pads, nets_path })
    }

    /// Pins counted over the nets (not the header).
    pub fn pin_count(&self) -> usize {
        self.nets.iter().map(|n| n.1.len()).sum()
    }

    /// Builds the design. Hard sizes come from `hard` (a design read from YAL, matched by block
    /// name) when given, else from the blocks themselves. The outline is `outline` when given,
    /// else the bounding box of the pads from the origin.
    pub fn design(&self, name: &str, hard: Option<&Design>, outline: Option<(f64, f64)>) -> Result<Design, PlaceError> {
        let mut blocks = Vec::with_capacity(self.blocks.len());
        for (bn, shape) in &self.blocks {
            let (w, h) = match (hard.and_then(|d| d.blocks.iter().find(|b| &b.name == bn)), shape) {
                (Some(b), _) => (b.w, b.h),
                (None, BlockShape::Hard { w, h }) => (*w, *h),
                (None, BlockShape::Soft { area, ar1, .. }) => {
                    let w = (area / ar1).sqrt();
                    (w, area / w)
                }
            };
            blocks.push(Block::new(bn, w, h));
        }
        if let Some(d) = hard {
            if d.blocks.len() != blocks.len() {
                return Err(PlaceError::Design(format!(
                    "{name}: YAL has {} blocks, bookshelf {}",
                    d.blocks.len(),
                    blocks.len()
                )));
            }
        }
        let block_idx: BTreeMap<&str, usize> = self.blocks.iter().enumerate().map(|(i, b)| (b.0.as_str(), i)).collect();
        let mut pad_idx: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, p) in self.pads.iter().enumerate() {
            pad_idx.entry(p.name.as_str()).or_default().push(i);
        }
        for t in &self.terminals {
            if !pad_idx.contains_key(t.as_str()) {
                return Err(PlaceError::Design(format!("{name}: terminal `{t}` has no position in the .pl file")));
            }
        }
        let mut nets = Vec::with_capacity(self.nets.len());
        for (nn, pins) in &self.nets {
            let mut out = Vec::with_capacity(pins.len());
            for p in pins {
                if let Some(&b) = block_idx.get(p.node.as_str()) {
                    let (px, py) = p.offset_pct.unwrap_or((0.0, 0.0));
                    let (w, h) = (blocks[b].w, blocks[b].h);
                    out.push(Pin::on_block(b, (0.5 + px / 100.0) * w, (0.5 + py / 100.0) * h));
                } else if let Some(ps) = pad_idx.get(p.node.as_str()) {
                    out.extend(ps.iter().map(|&i| Pin::pad(i)));
                } else {
                    return Err(PlaceError::parse(
                        &self.nets_path,
                        p.line,
                        format!("net `{nn}` names unknown node `{}`", p.node),
                    ));
                }
            }
            nets.push(Net { name: nn.clone(), pins: out });
        }
        let outline = outline.unwrap_or_else(|| {
            let w = self.pads.iter().map(|p| p.x).fold(0.0, f64::max);
            let h = self.pads.iter().map(|p| p.y).fold(0.0, f64::max);
            (w, h)
        });
        Ok(Design { name: name.to_string(), blocks, pads: self.pads.clone(), nets, outline })
    }
}

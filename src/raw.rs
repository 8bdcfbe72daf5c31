//! ngspice-compatible rawfiles (ASCII and binary): reader and writer.
//!
//! A rawfile is a sequence of plots. Each plot has a text header
//! (`Title:`, `Date:`, `Plotname:`, `Flags: real|complex`, `No. Variables:`, `No. Points:`,
//! optional `Dimensions:`/`Command:`/`Option:` lines, then `Variables:` with one
//! `\t<index>\t<name>\t<kind>[ attributes]` line per vector) followed either by `Values:`
//! (ASCII: per point, the index then one value per line; complex values as `re,im`) or by
//! `Binary:` (little-endian f64, point-major; complex plots store every vector as re, im).
//! The first vector is the scale (time, frequency, sweep).

use num_complex::Complex64;
use std::io::{self, Write};

/// One vector of a plot: its name (`v(out)`, `i(vdd)`, `time`, `@m1[id]`) and kind
/// (`voltage`, `current`, `time`, `frequency`, `notype`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// Vector name as written.
    pub name: String,
    /// Vector type as written (ngspice's `ft_typenames`).
    pub kind: String,
}

/// One analysis result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plot {
    /// Circuit title.
    pub title: String,
    /// Date string.
    pub date: String,
    /// Plot name: "Operating Point", "AC Analysis", "Transient Analysis",
    /// "DC transfer characteristic", ...
    pub name: String,
    /// True when the values are complex (`cplx` holds them; `real` holds their real parts).
    pub complex: bool,
    /// The vectors, the scale first.
    pub variables: Vec<Variable>,
    /// Real data per variable (for complex plots: the real parts).
    pub real: Vec<Vec<f64>>,
    /// Complex data per variable (empty for real plots).
    pub cplx: Vec<Vec<Complex64>>,
}

impl Plot {
    /// Number of points.
    pub fn len(&self) -> usize {
        if self.complex {
            self.cplx.first().map_or(0, Vec::len)
        } else {
            self.real.first().map_or(0, Vec::len)
        }
    }

    /// True when the plot has no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Index of the vector `name` (case-insensitive). ngspice writes saved device quantities
    /// as `i(@m1[id])` or `v(@m1[von])` depending on their unit; a name starting with `@`
    /// also finds those forms.
    pub fn index(&self, name: &str) -> Option<usize> {
        let find = |n: &str| self.variables.iter().position(|v| v.name.eq_ignore_ascii_case(n));
        find(name).or_else(|| {
            if !name.contains('(') && !name.starts_with('@') {
                // ngspice writes plain voltage vectors (`onoise_total`) as `v(onoise_total)`.
                return find(&format!("v({name})"));
            }
            if name.starts_with('@') {
                find(&format!("i({name})")).or_else(|| find(&format!("v({name})")))
            } else {
                None
            }
        })
    }

    /// Real data of the vector `name` (case-insensitive, see [`Plot::index`]). For complex
    /// plots: the real parts.
    pub fn vector(&self, name: &str) -> Option<&[f64]> {
        self.index(name).and_then(|i| self.real.get(i)).map(Vec::as_slice)
    }

    /// Complex data of the vector `name` (case-insensitive); `None` for real plots.
    pub fn complex_vector(&self, name: &str) -> Option<&[Complex64]> {
        self.index(name).and_then(|i| self.cplx.get(i)).map(Vec::as_slice)
    }
}

/// Error reading a rawfile.
#[derive(Debug, thiserror::Error)]
pub enum RawError {
    /// The header is malformed or incomplete.
    #[error("rawfile header, line {line}: {msg}")]
    Header {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// The data section is short or has unparsable numbers.
    #[error("rawfile data of plot '{plot}': {msg}")]
    Data {
        /// Plot name.
        plot: String,
        /// What is wrong.
        msg: String,
    },
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Cursor<'a> {
    /// Next line without its terminator (handles `\r\n`); `None` at end.
    fn line(&mut self) -> Option<&'a str> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let rest = &self.bytes[self.pos..];
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let mut l = &rest[..end];
        self.pos += (end + 1).min(rest.len());
        self.line += 1;
        if l.last() == Some(&b'\r') {
            l = &l[..l.len() - 1];
        }
        Some(std::str::from_utf8(l).unwrap_or(""))
    }
}

fn header_err(line: usize, msg: impl Into<String>) -> RawError {
    RawError::Header { line, msg: msg.into() }
}

/// Reads all plots of a rawfile, ASCII or binary (or a mix, as ngspice can append).
pub fn read(bytes: &[u8]) -> Result<Vec<Plot>, RawError> {
    let mut cur = Cursor { bytes, pos: 0, line: 0 };
    let mut plots = Vec::new();
    loop {
        // Skip blank lines between plots.
        let mut plot = Plot::default();
        let mut nvars: Option<usize> = None;
        let mut npoints: Option<usize> = None;
        let mut started = false;
        let data_kind;
        loop {
            let Some(line) = cur.line() else {
                if started {
                    return Err(header_err(cur.line, "file ends inside a plot header"));
                }
                return Ok(plots);
            };
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            started = true;
            let (key, val) = match t.split_once(':') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim()),
                None => return Err(header_err(cur.line, format!("expected 'Key: value', found '{t}'"))),
            };
            match key.as_str() {
                "title" => plot.title = val.to_string(),
                "date" => plot.date = val.to_string(),
                "plotname" => plot.name = val.to_string(),
                "flags" => {
                    let f = val.to_ascii_lowercase();
                    plot.complex = f.split_whitespace().any(|w| w == "complex");
                }
                "no. variables" => {
                    nvars = Some(val.parse().map_err(|_| header_err(cur.line, "bad variable count"))?);
                }
                "no. points" => {
                    npoints = Some(val.parse().map_err(|_| header_err(cur.line, "bad point count"))?);
                }
                "variables" => {
                    let n = nvars.ok_or_else(|| header_err(cur.line, "'Variables:' before 'No. Variables:'"))?;
                    // ngspice may put the first variable on the same line; it never does in
                    // practice, but accept it.
                    let mut pending: Option<String> = if val.is_empty() { None } else { Some(val.to_string()) };
                    while plot.variables.len() < n {
                        let l = match pending.take() {
                            Some(s) => s,
                            None => cur
                                .line()
                                .ok_or_else(|| header_err(cur.line, "file ends in the variable list"))?
                                .to_string(),
                        };
                        let mut it = l.split_whitespace();
                        let (Some(_idx), Some(name), Some(kind)) = (it.next(), it.next(), it.next()) else {
                            if l.trim().is_empty() {
                                continue;
                            }
                            return Err(header_err(cur.line, format!("bad variable line '{l}'")));
                        };
                        plot.variables.push(Variable { name: name.to_string(), kind: kind.to_string() });
                    }
                }
                "values" => {
                    data_kind = DataKind::Ascii;
                    break;
                }
                "binary" => {
                    data_kind = DataKind::Binary;
                    break;
                }
                // Dimensions, Command, Option and anything newer: ignored.
                _ => {}
            }
        }
        let n = nvars.ok_or_else(|| header_err(cur.line, "missing 'No. Variables:'"))?;
        let np = npoints.ok_or_else(|| header_err(cur.line, "missing 'No. Points:'"))?;
        if plot.variables.len() != n {
            return Err(header_err(cur.line, "missing 'Variables:' list"));
        }
        let data_err = |msg: String| RawError::Data { plot: plot.name.clone(), msg };
        let mut re: Vec<Vec<f64>> = vec![Vec::with_capacity(np); n];
        let mut im: Vec<Vec<f64>> = if plot.complex { vec![Vec::with_capacity(np); n] } else { Vec::new() };
        match data_kind {
            DataKind::Binary => {
                let per = if plot.complex { 16 } else { 8 };
                let need = np * n * per;
                let avail = bytes.len() - cur.pos;
                if avail < need {
                    return Err(data_err(format!("binary data needs {need} bytes, {avail} left")));
                }
                let data = &bytes[cur.pos..cur.pos + need];
                let f = |k: usize| {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&data[k * 8..k * 8 + 8]);
                    f64::from_le_bytes(b)
                };
                let mut k = 0;
                for _ in 0..np {
                    for v in 0..n {
                        re[v].push(f(k));
                        k += 1;
                        if plot.complex {
                            im[v].push(f(k));
                            k += 1;
                        }
                    }
                }
                cur.pos += need;
            }
            DataKind::Ascii => {
                // Tokens: per point an index, then n values (re or re,im).
                let mut tokens_needed = np * (n + 1);
                let mut idx_expected = true;
                let mut v = 0;
                while tokens_needed > 0 {
                    let line =
                        cur.line().ok_or_else(|| data_err(format!("file ends with {tokens_needed} values missing")))?;
                    for tok in line.split_whitespace() {
                        if tokens_needed == 0 {
                            return Err(data_err(format!("unexpected token '{tok}'")));
                        }
                        tokens_needed -= 1;
                        if idx_expected {
                            idx_expected = false;
                            continue;
                        }
                        let parse = |s: &str| {
                            parse_num(s).ok_or_else(|| RawError::Data {
                                plot: plot.name.clone(),
                                msg: format!("bad number '{s}'"),
                            })
                        };
                        if plot.complex {
                            let (a, b) = tok.split_once(',').unwrap_or((tok, "0"));
                            re[v].push(parse(a)?);
                            im[v].push(parse(b)?);
                        } else {
                            re[v].push(parse(tok)?);
                        }
                        v += 1;
                        if v == n {
                            v = 0;
                            idx_expected = true;
                        }
                    }
                }
            }
        }
        if plot.complex {
            plot.cplx = re
                .iter()
                .zip(&im)
                .map(|(r, i)| r.iter().zip(i).map(|(&a, &b)| Complex64::new(a, b)).collect())
                .collect();
        }
        plot.real = re;
        plots.push(plot);
    }
}

enum DataKind {
    Ascii,
    Binary,
}

fn parse_num(s: &str) -> Option<f64> {
    if let Ok(v) = s.parse::<f64>() {
        return Some(v);
    }
    // C printf spellings of non-finite numbers.
    match s.to_ascii_lowercase().trim_start_matches(['+', '-']) {
        "nan" | "-nan" => Some(f64::NAN),
        "inf" | "infinity" => Some(if s.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY }),
        _ => None,
    }
}

fn write_header(p: &Plot, w: &mut dyn Write, binary: bool) -> io::Result<()> {
    writeln!(w, "Title: {}", p.title)?;
    writeln!(w, "Date: {}", p.date)?;
    writeln!(w, "Plotname: {}", p.name)?;
    writeln!(w, "Flags: {}", if p.complex { "complex" } else { "real" })?;
    writeln!(w, "No. Variables: {}", p.variables.len())?;
    writeln!(w, "No. Points: {}", p.len())?;
    writeln!(w, "Variables:")?;
    for (i, v) in p.variables.iter().enumerate() {
        writeln!(w, "\t{}\t{}\t{}", i, v.name, v.kind)?;
    }
    writeln!(w, "{}", if binary { "Binary:" } else { "Values:" })
}

fn check(p: &Plot) -> io::Result<()> {
    let n = p.variables.len();
    let len = p.len();
    let ok = if p.complex {
        p.cplx.len() == n && p.cplx.iter().all(|v| v.len() == len)
    } else {
        p.real.len() == n && p.real.iter().all(|v| v.len() == len)
    };
    if ok {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("plot '{}': every variable needs the same number of points", p.name),
        ))
    }
}

/// Writes `plots` as an ASCII rawfile (values with 17 significant digits, so they read
/// back exactly).
pub fn write_ascii(plots: &[Plot], w: &mut dyn Write) -> io::Result<()> {
    for p in plots {
        check(p)?;
        write_header(p, w, false)?;
        for i in 0..p.len() {
            write!(w, " {i}")?;
            for v in 0..p.variables.len() {
                if p.complex {
                    let c = p.cplx[v][i];
                    writeln!(w, "\t{:.16e},{:.16e}", c.re, c.im)?;
                } else {
                    writeln!(w, "\t{:.16e}", p.real[v][i])?;
                }
            }
            writeln!(w)?;
        }
    }
    Ok(())
}

/// Writes `plots` as a binary rawfile (little-endian f64), the format of `ngspice -r`.
pub fn write_binary(plots: &[Plot], w: &mut dyn Write) -> io::Result<()> {
    for p in plots {
        check(p)?;
        write_header(p, w, true)?;
        let mut buf = Vec::with_capacity(p.len() * p.variables.len() * if p.complex { 16 } else { 8 });
        for i in 0..p.len() {
            for v in 0..p.variables.len() {
                if p.complex {
                    let c = p.cplx[v][i];
                    buf.extend_from_slice(&c.re.to_le_bytes());
                    buf.extend_from_slice(&c.im.to_le_bytes());
                } else {
                    buf.extend_from_slice(&p.real[v][i].to_le_bytes());
                }
            }
        }
        w.write_all(&buf)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Plot> {
        let real = Plot {
            title: "t".into(),
            date: "d".into(),
            name: "Transient Analysis".into(),
            complex: false,
            variables: vec![
                Variable { name: "time".into(), kind: "time".into() },
                Variable { name: "v(out)".into(), kind: "voltage".into() },
            ],
            real: vec![vec![0.0, 1e-9, 2e-9], vec![0.1, -1.0 / 3.0, f64::MIN_POSITIVE]],
            cplx: vec![],
        };
        let c = vec![Complex64::new(1.0, 0.0), Complex64::new(10.0, 0.0)];
        let d = vec![Complex64::new(0.5, -0.25), Complex64::new(1.0 / 7.0, 2e-300)];
        let cplx = Plot {
            title: "t".into(),
            date: "d".into(),
            name: "AC Analysis".into(),
            complex: true,
            variables: vec![
                Variable { name: "frequency".into(), kind: "frequency".into() },
                Variable { name: "v(out)".into(), kind: "voltage".into() },
            ],
            real: vec![c.iter().map(|z| z.re).collect(), d.iter().map(|z| z.re).collect()],
            cplx: vec![c, d],
        };
        vec![real, cplx]
    }

    #[test]
    fn roundtrip_both_formats() {
        let plots = sample();
        for binary in [false, true] {
            let mut buf = Vec::new();
            if binary {
                write_binary(&plots, &mut buf).unwrap();
            } else {
                write_ascii(&plots, &mut buf).unwrap();
            }
            let back = read(&buf).unwrap();
            assert_eq!(back, plots, "binary={binary}");
            assert_eq!(back[0].vector("V(OUT)").unwrap()[1], -1.0 / 3.0);
        }
    }

    #[test]
    fn truncated_input_is_an_error() {
        let mut buf = Vec::new();
        write_binary(&sample(), &mut buf).unwrap();
        assert!(read(&buf[..buf.len() - 3]).is_err());
        assert!(read(b"Title: x\nNo. Variables: 2\n").is_err());
        assert_eq!(read(b"").unwrap(), vec![]);
    }
}

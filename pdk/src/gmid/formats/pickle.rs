//! A minimal Python pickle writer (protocol 3, as `numpy.save` uses for object arrays) for the
//! values a mosplot table holds: `None`, booleans, integers, floats, strings, lists, dicts and
//! numpy `float64` arrays.
//!
//! Hand-written because no maintained Rust crate emits the `GLOBAL`/`REDUCE`/`BUILD` opcodes
//! that a numpy array needs (`serde-pickle` writes plain data only). Arrays are pickled as numpy
//! itself pickles them: `numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')` followed by
//! `__setstate__((1, shape, dtype, False, raw_bytes))`; the `numpy.core` path loads in numpy 1
//! and 2 alike.

/// A Python value.
#[derive(Debug, Clone, PartialEq)]
pub enum Py {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Py>),
    /// A dict, keys in insertion order.
    Dict(Vec<(Py, Py)>),
    /// A C-ordered `float64` ndarray of the given shape (`data.len()` = product of `shape`).
    Array {
        shape: Vec<usize>,
        data: Vec<f64>,
    },
    /// A 0-d numpy object array holding one value (what `np.array(dict, dtype=object)` makes).
    ObjectScalar(Box<Py>),
}

impl Py {
    /// A string value.
    pub fn str(s: &str) -> Py {
        Py::Str(s.to_string())
    }

    /// A 1-D float64 array.
    pub fn vector(v: &[f64]) -> Py {
        Py::Array { shape: vec![v.len()], data: v.to_vec() }
    }
}

const PROTO: u8 = 0x80;
const STOP: u8 = b'.';
const MARK: u8 = b'(';
const TUPLE: u8 = b't';
const EMPTY_TUPLE: u8 = b')';
const TUPLE1: u8 = 0x85;
const TUPLE3: u8 = 0x87;
const GLOBAL: u8 = b'c';
const REDUCE: u8 = b'R';
const BUILD: u8 = b'b';
const NONE: u8 = b'N';
const NEWTRUE: u8 = 0x88;
const NEWFALSE: u8 = 0x89;
const BININT: u8 = b'J';
const LONG1: u8 = 0x8a;
const BINFLOAT: u8 = b'G';
const BINUNICODE: u8 = b'X';
const BINBYTES: u8 = b'B';
const EMPTY_LIST: u8 = b']';
const APPENDS: u8 = b'e';
const EMPTY_DICT: u8 = b'}';
const SETITEMS: u8 = b'u';

/// Serializes `v` as a complete pickle (protocol 3).
pub fn to_bytes(v: &Py) -> Vec<u8> {
    let mut out = vec![PROTO, 3];
    write(&mut out, v);
    out.push(STOP);
    out
}

fn int(out: &mut Vec<u8>, i: i64) {
    if let Ok(i) = i32::try_from(i) {
        out.push(BININT);
        out.extend_from_slice(&i.to_le_bytes());
    } else {
        out.extend_from_slice(&[LONG1, 8]);
        out.extend_from_slice(&i.to_le_bytes());
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    out.push(BINUNICODE);
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.push(BINBYTES);
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

fn global(out: &mut Vec<u8>, module: &str, name: &str) {
    out.push(GLOBAL);
    out.extend_from_slice(format!("{module}\n{name}\n").as_bytes());
}

/// `numpy.dtype(code, False, True)` with its `__setstate__`.
fn dtype(out: &mut Vec<u8>, code: &str, order: &str, flags: i64) {
    global(out, "numpy", "dtype");
    string(out, code);
    out.extend_from_slice(&[NEWFALSE, NEWTRUE, TUPLE3, REDUCE, MARK]);
    int(out, 3);
    string(out, order);
    out.extend_from_slice(&[NONE, NONE, NONE]);
    int(out, -1);
    int(out, -1);
    int(out, flags);
    out.extend_from_slice(&[TUPLE, BUILD]);
}

/// An ndarray: `_reconstruct(ndarray, (0,), b'b')`, then `BUILD` with
/// `(1, shape, dtype, False, payload)`; `payload` writes the data element.
fn ndarray(out: &mut Vec<u8>, shape: &[usize], dt: (&str, &str, i64), payload: impl FnOnce(&mut Vec<u8>)) {
    global(out, "numpy.core.multiarray", "_reconstruct");
    global(out, "numpy", "ndarray");
    int(out, 0);
    out.push(TUPLE1);
    bytes(out, b"b");
    out.extend_from_slice(&[TUPLE3, REDUCE, MARK]);
    int(out, 1);
    if shape.is_empty() {
        out.push(EMPTY_TUPLE);
    } else {
        out.push(MARK);
        for &d in shape {
            int(out, d as i64);
        }
        out.push(TUPLE);
    }
    dtype(out, dt.0, dt.1, dt.2);
    out.push(NEWFALSE);
    payload(out);
    out.extend_from_slice(&[TUPLE, BUILD]);
}

fn write(out: &mut Vec<u8>, v: &Py) {
    match v {
        Py::None => out.push(NONE),
        Py::Bool(b) => out.push(if *b { NEWTRUE } else { NEWFALSE }),
        Py::Int(i) => int(out, *i),
        Py::Float(x) => {
            out.push(BINFLOAT);
            out.extend_from_slice(&x.to_be_bytes());
        }
        Py::Str(s) => string(out, s),
        Py::List(items) => {
            out.extend_from_slice(&[EMPTY_LIST, MARK]);
            for it in items {
                write(out, it);
            }
            out.push(APPENDS);
        }
        Py::Dict(items) => {
            out.extend_from_slice(&[EMPTY_DICT, MARK]);
            for (k, it) in items {
                write(out, k);
                write(out, it);
            }
            out.push(SETITEMS);
        }
        Py::Array { shape, data } => ndarray(out, shape, ("f8", "<", 0), |out| {
            let mut raw = Vec::with_capacity(data.len() * 8);
            for x in data {
                raw.extend_from_slice(&x.to_le_bytes());
            }
            bytes(out, &raw);
        }),
        Py::ObjectScalar(inner) => ndarray(out, &[], ("O8", "|", 63), |out| {
            out.extend_from_slice(&[EMPTY_LIST, MARK]);
            write(out, inner);
            out.push(APPENDS);
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_have_the_documented_opcodes() {
        assert_eq!(to_bytes(&Py::None), vec![0x80, 3, b'N', b'.']);
        assert_eq!(to_bytes(&Py::Int(-1)), vec![0x80, 3, b'J', 0xff, 0xff, 0xff, 0xff, b'.']);
        let f = to_bytes(&Py::Float(1.0));
        assert_eq!(&f[2..11], &[b'G', 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    }
}

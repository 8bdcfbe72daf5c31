//! ngspice in process, through its shared library (`libngspice.so.0`, Debian's
//! `libngspice0`), loaded at run time so nothing links against it. Used by the throughput
//! benchmark as the in-process baseline.

use libloading::{Library, Symbol};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::{Mutex, OnceLock};

type SendChar = extern "C" fn(*mut c_char, c_int, *mut c_void) -> c_int;
type SendStat = extern "C" fn(*mut c_char, c_int, *mut c_void) -> c_int;
type ControlledExit = extern "C" fn(c_int, bool, bool, c_int, *mut c_void) -> c_int;
type InitFn = unsafe extern "C" fn(
    Option<SendChar>,
    Option<SendStat>,
    Option<ControlledExit>,
    *mut c_void,
    *mut c_void,
    *mut c_void,
    *mut c_void,
) -> c_int;
type CircFn = unsafe extern "C" fn(*mut *mut c_char) -> c_int;
type CommandFn = unsafe extern "C" fn(*mut c_char) -> c_int;
type VecInfoFn = unsafe extern "C" fn(*mut c_char) -> *mut VectorInfo;

#[repr(C)]
struct VectorInfo {
    v_name: *mut c_char,
    v_type: c_int,
    v_flags: i16,
    v_realdata: *mut f64,
    v_compdata: *mut [f64; 2],
    v_length: c_int,
}

extern "C" fn quiet(_: *mut c_char, _: c_int, _: *mut c_void) -> c_int {
    0
}

extern "C" fn on_exit(_: c_int, _: bool, _: bool, _: c_int, _: *mut c_void) -> c_int {
    0
}

/// A loaded, initialized libngspice. ngspice keeps global state, so there is one per process.
pub struct SharedNgspice {
    _lib: Library,
    circ: CircFn,
    command: CommandFn,
    vec_info: VecInfoFn,
}

// The function pointers are plain C entry points; calls are serialized by the caller's mutex.
unsafe impl Send for SharedNgspice {}

static INSTANCE: OnceLock<Option<Mutex<SharedNgspice>>> = OnceLock::new();

impl SharedNgspice {
    /// The process's libngspice, loaded and initialized on first use; `None` when the
    /// library is not installed.
    pub fn get() -> Option<&'static Mutex<SharedNgspice>> {
        INSTANCE.get_or_init(|| Self::load().map(Mutex::new)).as_ref()
    }

    fn load() -> Option<SharedNgspice> {
        let lib = ["libngspice.so.0", "libngspice.so", "/usr/lib/x86_64-linux-gnu/libngspice.so.0"]
            .iter()
            .find_map(|name| unsafe { Library::new(name) }.ok())?;
        unsafe {
            let init: Symbol<InitFn> = lib.get(b"ngSpice_Init\0").ok()?;
            let circ: CircFn = *lib.get::<CircFn>(b"ngSpice_Circ\0").ok()?;
            let command: CommandFn = *lib.get::<CommandFn>(b"ngSpice_Command\0").ok()?;
            let vec_info: VecInfoFn = *lib.get::<VecInfoFn>(b"ngGet_Vec_Info\0").ok()?;
            let null = std::ptr::null_mut();
            if init(Some(quiet), Some(quiet), Some(on_exit), null, null, null, null) != 0 {
                return None;
            }
            Some(SharedNgspice { _lib: lib, circ, command, vec_info })
        }
    }

    /// Loads a circuit (deck text, title first, `.end` last) as ngspice's `source` would.
    pub fn circuit(&mut self, deck: &str) -> Result<(), String> {
        let lines: Vec<CString> =
            deck.lines().map(|l| CString::new(l).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
        let mut ptrs: Vec<*mut c_char> = lines.iter().map(|l| l.as_ptr() as *mut c_char).collect();
        ptrs.push(std::ptr::null_mut());
        let rc = unsafe { (self.circ)(ptrs.as_mut_ptr()) };
        if rc != 0 {
            return Err(format!("ngSpice_Circ returned {rc}"));
        }
        Ok(())
    }

    /// Runs an interactive command (`run`, `op`, `alter m1 w=2u`, `remcirc`, `destroy all`).
    pub fn command(&mut self, cmd: &str) -> Result<(), String> {
        let c = CString::new(cmd).map_err(|e| e.to_string())?;
        let rc = unsafe { (self.command)(c.as_ptr() as *mut c_char) };
        if rc != 0 {
            return Err(format!("ngSpice_Command({cmd}) returned {rc}"));
        }
        Ok(())
    }

    /// The real values (or magnitudes of complex values) of a vector of the current plot.
    pub fn vector(&mut self, name: &str) -> Option<Vec<f64>> {
        let c = CString::new(name).ok()?;
        let info = unsafe { (self.vec_info)(c.as_ptr() as *mut c_char) };
        if info.is_null() {
            return None;
        }
        let info = unsafe { &*info };
        let n = usize::try_from(info.v_length).ok()?;
        if !info.v_realdata.is_null() {
            Some(unsafe { std::slice::from_raw_parts(info.v_realdata, n) }.to_vec())
        } else if !info.v_compdata.is_null() {
            let c = unsafe { std::slice::from_raw_parts(info.v_compdata, n) };
            Some(c.iter().map(|[re, im]| re.hypot(*im)).collect())
        } else {
            None
        }
    }

    /// The name of a vector as ngspice stores it (for diagnostics).
    pub fn vector_name(&mut self, name: &str) -> Option<String> {
        let c = CString::new(name).ok()?;
        let info = unsafe { (self.vec_info)(c.as_ptr() as *mut c_char) };
        if info.is_null() {
            return None;
        }
        Some(unsafe { CStr::from_ptr((*info).v_name) }.to_string_lossy().into_owned())
    }
}

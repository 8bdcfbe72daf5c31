//! ngspice as a subprocess, for cross-checks.
//!
//! ngspice's exit status is unreliable (1 on success, 0 with a missing include have been
//! seen), so [`Ngspice::run`] decides success from its log (lines with "Error"/"error:")
//! and from the rawfile (one plot per analysis line in the deck). Every deck gets
//! `.options num_threads=1` after its title line: the Debian build otherwise uses OpenMP
//! threads and crawls on a busy machine.

use crate::raw::{self, Plot};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The line added after the title of every deck.
pub const THREAD_OPTION: &str = ".options num_threads=1";

/// Name of the deck file written into the run directory.
pub const DECK_FILE: &str = "insitu_ngspice_deck.cir";
/// Name of the rawfile written into the run directory.
pub const RAW_FILE: &str = "insitu_ngspice_out.raw";

/// A located ngspice executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ngspice {
    /// Path of the executable.
    pub path: PathBuf,
    /// Longest time one run may take before it is killed.
    pub timeout: Duration,
}

/// The outcome of a successful run.
#[derive(Debug, Clone)]
pub struct NgspiceRun {
    /// Plots from the rawfile, in the order ngspice wrote them.
    pub plots: Vec<Plot>,
    /// Standard output and standard error, concatenated.
    pub log: String,
}

impl NgspiceRun {
    /// ngspice's own report that it aborted an analysis (its log's "simulation(s) aborted",
    /// after "Timestep too small" say): the line that says why. A transient aborted this way
    /// still leaves a rawfile, which may reach close to its stop time.
    ///
    /// ```
    /// let run = insitu::ngspice::NgspiceRun {
    ///     plots: Vec::new(),
    ///     log: "doAnalyses: TRAN:  Timestep too small; time = 1.36e-06\nrun simulation(s) aborted\n".into(),
    /// };
    /// assert_eq!(run.aborted().as_deref(), Some("doAnalyses: TRAN:  Timestep too small; time = 1.36e-06"));
    /// ```
    pub fn aborted(&self) -> Option<String> {
        if !self.log.contains("simulation(s) aborted") {
            return None;
        }
        let why = self
            .log
            .lines()
            .find(|l| l.contains("doAnalyses:"))
            .or_else(|| self.log.lines().find(|l| l.contains("aborted")));
        Some(why.unwrap_or("aborted").trim().to_string())
    }

    /// The first plot whose name starts with `prefix` (case-insensitive), e.g.
    /// "Operating Point", "AC", "Transient", "DC transfer".
    pub fn plot(&self, prefix: &str) -> Option<&Plot> {
        let p = prefix.to_ascii_lowercase();
        self.plots.iter().find(|pl| pl.name.to_ascii_lowercase().starts_with(&p))
    }
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum NgspiceError {
    /// Could not write files or start the process.
    #[error("ngspice: i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The process ran longer than the timeout and was killed.
    #[error("ngspice: killed after {0:?}")]
    Timeout(Duration),
    /// The log reports errors.
    #[error("ngspice reported errors:\n{errors}\n--- log ---\n{log}")]
    Reported {
        /// The error lines.
        errors: String,
        /// The whole log.
        log: String,
    },
    /// No rawfile, an unreadable one, or fewer plots than analyses.
    #[error("ngspice: {msg}\n--- log ---\n{log}")]
    Output {
        /// What is wrong.
        msg: String,
        /// The whole log.
        log: String,
    },
}

/// True when `INSITU_REQUIRE_NGSPICE=1`: ngspice tests must run, not skip.
pub fn required() -> bool {
    std::env::var("INSITU_REQUIRE_NGSPICE").is_ok_and(|v| v.trim() == "1")
}

/// For tests: the ngspice to use, or `None` after printing "skipping: ngspice not found";
/// panics when ngspice is missing and `INSITU_REQUIRE_NGSPICE=1`. Same as
/// [`Ngspice::for_tests`].
pub fn for_tests() -> Option<Ngspice> {
    Ngspice::for_tests()
}

/// Inserts [`THREAD_OPTION`] after the title (first) line of `deck`.
pub fn with_thread_option(deck: &str) -> String {
    let (title, rest) = match deck.find('\n') {
        Some(i) => (&deck[..i], &deck[i + 1..]),
        None => (deck, ""),
    };
    format!("{title}\n{THREAD_OPTION}\n{rest}")
}

/// Number of analysis lines (`.op .dc .ac .tran .noise .tf .pz .sens .disto`) outside
/// `.control` blocks, and whether the deck has a `.control` block.
fn count_analyses(deck: &str) -> (usize, bool) {
    let mut n = 0;
    let mut in_control = false;
    let mut has_control = false;
    for line in deck.lines().skip(1) {
        let l = line.trim_start().to_ascii_lowercase();
        let word = l.split_whitespace().next().unwrap_or("");
        match word {
            ".control" => {
                in_control = true;
                has_control = true;
            }
            ".endc" => in_control = false,
            ".op" | ".dc" | ".ac" | ".tran" | ".noise" | ".tf" | ".pz" | ".sens" | ".disto" if !in_control => n += 1,
            _ => {}
        }
    }
    (n, has_control)
}

/// Lines of the log that report errors.
fn error_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("Error") || t.contains("error:") || t.contains("ERROR") || t.starts_with("Fatal")
        })
        .collect()
}

impl Ngspice {
    /// Finds ngspice: `$INSITU_NGSPICE` if set, else `ngspice` on `PATH`, else
    /// `/usr/bin/ngspice` or `/usr/local/bin/ngspice`.
    pub fn find() -> Option<Ngspice> {
        let mk = |path: PathBuf| Ngspice { path, timeout: Duration::from_secs(300) };
        if let Some(p) = std::env::var_os("INSITU_NGSPICE") {
            let p = PathBuf::from(p);
            return p.is_file().then(|| mk(p));
        }
        if let Some(paths) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&paths) {
                let p = dir.join("ngspice");
                if p.is_file() {
                    return Some(mk(p));
                }
            }
        }
        ["/usr/bin/ngspice", "/usr/local/bin/ngspice"].iter().map(PathBuf::from).find(|p| p.is_file()).map(mk)
    }

    /// For tests: the ngspice to use, or `None` after printing "skipping: ngspice not found".
    /// Panics when ngspice is missing and `INSITU_REQUIRE_NGSPICE=1`.
    pub fn for_tests() -> Option<Ngspice> {
        match Ngspice::find() {
            Some(n) => Some(n),
            None if required() => panic!("ngspice not found but INSITU_REQUIRE_NGSPICE=1"),
            None => {
                eprintln!("skipping: ngspice not found");
                None
            }
        }
    }

    /// Runs `deck_text` in `dir` (created if missing): writes the deck with
    /// `.options num_threads=1` added after the title, runs `ngspice -b -r <raw> <deck>`,
    /// and returns the plots and the log. Success is judged from the log and the rawfile,
    /// never from the exit code. Relative `.include` paths resolve against `dir`.
    pub fn run(&self, deck_text: &str, dir: &Path) -> Result<NgspiceRun, NgspiceError> {
        std::fs::create_dir_all(dir)?;
        let deck = with_thread_option(deck_text);
        let deck_path = dir.join(DECK_FILE);
        std::fs::write(&deck_path, &deck)?;
        self.run_deck_file(&deck_path, &deck, dir, dir)
    }

    /// Runs an existing deck file with its includes. The copy with the thread option is
    /// written to `out_dir` (the original's directory is never written to) and ngspice runs
    /// with the original's directory as working directory, so relative `.include`/`.lib`
    /// paths resolve as they do for the original. The rawfile goes to `out_dir`.
    pub fn run_file(&self, deck: &Path, out_dir: &Path) -> Result<NgspiceRun, NgspiceError> {
        let text = std::fs::read_to_string(deck)?;
        let with = with_thread_option(&text);
        std::fs::create_dir_all(out_dir)?;
        let parent = deck.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let parent = std::fs::canonicalize(parent)?;
        let copy = out_dir.join(DECK_FILE);
        std::fs::write(&copy, &with)?;
        self.run_deck_file(&copy, &with, out_dir, &parent)
    }

    /// Runs `ngspice -b deck` without a rawfile, as `.meas` needs ("No .measure possible in
    /// batch mode (-b) with -r rawfile set!"), with `NGSPICE_MEAS_PRECISION=15`, and returns
    /// the log (failed measures print error lines, so the log is not judged here).
    pub fn run_for_log(&self, deck_text: &str, dir: &Path) -> Result<String, NgspiceError> {
        std::fs::create_dir_all(dir)?;
        let deck = with_thread_option(deck_text);
        let deck_path = dir.join(DECK_FILE);
        std::fs::write(&deck_path, &deck)?;
        let deck_abs = std::fs::canonicalize(&deck_path)?;
        self.exec(&["-b".as_ref(), deck_abs.as_os_str()], dir)
    }

    /// Runs ngspice with `args` in `cwd`; returns stdout and stderr concatenated.
    fn exec(&self, args: &[&std::ffi::OsStr], cwd: &Path) -> Result<String, NgspiceError> {
        let mut child = Command::new(&self.path)
            .args(args)
            .current_dir(cwd)
            .env("NGSPICE_MEAS_PRECISION", "15")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("OMP_NUM_THREADS", "1")
            .spawn()?;
        // Drain both pipes on threads so a chatty ngspice cannot block.
        let mut out = child.stdout.take();
        let mut err = child.stderr.take();
        let t_out = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(o) = out.as_mut() {
                let mut b = Vec::new();
                let _ = o.read_to_end(&mut b);
                s = String::from_utf8_lossy(&b).into_owned();
            }
            s
        });
        let t_err = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(e) = err.as_mut() {
                let mut b = Vec::new();
                let _ = e.read_to_end(&mut b);
                s = String::from_utf8_lossy(&b).into_owned();
            }
            s
        });
        let start = Instant::now();
        loop {
            if child.try_wait()?.is_some() {
                break;
            }
            if start.elapsed() > self.timeout {
                let _ = child.kill();
                let _ = child.wait();
                return Err(NgspiceError::Timeout(self.timeout));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let log = format!("{}{}", t_out.join().unwrap_or_default(), t_err.join().unwrap_or_default());
        Ok(log)
    }

    fn run_deck_file(
        &self,
        deck_path: &Path,
        deck_text: &str,
        dir: &Path,
        cwd: &Path,
    ) -> Result<NgspiceRun, NgspiceError> {
        let raw_path = dir.join(RAW_FILE);
        let _ = std::fs::remove_file(&raw_path);
        let deck_abs = std::fs::canonicalize(deck_path)?;
        let raw_abs = std::fs::canonicalize(dir)?.join(RAW_FILE);
        let log = self.exec(&["-b".as_ref(), "-r".as_ref(), raw_abs.as_os_str(), deck_abs.as_os_str()], cwd)?;
        let errors = error_lines(&log);
        if !errors.is_empty() {
            return Err(NgspiceError::Reported { errors: errors.join("\n"), log });
        }
        let bytes = match std::fs::read(&raw_path) {
            Ok(b) => b,
            Err(e) => return Err(NgspiceError::Output { msg: format!("no rawfile ({e})"), log }),
        };
        let plots = match raw::read(&bytes) {
            Ok(p) => p,
            Err(e) => return Err(NgspiceError::Output { msg: format!("unreadable rawfile: {e}"), log }),
        };
        let (analyses, has_control) = count_analyses(deck_text);
        if !has_control && plots.len() < analyses {
            return Err(NgspiceError::Output {
                msg: format!("{analyses} analyses in the deck but {} plots in the rawfile", plots.len()),
                log,
            });
        }
        Ok(NgspiceRun { plots, log })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_goes_after_title_and_analyses_are_counted() {
        let d = "my title\nR1 a 0 1\n.op\n.control\nop\n.endc\n.tran 1n 1u\n.end\n";
        let w = with_thread_option(d);
        assert!(w.starts_with("my title\n.options num_threads=1\nR1"));
        assert_eq!(count_analyses(d), (2, true));
        assert_eq!(
            error_lines("ok\nError: no such node\n  mod: error: x\nfine"),
            vec!["Error: no such node", "  mod: error: x"]
        );
    }
}

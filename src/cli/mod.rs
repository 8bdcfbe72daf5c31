//! The subcommands of the `insitu` binary, one file per command, and what they share.

pub mod check;
pub mod gmid;
pub mod optimize;
pub mod place;
pub mod sim;

use std::process::ExitCode;

/// Exit code for bad input (parse or elaboration errors, unreadable files).
pub const EXIT_INPUT: u8 = 2;
/// Exit code for a simulation failure.
pub const EXIT_SIM: u8 = 3;

/// Writes to standard output; a closed pipe (`insitu parse deck | head`) is not an error.
pub fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

pub fn fail(code: u8, e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(code)
}

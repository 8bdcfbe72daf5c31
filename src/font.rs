//! The TrueType font that plots draw and measure their text with (`insitu gmid plot`, `insitu optimize
//! --plot`). plotters' `ab_glyph` backend takes the font's bytes, so no system font library is
//! linked: the font is read once at run time from `$INSITU_FONT`, else from the usual places of
//! DejaVu Sans (Debian's `fonts-dejavu-core`) or Liberation Sans.

use plotters::style::FontStyle;
use std::sync::OnceLock;

const FONT_PATHS: [&str; 4] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
];

/// Registers the font as plotters' "sans-serif" once per process; the error names the paths tried.
pub fn register() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let mut tried: Vec<String> = std::env::var("INSITU_FONT").ok().into_iter().collect();
        tried.extend(FONT_PATHS.iter().map(|s| s.to_string()));
        let (path, bytes) =
            tried.iter().find_map(|p| std::fs::read(p).ok().map(|b| (p.clone(), b))).ok_or_else(|| {
                format!("no font for PNG text (tried {}; set INSITU_FONT or write .svg)", tried.join(", "))
            })?;
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
            .map_err(|_| format!("{path}: not a usable TrueType font"))
    })
    .clone()
}

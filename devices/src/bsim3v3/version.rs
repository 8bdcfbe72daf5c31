//! BSIM3 version strings and the code revision each one selects in ngspice 39.
//!
//! ngspice's `inpdomod.c` sends a `level=8`/`level=49` card to one of four implementations by
//! its `version=` text: "3.0" to `bsim3v0`, "3.1" to `bsim3v1`, anything starting with "3.2"
//! to `bsim3v32`, and "3.3..." or "default" (no version) to `bsim3` (3.3.0). Inside `bsim3v32`,
//! ngspice 39's `b3v32set.c` turns the text into a revision by prefix: "3.2.4" or "3.24...",
//! "3.2.3" or "3.23...", "3.2.2" or "3.22...", and any other "3.2..." is 3.2 (its pre-3.2
//! placeholder revision is unreachable from a card). The revision selects branches in
//! `b3v32ld.c`, `b3v32temp.c` and `b3v32noi.c`.

use std::fmt;

/// The BSIM3 code revision a card runs on (see the module documentation for the mapping).
/// Ordered oldest first, so `v >= Bsim3Version::V322` reads as ngspice's
/// `intVersion > BSIM3v32V32` tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Bsim3Version {
    /// "3.0": ngspice's `bsim3v0`.
    V30,
    /// "3.1": ngspice's `bsim3v1`.
    V31,
    /// "3.2", "3.20", and any "3.2..." not below (e.g. "3.2.1").
    V32,
    /// "3.2.2" / "3.22...".
    V322,
    /// "3.2.3" / "3.23...".
    V323,
    /// "3.2.4" / "3.24...".
    V324,
    /// "3.3..." or no version: ngspice's `bsim3` (BSIM3v3.3.0).
    #[default]
    V330,
}

impl Bsim3Version {
    /// The revision of a card's `version=` text (`None`: not given, which is 3.3.0), or an
    /// error naming the text when ngspice 39 has no BSIM3 for it.
    ///
    /// ```
    /// use insitu_devices::bsim3v3::Bsim3Version;
    /// assert_eq!(Bsim3Version::parse(Some("3.24")), Ok(Bsim3Version::V324));
    /// assert_eq!(Bsim3Version::parse(Some("3.1")), Ok(Bsim3Version::V31));
    /// assert_eq!(Bsim3Version::parse(None), Ok(Bsim3Version::V330));
    /// assert!(Bsim3Version::parse(Some("4.5")).is_err());
    /// ```
    pub fn parse(version: Option<&str>) -> Result<Bsim3Version, String> {
        let Some(text) = version else {
            return Ok(Bsim3Version::V330);
        };
        let v = text.trim_matches(|c| c == '"' || c == '\'');
        Ok(match v {
            "3.0" => Bsim3Version::V30,
            "3.1" => Bsim3Version::V31,
            v if v == "3.2.4" || v.starts_with("3.24") => Bsim3Version::V324,
            v if v == "3.2.3" || v.starts_with("3.23") => Bsim3Version::V323,
            v if v == "3.2.2" || v.starts_with("3.22") => Bsim3Version::V322,
            v if v.starts_with("3.2") => Bsim3Version::V32,
            v if v.starts_with("3.3") || v.contains("default") => Bsim3Version::V330,
            _ => {
                return Err(format!(
                "BSIM3 version {text} is not available (ngspice 39 has 3.0, 3.1, 3.2, 3.2.2, 3.2.3, 3.2.4 and 3.3.0)"
            ))
            }
        })
    }

    /// True for the versions ngspice runs on its `bsim3v32` implementation.
    pub fn is_v32(self) -> bool {
        matches!(self, Bsim3Version::V32 | Bsim3Version::V322 | Bsim3Version::V323 | Bsim3Version::V324)
    }

    /// The ngspice implementation that runs this revision.
    pub fn implementation(self) -> &'static str {
        match self {
            Bsim3Version::V30 => "bsim3v0",
            Bsim3Version::V31 => "bsim3v1",
            Bsim3Version::V330 => "bsim3",
            _ => "bsim3v32",
        }
    }

    /// Model parameters ngspice's implementation for this revision does not know: ngspice
    /// ignores them with "unrecognized parameter (name) - ignored", and so does insitu.
    pub fn unknown_params(self) -> &'static [&'static str] {
        if self.is_v32() {
            &["lintnoi", "acnqsmod"]
        } else if self == Bsim3Version::V31 {
            V31_UNKNOWN
        } else if self == Bsim3Version::V30 {
            V30_UNKNOWN
        } else {
            &[]
        }
    }
}

/// Parameters of ngspice's `bsim3v32`/`bsim3` that its `bsim3v1` (version 3.1) does not
/// have (`b3v1.c`'s parameter table against `b3v32.c`'s, plus the 3.3.0-only ones).
const V31_UNKNOWN: &[&str] = &[
    "acde", "moin", "noff", "voffcv", "vfb", "toxm", "ijth", "alpha1", "xl", "xw", "lintnoi", "acnqsmod", "lmlt",
    "tcj", "tcjsw", "tcjswg", "tpb", "tpbsw", "tpbswg", "llc", "lwc", "lwlc", "wlc", "wwc", "wwlc", "lacde", "wacde",
    "pacde", "lmoin", "wmoin", "pmoin", "lnoff", "wnoff", "pnoff", "lvoffcv", "wvoffcv", "pvoffcv", "lvfb", "wvfb",
    "pvfb", "lalpha1", "walpha1", "palpha1", "acm", "calcacm", "ld", "ldif", "rd", "rs", "rdc", "rsc", "wmlt",
    "vgs_max", "vgd_max", "vgb_max", "vds_max", "vbs_max", "vbd_max", "vgsr_max", "vgdr_max", "vgbr_max", "vbsr_max",
    "vbdr_max",
];

/// Parameters `bsim3v1` knows and `bsim3v0` (version 3.0) does not (`b3v0.c`'s parameter
/// table against `b3v1.c`'s), plus [`V31_UNKNOWN`].
const V30_UNKNOWN: &[&str] = &[
    "cjswg", "hdif", "jsw", "mjswg", "nj", "paramchk", "pbswg", "vfbcv", "lvfbcv", "wvfbcv", "pvfbcv", "xti", "acde",
    "moin", "noff", "voffcv", "vfb", "toxm", "ijth", "alpha1", "xl", "xw", "lintnoi", "acnqsmod", "lmlt", "tcj",
    "tcjsw", "tcjswg", "tpb", "tpbsw", "tpbswg", "llc", "lwc", "lwlc", "wlc", "wwc", "wwlc", "lacde", "wacde", "pacde",
    "lmoin", "wmoin", "pmoin", "lnoff", "wnoff", "pnoff", "lvoffcv", "wvoffcv", "pvoffcv", "lvfb", "wvfb", "pvfb",
    "lalpha1", "walpha1", "palpha1", "acm", "calcacm", "ld", "ldif", "rd", "rs", "rdc", "rsc", "wmlt", "vgs_max",
    "vgd_max", "vgb_max", "vds_max", "vbs_max", "vbd_max", "vgsr_max", "vgdr_max", "vgbr_max", "vbsr_max", "vbdr_max",
];

impl fmt::Display for Bsim3Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bsim3Version::V30 => "3.0",
            Bsim3Version::V31 => "3.1",
            Bsim3Version::V32 => "3.2",
            Bsim3Version::V322 => "3.2.2",
            Bsim3Version::V323 => "3.2.3",
            Bsim3Version::V324 => "3.2.4",
            Bsim3Version::V330 => "3.3.0",
        })
    }
}

//! The crate's one integration-test binary: compatibility rows, the seed guides, rendered
//! diagnostics, file discovery and property tests of the parser.

mod diagnostics;
mod files;
mod guides;
mod never_panics;
mod runme;
mod seeds;

use std::path::Path;

use triage_guide::{LoadOptions, Parsed, parse};

/// Parses `source` as `g.md` with no outside variables.
pub(crate) fn parse_str(source: &str) -> Parsed {
    parse(Path::new("g.md"), source, &LoadOptions::default())
}

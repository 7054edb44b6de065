//! Integration tests of the knowledge base: scenario tables over guides written for the
//! tests, and property tests that nothing panics on arbitrary input.

mod fuzz;
mod scenarios;

use std::path::Path;

use triage_guide::{LoadOptions, parse};
use triage_kb::{Builder, KnowledgeBase};

/// A knowledge base from `(file name, Markdown)` pairs.
pub(crate) fn kb(guides: &[(&str, &str)]) -> KnowledgeBase {
    let mut builder = Builder::new();
    for (name, source) in guides {
        let parsed = parse(Path::new(name), source, &LoadOptions::default());
        builder.add_guide(&parsed.guide, source);
    }
    builder.build()
}

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

/// Adding guides on several threads gives the knowledge base of adding them one by one.
#[test]
fn parallel_build_is_the_same() {
    let sources: Vec<(String, String)> = (0..12)
        .map(|i| {
            let mut text = format!("# Service {i}\n\n## Port in use\n\n```\nError: listen tcp :80{i:02}: bind: address already in use\n```\n\n");
            text.push_str(&format!("## Disk full on node{i}\n\nThe volume of svc{i} fills with logs.\n\n```\nwrite /var/lib/svc{i}/x: no space left on device\n```\n\n"));
            for j in 0..60 {
                text.push_str(&format!("Paragraph {j} about ServiceConfig{i} and retries_{j} when connections_fail at 10.0.0.{j}:5432.\n\n"));
            }
            (format!("svc{i}.md"), text)
        })
        .collect();
    let parsed: Vec<_> = sources
        .iter()
        .map(|(name, source)| parse(Path::new(name), source, &LoadOptions::default()).guide)
        .collect();
    let mut one_by_one = Builder::new();
    for (guide, (_, source)) in parsed.iter().zip(&sources) {
        one_by_one.add_guide(guide, source);
    }
    let one_by_one = one_by_one.build();
    let pairs: Vec<_> = parsed.iter().zip(&sources).map(|(g, (_, s))| (g, s.as_str())).collect();
    let mut at_once = Builder::new();
    at_once.add_guides(&pairs);
    let at_once = at_once.build();
    assert_eq!(one_by_one.stats().terms, at_once.stats().terms);
    assert_eq!(one_by_one.entries().len(), at_once.entries().len());
    for input in [
        "Error: listen tcp :8003: bind: address already in use",
        "write /var/lib/svc7/y: no space left on device",
        "ServiceConfig5 retries connections fail",
    ] {
        let a = one_by_one.diagnose(&triage_kb::Query::new(input), 5);
        let b = at_once.diagnose(&triage_kb::Query::new(input), 5);
        // Terms are numbered in another order, so sums may differ in their last bit.
        let show = |m: &[triage_kb::Match<'_>]| {
            m.iter()
                .map(|m| (m.entry.guide, m.entry.line, (m.score * 100.0).round()))
                .collect::<Vec<_>>()
        };
        assert_eq!(show(&a), show(&b), "{input}");
    }
}

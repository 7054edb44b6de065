//! docs/probes.md documents every kind and every placeholder each kind binds.

use std::path::Path;

fn probes_doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/probes.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The text of the doc's section for `kind`, from its heading to the next `## ` heading.
fn section<'d>(doc: &'d str, kind: &str) -> Option<&'d str> {
    let heading = format!("\n## `kind: {kind}`");
    let start = doc.find(&heading)? + 1;
    let end = doc[start + 3..].find("\n## ").map_or(doc.len(), |i| start + 3 + i);
    Some(&doc[start..end])
}

#[test]
fn every_kind_and_placeholder_is_documented() {
    let doc = probes_doc();
    let mut missing = Vec::new();
    for kind in triage_probe::kinds() {
        let Some(text) = section(&doc, kind.name) else {
            missing.push(format!("no section `## \\`kind: {}\\``", kind.name));
            continue;
        };
        for (placeholder, _) in kind.placeholders {
            if !text.contains(&format!("[{placeholder}]")) {
                missing.push(format!("{}: [{placeholder}]", kind.name));
            }
        }
        for condition in kind.default_expect {
            if !text.contains(condition) {
                missing.push(format!("{}: default `{condition}`", kind.name));
            }
        }
        if !text.contains("```check") {
            missing.push(format!("{}: no example check block", kind.name));
        }
    }
    assert!(missing.is_empty(), "docs/probes.md lacks:\n{}", missing.join("\n"));
}

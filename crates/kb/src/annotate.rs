//! Annotating a guide: the same Markdown with ` ```error ` and ` ```check ` blocks added
//! under each symptom heading, so the next read needs no heuristics.
//!
//! Only lines are inserted: every line of the original stays as it was, in order, so the
//! prose is untouched and a diff shows exactly what triage understood.

use crate::entry::Entry;
use crate::extract::SignatureOrigin;
use crate::probe::recognise;

/// The annotated copy of `source`, given the entries read from it (one guide's entries,
/// as [`KnowledgeBase::entries_of`](crate::KnowledgeBase::entries_of) gives them).
pub fn annotate<'a>(source: &str, entries: impl IntoIterator<Item = &'a Entry>) -> String {
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for entry in entries {
        let block = blocks(entry);
        if block.is_empty() || entry.line == 0 {
            continue;
        }
        // After the heading line, and after a setext underline.
        let mut at = entry.line as usize;
        if lines.get(at).is_some_and(|l| is_setext_underline(l)) {
            at += 1;
        }
        inserts.push((at.min(lines.len()), block));
    }
    inserts.sort_by_key(|(at, _)| *at);
    let mut out =
        String::with_capacity(source.len() + inserts.iter().map(|(_, b)| b.len()).sum::<usize>());
    let mut next = inserts.iter().peekable();
    for (i, line) in lines.iter().enumerate() {
        while let Some((_, block)) = next.next_if(|(at, _)| *at == i) {
            push_block(&mut out, block);
        }
        out.push_str(line);
    }
    for (_, block) in next {
        push_block(&mut out, block);
    }
    out
}

fn push_block(out: &mut String, block: &str) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(block);
    out.push('\n');
}

fn is_setext_underline(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && (t.chars().all(|c| c == '=') || t.chars().all(|c| c == '-'))
}

/// The blocks to add under an entry's heading: its found signatures (not when the author
/// already wrote an ` ```error ` block) and a check for each recognised command.
fn blocks(entry: &Entry) -> String {
    let mut out = String::new();
    let annotated = entry.signatures.iter().any(|s| s.origin == SignatureOrigin::Annotated);
    if !annotated {
        let found: Vec<&str> = entry
            .signatures
            .iter()
            .filter(|s| s.origin != SignatureOrigin::Heading || entry.signatures.len() == 1)
            .map(|s| s.text.trim())
            .filter(|t| !t.starts_with('#') && !t.contains("```"))
            .collect();
        if !found.is_empty() {
            out.push_str("```error\n");
            for text in found {
                out.push_str(text);
                out.push('\n');
            }
            out.push_str("```\n");
        }
    }
    if entry.check_sections.is_empty() {
        let mut seen = Vec::new();
        for probe in entry.commands.iter().filter_map(|c| recognise(c)) {
            if seen.contains(&probe.check) {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str("```check\n");
            out.push_str(&format!(
                "name: {}\n",
                serde_json::to_string(&probe.command).unwrap_or_default()
            ));
            out.push_str(&probe.check);
            out.push_str("```\n");
            seen.push(probe.check);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use triage_guide::{LoadOptions, parse};

    use crate::Builder;

    use super::*;

    #[test]
    fn adds_blocks_and_keeps_every_original_line() {
        let source = "# G\n\nIntro.\n\n## Port in use\n\n```\nError: bind: address already in use\n```\n\n\
                      Check it:\n\n```bash\ncurl -f http://localhost:8080/health\n```\n\nDone\n====\n\n```\nfatal: done failed\n```\n";
        let guide = parse(Path::new("g.md"), source, &LoadOptions::default()).guide;
        let mut builder = Builder::new();
        builder.add_guide(&guide, source);
        let kb = builder.build();
        let out = annotate(source, kb.entries());
        assert!(out.contains("## Port in use\n\n```error\nError: bind: address already in use\n```\n\n```check\nname: \"curl -f http://localhost:8080/health\"\nkind: http\n"), "{out}");
        assert!(out.contains("Done\n====\n\n```error\nfatal: done failed\n```\n"), "{out}");
        // Removing the inserted lines gives the original back.
        let original: Vec<&str> = source.lines().collect();
        let mut kept = out.lines().filter(|l| original.contains(l));
        assert!(original.iter().all(|l| kept.any(|k| k == *l)));
        // Reading the annotated copy finds the same signature, now annotated.
        let again = parse(Path::new("g.md"), &out, &LoadOptions::default()).guide;
        assert!(
            again.sections().iter().any(|s| s
                .signatures
                .iter()
                .any(|g| g.text == "Error: bind: address already in use"))
        );
        assert!(again.sections().iter().any(|s| !s.checks.is_empty()));
    }
}

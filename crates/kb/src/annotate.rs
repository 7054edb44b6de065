//! Annotating a guide: the same Markdown with ` ```error ` and ` ```check ` blocks added
//! under each symptom heading, so the next read needs no heuristics.
//!
//! Only lines are inserted: every line of the original stays as it was, in order, so the
//! prose is untouched and a diff shows exactly what triage understood.
//!
//! A password in a recognised command (`psql postgres://app:PW@db/app -c ...`) is not
//! copied into the check written for it: the check says `${SECRET_1}` instead, a guide
//! variable the user sets at run time (`--var SECRET_1=...` or `TRIAGE_VAR_SECRET_1`);
//! until then the check is an error naming the variable. The same password gets the same
//! name throughout the guide.

use triage_core::redact::MIN_LITERAL_LEN;

use crate::entry::Entry;
use crate::extract::SignatureOrigin;
use crate::probe::{recognise, secrets};

/// The annotated copy of `source`, given the entries read from it (one guide's entries,
/// as [`KnowledgeBase::entries_of`](crate::KnowledgeBase::entries_of) gives them).
pub fn annotate<'a>(source: &str, entries: impl IntoIterator<Item = &'a Entry>) -> String {
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut names = SecretNames::default();
    for entry in entries {
        let block = blocks(entry, &mut names);
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

/// The variable names given to the passwords of a guide's commands, in order of first
/// appearance: `SECRET_1`, `SECRET_2`...
#[derive(Debug, Default)]
struct SecretNames {
    known: Vec<String>,
}

impl SecretNames {
    /// `command` with each of its passwords (`found`, from [`secrets`]) replaced by a
    /// placeholder made of letters and digits only, so that it comes through URL encoding
    /// and JSON quoting unchanged into the check recognised from it; `None` when a
    /// password also appears where it is not one (`PGPASSWORD=postgres psql -U postgres`),
    /// since replacing it there would change the check.
    fn mask(&mut self, command: &str, found: &[String]) -> Option<String> {
        let mut distinct: Vec<&String> = found.iter().collect();
        distinct.sort_by_key(|s| std::cmp::Reverse(s.len()));
        distinct.dedup();
        let mut masked = command.to_owned();
        for secret in distinct {
            let here = masked.matches(secret.as_str()).count();
            if here == 0 {
                continue; // a decoded form of a URL password the command writes encoded
            }
            if here > found.iter().filter(|s| *s == secret).count() {
                return None;
            }
            let index = match self.known.iter().position(|k| k == secret) {
                Some(i) => i,
                None => {
                    self.known.push(secret.clone());
                    self.known.len() - 1
                }
            };
            masked = masked.replace(secret.as_str(), &placeholder(index));
        }
        Some(masked)
    }

    /// `text` with the placeholders of [`SecretNames::mask`] turned into `${SECRET_N}`, and
    /// the names used.
    fn unmask(&self, text: &str) -> (String, Vec<String>) {
        let mut text = text.to_owned();
        let mut used = Vec::new();
        for index in 0..self.known.len() {
            let mark = placeholder(index);
            if text.contains(&mark) {
                let name = format!("SECRET_{}", index + 1);
                text = text.replace(&mark, &format!("${{{name}}}"));
                used.push(name);
            }
        }
        (text, used)
    }
}

/// The placeholder of the password numbered `index`.
fn placeholder(index: usize) -> String {
    format!("TRIAGESECRET{index}X")
}

/// The blocks to add under an entry's heading: its found signatures (not when the author
/// already wrote an ` ```error ` block) and a check for each recognised command, its
/// passwords replaced by variables.
fn blocks(entry: &Entry, names: &mut SecretNames) -> String {
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
        for command in &entry.commands {
            let found = secrets(command);
            // Too short to replace safely (it may be part of other words): left out, as
            // the checks inferred at run time leave it out.
            if found.iter().any(|s| s.chars().count() < MIN_LITERAL_LEN) {
                continue;
            }
            let Some(masked) = names.mask(command, &found) else { continue };
            let Some(probe) = recognise(&masked) else { continue };
            if seen.contains(&probe.check) {
                continue;
            }
            let body = format!(
                "name: {}\n{}",
                serde_json::to_string(&probe.command).unwrap_or_default(),
                probe.check
            );
            let (body, used) = names.unmask(&body);
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str("```check\n");
            for name in &used {
                out.push_str(&format!(
                    "# a password of the guide's command, as a URL would hold it: --var {name}=... or TRIAGE_VAR_{name}\n"
                ));
            }
            out.push_str(&body);
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

    fn annotated(source: &str) -> String {
        let guide = parse(Path::new("g.md"), source, &LoadOptions::default()).guide;
        let mut builder = Builder::new();
        builder.add_guide(&guide, source);
        annotate(source, builder.build().entries())
    }

    /// The lines of `out` that are not lines of `source`: what annotating added.
    fn inserted_lines(source: &str, out: &str) -> String {
        out.lines().filter(|l| !source.lines().any(|o| o == *l)).map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn passwords_are_not_copied_into_checks() {
        let source = "# G\n\n## Database down\n\n```\nFATAL: the database system is starting up\n```\n\n\
                      ```bash\npsql postgres://app:s3cret-pass@db:5432/app -c 'select 1'\n\
                      PGPASSWORD=s3cret-pass pg_isready -h db\n\
                      redis-cli -a other-secret ping\n```\n";
        let out = annotated(source);
        let inserted = inserted_lines(source, &out);
        assert!(inserted.contains("```check"), "{out}");
        assert!(!inserted.contains("s3cret-pass") && !inserted.contains("other-secret"), "{out}");
        assert!(inserted.contains("postgres://app:${SECRET_1}@db:5432/app"), "{out}");
        assert!(inserted.contains("${SECRET_2}") && !inserted.contains("${SECRET_3}"), "{out}");
        assert!(inserted.contains("--var SECRET_1=... or TRIAGE_VAR_SECRET_1"), "{out}");
        assert!(!inserted.contains("TRIAGESECRET"), "{out}");
        // Without the variable the check is an error naming it; with it, it runs as written.
        let bare = parse(Path::new("g.md"), &out, &LoadOptions::default());
        assert!(bare.diagnostics.iter().any(|d| d.to_string().contains("SECRET_1")));
        let options = LoadOptions {
            overrides: [("SECRET_1", "s3cret-pass"), ("SECRET_2", "other-secret")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            ..LoadOptions::default()
        };
        let set = parse(Path::new("g.md"), &out, &options);
        assert!(set.diagnostics.iter().all(|d| !d.to_string().contains("SECRET_")));
        let checks: Vec<_> = set.guide.checks().collect();
        assert!(checks.len() >= 2, "{checks:?}");
    }

    #[test]
    fn passwords_in_other_forms_are_not_copied_either() {
        // Percent-encoded in the check's URL, quoted in its name, glued to its flag.
        let source = "# G\n\n## Down\n\n```\nFATAL: down\n```\n\n```bash\n\
                      PGPASSWORD='p@ss:word1' pg_isready -h db -U app\n\
                      redis-cli -h cache -a 'pa\\\\ss\"1234' ping\n\
                      redis-cli -h other -ahunter22 ping\n```\n";
        let out = annotated(source);
        let inserted = inserted_lines(source, &out);
        assert_eq!(inserted.matches("```check").count(), 3, "{out}");
        for leak in ["p@ss", "p%40ss", "word1", "1234", "hunter22"] {
            assert!(!inserted.contains(leak), "{leak} in {out}");
        }
        assert!(inserted.contains("${SECRET_3}"), "{out}");
    }

    #[test]
    fn a_password_that_is_also_another_word_leaves_the_check_out() {
        // Replacing `postgres` would also replace the user (and the probe kind).
        let out = annotated(
            "# G\n\n## Down\n\n```\nFATAL: down\n```\n\n```bash\n\
             PGPASSWORD=postgres psql -h db -U postgres -c 'select 1'\n```\n",
        );
        assert!(!out.contains("```check"), "{out}");
    }

    #[test]
    fn a_password_too_short_to_replace_leaves_the_check_out() {
        let out = annotated(
            "# G\n\n## Down\n\n```\nFATAL: down\n```\n\n```bash\nredis-cli -a pw ping\n```\n",
        );
        assert!(!out.contains("```check"), "{out}");
    }
}

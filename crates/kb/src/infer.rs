//! Checks for guides nobody annotated: the well-known commands of a guide's shell blocks
//! (`pg_isready -h db`, `redis-cli ping`, `curl -f URL`), as the native checks they stand
//! for, so `triage check` has something to run before anyone writes a ` ```check ` block.
//!
//! Annotations win: a guide with any ` ```check ` block gets no inferred checks, so an
//! annotated copy written by `triage import --annotate` does not run everything twice.

use triage_core::redact::MIN_LITERAL_LEN;
use triage_guide::{CodeBlock, Guide, SectionId};

use crate::cue;
use crate::probe::{NativeProbe, recognise, secrets};

/// A check inferred from a command in a guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferredCheck {
    /// The section whose block holds the command.
    pub section: SectionId,
    /// The file line of the command (its first line when continued with `\`).
    pub line: u32,
    /// What the guide calls it: the comment line right above the command, else the
    /// command itself.
    pub name: String,
    /// The native probe the command stands for.
    pub probe: NativeProbe,
}

/// The checks `guide`'s commands stand for, in document order, each distinct check once
/// (a guide that says `redis-cli ping` in three places gets one check). Empty when the
/// guide has ` ```check ` blocks of its own.
pub fn inferred_checks(guide: &Guide) -> Vec<InferredCheck> {
    if guide.checks().next().is_some() {
        return Vec::new();
    }
    let mut found: Vec<InferredCheck> = Vec::new();
    for section in guide.sections() {
        for block in section.blocks.iter().filter(|b| !b.ignored) {
            for command in commands(block) {
                let Some(probe) = recognise(&command.text) else { continue };
                // A password too short to mask reliably would show in the check's name.
                if secrets(&command.text).iter().any(|s| s.chars().count() < MIN_LITERAL_LEN) {
                    continue;
                }
                if found.iter().any(|f| f.probe.check == probe.check) {
                    continue;
                }
                let name = command
                    .comment
                    .filter(|c| !found.iter().any(|f| &f.name == c))
                    .unwrap_or_else(|| probe.command.clone());
                found.push(InferredCheck { section: section.id, line: command.line, name, probe });
            }
        }
    }
    found
}

/// The secrets the commands of `guide`'s shell blocks hold (see [`secrets`]), for the
/// redactor: all blocks, annotated guide or not, since fix steps show their commands.
pub fn guide_secrets(guide: &Guide) -> Vec<String> {
    let mut found: Vec<String> = guide
        .sections()
        .iter()
        .flat_map(|section| &section.blocks)
        .flat_map(commands)
        .flat_map(|command| secrets(&command.text))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// One command of a shell block.
#[derive(Debug, PartialEq, Eq)]
struct Command {
    /// The command, continuation lines joined.
    text: String,
    /// Its first file line.
    line: u32,
    /// The comment line right above it, if any.
    comment: Option<String>,
}

/// The commands of a block: every line of a shell block, or the prompt lines (`$ cmd`) of
/// a block that shows commands with their output. Other blocks hold none.
fn commands<'a>(block: &'a CodeBlock) -> Vec<Command> {
    let lines: Vec<&str> = block.content.lines().collect();
    let script = cue::is_script(&block.lang, block.is_shell());
    let prompt = |line: &'a str| cue::block_prompt(line, script);
    let prompts = lines.iter().any(|l| prompt(l).is_some());
    if !block.is_shell() && !prompts {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut comment: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = block.content_line + i as u32;
        let raw = lines[i];
        i += 1;
        let text = match prompt(raw) {
            Some(command) => command,
            None if prompts => {
                comment = None; // output
                continue;
            }
            None => raw.trim(),
        };
        if text.is_empty() {
            comment = None;
            continue;
        }
        if let Some(note) = text.strip_prefix('#') {
            let note = note.trim();
            comment = (!note.is_empty()).then(|| note.to_owned());
            continue;
        }
        let mut joined = text.to_owned();
        while let Some(head) = joined.strip_suffix('\\') {
            let Some(next) = lines.get(i) else { break };
            joined = format!("{} {}", head.trim_end(), next.trim());
            i += 1;
        }
        let above = comment.take();
        let (command, after) = split_comment(&joined);
        let comment = above.or(after.map(str::to_owned));
        out.push(Command { text: command.to_owned(), line, comment });
    }
    out
}

/// A command and its trailing comment (`curl -f URL  # billaged`): a `#` after blank space,
/// outside quotes.
fn split_comment(command: &str) -> (&str, Option<&str>) {
    let mut quote = None;
    let mut previous = ' ';
    for (at, c) in command.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(open), _) if c == open && previous != '\\' => quote = None,
            (None, '#') if previous.is_whitespace() => {
                let note = command[at + 1..].trim();
                return (command[..at].trim_end(), (!note.is_empty()).then_some(note));
            }
            _ => {}
        }
        previous = c;
    }
    (command, None)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use triage_guide::{LoadOptions, parse};

    use super::*;

    fn inferred(source: &str) -> Vec<(String, String, u32, String)> {
        let guide = parse(Path::new("g.md"), source, &LoadOptions::default()).guide;
        inferred_checks(&guide)
            .into_iter()
            .map(|c| (guide.section(c.section).title.clone(), c.name, c.line, c.probe.check))
            .collect()
    }

    #[test]
    fn shell_blocks_give_one_check_per_distinct_command() {
        let found = inferred(
            "# G\n\n## Health\n\n```bash\n# Database connectivity test\npsql \"postgres://u@h:5432/d\" -c \\\n  \"SELECT 1;\"\n\n\
             redis-cli -h localhost -p 6379 ping\nredis-cli -h localhost -p 6379 del lock:1\n```\n\n\
             ## Again\n\n```sh\nredis-cli -h localhost -p 6379 ping\n```\n",
        );
        assert_eq!(
            found,
            [
                (
                    "Health".to_owned(),
                    "Database connectivity test".to_owned(),
                    7,
                    "kind: postgres\nurl: postgres://u@h:5432/d\nquery: \"SELECT 1;\"\n".to_owned()
                ),
                (
                    "Health".to_owned(),
                    "redis-cli -h localhost -p 6379 ping".to_owned(),
                    10,
                    "kind: redis\nurl: redis://localhost:6379\n".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn console_blocks_take_prompt_lines_and_other_blocks_nothing() {
        let found = inferred(
            "# G\n\n## A\n\n```\n$ pg_isready -h db\ndb:5432 - accepting connections\n```\n\n\
             ```\npg_isready -h other\n```\n\n```yaml\nredis-cli ping\n```\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].3, "kind: postgres\nurl: postgres://db:5432\n");
        assert_eq!(found[0].2, 6);
    }

    #[test]
    fn trailing_comments_name_their_command() {
        let found = inferred(
            "# G\n\n```bash\ncurl -f http://localhost:8081/health  # billaged\ncurl -f 'http://h/#x' # a # b\n```\n",
        );
        let names: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(names, ["billaged", "a # b"]);
        assert_eq!(split_comment("echo \"a # b\"  # c"), ("echo \"a # b\"", Some("c")));
        assert_eq!(split_comment("redis-cli ping"), ("redis-cli ping", None));
    }

    #[test]
    fn commands_with_passwords_too_short_to_mask_are_left_alone() {
        assert!(inferred("# G\n\n```bash\nredis-cli -a pw1 ping\n```\n").is_empty());
        assert_eq!(inferred("# G\n\n```bash\nredis-cli -a pw1234 ping\n```\n").len(), 1);
    }

    #[test]
    fn annotated_guides_and_ignored_blocks_get_none() {
        assert!(
            inferred(
                "# G\n\n```check\nkind: tcp\naddress: db:5432\n```\n\n```bash\npg_isready -h db\n```\n"
            )
            .is_empty()
        );
        assert!(inferred("# G\n\n```bash {ignore=true}\npg_isready -h db\n```\n").is_empty());
    }

    #[test]
    fn guide_variables_are_filled_in_before_recognising() {
        let found = inferred(
            "---\nvars:\n  DB_HOST: db.internal\n---\n# G\n\n```bash\npg_isready -h ${DB_HOST}\n```\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].3, "kind: postgres\nurl: postgres://db.internal:5432\n");
    }
}

//! The front matter: a leading `---` YAML block with `title`, `service`, `tags`, `vars`
//! and any other keys (kept as metadata).
//!
//! A leading `+++` block (TOML, as Hugo writes it) is skipped without being read. Broken YAML
//! or a block with no closing line is a diagnostic; the Markdown after it still loads.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::Value as Yaml;
use triage_core::{Diagnostic, Span};

use crate::yaml::{clean_message, to_json};

/// What the front matter said, before variables are resolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct FrontMatter {
    pub(crate) title: Option<String>,
    pub(crate) service: Option<String>,
    pub(crate) tags: Vec<String>,
    /// Declared variables, values as written.
    pub(crate) vars: BTreeMap<String, String>,
    /// Whether the block has a `vars:` key at all (turns on warnings for prose).
    pub(crate) declares_vars: bool,
    /// Every other key, as JSON.
    pub(crate) metadata: serde_json::Value,
}

/// Where the Markdown body starts and what the front matter held.
#[derive(Debug, Clone)]
pub(crate) struct Split {
    /// Byte offset of the Markdown body in the whole source.
    pub(crate) body_start: usize,
    pub(crate) front_matter: FrontMatter,
}

/// The line starting at byte `at`, without its line break, and the offset after it.
fn line_at(source: &str, at: usize) -> (&str, usize) {
    let rest = &source[at..];
    match rest.find('\n') {
        Some(end) => (rest[..end].strip_suffix('\r').unwrap_or(&rest[..end]), at + end + 1),
        None => (rest.strip_suffix('\r').unwrap_or(rest), source.len()),
    }
}

/// Finds the closing line of a block opened by `fence` on the first line: the offsets of
/// the block's content end and of the body after the closing line.
fn find_close(source: &str, first_line_end: usize, closers: &[&str]) -> Option<(usize, usize)> {
    let mut at = first_line_end;
    while at < source.len() {
        let (line, next) = line_at(source, at);
        if closers.contains(&line.trim_end()) {
            return Some((at, next));
        }
        at = next;
    }
    None
}

/// Splits the front matter off `source` and reads it, pushing problems to `diagnostics`.
pub(crate) fn split(path: &Path, source: &str, diagnostics: &mut Vec<Diagnostic>) -> Split {
    let none = Split { body_start: 0, front_matter: FrontMatter::default() };
    let (first, first_end) = line_at(source, 0);
    match first.trim_end() {
        "+++" => match find_close(source, first_end, &["+++"]) {
            Some((_, body_start)) => Split { body_start, ..none },
            None => none,
        },
        "---" => match find_close(source, first_end, &["---", "..."]) {
            Some((content_end, body_start)) => {
                let yaml = &source[first_end..content_end];
                let front_matter = read(path, source, yaml, diagnostics);
                Split { body_start, front_matter }
            }
            None => {
                diagnostics.push(
                    Diagnostic::error(
                        path,
                        Span::new(1, 1, 3),
                        "unterminated front matter: no closing `---` line; read as Markdown",
                    )
                    .with_source(source),
                );
                none
            }
        },
        _ => none,
    }
}

/// Reads the YAML of the front matter; the YAML starts on file line 2.
fn read(path: &Path, source: &str, yaml: &str, diagnostics: &mut Vec<Diagnostic>) -> FrontMatter {
    let mut out = FrontMatter::default();
    if yaml.trim().is_empty() {
        return out;
    }
    let value: Yaml = match serde_yaml_ng::from_str(yaml) {
        Ok(value) => value,
        Err(error) => {
            let (line, col) =
                error.location().map_or((1, 1), |at| (at.line() as u32, at.column() as u32));
            let message = format!("invalid front matter: {}", clean_message(&error));
            diagnostics.push(
                Diagnostic::error(path, Span::new(line + 1, col, 1), message).with_source(source),
            );
            return out;
        }
    };
    let Yaml::Mapping(map) = value else {
        if !value.is_null() {
            diagnostics.push(
                Diagnostic::error(
                    path,
                    Span::new(2, 1, 1),
                    "front matter is not a mapping of keys",
                )
                .with_source(source),
            );
        }
        return out;
    };
    let warn = |diagnostics: &mut Vec<Diagnostic>, key: &str, message: String| {
        let line = key_line(yaml, key).map_or(1, |l| l + 1);
        diagnostics.push(
            Diagnostic::warning(path, Span::new(line, 1, key.chars().count() as u32), message)
                .with_source(source),
        );
    };
    let mut metadata = serde_json::Map::new();
    for (key, value) in map {
        let Some(key) = key.as_str().map(str::to_owned) else {
            if let serde_json::Value::Object(extra) =
                to_json(&Yaml::Mapping([(key, value)].into_iter().collect()))
            {
                metadata.extend(extra);
            }
            continue;
        };
        match key.as_str() {
            "title" | "service" => match scalar(&value) {
                Some(text) => {
                    if key == "title" {
                        out.title = Some(text)
                    } else {
                        out.service = Some(text)
                    }
                }
                None => {
                    warn(diagnostics, &key, format!("front matter `{key}` is not a text; ignored"))
                }
            },
            "tags" => match &value {
                Yaml::Sequence(items) => out.tags.extend(items.iter().filter_map(scalar)),
                other => match scalar(other) {
                    Some(text) => out.tags.extend(
                        text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned),
                    ),
                    None => {
                        warn(diagnostics, &key, "front matter `tags` is not a list; ignored".into())
                    }
                },
            },
            "vars" => {
                out.declares_vars = true;
                match value {
                    Yaml::Mapping(vars) => {
                        for (name, value) in vars {
                            let name = scalar(&name).unwrap_or_default();
                            match scalar(&value) {
                                Some(text) => {
                                    out.vars.insert(name, text);
                                }
                                None => warn(
                                    diagnostics,
                                    &name,
                                    format!("variable `{name}` is not a single value; ignored"),
                                ),
                            }
                        }
                    }
                    Yaml::Null => {}
                    _ => warn(
                        diagnostics,
                        &key,
                        "front matter `vars` is not a mapping; ignored".into(),
                    ),
                }
            }
            _ => {
                metadata.insert(key, to_json(&value));
            }
        }
    }
    out.metadata = serde_json::Value::Object(metadata);
    out
}

/// A YAML scalar as text (`8080`, `true`, `""` for null); `None` for lists and maps.
fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) => Some(text.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        Yaml::Null => Some(String::new()),
        Yaml::Tagged(tagged) => scalar(&tagged.value),
        Yaml::Sequence(_) | Yaml::Mapping(_) => None,
    }
}

/// The 1-based line of the YAML text where `key:` first starts a line (for warnings).
fn key_line(yaml: &str, key: &str) -> Option<u32> {
    yaml.lines()
        .position(|line| {
            let line = line.trim_start();
            line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(source: &str) -> (Split, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let split = split(Path::new("g.md"), source, &mut diagnostics);
        (split, diagnostics)
    }

    #[test]
    fn reads_known_keys_and_keeps_the_rest_as_metadata() {
        let (split, diagnostics) = run(
            "---\ntitle: Metald\nservice: metald\ntags: [vm, billing]\nvars:\n  PORT: 8080\n  DEBUG: true\nowner: team-a\n---\n# Body\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let fm = split.front_matter;
        assert_eq!(fm.title.as_deref(), Some("Metald"));
        assert_eq!(fm.service.as_deref(), Some("metald"));
        assert_eq!(fm.tags, vec!["vm", "billing"]);
        assert_eq!(fm.vars["PORT"], "8080");
        assert_eq!(fm.vars["DEBUG"], "true");
        assert!(fm.declares_vars);
        assert_eq!(fm.metadata, serde_json::json!({"owner": "team-a"}));
        assert_eq!(
            &"---\ntitle: Metald\nservice: metald\ntags: [vm, billing]\nvars:\n  PORT: 8080\n  DEBUG: true\nowner: team-a\n---\n# Body\n"
                [split.body_start..],
            "# Body\n"
        );
    }

    #[test]
    fn comma_separated_tags_and_dot_close() {
        let (split, diagnostics) = run("---\ntags: a, b\n...\nbody");
        assert!(diagnostics.is_empty());
        assert_eq!(split.front_matter.tags, vec!["a", "b"]);
        assert!(!split.front_matter.declares_vars);
    }

    #[test]
    fn toml_front_matter_is_skipped_silently() {
        let source = "+++\ntitle = \"x\"\n+++\n# Body\n";
        let (split, diagnostics) = run(source);
        assert!(diagnostics.is_empty());
        assert_eq!(&source[split.body_start..], "# Body\n");
        assert_eq!(split.front_matter.title, None);
    }

    #[test]
    fn unterminated_block_is_an_error_and_the_body_starts_at_the_top() {
        let (split, diagnostics) = run("---\ntitle: x\n# Body\n");
        assert_eq!(split.body_start, 0);
        assert_eq!(
            diagnostics[0].to_string(),
            "error: unterminated front matter: no closing `---` line; read as Markdown\n  --> g.md:1:1\n  |\n1 | ---\n  | ^^^"
        );
    }

    #[test]
    fn invalid_yaml_points_into_the_file() {
        let (split, diagnostics) = run("---\ntitle: x\nvars: [unclosed\n---\n# Body\n");
        assert_eq!(split.body_start, "---\ntitle: x\nvars: [unclosed\n---\n".len());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].span.line, 4);
    }

    #[test]
    fn a_non_scalar_variable_is_a_warning() {
        let (split, diagnostics) = run("---\nvars:\n  LIST: [1, 2]\n  OK: x\n---\n");
        assert_eq!(split.front_matter.vars.len(), 1);
        assert_eq!(diagnostics[0].message, "variable `LIST` is not a single value; ignored");
        assert_eq!(diagnostics[0].span.line, 3);
    }

    #[test]
    fn no_front_matter() {
        let (split, diagnostics) = run("# Title\n---\n");
        assert_eq!(split.body_start, 0);
        assert!(diagnostics.is_empty());
    }
}

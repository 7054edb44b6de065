//! A `check` block's YAML into a runnable check: the common fields (`name`, `expect`,
//! `timeout`, `retries`, `severity`, `tags`) are split off, the rest is the probe.
//!
//! Every problem becomes a diagnostic pointing at the line of the block where it is.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_yaml_ng::{Mapping, Value as Yaml};
use triage_condition::Condition;
use triage_core::{Diagnostic, Severity, Span};
use triage_guide::CheckBlock;
use triage_probe::{Check, Probe};

/// Keys every check block may carry, whatever its kind.
const COMMON_KEYS: &[&str] = &["name", "expect", "timeout", "retries", "severity", "tags"];

/// A check ready to run, with what the report shows about it.
#[derive(Debug, Clone)]
pub(crate) struct CheckSpec {
    /// The block's `name`, or `<kind> <target>` when it has none.
    pub name: String,
    /// Whether `name` was written in the guide (only those must be unique).
    pub named: bool,
    /// The block's tags.
    pub tags: Vec<String>,
    /// What the engine runs.
    pub check: Check,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    name: Option<String>,
    #[serde(default)]
    expect: OneOrMany,
    #[serde(default, with = "triage_core::duration::option")]
    timeout: Option<Duration>,
    #[serde(default)]
    retries: u32,
    #[serde(default)]
    severity: Severity,
    #[serde(default)]
    tags: OneOrMany,
}

/// `expect: "[STATUS] == 200"` or a list of them.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Where diagnostics about one block point.
struct Site<'a> {
    path: &'a Path,
    file: &'a str,
    block: &'a CheckBlock,
}

impl Site<'_> {
    fn at(&self, span: Span, message: String) -> Diagnostic {
        Diagnostic::error(self.path, span, message).with_source(self.file)
    }

    /// The fence line, for problems that belong to the block as a whole.
    fn block(&self, message: String) -> Diagnostic {
        self.at(self.block.span, message)
    }

    /// The span of `line` (1-based, within the block's YAML) from column `col`.
    fn yaml_line(&self, line: usize, col: usize) -> Span {
        let text = self.block.source.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let len = text.chars().count().saturating_sub(col.saturating_sub(1)).max(1);
        Span::new(self.block.content_line + line as u32 - 1, col as u32, len as u32)
    }

    /// The line of the block that sets `key`, if one does.
    fn key_line(&self, key: &str) -> Option<Span> {
        self.block.source.lines().enumerate().find_map(|(i, line)| {
            let trimmed = line.trim_start().trim_start_matches("- ");
            let rest = trimmed.strip_prefix(key)?;
            rest.trim_start().starts_with(':').then(|| {
                let col = line.len() - trimmed.len() + 1;
                let span = self.yaml_line(i + 1, col);
                Span { len: key.chars().count() as u32, ..span }
            })
        })
    }

    /// The line of the block that holds `text`, e.g. a condition.
    fn text_line(&self, text: &str) -> Option<Span> {
        self.block.source.lines().enumerate().find_map(|(i, line)| {
            let col = line.find(text)?;
            let span = self.yaml_line(i + 1, line[..col].chars().count() + 1);
            Some(Span { len: text.chars().count() as u32, ..span })
        })
    }

    /// Points a serde message naming a field (`unknown field `methd``) at that field.
    fn field_error(&self, message: String) -> Diagnostic {
        let key = if message.starts_with("unknown probe kind") || message.contains("needs a `kind`")
        {
            Some("kind".to_owned())
        } else {
            message.split('`').nth(1).map(str::to_owned)
        };
        let span = key.and_then(|k| self.key_line(&k)).unwrap_or(self.block.span);
        self.at(span, message)
    }
}

/// Reads one check block. `Err` holds every problem found; the check cannot run then.
pub(crate) fn parse(
    block: &CheckBlock,
    path: &Path,
    file: &str,
    default_timeout: Duration,
) -> Result<CheckSpec, Vec<Diagnostic>> {
    let site = Site { path, file, block };
    // Invalid YAML was already reported by the guide reader, at the same place.
    let yaml: Yaml = match &block.yaml {
        Some(yaml) => yaml.clone(),
        None => serde_yaml_ng::from_str(&block.source).map_err(|_| Vec::new())?,
    };
    let Yaml::Mapping(mut fields) = yaml else {
        return Err(vec![site.block("a check block must be a YAML mapping with a `kind`".into())]);
    };
    let mut common = Mapping::new();
    for key in COMMON_KEYS {
        if let Some(value) = fields.remove(*key) {
            common.insert(Yaml::String((*key).into()), value);
        }
    }
    let mut problems = Vec::new();
    let common: Option<Common> = serde_yaml_ng::from_value(Yaml::Mapping(common))
        .map_err(|e| problems.push(site.field_error(strip_location(&e.to_string()))))
        .ok();
    let probe: Option<Probe> = serde_yaml_ng::from_value(Yaml::Mapping(fields))
        .map_err(|e| problems.push(site.field_error(probe_message(&e.to_string()))))
        .ok();
    if let Some(probe) = &probe
        && let Err(message) = probe.validate()
    {
        problems.push(site.block(format!("invalid {} probe: {message}", probe.kind_name())));
    }
    let (Some(common), Some(probe)) = (common, probe) else {
        return Err(problems);
    };

    let info = probe.info();
    let written = common.expect.into_vec();
    let texts: Vec<String> = if written.is_empty() {
        info.default_expect.iter().map(|s| (*s).to_owned()).collect()
    } else {
        written
    };
    if texts.is_empty() {
        problems.push(site.block(format!(
            "a {} check needs `expect:` conditions, e.g. `expect: [\"[{}] == true\"]`",
            info.name,
            info.placeholders.first().map_or("CONNECTED", |p| p.0)
        )));
    }
    let mut conditions = Vec::new();
    for text in &texts {
        let span = site.text_line(text).unwrap_or(block.span);
        match Condition::parse(text) {
            Ok(condition) => {
                for name in condition.placeholders() {
                    if !info.placeholders.iter().any(|(p, _)| *p == name) {
                        let bound: Vec<_> =
                            info.placeholders.iter().map(|(p, _)| format!("[{p}]")).collect();
                        problems.push(site.at(
                            span,
                            format!(
                                "placeholder [{name}] is not bound by {} probes (they bind {})",
                                info.name,
                                bound.join(", ")
                            ),
                        ));
                    }
                }
                conditions.push(condition);
            }
            Err(e) => problems.push(site.at(span, e.to_string())),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let named = common.name.is_some();
    let name = common.name.unwrap_or_else(|| probe.target());
    let check = Check {
        probe,
        conditions,
        timeout: common.timeout.unwrap_or(default_timeout),
        retries: common.retries,
        severity: common.severity,
    };
    Ok(CheckSpec { name, named, tags: common.tags.into_vec(), check })
}

/// serde_yaml appends ` at line L column C`; diagnostics say where themselves.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Serde's messages about the `kind` tag, in the words of a guide author.
fn probe_message(message: &str) -> String {
    let message = strip_location(message);
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return format!("unknown probe kind {rest}");
    }
    if message.contains("missing field `kind`") {
        return "a check block needs a `kind`, e.g. `kind: http`".into();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage_guide::LoadOptions;

    fn first_block(doc: &str) -> (triage_guide::Guide, String) {
        let parsed = triage_guide::parse(Path::new("g.md"), doc, &LoadOptions::default());
        (parsed.guide, doc.to_owned())
    }

    fn errors(doc: &str) -> Vec<String> {
        let (guide, file) = first_block(doc);
        let (_, block) = guide.checks().next().expect("a check block");
        match parse(block, Path::new("g.md"), &file, Duration::from_secs(5)) {
            Ok(_) => Vec::new(),
            Err(d) => d.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn reads_common_fields_and_probe() {
        let doc = "# S\n\n```check\nname: api up\nkind: tcp\naddress: 127.0.0.1:1\nexpect: \"[CONNECTED] == true\"\ntimeout: 2s\nretries: 1\nseverity: warn\ntags: [net]\n```\n";
        let (guide, file) = first_block(doc);
        let (_, block) = guide.checks().next().unwrap();
        let spec = parse(block, Path::new("g.md"), &file, Duration::from_secs(5)).unwrap();
        assert_eq!(spec.name, "api up");
        assert!(spec.named);
        assert_eq!(spec.tags, ["net"]);
        assert_eq!(spec.check.timeout, Duration::from_secs(2));
        assert_eq!(spec.check.retries, 1);
        assert_eq!(spec.check.severity, Severity::Warn);
        assert_eq!(spec.check.conditions.len(), 1);
    }

    #[test]
    fn defaults_when_unset() {
        let doc = "# S\n\n```check\nkind: tcp\naddress: 127.0.0.1:1\n```\n";
        let (guide, file) = first_block(doc);
        let (_, block) = guide.checks().next().unwrap();
        let spec = parse(block, Path::new("g.md"), &file, Duration::from_secs(5)).unwrap();
        assert_eq!(spec.name, "tcp 127.0.0.1:1");
        assert!(!spec.named);
        assert_eq!(spec.check.conditions[0].as_str(), "[CONNECTED] == true");
        assert_eq!(spec.check.timeout, Duration::from_secs(5));
    }

    #[test]
    fn unknown_kind_points_at_kind_line() {
        let got = errors("# S\n\n```check\nkind: htp\nurl: x\n```\n");
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("error: unknown probe kind `htp`, expected one of"),
            "{}",
            got[0]
        );
        assert!(got[0].contains("--> g.md:4:1\n"), "{}", got[0]);
        assert!(got[0].ends_with("4 | kind: htp\n  | ^^^^"), "{}", got[0]);
    }

    #[test]
    fn unknown_field_points_at_its_line() {
        let got = errors("# S\n\n```check\nkind: tcp\naddress: 127.0.0.1:1\nadress: x\n```\n");
        assert!(got[0].starts_with("error: unknown field `adress`"), "{got:?}");
        assert!(got[0].contains("--> g.md:6:1"), "{got:?}");
    }

    #[test]
    fn bad_condition_and_unbound_placeholder() {
        let got = errors(
            "# S\n\n```check\nkind: tcp\naddress: 127.0.0.1:1\nexpect:\n  - \"[CONNECTED]==true\"\n  - \"[STATUS] == 200\"\n```\n",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0].starts_with("error: invalid condition: [CONNECTED]==true\n  --> g.md:7:6"),
            "{}",
            got[0]
        );
        assert!(
            got[1].starts_with("error: placeholder [STATUS] is not bound by tcp probes"),
            "{}",
            got[1]
        );
        assert!(got[1].contains("--> g.md:8:6"), "{}", got[1]);
    }

    #[test]
    fn invalid_yaml_is_left_to_the_guide_reader() {
        let doc = "# S\n\n```check\nkind: tcp\naddress: [oops\n```\n";
        let parsed = triage_guide::parse(Path::new("g.md"), doc, &LoadOptions::default());
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        assert!(parsed.diagnostics[0].to_string().contains("g.md:"), "{:?}", parsed.diagnostics);
        let (_, block) = parsed.guide.checks().next().unwrap();
        let result = parse(block, Path::new("g.md"), doc, Duration::from_secs(5));
        assert!(matches!(result, Err(problems) if problems.is_empty()));
    }

    #[test]
    fn invalid_probe_fields_are_reported() {
        let got = errors("# S\n\n```check\nkind: tcp\naddress: nohostport\n```\n");
        assert!(
            got[0].starts_with("error: invalid tcp probe: address `nohostport` is not host:port"),
            "{got:?}"
        );
        assert!(got[0].contains("--> g.md:3:1"), "{got:?}");
    }
}

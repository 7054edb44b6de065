//! Reading symptoms from guides nobody annotated.
//!
//! The guide model keeps each section's prose as plain text, which loses the marks people
//! use to show an error: bold labels, inline code, blockquotes, list items. So the source is
//! parsed again here with pulldown-cmark and every piece is mapped back to the guide's
//! section by its line (a section owns the lines from its heading to the next heading).
//!
//! What counts as a signature, per section:
//! - an annotated ` ```error ` block (when a section has one, nothing else is taken);
//! - the lines of an output block (no language, `text`, `log`, ...), the output lines of a
//!   console block that mixes `$ command` lines with output, and error-like lines of code
//!   blocks in other languages;
//! - the text after a bold label such as `**Error message**:` or `**Symptom**:` (or the
//!   next code block when the label stands alone);
//! - blockquote lines, and error-like lines of admonitions;
//! - list items under a heading such as "Log messages", and numbered troubleshooting-map
//!   items (`3.1.2 ...`) that read like errors;
//! - inline code or a quoted phrase in a paragraph that speaks of an error or message;
//! - the heading itself when it reads like an error, or its quoted part.
//!
//! Shell lines become the section's diagnostic commands.

use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use regex::Regex;
use serde::{Deserialize, Serialize};
use triage_guide::Guide;

use crate::cue;

/// How a signature was found; earlier variants are stronger evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureOrigin {
    /// An author's ` ```error ` block.
    Annotated,
    /// Text after a bold label such as `**Error message**:`.
    Label,
    /// A line of an output block or the output part of a console block.
    Output,
    /// A list item under a messages heading, or a troubleshooting-map item.
    ListItem,
    /// A blockquote or admonition line.
    Blockquote,
    /// The heading, or its quoted part.
    Heading,
    /// Inline code or a quoted phrase next to an error cue.
    Inline,
    /// An error-like line inside a code block in a programming or config language.
    Code,
}

impl SignatureOrigin {
    /// How much a match on a signature of this origin is worth, relative to an annotated one.
    pub fn weight(self) -> f32 {
        match self {
            SignatureOrigin::Annotated | SignatureOrigin::Label => 1.0,
            SignatureOrigin::Output | SignatureOrigin::Heading => 0.9,
            SignatureOrigin::ListItem | SignatureOrigin::Blockquote | SignatureOrigin::Inline => {
                0.8
            }
            SignatureOrigin::Code => 0.6,
        }
    }
}

/// One signature found in a guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub text: String,
    pub line: u32,
    pub origin: SignatureOrigin,
}

/// What extraction found in one section.
#[derive(Debug, Clone, Default)]
pub(crate) struct SectionFacts {
    pub signatures: Vec<Found>,
    /// Shell commands (prompts stripped) with their lines.
    pub commands: Vec<(String, u32)>,
    /// The text of its code blocks, for lexical matching.
    pub code: String,
}

/// Most signature lines taken from one code block, and longest signature kept.
const MAX_BLOCK_LINES: usize = 24;
const MAX_SIGNATURE_CHARS: usize = 300;

const CODE_LANGUAGES: &[&str] = &[
    "yaml", "yml", "json", "jsonc", "toml", "ini", "python", "py", "js", "javascript", "ts",
    "typescript", "jsx", "tsx", "go", "rust", "rs", "java", "kotlin", "sql", "hcl", "terraform",
    "xml", "html", "dockerfile", "lua", "c", "cpp", "c++", "ruby", "rb", "php", "swift", "groovy",
    "properties", "conf", "nginx", "diff", "makefile", "gradle", "css", "scss", "promql",
    "graphql", "proto", "env", "dotenv", "csharp", "cs", "scala", "elixir", "erlang", "perl", "r",
    "mermaid",
];

const SHELL: &[&str] = &[
    "sh", "bash", "shell", "zsh", "console", "shell-session", "shellsession", "powershell", "ps",
    "ps1", "cmd", "bat", "fish", "terminal",
];

static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[0-9]+(?:\.[0-9]+)+\.?\s+").expect("valid pattern"));
/// Quoted phrases: `"..."`, `“...”`, `‘...’` of 4 to 200 characters, `` `...` `` of 2 to 200.
/// The limits are checked after a match ([`quoted`]): bounded repetitions of these classes
/// cost a great deal to compile.
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""([^"\n]+)"|“([^”\n]+)”|‘([^’\n]+)’|`([^`\n]+)`"#).expect("valid pattern")
});

/// The quoted phrases of `text` within their limits, in order: (which kind, 1 to 4 as the
/// groups of [`QUOTED`], the phrase).
fn quoted(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(caps) = QUOTED.captures_at(text, at) {
        let whole = caps.get(0).expect("group 0 is the match");
        let Some((group, m)) = (1..=4).find_map(|i| caps.get(i).map(|m| (i, m))) else { break };
        let len = m.as_str().chars().count();
        if (if group == 4 { 2 } else { 4 }..=200).contains(&len) {
            found.push((group, m.as_str()));
            at = whole.end();
        } else {
            // The phrase is out of bounds: no quote starts here; look on from the next char.
            at = whole.start() + text[whole.start()..].chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

/// Reads every section's signatures and commands; the result is indexed like
/// `guide.sections()`.
pub(crate) fn extract(guide: &Guide, source: &str) -> Vec<SectionFacts> {
    let mut reader = Reader::new(guide, source);
    reader.read();
    let mut facts = reader.facts;
    for (section, fact) in guide.sections().iter().zip(facts.iter_mut()) {
        if !section.signatures.is_empty() {
            fact.signatures = section
                .signatures
                .iter()
                .map(|s| Found {
                    text: s.text.clone(),
                    line: s.span.line,
                    origin: SignatureOrigin::Annotated,
                })
                .collect();
            continue;
        }
        if section.level > 0 {
            fact.signatures
                .extend(heading_signatures(&section.heading, &section.title, section.span.line));
        }
        dedup(&mut fact.signatures);
    }
    facts
}

/// The heading's quoted parts, else the heading when it reads like an error.
fn heading_signatures(heading: &str, title: &str, line: u32) -> Vec<Found> {
    let mut found = Vec::new();
    for (group, m) in quoted(heading) {
        let text = clean_inline(m);
        let backtick = group == 4;
        if text.split_whitespace().count() >= 2
            || (!backtick && cue::is_error_like(&text))
            || !cue::is_command_like(&text)
        {
            found.push(Found { text, line, origin: SignatureOrigin::Heading });
        }
    }
    let question = title.trim_end().ends_with('?');
    if found.is_empty() && !question && cue::is_error_like(title) {
        found.push(Found { text: title.to_owned(), line, origin: SignatureOrigin::Heading });
    }
    found
}

/// Whether a paragraph only offers another form of the message just given: `Or:`,
/// `or similar:`, `Alternatively:`.
fn is_alternative(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let first = words.first().map(|w| w.trim_end_matches([':', ',']));
    matches!(first, Some("or" | "alternatively"))
        && words.len() <= 4
        && !lower.contains('`')
        && (words.len() == 1 || lower.ends_with(':'))
}

/// Whether a heading names one error (`Error: Request timed out`, `Symptom: "port
/// taken"`) rather than a kind of messages (`Log messages`): its list items are then
/// causes or steps, not messages.
fn names_one_error(title: &str) -> bool {
    title.split_once(':').is_some_and(|(_, rest)| rest.trim().chars().any(char::is_alphanumeric))
        || !quoted(title).is_empty()
}

fn clean_inline(text: &str) -> String {
    text.replace(['`', '*', '\\'], "").trim().to_owned()
}

fn dedup(found: &mut Vec<Found>) {
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| !f.text.trim().is_empty() && seen.insert(f.text.to_lowercase()));
}

/// Inline content being gathered: a paragraph, a tight list item or a table cell.
#[derive(Default)]
struct Inline {
    start: usize,
    text: String,
    codes: Vec<String>,
    label: Option<String>,
    in_label: bool,
    item: bool,
    quote: bool,
    admonition: bool,
}

struct Reader<'a> {
    source: &'a str,
    newlines: Vec<usize>,
    /// (heading line, section index) of every heading, in line order.
    headings: Vec<(u32, usize)>,
    titles: Vec<&'a str>,
    facts: Vec<SectionFacts>,
    inline: Option<Inline>,
    quote_depth: usize,
    admonition_depth: usize,
    item_depth: usize,
    /// The section whose bold error label stood alone: its next code block, paragraph
    /// or list is the error.
    pending_label: Option<usize>,
    /// The section whose error label's message was just read: an `Or:` paragraph after it
    /// brings another.
    label_taken: Option<usize>,
    /// The section where a remedy label (`**Solution:**`) was seen: its plain blocks show
    /// what to run or write, so only their error-like lines are signatures.
    fix_label: Option<usize>,
}

impl<'a> Reader<'a> {
    fn new(guide: &'a Guide, source: &'a str) -> Self {
        let mut headings: Vec<(u32, usize)> = guide
            .sections()
            .iter()
            .filter(|s| s.level > 0)
            .map(|s| (s.span.line, s.id.0))
            .collect();
        headings.sort_unstable();
        Reader {
            source,
            newlines: source.match_indices('\n').map(|(i, _)| i).collect(),
            headings,
            titles: guide.sections().iter().map(|s| s.title.as_str()).collect(),
            facts: vec![SectionFacts::default(); guide.sections().len()],
            inline: None,
            quote_depth: 0,
            admonition_depth: 0,
            item_depth: 0,
            pending_label: None,
            label_taken: None,
            fix_label: None,
        }
    }

    fn line_of(&self, offset: usize) -> u32 {
        u32::try_from(self.newlines.partition_point(|&n| n < offset) + 1).unwrap_or(u32::MAX)
    }

    fn section_at(&self, line: u32) -> usize {
        let at = self.headings.partition_point(|(l, _)| *l <= line);
        if at == 0 { 0 } else { self.headings[at - 1].1 }
    }

    fn read(&mut self) {
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
            | Options::ENABLE_HEADING_ATTRIBUTES
            | Options::ENABLE_GFM;
        let source = self.source;
        let mut code: Option<(usize, String, String)> = None;
        let mut skip = 0usize;
        for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
            if skip > 0 {
                match event {
                    Event::Start(Tag::Heading { .. } | Tag::MetadataBlock(_)) => skip += 1,
                    Event::End(TagEnd::Heading(_) | TagEnd::MetadataBlock(_)) => skip -= 1,
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::Heading { .. } | Tag::MetadataBlock(_)) => {
                    self.flush();
                    self.pending_label = None;
                    self.label_taken = None;
                    self.fix_label = None;
                    skip = 1;
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    self.flush();
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => info_language(&info),
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((range.start, lang, String::new()));
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((start, lang, text)) = code.take() {
                        let fenced = source[start..].starts_with(['`', '~'])
                            || source[start..].trim_start().starts_with(['`', '~']);
                        let line = self.line_of(start) + u32::from(fenced);
                        self.code_block(&lang, &text, line);
                    }
                }
                Event::Text(text) if code.is_some() => {
                    if let Some((_, _, buf)) = code.as_mut() {
                        buf.push_str(&text);
                    }
                }
                Event::Start(Tag::Paragraph | Tag::TableCell) => self.begin(range.start),
                Event::End(TagEnd::Paragraph | TagEnd::TableCell) => self.flush(),
                Event::Start(Tag::Item) => {
                    self.flush();
                    self.item_depth += 1;
                    self.begin(range.start);
                }
                Event::End(TagEnd::Item) => {
                    self.flush();
                    self.item_depth = self.item_depth.saturating_sub(1);
                }
                Event::Start(Tag::List(_)) => self.flush(),
                Event::Start(Tag::BlockQuote(kind)) => {
                    self.flush();
                    self.quote_depth += 1;
                    if kind.is_some() {
                        self.admonition_depth += 1;
                    }
                }
                Event::End(TagEnd::BlockQuote(kind)) => {
                    self.flush();
                    self.quote_depth = self.quote_depth.saturating_sub(1);
                    if kind.is_some() {
                        self.admonition_depth = self.admonition_depth.saturating_sub(1);
                    }
                }
                Event::Start(Tag::Strong) => {
                    let inline = self.inline_mut(range.start);
                    if inline.text.trim().is_empty() && inline.label.is_none() {
                        inline.in_label = true;
                        inline.label = Some(String::new());
                    }
                }
                Event::End(TagEnd::Strong) => {
                    if let Some(inline) = self.inline.as_mut() {
                        inline.in_label = false;
                    }
                }
                Event::Text(text) => self.push_text(range.start, &text),
                Event::Code(text) => {
                    let inline = self.inline_mut(range.start);
                    inline.codes.push(text.to_string());
                    inline.text.push_str(&text);
                    if inline.in_label
                        && let Some(label) = inline.label.as_mut()
                    {
                        label.push_str(&text);
                    }
                }
                Event::SoftBreak | Event::HardBreak => self.push_text(range.start, "\n"),
                _ => {}
            }
        }
        self.flush();
    }

    fn begin(&mut self, start: usize) {
        self.flush();
        self.inline = Some(Inline {
            start,
            item: self.item_depth > 0,
            quote: self.quote_depth > 0,
            admonition: self.admonition_depth > 0,
            ..Inline::default()
        });
    }

    fn inline_mut(&mut self, start: usize) -> &mut Inline {
        if self.inline.is_none() {
            self.begin(start);
        }
        self.inline.get_or_insert_with(Inline::default)
    }

    fn push_text(&mut self, start: usize, text: &str) {
        let inline = self.inline_mut(start);
        inline.text.push_str(text);
        if inline.in_label
            && let Some(label) = inline.label.as_mut()
        {
            label.push_str(text);
        }
    }

    fn push(&mut self, section: usize, text: &str, line: u32, origin: SignatureOrigin) {
        let text = text.trim();
        if text.is_empty() || !text.chars().any(char::is_alphabetic) {
            return;
        }
        // One word (`listen:`) is a key or a name, not a message, unless it is an error code.
        let words = text
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .filter(|w| !w.is_empty())
            .count();
        if words < 2 && !cue::is_error_like(text) {
            return;
        }
        let text: String = text.chars().take(MAX_SIGNATURE_CHARS).collect();
        self.facts[section].signatures.push(Found { text, line, origin });
    }

    fn flush(&mut self) {
        let Some(inline) = self.inline.take() else { return };
        let line = self.line_of(inline.start);
        let section = self.section_at(line);
        let mut text = inline.text.trim().to_owned();
        // Docusaurus/VuePress containers: `:::warning Title` lines are markup, not prose.
        if text.starts_with(":::") {
            text = text.lines().skip(1).collect::<Vec<_>>().join("\n");
        }
        if text.is_empty() {
            return;
        }
        if let Some(label) = inline.label.as_deref().filter(|l| cue::is_error_label(l)) {
            let rest = text.get(label.len()..).unwrap_or("").trim().trim_start_matches(':').trim();
            let codes: Vec<&String> =
                inline.codes.iter().filter(|c| !label.contains(c.as_str())).collect();
            self.pending_label = None;
            self.label_taken = Some(section);
            self.fix_label = None;
            if !codes.is_empty() {
                for c in codes {
                    self.push(section, c, line, SignatureOrigin::Label);
                }
            } else if !rest.is_empty() {
                let rest = rest.to_owned();
                self.push(section, &rest, line, SignatureOrigin::Label);
            } else {
                self.pending_label = Some(section);
                self.label_taken = None;
            }
            return;
        }
        if self.pending_label == Some(section) && !inline.quote {
            // What a standalone label announces: the codes of a paragraph or list item made
            // of them, else its first line. Items of a list all belong to the label.
            let bare = inline.codes.iter().fold(text.clone(), |t, c| t.replacen(c.as_str(), "", 1));
            if !inline.codes.is_empty() && !bare.chars().any(char::is_alphanumeric) {
                for code in &inline.codes {
                    self.push(section, code, line, SignatureOrigin::Label);
                }
            } else {
                let first = text.lines().next().unwrap_or("").to_owned();
                self.push(section, &first, line, SignatureOrigin::Label);
            }
            if !inline.item {
                self.pending_label = None;
                self.label_taken = Some(section);
            }
            return;
        }
        if self.label_taken == Some(section) && is_alternative(&text) {
            self.pending_label = Some(section);
            self.label_taken = None;
            return;
        }
        self.pending_label = None;
        self.label_taken = None;
        if inline.label.as_deref().is_some_and(cue::is_fix_label) {
            self.fix_label = Some(section);
        }
        if inline.quote {
            let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            let short = !inline.admonition && lines.len() <= 3;
            for (i, l) in lines.iter().enumerate() {
                if cue::is_error_like(l) || (short && l.split_whitespace().count() >= 2) {
                    self.push(section, l, line + i as u32, SignatureOrigin::Blockquote);
                }
            }
        }
        if inline.item {
            let first = text.lines().next().unwrap_or("").trim();
            let numbered = NUMBERED.is_match(first) && cue::is_error_like(first);
            let title = self.titles[section];
            if numbered
                || (cue::is_message_heading(title)
                    && !names_one_error(title)
                    && first.split_whitespace().count() >= 2)
            {
                let item = NUMBERED.replace(first, "").into_owned();
                self.push(section, &item, line, SignatureOrigin::ListItem);
            }
        }
        if cue::mentions_message(&text) {
            for code in &inline.codes {
                let message = code.split_whitespace().count() >= 2 || cue::is_error_like(code);
                if message && !cue::is_command_like(code) {
                    self.push(section, code, line, SignatureOrigin::Inline);
                }
            }
            for (group, m) in quoted(&text) {
                if group <= 3 && m.split_whitespace().count() >= 2 {
                    self.push(section, m, line, SignatureOrigin::Inline);
                }
            }
        }
    }

    fn code_block(&mut self, lang: &str, text: &str, first_line: u32) {
        let section = self.section_at(first_line.saturating_sub(1).max(1));
        let facts = &mut self.facts[section];
        facts.code.push_str(text);
        facts.code.push('\n');
        let lines: Vec<(u32, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (first_line + i as u32, l.trim_end()))
            .filter(|(_, l)| !l.trim().is_empty())
            .collect();
        self.label_taken = None;
        if self.pending_label.take() == Some(section) {
            for (line, l) in lines.iter().take(MAX_BLOCK_LINES) {
                self.push(section, l, *line, SignatureOrigin::Label);
            }
            self.label_taken = Some(section);
            return;
        }
        let fix = self.fix_label == Some(section);
        let shell = SHELL.contains(&lang);
        let script = cue::is_script(lang, shell);
        let prompts = lines.iter().any(|(_, l)| cue::block_prompt(l, script).is_some());
        if shell || prompts {
            let mut taken = 0;
            for (line, l) in &lines {
                if let Some(command) = cue::block_prompt(l, script) {
                    self.facts[section].commands.push((command.to_owned(), *line));
                } else if script && l.trim_start().starts_with('#') {
                    // A comment of a script, even one that shows prompts and output.
                } else if prompts || lang == "console" {
                    // Output of a console block (under a remedy, only its errors).
                    let shown = !fix || cue::is_error_like(l);
                    if taken < MAX_BLOCK_LINES && shown {
                        taken += 1;
                        self.push(section, l, *line, SignatureOrigin::Output);
                    }
                } else if !l.trim_start().starts_with('#') {
                    self.facts[section].commands.push((l.trim().to_owned(), *line));
                }
            }
            return;
        }
        let code = CODE_LANGUAGES.contains(&lang) || fix;
        for (line, l) in lines.iter().take(if code { usize::MAX } else { MAX_BLOCK_LINES }) {
            if !code {
                self.push(section, l, *line, SignatureOrigin::Output);
            } else if cue::is_error_like(l) && l.split_whitespace().count() >= 2 {
                self.push(section, l, *line, SignatureOrigin::Code);
            }
        }
    }
}

/// The language of a fence info string: its first word, lowercased, without attributes.
fn info_language(info: &str) -> String {
    info.split(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .next()
        .unwrap_or("")
        .trim_start_matches('.')
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use triage_guide::{LoadOptions, parse};

    use super::*;

    fn found(source: &str) -> Vec<(String, String, SignatureOrigin)> {
        let guide = parse(Path::new("g.md"), source, &LoadOptions::default()).guide;
        extract(&guide, source)
            .into_iter()
            .zip(guide.sections())
            .flat_map(|(f, s)| {
                f.signatures.into_iter().map(move |g| (s.title.clone(), g.text, g.origin))
            })
            .collect()
    }

    fn has(
        all: &[(String, String, SignatureOrigin)],
        section: &str,
        text: &str,
        origin: SignatureOrigin,
    ) {
        assert!(
            all.iter().any(|(s, t, o)| s == section && t == text && *o == origin),
            "{section} / {text} / {origin:?} not in {all:#?}"
        );
    }

    #[test]
    fn output_blocks_and_symptom_headings() {
        let all = found(
            "# G\n\n## Symptom: \"port taken\"\n\n```\nError: listen tcp :8080: bind: address already in use\n```\n\n\
             **Solution:**\n```bash\nsudo lsof -i :8080\n```\n",
        );
        has(
            &all,
            "Symptom: \"port taken\"",
            "Error: listen tcp :8080: bind: address already in use",
            SignatureOrigin::Output,
        );
        has(&all, "Symptom: \"port taken\"", "port taken", SignatureOrigin::Heading);
        assert!(!all.iter().any(|(_, t, _)| t.contains("lsof")));
    }

    #[test]
    fn labels_quotes_items_and_inline_code() {
        let all = found(
            "# G\n\n## Pool\n\n**Error message**: `FATAL: sorry, too many clients already`\n\n\
             ## Store\n\n**Symptom**:\n\n```text\nstore unavailable\n```\n\n\
             ## Quote\n\n> upstream timed out while reading\n\n\
             ## Log messages\n\n- queue is full, dropping batch\n- short\n\n\
             ## Map\n\n1. Boot\n   - 3.1.2 kernel panic on boot\n\n\
             ## Inline\n\nIf you see the error `cannot open shared object` run `ldd -v x`.\n",
        );
        has(&all, "Pool", "FATAL: sorry, too many clients already", SignatureOrigin::Label);
        has(&all, "Store", "store unavailable", SignatureOrigin::Label);
        has(&all, "Quote", "upstream timed out while reading", SignatureOrigin::Blockquote);
        has(&all, "Log messages", "queue is full, dropping batch", SignatureOrigin::ListItem);
        has(&all, "Map", "kernel panic on boot", SignatureOrigin::ListItem);
        has(&all, "Inline", "cannot open shared object", SignatureOrigin::Inline);
        assert!(!all.iter().any(|(_, t, _)| t.contains("ldd")));
    }

    #[test]
    fn a_standalone_label_announces_the_next_paragraph_and_its_alternatives() {
        let all = found(
            "# G\n\n## Error: Query timed out\n\n**Error message:**\n\n\
             `query timed out, narrow the time range`\n\nOr:\n\n`context deadline exceeded`\n\n\
             **Cause:**\n\nThe query ran past its limit:\n\n- Large time ranges\n- Slow disks\n\n\
             **Solution:**\n\n```\n{namespace=\"prod\"}\n```\n\n\
             ## Log messages\n\n- worker queue is full\n",
        );
        let section = "Error: Query timed out";
        has(&all, section, "query timed out, narrow the time range", SignatureOrigin::Label);
        has(&all, section, "context deadline exceeded", SignatureOrigin::Label);
        // The causes listed under a heading that is one error are not messages, and a
        // remedy's plain block is what to write, not what was seen.
        for text in ["Large time ranges", "Slow disks", "{namespace=\"prod\"}"] {
            assert!(!all.iter().any(|(_, t, _)| t == text), "{text} taken: {all:#?}");
        }
        has(&all, "Log messages", "worker queue is full", SignatureOrigin::ListItem);
    }

    #[test]
    fn a_standalone_label_takes_every_item_of_its_list() {
        let all = found(
            "# G\n\n## Sync fails\n\n**Error messages:**\n\n- `repository not found`\n\
             - `authentication required`\n\nThe token lacks read access.\n\n- not an error\n",
        );
        has(&all, "Sync fails", "repository not found", SignatureOrigin::Label);
        has(&all, "Sync fails", "authentication required", SignatureOrigin::Label);
        assert!(!all.iter().any(|(_, t, _)| t == "not an error"), "{all:#?}");
    }

    #[test]
    fn comments_in_scripts_are_not_prompts() {
        let source = "# G\n\n## Script\n\n```bash\n# Look at the unit\nsystemctl status nginx\n\
                      journalctl -u nginx -n 50\n```\n\n## Session\n\n```console\n\
                      # systemctl restart nginx\nJob for nginx.service failed\n```\n";
        let guide = parse(Path::new("g.md"), source, &LoadOptions::default()).guide;
        let facts = extract(&guide, source);
        let at = |t: &str| guide.sections().iter().position(|s| s.title == t).unwrap();
        let script = &facts[at("Script")];
        assert_eq!(
            script.commands,
            [("systemctl status nginx".to_owned(), 7), ("journalctl -u nginx -n 50".to_owned(), 8)]
        );
        assert!(script.signatures.is_empty(), "{:?}", script.signatures);
        // A script that shows prompts and output: its comments are neither.
        let source = "# G\n\n## Mixed\n\n```bash\n# If this fails, restart the service\n\
                      $ systemctl status nginx\nJob for nginx.service failed\n```\n";
        let guide = parse(Path::new("g.md"), source, &LoadOptions::default()).guide;
        let mixed = guide.sections().iter().position(|s| s.title == "Mixed").unwrap();
        let mixed = &extract(&guide, source)[mixed];
        assert_eq!(mixed.commands, [("systemctl status nginx".to_owned(), 7)]);
        let texts: Vec<&str> = mixed.signatures.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["Job for nginx.service failed"]);
        // In a transcript `#` is a root prompt and what follows is output.
        let session = &facts[at("Session")];
        assert_eq!(session.commands, [("systemctl restart nginx".to_owned(), 14)]);
        assert_eq!(session.signatures[0].text, "Job for nginx.service failed");
    }

    #[test]
    fn console_blocks_split_commands_from_output_and_tilde_fences_work() {
        let source = "# G\n\n## Dirty\n\n~~~console\n$ migrate up\nerror: Dirty database version 3\n~~~\n\n\
                      ## Fence\n\n````\n```\n^^^ caret marks it\n```\n````\n";
        let guide = parse(Path::new("g.md"), source, &LoadOptions::default()).guide;
        let facts = extract(&guide, source);
        let dirty = guide.sections().iter().position(|s| s.title == "Dirty").unwrap();
        assert_eq!(facts[dirty].commands, [("migrate up".to_owned(), 6)]);
        assert_eq!(facts[dirty].signatures[0].text, "error: Dirty database version 3");
        assert_eq!(facts[dirty].signatures[0].line, 7);
        let fence = guide.sections().iter().position(|s| s.title == "Fence").unwrap();
        assert!(facts[fence].signatures.iter().any(|s| s.text == "^^^ caret marks it"));
    }

    #[test]
    fn annotated_blocks_win() {
        let all = found(
            "# G\n\n## S \"quoted heading\"\n\n```error\nboom <port>\n```\n\n```\nother output\n```\n",
        );
        assert_eq!(all.len(), 1, "{all:?}");
        has(&all, "S \"quoted heading\"", "boom <port>", SignatureOrigin::Annotated);
    }

    #[test]
    fn questions_and_plain_headings() {
        let all = found(
            "# G\n\n## Why do I get \"no such host\" errors?\n\ntext\n\n## Connection refused\n\n## Installing\n",
        );
        has(
            &all,
            "Why do I get \"no such host\" errors?",
            "no such host",
            SignatureOrigin::Heading,
        );
        has(&all, "Connection refused", "Connection refused", SignatureOrigin::Heading);
        assert!(!all.iter().any(|(s, _, _)| s == "Installing"));
    }
}

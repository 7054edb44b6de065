//! The reading stage: Markdown events into sections, blocks and diagnostics.
//!
//! One pass over `pulldown-cmark`'s events with source offsets. Headings at the top level
//! (not inside lists or quotes) open sections; fenced `check` and `error` blocks become
//! checks and signatures wherever they are; prose is collected per top-level block so bold
//! label paragraphs can start cause and fix parts.

use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_yaml_ng::Value as Yaml;
use triage_core::{Diagnostic, Span};

use crate::attributes::{InfoString, block_tags, is_ignored};
use crate::block::{CheckBlock, CodeBlock, Origin, PARALLEL_CHECK_BYTES, Signature};
use crate::front_matter;
use crate::guide::{Guide, Parsed};
use crate::heading;
use crate::lines::LineIndex;
use crate::options::LoadOptions;
use crate::part;
use crate::prose::Prose;
use crate::section::{Item, Label, Section, SectionId};
use crate::vars::{Expansion, Vars};
use crate::yaml::clean_message;

/// Reads one guide; never fails, never panics.
pub(crate) fn read(path: &Path, source: &str, options: &LoadOptions) -> Parsed {
    let mut diagnostics = Vec::new();
    let split = front_matter::split(path, source, &mut diagnostics);
    let front = split.front_matter;
    let vars = Vars::resolve(&front.vars, options);
    let mut reader = Reader {
        path,
        source,
        lines: LineIndex::new(source),
        vars: &vars,
        declares_vars: front.declares_vars,
        diagnostics,
        sections: vec![Section::new(SectionId(0), None, 0, Span::new(1, 1, 0))],
        open: Vec::new(),
        nesting: 0,
        prose: Prose::default(),
        top: None,
        heading: None,
        code: None,
        pending: Vec::new(),
    };
    reader.walk(split.body_start);
    reader.parse_checks();
    let Reader { mut sections, diagnostics, .. } = reader;
    for section in &mut sections {
        section.text = section
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Prose { text, .. } if !text.is_empty() => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n\n");
    }
    let expand = |text: String| vars.expand(&text, false).text;
    let title = front
        .title
        .map(expand)
        .or_else(|| sections.iter().find(|s| s.level == 1).map(|s| s.title.clone()));
    let guide = Guide {
        path: path.to_path_buf(),
        title,
        service: front.service.map(expand),
        tags: front.tags,
        vars: vars.values().clone(),
        metadata: match front.metadata {
            serde_json::Value::Null => serde_json::Value::Object(serde_json::Map::new()),
            metadata => metadata,
        },
        sections,
    };
    Parsed { guide, diagnostics }
}

struct Reader<'a> {
    path: &'a Path,
    source: &'a str,
    /// Line starts of `source`, for spans.
    lines: LineIndex,
    vars: &'a Vars,
    /// Undefined variables in prose are only worth a warning when the guide uses `vars:`.
    declares_vars: bool,
    diagnostics: Vec<Diagnostic>,
    sections: Vec<Section>,
    /// The headings open above the current position.
    open: Vec<SectionId>,
    /// How many block elements are open (0: at the top level).
    nesting: usize,
    prose: Prose,
    top: Option<TopBlock>,
    heading: Option<HeadingCapture>,
    code: Option<CodeCapture>,
    /// Check blocks whose YAML is parsed after the walk, see [`Reader::parse_checks`].
    pending: Vec<PendingCheck>,
}

/// A check block read but not parsed yet: where it goes and how its text maps back to the
/// file, for the position of a YAML error.
struct PendingCheck {
    section: usize,
    check: usize,
    code: CodeCapture,
    expansion: Expansion,
}

/// The top-level block (paragraph, list, quote, table...) being read.
struct TopBlock {
    range: Range<usize>,
    paragraph: bool,
    /// Still at the first inline of a paragraph (where a label's `**` can start).
    at_first_inline: bool,
    strong_open: bool,
    /// Where the leading bold text ends in the rendered paragraph.
    strong_end: Option<usize>,
    /// Code blocks and inline code inside: interpolated but never warned about.
    quiet: Vec<Range<usize>>,
}

struct HeadingCapture {
    level: u8,
    range: Range<usize>,
    text: String,
    quiet: Vec<Range<usize>>,
}

struct CodeCapture {
    fenced: Option<String>,
    range: Range<usize>,
    content: String,
    /// `(content offset, source offset)` of each text piece: code lines lose container
    /// indentation, so content offsets map to the file piecewise.
    chunks: Vec<(usize, usize)>,
}

impl CodeCapture {
    fn source_offset(&self, offset: usize) -> usize {
        let index = self.chunks.partition_point(|&(content, _)| content <= offset);
        match index.checked_sub(1).map(|i| self.chunks[i]) {
            Some((content, source)) => source + (offset - content),
            None => self.range.start,
        }
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::CodeBlock(_)
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::CodeBlock
    )
}

impl Reader<'_> {
    fn walk(&mut self, body_start: usize) {
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_FOOTNOTES;
        let body = &self.source[body_start..];
        for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
            let range = range.start + body_start..range.end + body_start;
            self.event(event, range);
        }
    }

    fn current(&mut self) -> &mut Section {
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(text) => {
                    code.chunks.push((code.content.len(), range.start));
                    code.content.push_str(&text);
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some(code) = self.code.take() {
                        self.finish_code(code);
                    }
                }
                _ => {}
            }
            return;
        }
        if let Some(heading) = &mut self.heading {
            match event {
                Event::Text(text) => heading.text.push_str(&text),
                Event::Code(code) => {
                    heading.text.push_str(&code);
                    heading.quiet.push(range);
                }
                Event::SoftBreak | Event::HardBreak => heading.text.push(' '),
                Event::End(TagEnd::Heading(_)) => {
                    if let Some(heading) = self.heading.take() {
                        self.finish_heading(heading);
                    }
                }
                _ => {}
            }
            return;
        }
        match &event {
            Event::Start(Tag::Heading { level, .. }) if self.nesting == 0 => {
                self.heading = Some(HeadingCapture {
                    level: *level as u8,
                    range,
                    text: String::new(),
                    quiet: Vec::new(),
                });
                return;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                if let Some(top) = &mut self.top {
                    top.quiet.push(range.clone());
                    self.flush_prose(None);
                }
                let fenced = match kind {
                    CodeBlockKind::Fenced(info) => Some(info.to_string()),
                    CodeBlockKind::Indented => None,
                };
                self.code =
                    Some(CodeCapture { fenced, range, content: String::new(), chunks: Vec::new() });
                return;
            }
            Event::Start(tag) if is_block(tag) => {
                if self.nesting == 0 {
                    self.top = Some(TopBlock {
                        range: range.clone(),
                        paragraph: matches!(tag, Tag::Paragraph),
                        at_first_inline: true,
                        strong_open: false,
                        strong_end: None,
                        quiet: Vec::new(),
                    });
                }
                self.nesting += 1;
            }
            _ => {}
        }
        if let Some(top) = &mut self.top {
            if top.paragraph && self.nesting == 1 {
                match &event {
                    Event::Start(Tag::Strong) if top.at_first_inline => top.strong_open = true,
                    Event::End(TagEnd::Strong) if top.strong_open => {
                        top.strong_open = false;
                        top.strong_end = Some(self.prose.current().len());
                    }
                    Event::Start(Tag::Paragraph) => {}
                    _ => {}
                }
                if !matches!(event, Event::Start(Tag::Paragraph)) {
                    top.at_first_inline = false;
                }
            }
            if matches!(event, Event::Code(_)) {
                top.quiet.push(range.clone());
            }
        }
        if let Event::End(tag) = &event
            && is_block_end(tag)
        {
            self.nesting = self.nesting.saturating_sub(1);
            if self.nesting == 0 {
                let label = self.label();
                self.prose.push(&event);
                self.flush_prose(label);
                if let Some(top) = self.top.take() {
                    self.warn_undefined(top.range, &top.quiet);
                }
                return;
            }
        }
        self.prose.push(&event);
    }

    /// The label of the top-level paragraph just ended, if it is one.
    fn label(&self) -> Option<Label> {
        let top = self.top.as_ref()?;
        let end = top.strong_end?;
        let rendered = self.prose.current();
        let strong = rendered.get(..end)?.trim();
        let rest = rendered.get(end..)?.trim();
        let is_label = strong.contains(':') || rest.starts_with(':') || rest.is_empty();
        if !is_label || strong.is_empty() {
            return None;
        }
        let name = strong.trim_end_matches(':').trim_end();
        let part = part::of_label(name)?;
        let remainder = if name.contains(':') {
            rendered.trim().to_owned()
        } else {
            rest.strip_prefix(':').unwrap_or(rest).trim().to_owned()
        };
        let remainder = self.vars.expand(&remainder, false).text;
        Some(Label { part, remainder })
    }

    /// Turns the prose collected so far into an item of the current section.
    fn flush_prose(&mut self, label: Option<Label>) {
        if self.prose.is_blank() {
            self.prose.take();
            return;
        }
        let text = self.prose.take();
        let text = self.vars.expand(&text, false).text;
        self.current().items.push(Item::Prose { text, label });
    }

    /// Warns about undefined variables in prose or a heading, outside `quiet` ranges.
    fn warn_undefined(&mut self, range: Range<usize>, quiet: &[Range<usize>]) {
        if !self.declares_vars {
            return;
        }
        let mut at = range.start;
        let mut pieces = Vec::new();
        for q in quiet {
            if q.start > at {
                pieces.push(at..q.start.min(range.end));
            }
            at = at.max(q.end);
        }
        if at < range.end {
            pieces.push(at..range.end);
        }
        for piece in pieces {
            let Some(text) = self.source.get(piece.clone()) else { continue };
            for reference in self.vars.expand(text, false).undefined {
                let span =
                    self.lines.span(self.source, piece.start + reference.start, reference.len);
                let message = format!("undefined variable `{}` (left as written)", reference.name);
                self.diagnostics
                    .push(Diagnostic::warning(self.path, span, message).with_source(self.source));
            }
        }
    }

    fn finish_heading(&mut self, capture: HeadingCapture) {
        let written = self.source.get(capture.range.clone()).unwrap_or("");
        let heading = self.vars.expand(&heading::as_written(written), false).text;
        let title = self.vars.expand(&heading::title(&capture.text), false).text;
        let first_line = written.lines().next().unwrap_or("").trim_end();
        let span = self.lines.span(self.source, capture.range.start, first_line.len());
        while let Some(&top) = self.open.last() {
            if self.sections[top.0].level >= capture.level {
                self.open.pop();
            } else {
                break;
            }
        }
        let parent = self.open.last().copied().unwrap_or(SectionId(0));
        let id = SectionId(self.sections.len());
        let mut section = Section::new(id, Some(parent), capture.level, span);
        section.heading = heading;
        section.title = title;
        self.sections[parent.0].children.push(id);
        self.sections.push(section);
        self.open.push(id);
        self.warn_undefined(capture.range, &capture.quiet);
    }

    fn finish_code(&mut self, code: CodeCapture) {
        let start = code.range.start;
        let line = self.source[start..].lines().next().unwrap_or("").trim_end();
        let span = self.lines.span(self.source, start, line.len());
        let (info, content_line) = match &code.fenced {
            Some(info) => (raw_info(line).unwrap_or(info).to_owned(), span.line + 1),
            None => (String::new(), span.line),
        };
        let info = InfoString::parse(&info);
        if code.fenced.is_some() && info.language.eq_ignore_ascii_case("check") {
            self.finish_check(code, span, content_line, info);
        } else if code.fenced.is_some() && info.language.eq_ignore_ascii_case("error") {
            self.finish_error(&code);
        } else {
            let content = self.vars.expand(&code.content, false).text;
            let block = CodeBlock {
                ignored: is_ignored(&info.language, &info.attributes),
                tags: block_tags(&info.attributes),
                lang: info.language,
                attributes: info.attributes,
                format: info.format,
                content,
                span,
                content_line,
            };
            let section = self.current();
            section.blocks.push(block);
            let index = section.blocks.len() - 1;
            section.items.push(Item::Code(index));
        }
    }

    /// Errors for references a check or error block could not resolve.
    fn report_unresolved(&mut self, code: &CodeCapture, expansion: &Expansion) {
        let undefined =
            expansion.undefined.iter().map(|r| (r, format!("undefined variable `{}`", r.name)));
        let multiline = expansion.multiline.iter().map(|r| {
            (r, format!("variable `{}` holds a line break, which this block cannot take", r.name))
        });
        let found: Vec<_> = undefined.chain(multiline).collect();
        for (reference, message) in found {
            let at = code.source_offset(reference.start);
            let span = self.lines.span(self.source, at, reference.len);
            self.diagnostics
                .push(Diagnostic::error(self.path, span, message).with_source(self.source));
        }
    }

    fn finish_check(&mut self, code: CodeCapture, span: Span, content_line: u32, info: InfoString) {
        let expansion = self.vars.expand(&code.content, true);
        self.report_unresolved(&code, &expansion);
        let check = CheckBlock {
            span,
            content_line,
            // Filled in by `parse_checks`, with the name and the YAML.
            source: String::new(),
            attributes: info.attributes,
            name: None,
            yaml: None,
        };
        let section = self.sections.len() - 1;
        self.current().checks.push(check);
        let check = self.current().checks.len() - 1;
        self.pending.push(PendingCheck { section, check, code, expansion });
    }

    /// Parses the YAML of every check block read, on all cores for a guide with many, and
    /// reports invalid YAML at its place in the file. Diagnostics stay in file order.
    fn parse_checks(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let parsed = triage_core::parallel::in_shares(
            &pending,
            |p| p.expansion.text.len(),
            PARALLEL_CHECK_BYTES,
            |share| {
                share
                    .iter()
                    .map(|p| serde_yaml_ng::from_str::<Yaml>(&p.expansion.text))
                    .collect::<Vec<_>>()
            },
        );
        let mut invalid = false;
        for (p, result) in pending.into_iter().zip(parsed.into_iter().flatten()) {
            let yaml = match result {
                Ok(value) => Some(value),
                Err(error) => {
                    let text = &p.expansion.text;
                    let offset =
                        error.location().map_or(0, |at| offset_of(text, at.line(), at.column()));
                    let at = p.code.source_offset(p.expansion.input_offset(offset));
                    let message = format!("invalid check block: {}", clean_message(&error));
                    let span = self.lines.span(self.source, at, 1);
                    let diagnostic = Diagnostic::error(self.path, span, message);
                    self.diagnostics.push(diagnostic.with_source(self.source));
                    invalid = true;
                    None
                }
            };
            let check = &mut self.sections[p.section].checks[p.check];
            check.name = yaml.as_ref().and_then(|v| v.get("name")?.as_str().map(str::to_owned));
            check.yaml = yaml;
            check.source = p.expansion.text;
        }
        if invalid {
            // Stable: what the walk reported on one line keeps its order.
            self.diagnostics.sort_by_key(|d| (d.span.line, d.span.col));
        }
    }

    fn finish_error(&mut self, code: &CodeCapture) {
        let expansion = self.vars.expand(&code.content, true);
        self.report_unresolved(code, &expansion);
        let mut signatures = Vec::new();
        let mut offset = 0;
        for line in expansion.text.split_inclusive('\n') {
            let line_start = offset;
            offset += line.len();
            let text = line.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let lead = line_start + (line.len() - line.trim_start().len());
            let start = code.source_offset(expansion.input_offset(lead));
            let end = code.source_offset(expansion.input_offset(lead + text.len()));
            let span = self.lines.span(self.source, start, end.saturating_sub(start));
            signatures.push(Signature { text: text.to_owned(), span, origin: Origin::Annotated });
        }
        self.current().signatures.extend(signatures);
    }
}

/// The info string as written on the fence line (pulldown-cmark has already processed
/// backslash escapes in its copy; Runme reads the raw text).
fn raw_info(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let fence = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    Some(line.trim_start_matches(fence).trim())
}

/// The byte offset of 1-based `line`, `column` (in characters) of `text`, clamped.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    start
        + rest[..line_len].char_indices().nth(column.saturating_sub(1)).map_or(line_len, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn parse(source: &str) -> Parsed {
        read(Path::new("g.md"), source, &LoadOptions::default())
    }

    fn rendered(parsed: &Parsed) -> Vec<String> {
        parsed.diagnostics.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn heading_tree_with_atx_and_setext() {
        let parsed = parse("intro\n\n# Top\n\n## A ##\n\ntext a\n\n#### Deep\n\nB\n-\n\n# Other\n");
        let g = &parsed.guide;
        let titles: Vec<_> = g.sections().iter().map(|s| (s.level, s.title.as_str())).collect();
        assert_eq!(titles, [(0, ""), (1, "Top"), (2, "A"), (4, "Deep"), (2, "B"), (1, "Other")]);
        assert_eq!(g.sections()[0].text, "intro");
        assert_eq!(g.sections()[3].parent, Some(SectionId(2)));
        assert_eq!(g.sections()[4].parent, Some(SectionId(1)));
        assert_eq!(g.sections()[1].children, [SectionId(2), SectionId(4)]);
        assert_eq!(g.sections()[2].text, "text a");
        assert_eq!(g.sections()[2].span, Span::new(5, 1, 7));
        assert_eq!(g.breadcrumb(SectionId(3)), ["Top", "A", "Deep"]);
        assert_eq!(g.title.as_deref(), Some("Top"));
    }

    #[test]
    fn hashes_in_fences_comments_and_front_matter_are_not_headings() {
        let parsed = parse(
            "---\ntitle: T\n# not a heading: YAML comment\n---\n```sh\n# comment\n```\n\n<!--\n# hidden\n-->\n\n~~~~\n# tilde\n~~~~\n\n> # quoted\n\n- # in a list\n",
        );
        assert_eq!(parsed.guide.sections().len(), 1, "{:?}", parsed.guide.sections());
        assert_eq!(parsed.guide.title.as_deref(), Some("T"));
        assert!(parsed.guide.sections()[0].text.contains("quoted"));
    }

    #[test]
    fn heading_keeps_markup_and_title_drops_it() {
        let parsed = parse("## Fix `bind()` *now* <Badge>new</Badge> \\# {#fix}\n");
        let s = &parsed.guide.sections()[1];
        assert_eq!(s.heading, "Fix `bind()` *now* <Badge>new</Badge> \\# {#fix}");
        assert_eq!(s.title, "Fix bind() now new #");
    }

    #[test]
    fn check_blocks_keep_yaml_with_exact_lines() {
        let source =
            "# G\n\n- item\n\n  ```check { name=attr }\n  name: api up\n  kind: http\n  ```\n";
        let parsed = parse(source);
        assert!(parsed.diagnostics.is_empty(), "{:?}", rendered(&parsed));
        let (section, check) = parsed.guide.checks().next().unwrap();
        assert_eq!(section.title, "G");
        assert_eq!(check.span, Span::new(5, 3, 22));
        assert_eq!(check.content_line, 6);
        assert_eq!(check.source, "name: api up\nkind: http\n");
        assert_eq!(check.name.as_deref(), Some("api up"));
        assert_eq!(check.attributes["name"], "attr");
    }

    #[test]
    fn yaml_errors_in_check_blocks_point_into_the_file() {
        let source = "# G\n\n```check\nname: x\n  bad: [\n```\n";
        let parsed = parse(source);
        assert_eq!(parsed.diagnostics.len(), 1);
        let d = &parsed.diagnostics[0];
        assert!(d.message.starts_with("invalid check block: "), "{}", d.message);
        assert_eq!(d.span.line, 5);
        assert_eq!(parsed.guide.sections()[1].checks.len(), 1);
    }

    #[test]
    fn many_check_blocks_parse_in_order_with_errors_in_place() {
        // Past PARALLEL_CHECK_BYTES, so the blocks are parsed on several threads.
        let mut source = String::from("# G\n\nundefined ${NOPE} in prose\n");
        let mut bad_lines = Vec::new();
        for i in 0..1500 {
            source.push_str(&format!("\n## S{i}\n\n```check\nname: check {i}\nkind: env\n"));
            if i % 500 == 7 {
                bad_lines.push(source.lines().count() as u32 + 1);
                source.push_str("variable: [x\n");
            }
            source.push_str("```\n");
        }
        let parsed = parse(&source);
        let checks: Vec<_> = parsed.guide.checks().collect();
        assert_eq!(checks.len(), 1500);
        let yaml: usize = checks.iter().map(|(_, c)| c.source.len()).sum();
        assert!(yaml > PARALLEL_CHECK_BYTES * 2, "{yaml}");
        for (i, (section, check)) in checks.iter().enumerate() {
            assert_eq!(section.title, format!("S{i}"));
            assert!(check.source.starts_with(&format!("name: check {i}\n")), "{}", check.source);
            let valid = i % 500 != 7;
            assert_eq!(check.yaml.is_some(), valid, "check {i}");
            assert_eq!(check.name.is_some(), valid, "check {i}");
        }
        let lines: Vec<u32> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.message.starts_with("invalid check block: "))
            .map(|d| d.span.line)
            .collect();
        assert_eq!(lines.len(), bad_lines.len());
        // Each error sits on or just after its bad line, and they come in file order.
        for (line, bad) in lines.iter().zip(&bad_lines) {
            assert!((*bad..=bad + 1).contains(line), "{line} vs {bad}");
        }
        let all: Vec<u32> = parsed.diagnostics.iter().map(|d| d.span.line).collect();
        assert!(all.windows(2).all(|w| w[0] <= w[1]), "{all:?}");
    }

    #[test]
    fn yaml_error_columns_account_for_indentation_and_variables() {
        let options = LoadOptions {
            overrides: BTreeMap::from([("LONG".to_owned(), "a-much-longer-value".to_owned())]),
            ..LoadOptions::default()
        };
        let source = "- x\n\n  ```check\n  a: ${LONG} b: c\n  ```\n";
        let parsed = read(Path::new("g.md"), source, &options);
        let d = &parsed.diagnostics[0];
        // The error is at `:` after `b`, which the file has at column 15.
        assert_eq!((d.span.line, d.span.col), (4, 15), "{d}");
    }

    #[test]
    fn undefined_variables_in_checks_are_errors_and_kept() {
        let source = "# G\n\n```check\nkind: tcp\nport: ${PORT}\n```\n";
        let parsed = parse(source);
        assert_eq!(
            rendered(&parsed),
            [
                "error: undefined variable `PORT`\n  --> g.md:5:7\n  |\n5 | port: ${PORT}\n  |       ^^^^^^^"
            ]
        );
        assert_eq!(parsed.guide.sections()[1].checks[0].source, "kind: tcp\nport: ${PORT}\n");
    }

    #[test]
    fn error_blocks_give_one_signature_per_line() {
        let source = "## S\n\n```error\n# a comment\n\n  listen tcp :<port>: bind: address already in use  \nFATAL: sorry, too many clients already\n```\n";
        let parsed = parse(source);
        let sigs = &parsed.guide.sections()[1].signatures;
        assert_eq!(sigs.len(), 2);
        assert_eq!(sigs[0].text, "listen tcp :<port>: bind: address already in use");
        assert_eq!(sigs[0].span, Span::new(6, 3, 48));
        assert_eq!(sigs[0].origin, Origin::Annotated);
        assert_eq!(sigs[1].span, Span::new(7, 1, 38));
    }

    #[test]
    fn error_signature_spans_cover_the_text_as_written() {
        let options = LoadOptions {
            overrides: BTreeMap::from([("P".to_owned(), "8080".to_owned())]),
            ..LoadOptions::default()
        };
        let parsed = read(Path::new("g.md"), "```error\nport ${P} busy\n```\n", &options);
        let sig = &parsed.guide.sections()[0].signatures[0];
        assert_eq!(sig.text, "port 8080 busy");
        assert_eq!(sig.span, Span::new(2, 1, 14));
    }

    #[test]
    fn code_blocks_keep_runme_attributes() {
        let source = "```sh { name=restart confirm=true timeout=30s category=ops }\nsystemctl restart ${SVC} $HOME\n```\n\n    indented\n\n```mermaid\ngraph\n```\n";
        let parsed = parse(source);
        assert!(parsed.diagnostics.is_empty());
        let blocks = &parsed.guide.sections()[0].blocks;
        assert_eq!(blocks[0].lang, "sh");
        assert_eq!(blocks[0].attributes["timeout"], "30s");
        assert_eq!(blocks[0].format, crate::AttributeFormat::Html);
        assert_eq!(blocks[0].content, "systemctl restart ${SVC} $HOME\n");
        assert_eq!(blocks[0].content_line, 2);
        assert_eq!(blocks[0].tags, ["ops"]);
        assert!(blocks[0].is_shell() && !blocks[0].ignored);
        assert_eq!(blocks[1].lang, "");
        assert_eq!(blocks[1].content, "indented\n");
        assert_eq!(blocks[1].content_line, 5);
        assert!(blocks[2].ignored);
    }

    #[test]
    fn prose_and_headings_are_interpolated_and_warn_only_with_vars() {
        let source = "---\nvars: { HOST: db1 }\n---\n# On ${HOST}\n\nAsk ${WHO} about `${CODE}` on ${HOST}.\n";
        let parsed = parse(source);
        let s = &parsed.guide.sections()[1];
        assert_eq!(s.title, "On db1");
        assert_eq!(s.text, "Ask ${WHO} about `${CODE}` on db1.");
        assert_eq!(
            rendered(&parsed),
            [
                "warning: undefined variable `WHO` (left as written)\n  --> g.md:6:5\n  |\n6 | Ask ${WHO} about `${CODE}` on ${HOST}.\n  |     ^^^^^^"
            ]
        );
        assert!(parse("# ${NOPE}\n\n${WHO}\n").diagnostics.is_empty());
    }

    #[test]
    fn resolved_vars_and_front_matter_facts_reach_the_guide() {
        let options = LoadOptions {
            env: BTreeMap::from([("TRIAGE_VAR_PORT".to_owned(), "9090".to_owned())]),
            overrides: BTreeMap::new(),
        };
        let source =
            "---\ntitle: ${SVC} guide\nservice: ${SVC}\nvars:\n  SVC: metald\n  PORT: 8080\n---\n";
        let parsed = read(Path::new("g.md"), source, &options);
        let g = &parsed.guide;
        assert_eq!(g.title.as_deref(), Some("metald guide"));
        assert_eq!(g.service.as_deref(), Some("metald"));
        assert_eq!(g.vars["PORT"], "9090");
        assert_eq!(g.metadata, serde_json::json!({}));
    }

    #[test]
    fn crlf_guides_read_like_lf_ones() {
        let source = "---\r\nvars:\r\n  P: 1\r\n---\r\n# T\r\n\r\n> ```Check\r\n> name: q\r\n> port: ${P}\r\n> ```\r\n";
        let parsed = parse(source);
        assert!(parsed.diagnostics.is_empty(), "{:?}", rendered(&parsed));
        let check = &parsed.guide.sections()[1].checks[0];
        assert_eq!(check.name.as_deref(), Some("q"));
        assert_eq!(check.content_line, 8);
        assert!(check.source.contains("port: 1"));
    }

    #[test]
    fn offsets_of_lines_and_columns_clamp() {
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
        assert_eq!(offset_of("ab\ncd", 9, 1), 5);
        assert_eq!(offset_of("ab\ncd", 1, 9), 2);
        assert_eq!(offset_of("é\nx", 1, 2), 2);
    }
}

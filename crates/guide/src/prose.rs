//! Prose as plain text: what a terminal shows of paragraphs, lists and tables.
//!
//! Emphasis markers, links' targets and HTML are dropped; inline code keeps its backticks
//! (it often holds the exact error text), list items get `- ` or `1. ` and nesting indent.

use pulldown_cmark::{Event, Tag, TagEnd};

/// Builds the plain text of a run of Markdown events.
#[derive(Debug, Default)]
pub(crate) struct Prose {
    text: String,
    /// Open lists: the next number of an ordered list, `None` for bullets.
    lists: Vec<Option<u64>>,
}

impl Prose {
    /// Feeds one inline or block event (code blocks and headings are handled elsewhere).
    pub(crate) fn push(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(text) => self.text.push_str(text),
            Event::Code(code) => {
                self.text.push('`');
                self.text.push_str(code);
                self.text.push('`');
            }
            Event::SoftBreak | Event::HardBreak => self.text.push('\n'),
            Event::TaskListMarker(done) => self.text.push_str(if *done { "[x] " } else { "[ ] " }),
            Event::FootnoteReference(label) => {
                self.text.push_str("[^");
                self.text.push_str(label);
                self.text.push(']');
            }
            Event::Start(Tag::List(first)) => {
                self.lists.push(*first);
                self.line_break();
            }
            Event::End(TagEnd::List(_)) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.text.push_str("\n\n");
                } else {
                    self.line_break();
                }
            }
            Event::Start(Tag::Item) => {
                self.line_break();
                let indent = "  ".repeat(self.lists.len().saturating_sub(1));
                self.text.push_str(&indent);
                match self.lists.last_mut() {
                    Some(Some(n)) => {
                        self.text.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => self.text.push_str("- "),
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) => {
                if self.lists.is_empty() {
                    self.text.push_str("\n\n");
                } else {
                    self.line_break();
                }
            }
            Event::End(TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow) => self.line_break(),
            Event::End(TagEnd::TableCell) => self.text.push_str(" | "),
            Event::End(TagEnd::BlockQuote(_) | TagEnd::Table | TagEnd::FootnoteDefinition) => {
                self.text.push_str("\n\n");
            }
            _ => {}
        }
    }

    fn line_break(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// The raw text collected since the last [`take`](Prose::take).
    pub(crate) fn current(&self) -> &str {
        &self.text
    }

    /// Whether nothing but whitespace was collected.
    pub(crate) fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The text so far, trimmed, with runs of blank lines collapsed; the builder is emptied
    /// but keeps its list state (a code block may interrupt a list item).
    pub(crate) fn take(&mut self) -> String {
        let text = std::mem::take(&mut self.text);
        let mut out = String::with_capacity(text.len());
        let mut blank_run = 0;
        for line in text.trim().lines() {
            let line = line.trim_end();
            let line = line.strip_suffix(" |").unwrap_or(line);
            if line.trim().is_empty() {
                blank_run += 1;
                if blank_run > 1 {
                    continue;
                }
            } else {
                blank_run = 0;
            }
            out.push_str(line);
            out.push('\n');
        }
        out.trim_end().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    fn plain(markdown: &str) -> String {
        let mut prose = Prose::default();
        for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS) {
            prose.push(&event);
        }
        prose.take()
    }

    #[test]
    fn paragraphs_lists_and_inline_code() {
        assert_eq!(
            plain(
                "Run **this** [now](http://x):\n\n- `ls -l`\n- two\n  1. a\n  2. b\n\n<!-- hidden -->\nafter"
            ),
            "Run this now:\n\n- `ls -l`\n- two\n  1. a\n  2. b\n\nafter"
        );
    }

    #[test]
    fn tables_and_tasks() {
        assert_eq!(plain("| a | b |\n|---|---|\n| 1 | 2 |\n"), "a | b\n1 | 2");
        assert_eq!(plain("- [x] done\n- [ ] todo\n"), "- [x] done\n- [ ] todo");
    }
}

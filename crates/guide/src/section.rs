//! Sections: the heading tree of a guide, kept as an arena in document order.

use serde::Serialize;
use triage_core::Span;

use crate::block::{CheckBlock, CodeBlock, Signature};
use crate::part::Part;

/// The index of a section in [`Guide::sections`](crate::Guide::sections).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SectionId(pub usize);

/// One heading and what is under it up to the next heading; `sections()[0]` is the root,
/// which holds the text before the first heading.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// This section's index.
    pub id: SectionId,
    /// The enclosing section; `None` only for the root.
    pub parent: Option<SectionId>,
    /// The sections one heading level down, in document order.
    pub children: Vec<SectionId>,
    /// The heading level, 1 for `#` to 6; 0 for the root.
    pub level: u8,
    /// The heading as written: the text after the `#`s, closing `#`s and surrounding
    /// whitespace removed, markup kept (after `${NAME}` interpolation). Empty for the root.
    pub heading: String,
    /// The heading for display: inline markup, inline HTML/JSX tags, backslash escapes and
    /// a trailing `{#id}` removed. Empty for the root.
    pub title: String,
    /// The heading line (`1:1` with length 0 for the root).
    pub span: Span,
    /// The section's own prose as plain text (not its children's), after interpolation.
    pub text: String,
    /// Its ` ```check ` blocks.
    pub checks: Vec<CheckBlock>,
    /// The signatures of its ` ```error ` blocks.
    pub signatures: Vec<Signature>,
    /// Its other code blocks.
    pub blocks: Vec<CodeBlock>,
    /// Its prose and code blocks in order, for finding the cause and fix parts.
    #[serde(skip)]
    pub(crate) items: Vec<Item>,
}

/// A piece of a section's own content, in document order.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// A block of prose (a paragraph, list, table, ...) or the part of one before a code
    /// block inside it.
    Prose { text: String, label: Option<Label> },
    /// `blocks[index]`.
    Code(usize),
}

/// A bold label paragraph that starts a part (`**Solution:**`).
#[derive(Debug, Clone)]
pub(crate) struct Label {
    pub(crate) part: Part,
    /// The paragraph without a bare label word (`**Fix**: restart it` gives `restart it`).
    pub(crate) remainder: String,
}

impl Section {
    /// An empty section; the reader fills it.
    pub(crate) fn new(id: SectionId, parent: Option<SectionId>, level: u8, span: Span) -> Self {
        Section {
            id,
            parent,
            children: Vec::new(),
            level,
            heading: String::new(),
            title: String::new(),
            span,
            text: String::new(),
            checks: Vec::new(),
            signatures: Vec::new(),
            blocks: Vec::new(),
            items: Vec::new(),
        }
    }

    /// Whether the section is a symptom: it holds error signatures or checks.
    pub fn is_symptom(&self) -> bool {
        !self.signatures.is_empty() || !self.checks.is_empty()
    }
}

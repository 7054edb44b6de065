//! Entries: the sections a diagnosis can point at, with what the knowledge base knows of
//! each.

use std::path::PathBuf;

use serde::Serialize;
use triage_guide::SectionId;

use crate::extract::SignatureOrigin;
use crate::vocab::Tok;

/// A guide the knowledge base was built from.
#[derive(Debug, Clone, Serialize)]
pub struct GuideInfo {
    /// The guide file.
    pub path: PathBuf,
    /// Its title, when it has one.
    pub title: Option<String>,
}

/// One error message that identifies an entry.
#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    /// The text as the guide shows it.
    pub text: String,
    /// The text with its variable parts replaced: `listen tcp :<port>: bind: ...`.
    pub template: String,
    /// How it was found.
    pub origin: SignatureOrigin,
    /// Its line in the guide.
    pub line: u32,
    /// Generalised tokens, for in-order matching.
    #[serde(skip)]
    pub(crate) tokens: Vec<Tok>,
}

/// A section of a guide that can explain an error: a heading with its own content and that
/// of its structural parts (Cause, Solution, ...).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Index of its guide in [`KnowledgeBase::guides`](crate::KnowledgeBase::guides).
    pub guide: usize,
    /// Its section in the guide.
    #[serde(skip)]
    pub section: SectionId,
    /// The heading as written in the guide.
    pub heading: String,
    /// The heading cleaned for display.
    pub title: String,
    /// Titles of the enclosing headings, outermost first.
    pub breadcrumb: Vec<String>,
    /// The heading's line.
    pub line: u32,
    /// Its error signatures, annotated or found; empty for a section that only prose
    /// similarity can match.
    pub signatures: Vec<Signature>,
    /// Why it happens (may be empty).
    pub cause: String,
    /// What to do, one line each (`$ ` before shell commands).
    pub fix: Vec<String>,
    /// The shell commands it shows, for diagnosis.
    pub commands: Vec<String>,
    /// The sections folded into it that hold detector checks (its own included).
    #[serde(skip)]
    pub check_sections: Vec<SectionId>,
    /// A procedure section (`Diagnostic Commands` under the guide's title) rather than a
    /// problem: ranked lower.
    pub generic: bool,
}

impl Entry {
    /// Whether the entry is a symptom: it has error signatures or detector checks.
    pub fn is_symptom(&self) -> bool {
        !self.signatures.is_empty() || !self.check_sections.is_empty()
    }
}

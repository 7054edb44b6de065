//! The guide: front matter facts plus the section tree.

use std::path::PathBuf;

use serde::Serialize;
use triage_core::Diagnostic;

use crate::block::CheckBlock;
use crate::section::{Section, SectionId};

/// One troubleshooting guide, read.
#[derive(Debug, Clone, Serialize)]
pub struct Guide {
    /// The file it was read from.
    pub path: PathBuf,
    /// The front matter `title`, else the title of the first `#` heading.
    pub title: Option<String>,
    /// The front matter `service`.
    pub service: Option<String>,
    /// The front matter `tags`.
    pub tags: Vec<String>,
    /// Every variable with its resolved value (front matter < `TRIAGE_VAR_*` < overrides).
    pub vars: std::collections::BTreeMap<String, String>,
    /// The front matter keys other than title, service, tags and vars (an empty object
    /// when there are none).
    pub metadata: serde_json::Value,
    pub(crate) sections: Vec<Section>,
}

/// A guide and the problems found while reading it.
#[derive(Debug, Clone, Serialize)]
pub struct Parsed {
    /// The guide, as complete as the problems allowed.
    pub guide: Guide,
    /// Errors and warnings, in document order of discovery, rendered with source lines.
    pub diagnostics: Vec<Diagnostic>,
}

impl Guide {
    /// Every section in document order; `sections()[0]` is the root (text before the first
    /// heading), always present.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The section with this id.
    ///
    /// # Panics
    ///
    /// If `id` does not come from this guide.
    pub fn section(&self, id: SectionId) -> &Section {
        &self.sections[id.0]
    }

    /// Every check block with its section, in document order.
    pub fn checks(&self) -> impl Iterator<Item = (&Section, &CheckBlock)> {
        self.sections.iter().flat_map(|section| section.checks.iter().map(move |c| (section, c)))
    }

    /// The titles from the top heading down to this section (the root contributes nothing).
    pub fn breadcrumb(&self, id: SectionId) -> Vec<&str> {
        let mut titles = Vec::new();
        let mut at = self.sections.get(id.0);
        while let Some(section) = at {
            if section.parent.is_some() {
                titles.push(section.title.as_str());
            }
            at = section.parent.and_then(|parent| self.sections.get(parent.0));
        }
        titles.reverse();
        titles
    }
}

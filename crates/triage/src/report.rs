//! What `triage check` found, joined with where each check sits in its guide.

use std::time::Duration;

use serde::Serialize;
use triage_core::{Diagnostic, Status};
use triage_guide::{Guide, Section, Symptom};
use triage_probe::Outcome;

use crate::load::PlannedCheck;

/// The results of one `triage check` run, in guide and document order.
pub(crate) struct Report<'a> {
    /// One entry per check that ran.
    pub entries: Vec<Entry<'a>>,
    /// Problems found while loading (broken blocks were skipped).
    pub diagnostics: &'a [Diagnostic],
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

/// One check with its outcome and its place in the guide.
pub(crate) struct Entry<'a> {
    /// The guide the check is in.
    pub guide: &'a Guide,
    /// The section the check block is in.
    pub section: &'a Section,
    /// The check as planned.
    pub check: &'a PlannedCheck,
    /// How it ended.
    pub outcome: Outcome,
    /// The symptom this check detects, when it sits in (or under) a symptom section.
    pub symptom: Option<Symptom<'a>>,
}

/// Counts by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    /// Checks that ran.
    pub total: usize,
    /// Checks whose conditions all held.
    pub passed: usize,
    /// Failed checks of severity warn.
    pub warned: usize,
    /// Failed checks of severity fail.
    pub failed: usize,
}

impl Report<'_> {
    /// Counts of the entries by status.
    pub fn summary(&self) -> Summary {
        let mut s = Summary { total: self.entries.len(), ..Summary::default() };
        for entry in &self.entries {
            match entry.outcome.status {
                Status::Pass => s.passed += 1,
                Status::Warn => s.warned += 1,
                Status::Fail => s.failed += 1,
            }
        }
        s
    }
}

impl Entry<'_> {
    /// Titles from the guide's top heading down to the check's section.
    pub fn breadcrumb(&self) -> Vec<&str> {
        self.guide.breadcrumb(self.section.id)
    }

    /// The rendered conditions that did not hold.
    pub fn failing_conditions(&self) -> impl Iterator<Item = &str> {
        self.outcome.conditions.iter().filter(|c| !c.success).map(|c| c.rendered.as_str())
    }
}

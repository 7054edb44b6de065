//! Symptoms: sections with error signatures or checks, with their cause and fix.
//!
//! The fix of a section is its solution part: child headings named like Solution / Fix /
//! Resolution (see [`crate::part`]) with everything under them, and, within the section,
//! every bold fix label paragraph (`**Solution:**`) with what follows it up to the next
//! label or heading. The cause is the prose of its Cause / Why parts, else the section's
//! own prose before the fix part.

use serde::Serialize;

use crate::block::{CheckBlock, CodeBlock, Signature};
use crate::guide::Guide;
use crate::part::{self, Part};
use crate::section::{Item, Section, SectionId};

/// One step of a fix: the prose before a block, and the block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixStep {
    /// The prose before the block (may be empty).
    pub text: String,
    /// The code block; `None` for trailing prose after the last block.
    pub block: Option<CodeBlock>,
}

/// A section that identifies a problem, with what it points to.
#[derive(Debug, Clone, Serialize)]
pub struct Symptom<'g> {
    /// The symptom's section.
    pub section: &'g Section,
    /// The error signatures of its ` ```error ` blocks.
    pub signatures: Vec<&'g Signature>,
    /// Its detector checks.
    pub checks: Vec<&'g CheckBlock>,
    /// Why it happens (plain text, may be empty).
    pub cause: String,
    /// What to do, in order.
    pub fix: Vec<FixStep>,
}

/// Collects prose and blocks into steps.
#[derive(Default)]
struct Steps {
    text: Vec<String>,
    steps: Vec<FixStep>,
}

impl Steps {
    fn text(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.text.push(text.trim().to_owned());
        }
    }

    fn block(&mut self, block: &CodeBlock) {
        let text = std::mem::take(&mut self.text).join("\n\n");
        self.steps.push(FixStep { text, block: Some(block.clone()) });
    }

    fn finish(mut self) -> Vec<FixStep> {
        if !self.text.is_empty() {
            self.steps.push(FixStep { text: self.text.join("\n\n"), block: None });
        }
        self.steps
    }
}

impl Guide {
    /// Every symptom, in document order.
    pub fn symptoms(&self) -> Vec<Symptom<'_>> {
        self.sections.iter().filter(|s| s.is_symptom()).map(|s| self.symptom(s)).collect()
    }

    /// The symptom a section belongs to: itself or its nearest ancestor that is a symptom.
    pub fn symptom_of(&self, id: SectionId) -> Option<Symptom<'_>> {
        let mut at = self.sections.get(id.0);
        while let Some(section) = at {
            if section.is_symptom() {
                return Some(self.symptom(section));
            }
            at = section.parent.and_then(|parent| self.sections.get(parent.0));
        }
        None
    }

    /// The fix steps of any section, symptom or not (empty when it has no solution part).
    pub fn fix_of(&self, id: SectionId) -> Vec<FixStep> {
        let Some(section) = self.sections.get(id.0) else { return Vec::new() };
        let mut steps = Steps::default();
        let mut in_fix = false;
        for item in &section.items {
            match item {
                Item::Prose { label: Some(label), .. } => {
                    in_fix = label.part == Part::Fix;
                    if in_fix {
                        steps.text(&label.remainder);
                    }
                }
                Item::Prose { text, label: None } if in_fix => steps.text(text),
                Item::Code(index) if in_fix => steps.block(&section.blocks[*index]),
                Item::Prose { .. } | Item::Code(_) => {}
            }
        }
        for child in self.children_named(section, Part::Fix) {
            self.collect_all(child, false, &mut steps);
        }
        steps.finish()
    }

    /// The cause text of any section (see the module docs); may be empty.
    pub fn cause_of(&self, id: SectionId) -> String {
        let Some(section) = self.sections.get(id.0) else { return String::new() };
        let mut parts = Steps::default();
        let mut in_cause = false;
        for item in &section.items {
            match item {
                Item::Prose { label: Some(label), .. } => {
                    in_cause = label.part == Part::Cause;
                    if in_cause {
                        parts.text(&label.remainder);
                    }
                }
                Item::Prose { text, label: None } if in_cause => parts.text(text),
                _ => {}
            }
        }
        for child in self.children_named(section, Part::Cause) {
            let mut under = Steps::default();
            self.collect_all(child, false, &mut under);
            for step in under.finish() {
                parts.text(&step.text);
            }
        }
        if parts.text.is_empty() {
            for item in &section.items {
                match item {
                    Item::Prose { label: Some(label), .. } if label.part == Part::Fix => break,
                    Item::Prose { text, .. } => parts.text(text),
                    Item::Code(_) => {}
                }
            }
        }
        parts.text.join("\n\n")
    }

    fn symptom<'g>(&'g self, section: &'g Section) -> Symptom<'g> {
        Symptom {
            section,
            signatures: section.signatures.iter().collect(),
            checks: section.checks.iter().collect(),
            cause: self.cause_of(section.id),
            fix: self.fix_of(section.id),
        }
    }

    fn children_named<'g>(
        &'g self,
        section: &'g Section,
        part: Part,
    ) -> impl Iterator<Item = &'g Section> {
        section
            .children
            .iter()
            .map(|id| self.section(*id))
            .filter(move |child| part::of_heading(&child.title) == Some(part))
    }

    /// Everything under a section, descendants included (their titles as prose).
    fn collect_all(&self, section: &Section, with_title: bool, steps: &mut Steps) {
        if with_title {
            steps.text(&section.title);
        }
        for item in &section.items {
            match item {
                Item::Prose { text, .. } => steps.text(text),
                Item::Code(index) => steps.block(&section.blocks[*index]),
            }
        }
        for child in &section.children {
            self.collect_all(self.section(*child), true, steps);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{LoadOptions, parse};

    fn guide(source: &str) -> crate::Guide {
        parse(Path::new("g.md"), source, &LoadOptions::default()).guide
    }

    #[test]
    fn bold_labels_split_cause_and_fix() {
        let g = guide(
            "# G\n\n## Port in use\n\n```error\nbind: address already in use\n```\n\n\
             Another process holds the port.\n\n**Debug**:\n\n```sh\nss -ltn\n```\n\n\
             **Solution:**\n\nFind it:\n\n```bash\nsudo lsof -i :8080\n```\n\nThen kill it.\n\n\
             **Note:** check twice.\n\n**Verify**:\n\n```sh\ncurl -f localhost:8080\n```\n",
        );
        let symptoms = g.symptoms();
        assert_eq!(symptoms.len(), 1);
        let s = &symptoms[0];
        assert_eq!(s.section.title, "Port in use");
        assert_eq!(s.signatures[0].text, "bind: address already in use");
        assert_eq!(s.cause, "Another process holds the port.\n\nDebug:");
        assert_eq!(s.fix.len(), 2);
        assert_eq!(s.fix[0].text, "Find it:");
        assert_eq!(s.fix[0].block.as_ref().unwrap().content, "sudo lsof -i :8080\n");
        assert_eq!(s.fix[1].text, "Then kill it.\n\nNote: check twice.");
        assert!(s.fix[1].block.is_none());
    }

    #[test]
    fn child_headings_name_the_fix_and_the_cause() {
        let g = guide(
            "## Too many clients\n\n```check\nkind: tcp\n```\n\nintro\n\n\
             ### Possible causes\n\nPool too small.\n\n### 2. How to fix:\n\n```sh\nraise\n```\n\n\
             #### Option B\n\nor restart\n\n### Other\n\nnot part\n",
        );
        let s = &g.symptoms()[0];
        assert_eq!(s.cause, "Pool too small.");
        assert_eq!(s.fix.len(), 2);
        assert_eq!(s.fix[0].text, "");
        assert_eq!(s.fix[0].block.as_ref().unwrap().content, "raise\n");
        assert_eq!(s.fix[1].text, "Option B\n\nor restart");
    }

    #[test]
    fn cause_defaults_to_prose_before_the_fix_and_labels_with_text() {
        let g = guide(
            "## S\n\n```error\nboom\n```\n\nIt breaks.\n\n**Solution 1: Missing env**\n\n```sh\nenv\n```\n\n\
             **Fix**: restart it\n",
        );
        let s = &g.symptoms()[0];
        assert_eq!(s.cause, "It breaks.");
        assert_eq!(s.fix[0].text, "Solution 1: Missing env");
        assert_eq!(s.fix[1].text, "restart it");
    }

    #[test]
    fn symptom_of_walks_up_to_the_nearest_symptom() {
        let g = guide("# G\n\n## S\n\n```error\nx\n```\n\n### Detail\n\n#### Deeper\n\n## T\n");
        let deeper = g.sections().iter().find(|s| s.title == "Deeper").unwrap();
        assert_eq!(g.symptom_of(deeper.id).unwrap().section.title, "S");
        let t = g.sections().iter().find(|s| s.title == "T").unwrap();
        assert!(g.symptom_of(t.id).is_none());
        assert!(g.symptom_of(crate::SectionId(999)).is_none());
        assert!(g.fix_of(crate::SectionId(999)).is_empty());
    }
}

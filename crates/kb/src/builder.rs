//! Building the knowledge base: guides in, entries and their index out.
//!
//! Each guide is read once: its sections are grouped into entries (structural parts folded
//! into their problem heading), signatures are extracted and generalised, and every entry's
//! terms are counted per field. [`Builder::build`] then learns the term weights from the
//! whole knowledge base and builds the inverted index.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use triage_guide::{FixStep, Guide, SectionId};

use crate::entry::{Entry, GuideInfo, Signature};
use crate::extract::{self, SectionFacts};
use crate::generalise::{Piece, generalise, template};
use crate::kb::{Field, KnowledgeBase, Posting};
use crate::structure::is_structural;
use crate::vocab::{Tok, Vocab};

/// Most prose and code characters indexed for one entry; guides are trusted input, but a
/// generated guide should not make one entry dominate memory.
const MAX_BODY_CHARS: usize = 64 * 1024;

/// Collects guides, then builds a [`KnowledgeBase`].
#[derive(Debug, Default)]
pub struct Builder {
    guides: Vec<GuideInfo>,
    drafts: Vec<Draft>,
    identity: Vec<Vec<String>>,
}

/// An entry before the vocabulary exists: its terms per field, its signatures' pieces.
#[derive(Debug)]
struct Draft {
    entry: Entry,
    fields: [Vec<String>; Field::COUNT],
    pieces: Vec<Vec<Piece>>,
    body_chars: usize,
    /// A structural heading that had no problem heading to fold into (`Quick Diagnostic
    /// Checklist` under the guide's title): a procedure, not an answer.
    generic: bool,
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Adds one parsed guide; `source` is the text it was parsed from (extraction reads the
    /// Markdown again for what the section model leaves out).
    pub fn add_guide(&mut self, guide: &Guide, source: &str) {
        let index = self.guides.len();
        let first = self.drafts.len();
        self.guides.push(GuideInfo { path: guide.path.clone(), title: guide.title.clone() });
        self.identity.push(identity_terms(guide));
        let facts = extract::extract(guide, source);
        let sections = guide.sections();
        let mut owner: Vec<Option<usize>> = vec![None; sections.len()];
        let mut draft_of: HashMap<usize, usize> = HashMap::new();
        for section in sections.iter().skip(1) {
            let i = section.id.0;
            owner[i] = match section.parent.map(|p| p.0).filter(|&p| p > 0) {
                // Everything under a structural part belongs to the part's owner.
                Some(p) if owner[p] != Some(p) => owner[p],
                Some(p) if is_structural(&section.title) && folds_into(guide, p) => owner[p],
                _ => Some(i),
            };
            if owner[i] == Some(i) {
                draft_of.insert(i, self.drafts.len());
                let mut draft = new_draft(guide, index, section.id);
                draft.generic = is_structural(&section.title);
                self.drafts.push(draft);
            }
        }
        for section in sections.iter().skip(1) {
            let Some(o) = owner[section.id.0] else { continue };
            let Some(&d) = draft_of.get(&o) else { continue };
            add_section(&mut self.drafts[d], section, &facts[section.id.0]);
        }
        for draft in &mut self.drafts[first..] {
            if draft.entry.fix.is_empty() {
                draft.entry.fix =
                    draft.entry.commands.iter().take(8).map(|c| format!("$ {c}")).collect();
            }
        }
    }

    /// Learns the weights and builds the index.
    pub fn build(self) -> KnowledgeBase {
        let mut vocab = Vocab::default();
        let mut entries = Vec::with_capacity(self.drafts.len());
        let mut tfs: Vec<HashMap<u32, f32>> = Vec::with_capacity(self.drafts.len());
        let mut lengths = Vec::with_capacity(self.drafts.len());
        let mut guide_tf: Vec<HashMap<u32, f32>> = vec![HashMap::new(); self.guides.len()];
        for draft in self.drafts {
            let mut tf: HashMap<u32, f32> = HashMap::new();
            let mut length = 0.0;
            for (field, terms) in Field::ALL.iter().zip(&draft.fields) {
                for term in terms {
                    let id = vocab.intern(term);
                    *tf.entry(id).or_default() += field.weight();
                    *guide_tf[draft.entry.guide].entry(id).or_default() += 1.0;
                }
                length += field.weight() * terms.len() as f32;
            }
            let mut entry = draft.entry;
            entry.generic = draft.generic;
            for (signature, pieces) in entry.signatures.iter_mut().zip(&draft.pieces) {
                signature.tokens = vocab.tokens_mut(pieces);
            }
            entries.push(entry);
            tfs.push(tf);
            lengths.push(length);
        }
        let identity: Vec<HashSet<u32>> = self
            .identity
            .iter()
            .map(|terms| terms.iter().map(|t| vocab.intern(t)).collect())
            .collect();

        let mut df = vec![0u32; vocab.len()];
        let mut postings: Vec<Vec<Posting>> = vec![Vec::new(); vocab.len()];
        for (e, tf) in tfs.iter().enumerate() {
            for (&id, &weight) in tf {
                df[id as usize] += 1;
                postings[id as usize].push(Posting { entry: to_u32(e), tf: weight });
            }
        }
        vocab.set_idf(&df, entries.len());

        let mut guide_df = vec![0u32; vocab.len()];
        let mut guide_postings: Vec<Vec<Posting>> = vec![Vec::new(); vocab.len()];
        let mut guide_lengths = Vec::with_capacity(guide_tf.len());
        for (g, tf) in guide_tf.iter().enumerate() {
            for (&id, &count) in tf {
                guide_df[id as usize] += 1;
                guide_postings[id as usize].push(Posting { entry: to_u32(g), tf: count });
            }
            guide_lengths.push(tf.values().sum::<f32>());
        }
        for (g, terms) in identity.iter().enumerate() {
            for &id in terms {
                if !guide_tf[g].contains_key(&id) {
                    guide_df[id as usize] += 1;
                }
            }
        }
        let mut guide_vocab = Vocab::default();
        guide_vocab.set_idf(&guide_df, guide_tf.len());

        let mut signature_index: Vec<Vec<(u32, u16)>> = vec![Vec::new(); vocab.len()];
        for (e, entry) in entries.iter().enumerate() {
            for (s, signature) in entry.signatures.iter().enumerate().take(usize::from(u16::MAX)) {
                let mut seen = HashSet::new();
                for tok in &signature.tokens {
                    if let Tok::Word(id) = tok
                        && seen.insert(*id)
                    {
                        signature_index[*id as usize].push((to_u32(e), s as u16));
                    }
                }
            }
        }
        KnowledgeBase::new(crate::kb::Parts {
            guides: self.guides,
            entries,
            vocab,
            postings,
            lengths,
            guide_idf: guide_vocab.idf,
            guide_postings,
            guide_lengths,
            identity,
            signature_index,
        })
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn new_draft(guide: &Guide, index: usize, id: SectionId) -> Draft {
    let section = guide.section(id);
    let breadcrumb: Vec<String> = {
        let mut crumbs: Vec<String> = guide.breadcrumb(id).into_iter().map(str::to_owned).collect();
        crumbs.pop();
        crumbs
    };
    let mut fields: [Vec<String>; Field::COUNT] = Default::default();
    fields[Field::Heading as usize] = generalise(&section.title).terms;
    fields[Field::Breadcrumb as usize] =
        breadcrumb.iter().flat_map(|c| generalise(c).terms).collect();
    let cause: String = guide.cause_of(id).chars().take(2000).collect();
    Draft {
        entry: Entry {
            guide: index,
            section: id,
            heading: section.heading.clone(),
            title: section.title.clone(),
            breadcrumb,
            line: section.span.line,
            signatures: Vec::new(),
            cause,
            fix: fix_lines(&guide.fix_of(id)),
            commands: Vec::new(),
            check_sections: Vec::new(),
            generic: false,
        },
        fields,
        pieces: Vec::new(),
        body_chars: 0,
        generic: false,
    }
}

fn add_section(draft: &mut Draft, section: &triage_guide::Section, facts: &SectionFacts) {
    for found in &facts.signatures {
        if draft.entry.signatures.iter().any(|s| s.text == found.text) {
            continue;
        }
        let generalised = generalise(&found.text);
        draft.fields[Field::Signature as usize].extend(generalised.terms);
        draft.pieces.push(generalised.pieces);
        draft.entry.signatures.push(Signature {
            text: found.text.clone(),
            template: template(&found.text),
            origin: found.origin,
            line: found.line,
            tokens: Vec::new(),
        });
    }
    for (command, _) in &facts.commands {
        draft.entry.commands.push(command.clone());
    }
    if !section.checks.is_empty() {
        draft.entry.check_sections.push(section.id);
    }
    if draft.body_chars < MAX_BODY_CHARS {
        let mut body = String::new();
        if draft.entry.section != section.id {
            body.push_str(&section.title);
            body.push('\n');
        }
        body.push_str(&section.text);
        body.push('\n');
        body.push_str(&facts.code);
        let body: String = body.chars().take(MAX_BODY_CHARS - draft.body_chars).collect();
        draft.body_chars += body.len();
        draft.fields[Field::Body as usize].extend(crate::generalise::terms(&body));
    }
}

/// Whether structural children fold into section `parent`: any heading below the top
/// level, and a top-level heading whose children are all structural (a single-incident
/// page). Under a guide's title, `## Diagnostic Commands` is a part of the guide, not of
/// the title.
fn folds_into(guide: &Guide, parent: usize) -> bool {
    let section = guide.section(SectionId(parent));
    section.level >= 2 || section.children.iter().all(|c| is_structural(&guide.section(*c).title))
}

/// Fix steps as lines: the prose, then the block's commands (`$ ` before shell lines).
pub(crate) fn fix_lines(steps: &[FixStep]) -> Vec<String> {
    let mut lines = Vec::new();
    for step in steps {
        lines.extend(step.text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned));
        if let Some(block) = &step.block {
            let shell = block.is_shell();
            for code in block.content.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()) {
                if shell && !code.trim_start().starts_with('#') {
                    lines.push(format!("$ {}", code.trim_start()));
                } else {
                    lines.push(code.to_owned());
                }
            }
        }
    }
    lines
}

/// The terms that say what a guide is about: its title, service, tags and the last parts of
/// its path (`thanos-io+thanos/docs/...` names the program).
fn identity_terms(guide: &Guide) -> Vec<String> {
    let mut text = String::new();
    for part in [guide.title.as_deref(), guide.service.as_deref()].into_iter().flatten() {
        text.push_str(part);
        text.push(' ');
    }
    for tag in &guide.tags {
        text.push_str(tag);
        text.push(' ');
    }
    let components: Vec<String> = guide
        .path
        .components()
        .rev()
        .take(5)
        .map(|c| Path::new(c.as_os_str()).to_string_lossy().replace(['+', '-', '.', '_'], " "))
        .collect();
    text.push_str(&components.join(" "));
    let mut terms = generalise(&text).terms;
    terms.sort();
    terms.dedup();
    terms
}

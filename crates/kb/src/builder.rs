//! Building the knowledge base: guides in, entries and their index out.
//!
//! Each guide is read once: its sections are grouped into entries (structural parts folded
//! into their problem heading), signatures are extracted and generalised, and every entry's
//! terms are counted per field. [`Builder::build`] then learns the term weights from the
//! whole knowledge base and builds the inverted index.

use std::collections::{HashMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;

use triage_guide::{FixStep, Guide, SectionId};

use crate::entry::{Entry, GuideInfo, Signature};
use crate::extract::{self, SectionFacts};
use crate::generalise::{Part, Piece, Scanned, walk};
use crate::kb::{Field, KnowledgeBase, Posting};
use crate::slot::Slot;
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
    identity: Vec<Vec<u32>>,
    lexicon: Lexicon,
}

/// The terms seen so far, interned as they are read, and what every distinct run of a
/// word's characters gives: guides repeat their words, so each is lowercased, split and
/// stemmed once.
#[derive(Debug, Default)]
struct Lexicon {
    vocab: Vocab,
    /// A run as written → its tokens (a range of `toks`) and terms (a range of `arena`).
    runs: FxHashMap<Box<str>, Run>,
    toks: Vec<Tok>,
    arena: Vec<u32>,
    /// Terms of the enclosing headings, which every entry under them repeats.
    crumbs: FxHashMap<String, Vec<u32>>,
}

#[derive(Debug, Clone, Copy)]
struct Run {
    toks: (u32, u32),
    terms: (u32, u32),
}

/// A message generalised with its words interned: [`generalise`] and [`template`] at once.
#[derive(Debug, Default)]
struct Interned {
    toks: Vec<Tok>,
    terms: Vec<u32>,
    template: String,
}

impl Lexicon {
    fn run(&mut self, raw: &str) -> Run {
        if let Some(&run) = self.runs.get(raw) {
            return run;
        }
        let mut out = crate::generalise::Generalised::default();
        crate::generalise::run(raw, &mut out);
        let toks_start = to_u32(self.toks.len());
        self.toks.extend(out.pieces.iter().map(|p| match p {
            Piece::Word(w) => Tok::Word(self.vocab.intern(w)),
            Piece::Slot(s) => Tok::Slot(*s),
        }));
        let terms_start = to_u32(self.arena.len());
        for term in &out.terms {
            let id = self.vocab.intern(term);
            self.arena.push(id);
        }
        let run = Run {
            toks: (toks_start, to_u32(out.pieces.len())),
            terms: (terms_start, to_u32(out.terms.len())),
        };
        self.runs.insert(raw.into(), run);
        run
    }

    fn run_terms(&self, run: Run) -> &[u32] {
        &self.arena[run.terms.0 as usize..(run.terms.0 + run.terms.1) as usize]
    }

    /// The terms of prose (as [`crate::generalise::terms`] makes them), interned, appended
    /// to `out`.
    fn body_terms(&mut self, text: &str, out: &mut Vec<u32>) {
        crate::generalise::scan_terms(text, |found| match found {
            Scanned::Word(word) => {
                let run = self.run(word);
                out.extend_from_slice(self.run_terms(run));
            }
            Scanned::Port(digits) => out.push(self.vocab.intern(&format!(":{digits}"))),
        });
    }

    /// [`generalise`] and [`template`] of `text`, interned.
    fn generalise(&mut self, text: &str) -> Interned {
        let mut out = Interned::default();
        let mut at = 0;
        let mut slot_terms = Vec::new();
        walk(text, |part| match part {
            Part::Run(raw) => {
                let run = self.run(raw);
                let (start, len) = run.toks;
                out.toks.extend_from_slice(&self.toks[start as usize..(start + len) as usize]);
                out.terms.extend_from_slice(self.run_terms(run));
            }
            Part::Slot(slot, found) => {
                out.toks.push(Tok::Slot(slot));
                slot_terms.clear();
                crate::generalise::slot_terms(slot, found, &mut slot_terms);
                out.terms.extend(slot_terms.iter().map(|t| self.vocab.intern(t)));
                let start = found.as_ptr() as usize - text.as_ptr() as usize;
                out.template.push_str(&text[at..start]);
                if slot == Slot::Port {
                    out.template.push(':');
                }
                out.template.push_str(slot.name());
                at = start + found.len();
            }
        });
        out.template.push_str(&text[at..]);
        out
    }

    /// The terms of an enclosing heading.
    fn crumb_terms(&mut self, crumb: &str) -> Vec<u32> {
        if let Some(terms) = self.crumbs.get(crumb) {
            return terms.clone();
        }
        let terms = self.generalise(crumb).terms;
        self.crumbs.insert(crumb.to_owned(), terms.clone());
        terms
    }
}

/// An entry before the weights exist: its term ids per field, its signatures' pieces.
#[derive(Debug)]
struct Draft {
    entry: Entry,
    fields: [Vec<u32>; Field::COUNT],
    tokens: Vec<Vec<Tok>>,
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
        let identity = identity_terms(guide, &mut self.lexicon);
        self.identity.push(identity);
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
                let mut draft = new_draft(guide, index, section.id, &mut self.lexicon);
                draft.generic = is_structural(&section.title);
                self.drafts.push(draft);
            }
        }
        for section in sections.iter().skip(1) {
            let Some(o) = owner[section.id.0] else { continue };
            let Some(&d) = draft_of.get(&o) else { continue };
            add_section(&mut self.drafts[d], section, &facts[section.id.0], &mut self.lexicon);
        }
        for draft in &mut self.drafts[first..] {
            if draft.entry.fix.is_empty() {
                draft.entry.fix =
                    draft.entry.commands.iter().take(8).map(|c| format!("$ {c}")).collect();
            }
        }
    }

    /// Adds parsed guides with their sources, as [`Builder::add_guide`] does one by one, on
    /// up to as many threads as the machine has cores (each reads its share of the guides
    /// with a vocabulary of its own; the shares are then merged in order, so the knowledge
    /// base is the same as when they are added one by one).
    pub fn add_guides(&mut self, guides: &[(&Guide, &str)]) {
        let built = triage_core::parallel::in_shares(
            guides,
            |(_, source)| source.len(),
            64 * 1024,
            |share| {
                let mut builder = Builder::new();
                for (guide, source) in share {
                    builder.add_guide(guide, source);
                }
                builder
            },
        );
        for builder in built {
            self.absorb(builder);
        }
    }

    /// Takes over another builder's guides, after this one's.
    fn absorb(&mut self, other: Builder) {
        let offset = self.guides.len();
        let ids: Vec<u32> =
            other.lexicon.vocab.terms().iter().map(|t| self.lexicon.vocab.intern(t)).collect();
        let map = |id: u32| ids[id as usize];
        self.guides.extend(other.guides);
        self.identity.extend(other.identity.into_iter().map(|terms| {
            let mut terms: Vec<u32> = terms.into_iter().map(map).collect();
            terms.sort_unstable();
            terms
        }));
        for mut draft in other.drafts {
            draft.entry.guide += offset;
            for field in &mut draft.fields {
                field.iter_mut().for_each(|id| *id = map(*id));
            }
            for tokens in &mut draft.tokens {
                for tok in tokens.iter_mut() {
                    if let Tok::Word(id) = tok {
                        *id = map(*id);
                    }
                }
            }
            self.drafts.push(draft);
        }
    }

    /// Learns the weights and builds the index.
    pub fn build(self) -> KnowledgeBase {
        let mut vocab = self.lexicon.vocab;
        let mut entries = Vec::with_capacity(self.drafts.len());
        let mut tfs: Vec<FxHashMap<u32, f32>> = Vec::with_capacity(self.drafts.len());
        let mut lengths = Vec::with_capacity(self.drafts.len());
        let mut guide_tf: Vec<FxHashMap<u32, f32>> = vec![FxHashMap::default(); self.guides.len()];
        for draft in self.drafts {
            let count: usize = draft.fields.iter().map(Vec::len).sum();
            let mut tf: FxHashMap<u32, f32> =
                FxHashMap::with_capacity_and_hasher(count, Default::default());
            let mut length = 0.0;
            for (field, terms) in Field::ALL.iter().zip(&draft.fields) {
                for &id in terms {
                    *tf.entry(id).or_default() += field.weight();
                    *guide_tf[draft.entry.guide].entry(id).or_default() += 1.0;
                }
                length += field.weight() * terms.len() as f32;
            }
            let mut entry = draft.entry;
            entry.generic = draft.generic;
            for (signature, tokens) in entry.signatures.iter_mut().zip(draft.tokens) {
                signature.tokens = tokens;
            }
            entries.push(entry);
            tfs.push(tf);
            lengths.push(length);
        }
        let identity: Vec<HashSet<u32>> =
            self.identity.iter().map(|terms| terms.iter().copied().collect()).collect();

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
        let mut seen: FxHashSet<u32> = FxHashSet::default();
        for (e, entry) in entries.iter().enumerate() {
            for (s, signature) in entry.signatures.iter().enumerate().take(usize::from(u16::MAX)) {
                seen.clear();
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

fn new_draft(guide: &Guide, index: usize, id: SectionId, lexicon: &mut Lexicon) -> Draft {
    let section = guide.section(id);
    let breadcrumb: Vec<String> = {
        let mut crumbs: Vec<String> = guide.breadcrumb(id).into_iter().map(str::to_owned).collect();
        crumbs.pop();
        crumbs
    };
    let mut fields: [Vec<u32>; Field::COUNT] = Default::default();
    fields[Field::Heading as usize] = lexicon.generalise(&section.title).terms;
    fields[Field::Breadcrumb as usize] =
        breadcrumb.iter().flat_map(|c| lexicon.crumb_terms(c)).collect();
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
        tokens: Vec::new(),
        body_chars: 0,
        generic: false,
    }
}

fn add_section(
    draft: &mut Draft,
    section: &triage_guide::Section,
    facts: &SectionFacts,
    lexicon: &mut Lexicon,
) {
    for found in &facts.signatures {
        if draft.entry.signatures.iter().any(|s| s.text == found.text) {
            continue;
        }
        let generalised = lexicon.generalise(&found.text);
        draft.fields[Field::Signature as usize].extend(generalised.terms);
        draft.tokens.push(generalised.toks);
        draft.entry.signatures.push(Signature {
            text: found.text.clone(),
            template: generalised.template,
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
        let room = MAX_BODY_CHARS - draft.body_chars;
        if body.len() > room {
            body = body.chars().take(room).collect();
        }
        draft.body_chars += body.len();
        lexicon.body_terms(&body, &mut draft.fields[Field::Body as usize]);
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
fn identity_terms(guide: &Guide, lexicon: &mut Lexicon) -> Vec<u32> {
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
    let mut terms = lexicon.generalise(&text).terms;
    terms.sort_unstable();
    terms.dedup();
    terms
}

//! The knowledge base: every entry of every guide, with the index that ranks them.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::entry::{Entry, GuideInfo};
use crate::extract::SignatureOrigin;
use crate::vocab::Vocab;

/// The fields of an entry that lexical similarity reads, each with its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// The section's heading: the strongest statement of what it is about.
    Heading = 0,
    /// The enclosing headings: which component or check group it belongs to.
    Breadcrumb = 1,
    /// Its error signatures.
    Signature = 2,
    /// Its prose and code.
    Body = 3,
}

impl Field {
    pub(crate) const COUNT: usize = 4;
    pub(crate) const ALL: [Field; Field::COUNT] =
        [Field::Heading, Field::Breadcrumb, Field::Signature, Field::Body];

    /// How much one occurrence in this field counts.
    pub(crate) fn weight(self) -> f32 {
        match self {
            Field::Heading => 3.0,
            Field::Breadcrumb => 0.7,
            Field::Signature => 2.0,
            Field::Body => 1.0,
        }
    }
}

/// One document holding a term, with the term's weighted frequency there.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub(crate) struct Posting {
    /// The entry (or, in guide postings, the guide).
    pub entry: u32,
    /// Field-weighted term frequency.
    pub tf: f32,
}

/// What [`Builder`](crate::Builder) hands over.
pub(crate) struct Parts {
    pub guides: Vec<GuideInfo>,
    pub entries: Vec<Entry>,
    pub vocab: Vocab,
    pub postings: Vec<Vec<Posting>>,
    pub lengths: Vec<f32>,
    pub guide_idf: Vec<f32>,
    pub guide_postings: Vec<Vec<Posting>>,
    pub guide_lengths: Vec<f32>,
    pub identity: Vec<HashSet<u32>>,
    pub signature_index: Vec<Vec<(u32, u16)>>,
}

/// Every entry of a set of guides, indexed for diagnosis. Build one with
/// [`Builder`](crate::Builder); query it with [`KnowledgeBase::diagnose`].
#[derive(Debug)]
pub struct KnowledgeBase {
    pub(crate) guides: Vec<GuideInfo>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) vocab: Vocab,
    /// Term id → entries holding it.
    pub(crate) postings: Vec<Vec<Posting>>,
    /// Field-weighted length of each entry, and their mean.
    pub(crate) lengths: Vec<f32>,
    pub(crate) mean_length: f32,
    /// Term id → IDF over guides (a guide as one document).
    pub(crate) guide_idf: Vec<f32>,
    /// Term id → guides holding it.
    pub(crate) guide_postings: Vec<Vec<Posting>>,
    pub(crate) guide_lengths: Vec<f32>,
    pub(crate) mean_guide_length: f32,
    /// Per guide, the terms naming what it is about (title, service, tags, path).
    pub(crate) identity: Vec<HashSet<u32>>,
    /// Term id → (entry, signature index) of every signature holding it.
    pub(crate) signature_index: Vec<Vec<(u32, u16)>>,
}

/// Counts for `triage kb --stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Guides read.
    pub guides: usize,
    /// Sections a diagnosis can point at.
    pub entries: usize,
    /// Entries with signatures or detector checks.
    pub symptoms: usize,
    /// Signatures in all.
    pub signatures: usize,
    /// Signatures per origin.
    pub by_origin: BTreeMap<SignatureOrigin, usize>,
    /// Symptoms with detector checks.
    pub with_checks: usize,
    /// Distinct terms.
    pub terms: usize,
}

impl KnowledgeBase {
    pub(crate) fn new(parts: Parts) -> Self {
        let mean = |v: &[f32]| {
            if v.is_empty() { 1.0 } else { (v.iter().sum::<f32>() / v.len() as f32).max(1.0) }
        };
        KnowledgeBase {
            mean_length: mean(&parts.lengths),
            mean_guide_length: mean(&parts.guide_lengths),
            guides: parts.guides,
            entries: parts.entries,
            vocab: parts.vocab,
            postings: parts.postings,
            lengths: parts.lengths,
            guide_idf: parts.guide_idf,
            guide_postings: parts.guide_postings,
            guide_lengths: parts.guide_lengths,
            identity: parts.identity,
            signature_index: parts.signature_index,
        }
    }

    /// The guides, in the order they were added.
    pub fn guides(&self) -> &[GuideInfo] {
        &self.guides
    }

    /// Every entry, guide by guide in document order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries that are symptoms (signatures or detector checks).
    pub fn symptoms(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.is_symptom())
    }

    /// The entries of guide `guide` (an index into [`guides`](Self::guides)), in document
    /// order.
    pub fn entries_of(&self, guide: usize) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.guide == guide)
    }

    /// The guide of an entry.
    pub fn guide_of(&self, entry: &Entry) -> &GuideInfo {
        &self.guides[entry.guide]
    }

    /// Counts of what the knowledge base holds.
    pub fn stats(&self) -> Stats {
        let mut stats = Stats {
            guides: self.guides.len(),
            entries: self.entries.len(),
            terms: self.vocab.len(),
            ..Stats::default()
        };
        for entry in &self.entries {
            stats.symptoms += usize::from(entry.is_symptom());
            stats.with_checks += usize::from(!entry.check_sections.is_empty());
            stats.signatures += entry.signatures.len();
            for s in &entry.signatures {
                *stats.by_origin.entry(s.origin).or_default() += 1;
            }
        }
        stats
    }
}

//! A knowledge base as bytes, for the on-disk cache: [`KnowledgeBase::to_bytes`] and
//! [`KnowledgeBase::from_bytes`].
//!
//! The stored form mirrors the built one field by field (the public types skip fields in
//! their JSON form, so they are not stored directly), encoded with postcard. Reading checks
//! a magic header and every index before handing out a knowledge base, so damaged bytes
//! are an error, never a panic later while ranking.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use triage_guide::SectionId;

use crate::entry::{Entry, GuideInfo, Signature};
use crate::extract::SignatureOrigin;
use crate::kb::{KnowledgeBase, Posting};
use crate::vocab::{Tok, Vocab};

/// The first bytes of a stored knowledge base; the last byte is the format's version and
/// changes whenever the stored form does.
const MAGIC: &[u8; 8] = b"TRIAGEK\x01";

/// Why stored bytes could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Not a stored knowledge base of this format.
    #[error("not a stored knowledge base of this version")]
    Magic,
    /// The bytes do not decode.
    #[error("stored knowledge base does not decode: {0}")]
    Decode(#[from] postcard::Error),
    /// The bytes decode but do not hold together (an index out of range).
    #[error("stored knowledge base is inconsistent: {0}")]
    Inconsistent(&'static str),
}

#[derive(Serialize, Deserialize)]
struct Stored {
    guides: Vec<(PathBuf, Option<String>)>,
    entries: Vec<StoredEntry>,
    terms: Vec<String>,
    idf: Vec<f32>,
    postings: Vec<Vec<Posting>>,
    lengths: Vec<f32>,
    mean_length: f32,
    guide_idf: Vec<f32>,
    guide_postings: Vec<Vec<Posting>>,
    guide_lengths: Vec<f32>,
    mean_guide_length: f32,
    identity: Vec<Vec<u32>>,
    signature_index: Vec<Vec<(u32, u16)>>,
}

#[derive(Serialize, Deserialize)]
struct StoredEntry {
    guide: usize,
    section: usize,
    heading: String,
    title: String,
    breadcrumb: Vec<String>,
    line: u32,
    signatures: Vec<StoredSignature>,
    cause: String,
    fix: Vec<String>,
    commands: Vec<String>,
    check_sections: Vec<usize>,
    generic: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredSignature {
    text: String,
    template: String,
    origin: SignatureOrigin,
    line: u32,
    tokens: Vec<Tok>,
}

impl KnowledgeBase {
    /// The knowledge base as bytes that [`KnowledgeBase::from_bytes`] reads back into an
    /// identical one (same entries, same weights, same rankings).
    pub fn to_bytes(&self) -> Vec<u8> {
        let stored = Stored {
            guides: self.guides.iter().map(|g| (g.path.clone(), g.title.clone())).collect(),
            entries: self.entries.iter().map(StoredEntry::from).collect(),
            terms: self.vocab.terms().to_vec(),
            idf: self.vocab.idf.clone(),
            postings: self.postings.clone(),
            lengths: self.lengths.clone(),
            mean_length: self.mean_length,
            guide_idf: self.guide_idf.clone(),
            guide_postings: self.guide_postings.clone(),
            guide_lengths: self.guide_lengths.clone(),
            mean_guide_length: self.mean_guide_length,
            identity: self
                .identity
                .iter()
                .map(|set| {
                    let mut ids: Vec<u32> = set.iter().copied().collect();
                    ids.sort_unstable();
                    ids
                })
                .collect(),
            signature_index: self.signature_index.clone(),
        };
        let mut out = MAGIC.to_vec();
        // Encoding plain structs into a Vec cannot fail.
        out.extend(postcard::to_stdvec(&stored).unwrap_or_default());
        out
    }

    /// Reads bytes [`KnowledgeBase::to_bytes`] wrote. Bytes of another format version,
    /// truncated or damaged bytes are an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<KnowledgeBase, StoreError> {
        let body = bytes.strip_prefix(MAGIC.as_slice()).ok_or(StoreError::Magic)?;
        let (stored, rest): (Stored, &[u8]) = postcard::take_from_bytes(body)?;
        if !rest.is_empty() {
            return Err(StoreError::Inconsistent("trailing bytes"));
        }
        stored.check()?;
        let vocab = Vocab::from_parts(stored.terms, stored.idf)
            .ok_or(StoreError::Inconsistent("vocabulary"))?;
        Ok(KnowledgeBase {
            guides: stored
                .guides
                .into_iter()
                .map(|(path, title)| GuideInfo { path, title })
                .collect(),
            entries: stored.entries.into_iter().map(Entry::from).collect(),
            vocab,
            postings: stored.postings,
            lengths: stored.lengths,
            mean_length: stored.mean_length,
            guide_idf: stored.guide_idf,
            guide_postings: stored.guide_postings,
            guide_lengths: stored.guide_lengths,
            mean_guide_length: stored.mean_guide_length,
            identity: stored.identity.into_iter().map(|ids| ids.into_iter().collect()).collect(),
            signature_index: stored.signature_index,
        })
    }
}

impl Stored {
    /// Every index the ranking follows is in range.
    fn check(&self) -> Result<(), StoreError> {
        let bad = |what| Err(StoreError::Inconsistent(what));
        let (terms, entries, guides) = (self.terms.len(), self.entries.len(), self.guides.len());
        if self.idf.len() != terms
            || self.postings.len() != terms
            || self.guide_idf.len() != terms
            || self.guide_postings.len() != terms
            || self.signature_index.len() != terms
        {
            return bad("term tables");
        }
        if self.lengths.len() != entries
            || self.guide_lengths.len() != guides
            || self.identity.len() != guides
        {
            return bad("document tables");
        }
        if !(self.mean_length > 0.0 && self.mean_guide_length > 0.0) {
            return bad("mean lengths");
        }
        if self.postings.iter().flatten().any(|p| p.entry as usize >= entries)
            || self.guide_postings.iter().flatten().any(|p| p.entry as usize >= guides)
            || self.identity.iter().flatten().any(|&id| id as usize >= terms)
        {
            return bad("postings");
        }
        for (e, s) in self.signature_index.iter().flatten() {
            match self.entries.get(*e as usize) {
                Some(entry) if usize::from(*s) < entry.signatures.len() => {}
                _ => return bad("signature index"),
            }
        }
        for entry in &self.entries {
            if entry.guide >= guides {
                return bad("entry guide");
            }
            let word_ok = |t: &Tok| !matches!(t, Tok::Word(id) if *id as usize >= terms);
            if !entry.signatures.iter().all(|s| s.tokens.iter().all(word_ok)) {
                return bad("signature tokens");
            }
        }
        Ok(())
    }
}

impl From<&Entry> for StoredEntry {
    fn from(e: &Entry) -> Self {
        StoredEntry {
            guide: e.guide,
            section: e.section.0,
            heading: e.heading.clone(),
            title: e.title.clone(),
            breadcrumb: e.breadcrumb.clone(),
            line: e.line,
            signatures: e
                .signatures
                .iter()
                .map(|s| StoredSignature {
                    text: s.text.clone(),
                    template: s.template.clone(),
                    origin: s.origin,
                    line: s.line,
                    tokens: s.tokens.clone(),
                })
                .collect(),
            cause: e.cause.clone(),
            fix: e.fix.clone(),
            commands: e.commands.clone(),
            check_sections: e.check_sections.iter().map(|s| s.0).collect(),
            generic: e.generic,
        }
    }
}

impl From<StoredEntry> for Entry {
    fn from(e: StoredEntry) -> Self {
        Entry {
            guide: e.guide,
            section: SectionId(e.section),
            heading: e.heading,
            title: e.title,
            breadcrumb: e.breadcrumb,
            line: e.line,
            signatures: e
                .signatures
                .into_iter()
                .map(|s| Signature {
                    text: s.text,
                    template: s.template,
                    origin: s.origin,
                    line: s.line,
                    tokens: s.tokens,
                })
                .collect(),
            cause: e.cause,
            fix: e.fix,
            commands: e.commands,
            check_sections: e.check_sections.into_iter().map(SectionId).collect(),
            generic: e.generic,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use triage_guide::{LoadOptions, parse};

    use super::*;
    use crate::{Builder, Query};

    fn kb() -> KnowledgeBase {
        let source = "# Metald\n\n## Port in use\n\n```\nError: listen tcp :8080: bind: address already in use\n```\n\n\
                      Another process holds the port.\n\n## Disk full\n\n```\nwrite /var/x: no space left on device\n```\n";
        let guide = parse(Path::new("metald.md"), source, &LoadOptions::default()).guide;
        let mut builder = Builder::new();
        builder.add_guide(&guide, source);
        builder.build()
    }

    #[test]
    fn bytes_read_back_into_the_same_rankings() {
        let kb = kb();
        let back = KnowledgeBase::from_bytes(&kb.to_bytes()).unwrap();
        assert_eq!(back.stats(), kb.stats());
        for input in ["Error: listen tcp 0.0.0.0:9000: bind: address already in use", "no space"] {
            let query = Query::new(input);
            let (a, b) = (kb.diagnose(&query, 5), back.diagnose(&query, 5));
            assert_eq!(a.len(), b.len());
            // Scores agree to float rounding (ranking sums over a hash map, in any order).
            for (x, y) in a.iter().zip(&b) {
                assert_eq!((x.index, &x.evidence), (y.index, &y.evidence));
                assert_eq!(x.explanation.signature, y.explanation.signature);
                assert!((x.score - y.score).abs() < 1e-3, "{} vs {}", x.score, y.score);
                assert_eq!(x.entry.section, y.entry.section);
            }
        }
    }

    #[test]
    fn damaged_bytes_are_errors_not_panics() {
        let bytes = kb().to_bytes();
        assert!(matches!(KnowledgeBase::from_bytes(b"nope"), Err(StoreError::Magic)));
        for cut in [8, bytes.len() / 3, bytes.len() - 1] {
            assert!(KnowledgeBase::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in (8..bytes.len()).step_by(7) {
            let mut bad = bytes.clone();
            bad[at] ^= 0x5a;
            if let Ok(kb) = KnowledgeBase::from_bytes(&bad) {
                // Whatever decodes holds together: ranking it cannot panic.
                let _ = kb.diagnose(&Query::new("Error: listen tcp :1: bind: no space"), 5);
            }
        }
    }
}

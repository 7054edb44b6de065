//! The vocabulary: every term of the knowledge base interned to a number, with the inverse
//! document frequencies learnt from the whole knowledge base.

use rustc_hash::FxHashMap;

use crate::generalise::Piece;
use crate::slot::Slot;

/// A generalised token with its word interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) enum Tok {
    /// A known word.
    Word(u32),
    /// A word the knowledge base has never seen: it matches nothing.
    Unknown,
    /// A placeholder.
    Slot(Slot),
}

impl Tok {
    /// Whether this token of a signature accepts `input`.
    pub(crate) fn accepts(self, input: Tok) -> bool {
        match (self, input) {
            (Tok::Word(a), Tok::Word(b)) => a == b,
            (Tok::Slot(a), Tok::Slot(b)) => a.accepts(b),
            (Tok::Slot(Slot::Any), _) => true,
            _ => false,
        }
    }
}

/// Interned terms and their document frequencies.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocab {
    ids: FxHashMap<String, u32>,
    /// The term of each id.
    terms: Vec<String>,
    /// Inverse document frequency of each term over entries.
    pub idf: Vec<f32>,
}

impl Vocab {
    /// The id of `term`, adding it when new.
    pub(crate) fn intern(&mut self, term: &str) -> u32 {
        if let Some(id) = self.ids.get(term) {
            return *id;
        }
        let id = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.ids.insert(term.to_owned(), id);
        self.terms.push(term.to_owned());
        id
    }

    /// The id of `term` when known.
    pub(crate) fn get(&self, term: &str) -> Option<u32> {
        self.ids.get(term).copied()
    }

    /// The term of an id.
    pub(crate) fn term(&self, id: u32) -> &str {
        self.terms.get(id as usize).map_or("", String::as_str)
    }

    /// How many terms there are.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Every term, by id.
    pub(crate) fn terms(&self) -> &[String] {
        &self.terms
    }

    /// A vocabulary from its terms by id and their IDFs (a stored knowledge base); `None`
    /// when a term repeats or the tables disagree.
    pub(crate) fn from_parts(terms: Vec<String>, idf: Vec<f32>) -> Option<Vocab> {
        if idf.len() != terms.len() || u32::try_from(terms.len()).is_err() {
            return None;
        }
        let mut ids = FxHashMap::default();
        ids.reserve(terms.len());
        for (id, term) in terms.iter().enumerate() {
            if ids.insert(term.clone(), id as u32).is_some() {
                return None;
            }
        }
        Some(Vocab { ids, terms, idf })
    }

    /// The IDF of a term id (0 for ids past the table).
    pub(crate) fn idf(&self, id: u32) -> f32 {
        self.idf.get(id as usize).copied().unwrap_or(0.0)
    }

    /// Sets the IDFs from document frequencies over `docs` documents (BM25's form, which
    /// stays positive for terms in most documents).
    pub(crate) fn set_idf(&mut self, df: &[u32], docs: usize) {
        let n = docs as f32;
        self.idf =
            df.iter().map(|&d| (1.0 + (n - d as f32 + 0.5) / (d as f32 + 0.5)).ln()).collect();
    }

    /// Looks generalised pieces up (querying): unknown words stay unknown.
    pub(crate) fn tokens(&self, pieces: &[Piece]) -> Vec<Tok> {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Word(w) => self.get(w).map_or(Tok::Unknown, Tok::Word),
                Piece::Slot(s) => Tok::Slot(*s),
            })
            .collect()
    }

    /// The weight of a token inside a signature: a word's IDF, a fixed small weight for a
    /// placeholder (it says a value is there, not which), nothing for `<*>`.
    pub(crate) fn weight(&self, tok: Tok) -> f32 {
        match tok {
            Tok::Word(id) => self.idf(id).max(0.05),
            Tok::Slot(Slot::Any) => 0.0,
            Tok::Slot(_) => 0.4,
            Tok::Unknown => 0.0,
        }
    }
}

//! Ranking: which entries explain a query, best first, and why.
//!
//! An entry's score has three parts:
//!
//! 1. **Signature match.** Each input line is matched in order against each signature that
//!    shares a word with it (weighted longest common subsequence over generalised tokens;
//!    a word weighs its IDF, a placeholder a little, `<*>` nothing). Coverage is the share
//!    of the signature's weight found in the line; at least [`MIN_COVERAGE`] counts, and
//!    the part is `coverage² × weight` (capped), so exact and near-exact matches of specific
//!    messages rank first. The matched line is the evidence.
//! 2. **Lexical similarity.** BM25 over the entry's heading (×3), signatures (×2), enclosing
//!    headings (×0.7) and body (×1), with IDF learnt from the whole knowledge base; input
//!    words on error lines count fully, on commands and notes less, on other lines half.
//! 3. **Context.** The sum is lifted for guides that are about the input in general (BM25
//!    of the input against each whole guide, normalised) and for guides whose identity
//!    (title, service, tags, path) names a program the input comes from (a shell prompt, a
//!    syslog tag, a log prefix).

use std::collections::HashMap;

use serde::Serialize;

use crate::entry::Entry;
use crate::extract::SignatureOrigin;
use crate::generalise::stem;
use crate::kb::KnowledgeBase;
use crate::query::Query;
use crate::vocab::Tok;

/// Least share of a signature's weight an input line must hold to count as a match.
pub const MIN_COVERAGE: f32 = 0.5;
/// Coverage from which a match is called near-exact.
pub const NEAR_EXACT: f32 = 0.9;

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Caps a signature's weight, so one very long output line does not outweigh everything.
const SIGNATURE_CAP: f32 = 30.0;
/// Weight of the signature part against the lexical part.
const SIGNATURE_WEIGHT: f32 = 1.0;
/// Lift for guide-level similarity (at most ×1.3) and for a named program (×1.6; ×1.25 when the input only hints at it).
const GUIDE_LIFT: f32 = 0.3;
const CONTEXT_LIFT: f32 = 0.6;
/// Lift for a name the input only hints at (a log prefix, a host name).
const WEAK_CONTEXT_LIFT: f32 = 0.25;
/// Factor for procedure sections that are not about one problem.
const GENERIC_FACTOR: f32 = 0.6;
/// Least score, and least IDF mass of matched input words, for an entry to be a match.
const MIN_SCORE: f32 = 4.0;
const MIN_MATCHED_IDF: f32 = 4.0;
/// Longest run of tokens of one line compared with a signature.
const MAX_LINE_TOKENS: usize = 256;
/// Signature index lists longer than this are too common to find candidates with.
const MAX_CANDIDATES_PER_TERM: usize = 4096;

/// One ranked entry.
#[derive(Debug, Clone, Serialize)]
pub struct Match<'k> {
    /// The entry.
    pub entry: &'k Entry,
    /// Its index in [`KnowledgeBase::entries`].
    pub index: usize,
    /// The score (higher is better; comparable only within one query).
    pub score: f32,
    /// Input lines that matched its signatures, best first.
    pub evidence: Vec<Evidence>,
    /// Why it ranked where it did.
    pub explanation: Explanation,
    /// The rank (0-based) of a better match in another guide that quotes the same error:
    /// the two explain one message and are shown together.
    pub same_error_as: Option<usize>,
}

/// An input line that matched a signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// 1-based line number in the input.
    pub line: usize,
    /// The input line.
    pub text: String,
    /// The signature it matched; `None` for the line that shares the most words with an
    /// entry matched by similarity alone.
    pub signature: Option<String>,
    /// Share of the signature's weight found in the line.
    pub coverage: f32,
}

/// The parts of a score.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Explanation {
    /// The best signature match, when there is one.
    pub signature: Option<SignatureHit>,
    /// The lexical part (BM25).
    pub lexical: f32,
    /// The input words that weighed most in the lexical part, with their contribution.
    pub terms: Vec<(String, f32)>,
    /// The guide's similarity to the whole input, 0 to 1.
    pub guide_similarity: f32,
    /// Program names from the input that the guide is about.
    pub context: Vec<String>,
    /// The multiplier from guide similarity and context.
    pub lift: f32,
}

/// The signature part of a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureHit {
    /// The signature's text.
    pub text: String,
    /// How it was found in the guide.
    pub origin: SignatureOrigin,
    /// Share of its weight found in the input line.
    pub coverage: f32,
    /// Whether the match is near-exact (coverage at least [`NEAR_EXACT`]).
    pub near_exact: bool,
    /// Its contribution to the score.
    pub score: f32,
}

#[derive(Default, Clone)]
struct Partial {
    lexical: f32,
    matched_idf: f32,
    /// Per input line: (score, signature, coverage).
    hits: Vec<(f32, usize, u16, f32)>,
}

impl KnowledgeBase {
    /// Ranks the entries that explain `query`, best first, at most `top`.
    pub fn diagnose(&self, query: &Query, top: usize) -> Vec<Match<'_>> {
        if self.entries.is_empty() || query.is_empty() || top == 0 {
            return Vec::new();
        }
        let terms = self.query_terms(query);
        let mut partials: HashMap<u32, Partial> = HashMap::new();
        self.lexical(&terms, &mut partials);
        self.signatures(query, &mut partials);
        let guide_similarity = self.guide_similarity(&terms);
        let context = self.context_hits(query);

        let mut ranked: Vec<(u32, f32, f32)> = Vec::new();
        for (&e, p) in &partials {
            let entry = &self.entries[e as usize];
            let signature = signature_total(&p.hits);
            let g = guide_similarity[entry.guide];
            let lift = (1.0 + GUIDE_LIFT * g) * (1.0 + context[entry.guide].1);
            let generic = if entry.generic { GENERIC_FACTOR } else { 1.0 };
            let score = (p.lexical + SIGNATURE_WEIGHT * signature) * lift * generic;
            if score >= MIN_SCORE && (signature > 0.0 || p.matched_idf >= MIN_MATCHED_IDF) {
                ranked.push((e, score, lift));
            }
        }
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(top);
        let matches = ranked
            .into_iter()
            .map(|(e, score, lift)| {
                let p = &partials[&e];
                let entry = &self.entries[e as usize];
                let mut hits = p.hits.clone();
                hits.sort_by(|a, b| b.0.total_cmp(&a.0));
                let top_terms = self.top_terms(&terms, e);
                let mut evidence: Vec<Evidence> = hits
                    .iter()
                    .take(3)
                    .map(|&(_, line, s, coverage)| Evidence {
                        line: query.lines[line].number,
                        text: query.lines[line].text.clone(),
                        signature: Some(entry.signatures[usize::from(s)].text.clone()),
                        coverage,
                    })
                    .collect();
                if evidence.is_empty() {
                    evidence.extend(best_line(query, &top_terms));
                }
                let signature = hits.first().map(|&(score, _, s, coverage)| SignatureHit {
                    text: entry.signatures[usize::from(s)].text.clone(),
                    origin: entry.signatures[usize::from(s)].origin,
                    coverage,
                    near_exact: coverage >= NEAR_EXACT,
                    score,
                });
                let explanation = Explanation {
                    signature,
                    lexical: p.lexical,
                    terms: top_terms,
                    guide_similarity: guide_similarity[entry.guide],
                    context: context[entry.guide].0.clone(),
                    lift,
                };
                Match {
                    entry,
                    index: e as usize,
                    score,
                    evidence,
                    explanation,
                    same_error_as: None,
                }
            })
            .collect::<Vec<_>>();
        let mut matches = matches;
        mark_same_errors(&mut matches);
        matches
    }

    /// Known input terms with their weight (the most any line gives them).
    fn query_terms(&self, query: &Query) -> HashMap<u32, f32> {
        let mut terms: HashMap<u32, f32> = HashMap::new();
        for line in &query.lines {
            for term in &line.terms {
                if let Some(id) = self.vocab.get(term) {
                    let w = terms.entry(id).or_default();
                    *w = w.max(line.weight);
                }
            }
        }
        terms
    }

    fn lexical(&self, terms: &HashMap<u32, f32>, partials: &mut HashMap<u32, Partial>) {
        for (&id, &weight) in terms {
            let idf = self.vocab.idf(id);
            for posting in &self.postings[id as usize] {
                let p = partials.entry(posting.entry).or_default();
                p.lexical += weight * self.bm25(idf, posting.tf, posting.entry);
                p.matched_idf += idf * weight;
            }
        }
    }

    fn bm25(&self, idf: f32, tf: f32, entry: u32) -> f32 {
        let norm = 1.0 - B + B * self.lengths[entry as usize] / self.mean_length;
        idf * tf * (K1 + 1.0) / (tf + K1 * norm)
    }

    fn signatures(&self, query: &Query, partials: &mut HashMap<u32, Partial>) {
        let mut candidates: Vec<(u32, u16)> = Vec::new();
        for (l, line) in query.lines.iter().enumerate() {
            let tokens = self.vocab.tokens(&line.pieces);
            let tokens = &tokens[..tokens.len().min(MAX_LINE_TOKENS)];
            candidates.clear();
            for tok in tokens {
                if let Tok::Word(id) = tok {
                    let list = &self.signature_index[*id as usize];
                    if list.len() <= MAX_CANDIDATES_PER_TERM {
                        candidates.extend_from_slice(list);
                    }
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            let mut best: HashMap<u32, (f32, u16, f32)> = HashMap::new();
            for &(e, s) in &candidates {
                let signature = &self.entries[e as usize].signatures[usize::from(s)];
                let (coverage, total) = self.coverage(&signature.tokens, tokens);
                if coverage < MIN_COVERAGE {
                    continue;
                }
                let score = signature.origin.weight()
                    * coverage
                    * coverage
                    * total.min(SIGNATURE_CAP)
                    * (0.5 + 0.5 * line.weight);
                let slot = best.entry(e).or_insert((0.0, s, coverage));
                if score > slot.0 {
                    *slot = (score, s, coverage);
                }
            }
            for (e, (score, s, coverage)) in best {
                partials.entry(e).or_default().hits.push((score, l, s, coverage));
            }
        }
    }

    /// Weighted in-order coverage of `signature` by `line`, and the signature's weight.
    fn coverage(&self, signature: &[Tok], line: &[Tok]) -> (f32, f32) {
        let weights: Vec<f32> = signature.iter().map(|t| self.vocab.weight(*t)).collect();
        let total: f32 = weights.iter().sum();
        if total <= 0.0 || line.is_empty() {
            return (0.0, total);
        }
        let mut prev = vec![0.0f32; line.len() + 1];
        let mut cur = vec![0.0f32; line.len() + 1];
        for (tok, w) in signature.iter().zip(&weights) {
            for (j, input) in line.iter().enumerate() {
                let take = if tok.accepts(*input) { prev[j] + w } else { 0.0 };
                cur[j + 1] = take.max(prev[j + 1]).max(cur[j]);
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        (prev[line.len()] / total, total)
    }

    /// Each guide's BM25 similarity to the input, divided by the best guide's.
    fn guide_similarity(&self, terms: &HashMap<u32, f32>) -> Vec<f32> {
        let mut scores = vec![0.0f32; self.guides.len()];
        for (&id, &weight) in terms {
            let idf = self.guide_idf.get(id as usize).copied().unwrap_or(0.0);
            for posting in &self.guide_postings[id as usize] {
                let g = posting.entry as usize;
                let norm = 1.0 - B + B * self.guide_lengths[g] / self.mean_guide_length;
                scores[g] += weight * idf * posting.tf * (K1 + 1.0) / (posting.tf + K1 * norm);
            }
        }
        let max = scores.iter().copied().fold(0.0, f32::max);
        if max > 0.0 {
            scores.iter_mut().for_each(|s| *s /= max);
        }
        scores
    }

    /// Per guide, the input's program names that its identity holds, and the lift they
    /// give. A name held by many guides says nothing and is ignored.
    fn context_hits(&self, query: &Query) -> Vec<(Vec<String>, f32)> {
        let mut hits = vec![(Vec::new(), 0.0f32); self.guides.len()];
        let limit = (self.guides.len() / 3).max(1);
        for name in &query.context {
            let Some(id) = self.vocab.get(&stem(&name.text)) else { continue };
            let holders: Vec<usize> =
                (0..self.guides.len()).filter(|&g| self.identity[g].contains(&id)).collect();
            if holders.len() <= limit {
                let lift = if name.strong { CONTEXT_LIFT } else { WEAK_CONTEXT_LIFT };
                for g in holders {
                    hits[g].0.push(name.text.clone());
                    hits[g].1 = hits[g].1.max(lift);
                }
            }
        }
        hits
    }

    fn top_terms(&self, terms: &HashMap<u32, f32>, entry: u32) -> Vec<(String, f32)> {
        let mut out: Vec<(String, f32)> = terms
            .iter()
            .filter_map(|(&id, &weight)| {
                let postings = &self.postings[id as usize];
                let at = postings.binary_search_by_key(&entry, |p| p.entry).ok()?;
                let score = weight * self.bm25(self.vocab.idf(id), postings[at].tf, entry);
                Some((self.vocab.term(id).to_owned(), score))
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(6);
        out
    }
}

/// The signature part: the best line, plus a quarter of each other matching line (several
/// lines of one error are better evidence than one).
fn signature_total(hits: &[(f32, usize, u16, f32)]) -> f32 {
    let best = hits.iter().map(|h| h.0).fold(0.0, f32::max);
    let rest: f32 = hits.iter().map(|h| h.0).sum::<f32>() - best;
    best + 0.25 * rest.min(2.0 * best)
}

/// The input line holding the most of an entry's top terms.
fn best_line(query: &Query, top_terms: &[(String, f32)]) -> Option<Evidence> {
    let mut best: Option<(f32, usize)> = None;
    for (i, line) in query.lines.iter().enumerate() {
        let weight: f32 =
            top_terms.iter().filter(|(t, _)| line.terms.contains(t)).map(|(_, w)| *w).sum();
        if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, i));
        }
    }
    best.map(|(_, i)| Evidence {
        line: query.lines[i].number,
        text: query.lines[i].text.clone(),
        signature: None,
        coverage: 0.0,
    })
}

/// Links each match to a better one in another guide that matched the same error (the same
/// input line against signatures of the same template).
fn mark_same_errors(matches: &mut [Match<'_>]) {
    let key = |m: &Match<'_>| {
        let hit = m.explanation.signature.as_ref()?;
        let line = m.evidence.first()?.line;
        Some((line, crate::generalise::template(&hit.text).to_lowercase()))
    };
    for i in 1..matches.len() {
        let Some(mine) = key(&matches[i]) else { continue };
        matches[i].same_error_as = (0..i).find(|&j| {
            matches[j].entry.guide != matches[i].entry.guide
                && key(&matches[j]).as_ref() == Some(&mine)
        });
    }
}

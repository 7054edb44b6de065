//! Grouping one batch of messages into templates by token frequency.
//!
//! In the spirit of Brain (Yu et al., 2023): messages are grouped by token count; within a
//! group every `(position, token)` pair is counted. The constant words of one template
//! occur exactly as often as the template does, so in each message the largest set of
//! tokens sharing one frequency is taken as its *root*: the words that name its template.
//! Messages with the same root form a cluster, and a position of a cluster whose token
//! takes more than [`Batch::threshold`] distinct values (or more than one, one of them
//! holding a number) is a variable. A position with fewer values stays constant, which splits the cluster by that word (`Starting` and
//! `Stopping` are two templates, not one with a variable).

use rustc_hash::FxHashMap;

use super::token::{self, MASK};

/// The symbol of [`MASK`].
const MASK_SYM: u32 = 0;

/// Flag on a token of [`Batch::full`] that is not part of the skeleton.
const OUTSIDE: u32 = 1 << 31;

/// Messages waiting to be mined, as interned tokens.
#[derive(Debug)]
pub(crate) struct Batch {
    /// Symbol of each distinct token.
    symbols: FxHashMap<Box<str>, u32>,
    /// Text of each symbol, by symbol.
    texts: Vec<Box<str>>,
    /// What each symbol is, by symbol, worked out once.
    kinds: Vec<Kind>,
    /// Tokens of every message, one after the other, the skeleton only: tokens that are
    /// nothing but variables (`<*>`, `(<*>`) and units after them (`KB)`) are left out, so
    /// `sent 7 bytes (0.1 KB)` and `sent 7 bytes` line up.
    tokens: Vec<u32>,
    /// Where each message's tokens end in `tokens`.
    ends: Vec<u32>,
    /// Every token of every message, [`OUTSIDE`] set on those left out of the skeleton.
    full: Vec<u32>,
    /// Where each message's tokens end in `full`.
    full_ends: Vec<u32>,
    /// A position with more distinct tokens than this in one cluster is a variable.
    pub threshold: usize,
    /// The buffer tokens are masked into.
    masked: String,
}

impl Batch {
    /// An empty batch; `threshold` as in [`Batch::threshold`].
    pub fn new(threshold: usize) -> Self {
        let mut batch = Batch {
            symbols: FxHashMap::default(),
            texts: Vec::new(),
            kinds: Vec::new(),
            tokens: Vec::new(),
            ends: Vec::new(),
            full: Vec::new(),
            full_ends: Vec::new(),
            threshold,
            masked: String::new(),
        };
        batch.intern(MASK);
        batch
    }

    /// Messages in the batch.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&sym) = self.symbols.get(text) {
            return sym;
        }
        let sym = self.texts.len() as u32;
        self.texts.push(text.into());
        self.kinds.push(Kind {
            has_mask: text.contains(MASK),
            pure: token::is_pure_variable(text),
            unit: token::is_unit(text),
        });
        self.symbols.insert(text.into(), sym);
        sym
    }

    /// Adds one message (its header already stripped).
    pub fn push(&mut self, message: &str) {
        let mut after_variable = false;
        for raw in token::tokens(message) {
            // Most tokens repeat: look the raw text up before masking it. A hit is right
            // because masking leaves its own output unchanged.
            let sym = match self.symbols.get(raw) {
                Some(&sym) => sym,
                None => {
                    let mut masked = std::mem::take(&mut self.masked);
                    let sym =
                        self.intern(if token::mask_into(raw, &mut masked) { &masked } else { raw });
                    self.masked = masked;
                    sym
                }
            };
            let kind = self.kinds[sym as usize];
            if kind.pure || (after_variable && kind.unit) {
                after_variable = true;
                self.full.push(sym | OUTSIDE);
            } else {
                after_variable = kind.has_mask;
                self.tokens.push(sym);
                self.full.push(sym);
            }
        }
        self.ends.push(self.tokens.len() as u32);
        self.full_ends.push(self.full.len() as u32);
    }

    fn message(&self, i: usize) -> &[u32] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.tokens[start..self.ends[i] as usize]
    }

    /// Mines the batch and empties it: the distinct template texts, and the index in them
    /// of every message's template, in order.
    pub fn mine(&mut self) -> (Vec<String>, Vec<u32>) {
        let n = self.len();
        let mut by_len: FxHashMap<usize, Vec<u32>> = FxHashMap::default();
        for i in 0..n {
            by_len.entry(self.message(i).len()).or_default().push(i as u32);
        }
        // The cluster of each message, and the variable positions of each cluster.
        let mut cluster_at = vec![0u32; n];
        let mut variables: Vec<Vec<bool>> = Vec::new();
        let mut lengths: Vec<usize> = by_len.keys().copied().collect();
        lengths.sort_unstable();
        for len in lengths {
            self.mine_group(&by_len[&len], len, &mut cluster_at, &mut variables);
        }
        let mut index: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
        let mut texts = Vec::new();
        let mut seq = Vec::new();
        let mut of_message = Vec::with_capacity(n);
        for (i, &c) in cluster_at.iter().enumerate() {
            self.render(i, &variables[c as usize], &mut seq);
            let t = match index.get(seq.as_slice()) {
                Some(&t) => t,
                None => {
                    let t = texts.len() as u32;
                    texts.push(self.text(&seq));
                    index.insert(seq.clone(), t);
                    t
                }
            };
            of_message.push(t);
        }
        self.tokens.clear();
        self.ends.clear();
        self.full.clear();
        self.full_ends.clear();
        self.symbols.clear();
        self.texts.clear();
        self.kinds.clear();
        self.intern(MASK);
        (texts, of_message)
    }

    /// Clusters the messages of one length group: sets `cluster_at` of each member and
    /// pushes the variable positions of each new cluster onto `variables`.
    fn mine_group(
        &self,
        members: &[u32],
        len: usize,
        cluster_at: &mut [u32],
        variables: &mut Vec<Vec<bool>>,
    ) {
        let key = |pos: usize, sym: u32| ((pos as u64) << 32) | u64::from(sym);
        // Each distinct `(position, token)` gets a slot counting its messages; the slot of
        // every token of every member is kept so the counts are read back without hashing.
        let mut slot_of: FxHashMap<u64, u32> = FxHashMap::default();
        let mut freq: Vec<u32> = Vec::new();
        let mut slots: Vec<u32> = Vec::with_capacity(members.len() * len);
        for &m in members {
            for (pos, &sym) in self.message(m as usize).iter().enumerate() {
                let next = freq.len() as u32;
                let slot = *slot_of.entry(key(pos, sym)).or_insert(next);
                if slot == next {
                    freq.push(0);
                }
                freq[slot as usize] += 1;
                slots.push(slot);
            }
        }
        // Clusters by root, in order of first appearance so the result is deterministic.
        let mut cluster_of: FxHashMap<Vec<u64>, usize> = FxHashMap::default();
        let mut clusters: Vec<Vec<u32>> = Vec::new();
        // The frequency of each token of the message (0 for a mask), those of the
        // non-mask tokens alone, and the root's `(position, token)` keys.
        let mut token_freq: Vec<u32> = Vec::with_capacity(len);
        let mut counts: Vec<u32> = Vec::with_capacity(len);
        let mut words: Vec<u64> = Vec::with_capacity(len);
        for (k, &m) in members.iter().enumerate() {
            let msg = self.message(m as usize);
            let member_slots = &slots[k * len..(k + 1) * len];
            token_freq.clear();
            counts.clear();
            for (&s, &slot) in msg.iter().zip(member_slots) {
                let f = if s == MASK_SYM { 0 } else { freq[slot as usize] };
                token_freq.push(f);
                if f > 0 {
                    counts.push(f);
                }
            }
            let root = mode(&mut counts);
            words.clear();
            words.extend(
                msg.iter()
                    .zip(&token_freq)
                    .enumerate()
                    .filter(|&(_, (_, &f))| f > 0 && Some(f) == root)
                    .map(|(p, (&s, _))| key(p, s)),
            );
            let c = match cluster_of.get(words.as_slice()) {
                Some(&c) => c,
                None => {
                    cluster_of.insert(words.clone(), clusters.len());
                    clusters.push(Vec::new());
                    clusters.len() - 1
                }
            };
            clusters[c].push(m);
        }
        let mut distinct: Vec<Vec<u32>> = vec![Vec::new(); len];
        for cluster in &clusters {
            distinct.iter_mut().for_each(Vec::clear);
            for &m in cluster {
                for (pos, &sym) in self.message(m as usize).iter().enumerate() {
                    let seen = &mut distinct[pos];
                    if seen.len() <= self.threshold && !seen.contains(&sym) {
                        seen.push(sym);
                    }
                }
            }
            // Two values of which one had numbers in it (`ws=null`, `ws=Work{<*>}`) are
            // two values of a variable, not two templates.
            let id = variables.len() as u32;
            variables.push(
                distinct
                    .iter()
                    .map(|d| {
                        d.len() > self.threshold
                            || (d.len() > 1 && d.iter().any(|&s| self.kinds[s as usize].has_mask))
                    })
                    .collect(),
            );
            for &m in cluster {
                cluster_at[m as usize] = id;
            }
        }
    }

    /// The template of one message as symbols: variables masked, runs of masks folded
    /// into one so lists of any length share a template.
    fn render(&self, i: usize, variable: &[bool], seq: &mut Vec<u32>) {
        seq.clear();
        let start = if i == 0 { 0 } else { self.full_ends[i - 1] as usize };
        let mut pos = 0;
        for &flagged in &self.full[start..self.full_ends[i] as usize] {
            let sym = flagged & !OUTSIDE;
            let is_mask = if flagged & OUTSIDE != 0 {
                true
            } else {
                pos += 1;
                sym == MASK_SYM || variable.get(pos - 1).copied().unwrap_or(false)
            };
            if is_mask {
                if seq.last() != Some(&MASK_SYM) {
                    seq.push(MASK_SYM);
                }
            } else {
                seq.push(sym);
            }
        }
    }

    /// The text of a template rendered by [`Batch::render`].
    fn text(&self, seq: &[u32]) -> String {
        let mut out = String::new();
        for (k, &sym) in seq.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            out.push_str(&self.texts[sym as usize]);
        }
        out
    }
}

/// What a symbol is, for the skeleton and for variables.
#[derive(Debug, Clone, Copy)]
struct Kind {
    /// Its text holds [`MASK`].
    has_mask: bool,
    /// Its text is only masks and punctuation.
    pure: bool,
    /// Its text is a unit of measure.
    unit: bool,
}

/// The frequency shared by the most tokens (the higher one on a tie); `None` when empty.
fn mode(counts: &mut [u32]) -> Option<u32> {
    counts.sort_unstable();
    let mut best: Option<(usize, u32)> = None;
    let mut i = 0;
    while i < counts.len() {
        let mut j = i;
        while j < counts.len() && counts[j] == counts[i] {
            j += 1;
        }
        if best.is_none_or(|(n, _)| j - i >= n) {
            best = Some((j - i, counts[i]));
        }
        i = j;
    }
    best.map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mine(lines: &[&str]) -> Vec<String> {
        let mut batch = Batch::new(2);
        lines.iter().for_each(|l| batch.push(l));
        let (texts, of_message) = batch.mine();
        of_message.iter().map(|&t| texts[t as usize].clone()).collect()
    }

    #[test]
    fn variables_are_masked_and_constants_kept() {
        let got = mine(&[
            "open through proxy alpha.example HTTPS",
            "open through proxy beta.example HTTPS",
            "open through proxy gamma.example HTTPS",
            "open through proxy delta.example HTTPS",
        ]);
        assert!(got.iter().all(|t| t == "open through proxy <*> HTTPS"), "{got:?}");
    }

    #[test]
    fn few_distinct_words_split_templates() {
        let got = mine(&[
            "Starting service db", "Stopping service db", "Starting service db",
            "Stopping service db",
        ]);
        assert_eq!(got[0], "Starting service db");
        assert_eq!(got[1], "Stopping service db");
    }

    #[test]
    fn lists_of_any_length_share_a_template() {
        let got = mine(&["read 3 bytes from 10.0.0.1 10.0.0.2", "read 4 bytes from 10.0.0.3"]);
        assert_eq!(got[0], got[1]);
        assert_eq!(got[0], "read <*> bytes from <*>");
    }

    #[test]
    fn messages_of_no_tokens_are_one_template_of_their_own() {
        let got = mine(&["b 1", "", "(<*>", "x 2", "b 3"]);
        assert_eq!(got, ["b <*>", "", "<*>", "x <*>", "b <*>"]);
        assert_eq!(mine(&["", "(<*>"]), ["", "<*>"]);
    }

    #[test]
    fn the_batch_is_reusable() {
        let mut batch = Batch::new(2);
        batch.push("a 1");
        assert_eq!(batch.mine(), (vec!["a <*>".to_owned()], vec![0]));
        assert_eq!(batch.len(), 0);
        batch.push("b 2");
        assert_eq!(batch.mine(), (vec!["b <*>".to_owned()], vec![0]));
    }

    #[test]
    fn mode_prefers_more_tokens_then_higher_frequency() {
        assert_eq!(mode(&mut [5, 5, 1, 1]), Some(5));
        assert_eq!(mode(&mut [5, 1, 1]), Some(1));
        assert_eq!(mode(&mut []), None);
    }
}

//! Template mining: which message template each log line is an instance of.
//!
//! [`Miner`] takes raw lines, strips their header ([`message_start`]), masks the obviously
//! variable pieces and groups the messages by token frequency in batches of
//! [`Miner::BATCH`] lines, so memory stays bounded on any input. Templates are identified
//! by their text less the tokens that are only variables, so the same template found in
//! two batches, or written with an optional value, is one template.
//!
//! ```
//! use triage_scan::template::Miner;
//!
//! let mut miner = Miner::new();
//! for port in [5070, 5071, 5072] {
//!     miner.push(&format!("2024-05-01 10:00:00 INFO net.Listener: bound port {port}"));
//! }
//! let mined = miner.finish();
//! assert_eq!(mined.templates.len(), 1);
//! assert_eq!(mined.templates[0].text, "bound port <*>");
//! assert_eq!(mined.templates[0].count, 3);
//! assert_eq!(mined.assignments, [0, 0, 0]);
//! ```

mod group;
mod header;
mod token;

use rustc_hash::FxHashMap;
use serde::Serialize;

pub use header::message_start;
pub use token::MASK;

/// Longest example line kept, in bytes.
const MAX_EXAMPLE: usize = 1024;

/// One mined template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    /// Id: index in [`Mined::templates`], in order of first appearance.
    pub id: u32,
    /// The message with variables replaced by [`MASK`].
    pub text: String,
    /// Lines that are instances of it.
    pub count: u64,
    /// The first such line, whole (cut at 1 KiB).
    pub example: String,
}

/// What a [`Miner`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mined {
    /// Every template, by id.
    pub templates: Vec<Template>,
    /// The template id of each line pushed, in order (empty when not kept).
    pub assignments: Vec<u32>,
}

/// Mines templates from lines pushed one by one.
#[derive(Debug)]
pub struct Miner {
    batch: group::Batch,
    /// The raw lines of the batch, for the examples of new templates.
    raw: String,
    raw_ends: Vec<usize>,
    by_text: FxHashMap<String, u32>,
    mined: Mined,
    keep_assignments: bool,
}

impl Default for Miner {
    fn default() -> Self {
        Miner::new()
    }
}

impl Miner {
    /// Lines mined together. Large enough for the frequencies to mean something, small
    /// enough to bound memory (about 64 bytes of state per line).
    pub const BATCH: usize = 1 << 17;

    /// Distinct tokens a position of one cluster may take and still be a constant.
    pub const DEFAULT_THRESHOLD: usize = 2;

    /// A miner that keeps each line's template id ([`Mined::assignments`]).
    pub fn new() -> Self {
        Miner {
            batch: group::Batch::new(Self::DEFAULT_THRESHOLD),
            raw: String::new(),
            raw_ends: Vec::new(),
            by_text: FxHashMap::default(),
            mined: Mined::default(),
            keep_assignments: true,
        }
    }

    /// A miner that only counts templates, for inputs of any size.
    pub fn counting() -> Self {
        Miner { keep_assignments: false, ..Miner::new() }
    }

    /// Sets the variable threshold (default [`Miner::DEFAULT_THRESHOLD`]).
    pub fn threshold(mut self, threshold: usize) -> Self {
        self.batch.threshold = threshold;
        self
    }

    /// Adds one raw log line (header included, newline excluded).
    pub fn push(&mut self, line: &str) {
        let message = &line[message_start(line)..];
        self.batch.push(message);
        let mut cut = line.len().min(MAX_EXAMPLE);
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        self.raw.push_str(&line[..cut]);
        self.raw_ends.push(self.raw.len());
        if self.batch.len() >= Self::BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let (texts, of_message) = self.batch.mine();
        let mut global: Vec<Option<u32>> = vec![None; texts.len()];
        let mut start = 0;
        for (&t, &end) in of_message.iter().zip(&self.raw_ends) {
            let id = match global[t as usize] {
                Some(id) => id,
                None => {
                    let text = &texts[t as usize];
                    let key = skeleton(text);
                    let id = match self.by_text.get(&key) {
                        Some(&id) => id,
                        None => {
                            let id = self.mined.templates.len() as u32;
                            self.mined.templates.push(Template {
                                id,
                                text: text.clone(),
                                count: 0,
                                example: self.raw[start..end].to_owned(),
                            });
                            self.by_text.insert(key, id);
                            id
                        }
                    };
                    global[t as usize] = Some(id);
                    id
                }
            };
            self.mined.templates[id as usize].count += 1;
            if self.keep_assignments {
                self.mined.assignments.push(id);
            }
            start = end;
        }
        self.raw.clear();
        self.raw_ends.clear();
    }

    /// Mines what is left and returns everything found.
    pub fn finish(mut self) -> Mined {
        self.flush();
        self.mined
    }
}

/// What identifies a template: its text without the tokens that are only variables, and
/// without the units that follow them. `sent <*> bytes (<*> KB)` and `sent <*> bytes`
/// are one template whose size is written in two ways.
fn skeleton(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_variable = false;
    for token in text.split(' ') {
        if token::is_pure_variable(token) || (after_variable && token::is_unit(token)) {
            after_variable = true;
            continue;
        }
        after_variable = token.contains(MASK);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

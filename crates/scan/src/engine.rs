//! The engine: every signature at once over a block of log, in one pass.
//!
//! The prefilter names every occurrence of every signature's anchor (and of every error
//! word) in the whole block; only the lines holding one are looked at, and on them only the
//! signatures of the anchors present are verified. Lines that match no signature but carry an error word (`error`, `FATAL`,
//! `Exception`, `refused`...) are kept for clustering. What one block yields is a
//! [`Tally`]; tallies of consecutive blocks merge in order, so any split of the input gives
//! the same result.

use std::collections::BTreeMap;

use crate::Error;
use crate::pattern::{Compiled, Pattern};
use crate::prefilter::Prefilter;
use crate::timestamp;

/// Words that make a line an error (or warning) worth clustering when no signature knows
/// it. Case variants are listed because the prefilter is case-sensitive.
const ERROR_WORDS: &[&str] = &[
    "error", "Error", "ERROR", "fail", "Fail", "FAIL", "fatal", "Fatal", "FATAL", "panic", "Panic",
    "PANIC", "xception", "Traceback", "refused", "denied", "timeout", "Timeout", "timed out",
    "warn", "Warn", "WARN", "CRIT", "crit", "SEVERE", "EMERG", "abort", "Abort",
];

/// Longest example line kept, in bytes.
pub const MAX_EXAMPLE: usize = 512;

/// Longest unknown line kept for clustering, in bytes.
const MAX_UNKNOWN: usize = 4096;

/// What the engine reports besides the signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Only lines at or after this time (ms since the epoch) count. Lines without a
    /// recognisable timestamp always count. Default: none.
    pub since: Option<i64>,
    /// Only lines before this time count. Default: none.
    pub until: Option<i64>,
    /// Example lines kept per signature. Default: 3.
    pub examples: usize,
    /// Whether unknown error lines are kept for clustering. Default: true.
    pub unknown: bool,
    /// The year of timestamps that do not say (syslog, klog). Default: the current year.
    pub default_year: i64,
}

impl Default for Options {
    fn default() -> Self {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let year = timestamp::format_millis(now_ms)[..4].parse().unwrap_or(1970);
        Options { since: None, until: None, examples: 3, unknown: true, default_year: year }
    }
}

/// One signature's matches in a stretch of log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hit {
    /// Lines matched.
    pub count: u64,
    /// Earliest timestamp of a matched line (ms since the epoch).
    pub first: Option<i64>,
    /// Latest timestamp of a matched line.
    pub last: Option<i64>,
    /// The first matched lines, cut at [`MAX_EXAMPLE`] bytes, not yet redacted.
    pub examples: Vec<String>,
}

/// What a stretch of log held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Hits by pattern id.
    pub hits: BTreeMap<usize, Hit>,
    /// Error lines no signature matched, in order.
    pub unknown: Vec<String>,
    /// Lines seen (newlines, plus a last line without one).
    pub lines: u64,
    /// Bytes seen.
    pub bytes: u64,
}

impl Tally {
    /// Adds `later`, the tally of the stretch right after this one.
    pub fn merge(&mut self, later: Tally, examples: usize) {
        for (id, hit) in later.hits {
            let mine = self.hits.entry(id).or_default();
            mine.count += hit.count;
            mine.first = min_opt(mine.first, hit.first);
            mine.last = mine.last.max(hit.last);
            let room = examples.saturating_sub(mine.examples.len());
            mine.examples.extend(hit.examples.into_iter().take(room));
        }
        self.unknown.extend(later.unknown);
        self.lines += later.lines;
        self.bytes += later.bytes;
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Text of at most `max` bytes of `line`, invalid UTF-8 replaced.
fn cut(line: &[u8], max: usize) -> String {
    let mut end = line.len().min(max);
    // Do not split a UTF-8 sequence: back up to a byte that starts one.
    while end < line.len() && end > 0 && (line[end] & 0xc0) == 0x80 {
        end -= 1;
    }
    String::from_utf8_lossy(&line[..end]).into_owned()
}

/// Signatures compiled for scanning.
#[derive(Debug)]
pub struct Engine {
    patterns: Vec<Compiled>,
    prefilter: Prefilter,
    /// Literal id → patterns anchored on it (none for error words).
    literal_patterns: Vec<Vec<u32>>,
    /// Literal ids below this are error words ([`ERROR_WORDS`] in order).
    error_words: usize,
    /// Patterns with no anchor: verified on every line.
    everywhere: Vec<u32>,
    options: Options,
}

/// A literal occurrence: `(position in the block, literal id)`.
type LiteralHit = (usize, u32);

impl Engine {
    /// Compiles `patterns`. A pattern that cannot be compiled is an error naming it.
    pub fn new(patterns: &[Pattern], options: Options) -> Result<Self, Error> {
        let compiled = patterns.iter().map(Compiled::new).collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_compiled(compiled, options))
    }

    /// Compiles the patterns it can; the others come back with the reason, by index in
    /// `patterns`, so a caller can warn and go on.
    pub fn lenient(patterns: &[Pattern], options: Options) -> (Self, Vec<(usize, Error)>) {
        let mut compiled = Vec::with_capacity(patterns.len());
        let mut skipped = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            match Compiled::new(p) {
                Ok(c) => compiled.push(c),
                Err(e) => skipped.push((i, e)),
            }
        }
        (Self::from_compiled(compiled, options), skipped)
    }

    fn from_compiled(mut compiled: Vec<Compiled>, options: Options) -> Self {
        choose_anchors(&mut compiled);
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut literal_patterns: Vec<Vec<u32>> = Vec::new();
        if options.unknown {
            for w in ERROR_WORDS {
                literals.push(w.as_bytes().to_vec());
                literal_patterns.push(Vec::new());
            }
        }
        let error_words = literals.len();
        let mut everywhere = Vec::new();
        let mut index: rustc_hash::FxHashMap<Vec<u8>, usize> = rustc_hash::FxHashMap::default();
        for (i, c) in compiled.iter().enumerate() {
            if c.anchor.is_empty() {
                everywhere.push(i as u32);
                continue;
            }
            let f = *index.entry(c.anchor.clone()).or_insert_with(|| {
                literals.push(c.anchor.clone());
                literal_patterns.push(Vec::new());
                literals.len() - 1
            });
            literal_patterns[f].push(i as u32);
        }
        Engine {
            patterns: compiled,
            prefilter: Prefilter::new(&literals),
            literal_patterns,
            error_words,
            everywhere,
            options,
        }
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Which prefilter runs (`sampled/16+teddy(avx2)`, `none`, ...).
    pub fn prefilter_name(&self) -> String {
        self.prefilter.name()
    }

    /// Scans a block of whole lines (a line may lack its final newline only at the end).
    ///
    /// The prefilter runs over the whole block at once; only around its hits are line
    /// boundaries looked for, and only those lines are verified.
    pub fn scan(&self, block: &[u8]) -> Tally {
        let mut tally = Tally { bytes: block.len() as u64, ..Tally::default() };
        let mut hits = Vec::new();
        let newlines = self.prefilter.find_all(block, &mut hits);
        tally.lines = newlines as u64 + u64::from(block.last().is_some_and(|&b| b != b'\n'));
        if !self.everywhere.is_empty() {
            // Some signature has nothing to prefilter on: every line is a candidate.
            let mut start = 0;
            let mut h = 0;
            for line in block.split(|&b| b == b'\n') {
                let end = start + line.len();
                let first = h;
                while h < hits.len() && hits[h].0 < end {
                    h += 1;
                }
                self.check(block, start, end, &hits[first..h], &mut tally);
                start = end + 1;
                if start > block.len() {
                    break;
                }
            }
            return tally;
        }
        let mut h = 0;
        // Where the line of the previous hit ended: no newline search goes back past it.
        let mut floor = 0;
        while h < hits.len() {
            let pos = hits[h].0;
            let from = floor.min(pos);
            let start = memchr::memrchr(b'\n', &block[from..pos]).map_or(from, |i| from + i + 1);
            let end = memchr::memchr(b'\n', &block[pos..]).map_or(block.len(), |i| pos + i);
            let first = h;
            while h < hits.len() && hits[h].0 < end {
                h += 1;
            }
            self.check(block, start, end, &hits[first..h], &mut tally);
            floor = (end + 1).min(block.len());
        }
        tally
    }

    /// Verifies one line and records what it is (for followed files and the journal).
    pub fn check_line(&self, line: &[u8], tally: &mut Tally) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut hits = Vec::new();
        self.prefilter.find_all(line, &mut hits);
        self.check(line, 0, line.len(), &hits, tally);
    }

    /// Verifies the line `block[start..end]` (without its newline), whose literal hits are
    /// `hits`, and records what it is.
    fn check(
        &self,
        block: &[u8],
        start: usize,
        end: usize,
        hits: &[LiteralHit],
        tally: &mut Tally,
    ) {
        if hits.is_empty() && self.everywhere.is_empty() {
            return;
        }
        let line = &block[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut candidates: Vec<u32> = self.everywhere.clone();
        let mut error_word = false;
        for &(pos, id) in hits {
            let id = id as usize;
            if id < self.error_words {
                error_word |= pos == start
                    || !block[pos - 1].is_ascii_alphabetic()
                    || ERROR_WORDS[id] == "xception";
            } else {
                candidates.extend_from_slice(&self.literal_patterns[id]);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut ids: Vec<usize> = candidates
            .iter()
            .map(|&p| &self.patterns[p as usize])
            .filter(|c| c.anchor_is_match() || c.verify.is_match(line))
            .map(|c| c.id)
            .collect();
        if ids.is_empty() && !(error_word && self.options.unknown) {
            return;
        }
        let ts = timestamp::find(line, self.options.default_year);
        if let Some(t) = ts
            && (self.options.since.is_some_and(|s| t < s)
                || self.options.until.is_some_and(|u| t >= u))
        {
            return;
        }
        if ids.is_empty() {
            tally.unknown.push(cut(line, MAX_UNKNOWN));
            return;
        }
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let hit = tally.hits.entry(id).or_default();
            hit.count += 1;
            hit.first = min_opt(hit.first, ts);
            hit.last = hit.last.max(ts);
            if hit.examples.len() < self.options.examples {
                hit.examples.push(cut(line, MAX_EXAMPLE));
            }
        }
    }
}

/// Picks each pattern's anchor among its segments: one long enough for the sampled search
/// if it has one, then the one fewest other patterns share (a piece common to many
/// signatures, such as `failed to`, is common in logs too), then the longest.
fn choose_anchors(compiled: &mut [Compiled]) {
    let mut shared: rustc_hash::FxHashMap<&[u8], u32> = rustc_hash::FxHashMap::default();
    for c in compiled.iter() {
        // Segments are distinct within a pattern.
        for s in &c.segments {
            *shared.entry(s.as_slice()).or_default() += 1;
        }
    }
    let chosen: Vec<Option<Vec<u8>>> = compiled
        .iter()
        .map(|c| {
            c.segments
                .iter()
                .min_by_key(|s| {
                    (
                        s.len() < crate::prefilter::sampled::MIN_LEN,
                        shared[s.as_slice()],
                        usize::MAX - s.len(),
                    )
                })
                .cloned()
        })
        .collect();
    for (c, anchor) in compiled.iter_mut().zip(chosen) {
        c.anchor = anchor.unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(patterns: &[&str]) -> Engine {
        let patterns: Vec<Pattern> =
            patterns.iter().enumerate().map(|(i, p)| Pattern::new(i, *p)).collect();
        Engine::new(&patterns, Options { default_year: 2024, ..Options::default() }).unwrap()
    }

    const LOG: &str = "\
2024-05-01T10:00:00Z INFO started
2024-05-01T10:00:01Z ERROR listen tcp :8080: bind: address already in use
2024-05-01T10:00:02Z ERROR disk quota exceeded on /var
2024-05-01T10:00:03Z FATAL: sorry, too many clients already
2024-05-01T10:00:04Z ERROR listen tcp :9090: bind: address already in use
no newline at the end ERROR listen tcp :1: bind: address already in use";

    #[test]
    fn counts_signatures_with_times_and_examples() {
        let e = engine(&[
            "listen tcp :<port>: bind: address already in use",
            "FATAL: sorry, too many clients already",
        ]);
        let t = e.scan(LOG.as_bytes());
        assert_eq!(t.lines, 6);
        let bind = &t.hits[&0];
        assert_eq!(bind.count, 3);
        assert_eq!(
            bind.first.map(timestamp::format_millis).as_deref(),
            Some("2024-05-01T10:00:01.000Z")
        );
        assert_eq!(
            bind.last.map(timestamp::format_millis).as_deref(),
            Some("2024-05-01T10:00:04.000Z")
        );
        assert_eq!(bind.examples.len(), 3);
        assert_eq!(t.hits[&1].count, 1);
        assert_eq!(t.unknown, ["2024-05-01T10:00:02Z ERROR disk quota exceeded on /var"]);
    }

    #[test]
    fn the_time_window_drops_lines_outside_it() {
        let patterns = [Pattern::new(0, "listen tcp :<port>: bind: address already in use")];
        let since = timestamp::parse_rfc3339("2024-05-01T10:00:02Z");
        let e = Engine::new(&patterns, Options { since, default_year: 2024, ..Options::default() })
            .unwrap();
        let t = e.scan(LOG.as_bytes());
        // 10:00:04 and the line without a timestamp.
        assert_eq!(t.hits[&0].count, 2);
    }

    #[test]
    fn many_signatures_find_the_same() {
        let mut many: Vec<String> =
            (0..300).map(|i| format!("unrelated failure ZK{i:04}QX happened")).collect();
        many.insert(0, "listen tcp :<port>: bind: address already in use".into());
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let e = engine(&refs);
        assert!(e.prefilter_name().starts_with("sampled/"), "{}", e.prefilter_name());
        assert_eq!(e.scan(LOG.as_bytes()).hits[&0].count, 3);
    }

    #[test]
    fn lenient_skips_what_it_cannot_use_and_says_which() {
        let patterns = [
            Pattern::new(0, "<*> <num>"),
            Pattern::new(1, "listen tcp :<port>: bind: address already in use"),
        ];
        assert!(Engine::new(&patterns, Options::default()).is_err());
        let (e, skipped) = Engine::lenient(&patterns, Options::default());
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].0, 0);
        assert_eq!(e.scan(LOG.as_bytes()).hits[&1].count, 3);
    }

    #[test]
    fn lines_with_only_error_words_or_short_anchors_are_checked() {
        // "<ip> up" has no anchor (verified everywhere); "disk full" a short one (Teddy).
        let e = engine(&["<ip> up", "disk full"]);
        let t = e.scan(b"10.0.0.1 up\nERROR disk full now\nmy error\nterror\n");
        assert_eq!(t.hits[&0].count, 1);
        assert_eq!(t.hits[&1].count, 1);
        assert_eq!(t.unknown, ["my error"]);
    }

    #[test]
    fn merging_is_splitting() {
        let e = engine(&["listen tcp :<port>: bind: address already in use"]);
        let whole = e.scan(LOG.as_bytes());
        let at = LOG.find("2024-05-01T10:00:03Z").unwrap();
        let mut parts = e.scan(&LOG.as_bytes()[..at]);
        parts.merge(e.scan(&LOG.as_bytes()[at..]), 3);
        assert_eq!(parts, whole);
    }

    #[test]
    fn binary_and_invalid_utf8_do_not_panic() {
        let e = engine(&["address already in use"]);
        let mut junk: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        junk.extend_from_slice(b"\xff\xfe ERROR \xc3 address already in use\n");
        let t = e.scan(&junk);
        assert_eq!(t.hits[&0].count, 1);
    }
}

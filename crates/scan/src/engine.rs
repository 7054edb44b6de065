//! The engine: every signature at once over a block of log, in one pass.
//!
//! The prefilter jumps from one candidate line to the next; on a candidate line an
//! Aho-Corasick automaton names the fingerprints present, and only their signatures are
//! verified. Lines that match no signature but carry an error word (`error`, `FATAL`,
//! `Exception`, `refused`...) are kept for clustering. What one block yields is a
//! [`Tally`]; tallies of consecutive blocks merge in order, so any split of the input gives
//! the same result.

use std::collections::BTreeMap;

use aho_corasick::AhoCorasick;

use crate::Error;
use crate::pattern::{Compiled, Pattern};
use crate::prefilter::Prefilter;
use crate::timestamp;

/// Words that make a line an error (or warning) worth clustering when no signature knows
/// it. Case variants are listed because the prefilter is case-sensitive.
const ERROR_WORDS: &[&str] = &[
    "error",
    "Error",
    "ERROR",
    "fail",
    "Fail",
    "FAIL",
    "fatal",
    "Fatal",
    "FATAL",
    "panic",
    "Panic",
    "PANIC",
    "xception",
    "Traceback",
    "refused",
    "denied",
    "timeout",
    "Timeout",
    "timed out",
    "warn",
    "Warn",
    "WARN",
    "CRIT",
    "crit",
    "SEVERE",
    "EMERG",
    "abort",
    "Abort",
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
    /// Every distinct fingerprint (signatures' then error words'), for the line check.
    line_automaton: AhoCorasick,
    /// Fingerprint index → patterns having it (empty for error words).
    fingerprint_patterns: Vec<Vec<u32>>,
    /// Fingerprints from this index on are error words.
    first_error_word: usize,
    /// Patterns with no fingerprint: verified on every line.
    everywhere: Vec<u32>,
    options: Options,
}

impl Engine {
    /// Compiles `patterns`. A pattern that cannot be compiled is an error naming it.
    pub fn new(patterns: &[Pattern], options: Options) -> Result<Self, Error> {
        let mut compiled = patterns.iter().map(Compiled::new).collect::<Result<Vec<_>, _>>()?;
        choose_fingerprints(&mut compiled);
        let mut fingerprints: Vec<Vec<u8>> = Vec::new();
        let mut fingerprint_patterns: Vec<Vec<u32>> = Vec::new();
        let mut everywhere = Vec::new();
        let mut index: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
        for (i, c) in compiled.iter().enumerate() {
            if c.fingerprint.is_empty() {
                everywhere.push(i as u32);
                continue;
            }
            let f = *index.entry(c.fingerprint.clone()).or_insert_with(|| {
                fingerprints.push(c.fingerprint.clone());
                fingerprint_patterns.push(Vec::new());
                fingerprints.len() - 1
            });
            fingerprint_patterns[f].push(i as u32);
        }
        let first_error_word = fingerprints.len();
        if options.unknown {
            for w in ERROR_WORDS {
                fingerprints.push(w.as_bytes().to_vec());
                fingerprint_patterns.push(Vec::new());
            }
        }
        let line_automaton = AhoCorasick::new(&fingerprints).map_err(|e| Error::Signature {
            signature: "(all signatures)".into(),
            reason: e.to_string(),
        })?;
        let prefilter_input: Vec<Vec<u8>> =
            fingerprints.iter().map(|f| f[..f.len().min(8)].to_vec()).collect();
        Ok(Engine {
            patterns: compiled,
            prefilter: Prefilter::new(&prefilter_input),
            line_automaton,
            fingerprint_patterns,
            first_error_word,
            everywhere,
            options,
        })
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Which prefilter runs (`teddy`, `fdr` or `none`).
    pub fn prefilter_name(&self) -> &'static str {
        self.prefilter.name()
    }

    /// Scans a block of whole lines (a line may lack its final newline only at the end).
    pub fn scan(&self, block: &[u8]) -> Tally {
        let mut tally = Tally { bytes: block.len() as u64, ..Tally::default() };
        tally.lines = memchr::memchr_iter(b'\n', block).count() as u64
            + u64::from(block.last().is_some_and(|&b| b != b'\n'));
        if !self.everywhere.is_empty() {
            // Some signature has nothing to prefilter on: every line is a candidate.
            for line in block.split(|&b| b == b'\n') {
                self.check_line(line, &mut tally);
            }
            return tally;
        }
        let mut pos = 0;
        while pos < block.len() {
            let Some(hit) = self.prefilter.find(block, pos) else { break };
            let start = memchr::memrchr(b'\n', &block[pos..hit]).map_or(pos, |i| pos + i + 1);
            let end = memchr::memchr(b'\n', &block[hit..]).map_or(block.len(), |i| hit + i);
            self.check_line(&block[start..end], &mut tally);
            pos = end + 1;
        }
        tally
    }

    /// Verifies one candidate line and records what it is.
    pub fn check_line(&self, line: &[u8], tally: &mut Tally) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut candidates: Vec<u32> = self.everywhere.clone();
        let mut error_word = false;
        for m in self.line_automaton.find_overlapping_iter(line) {
            let f = m.pattern().as_usize();
            if f >= self.first_error_word {
                error_word |= m.start() == 0
                    || !line[m.start() - 1].is_ascii_alphabetic()
                    || ERROR_WORDS[f - self.first_error_word] == "xception";
            } else {
                candidates.extend_from_slice(&self.fingerprint_patterns[f]);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut ids: Vec<usize> = candidates
            .iter()
            .map(|&p| &self.patterns[p as usize])
            .filter(|c| c.verify.is_match(line))
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

/// Picks each pattern's fingerprint among its windows: the one fewest other patterns
/// share (a window common to many signatures, such as `failed to`, is common in logs too),
/// then the statically rarest. Each pattern counts once per window.
fn choose_fingerprints(compiled: &mut [Compiled]) {
    let mut shared: rustc_hash::FxHashMap<&[u8], u32> = rustc_hash::FxHashMap::default();
    for c in compiled.iter() {
        let mut mine: Vec<&[u8]> = c.windows.iter().map(Vec::as_slice).collect();
        mine.sort_unstable();
        mine.dedup();
        for w in mine {
            *shared.entry(w).or_default() += 1;
        }
    }
    let chosen: Vec<Option<Vec<u8>>> = compiled
        .iter()
        .map(|c| {
            c.windows
                .iter()
                .min_by_key(|w| (shared[w.as_slice()], crate::pattern::rarity(w)))
                .cloned()
        })
        .collect();
    for (c, fp) in compiled.iter_mut().zip(chosen) {
        if let Some(fp) = fp {
            c.fingerprint = fp;
        }
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
    fn many_signatures_use_fdr_and_find_the_same() {
        let mut many: Vec<String> =
            (0..300).map(|i| format!("unrelated failure ZK{i:04}QX happened")).collect();
        many.insert(0, "listen tcp :<port>: bind: address already in use".into());
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let e = engine(&refs);
        assert_eq!(e.prefilter_name(), "fdr");
        assert_eq!(e.scan(LOG.as_bytes()).hits[&0].count, 3);
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

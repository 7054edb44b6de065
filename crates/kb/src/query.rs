//! The input of a diagnosis: an error message, a paste or a log, read within bounds.
//!
//! Whatever arrives (a 1 GB paste, binary data, invalid UTF-8, nothing) becomes a
//! [`Query`] with a clear account of what was kept: at most [`MAX_INPUT_BYTES`] are read
//! and at most [`MAX_LINES`] distinct lines are matched, and the query says when it cut.

use std::collections::HashSet;
use std::io::Read;

use crate::context;
use crate::cue;
use crate::generalise::{Piece, generalise};

/// Most bytes of input read: 4 MiB. Errors that matter fit many times over; a log file is
/// read from its end, where the latest errors are.
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;
/// Most distinct lines matched (after generalisation, repeated lines count once).
pub const MAX_LINES: usize = 5_000;
/// Longest line matched, in characters; the rest of a longer line is ignored.
pub const MAX_LINE_CHARS: usize = 2_000;

/// Shortest run of printable characters read from binary input.
pub const MIN_TEXT_RUN: usize = 8;

/// The runs of `text` that read as words, one a line: at least [`MIN_TEXT_RUN`]
/// printable characters (no control character, no replaced byte) holding a blank and a
/// lower-case word of 4 letters. Printable stretches of random bytes seldom have both.
fn text_runs(text: &str) -> String {
    let is_text = |run: &str| {
        run.chars().count() >= MIN_TEXT_RUN
            && run.contains([' ', '\t'])
            && run.as_bytes().windows(4).any(|w| w.iter().all(u8::is_ascii_lowercase))
    };
    let mut out = String::new();
    let breaks = |c: char| (c.is_control() && c != '\t') || c == char::REPLACEMENT_CHARACTER;
    for run in text.split(breaks).map(str::trim).filter(|run| is_text(run)) {
        out.push_str(run);
        out.push('\n');
    }
    out
}

/// One line of input, generalised.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// 1-based number in the input.
    pub number: usize,
    /// The text as given (trimmed, cut to [`MAX_LINE_CHARS`]).
    pub text: String,
    pub pieces: Vec<Piece>,
    pub terms: Vec<String>,
    /// How much its words count: error lines most, notes and commands less, the rest
    /// least.
    pub weight: f32,
}

/// A diagnosis input.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub(crate) lines: Vec<Line>,
    /// Names of programs and services the input mentions (prompts, log prefixes).
    pub(crate) context: Vec<context::Name>,
    notes: Vec<String>,
}

impl Query {
    /// A query from text.
    pub fn new(text: &str) -> Self {
        let mut query = Query::default();
        let mut seen = HashSet::new();
        let mut kept = 0usize;
        let mut total = 0usize;
        for (i, raw) in text.lines().enumerate() {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            total += 1;
            if kept >= MAX_LINES {
                continue;
            }
            let cut: String = trimmed.chars().take(MAX_LINE_CHARS).collect();
            let generalised = generalise(&cut);
            if generalised.pieces.is_empty() || !seen.insert(generalised.pieces.clone()) {
                continue;
            }
            kept += 1;
            let weight = if cut.starts_with(['√', '✓', '✔', '☑']) {
                // A check that passed says what is fine, not what is wrong.
                0.2
            } else if cue::prompt_command(&cut).is_some() {
                0.8
            } else if cue::is_error_like(&cut) {
                1.0
            } else if cut.starts_with('#') {
                0.7
            } else {
                0.5
            };
            query.lines.push(Line {
                number: i + 1,
                text: cut,
                pieces: generalised.pieces,
                terms: generalised.terms,
                weight,
            });
        }
        if total > MAX_LINES && kept >= MAX_LINES {
            query.notes.push(format!(
                "input has more than {MAX_LINES} distinct lines; only the first {MAX_LINES} were matched"
            ));
        }
        query.context = context::names(query.lines.iter().map(|l| l.text.as_str()));
        query
    }

    /// A query from raw bytes: invalid UTF-8 is replaced, NUL and other control bytes are
    /// dropped, and of input that is mostly binary only the runs that read as words are
    /// kept (much as `strings` finds them), so random bytes match nothing.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let text = String::from_utf8_lossy(bytes);
        let controls =
            text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).count();
        let binary = !bytes.is_empty() && controls * 10 > text.chars().count();
        let clean = if binary {
            text_runs(&text)
        } else {
            text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect()
        };
        let mut query = Query::new(&clean);
        if binary {
            query.notes.insert(
                0,
                format!(
                    "input looks binary; only its runs of text ({MIN_TEXT_RUN} or more \
                     printable characters with words) were read"
                ),
            );
        } else if matches!(text, std::borrow::Cow::Owned(_)) {
            query.notes.insert(0, "input is not valid UTF-8; bad bytes were replaced".to_owned());
        }
        if query.lines.is_empty() {
            query.notes.push("input has no text to match".to_owned());
        }
        query
    }

    /// Reads a query from a stream, at most [`MAX_INPUT_BYTES`] (a note says when cut).
    ///
    /// # Errors
    ///
    /// When the stream cannot be read.
    pub fn read(reader: impl Read) -> std::io::Result<Self> {
        let mut bytes = Vec::new();
        let read = reader.take(MAX_INPUT_BYTES as u64 + 1).read_to_end(&mut bytes)?;
        let cut = read > MAX_INPUT_BYTES;
        bytes.truncate(MAX_INPUT_BYTES);
        let mut query = Query::from_bytes(&bytes);
        if cut {
            query.notes.push(format!(
                "input is larger than {} MiB; only its first {} MiB were read",
                MAX_INPUT_BYTES >> 20,
                MAX_INPUT_BYTES >> 20
            ));
        }
        Ok(query)
    }

    /// Reads a log file, at most its last [`MAX_INPUT_BYTES`] (a note says when cut).
    ///
    /// # Errors
    ///
    /// When the file cannot be opened or read.
    pub fn read_log(path: &std::path::Path) -> std::io::Result<Self> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(path)?;
        let size = file.metadata()?.len();
        let limit = MAX_INPUT_BYTES as u64;
        if size <= limit {
            return Query::read(file);
        }
        file.seek(SeekFrom::Start(size - limit))?;
        let mut bytes = Vec::new();
        file.take(limit).read_to_end(&mut bytes)?;
        // Drop the partial first line.
        let start = bytes.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mut query = Query::from_bytes(&bytes[start..]);
        query.notes.push(format!(
            "log is larger than {} MiB; only its last {} MiB were read",
            MAX_INPUT_BYTES >> 20,
            MAX_INPUT_BYTES >> 20
        ));
        Ok(query)
    }

    /// What the reader had to say about the input (cut, binary, empty, ...).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Whether there is nothing to match.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The program and service names found in the input.
    pub fn context(&self) -> Vec<&str> {
        self.context.iter().map(|n| n.text.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_deduplicated_by_template_and_weighted() {
        let q = Query::new("retry 1 failed\nretry 2 failed\n\n$ psql -c 'select 1'\nhello there\n");
        assert_eq!(q.lines.len(), 3);
        assert_eq!(q.lines[0].number, 1);
        assert_eq!(q.lines[0].weight, 1.0);
        assert_eq!(q.lines[1].weight, 0.8);
        assert_eq!(q.lines[2].weight, 0.5);
    }

    #[test]
    fn bad_input_gets_notes() {
        assert!(Query::from_bytes(b"").notes().iter().any(|n| n.contains("no text")));
        let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        assert!(Query::from_bytes(&binary).notes()[0].contains("binary"));
        let q = Query::from_bytes(b"bad \xff\xfe utf8 error");
        assert!(q.notes()[0].contains("UTF-8"));
        assert!(!q.is_empty());
    }

    #[test]
    fn binary_input_keeps_its_text_runs_only() {
        // Deterministic noise with one message inside, as in a core file.
        let mut state = 0x2545_f491_u32;
        let mut bytes: Vec<u8> = (0..65_536)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 24) as u8
            })
            .collect();
        bytes.splice(30_000..30_000, b"\0\0FATAL: could not open relation 16384\0".iter().copied());
        let q = Query::from_bytes(&bytes);
        assert!(q.notes()[0].contains("binary"));
        assert!(q.lines.iter().any(|l| l.text == "FATAL: could not open relation 16384"));
        // The noise around it gives nothing to match.
        assert_eq!(q.lines.len(), 1, "{:?}", q.lines.iter().map(|l| &l.text).collect::<Vec<_>>());
    }

    #[test]
    fn big_input_is_cut_and_says_so() {
        let big = "x error line\n".repeat(MAX_INPUT_BYTES / 13 + 100);
        let q = Query::read(big.as_bytes()).unwrap();
        assert!(q.notes().iter().any(|n| n.contains("only its first 4 MiB")), "{:?}", q.notes());
        let many: String = (0..MAX_LINES + 10)
            .map(|i| format!("line {} {}\n", i, "ab".repeat(i % 50 + 1)))
            .collect();
        let q = Query::new(&many);
        assert!(q.lines.len() <= MAX_LINES);
    }
}

//! Signatures to look for, and how each is verified once the prefilter points at a line.
//!
//! A [`Pattern`] is an error message with typed placeholders (`listen tcp :<port>: bind:
//! address already in use`). It is split into literal parts and placeholders; its *anchor*
//! is one piece of its literal parts (what the prefilter searches for, chosen by the
//! engine), and its verifier is either the literal itself or a regex built from the parts,
//! compiled on first use and run only on lines where the anchor was seen.

use std::sync::OnceLock;

use memchr::memmem;
use regex::bytes::Regex;

use crate::Error;

/// Shortest literal piece that can serve as an anchor.
pub const MIN_ANCHOR_LEN: usize = 3;

/// One signature to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The caller's id, reported with every match.
    pub id: usize,
    /// The message with placeholders: `<*>` or `<any>` match anything, `<num>`, `<port>`,
    /// `<ip>`, `<host>`, `<uuid>`, `<hex>`, `<path>`, `<url>`, `<email>`, `<quoted>`,
    /// `<time>`, `<duration>` and `<size>` match a value of that kind. Runs of white space
    /// match any white space.
    pub text: String,
}

impl Pattern {
    /// A pattern with id `id`.
    pub fn new(id: usize, text: impl Into<String>) -> Self {
        Pattern { id, text: text.into() }
    }

    /// Whether the engine can use the pattern (it has literal text, and its placeholders
    /// make a valid regex).
    pub fn validate(&self) -> Result<(), Error> {
        Compiled::new(self).map(|_| ())
    }
}

/// A piece of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Slot(&'static str),
}

/// The regex a placeholder stands for; `None` for text that is not a placeholder.
fn slot_regex(name: &str) -> Option<&'static str> {
    Some(match name {
        "*" | "any" | "…" | "..." => r".*?",
        "num" | "number" | "int" => r"[-+]?\d[\d.,]*",
        "port" => r"\d{1,5}",
        "ip" => r"[0-9A-Fa-f.:]+",
        "host" | "hostname" => r"[A-Za-z0-9_.-]+",
        "uuid" => r"[0-9A-Za-z-]{8,}",
        "hex" | "id" => r"[0-9A-Za-z_-]+",
        "path" | "file" | "url" | "email" | "duration" | "quoted" => r"\S+",
        "size" => r"\d[\d.]*\s?[A-Za-z]*",
        "time" | "timestamp" | "date" => r"[0-9][0-9:.,TZ+/ -]*[0-9Z]",
        _ => return None,
    })
}

fn parts(text: &str) -> Vec<Part> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let slot =
            after.find('>').and_then(|close| slot_regex(&after[..close]).map(|r| (close, r)));
        match slot {
            Some((close, regex)) => {
                literal.push_str(&rest[..open]);
                if !literal.is_empty() {
                    out.push(Part::Literal(std::mem::take(&mut literal)));
                }
                out.push(Part::Slot(regex));
                rest = &after[close + 1..];
            }
            None => {
                literal.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(Part::Literal(literal));
    }
    out
}

/// Longest signature text accepted, in bytes: its regex then always fits the size limit.
pub const MAX_PATTERN_LEN: usize = 4096;

/// How a candidate line is confirmed.
#[derive(Debug, Clone)]
pub(crate) enum Verify {
    /// The pattern is one literal: a substring search.
    Literal(Box<memmem::Finder<'static>>),
    /// Literal parts and placeholders: the regex source, compiled the first time a line
    /// needs it (a knowledge base of 10,000 signatures loads without compiling any regex;
    /// a scan compiles those of the few signatures whose anchor is ever seen).
    Regex { source: String, compiled: OnceLock<Option<Regex>> },
}

impl Verify {
    /// Whether `line` holds the pattern.
    pub fn is_match(&self, line: &[u8]) -> bool {
        match self {
            Verify::Literal(f) => f.find(line).is_some(),
            Verify::Regex { source, compiled } => compiled
                .get_or_init(|| build_regex(source).ok())
                .as_ref()
                .is_some_and(|r| r.is_match(line)),
        }
    }
}

fn build_regex(source: &str) -> Result<Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(source).unicode(false).size_limit(64 << 20).build()
}

/// A pattern ready for scanning.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    /// The caller's id.
    pub id: usize,
    /// What the prefilter looks for: a literal piece of the pattern, chosen by the engine
    /// among [`Compiled::segments`]; empty when there is none, in which case every line is
    /// verified.
    pub anchor: Vec<u8>,
    /// Every piece of the literal parts that could serve as the anchor: at least
    /// [`MIN_ANCHOR_LEN`] bytes, at most [`MAX_ANCHOR_LEN`], no runs of blanks (white
    /// space in logs may be any run of blanks), not starting or ending in white space.
    pub segments: Vec<Vec<u8>>,
    /// The check on candidate lines.
    pub verify: Verify,
}

/// Longest anchor, in bytes.
pub const MAX_ANCHOR_LEN: usize = 64;

impl Compiled {
    /// Compiles `pattern`; a pattern with no literal text at all is an error. Cheap: the
    /// regex, when one is needed, is compiled on first use.
    pub fn new(pattern: &Pattern) -> Result<Self, Error> {
        if pattern.text.len() > MAX_PATTERN_LEN {
            return Err(Error::Signature {
                signature: pattern.text.chars().take(80).collect(),
                reason: format!("it is longer than {MAX_PATTERN_LEN} bytes"),
            });
        }
        let parts = parts(pattern.text.trim());
        let literals: Vec<&str> = parts
            .iter()
            .filter_map(|p| match p {
                Part::Literal(l) => Some(l.as_str()),
                Part::Slot(_) => None,
            })
            .collect();
        if literals.iter().all(|l| l.trim().is_empty()) {
            return Err(Error::Signature {
                signature: pattern.text.clone(),
                reason: "it has no literal text to look for".into(),
            });
        }
        let mut segments: Vec<Vec<u8>> =
            literals.iter().flat_map(|l| segments(l.as_bytes())).map(<[u8]>::to_vec).collect();
        segments.sort_unstable();
        segments.dedup();
        let single_literal = parts.len() == 1 && !parts_have_space_runs(&literals);
        let verify = if single_literal {
            Verify::Literal(Box::new(memmem::Finder::new(literals[0].as_bytes()).into_owned()))
        } else {
            let mut re = String::new();
            for part in &parts {
                match part {
                    Part::Literal(l) => push_literal(&mut re, l),
                    Part::Slot(r) => re.push_str(r),
                }
            }
            Verify::Regex { source: re, compiled: OnceLock::new() }
        };
        Ok(Compiled { id: pattern.id, anchor: Vec::new(), segments, verify })
    }

    /// Whether a confirmed anchor hit is already the whole match (a plain message whose
    /// anchor is all of it).
    pub fn anchor_is_match(&self) -> bool {
        matches!(&self.verify, Verify::Literal(f) if f.needle() == self.anchor.as_slice())
    }
}

/// Appends the regex for a literal part: a single space inside it matches exactly one
/// space, as the anchors the prefilter looks for hold them ([`segments`] cuts only at runs
/// of blanks, tabs and line breaks); those runs, and blanks at either end (next to a
/// placeholder), match any run of white space.
fn push_literal(re: &mut String, literal: &str) {
    let mut rest = literal;
    while !rest.is_empty() {
        let blank = rest.len() - rest.trim_start().len();
        if blank > 0 {
            let at_edge = blank == rest.len() || rest.len() == literal.len();
            re.push_str(if &rest[..blank] == " " && !at_edge { " " } else { r"\s+" });
            rest = &rest[blank..];
            continue;
        }
        let word = rest.find(char::is_whitespace).unwrap_or(rest.len());
        re.push_str(&regex::escape(&rest[..word]));
        rest = &rest[word..];
    }
}

fn parts_have_space_runs(literals: &[&str]) -> bool {
    literals.iter().any(|l| l.contains("  ") || l.contains('\t'))
}

/// The pieces of `literal` that may serve as an anchor: split at runs of blanks and at
/// tabs and line breaks, trimmed, cut at [`MAX_ANCHOR_LEN`] bytes (at a character
/// boundary), at least [`MIN_ANCHOR_LEN`] bytes long.
fn segments(literal: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut pieces = Vec::new();
    for piece in literal.split(|&b| b.is_ascii_whitespace() && b != b' ') {
        let mut start = 0;
        let mut i = 0;
        while i < piece.len() {
            if piece[i] == b' ' && piece.get(i + 1) == Some(&b' ') {
                pieces.push(&piece[start..i]);
                while i < piece.len() && piece[i] == b' ' {
                    i += 1;
                }
                start = i;
            } else {
                i += 1;
            }
        }
        pieces.push(&piece[start..]);
    }
    pieces.into_iter().filter_map(|p| {
        let p = p.trim_ascii();
        let mut end = p.len().min(MAX_ANCHOR_LEN);
        while end < p.len() && end > 0 && (p[end] & 0xc0) == 0x80 {
            end -= 1;
        }
        let p = p[..end].trim_ascii_end();
        (p.len() >= MIN_ANCHOR_LEN).then_some(p)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(text: &str) -> Compiled {
        Compiled::new(&Pattern::new(7, text)).unwrap()
    }

    #[test]
    fn placeholders_become_typed_regexes() {
        let c = compile("listen tcp :<port>: bind: address already in use");
        assert!(c.verify.is_match(b"2024 ERROR listen tcp :8080: bind: address already in use"));
        assert!(!c.verify.is_match(b"listen tcp :http: bind: address already in use"));
        assert!(matches!(c.verify, Verify::Regex { .. }));
        assert_eq!(c.id, 7);
    }

    #[test]
    fn a_plain_message_is_a_substring_search() {
        let c = compile("FATAL: sorry, too many clients already");
        assert!(matches!(c.verify, Verify::Literal(_)));
        assert!(c.verify.is_match(b"x FATAL: sorry, too many clients already y"));
        assert_eq!(c.segments, [b"FATAL: sorry, too many clients already".to_vec()]);
    }

    #[test]
    fn white_space_runs_match_any_blanks_and_unknown_angles_stay_literal() {
        let c = compile("Cannot query field <quoted> on type  <quoted>");
        assert!(c.verify.is_match(b"Cannot query field \"xyz\" on type \"ABC\""));
        let c = compile("expected <html> tag");
        assert!(c.verify.is_match(b"expected <html> tag"));
    }

    #[test]
    fn segments_split_at_blank_runs_and_are_cut() {
        let c = compile("disk <num>  is\tfull:  quota exceeded for user <*> now");
        let mut want: Vec<Vec<u8>> = ["disk", "full:", "quota exceeded for user", "now"]
            .map(|s| s.as_bytes().to_vec())
            .to_vec();
        want.sort();
        assert_eq!(c.segments, want);
        let long = "x".repeat(100);
        assert_eq!(compile(&long).segments, [vec![b'x'; MAX_ANCHOR_LEN]]);
        assert!(Compiled::new(&Pattern::new(0, "y".repeat(MAX_PATTERN_LEN + 1))).is_err());
    }

    #[test]
    fn the_verifier_agrees_with_the_anchors_about_white_space() {
        let c = compile("disk quota exceeded on <path>");
        assert!(c.verify.is_match(b"ERROR disk quota exceeded on /var"));
        // Every anchor holds single spaces, so the prefilter never offers this line: the
        // verifier must not accept it either, or results would depend on the anchor.
        assert!(!c.verify.is_match(b"ERROR disk quota  exceeded on /var"));
        let c = compile("disk  quota\texceeded <num> times");
        assert!(c.verify.is_match(b"disk quota   exceeded 3 times"));
        assert!(c.verify.is_match(b"disk\tquota exceeded 3\ttimes"));
    }

    #[test]
    fn a_pattern_of_only_placeholders_is_rejected() {
        let err = Compiled::new(&Pattern::new(0, "<*> <num>")).unwrap_err();
        assert!(err.to_string().contains("no literal text"), "{err}");
    }

    #[test]
    fn short_literals_have_no_segment_and_are_verified_everywhere() {
        let c = compile("<ip> up");
        assert!(c.segments.is_empty());
        assert!(c.verify.is_match(b"10.0.0.1 up"));
    }
}

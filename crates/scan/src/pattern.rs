//! Signatures to look for, and how each is verified once the prefilter points at a line.
//!
//! A [`Pattern`] is an error message with typed placeholders (`listen tcp :<port>: bind:
//! address already in use`). It is split into literal parts and placeholders; its
//! *fingerprint* is the rarest window of up to [`FINGERPRINT_LEN`] bytes of its literal parts
//! (what the prefilter searches for), and its verifier is either the literal itself or a
//! regex built from the parts, run only on candidate lines.

use memchr::memmem;
use regex::bytes::Regex;

use crate::Error;

/// Longest fingerprint: the prefilter compares at most this many bytes.
pub const FINGERPRINT_LEN: usize = 8;

/// Shortest literal part that can serve as a fingerprint.
pub const MIN_FINGERPRINT_LEN: usize = 3;

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

/// How a candidate line is confirmed.
#[derive(Debug, Clone)]
pub(crate) enum Verify {
    /// The pattern is one literal: a substring search.
    Literal(Box<memmem::Finder<'static>>),
    /// Literal parts and placeholders.
    Regex(Regex),
}

impl Verify {
    /// Whether `line` holds the pattern.
    pub fn is_match(&self, line: &[u8]) -> bool {
        match self {
            Verify::Literal(f) => f.find(line).is_some(),
            Verify::Regex(r) => r.is_match(line),
        }
    }
}

/// A pattern ready for scanning.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    /// The caller's id.
    pub id: usize,
    /// What the prefilter looks for; empty when no literal part is long enough, in which
    /// case every line is verified.
    pub fingerprint: Vec<u8>,
    /// Every window of the literal parts that could serve as the fingerprint.
    pub windows: Vec<Vec<u8>>,
    /// The check on candidate lines.
    pub verify: Verify,
}

impl Compiled {
    /// Compiles `pattern`; a pattern with no literal text at all is an error.
    pub fn new(pattern: &Pattern) -> Result<Self, Error> {
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
        let windows: Vec<Vec<u8>> =
            literals.iter().flat_map(|l| windows(l.as_bytes())).map(<[u8]>::to_vec).collect();
        let fingerprint = windows.iter().min_by_key(|w| score(w)).cloned().unwrap_or_default();
        let single_literal = parts.len() == 1 && !parts_have_space_runs(&literals);
        let verify = if single_literal {
            Verify::Literal(Box::new(memmem::Finder::new(literals[0].as_bytes()).into_owned()))
        } else {
            let mut re = String::new();
            for part in &parts {
                match part {
                    Part::Literal(l) => {
                        let words: Vec<String> = l.split_whitespace().map(regex::escape).collect();
                        if l.starts_with(char::is_whitespace) {
                            re.push_str(r"\s+");
                        }
                        re.push_str(&words.join(r"\s+"));
                        if l.ends_with(char::is_whitespace) && !words.is_empty() {
                            re.push_str(r"\s+");
                        }
                    }
                    Part::Slot(r) => re.push_str(r),
                }
            }
            let regex = regex::bytes::RegexBuilder::new(&re)
                .unicode(false)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| Error::Signature {
                    signature: pattern.text.clone(),
                    reason: e.to_string(),
                })?;
            Verify::Regex(regex)
        };
        Ok(Compiled { id: pattern.id, fingerprint, windows, verify })
    }
}

fn parts_have_space_runs(literals: &[&str]) -> bool {
    literals.iter().any(|l| l.contains("  ") || l.contains('\t'))
}

/// How common a byte is in logs (higher is more common), for picking rare fingerprints.
fn commonness(b: u8) -> u32 {
    match b {
        b' ' => 60,
        b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 40,
        b'0'..=b'9' => 35,
        b'l' | b'c' | b'd' | b'u' | b'h' | b'm' | b'p' => 30,
        b'.' | b':' | b'-' | b'/' | b'=' | b',' | b'_' => 28,
        b'a'..=b'z' => 20,
        b'A'..=b'Z' => 12,
        _ => 8,
    }
}

fn score(window: &[u8]) -> u32 {
    // Longer is rarer: a missing byte costs as much as the commonest one.
    window.iter().map(|&b| commonness(b)).sum::<u32>()
        + (FINGERPRINT_LEN - window.len()) as u32 * 70
}

/// Static rarity of a window: lower is rarer.
pub(crate) fn rarity(window: &[u8]) -> u32 {
    score(window)
}

/// Every window of up to [`FINGERPRINT_LEN`] bytes of `literal` that may serve as a
/// fingerprint: at least [`MIN_FINGERPRINT_LEN`] bytes, not starting or ending in white
/// space, without runs of blanks (white space in logs may be any run of blanks).
fn windows(literal: &[u8]) -> impl Iterator<Item = &[u8]> {
    let len = literal.len().min(FINGERPRINT_LEN);
    (0..=literal.len() - len).map(move |start| &literal[start..start + len]).filter(|w| {
        w.len() >= MIN_FINGERPRINT_LEN
            && !w[0].is_ascii_whitespace()
            && !w[w.len() - 1].is_ascii_whitespace()
            && !w.contains(&b'\t')
            && !w.windows(2).any(|p| p[0].is_ascii_whitespace() && p[1].is_ascii_whitespace())
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
        assert!(matches!(c.verify, Verify::Regex(_)));
        assert_eq!(c.id, 7);
    }

    #[test]
    fn a_plain_message_is_a_substring_search() {
        let c = compile("FATAL: sorry, too many clients already");
        assert!(matches!(c.verify, Verify::Literal(_)));
        assert!(c.verify.is_match(b"x FATAL: sorry, too many clients already y"));
        assert!(c.fingerprint.len() == FINGERPRINT_LEN);
        assert!(
            b"FATAL: sorry, too many clients already"
                .windows(8)
                .any(|w| w == c.fingerprint.as_slice())
        );
    }

    #[test]
    fn white_space_runs_match_any_blanks_and_unknown_angles_stay_literal() {
        let c = compile("Cannot query field <quoted> on type  <quoted>");
        assert!(c.verify.is_match(b"Cannot query field \"xyz\" on type \"ABC\""));
        let c = compile("expected <html> tag");
        assert!(c.verify.is_match(b"expected <html> tag"));
    }

    #[test]
    fn a_pattern_of_only_placeholders_is_rejected() {
        let err = Compiled::new(&Pattern::new(0, "<*> <num>")).unwrap_err();
        assert!(err.to_string().contains("no literal text"), "{err}");
    }

    #[test]
    fn short_literals_have_no_fingerprint_and_are_verified_everywhere() {
        let c = compile("<ip> up");
        assert!(c.fingerprint.is_empty());
        assert!(c.verify.is_match(b"10.0.0.1 up"));
    }
}

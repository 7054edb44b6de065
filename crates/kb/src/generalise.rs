//! Generalisation: a message into words and typed placeholders.
//!
//! The same pass runs over a guide's signatures and over the pasted input, so both sides
//! agree on what is variable. [`generalise`] gives the token sequence used for in-order
//! signature matching and the lexical terms used for similarity; [`template`] shows a
//! message with its variable parts replaced (`listen tcp <port>: bind: ...`).

use std::sync::LazyLock;

use regex::Regex;
use rust_stemmers::{Algorithm, Stemmer};

use crate::slot::Slot;

/// English stemming, so `resolving` meets `resolve` and `connections` meets `connection`.
static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Most words whose stems one thread remembers; the memo is cleared past this.
const STEM_MEMO: usize = 200_000;

thread_local! {
    /// Words repeat all through a guide or a log, and stemming is the costly part of
    /// generalising, so each thread remembers the stems it made.
    static STEMS: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The stem of a lowercased word, as the knowledge base stores it.
pub(crate) fn stem(word: &str) -> String {
    STEMS.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(stem) = memo.get(word) {
            return stem.clone();
        }
        if memo.len() >= STEM_MEMO {
            memo.clear();
        }
        let stem = STEMMER.stem(word).into_owned();
        memo.insert(word.to_owned(), stem.clone());
        stem
    })
}

/// One token of a generalised message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Piece {
    /// A lowercased word.
    Word(String),
    /// A variable part.
    Slot(Slot),
}

/// A message, generalised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generalised {
    /// Words and placeholders in order.
    pub pieces: Vec<Piece>,
    /// Lexical terms: the words, the whole form and the parts of `camelCase` and
    /// `snake_case` words, and the words inside paths, URLs, hosts and quoted values (a path
    /// such as `/var/lib/metald/x.db` says which program is involved).
    pub terms: Vec<String>,
}

/// The variable parts, in priority order: the earliest alternative that matches at a
/// position wins, so timestamps are tried before ports and URLs before paths.
const PATTERNS: [(Slot, &str); 14] = [
    (Slot::Url, r"(?-u:\b)[a-zA-Z][a-zA-Z0-9+.-]*://[^\s`'<>(){}\[\]]+"),
    (Slot::Email, r"(?-u:\b)[[0-9A-Za-z_].+-]+@[[0-9A-Za-z_]-]+\.[[0-9A-Za-z_].-]*[0-9A-Za-z_]"),
    (
        Slot::Uuid,
        r"(?-u:\b)[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?-u:\b)|(?-u:\b)[0-9A-HJKMNP-TV-Z]{26}(?-u:\b)",
    ),
    (
        Slot::Time,
        r"(?-u:\b)[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2}(?-u:\b))?|(?-u:\b)[0-9]{4}/[0-9]{2}/[0-9]{2}(?-u:\b)|(?-u:\b)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?(?:Z(?-u:\b))?|(?-u:\b)(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+[0-9]{1,2}(?-u:\b)",
    ),
    (Slot::Ip, r"(?-u:\b)[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?-u:\b)"),
    (Slot::Port, r":[0-9]{2,5}(?-u:\b)"),
    (
        Slot::Duration,
        r"(?-u:\b)[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h|d)(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))*(?-u:\b)",
    ),
    (Slot::Size, r"(?-u:\b)[0-9]+(?:\.[0-9]+)?\s?(?:[KMGTP]i?B|[KMGTP]i)(?-u:\b)"),
    (Slot::Hex, r"(?-u:\b)0x[0-9a-fA-F]+(?-u:\b)|(?-u:\b)[0-9a-fA-F]{6,}(?-u:\b)"),
    (
        Slot::Host,
        r"(?-u:\b)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+(?:com|net|org|io|dev|local|internal|lan|corp|svc|cluster|tech|cloud|app|co|ai|sh|me|info|biz|edu|gov|us|eu|de|uk|fr|jp|cn|ru|intra|home|example|test|invalid)(?-u:\b)|(?-u:\b)localhost(?-u:\b)",
    ),
    (
        Slot::Path,
        r"(?:~|\.{1,2})?/[[0-9A-Za-z_].@%+~*-]+(?:/[[0-9A-Za-z_].@%+~*-]*)*|(?-u:\b)[A-Za-z]:\\[[0-9A-Za-z_]\\.-]+|(?-u:\b)[[0-9A-Za-z_].-]+/[[0-9A-Za-z_].-]+/[[0-9A-Za-z_]./-]*[[0-9A-Za-z_]-]",
    ),
    (
        Slot::Quoted,
        r#"\\?"[^"\s\\]{0,80}\\?"|'[^'\s]{1,80}'|‘[^’\s]{0,80}’|“[^”\s]{0,80}”|`[^`\s]{1,80}`"#,
    ),
    (Slot::Any, r"<[^<>\s]{1,40}>|(?-u:\b)[xX]{3,}(?-u:\b)"),
    (Slot::Number, r"(?-u:\b)v?[0-9]+(?:[.,][0-9]+)*(?-u:\b)"),
];

/// All patterns as one alternation, for finding spans fast (a DFA search, no captures).
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    let all: Vec<String> = PATTERNS.iter().map(|(_, p)| format!("(?:{p})")).collect();
    Regex::new(&all.join("|")).expect("the placeholder patterns are valid")
});

/// Each pattern anchored, for telling which kind a found span is.
static KINDS: LazyLock<Vec<(Slot, Regex)>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|(slot, p)| (*slot, Regex::new(&format!("^(?:{p})$")).expect("valid pattern")))
        .collect()
});

/// The variable parts of `text`: (kind, start, end), in order.
fn spans(text: &str) -> impl Iterator<Item = (Slot, usize, usize)> + '_ {
    VARIABLE.find_iter(text).filter_map(move |m| {
        let slot = KINDS.iter().find(|(_, re)| re.is_match(m.as_str())).map(|(s, _)| *s)?;
        accepted(text, slot, m.start(), m.as_str())
            .then(|| (refine(slot, m.as_str()), m.start(), m.end()))
    })
}

/// Generalises one message (any text; nothing is rejected).
pub fn generalise(text: &str) -> Generalised {
    let mut out = Generalised::default();
    let mut at = 0;
    for (slot, start, end) in spans(text) {
        words(&text[at..start], &mut out);
        out.pieces.push(Piece::Slot(slot));
        let found = &text[start..end];
        if matches!(slot, Slot::Path | Slot::Url | Slot::Host | Slot::Quoted | Slot::Email) {
            inner_terms(found, &mut out.terms);
        }
        if slot == Slot::Port {
            // Which port is a weak hint of which service (5432, 6379, 8301, ...).
            out.terms.push(found.to_owned());
        }
        at = end;
    }
    words(&text[at..], &mut out);
    out
}

/// The lexical terms of long prose, fast: what [`generalise`] gives as terms, without
/// looking for placeholders (numbers, ids and hashes are left out, a port stays a hint).
/// Guide bodies are most of the text a knowledge base reads, and need no templates.
pub(crate) fn terms(text: &str) -> Vec<String> {
    let mut out = Generalised::default();
    let bytes = text.as_bytes();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        if c.is_alphanumeric() || c == '_' {
            start.get_or_insert(i);
            continue;
        }
        let Some(s) = start.take() else { continue };
        let word = &text[s..i];
        if word.bytes().all(|b| b.is_ascii_digit()) {
            if s > 0 && bytes[s - 1] == b':' && (2..=5).contains(&word.len()) {
                out.terms.push(format!(":{word}"));
            }
            continue;
        }
        let hexish = word.len() >= 6 && word.bytes().all(|b| b.is_ascii_hexdigit());
        if !hexish {
            words(word, &mut out);
        }
    }
    out.terms
}

/// The message with its variable parts replaced by placeholders.
pub fn template(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (slot, start, end) in spans(text) {
        out.push_str(&text[at..start]);
        if slot == Slot::Port {
            out.push(':');
        }
        out.push_str(slot.name());
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Second thoughts the regex cannot express (it has no look-behind).
fn accepted(text: &str, slot: Slot, start: usize, found: &str) -> bool {
    let before = text[..start].chars().next_back();
    match slot {
        // `and/or`, `I/O`: a path starts a word.
        Slot::Path => !before.is_some_and(|c| c.is_alphanumeric() || c == ':'),
        // A hex id has a digit and a letter; `deadline` is a word, `123456` a number.
        Slot::Hex => {
            found.starts_with("0x")
                || (found.bytes().any(|b| b.is_ascii_digit())
                    && found.bytes().any(|b| b.is_ascii_alphabetic()))
        }
        // `:8080` after a word or at a boundary; `a:12` inside an id is not a port.
        Slot::Port => before.is_none_or(|c| c != ':'),
        _ => true,
    }
}

/// A quoted value that is wholly a URL, path, number, ... is that kind: `"http://x"` is a
/// URL whether or not it is quoted.
fn refine(slot: Slot, found: &str) -> Slot {
    if slot != Slot::Quoted {
        return slot;
    }
    let inner =
        found.trim_matches(|c: char| matches!(c, '\\' | '"' | '\'' | '`' | '‘' | '’' | '“' | '”'));
    if inner.is_empty() {
        return slot;
    }
    KINDS
        .iter()
        .find(|(kind, re)| *kind != Slot::Quoted && re.is_match(inner))
        .map_or(slot, |(kind, _)| *kind)
}

/// Splits plain text into words and their terms.
fn words(text: &str, out: &mut Generalised) {
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        let raw = raw.trim_matches('_');
        if raw.chars().count() < 2 {
            continue;
        }
        if is_id(raw) {
            out.pieces.push(Piece::Slot(Slot::Hex));
            continue;
        }
        let lower = stem(&raw.to_lowercase());
        let parts: Vec<String> = split_parts(raw).iter().map(|p| stem(p)).collect();
        if parts.len() > 1 {
            if raw.contains('_') {
                out.pieces.push(Piece::Word(lower.clone()));
            } else {
                out.pieces.extend(parts.iter().cloned().map(Piece::Word));
            }
            out.terms.push(lower);
            out.terms.extend(parts);
        } else {
            out.pieces.push(Piece::Word(lower.clone()));
            out.terms.push(lower);
        }
    }
}

/// Words of a path, URL, host or quoted value, as lexical terms only.
fn inner_terms(text: &str, terms: &mut Vec<String>) {
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if raw.chars().count() >= 3 && raw.chars().any(char::is_alphabetic) && !is_id(raw) {
            terms.push(stem(&raw.to_lowercase()));
        }
    }
}

/// A random-looking id such as `ud91b2e0`: letters and digits alternate three times or
/// more. `sha256`, `k8s` and `x509` stay words.
fn is_id(word: &str) -> bool {
    let mut changes = 0;
    let mut last: Option<bool> = None;
    for c in word.chars().filter(char::is_ascii_alphanumeric) {
        let digit = c.is_ascii_digit();
        if last.is_some_and(|l| l != digit) {
            changes += 1;
        }
        last = Some(digit);
    }
    changes >= 3
}

/// The lowercased parts of a `camelCase`, `PascalCase`, `ALLCapsWord` or `snake_case`
/// word; a single part when it has none.
fn split_parts(word: &str) -> Vec<String> {
    // Most words have no inner boundary: skip the work (and the allocations) for them.
    let mut chars = word.chars();
    let mut prev = chars.next();
    let mut boundary = false;
    for c in chars {
        if c == '_' || (c.is_uppercase() && prev.is_some_and(char::is_alphabetic)) {
            boundary = true;
            break;
        }
        prev = Some(c);
    }
    if !boundary {
        return vec![word.to_lowercase()];
    }
    let mut parts = Vec::new();
    for chunk in word.split('_').filter(|c| !c.is_empty()) {
        let chars: Vec<char> = chunk.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            let boundary = (prev.is_lowercase() && cur.is_uppercase())
                || (prev.is_uppercase() && cur.is_uppercase() && next_lower);
            if boundary {
                parts.push(chars[start..i].iter().collect::<String>().to_lowercase());
                start = i;
            }
        }
        parts.push(chars[start..].iter().collect::<String>().to_lowercase());
    }
    parts.retain(|p| p.chars().count() >= 2);
    parts
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case(
        "Error: listen tcp :8090: bind: address already in use",
        "Error: listen tcp :<port>: bind: address already in use"
    )]
    #[case(
        "dial tcp 10.0.3.12:8081: connect: connection refused",
        "dial tcp <ip>:<port>: connect: connection refused"
    )]
    #[case("2025-06-02T07:15:33.481Z ERROR x", "<time> ERROR x")]
    #[case(
        "Jun 02 07:15:33 fc-host-12 metald[31877]: up",
        "<time> <time> fc-host-<num> metald[<num>]: up"
    )]
    #[case("open /var/lib/metald/vms.db: permission denied", "open <path>: permission denied")]
    #[case("Get \"http://127.0.0.1:9091/api\": boom", "Get <url>: boom")]
    #[case(
        "Cannot query field \"xyz\" on type \"ABC\"",
        "Cannot query field <quoted> on type <quoted>"
    )]
    #[case("took 4000ms, range: 2h0m0s", "took <duration>, range: <duration>")]
    #[case("id 550e8400-e29b-41d4-a716-446655440000 at 0x39", "id <uuid> at <hex>")]
    #[case("at ep-quiet-lake-482913.eu-central-1.aws.neon.tech", "at <host>")]
    #[case("etcd key: xxxxxx, port <port>", "etcd key: <*>, port <*>")]
    #[case("and/or I/O on db/migrations/001.sql", "and/or I/O on <path>")]
    #[case("memory target 512Mi", "memory target <size>")]
    fn templates(#[case] text: &str, #[case] want: &str) {
        assert_eq!(template(text), want);
    }

    #[test]
    fn pieces_and_terms() {
        let g = generalise("ShellCommandUnresponsiveException at /opt/metald/bin ERR_PNPM_X");
        let words: Vec<_> = g
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Word(w) => w.clone(),
                Piece::Slot(s) => s.name().to_owned(),
            })
            .collect();
        assert_eq!(
            words,
            ["shell", "command", "unrespons", "except", "at", "<path>", "err_pnpm_x"]
        );
        assert!(g.terms.contains(&"shellcommandunresponsiveexcept".to_owned()));
        assert!(g.terms.contains(&"metald".to_owned()));
        assert!(g.terms.contains(&"pnpm".to_owned()));
    }

    #[test]
    fn fast_terms_agree_with_generalise_on_words() {
        let text = "Error: open /var/lib/metald/vms.store at 10.0.0.1:5432 ShellCommandFailed id ud91b2e0 sha256";
        let mut slow = generalise(text).terms;
        let mut fast = terms(text);
        slow.sort();
        fast.sort();
        assert_eq!(fast, slow);
    }

    #[test]
    fn ids_are_slots_but_short_mixed_words_stay() {
        let g = generalise("pod x-ud91b2e0 uses k8s and sha256 and x509");
        assert!(g.pieces.contains(&Piece::Slot(Slot::Hex)));
        for w in ["k8s", "sha256", "x509"] {
            assert!(g.pieces.contains(&Piece::Word(w.into())), "{w}");
        }
    }

    #[test]
    fn any_text_is_fine() {
        for text in [
            "",
            "\u{0}\u{ffff}",
            "::::",
            "\"\"",
            "日本語のエラー",
            "a/b/c/",
            "x".repeat(5000).as_str(),
        ] {
            let _ = generalise(text);
            let _ = template(text);
        }
    }
}

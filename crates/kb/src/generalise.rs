//! Generalisation: a message into words and typed placeholders.
//!
//! The same pass runs over a guide's signatures and over the pasted input, so both sides
//! agree on what is variable. [`generalise`] gives the token sequence used for in-order
//! signature matching and the lexical terms used for similarity; [`template`] shows a
//! message with its variable parts replaced (`listen tcp <port>: bind: ...`).

use std::sync::{LazyLock, OnceLock};

use regex::Regex;
use regex_automata::{Input, meta};
use rust_stemmers::{Algorithm, Stemmer};

use crate::slot::Slot;

/// English stemming, so `resolving` meets `resolve` and `connections` meets `connection`.
static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Most words whose stems one thread remembers; the memo is cleared past this.
const STEM_MEMO: usize = 200_000;

thread_local! {
    /// Words repeat all through a guide or a log, and stemming is the costly part of
    /// generalising, so each thread remembers the stems it made.
    static STEMS: std::cell::RefCell<rustc_hash::FxHashMap<String, String>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
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

/// The patterns as the search runs them: the same, with the bounded repetitions of
/// non-ASCII classes (`[^"\s]{0,80}`) unbounded and their limits checked after a match
/// ([`within_limits`]). A bounded Unicode class compiles to one copy per repetition, which
/// made compiling these patterns cost more than a whole query.
fn search_pattern(slot: Slot, pattern: &str) -> String {
    match slot {
        Slot::Quoted => pattern.replace("{0,80}", "*").replace("{1,80}", "+"),
        Slot::Any => pattern.replace("{1,40}", "+"),
        _ => pattern.to_owned(),
    }
}

/// All patterns as one multi-pattern regex, in priority order: leftmost-first, like the
/// alternation of them all, and the match says which pattern it is.
static VARIABLE: LazyLock<meta::Regex> = LazyLock::new(|| {
    let all: Vec<String> = PATTERNS.iter().map(|(slot, p)| search_pattern(*slot, p)).collect();
    meta::Regex::new_many(&all).expect("the placeholder patterns are valid")
});

/// One pattern anchored, for telling whether a quoted value is wholly of a kind; each is
/// compiled the first time a value could be of its kind ([`may_be`]).
static KINDS: [OnceLock<Regex>; PATTERNS.len()] = [const { OnceLock::new() }; PATTERNS.len()];

fn anchored(i: usize) -> Regex {
    Regex::new(&format!("^(?:{})$", PATTERNS[i].1)).expect("valid pattern")
}

/// Whether a match of the search pattern keeps the limits of the original one: at most 80
/// characters inside quotes, 40 inside `<...>`.
fn within_limits(slot: Slot, found: &str) -> bool {
    match slot {
        Slot::Quoted => {
            let total = found.chars().count();
            let inner = if found.starts_with(['\\', '"']) {
                total - found.chars().filter(|c| matches!(c, '\\' | '"')).count()
            } else {
                total - 2
            };
            inner <= 80
        }
        Slot::Any => !found.starts_with('<') || found.chars().count() - 2 <= 40,
        _ => true,
    }
}

/// A necessary condition for `text` to be wholly of kind `slot`, cheap to test, so most
/// quoted words never run (or compile) the anchored patterns.
fn may_be(slot: Slot, text: &str) -> bool {
    let digit = || text.bytes().any(|b| b.is_ascii_digit());
    match slot {
        Slot::Url => text.contains("://"),
        Slot::Email => text.contains('@'),
        Slot::Uuid => matches!(text.len(), 26 | 36),
        Slot::Time => digit(),
        Slot::Ip => text.contains('.') && digit(),
        Slot::Port => text.starts_with(':'),
        Slot::Duration | Slot::Size | Slot::Number => digit(),
        Slot::Hex => {
            text.starts_with("0x")
                || (text.len() >= 6 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        }
        Slot::Host => text.contains('.') || text.contains("localhost"),
        Slot::Path => text.contains(['/', '\\']),
        Slot::Quoted => true,
        Slot::Any => text.contains(['<', 'x', 'X']),
    }
}

/// Whether `text` is wholly of kind `PATTERNS[i]`.
fn is_kind(i: usize, text: &str) -> bool {
    may_be(PATTERNS[i].0, text) && KINDS[i].get_or_init(|| anchored(i)).is_match(text)
}

/// The variable parts of `text`: (kind, start, end), in order.
fn spans(text: &str) -> impl Iterator<Item = (Slot, usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at <= text.len() {
            let m = VARIABLE.search(&Input::new(text).span(at..text.len()))?;
            let slot = PATTERNS[m.pattern().as_usize()].0;
            let found = &text[m.start()..m.end()];
            if !within_limits(slot, found) {
                // The original pattern does not match here; no other starts with a quote.
                at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            at = if m.is_empty() {
                m.end() + text[m.end()..].chars().next().map_or(1, char::len_utf8)
            } else {
                m.end()
            };
            if accepted(text, slot, m.start(), found) {
                return Some((refine(slot, found), m.start(), m.end()));
            }
        }
        None
    })
}

/// Generalises one message (any text; nothing is rejected).
pub fn generalise(text: &str) -> Generalised {
    let mut out = Generalised::default();
    walk(text, |part| match part {
        Part::Run(raw) => run(raw, &mut out),
        Part::Slot(slot, found) => {
            out.pieces.push(Piece::Slot(slot));
            slot_terms(slot, found, &mut out.terms);
        }
    });
    out
}

/// What [`walk`] finds in a message, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part<'a> {
    /// A run of text between separators (letters, digits and `_`, possibly empty): its
    /// pieces and terms are what [`run`] makes of it, always the same for the same run.
    Run(&'a str),
    /// A variable part and the text it replaces.
    Slot(Slot, &'a str),
}

/// The runs and variable parts of a message, in order: the one pass behind [`generalise`]
/// (and the builder's memoised form of it).
pub(crate) fn walk<'a>(text: &'a str, mut part: impl FnMut(Part<'a>)) {
    let mut at = 0;
    let plain = |segment: &'a str, part: &mut dyn FnMut(Part<'a>)| {
        for raw in segment.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !raw.is_empty() {
                part(Part::Run(raw));
            }
        }
    };
    for (slot, start, end) in spans(text) {
        plain(&text[at..start], &mut part);
        part(Part::Slot(slot, &text[start..end]));
        at = end;
    }
    plain(&text[at..], &mut part);
}

/// The lexical terms a variable part adds: the words inside paths, URLs, hosts, quoted
/// values and e-mail addresses, and a port as a weak hint of which service (5432, 6379).
pub(crate) fn slot_terms(slot: Slot, found: &str, terms: &mut Vec<String>) {
    if matches!(slot, Slot::Path | Slot::Url | Slot::Host | Slot::Quoted | Slot::Email) {
        inner_terms(found, terms);
    }
    if slot == Slot::Port {
        terms.push(found.to_owned());
    }
}

/// The lexical terms of long prose, fast: what [`generalise`] gives as terms, without
/// looking for placeholders (numbers, ids and hashes are left out, a port stays a hint).
/// Guide bodies are most of the text a knowledge base reads, and need no templates.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn terms(text: &str) -> Vec<String> {
    let mut out = Generalised::default();
    scan_terms(text, |found| match found {
        Scanned::Word(word) => words(word, &mut out),
        Scanned::Port(digits) => out.terms.push(format!(":{digits}")),
    });
    out.terms
}

/// What [`scan_terms`] finds in prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scanned<'a> {
    /// A run of letters, digits and `_` that is not a number or a hex id: its terms are
    /// those [`run`] makes.
    Word(&'a str),
    /// The digits of a `:port`.
    Port(&'a str),
}

/// The words and ports of prose, in order, for [`terms`] and for the builder (which
/// remembers the terms of each distinct word instead of making them again).
pub(crate) fn scan_terms<'a>(text: &'a str, mut found: impl FnMut(Scanned<'a>)) {
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
                found(Scanned::Port(word));
            }
            continue;
        }
        let hexish = word.len() >= 6 && word.bytes().all(|b| b.is_ascii_hexdigit());
        if !hexish {
            found(Scanned::Word(word));
        }
    }
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
    (0..PATTERNS.len())
        .find(|&i| PATTERNS[i].0 != Slot::Quoted && is_kind(i, inner))
        .map_or(slot, |i| PATTERNS[i].0)
}

/// Splits plain text into words and their terms.
fn words(text: &str, out: &mut Generalised) {
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        run(raw, out);
    }
}

/// The pieces and terms of one run of letters, digits and `_`.
pub(crate) fn run(raw: &str, out: &mut Generalised) {
    let raw = raw.trim_matches('_');
    if raw.chars().count() < 2 {
        return;
    }
    if is_id(raw) {
        out.pieces.push(Piece::Slot(Slot::Hex));
        return;
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

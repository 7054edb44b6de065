//! Glob patterns of `pat()`, with Gatus's semantics.
//!
//! Gatus removes every `/` from both the pattern and the text, then applies Go's
//! `path/filepath.Match`: `*` matches any run of characters (newlines included, since no
//! `/` is left), `?` one character, `[a-z]`/`[^0-9]` a class, `\` escapes the next
//! character. A malformed pattern (`[a`, a trailing `\`) matches nothing.
//!
//! ```
//! use triage_condition::pattern::matches;
//!
//! assert!(matches("living*_*3", "livingroom_123"));
//! assert!(matches("*ready*", "server ready\n"));
//! assert!(!matches("room*123", "livingroom_123"));
//! ```

/// Whether `text` matches the glob `pattern` as Gatus's `pat()` decides it.
pub fn matches(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    // A `/` stops `*` in filepath.Match; Gatus drops them so that URLs and paths match.
    let pattern = pattern.replace('/', "");
    let text = text.replace('/', "");
    glob_match(pattern.as_bytes(), text.as_bytes()).unwrap_or(false)
}

/// A malformed pattern.
struct BadPattern;

/// Go's `filepath.Match` on bytes; `Err` for a malformed pattern.
fn glob_match(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, BadPattern> {
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing `*` matches the rest.
            return Ok(!name.contains(&b'/'));
        }
        let attempt = match_chunk(chunk, name);
        if let Ok(Some(left)) = attempt
            && (left.is_empty() || !pattern.is_empty())
        {
            name = left;
            continue;
        }
        attempt?;
        if star {
            // Let the star swallow one more byte at a time.
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                if let Some(left) = match_chunk(chunk, &name[i + 1..])? {
                    // The last chunk has to consume the whole name.
                    if pattern.is_empty() && !left.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = left;
                    continue 'chunks;
                }
                i += 1;
            }
        }
        // No match; still report a malformed rest of the pattern, as Go does.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, b"")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off leading stars and the literal chunk up to the next star outside a class.
fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while let [b'*', rest @ ..] = pattern {
        pattern = rest;
        star = true;
    }
    let mut in_class = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'*' if !in_class => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Matches one chunk at the start of `s`: `Some(rest of s)`, `None` when it does not match.
fn match_chunk<'s>(mut chunk: &[u8], mut s: &'s [u8]) -> Result<Option<&'s [u8]>, BadPattern> {
    // After a mismatch the chunk is still read to the end, to report a malformed one.
    let mut failed = false;
    while let Some(&first) = chunk.first() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match first {
            b'[' => {
                let mut r = 0;
                if !failed {
                    let (c, n) = decode(s);
                    r = c;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = class_char(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let (h, rest) = class_char(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n) = decode(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                if first == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(BadPattern);
                    }
                }
                if !failed {
                    if chunk[0] != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok(if failed { None } else { Some(s) })
}

/// One (possibly escaped) character of a class, and the rest of the chunk.
fn class_char(chunk: &[u8]) -> Result<(u32, &[u8]), BadPattern> {
    let mut chunk = match chunk.first() {
        None | Some(b'-') | Some(b']') => return Err(BadPattern),
        Some(_) => chunk,
    };
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return Err(BadPattern);
        }
    }
    let (c, n) = decode(chunk);
    let rest = &chunk[n..];
    if c == u32::from(char::REPLACEMENT_CHARACTER) && n == 1 || rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((c, rest))
}

/// The code point at the start of non-empty `s` and its length in bytes; an invalid
/// sequence reads as U+FFFD of one byte, as Go's `utf8.DecodeRune` does.
fn decode(s: &[u8]) -> (u32, usize) {
    let width = match s[0] {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 0,
    };
    match s.get(..width).and_then(|b| std::str::from_utf8(b).ok()) {
        Some(text) if width > 0 => text.chars().next().map_or((0xfffd, 1), |c| (c.into(), width)),
        _ => (0xfffd, 1),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("a?c", "abc", true)]
    #[case("a?c", "ac", false)]
    #[case("[a-c]x", "bx", true)]
    #[case("[^a-c]x", "bx", false)]
    #[case("[^a-c]x", "dx", true)]
    #[case("a\\*b", "a*b", true)]
    #[case("a\\*b", "axb", false)]
    #[case("é?", "éa", true)]
    #[case("?", "é", true)]
    #[case("*ready*", "line one\nserver ready\n", true)]
    #[case("http:*example.com*", "http://example.com/health", true)]
    #[case("", "", true)]
    #[case("", "a", false)]
    fn globs(#[case] pattern: &str, #[case] text: &str, #[case] want: bool) {
        assert_eq!(matches(pattern, text), want, "{pattern} on {text:?}");
    }

    #[rstest]
    #[case("[a")]
    #[case("[]")]
    #[case("a\\")]
    #[case("[a-]")]
    #[case("*[")]
    fn malformed_patterns_match_nothing(#[case] pattern: &str) {
        assert!(!matches(pattern, "a"));
        assert!(!matches(pattern, ""));
        assert!(!matches(pattern, "[a"));
    }
}

//! Splitting a message into tokens and masking the parts that are obviously variable.
//!
//! Tokens are separated by whitespace. Inside a token, the pieces between punctuation
//! (`=`, `:`, `,`, brackets, quotes, `/`) that hold a digit are replaced by [`MASK`]: numbers,
//! ids, addresses, sizes and durations vary from line to line while `uid=`, `/` and `:`
//! stay, so `uid=10037,` becomes `uid=<*>,` and `/10.0.0.1:45307` becomes `/<*>:<*>`.

/// The placeholder for a variable part of a message.
pub const MASK: &str = "<*>";

/// Most tokens of one message that are mined: a single huge line costs no more than this.
pub(crate) const MAX_TOKENS: usize = 512;

/// Longest token kept as it is; longer ones are blobs (base64, dumps) and are masked.
const MAX_TOKEN_LEN: usize = 256;

/// Characters that separate the pieces of one token.
fn is_separator(b: u8) -> bool {
    matches!(
        b,
        b'=' | b':'
            | b','
            | b';'
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'"'
            | b'\''
            | b'/'
            | b'<'
            | b'>'
            | b'|'
            | b'@'
    )
}

/// `token` with every digit-bearing piece masked (borrowed when nothing changed).
#[cfg(test)]
pub(crate) fn mask(token: &str) -> std::borrow::Cow<'_, str> {
    let mut out = String::new();
    if mask_into(token, &mut out) { out.into() } else { token.into() }
}

/// [`mask`] into `out` (cleared first), so that one buffer serves every token: returns
/// false, leaving `out` empty, when the masked token is `token` itself.
pub(crate) fn mask_into(token: &str, out: &mut String) -> bool {
    out.clear();
    let bytes = token.as_bytes();
    if token.len() > MAX_TOKEN_LEN {
        out.push_str(MASK);
        return true;
    }
    if !bytes.iter().any(u8::is_ascii_digit) && !has_long_hex(bytes) {
        return false;
    }
    if token == MASK {
        return false;
    }
    let mut piece_start = 0;
    let flush = |out: &mut String, piece: &str| {
        if is_variable_piece(piece) {
            out.push_str(MASK);
        } else {
            out.push_str(piece);
        }
    };
    for (i, &b) in bytes.iter().enumerate() {
        if is_separator(b) {
            flush(out, &token[piece_start..i]);
            out.push(b as char);
            piece_start = i + 1;
        }
    }
    flush(out, &token[piece_start..]);
    true
}

/// Shortest run of hex letters taken for a number (`ffffffff`) rather than a word.
const MIN_HEX_WORD: usize = 8;

/// A piece of a token that is a value: it holds a digit, or is a long run of hex digits.
fn is_variable_piece(piece: &str) -> bool {
    piece.bytes().any(|b| b.is_ascii_digit())
        || (piece.len() >= MIN_HEX_WORD && piece.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn has_long_hex(bytes: &[u8]) -> bool {
    let mut run = 0;
    for &b in bytes {
        run = if b.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run >= MIN_HEX_WORD {
            return true;
        }
    }
    false
}

/// Units that follow a number: `12 KB`, `3 sec`, `40 %`. A unit after a variable is part
/// of the variable.
const UNITS: &[&str] = &[
    "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "ns", "us", "ms", "s", "sec", "secs",
    "min", "mins", "h", "%",
];

/// Whether `token` (punctuation around it aside) is a unit of measure.
pub(crate) fn is_unit(token: &str) -> bool {
    let word = token.trim_matches(|c: char| c.is_ascii_punctuation() && c != '%');
    !word.is_empty() && UNITS.iter().any(|u| u.eq_ignore_ascii_case(word))
}

/// Whether a masked token is nothing but variables and punctuation (`<*>`, `(<*>`, `<*>,`).
pub(crate) fn is_pure_variable(token: &str) -> bool {
    let mut rest = token;
    let mut any = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix(MASK) {
            any = true;
            rest = after;
        } else if rest.as_bytes()[0].is_ascii_punctuation() {
            rest = &rest[1..];
        } else {
            return false;
        }
    }
    any
}

/// The whitespace-separated tokens of `message`, at most [`MAX_TOKENS`].
pub(crate) fn tokens(message: &str) -> impl Iterator<Item = &str> {
    message.split_ascii_whitespace().take(MAX_TOKENS)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("uid=10037,", "uid=<*>,")]
    #[case("/10.10.34.11:45307", "/<*>:<*>")]
    #[case("blk_-6952295868487656571", "<*>")]
    #[case("proxy.example.org:5070", "proxy.example.org:<*>")]
    #[case("terminating", "terminating")]
    #[case("<*>", "<*>")]
    #[case("mask=ffffffff", "mask=<*>")]
    #[case("added", "added")]
    #[case("AppWindowToken{9f4ef63", "AppWindowToken{<*>")]
    fn masks_digit_pieces(#[case] token: &str, #[case] want: &str) {
        assert_eq!(mask(token), want);
    }

    #[test]
    fn masking_is_idempotent() {
        for token in ["uid=10037,", "/10.0.0.1:80", "a<b>1", "x", "<*>", "ffffffffff:1"] {
            let once = mask(token).into_owned();
            assert_eq!(mask(&once), once);
        }
    }

    #[test]
    fn units_and_pure_variables() {
        assert!(is_unit("KB)") && is_unit("sec") && !is_unit("bytes"));
        assert!(
            is_pure_variable("(<*>") && is_pure_variable("<*>:<*>") && !is_pure_variable("uid=<*>")
        );
    }

    #[test]
    fn long_tokens_are_blobs() {
        assert_eq!(mask(&"a".repeat(MAX_TOKEN_LEN + 1)), MASK);
        assert_eq!(tokens(&"x ".repeat(MAX_TOKENS * 2)).count(), MAX_TOKENS);
    }
}

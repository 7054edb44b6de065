//! Bytes read from files as text.

use std::borrow::Cow;

/// `bytes` as UTF-8, invalid sequences replaced by U+FFFD. Valid text, the usual case, is
/// checked with the standard library's fast validator and borrowed; only invalid input
/// takes the slower replacing pass (`String::from_utf8_lossy` costs several times more
/// per byte even on valid text).
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_valid_text_and_replaces_invalid_bytes() {
        assert!(matches!(lossy("héllo".as_bytes()), Cow::Borrowed("héllo")));
        let replaced = lossy(b"a\xffb");
        assert!(matches!(replaced, Cow::Owned(_)));
        assert_eq!(replaced, "a\u{fffd}b");
    }
}

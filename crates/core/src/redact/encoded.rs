//! Secrets in encoded form: a base64 blob that decodes to text holding a secret (a
//! Kubernetes `.dockerconfigjson`, a base64 PEM key, a base64 JWT, `user:token` in a
//! registry auth header), and the URL-encoded and base64 copies of a secret found elsewhere.

use std::ops::Range;

use regex::Regex;

/// Blobs longer than this are not decoded (images, fonts, archives).
const MAX_BLOB: usize = 64 << 10;

/// A base64 blob, standard or URL-safe alphabet, long enough to hold a secret and a name
/// for it.
pub(crate) const BLOB_PATTERN: &str = r"[A-Za-z0-9+/_-]{32,}={0,2}";

/// Masks every blob of `regex` matches that decodes to text in which `holds_secret` finds one.
pub(crate) fn secret_blobs(
    regex: &Regex,
    text: &str,
    holds_secret: impl Fn(&str) -> bool,
    spans: &mut Vec<Range<usize>>,
) {
    for m in regex.find_iter(text) {
        let blob = m.as_str();
        if blob.len() > MAX_BLOB || !has_letters_of_both_cases(blob) {
            continue;
        }
        let Some(decoded) = decode_base64(blob) else { continue };
        if holds_secret(&decoded) {
            spans.push(m.range());
        }
    }
}

/// Hex digests and words are not worth decoding: base64 of text mixes cases.
fn has_letters_of_both_cases(blob: &str) -> bool {
    blob.bytes().any(|b| b.is_ascii_lowercase()) && blob.bytes().any(|b| b.is_ascii_uppercase())
}

/// The text a base64 string (either alphabet, padded or not) decodes to, if it is printable
/// UTF-8.
pub(crate) fn decode_base64(blob: &str) -> Option<String> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::with_capacity(blob.len() * 3 / 4);
    for b in blob.bytes() {
        let sextet = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = bits << 6 | u32::from(sextet);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    let printable = text.chars().filter(|c| !c.is_control() || c.is_whitespace()).count();
    (printable * 10 >= text.chars().count() * 9).then_some(text)
}

/// Standard base64 with padding.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A secret as a URL query or form would carry it (`@` as `%40`), if that differs.
pub(crate) fn url_encode(secret: &str) -> Option<String> {
    let mut out = String::with_capacity(secret.len() * 3);
    for b in secret.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    (out != secret).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for text in ["", "a", "ab", "abc", "user:p4ss@word", "ünïcode"] {
            assert_eq!(decode_base64(&encode_base64(text.as_bytes())).as_deref(), Some(text));
        }
        assert_eq!(encode_base64(b"user:pass"), "dXNlcjpwYXNz");
    }

    #[test]
    fn binary_is_not_text() {
        assert_eq!(decode_base64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"), None);
    }

    #[test]
    fn url_encoding() {
        assert_eq!(url_encode("p@ss:w/rd").as_deref(), Some("p%40ss%3Aw%2Frd"));
        assert_eq!(url_encode("plain"), None);
    }
}

//! Secrets in encoded form: a base64 blob that decodes to text holding a secret (a
//! Kubernetes `.dockerconfigjson`, a base64 PEM key, a base64 JWT, `user:token` in a
//! registry auth header), and the URL-encoded and base64 copies of a secret found elsewhere.

use std::ops::Range;

/// Blobs longer than this are not decoded (images, fonts, archives).
const MAX_BLOB: usize = 64 << 10;

/// A base64 blob, standard or URL-safe alphabet, long enough to hold a secret and a name
/// for it (the prefilter's entry; [`secret_blobs`] finds the same runs by hand).
pub(crate) const BLOB_PATTERN: &str = r"[A-Za-z0-9+/_-]{32,}={0,2}";

/// The shortest blob worth decoding.
const MIN_BLOB: usize = 32;

/// Masks every base64 blob of `text` that decodes to text in which `holds_secret` finds a
/// secret. Blobs inside `spans` (masked by other shapes) are not decoded again.
pub(crate) fn secret_blobs(
    text: &str,
    holds_secret: impl Fn(&str) -> bool,
    spans: &mut Vec<Range<usize>>,
) {
    let mut masked = spans.clone();
    masked.sort_by_key(|s| s.start);
    let already_masked = |blob: &Range<usize>| {
        let i = masked.partition_point(|s| s.start <= blob.start);
        i > 0 && masked[i - 1].end >= blob.end
    };
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if BASE64[usize::from(bytes[at])] == 0 {
            at += 1;
            continue;
        }
        // One pass over the run notes which letter cases it has.
        let start = at;
        let mut cases = 0;
        while at < bytes.len() {
            let class = BASE64[usize::from(bytes[at])];
            if class == 0 {
                break;
            }
            cases |= class;
            at += 1;
        }
        let run_end = at;
        while at < bytes.len() && bytes[at] == b'=' && at - run_end < 2 {
            at += 1;
        }
        let blob = start..at;
        let both_cases = cases & (LOWER | UPPER) == LOWER | UPPER;
        if !(MIN_BLOB..=MAX_BLOB).contains(&(run_end - start))
            || !both_cases
            || already_masked(&blob)
        {
            continue;
        }
        let decoded = decode_base64(&text[blob.clone()]);
        if decoded.is_some_and(|d| !super::is_public_pem(&d) && holds_secret(&d)) {
            spans.push(blob);
        }
    }
}

/// Base64 characters by class: 0 for others, [`LOWER`] and [`UPPER`] for letters.
const BASE64: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_lowercase() {
            LOWER
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_digit() || matches!(c, b'+' | b'/' | b'_' | b'-') {
            OTHER
        } else {
            0
        };
        b += 1;
    }
    table
};
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const OTHER: u8 = 4;

/// The text a base64 string (either alphabet, padded or not) decodes to, if it is printable
/// UTF-8. Binary data is told apart within a few bytes: it soon decodes to a control byte.
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
            let byte = (bits >> count) as u8;
            if byte.is_ascii_control() && !byte.is_ascii_whitespace() {
                return None;
            }
            out.push(byte);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8(out).ok()
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
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    if secret.bytes().all(plain) {
        return None;
    }
    let mut out = String::with_capacity(secret.len() * 3);
    for b in secret.bytes() {
        if plain(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    Some(out)
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

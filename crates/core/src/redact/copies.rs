//! Finding many literal secrets in a long text at once.
//!
//! A text full of secrets (a diagnostic bundle) yields hundreds of them, each also looked for
//! URL-encoded and in base64. Searching for each in turn, or compiling them into one regex,
//! costs far more than finding them: instead every secret is filed under its first
//! [`PREFIX`] bytes, and one pass over the text looks each window of that size up.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

/// Bytes of a secret it is filed under; secrets must be at least this long.
const PREFIX: usize = 8;

/// Every occurrence of every secret in `text` (secrets shorter than [`PREFIX`] are skipped).
pub(crate) fn find(text: &str, mut secrets: Vec<String>) -> Vec<Range<usize>> {
    secrets.retain(|s| s.len() >= PREFIX);
    // Longest first, so that at one position the longest secret wins.
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
    let mut by_prefix: HashMap<u64, Vec<&[u8]>, BuildHasherDefault<WindowHasher>> =
        HashMap::default();
    for secret in &secrets {
        by_prefix.entry(window(secret.as_bytes(), 0)).or_default().push(secret.as_bytes());
    }
    // The first two bytes of every secret, as bits: most positions fail this one test.
    let mut starts = vec![0u64; 1 << 10];
    for secret in &secrets {
        let pair = usize::from(u16::from_le_bytes([secret.as_bytes()[0], secret.as_bytes()[1]]));
        starts[pair >> 6] |= 1 << (pair & 63);
    }
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at + PREFIX <= bytes.len() {
        let pair = usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
        if starts[pair >> 6] & 1 << (pair & 63) == 0 {
            at += 1;
            continue;
        }
        let hit = by_prefix
            .get(&window(bytes, at))
            .and_then(|candidates| candidates.iter().find(|s| bytes[at..].starts_with(s)));
        match hit {
            Some(secret) => {
                found.push(at..at + secret.len());
                at += secret.len();
            }
            None => at += 1,
        }
    }
    found
}

/// The [`PREFIX`] bytes at `at` as one number.
fn window(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; PREFIX];
    word.copy_from_slice(&bytes[at..at + PREFIX]);
    u64::from_le_bytes(word)
}

/// A hasher for keys that are already well mixed bytes: one multiplication.
#[derive(Default)]
struct WindowHasher(u64);

impl Hasher for WindowHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ n >> 29).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_copy_is_found_longest_first() {
        let text = "a=s3cr3t-value b=s3cr3t-value-longer c=s3cr3t-val";
        let found = find(text, vec!["s3cr3t-value".into(), "s3cr3t-value-longer".into()]);
        let words: Vec<&str> = found.into_iter().map(|r| &text[r]).collect();
        assert_eq!(words, ["s3cr3t-value", "s3cr3t-value-longer"]);
    }

    #[test]
    fn short_secrets_and_short_texts_are_fine() {
        assert!(find("abc", vec!["abcdefghij".into()]).is_empty());
        assert!(find("abcdefghij", vec!["abc".into()]).is_empty());
    }
}

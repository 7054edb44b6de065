//! Reading lines with bounded memory, whatever the input holds.
//!
//! A line longer than the limit is cut: its first `max` bytes are the line, the rest is
//! skipped up to the next newline. So a single 100 MB line, or a binary file with no
//! newline at all, costs `max` bytes of memory and not its size.

use std::io::{self, BufRead};

/// Longest line kept by default, in bytes (64 KiB).
pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

/// Calls `each` with every line of `input` (without `\n` or `\r\n`), at most `max` bytes
/// of each; stops early when `each` returns `false`. Returns the bytes read.
pub fn for_each_line<R: BufRead>(
    mut input: R,
    max: usize,
    mut each: impl FnMut(&[u8]) -> bool,
) -> io::Result<u64> {
    let mut line: Vec<u8> = Vec::new();
    let mut skipping = false;
    let mut total = 0u64;
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if !line.is_empty() || skipping {
                each(trim_cr(&line));
            }
            return Ok(total);
        }
        let (used, end) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, Some(i)),
            None => (buf.len(), None),
        };
        let part = &buf[..end.unwrap_or(used)];
        if !skipping {
            let room = max.saturating_sub(line.len());
            line.extend_from_slice(&part[..part.len().min(room)]);
            skipping = part.len() > room;
        }
        input.consume(used);
        total += used as u64;
        if end.is_some() {
            let go_on = each(trim_cr(&line));
            line.clear();
            skipping = false;
            if !go_on {
                return Ok(total);
            }
        }
    }
}

/// `line` as text: borrowed when it is valid UTF-8 (the common case, checked fast),
/// invalid sequences replaced by U+FFFD otherwise.
pub fn text(line: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(line) {
        Ok(text) => text.into(),
        Err(_) => String::from_utf8_lossy(line),
    }
}

/// `line` without a trailing `\r`.
pub fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        // A tiny buffer makes lines straddle reads.
        let reader = io::BufReader::with_capacity(3, input);
        for_each_line(reader, max, |l| {
            out.push(l.to_vec());
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn splits_lines_and_keeps_a_last_line_without_newline() {
        assert_eq!(
            lines(b"ab\r\ncd\n\nef", 100),
            [b"ab".to_vec(), b"cd".to_vec(), vec![], b"ef".to_vec()]
        );
        assert!(lines(b"", 100).is_empty());
    }

    #[test]
    fn long_lines_are_cut_not_buffered() {
        let mut input = vec![b'x'; 10_000];
        input.extend_from_slice(b"\nshort\n");
        let got = lines(&input, 16);
        assert_eq!(got, [vec![b'x'; 16], b"short".to_vec()]);
    }

    #[test]
    fn stops_when_asked() {
        let mut n = 0;
        for_each_line(&b"a\nb\nc\n"[..], 10, |_| {
            n += 1;
            n < 2
        })
        .unwrap();
        assert_eq!(n, 2);
    }
}

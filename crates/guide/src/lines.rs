//! Where the lines of a source start, so spans cost a binary search instead of a count of
//! every newline from the start of the file.

use triage_core::Span;

/// The byte offsets of the line breaks of one source.
pub(crate) struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    /// Indexes `source`.
    pub(crate) fn new(source: &str) -> Self {
        LineIndex {
            newlines: source
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The span of `len` bytes at byte `offset` of `source` (the text this index was made
    /// from): the same span as [`Span::from_offset`] gives.
    pub(crate) fn span(&self, source: &str, offset: usize, len: usize) -> Span {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = self.newlines.partition_point(|&n| n < offset);
        let line_start = if before == 0 { 0 } else { self.newlines[before - 1] + 1 };
        let col = source[line_start..offset].chars().count() + 1;
        let mut end = (offset + len).min(source.len());
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        let covered = source[offset..end].split('\n').next().unwrap_or("").chars().count();
        Span::new(to_u32(before + 1), to_u32(col), to_u32(covered))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_agree_with_span_from_offset() {
        let source = "one\ntwo é three\n\n\u{1F600} four\nlast";
        let index = LineIndex::new(source);
        for offset in 0..source.len() + 3 {
            for len in [0, 1, 3, 40] {
                assert_eq!(
                    index.span(source, offset, len),
                    Span::from_offset(source, offset, len),
                    "offset {offset}, len {len}"
                );
            }
        }
    }
}

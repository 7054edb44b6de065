//! Diagnostics that point at `file:line:col`, rendered with the source line and a caret.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// A place in a source file: 1-based line and column (in characters), and a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub col: u32,
    /// How many characters the caret underlines; at least one is drawn.
    pub len: u32,
}

impl Span {
    /// A span at `line:col` covering `len` characters.
    pub fn new(line: u32, col: u32, len: u32) -> Self {
        Span { line, col, len }
    }

    /// The span of `len` bytes starting at byte `offset` of `source`.
    ///
    /// Offsets past the end clamp to the end; offsets inside a UTF-8 sequence move back to
    /// its start, so any offset gives a valid span.
    pub fn from_offset(source: &str, offset: usize, len: usize) -> Self {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = source[line_start..offset].chars().count() + 1;
        let mut end = (offset + len).min(source.len());
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        let covered = source[offset..end].split('\n').next().unwrap_or("").chars().count();
        Span::new(to_u32(line), to_u32(col), to_u32(covered))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The thing it points at was skipped; `triage lint` exits 1.
    Error,
    /// Worth fixing; loading went on unchanged.
    Warning,
}

/// A problem found in a file, with where it is and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// The file the problem is in.
    pub path: PathBuf,
    /// Where in the file.
    pub span: Span,
    /// A lowercase fact saying what is wrong.
    pub message: String,
    /// The text of the line the span points at, without its line break.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error at `span` of `path`.
    pub fn error(path: impl AsRef<Path>, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Error,
            path: path.as_ref().to_path_buf(),
            span,
            message: message.into(),
            source_line: None,
        }
    }

    /// A warning at `span` of `path`.
    pub fn warning(path: impl AsRef<Path>, span: Span, message: impl Into<String>) -> Self {
        Diagnostic { level: Level::Warning, ..Diagnostic::error(path, span, message) }
    }

    /// Attaches the line the span points at, taken from the whole file's `source`.
    pub fn with_source(mut self, source: &str) -> Self {
        let index = self.span.line.saturating_sub(1) as usize;
        self.source_line = source.lines().nth(index).map(str::to_owned);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        writeln!(f, "{level}: {}", self.message)?;
        let Span { line, col, len } = self.span;
        write!(f, "  --> {}:{line}:{col}", self.path.display())?;
        if let Some(text) = &self.source_line {
            let gutter = line.to_string().len();
            let pad = " ".repeat(gutter);
            let text = text.replace('\t', " ");
            let lead = " ".repeat(col.saturating_sub(1) as usize);
            let carets = "^".repeat(len.max(1) as usize);
            write!(f, "\n{pad} |\n{line} | {text}\n{pad} | {lead}{carets}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_from_offset_counts_lines_and_chars() {
        let src = "one\ntwo é three\n";
        let at = src.find("three").unwrap();
        assert_eq!(Span::from_offset(src, at, 5), Span::new(2, 7, 5));
        // Past the end and inside a multi-byte char never panics.
        let _ = Span::from_offset(src, 10_000, 3);
        let _ = Span::from_offset(src, src.find('é').unwrap() + 1, 1);
    }

    #[test]
    fn renders_with_caret() {
        let src = "# Title\n\n```check\nkind: htp\n```\n";
        let d = Diagnostic::error("g.md", Span::new(4, 7, 3), "unknown probe kind `htp`")
            .with_source(src);
        assert_eq!(
            d.to_string(),
            "error: unknown probe kind `htp`\n  --> g.md:4:7\n  |\n4 | kind: htp\n  |       ^^^"
        );
    }
}

//! The fenced blocks a guide holds: `check` probes, `error` signatures and code blocks.

use serde::Serialize;
use triage_core::Span;

use crate::attributes::{AttributeFormat, Attributes};

/// Check block text of one guide past which work on each of its blocks (the reader's YAML
/// parse, the application's probe parse) is split over the cores: about 250 typical blocks;
/// below it, threads cost more than they save.
pub const PARALLEL_CHECK_BYTES: usize = 16 * 1024;

/// A ` ```check ` block: one probe, written as YAML. The guide crate does not know probe
/// kinds; the application deserializes [`source`](CheckBlock::source) itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckBlock {
    /// The opening fence line (` ```check `).
    pub span: Span,
    /// The 1-based file line of the first YAML line (the line after the opening fence).
    ///
    /// A YAML error at line `l` of [`source`](CheckBlock::source) is at file line
    /// `content_line + l - 1`, exactly: interpolation never adds or removes a line (a
    /// variable whose value holds a line break is refused inside check blocks).
    pub content_line: u32,
    /// The YAML text after `${NAME}` interpolation, container indentation removed.
    pub source: String,
    /// Runme-style attributes of the info string (` ```check { name=x } `), usually empty.
    pub attributes: Attributes,
    /// The top-level `name:` of the YAML, when it is a string.
    pub name: Option<String>,
    /// The YAML as read (the reader parses it once, for syntax errors and the name, so the
    /// application need not parse it again); `None` when it is not valid YAML.
    #[serde(skip)]
    pub yaml: Option<serde_yaml_ng::Value>,
}

/// Where an error signature came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Origin {
    /// Written by the author in an ` ```error ` block.
    Annotated,
}

/// One error message that identifies a symptom, placeholders such as `<port>` allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signature {
    /// The text as written (after interpolation), surrounding whitespace removed.
    pub text: String,
    /// Where the text is in the file.
    pub span: Span,
    /// How it was found.
    pub origin: Origin,
}

/// Any other code block (fenced or indented), with its Runme-style attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeBlock {
    /// The language of the info string (`sh`, `yaml`, `""` for none).
    pub lang: String,
    /// The Runme-style attributes (`name`, `confirm`, `timeout`, ...).
    pub attributes: Attributes,
    /// The form the attributes were written in.
    pub format: AttributeFormat,
    /// The code after interpolation; undefined variables are left as written.
    pub content: String,
    /// The opening fence line, or the first line of an indented block.
    pub span: Span,
    /// The 1-based file line of the first content line.
    pub content_line: u32,
    /// Whether Runme would leave the block out of runs (`ignore=true`, `transform=false`,
    /// mermaid).
    pub ignored: bool,
    /// The `category` and `tag` attributes, merged.
    pub tags: Vec<String>,
}

/// The languages whose blocks are shell commands. Only explicit languages count: a block
/// without one is never taken for shell, however much it looks like commands.
pub const SHELL_LANGUAGES: &[&str] = &["sh", "bash", "shell", "zsh", "console", "shell-session"];

impl CodeBlock {
    /// Whether the block is shell code (its language is one of [`SHELL_LANGUAGES`], in any
    /// case).
    pub fn is_shell(&self) -> bool {
        SHELL_LANGUAGES.iter().any(|lang| self.lang.eq_ignore_ascii_case(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(lang: &str) -> CodeBlock {
        CodeBlock {
            lang: lang.to_owned(),
            attributes: Attributes::new(),
            format: AttributeFormat::Json,
            content: "ls\n".to_owned(),
            span: Span::new(1, 1, 3),
            content_line: 2,
            ignored: false,
            tags: Vec::new(),
        }
    }

    #[test]
    fn shell_is_only_explicit_languages() {
        for lang in ["sh", "bash", "shell", "zsh", "console", "shell-session", "Bash"] {
            assert!(block(lang).is_shell(), "{lang}");
        }
        for lang in ["", "yaml", "python", "text", "powershell"] {
            assert!(!block(lang).is_shell(), "{lang}");
        }
    }
}

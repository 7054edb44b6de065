//! Reads Markdown troubleshooting guides into a model: sections, symptoms, checks and steps.
//!
//! A guide is CommonMark that renders well on GitHub. The heading tree is the structure;
//! fenced ` ```check ` blocks hold probes (as YAML this crate does not interpret), fenced
//! ` ```error ` blocks hold the error messages that identify a symptom, and shell blocks
//! carry Runme-compatible attributes for the runbook executor. A front matter block holds
//! variables that `${NAME}` interpolates. `docs/guide-format.md` is the format for authors.
//!
//! The pipeline: [`discover`] the files, [`load`] (or [`parse`]) each into a [`Parsed`]:
//! the [`Guide`] plus [`Diagnostic`](triage_core::Diagnostic)s. Parsing never fails: what
//! is wrong in a guide is a diagnostic and the rest still loads.
//!
//! ```
//! use std::path::Path;
//! use triage_guide::{LoadOptions, parse};
//!
//! let source = "---\nvars: { PORT: 8080 }\n---\n# Metald\n\n## Symptom: port in use\n\n\
//!     ```error\nlisten tcp :<port>: bind: address already in use\n```\n\n\
//!     ```check\nname: port is free\nkind: port\nport: ${PORT}\n```\n\n\
//!     **Solution:** free the port.\n\n\
//!     ```sh { name=who confirm=true }\nsudo lsof -i :${PORT}\n```\n";
//! let parsed = parse(Path::new("metald.md"), source, &LoadOptions::default());
//! assert!(parsed.diagnostics.is_empty());
//!
//! let guide = &parsed.guide;
//! assert_eq!(guide.title.as_deref(), Some("Metald"));
//! let symptoms = guide.symptoms();
//! assert_eq!(symptoms[0].section.title, "Symptom: port in use");
//! assert_eq!(symptoms[0].checks[0].source, "name: port is free\nkind: port\nport: 8080\n");
//! assert_eq!(symptoms[0].fix[0].text, "free the port.");
//! let block = symptoms[0].fix[0].block.as_ref().unwrap();
//! assert_eq!(block.content, "sudo lsof -i :8080\n");
//! assert_eq!(block.attributes["confirm"], "true");
//! assert_eq!(guide.breadcrumb(symptoms[0].section.id), ["Metald", "Symptom: port in use"]);
//! ```

mod attributes;
mod block;
mod discover;
mod error;
mod front_matter;
mod guide;
mod heading;
mod lines;
mod options;
mod part;
mod prose;
mod reader;
mod section;
mod symptom;
mod vars;
mod yaml;

use std::path::Path;

pub use attributes::{
    AttributeFormat, AttributeParser, Attributes, InfoString, block_tags, is_ignored,
    parse_attributes, write_attributes,
};
pub use block::{CheckBlock, CodeBlock, Origin, PARALLEL_CHECK_BYTES, SHELL_LANGUAGES, Signature};
pub use discover::{GUIDE_EXTENSIONS, discover};
pub use error::Error;
pub use guide::{Guide, Parsed};
pub use options::{ENV_PREFIX, LoadOptions};
pub use section::{Section, SectionId};
pub use symptom::{FixStep, Symptom};

/// Reads a guide from its text. Never fails and never panics: problems are diagnostics.
pub fn parse(path: &Path, source: &str, options: &LoadOptions) -> Parsed {
    reader::read(path, source, options)
}

/// Reads a guide file. Invalid UTF-8 is replaced (U+FFFD) with a warning at the first bad
/// byte.
///
/// # Errors
///
/// [`Error::Read`] when the file cannot be read.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Parsed, Error> {
    let bytes =
        std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    match String::from_utf8(bytes) {
        Ok(source) => Ok(parse(path, &source, options)),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let source = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let mut parsed = parse(path, &source, options);
            let span = triage_core::Span::from_offset(&source, valid_up_to, 1);
            let warning = triage_core::Diagnostic::warning(
                path,
                span,
                "guide is not valid UTF-8; bad bytes read as U+FFFD",
            );
            parsed.diagnostics.insert(0, warning.with_source(&source));
            Ok(parsed)
        }
    }
}

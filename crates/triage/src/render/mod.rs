//! The one module that writes results to stdout (and diagnostics to stderr).
//!
//! Every renderer takes the run's [`Redactor`] and passes all text through it: nothing a
//! probe saw reaches the terminal, a JSON consumer or a CI system unmasked.

pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod plan;
pub(crate) mod tap;

use std::io::Write;

use triage_core::Diagnostic;
use triage_core::redact::Redactor;

use crate::report::Entry;

/// Writes styled text to stdout in one piece. Colour stays on a terminal and is stripped
/// elsewhere, in one pass over the whole text rather than once per `write!` (the strip
/// adapter's per-call cost dominated a 1,000-check report).
pub(crate) fn emit(text: &[u8]) -> std::io::Result<()> {
    let mut out = anstream::stdout().lock();
    out.write_all(text)?;
    out.flush()
}

/// Writes one line to stdout.
pub(crate) fn line(text: &str) {
    let mut out = anstream::stdout();
    let _ = writeln!(out, "{text}");
}

/// Writes one `error: ...` line to stderr.
pub(crate) fn error_line(text: &str) {
    let mut err = anstream::stderr();
    let _ = writeln!(err, "{}error{}: {text}", human::ERROR.render(), human::ERROR.render_reset());
}

/// Writes a question to stderr, without a line end, for an answer on stdin.
pub(crate) fn prompt(text: &str) -> std::io::Result<()> {
    let mut err = anstream::stderr().lock();
    write!(err, "{text}")?;
    err.flush()
}

/// Writes loading diagnostics to stderr, each with its source line and caret.
pub(crate) fn diagnostics(diagnostics: &[Diagnostic]) -> std::io::Result<()> {
    let mut err = anstream::stderr().lock();
    for d in diagnostics {
        writeln!(err, "{d}\n")?;
    }
    Ok(())
}

/// Entries the report shows: all, or only those that did not pass.
fn shown<'r, 'a>(
    entries: &'r [Entry<'a>],
    failing_only: bool,
) -> impl Iterator<Item = &'r Entry<'a>> {
    entries.iter().filter(move |e| !failing_only || e.outcome.status != triage_core::Status::Pass)
}

/// Redacts every string inside a JSON document, in place.
pub(crate) fn redact_json(value: &mut serde_json::Value, redactor: &Redactor) {
    match value {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(masked) = redactor.redact(s) {
                *s = masked;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| redact_json(v, redactor)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| redact_json(v, redactor)),
        _ => {}
    }
}

/// Text of a fix, ready to show: the prose of each step and the commands of its block.
fn fix_lines(entry: &Entry<'_>) -> Vec<String> {
    let Some(symptom) = &entry.symptom else { return Vec::new() };
    let mut lines = Vec::new();
    for step in &symptom.fix {
        for text in step.text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            lines.push(text.to_owned());
        }
        if let Some(block) = &step.block {
            let shell = block.is_shell();
            for code in block.content.lines().filter(|l| !l.trim().is_empty()) {
                let trimmed = code.trim_end();
                if shell && !trimmed.trim_start().starts_with('#') {
                    lines.push(format!("$ {trimmed}"));
                } else {
                    lines.push(trimmed.to_owned());
                }
            }
        }
    }
    lines
}

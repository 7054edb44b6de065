//! The JSON format: one document on stdout.

use std::io::{self, Write};

use serde_json::{Value, json};
use triage_core::Diagnostic;
use triage_core::redact::Redactor;

use super::{fix_lines, redact_json, shown};
use crate::report::{Entry, Report};

/// Text values longer than this are cut in JSON output (a response body, say).
const MAX_TEXT: usize = 4096;

/// Writes the check report as `{"checks": [...], "summary": {...}, "diagnostics": [...]}`.
pub(crate) fn check(
    report: &Report<'_>,
    redactor: &Redactor,
    failing_only: bool,
) -> io::Result<()> {
    let checks: Vec<Value> = shown(&report.entries, failing_only).map(entry).collect();
    let mut doc = json!({
        "checks": checks,
        "summary": report.summary(),
        "elapsed_ms": report.elapsed.as_millis() as u64,
        "diagnostics": report.diagnostics,
    });
    redact_json(&mut doc, redactor);
    write(&doc)
}

fn entry(e: &Entry<'_>) -> Value {
    let outcome = &e.outcome;
    let spec = &e.check.spec;
    let values: serde_json::Map<String, Value> = outcome
        .observation
        .values()
        .map(|(name, value)| {
            let mut v = serde_json::to_value(value).unwrap_or(Value::Null);
            if let Value::String(s) = &mut v
                && s.len() > MAX_TEXT
            {
                let mut cut = MAX_TEXT;
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                s.truncate(cut);
            }
            (name.to_owned(), v)
        })
        .collect();
    let symptom = e.symptom.as_ref().map(|s| {
        json!({
            "section": s.section.heading,
            "breadcrumb": e.guide.breadcrumb(s.section.id),
            "line": s.section.span.line,
            "signatures": s.signatures.iter().map(|sig| sig.text.as_str()).collect::<Vec<_>>(),
            "cause": s.cause,
            "fix": fix_lines(e),
        })
    });
    json!({
        "guide": e.guide.path,
        "section": e.section.heading,
        "breadcrumb": e.breadcrumb(),
        "line": e.check.line,
        "name": spec.name,
        "kind": spec.check.probe.kind_name(),
        "target": spec.check.probe.target(),
        "tags": spec.tags,
        "severity": spec.check.severity,
        "status": outcome.status,
        "duration_ms": outcome.duration.as_millis() as u64,
        "attempts": outcome.attempts,
        "timed_out": outcome.timed_out,
        "conditions": outcome.conditions.iter().zip(&spec.check.conditions).map(|(ev, c)| json!({
            "condition": c.as_str(),
            "success": ev.success,
            "rendered": ev.rendered,
        })).collect::<Vec<_>>(),
        "error": outcome.observation.error,
        "notes": outcome.observation.notes,
        "values": values,
        "symptom": symptom,
    })
}

/// Writes lint diagnostics as `{"guides": N, "checks": N, "diagnostics": [...]}`.
pub(crate) fn lint(diagnostics: &[Diagnostic], guides: usize, checks: usize) -> io::Result<()> {
    write(&json!({ "guides": guides, "checks": checks, "diagnostics": diagnostics }))
}

fn write(doc: &Value) -> io::Result<()> {
    // Buffered: stdout alone flushes at every line.
    let mut out = io::BufWriter::new(io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, doc)?;
    writeln!(out)?;
    out.flush()
}

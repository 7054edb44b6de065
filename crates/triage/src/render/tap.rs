//! The TAP format (version 13): `ok` / `not ok` per check, YAML diagnostics for failures.
//! Warnings are `not ok ... # TODO`, which TAP consumers count as not failing.

use std::io::{self, Write};

use triage_core::Status;
use triage_core::redact::Redactor;

use super::shown;
use crate::report::{Entry, Report};

/// Writes the check report as TAP 13.
pub(crate) fn check(
    report: &Report<'_>,
    redactor: &Redactor,
    failing_only: bool,
) -> io::Result<()> {
    // Buffered: stdout alone flushes at every line.
    let mut out = io::BufWriter::new(io::stdout().lock());
    let entries: Vec<&Entry<'_>> = shown(&report.entries, failing_only).collect();
    writeln!(out, "TAP version 13")?;
    writeln!(out, "1..{}", entries.len())?;
    for (i, entry) in entries.iter().enumerate() {
        let name = one_line(&redactor.redact(&format!(
            "{} / {}",
            entry.breadcrumb().join(" / "),
            entry.check.spec.name
        )));
        match entry.outcome.status {
            Status::Pass => writeln!(out, "ok {} - {name}", i + 1)?,
            Status::Warn => writeln!(out, "not ok {} - {name} # TODO severity warn", i + 1)?,
            Status::Fail => writeln!(out, "not ok {} - {name}", i + 1)?,
        }
        if entry.outcome.status != Status::Pass {
            writeln!(out, "  ---")?;
            writeln!(out, "  file: {}", yaml_str(&entry.guide.path.display().to_string()))?;
            writeln!(out, "  line: {}", entry.check.line)?;
            writeln!(out, "  conditions:")?;
            for rendered in entry.failing_conditions() {
                writeln!(out, "    - {}", yaml_str(&redactor.redact(rendered)))?;
            }
            if let Some(error) = &entry.outcome.observation.error {
                writeln!(out, "  error: {}", yaml_str(&redactor.redact(error)))?;
            }
            if let Some(symptom) = &entry.symptom {
                let crumbs = entry.guide.breadcrumb(symptom.section.id).join(" / ");
                writeln!(out, "  symptom: {}", yaml_str(&redactor.redact(&crumbs)))?;
            }
            writeln!(out, "  ...")?;
        }
    }
    Ok(())
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('#', "\\#")
}

/// A YAML double-quoted scalar: always valid, whatever the text holds.
fn yaml_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

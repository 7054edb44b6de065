//! The JUnit XML format: one `<testsuite>` per guide, one `<testcase>` per check.

use std::io::{self, Write};

use triage_core::Status;
use triage_core::redact::Redactor;

use super::shown;
use crate::report::{Entry, Report};

/// Writes the check report as JUnit XML.
pub(crate) fn check(
    report: &Report<'_>,
    redactor: &Redactor,
    failing_only: bool,
) -> io::Result<()> {
    // Buffered: stdout alone flushes at every line.
    let mut out = io::BufWriter::new(io::stdout().lock());
    let entries: Vec<&Entry<'_>> = shown(&report.entries, failing_only).collect();
    let failures = entries.iter().filter(|e| e.outcome.status == Status::Fail).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="triage check" tests="{}" failures="{failures}" time="{:.3}">"#,
        entries.len(),
        report.elapsed.as_secs_f64()
    )?;
    let mut start = 0;
    while start < entries.len() {
        let guide = &entries[start].guide.path;
        let end = start + entries[start..].iter().take_while(|e| &e.guide.path == guide).count();
        let suite = &entries[start..end];
        let suite_failures = suite.iter().filter(|e| e.outcome.status == Status::Fail).count();
        let time: f64 = suite.iter().map(|e| e.outcome.duration.as_secs_f64()).sum();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{suite_failures}" time="{time:.3}">"#,
            escape(&guide.display().to_string()),
            suite.len()
        )?;
        for entry in suite {
            testcase(&mut out, entry, redactor)?;
        }
        writeln!(out, "  </testsuite>")?;
        start = end;
    }
    writeln!(out, "</testsuites>")
}

fn testcase(out: &mut impl Write, entry: &Entry<'_>, redactor: &Redactor) -> io::Result<()> {
    let text = |s: &str| escape(&redactor.redact(s));
    write!(
        out,
        r#"    <testcase name="{}" classname="{}" file="{}" line="{}" time="{:.3}""#,
        text(&entry.check.spec.name),
        text(&entry.breadcrumb().join(" / ")),
        escape(&entry.guide.path.display().to_string()),
        entry.check.line,
        entry.outcome.duration.as_secs_f64()
    )?;
    let mut detail: Vec<String> = entry.failing_conditions().map(str::to_owned).collect();
    if let Some(error) = &entry.outcome.observation.error {
        detail.push(format!("error: {error}"));
    }
    if let Some(symptom) = &entry.symptom {
        detail.push(format!("symptom: {}", entry.guide.breadcrumb(symptom.section.id).join(" / ")));
    }
    let message = text(&detail.first().cloned().unwrap_or_default());
    let body = text(&detail.join("\n"));
    match entry.outcome.status {
        Status::Pass => writeln!(out, " />"),
        Status::Warn => {
            writeln!(out, ">\n      <system-out>warning: {body}</system-out>\n    </testcase>")
        }
        Status::Fail => writeln!(
            out,
            ">\n      <failure message=\"{message}\" type=\"{}\">{body}</failure>\n    </testcase>",
            entry.check.spec.check.probe.kind_name()
        ),
    }
}

/// Escapes the five XML special characters and drops characters XML 1.0 forbids.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}

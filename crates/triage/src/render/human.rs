//! The human format: grouped by guide and section, coloured on a terminal.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use triage_core::redact::Redactor;
use triage_core::{Diagnostic, Level, Status};

use super::{fix_lines, shown};
use crate::report::{Entry, Report};

pub(crate) const ERROR: Style = AnsiColor::Red.on_default().bold();
pub(crate) const PASS: Style = AnsiColor::Green.on_default();
pub(crate) const WARN: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();
pub(crate) const BOLD: Style = Style::new().bold();

/// Check names are padded to this many characters so targets line up.
const NAME_WIDTH: usize = 34;

/// Fix lines shown under a failing check before pointing at the guide for the rest.
const FIX_LINES_SHOWN: usize = 12;

/// Writes the check report.
pub(crate) fn check(
    report: &Report<'_>,
    redactor: &Redactor,
    failing_only: bool,
) -> io::Result<()> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut guide_path = None;
    let mut section = None;
    for entry in shown(&report.entries, failing_only) {
        if guide_path != Some(&entry.guide.path) {
            guide_path = Some(&entry.guide.path);
            section = None;
            let title = entry.guide.title.as_deref().map(|t| format!(" — {t}")).unwrap_or_default();
            writeln!(
                out,
                "{BOLD}{}{BOLD:#}{}",
                entry.guide.path.display(),
                redactor.redact(&title)
            )?;
        }
        if section != Some(entry.section.id) {
            section = Some(entry.section.id);
            let crumbs = entry.breadcrumb().join(" › ");
            writeln!(
                out,
                "  {}",
                redactor.redact(if crumbs.is_empty() { "(top)" } else { &crumbs })
            )?;
        }
        write_entry(&mut out, entry, redactor)?;
    }
    let s = report.summary();
    let mut parts = vec![format!("{} passed", s.passed)];
    if s.warned > 0 {
        parts.push(format!("{WARN}{} warned{WARN:#}", s.warned));
    }
    if s.failed > 0 {
        parts.push(format!("{ERROR}{} failed{ERROR:#}", s.failed));
    }
    let broken = report.diagnostics.iter().filter(|d| d.level == Level::Error).count();
    if broken > 0 {
        parts.push(format!("{ERROR}{broken} guide problems{ERROR:#} (see above)"));
    }
    if report.entries.is_empty() {
        writeln!(out, "no checks to run")?;
    }
    writeln!(
        out,
        "\n{} checks: {} in {:.2}s",
        s.total,
        parts.join(", "),
        report.elapsed.as_secs_f64()
    )?;
    super::emit(&out)
}

fn write_entry(out: &mut impl Write, entry: &Entry<'_>, redactor: &Redactor) -> io::Result<()> {
    let outcome = &entry.outcome;
    let (mark, style) = match outcome.status {
        Status::Pass => ("✓", PASS),
        Status::Warn => ("!", WARN),
        Status::Fail => ("✗", ERROR),
    };
    let spec = &entry.check.spec;
    let marker = if spec.check.probe.kind_name() == "command" { "[runs a command] " } else { "" };
    let retried = if outcome.attempts > 1 {
        format!(", {} attempts", outcome.attempts)
    } else {
        String::new()
    };
    let label = format!("{marker}{}", redactor.redact(&spec.name));
    let target = spec.check.probe.target();
    let target =
        if spec.name == target { String::new() } else { redactor.redact(&target).into_owned() };
    // Pad by characters, not bytes, so names with non-ASCII text still line up.
    let pad = NAME_WIDTH.saturating_sub(label.chars().count());
    writeln!(
        out,
        "    {style}{mark}{style:#} {label}{:pad$}  {DIM}{target}  {}ms{retried}{DIM:#}",
        "",
        outcome.duration.as_millis()
    )?;
    if outcome.status == Status::Pass {
        return Ok(());
    }
    for rendered in entry.failing_conditions() {
        writeln!(out, "        {}", redactor.redact(rendered))?;
    }
    if let Some(error) = &outcome.observation.error {
        writeln!(out, "        {style}error{style:#}: {}", redactor.redact(error))?;
    }
    for note in &outcome.observation.notes {
        writeln!(out, "        {DIM}{}{DIM:#}", redactor.redact(note))?;
    }
    if let Some(symptom) = &entry.symptom {
        let crumbs = entry.guide.breadcrumb(symptom.section.id).join(" › ");
        writeln!(
            out,
            "        {BOLD}symptom{BOLD:#}: {}  {DIM}({}:{}){DIM:#}",
            redactor.redact(&crumbs),
            entry.guide.path.display(),
            symptom.section.span.line
        )?;
        let fix = fix_lines(entry);
        if !fix.is_empty() {
            writeln!(out, "        {BOLD}fix{BOLD:#}:")?;
            for line in fix.iter().take(FIX_LINES_SHOWN) {
                writeln!(out, "          {}", redactor.redact(line))?;
            }
            if fix.len() > FIX_LINES_SHOWN {
                writeln!(
                    out,
                    "          {DIM}… {} more lines in the guide{DIM:#}",
                    fix.len() - FIX_LINES_SHOWN
                )?;
            }
        }
    }
    Ok(())
}

/// Writes lint diagnostics and a one-line verdict.
pub(crate) fn lint(diagnostics: &[Diagnostic], guides: usize, checks: usize) -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    for d in diagnostics {
        writeln!(out, "{d}\n")?;
    }
    let errors = diagnostics.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diagnostics.len() - errors;
    writeln!(out, "{guides} guides, {checks} checks: {errors} errors, {warnings} warnings")
}

//! The plan of `triage run --plan`.

use std::fmt::Write as _;
use std::path::Path;

use triage_core::redact::Redactor;
use triage_run::{Plan, Risk};

use super::human::{ERROR, WARN};

/// Numbered steps, each with its section, risk and reasons.
pub(crate) fn human(plan: &Plan, guide: &Path, redactor: &Redactor) -> std::io::Result<()> {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {} steps", guide.display(), plan.steps.len());
    for (i, step) in plan.steps.iter().enumerate() {
        let style = match step.risk {
            Risk::ReadOnly => anstyle::Style::new(),
            Risk::Changes => WARN,
            Risk::Destructive => ERROR,
        };
        let _ = writeln!(
            out,
            "\n{}. {} (line {})  {}{}{}",
            i + 1,
            redactor.redact(&step.section.join(" / ")),
            step.line,
            style.render(),
            step.risk,
            style.render_reset()
        );
        for line in redactor.redact(&step.command).lines() {
            let _ = writeln!(out, "     {line}");
        }
        for reason in &step.reasons {
            let _ = writeln!(out, "     - {}", redactor.redact(reason));
        }
    }
    super::emit(out.as_bytes())
}

/// `{"steps":[...]}`, every string redacted.
pub(crate) fn json(plan: &Plan, redactor: &Redactor) -> std::io::Result<()> {
    let mut value = serde_json::to_value(plan).map_err(std::io::Error::other)?;
    super::redact_json(&mut value, redactor);
    let mut text = serde_json::to_string_pretty(&value).map_err(std::io::Error::other)?;
    text.push('\n');
    super::emit(text.as_bytes())
}

//! `triage run`: the plan (`--plan`), and each step as it runs.

use std::fmt::Write as _;
use std::path::Path;

use triage_core::exec::Output;
use triage_core::redact::Redactor;
use triage_run::{Plan, Risk, Step};

use super::human::{BOLD, ERROR, PASS, WARN};

/// Numbered steps, each with its section, risk and reasons.
pub(crate) fn human(plan: &Plan, guide: &Path, redactor: &Redactor) -> std::io::Result<()> {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {} steps", guide.display(), plan.steps.len());
    for (i, step) in plan.steps.iter().enumerate() {
        let style = risk_style(step.risk);
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

/// The heading of step `n` of `total` before it runs: where it is, its risk, its command.
pub(crate) fn step_header(
    n: usize,
    total: usize,
    step: &Step,
    redactor: &Redactor,
) -> std::io::Result<()> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{}step {n}/{total}{}  {} (line {})  {}{}{}",
        BOLD.render(),
        BOLD.render_reset(),
        redactor.redact(&step.section.join(" / ")),
        step.line,
        risk_style(step.risk).render(),
        step.risk,
        risk_style(step.risk).render_reset()
    );
    for line in redactor.redact(&step.command).lines() {
        let _ = writeln!(out, "  $ {line}");
    }
    super::emit(out.as_bytes())
}

/// What a step printed and how it ended.
/// `missing` is the expected text the output lacked, if any.
pub(crate) fn step_output(
    output: &Output,
    missing: Option<&str>,
    redactor: &Redactor,
) -> std::io::Result<()> {
    let mut out = String::new();
    for text in [output.stdout_text(), output.stderr_text()] {
        let text = redactor.redact(&text);
        out.push_str(&text);
        if !text.is_empty() && !text.ends_with('\n') {
            out.push('\n');
        }
    }
    let (style, verdict) = match (output.timed_out, output.status) {
        (true, _) => (ERROR, format!("timed out after {:.1?}", output.duration)),
        (false, Some(0)) => match missing {
            Some(text) => {
                (ERROR, format!("the output lacks the expected {:?}", redactor.redact(text)))
            }
            None => (PASS, format!("ok in {:.1?}", output.duration)),
        },
        (false, Some(code)) => (ERROR, format!("failed with exit status {code}")),
        (false, None) => (ERROR, format!("killed by signal {}", output.signal.unwrap_or_default())),
    };
    let _ = writeln!(out, "{}{verdict}{}", style.render(), style.render_reset());
    super::emit(out.as_bytes())
}

fn risk_style(risk: Risk) -> anstyle::Style {
    match risk {
        Risk::ReadOnly => anstyle::Style::new(),
        Risk::Changes => WARN,
        Risk::Destructive => ERROR,
    }
}

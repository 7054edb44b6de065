//! `triage run GUIDE`: a guide's procedure, step by step.
//!
//! `--plan` prints every step with its risk, judged from the text alone, and runs nothing.
//! Otherwise each step is shown with its risk, confirmed (on a terminal, one by one; or
//! with `--yes` for all, destructive steps needing `--allow-destructive` as well), run by
//! its block's shell through [`triage_core::exec`] with a timeout, its output shown
//! redacted; the run stops at the first step that fails. `--timeline FILE` records every
//! step (decision, start, duration, exit status, the end of its output) as JSON lines. The
//! block attributes `name` (`--step NAME`), `confirm`, `interactive`, `cwd` and `expect` are
//! honoured (docs/guide-format.md).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use triage_core::exec::{Invocation, Output};
use triage_core::redact::Redactor;
use triage_run::{Plan, Risk, Step};

use crate::config::Config;
use crate::exit::Exit;
use crate::render;

/// Output kept of each step in the timeline, in bytes (the end of it).
const TIMELINE_OUTPUT: usize = 4096;

/// Arguments of `triage run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// The guide whose procedure to run.
    pub guide: PathBuf,
    /// Show every step with its risk (read-only, changes, destructive) and run nothing.
    #[arg(long)]
    pub plan: bool,
    /// Only steps in sections whose heading path contains this text (case-insensitive).
    #[arg(long)]
    pub section: Option<String>,
    /// Only the steps of these names (their block's `name` attribute); repeat for several.
    #[arg(long = "step", value_name = "NAME")]
    pub steps: Vec<String>,
    /// Run every step without asking (destructive ones also need --allow-destructive).
    #[arg(long)]
    pub yes: bool,
    /// With --yes, run destructive steps too; without it the run stops before one.
    #[arg(long)]
    pub allow_destructive: bool,
    /// Go on after a step fails.
    #[arg(long)]
    pub keep_going: bool,
    /// Time limit of a step whose block sets no `timeout`, e.g. 30s or 5m.
    #[arg(long, default_value = "5m", value_parser = crate::cli::parse_duration)]
    pub timeout: Duration,
    /// Append a record of every step to this file, one JSON object a line.
    #[arg(long, value_name = "FILE")]
    pub timeline: Option<PathBuf>,
    /// Set a guide variable, overriding front matter and TRIAGE_VAR_<NAME>.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = crate::cli::parse_var)]
    pub vars: Vec<(String, String)>,
    /// Output format of --plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
}

/// How the plan is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PlanFormat {
    /// Numbered steps with their risk and reasons.
    Human,
    /// `{"steps":[{"command","risk","reasons","section","line","shell"}]}`.
    Json,
}

/// Runs `triage run`.
pub(crate) fn run(args: RunArgs, config: Config) -> anyhow::Result<Exit> {
    let options = crate::command::diagnose::load_options(&args.vars, &config);
    // The guide crate's error names the file.
    let parsed = triage_guide::load(&args.guide, &options)?;
    render::diagnostics(&parsed.diagnostics)?;
    let mut plan = Plan::of(&parsed.guide);
    if let Some(filter) = &args.section {
        let filter = filter.to_lowercase();
        plan.steps.retain(|s| s.section.join(" / ").to_lowercase().contains(&filter));
    }
    if !args.steps.is_empty() {
        plan.steps.retain(|s| s.options.name.as_ref().is_some_and(|n| args.steps.contains(n)));
    }
    let mut redactor = Redactor::default();
    redactor.add_secret_vars(parsed.guide.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if args.plan {
        match args.format {
            PlanFormat::Human => render::plan::human(&plan, &args.guide, &redactor)?,
            PlanFormat::Json => render::plan::json(&plan, &redactor)?,
        }
        return Ok(Exit::Healthy);
    }
    let terminal = std::io::stdin().is_terminal();
    if !terminal && !args.yes {
        render::error_line(
            "steps are confirmed one by one on a terminal: pass --yes to run them without asking, or --plan to see them",
        );
        return Ok(Exit::Error);
    }
    let mut timeline = match &args.timeline {
        Some(path) => Some(Timeline::open(path)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let total = plan.steps.len();
    let mut exit = Exit::Healthy;
    for (i, step) in plan.steps.iter().enumerate() {
        render::plan::step_header(i + 1, total, step, &redactor)?;
        if step.options.interactive {
            render::error_line(&format!(
                "step {} reads from a terminal (interactive=true): run it yourself",
                i + 1
            ));
            record(&mut timeline, i, step, "skipped", None, &redactor)?;
            continue;
        }
        let decision = if args.yes && !(step.options.confirm && terminal) {
            if step.options.confirm {
                render::error_line(&format!(
                    "step {} asks to be confirmed (confirm=true): run on a terminal",
                    i + 1
                ));
                record(&mut timeline, i, step, "refused", None, &redactor)?;
                exit = Exit::Findings;
                break;
            }
            if step.risk == Risk::Destructive && !args.allow_destructive {
                render::error_line(&format!(
                    "step {} is destructive: pass --allow-destructive to run it without asking",
                    i + 1
                ));
                record(&mut timeline, i, step, "refused", None, &redactor)?;
                exit = Exit::Findings;
                break;
            }
            Decision::Run
        } else {
            ask(i + 1, step.risk)?
        };
        match decision {
            Decision::Skip => {
                record(&mut timeline, i, step, "skipped", None, &redactor)?;
                continue;
            }
            Decision::Quit => {
                record(&mut timeline, i, step, "stopped", None, &redactor)?;
                break;
            }
            Decision::Run => {}
        }
        let started = SystemTime::now();
        let mut invocation = Invocation::new([step.shell, "-c", step.command.as_str()])
            .timeout(step.timeout.unwrap_or(args.timeout));
        if let Some(cwd) = &step.options.cwd {
            let base = args.guide.parent().unwrap_or(std::path::Path::new("."));
            invocation = invocation.cwd(base.join(cwd));
        }
        let output = runtime
            .block_on(invocation.run())
            .with_context(|| format!("cannot start {} for step {}", step.shell, i + 1))?;
        // `expect`: the text the output must hold for the step to have worked.
        let missing = step.options.expect.as_ref().filter(|text| {
            output.success()
                && !output.stdout_text().contains(text.as_str())
                && !output.stderr_text().contains(text.as_str())
        });
        render::plan::step_output(&output, missing.map(String::as_str), &redactor)?;
        record(&mut timeline, i, step, "ran", Some((started, &output)), &redactor)?;
        if !output.success() || missing.is_some() {
            exit = Exit::Findings;
            if !args.keep_going {
                render::error_line(&format!("step {} failed: stopping", i + 1));
                break;
            }
        }
    }
    Ok(exit)
}

/// What the operator chose for a step.
enum Decision {
    Run,
    Skip,
    Quit,
}

/// Asks on the terminal whether to run step `n`; a destructive step needs `yes` typed out.
fn ask(n: usize, risk: Risk) -> anyhow::Result<Decision> {
    let question = if risk == Risk::Destructive {
        format!("run step {n}? it is destructive: type yes to run, s to skip, q to quit: ")
    } else {
        format!("run step {n}? [y]es, [s]kip, [q]uit: ")
    };
    loop {
        render::prompt(&question)?;
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer)? == 0 {
            return Ok(Decision::Quit);
        }
        match (answer.trim().to_ascii_lowercase().as_str(), risk) {
            ("yes", _) => return Ok(Decision::Run),
            ("y", r) if r != Risk::Destructive => return Ok(Decision::Run),
            ("s" | "skip" | "n" | "no", _) => return Ok(Decision::Skip),
            ("q" | "quit", _) => return Ok(Decision::Quit),
            _ => {}
        }
    }
}

/// The timeline file, appended to one JSON object a line.
struct Timeline {
    file: std::fs::File,
    path: PathBuf,
}

impl Timeline {
    fn open(path: &std::path::Path) -> anyhow::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open the timeline {}", path.display()))?;
        Ok(Timeline { file, path: path.to_path_buf() })
    }
}

/// Appends a step's record to the timeline, if there is one; every string redacted.
fn record(
    timeline: &mut Option<Timeline>,
    index: usize,
    step: &Step,
    decision: &str,
    ran: Option<(SystemTime, &Output)>,
    redactor: &Redactor,
) -> anyhow::Result<()> {
    let Some(timeline) = timeline else { return Ok(()) };
    let mut entry = serde_json::json!({
        "step": index + 1,
        "name": step.options.name,
        "section": step.section,
        "line": step.line,
        "command": step.command,
        "risk": step.risk,
        "decision": decision,
        "at": humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
    });
    if let Some((started, output)) = ran {
        entry["at"] = humantime::format_rfc3339_millis(started).to_string().into();
        entry["duration_ms"] = (output.duration.as_millis() as u64).into();
        entry["status"] = output.status.into();
        entry["timed_out"] = output.timed_out.into();
        entry["stdout"] = tail(&output.stdout_text()).into();
        entry["stderr"] = tail(&output.stderr_text()).into();
    }
    render::redact_json(&mut entry, redactor);
    writeln!(timeline.file, "{entry}")
        .and_then(|()| timeline.file.flush())
        .with_context(|| format!("cannot write the timeline {}", timeline.path.display()))
}

/// The last [`TIMELINE_OUTPUT`] bytes of a text, cut at a character boundary.
fn tail(text: &str) -> &str {
    let mut start = text.len().saturating_sub(TIMELINE_OUTPUT);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

//! `triage run GUIDE --plan`: the steps of a guide's procedures, each with its risk,
//! judged from the text alone. Making the plan runs nothing and spawns no process.

use std::path::PathBuf;

use triage_core::redact::Redactor;
use triage_run::Plan;

use crate::config::Config;
use crate::exit::Exit;
use crate::render;

/// Arguments of `triage run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// The guide whose procedures to run.
    pub guide: PathBuf,
    /// Show every step with its risk (read-only, changes, destructive) and run nothing.
    #[arg(long)]
    pub plan: bool,
    /// Only steps in sections whose heading path contains this text (case-insensitive).
    #[arg(long)]
    pub section: Option<String>,
    /// Set a guide variable, overriding front matter and TRIAGE_VAR_<NAME>.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = crate::cli::parse_var)]
    pub vars: Vec<(String, String)>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
}

/// How the plan is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PlanFormat {
    /// Numbered steps with their risk and reasons.
    Human,
    /// `{"steps":[{"command","risk","reasons","section","line"}]}`.
    Json,
}

/// Runs `triage run`.
pub(crate) fn run(args: RunArgs, config: Config) -> anyhow::Result<Exit> {
    if !args.plan {
        render::error_line(
            "executing steps is not available yet: `triage run GUIDE --plan` shows them with their risk",
        );
        return Ok(Exit::Error);
    }
    let options = crate::command::diagnose::load_options(&args.vars, &config);
    // The guide crate's error names the file.
    let parsed = triage_guide::load(&args.guide, &options)?;
    render::diagnostics(&parsed.diagnostics)?;
    let mut plan = Plan::of(&parsed.guide);
    if let Some(filter) = &args.section {
        let filter = filter.to_lowercase();
        plan.steps.retain(|s| s.section.join(" / ").to_lowercase().contains(&filter));
    }
    let mut redactor = Redactor::default();
    redactor.add_secret_vars(parsed.guide.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    match args.format {
        PlanFormat::Human => render::plan::human(&plan, &args.guide, &redactor)?,
        PlanFormat::Json => render::plan::json(&plan, &redactor)?,
    }
    Ok(Exit::Healthy)
}

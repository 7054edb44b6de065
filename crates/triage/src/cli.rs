//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Makes troubleshooting guides executable: checks, diagnoses, runs and collects from
/// the Markdown guides a team already has.
#[derive(Debug, Parser)]
#[command(name = "triage", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    /// More log output on stderr (-v info, -vv debug); TRIAGE_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Configuration file [default: ./triage.toml when it exists].
    #[arg(long, global = true, env = "TRIAGE_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run every check of the guides with native probes and report what is broken.
    Check(CheckArgs),
    /// Report every problem in the guides that can be found without running anything.
    Lint(LintArgs),
    /// Evaluate one condition against a probe result given as JSON.
    Condition(ConditionArgs),
    /// Rank the guide sections that explain an error message, a log excerpt or a log file.
    Diagnose(crate::command::diagnose::DiagnoseArgs),
    /// Show what triage understood of a guide; --annotate writes an annotated copy.
    Import(crate::command::import::ImportArgs),
    /// List the symptoms of the knowledge base.
    Kb(crate::command::kb::KbArgs),
    /// Read logs: every known error signature counted, unknown errors clustered.
    Scan(crate::command::scan::ScanArgs),
    /// Mine message templates from any log.
    Templates(crate::command::templates::TemplatesArgs),
    /// Print a text with its secrets masked (passwords, tokens, keys, credentials in URLs).
    Redact(crate::command::redact::RedactArgs),
    /// Run a guide's procedure step by step, each confirmed; --plan shows the steps' risk.
    Run(crate::command::run::RunArgs),
}

/// Which guides to read and how to fill their variables.
#[derive(Debug, Args)]
pub(crate) struct GuideArgs {
    /// Guide files or folders of guides [default: the config's guides, else ./guides].
    pub paths: Vec<PathBuf>,
    /// Set a guide variable, overriding front matter and TRIAGE_VAR_<NAME>.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub guides: GuideArgs,
    /// Only checks in sections whose heading path contains this text (case-insensitive).
    #[arg(long)]
    pub section: Option<String>,
    /// Only checks carrying this tag (on the check or its guide); repeat for any of several.
    #[arg(long)]
    pub tag: Vec<String>,
    /// Show only checks that did not pass.
    #[arg(long)]
    pub failing: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Most checks in flight at once [default: 512, or the config's].
    #[arg(long, env = "TRIAGE_CONCURRENCY", value_parser = clap::value_parser!(u64).range(1..))]
    pub concurrency: Option<u64>,
    /// Timeout of one attempt of a check that sets none, e.g. 5s or 500ms
    /// [default: 10s, or the config's].
    #[arg(long, env = "TRIAGE_TIMEOUT", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    #[command(flatten)]
    pub guides: GuideArgs,
    /// Output format (human or json).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ConditionArgs {
    /// The condition, e.g. '[STATUS] == 200'.
    pub condition: String,
    /// The result to evaluate against, as JSON with snake_case keys
    /// (status, body, response_time_ms, connected, ...).
    #[arg(long, default_value = "{}")]
    pub result: String,
    /// Show the condition with resolved values even when it holds.
    #[arg(long)]
    pub resolve: bool,
}

/// How results are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Grouped by guide and section, coloured on a terminal.
    Human,
    /// One JSON document.
    Json,
    /// JUnit XML, for CI systems.
    Junit,
    /// Test Anything Protocol, version 13.
    Tap,
}

pub(crate) fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

pub(crate) fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    triage_core::duration::parse(text)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn vars_need_a_name() {
        assert_eq!(parse_var("A=b=c"), Ok(("A".into(), "b=c".into())));
        assert!(parse_var("=x").is_err());
        assert!(parse_var("novalue").is_err());
    }
}

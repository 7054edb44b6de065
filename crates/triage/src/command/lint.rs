//! `triage lint`: every problem the loader finds, without running anything.

use crate::cli::{Format, LintArgs};
use crate::config::Config;
use crate::exit::Exit;
use crate::{load, render};

/// Prints the diagnostics; 0 when there are none, 1 when any is an error.
pub(crate) fn run(args: LintArgs, config: Config) -> anyhow::Result<Exit> {
    let loaded = load::load(&args.guides, &config)?;
    let checks: usize = loaded.guides.iter().map(|g| g.checks.len()).sum();
    match args.format {
        Format::Json => render::json::lint(&loaded.diagnostics, loaded.guides.len(), checks)?,
        _ => render::human::lint(&loaded.diagnostics, loaded.guides.len(), checks)?,
    }
    Ok(if loaded.has_errors() { Exit::Findings } else { Exit::Healthy })
}

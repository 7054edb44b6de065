//! `triage templates` (being written).

use crate::config::Config;
use crate::exit::Exit;

/// Arguments of `triage templates` (being written).
#[derive(Debug, clap::Args)]
pub(crate) struct TemplatesArgs {}

/// Runs `triage templates` (being written).
pub(crate) fn run(_args: TemplatesArgs, _config: Config) -> anyhow::Result<Exit> {
    anyhow::bail!("triage templates is not written yet")
}

//! `triage scan` (being written).

use crate::config::Config;
use crate::exit::Exit;

/// Arguments of `triage scan` (being written).
#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {}

/// Runs `triage scan` (being written).
pub(crate) fn run(_args: ScanArgs, _config: Config) -> anyhow::Result<Exit> {
    anyhow::bail!("triage scan is not written yet")
}

//! One file per subcommand; `run` dispatches.

mod check;
mod condition;
pub(crate) mod diagnose;
pub(crate) mod import;
pub(crate) mod kb;
mod lint;
pub(crate) mod redact;
pub(crate) mod run;
pub(crate) mod scan;
pub(crate) mod templates;

use crate::cli::{Cli, Command};
use crate::config;
use crate::exit::Exit;

/// Runs the subcommand `cli` names.
pub(crate) fn run(cli: Cli) -> anyhow::Result<Exit> {
    let config = || config::load(cli.config.as_deref());
    match cli.command {
        Command::Check(args) => check::run(args, config()?),
        Command::Lint(args) => lint::run(args, config()?),
        Command::Condition(args) => condition::run(args),
        Command::Diagnose(args) => diagnose::run(args, config()?),
        Command::Import(args) => import::run(args, config()?),
        Command::Kb(args) => kb::run(args, config()?),
        Command::Scan(args) => scan::run(args, config()?),
        Command::Templates(args) => templates::run(args, config()?),
        Command::Redact(args) => redact::run(args, config()?),
        Command::Run(args) => run::run(args, config()?),
    }
}

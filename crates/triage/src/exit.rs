//! Exit codes that mean something to scripts.

use std::process::ExitCode;

/// How a triage run ended, as its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Exit {
    /// 0: everything checked is healthy (or the condition held).
    Healthy,
    /// 1: a check failed (or the condition did not hold, or lint found problems).
    Findings,
    /// 2: triage itself could not do its job: bad arguments, unreadable guides, broken
    /// check blocks.
    Error,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(match exit {
            Exit::Healthy => 0,
            Exit::Findings => 1,
            Exit::Error => 2,
        })
    }
}

//! How bad a failing check is, and how a check ended.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a failing check means for the service. Default: [`Severity::Fail`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look, does not make the run unhealthy.
    Warn,
    /// The service is broken; the run exits 1.
    #[default]
    Fail,
}

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every condition held.
    Pass,
    /// A condition failed on a check of severity `warn`.
    Warn,
    /// A condition failed on a check of severity `fail`, or the probe timed out.
    Fail,
}

impl Status {
    /// The status of a check of `severity` whose conditions did (`true`) or did not hold.
    pub fn from_verdict(held: bool, severity: Severity) -> Self {
        match (held, severity) {
            (true, _) => Status::Pass,
            (false, Severity::Warn) => Status::Warn,
            (false, Severity::Fail) => Status::Fail,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert_eq!(Status::from_verdict(true, Severity::Fail), Status::Pass);
        assert_eq!(Status::from_verdict(false, Severity::Warn), Status::Warn);
        assert_eq!(Status::from_verdict(false, Severity::Fail), Status::Fail);
    }
}

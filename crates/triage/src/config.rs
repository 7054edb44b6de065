//! Configuration layers: built-in defaults < `triage.toml` < `TRIAGE_*` environment <
//! command-line flags.
//!
//! The file is read raw into [`FileConfig`] (every field optional, unknown keys
//! rejected) and merged with the other layers into the typed [`Config`]. The file is
//! `--config PATH`, else `$TRIAGE_CONFIG`, else `./triage.toml` when it exists. Relative
//! guide paths in it are relative to the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde::Deserialize;

/// The example configuration shipped in the docs; a test keeps it valid.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = include_str!("../../../examples/triage.toml");

/// Name of the file looked for in the current directory.
pub(crate) const FILE_NAME: &str = "triage.toml";

/// `triage.toml` as written: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    /// Guide files or folders used when the command line names none.
    #[serde(default)]
    guides: Vec<PathBuf>,
    /// Checks in flight at once.
    concurrency: Option<usize>,
    /// Timeout of one attempt of a check that sets none, e.g. `5s`.
    #[serde(default, with = "triage_core::duration::option")]
    timeout: Option<Duration>,
    /// Guide variables, below `TRIAGE_VAR_*` and `--var`.
    #[serde(default)]
    vars: BTreeMap<String, String>,
}

/// The configuration in force, every layer applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    /// Guide paths when the command line names none; empty means `./guides`.
    pub guides: Vec<PathBuf>,
    /// Checks in flight at once. Default: `triage_probe::engine::DEFAULT_CONCURRENCY`.
    pub concurrency: usize,
    /// Default per-attempt check timeout. Default: 10 s.
    pub timeout: Duration,
    /// Variables from the file; the guide loader layers env and flags on top.
    pub vars: BTreeMap<String, String>,
}

/// Default per-attempt timeout of a check.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for Config {
    fn default() -> Self {
        Config {
            guides: Vec::new(),
            concurrency: triage_probe::engine::DEFAULT_CONCURRENCY,
            timeout: DEFAULT_TIMEOUT,
            vars: BTreeMap::new(),
        }
    }
}

impl FileConfig {
    /// Parses `text`, naming `path` in errors.
    pub fn parse(path: &Path, text: &str) -> anyhow::Result<Self> {
        toml::from_str(text).with_context(|| format!("invalid config {}", path.display()))
    }

    fn apply(self, base: &Path, config: &mut Config) -> anyhow::Result<()> {
        if let Some(n) = self.concurrency {
            if n == 0 {
                bail!("concurrency must be at least 1");
            }
            config.concurrency = n;
        }
        if let Some(t) = self.timeout {
            config.timeout = t;
        }
        config.guides = self.guides.into_iter().map(|p| base.join(p)).collect();
        config.vars = self.vars;
        Ok(())
    }
}

/// Builds the configuration from the file layer. `explicit` is `--config` or
/// `$TRIAGE_CONFIG` (clap folds the two); the flags are applied by each command.
pub(crate) fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from(FILE_NAME)).filter(|p| p.is_file()),
    };
    let mut config = Config::default();
    if let Some(path) = path {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        FileConfig::parse(&path, &text)?
            .apply(&base, &mut config)
            .with_context(|| format!("invalid config {}", path.display()))?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_is_valid() {
        let mut config = Config::default();
        FileConfig::parse(Path::new("triage.toml"), EXAMPLE)
            .unwrap()
            .apply(Path::new("/etc/triage"), &mut config)
            .unwrap();
        assert_eq!(config.guides, [PathBuf::from("/etc/triage/guides")]);
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.vars.get("METALD").map(String::as_str), Some("http://localhost:8080"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let err = FileConfig::parse(Path::new("t.toml"), "guidez = []").unwrap_err();
        assert!(format!("{err:#}").contains("unknown field `guidez`"), "{err:#}");
        let err = FileConfig::parse(Path::new("t.toml"), "timeout = \"30\"").unwrap_err();
        assert!(format!("{err:#}").contains("needs a unit"), "{err:#}");
        let mut c = Config::default();
        let zero = FileConfig::parse(Path::new("t.toml"), "concurrency = 0").unwrap();
        assert!(zero.apply(Path::new("."), &mut c).is_err());
    }

    #[test]
    fn no_file_means_defaults() {
        assert_eq!(load(None).unwrap(), Config::default());
    }
}

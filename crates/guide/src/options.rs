//! How a guide is loaded: where variable values come from besides the guide itself.

use std::collections::BTreeMap;

/// The prefix that makes an environment variable a guide variable: `TRIAGE_VAR_PORT=9090`
/// sets `${PORT}`.
pub const ENV_PREFIX: &str = "TRIAGE_VAR_";

/// Variable sources outside the guide, in increasing precedence after the front matter's
/// `vars:` (front matter < `env` < `overrides`).
///
/// `Default` is empty: nothing from the process environment, no overrides. The reader never
/// reads the process environment by itself, so tests stay hermetic; the CLI builds its
/// options with [`LoadOptions::from_process_env`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Environment variables by their full name (`TRIAGE_VAR_PORT`); entries without the
    /// [`ENV_PREFIX`] are ignored.
    pub env: BTreeMap<String, String>,
    /// Explicit values by variable name (`PORT`), as given with `--var PORT=9090`.
    pub overrides: BTreeMap<String, String>,
}

impl LoadOptions {
    /// Options whose `env` holds every `TRIAGE_VAR_*` variable of this process (variables
    /// whose name or value is not valid Unicode are skipped), plus `overrides`.
    pub fn from_process_env(overrides: BTreeMap<String, String>) -> Self {
        let env = std::env::vars_os()
            .filter_map(|(key, value)| Some((key.into_string().ok()?, value.into_string().ok()?)))
            .filter(|(key, _)| key.starts_with(ENV_PREFIX))
            .collect();
        LoadOptions { env, overrides }
    }

    /// The variables the environment sets, by variable name (prefix removed).
    pub(crate) fn env_vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.env.iter().filter_map(|(key, value)| {
            let name = key.strip_prefix(ENV_PREFIX)?;
            (!name.is_empty()).then_some((name, value.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_vars_strip_the_prefix_and_skip_others() {
        let options = LoadOptions {
            env: BTreeMap::from([
                ("TRIAGE_VAR_PORT".to_owned(), "9090".to_owned()),
                ("TRIAGE_VAR_".to_owned(), "nameless".to_owned()),
                ("PATH".to_owned(), "/bin".to_owned()),
            ]),
            overrides: BTreeMap::new(),
        };
        assert_eq!(options.env_vars().collect::<Vec<_>>(), vec![("PORT", "9090")]);
    }

    #[test]
    fn from_process_env_keeps_only_prefixed_variables() {
        let options = LoadOptions::from_process_env(BTreeMap::new());
        assert!(options.env.keys().all(|key| key.starts_with(ENV_PREFIX)));
    }
}

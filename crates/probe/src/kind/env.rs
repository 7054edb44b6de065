//! `kind: env`: is an environment variable set, and to what.
//!
//! The check behind `echo $METALD_BILLING_URL` or `cat /proc/PID/environ` in a guide.
//! By default it reads triage's own environment (the shell the on-call engineer runs it
//! from); with `pid` or `process` it reads the environment a running service was started
//! with, from `/proc/PID/environ` (which needs the same user or root).
//!
//! A variable whose name looks secret (`PASSWORD`, `SECRET`, `TOKEN`, `KEY`, `CREDENTIAL`,
//! `AUTH`, `PRIVATE`... in any case, see `triage_core::redact::is_secret_name`) has its
//! value recorded as a secret, so every renderer masks it; conditions still see it.
//!
//! Fields (at most one of `pid` and `process`):
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `variable` | the variable, e.g. `DATABASE_URL` | required |
//! | `matches` | regular expression the value must contain a match of; binds `[MATCHES]` | none |
//! | `pid` | read the environment of this process | triage's own |
//! | `process` | read the environment of the oldest process of this name (as `kind: process` matches `program`) | triage's own |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[SET]` | `true` when the variable is set (even to the empty string) |
//! | `[VALUE]` | its value (at most the run's `max_bytes`); not bound when unset |
//! | `[MATCHES]` | with `matches`: whether the value matches; `false` when unset |
//!
//! Default expectation: `[SET] == true`.
//!
//! ```yaml
//! kind: env
//! process: metald
//! variable: UNKEY_METALD_BILLING_ENABLED
//! matches: "^(true|1)$"
//! expect:
//!   - "[MATCHES] == true"
//! ```

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use procfs::ProcError;
use regex::Regex;
use serde::Deserialize;
use triage_core::Observation;
use triage_core::redact::is_secret_name;

use crate::kind::process::{Selector, find};
use crate::{Context, Kind};

/// Looks up one environment variable, of triage or of a running process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Env {
    /// The variable's name. Required.
    #[serde(rename = "variable")]
    pub name: String,
    /// Regular expression searched in the value; binds `[MATCHES]`. Default: none.
    #[serde(default)]
    pub matches: Option<String>,
    /// Read `/proc/PID/environ` of this process. Default: triage's own environment.
    #[serde(default)]
    pub pid: Option<i32>,
    /// Read the environment of the oldest process with this name. Default: triage's own.
    #[serde(default)]
    pub process: Option<String>,
}

impl Kind for Env {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("SET", "true when the variable is set"),
        ("VALUE", "the value; masked in output when the name looks secret"),
        ("MATCHES", "with `matches`: true when the value matches the regex"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[SET] == true"];

    fn target(&self) -> String {
        match (&self.pid, &self.process) {
            (Some(pid), _) => format!("env {} of pid {pid}", self.name),
            (None, Some(process)) => format!("env {} of {process}", self.name),
            (None, None) => format!("env {}", self.name),
        }
    }

    fn validate(&self) -> Result<(), String> {
        if self.name.is_empty() || self.name.contains('=') || self.name.contains('\0') {
            return Err(format!("`{}` is not a variable name", self.name));
        }
        if self.pid.is_some() && self.process.is_some() {
            return Err("give `pid` or `process`, not both".into());
        }
        if matches!(self.pid, Some(pid) if pid <= 0) {
            return Err("pid must be positive".into());
        }
        if self.process.as_deref() == Some("") {
            return Err("process is empty".into());
        }
        match &self.matches {
            Some(re) => compile(re).map(drop),
            None => Ok(()),
        }
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let probe = self.clone();
        let max_bytes = ctx.max_bytes;
        ctx.blocking("read environment", move || probe.look(max_bytes)).await
    }
}

fn compile(re: &str) -> Result<Regex, String> {
    Regex::new(re).map_err(|e| format!("invalid regex `{re}`: {e}"))
}

impl Env {
    fn look(&self, max_bytes: usize) -> Observation {
        let mut seen = Observation::default();
        let value = match self.read() {
            Ok(value) => value,
            Err(e) => return Observation::failed(e),
        };
        let Some(value) = value else {
            seen.set("SET", false);
            if self.matches.is_some() {
                seen.set("MATCHES", false);
            }
            return seen;
        };
        let mut value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if value.len() > max_bytes {
            let mut end = max_bytes;
            while !value.is_char_boundary(end) {
                end -= 1;
            }
            value.truncate(end);
            seen.note(format!("value cut at {max_bytes} bytes"));
        }
        if is_secret_name(&self.name) {
            seen.secrets.push(value.clone());
        }
        if let Some(re) = &self.matches {
            match compile(re) {
                Ok(re) => {
                    seen.set("MATCHES", re.is_match(&value));
                }
                Err(e) => seen.error = Some(e),
            }
        }
        seen.set("SET", true).set("VALUE", value);
        seen
    }

    /// The variable's raw value, `None` when unset.
    fn read(&self) -> Result<Option<OsString>, String> {
        let pid = match (&self.pid, &self.process) {
            (Some(pid), _) => *pid,
            (None, Some(name)) => {
                let selector = Selector { name: Some(name.clone()), ..Selector::default() };
                match find(&selector)?.first() {
                    Some(found) => found.stat.pid,
                    None => return Err(format!("no process named `{name}` is running")),
                }
            }
            (None, None) => return Ok(std::env::var_os(&self.name)),
        };
        let environ: HashMap<OsString, OsString> = procfs::process::Process::new(pid)
            .and_then(|p| p.environ())
            .map_err(|e| format!("read /proc/{pid}/environ: {}", describe(&e)))?;
        Ok(environ.get(std::ffi::OsStr::new(&self.name)).cloned())
    }
}

/// A lowercase fact for the procfs errors one meets reading another process.
fn describe(e: &ProcError) -> String {
    match e {
        ProcError::PermissionDenied(_) => "permission denied".into(),
        ProcError::NotFound(_) => "no such process".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // tests start the processes they look for
mod tests {
    use std::process::Command;
    use std::time::Duration;

    use triage_core::Value;

    use super::*;
    use crate::Probe;

    fn env(name: &str) -> Env {
        Env { name: name.into(), matches: None, pid: None, process: None }
    }

    #[tokio::test]
    async fn own_environment() {
        // PATH is set in every environment the tests run in; the name below in none.
        let path = std::env::var("PATH").unwrap();
        let probe = Env { matches: Some("/bin".into()), ..env("PATH") };
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("SET"), Some(&true.into()));
        assert_eq!(seen.get("VALUE"), Some(&path.as_str().into()));
        assert_eq!(seen.get("MATCHES"), Some(&true.into()));
        assert!(seen.secrets.is_empty());

        let probe = Env { matches: Some(".".into()), ..env("TRIAGE_TEST_SURELY_UNSET_VARIABLE") };
        let seen = probe.observe(&Context::default()).await;
        assert!(seen.error.is_none());
        assert_eq!(seen.get("SET"), Some(&false.into()));
        assert_eq!(seen.get("VALUE"), None);
        assert_eq!(seen.get("MATCHES"), Some(&false.into()));
    }

    #[tokio::test]
    async fn a_child_started_with_a_secret() {
        let mut child = Command::new("sleep")
            .arg("30")
            .env("TRIAGE_TEST_DB_PASSWORD", "hunter2hunter2")
            .env("TRIAGE_TEST_MODE", "blue")
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let pid = i32::try_from(child.id()).unwrap();

        let probe = Env { pid: Some(pid), ..env("TRIAGE_TEST_DB_PASSWORD") };
        let seen = probe.observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("VALUE"), Some(&"hunter2hunter2".into()));
        assert_eq!(seen.secrets, vec!["hunter2hunter2".to_owned()]);

        let probe = Env { pid: Some(pid), matches: Some("^bl".into()), ..env("TRIAGE_TEST_MODE") };
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("MATCHES"), Some(&true.into()));
        assert!(seen.secrets.is_empty());

        let probe = Env { pid: Some(pid), ..env("PATH_NOT_GIVEN_TO_THE_CHILD_X") };
        assert_eq!(probe.observe(&Context::default()).await.get("SET"), Some(&false.into()));

        let _ = child.kill();
        let _ = child.wait();
        let seen =
            Env { pid: Some(pid), ..env("TRIAGE_TEST_MODE") }.observe(&Context::default()).await;
        assert_eq!(
            seen.error.as_deref(),
            Some(format!("read /proc/{pid}/environ: no such process").as_str())
        );
    }

    #[tokio::test]
    async fn by_process_name() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("tev{}", std::process::id());
        let link = dir.path().join(&name);
        let sleep =
            ["/bin/sleep", "/usr/bin/sleep"].into_iter().find(|p| std::path::Path::new(p).exists());
        std::os::unix::fs::symlink(sleep.unwrap(), &link).unwrap();
        let mut child =
            Command::new(&link).arg("30").env("TRIAGE_TEST_COLOR", "green").spawn().unwrap();
        std::thread::sleep(Duration::from_millis(100));

        let probe = Env { process: Some(name.clone()), ..env("TRIAGE_TEST_COLOR") };
        let seen = probe.observe(&Context::default()).await;
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(seen.get("VALUE"), Some(&Value::Text("green".into())), "{seen:?}");

        let probe = Env { process: Some("no-such-program-triage".into()), ..env("X") };
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(
            seen.error.as_deref(),
            Some("no process named `no-such-program-triage` is running")
        );
    }

    #[tokio::test]
    async fn long_values_are_cut_at_max_bytes() {
        let ctx = Context { max_bytes: 3, ..Context::default() };
        let seen = env("PATH").observe(&ctx).await;
        let Some(Value::Text(value)) = seen.get("VALUE") else { panic!() };
        assert_eq!(value.len(), 3);
    }

    #[test]
    fn validates() {
        assert!(env("HOME").validate().is_ok());
        assert!(env("").validate().is_err());
        assert!(env("A=B").validate().is_err());
        assert!(Env { matches: Some("[".into()), ..env("A") }.validate().is_err());
        assert!(Env { pid: Some(1), process: Some("x".into()), ..env("A") }.validate().is_err());
        assert!(Env { pid: Some(0), ..env("A") }.validate().is_err());
    }

    #[test]
    fn yaml_form() {
        let probe: Probe =
            serde_yaml_ng::from_str("kind: env\nvariable: DATABASE_URL\nprocess: postgres")
                .unwrap();
        assert_eq!(probe.target(), "env DATABASE_URL of postgres");
        let err = serde_yaml_ng::from_str::<Probe>("kind: env\nvariable: A\nvalue: b").unwrap_err();
        assert!(err.to_string().contains("unknown field `value`"), "{err}");
    }
}

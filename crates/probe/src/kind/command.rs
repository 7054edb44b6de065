//! `kind: command`: runs a program and looks at its exit code and output.
//!
//! The explicit escape hatch for what no native probe covers (`systemctl is-active
//! metald`, `pg_isready`, a vendor CLI). The program is executed directly, without a shell,
//! through `triage_core::exec`: stdin closed, output capped at the run's `max_bytes`, the
//! whole process group killed at the deadline. A guide that needs pipes or globbing writes
//! `run:` instead of `argv:`, which is executed as `sh -c RUN` and marked as such in the
//! probe's target and notes. triage cannot know what a command does, so a guide's author
//! is responsible for keeping it read-only; output renderers mark command checks.
//!
//! Fields (exactly one of `argv` and `run`):
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `argv` | the program and its arguments, e.g. `[systemctl, is-active, metald]` | none |
//! | `run` | a shell script, run as `sh -c RUN` | none |
//! | `kill_after` | kill the program after this long (the check's `timeout` still bounds the whole attempt) | the run's probe timeout |
//! | `cwd` | working directory | triage's own |
//! | `env` | variables added to the inherited environment | none |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[EXIT_CODE]` | the exit code; 128 + the signal number when a signal ended it, as shells report |
//! | `[STDOUT]` | standard output, at most `max_bytes`, one trailing newline removed |
//! | `[STDERR]` | standard error, the same way |
//! | `[RESPONSE_TIME]` | how long it ran |
//! | `[TIMED_OUT]` | `true` when it was killed at `kill_after` |
//! | `[SIGNAL]` | the signal that ended it, when one did |
//!
//! A program that cannot be started (not installed, say) binds nothing and says why in
//! the error. Default expectation: `[EXIT_CODE] == 0`.
//!
//! ```yaml
//! kind: command
//! argv: [systemctl, is-active, metald]
//! expect:
//!   - "[EXIT_CODE] == 0"
//!   - "[STDOUT] == active"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use triage_core::Observation;
use triage_core::exec::{Invocation, Output};
use triage_core::redact::is_secret_name;

use crate::{Context, Kind};

/// Runs one program, without a shell unless `run:` asks for one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// The program and its arguments. Default: none; exactly one of `argv` and `run`.
    #[serde(default)]
    pub argv: Option<Vec<String>>,
    /// A shell script, executed as `sh -c RUN`. Default: none.
    #[serde(default)]
    pub run: Option<String>,
    /// When the program is killed. Default: the run's probe timeout.
    #[serde(default, with = "triage_core::duration::option")]
    pub kill_after: Option<Duration>,
    /// Working directory. Default: triage's own.
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    /// Variables added to the environment triage passes on. Default: none.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

impl Kind for Command {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("EXIT_CODE", "exit code; 128 + signal number when a signal ended it"),
        ("STDOUT", "standard output, capped, one trailing newline removed"),
        ("STDERR", "standard error, capped, one trailing newline removed"),
        ("RESPONSE_TIME", "how long the program ran"),
        ("TIMED_OUT", "true when the program was killed at its deadline"),
        ("SIGNAL", "the signal that ended the program, when one did"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[EXIT_CODE] == 0"];

    fn target(&self) -> String {
        match (&self.argv, &self.run) {
            (Some(argv), _) => format!("command {}", argv.join(" ")),
            (None, Some(script)) => format!("command (shell) sh -c {script}"),
            (None, None) => "command".into(),
        }
    }

    fn validate(&self) -> Result<(), String> {
        match (&self.argv, &self.run) {
            (Some(_), Some(_)) => Err("give `argv` or `run`, not both".into()),
            (None, None) => Err("give `argv` (a program and its arguments) or `run`".into()),
            (Some(argv), None) if argv.first().is_none_or(String::is_empty) => {
                Err("argv must start with a program".into())
            }
            (None, Some(script)) if script.trim().is_empty() => Err("run is empty".into()),
            _ => Ok(()),
        }
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let Some(argv) = self.argv() else {
            return Observation::failed("command has neither `argv` nor `run`");
        };
        let limit = self.kill_after.unwrap_or(ctx.timeout);
        let mut invocation = Invocation::new(argv).timeout(limit).max_output(ctx.max_bytes);
        invocation.env = self.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        invocation.cwd = self.cwd.clone();
        let mut seen = Observation::default();
        seen.secrets.extend(
            self.env.iter().filter(|(name, _)| is_secret_name(name)).map(|(_, v)| v.clone()),
        );
        if self.run.is_some() {
            seen.note("ran through `sh -c`");
        }
        match invocation.run().await {
            Ok(output) => bind(&mut seen, &output, limit, ctx.max_bytes),
            Err(e) => seen.error = Some(e.to_string()),
        }
        seen
    }
}

impl Command {
    fn argv(&self) -> Option<Vec<String>> {
        match (&self.argv, &self.run) {
            (Some(argv), _) => Some(argv.clone()),
            (None, Some(script)) => Some(vec!["sh".into(), "-c".into(), script.clone()]),
            (None, None) => None,
        }
    }
}

fn bind(seen: &mut Observation, output: &Output, limit: Duration, max_bytes: usize) {
    let code = output.status.or(output.signal.map(|s| 128 + s));
    if let Some(code) = code {
        seen.set("EXIT_CODE", i64::from(code));
    }
    if let Some(signal) = output.signal {
        seen.set("SIGNAL", i64::from(signal));
    }
    seen.set("STDOUT", trimmed(&output.stdout))
        .set("STDERR", trimmed(&output.stderr))
        .set("RESPONSE_TIME", output.duration)
        .set("TIMED_OUT", output.timed_out);
    if output.timed_out {
        seen.error = Some(format!("killed after {limit:?}: still running at its deadline"));
    } else if let Some(signal) = output.signal {
        seen.note(format!("ended by signal {signal}"));
    }
    for (truncated, stream) in
        [(output.stdout_truncated, "stdout"), (output.stderr_truncated, "stderr")]
    {
        if truncated {
            seen.note(format!("{stream} cut at {max_bytes} bytes"));
        }
    }
}

/// The output as text with one trailing line break removed, as `$(...)` would give it.
fn trimmed(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    text.strip_suffix('\r').unwrap_or(text).to_owned()
}

#[cfg(test)]
mod tests {
    use triage_core::Value;

    use super::*;
    use crate::Probe;

    fn argv(args: &[&str]) -> Command {
        Command {
            argv: Some(args.iter().map(|a| (*a).to_owned()).collect()),
            run: None,
            kill_after: None,
            cwd: None,
            env: BTreeMap::new(),
        }
    }

    async fn run(probe: &Command) -> Observation {
        probe.observe(&Context::default()).await
    }

    #[tokio::test]
    async fn true_and_false() {
        let seen = run(&argv(&["true"])).await;
        assert_eq!(seen.get("EXIT_CODE"), Some(&Value::Int(0)));
        assert_eq!(seen.get("TIMED_OUT"), Some(&false.into()));
        assert!(matches!(seen.get("RESPONSE_TIME"), Some(Value::Duration(_))));
        assert!(seen.error.is_none());
        assert_eq!(run(&argv(&["false"])).await.get("EXIT_CODE"), Some(&Value::Int(1)));
    }

    #[tokio::test]
    async fn echo_output_trimmed() {
        let seen = run(&argv(&["echo", "active"])).await;
        assert_eq!(seen.get("STDOUT"), Some(&"active".into()));
        assert_eq!(seen.get("STDERR"), Some(&"".into()));
        assert!(seen.notes.is_empty(), "{seen:?}");
    }

    #[tokio::test]
    async fn shell_only_when_asked() {
        let seen = run(&argv(&["echo", "a|b", "$HOME"])).await;
        assert_eq!(seen.get("STDOUT"), Some(&"a|b $HOME".into()));

        let script = Command {
            run: Some("printf 'one\\ntwo\\n' | wc -l; echo \"$TRIAGE_TOKEN\" >&2; exit 4".into()),
            argv: None,
            env: [("TRIAGE_TOKEN".to_owned(), "tok-123456".to_owned())].into(),
            ..argv(&[])
        };
        assert!(script.target().contains("(shell) sh -c printf"));
        let seen = run(&script).await;
        assert_eq!(seen.get("EXIT_CODE"), Some(&Value::Int(4)));
        assert_eq!(seen.get("STDOUT").map(|v| v.to_string().trim().to_owned()), Some("2".into()));
        assert_eq!(seen.get("STDERR"), Some(&"tok-123456".into()));
        assert_eq!(seen.secrets, vec!["tok-123456".to_owned()], "a token passed in env is secret");
        assert!(seen.notes.iter().any(|n| n.contains("sh -c")));
    }

    #[tokio::test]
    async fn cwd_and_output_cap() {
        let dir = tempfile::tempdir().unwrap();
        let probe = Command { cwd: Some(dir.path().into()), ..argv(&["pwd"]) };
        let Some(Value::Text(pwd)) = run(&probe).await.get("STDOUT").cloned() else { panic!() };
        assert_eq!(std::fs::canonicalize(pwd).unwrap(), std::fs::canonicalize(dir.path()).unwrap());

        let ctx = Context { max_bytes: 5, ..Context::default() };
        let seen = argv(&["echo", "0123456789"]).observe(&ctx).await;
        assert_eq!(seen.get("STDOUT"), Some(&"01234".into()));
        assert!(seen.notes.iter().any(|n| n == "stdout cut at 5 bytes"), "{seen:?}");
    }

    #[tokio::test]
    async fn a_timeout_kills_and_says_so() {
        let probe =
            Command { kill_after: Some(Duration::from_millis(200)), ..argv(&["sleep", "30"]) };
        let started = std::time::Instant::now();
        let seen = run(&probe).await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(seen.get("TIMED_OUT"), Some(&true.into()));
        assert_eq!(seen.get("SIGNAL"), Some(&Value::Int(9)));
        assert_eq!(seen.get("EXIT_CODE"), Some(&Value::Int(137)));
        assert_eq!(
            seen.error.as_deref(),
            Some("killed after 200ms: still running at its deadline")
        );

        // Without kill_after the run's probe timeout applies.
        let ctx = Context { timeout: Duration::from_millis(200), ..Context::default() };
        let seen = argv(&["sleep", "30"]).observe(&ctx).await;
        assert_eq!(seen.get("TIMED_OUT"), Some(&true.into()));
    }

    #[tokio::test]
    async fn a_missing_program_is_a_result() {
        let seen = run(&argv(&["triage-no-such-program", "x"])).await;
        assert_eq!(seen.error.as_deref(), Some("program `triage-no-such-program` not found"));
        assert_eq!(seen.get("EXIT_CODE"), None);
    }

    #[test]
    fn validates() {
        assert!(argv(&["true"]).validate().is_ok());
        assert!(argv(&[]).validate().is_err());
        assert!(argv(&[""]).validate().is_err());
        assert!(Command { run: Some("true".into()), ..argv(&["true"]) }.validate().is_err());
        assert!(Command { argv: None, run: Some(" ".into()), ..argv(&[]) }.validate().is_err());
    }

    #[test]
    fn yaml_form() {
        let probe: Probe = serde_yaml_ng::from_str(
            "kind: command\nargv: [systemctl, is-active, metald]\nkill_after: 2s\nenv: {LANG: C}",
        )
        .unwrap();
        assert_eq!(probe.target(), "command systemctl is-active metald");
        let Probe::Command(command) = &probe else { panic!() };
        assert_eq!(command.kill_after, Some(Duration::from_secs(2)));
        let probe: Probe =
            serde_yaml_ng::from_str("kind: command\nrun: 'df -h | tail -1'").unwrap();
        assert!(probe.validate().is_ok());
        let err =
            serde_yaml_ng::from_str::<Probe>("kind: command\nargv: [x]\nshell: true").unwrap_err();
        assert!(err.to_string().contains("unknown field `shell`"), "{err}");
    }
}

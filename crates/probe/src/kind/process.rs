//! `kind: process`: is a program running, how many, how big, since when.
//!
//! The check behind `pgrep`, `ps aux | grep` and `systemctl status` in a guide, read from
//! `/proc`. A process matches `program` when its command name (`comm`), the file name of its
//! executable or of its `argv[0]` is exactly `program`; it matches `pattern` when the regular
//! expression finds a match in its whole command line (arguments joined by spaces). Zombies
//! do not count. triage itself and the programs it runs are never matched (a `pattern`
//! written on triage's own command line would otherwise always find triage).
//!
//! Fields (exactly one of `program` and `pattern`):
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `program` | exact program name, e.g. `postgres` | none |
//! | `pattern` | regular expression on the command line, e.g. `metald .*--config` | none |
//! | `user` | only processes running as this user (name or numeric uid, effective uid) | any user |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[COUNT]` | matching processes |
//! | `[RUNNING]` | `true` when at least one matches |
//! | `[PID]` | pid of the oldest match |
//! | `[PIDS]` | pids of all matches, oldest first (a JSON list: `len([PIDS]) == 1`) |
//! | `[RSS]` | resident memory of all matches, bytes |
//! | `[FDS]` | open file descriptors of all matches (those triage may inspect) |
//! | `[UPTIME]` | time since the oldest match started |
//! | `[THREADS]` | threads of all matches |
//!
//! Without a match `[PID]` and `[UPTIME]` are not bound and the sums are 0.
//! Default expectation: `[RUNNING] == true`.
//!
//! ```yaml
//! kind: process
//! program: billaged
//! user: billaged
//! expect:
//!   - "[COUNT] == 1"
//!   - "[UPTIME] > 60000"
//! ```

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use procfs::process::{Process as Proc, Stat};
use procfs::{Current, Uptime};
use regex::Regex;
use serde::Deserialize;
use triage_core::{Observation, Value};

use crate::{Context, Kind};

/// Finds running processes by name or command-line pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    /// Exact program name: `comm`, or the file name of the executable or of `argv[0]`.
    /// Default: none; exactly one of `program` and `pattern` is required.
    #[serde(default)]
    #[serde(rename = "program")]
    pub name: Option<String>,
    /// Regular expression searched in the whole command line. Default: none.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Only processes whose effective user is this name or numeric uid. Default: any.
    #[serde(default)]
    pub user: Option<String>,
}

impl Kind for Process {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("COUNT", "number of matching processes"),
        ("RUNNING", "true when at least one process matches"),
        ("PID", "pid of the oldest match"),
        ("PIDS", "pids of all matches, oldest first, as a JSON list"),
        ("RSS", "resident memory of all matches, in bytes"),
        ("FDS", "open file descriptors of all matches"),
        ("UPTIME", "time since the oldest match started"),
        ("THREADS", "threads of all matches"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[RUNNING] == true"];

    fn target(&self) -> String {
        let what = match (&self.name, &self.pattern) {
            (Some(name), _) => format!("process {name}"),
            (None, Some(pattern)) => format!("process /{pattern}/"),
            (None, None) => "process".into(),
        };
        match &self.user {
            Some(user) => format!("{what} of {user}"),
            None => what,
        }
    }

    fn validate(&self) -> Result<(), String> {
        match (&self.name, &self.pattern) {
            (Some(_), Some(_)) => return Err("give `program` or `pattern`, not both".into()),
            (None, None) => return Err("give `program` or `pattern`".into()),
            (Some(name), None) if name.is_empty() => return Err("program is empty".into()),
            (None, Some(pattern)) => compile(pattern).map(drop)?,
            _ => {}
        }
        match &self.user {
            Some(user) if user.is_empty() => Err("user is empty".into()),
            _ => Ok(()),
        }
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let probe = self.clone();
        ctx.blocking("scan /proc", move || probe.look()).await
    }
}

fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("invalid pattern `{pattern}`: {e}"))
}

impl Process {
    fn look(&self) -> Observation {
        let selector = match self.selector() {
            Ok(selector) => selector,
            Err(e) => return Observation::failed(e),
        };
        let found = match find(&selector) {
            Ok(found) => found,
            Err(e) => return Observation::failed(e),
        };
        let mut seen = Observation::default();
        let page = procfs::page_size();
        let rss: u64 = found.iter().map(|p| p.stat.rss.saturating_mul(page)).sum();
        let threads: i64 = found.iter().map(|p| p.stat.num_threads).sum();
        let mut fds = 0u64;
        let mut hidden = 0;
        for p in &found {
            match p.process.fd_count() {
                Ok(n) => fds += n as u64,
                Err(_) => hidden += 1,
            }
        }
        let pids: Vec<i32> = found.iter().map(|p| p.stat.pid).collect();
        seen.set("COUNT", pids.len() as u64)
            .set("RUNNING", !pids.is_empty())
            .set("PIDS", Value::Json(pids.clone().into()))
            .set("RSS", rss)
            .set("FDS", fds)
            .set("THREADS", threads);
        if let Some(oldest) = found.first() {
            seen.set("PID", i64::from(oldest.stat.pid));
            if let Some(uptime) = running_for(&oldest.stat) {
                seen.set("UPTIME", uptime);
            }
            seen.note(format!("pid {} ({})", oldest.stat.pid, oldest.stat.comm));
        }
        if hidden > 0 {
            seen.note(format!(
                "open files of {hidden} processes not readable: FDS counts the rest"
            ));
        }
        seen
    }

    fn selector(&self) -> Result<Selector, String> {
        let pattern = self.pattern.as_deref().map(compile).transpose()?;
        let uid = self.user.as_deref().map(uid_of).transpose()?;
        Ok(Selector { name: self.name.clone(), pattern, uid })
    }
}

/// A user name or numeric uid, as a uid.
fn uid_of(user: &str) -> Result<u32, String> {
    if let Ok(uid) = user.parse() {
        return Ok(uid);
    }
    uzers::get_user_by_name(user).map(|u| u.uid()).ok_or_else(|| format!("no user `{user}`"))
}

/// Which processes to pick.
#[derive(Debug, Default)]
pub(crate) struct Selector {
    /// Exact program name.
    pub(crate) name: Option<String>,
    /// Searched in the command line.
    pub(crate) pattern: Option<Regex>,
    /// Effective uid.
    pub(crate) uid: Option<u32>,
}

impl Selector {
    fn matches(&self, process: &Proc, stat: &Stat) -> bool {
        if let Some(name) = &self.name
            && stat.comm != *name
            && !process.exe().is_ok_and(|exe| file_name_is(&exe, name))
            && !process
                .cmdline()
                .is_ok_and(|argv| argv.first().is_some_and(|a0| file_name_is(Path::new(a0), name)))
        {
            return false;
        }
        if let Some(pattern) = &self.pattern {
            match process.cmdline() {
                // Kernel threads have no command line: nothing for a pattern to match.
                Ok(argv) if !argv.is_empty() => {
                    if !pattern.is_match(&argv.join(" ")) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        match self.uid {
            Some(uid) => process.status().is_ok_and(|s| s.euid == uid),
            None => true,
        }
    }
}

fn file_name_is(path: &Path, name: &str) -> bool {
    path.file_name().is_some_and(|f| f == name)
}

/// A running process that matched.
pub(crate) struct Found {
    /// Its `/proc/PID` handle.
    pub(crate) process: Proc,
    /// Its `/proc/PID/stat`, read once.
    pub(crate) stat: Stat,
}

/// Every live process the selector picks, oldest first, except triage and the programs it
/// runs. Processes that vanish during the scan are skipped.
pub(crate) fn find(selector: &Selector) -> Result<Vec<Found>, String> {
    let me = Proc::myself().and_then(|p| p.stat()).map_err(|e| format!("read /proc/self: {e}"))?;
    let all = procfs::process::all_processes().map_err(|e| format!("list /proc: {e}"))?;
    let mut family: HashMap<i32, (i32, i32)> = HashMap::new();
    let mut found = Vec::new();
    for process in all.flatten() {
        let Ok(stat) = process.stat() else { continue };
        family.insert(stat.pid, (stat.ppid, stat.pgrp));
        if matches!(stat.state, 'Z' | 'X') || stat.pid == me.pid {
            continue;
        }
        if selector.matches(&process, &stat) {
            found.push(Found { process, stat });
        }
    }
    found.retain(|p| !is_ours(&p.stat, &me, &family));
    found.sort_by_key(|p| (p.stat.starttime, p.stat.pid));
    Ok(found)
}

/// Whether `stat` is a program triage runs. Those are exactly triage's descendants outside
/// triage's own process group, because `triage_core::exec`, the only place that spawns,
/// gives every child a group of its own. (Tests start children in the test's group to
/// have something to find.)
fn is_ours(stat: &Stat, me: &Stat, family: &HashMap<i32, (i32, i32)>) -> bool {
    if stat.pgrp == me.pgrp {
        return false;
    }
    let mut parent = stat.ppid;
    // Bounded walk: pids can be reused mid-scan, so the map may hold a cycle.
    for _ in 0..256 {
        if parent == me.pid {
            return true;
        }
        match family.get(&parent) {
            Some(&(grandparent, _)) if parent > 1 => parent = grandparent,
            _ => return false,
        }
    }
    false
}

/// How long ago the process started.
fn running_for(stat: &Stat) -> Option<Duration> {
    let since_boot = Uptime::current().ok()?.uptime_duration();
    let ticks = procfs::ticks_per_second();
    if ticks == 0 {
        return None;
    }
    let started = Duration::from_millis(stat.starttime.saturating_mul(1000) / ticks);
    Some(since_boot.saturating_sub(started))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // tests start the processes they look for
mod tests {
    use std::process::{Child, Command};

    use super::*;
    use crate::Probe;

    /// A `sleep` the test owns, killed when dropped.
    struct Sleeper(Child);

    impl Drop for Sleeper {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// Starts `sleep SECONDS` through a symlink named `name`, so `comm` is `name` and the
    /// executable's file name stays `sleep`.
    fn sleeper(dir: &Path, name: &str, seconds: &str) -> Sleeper {
        let sleep = ["/bin/sleep", "/usr/bin/sleep"].into_iter().find(|p| Path::new(p).exists());
        let link = dir.join(name);
        std::os::unix::fs::symlink(sleep.expect("sleep is installed"), &link).unwrap();
        Sleeper(Command::new(&link).arg(seconds).spawn().unwrap())
    }

    fn by_name(name: &str) -> Process {
        Process { name: Some(name.into()), pattern: None, user: None }
    }

    fn by_pattern(pattern: &str) -> Process {
        Process { name: None, pattern: Some(pattern.into()), user: None }
    }

    fn int(seen: &Observation, name: &str) -> i64 {
        match seen.get(name) {
            Some(Value::Int(n)) => *n,
            other => panic!("{name} is {other:?} in {seen:?}"),
        }
    }

    #[tokio::test]
    async fn finds_a_child_by_name_with_its_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("tps{}", std::process::id());
        let child = sleeper(dir.path(), &name, "30");
        let pid = i64::from(child.0.id());
        std::thread::sleep(Duration::from_millis(100));

        let seen = by_name(&name).observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("RUNNING"), Some(&true.into()));
        assert_eq!(int(&seen, "COUNT"), 1);
        assert_eq!(int(&seen, "PID"), pid);
        assert_eq!(seen.get("PIDS"), Some(&Value::Json(serde_json::json!([pid]))));
        assert!(int(&seen, "RSS") > 0);
        assert!(int(&seen, "FDS") >= 3, "stdin, stdout, stderr");
        assert_eq!(int(&seen, "THREADS"), 1);
        let Some(Value::Duration(uptime)) = seen.get("UPTIME") else { panic!("{seen:?}") };
        assert!(*uptime < Duration::from_secs(20), "{uptime:?}");
    }

    #[tokio::test]
    async fn oldest_first_and_sums() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("tpo{}", std::process::id());
        let first = sleeper(dir.path(), &name, "31");
        std::thread::sleep(Duration::from_millis(50));
        let second = Sleeper(Command::new(dir.path().join(&name)).arg("32").spawn().unwrap());
        let seen = by_name(&name).observe(&Context::default()).await;
        assert_eq!(int(&seen, "COUNT"), 2);
        assert_eq!(int(&seen, "PID"), i64::from(first.0.id()));
        let pids = serde_json::json!([first.0.id(), second.0.id()]);
        assert_eq!(seen.get("PIDS"), Some(&Value::Json(pids)));
        assert_eq!(int(&seen, "THREADS"), 2);

        // A pattern sees the whole command line: the path run and the arguments.
        let seen = by_pattern(&format!("/{name} 3[12]$")).observe(&Context::default()).await;
        assert_eq!(int(&seen, "COUNT"), 2);
    }

    #[tokio::test]
    async fn user_filter() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("tpu{}", std::process::id());
        let _child = sleeper(dir.path(), &name, "33");
        let me = uzers::get_current_username().unwrap().into_string().unwrap();
        let mine = Process { user: Some(me), ..by_name(&name) };
        assert_eq!(int(&mine.observe(&Context::default()).await, "COUNT"), 1);
        let other = Process { user: Some("4242424".into()), ..by_name(&name) };
        assert_eq!(int(&other.observe(&Context::default()).await, "COUNT"), 0);
        let nobody = Process { user: Some("no-such-user-triage".into()), ..by_name(&name) };
        let seen = nobody.observe(&Context::default()).await;
        assert_eq!(seen.error.as_deref(), Some("no user `no-such-user-triage`"));
    }

    #[tokio::test]
    async fn never_matches_itself_or_what_it_runs() {
        // The test binary's own command line matches this pattern; so would a command the
        // probe runs through core::exec, which gets a process group of its own.
        let own = std::env::args().next().unwrap();
        let seen = by_pattern(&regex::escape(&own)).observe(&Context::default()).await;
        assert_eq!(int(&seen, "COUNT"), 0, "{seen:?}");

        let marker = format!("1.{:03}7", std::process::id() % 1000);
        let invocation = triage_core::exec::Invocation::new(["sleep", marker.as_str()]);
        let running = invocation.run();
        let probe = by_pattern(&format!("^sleep {}$", regex::escape(&marker)));
        let (_, seen) = tokio::join!(running, async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let seen = probe.observe(&Context::default()).await;
            // The command was running meanwhile: the probe chose not to see it.
            let wanted = ["sleep".to_owned(), marker.clone()];
            let alive = procfs::process::all_processes()
                .unwrap()
                .flatten()
                .any(|p| p.cmdline().is_ok_and(|argv| argv == wanted));
            (seen, alive)
        });
        let (seen, alive) = seen;
        assert!(alive, "the command was not running during the probe");
        assert_eq!(int(&seen, "COUNT"), 0, "{seen:?}");
    }

    #[tokio::test]
    async fn nothing_running_is_a_finding() {
        let seen = by_name("no-such-program-triage").observe(&Context::default()).await;
        assert!(seen.error.is_none());
        assert_eq!(seen.get("RUNNING"), Some(&false.into()));
        assert_eq!(int(&seen, "COUNT"), 0);
        assert_eq!(int(&seen, "RSS"), 0);
        assert_eq!(seen.get("PID"), None);
        assert_eq!(seen.get("PIDS"), Some(&Value::Json(serde_json::json!([]))));
    }

    #[test]
    fn validates() {
        assert!(by_name("nginx").validate().is_ok());
        assert!(by_pattern("nginx: master").validate().is_ok());
        assert_eq!(
            by_pattern("(").validate().unwrap_err().split(':').next(),
            Some("invalid pattern `(`")
        );
        let both = Process { pattern: Some("x".into()), ..by_name("x") };
        assert!(both.validate().is_err());
        assert!(Process { name: None, pattern: None, user: None }.validate().is_err());
    }

    #[test]
    fn yaml_form() {
        let probe: Probe =
            serde_yaml_ng::from_str("kind: process\nprogram: nginx\nuser: www-data").unwrap();
        assert_eq!(probe.target(), "process nginx of www-data");
        let err =
            serde_yaml_ng::from_str::<Probe>("kind: process\nprogram: x\npid: 1").unwrap_err();
        assert!(err.to_string().contains("unknown field `pid`"), "{err}");
    }
}

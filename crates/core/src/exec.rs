//! Spawning processes: the one place triage starts one.
//!
//! Nothing else in triage may spawn a process (no `std::process::Command`, no
//! `tokio::process::Command` outside this module): the `command` probe, the runbook
//! executor and anything later go through [`Invocation::run`], so every child gets the same
//! guarantees:
//!
//! - **no shell**: `argv[0]` is executed directly with the other arguments; a caller who
//!   wants a shell passes `["sh", "-c", script]` explicitly;
//! - **stdin closed**: the child reads end-of-file, it can never wait for a keyboard;
//! - **bounded output**: stdout and stderr are read concurrently, each kept up to a cap
//!   and the rest read into the void, so the child never blocks on a full pipe and triage's
//!   memory stays bounded;
//! - **bounded time**: at the deadline the whole process group is killed with `SIGKILL`;
//! - **no leftovers**: the child leads a process group of its own, and that group is
//!   killed when the child exits, when it times out and when the future is dropped, so a
//!   background grandchild (`sleep 30 &`) neither outlives the call nor holds its pipes
//!   open. A program that must outlive triage has to leave the group (`setsid`, systemd).
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::time::Duration;
//! use triage_core::exec::Invocation;
//!
//! let out = Invocation::new(["echo", "hello"]).timeout(Duration::from_secs(5)).run().await.unwrap();
//! assert_eq!(out.status, Some(0));
//! assert_eq!(out.stdout_text(), "hello\n");
//! # });
//! ```

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::pin::pin;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::timeout;

/// Default deadline of an [`Invocation`]: 10 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default cap on each of stdout and stderr: 1 MiB.
pub const DEFAULT_MAX_OUTPUT: usize = 1 << 20;

/// How long the pipes are still read once the process group is dead. Only a process that
/// left the group (and so escaped the kill) can keep a pipe open that long.
const DRAIN_GRACE: Duration = Duration::from_secs(1);

/// Why a program could not be run at all. A program that ran and failed (non-zero exit,
/// killed, timed out) is an [`Output`], not an error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The argument vector was empty.
    #[error("no program given: the argument list is empty")]
    NoProgram,
    /// `argv[0]` is not an executable found on `PATH` (or at the path given).
    #[error("program `{program}` not found")]
    NotFound {
        /// `argv[0]`.
        program: String,
    },
    /// The working directory does not exist or is not a directory.
    #[error("working directory `{}` of `{program}` is not a directory", cwd.display())]
    Cwd {
        /// `argv[0]`.
        program: String,
        /// The directory asked for.
        cwd: PathBuf,
    },
    /// The operating system refused to start the program (permission, resources...).
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        /// `argv[0]`.
        program: String,
        /// What the operating system said.
        source: io::Error,
    },
    /// Waiting for the program failed, which only a broken system does.
    #[error("waiting for `{program}`: {source}")]
    Wait {
        /// `argv[0]`.
        program: String,
        /// What the operating system said.
        source: io::Error,
    },
}

/// A program to run: its arguments, environment, directory and limits.
///
/// Built with [`Invocation::new`] and the setters below; run with [`Invocation::run`].
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The program and its arguments; `argv[0]` is looked up on `PATH` unless it holds a `/`.
    pub argv: Vec<String>,
    /// Variables added to (or replacing in) the environment inherited from triage.
    /// Default: none.
    pub env: Vec<(String, String)>,
    /// Working directory. Default: triage's own.
    pub cwd: Option<PathBuf>,
    /// When the process group is killed. Default: [`DEFAULT_TIMEOUT`].
    pub timeout: Duration,
    /// Bytes kept of each of stdout and stderr. Default: [`DEFAULT_MAX_OUTPUT`].
    pub max_output: usize,
}

/// What a program did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The exit code; `None` when a signal ended the program (a timeout included).
    pub status: Option<i32>,
    /// The signal that ended the program, e.g. 9 when it was killed at the deadline.
    pub signal: Option<i32>,
    /// The first [`Invocation::max_output`] bytes of stdout.
    pub stdout: Vec<u8>,
    /// The first [`Invocation::max_output`] bytes of stderr.
    pub stderr: Vec<u8>,
    /// Whether stdout was longer than the cap.
    pub stdout_truncated: bool,
    /// Whether stderr was longer than the cap.
    pub stderr_truncated: bool,
    /// Wall time from spawn to exit.
    pub duration: Duration,
    /// Whether the program was killed because it reached the deadline.
    pub timed_out: bool,
}

impl Output {
    /// Whether the program exited with code 0.
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }

    /// Stdout as text, invalid UTF-8 replaced.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Stderr as text, invalid UTF-8 replaced.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

impl Invocation {
    /// Runs `argv[0]` with the rest of `argv` as arguments, with the default limits.
    pub fn new<I, S>(argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Invocation {
            argv: argv.into_iter().map(Into::into).collect(),
            env: Vec::new(),
            cwd: None,
            timeout: DEFAULT_TIMEOUT,
            max_output: DEFAULT_MAX_OUTPUT,
        }
    }

    /// Adds `name=value` to the child's environment.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Runs the child in `dir`.
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    /// Kills the process group after `limit`.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = limit;
        self
    }

    /// Keeps at most `bytes` of each of stdout and stderr.
    pub fn max_output(mut self, bytes: usize) -> Self {
        self.max_output = bytes;
        self
    }

    /// The program's name, `argv[0]`, or the empty string.
    pub fn program(&self) -> &str {
        self.argv.first().map_or("", String::as_str)
    }

    /// Runs the program to its end or its deadline; see the module docs for the
    /// guarantees. Dropping the future kills the process group.
    pub async fn run(&self) -> Result<Output, Error> {
        let Some((program, args)) = self.argv.split_first() else {
            return Err(Error::NoProgram);
        };
        if let Some(cwd) = &self.cwd
            && !cwd.is_dir()
        {
            return Err(Error::Cwd { program: program.clone(), cwd: cwd.clone() });
        }
        #[allow(clippy::disallowed_methods)] // the one place triage spawns a process
        let mut command = tokio::process::Command::new(program);
        command
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .process_group(0);
        if let Some(cwd) = &self.cwd {
            command.current_dir(cwd);
        }
        let started = Instant::now();
        // A timeout too large to add (`kill_after: 100000000d`) means "no deadline" in
        // practice; a year stands in for it rather than overflowing.
        let now = tokio::time::Instant::now();
        let deadline = now
            .checked_add(self.timeout)
            .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
        let mut child = command.spawn().map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => Error::NotFound { program: program.clone() },
            _ => Error::Spawn { program: program.clone(), source },
        })?;
        // Declared after `child` so it drops first: the group is killed while the leader
        // is not yet reaped, so its id cannot have been reused.
        let mut group = Group(child.id().and_then(|id| i32::try_from(id).ok()));
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let mut out = Capture::new(self.max_output);
        let mut err = Capture::new(self.max_output);
        let (exit, timed_out) = {
            let mut reading = pin!(async { tokio::join!(out.fill(stdout), err.fill(stderr)) });
            let mut drained = false;
            let waited = loop {
                tokio::select! {
                    _ = &mut reading, if !drained => drained = true,
                    exit = child.wait() => break Some(exit),
                    () = tokio::time::sleep_until(deadline) => break None,
                }
            };
            // Whatever is left in the group (everything on a timeout, background
            // grandchildren otherwise) dies now, which also closes the pipes it held.
            group.kill();
            let timed_out = waited.is_none();
            let exit = match waited {
                Some(exit) => exit,
                None => {
                    let _ = child.start_kill();
                    child.wait().await
                }
            };
            if !drained {
                let _ = timeout(DRAIN_GRACE, reading).await;
            }
            (exit, timed_out)
        };
        let exit: ExitStatus =
            exit.map_err(|source| Error::Wait { program: program.clone(), source })?;
        Ok(Output {
            status: exit.code(),
            signal: exit.signal(),
            stdout_truncated: out.truncated,
            stderr_truncated: err.truncated,
            stdout: out.data,
            stderr: err.data,
            duration: started.elapsed(),
            timed_out,
        })
    }
}

/// The child's process group; killed once, at the latest on drop.
struct Group(Option<i32>);

impl Group {
    fn kill(&mut self) {
        // Never 0 or 1: `kill(-1)` would signal every process we may signal.
        if let Some(pid) = self.0.take().filter(|&id| id > 1).and_then(Pid::from_raw) {
            // ESRCH (the group is already empty) is the common, harmless case.
            let _ = rustix::process::kill_process_group(pid, Signal::KILL);
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One output stream: the first `cap` bytes, and whether there were more.
struct Capture {
    data: Vec<u8>,
    cap: usize,
    truncated: bool,
}

impl Capture {
    fn new(cap: usize) -> Self {
        Capture { data: Vec::new(), cap, truncated: false }
    }

    /// Reads `pipe` to its end, keeping what fits under the cap and discarding the rest.
    async fn fill(&mut self, pipe: Option<impl AsyncRead + Unpin>) {
        let Some(mut pipe) = pipe else { return };
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match pipe.read(&mut buf).await {
                Ok(0) => return,
                Ok(n) => {
                    let room = self.cap - self.data.len();
                    self.data.extend_from_slice(&buf[..n.min(room)]);
                    if n > room {
                        self.truncated = true;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Invocation {
        Invocation::new(["sh", "-c", script]).timeout(Duration::from_secs(10))
    }

    #[tokio::test]
    async fn echo_captures_stdout() {
        let out = Invocation::new(["echo", "hello", "world"]).run().await.unwrap();
        assert_eq!(out.status, Some(0));
        assert_eq!(out.signal, None);
        assert_eq!(out.stdout, b"hello world\n");
        assert!(out.stderr.is_empty());
        assert!(!out.timed_out && !out.stdout_truncated && out.success());
    }

    #[tokio::test]
    async fn no_shell_unless_asked() {
        let out = Invocation::new(["echo", "$HOME", "a;b"]).run().await.unwrap();
        assert_eq!(out.stdout_text(), "$HOME a;b\n");
    }

    #[tokio::test]
    async fn exit_code_stderr_env_and_cwd() {
        let dir = std::env::temp_dir();
        let out = sh("echo \"$TRIAGE_X\" >&2; pwd; exit 3")
            .env("TRIAGE_X", "from-test")
            .cwd(&dir)
            .run()
            .await
            .unwrap();
        assert_eq!(out.status, Some(3));
        assert!(!out.success());
        assert_eq!(out.stderr_text(), "from-test\n");
        let pwd = std::fs::canonicalize(out.stdout_text().trim()).unwrap();
        assert_eq!(pwd, std::fs::canonicalize(&dir).unwrap());
    }

    #[tokio::test]
    async fn stdin_is_closed() {
        let out = Invocation::new(["cat"]).timeout(Duration::from_secs(5)).run().await.unwrap();
        assert_eq!(out.status, Some(0));
        assert!(!out.timed_out);
    }

    #[tokio::test]
    async fn timeout_kills_quickly() {
        let started = Instant::now();
        let out = Invocation::new(["sleep", "30"])
            .timeout(Duration::from_millis(200))
            .run()
            .await
            .unwrap();
        assert!(out.timed_out);
        assert_eq!(out.status, None);
        assert_eq!(out.signal, Some(9));
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn output_is_capped_and_the_rest_drained() {
        let out = sh("yes | head -c 10000000; echo done >&2").max_output(1000).run().await.unwrap();
        assert_eq!(out.status, Some(0), "the child was never blocked on a full pipe");
        assert_eq!(out.stdout.len(), 1000);
        assert!(out.stdout.starts_with(b"y\ny\n"));
        assert!(out.stdout_truncated);
        assert_eq!(out.stderr_text(), "done\n");
        assert!(!out.stderr_truncated);
    }

    #[tokio::test]
    async fn a_grandchild_holding_the_pipe_does_not_hang() {
        // The shell exits at once; `sleep` inherits stdout and would keep it open 30 s.
        let started = Instant::now();
        let out =
            sh("sleep 30 & echo started").timeout(Duration::from_secs(20)).run().await.unwrap();
        assert_eq!(out.status, Some(0));
        assert_eq!(out.stdout_text(), "started\n");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());

        // And at a deadline: the shell waits for its grandchild, both die.
        let started = Instant::now();
        let out = sh("sleep 30 & wait").timeout(Duration::from_millis(300)).run().await.unwrap();
        assert!(out.timed_out);
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn dropping_the_future_kills_the_group() {
        let dir = tempfile_dir();
        let marker = dir.join("alive");
        let script = format!("(sleep 1; touch {}) & wait", marker.display());
        let invocation = sh(&script);
        let run = invocation.run();
        let _ = timeout(Duration::from_millis(200), run).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(!marker.exists(), "the grandchild survived the drop");
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("triage-exec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[tokio::test]
    async fn a_huge_timeout_does_not_overflow() {
        let out = Invocation::new(["true"]).timeout(Duration::MAX).run().await.unwrap();
        assert_eq!(out.status, Some(0));
    }

    #[tokio::test]
    async fn missing_program_is_an_error_naming_it() {
        let err = Invocation::new(["triage-no-such-program"]).run().await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }));
        assert_eq!(err.to_string(), "program `triage-no-such-program` not found");
        let err = Invocation::new(Vec::<String>::new()).run().await.unwrap_err();
        assert!(matches!(err, Error::NoProgram));
        let err = Invocation::new(["true"]).cwd("/no/such/dir").run().await.unwrap_err();
        assert!(matches!(err, Error::Cwd { .. }), "{err}");
    }
}

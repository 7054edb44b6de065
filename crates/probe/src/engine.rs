//! Runs checks: concurrently under one bound, each attempt under its timeout, retried as
//! configured, every outcome pushed to the caller as soon as it is known.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinError, JoinSet};
use triage_condition::{Condition, Evaluation, Render};
use triage_core::{Observation, Severity, Status};

use crate::{Context, Probe};

/// Pause between two attempts of a check that failed and has retries left.
pub const RETRY_DELAY: Duration = Duration::from_millis(250);

/// How long past its budget an attempt may run before the engine drops it. Kinds bound
/// their own waits by the budget and report what they saw; this is the backstop.
pub const GRACE: Duration = Duration::from_millis(250);

/// Default bound on checks in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 512;

/// Default bound on checks in flight against one server that limits its sessions
/// (PostgreSQL's `max_connections` defaults to 100, MySQL's to 151): a run of many
/// database checks queues behind this instead of filling the server.
pub const DEFAULT_PER_SERVER: usize = 32;

/// A probe with what must hold of its observation.
#[derive(Debug, Clone)]
pub struct Check {
    /// What to look at.
    pub probe: Probe,
    /// What must hold; the check passes when every condition does.
    pub conditions: Vec<Condition>,
    /// Budget of one attempt.
    pub timeout: Duration,
    /// Extra attempts after a failed one.
    pub retries: u32,
    /// What a failure means.
    pub severity: Severity,
}

/// How one check ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Pass, or warn/fail as the check's severity says.
    pub status: Status,
    /// What the last attempt saw.
    pub observation: Observation,
    /// Each condition of the check, rendered against the last attempt, in order.
    pub conditions: Vec<Evaluation>,
    /// Attempts made, at least 1.
    pub attempts: u32,
    /// Wall time of all attempts, retry pauses included.
    pub duration: Duration,
    /// Whether the last attempt ran out of time.
    pub timed_out: bool,
}

/// Runs checks with shared probe state and a bound on how many are in flight.
#[derive(Debug, Clone)]
pub struct Engine {
    context: Arc<Context>,
    concurrency: usize,
    servers: Arc<Servers>,
}

impl Engine {
    /// An engine over `context`, running at most [`DEFAULT_CONCURRENCY`] checks at once
    /// and at most [`DEFAULT_PER_SERVER`] against one database server.
    pub fn new(context: Context) -> Self {
        Engine {
            context: Arc::new(context),
            concurrency: DEFAULT_CONCURRENCY,
            servers: Arc::new(Servers::new(DEFAULT_PER_SERVER)),
        }
    }

    /// Sets the bound on checks in flight (at least 1).
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.max(1);
        self
    }

    /// Sets the bound on checks in flight against one server that limits its sessions
    /// (at least 1); see [`crate::Probe::server`].
    pub fn per_server(mut self, limit: usize) -> Self {
        self.servers = Arc::new(Servers::new(limit.max(1)));
        self
    }

    /// Runs every check, calling `sink(index, outcome)` as each one finishes (in
    /// completion order, not list order). Each check runs on its own task so probes use
    /// every core; at most `concurrency` tasks exist at once.
    pub async fn run(&self, checks: Arc<[Check]>, mut sink: impl FnMut(usize, Outcome)) {
        // The semaphore is owned here; each spawned task holds one permit until its
        // check is done, which is what bounds sockets, processes and memory in flight.
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let mut tasks = JoinSet::new();
        for index in 0..checks.len() {
            let permit = match permits.clone().acquire_owned().await {
                Ok(permit) => permit,
                Err(_) => break,
            };
            while let Some(done) = tasks.try_join_next() {
                deliver(done, &mut sink);
            }
            let checks = checks.clone();
            let context = self.context.clone();
            let servers = self.servers.clone();
            tasks.spawn(async move {
                let check = &checks[index];
                // A panicking probe is a bug in triage; it becomes that check's failure
                // instead of silently dropping the check from the report.
                let outcome = AssertUnwindSafe(run_check(check, &context, &servers))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|panic| panicked(check, panic));
                drop(permit);
                (index, outcome)
            });
        }
        while let Some(done) = tasks.join_next().await {
            deliver(done, &mut sink);
        }
    }

    /// Runs one check to its outcome.
    pub async fn run_one(&self, check: &Check) -> Outcome {
        run_check(check, &self.context, &self.servers).await
    }
}

/// One semaphore per server that limits its sessions, created on first use.
#[derive(Debug)]
struct Servers {
    limit: usize,
    bounds: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Servers {
    fn new(limit: usize) -> Self {
        Servers { limit, bounds: Mutex::default() }
    }

    /// Waits for a turn on `server`. The lock is held only to look the semaphore up.
    async fn enter(&self, server: String) -> Option<OwnedSemaphorePermit> {
        let bound = {
            let mut bounds = self.bounds.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            bounds.entry(server).or_insert_with(|| Arc::new(Semaphore::new(self.limit))).clone()
        };
        bound.acquire_owned().await.ok()
    }
}

fn deliver(done: Result<(usize, Outcome), JoinError>, sink: &mut impl FnMut(usize, Outcome)) {
    match done {
        Ok((index, outcome)) => sink(index, outcome),
        // Tasks catch their own panics, so only runtime shutdown gets here.
        Err(e) => tracing::error!(error = %e, "a check task was cancelled"),
    }
}

fn panicked(check: &Check, panic: Box<dyn std::any::Any + Send>) -> Outcome {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    Outcome {
        status: Status::from_verdict(false, check.severity),
        observation: Observation::failed(format!("probe panicked (a bug in triage): {message}")),
        conditions: Vec::new(),
        attempts: 1,
        duration: Duration::ZERO,
        timed_out: false,
    }
}

async fn run_check(check: &Check, context: &Context, servers: &Servers) -> Outcome {
    let started = Instant::now();
    // Probes gather only what the conditions read; a check without conditions (a library
    // caller's) gets everything.
    let context = if check.conditions.is_empty() {
        context.with_timeout(check.timeout)
    } else {
        context
            .with_timeout(check.timeout)
            .wanting(check.conditions.iter().flat_map(Condition::placeholders))
    };
    let server = check.probe.server();
    let mut attempts = 0;
    loop {
        attempts += 1;
        // The wait for a turn on the server is not part of the attempt's budget.
        let turn = match &server {
            Some(server) => servers.enter(server.clone()).await,
            None => None,
        };
        let (observation, timed_out) = attempt(check, &context).await;
        drop(turn);
        let conditions: Vec<Evaluation> =
            check.conditions.iter().map(|c| c.evaluate(&observation, Render::default())).collect();
        let held = !timed_out && conditions.iter().all(|e| e.success);
        if held || attempts > check.retries {
            return Outcome {
                status: Status::from_verdict(held, check.severity),
                observation,
                conditions,
                attempts,
                duration: started.elapsed(),
                timed_out,
            };
        }
        tokio::time::sleep(RETRY_DELAY).await;
    }
}

async fn attempt(check: &Check, context: &Context) -> (Observation, bool) {
    match tokio::time::timeout(check.timeout + GRACE, check.probe.observe(context)).await {
        Ok(observation) => (observation, false),
        Err(_) => {
            (Observation::failed(format!("timed out after {}", humantime_ms(check.timeout))), true)
        }
    }
}

fn humantime_ms(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn tcp_check(address: &str, expect: &[&str], timeout: Duration, retries: u32) -> Check {
        let probe: Probe =
            serde_yaml_ng::from_str(&format!("kind: tcp\naddress: \"{address}\"")).unwrap();
        Check {
            probe,
            conditions: expect.iter().map(|c| Condition::parse(c).unwrap()).collect(),
            timeout,
            retries,
            severity: Severity::Fail,
        }
    }

    fn closed_port() -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    }

    #[tokio::test]
    async fn passes_and_fails_with_rendered_conditions() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open = listener.local_addr().unwrap().to_string();
        let checks: Arc<[Check]> = vec![
            tcp_check(&open, &["[CONNECTED] == true"], Duration::from_secs(2), 0),
            tcp_check(&closed_port(), &["[CONNECTED] == true"], Duration::from_secs(2), 0),
        ]
        .into();
        let seen = Mutex::new(Vec::new());
        Engine::new(Context::default()).run(checks, |i, o| seen.lock().unwrap().push((i, o))).await;
        let mut seen = seen.into_inner().unwrap();
        seen.sort_by_key(|(i, _)| *i);
        assert_eq!(seen[0].1.status, Status::Pass);
        assert_eq!(seen[1].1.status, Status::Fail);
        assert_eq!(seen[1].1.conditions[0].rendered, "[CONNECTED] (false) == true");
    }

    #[tokio::test]
    async fn retries_then_gives_up() {
        let check = tcp_check(&closed_port(), &["[CONNECTED] == true"], Duration::from_secs(1), 2);
        let outcome = Engine::new(Context::default()).run_one(&check).await;
        assert_eq!(outcome.attempts, 3);
        assert_eq!(outcome.status, Status::Fail);
        assert!(outcome.duration >= RETRY_DELAY * 2);
    }

    #[tokio::test]
    async fn warn_severity_warns() {
        let mut check =
            tcp_check(&closed_port(), &["[CONNECTED] == true"], Duration::from_secs(1), 0);
        check.severity = Severity::Warn;
        assert_eq!(Engine::new(Context::default()).run_one(&check).await.status, Status::Warn);
    }

    fn sleep_check(yaml: &str, timeout: Duration) -> Check {
        Check {
            probe: serde_yaml_ng::from_str(yaml).unwrap(),
            conditions: vec![Condition::parse("[EXIT_CODE] == 0").unwrap()],
            timeout,
            retries: 0,
            severity: Severity::Fail,
        }
    }

    #[tokio::test]
    async fn the_budget_reaches_the_probe() {
        // The command kind kills at the attempt's budget and still reports what it saw.
        let check = sleep_check("kind: command\nargv: [sleep, '30']", Duration::from_millis(200));
        let outcome = Engine::new(Context::default()).run_one(&check).await;
        assert!(!outcome.timed_out, "the probe's own deadline fired first");
        assert_eq!(outcome.status, Status::Fail);
        assert_eq!(outcome.observation.get("TIMED_OUT"), Some(&true.into()));
        assert!(outcome.duration < Duration::from_secs(5), "{:?}", outcome.duration);
    }

    #[tokio::test]
    async fn a_probe_that_overruns_is_dropped() {
        let check = sleep_check(
            "kind: command\nargv: [sleep, '30']\nkill_after: 60s",
            Duration::from_millis(200),
        );
        let outcome = Engine::new(Context::default()).run_one(&check).await;
        assert!(outcome.timed_out);
        assert_eq!(outcome.status, Status::Fail);
        assert!(outcome.duration < Duration::from_secs(5), "{:?}", outcome.duration);
        assert_eq!(outcome.observation.error.as_deref(), Some("timed out after 200ms"));
    }

    /// A server that accepts connections and never answers.
    async fn silent() -> (String, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let serving = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        (address, serving)
    }

    #[tokio::test]
    async fn checks_of_one_server_are_bounded_apart() {
        // Twelve checks of a silent database server, each running out its 300 ms: three
        // at a time take four rounds, however many the global bound lets through.
        let (address, _serving) = silent().await;
        let probe: Probe =
            serde_yaml_ng::from_str(&format!("kind: postgres\nurl: postgres://u@{address}/db"))
                .unwrap();
        assert_eq!(probe.server().as_deref(), Some(address.as_str()));
        let check = Check {
            probe,
            conditions: vec![Condition::parse("[CONNECTED] == true").unwrap()],
            timeout: Duration::from_millis(300),
            retries: 0,
            severity: Severity::Fail,
        };
        let checks: Arc<[Check]> = vec![check; 12].into();
        let started = Instant::now();
        let mut count = 0;
        Engine::new(Context::default()).per_server(3).run(checks, |_, _| count += 1).await;
        assert_eq!(count, 12);
        assert!(started.elapsed() >= Duration::from_millis(1100), "{:?}", started.elapsed());

        // A kind without a session-limited server (tcp) is not bounded that way.
        assert_eq!(tcp_check(&address, &[], Duration::from_secs(1), 0).probe.server(), None);
    }

    #[tokio::test]
    async fn probes_are_told_what_the_conditions_read() {
        // The command kind binds everything anyway; the context is what is checked here.
        let context = Context::default();
        assert!(context.wants("ANYTHING"));
        let wanting = context.wanting(["EXIT_CODE", "STDOUT"]);
        assert!(wanting.wants("STDOUT") && !wanting.wants("STDERR"));
        assert!(wanting.with_timeout(Duration::from_secs(1)).wants("EXIT_CODE"));
    }

    #[tokio::test]
    async fn bounded_concurrency_still_runs_everything() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open = listener.local_addr().unwrap().to_string();
        let checks: Arc<[Check]> = (0..50)
            .map(|_| tcp_check(&open, &["[CONNECTED] == true"], Duration::from_secs(2), 0))
            .collect::<Vec<_>>()
            .into();
        let mut count = 0;
        Engine::new(Context::default()).concurrency(3).run(checks, |_, _| count += 1).await;
        assert_eq!(count, 50);
    }
}

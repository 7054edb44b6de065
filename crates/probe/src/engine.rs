//! Runs checks: concurrently under one bound, each attempt under its timeout, retried as
//! configured, every outcome pushed to the caller as soon as it is known.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::sync::Semaphore;
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
}

impl Engine {
    /// An engine over `context`, running at most [`DEFAULT_CONCURRENCY`] checks at once.
    pub fn new(context: Context) -> Self {
        Engine { context: Arc::new(context), concurrency: DEFAULT_CONCURRENCY }
    }

    /// Sets the bound on checks in flight (at least 1).
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.max(1);
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
            tasks.spawn(async move {
                let check = &checks[index];
                // A panicking probe is a bug in triage; it becomes that check's failure
                // instead of silently dropping the check from the report.
                let outcome = AssertUnwindSafe(run_check(check, &context))
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
        run_check(check, &self.context).await
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

async fn run_check(check: &Check, context: &Context) -> Outcome {
    let started = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (observation, timed_out) = attempt(check, context).await;
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
    let context = context.with_timeout(check.timeout);
    match tokio::time::timeout(check.timeout + GRACE, check.probe.observe(&context)).await {
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

//! What every probe of one run shares, and the budget of one attempt.

use std::sync::Arc;
use std::time::Duration;

use crate::kind::http::Clients;

/// Shared state and limits for the probes of one run. Cheap to clone: the engine hands
/// each attempt its own copy with [`Context::timeout`] set to that check's budget.
#[derive(Debug, Clone)]
pub struct Context {
    /// Most bytes any probe reads from a response, a file or a command's output.
    /// Default: 1 MiB.
    pub max_bytes: usize,
    /// Budget of the current attempt. Kinds bound their own waits by it (connect and
    /// request timeouts, killing a command), so they can still report what they saw; the
    /// engine drops an attempt that overruns it by more than [`crate::engine::GRACE`].
    /// Default: 10 s.
    pub timeout: Duration,
    /// HTTP clients, one per distinct TLS/redirect setting, shared by every attempt of
    /// the run (cloning the context shares them).
    pub(crate) http: Arc<Clients>,
    /// The placeholders the check's conditions read, or `None` for every one. Kinds whose
    /// facts cost extra work (a query, a command) gather only the facts named here; the
    /// engine sets it from each check's conditions.
    pub(crate) wanted: Option<Arc<[String]>>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            max_bytes: 1 << 20,
            timeout: Duration::from_secs(10),
            http: Arc::default(),
            wanted: None,
        }
    }
}

impl Context {
    /// This context with the attempt budget set to `timeout`.
    pub fn with_timeout(&self, timeout: Duration) -> Context {
        Context { timeout, ..self.clone() }
    }

    /// This context asking only for the placeholders `names` (upper-case, without
    /// brackets or path, as [`triage_condition::Condition::placeholders`] gives them):
    /// probes may leave the others unbound instead of paying for them.
    pub fn wanting<S: AsRef<str>>(&self, names: impl IntoIterator<Item = S>) -> Context {
        let names: Arc<[String]> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        Context { wanted: Some(names), ..self.clone() }
    }

    /// Whether the check reads the placeholder `name` (always, when the context does not
    /// say which it reads).
    pub fn wants(&self, name: &str) -> bool {
        self.wanted.as_ref().is_none_or(|names| names.iter().any(|n| n == name))
    }

    /// Whether the check reads any of `names`.
    pub(crate) fn wants_any(&self, names: &[&str]) -> bool {
        names.iter().any(|name| self.wants(name))
    }
}

impl Context {
    /// Runs blocking work (a `stat`, a `/proc` walk, a read on a possibly hung
    /// filesystem) off the runtime, bounded by the attempt's budget. `what` names the
    /// operation in the error, e.g. `read /var/log/syslog`.
    pub(crate) async fn blocking(
        &self,
        what: impl std::fmt::Display + Send,
        work: impl FnOnce() -> triage_core::Observation + Send + 'static,
    ) -> triage_core::Observation {
        use triage_core::Observation;
        match tokio::time::timeout(self.timeout, tokio::task::spawn_blocking(work)).await {
            Ok(Ok(seen)) => seen,
            Ok(Err(e)) => Observation::failed(format!("{what}: {e}")),
            Err(_) => Observation::failed(format!("{what}: timed out after {:?}", self.timeout)),
        }
    }
}

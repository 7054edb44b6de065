//! What every probe of one run shares.

use std::time::Duration;

use crate::kind::http::Clients;

/// Shared state and limits for the probes of one run. Build one per run and share it.
#[derive(Debug)]
pub struct Context {
    /// Most bytes any probe reads from a response, a file or a command's output.
    /// Default: 1 MiB.
    pub max_bytes: usize,
    /// Upper bound on one attempt of one probe, used by kinds that need a deadline of
    /// their own (connect timeouts); the engine enforces it on every probe anyway.
    /// Default: 10 s.
    pub timeout: Duration,
    /// HTTP clients, one per distinct TLS/redirect setting, reused across checks.
    pub(crate) http: Clients,
}

impl Default for Context {
    fn default() -> Self {
        Context { max_bytes: 1 << 20, timeout: Duration::from_secs(10), http: Clients::default() }
    }
}

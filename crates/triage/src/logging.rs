//! The one place tracing is set up. Logs go to stderr, never stdout.

use tracing_subscriber::EnvFilter;

/// Installs the stderr subscriber. `TRIAGE_LOG` (an `EnvFilter` directive) wins over
/// `-v` (info) and `-vv` (debug); the default shows warnings only.
pub(crate) fn init(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("TRIAGE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

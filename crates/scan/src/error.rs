//! The one error type of the crate.

use std::path::{Path, PathBuf};

/// What stopped the scanner from doing its job (a matched symptom is a result, not this).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A log could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The log.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A signature could not be compiled into a matcher.
    #[error("invalid signature `{signature}`: {reason}")]
    Signature {
        /// The signature as written.
        signature: String,
        /// Why it was rejected.
        reason: String,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), source }
    }
}

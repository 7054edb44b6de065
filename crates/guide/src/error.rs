//! The one error type of the crate: what stopped the reader from doing its job at all.
//!
//! Problems *inside* a guide are not errors: they are [`triage_core::Diagnostic`]s returned
//! next to the guide, so one broken block never hides the rest.

use std::io;
use std::path::PathBuf;

/// What went wrong while finding or reading guides.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A guide file or folder could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file or folder that failed.
        path: PathBuf,
        /// Why the operating system refused.
        source: io::Error,
    },
    /// A path given to [`discover`](crate::discover) does not exist.
    #[error("no such guide file or folder: {}", path.display())]
    NotFound {
        /// The path as it was given.
        path: PathBuf,
    },
    /// Text handed to the JSON attribute parser is not a JSON object.
    #[error("invalid JSON attributes")]
    JsonAttributes {
        /// What the JSON parser said.
        source: serde_json::Error,
    },
}

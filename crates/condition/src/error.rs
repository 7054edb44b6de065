//! What can go wrong when reading a condition or walking a JSON path.

/// Why a condition could not be parsed, or a JSON path could not be walked.
///
/// A condition that parses but does not hold is not an error: it is an
/// [`Evaluation`](crate::Evaluation) with `success: false`.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum Error {
    /// No operator (` == `, ` != `, ` <= `, ` >= `, ` > `, ` < `, spaces included) was found.
    /// Displays exactly as Gatus does: `invalid condition: [STATUS] ? 201`.
    #[error("invalid condition: {condition}")]
    Invalid {
        /// The condition as written.
        condition: String,
    },
    /// The condition uses a Gatus feature triage does not implement (`age()`, `[*]`);
    /// rejected so that it cannot silently compare as text.
    #[error("invalid condition: {condition}: {feature} is not supported by triage")]
    Unsupported {
        /// The condition as written.
        condition: String,
        /// The feature, e.g. `age()`.
        feature: &'static str,
    },
    /// The document a JSON path was applied to is not JSON.
    #[error("invalid json: {reason}")]
    Json {
        /// What the JSON parser said.
        reason: String,
    },
    /// A JSON path does not lead to a value in the document.
    #[error("json path `{path}` does not resolve: {reason}")]
    Path {
        /// The path as written, e.g. `data[0].name`.
        path: String,
        /// Which step failed and why.
        reason: String,
    },
}

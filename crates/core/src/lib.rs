//! The shared vocabulary of triage.
//!
//! Every component crate (guide, condition, probe, ...) speaks in these types and none
//! of them depends on another component: what a probe observed is an [`Observation`]
//! of named [`Value`]s, what the loader found wrong is a [`Diagnostic`] pointing at
//! `file:line:col`, how bad a failing check is is a [`Severity`].
//!
//! ```
//! use triage_core::{Observation, Value};
//!
//! let mut seen = Observation::default();
//! seen.set("STATUS", Value::Int(200));
//! assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)));
//! ```

mod diag;
pub mod duration;
pub mod exec;
mod observation;
pub mod parallel;
pub mod redact;
mod severity;
pub mod text;
mod value;

pub use diag::{Diagnostic, Level, Span};
pub use observation::Observation;
pub use severity::{Severity, Status};
pub use value::Value;

//! The condition language of triage checks, compatible with Gatus conditions.
//!
//! A check's `expect:` list holds conditions such as `[STATUS] == 200`,
//! `[BODY].status == UP`, `len([BODY].items) > 0`, `[RESPONSE_TIME] < 1s` or
//! `[FREE_PERCENT] > 12.5`. A probe binds placeholders in an
//! [`Observation`](triage_core::Observation); [`Condition::evaluate`] judges it and
//! renders the verdict the way Gatus does (`[STATUS] (500) == 200`).
//!
//! The pipeline is [`Condition::parse`] (find the operator, classify each side), then
//! resolution of each side against the observation, then comparison ([`pattern`] for
//! `pat()`, [`jsonpath`] for `[NAME].path`) and rendering ([`Render`]). The language,
//! its extensions beyond Gatus and the few deliberate differences are described in
//! `docs/conditions.md`.
//!
//! ```
//! use std::time::Duration;
//! use triage_condition::{Condition, Render};
//! use triage_core::{Observation, Value};
//!
//! let mut seen = Observation::default();
//! seen.set("STATUS", 200i64)
//!     .set("BODY", r#"{"status": "DOWN"}"#)
//!     .set("RESPONSE_TIME", Duration::from_millis(180));
//!
//! let holds = |text: &str| Condition::parse(text).unwrap().evaluate(&seen, Render::default());
//! assert!(holds("[STATUS] == any(200, 204)").success);
//! assert!(holds("[RESPONSE_TIME] < 1s").success);
//! assert_eq!(holds("[BODY].status == UP").rendered, "[BODY].status (DOWN) == UP");
//! assert_eq!(holds("[FREE_PERCENT] > 10").rendered, "[FREE_PERCENT] (UNBOUND) > 10");
//! assert_eq!(
//!     Condition::parse("[STATUS] ? 201").unwrap_err().to_string(),
//!     "invalid condition: [STATUS] ? 201"
//! );
//! ```

mod condition;
mod error;
pub mod jsonpath;
mod number;
mod operand;
mod operator;
pub mod pattern;
mod render;
mod resolve;
mod result;

pub use condition::Condition;
pub use error::Error;
pub use render::{Evaluation, Render};
pub use result::observation_from_result;

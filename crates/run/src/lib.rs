//! Procedures: the steps of a guide's shell blocks, and how risky each one is before it
//! runs ([`risk`]).

pub mod plan;
pub mod risk;

pub use plan::{Plan, Step, StepOptions};
pub use risk::{Assessment, Risk, assess};

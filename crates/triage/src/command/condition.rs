//! `triage condition EXPR --result JSON`: one condition against one result, for guide
//! authors debugging a check.

use triage_condition::{Condition, Render, observation_from_result};

use crate::cli::ConditionArgs;
use crate::exit::Exit;
use crate::render;

/// Prints the rendered condition; 0 when it holds, 1 when not, 2 when it is invalid.
pub(crate) fn run(args: ConditionArgs) -> anyhow::Result<Exit> {
    let condition = match Condition::parse(&args.condition) {
        Ok(condition) => condition,
        Err(e) => {
            render::error_line(&e.to_string());
            return Ok(Exit::Error);
        }
    };
    let result: serde_json::Value = match serde_json::from_str(&args.result) {
        Ok(json) => json,
        Err(e) => {
            render::error_line(&format!("--result is not valid JSON: {e}"));
            return Ok(Exit::Error);
        }
    };
    let seen = match observation_from_result(&result) {
        Ok(seen) => seen,
        Err(e) => {
            render::error_line(&format!("--result: {e}"));
            return Ok(Exit::Error);
        }
    };
    let render = Render { resolve_successful: args.resolve, ..Render::default() };
    let evaluation = condition.evaluate(&seen, render);
    render::line(&evaluation.rendered);
    Ok(if evaluation.success { Exit::Healthy } else { Exit::Findings })
}

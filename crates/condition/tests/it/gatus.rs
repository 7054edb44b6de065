//! Every row of Gatus's condition, pattern and JSON path tables (tests/data), run at once:
//! a failure lists all failing rows with what we got and what Gatus gives.

use serde::Deserialize;
use serde_json::Value as Json;
use triage_condition::{Condition, Render, jsonpath, observation_from_result, pattern};

#[derive(Deserialize)]
struct Tables {
    validate: Vec<Validate>,
    evaluate: Vec<Evaluate>,
    pattern: Vec<Pattern>,
    jsonpath: Vec<JsonPath>,
}

#[derive(Deserialize)]
struct Validate {
    condition: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Evaluate {
    name: String,
    condition: String,
    result: Json,
    dont_resolve_failed_conditions: bool,
    resolve_successful_conditions: bool,
    expected_success: bool,
    expected_output: String,
}

#[derive(Deserialize)]
struct Pattern {
    pattern: String,
    text: String,
    expected: bool,
}

#[derive(Deserialize)]
struct JsonPath {
    name: String,
    path: String,
    data: String,
    expected_output: String,
    expected_output_length: usize,
    expected_error: bool,
}

fn tables() -> Tables {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gatus-conditions.json");
    let text = std::fs::read_to_string(path).expect("read the Gatus tables");
    serde_json::from_str(&text).expect("parse the Gatus tables")
}

/// The fields of Gatus's `Result` that always exist there, filled with their Go zero
/// values where the row leaves them out. triage leaves a placeholder no probe bound
/// unbound (the condition fails), so "left out means zero" is applied here, to the
/// fixture only.
fn with_gatus_zero_values(result: &Json) -> Json {
    let mut result = result.clone();
    let zeros = serde_json::json!({
        "status": 0, "ip": "", "body": "", "connected": false, "dns_rcode": "",
        "response_time_ms": 0, "certificate_expiration_ms": 0, "domain_expiration_ms": 0,
    });
    if let (Json::Object(fields), Json::Object(zeros)) = (&mut result, zeros) {
        for (key, zero) in zeros {
            fields.entry(key).or_insert(zero);
        }
    }
    result
}

#[test]
fn every_gatus_row_passes() {
    let tables = tables();
    assert_eq!(
        (tables.validate.len(), tables.evaluate.len(), tables.pattern.len(), tables.jsonpath.len()),
        (29, 98, 19, 24),
        "the tables changed size"
    );
    let mut failures = Vec::new();

    for row in &tables.validate {
        let got = Condition::parse(&row.condition).err().map(|e| e.to_string());
        if got != row.error {
            failures.push(format!(
                "validate `{}`: got {got:?}, expected {:?}",
                row.condition, row.error
            ));
        }
    }

    for row in &tables.evaluate {
        let condition = match Condition::parse(&row.condition) {
            Ok(condition) => condition,
            Err(e) => {
                failures
                    .push(format!("evaluate {}: `{}` did not parse: {e}", row.name, row.condition));
                continue;
            }
        };
        let seen =
            observation_from_result(&with_gatus_zero_values(&row.result)).expect("fixture result");
        let render = Render {
            resolve_failed: !row.dont_resolve_failed_conditions,
            resolve_successful: row.resolve_successful_conditions,
        };
        let got = condition.evaluate(&seen, render);
        if got.success != row.expected_success || got.rendered != row.expected_output {
            failures.push(format!(
                "evaluate {}: got ({}, {:?}), expected ({}, {:?})",
                row.name, got.success, got.rendered, row.expected_success, row.expected_output
            ));
        }
    }

    for row in &tables.pattern {
        let got = pattern::matches(&row.pattern, &row.text);
        if got != row.expected {
            failures.push(format!(
                "pattern `{}` on {:?}: got {got}, expected {}",
                row.pattern, row.text, row.expected
            ));
        }
    }

    for row in &tables.jsonpath {
        let got = jsonpath::eval(&row.path, row.data.as_bytes());
        let ok = match &got {
            Ok((output, len)) => {
                !row.expected_error
                    && *output == row.expected_output
                    && *len == row.expected_output_length
            }
            Err(_) => row.expected_error,
        };
        if !ok {
            failures.push(format!(
                "jsonpath {}: got {got:?}, expected {}",
                row.name,
                if row.expected_error {
                    "an error".to_owned()
                } else {
                    format!("({:?}, {})", row.expected_output, row.expected_output_length)
                }
            ));
        }
    }

    assert!(failures.is_empty(), "{} failing rows:\n{}", failures.len(), failures.join("\n"));
}

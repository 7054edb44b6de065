//! Parsing and evaluating never panic, whatever the condition and the observation.

use std::time::Duration;

use proptest::prelude::*;
use triage_condition::{Condition, Render, jsonpath, pattern};
use triage_core::{Observation, Value};

/// Text made of the characters the language gives meaning to, so that the generator
/// reaches operators, brackets, functions and numbers often.
fn condition_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        " == ", " != ", " < ", " <= ", " > ", " >= ", "[", "]", "(", ")", ".", ",", "*", "?", "\\",
        "^", "-", "len(", "has(", "pat(", "any(", "age(", "[STATUS]", "[BODY]", "[X]", "[HEADER]",
        "[0]", "[-1]", "[*]", "0x", "0b", "0o", "1s", "48h", "10GiB", "12.5", "1e400", "é", "/",
        " ", "a", "Z", "_", "0", "9",
    ]);
    prop_oneof![prop::collection::vec(pieces, 0..12).prop_map(|p| p.concat()), "\\PC{0,40}",]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        any::<u64>().prop_map(|ms| Value::Duration(Duration::from_millis(ms))),
        condition_text().prop_map(Value::Text),
        "[\\[\\]{}\":,0-9a-z ]{0,30}".prop_map(Value::Text),
        Just(Value::Json(serde_json::json!({"a": [1, {"b": null}], "x-h": ["v"]}))),
        Just(Value::Json(serde_json::json!([[], [1.5, "s"], null]))),
    ]
}

fn observation() -> impl Strategy<Value = Observation> {
    let names =
        prop::sample::select(vec!["STATUS", "BODY", "X", "HEADER", "IP", "CERTIFICATE_EXPIRATION"]);
    prop::collection::vec((names, value()), 0..6).prop_map(|bindings| {
        let mut seen = Observation::default();
        for (name, value) in bindings {
            seen.set(name, value);
        }
        seen
    })
}

proptest! {
    #[test]
    fn parse_and_evaluate_never_panic(
        text in condition_text(),
        seen in observation(),
        resolve_failed in any::<bool>(),
        resolve_successful in any::<bool>(),
    ) {
        if let Ok(condition) = Condition::parse(&text) {
            let _ = condition.placeholders();
            let _ = condition.evaluate(&seen, Render { resolve_failed, resolve_successful });
        }
    }

    #[test]
    fn patterns_and_paths_never_panic(a in condition_text(), b in condition_text()) {
        let _ = pattern::matches(&a, &b);
        let _ = jsonpath::eval(&a, br#"{"a": [[1, 2], {"b": "c"}], "": null}"#);
        let _ = jsonpath::eval(&a, b.as_bytes());
    }
}

//! Observations from Gatus-style result objects, for `triage condition --result` and tests.

use std::time::Duration;

use serde_json::Value as Json;
use triage_core::{Observation, Value};

/// Builds an observation from a result object such as `{"status": 200, "body": "{}"}`.
///
/// Each key, upper-cased, binds the placeholder of that name: `status` -> `[STATUS]`,
/// `dns_rcode` -> `[DNS_RCODE]`. A key ending in `_ms` binds the name without the suffix
/// to a duration of that many milliseconds (`response_time_ms` -> `[RESPONSE_TIME]`); a
/// negative one (an expired certificate) binds the plain number of milliseconds, which
/// compares the same. Integers bind `Int`, other numbers `Float`, strings `Text`
/// (`body` included, even when it holds JSON), bools `Bool`, arrays and objects `Json`;
/// `null` binds nothing.
///
/// Keys left out stay unbound: unlike Gatus, whose result always has every field (0, "",
/// false), a condition on a missing key fails and shows `(UNBOUND)`.
///
/// ```
/// use std::time::Duration;
/// use triage_condition::observation_from_result;
/// use triage_core::Value;
///
/// let seen = observation_from_result(&serde_json::json!({"status": 200, "response_time_ms": 50})).unwrap();
/// assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)));
/// assert_eq!(seen.get("RESPONSE_TIME"), Some(&Value::Duration(Duration::from_millis(50))));
/// ```
///
/// # Errors
///
/// When `result` is not an object, or an `_ms` key does not hold a number.
pub fn observation_from_result(result: &Json) -> Result<Observation, String> {
    let Json::Object(fields) = result else {
        return Err(format!(
            "a result must be a JSON object of placeholder values, got {}",
            kind(result)
        ));
    };
    let mut seen = Observation::default();
    for (key, json) in fields {
        let upper = key.to_ascii_uppercase();
        if let Some(name) = upper.strip_suffix("_MS").filter(|name| !name.is_empty()) {
            let Json::Number(ms) = json else {
                return Err(format!(
                    "`{key}` is a duration in milliseconds, so it must be a number, got {}",
                    kind(json)
                ));
            };
            seen.set(name, millis(ms));
            continue;
        }
        let value = match json {
            Json::Null => continue,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Value::Text(s.clone()),
            Json::Array(_) | Json::Object(_) => Value::Json(json.clone()),
        };
        seen.set(&upper, value);
    }
    Ok(seen)
}

/// A number of milliseconds as a duration, or as a plain number when negative.
fn millis(ms: &serde_json::Number) -> Value {
    match (ms.as_u64(), ms.as_i64(), ms.as_f64()) {
        (Some(n), _, _) => Value::Duration(Duration::from_millis(n)),
        (None, Some(n), _) => Value::Int(n),
        (None, None, Some(x)) if x >= 0.0 => {
            Duration::try_from_secs_f64(x / 1000.0).map_or(Value::Float(x), Value::Duration)
        }
        (None, None, Some(x)) => Value::Float(x),
        _ => Value::Float(f64::NAN),
    }
}

/// What kind of JSON value `json` is, for messages.
fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_bind_by_type() {
        let seen = observation_from_result(&json!({
            "ip": "127.0.0.1", "connected": true, "free_percent": 12.5,
            "certificate_expiration_ms": 86_400_000, "matches": ["a"], "gone": null,
            "late_ms": -5, "half_ms": 1.5,
        }))
        .unwrap();
        assert_eq!(seen.get("IP"), Some(&Value::Text("127.0.0.1".into())));
        assert_eq!(seen.get("CONNECTED"), Some(&Value::Bool(true)));
        assert_eq!(seen.get("FREE_PERCENT"), Some(&Value::Float(12.5)));
        assert_eq!(
            seen.get("CERTIFICATE_EXPIRATION"),
            Some(&Value::Duration(Duration::from_secs(86_400)))
        );
        assert_eq!(seen.get("MATCHES"), Some(&Value::Json(json!(["a"]))));
        assert_eq!(seen.get("GONE"), None);
        assert_eq!(seen.get("LATE"), Some(&Value::Int(-5)));
        assert_eq!(seen.get("HALF"), Some(&Value::Duration(Duration::from_micros(1500))));
    }

    #[test]
    fn rejects_what_is_not_a_result() {
        assert_eq!(
            observation_from_result(&json!([1])).unwrap_err(),
            "a result must be a JSON object of placeholder values, got an array"
        );
        assert_eq!(
            observation_from_result(&json!({"response_time_ms": "fast"})).unwrap_err(),
            "`response_time_ms` is a duration in milliseconds, so it must be a number, got a string"
        );
    }
}

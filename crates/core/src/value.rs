//! A value a probe observed, as the condition language sees it.

use std::fmt;
use std::time::Duration;

use serde::{Serialize, Serializer};

/// One observed value, bound to a placeholder such as `[STATUS]` or `[FREE_PERCENT]`.
///
/// Conditions compare values through their [`Display`](fmt::Display) form, as Gatus
/// does; the variant decides how they render and how numbers and durations compare.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// A whole number: a status code, a count, a size in bytes.
    Int(i64),
    /// A fractional number: a percentage, a metric sample.
    Float(f64),
    /// A span of time; renders as whole milliseconds, the unit Gatus uses.
    Duration(Duration),
    /// Text: a response body, a command's output, an address.
    Text(String),
    /// Structured data that `[NAME].path` can index into.
    Json(serde_json::Value),
}

impl Value {
    /// The value as a JSON document, parsing [`Value::Text`] when it holds JSON.
    ///
    /// Returns `None` when the value is text that is not valid JSON.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        match self {
            Value::Text(text) => serde_json::from_str(text).ok(),
            Value::Json(json) => Some(json.clone()),
            Value::Bool(b) => Some((*b).into()),
            Value::Int(n) => Some((*n).into()),
            Value::Float(f) => serde_json::Number::from_f64(*f).map(serde_json::Value::Number),
            Value::Duration(d) => Some(duration_ms(*d).into()),
        }
    }
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Float(x) => {
                if x.fract() == 0.0 && x.abs() < 1e15 {
                    write!(f, "{}", *x as i64)
                } else {
                    write!(f, "{x}")
                }
            }
            Value::Duration(d) => write!(f, "{}", duration_ms(*d)),
            Value::Text(s) => f.write_str(s),
            Value::Json(j) => write!(f, "{j}"),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(n) => serializer.serialize_i64(*n),
            Value::Float(x) => serializer.serialize_f64(*x),
            Value::Duration(d) => serializer.serialize_i64(duration_ms(*d)),
            Value::Text(s) => serializer.serialize_str(s),
            Value::Json(j) => j.serialize(serializer),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}

impl From<Duration> for Value {
    fn from(d: Duration) -> Self {
        Value::Duration(d)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_gatus() {
        assert_eq!(Value::Duration(Duration::from_millis(1500)).to_string(), "1500");
        assert_eq!(Value::Float(42.0).to_string(), "42");
        assert_eq!(Value::Float(0.5).to_string(), "0.5");
        assert_eq!(Value::Bool(false).to_string(), "false");
    }

    #[test]
    fn text_holding_json_indexes() {
        let v = Value::Text(r#"{"a":1}"#.into());
        assert_eq!(v.to_json(), Some(serde_json::json!({"a": 1})));
        assert_eq!(Value::Text("not json".into()).to_json(), None);
    }
}

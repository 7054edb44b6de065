//! Resolving one side of a condition against what a probe observed.

use std::borrow::Cow;

use serde_json::Value as Json;
use triage_core::{Observation, Value};

use crate::jsonpath;
use crate::number::{self, Number};
use crate::operand::{Operand, Placeholder};

/// What one side of a condition stands for once the observation is known.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Resolved<'a> {
    /// The side as written: text, `pat()`, `any()`.
    Written,
    /// Read from the observation. `typed` is the bound value itself when no path or
    /// function was applied, so that numbers and durations compare by type.
    Value { text: String, typed: Option<&'a Value> },
    /// A path that leads nowhere, or `len()` of something that is not a placeholder:
    /// shown as `[BODY].x (INVALID)` and compared as that text, as in Gatus.
    Invalid,
    /// A placeholder the probe did not bind: the condition fails, shown as
    /// `[FREE_PERCENT] (UNBOUND)`.
    Unbound,
}

/// Marker Gatus appends to a side that could not be resolved.
pub(crate) const INVALID: &str = "(INVALID)";
/// Marker triage appends to a placeholder the probe did not bind.
pub(crate) const UNBOUND: &str = "(UNBOUND)";

impl Resolved<'_> {
    /// The text this side compares as, given the side as written.
    pub(crate) fn text(&self, written: &str) -> String {
        match self {
            Resolved::Written => written.to_owned(),
            Resolved::Value { text, .. } => text.clone(),
            Resolved::Invalid => format!("{written} {INVALID}"),
            Resolved::Unbound => format!("{written} {UNBOUND}"),
        }
    }

    /// The number this side stands for in `<`, `<=`, `>`, `>=`.
    pub(crate) fn number(&self, written: &str) -> Number {
        match self {
            Resolved::Written => number::read_literal(written).number(),
            Resolved::Value { typed: Some(value), text } => match value {
                Value::Int(n) => Number::Int(*n),
                Value::Float(x) => Number::Float(*x),
                Value::Duration(d) => Number::Int(number::millis(*d)),
                // `true` is not a number: 0, as in Gatus.
                Value::Bool(_) => Number::Int(0),
                Value::Text(_) | Value::Json(_) => number::read_text(text).number(),
            },
            Resolved::Value { typed: None, text } => number::read_text(text).number(),
            Resolved::Invalid | Resolved::Unbound => Number::Int(0),
        }
    }

    /// Whether the side is a number the probe bound (not text that looks like one).
    pub(crate) fn is_typed_number(&self) -> bool {
        matches!(self, Resolved::Value { typed: Some(Value::Int(_) | Value::Float(_)), .. })
    }
}

/// Resolves `operand` against `seen`.
pub(crate) fn resolve<'a>(operand: &Operand, seen: &'a Observation) -> Resolved<'a> {
    match operand {
        Operand::Placeholder(p) => match seen.get(&p.name) {
            None => Resolved::Unbound,
            Some(value) => match &p.path {
                None => {
                    Resolved::Value { text: plain_text(value).into_owned(), typed: Some(value) }
                }
                Some(_) => match lookup(p, value) {
                    Some((text, _)) => Resolved::Value { text, typed: None },
                    None => Resolved::Invalid,
                },
            },
        },
        Operand::Len(None) => Resolved::Invalid,
        Operand::Len(Some(p)) => match seen.get(&p.name) {
            None => Resolved::Unbound,
            Some(value) => {
                let len = match &p.path {
                    None => Some(length(value)),
                    Some(_) => lookup(p, value).map(|(_, len)| len),
                };
                match len {
                    Some(len) => Resolved::Value { text: len.to_string(), typed: None },
                    None => Resolved::Invalid,
                }
            }
        },
        Operand::Has(p) => {
            let has = p.as_ref().is_some_and(|p| {
                seen.get(&p.name).is_some_and(|value| match &p.path {
                    None => !plain_text(value).is_empty(),
                    Some(_) => lookup(p, value).is_some(),
                })
            });
            Resolved::Value { text: has.to_string(), typed: None }
        }
        Operand::Pattern(_) | Operand::Any(_) | Operand::Literal => Resolved::Written,
    }
}

/// A bound value as text: text trimmed of surrounding whitespace (as Gatus trims the
/// body), a JSON string unquoted, anything else in its display form.
fn plain_text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Text(text) => Cow::Borrowed(text.trim()),
        Value::Json(Json::String(s)) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// `len()` of a bound value: element count of an array (also of text holding one),
/// byte length of anything else, as in Gatus.
fn length(value: &Value) -> usize {
    match value {
        Value::Text(text) => {
            let text = text.trim();
            jsonpath::eval("", text.as_bytes()).map_or(text.len(), |(_, len)| len)
        }
        Value::Json(Json::Array(items)) => items.len(),
        other => plain_text(other).len(),
    }
}

/// Applies the placeholder's path to its value: the text found and its length.
fn lookup(p: &Placeholder, value: &Value) -> Option<(String, usize)> {
    let path = p.path.as_deref().unwrap_or("");
    if matches!(p.name.as_str(), "HEADER" | "HEADERS")
        && let Value::Json(Json::Object(headers)) = value
    {
        return header(headers, path);
    }
    let document: Cow<'_, [u8]> = match value {
        Value::Text(text) => Cow::Borrowed(text.trim().as_bytes()),
        Value::Json(json) => Cow::Owned(json.to_string().into_bytes()),
        other => Cow::Owned(other.to_string().into_bytes()),
    };
    jsonpath::eval(path, &document).ok()
}

/// `[HEADER].Content-Type` (Gatus) or `[HEADERS].content-type` (triage's `http` probe):
/// header names are case-insensitive and the rest of the
/// placeholder is the whole name, dots included; of several values the first counts.
fn header(headers: &serde_json::Map<String, Json>, name: &str) -> Option<(String, usize)> {
    let (_, found) = headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name))?;
    let first = match found {
        Json::Array(values) => values.first()?,
        single => single,
    };
    let text = jsonpath::go_format(first);
    let len = text.len();
    Some((text, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen() -> Observation {
        let mut seen = Observation::default();
        seen.set("STDOUT", "ready\n")
            .set("MATCHES", Value::Json(serde_json::json!(["a", "b", "c"])))
            .set("HEADER", Value::Json(serde_json::json!({"content-type": ["text/html", "x"]})))
            .set("PID", 812i64);
        seen
    }

    fn text(operand: &str) -> String {
        resolve(&Operand::parse(operand), &seen()).text(operand)
    }

    #[test]
    fn text_is_trimmed() {
        assert_eq!(text("[STDOUT]"), "ready");
        assert_eq!(text("len([STDOUT])"), "5");
    }

    #[test]
    fn json_values_index_and_count() {
        assert_eq!(text("[MATCHES][1]"), "b");
        assert_eq!(text("len([MATCHES])"), "3");
        assert_eq!(text("[MATCHES]"), r#"["a","b","c"]"#);
    }

    #[test]
    fn headers_are_case_insensitive() {
        assert_eq!(text("[HEADER].Content-Type"), "text/html");
        assert_eq!(text("has([HEADER].X-Missing)"), "false");
        assert_eq!(text("[HEADER].X-Missing"), "[HEADER].X-Missing (INVALID)");
        let mut seen = Observation::default();
        seen.set("HEADERS", Value::Json(serde_json::json!({"content-type": "text/plain"})));
        let operand = Operand::parse("[HEADERS].Content-Type");
        assert_eq!(resolve(&operand, &seen).text(""), "text/plain");
    }

    #[test]
    fn unbound_is_marked_but_has_is_false() {
        assert_eq!(text("[NOPE]"), "[NOPE] (UNBOUND)");
        assert_eq!(text("len([NOPE])"), "len([NOPE]) (UNBOUND)");
        assert_eq!(text("has([NOPE])"), "false");
        assert_eq!(text("has([PID])"), "true");
    }
}

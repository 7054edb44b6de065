//! What one probe run saw.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Value;

/// The placeholders one probe run bound, plus what went wrong if it could not look.
///
/// Placeholder names are stored upper-case without brackets (`STATUS` for `[STATUS]`).
/// A probe that could not reach its target still returns an observation: it sets what it
/// knows (`CONNECTED` = false) and says why in [`Observation::error`]; that is a finding,
/// not a failure of triage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Observation {
    values: BTreeMap<String, Value>,
    /// Why the probe could not observe everything, e.g. `connection refused`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Short facts worth showing a human beside the verdict, e.g. `pid 812 (nginx)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Values the probe saw that are secrets (a password-like variable's value, say):
    /// every renderer masks them wherever they appear. Never serialized.
    #[serde(skip)]
    pub secrets: Vec<String>,
}

impl Observation {
    /// An observation that records only why the probe could not look.
    pub fn failed(error: impl Into<String>) -> Self {
        Observation { error: Some(error.into()), ..Observation::default() }
    }

    /// Binds `[NAME]` to `value`, replacing an earlier binding.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.values.insert(name.to_ascii_uppercase(), value.into());
        self
    }

    /// The value bound to `[NAME]`, if any.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Every binding, ordered by name.
    pub fn values(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Adds a short human-facing fact.
    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_on_set() {
        let mut o = Observation::default();
        o.set("status", 200i64);
        assert_eq!(o.get("STATUS"), Some(&Value::Int(200)));
    }

    #[test]
    fn failed_keeps_reason() {
        let o = Observation::failed("connection refused");
        assert_eq!(o.error.as_deref(), Some("connection refused"));
        assert_eq!(o.values().count(), 0);
    }
}

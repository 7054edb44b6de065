//! Durations as guides write them: `500ms`, `30s`, `1m30s`, `48h`.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// Parses a duration written with units (`ms`, `s`, `m`, `h`, `d`), parts concatenated.
///
/// A bare number is rejected: `timeout: 30` would be ambiguous.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(triage_core::duration::parse("1m30s"), Ok(Duration::from_secs(90)));
/// assert!(triage_core::duration::parse("30").is_err());
/// ```
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(format!("duration `{text}` needs a unit, e.g. `{text}s` or `{text}ms`"));
    }
    humantime::parse_duration(text).map_err(|e| format!("invalid duration `{text}`: {e}"))
}

/// Serde helper: a required duration field.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// Serde helper: an optional duration field (`#[serde(default, with = ...)]`).
pub mod option {
    use super::*;

    /// Deserializes `Option<Duration>` from an optional string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("48h"), Ok(Duration::from_secs(48 * 3600)));
        assert_eq!(parse(" 2s "), Ok(Duration::from_secs(2)));
        assert!(parse("").is_err());
        assert!(parse("soon").is_err());
    }
}

//! Small bridges from `serde_yaml_ng`: error messages without their position (we print our
//! own `file:line:col`) and YAML values as JSON for metadata.

use serde_yaml_ng::Value as Yaml;

/// The YAML error message without libyaml's ` at line N column M` / ` at position N` parts.
pub(crate) fn clean_message(error: &serde_yaml_ng::Error) -> String {
    let text = error.to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(" at ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        match position_len(after) {
            Some(len) => rest = &after[len..],
            None => {
                out.push_str(" at ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Length of a leading `line N column M` or `position N`, if there is one.
fn position_len(text: &str) -> Option<usize> {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    if let Some(rest) = text.strip_prefix("line ") {
        let n = digits(rest);
        let after = rest[n..].strip_prefix(" column ")?;
        let m = digits(after);
        (n > 0 && m > 0).then_some("line ".len() + n + " column ".len() + m)
    } else {
        let rest = text.strip_prefix("position ")?;
        let n = digits(rest);
        (n > 0).then_some("position ".len() + n)
    }
}

/// A YAML value as JSON; keys that are not strings become their YAML text, tags are dropped.
pub(crate) fn to_json(value: &Yaml) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Json::Null, Json::Number)
            }
        }
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(map) => Json::Object(
            map.iter()
                .map(|(key, value)| {
                    let key = match key {
                        Yaml::String(s) => s.clone(),
                        other => serde_yaml_ng::to_string(other)
                            .map(|s| s.trim_end().to_owned())
                            .unwrap_or_default(),
                    };
                    (key, to_json(value))
                })
                .collect(),
        ),
        Yaml::Tagged(tagged) => to_json(&tagged.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lose_their_positions() {
        let error = serde_yaml_ng::from_str::<Yaml>("a: [b\n").unwrap_err();
        let message = clean_message(&error);
        assert!(!message.contains("line"), "{message}");
        assert!(!message.is_empty());
    }

    #[test]
    fn yaml_becomes_json() {
        let yaml: Yaml = serde_yaml_ng::from_str("a: 1\n1: [x, 2.5, ~]\n").unwrap();
        assert_eq!(to_json(&yaml), serde_json::json!({"a": 1, "1": ["x", 2.5, null]}));
    }
}

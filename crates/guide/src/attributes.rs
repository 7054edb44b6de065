//! Runme-compatible attributes of a fenced block's info string.
//!
//! ```text
//! sh { name=restart confirm=true timeout=30s }     key=value form, Runme calls it `html`
//! sh {"name":"restart","confirm":"true"}           JSON form
//! ```
//!
//! The behaviour copies Runme's (the rows of `tests/data/runme-attributes.json` are the
//! target): the attribute text runs from the first `{` that is not directly followed by `}`
//! to the first `}`, so a nested JSON object is cut there and falls back to key=value. JSON
//! is tried first, then key=value, which never fails. Every value is a string; a JSON value
//! that is not a string keeps its JSON text, written as Go's `encoding/json` writes it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::error::Error;

/// Attributes by name; every value is a string.
pub type Attributes = BTreeMap<String, String>;

/// The form an attribute text was written in (and is written back in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeFormat {
    /// `{ key=value other=value bare }`; Runme calls this form `html`.
    Html,
    /// `{"key":"value"}`; Runme's default, also for blocks without attributes.
    #[default]
    Json,
}

/// Which parser [`parse_attributes`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeParser {
    /// Only the key=value form; never fails.
    KeyValue,
    /// Only the JSON form; fails on anything but a JSON object.
    Json,
    /// JSON first, key=value when that fails: what fenced blocks use.
    Auto,
}

/// A fenced block's info string split into language and attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct InfoString {
    /// The language: the first word, cut before any `{` (`sh` in `sh { name=x }`).
    pub language: String,
    /// The attributes, empty when there are none.
    pub attributes: Attributes,
    /// The form they were written in ([`AttributeFormat::Json`] when there are none).
    pub format: AttributeFormat,
}

impl InfoString {
    /// Reads an info string, the text after the opening fence. Never fails.
    pub fn parse(info: &str) -> Self {
        let info = info.trim();
        let word = info.split(char::is_whitespace).next().unwrap_or("");
        let language = word.split('{').next().unwrap_or("").to_owned();
        match attribute_text(info) {
            Some(text) => match parse_attributes(text, AttributeParser::Auto) {
                Ok((attributes, format)) => InfoString { language, attributes, format },
                Err(_) => InfoString { language, ..InfoString::default() },
            },
            None => InfoString { language, ..InfoString::default() },
        }
    }

    /// Writes the info string back: the language, then the attributes in their format.
    pub fn write(&self) -> String {
        if self.attributes.is_empty() {
            return self.language.clone();
        }
        let attributes = write_attributes(&self.attributes, self.format);
        if self.language.is_empty() {
            attributes
        } else {
            format!("{} {attributes}", self.language)
        }
    }
}

/// The attribute text of an info string, braces included, as Runme extracts it.
fn attribute_text(info: &str) -> Option<&str> {
    let bytes = info.as_bytes();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        if start.is_none() && b == b'{' && bytes.get(i + 1).is_some_and(|&next| next != b'}') {
            start = Some(i);
        }
        if b == b'}' {
            return start.map(|start| info[start..=i].trim());
        }
    }
    None
}

/// Parses an attribute text (braces included) with the given parser, returning the
/// attributes and the form that accepted them.
///
/// # Errors
///
/// [`Error::JsonAttributes`] when [`AttributeParser::Json`] is asked for and the text is
/// not a JSON object. The other parsers never fail.
pub fn parse_attributes(
    text: &str,
    parser: AttributeParser,
) -> Result<(Attributes, AttributeFormat), Error> {
    match parser {
        AttributeParser::KeyValue => Ok((parse_key_value(text), AttributeFormat::Html)),
        AttributeParser::Json => Ok((parse_json(text)?, AttributeFormat::Json)),
        AttributeParser::Auto => Ok(match parse_json(text) {
            Ok(attributes) => (attributes, AttributeFormat::Json),
            Err(_) => (parse_key_value(text), AttributeFormat::Html),
        }),
    }
}

fn parse_json(text: &str) -> Result<Attributes, Error> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|source| Error::JsonAttributes { source })?;
    Ok(object
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                serde_json::Value::String(text) => text,
                other => go_json(&other),
            };
            (key, value)
        })
        .collect())
}

/// Space-separated items; `key=value` or a bare `key` (value `""`). Like Runme, the value
/// is the text between the first and a second `=` of the item.
fn parse_key_value(text: &str) -> Attributes {
    let inner = text.trim();
    let inner = inner.strip_prefix('{').unwrap_or(inner);
    let inner = inner.strip_suffix('}').unwrap_or(inner);
    inner
        .split(' ')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let mut parts = item.split('=');
            let key = parts.next().unwrap_or("").to_owned();
            (key, parts.next().unwrap_or("").to_owned())
        })
        .filter(|(key, _)| !key.is_empty())
        .collect()
}

/// Writes attributes in `format`: key=value puts `name` first and sorts the rest; JSON is
/// minified with sorted keys. An empty map is `{}` in both.
pub fn write_attributes(attributes: &Attributes, format: AttributeFormat) -> String {
    match format {
        AttributeFormat::Json => {
            let mut out = String::from("{");
            for (i, (key, value)) in attributes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_string(&mut out, key);
                out.push(':');
                go_string(&mut out, value);
            }
            out.push('}');
            out
        }
        AttributeFormat::Html => {
            if attributes.is_empty() {
                return "{}".to_owned();
            }
            let mut out = String::from("{ ");
            let name = attributes.get_key_value("name");
            for (key, value) in
                name.into_iter().chain(attributes.iter().filter(|(k, _)| *k != "name"))
            {
                let _ = write!(out, "{key}={value} ");
            }
            out.push('}');
            out
        }
    }
}

/// Whether Runme leaves the block out of runs: `transform=false`, `ignore=true`, or a
/// `mermaid` block unless `transform=true` or `ignore=false`. Booleans are read as Go's
/// `strconv.ParseBool` reads them; anything else keeps the default.
pub fn is_ignored(language: &str, attributes: &Attributes) -> bool {
    let flag = |key: &str| attributes.get(key).and_then(|value| parse_bool(value));
    let transform = flag("transform");
    let ignore = flag("ignore");
    if transform == Some(false) || ignore == Some(true) {
        return true;
    }
    language == "mermaid" && transform != Some(true) && ignore != Some(false)
}

/// The block's tags: the comma-separated `category` then `tag` attributes, trimmed, in
/// order, empty items dropped.
pub fn block_tags(attributes: &Attributes) -> Vec<String> {
    ["category", "tag"]
        .iter()
        .filter_map(|key| attributes.get(*key))
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// A JSON value as Go's `json.Marshal` writes it after `json.Unmarshal` into `any`: keys
/// sorted, numbers as float64, `<`, `>` and `&` escaped.
fn go_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_go_json(&mut out, value);
    out
}

fn write_go_json(out: &mut String, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_float(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => go_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here rather than trusting the map: another crate may turn on
            // serde_json's `preserve_order`.
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_string(out, key);
                out.push(':');
                write_go_json(out, item);
            }
            out.push('}');
        }
    }
}

/// Go's float64 encoding: plain decimal between 1e-6 and 1e21, exponent form outside.
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format!("{f:e}");
        match text.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => text,
        }
    } else {
        format!("{f}")
    }
}

fn go_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn attrs(pairs: &[(&str, &str)]) -> Attributes {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[rstest]
    #[case::key_value("sh { name=restart confirm=true timeout=30s }", "sh", AttributeFormat::Html)]
    #[case::json("sh {\"name\":\"restart\"}", "sh", AttributeFormat::Json)]
    #[case::none("bash", "bash", AttributeFormat::Json)]
    #[case::glued("sh{name=x}", "sh", AttributeFormat::Html)]
    #[case::empty_braces("sh {}", "sh", AttributeFormat::Json)]
    fn info_strings(#[case] info: &str, #[case] language: &str, #[case] format: AttributeFormat) {
        let parsed = InfoString::parse(info);
        assert_eq!(parsed.language, language);
        assert_eq!(parsed.format, format);
    }

    #[test]
    fn nested_json_in_an_info_string_is_cut_at_the_first_brace() {
        let parsed = InfoString::parse("sh {\"a\":{\"b\":\"c\"}}");
        assert_eq!(parsed.format, AttributeFormat::Html);
    }

    #[test]
    fn json_values_that_are_not_strings_keep_go_json_text() {
        let (parsed, _) = parse_attributes(
            r#"{"n":20,"f":1.0,"big":1e21,"o":{"z":"<","a":[true,null]}}"#,
            AttributeParser::Json,
        )
        .unwrap();
        assert_eq!(parsed["n"], "20");
        assert_eq!(parsed["f"], "1");
        assert_eq!(parsed["big"], "1e+21");
        assert_eq!(parsed["o"], r#"{"a":[true,null],"z":"\u003c"}"#);
        assert_eq!(go_float(1e-7), "1e-7");
        assert_eq!(go_float(13.3), "13.3");
    }

    #[test]
    fn writers_put_name_first_or_sort() {
        let a = attrs(&[("b", "2"), ("name", "x"), ("a", "1")]);
        assert_eq!(write_attributes(&a, AttributeFormat::Html), "{ name=x a=1 b=2 }");
        assert_eq!(write_attributes(&a, AttributeFormat::Json), r#"{"a":"1","b":"2","name":"x"}"#);
    }

    #[rstest]
    #[case("", &[], false)]
    #[case("sh", &[("ignore", "true")], true)]
    #[case("sh", &[("transform", "False")], true)]
    #[case("mermaid", &[], true)]
    #[case("mermaid", &[("transform", "abc")], true)]
    #[case("mermaid", &[("ignore", "0")], false)]
    fn ignored(#[case] language: &str, #[case] pairs: &[(&str, &str)], #[case] expected: bool) {
        assert_eq!(is_ignored(language, &attrs(pairs)), expected);
    }

    #[test]
    fn tags_merge_category_then_tag() {
        let a = attrs(&[("tag", "t1, ,t2"), ("category", "c1")]);
        assert_eq!(block_tags(&a), vec!["c1", "t1", "t2"]);
    }
}

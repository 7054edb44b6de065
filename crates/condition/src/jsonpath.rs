//! The JSON paths of `[BODY].data[0].name`, with Gatus's semantics.
//!
//! A path is keys separated by dots, each key optionally followed by indexes
//! (`users[0]`, `[3][2]`, `data[1][1]`). [`eval`] returns the value found and its length:
//!
//! - a string: itself and its byte length;
//! - an object: its minified JSON (keys sorted) and the byte length of that;
//! - an array: Go's `%v` form (`[1 2]`) and its element count, even if keys remain;
//! - a number or bool: its text and the byte length of that;
//! - an empty path on a document that is not an array: the document itself, unparsed.
//!
//! `null`, a missing key, an index out of range or negative, and a key after a string are
//! errors. One deliberate difference from Gatus: numbers keep their JSON form (`1000000`,
//! not Go's `1e+06`).
//!
//! ```
//! use triage_condition::jsonpath::eval;
//!
//! let body = br#"{"data": [{"apps": [{"name":"app1"}, {"name":"app2"}]}]}"#;
//! assert_eq!(eval("data[0].apps[1].name", body), Ok(("app2".to_owned(), 4)));
//! assert_eq!(eval("", b"[1, 2]"), Ok(("[1 2]".to_owned(), 2)));
//! assert!(eval("data[5]", body).is_err());
//! ```

use serde_json::Value as Json;

use crate::Error;

/// Applies `path` to the JSON document `json`: the value found as text and its length.
pub fn eval(path: &str, json: &[u8]) -> Result<(String, usize), Error> {
    let is_array = json.first() == Some(&b'[') && json.last() == Some(&b']');
    if path.is_empty() && !is_array {
        // Nothing to walk: Gatus hands back the document as it is.
        let text = String::from_utf8_lossy(json).into_owned();
        return Ok((text, json.len()));
    }
    let document: Json =
        serde_json::from_slice(json).map_err(|e| Error::Json { reason: e.to_string() })?;
    walk(path, path, &document)
}

/// Walks `path` (the part of `full` still to go) through `value`.
fn walk(full: &str, path: &str, value: &Json) -> Result<(String, usize), Error> {
    let keys = split_keys(path);
    let key = keys[0];
    let fail = |reason: String| Error::Path { path: full.to_owned(), reason };
    match extract(key, value) {
        Some(object @ Json::Object(_)) if keys.len() > 1 => {
            walk(full, &path[key.len() + 1..], object)
        }
        Some(object @ Json::Object(_)) => {
            let text = marshal(object);
            let len = text.len();
            Ok((text, len))
        }
        Some(Json::String(s)) => match keys.get(1) {
            Some(next) => Err(fail(format!("`{key}` is a string, it has no `{next}`"))),
            None => Ok((s.clone(), s.len())),
        },
        Some(array @ Json::Array(items)) => Ok((go_format(array), items.len())),
        Some(Json::Null) | None => Err(fail(format!("nothing at `{key}`"))),
        Some(scalar) => {
            let text = go_format(scalar);
            let len = text.len();
            Ok((text, len))
        }
    }
}

/// Splits at the dots outside brackets; always at least one (possibly empty) key.
fn split_keys(path: &str) -> Vec<&str> {
    let mut keys = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    for (i, b) in path.bytes().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'.' if depth == 0 => {
                keys.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    keys.push(&path[start..]);
    keys
}

/// The value `key` (`name`, `name[1]`, `[0][2]`) designates in `value`; `None` for nothing.
fn extract<'j>(key: &str, value: &'j Json) -> Option<&'j Json> {
    if key.ends_with(']')
        && let Some(open) = key.find('[')
    {
        let close = open + key[open..].find(']')?;
        let index: usize = key[open + 1..close].parse().ok()?;
        let rest = &key[close + 1..];
        let name = &key[..open];
        let array = if name.is_empty() {
            value.as_array()?
        } else {
            value.as_object()?.get(name)?.as_array()?
        };
        let element = array.get(index)?;
        return if rest.starts_with('[') { extract(rest, element) } else { Some(element) };
    }
    match value {
        // Gatus hands back an array whole when a key is applied to it.
        Json::Array(_) => Some(value),
        Json::Object(map) => map.get(key),
        scalar => Some(scalar),
    }
}

/// Go's `fmt` `%v` form of a decoded JSON value: `[1 2]`, `map[a:1]`, `<nil>`.
pub(crate) fn go_format(value: &Json) -> String {
    match value {
        Json::Null => "<nil>".to_owned(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => number_text(n),
        Json::String(s) => s.clone(),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(go_format).collect();
            format!("[{}]", items.join(" "))
        }
        Json::Object(map) => {
            let mut entries: Vec<(&String, &Json)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let entries: Vec<String> =
                entries.iter().map(|(k, v)| format!("{k}:{}", go_format(v))).collect();
            format!("map[{}]", entries.join(" "))
        }
    }
}

/// A JSON number as Go prints the `float64` it decodes to, but never in exponent form:
/// `1.0` is `1`, `123.40000000000005` stays, integers keep every digit.
fn number_text(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (_, Some(u), _) => u.to_string(),
        (_, _, Some(f)) => f.to_string(),
        _ => n.to_string(),
    }
}

/// Go's `json.Marshal` of a decoded value: minified, keys sorted, `<`, `>`, `&` escaped.
pub(crate) fn marshal(value: &Json) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json(value: &Json, out: &mut String) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(&number_text(n)),
        Json::String(s) => write_string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Json::Object(map) => {
            let mut entries: Vec<(&String, &Json)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    let quoted = Json::String(s.to_owned()).to_string();
    for c in quoted.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_marshal_like_go() {
        let body = br#"{"o": {"b": "<a&b>", "a": [1, null, true]}}"#;
        assert_eq!(eval("o", body).unwrap().0, r#"{"a":[1,null,true],"b":"\u003ca\u0026b\u003e"}"#);
    }

    #[test]
    fn arrays_format_like_go_v() {
        let body = br#"{"a": [1, "x", null, {"k": 2, "j": [3]}]}"#;
        assert_eq!(eval("a", body), Ok(("[1 x <nil> map[j:[3] k:2]]".to_owned(), 4)));
    }

    #[test]
    fn whole_floats_print_without_fraction() {
        assert_eq!(eval("v", br#"{"v": 1.0}"#), Ok(("1".to_owned(), 1)));
        assert_eq!(eval("v", br#"{"v": 1000000}"#), Ok(("1000000".to_owned(), 7)));
    }

    #[test]
    fn a_key_on_an_array_returns_it_whole() {
        assert_eq!(eval("name", b"[1, 2]"), Ok(("[1 2]".to_owned(), 2)));
    }

    #[test]
    fn keys_after_a_scalar_are_ignored_like_gatus() {
        assert_eq!(eval("n.x", br#"{"n": 5}"#), Ok(("5".to_owned(), 1)));
    }

    #[test]
    fn errors_say_where() {
        let err = eval("data.name.x", br#"{"data": {"name": "john"}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "json path `data.name.x` does not resolve: `name` is a string, it has no `x`"
        );
        assert!(matches!(eval("a", b"{oops"), Err(Error::Json { .. })));
    }

    #[test]
    fn odd_paths_never_panic() {
        for path in
            ["[", "]", "[]", "a[", "a]", "[0", "[0]]", "[[0]]", ".", "..", "a..b", "[0].", "é[0]"]
        {
            let _ = eval(path, br#"{"a": [[1]], "": {"": 1}}"#);
            let _ = eval(path, b"[[1], 2]");
        }
    }
}

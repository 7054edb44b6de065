//! `${NAME}` interpolation and the precedence of variable values.
//!
//! Syntax: `${NAME}` is replaced by the value of `NAME`; `${NAME:-default}` uses `default`
//! when `NAME` is undefined or empty (as in the shell); `$${NAME}` is the literal text
//! `${NAME}`. A `NAME` is `[A-Za-z_][A-Za-z0-9_]*`. Anything else after `${` (`${#arr[@]}`,
//! `${VAR%%.*}`) is left untouched, because guides are full of shell code.
//!
//! What happens to an undefined variable depends on where it is; this module only reports
//! the references it could not resolve and the reader decides.

use std::collections::BTreeMap;

use crate::options::LoadOptions;

/// The resolved variables of one guide.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vars {
    values: BTreeMap<String, String>,
}

/// A `${NAME}` reference in the input text, by byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// The variable name.
    pub(crate) name: String,
    /// Byte offset of the `$` in the input.
    pub(crate) start: usize,
    /// Byte length of the whole reference, `${` to `}`.
    pub(crate) len: usize,
}

/// One replaced stretch: `input[in_start..in_start + in_len]` became
/// `text[out_start..out_start + out_len]`.
#[derive(Debug, Clone, Copy)]
struct Edit {
    out_start: usize,
    out_len: usize,
    in_start: usize,
    in_len: usize,
}

/// The result of interpolating one text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expansion {
    /// The text with every resolvable reference replaced.
    pub(crate) text: String,
    /// References left as written because the variable is undefined.
    pub(crate) undefined: Vec<Reference>,
    /// References left as written because the value holds a line break and the caller asked
    /// for single-line values (line numbers inside check blocks must not move).
    pub(crate) multiline: Vec<Reference>,
    edits: Vec<Edit>,
}

impl Expansion {
    /// The input byte offset that output byte `offset` came from (a position inside a
    /// substituted value maps to the start of its reference).
    pub(crate) fn input_offset(&self, offset: usize) -> usize {
        let index = self.edits.partition_point(|edit| edit.out_start <= offset);
        let Some(edit) = index.checked_sub(1).map(|i| self.edits[i]) else {
            return offset;
        };
        if offset < edit.out_start + edit.out_len {
            edit.in_start
        } else {
            edit.in_start + edit.in_len + (offset - edit.out_start - edit.out_len)
        }
    }
}

impl Vars {
    /// Merges the sources by precedence (front matter < `TRIAGE_VAR_*` < overrides), then
    /// expands references between values (`URL: http://${HOST}:${PORT}`), so an override of
    /// `HOST` reaches `URL` too. A cycle stops expanding where it closes.
    pub(crate) fn resolve(declared: &BTreeMap<String, String>, options: &LoadOptions) -> Self {
        let mut raw = declared.clone();
        for (name, value) in options.env_vars() {
            raw.insert(name.to_owned(), value.to_owned());
        }
        raw.extend(options.overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut done = BTreeMap::new();
        for name in raw.keys() {
            resolve_one(name, &raw, &mut done, &mut Vec::new());
        }
        Vars { values: done }
    }

    /// Every variable with its resolved value.
    pub(crate) fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }

    /// Interpolates `input`; with `single_line`, values holding a line break are refused.
    pub(crate) fn expand(&self, input: &str, single_line: bool) -> Expansion {
        expand(input, single_line, &mut |name| self.values.get(name).cloned())
    }
}

fn resolve_one(
    name: &str,
    raw: &BTreeMap<String, String>,
    done: &mut BTreeMap<String, String>,
    stack: &mut Vec<String>,
) -> Option<String> {
    if let Some(value) = done.get(name) {
        return Some(value.clone());
    }
    let value = raw.get(name)?;
    if stack.iter().any(|open| open == name) {
        return Some(value.clone());
    }
    stack.push(name.to_owned());
    let expanded = expand(value, false, &mut |other| resolve_one(other, raw, done, stack)).text;
    stack.pop();
    done.insert(name.to_owned(), expanded.clone());
    Some(expanded)
}

/// A parsed `${...}` reference: name, optional default, total byte length.
fn parse_reference(rest: &str) -> Option<(&str, Option<&str>, usize)> {
    let body = rest.strip_prefix("${")?;
    let name_len = body
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(body.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let name = &body[..name_len];
    let after = &body[name_len..];
    if after.starts_with('}') {
        return Some((name, None, 2 + name_len + 1));
    }
    let default_text = after.strip_prefix(":-")?;
    let end = default_text.find(['}', '\n'])?;
    if !default_text[end..].starts_with('}') {
        return None;
    }
    Some((name, Some(&default_text[..end]), 2 + name_len + 2 + end + 1))
}

fn expand(
    input: &str,
    single_line: bool,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
) -> Expansion {
    let mut out = Expansion { text: String::with_capacity(input.len()), ..Expansion::default() };
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = input[at..].find('$') {
        let start = at + found;
        let rest = &input[start..];
        if rest.starts_with("$${") {
            out.text.push_str(&input[copied..start]);
            out.edits.push(Edit {
                out_start: out.text.len(),
                out_len: 2,
                in_start: start,
                in_len: 3,
            });
            out.text.push_str("${");
            copied = start + 3;
            at = copied;
            continue;
        }
        let Some((name, default, len)) = parse_reference(rest) else {
            at = start + 1;
            continue;
        };
        let reference = Reference { name: name.to_owned(), start, len };
        let value = match (lookup(name), default) {
            (Some(value), Some(default)) if value.is_empty() => Some(default.to_owned()),
            (Some(value), _) => Some(value),
            (None, Some(default)) => Some(default.to_owned()),
            (None, None) => None,
        };
        match value {
            Some(value) if single_line && value.contains('\n') => out.multiline.push(reference),
            Some(value) => {
                out.text.push_str(&input[copied..start]);
                out.edits.push(Edit {
                    out_start: out.text.len(),
                    out_len: value.len(),
                    in_start: start,
                    in_len: len,
                });
                out.text.push_str(&value);
                copied = start + len;
            }
            None => out.undefined.push(reference),
        }
        at = start + len;
    }
    out.text.push_str(&input[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        let declared = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Vars::resolve(&declared, &LoadOptions::default())
    }

    #[rstest]
    #[case::plain("port ${PORT}", "port 8080")]
    #[case::default_unused("${PORT:-1}", "8080")]
    #[case::default_used("${NOPE:-fallback}", "fallback")]
    #[case::default_on_empty("${EMPTY:-x}", "x")]
    #[case::empty_without_default("[${EMPTY}]", "[]")]
    #[case::escaped("$${PORT} is ${PORT}", "${PORT} is 8080")]
    #[case::undefined_kept("${NOPE}", "${NOPE}")]
    #[case::shell_forms_kept("${#a[@]} ${A%%.*} ${1} $PORT", "${#a[@]} ${A%%.*} ${1} $PORT")]
    #[case::unterminated("${PORT", "${PORT")]
    #[case::unicode("é${PORT}é", "é8080é")]
    fn expands(#[case] input: &str, #[case] expected: &str) {
        let v = vars(&[("PORT", "8080"), ("EMPTY", "")]);
        assert_eq!(v.expand(input, false).text, expected);
    }

    #[test]
    fn reports_undefined_references_with_offsets() {
        let e = vars(&[]).expand("a ${X} b ${Y:-y}", false);
        assert_eq!(e.undefined, vec![Reference { name: "X".into(), start: 2, len: 4 }]);
    }

    #[test]
    fn single_line_refuses_values_with_line_breaks() {
        let e = vars(&[("M", "a\nb")]).expand("x: ${M}", true);
        assert_eq!(e.text, "x: ${M}");
        assert_eq!(e.multiline.len(), 1);
        assert_eq!(vars(&[("M", "a\nb")]).expand("${M}", false).text, "a\nb");
    }

    #[test]
    fn maps_output_offsets_back_to_input() {
        let e = vars(&[("H", "localhost")]).expand("a ${H} b $${X}", false);
        assert_eq!(e.text, "a localhost b ${X}");
        let b = e.text.find('b').unwrap();
        assert_eq!(e.input_offset(b), "a ${H} ".len());
        assert_eq!(e.input_offset(3), 2); // inside the value
        assert_eq!(e.input_offset(0), 0);
        assert_eq!(e.input_offset(e.text.len()), "a ${H} b $${X}".len());
    }

    #[test]
    fn precedence_is_front_matter_then_env_then_overrides() {
        let declared = BTreeMap::from([
            ("A".to_owned(), "front".to_owned()),
            ("B".to_owned(), "front".to_owned()),
            ("C".to_owned(), "front".to_owned()),
        ]);
        let options = LoadOptions {
            env: BTreeMap::from([
                ("TRIAGE_VAR_B".to_owned(), "env".to_owned()),
                ("TRIAGE_VAR_C".to_owned(), "env".to_owned()),
            ]),
            overrides: BTreeMap::from([("C".to_owned(), "cli".to_owned())]),
        };
        let v = Vars::resolve(&declared, &options);
        assert_eq!(v.expand("${A} ${B} ${C}", false).text, "front env cli");
    }

    #[test]
    fn values_reference_each_other_and_cycles_stop() {
        let declared = BTreeMap::from([
            ("URL".to_owned(), "http://${HOST}:${PORT}".to_owned()),
            ("HOST".to_owned(), "localhost".to_owned()),
            ("PORT".to_owned(), "80".to_owned()),
            ("LOOP".to_owned(), "<${LOOP}>".to_owned()),
            ("LIT".to_owned(), "$${HOST}".to_owned()),
        ]);
        let options = LoadOptions {
            overrides: BTreeMap::from([("HOST".to_owned(), "db".to_owned())]),
            ..LoadOptions::default()
        };
        let v = Vars::resolve(&declared, &options);
        assert_eq!(v.values()["URL"], "http://db:80");
        assert_eq!(v.values()["LOOP"], "<<${LOOP}>>");
        assert_eq!(v.values()["LIT"], "${HOST}");
    }
}

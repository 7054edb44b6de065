//! Secrets written after a secret name: `password=x`, `password: x`, `"password": "x"`,
//! `<password>x</password>`, `--password x`, `define('DB_PASSWORD', 'x')`, a YAML value on the
//! next line, and `{"name": "DB_PASSWORD", "value": "x"}` pairs.
//!
//! One regex finds the secret words; the rest is read by hand around each: the whole name,
//! its quotes, the separator, then the value with [`value::read`]. A name is read once even
//! when it holds several secret words (`secret_key_base`).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::names::{self, Role, SecretName, Strength};
use super::value::{self, Stop, Value};

/// Words a secret name contains (see [`names`]); the pattern is also the prefilter entry.
pub(crate) const SECRET_WORD_PATTERN: &str = r"(?i)pass|pwd|secret|token|key|auth|cred|sess|sid\b|cookie|salt|sig|bearer|dockercfg|kennwort|contrase|senha|wachtwoord|losenord|salasana|has[lł]o|heslo|jelsz|[sş]ifre|lozinka|пароль|密码|\bcode\b";

/// The `value` field that goes with a `name` field.
static VALUE_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\bvalue\\*["']?\s*[:=]\s*"#).expect("value field compiles"));

/// Where a `name`/`value` pair ends: the object, the list item, the element, the next name.
static PAIR_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)[}>]|\n\s*-\s|\b(?:name|key)\\*["']?\s*[:=]"#).expect("pair end compiles")
});

/// How far after a `name` field its `value` field may be.
const PAIR_WINDOW: usize = 300;

/// Names longer than this are random text that happens to contain a secret word.
const MAX_NAME: usize = 80;

/// Whether a name can be followed by `next`: a separator, a quote, white space, the end.
fn may_follow_name(next: Option<u8>) -> bool {
    next.is_none_or(|b| b.is_ascii_whitespace() || b"=:,>\"'\\\0".contains(&b))
}

/// Characters of a name: `DB_PASSWORD`, `db.password`, `x-api-key`, `--db-password`.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_.-".contains(&b) || b >= 0x80
}

/// Adds to `spans` every secret value written after a secret name in `text`; `words` is
/// [`SECRET_WORD_PATTERN`] compiled.
pub(crate) fn find(words: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut done = 0;
    // The same few names come back on every other line: read each once.
    let mut seen: HashMap<&str, Option<SecretName>> = HashMap::new();
    for hit in words.find_iter(text) {
        if hit.start() < done {
            continue;
        }
        let mut start = hit.start();
        while start > 0 && is_name_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = hit.end();
        while end < bytes.len() && is_name_byte(bytes[end]) {
            end += 1;
        }
        while end > hit.end() && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        done = end;
        // A secret word inside a long token (base64, a hash) is no name.
        if end - start > MAX_NAME || !may_follow_name(bytes.get(end).copied()) {
            continue;
        }
        // Stay on character boundaries: a name byte >= 0x80 may start mid-character.
        while !text.is_char_boundary(start) {
            start += 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let token = &text[start..end];
        let flag = token.starts_with('-');
        let name = token.trim_start_matches(['-', '.']);
        let Some(kind) = *seen.entry(name).or_insert_with(|| names::classify(name)) else {
            continue;
        };
        if name.eq_ignore_ascii_case("code") && !matches!(before(bytes, start), Some(b'?' | b'&')) {
            continue;
        }
        // `${DB_PASSWORD}`, `$DB_PASSWORD`: a reference to a secret, not one; `//user:` in
        // a URL is the URL shape's.
        if text[..start].ends_with(['$', '{']) || text[..start].ends_with("//") {
            continue;
        }
        let key = Key { start, end, kind, flag };
        if let Some(found) = after_name(text, &key) {
            spans.extend(found);
        } else if let Some(found) = paired_value(text, &key) {
            spans.extend(found);
        }
    }
}

/// A secret name found in the text.
struct Key {
    start: usize,
    end: usize,
    kind: SecretName,
    /// Written as a command-line flag (`--password`, `-storepass`).
    flag: bool,
}

fn before(bytes: &[u8], at: usize) -> Option<u8> {
    at.checked_sub(1).map(|i| bytes[i])
}

/// How a name is tied to its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// `name=value`; `spaced` for `name = value`.
    Equals { spaced: bool },
    /// `name: value`.
    Colon,
    /// `Name:value` (Go's `%+v`, `pass:secret` arguments).
    TightColon,
    /// `"name" => "value"`.
    Arrow,
    /// `define('NAME', 'value')`.
    Comma,
    /// `<name>value</name>`.
    Element,
    /// `name "value"`, `"AUTH" "value"`.
    SpaceQuoted,
    /// `--name value`, `password value` (netrc), `set NAME value`.
    Space,
}

/// The secret value written after `key`, as spans to mask.
fn after_name(text: &str, key: &Key) -> Option<Vec<Range<usize>>> {
    let bytes = text.as_bytes();
    // A quoted name: "password", 'password', \"password\".
    let mut at = key.end;
    let mut quoted_name = false;
    if let Some(quote @ (b'"' | b'\'')) = before(bytes, key.start) {
        if bytes.get(at) == Some(&quote) {
            at += 1;
            quoted_name = true;
        } else if bytes.get(at) == Some(&b'\\') {
            let run = bytes[at..].iter().take_while(|&&b| b == b'\\').count();
            if bytes.get(at + run) == Some(&quote) {
                at += run + 1;
                quoted_name = true;
            }
        }
    }
    let (sep, value_at) = separator(bytes, key, at, quoted_name)?;
    let strong = key.kind.strength == Strength::Strong;
    let line_start = starts_line(text, key.start);
    // A scheme and its credentials, or cookies, run past the first space or `;`.
    let whole_line = line_start || key.kind.role != Role::Plain;
    let value = match sep {
        Sep::Equals { spaced: false } => {
            value::read(text, value_at, if line_start { Stop::Space } else { Stop::Field })
        }
        Sep::Equals { spaced: true } => {
            value::read(text, value_at, if line_start { Stop::Line } else { Stop::Field })
        }
        Sep::Colon => {
            if at_line_end(bytes, value_at) || block_indicator(bytes, value_at) {
                return next_line_value(text, key, value_at);
            }
            value::read(text, value_at, if whole_line { Stop::Line } else { Stop::Field })
        }
        Sep::TightColon | Sep::Arrow => value::read(text, value_at, Stop::Field),
        Sep::Comma => value::read(text, value_at, Stop::Field).filter(|v| v.quoted),
        Sep::SpaceQuoted => {
            let found = value::read(text, value_at, Stop::Field).filter(|v| v.quoted)?;
            let raw = &text[found.span.clone()];
            let plausible =
                quoted_name || key.kind.role == Role::Authorization || value::looks_random(raw);
            if !plausible {
                return Some(Vec::new());
            }
            Some(found)
        }
        Sep::Element => {
            let end = text[value_at..].find('<').map(|i| value_at + i)?;
            Some(Value { span: value_at..end, quoted: true })
        }
        Sep::Space => value::read(text, value_at, Stop::Space),
    }?;
    let mut value = value;
    if sep == Sep::Space {
        // `(token abc123)`, `token abc123.`: the sentence's punctuation is not the value's.
        let raw = &text[value.span.clone()];
        let kept = raw.trim_end_matches([')', ']', '}', ',', '.', ';', ':', '!', '?', '"', '\'']);
        value.span.end = value.span.start + kept.len();
        let raw = &text[value.span.clone()];
        // `.netrc`: `password x` at the start of a line or after `login user`.
        let password = text[key.start..key.end].to_ascii_lowercase().starts_with("pass");
        let netrc = password && (line_start || preceded_by_login(text, key.start));
        let plausible = if key.flag {
            !raw.starts_with('-')
        } else {
            !after_path(bytes, key.start) && (value::looks_random(raw) || netrc)
        };
        // `token body=a&b=c`: the word after the name is another pair.
        let another_pair = !key.flag && raw.contains('=');
        if !strong || value::is_prose(raw) || !plausible || another_pair {
            return Some(Vec::new());
        }
    }
    if sep == Sep::TightColon && !strong {
        return Some(Vec::new());
    }
    Some(secret_spans(text, &value, key.kind))
}

/// Whether the name at `start` ends a path or URL (`https://host/token body`).
fn after_path(bytes: &[u8], start: usize) -> bool {
    before(bytes, start) == Some(b'/')
}

/// The separator after a name ending at `at`, and where the value starts.
fn separator(bytes: &[u8], key: &Key, at: usize, quoted_name: bool) -> Option<(Sep, usize)> {
    let skip = |mut i: usize| {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        i
    };
    let i = skip(at);
    let spaced_before = i > at;
    match bytes.get(i)? {
        b'=' if bytes.get(i + 1) == Some(&b'>') => Some((Sep::Arrow, skip(i + 2))),
        b'=' => {
            let v = skip(i + 1);
            Some((Sep::Equals { spaced: spaced_before || v > i + 1 }, v))
        }
        b':' if bytes.get(i + 1) == Some(&b'=') => {
            Some((Sep::Equals { spaced: true }, skip(i + 2)))
        }
        b':' => match bytes.get(i + 1) {
            None | Some(b' ' | b'\t' | b'\r' | b'\n') => Some((Sep::Colon, skip(i + 1))),
            Some(b'/') => None,
            Some(_) if spaced_before => None,
            Some(_) => Some((Sep::TightColon, i + 1)),
        },
        b',' if quoted_name && opens_call(bytes, key.start) => Some((Sep::Comma, skip(i + 1))),
        b'>' if before(bytes, key.start) == Some(b'<') => Some((Sep::Element, i + 1)),
        // `"AUTH" "x"` (Redis), `Authorization "Basic x"` (nginx); prose like
        // `secret "db-creds" not found` is left to the value check.
        b'"' | b'\'' | b'\\' if spaced_before => Some((Sep::SpaceQuoted, i)),
        b'\r' | b'\n' | b'\0' => None,
        _ if spaced_before && !quoted_name => Some((Sep::Space, i)),
        _ => None,
    }
}

/// Whether the quoted name at `start` is the first argument of a call: `define( 'NAME',`.
fn opens_call(bytes: &[u8], start: usize) -> bool {
    let mut i = start.saturating_sub(1);
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    before(bytes, i) == Some(b'(')
}

fn at_line_end(bytes: &[u8], at: usize) -> bool {
    matches!(bytes.get(at), None | Some(b'\n' | b'\r'))
}

/// `|`, `|-`, `>`... starting a YAML block scalar.
fn block_indicator(bytes: &[u8], at: usize) -> bool {
    let rest = &bytes[at..];
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let indicator = rest[..end].trim_ascii();
    matches!(indicator, b"|" | b"|-" | b"|+" | b">" | b">-" | b">+")
}

/// Whether only indentation and a shell or list prefix come before `at` on its line.
fn starts_line(text: &str, at: usize) -> bool {
    let line_start = line_start(text, at);
    let mut prefix = text[line_start..at].trim_start();
    loop {
        let before = prefix;
        for lead in [
            "export ", "declare ", "typeset ", "readonly ", "local ", "setenv ", "ENV ", "- ",
            "> ", "+ ", "# ", "// ", "; ",
        ] {
            if let Some(rest) = prefix.strip_prefix(lead) {
                prefix = rest.trim_start();
            }
        }
        // The line numbers of `grep -n`: `15:  password: x`.
        let digits = prefix.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && prefix[digits..].starts_with([':', '-']) {
            prefix = prefix[digits + 1..].trim_start();
        }
        // Flags of `declare -x`, `set -gx`, `-e` of `docker run`.
        if let Some(rest) = prefix.strip_prefix('-')
            && let Some(space) = rest.find(' ')
            && rest[..space].bytes().all(|b| b.is_ascii_alphabetic())
        {
            prefix = rest[space..].trim_start();
        }
        if prefix == before {
            break;
        }
    }
    prefix.is_empty()
}

/// Where the line holding `at` starts (a NUL ends a line in `/proc/PID/environ`).
fn line_start(text: &str, at: usize) -> usize {
    text.as_bytes()[..at].iter().rposition(|&b| b == b'\n' || b == 0).map_or(0, |i| i + 1)
}

/// `machine host login user password x` (`.netrc`).
fn preceded_by_login(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let words: Vec<&str> = text[line_start..at].split_whitespace().collect();
    words.len() >= 2 && words[words.len() - 2] == "login"
}

/// The value of a YAML key whose value starts on the next line: a plain or quoted scalar
/// indented under it, or a block scalar (`|`).
fn next_line_value(text: &str, key: &Key, value_at: usize) -> Option<Vec<Range<usize>>> {
    let line_start = text[..key.start].rfind('\n').map_or(0, |i| i + 1);
    let indent = indent_of(&text[line_start..]);
    let key_line_end = text[key.end..].find('\n').map(|i| key.end + i)?;
    let block = block_indicator(text.as_bytes(), value_at);
    let mut at = key_line_end + 1;
    let mut first = None;
    let mut last_end = at;
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = &text[at..line_end];
        if line.trim().is_empty() {
            if !block {
                break;
            }
            at = line_end + 1;
            continue;
        }
        if indent_of(line) <= indent {
            break;
        }
        let content_start = at + indent_of(line);
        if first.is_none() {
            let content = line.trim_start();
            if !block && (content.starts_with('-') || looks_like_key(content)) {
                return Some(Vec::new());
            }
            first = Some(content_start);
        }
        last_end = at + line.trim_end().len();
        if !block {
            break;
        }
        at = line_end + 1;
    }
    let start = first?;
    let value = if block {
        Value { span: start..last_end, quoted: true }
    } else {
        value::read(text, start, Stop::Line)?
    };
    Some(secret_spans(text, &value, key.kind))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// `name: value` or `name:` at the start of a YAML line.
fn looks_like_key(content: &str) -> bool {
    let name_len = content.bytes().take_while(|&b| is_name_byte(b) || b == b'"').count();
    name_len > 0 && content[name_len..].starts_with(':')
}

/// Whether the name at `start` is the value of a `name` or `key` field: `"name": "`,
/// `key="`, `- name: `.
fn is_name_field(bytes: &[u8], start: usize) -> bool {
    let mut i = start;
    let back = |i: &mut usize, skip: &[u8]| {
        while *i > 0 && skip.contains(&bytes[*i - 1]) {
            *i -= 1;
        }
    };
    back(&mut i, b"\"'\\");
    back(&mut i, b" \t");
    if i == 0 || !matches!(bytes[i - 1], b':' | b'=') {
        return false;
    }
    i -= 1;
    back(&mut i, b" \t");
    back(&mut i, b"\"'\\");
    let word_end = i;
    while i > 0 && bytes[i - 1].is_ascii_alphabetic() {
        i -= 1;
    }
    let word = &bytes[i..word_end];
    (word.eq_ignore_ascii_case(b"name") || word.eq_ignore_ascii_case(b"key"))
        && (i == 0 || !is_name_byte(bytes[i - 1]))
}

/// The value of a `{"name": "DB_PASSWORD", "value": "x"}` pair (also `- name: X` /
/// `value: x` in YAML, `<add key="X" value="x"/>` in XML) when `key` is the name.
fn paired_value(text: &str, key: &Key) -> Option<Vec<Range<usize>>> {
    if !is_name_field(text.as_bytes(), key.start) {
        return None;
    }
    let mut window_end = (key.end + PAIR_WINDOW).min(text.len());
    while !text.is_char_boundary(window_end) {
        window_end -= 1;
    }
    let window = &text[key.end..window_end];
    let field = VALUE_FIELD.find(window)?;
    if PAIR_END.find(window).is_some_and(|end| end.start() < field.start()) {
        return None;
    }
    let at = key.end + field.end();
    let stop = if starts_line(text, key.end + field.start()) { Stop::Line } else { Stop::Field };
    let value = value::read(text, at, stop)?;
    Some(secret_spans(text, &value, key.kind))
}

/// The spans of `value` to mask, if it is a secret for a name of `kind`.
pub(crate) fn secret_spans(text: &str, value: &Value, kind: SecretName) -> Vec<Range<usize>> {
    let raw = &text[value.span.clone()];
    match kind.role {
        Role::Authorization => credentials(raw)
            .map(|c| value.span.start + c.start..value.span.start + c.end)
            .filter(|c| is_secret(&text[c.clone()], Strength::Strong, true))
            .into_iter()
            .collect(),
        Role::Cookie if raw.contains('=') => cookie_values(raw)
            .into_iter()
            .map(|c| value.span.start + c.start..value.span.start + c.end)
            .collect(),
        _ if is_secret(raw, kind.strength, value.quoted) => vec![value.span.clone()],
        _ => Vec::new(),
    }
}

/// Whether a value read after a secret name is a secret.
pub(crate) fn is_secret(raw: &str, strength: Strength, quoted: bool) -> bool {
    let v = raw.trim();
    if value::is_nothing(v)
        || is_credential_scope(v)
        || value::is_masked(v)
        || value::is_placeholder(v)
        || v.contains("://")
        || v.contains("-----BEGIN")
        || value::is_path(v)
        || (!quoted && v.contains(' ') && value::is_prose(v))
    {
        return false;
    }
    strength == Strength::Strong || value::looks_random(v)
}

/// An AWS signature's `Credential=AKID/20261121/region/service/aws4_request`: the key id has
/// its own shape; the scope after it is not secret.
fn is_credential_scope(value: &str) -> bool {
    let value = value.replace("%2F", "/");
    value.ends_with("/aws4_request") && value.split('/').nth(1).is_some_and(|d| d.len() == 8)
}

/// The credentials in an `Authorization` value: what follows the scheme (`Bearer x`,
/// `Basic x`, `Token x`), or the whole value when it has no scheme. AWS signatures are
/// left alone: their key id is masked by its own shape and the rest is not secret.
fn credentials(raw: &str) -> Option<Range<usize>> {
    let trimmed = raw.trim_start();
    let lead = raw.len() - trimmed.len();
    if trimmed.starts_with("AWS4-") {
        return None;
    }
    let scheme_len =
        trimmed.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-').count();
    let after_scheme = &trimmed[scheme_len..];
    let start = if scheme_len > 0 && after_scheme.starts_with([' ', '\t']) {
        lead + scheme_len + (after_scheme.len() - after_scheme.trim_start().len())
    } else {
        lead
    };
    let end = raw[start..]
        .find(|c: char| c.is_whitespace() || ",;'\"".contains(c))
        .map_or(raw.len(), |i| start + i);
    let end = raw[start..end]
        .find("\\r")
        .or_else(|| raw[start..end].find("\\n"))
        .map_or(end, |i| start + i);
    (end > start).then_some(start..end)
}

/// The values of session-like cookies in a `Cookie` or `Set-Cookie` value.
fn cookie_values(raw: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for part in raw.split(';') {
        let part_start = offset;
        offset += part.len() + 1;
        let Some(eq) = part.find('=') else { continue };
        let name = part[..eq].trim();
        let val = part[eq + 1..].trim();
        if val.is_empty() || !is_session_cookie(name) || value::is_masked(val) {
            continue;
        }
        let val_start =
            part_start + eq + 1 + (part[eq + 1..].len() - part[eq + 1..].trim_start().len());
        spans.push(val_start..val_start + val.len());
    }
    spans
}

/// Whether a cookie name is one that carries a session or a credential.
fn is_session_cookie(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "sess", "sid", "token", "auth", "csrf", "xsrf", "remember", "jwt", "login", "key",
        "secret", "pass", "credential", "identity", "refresh", "access",
    ];
    let lower = name.to_ascii_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn masked(text: &str) -> String {
        let words = Regex::new(SECRET_WORD_PATTERN).unwrap();
        let mut spans = Vec::new();
        find(&words, text, &mut spans);
        let mut out = text.to_owned();
        spans.sort_by_key(|s| std::cmp::Reverse(s.start));
        for span in spans {
            out.replace_range(span, "#");
        }
        out
    }

    #[rstest]
    #[case("DB_PASS=s3cr3t ./run", "DB_PASS=# ./run")]
    #[case("export API_TOKEN='a b c'", "export API_TOKEN='#'")]
    #[case("passphrase: two w0rds here # note", "passphrase: # # note")]
    #[case("x=1&passwd=ab%26c&y=2", "x=1&passwd=#&y=2")]
    #[case("host=h;Password=p4ss;Encrypt=1", "host=h;Password=#;Encrypt=1")]
    #[case(r##"{"db_password": "a\"b"}"##, r##"{"db_password": "#"}"##)]
    #[case(r##"{\"secret\":\"v4l\\\"ue\"}"##, r##"{\"secret\":\"#\"}"##)]
    #[case("'SECRET_KEY': 'k3y'", "'SECRET_KEY': '#'")]
    #[case(r##""password"=>"p4ss""##, r##""password"=>"#""##)]
    #[case("{Host:db Password:p4ss0rd}", "{Host:db Password:#}")]
    #[case("<password>p4ss</password>", "<password>#</password>")]
    #[case(r##"<Resource password="p4ss"/>"##, r##"<Resource password="#"/>"##)]
    #[case("define( 'DB_PASSWORD', 'p4ss' );", "define( 'DB_PASSWORD', '#' );")]
    #[case("--db-password=p4ss --queue q", "--db-password=# --queue q")]
    #[case("keytool -storepass p4ssw0rd -v", "keytool -storepass # -v")]
    #[case("machine h login u password p4ssw0rd", "machine h login u password #")]
    #[case("\"requirepass\" \"p4ssw0rd\"", "\"requirepass\" \"#\"")]
    #[case("datenbank.passwort=geheim", "datenbank.passwort=#")]
    #[case("openssl pkcs12 -passout pass:p4ss", "openssl pkcs12 -passout pass:#")]
    fn values_after_secret_names(#[case] text: &str, #[case] want: &str) {
        assert_eq!(masked(text), want);
    }

    #[rstest]
    #[case(
        "db:\n  password:\n    \"p4ss w0rd\"\n  host: h",
        "db:\n  password:\n    \"#\"\n  host: h"
    )]
    #[case("password: |\n  line1\n  line2\nnext: 1", "password: |\n  #\nnext: 1")]
    #[case("credentials:\n  user: svc\n", "credentials:\n  user: svc\n")]
    fn values_on_the_next_line(#[case] text: &str, #[case] want: &str) {
        assert_eq!(masked(text), want);
    }

    #[rstest]
    #[case(
        r##"{"name": "DB_PASSWORD", "value": "p4ss"}"##,
        r##"{"name": "DB_PASSWORD", "value": "#"}"##
    )]
    #[case("- name: API_TOKEN\n  value: t0k3n\n", "- name: API_TOKEN\n  value: #\n")]
    #[case(
        r##"<add key="SmtpPassword" value="p4ss" />"##,
        r##"<add key="SmtpPassword" value="#" />"##
    )]
    #[case(
        "- name: DB_PASSWORD\n  valueFrom:\n- name: X\n  value: y",
        "- name: DB_PASSWORD\n  valueFrom:\n- name: X\n  value: y"
    )]
    fn values_paired_with_a_secret_name(#[case] text: &str, #[case] want: &str) {
        assert_eq!(masked(text), want);
    }

    #[rstest]
    #[case("Authorization: Bearer abc.def", "Authorization: Bearer #")]
    #[case(r##""authorization" = "Basic dXNlcg==""##, r##""authorization" = "Basic #""##)]
    #[case(
        "proxy_set_header Authorization \"Basic dXNlcg==\";",
        "proxy_set_header Authorization \"Basic #\";"
    )]
    #[case(
        "Authorization: AWS4-HMAC-SHA256 Credential=AK/20261121/eu-west-1/s3/aws4_request, Sig",
        "Authorization: AWS4-HMAC-SHA256 Credential=AK/20261121/eu-west-1/s3/aws4_request, Sig"
    )]
    #[case(
        "Cookie: _ga=GA1.2.3; sessionid=s3ss10n; theme=dark",
        "Cookie: _ga=GA1.2.3; sessionid=#; theme=dark"
    )]
    #[case(
        "Set-Cookie: JSESSIONID=ab12; Path=/; Secure",
        "Set-Cookie: JSESSIONID=#; Path=/; Secure"
    )]
    fn headers(#[case] text: &str, #[case] want: &str) {
        assert_eq!(masked(text), want);
    }

    #[rstest]
    #[case("password: ${DB_PASSWORD}")]
    #[case("token: null")]
    #[case("password: <redacted>")]
    #[case("key_file: /etc/tls/server.key")]
    #[case("password_min_length: 12")]
    #[case("key: api-key")]
    #[case("secretName: api-tls")]
    #[case("# password: set via CALLFS_DB_PASSWORD")]
    #[case("Password for user callfs:")]
    #[case("FATAL: password authentication failed")]
    #[case("docker login --password-stdin")]
    #[case("redis-cli --no-auth-warning info")]
    #[case("\"session:99409e3b5d7ccb92\"")]
    #[case("STRIPE_PUBLISHABLE_KEY=pk_live_abc123")]
    #[case("url=https://x?code=1 exit code=3")]
    #[case("(using password: YES)")]
    #[case("dsn: postgres://u:p@h/db")]
    fn not_secrets(#[case] text: &str) {
        assert_eq!(masked(text), text);
    }

    #[test]
    fn query_codes_are_masked() {
        assert_eq!(masked("/cb?code=Zx81kQ0pLm2Nq9Rt&state=1"), "/cb?code=#&state=1");
    }
}

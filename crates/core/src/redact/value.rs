//! Reading one value the way config files, shells and logs write it, and telling a secret
//! value from a placeholder, a mask, a path or a plain word.

use std::ops::Range;

use super::MASK;

/// Where a value stops when it is not quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// At white space: `KEY=value` at the start of a line, a command-line argument.
    Space,
    /// At white space or punctuation that separates fields: `a=1&password=x&b=2`,
    /// `user=u;password=x;`, `{Password:x}`.
    Field,
    /// At the end of the line or a trailing comment: `password: two words`, `pass = x y`.
    Line,
}

/// A value found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Value {
    /// The bytes to mask: inside the quotes when quoted.
    pub(crate) span: Range<usize>,
    /// Whether the value was quoted (a quoted value is taken whole, spaces and all).
    pub(crate) quoted: bool,
}

/// Reads the value starting at `start`: quoted (`"..."` with escapes, `'...'` with `''`,
/// `'''...'''`, `\"...\"` inside a JSON string, `b'...'` byte strings, and shell words made
/// of several quoted parts) or bare up to `stop`.
pub(crate) fn read(text: &str, start: usize, stop: Stop) -> Option<Value> {
    let bytes = text.as_bytes();
    let mut at = start;
    // Python byte and raw strings: b'...', r"...".
    if matches!(bytes.get(at), Some(b'b' | b'r' | b'u'))
        && matches!(bytes.get(at + 1), Some(b'\'' | b'"'))
    {
        at += 1;
    }
    let backslashes = bytes[at..].iter().take_while(|&&b| b == b'\\').count();
    if let Some(&quote @ (b'"' | b'\'')) = bytes.get(at + backslashes) {
        if let Some(quoted) = read_quoted(text, at, backslashes, quote) {
            return Some(quoted);
        }
        // An unterminated quote: the rest of the word is the value.
        let start = at + backslashes + 1;
        let end = bare_end(text, start, stop);
        return (end > start).then_some(Value { span: start..end, quoted: false });
    }
    if let Some(end) = reference_end(text, start) {
        return Some(Value { span: start..end, quoted: false });
    }
    let end = match stop {
        Stop::Line => line_value_end(text, start),
        Stop::Space | Stop::Field => bare_end(text, start, stop),
    };
    (end > start).then_some(Value { span: start..end, quoted: false })
}

/// Reads a quoted value whose opening quote is `quote` after `backslashes` escapes at `at`,
/// then any quoted parts glued to it (`'a'"b"'c'` in a shell is one word).
fn read_quoted(text: &str, at: usize, backslashes: usize, quote: u8) -> Option<Value> {
    let bytes = text.as_bytes();
    let open = at + backslashes;
    let triple = backslashes == 0 && bytes[open..].starts_with(&[quote; 3]);
    let inner_start = if triple { open + 3 } else { open + 1 };
    let mut end = if triple {
        let closing = [quote; 3];
        let found = bytes[inner_start..].windows(3).position(|w| w == closing)?;
        inner_start + found
    } else {
        closing_quote(bytes, inner_start, backslashes, quote)?
    };
    let mut after = end + backslashes + if triple { 3 } else { 1 };
    // Shell words glue quoted parts: 'abc'"def"'ghi'.
    if backslashes == 0 && !triple {
        while let Some(&next @ (b'"' | b'\'')) = bytes.get(after) {
            let Some(close) = closing_quote(bytes, after + 1, 0, next) else { break };
            end = close;
            after = close + 1;
        }
    }
    Some(Value { span: inner_start..end, quoted: true })
}

/// The position of the quote closing a string that starts at `from`, `backslashes` being how
/// deeply it is escaped (0 for a plain string, 1 for `\"` inside a JSON string...).
fn closing_quote(bytes: &[u8], from: usize, backslashes: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' && backslashes == 0 {
            return None;
        }
        if b == b'\\' {
            let run = bytes[i..].iter().take_while(|&&b| b == b'\\').count();
            if bytes.get(i + run) == Some(&quote) {
                let closes = if backslashes == 0 { false } else { run == backslashes };
                if closes {
                    return Some(i);
                }
                // An escaped quote of a deeper level, or `\\` then a closing quote.
                if backslashes == 0 && run % 2 == 0 {
                    return Some(i + run);
                }
                i += run + 1;
                continue;
            }
            i += run;
            continue;
        }
        if b == quote && backslashes == 0 {
            // YAML and SQL write a quote inside single quotes as two.
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Where a `$(command args)`, `${VAR:-x}`, `{{ x }}` or `<%= x %>` starting at `start` ends:
/// such a reference is one value even with spaces inside.
fn reference_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let close = [("$(", ")"), ("${", "}"), ("{{", "}}"), ("<%", "%>")]
        .iter()
        .find(|(open, _)| line.starts_with(open))?
        .1;
    line.find(close).map(|i| start + i + close.len())
}

/// Where a bare value ends.
fn bare_end(text: &str, start: usize, stop: Stop) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() || b.is_ascii_control() {
            break;
        }
        // `\n`, `\r`, `\t`, `\"` written out in a string (a header in a Python repr).
        if b == b'\\' && matches!(bytes.get(i + 1), Some(b'n' | b'r' | b't' | b'"' | b'\'')) {
            break;
        }
        if stop == Stop::Field && b",;&)}]\"'<>".contains(&b) {
            break;
        }
        i += 1;
    }
    i
}

/// Where a value running to the end of its line ends: before a trailing comment (` # ...`,
/// ` ; ...`) and trailing white space.
fn line_value_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let line_end = rest.find(['\n', '\0']).map_or(text.len(), |i| start + i);
    let line = &text[start..line_end];
    let mut end = line.len();
    let bytes = line.as_bytes();
    for i in 1..bytes.len() {
        let comment = matches!(bytes[i], b'#' | b';')
            && bytes[i - 1].is_ascii_whitespace()
            && bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace);
        if comment {
            end = i;
            break;
        }
    }
    start + line[..end].trim_end().len()
}

/// Whether a value is a stand-in for a secret rather than one: a template or environment
/// reference (`${DB_PASSWORD}`, `$DB_PASSWORD`, `{{ .Values.x }}`, `<%= ENV["X"] %>`,
/// `%(x)s`, `$(cat file)`, `{.credential.token}`, `#{x}`).
pub(crate) fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let wrapped = |open: &str, close: &str| v.starts_with(open) && v.ends_with(close);
    if wrapped("${", "}")
        || wrapped("$(", ")")
        || wrapped("{{", "}}")
        || wrapped("<%", "%>")
        || wrapped("#{", "}")
        || wrapped("%(", ")s")
        || wrapped("{", "}")
        || wrapped("%", "%") && v.len() > 2 && is_identifier(&v[1..v.len() - 1])
    {
        return true;
    }
    if let Some(name) = v.strip_prefix('$') {
        return !name.is_empty() && is_identifier(name) && !name.contains('$');
    }
    matches!(v, "%s" | "%v" | "%d" | "?" | "...")
}

/// An environment variable name: `DB_PASSWORD`, `env.TOKEN`.
fn is_identifier(name: &str) -> bool {
    name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"_.".contains(&b))
        || name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && name.bytes().any(|b| b.is_ascii_uppercase())
            && name.bytes().all(|b| !b.is_ascii_lowercase())
}

/// Whether a value is already masked: `***`, `<redacted>`, `[hidden]`, `xxxxxxxx`,
/// `**REDACTED**`, our own [`MASK`].
pub(crate) fn is_masked(value: &str) -> bool {
    let v = value.trim();
    if v.contains(MASK) {
        return true;
    }
    let core = v.trim_matches(|c: char| "*<>[]() ._-#•".contains(c));
    if core.is_empty() {
        return v.contains(['*', '•', '#']) || v.len() >= 3 && v.chars().all(|c| c == '.');
    }
    if core.chars().all(|c| c == 'x' || c == 'X') && core.len() >= 3 {
        return true;
    }
    let word = core.to_ascii_lowercase();
    MASK_WORDS.contains(&word.as_str())
}

/// Words other redactors put in place of a secret.
const MASK_WORDS: &[&str] = &[
    "redacted", "hidden", "masked", "filtered", "removed", "omitted", "sensitive", "censored",
    "secret", "private", "protected", "scrubbed", "obfuscated", "snip", "elided", "not shown",
];

/// Whether a value says nothing: empty, null, a boolean, a status word.
pub(crate) fn is_nothing(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    v.is_empty()
        || matches!(
            v.as_str(),
            "null"
                | "nil"
                | "none"
                | "~"
                | "undefined"
                | "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "empty"
                | "unset"
                | "required"
                | "optional"
                | "enabled"
                | "disabled"
                | "invalid"
                | "expired"
                | "missing"
                | "n/a"
                | "\"\""
                | "''"
                | "[]"
                | "{}"
                | "|"
                | ">"
                | "|-"
                | ">-"
        )
}

/// Whether a value is a file path (paths to key files are not secrets): `/etc/tls/key.pem`,
/// `./secrets/db`, `~/.ssh/id_ed25519`, `C:\keys\a.pfx`, `classpath:keystore.p12`.
pub(crate) fn is_path(value: &str) -> bool {
    let v = value.trim();
    let v = v.strip_prefix("file:").or_else(|| v.strip_prefix("classpath:")).unwrap_or(v);
    let path_chars =
        |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-@".contains(&b));
    let rest = v
        .strip_prefix("~/")
        .or_else(|| v.strip_prefix("./"))
        .or_else(|| v.strip_prefix("../"))
        .or_else(|| v.strip_prefix('/'));
    if let Some(rest) = rest {
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        let named = parts.iter().any(|p| p.contains('.') || p.contains('-') || p.contains('_'));
        return path_chars(rest)
            && (parts.len() >= 2 || named || parts.len() == 1 && rest.len() < 12);
    }
    let drive = v.len() > 3 && v.as_bytes()[1] == b':' && v.as_bytes()[2] == b'\\';
    drive && v.as_bytes()[0].is_ascii_alphabetic()
        || !v.contains('/') && v.contains('.') && has_file_extension(v) && path_chars(v)
}

/// Whether a name ends with an extension key and certificate files have.
fn has_file_extension(name: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".pem", ".key", ".crt", ".cer", ".p12", ".pfx", ".jks", ".keystore", ".json", ".yaml",
        ".yml", ".txt", ".pass", ".asc", ".gpg", ".der", ".pub",
    ];
    EXTENSIONS.iter().any(|e| name.ends_with(e))
}

/// Whether a value looks like machine-made randomness rather than a word or an identifier:
/// long enough, made of token characters, mixing character classes, and varied.
pub(crate) fn looks_random(value: &str) -> bool {
    let v = value.trim();
    let v = v.strip_prefix("base64:").unwrap_or(v);
    if v.len() < 12
        || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=_-.~%$!#*^@?&,".contains(&b))
    {
        return false;
    }
    let lower = v.bytes().any(|b| b.is_ascii_lowercase());
    let upper = v.bytes().any(|b| b.is_ascii_uppercase());
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    let letters = v.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters == 0 || digits == 0 && !(lower && upper) {
        return false;
    }
    if digits == 0 && is_camel_case_words(v) {
        return false;
    }
    // Words joined by dots or dashes (`app.kubernetes.io-name`) are not random.
    let longest_word = v.split(|c: char| !c.is_ascii_alphabetic()).map(str::len).max().unwrap_or(0);
    if longest_word * 2 > v.len() && v.bytes().filter(|b| b.is_ascii_uppercase()).count() < 3 {
        return false;
    }
    entropy(v) >= 3.0
}

/// `ItemsPerPage`, `StripeSecretKey`: capitalised words glued together.
fn is_camel_case_words(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut humps = 0;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_lowercase() {
            i += 1;
        }
        if !bytes[start].is_ascii_alphabetic() || i - start < 2 {
            return false;
        }
        humps += 1;
    }
    humps >= 2
}

/// Shannon entropy of a string in bits per character.
fn entropy(value: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in value.bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a value reads like prose, not a secret: it starts with a plain word and no word
/// mixes letters and digits (`set via CALLFS_DB_PASSWORD`, `for user`; not `two w0rds`).
pub(crate) fn is_prose(value: &str) -> bool {
    let words: Vec<&str> = value.split_whitespace().collect();
    let Some(first) = words.first() else { return false };
    let plain = |w: &str| {
        let w = w.trim_end_matches([',', '.', ':', ';', '!', '?', ')']);
        w.len() >= 2
            && w.chars().all(char::is_alphabetic)
            && w.chars().skip(1).all(char::is_lowercase)
    };
    let mixed =
        |w: &&str| w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic);
    plain(first)
        && !words.iter().any(mixed)
        && (words.len() > 1 || first.chars().all(char::is_lowercase))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn read_at(text: &str, stop: Stop) -> String {
        let value = read(text, 0, stop).expect("a value");
        text[value.span].to_owned()
    }

    #[rstest]
    #[case(r#""a\"b\\c" rest"#, Stop::Space, r#"a\"b\\c"#)]
    #[case("'it''s' rest", Stop::Space, "it''s")]
    #[case("'''it's \"x\"''' rest", Stop::Space, "it's \"x\"")]
    #[case(r#"\"k2\\\"v\" rest"#, Stop::Space, r#"k2\\\"v"#)]
    #[case("'ab'\"#cd\"'ef' rest", Stop::Space, "ab'\"#cd\"'ef")]
    #[case("b'bytes' rest", Stop::Space, "bytes")]
    #[case("v4l;u&e rest", Stop::Space, "v4l;u&e")]
    #[case("v4lue&next=1", Stop::Field, "v4lue")]
    #[case(r"t0ken\r\nAccept", Stop::Space, "t0ken")]
    #[case("two w0rds # comment\nnext", Stop::Line, "two w0rds")]
    #[case("#starts-with-hash\n", Stop::Line, "#starts-with-hash")]
    fn values_are_read_whole(#[case] text: &str, #[case] stop: Stop, #[case] want: &str) {
        assert_eq!(read_at(text, stop), want);
    }

    #[rstest]
    #[case("${DB_PASSWORD}", true)]
    #[case("$INFLUX_TOKEN", true)]
    #[case("{{ .Values.x }}", true)]
    #[case("<%= ENV['X'] %>", true)]
    #[case("%(DB_PASS)s", true)]
    #[case("$(cat /run/secrets/x)", true)]
    #[case("$uper$ecret", false)]
    #[case("hunter2", false)]
    fn placeholders(#[case] value: &str, #[case] want: bool) {
        assert_eq!(is_placeholder(value), want, "{value}");
    }

    #[rstest]
    #[case("***", true)]
    #[case("<redacted>", true)]
    #[case("[hidden]", true)]
    #[case("**REDACTED**", true)]
    #[case("xxxxxxxx", true)]
    #[case("s3cr3t", false)]
    fn masks(#[case] value: &str, #[case] want: bool) {
        assert_eq!(is_masked(value), want, "{value}");
    }

    #[rstest]
    #[case("/etc/tls/server.key", true)]
    #[case("/run/secrets/db-password", true)]
    #[case("~/.ssh/id_ed25519", true)]
    #[case("server.key", true)]
    #[case("/QfeXPz0JB56up8EDq220RHeop2nwhjc", false)]
    #[case("Zm9v/YmFy+cXV4", false)]
    fn paths(#[case] value: &str, #[case] want: bool) {
        assert_eq!(is_path(value), want, "{value}");
    }

    #[rstest]
    #[case("cfs_4FtRKy4rgqVHUddSeSfGTe", true)]
    #[case("c87c6c5958dad097d46002a372f5e312", true)]
    #[case("dGVzdDp0ZXN0MTIzNDU2Nzg=", true)]
    #[case("app.kubernetes.io/name", false)]
    #[case("REDIS_PASSWORD", false)]
    #[case("billing-api", false)]
    #[case("reporting", false)]
    fn randomness(#[case] value: &str, #[case] want: bool) {
        assert_eq!(looks_random(value), want, "{value}");
    }

    #[test]
    fn prose_is_not_a_value() {
        assert!(is_prose("set via CALLFS_DB_PASSWORD"));
        assert!(is_prose("for"));
        assert!(!is_prose("meadow-Prairie-raven37% quartz"));
        assert!(!is_prose("hunter2"));
    }
}

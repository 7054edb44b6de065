//! Redaction: secrets are masked before anything is printed, stored, logged or bundled.
//!
//! A [`Redactor`] knows two things: built-in shapes of secrets (passwords in URLs,
//! `password=...` pairs, `Authorization` headers, bearer tokens, JWTs, cloud and forge
//! access keys, PEM private keys) and literal values the run learnt are secret (a variable
//! named `DB_PASSWORD`, what an `env` probe read from a secret-looking variable). Every
//! renderer passes its text through one.
//!
//! ```
//! use triage_core::redact::Redactor;
//!
//! let r = Redactor::default();
//! assert_eq!(r.redact("postgres://app:hunter2@db:5432/app"), "postgres://app:[REDACTED]@db:5432/app");
//! assert_eq!(r.redact("password=hunter2 user=app"), "password=[REDACTED] user=app");
//! ```

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// What a secret is replaced with.
pub const MASK: &str = "[REDACTED]";

/// Literal secrets shorter than this are not masked: masking `1` or `ab` everywhere would
/// garble every output while protecting nothing worth the name.
pub const MIN_LITERAL_LEN: usize = 4;

/// Words that make a name (a variable, a header, a config key) hold a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE",
    "CREDENTIAL",
    "AUTH",
    "COOKIE",
    "SESSION",
    "DSN",
];

/// Whether a name such as `DB_PASSWORD`, `x-api-key` or `clientSecret` names a secret.
///
/// ```
/// use triage_core::redact::is_secret_name;
/// assert!(is_secret_name("DB_PASSWORD"));
/// assert!(is_secret_name("x-api-key"));
/// assert!(!is_secret_name("METALD_PORT"));
/// ```
pub fn is_secret_name(name: &str) -> bool {
    let upper: String = name
        .chars()
        .map(|c| if c == '-' || c == '.' { '_' } else { c.to_ascii_uppercase() })
        .collect();
    let squashed = upper.replace('_', "");
    SECRET_WORDS.iter().any(|w| upper.contains(w) || squashed.contains(&w.replace('_', "")))
        || upper.ends_with("_KEY")
        || upper == "KEY"
        || upper.ends_with("_PWD")
        || upper == "PWD_HASH"
}

/// One built-in secret shape: the regex and which capture group holds the secret.
struct Shape {
    regex: Regex,
    /// Capture group replaced by [`MASK`]; 0 replaces the whole match.
    group: usize,
    /// Whether a captured value is a secret (a shape that can also match prose says no
    /// to plain words).
    accept: Accept,
}

/// Which values a shape captures are secrets.
type Accept = fn(&str) -> bool;

/// Every value a shape captures is a secret.
fn any_value(_: &str) -> bool {
    true
}

/// A value written in prose after `is` (`the password is hunter2`) is a secret unless it
/// is a plain word: `the token is expired.`, `the secret is masked in logs`.
fn not_a_word(value: &str) -> bool {
    let value = value.trim_end_matches(['.', '!', '?', ':', ')']);
    let mut letters = value.bytes();
    let first_is_letter = letters.next().is_some_and(|b| b.is_ascii_alphabetic());
    !(first_is_letter && letters.all(|b| b.is_ascii_lowercase()))
}

/// The built-in shapes, in the order they are masked.
static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(|| {
    SHAPE_PATTERNS
        .iter()
        .map(|&(pattern, group, accept)| Shape {
            regex: Regex::new(pattern).expect("built-in redaction pattern compiles"),
            group,
            accept,
        })
        .collect()
});

/// All shapes at once: one pass tells whether a text holds anything to mask, so text
/// without secrets (nearly all of it) costs one scan instead of one per shape.
static ANY_SHAPE: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(SHAPE_PATTERNS.iter().map(|(pattern, ..)| pattern))
        .expect("built-in redaction patterns compile")
});

/// Each built-in secret shape, the capture group holding the secret (0: the whole match)
/// and which captured values are secrets.
const SHAPE_PATTERNS: &[(&str, usize, Accept)] = &[
    // -----BEGIN RSA PRIVATE KEY----- ... -----END RSA PRIVATE KEY-----
    (
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)",
        0,
        any_value,
    ),
    // scheme://user:password@host
    (r"(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@]*:([^\s@/]+)@", 1, any_value),
    // Authorization: Bearer xxx / Basic xxx / token xxx
    (
        r#"(?i)\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|digest|negotiate)\s+)?([^\s,;'"]+)"#,
        1,
        any_value,
    ),
    (r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{8,})", 1, any_value),
    // JSON Web Tokens.
    (r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", 0, any_value),
    // Cloud and forge keys with a recognisable prefix.
    (r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b", 0, any_value),
    (r"\bgh[pousr]_[A-Za-z0-9]{30,}\b", 0, any_value),
    (r"\bgithub_pat_[A-Za-z0-9_]{30,}\b", 0, any_value),
    (r"\bxox[abposr]-[A-Za-z0-9-]{10,}", 0, any_value),
    (r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b", 0, any_value),
    (r"\bglpat-[A-Za-z0-9_-]{20,}\b", 0, any_value),
    // key = value, key: value, "key": "value" where the key names a secret.
    (
        r#"(?i)["']?\b[a-z0-9_.-]*(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth[_-]?key|session[_-]?id|cookie)["']?\s*[=:]\s*["']?([^\s"',;&}\]]+)"#,
        1,
        any_value,
    ),
    // The same in prose: `the password is hunter2`.
    (
        r#"(?i)\b[a-z0-9_.-]*(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth[_-]?key|session[_-]?id|cookie)["']?\s+is\s+["']?([^\s"',;&}\]]+)"#,
        1,
        not_a_word,
    ),
];

/// Masks secrets in text. The default knows the built-in shapes; add literal secrets the
/// run learns with [`Redactor::add_secret`].
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Literal secret values, longest first so a secret containing another is masked whole.
    literals: Vec<String>,
}

impl Redactor {
    /// Masks `secret` wherever it appears from now on. Values shorter than
    /// [`MIN_LITERAL_LEN`] are ignored.
    pub fn add_secret(&mut self, secret: &str) {
        let secret = secret.trim();
        if secret.chars().count() < MIN_LITERAL_LEN || secret == MASK {
            return;
        }
        if !self.literals.iter().any(|s| s == secret) {
            self.literals.push(secret.to_owned());
            self.literals.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// Adds the value of every variable whose name looks secret (see [`is_secret_name`]).
    pub fn add_secret_vars<'a>(&mut self, vars: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (name, value) in vars {
            if is_secret_name(name) {
                self.add_secret(value);
            }
        }
    }

    /// The text with every secret replaced by [`MASK`]. Idempotent: redacting twice gives
    /// the same text as redacting once.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for literal in &self.literals {
            if out.contains(literal.as_str()) {
                out = Cow::Owned(out.replace(literal.as_str(), MASK));
            }
        }
        if !ANY_SHAPE.is_match(&out) {
            return out;
        }
        for shape in SHAPES.iter() {
            if let Cow::Owned(changed) = mask_shape(shape, &out) {
                out = Cow::Owned(changed);
            }
        }
        out
    }
}

fn mask_shape<'t>(shape: &Shape, text: &'t str) -> Cow<'t, str> {
    let mut result = String::new();
    let mut last = 0;
    for caps in shape.regex.captures_iter(text) {
        let Some(secret) = caps.get(shape.group) else { continue };
        if secret.as_str() == MASK || secret.as_str().is_empty() || !(shape.accept)(secret.as_str())
        {
            continue;
        }
        result.push_str(&text[last..secret.start()]);
        result.push_str(MASK);
        last = secret.end();
    }
    if last == 0 {
        return Cow::Borrowed(text);
    }
    result.push_str(&text[last..]);
    Cow::Owned(result)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("postgres://app:s3cr3t@db:5432/app", "postgres://app:[REDACTED]@db:5432/app")]
    #[case("redis://:s3cr3tpw@127.0.0.1:6379/0", "redis://:[REDACTED]@127.0.0.1:6379/0")]
    #[case("DB_PASSWORD=s3cr3t ./run", "DB_PASSWORD=[REDACTED] ./run")]
    #[case(
        r#"{"password": "s3cr3t", "user": "app"}"#,
        r#"{"password": "[REDACTED]", "user": "app"}"#
    )]
    #[case("api_key: abcdef123456", "api_key: [REDACTED]")]
    #[case("the password is hunter2, see", "the password is [REDACTED], see")]
    #[case("Password is 'Tr0ub4dor!3'", "Password is '[REDACTED]'")]
    #[case("the secret is masked in log output.", "the secret is masked in log output.")]
    #[case("rejected: token is unsigned (alg=none)", "rejected: token is unsigned (alg=none)")]
    #[case("The token is Expired.", "The token is Expired.")]
    #[case("Authorization: Bearer abc.def.ghi", "Authorization: Bearer [REDACTED]")]
    #[case(
        "curl -H 'Authorization: Basic dXNlcjpwYXNz'",
        "curl -H 'Authorization: Basic [REDACTED]'"
    )]
    #[case("got token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature", "got token [REDACTED]")]
    #[case("key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED] used")]
    #[case(
        "a\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\nb",
        "a\n[REDACTED]\nb"
    )]
    #[case(
        "host=db port=5432 password=s3cr3t sslmode=require",
        "host=db port=5432 password=[REDACTED] sslmode=require"
    )]
    #[case("nothing secret here: port 8080", "nothing secret here: port 8080")]
    fn built_in_shapes(#[case] input: &str, #[case] want: &str) {
        assert_eq!(Redactor::default().redact(input), want);
    }

    #[test]
    fn literal_secrets_are_masked_anywhere() {
        let mut r = Redactor::default();
        r.add_secret_vars([("DB_PASSWORD", "hunter2hunter2"), ("PORT", "8080")]);
        assert_eq!(
            r.redact("login failed for hunter2hunter2 on 8080"),
            "login failed for [REDACTED] on 8080"
        );
        r.add_secret("ab");
        assert_eq!(r.redact("ab"), "ab", "too short to mask");
    }

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "clientSecret",
            "GITHUB_TOKEN",
            "x-api-key",
            "AWS_SECRET_ACCESS_KEY",
            "SSH_KEY",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["PORT", "METALD_URL", "HOST", "KEYSPACE_HITS_TOTAL"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    proptest! {
        #[test]
        fn idempotent(text in "\\PC{0,200}") {
            let r = Redactor::default();
            let once = r.redact(&text).into_owned();
            prop_assert_eq!(r.redact(&once).into_owned(), once);
        }

        #[test]
        fn never_leaks_a_password_pair(
            before in "[a-z ]{0,30}",
            key in prop::sample::select(vec!["password", "PASSWORD", "db_password", "secret", "token", "api_key"]),
            sep in prop::sample::select(vec!["=", ": ", " = ", "=\""]),
            secret in "[A-Za-z0-9!#%+]{6,24}",
            after in "[a-z ]{0,30}",
        ) {
            let text = format!("{before} {key}{sep}{secret} {after}");
            let out = Redactor::default().redact(&text).into_owned();
            prop_assert!(!out.contains(&secret), "{} -> {}", text, out);
        }

        #[test]
        fn never_leaks_a_literal(prefix in "\\PC{0,40}", secret in "[A-Za-z0-9]{4,20}", suffix in "\\PC{0,40}") {
            let mut r = Redactor::default();
            r.add_secret(&secret);
            let out = r.redact(&format!("{prefix}{secret}{suffix}")).into_owned();
            prop_assert!(!out.contains(&secret));
        }
    }
}

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
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexSet, RegexSetBuilder};

mod copies;
mod encoded;
mod names;
mod pairs;
mod shapes;
mod value;

/// What a secret is replaced with.
pub const MASK: &str = "[REDACTED]";

/// Literal secrets shorter than this are not masked: masking `1` or `ab` everywhere would
/// garble every output while protecting nothing worth the name.
pub const MIN_LITERAL_LEN: usize = 4;

/// Secrets found in a text shorter than this are not looked for again elsewhere in it.
const MIN_COPY_LEN: usize = 8;

/// Whether a name such as `DB_PASSWORD`, `x-api-key` or `clientSecret` names a secret
/// (`DB_PASSWORD_FILE`, `password_min_length` and `STRIPE_PUBLISHABLE_KEY` do not).
///
/// ```
/// use triage_core::redact::is_secret_name;
/// assert!(is_secret_name("DB_PASSWORD"));
/// assert!(is_secret_name("x-api-key"));
/// assert!(!is_secret_name("METALD_PORT"));
/// ```
pub fn is_secret_name(name: &str) -> bool {
    names::classify(name).is_some()
}

/// The built-in shapes, their compiled regexes, and all of them at once as a prefilter: one
/// pass tells whether a text holds anything to mask, so text without secrets (nearly all of
/// it) costs one scan instead of one per shape.
struct Shapes {
    shapes: Vec<shapes::Shape>,
    regexes: Vec<Regex>,
    any: RegexSet,
    /// The index of the base64 shape, skipped inside decoded text.
    blobs: usize,
}

static SHAPES: LazyLock<Shapes> = LazyLock::new(|| {
    let mut all = shapes::all();
    all.push(shapes::Shape { pattern: pairs::SECRET_WORD_PATTERN.to_owned(), find: pairs::find });
    all.push(shapes::Shape { pattern: encoded::BLOB_PATTERN.to_owned(), find: secret_blobs });
    let blobs = all.len() - 1;
    // ASCII word boundaries: a Unicode `\b` stops the fast engines at the first non-ASCII
    // character and leaves a text to the slow one.
    for shape in &mut all {
        shape.pattern = shape.pattern.replace(r"\b", r"(?-u:\b)");
    }
    let regexes = all
        .iter()
        .map(|s| Regex::new(&s.pattern).expect("built-in redaction pattern compiles"))
        .collect();
    // Room for the lazy DFA of all shapes at once: with the default cache it gives up on a
    // long text and falls back to a far slower engine.
    let any = RegexSetBuilder::new(all.iter().map(|s| &s.pattern))
        .dfa_size_limit(16 << 20)
        .build()
        .expect("built-in redaction patterns compile");
    Shapes { shapes: all, regexes, any, blobs }
});

/// Base64 blobs that decode to text holding a secret.
fn secret_blobs(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    encoded::secret_blobs(regex, text, |decoded| !find_secrets(decoded, false).is_empty(), spans);
}

/// The spans of every secret in `text`, unmerged; `decode` also looks inside base64 blobs.
///
/// Every shape runs once the prefilter matched: asking the prefilter which shapes match
/// costs more, on a text with secrets, than running the shapes that cannot.
fn find_secrets(text: &str, decode: bool) -> Vec<Range<usize>> {
    let shapes = &*SHAPES;
    let mut spans = Vec::new();
    if !shapes.any.is_match(text) {
        return spans;
    }
    for (i, (shape, regex)) in shapes.shapes.iter().zip(&shapes.regexes).enumerate() {
        if decode || i != shapes.blobs {
            (shape.find)(regex, text, &mut spans);
        }
    }
    spans.retain(|s| s.start < s.end && &text[s.clone()] != MASK);
    spans
}

/// Adds the other copies of the secrets in `spans`: verbatim, URL-encoded and in base64 (a
/// password echoed in an error message, a token logged under a key that says nothing).
fn with_copies(text: &str, mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut secrets: Vec<String> = Vec::new();
    for span in &spans {
        let secret = &text[span.clone()];
        if secret.len() < MIN_COPY_LEN || secret.contains('\n') || value::is_prose(secret) {
            continue;
        }
        secrets.push(secret.to_owned());
        secrets.extend(encoded::url_encode(secret));
        secrets.push(encoded::encode_base64(secret.as_bytes()).trim_end_matches('=').to_owned());
    }
    if !secrets.is_empty() {
        spans.extend(copies::find(text, secrets));
    }
    spans
}

/// Sorted spans with overlapping and touching ones joined, on character boundaries.
fn merged(text: &str, mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    for span in &mut spans {
        while !text.is_char_boundary(span.start) {
            span.start -= 1;
        }
        while !text.is_char_boundary(span.end) {
            span.end += 1;
        }
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

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
        let spans = find_secrets(&out, true);
        if spans.is_empty() {
            return out;
        }
        let spans = merged(&out, with_copies(&out, spans));
        let mut result = String::with_capacity(out.len());
        let mut last = 0;
        for span in spans {
            result.push_str(&out[last..span.start]);
            result.push_str(MASK);
            last = span.end;
        }
        result.push_str(&out[last..]);
        Cow::Owned(result)
    }
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
        "a\n-----BEGIN PRIVATE KEY-----\n[REDACTED]\n-----END PRIVATE KEY-----\nb"
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

//! Redaction: secrets are masked before anything is printed, stored, logged or bundled.
//!
//! A [`Redactor`] knows two things: built-in shapes of secrets and literal values the run
//! learnt are secret (a variable named `DB_PASSWORD`, what an `env` probe read from a
//! secret-looking variable). Every renderer passes its text through one.
//!
//! The shapes: values after a secret name in any config, log or command-line form
//! (`pairs`, with `names` telling which names are secret and `value` reading quoted and
//! escaped values whole and telling placeholders and masks apart); private key bodies,
//! passwords in URLs, JWTs, vendor-prefixed tokens, password hashes, SQL and the password
//! arguments of well-known commands (`shapes`); base64 that decodes to a secret
//! (`encoded`). Once found, a secret is also masked wherever else it appears, verbatim,
//! URL-encoded or in base64 (`copies`).
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
    /// Each shape's regex, compiled the first time a text passes the prefilter: most
    /// texts never do, and compiling them all took most of a short run's start.
    regexes: Vec<std::sync::OnceLock<Regex>>,
    any: RegexSet,
    /// The index of the base64 shape, skipped inside decoded text.
    blobs: usize,
}

static SHAPES: LazyLock<Shapes> = LazyLock::new(|| {
    let mut all = shapes::all();
    all.push(shapes::Shape::new(pairs::SECRET_WORD_PATTERN, pairs::find));
    all.push(shapes::Shape::new(encoded::BLOB_PATTERN, secret_blobs));
    let blobs = all.len() - 1;
    // ASCII word boundaries: a Unicode `\b` stops the fast engines at the first non-ASCII
    // character and leaves a text to the slow one.
    for shape in &mut all {
        shape.pattern = shape.pattern.replace(r"\b", r"(?-u:\b)");
    }
    let regexes = all.iter().map(|_| std::sync::OnceLock::new()).collect();
    // Room for the lazy DFA of all shapes at once: with the default cache it gives up on a
    // long text and falls back to a far slower engine.
    let any = RegexSetBuilder::new(all.iter().map(|s| &s.pattern))
        .dfa_size_limit(2 << 20)
        .build()
        .expect("built-in redaction patterns compile");
    Shapes { shapes: all, regexes, any, blobs }
});

impl Shapes {
    /// The regex of shape `i`, compiled on first use.
    fn regex(&self, i: usize) -> &Regex {
        self.regexes[i].get_or_init(|| {
            Regex::new(&self.shapes[i].pattern).expect("built-in redaction pattern compiles")
        })
    }
}

/// Base64 blobs that decode to text holding a secret.
fn secret_blobs(_: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    encoded::secret_blobs(text, |decoded| !find_secrets(decoded, false).is_empty(), spans);
}

/// Whether decoded text is a PEM certificate or public key: public, and long enough that
/// searching it for secrets would cost more than all the rest of its text.
pub(crate) fn is_public_pem(decoded: &str) -> bool {
    decoded.trim_start().starts_with("-----BEGIN ") && !decoded.contains("PRIVATE KEY")
}

/// The spans of every secret in `text`, unmerged; `decode` also looks inside base64 blobs.
///
/// Every shape runs once the prefilter matched: asking the prefilter which shapes match
/// costs more, on a text with secrets, than running the shapes that cannot. The base64
/// shape runs last, as it skips blobs the others already mask.
fn find_secrets(text: &str, decode: bool) -> Vec<Range<usize>> {
    let shapes = &*SHAPES;
    let mut spans = Vec::new();
    if !shapes.any.is_match(text) {
        return spans;
    }
    for (i, shape) in shapes.shapes.iter().enumerate() {
        if i != shapes.blobs {
            (shape.find)(shapes.regex(i), text, &mut spans);
        }
    }
    if decode {
        secret_blobs(shapes.regex(shapes.blobs), text, &mut spans);
    }
    spans.retain(|s| s.start < s.end && &text[s.clone()] != MASK);
    spans
}

/// Adds the other copies of the secrets in `spans`: verbatim, URL-encoded and in base64 (a
/// password echoed in an error message, a token logged under a key that says nothing).
fn with_copies(text: &str, mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut secrets: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for span in &spans {
        let secret = &text[span.clone()];
        if secret.len() < MIN_COPY_LEN || !seen.insert(secret) {
            continue;
        }
        if secret.contains('\n') || value::is_prose(secret) {
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
        // A mask can give a secret the boundary it lacked (`...secret--password x` becomes
        // `...[REDACTED]--password x`), so masking goes on until nothing changes: the result
        // is the same however often it is redacted again.
        for _ in 0..MAX_PASSES {
            match mask_once(&out) {
                Some(masked) if masked != *out => out = Cow::Owned(masked),
                _ => break,
            }
        }
        out
    }
}

/// Most masking passes over one text (each one that changes it is followed by another).
const MAX_PASSES: usize = 4;

/// `text` with every secret found in it masked, or `None` when there is none.
fn mask_once(text: &str) -> Option<String> {
    let spans = find_secrets(text, true);
    if spans.is_empty() {
        return None;
    }
    let spans = merged(text, with_copies(text, spans));
    let mut result = String::with_capacity(text.len());
    let mut last = 0;
    for span in spans {
        result.push_str(&text[last..span.start]);
        result.push_str(MASK);
        last = span.end;
    }
    result.push_str(&text[last..]);
    Some(result)
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

    #[rstest]
    #[case(
        "deploy with ghp_Zq8xLm3Nv0Pw7Rt2Ys5Ub9Kc4Hd6Jf1Ga0Eq done",
        "deploy with [REDACTED] done"
    )]
    #[case("id ASIAZ7Q2X4V9M1K3P8RT in use", "id [REDACTED] in use")]
    #[case("got glpat-Xy7Qw2Er9Ty4Ui1Op3As from ci", "got [REDACTED] from ci")]
    #[case("npm_Qw8Er2Ty6Ui0Op4As8Df2Gh6Jk0Lz4Xc8Vb2 published", "[REDACTED] published")]
    #[case("using sk_live_4eC39HqLyjWDarjtT1zdp7dc now", "using [REDACTED] now")]
    #[case("with hvs.CAESIqW8e2R4t6Y8u0I2o4P6a8S0d2F4 ok", "with [REDACTED] ok")]
    #[case("client Ab39Q~Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx5 set", "client [REDACTED] set")]
    #[case(
        "TF 0123456789abcd.atlasv1.Qw8Er2Ty6Ui0Op4As8Df2Gh6Jk0Lz4Xc8Vb2NmQw8Er2Ty6Ui0Op4As8Df2Gh6Jk0 x",
        "TF [REDACTED] x"
    )]
    fn vendor_tokens(#[case] input: &str, #[case] want: &str) {
        assert_eq!(Redactor::default().redact(input), want);
    }

    #[rstest]
    #[case("mysql://root:Pa55@w0rd@db:3306/app", "mysql://root:[REDACTED]@db:3306/app")]
    #[case(
        r#""dsn":"postgres:\/\/app:Zx9pQ2@pg:5432\/app""#,
        r#""dsn":"postgres:\/\/app:[REDACTED]@pg:5432\/app""#
    )]
    #[case("postgres://app:***@pg/app", "postgres://app:***@pg/app")]
    #[case("postgres://app:${PGPASS}@pg/app", "postgres://app:${PGPASS}@pg/app")]
    fn passwords_in_urls(#[case] input: &str, #[case] want: &str) {
        assert_eq!(Redactor::default().redact(input), want);
    }

    #[rstest]
    #[case(
        "x\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nMIIEow\n-----END RSA PRIVATE KEY-----",
        "x\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n[REDACTED]\n-----END RSA PRIVATE KEY-----"
    )]
    #[case(
        r#"{"k": "-----BEGIN PRIVATE KEY-----\nMIIEv\nQIBA\n-----END PRIVATE KEY-----\n"}"#,
        r#"{"k": "-----BEGIN PRIVATE KEY-----\n[REDACTED]\n-----END PRIVATE KEY-----\n"}"#
    )]
    #[case(
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQdGBGcy\n-----END PGP PRIVATE KEY BLOCK-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n[REDACTED]\n-----END PGP PRIVATE KEY BLOCK-----"
    )]
    #[case(
        "-----BEGIN CERTIFICATE-----\nMIIDaz\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\nMIIDaz\n-----END CERTIFICATE-----"
    )]
    fn private_keys(#[case] input: &str, #[case] want: &str) {
        assert_eq!(Redactor::default().redact(input), want);
    }

    #[rstest]
    #[case("prometheus:$apr1$Zx81kQ0p$Qw8Er2Ty6Ui0Op4As8Df2G", "prometheus:[REDACTED]")]
    #[case("hdr Basic YWxpY2U6czNjcjN0LXZhbHVl sent", "hdr Basic [REDACTED] sent")]
    #[case("hdr Basic aGVsbG8gd29ybGQgYWdhaW4= sent", "hdr Basic aGVsbG8gd29ybGQgYWdhaW4= sent")]
    #[case(
        "https://hooks.slack.com/services/T0AAA/B0BBB/Qw8Er2Ty6Ui0Op4As8Df2Gh",
        "https://hooks.slack.com/services/T0AAA/B0BBB/[REDACTED]"
    )]
    #[case("db.example:5432:app:app_rw:Zx81kQ0pLm", "db.example:5432:app:app_rw:[REDACTED]")]
    #[case("the secret is Zx81-kQ0p", "the secret is [REDACTED]")]
    #[case(
        "variable \"db_pass\" {\n  default = \"Zx81kQ0p\"\n}",
        "variable \"db_pass\" {\n  default = \"[REDACTED]\"\n}"
    )]
    fn other_shapes(#[case] input: &str, #[case] want: &str) {
        assert_eq!(Redactor::default().redact(input), want);
    }

    #[rstest]
    #[case(
        "CREATE USER 'u'@'%' IDENTIFIED BY 'Zx81kQ0p';",
        "CREATE USER 'u'@'%' IDENTIFIED BY '[REDACTED]';"
    )]
    #[case("SET PASSWORD FOR 'u'@'h' = 'Zx81kQ0p'", "SET PASSWORD FOR 'u'@'h' = '[REDACTED]'")]
    #[case("ALTER ROLE r WITH PASSWORD 'Zx81kQ0p';", "ALTER ROLE r WITH PASSWORD '[REDACTED]';")]
    fn sql(#[case] input: &str, #[case] want: &str) {
        assert_eq!(Redactor::default().redact(input), want);
    }

    #[rstest]
    #[case("mysql -u root -pZx81kQ0p -h db", "mysql -u root -p[REDACTED] -h db")]
    #[case("mysql -uroot -p'Zx81'\"kQ0p\" db", "mysql -uroot -p'[REDACTED]\" db")]
    #[case(
        "docker login -u ci -p Zx81kQ0p registry.example",
        "docker login -u ci -p [REDACTED] registry.example"
    )]
    #[case("docker run -p 8080:80 nginx", "docker run -p 8080:80 nginx")]
    #[case("redis-cli -h r -a 'Zx81kQ0p' ping", "redis-cli -h r -a '[REDACTED]' ping")]
    #[case("curl -u admin:Zx81kQ0p https://h/x", "curl -u admin:[REDACTED] https://h/x")]
    #[case(
        "htpasswd -b /etc/.htpasswd admin 'Zx81kQ0p'",
        "htpasswd -b /etc/.htpasswd admin '[REDACTED]'"
    )]
    #[case(
        "net use \\\\srv\\share /user:CORP\\svc Zx81kQ0p",
        "net use \\\\srv\\share /user:CORP\\svc [REDACTED]"
    )]
    #[case("vault login Zx81kQ0pLm2Nq9RtYs", "vault login [REDACTED]")]
    #[case("rabbitmqctl add_user app Zx81kQ0p", "rabbitmqctl add_user app [REDACTED]")]
    #[case("echo 'Zx81kQ0p' | sudo -S true", "echo '[REDACTED]' | sudo -S true")]
    #[case(
        "$p = ConvertTo-SecureString 'Zx81kQ0p' -AsPlainText",
        "$p = ConvertTo-SecureString '[REDACTED]' -AsPlainText"
    )]
    fn command_arguments(#[case] input: &str, #[case] want: &str) {
        assert_eq!(Redactor::default().redact(input), want);
    }

    #[test]
    fn base64_holding_a_secret_is_masked() {
        let inner = r#"{"auths":{"r.example":{"password":"Zx81kQ0pLm"}}}"#;
        let blob = encoded::encode_base64(inner.as_bytes());
        let out = Redactor::default().redact(&format!("config: {blob}\n")).into_owned();
        assert_eq!(out, "config: [REDACTED]\n");
        let plain = encoded::encode_base64(b"just some ordinary words in base64 here");
        let text = format!("data: {plain}\n");
        assert_eq!(Redactor::default().redact(&text), text);
    }

    #[test]
    fn copies_of_a_secret_are_masked() {
        let text = "DB_PASSWORD=Zx8@kQ0pLm2\nlogin as Zx8@kQ0pLm2 failed\nurl: Zx8%40kQ0pLm2\nb64: Wng4QGtRMHBMbTI\n";
        assert_eq!(
            Redactor::default().redact(text),
            "DB_PASSWORD=[REDACTED]\nlogin as [REDACTED] failed\nurl: [REDACTED]\nb64: [REDACTED]\n"
        );
    }

    #[rstest]
    #[case("password: <redacted>\ntoken=***\napi_key: \"xxxxxxxx\"\nsecret: [hidden]")]
    #[case(
        "password: ${DB_PASSWORD}\nTOKEN=$(gcloud auth print-access-token)\npass: \"{{ .Values.p }}\""
    )]
    #[case(
        "ETag: \"5afecd20e46b13177db2e6edf323bd9e\"\ncommit 02593e8b0e5f70c1171df0d1e555ef8089f1297f"
    )]
    #[case(
        "\"integrity\": \"sha512-GuvK5ZbHLh0HsW/8Mtp/JG9drZ+GB7K730U3usitKA58uNCQ3evPVf4MX61==\""
    )]
    #[case("Failed password for invalid user admin from 203.0.113.5 port 52144")]
    fn kept_as_is(#[case] input: &str) {
        assert_eq!(Redactor::default().redact(input), input);
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
            "DB_PASSWORD", "clientSecret", "GITHUB_TOKEN", "x-api-key", "AWS_SECRET_ACCESS_KEY",
            "SSH_KEY",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["PORT", "METALD_URL", "HOST", "KEYSPACE_HITS_TOTAL"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn a_mask_that_gives_a_secret_its_boundary_is_followed_by_another_pass() {
        let text = "--password Zx81kQ0pLm2Nq9RtYs: passwordZx81kQ0pLm2Nq9RtYs--password @hpassword";
        let r = Redactor::default();
        let once = r.redact(text).into_owned();
        assert!(!once.contains("@hpassword"), "{once}");
        assert_eq!(r.redact(&once), once);
    }

    proptest! {
        #[test]
        fn idempotent_on_secret_like_text(
            parts in prop::collection::vec(prop::sample::select(vec![
                "password", "TOKEN", "api_key", "key", "Authorization", "Cookie", "secret",
                "=", ": ", " = ", "\"", "'", "\\\"", "\n", "  ", " ", "-p", "--password ",
                "://u:", "@h", "${X}", "***", "eyJhbGciOi.eyJzdWIi.sig0", "ghp_", "Bearer ",
                "Zx81kQ0pLm2Nq9RtYs", "s3cr3t", "a=b; sid=", "-----BEGIN PRIVATE KEY-----",
                "-----END PRIVATE KEY-----", "|", "{", "}", ",", "&", "name: ", "value: ",
            ]), 0..24),
        ) {
            let text = parts.concat();
            let r = Redactor::default();
            let once = r.redact(&text).into_owned();
            prop_assert_eq!(r.redact(&once).into_owned(), once);
        }

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

//! What the JSON-over-HTTP API kinds (`prometheus`, `graphql`) share: requests sent
//! through the `http` kind (so the run's shared clients, timeouts
//! and byte cap apply), credentials that become secrets, and errors that never carry a
//! password.
//!
//! Declared from `prometheus.rs` (with `#[path]`) so the kinds could share it without
//! touching `kind/mod.rs`; it belongs there as `kind::api` when the module list is next
//! edited.

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::Url;
use triage_core::redact::Redactor;
use triage_core::{Observation, Value};

use crate::kind::http::Http;
use crate::{Context, Kind};

/// One request to a JSON API.
pub(crate) struct Request {
    /// The full URL, query included.
    pub(crate) url: String,
    /// `GET` or `POST`.
    pub(crate) method: &'static str,
    /// Headers, credentials included.
    pub(crate) headers: BTreeMap<String, String>,
    /// Request body.
    pub(crate) body: Option<String>,
    /// Verify the server certificate.
    pub(crate) tls_verify: bool,
    /// Extra trusted CA certificates.
    pub(crate) ca_file: Option<PathBuf>,
}

/// What came back.
pub(crate) struct Answer {
    /// HTTP status code.
    pub(crate) status: i64,
    /// The body, at most the run's `max_bytes`.
    pub(crate) body: String,
    /// Whether the body was cut at `max_bytes`.
    pub(crate) truncated: bool,
}

/// Sends `request` with the `http` kind and binds `[CONNECTED]` (and, when the caller
/// asks, `[RESPONSE_TIME]` and `[STATUS]`) into `seen`. `Err` is why no whole answer came.
pub(crate) async fn send(
    ctx: &Context,
    request: Request,
    seen: &mut Observation,
    bind: &[&str],
) -> Result<Answer, String> {
    let http = Http {
        url: request.url,
        method: request.method.into(),
        headers: request.headers,
        body: request.body,
        follow_redirects: true,
        tls_verify: request.tls_verify,
        ca_file: request.ca_file,
    };
    let got = http.observe(ctx).await;
    for name in bind.iter().copied().chain(["CONNECTED"]) {
        if let Some(value) = got.get(name) {
            seen.set(name, value.clone());
        }
    }
    if let Some(error) = got.error {
        return Err(error);
    }
    let status = match got.get("STATUS") {
        Some(Value::Int(status)) => *status,
        _ => return Err("no http status in the answer".into()),
    };
    let body = got.get("BODY").map(ToString::to_string).unwrap_or_default();
    let truncated = got.get("BODY_TRUNCATED") == Some(&Value::Bool(true));
    Ok(Answer { status, body, truncated })
}

/// The reason phrase of a status code, for messages: `400 Bad Request`.
pub(crate) fn status_text(status: i64) -> String {
    let code = u16::try_from(status).ok().and_then(|s| reqwest::StatusCode::from_u16(s).ok());
    match code {
        Some(code) => code.to_string(),
        None => status.to_string(),
    }
}

/// Parses an `http(s)://` URL, saying what is wrong with it in a guide author's words.
pub(crate) fn http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("url `{}`: {e}", masked_text(text)))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        "http" | "https" => Err(format!("url `{}` has no host", masked(&url))),
        other => Err(format!("url `{}` has scheme `{other}`, not http or https", masked(&url))),
    }
}

/// The URL as it may be shown: any password replaced by the mask.
pub(crate) fn masked(url: &Url) -> String {
    let text = url.to_string();
    match url.password() {
        // The URL serializes its (percent-encoded) password once, between `:` and `@`.
        Some(password) => {
            text.replacen(&format!(":{password}@"), &format!(":{}@", triage_core::redact::MASK), 1)
        }
        None => text,
    }
}

/// Text that failed to parse as a URL, with a `user:password@` part masked anyway: the
/// text between the last `:` before the first `@` and that `@`.
fn masked_text(text: &str) -> String {
    let Some(at) = text.find('@') else { return text.to_owned() };
    match text[..at].rfind(':') {
        Some(colon) if !text[colon + 1..at].contains('/') && colon + 1 < at => {
            format!("{}{}{}", &text[..=colon], triage_core::redact::MASK, &text[at..])
        }
        _ => text.to_owned(),
    }
}

/// Records the URL's password (as written and percent-decoded) as secrets of `seen`.
pub(crate) fn url_secrets(url: &Url, seen: &mut Observation) {
    if let Some(password) = url.password() {
        seen.secrets.push(password.to_owned());
        if let Ok(decoded) = percent_decode(password)
            && decoded != password
        {
            seen.secrets.push(decoded);
        }
    }
}

/// Decodes `%XX` escapes; `Err` when the result is not UTF-8.
fn percent_decode(text: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
}

/// Reads the bearer token from the variable `name` (when given), recording it as a secret.
pub(crate) fn bearer_token(
    name: Option<&str>,
    seen: &mut Observation,
) -> Result<Option<String>, String> {
    let Some(name) = name else { return Ok(None) };
    match std::env::var(name) {
        Ok(token) if !token.trim().is_empty() => {
            let token = token.trim().to_owned();
            seen.secrets.push(token.clone());
            Ok(Some(token))
        }
        Ok(_) => Err(format!("token_env {name}: the variable is empty")),
        Err(std::env::VarError::NotPresent) => {
            Err(format!("token_env {name}: the variable is not set"))
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("token_env {name}: the value is not valid unicode"))
        }
    }
}

/// Checks header names and values without sending anything.
pub(crate) fn validate_headers<'h>(
    headers: impl IntoIterator<Item = (&'h String, &'h String)>,
) -> Result<(), String> {
    for (name, value) in headers {
        reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("header name `{name}` is not valid"))?;
        reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| format!("header `{name}` has a value that is not valid"))?;
    }
    Ok(())
}

/// Records header values whose names look secret (`Authorization`, `X-Api-Key`).
pub(crate) fn header_secrets<'h>(
    headers: impl IntoIterator<Item = (&'h String, &'h String)>,
    seen: &mut Observation,
) {
    for (name, value) in headers {
        if triage_core::redact::is_secret_name(name) {
            seen.secrets.push(value.clone());
            // `Bearer xyz` also leaks as `xyz` alone.
            if let Some((_, credential)) = value.split_once(' ') {
                seen.secrets.push(credential.trim().to_owned());
            }
        }
    }
}

/// `text` with every secret of `seen` and every built-in secret shape masked: what goes
/// into [`Observation::error`] passes through here, since drivers echo URLs.
pub(crate) fn scrub(text: &str, seen: &Observation) -> String {
    let mut redactor = Redactor::default();
    for secret in &seen.secrets {
        redactor.add_secret(secret);
    }
    redactor.redact(text).into_owned()
}

/// Sets `seen.error`, scrubbed of secrets.
pub(crate) fn fail(seen: &mut Observation, error: impl AsRef<str>) {
    let error = scrub(error.as_ref(), seen);
    seen.error = Some(error);
}

/// The innermost cause of `e`, lower-cased: drivers wrap it in generic layers.
pub(crate) fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost: &dyn std::error::Error = e;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_errors() {
        let url = http_url("http://admin:p%40ss%2Fw0rd@127.0.0.1:9/x").unwrap();
        let mut seen = Observation::default();
        url_secrets(&url, &mut seen);
        assert_eq!(seen.secrets, ["p%40ss%2Fw0rd", "p@ss/w0rd"]);
        assert_eq!(masked(&url), "http://admin:[REDACTED]@127.0.0.1:9/x");
        // A driver message echoing the URL, or the decoded password, is scrubbed.
        fail(&mut seen, "error for url (http://admin:p%40ss%2Fw0rd@127.0.0.1:9/x): p@ss/w0rd bad");
        let error = seen.error.unwrap();
        assert!(!error.contains("p%40ss") && !error.contains("p@ss/w0rd"), "{error}");
        let error = http_url("ftp://u:hunter22@host/").unwrap_err();
        assert!(!error.contains("hunter22"), "{error}");
        let error = http_url("http//u:hunter22@host/").unwrap_err();
        assert!(!error.contains("hunter22"), "{error}");
    }

    #[test]
    fn secret_headers_and_tokens() {
        let headers = [("Authorization".to_owned(), "Bearer abcdefgh".to_owned())];
        let mut seen = Observation::default();
        header_secrets(headers.iter().map(|(k, v)| (k, v)), &mut seen);
        assert!(seen.secrets.contains(&"abcdefgh".to_owned()));
        let error = bearer_token(Some("TRIAGE_TEST_SURELY_UNSET_VAR"), &mut seen).unwrap_err();
        assert_eq!(error, "token_env TRIAGE_TEST_SURELY_UNSET_VAR: the variable is not set");
        assert_eq!(bearer_token(None, &mut seen), Ok(None));
        let bad = [("bad header".to_owned(), "x".to_owned())];
        assert!(
            validate_headers(bad.iter().map(|(k, v)| (k, v))).unwrap_err().contains("`bad header`")
        );
    }
}

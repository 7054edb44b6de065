//! What the JSON-over-HTTP API kinds (`prometheus`, `graphql`) share: requests sent
//! through the `http` kind (so the run's shared clients, timeouts and byte cap apply),
//! URLs checked in a guide author's words, and errors that never carry a password (the
//! credentials themselves are [`super::credentials`]'s).

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::Url;
use triage_core::{Observation, Value};

use super::credentials::{mask_url, scrub};

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
    let url = Url::parse(text).map_err(|e| format!("url `{}`: {e}", mask_url(text)))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        "http" | "https" => Err(format!("url `{}` has no host", masked(&url))),
        other => Err(format!("url `{}` has scheme `{other}`, not http or https", masked(&url))),
    }
}

/// The URL as it may be shown: any password replaced by the mask.
pub(crate) fn masked(url: &Url) -> String {
    mask_url(url.as_str())
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

/// Sets `seen.error`, scrubbed of secrets.
pub(crate) fn fail(seen: &mut Observation, error: impl AsRef<str>) {
    let error = scrub(error.as_ref(), &seen.secrets);
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
    use crate::kind::credentials::url_secrets;

    #[test]
    fn passwords_never_reach_errors() {
        let url = http_url("http://admin:p%40ss%2Fw0rd@127.0.0.1:9/x").unwrap();
        let mut seen = Observation::default();
        url_secrets(&url, &mut seen);
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
    fn headers_are_checked() {
        let bad = [("bad header".to_owned(), "x".to_owned())];
        assert!(
            validate_headers(bad.iter().map(|(k, v)| (k, v))).unwrap_err().contains("`bad header`")
        );
    }
}

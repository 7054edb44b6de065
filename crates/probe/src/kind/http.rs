//! `kind: http`: does an HTTP or HTTPS endpoint answer, and with what?
//!
//! Sends one request and binds what came back, Gatus style. Every check opens a new
//! connection (nothing is kept alive between checks), so `[RESPONSE_TIME]` and
//! `[CONNECTED]` always measure a real connect; the [`Clients`] cache in the run's
//! [`Context`] makes that cheap by sharing one client per TLS/redirect setting.
//!
//! # Fields
//!
//! | field | default | meaning |
//! | --- | --- | --- |
//! | `url` | required | `http://` or `https://` URL to request |
//! | `method` | `GET` | request method, any token (`HEAD`, `POST`, `PROPFIND`...) |
//! | `headers` | none | map of request header names to values |
//! | `body` | none | request body, sent as is |
//! | `follow_redirects` | `true` | follow `3xx` answers, at most 10 hops; a loop is reported as an error |
//! | `tls_verify` | `true` | verify the server's certificate chain and name (`false` accepts any certificate) |
//! | `ca_file` | none | PEM file of extra CA certificates trusted besides the system roots |
//!
//! The whole attempt (connect, TLS, request, body) is bounded by the run's probe timeout.
//! The body is read up to the run's byte cap (`max_bytes`, 1 MiB by default); a longer
//! body is cut there and the rest is never read. Proxies named by `HTTP_PROXY`,
//! `HTTPS_PROXY` and `NO_PROXY` are used, as curl does. Credentials (a password in the URL,
//! values of `Authorization`/`Cookie`/token-like headers, `Set-Cookie` answers) are
//! marked secret so outputs mask them.
//!
//! # Placeholders
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[STATUS]` | response status code, e.g. `200` |
//! | `[BODY]` | response body as text (indexable as JSON: `[BODY].status`), at most `max_bytes` |
//! | `[BODY_BYTES]` | bytes of body read |
//! | `[BODY_TRUNCATED]` | `true` when the body was longer than `max_bytes` and was cut |
//! | `[HEADERS]` | response headers as a JSON object, names lower-cased: `[HEADERS].content-type` |
//! | `[RESPONSE_TIME]` | time from sending the request to the response headers, in ms |
//! | `[CONNECTED]` | `true` when a response arrived |
//! | `[IP]` | address of the server that answered |
//! | `[URL]` | URL that answered, after redirects |
//! | `[CERTIFICATE_EXPIRATION]` | https only: time left until the server certificate's `notAfter` (0 when expired) |
//!
//! Without `expect:`, a check passes when `[STATUS] < 400`, as `curl -f` does.
//!
//! # Example
//!
//! ```yaml
//! kind: http
//! url: https://localhost:8443/health
//! method: GET
//! headers:
//!   Accept: application/json
//! ca_file: /etc/myapp/ca.pem
//! expect:
//!   - "[STATUS] == 200"
//!   - "[BODY].status == UP"
//!   - "[CERTIFICATE_EXPIRATION] > 48h"
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::{Client, Method, Url, redirect};
use serde::Deserialize;
use triage_core::{Observation, Value};

use crate::{Context, Kind};

/// Most redirects followed before the check ends with an error.
const MAX_REDIRECTS: usize = 10;

/// Sends one HTTP request to `url` and binds the response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// `http://` or `https://` URL to request.
    pub url: String,
    /// Request method. Default: `GET`.
    #[serde(default = "default_method")]
    pub method: String,
    /// Request headers. Default: none (besides a `user-agent`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Request body. Default: none.
    #[serde(default)]
    pub body: Option<String>,
    /// Follows redirects, at most 10. Default: `true`.
    #[serde(default = "yes")]
    pub follow_redirects: bool,
    /// Verifies the server certificate. Default: `true`.
    #[serde(default = "yes")]
    pub tls_verify: bool,
    /// PEM file of CA certificates trusted besides the system roots. Default: none.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_method() -> String {
    "GET".into()
}

fn yes() -> bool {
    true
}

impl Http {
    fn client_key(&self) -> ClientKey {
        ClientKey {
            tls_verify: self.tls_verify,
            ca_file: self.ca_file.clone(),
            follow_redirects: self.follow_redirects,
        }
    }

    fn parts(&self) -> Result<(Method, Url), String> {
        // Methods are case-sensitive on the wire, but `post` in a guide means POST.
        let method = Method::from_bytes(self.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("method `{}` is not a valid HTTP method", self.method))?;
        let url = Url::parse(&self.url).map_err(|e| format!("url `{}`: {e}", self.url))?;
        match url.scheme() {
            "http" | "https" if url.host().is_some() => Ok((method, url)),
            "http" | "https" => Err(format!("url `{}` has no host", self.url)),
            other => Err(format!("url `{}` has scheme `{other}`, not http or https", self.url)),
        }
    }
}

impl Http {
    /// Credentials this request carries, which must not show in any output: a password in
    /// the URL and the values of credential-like headers.
    fn secrets(&self, url: &Url) -> Vec<String> {
        let mut secrets: Vec<String> = url.password().map(str::to_owned).into_iter().collect();
        for (name, value) in &self.headers {
            let name = name.to_ascii_lowercase();
            if ["authorization", "cookie", "token", "key", "secret", "password", "auth"]
                .iter()
                .any(|word| name.contains(word))
            {
                secrets.push(value.clone());
                // `Bearer abc`: the credential alone may also appear.
                if let Some((_, credential)) = value.split_once(' ') {
                    secrets.push(credential.to_owned());
                }
            }
        }
        secrets
    }
}

impl Kind for Http {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("STATUS", "response status code"),
        ("BODY", "response body as text, at most max_bytes; indexable as JSON"),
        ("BODY_BYTES", "bytes of body read"),
        ("BODY_TRUNCATED", "true when the body was longer than max_bytes and was cut"),
        ("HEADERS", "response headers as a JSON object with lower-cased names"),
        ("RESPONSE_TIME", "time from sending the request to the response headers, in ms"),
        ("CONNECTED", "true when a response arrived"),
        ("IP", "address of the server that answered"),
        ("URL", "URL that answered, after redirects"),
        ("CERTIFICATE_EXPIRATION", "https: time left until the server certificate expires"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[STATUS] < 400"];

    fn target(&self) -> String {
        format!("{} {}", self.method.to_ascii_uppercase(), self.url)
    }

    fn validate(&self) -> Result<(), String> {
        self.parts()?;
        for (name, value) in &self.headers {
            reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("header name `{name}` is not valid"))?;
            reqwest::header::HeaderValue::from_str(value)
                .map_err(|_| format!("header `{name}` has a value that is not valid"))?;
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let (method, url) = match self.parts() {
            Ok(parts) => parts,
            Err(e) => return Observation::failed(e),
        };
        let client = match ctx.http.get(&self.client_key(), ctx).await {
            Ok(client) => client,
            Err(e) => return Observation::failed(e),
        };
        let mut request = client.request(method.clone(), url.clone()).timeout(ctx.timeout);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }

        let mut seen = Observation::default();
        seen.secrets = self.secrets(&url);
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                seen.set("CONNECTED", false);
                seen.error = Some(describe(&e, &method, &url, ctx.timeout));
                return seen;
            }
        };
        seen.set("RESPONSE_TIME", started.elapsed())
            .set("CONNECTED", true)
            .set("STATUS", i64::from(response.status().as_u16()))
            .set("URL", response.url().as_str())
            .set("HEADERS", Value::Json(headers_json(response.headers())));
        if let Some(peer) = response.remote_addr() {
            seen.set("IP", peer.ip().to_string());
        }
        if let Some(info) = response.extensions().get::<reqwest::tls::TlsInfo>()
            && let Some(der) = info.peer_certificate()
        {
            certificate(der, &mut seen);
        }
        for cookie in response.headers().get_all(reqwest::header::SET_COOKIE) {
            seen.secrets.push(String::from_utf8_lossy(cookie.as_bytes()).into_owned());
        }
        read_body(response, ctx.max_bytes, &mut seen, &method, &url).await;
        seen
    }
}

/// Reads the body up to `cap` bytes; what lies beyond is never read.
async fn read_body(
    mut response: reqwest::Response,
    cap: usize,
    seen: &mut Observation,
    method: &Method,
    url: &Url,
) {
    let mut body = Vec::new();
    let mut truncated = false;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = cap - body.len();
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                seen.error = Some(format!("{method} {url}: reading body: {}", cause(&e)));
                break;
            }
        }
    }
    if truncated {
        seen.note(format!("body cut at {cap} bytes (max_bytes)"));
    }
    seen.set("BODY_BYTES", body.len() as u64)
        .set("BODY_TRUNCATED", truncated)
        .set("BODY", String::from_utf8_lossy(&body).into_owned());
}

fn headers_json(headers: &reqwest::header::HeaderMap) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    // HeaderMap names are already lower-case; repeated headers join with ", " as RFC 9110 allows.
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        match map.get_mut(name.as_str()) {
            Some(serde_json::Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                map.insert(name.as_str().to_owned(), value.into_owned().into());
            }
        }
    }
    serde_json::Value::Object(map)
}

/// Binds `[CERTIFICATE_EXPIRATION]` from the peer's leaf certificate.
fn certificate(der: &[u8], seen: &mut Observation) {
    let cert = match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => cert,
        Err(e) => {
            seen.note(format!("server certificate could not be parsed: {e}"));
            return;
        }
    };
    let not_after = cert.validity().not_after.timestamp();
    let now = jiff::Timestamp::now().as_second();
    let left = u64::try_from(not_after.saturating_sub(now)).unwrap_or(0);
    if left == 0 {
        seen.note(format!("server certificate expired {}", cert.validity().not_after));
    }
    seen.set("CERTIFICATE_EXPIRATION", Duration::from_secs(left));
}

/// A lowercase fact about why no response arrived.
fn describe(e: &reqwest::Error, method: &Method, url: &Url, limit: Duration) -> String {
    let endpoint = match (url.host_str(), url.port_or_known_default()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        _ => url.to_string(),
    };
    if e.is_timeout() && e.is_connect() {
        format!("connect to {endpoint}: timed out after {limit:?}")
    } else if e.is_timeout() {
        format!("{method} {url}: timed out after {limit:?} without a response")
    } else if e.is_connect() {
        format!("connect to {endpoint}: {}", cause(e))
    } else {
        format!("{method} {url}: {}", cause(e))
    }
}

/// The innermost cause of `e`: reqwest and hyper wrap it in generic layers.
fn cause(e: &reqwest::Error) -> String {
    let mut innermost: &dyn std::error::Error = e;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string().to_lowercase()
}

/// What makes two HTTP checks need different clients.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ClientKey {
    tls_verify: bool,
    ca_file: Option<PathBuf>,
    follow_redirects: bool,
}

/// HTTP clients shared by a run, one per distinct TLS/redirect setting.
///
/// Building a client loads trust roots and TLS state (milliseconds), so it happens once
/// per setting, not per check. Clients keep no idle connections, so every check still
/// opens its own.
#[derive(Debug, Default)]
pub(crate) struct Clients {
    /// Built clients by setting. Checks running concurrently take the lock only to look
    /// up or insert (a clone of a client is a reference count), never across an `await`
    /// or while building, so the lock is held for nanoseconds. Two checks that miss at
    /// once may both build; the first insert wins and the other client is dropped.
    built: Mutex<HashMap<ClientKey, Client>>,
}

impl Clients {
    /// The client for `key`, built on first use with the run's limits.
    pub(crate) async fn get(&self, key: &ClientKey, ctx: &Context) -> Result<Client, String> {
        if let Some(client) = self.lock().get(key) {
            return Ok(client.clone());
        }
        let ca = match &key.ca_file {
            Some(path) => Some(super::tls_config::reqwest_roots(path, ctx.max_bytes).await?),
            None => None,
        };
        let client = build(key, ca, ctx.timeout)?;
        Ok(self.lock().entry(key.clone()).or_insert(client).clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ClientKey, Client>> {
        // A panic elsewhere while holding the lock leaves a usable map: recover it.
        self.built.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn build(
    key: &ClientKey,
    ca: Option<Vec<reqwest::Certificate>>,
    timeout: Duration,
) -> Result<Client, String> {
    // reqwest is built without a bundled crypto provider; ring is ours.
    super::tls_config::install_provider();
    let redirects = if key.follow_redirects {
        redirect::Policy::custom(|attempt| {
            if attempt.previous().contains(attempt.url()) {
                let message = format!("redirect loop at {}", attempt.url());
                attempt.error(message)
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
            } else {
                attempt.follow()
            }
        })
    } else {
        redirect::Policy::none()
    };
    let mut builder = Client::builder()
        .user_agent(concat!("triage/", env!("CARGO_PKG_VERSION")))
        .redirect(redirects)
        // A new connection per check: each check measures a real connect, and a run
        // never leans on a connection a previous check left open.
        .pool_max_idle_per_host(0)
        .connect_timeout(timeout)
        .tcp_nodelay(true)
        .tls_info(true)
        .tls_danger_accept_invalid_certs(!key.tls_verify);
    for cert in ca.into_iter().flatten() {
        builder = builder.add_root_certificate(cert);
    }
    builder.build().map_err(|e| format!("http client: {}", cause(&e)))
}

#[cfg(test)]
pub(crate) mod tests {
    //! Loopback servers written for the tests: one minimal HTTP/1.1 answer per connection.

    use std::net::SocketAddr;
    use std::sync::Arc;

    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// How a test server answers one request.
    pub(crate) enum Reply {
        /// Writes these bytes and closes.
        Raw(Vec<u8>),
        /// Writes `head`, then `chunk` `times` times (a large body without holding it).
        Stream { head: Vec<u8>, chunk: Vec<u8>, times: usize },
        /// Waits, then writes the bytes.
        Late(Duration, Vec<u8>),
        /// Reads the request and never answers.
        Silent,
    }

    /// A complete response with `Content-Length` and `Connection: close`.
    pub(crate) fn response(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
        let mut text = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("Connection: close\r\n\r\n");
        text.push_str(body);
        text.into_bytes()
    }

    type Answer = Arc<dyn Fn(&str) -> Reply + Send + Sync>;

    /// Serves plain HTTP on 127.0.0.1:0; `answer` gets the request head.
    pub(crate) async fn serve(
        answer: impl Fn(&str) -> Reply + Send + Sync + 'static,
    ) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let answer: Answer = Arc::new(answer);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(handle(stream, answer.clone()));
            }
        });
        address
    }

    /// Serves HTTPS on 127.0.0.1:0 with the given certificate and key.
    async fn serve_tls(
        config: rustls::ServerConfig,
        answer: impl Fn(&str) -> Reply + Send + Sync + 'static,
    ) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let answer: Answer = Arc::new(answer);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, answer) = (acceptor.clone(), answer.clone());
                tokio::spawn(async move {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        handle(stream, answer).await;
                    }
                });
            }
        });
        address
    }

    async fn handle<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, answer: Answer) {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let reply = answer(&String::from_utf8_lossy(&head));
        let _ = match reply {
            Reply::Raw(bytes) => stream.write_all(&bytes).await,
            Reply::Late(wait, bytes) => {
                tokio::time::sleep(wait).await;
                stream.write_all(&bytes).await
            }
            Reply::Stream { head, chunk, times } => {
                let mut result = stream.write_all(&head).await;
                for _ in 0..times {
                    if result.is_err() {
                        break;
                    }
                    result = stream.write_all(&chunk).await;
                }
                result
            }
            Reply::Silent => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            }
        };
        let _ = stream.shutdown().await;
    }

    /// Serves `200 ok` with keep-alive (many requests per connection) and counts the
    /// connections accepted, so tests see whether the client reuses one.
    async fn serve_keep_alive() -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let mut pending = Vec::new();
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => pending.extend_from_slice(&buf[..n]),
                        }
                        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                            pending.drain(..end + 4);
                            let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                            if stream.write_all(reply).await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        (address, accepted)
    }

    fn probe(url: String) -> Http {
        serde_yaml_ng::from_str(&format!("url: {url}")).unwrap()
    }

    fn quick() -> Context {
        Context { timeout: Duration::from_millis(400), ..Context::default() }
    }

    fn text(seen: &Observation, name: &str) -> String {
        seen.get(name).map(|v| v.to_string()).unwrap_or_default()
    }

    #[tokio::test]
    async fn json_body_status_and_headers() {
        let address = serve(|head| {
            assert!(head.starts_with("GET /health HTTP/1.1"), "{head}");
            assert!(head.to_ascii_lowercase().contains("x-probe: yes"), "{head}");
            Reply::Raw(response(
                "200 OK",
                &[("Content-Type", "application/json"), ("X-Many", "a"), ("X-Many", "b")],
                r#"{"status":"UP","items":[1,2,3]}"#,
            ))
        })
        .await;
        let mut http = probe(format!("http://{address}/health"));
        http.headers.insert("X-Probe".into(), "yes".into());
        let seen = http.observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)));
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert_eq!(seen.get("IP"), Some(&"127.0.0.1".into()));
        assert_eq!(text(&seen, "URL"), format!("http://{address}/health"));
        let body = seen.get("BODY").unwrap().to_json().unwrap();
        assert_eq!(body["status"], "UP");
        assert_eq!(body["items"].as_array().unwrap().len(), 3);
        assert_eq!(seen.get("BODY_TRUNCATED"), Some(&false.into()));
        let headers = seen.get("HEADERS").unwrap().to_json().unwrap();
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["x-many"], "a, b");
        assert!(matches!(seen.get("RESPONSE_TIME"), Some(Value::Duration(_))));
        assert!(seen.get("CERTIFICATE_EXPIRATION").is_none());
    }

    #[tokio::test]
    async fn server_error_is_a_status_not_an_error() {
        let address =
            serve(|_| Reply::Raw(response("500 Internal Server Error", &[], "boom"))).await;
        let seen = probe(format!("http://{address}/")).observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(500)));
        assert_eq!(text(&seen, "BODY"), "boom");
        assert_eq!(Http::DEFAULT_EXPECT, &["[STATUS] < 400"]);
    }

    #[tokio::test]
    async fn every_check_opens_its_own_connection() {
        let (address, accepted) = serve_keep_alive().await;
        let http = probe(format!("http://{address}/"));
        let ctx = Context::default();
        for _ in 0..3 {
            let seen = http.observe(&ctx).await;
            assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)), "{seen:?}");
        }
        // The server would have kept one connection open; the client opened three.
        assert_eq!(accepted.load(std::sync::atomic::Ordering::Relaxed), 3);
        assert_eq!(ctx.http.lock().len(), 1);
    }

    #[tokio::test]
    async fn credentials_are_marked_secret() {
        let address = serve(|_| {
            Reply::Raw(response("200 OK", &[("Set-Cookie", "session=s3cr3t; HttpOnly")], ""))
        })
        .await;
        let mut http = probe(format!("http://admin:hunter2@{address}/"));
        http.headers.insert("Authorization".into(), "Bearer t0ken".into());
        http.headers.insert("Accept".into(), "text/plain".into());
        let seen = http.observe(&Context::default()).await;
        for secret in ["hunter2", "Bearer t0ken", "t0ken", "session=s3cr3t; HttpOnly"] {
            assert!(seen.secrets.iter().any(|s| s == secret), "{secret} not in {:?}", seen.secrets);
        }
        assert!(!seen.secrets.iter().any(|s| s == "text/plain"));
    }

    #[tokio::test]
    async fn method_and_body_are_sent() {
        let address = serve(|head| {
            let ok = head.starts_with("POST /submit")
                && head.to_ascii_lowercase().contains("content-length: 2\r\n");
            Reply::Raw(response(if ok { "201 Created" } else { "400 Bad Request" }, &[], ""))
        })
        .await;
        let mut http = probe(format!("http://{address}/submit"));
        http.method = "post".into();
        http.body = Some("{}".into());
        let seen = http.observe(&Context::default()).await;
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(201)), "{seen:?}");
    }

    #[tokio::test]
    async fn slow_server_times_out_within_the_budget() {
        let address =
            serve(|_| Reply::Late(Duration::from_secs(5), response("200 OK", &[], "late"))).await;
        let started = Instant::now();
        let seen = probe(format!("http://{address}/")).observe(&quick()).await;
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        assert!(seen.error.as_deref().unwrap().contains("timed out"), "{seen:?}");
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        assert!(seen.get("STATUS").is_none());
    }

    #[tokio::test]
    async fn server_that_never_answers_times_out() {
        let address = serve(|_| Reply::Silent).await;
        let started = Instant::now();
        let seen = probe(format!("http://{address}/")).observe(&quick()).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(seen.error.as_deref().unwrap().contains("timed out"), "{seen:?}");
    }

    #[tokio::test]
    async fn refused_port_is_a_result() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let seen = probe(format!("http://{address}/")).observe(&Context::default()).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.unwrap();
        assert!(error.starts_with(&format!("connect to {address}: ")), "{error}");
        assert!(error.contains("refused"), "{error}");
    }

    #[tokio::test]
    async fn redirects_are_followed_bounded_and_loops_end() {
        let address = serve(|head| {
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
            Reply::Raw(match path.as_str() {
                "/start" => response("302 Found", &[("Location", "/final")], ""),
                "/final" => response("200 OK", &[], "arrived"),
                "/loop" => response("302 Found", &[("Location", "/loop")], ""),
                // /chain/N points at /chain/N+1 forever, never repeating a URL.
                p => {
                    let n: u32 = p.trim_start_matches("/chain/").parse().unwrap_or(0);
                    response("302 Found", &[("Location", &format!("/chain/{}", n + 1))], "")
                }
            })
        })
        .await;
        let seen = probe(format!("http://{address}/start")).observe(&Context::default()).await;
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)), "{seen:?}");
        assert_eq!(text(&seen, "URL"), format!("http://{address}/final"));

        let seen = probe(format!("http://{address}/loop")).observe(&Context::default()).await;
        assert!(seen.error.as_deref().unwrap().contains("redirect loop"), "{seen:?}");

        let seen = probe(format!("http://{address}/chain/0")).observe(&Context::default()).await;
        assert!(seen.error.as_deref().unwrap().contains("more than 10 redirects"), "{seen:?}");

        let mut http = probe(format!("http://{address}/start"));
        http.follow_redirects = false;
        let seen = http.observe(&Context::default()).await;
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(302)));
        assert_eq!(seen.get("HEADERS").unwrap().to_json().unwrap()["location"], "/final");
    }

    #[tokio::test]
    async fn huge_body_is_capped() {
        const CHUNK: usize = 64 * 1024;
        const TIMES: usize = 200; // 12.5 MiB
        let address = serve(|_| Reply::Stream {
            head: format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                CHUNK * TIMES
            )
            .into_bytes(),
            chunk: vec![b'x'; CHUNK],
            times: TIMES,
        })
        .await;
        let ctx = Context { max_bytes: 100_000, ..Context::default() };
        let seen = probe(format!("http://{address}/")).observe(&ctx).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("BODY_BYTES"), Some(&Value::Int(100_000)));
        assert_eq!(seen.get("BODY_TRUNCATED"), Some(&true.into()));
        assert_eq!(text(&seen, "BODY").len(), 100_000);
        assert!(seen.notes.iter().any(|n| n.contains("cut at 100000 bytes")), "{seen:?}");
    }

    /// A CA and a leaf for 127.0.0.1 signed by it, valid until 2099-01-01.
    struct Pki {
        ca_pem: String,
        server: rustls::ServerConfig,
    }

    fn pki() -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "triage test ca");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let mut leaf_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        leaf_params.not_after = rcgen::date_time_ymd(2099, 1, 1);
        let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
        let key = rustls::pki_types::PrivatePkcs8KeyDer::from(leaf_key.serialize_der());
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key.into())
        .unwrap();
        Pki { ca_pem: ca_cert.pem(), server }
    }

    #[tokio::test]
    async fn https_verification_ca_file_and_expiry() {
        let Pki { ca_pem, server } = pki();
        let address = serve_tls(server, |_| Reply::Raw(response("200 OK", &[], "secure"))).await;
        let url = format!("https://{address}/");
        let ctx = Context::default();

        let seen = probe(url.clone()).observe(&ctx).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.clone().unwrap();
        assert!(error.contains("certificate"), "{error}");

        let mut insecure = probe(url.clone());
        insecure.tls_verify = false;
        let seen = insecure.observe(&ctx).await;
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)), "{seen:?}");
        assert_eq!(text(&seen, "BODY"), "secure");

        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, &ca_pem).unwrap();
        let mut trusted = probe(url.clone());
        trusted.ca_file = Some(ca_file);
        let seen = trusted.observe(&ctx).await;
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)), "{seen:?}");

        let expiry: jiff::Timestamp = "2099-01-01T00:00:00Z".parse().unwrap();
        let expected = expiry.as_second() - jiff::Timestamp::now().as_second();
        let Some(Value::Duration(left)) = seen.get("CERTIFICATE_EXPIRATION") else {
            panic!("no certificate expiration: {seen:?}");
        };
        assert!((left.as_secs() as i64 - expected).abs() < 120, "{left:?} vs {expected}s");

        // Three settings were used, so three clients were built; reuse adds none.
        trusted.observe(&ctx).await;
        assert_eq!(ctx.http.lock().len(), 3);
    }

    #[tokio::test]
    async fn unreadable_ca_file_is_reported() {
        let mut http = probe("https://127.0.0.1:1/".into());
        http.ca_file = Some("/nonexistent/ca.pem".into());
        let seen = http.observe(&Context::default()).await;
        assert!(seen.error.unwrap().starts_with("ca_file /nonexistent/ca.pem: "));
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        http.ca_file = Some(empty);
        let seen = http.observe(&Context::default()).await;
        assert!(seen.error.unwrap().contains("no PEM certificate"));
    }

    #[test]
    fn yaml_form_and_defaults() {
        let probe: crate::Probe = serde_yaml_ng::from_str(
            "kind: http\nurl: https://localhost/health\nheaders:\n  Accept: application/json\n",
        )
        .unwrap();
        let crate::Probe::Http(http) = probe else { panic!("not http") };
        assert_eq!(http.method, "GET");
        assert!(http.follow_redirects && http.tls_verify);
        assert_eq!(http.headers["Accept"], "application/json");
        assert_eq!(http.target(), "GET https://localhost/health");
        let error =
            serde_yaml_ng::from_str::<crate::Probe>("kind: http\nurl: http://x\nverify: no\n")
                .unwrap_err()
                .to_string();
        assert!(error.contains("unknown field `verify`"), "{error}");
    }

    #[test]
    fn validates_fields() {
        assert!(probe("http://localhost:8080/x".into()).validate().is_ok());
        let error = probe("localhost:8080".into()).validate().unwrap_err();
        assert!(error.contains("not http or https"), "{error}");
        assert!(probe("file:///etc/passwd".into()).validate().unwrap_err().contains("`file`"));
        assert!(probe("not a url".into()).validate().unwrap_err().contains("`not a url`"));
        let mut bad_method = probe("http://localhost/".into());
        bad_method.method = "GE T".into();
        assert!(bad_method.validate().unwrap_err().contains("method `GE T`"));
        let mut bad_header = probe("http://localhost/".into());
        bad_header.headers.insert("bad header".into(), "x".into());
        assert!(bad_header.validate().unwrap_err().contains("`bad header`"));
    }

    /// Throughput with a new connection per check, on one client core. Run with
    /// `cargo test -p triage-probe --release -- --ignored --nocapture http_throughput`.
    #[test]
    #[ignore = "benchmark: run in release mode"]
    fn http_throughput() {
        use futures::StreamExt;
        const CHECKS: usize = 20_000;
        // The server gets its own thread and runtime so the client's core is its own.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                // Keep-alive: a new connection per check is the client's doing.
                let (address, accepted) = serve_keep_alive().await;
                tx.send((address, accepted)).unwrap();
                std::future::pending::<()>().await;
            });
        });
        let (address, accepted) = rx.recv().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let ctx = Context::default();
            let http = probe(format!("http://{address}/"));
            http.observe(&ctx).await; // builds the client
            let started = Instant::now();
            let ok = futures::stream::iter(0..CHECKS)
                .map(|_| http.observe(&ctx))
                .buffer_unordered(256)
                .filter(|seen| std::future::ready(seen.get("STATUS") == Some(&Value::Int(200))))
                .count()
                .await;
            let elapsed = started.elapsed();
            println!(
                "{ok}/{CHECKS} checks ok in {elapsed:?}: {:.0} checks/s on one client core",
                CHECKS as f64 / elapsed.as_secs_f64()
            );
            assert_eq!(ok, CHECKS);
            assert_eq!(accepted.load(std::sync::atomic::Ordering::Relaxed), CHECKS + 1);
        });
    }
}

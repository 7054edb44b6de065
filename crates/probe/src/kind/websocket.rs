//! `kind: websocket`: does a WebSocket endpoint accept a connection, and answer?
//!
//! Opens a `ws://` or `wss://` connection, completes the WebSocket handshake, optionally
//! sends one text message and waits for a message (the reply, or what the server pushes),
//! then closes the connection cleanly. This replaces `wscat -c URL` in a guide. The probe
//! sends nothing but the handshake and the one `send` message a check names.
//!
//! # Fields
//!
//! | field | default | meaning |
//! | --- | --- | --- |
//! | `url` | required | `ws://` or `wss://` URL; `user:password@` sends basic auth, the password is never shown |
//! | `headers` | none | map of handshake header names to values (`Origin`, `Sec-WebSocket-Protocol`...; values of secret-looking names are masked) |
//! | `token_env` | none | environment variable holding a bearer token sent as `Authorization: Bearer` (masked) |
//! | `send` | none | text message sent once connected |
//! | `reply` | none | regex a received message must match; messages that do not match are skipped until one does or the wait ends |
//! | `receive` | `true` when `send` or `reply` is given | wait for a message (set `true` for servers that push without being asked) |
//! | `wait` | the rest of the probe timeout | how long to wait for that message, e.g. `2s` |
//! | `tls_verify` | `true` | `wss`: verify the server certificate (`false` accepts any) |
//! | `ca_file` | none | `wss`: PEM file of extra CA certificates trusted besides the system roots |
//!
//! Connect, TLS and handshake are bounded by the run's probe timeout; a message is read
//! up to the run's byte cap (`max_bytes`), a longer one is an error.
//!
//! # Placeholders
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[CONNECTED]` | `true` when the WebSocket handshake completed |
//! | `[STATUS]` | HTTP status of the handshake: `101`, or the refusal (`401`, `404`...) |
//! | `[RESPONSE_TIME]` | time to connect and complete the handshake, in ms |
//! | `[PROTOCOL]` | subprotocol the server chose (`Sec-WebSocket-Protocol`), empty if none |
//! | `[MESSAGE]` | the message received: the first, or the first matching `reply` (the last seen when none matched) |
//! | `[MESSAGES]` | data messages received while waiting |
//! | `[REPLY_TIME]` | time from sending (or from the handshake) to `[MESSAGE]`, in ms |
//! | `[MATCHED]` | with `reply`: `true` when a message matched |
//!
//! Without `expect:`, a check passes when `[CONNECTED] == true`. A wait that ends without
//! any message is the check's error; a wait whose messages all missed `reply` is not
//! (`[MATCHED]` is `false`).
//!
//! # Example
//!
//! ```yaml
//! kind: websocket
//! url: ws://localhost:8080/ws/vms/tenant-123
//! headers:
//!   Origin: http://localhost:8080
//! send: '{"type":"ping"}'
//! reply: '"type":\s*"pong"'
//! wait: 2s
//! expect:
//!   - "[CONNECTED] == true"
//!   - "[MATCHED] == true"
//!   - "[REPLY_TIME] < 500"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use futures::{SinkExt, StreamExt};
use regex::Regex;
use reqwest::Url;
use rustls::pki_types::ServerName;
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use triage_core::Observation;

use super::{api, credentials};
use crate::{Context, Kind};

/// How long the closing handshake may take once the probe has what it came for.
const CLOSE_GRACE: Duration = Duration::from_millis(500);

/// Connects to a WebSocket endpoint, optionally sends a message and waits for one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Websocket {
    /// `ws://` or `wss://` URL.
    pub url: String,
    /// Handshake headers. Default: none.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Variable holding a bearer token. Default: none.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Text message sent once connected. Default: none.
    #[serde(default)]
    pub send: Option<String>,
    /// Regex a received message must match. Default: none.
    #[serde(default)]
    pub reply: Option<String>,
    /// Waits for a message. Default: `true` when `send` or `reply` is given.
    #[serde(default)]
    pub receive: Option<bool>,
    /// How long to wait for the message. Default: the rest of the probe timeout.
    #[serde(default, with = "triage_core::duration::option")]
    pub wait: Option<Duration>,
    /// `wss`: verifies the server certificate. Default: `true`.
    #[serde(default = "yes")]
    pub tls_verify: bool,
    /// `wss`: PEM file of CA certificates trusted besides the system roots. Default: none.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The TLS settings, built on the first `wss` attempt (system roots take milliseconds
    /// to load).
    #[serde(skip)]
    tls: OnceLock<Arc<rustls::ClientConfig>>,
}

fn yes() -> bool {
    true
}

/// Where to connect, taken apart from the URL.
struct Endpoint {
    /// The URL without `user:password@`, as sent in the handshake.
    url: Url,
    host: String,
    port: u16,
    secure: bool,
    /// `user:password` from the URL, sent as basic auth.
    basic: Option<String>,
}

impl Websocket {
    fn endpoint(&self) -> Result<Endpoint, String> {
        let mut url = Url::parse(&self.url)
            .map_err(|e| format!("url `{}`: {e}", credentials::mask_url(&self.url)))?;
        let secure = match url.scheme() {
            "ws" => false,
            "wss" => true,
            other => {
                return Err(format!(
                    "url `{}` has scheme `{other}`, not ws or wss",
                    api::masked(&url)
                ));
            }
        };
        let host = match url.host_str() {
            // An IPv6 literal comes bracketed; connecting and SNI want it bare.
            Some(host) if !host.is_empty() => host.trim_matches(['[', ']']).to_owned(),
            _ => return Err(format!("url `{}` has no host", api::masked(&url))),
        };
        let port = url.port_or_known_default().unwrap_or(if secure { 443 } else { 80 });
        let basic = (!url.username().is_empty() || url.password().is_some())
            .then(|| format!("{}:{}", url.username(), url.password().unwrap_or_default()));
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Ok(Endpoint { url, host, port, secure, basic })
    }

    fn reply(&self) -> Result<Option<Regex>, String> {
        self.reply
            .as_deref()
            .map(|pattern| Regex::new(pattern).map_err(|e| format!("reply `{pattern}`: {e}")))
            .transpose()
    }

    fn receives(&self) -> bool {
        self.receive.unwrap_or(self.send.is_some() || self.reply.is_some())
    }

    /// The handshake request with the check's headers and credentials.
    fn request(
        &self,
        endpoint: &Endpoint,
        token: Option<&str>,
    ) -> Result<tungstenite::handshake::client::Request, String> {
        let mut request = endpoint
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| format!("url `{}`: {}", endpoint.url, api::cause(&e)))?;
        let headers = request.headers_mut();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("header name `{name}` is not valid"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("header `{name}` has a value that is not valid"))?;
            headers.insert(name, value);
        }
        let authorization = match (token, &endpoint.basic) {
            (Some(token), _) => Some(format!("Bearer {token}")),
            (None, Some(basic)) => {
                Some(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(basic)))
            }
            (None, None) => None,
        };
        if let Some(authorization) = authorization {
            let value = HeaderValue::from_str(&authorization)
                .map_err(|_| "the credentials are not valid in a header".to_owned())?;
            headers.insert("authorization", value);
        }
        Ok(request)
    }

    async fn tls_config(&self, ctx: &Context) -> Result<Arc<rustls::ClientConfig>, String> {
        if let Some(config) = self.tls.get() {
            return Ok(config.clone());
        }
        let config = Arc::new(tls_config(self.tls_verify, self.ca_file.as_deref(), ctx).await?);
        Ok(self.tls.get_or_init(|| config).clone())
    }
}

impl Kind for Websocket {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("CONNECTED", "true when the WebSocket handshake completed"),
        ("STATUS", "HTTP status of the handshake: 101, or the refusal"),
        ("RESPONSE_TIME", "time to connect and complete the handshake, in ms"),
        ("PROTOCOL", "subprotocol the server chose, empty if none"),
        ("MESSAGE", "the message received: the first, or the first matching reply"),
        ("MESSAGES", "data messages received while waiting"),
        ("REPLY_TIME", "time from sending (or the handshake) to the message, in ms"),
        ("MATCHED", "with reply: true when a message matched"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[CONNECTED] == true"];

    fn target(&self) -> String {
        match Url::parse(&self.url) {
            Ok(url) => format!("websocket {}", api::masked(&url)),
            Err(_) => format!("websocket {}", self.url),
        }
    }

    fn validate(&self) -> Result<(), String> {
        let endpoint = self.endpoint()?;
        self.reply()?;
        self.request(&endpoint, None)?;
        if self.receive == Some(false) && self.reply.is_some() {
            return Err("`reply` needs `receive` (a reply cannot match without waiting)".into());
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let mut seen = Observation::default();
        credentials::header_secrets(&self.headers, &mut seen);
        if let Ok(url) = Url::parse(&self.url) {
            credentials::url_secrets(&url, &mut seen);
        }
        if let Err(e) = self.connect(ctx, &mut seen).await {
            if seen.get("CONNECTED").is_none() {
                seen.set("CONNECTED", false);
            }
            api::fail(&mut seen, e);
        }
        seen
    }
}

impl Websocket {
    /// Connects (TCP, then TLS for `wss`) within the probe timeout and runs the session.
    async fn connect(&self, ctx: &Context, seen: &mut Observation) -> Result<(), String> {
        let endpoint = self.endpoint()?;
        let reply = self.reply()?;
        let token = credentials::bearer_token(self.token_env.as_deref(), seen)?;
        let request = self.request(&endpoint, token.as_deref())?;
        let started = Instant::now();
        let address = format!("{}:{}", endpoint.host, endpoint.port);
        let timed_out = || format!("connect to {address}: timed out after {:?}", ctx.timeout);
        let tcp =
            tokio::time::timeout(ctx.timeout, TcpStream::connect((&*endpoint.host, endpoint.port)))
                .await
                .map_err(|_| timed_out())?
                .map_err(|e| format!("connect to {address}: {}", api::cause(&e)))?;
        let _ = tcp.set_nodelay(true);
        let session = Session { probe: self, ctx, reply: reply.as_ref(), started };
        if !endpoint.secure {
            return session.run(tcp, request, seen).await;
        }
        let config = self.tls_config(ctx).await?;
        let name = ServerName::try_from(endpoint.host.clone())
            .map_err(|_| format!("host `{}` is not a valid tls server name", endpoint.host))?;
        let left = ctx.timeout.saturating_sub(started.elapsed());
        let tls =
            tokio::time::timeout(left, tokio_rustls::TlsConnector::from(config).connect(name, tcp))
                .await
                .map_err(|_| {
                    format!("tls handshake with {address}: timed out after {:?}", ctx.timeout)
                })?
                .map_err(|e| format!("tls handshake with {address}: {}", api::cause(&e)))?;
        session.run(tls, request, seen).await
    }
}

/// One connection's exchange, over plain TCP or TLS.
struct Session<'a> {
    probe: &'a Websocket,
    ctx: &'a Context,
    reply: Option<&'a Regex>,
    /// When the connect began: every wait is bounded from here.
    started: Instant,
}

impl Session<'_> {
    async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        stream: S,
        request: tungstenite::handshake::client::Request,
        seen: &mut Observation,
    ) -> Result<(), String> {
        let cap = self.ctx.max_bytes;
        let config =
            WebSocketConfig::default().max_message_size(Some(cap)).max_frame_size(Some(cap));
        let left = self.ctx.timeout.saturating_sub(self.started.elapsed());
        let handshake = tokio_tungstenite::client_async_with_config(request, stream, Some(config));
        let (mut socket, response) = match tokio::time::timeout(left, handshake).await {
            Err(_) => {
                return Err(format!("websocket handshake: timed out after {:?}", self.ctx.timeout));
            }
            Ok(Err(tungstenite::Error::Http(response))) => {
                seen.set("STATUS", i64::from(response.status().as_u16()));
                return Err(format!("websocket handshake refused: http {}", response.status()));
            }
            Ok(Err(e)) => return Err(format!("websocket handshake: {}", api::cause(&e))),
            Ok(Ok(pair)) => pair,
        };
        let protocol = response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        seen.set("CONNECTED", true)
            .set("STATUS", i64::from(response.status().as_u16()))
            .set("RESPONSE_TIME", self.started.elapsed())
            .set("PROTOCOL", protocol);

        let mut outcome = Ok(());
        let mut from = Instant::now();
        if let Some(text) = &self.probe.send {
            from = Instant::now();
            if let Err(e) = socket.send(Message::text(text.as_str())).await {
                outcome = Err(format!("sending the message: {}", api::cause(&e)));
            }
        }
        if outcome.is_ok() && self.probe.receives() {
            outcome = self.receive(&mut socket, from, seen).await;
        }
        // Leave politely: a close frame, bounded; the server's manners are not our problem.
        let _ = tokio::time::timeout(CLOSE_GRACE, socket.close(None)).await;
        outcome
    }

    /// Reads until a message arrives (one matching `reply`, when given) or the wait ends.
    async fn receive<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        socket: &mut tokio_tungstenite::WebSocketStream<S>,
        from: Instant,
        seen: &mut Observation,
    ) -> Result<(), String> {
        let left = self.ctx.timeout.saturating_sub(self.started.elapsed());
        let wait = self.probe.wait.map_or(left, |wait| wait.min(left));
        let deadline = tokio::time::Instant::now() + wait;
        let mut count = 0u64;
        let mut last: Option<String> = None;
        let ended = loop {
            let next = match tokio::time::timeout_at(deadline, socket.next()).await {
                Err(_) => break None,
                Ok(next) => next,
            };
            let text = match next {
                Some(Ok(Message::Text(text))) => text.as_str().to_owned(),
                Some(Ok(Message::Binary(bytes))) => {
                    seen.note(format!("binary message of {} bytes", bytes.len()));
                    String::from_utf8_lossy(&bytes).into_owned()
                }
                Some(Ok(Message::Close(frame))) => {
                    break Some(match frame {
                        Some(frame) => format!(
                            "the server closed the connection: {} {}",
                            u16::from(frame.code),
                            frame.reason
                        ),
                        None => "the server closed the connection".to_owned(),
                    });
                }
                Some(Ok(_)) => continue, // ping, pong: tungstenite answers pings itself
                Some(Err(tungstenite::Error::Capacity(_))) => {
                    break Some(format!(
                        "a message is longer than max_bytes ({} bytes)",
                        self.ctx.max_bytes
                    ));
                }
                Some(Err(e)) => break Some(format!("reading a message: {}", api::cause(&e))),
                None => break Some("the server closed the connection".to_owned()),
            };
            count += 1;
            let matched = self.reply.is_none_or(|reply| reply.is_match(&text));
            if matched {
                seen.set("MESSAGE", text).set("REPLY_TIME", from.elapsed());
                if self.reply.is_some() {
                    seen.set("MATCHED", true);
                }
                seen.set("MESSAGES", count);
                return Ok(());
            }
            last = Some(text);
        };
        seen.set("MESSAGES", count);
        if let Some(reply) = self.reply {
            seen.set("MATCHED", false);
            if let Some(last) = last {
                seen.note(format!("{count} message(s), none matched `{reply}`"));
                seen.set("MESSAGE", last);
                return ended.map_or(Ok(()), |why| {
                    seen.note(why);
                    Ok(())
                });
            }
        }
        Err(ended.unwrap_or_else(|| format!("no message within {wait:?}")))
    }
}

/// The TLS settings of `wss://`: the system's roots and `ca_file`, or with `tls_verify:
/// false` any certificate (the handshake's signatures still checked, so the connection is
/// TLS with an unknown peer rather than no TLS).
async fn tls_config(
    verify: bool,
    ca_file: Option<&std::path::Path>,
    ctx: &Context,
) -> Result<rustls::ClientConfig, String> {
    use crate::kind::tls_config as trust;
    if !verify {
        return Ok(trust::accept_any());
    }
    // Loading reads a few hundred files: keep it off the runtime's threads. With a
    // `ca_file`, a system without roots of its own is no problem.
    let system = tokio::task::spawn_blocking(trust::system_roots)
        .await
        .map_err(|e| format!("loading the system's trusted certificates: {e}"))?;
    let mut roots = match (system, ca_file) {
        (Ok(roots), _) => (*roots).clone(),
        (Err(_), Some(_)) => rustls::RootCertStore::empty(),
        (Err(e), None) => return Err(e),
    };
    if let Some(path) = ca_file {
        let pem = trust::read_capped_async(path, ctx.max_bytes, "ca_file").await?;
        trust::add_ca_file(&mut roots, path, &pem)?;
    }
    trust::verified(Arc::new(roots), true)
}

#[cfg(test)]
mod tests;

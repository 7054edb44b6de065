//! Tests of `kind: websocket` against WebSocket servers on 127.0.0.1:0 (plain and TLS).

use std::net::SocketAddr;

use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use triage_core::Value;

use super::*;

/// What the test server does, by request path.
// tungstenite's callback signature fixes the large error type.
#[allow(clippy::result_large_err)]
async fn session<S: AsyncRead + AsyncWrite + Unpin>(stream: S) {
    let mut path = String::new();
    let callback = |request: &Request, mut response: Response| {
        path = request.uri().path().to_owned();
        let auth = request.headers().get("authorization").and_then(|v| v.to_str().ok());
        let basic =
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("app:pa55word"));
        if path == "/private" && auth != Some("Bearer triage-probe") && auth != Some(basic.as_str())
        {
            let mut refusal = ErrorResponse::new(Some("no".into()));
            *refusal.status_mut() = tungstenite::http::StatusCode::UNAUTHORIZED;
            return Err(refusal);
        }
        if request.headers().get("sec-websocket-protocol").is_some() {
            response
                .headers_mut()
                .insert("sec-websocket-protocol", HeaderValue::from_static("graphql-ws"));
        }
        Ok(response)
    };
    let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    match path.as_str() {
        "/push" => {
            let _ = socket.send(Message::text("hello")).await;
        }
        "/close" => {
            let frame = CloseFrame { code: CloseCode::Policy, reason: "policy violation".into() };
            let _ = socket.send(Message::Close(Some(frame))).await;
        }
        "/big" => {
            let _ = socket.send(Message::text("x".repeat(5000))).await;
        }
        _ => {}
    }
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else { continue };
        if path == "/silent" {
            continue;
        }
        if text.as_str() == "many" {
            for noise in ["noise 1", "noise 2", "wanted"] {
                let _ = socket.send(Message::text(noise)).await;
            }
        } else {
            let _ = socket.send(Message::text(format!("echo: {text}"))).await;
        }
    }
}

async fn server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(session(stream));
        }
    });
    address
}

/// A CA (PEM) and a TLS server for 127.0.0.1 whose leaf it signed.
async fn tls_server() -> (SocketAddr, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "triage websocket test ca");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(leaf_key.serialize_der());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key.into())
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(stream) = acceptor.accept(stream).await {
                    session(stream).await;
                }
            });
        }
    });
    (address, ca_cert.pem())
}

fn probe(yaml: &str) -> Websocket {
    let probe: Websocket = serde_yaml_ng::from_str(yaml).unwrap();
    probe.validate().unwrap();
    probe
}

fn text(seen: &Observation, name: &str) -> String {
    seen.get(name).map(|v| v.to_string()).unwrap_or_default()
}

#[tokio::test]
async fn sends_and_binds_the_reply() {
    let address = server().await;
    let seen =
        probe(&format!("url: ws://{address}/echo\nsend: ping")).observe(&Context::default()).await;
    assert!(seen.error.is_none(), "{seen:?}");
    assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
    assert_eq!(seen.get("STATUS"), Some(&Value::Int(101)));
    assert_eq!(text(&seen, "MESSAGE"), "echo: ping");
    assert_eq!(seen.get("MESSAGES"), Some(&Value::Int(1)));
    assert_eq!(text(&seen, "PROTOCOL"), "");
    assert!(matches!(seen.get("REPLY_TIME"), Some(Value::Duration(_))));
    assert!(matches!(seen.get("RESPONSE_TIME"), Some(Value::Duration(_))));
    assert!(seen.get("MATCHED").is_none());
}

#[tokio::test]
async fn reply_pattern_skips_other_messages() {
    let address = server().await;
    let url = format!("ws://{address}/echo");
    let seen = probe(&format!("url: {url}\nsend: many\nreply: '^wanted$'"))
        .observe(&Context::default())
        .await;
    assert!(seen.error.is_none(), "{seen:?}");
    assert_eq!(seen.get("MATCHED"), Some(&true.into()));
    assert_eq!(text(&seen, "MESSAGE"), "wanted");
    assert_eq!(seen.get("MESSAGES"), Some(&Value::Int(3)));

    let started = Instant::now();
    let seen = probe(&format!("url: {url}\nsend: ping\nreply: '^nope'\nwait: 300ms"))
        .observe(&Context::default())
        .await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(seen.error.is_none(), "{seen:?}");
    assert_eq!(seen.get("MATCHED"), Some(&false.into()));
    assert_eq!(text(&seen, "MESSAGE"), "echo: ping");
    assert!(seen.notes.iter().any(|n| n == "1 message(s), none matched `^nope`"), "{seen:?}");
}

#[tokio::test]
async fn pushed_messages_silence_and_close() {
    let address = server().await;
    let ctx = Context::default();
    let seen = probe(&format!("url: ws://{address}/push\nreceive: true")).observe(&ctx).await;
    assert_eq!(text(&seen, "MESSAGE"), "hello", "{seen:?}");
    let seen = probe(&format!("url: ws://{address}/push")).observe(&ctx).await;
    assert!(seen.error.is_none() && seen.get("MESSAGE").is_none(), "{seen:?}");
    assert_eq!(seen.get("CONNECTED"), Some(&true.into()));

    let seen =
        probe(&format!("url: ws://{address}/silent\nsend: hi\nwait: 200ms")).observe(&ctx).await;
    assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
    assert_eq!(seen.error.as_deref(), Some("no message within 200ms"));
    assert_eq!(seen.get("MESSAGES"), Some(&Value::Int(0)));

    let seen = probe(&format!("url: ws://{address}/close\nreceive: true")).observe(&ctx).await;
    assert_eq!(
        seen.error.as_deref(),
        Some("the server closed the connection: 1008 policy violation")
    );

    let small = Context { max_bytes: 1000, ..Context::default() };
    let seen = probe(&format!("url: ws://{address}/big\nreceive: true")).observe(&small).await;
    assert_eq!(seen.error.as_deref(), Some("a message is longer than max_bytes (1000 bytes)"));
}

#[tokio::test]
async fn refusals_credentials_and_subprotocols() {
    let address = server().await;
    let ctx = Context::default();
    let seen = probe(&format!("url: ws://{address}/private")).observe(&ctx).await;
    assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
    assert_eq!(seen.get("STATUS"), Some(&Value::Int(401)));
    assert_eq!(seen.error.as_deref(), Some("websocket handshake refused: http 401 Unauthorized"));

    let seen = probe(&format!("url: ws://app:pa55word@{address}/private")).observe(&ctx).await;
    assert!(seen.error.is_none(), "{seen:?}");
    assert_eq!(seen.secrets, ["pa55word"]);
    // Cargo sets CARGO_PKG_NAME=triage-probe for the test process: a token we know.
    let seen = probe(&format!("url: ws://{address}/private\ntoken_env: CARGO_PKG_NAME"))
        .observe(&ctx)
        .await;
    assert!(seen.error.is_none(), "{seen:?}");
    assert_eq!(seen.secrets, ["triage-probe"]);

    let seen = probe(&format!(
        "url: ws://{address}/echo\nheaders:\n  Sec-WebSocket-Protocol: graphql-ws\n"
    ))
    .observe(&ctx)
    .await;
    assert_eq!(text(&seen, "PROTOCOL"), "graphql-ws", "{seen:?}");
}

#[tokio::test]
async fn refused_and_silent_servers_are_results() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let seen =
        probe(&format!("url: ws://app:pa55word@{address}/")).observe(&Context::default()).await;
    assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
    let error = seen.error.unwrap();
    assert!(error.starts_with(&format!("connect to {address}: connection refused")), "{error}");

    // Accepts the connection and never answers the handshake.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let quick = Context { timeout: Duration::from_millis(300), ..Context::default() };
    let started = Instant::now();
    let seen = probe(&format!("url: ws://{address}/")).observe(&quick).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(seen.error.as_deref(), Some("websocket handshake: timed out after 300ms"));
}

#[tokio::test]
async fn wss_verification_ca_file_and_insecure() {
    let (address, ca_pem) = tls_server().await;
    let url = format!("wss://{address}/echo");
    let ctx = Context::default();
    let seen = probe(&format!("url: {url}\nsend: hi")).observe(&ctx).await;
    assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
    let error = seen.error.unwrap();
    assert!(error.starts_with(&format!("tls handshake with {address}: ")), "{error}");
    assert!(error.contains("certificate"), "{error}");

    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let trusted = probe(&format!("url: {url}\nsend: hi\nca_file: {}", ca_file.display()));
    let seen = trusted.observe(&ctx).await;
    assert_eq!(text(&seen, "MESSAGE"), "echo: hi", "{seen:?}");
    assert!(trusted.tls.get().is_some(), "tls settings are kept for the next attempt");

    let seen = probe(&format!("url: {url}\nsend: hi\ntls_verify: false")).observe(&ctx).await;
    assert_eq!(text(&seen, "MESSAGE"), "echo: hi", "{seen:?}");

    let seen = probe(&format!("url: {url}\nca_file: /nonexistent/ca.pem")).observe(&ctx).await;
    assert!(seen.error.unwrap().starts_with("ca_file /nonexistent/ca.pem: "));
}

#[test]
fn yaml_form_validation_and_target() {
    let parsed: crate::Probe = serde_yaml_ng::from_str(
        "kind: websocket\nurl: ws://localhost:8080/ws\nsend: hi\nwait: 2s\n",
    )
    .unwrap();
    let crate::Probe::Websocket(ws) = parsed else { panic!("not websocket") };
    assert_eq!(ws.wait, Some(Duration::from_secs(2)));
    assert!(ws.receives() && ws.tls_verify);
    assert_eq!(ws.target(), "websocket ws://localhost:8080/ws");
    let error =
        serde_yaml_ng::from_str::<crate::Probe>("kind: websocket\nurl: ws://x\nmessage: hi\n")
            .unwrap_err()
            .to_string();
    assert!(error.contains("unknown field `message`"), "{error}");

    let invalid =
        |yaml: &str| serde_yaml_ng::from_str::<Websocket>(yaml).unwrap().validate().unwrap_err();
    assert_eq!(invalid("url: http://x/"), "url `http://x/` has scheme `http`, not ws or wss");
    assert!(invalid("url: ws://x\nreply: '('").starts_with("reply `(`: "));
    assert!(invalid("url: ws://x\nreply: a\nreceive: false").contains("needs `receive`"));
    assert_eq!(
        invalid("url: ws://x\nheaders:\n  'bad name': x"),
        "header name `bad name` is not valid"
    );
    let shown =
        serde_yaml_ng::from_str::<Websocket>("url: wss://u:hunter22@h/ws").unwrap().target();
    assert_eq!(shown, "websocket wss://u:[REDACTED]@h/ws");
}

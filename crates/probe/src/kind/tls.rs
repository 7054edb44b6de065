//! `kind: tls`: is a certificate good: in date, for this name, from a trusted CA, and
//! does its key belong to it?
//!
//! Two modes. With `address`, it performs a TLS handshake (SNI from `server_name`,
//! default the host of `address`) that accepts any certificate, then checks what the
//! server presented itself, so a bad certificate is a result (`[CHAIN_VALID] == false`
//! and why) rather than a refused handshake: what `openssl s_client -connect` shows.
//! With `cert_file` it reads certificates on disk (PEM or DER), checks `key_file`
//! against the certificate (`[KEY_MATCHES]`, what comparing `openssl x509 -modulus`
//! with `openssl rsa -modulus` answers) and the chain against `ca_file`.
//!
//! The chain is verified against `ca_file` when given, otherwise against the system's
//! trusted roots; validity dates are part of chain validation, the host name is checked
//! on its own. Nothing is sent after the handshake; the private key is only parsed.
//!
//! Fields:
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `address` | `host:port` to handshake with | one of `address`, `cert_file` |
//! | `server_name` | name sent as SNI and checked against the certificate | the host of `address`; in file mode, none (no `[HOSTNAME_VALID]`) |
//! | `cert_file` | PEM (leaf first, then intermediates) or DER certificate file | none |
//! | `key_file` | PEM private key (PKCS#8, PKCS#1 or SEC1) to match against `cert_file` | none |
//! | `ca_file` | PEM bundle of trusted CA certificates | the system's roots |
//! | `connect_timeout` | connect plus handshake timeout | the check's timeout |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[CONNECTED]` | address mode: `true` when the TLS handshake completed |
//! | `[RESPONSE_TIME]` | address mode: time to connect and handshake, in ms |
//! | `[PROTOCOL]` | address mode: negotiated version, `TLSv1.3` or `TLSv1.2` |
//! | `[CIPHER]` | address mode: negotiated cipher suite, e.g. `TLS13_AES_256_GCM_SHA384` |
//! | `[CERTIFICATE_EXPIRATION]` | time left until the leaf's `notAfter` (0 when expired) |
//! | `[DAYS_LEFT]` | whole days until `notAfter`, negative once expired |
//! | `[EXPIRED]` | `true` when `notAfter` is past |
//! | `[NOT_AFTER]` | `notAfter` in RFC 3339, e.g. `2026-03-01T00:00:00Z` |
//! | `[SUBJECT]` | leaf subject, e.g. `CN=api.example.com, O=Example` |
//! | `[ISSUER]` | leaf issuer |
//! | `[SANS]` | subject alternative names (DNS names and IPs), a JSON list |
//! | `[SELF_SIGNED]` | `true` when the leaf's issuer is its subject |
//! | `[CHAIN_LENGTH]` | certificates presented (or in `cert_file`), leaf included |
//! | `[CHAIN_VALID]` | `true` when the chain leads to a trusted root, in date, for server use |
//! | `[HOSTNAME_VALID]` | `true` when the leaf is valid for `server_name` |
//! | `[KEY_MATCHES]` | file mode with `key_file`: `true` when the key is the certificate's |
//!
//! Default expectation: `[CHAIN_VALID] == true`.
//!
//! ```yaml
//! name: api certificate is valid for a while
//! kind: tls
//! address: ${API_HOST}:443
//! expect:
//!   - "[CHAIN_VALID] == true"
//!   - "[HOSTNAME_VALID] == true"
//!   - "[CERTIFICATE_EXPIRATION] > 168h"
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::sign::CertifiedKey;
use rustls::{Error as TlsError, RootCertStore};
use serde::Deserialize;
use tokio::net::TcpStream;
use triage_core::{Observation, Value};
use x509_parser::extensions::GeneralName;

use super::tls_config::{self, ca_roots, lower, provider, read_capped, system_roots};

use crate::{Context, Kind};

/// Checks a certificate, presented by a server at `address` or read from `cert_file`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// `host:port` to handshake with. Either this or `cert_file`.
    pub address: Option<String>,
    /// Name sent as SNI and checked against the certificate. Default: the host of
    /// `address`; in file mode, none.
    pub server_name: Option<String>,
    /// Certificate file (PEM, leaf first; or DER). Either this or `address`.
    pub cert_file: Option<PathBuf>,
    /// PEM private key to match against `cert_file`. Default: none.
    pub key_file: Option<PathBuf>,
    /// PEM bundle of trusted CAs. Default: the system's roots.
    pub ca_file: Option<PathBuf>,
    /// Connect plus handshake timeout. Default: the run's probe timeout.
    #[serde(default, with = "triage_core::duration::option")]
    pub connect_timeout: Option<Duration>,
}

impl Kind for Tls {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("CONNECTED", "address mode: true when the TLS handshake completed"),
        ("RESPONSE_TIME", "address mode: time to connect and handshake, in ms"),
        ("PROTOCOL", "address mode: negotiated TLS version, e.g. TLSv1.3"),
        ("CIPHER", "address mode: negotiated cipher suite"),
        ("CERTIFICATE_EXPIRATION", "time left until the certificate expires (0 when expired)"),
        ("DAYS_LEFT", "whole days until the certificate expires, negative once expired"),
        ("EXPIRED", "true when the certificate's notAfter is past"),
        ("NOT_AFTER", "the certificate's notAfter, RFC 3339"),
        ("SUBJECT", "the certificate's subject, e.g. CN=api.example.com"),
        ("ISSUER", "the certificate's issuer"),
        ("SANS", "subject alternative names, a JSON list"),
        ("SELF_SIGNED", "true when the certificate's issuer is its subject"),
        ("CHAIN_LENGTH", "certificates presented, leaf included"),
        ("CHAIN_VALID", "true when the chain leads to a trusted root, in date"),
        ("HOSTNAME_VALID", "true when the certificate is valid for server_name"),
        ("KEY_MATCHES", "file mode: true when key_file is the certificate's private key"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[CHAIN_VALID] == true"];

    fn target(&self) -> String {
        match (&self.address, &self.cert_file) {
            (Some(address), _) => format!("tls {address}"),
            (None, Some(cert)) => format!("tls {}", cert.display()),
            (None, None) => "tls".into(),
        }
    }

    fn validate(&self) -> Result<(), String> {
        match (&self.address, &self.cert_file) {
            (Some(_), Some(_)) => return Err("give `address` or `cert_file`, not both".into()),
            (None, None) => return Err("give `address` (host:port) or `cert_file`".into()),
            (Some(address), None) => {
                split_host(address)?;
                if self.key_file.is_some() {
                    return Err("`key_file` needs `cert_file`, not `address`".into());
                }
            }
            (None, Some(_)) => {}
        }
        if let Some(name) = &self.server_name {
            ServerName::try_from(name.as_str())
                .map_err(|e| format!("server_name `{name}` is not a host name or IP: {e}"))?;
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        if let Err(problem) = self.validate() {
            return Observation::failed(problem);
        }
        match (&self.address, &self.cert_file) {
            (Some(address), _) => self.handshake(address, ctx).await,
            (None, Some(cert)) => {
                let probe = self.clone();
                let cap = ctx.max_bytes;
                ctx.blocking(format!("read {}", cert.display()), move || probe.inspect_files(cap))
                    .await
            }
            (None, None) => Observation::failed("tls probe needs `address` or `cert_file`"),
        }
    }
}

impl Tls {
    /// Address mode: handshake, then judge what the server presented.
    async fn handshake(&self, address: &str, ctx: &Context) -> Observation {
        let limit = self.connect_timeout.unwrap_or(ctx.timeout);
        let name_text = match &self.server_name {
            Some(name) => name.clone(),
            None => match split_host(address) {
                Ok(host) => host.to_owned(),
                Err(e) => return Observation::failed(e),
            },
        };
        let Ok(server_name) = ServerName::try_from(name_text.clone()) else {
            return Observation::failed(format!("server_name `{name_text}` is not a host name"));
        };
        // Trust is settled before connecting: an unreadable ca_file is the guide's
        // problem, not the server's.
        let roots = match self.roots(ctx.max_bytes).await {
            Ok(roots) => roots,
            Err(e) => return Observation::failed(e),
        };
        let config = tls_config::accept_any();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));

        let mut seen = Observation::default();
        let started = Instant::now();
        let attempt = async {
            let tcp = TcpStream::connect(address)
                .await
                .map_err(|e| format!("connect to {address}: {e}"))?;
            connector
                .connect(server_name.clone(), tcp)
                .await
                .map_err(|e| format!("tls handshake with {address}: {}", lower(&e.to_string())))
        };
        let stream = match tokio::time::timeout(limit, attempt).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                seen.set("CONNECTED", false);
                seen.error = Some(e);
                return seen;
            }
            Err(_) => {
                seen.set("CONNECTED", false);
                seen.error =
                    Some(format!("tls handshake with {address}: timed out after {limit:?}"));
                return seen;
            }
        };
        seen.set("CONNECTED", true).set("RESPONSE_TIME", started.elapsed());
        let (_, connection) = stream.get_ref();
        if let Some(version) = connection.protocol_version() {
            seen.set("PROTOCOL", protocol_name(version));
        }
        if let Some(suite) = connection.negotiated_cipher_suite() {
            seen.set("CIPHER", format!("{:?}", suite.suite()));
        }
        let chain: Vec<CertificateDer<'static>> = connection
            .peer_certificates()
            .map(|certs| certs.iter().map(|c| c.clone().into_owned()).collect())
            .unwrap_or_default();
        drop(stream);
        judge(&chain, &roots, Some(&server_name), &mut seen);
        seen
    }

    /// File mode: certificate facts, chain against the roots, key against the leaf.
    fn inspect_files(&self, cap: usize) -> Observation {
        let Some(cert_file) = &self.cert_file else {
            return Observation::failed("tls file mode needs `cert_file`");
        };
        let chain = match read_capped(cert_file, cap, "cert_file").and_then(|bytes| {
            certificates(&bytes).map_err(|e| format!("cert_file {}: {e}", cert_file.display()))
        }) {
            Ok(chain) => chain,
            Err(e) => return Observation::failed(e),
        };
        let roots = match &self.ca_file {
            Some(path) => read_capped(path, cap, "ca_file").and_then(|pem| ca_roots(path, &pem)),
            None => system_roots(),
        };
        let roots = match roots {
            Ok(roots) => roots,
            Err(e) => return Observation::failed(e),
        };
        let server_name = match &self.server_name {
            Some(name) => match ServerName::try_from(name.clone()) {
                Ok(name) => Some(name),
                Err(e) => return Observation::failed(format!("server_name `{name}`: {e}")),
            },
            None => None,
        };
        let mut seen = Observation::default();
        judge(&chain, &roots, server_name.as_ref(), &mut seen);
        if let Some(key_file) = &self.key_file {
            match key_matches(&chain[0], key_file, cap) {
                Ok(matches) => {
                    seen.set("KEY_MATCHES", matches);
                    if !matches {
                        seen.note(format!(
                            "{} is not the private key of {}",
                            key_file.display(),
                            cert_file.display()
                        ));
                    }
                }
                Err(e) => seen.error = Some(e),
            }
        }
        seen
    }

    /// The trust anchors: `ca_file` when given, else the system's roots.
    async fn roots(&self, cap: usize) -> Result<Arc<RootCertStore>, String> {
        match &self.ca_file {
            Some(path) => tls_config::ca_file_roots(path, cap).await,
            None => tokio::task::spawn_blocking(system_roots)
                .await
                .map_err(|e| format!("load system roots: {e}"))?,
        }
    }
}

/// The certificates of a PEM file (in order), or of a DER file holding one.
fn certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(bytes).collect();
    let pem = pem.map_err(|e| format!("{e}"))?;
    if !pem.is_empty() {
        return Ok(pem);
    }
    // DER starts with a SEQUENCE tag; anything else is neither form.
    if bytes.first() == Some(&0x30) {
        return Ok(vec![CertificateDer::from(bytes.to_vec())]);
    }
    Err("no certificate in it (neither PEM nor DER)".into())
}

/// Whether the private key in `key_file` is the one `leaf` certifies.
fn key_matches(
    leaf: &CertificateDer<'static>,
    key_file: &Path,
    cap: usize,
) -> Result<bool, String> {
    let shown = key_file.display();
    let pem = read_capped(key_file, cap, "key_file")?;
    let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => {
            format!("key_file {shown}: no unencrypted PEM private key in it")
        }
        other => format!("key_file {shown}: {other}"),
    })?;
    let signing = provider()
        .key_provider
        .load_private_key(key)
        .map_err(|e| format!("key_file {shown}: {}", lower(&e.to_string())))?;
    match CertifiedKey::new(vec![leaf.clone()], signing).keys_match() {
        Ok(()) => Ok(true),
        Err(TlsError::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => Ok(false),
        Err(e) => Err(format!("key_file {shown}: cannot compare with the certificate: {e}")),
    }
}

/// Binds what the chain says: the leaf's facts, chain validity, host name validity.
fn judge(
    chain: &[CertificateDer<'static>],
    roots: &RootCertStore,
    server_name: Option<&ServerName<'_>>,
    seen: &mut Observation,
) {
    let Some(leaf) = chain.first() else {
        seen.set("CHAIN_VALID", false);
        seen.error = Some("no certificate was presented".into());
        return;
    };
    seen.set("CHAIN_LENGTH", chain.len() as u64);
    describe(leaf, seen);
    let parsed = match ParsedCertificate::try_from(leaf) {
        Ok(parsed) => parsed,
        Err(e) => {
            seen.set("CHAIN_VALID", false);
            if server_name.is_some() {
                seen.set("HOSTNAME_VALID", false);
            }
            seen.note(format!("certificate not usable: {}", lower(&e.to_string())));
            return;
        }
    };
    let algorithms = provider().signature_verification_algorithms.all;
    let verdict = rustls::client::verify_server_cert_signed_by_trust_anchor(
        &parsed,
        roots,
        &chain[1..],
        UnixTime::now(),
        algorithms,
    );
    seen.set("CHAIN_VALID", verdict.is_ok());
    if let Err(e) = verdict {
        seen.note(format!("chain not valid: {}", chain_reason(&e)));
    }
    if let Some(name) = server_name {
        let fits = rustls::client::verify_server_name(&parsed, name);
        seen.set("HOSTNAME_VALID", fits.is_ok());
        if fits.is_err() {
            seen.note(format!("certificate is not valid for {}", name.to_str()));
        }
    }
}

/// Binds the leaf's dates, names and issuer.
fn describe(der: &[u8], seen: &mut Observation) {
    let cert = match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => cert,
        Err(e) => {
            seen.note(format!("certificate could not be parsed: {e}"));
            return;
        }
    };
    let not_after = cert.validity().not_after.timestamp();
    let now = jiff::Timestamp::now().as_second();
    let left = not_after.saturating_sub(now);
    seen.set("CERTIFICATE_EXPIRATION", Duration::from_secs(u64::try_from(left).unwrap_or(0)))
        .set("DAYS_LEFT", left.div_euclid(86_400))
        .set("EXPIRED", left <= 0)
        .set("SUBJECT", cert.subject().to_string())
        .set("ISSUER", cert.issuer().to_string())
        .set("SELF_SIGNED", cert.subject().as_raw() == cert.issuer().as_raw());
    if let Ok(at) = jiff::Timestamp::from_second(not_after) {
        seen.set("NOT_AFTER", at.to_string());
        if left <= 0 {
            seen.note(format!("certificate expired {at}"));
        }
    }
    let mut sans = Vec::new();
    if let Ok(Some(alt)) = cert.subject_alternative_name() {
        for name in &alt.value.general_names {
            match name {
                GeneralName::DNSName(dns) => sans.push(serde_json::Value::from(*dns)),
                GeneralName::IPAddress(ip) => {
                    if let Some(ip) = ip_text(ip) {
                        sans.push(ip.into());
                    }
                }
                _ => {}
            }
        }
    }
    seen.set("SANS", Value::Json(sans.into()));
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(|b| std::net::Ipv4Addr::from(b).to_string()),
        16 => <[u8; 16]>::try_from(bytes).ok().map(|b| std::net::Ipv6Addr::from(b).to_string()),
        _ => None,
    }
}

/// Why a chain did not verify, in words an operator reads (rustls prints `UnknownIssuer`).
fn chain_reason(error: &TlsError) -> String {
    use rustls::CertificateError as Why;
    let TlsError::InvalidCertificate(why) = error else {
        return lower(&error.to_string());
    };
    match why {
        Why::UnknownIssuer => "unknown issuer: no trusted root signed this chain".into(),
        Why::Expired | Why::ExpiredContext { .. } => "certificate expired".into(),
        Why::NotValidYet | Why::NotValidYetContext { .. } => "certificate not valid yet".into(),
        Why::BadSignature => "a signature in the chain does not verify".into(),
        Why::BadEncoding => "certificate is not valid DER".into(),
        Why::InvalidPurpose | Why::InvalidPurposeContext { .. } => {
            "certificate is not for server authentication".into()
        }
        Why::UnsupportedSignatureAlgorithmContext { .. }
        | Why::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "chain uses an unsupported signature algorithm".into()
        }
        other => {
            let text = TlsError::InvalidCertificate(other.clone()).to_string();
            lower(text.trim_start_matches("invalid peer certificate: "))
        }
    }
}

/// `TLSv1.3` rather than rustls's `TLSv1_3`, as openssl prints it.
fn protocol_name(version: rustls::ProtocolVersion) -> String {
    format!("{version:?}").replace('_', ".")
}

/// The host of `host:port` (brackets of an IPv6 literal removed).
fn split_host(address: &str) -> Result<&str, String> {
    match address.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(host.trim_start_matches('[').trim_end_matches(']'))
        }
        _ => Err(format!("address `{address}` is not host:port")),
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, date_time_ymd,
    };
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    use super::*;
    use crate::Probe;

    /// A CA that signs test leaves.
    struct Ca {
        pem: String,
        issuer: Issuer<'static, KeyPair>,
    }

    fn ca() -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, "triage test ca");
        let cert = params.self_signed(&key).unwrap();
        Ca { pem: cert.pem(), issuer: Issuer::new(params, key) }
    }

    /// A certificate and its key, as PEM.
    struct Leaf {
        cert: CertificateDer<'static>,
        cert_pem: String,
        key: KeyPair,
    }

    /// A leaf for `names`, signed by `ca` (self-signed when `None`), valid `from`..`until`.
    fn leaf(names: &[&str], ca: Option<&Ca>, from: (i32, u8), until: (i32, u8)) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0].clone());
        params.not_before = date_time_ymd(from.0, from.1, 1);
        params.not_after = date_time_ymd(until.0, until.1, 1);
        let cert = match ca {
            Some(ca) => params.signed_by(&key, &ca.issuer).unwrap(),
            None => params.self_signed(&key).unwrap(),
        };
        Leaf { cert: cert.der().clone(), cert_pem: cert.pem(), key }
    }

    fn good(ca: &Ca) -> Leaf {
        leaf(&["localhost", "127.0.0.1"], Some(ca), (2020, 1), (2099, 1))
    }

    /// Serves TLS on 127.0.0.1:0 with `leaf`; each connection is held briefly, then closed.
    async fn serve(leaf: &Leaf, versions: &[&'static rustls::SupportedProtocolVersion]) -> String {
        let key = rustls::pki_types::PrivatePkcs8KeyDer::from(leaf.key.serialize_der());
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![leaf.cert.clone()], key.into())
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        drop(stream);
                    }
                });
            }
        });
        address.to_string()
    }

    async fn serve_default(leaf: &Leaf) -> String {
        serve(leaf, rustls::DEFAULT_VERSIONS).await
    }

    fn at(address: &str) -> Tls {
        Tls {
            address: Some(address.into()),
            server_name: None,
            cert_file: None,
            key_file: None,
            ca_file: None,
            connect_timeout: Some(Duration::from_secs(2)),
        }
    }

    fn files(cert: &Path) -> Tls {
        Tls { address: None, cert_file: Some(cert.into()), ..at("unused:1") }
    }

    fn write(dir: &tempfile::TempDir, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn text(seen: &Observation, name: &str) -> String {
        seen.get(name).map(|v| v.to_string()).unwrap_or_else(|| panic!("{name} unbound: {seen:?}"))
    }

    #[tokio::test]
    async fn trusted_certificate_for_the_host() {
        let ca = ca();
        let leaf = good(&ca);
        let address = serve_default(&leaf).await;
        let dir = tempfile::tempdir().unwrap();
        let mut probe = at(&address);
        probe.ca_file = Some(write(&dir, "ca.pem", &ca.pem));
        let seen = probe.observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert_eq!(seen.get("CHAIN_VALID"), Some(&true.into()), "{seen:?}");
        assert_eq!(seen.get("HOSTNAME_VALID"), Some(&true.into()));
        assert_eq!(seen.get("EXPIRED"), Some(&false.into()));
        assert_eq!(seen.get("SELF_SIGNED"), Some(&false.into()));
        assert_eq!(seen.get("CHAIN_LENGTH"), Some(&Value::Int(1)));
        assert_eq!(text(&seen, "PROTOCOL"), "TLSv1.3");
        assert!(text(&seen, "CIPHER").starts_with("TLS13_"), "{seen:?}");
        assert_eq!(text(&seen, "SUBJECT"), "CN=localhost");
        assert_eq!(text(&seen, "ISSUER"), "CN=triage test ca");
        assert_eq!(text(&seen, "NOT_AFTER"), "2099-01-01T00:00:00Z");
        assert_eq!(
            seen.get("SANS"),
            Some(&Value::Json(serde_json::json!(["localhost", "127.0.0.1"])))
        );
        let Some(Value::Duration(left)) = seen.get("CERTIFICATE_EXPIRATION") else {
            panic!("{seen:?}")
        };
        assert!(*left > Duration::from_secs(60 * 365 * 86_400), "{left:?}");
        let Some(Value::Int(days)) = seen.get("DAYS_LEFT") else { panic!("{seen:?}") };
        assert!(*days > 365 * 60, "{days}");
    }

    #[tokio::test]
    async fn unknown_ca_is_an_invalid_chain_not_a_refusal() {
        let ca = ca();
        let address = serve_default(&good(&ca)).await;
        // No ca_file: the system's roots do not know the test CA.
        let seen = at(&address).observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert_eq!(seen.get("CHAIN_VALID"), Some(&false.into()));
        assert_eq!(seen.get("HOSTNAME_VALID"), Some(&true.into()));
        assert!(seen.notes.iter().any(|n| n.contains("unknown issuer")), "{seen:?}");
    }

    #[tokio::test]
    async fn expired_certificate() {
        let ca = ca();
        let expired = leaf(&["localhost", "127.0.0.1"], Some(&ca), (2020, 1), (2021, 1));
        let address = serve_default(&expired).await;
        let dir = tempfile::tempdir().unwrap();
        let mut probe = at(&address);
        probe.ca_file = Some(write(&dir, "ca.pem", &ca.pem));
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert_eq!(seen.get("EXPIRED"), Some(&true.into()));
        assert_eq!(seen.get("CHAIN_VALID"), Some(&false.into()));
        assert_eq!(seen.get("CERTIFICATE_EXPIRATION"), Some(&Duration::ZERO.into()));
        let Some(Value::Int(days)) = seen.get("DAYS_LEFT") else { panic!("{seen:?}") };
        assert!(*days < -365, "{days}");
        assert!(seen.notes.iter().any(|n| n == "chain not valid: certificate expired"), "{seen:?}");
    }

    #[tokio::test]
    async fn wrong_host_and_server_name() {
        let ca = ca();
        let other = leaf(&["api.example.com"], Some(&ca), (2020, 1), (2099, 1));
        let address = serve_default(&other).await;
        let dir = tempfile::tempdir().unwrap();
        let mut probe = at(&address);
        probe.ca_file = Some(write(&dir, "ca.pem", &ca.pem));
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("CHAIN_VALID"), Some(&true.into()), "{seen:?}");
        assert_eq!(seen.get("HOSTNAME_VALID"), Some(&false.into()));
        assert!(seen.notes.iter().any(|n| n.contains("not valid for 127.0.0.1")), "{seen:?}");

        probe.server_name = Some("api.example.com".into());
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("HOSTNAME_VALID"), Some(&true.into()), "{seen:?}");
    }

    #[tokio::test]
    async fn self_signed_certificate() {
        let own = leaf(&["localhost"], None, (2020, 1), (2099, 1));
        let port = serve_default(&own).await.rsplit_once(':').unwrap().1.to_owned();
        // The host of `address` is the default server name.
        let seen = at(&format!("localhost:{port}")).observe(&Context::default()).await;
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()), "{seen:?}");
        assert_eq!(seen.get("SELF_SIGNED"), Some(&true.into()));
        assert_eq!(seen.get("CHAIN_VALID"), Some(&false.into()));
        assert_eq!(seen.get("HOSTNAME_VALID"), Some(&true.into()));
    }

    #[tokio::test]
    async fn tls12_protocol() {
        let ca = ca();
        let address = serve(&good(&ca), &[&rustls::version::TLS12]).await;
        let seen = at(&address).observe(&Context::default()).await;
        assert_eq!(text(&seen, "PROTOCOL"), "TLSv1.2", "{seen:?}");
    }

    #[tokio::test]
    async fn refused_is_a_result() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        drop(listener);
        let seen = at(&address).observe(&Context::default()).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.unwrap();
        assert!(error.starts_with(&format!("connect to {address}:")), "{error}");
        assert!(error.contains("refused"), "{error}");
    }

    /// Serves plain TCP that writes `reply` (nothing when empty) and holds the connection.
    async fn plain(reply: &'static [u8]) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let _ = stream.write_all(reply).await;
                    tokio::time::sleep(Duration::from_secs(5)).await;
                });
            }
        });
        address
    }

    #[tokio::test]
    async fn not_tls_and_silent_servers() {
        let address = plain(b"HTTP/1.1 400 Bad Request\r\n\r\n").await.to_string();
        let seen = at(&address).observe(&Context::default()).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.unwrap();
        assert!(error.starts_with(&format!("tls handshake with {address}:")), "{error}");

        let address = plain(b"").await.to_string();
        let mut probe = at(&address);
        probe.connect_timeout = Some(Duration::from_millis(200));
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        assert!(seen.error.unwrap().contains("timed out after 200ms"));
    }

    #[tokio::test]
    async fn files_key_matches_and_chain() {
        let ca = ca();
        let leaf = good(&ca);
        let stranger = KeyPair::generate().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cert = write(&dir, "cert.pem", &leaf.cert_pem);
        let ca_file = write(&dir, "ca.pem", &ca.pem);
        let key = write(&dir, "key.pem", leaf.key.serialize_pem());
        let wrong = write(&dir, "wrong.pem", stranger.serialize_pem());

        let mut probe = files(&cert);
        probe.key_file = Some(key);
        probe.ca_file = Some(ca_file);
        let seen = probe.observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("KEY_MATCHES"), Some(&true.into()));
        assert_eq!(seen.get("CHAIN_VALID"), Some(&true.into()));
        assert_eq!(text(&seen, "SUBJECT"), "CN=localhost");
        assert!(seen.get("HOSTNAME_VALID").is_none(), "no server_name, no host check");
        assert!(seen.get("CONNECTED").is_none());

        probe.key_file = Some(wrong);
        probe.server_name = Some("localhost".into());
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("KEY_MATCHES"), Some(&false.into()), "{seen:?}");
        assert_eq!(seen.get("HOSTNAME_VALID"), Some(&true.into()));
        assert!(seen.notes.iter().any(|n| n.contains("is not the private key of")));

        // Without ca_file the system's roots judge, and they do not know the test CA.
        probe.ca_file = None;
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("CHAIN_VALID"), Some(&false.into()));
    }

    #[tokio::test]
    async fn files_der_expired_and_intermediates() {
        let ca = ca();
        let dir = tempfile::tempdir().unwrap();
        let expired = leaf(&["localhost"], Some(&ca), (2020, 1), (2021, 1));
        let der = write(&dir, "cert.der", expired.cert.as_ref());
        let mut probe = files(&der);
        probe.ca_file = Some(write(&dir, "ca.pem", &ca.pem));
        let seen = probe.observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("EXPIRED"), Some(&true.into()));
        assert_eq!(seen.get("CHAIN_VALID"), Some(&false.into()));

        // A bundle with an intermediate: leaf <- intermediate <- root.
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, "triage intermediate");
        let middle_cert = params.signed_by(&key, &ca.issuer).unwrap();
        let middle = Ca { pem: middle_cert.pem(), issuer: Issuer::new(params, key) };
        let end = good(&middle);
        let bundle = write(&dir, "bundle.pem", format!("{}{}", end.cert_pem, middle.pem));
        probe.cert_file = Some(bundle.clone());
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("CHAIN_LENGTH"), Some(&Value::Int(2)));
        assert_eq!(seen.get("CHAIN_VALID"), Some(&true.into()), "{seen:?}");
        assert_eq!(text(&seen, "ISSUER"), "CN=triage intermediate");

        // The leaf alone does not lead to the root.
        probe.cert_file = Some(write(&dir, "alone.pem", &end.cert_pem));
        let seen = probe.observe(&Context::default()).await;
        assert_eq!(seen.get("CHAIN_VALID"), Some(&false.into()));
    }

    #[tokio::test]
    async fn unreadable_files_are_errors_that_name_them() {
        let ca = ca();
        let leaf = good(&ca);
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let seen = files(&missing).observe(&Context::default()).await;
        let error = seen.error.unwrap();
        assert!(error.starts_with(&format!("cert_file {}:", missing.display())), "{error}");

        let junk = write(&dir, "junk.pem", "hello");
        let error = files(&junk).observe(&Context::default()).await.error.unwrap();
        assert!(error.contains("no certificate in it"), "{error}");

        let cert = write(&dir, "cert.pem", &leaf.cert_pem);
        let mut probe = files(&cert);
        probe.key_file = Some(write(&dir, "key.pem", "not a key"));
        let seen = probe.observe(&Context::default()).await;
        assert!(seen.get("SUBJECT").is_some(), "certificate facts survive a bad key");
        assert!(seen.error.unwrap().contains("no unencrypted PEM private key"));

        let ctx = Context { max_bytes: 10, ..Context::default() };
        let error = files(&cert).observe(&ctx).await.error.unwrap();
        assert!(error.contains("larger than max_bytes 10"), "{error}");

        let mut probe = at("127.0.0.1:9");
        probe.ca_file = Some(junk);
        let error = probe.observe(&Context::default()).await.error.unwrap();
        assert!(error.contains("no PEM certificate in it"), "{error}");
    }

    #[tokio::test]
    async fn a_guide_check_with_the_default_expectation() {
        let ca = ca();
        let address = serve_default(&good(&ca)).await;
        let dir = tempfile::tempdir().unwrap();
        let ca_file = write(&dir, "ca.pem", &ca.pem);
        let yaml = format!("kind: tls\naddress: {address}\nca_file: {}", ca_file.display());
        let probe: Probe = serde_yaml_ng::from_str(&yaml).unwrap();
        let seen = probe.observe(&Context::default()).await;
        let verdict = |text: &str| {
            triage_condition::Condition::parse(text)
                .unwrap()
                .evaluate(&seen, triage_condition::Render::default())
        };
        for condition in probe.info().default_expect {
            assert!(verdict(condition).success, "{condition}: {seen:?}");
        }
        assert!(verdict("[CERTIFICATE_EXPIRATION] > 48h").success);
        assert!(verdict("[SANS] == pat(*127.0.0.1*)").success, "{seen:?}");
        let failed = verdict("[PROTOCOL] == TLSv1.2");
        assert_eq!(failed.rendered, "[PROTOCOL] (TLSv1.3) == TLSv1.2");
    }

    #[test]
    fn validates_modes_and_fields() {
        assert!(at("example.com:443").validate().is_ok());
        assert!(at("[::1]:443").validate().is_ok());
        assert!(at("example.com").validate().unwrap_err().contains("not host:port"));
        assert!(files(Path::new("/c.pem")).validate().is_ok());
        let mut both = at("example.com:443");
        both.cert_file = Some("/c.pem".into());
        assert!(both.validate().unwrap_err().contains("not both"));
        let none = Tls { address: None, ..at("x:1") };
        assert!(none.validate().is_err());
        let mut key_without_cert = at("example.com:443");
        key_without_cert.key_file = Some("/k.pem".into());
        assert!(key_without_cert.validate().unwrap_err().contains("needs `cert_file`"));
        let mut bad_name = at("example.com:443");
        bad_name.server_name = Some("not a name!".into());
        assert!(bad_name.validate().unwrap_err().contains("server_name"));
    }

    #[test]
    fn yaml_form() {
        let probe: Probe = serde_yaml_ng::from_str(
            "kind: tls\naddress: example.com:443\nserver_name: api.example.com\nconnect_timeout: 3s",
        )
        .unwrap();
        assert_eq!(probe.kind_name(), "tls");
        assert_eq!(probe.target(), "tls example.com:443");
        let probe: Probe = serde_yaml_ng::from_str(
            "kind: tls\ncert_file: /etc/ssl/app.pem\nkey_file: /etc/ssl/app.key\nca_file: /etc/ssl/ca.pem",
        )
        .unwrap();
        assert!(probe.validate().is_ok());
        let error = serde_yaml_ng::from_str::<Probe>("kind: tls\naddress: a:1\nsni: b")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `sni`"), "{error}");
    }
}

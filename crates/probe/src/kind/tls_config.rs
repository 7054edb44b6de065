//! TLS settings shared by every kind that speaks TLS (`tls`, `postgres`, `mysql`, `redis`,
//! `websocket`, and the HTTP kinds through reqwest): the crate's crypto provider, the
//! system's roots, roots from a `ca_file`, capped reads of PEM files, and the two
//! verifiers libpq's notions of checking need: one that accepts any certificate (the
//! handshake's signatures still checked) and one that checks the chain but not the name.
//!
//! ```text
//! accept_any()            encrypt, judge the certificate later (or never)
//! verified(roots, false)  chain checked, host name not (verify-ca)
//! verified(roots, true)   chain and host name checked (verify-full, https, wss)
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error as TlsError, RootCertStore,
    SignatureScheme,
};

/// The ring provider, which the crate uses for every TLS connection it makes.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider())).clone()
}

/// Makes ring the process-wide provider for drivers that build their own rustls
/// configuration from it (reqwest, redis). Installing fails harmlessly when one is
/// already in place (ours or the application's); after the first call this is a load.
pub(crate) fn install_provider() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn builder() -> Result<rustls::ConfigBuilder<ClientConfig, rustls::WantsVerifier>, String> {
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls client setup: {e}"))
}

/// Encrypts without checking the certificate (libpq `sslmode=require`, `tls_verify:
/// false`, and `kind: tls`, which judges the certificate after the handshake).
pub(crate) fn accept_any() -> ClientConfig {
    builder()
        .expect("ring supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Lenient::accept_any()))
        .with_no_client_auth()
}

/// Checks the chain against `roots`, and the host name when `check_name`.
pub(crate) fn verified(
    roots: Arc<RootCertStore>,
    check_name: bool,
) -> Result<ClientConfig, String> {
    let inner = WebPkiServerVerifier::builder_with_provider(roots, provider())
        .build()
        .map_err(|e| format!("build certificate verifier: {e}"))?;
    let config = if check_name {
        builder()?.with_webpki_verifier(inner).with_no_client_auth()
    } else {
        builder()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Lenient::chain_only(inner)))
            .with_no_client_auth()
    };
    Ok(config)
}

/// The system's trusted roots, loaded once per process (reading and parsing the bundle
/// takes milliseconds, and it does not change under a running check).
pub(crate) fn system_roots() -> Result<Arc<RootCertStore>, String> {
    static ROOTS: OnceLock<Result<Arc<RootCertStore>, String>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let mut roots = RootCertStore::empty();
            let (added, _ignored) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found.errors.first().map(|e| format!(": {e}")).unwrap_or_default();
                return Err(format!("no trusted root certificate found on this system{why}"));
            }
            Ok(Arc::new(roots))
        })
        .clone()
}

/// Trust anchors from a PEM bundle read from `path` (named in errors as `ca_file`).
pub(crate) fn ca_roots(path: &Path, pem: &[u8]) -> Result<Arc<RootCertStore>, String> {
    let mut roots = RootCertStore::empty();
    add_ca_file(&mut roots, path, pem)?;
    Ok(Arc::new(roots))
}

/// Adds the certificates of the PEM bundle `pem` (read from `path`) to `roots`.
pub(crate) fn add_ca_file(
    roots: &mut RootCertStore,
    path: &Path,
    pem: &[u8],
) -> Result<(), String> {
    let shown = path.display();
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("ca_file {shown}: {e}"))?;
        roots.add(cert).map_err(|e| format!("ca_file {shown}: {}", lower(&e.to_string())))?;
        added += 1;
    }
    if added == 0 {
        return Err(format!("ca_file {shown}: no PEM certificate in it"));
    }
    Ok(())
}

/// `ca_file` read and parsed as trust anchors, off the runtime's threads.
pub(crate) async fn ca_file_roots(path: &Path, cap: usize) -> Result<Arc<RootCertStore>, String> {
    let pem = read_capped_async(path, cap, "ca_file").await?;
    ca_roots(path, &pem)
}

/// `ca_file` as reqwest root certificates.
pub(crate) async fn reqwest_roots(
    path: &Path,
    cap: usize,
) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = read_capped_async(path, cap, "ca_file").await?;
    let shown = path.display();
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("ca_file {shown}: {}", super::api::cause(&e)))?;
    if certs.is_empty() {
        return Err(format!("ca_file {shown}: no PEM certificate in it"));
    }
    Ok(certs)
}

/// Reads a small file whole, refusing one larger than `cap`; `field` names it in errors
/// (`ca_file /etc/ca.pem: larger than max_bytes 1048576`).
pub(crate) fn read_capped(path: &Path, cap: usize, field: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("{field} {shown}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(cap as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{field} {shown}: {e}"))?;
    if bytes.len() > cap {
        return Err(format!("{field} {shown}: larger than max_bytes {cap}"));
    }
    Ok(bytes)
}

/// [`read_capped`] off the runtime's threads.
pub(crate) async fn read_capped_async(
    path: &Path,
    cap: usize,
    field: &'static str,
) -> Result<Vec<u8>, String> {
    let owned: PathBuf = path.to_owned();
    tokio::task::spawn_blocking(move || read_capped(&owned, cap, field))
        .await
        .map_err(|e| format!("{field} {}: {e}", path.display()))?
}

/// rustls says `invalid peer certificate: Expired...`; our messages are lowercase facts.
pub(crate) fn lower(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A verifier more lenient than webpki's: with no chain verifier it accepts any
/// certificate during the handshake, so a bad one can be examined (`kind: tls`) or an
/// unchecked session opened (`sslmode=require`, `tls_verify: false`); with one, it
/// accepts a certificate whose chain verifies even when it names another host (libpq
/// `sslmode=verify-ca`). Handshake signatures are always checked, so the peer must hold
/// the key of the certificate it presented.
#[derive(Debug)]
struct Lenient {
    chain: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
}

impl Lenient {
    fn accept_any() -> Self {
        Lenient { chain: None, provider: provider() }
    }

    fn chain_only(chain: Arc<WebPkiServerVerifier>) -> Self {
        Lenient { chain: Some(chain), provider: provider() }
    }
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        let Some(chain) = &self.chain else { return Ok(ServerCertVerified::assertion()) };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

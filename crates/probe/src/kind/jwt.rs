//! `kind: jwt`: what does this JSON Web Token say, has it expired, and is it signed by
//! who it should be?
//!
//! Decodes a token taken from an environment variable or a file (a leading `Bearer ` is
//! ignored), as a guide's "paste the token into jwt.io" or `cut -d. -f2 | base64 -d`
//! step does, and binds its header and claims. With an HMAC secret (`secret_env` or
//! `secret_file`) or a key set (`jwks_file` or `jwks_url`) it also verifies the
//! signature. Expiry is reported, never enforced: an expired token still shows its
//! claims. The token and the secret are recorded as secrets, so no output shows them.
//!
//! Fields (one of `token_env`, `token_file`; at most one verification key):
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `token_env` | environment variable holding the token | none |
//! | `token_file` | file holding the token (surrounding whitespace ignored) | none |
//! | `secret_env` | environment variable holding the HMAC secret (HS256/384/512) | none |
//! | `secret_file` | file holding the HMAC secret | none |
//! | `jwks_file` | JSON Web Key Set file to verify against | none |
//! | `jwks_url` | URL of a JSON Web Key Set, e.g. a provider's `jwks_uri` | none |
//! | `tls_verify` | verify certificates when fetching `jwks_url` | `true` |
//! | `ca_file` | PEM bundle of extra trusted CAs for `jwks_url` | none |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[ALG]` | the header's `alg`, e.g. `RS256` |
//! | `[KID]` | the header's `kid`, when present |
//! | `[HEADER]` | the header, as JSON |
//! | `[CLAIM]` | the claims, as JSON: `[CLAIM].sub`, `[CLAIM].realm_access.roles` |
//! | `[EXPIRES_IN]` | time left until `exp` (0 once expired); unbound without `exp` |
//! | `[EXPIRED]` | `true` when `exp` is past; `false` without `exp` |
//! | `[AGE]` | time since `iat`; unbound without `iat` |
//! | `[SIGNATURE_VALID]` | with a secret or key set: `true` when the signature verifies |
//!
//! Default expectation: `[EXPIRED] == false`.
//!
//! ```yaml
//! name: service token is valid for another hour
//! kind: jwt
//! token_file: /var/run/secrets/costwatch/token
//! secret_env: JWT_SECRET
//! expect:
//!   - "[SIGNATURE_VALID] == true"
//!   - "[EXPIRES_IN] > 1h"
//!   - "[CLAIM].iss == costwatch"
//! ```

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde::Deserialize;
use serde_json::Value as Json;
use tokio::io::AsyncReadExt;
use triage_core::{Observation, Value};

use crate::kind::credentials::mask_url as shown_url;
use crate::kind::oidc::{self, http_url};
use crate::{Context, Kind};

/// Decodes a JSON Web Token and, given a key, verifies it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jwt {
    /// Environment variable holding the token. Either this or `token_file`.
    pub token_env: Option<String>,
    /// File holding the token. Either this or `token_env`.
    pub token_file: Option<PathBuf>,
    /// Environment variable holding the HMAC secret. Default: none.
    pub secret_env: Option<String>,
    /// File holding the HMAC secret. Default: none.
    pub secret_file: Option<PathBuf>,
    /// JSON Web Key Set file. Default: none.
    pub jwks_file: Option<PathBuf>,
    /// JSON Web Key Set URL. Default: none.
    pub jwks_url: Option<String>,
    /// Verify certificates when fetching `jwks_url`. Default: `true`.
    #[serde(default = "yes")]
    pub tls_verify: bool,
    /// PEM bundle of extra trusted CAs for `jwks_url`. Default: none.
    pub ca_file: Option<PathBuf>,
}

fn yes() -> bool {
    true
}

/// How a kind reads environment variables: `std::env::var` in a run, a table in tests
/// (the workspace forbids `unsafe`, so tests cannot set variables of their own process).
pub(crate) type Lookup<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

impl Kind for Jwt {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("ALG", "the header's alg, e.g. RS256"),
        ("KID", "the header's kid, when present"),
        ("HEADER", "the token's header, as JSON"),
        ("CLAIM", "the token's claims, as JSON, e.g. [CLAIM].sub"),
        ("EXPIRES_IN", "time left until exp (0 once expired)"),
        ("EXPIRED", "true when exp is past"),
        ("AGE", "time since iat"),
        ("SIGNATURE_VALID", "with a secret or key set: true when the signature verifies"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[EXPIRED] == false"];

    fn target(&self) -> String {
        match (&self.token_env, &self.token_file) {
            (Some(name), _) => format!("jwt ${name}"),
            (None, Some(path)) => format!("jwt {}", path.display()),
            (None, None) => "jwt".into(),
        }
    }

    fn validate(&self) -> Result<(), String> {
        match (&self.token_env, &self.token_file) {
            (Some(_), Some(_)) => return Err("give `token_env` or `token_file`, not both".into()),
            (None, None) => return Err("give `token_env` or `token_file`".into()),
            _ => {}
        }
        let keys = [
            self.secret_env.is_some(),
            self.secret_file.is_some(),
            self.jwks_file.is_some(),
            self.jwks_url.is_some(),
        ];
        if keys.iter().filter(|given| **given).count() > 1 {
            return Err(
                "give at most one of `secret_env`, `secret_file`, `jwks_file`, `jwks_url`".into()
            );
        }
        if let Some(url) = &self.jwks_url {
            http_url("jwks_url", url)?;
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        self.observe_with(ctx, &|name| std::env::var(name).ok()).await
    }
}

impl Jwt {
    /// [`Kind::observe`] with the environment read through `env` (tests pass their own).
    pub(crate) async fn observe_with(&self, ctx: &Context, env: Lookup<'_>) -> Observation {
        if let Err(problem) = self.validate() {
            return Observation::failed(problem);
        }
        let token = match read_secret(
            "token",
            self.token_env.as_deref(),
            self.token_file.as_deref(),
            env,
            ctx.max_bytes,
        )
        .await
        {
            Ok(Some(token)) => token,
            Ok(None) => return Observation::failed("give `token_env` or `token_file`"),
            Err(e) => return Observation::failed(e),
        };
        let token = token.strip_prefix("Bearer ").unwrap_or(&token).trim().to_owned();
        let mut seen = Observation::default();
        seen.secrets.push(token.clone());
        let decoded = match Decoded::parse(&token) {
            Ok(decoded) => decoded,
            Err(e) => {
                seen.error = Some(e);
                return seen;
            }
        };
        decoded.bind(&mut seen);
        match self.key(ctx, env, &mut seen).await {
            Ok(Some(key)) => {
                let valid = decoded.verify(&key, &mut seen);
                seen.set("SIGNATURE_VALID", valid);
            }
            Ok(None) => {}
            Err(e) => seen.error = Some(e),
        }
        seen
    }

    /// The verification key the check names, if any; a secret is recorded as one.
    async fn key(
        &self,
        ctx: &Context,
        env: Lookup<'_>,
        seen: &mut Observation,
    ) -> Result<Option<Key>, String> {
        let secret = read_secret(
            "secret",
            self.secret_env.as_deref(),
            self.secret_file.as_deref(),
            env,
            ctx.max_bytes,
        )
        .await?;
        if let Some(secret) = secret {
            seen.secrets.push(secret.clone());
            return Ok(Some(Key::Secret(secret.into_bytes())));
        }
        let json = if let Some(path) = &self.jwks_file {
            read_capped(path, ctx.max_bytes)
                .await
                .map_err(|e| format!("jwks_file {}: {e}", path.display()))?
        } else if let Some(url) = &self.jwks_url {
            let client = oidc::client(self.tls_verify, self.ca_file.as_deref(), ctx).await?;
            let deadline = Instant::now() + ctx.timeout;
            let fetched = oidc::fetch(client.get(url), ctx.max_bytes, deadline, url, &[]).await?;
            if fetched.status != 200 {
                return Err(format!("jwks_url {}: http {}", shown_url(url), fetched.status));
            }
            fetched.body
        } else {
            return Ok(None);
        };
        let set: JwkSet = serde_json::from_slice(&json)
            .map_err(|e| format!("key set is not a JSON Web Key Set: {e}"))?;
        Ok(Some(Key::Set(set)))
    }
}

/// What verifies a signature.
enum Key {
    /// An HMAC secret.
    Secret(Vec<u8>),
    /// Public keys, picked by the token's `kid` or `alg`.
    Set(JwkSet),
}

/// A token split and decoded, signature not yet checked.
struct Decoded {
    header: Json,
    claims: Json,
    /// `header.payload`, what the signature covers.
    message: String,
    /// The third part, base64url.
    signature: String,
}

impl Decoded {
    fn parse(token: &str) -> Result<Decoded, String> {
        let parts: Vec<&str> = token.split('.').collect();
        match parts.len() {
            3 => {}
            5 => return Err("token is an encrypted JWT (JWE): its claims need the key".into()),
            n => return Err(format!("token is not a JWT: {n} dot-separated parts, not 3")),
        }
        let part = |index: usize, name: &str| -> Result<Json, String> {
            let bytes = BASE64URL
                .decode(parts[index])
                .map_err(|e| format!("token {name} is not base64url: {e}"))?;
            match serde_json::from_slice(&bytes) {
                Ok(Json::Object(map)) => Ok(Json::Object(map)),
                Ok(_) => Err(format!("token {name} is not a JSON object")),
                Err(e) => Err(format!("token {name} is not JSON: {e}")),
            }
        };
        Ok(Decoded {
            header: part(0, "header")?,
            claims: part(1, "payload")?,
            message: format!("{}.{}", parts[0], parts[1]),
            signature: parts[2].to_owned(),
        })
    }

    fn alg(&self) -> &str {
        self.header.get("alg").and_then(Json::as_str).unwrap_or_default()
    }

    fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Json::as_str)
    }

    /// Binds the header, the claims and the times.
    fn bind(&self, seen: &mut Observation) {
        seen.set("ALG", self.alg());
        if let Some(kid) = self.kid() {
            seen.set("KID", kid);
        }
        seen.set("HEADER", Value::Json(self.header.clone()));
        seen.set("CLAIM", Value::Json(self.claims.clone()));
        let now = jiff::Timestamp::now().as_second();
        let seconds = |name: &str| {
            let claim = self.claims.get(name)?;
            claim.as_i64().or_else(|| claim.as_f64().map(|x| x as i64))
        };
        match seconds("exp") {
            Some(exp) => {
                let left = exp.saturating_sub(now);
                seen.set("EXPIRES_IN", Duration::from_secs(u64::try_from(left).unwrap_or(0)));
                seen.set("EXPIRED", left <= 0);
                if left <= 0
                    && let Ok(at) = jiff::Timestamp::from_second(exp)
                {
                    seen.note(format!("token expired {at}"));
                }
            }
            None => {
                seen.set("EXPIRED", false);
                seen.note("token has no exp claim: it never expires");
            }
        }
        if let Some(iat) = seconds("iat") {
            seen.set(
                "AGE",
                Duration::from_secs(u64::try_from(now.saturating_sub(iat)).unwrap_or(0)),
            );
        }
    }

    /// Whether the signature verifies with `key`; why not goes into a note.
    fn verify(&self, key: &Key, seen: &mut Observation) -> bool {
        let alg_name = self.alg();
        if alg_name.eq_ignore_ascii_case("none") {
            seen.note("token has alg none: it is not signed");
            return false;
        }
        let Ok(alg) = Algorithm::from_str(alg_name) else {
            seen.note(format!("token alg `{alg_name}` is not one triage can verify"));
            return false;
        };
        match key {
            Key::Secret(secret) => {
                if alg.family() != AlgorithmFamily::Hmac {
                    seen.note(format!("token is signed with {alg_name}; a secret verifies only HS256, HS384, HS512"));
                    return false;
                }
                match DecodingKey::from_secret(secret) {
                    Ok(key) => self.check(&key, alg),
                    Err(e) => {
                        seen.note(format!("secret not usable: {e}"));
                        false
                    }
                }
            }
            Key::Set(set) => {
                let candidates: Vec<_> = match self.kid() {
                    Some(kid) => set.find(kid).into_iter().collect(),
                    None => set
                        .keys
                        .iter()
                        .filter(|jwk| {
                            jwk.common
                                .key_algorithm
                                .is_none_or(|a| Algorithm::try_from(a).ok() == Some(alg))
                        })
                        .collect(),
                };
                if candidates.is_empty() {
                    let wanted =
                        self.kid().map_or(format!("for {alg_name}"), |k| format!("with kid `{k}`"));
                    seen.note(format!("no key {wanted} in the key set ({} keys)", set.keys.len()));
                    return false;
                }
                candidates
                    .into_iter()
                    .any(|jwk| DecodingKey::from_jwk(jwk).is_ok_and(|key| self.check(&key, alg)))
            }
        }
    }

    fn check(&self, key: &DecodingKey, alg: Algorithm) -> bool {
        jsonwebtoken::crypto::verify(&self.signature, self.message.as_bytes(), key, alg)
            .unwrap_or(false)
    }
}

/// base64url with or without padding: tokens in the wild carry both.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A secret named by a check: the value of environment variable `env`, or the content of
/// `file` with surrounding whitespace removed. `field` (`token`, `client_secret`) names
/// the field in errors, which never contain the value.
pub(crate) async fn read_secret(
    field: &str,
    env: Option<&str>,
    file: Option<&Path>,
    lookup: Lookup<'_>,
    cap: usize,
) -> Result<Option<String>, String> {
    if let Some(name) = env {
        return match lookup(name) {
            Some(value) if !value.trim().is_empty() => Ok(Some(value.trim().to_owned())),
            Some(_) => Err(format!("{field}_env {name} is empty")),
            None => Err(format!("{field}_env {name} is not set")),
        };
    }
    let Some(path) = file else { return Ok(None) };
    let shown = path.display();
    let bytes = read_capped(path, cap).await.map_err(|e| format!("{field}_file {shown}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{field}_file {shown}: not UTF-8"))?;
    match text.trim() {
        "" => Err(format!("{field}_file {shown} is empty")),
        value => Ok(Some(value.to_owned())),
    }
}

/// A whole small file, refused when larger than `cap`.
async fn read_capped(path: &Path, cap: usize) -> Result<Vec<u8>, String> {
    let file = tokio::fs::File::open(path).await.map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(cap as u64 + 1).read_to_end(&mut bytes).await.map_err(|e| e.to_string())?;
    if bytes.len() > cap {
        return Err(format!("larger than max_bytes {cap}"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;
    use triage_condition::{Condition, Render};

    use super::*;
    use crate::Probe;

    fn now() -> i64 {
        jiff::Timestamp::now().as_second()
    }

    fn claims(exp_in: i64) -> Json {
        json!({"sub": "alice", "iss": "costwatch", "iat": now() - 60, "exp": now() + exp_in,
               "realm_access": {"roles": ["admin"]}})
    }

    fn hs256(claims: &Json, secret: &str) -> String {
        let key = EncodingKey::from_secret(secret.as_bytes()).unwrap();
        encode(&Header::new(Algorithm::HS256), claims, &key).unwrap()
    }

    /// An ES256 signer: a token maker and the public key set, with `kid`.
    struct Es256 {
        key: EncodingKey,
        jwk: Jwk,
    }

    fn es256(kid: &str) -> Es256 {
        let pair = rcgen::KeyPair::generate().unwrap();
        let key = EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).unwrap();
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
        jwk.common.key_id = Some(kid.into());
        Es256 { key, jwk }
    }

    impl Es256 {
        fn sign(&self, claims: &Json, kid: Option<&str>) -> String {
            let mut header = Header::new(Algorithm::ES256);
            header.kid = kid.map(str::to_owned);
            encode(&header, claims, &self.key).unwrap()
        }
    }

    fn set(keys: &[&Jwk]) -> String {
        json!({ "keys": keys }).to_string()
    }

    fn from_env(name: &str) -> Jwt {
        Jwt {
            token_env: Some(name.into()),
            token_file: None,
            secret_env: None,
            secret_file: None,
            jwks_file: None,
            jwks_url: None,
            tls_verify: true,
            ca_file: None,
        }
    }

    fn from_file(path: &Path) -> Jwt {
        Jwt { token_env: None, token_file: Some(path.into()), ..from_env("") }
    }

    async fn observe(probe: &Jwt, vars: &[(&str, &str)]) -> Observation {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        probe.observe_with(&Context::default(), &|name| vars.get(name).cloned()).await
    }

    fn holds(seen: &Observation, condition: &str) -> bool {
        let verdict = Condition::parse(condition).unwrap().evaluate(seen, Render::default());
        assert!(verdict.success, "{}: {seen:?}", verdict.rendered);
        true
    }

    #[tokio::test]
    async fn hmac_token_from_env() {
        let token = hs256(&claims(3600), "s3cret-signing-key");
        let probe = Jwt { secret_env: Some("JWT_SECRET".into()), ..from_env("APP_TOKEN") };
        let vars = [("APP_TOKEN", token.as_str()), ("JWT_SECRET", "s3cret-signing-key")];
        let seen = observe(&probe, &vars).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("ALG"), Some(&"HS256".into()));
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&true.into()));
        assert_eq!(seen.get("EXPIRED"), Some(&false.into()));
        let Some(Value::Duration(left)) = seen.get("EXPIRES_IN") else { panic!("{seen:?}") };
        assert!((3590..=3600).contains(&left.as_secs()), "{left:?}");
        let Some(Value::Duration(age)) = seen.get("AGE") else { panic!("{seen:?}") };
        assert!((60..=70).contains(&age.as_secs()), "{age:?}");
        assert!(holds(&seen, "[CLAIM].sub == alice"));
        assert!(holds(&seen, "[CLAIM].realm_access.roles[0] == admin"));
        assert!(holds(&seen, "[EXPIRES_IN] > 30m"));
        assert!(holds(&seen, "[HEADER].typ == JWT"));
        // Neither the token nor the secret may be shown; both are recorded as secrets.
        assert!(seen.secrets.contains(&token));
        assert!(seen.secrets.contains(&"s3cret-signing-key".to_owned()));
        let shown = serde_json::to_string(&seen).unwrap();
        assert!(!shown.contains(&token) && !shown.contains("s3cret-signing-key"), "{shown}");

        let seen = observe(&probe, &[("APP_TOKEN", &token), ("JWT_SECRET", "another-key")]).await;
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&false.into()));
        assert!(seen.error.is_none());
    }

    #[tokio::test]
    async fn expired_token_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        let token = hs256(&claims(-120), "k");
        std::fs::write(&path, format!("Bearer {token}\n")).unwrap();
        let seen = observe(&from_file(&path), &[]).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("EXPIRED"), Some(&true.into()));
        assert_eq!(seen.get("EXPIRES_IN"), Some(&Duration::ZERO.into()));
        assert!(seen.get("SIGNATURE_VALID").is_none(), "no key, no verdict");
        assert!(seen.notes.iter().any(|n| n.starts_with("token expired ")), "{seen:?}");

        let secret = dir.path().join("secret");
        std::fs::write(&secret, "k\n").unwrap();
        let probe = Jwt { secret_file: Some(secret), ..from_file(&path) };
        let seen = observe(&probe, &[]).await;
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&true.into()), "{seen:?}");
    }

    #[tokio::test]
    async fn key_set_by_kid_and_alg() {
        let signer = es256("key-1");
        let stranger = es256("key-1");
        let dir = tempfile::tempdir().unwrap();
        let jwks = dir.path().join("jwks.json");
        std::fs::write(&jwks, set(&[&signer.jwk])).unwrap();
        let probe = Jwt { jwks_file: Some(jwks.clone()), ..from_env("T") };

        let token = signer.sign(&claims(600), Some("key-1"));
        let seen = observe(&probe, &[("T", &token)]).await;
        assert_eq!(seen.get("ALG"), Some(&"ES256".into()));
        assert_eq!(seen.get("KID"), Some(&"key-1".into()));
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&true.into()), "{seen:?}");

        // No kid: every key of the token's algorithm is tried.
        let seen = observe(&probe, &[("T", &signer.sign(&claims(600), None))]).await;
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&true.into()), "{seen:?}");

        // Same kid, other key: a forged or rotated-away token.
        let seen = observe(&probe, &[("T", &stranger.sign(&claims(600), Some("key-1")))]).await;
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&false.into()));

        let seen = observe(&probe, &[("T", &signer.sign(&claims(600), Some("key-9")))]).await;
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&false.into()));
        assert!(seen.notes.contains(&"no key with kid `key-9` in the key set (1 keys)".into()));

        std::fs::write(&jwks, "{\"not\": \"a key set\"}").unwrap();
        let seen = observe(&probe, &[("T", &token)]).await;
        assert!(seen.error.as_deref().unwrap().contains("not a JSON Web Key Set"));
        assert!(seen.get("CLAIM").is_some(), "claims survive a bad key set");
    }

    #[tokio::test]
    async fn key_set_from_a_url() {
        let signer = es256("k");
        let body = set(&[&signer.jwk]);
        let app = axum::Router::new().route(
            "/certs",
            axum::routing::get(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let token = signer.sign(&claims(600), Some("k"));

        let probe = Jwt { jwks_url: Some(format!("http://{address}/certs")), ..from_env("T") };
        let seen = observe(&probe, &[("T", &token)]).await;
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&true.into()), "{seen:?}");

        let probe = Jwt { jwks_url: Some(format!("http://{address}/nope")), ..from_env("T") };
        let seen = observe(&probe, &[("T", &token)]).await;
        assert!(seen.error.unwrap().ends_with("/nope: http 404"));
    }

    #[tokio::test]
    async fn url_passwords_never_reach_the_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let url = format!("http://reader:hunter2hunter2@{address}/certs");
        let probe = Jwt { jwks_url: Some(url), ..from_env("T") };
        let seen = observe(&probe, &[("T", &hs256(&claims(60), "k"))]).await;
        let error = seen.error.unwrap();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(error.contains("reader:[REDACTED]@"), "{error}");
    }

    #[tokio::test]
    async fn unsigned_and_mismatched_algorithms() {
        let claims_part = BASE64URL.encode(claims(60).to_string());
        let none = format!("{}.{claims_part}.", BASE64URL.encode(r#"{"alg":"none"}"#));
        let probe = Jwt { secret_env: Some("S".into()), ..from_env("T") };
        let seen = observe(&probe, &[("T", &none), ("S", "k")]).await;
        assert_eq!(seen.get("ALG"), Some(&"none".into()));
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&false.into()));
        assert!(seen.notes.iter().any(|n| n.contains("not signed")), "{seen:?}");

        let es = es256("k").sign(&claims(60), None);
        let seen = observe(&probe, &[("T", &es), ("S", "k")]).await;
        assert_eq!(seen.get("SIGNATURE_VALID"), Some(&false.into()));
        assert!(seen.notes.iter().any(|n| n.contains("signed with ES256")), "{seen:?}");

        let no_exp =
            format!("{}.{}.", BASE64URL.encode(r#"{"alg":"none"}"#), BASE64URL.encode("{}"));
        let seen = observe(&from_env("T"), &[("T", &no_exp)]).await;
        assert_eq!(seen.get("EXPIRED"), Some(&false.into()));
        assert!(seen.get("EXPIRES_IN").is_none());
    }

    #[tokio::test]
    async fn tokens_that_are_not_jwts() {
        let cases = [
            ("opaque-token", "not a JWT: 1 dot-separated parts"),
            ("a.b.c.d.e", "encrypted JWT (JWE)"),
            ("e30.!!.x", "payload is not base64url"),
            ("WzFd.e30.x", "header is not a JSON object"),
        ];
        for (token, expected) in cases {
            let seen = observe(&from_env("T"), &[("T", token)]).await;
            let error = seen.error.unwrap();
            assert!(error.contains(expected), "{token}: {error}");
            assert!(!error.contains(token) || token.len() < 4, "the token is not echoed");
            assert!(seen.secrets.contains(&token.to_owned()));
        }
        let seen = observe(&from_env("UNSET_TOKEN"), &[]).await;
        assert_eq!(seen.error.as_deref(), Some("token_env UNSET_TOKEN is not set"));
        let seen = observe(&from_file(Path::new("/nonexistent/token")), &[]).await;
        assert!(seen.error.unwrap().starts_with("token_file /nonexistent/token: "));
    }

    #[test]
    fn validates_sources() {
        assert!(from_env("T").validate().is_ok());
        let both = Jwt { token_file: Some("/t".into()), ..from_env("T") };
        assert!(both.validate().unwrap_err().contains("not both"));
        let neither = Jwt { token_env: None, ..from_env("T") };
        assert!(neither.validate().is_err());
        let two_keys =
            Jwt { secret_env: Some("S".into()), jwks_file: Some("/j".into()), ..from_env("T") };
        assert!(two_keys.validate().unwrap_err().contains("at most one"));
        let ftp = Jwt { jwks_url: Some("ftp://x/jwks".into()), ..from_env("T") };
        assert!(ftp.validate().unwrap_err().contains("not http(s)"));
    }

    #[test]
    fn yaml_form() {
        let probe: Probe = serde_yaml_ng::from_str(
            "kind: jwt\ntoken_env: API_TOKEN\njwks_url: https://sso.example.com/certs",
        )
        .unwrap();
        assert_eq!(probe.target(), "jwt $API_TOKEN");
        assert!(probe.validate().is_ok());
        let error = serde_yaml_ng::from_str::<Probe>("kind: jwt\ntoken_env: T\ntoken: abc")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `token`"), "{error}");
    }
}

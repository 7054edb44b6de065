//! `kind: oidc`: is an OpenID Connect provider usable: discovery document, issuer,
//! signing keys, and optionally a client-credentials token?
//!
//! Fetches `{issuer}/.well-known/openid-configuration` (what a guide's
//! `curl .../realms/NAME/.well-known/openid-configuration` shows), checks that the
//! document names the configured issuer exactly (a proxy or a wrong `KC_HOSTNAME` makes
//! tokens fail validation while login still works), then fetches its `jwks_uri` and
//! counts the keys. With `client_id` it requests a token with the client-credentials
//! grant, the secret taken from the environment or a file; it reports whether a token
//! came back and its lifetime, never the token itself (it is recorded as a secret).
//!
//! Fields:
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `issuer` | the issuer URL, e.g. `https://sso.example.com/realms/app` | required |
//! | `discovery_url` | where the discovery document is | `{issuer}/.well-known/openid-configuration` |
//! | `client_id` | request a client-credentials token as this client | none (no token request) |
//! | `client_secret_env` | environment variable holding the client secret | none |
//! | `client_secret_file` | file holding the client secret (surrounding whitespace ignored) | none |
//! | `client_auth` | how the secret is sent: `basic` (HTTP Basic) or `post` (form fields) | `basic` |
//! | `scope` | `scope` of the token request | none |
//! | `tls_verify` | verify the provider's certificates | `true` |
//! | `ca_file` | PEM bundle of extra trusted CAs | none |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[CONNECTED]` | `true` when the discovery URL answered over HTTP |
//! | `[STATUS]` | HTTP status of the discovery request |
//! | `[RESPONSE_TIME]` | time of the discovery request, in ms |
//! | `[DISCOVERY]` | the discovery document (`[DISCOVERY].token_endpoint`) |
//! | `[ISSUER]` | the `issuer` the document names |
//! | `[ISSUER_VALID]` | `true` when it is exactly the configured `issuer` |
//! | `[JWKS_REACHABLE]` | `true` when `jwks_uri` answered 200 with a JSON key set |
//! | `[JWKS_KEYS]` | keys in the key set |
//! | `[TOKEN_OK]` | with `client_id`: `true` when the token endpoint issued an access token |
//! | `[TOKEN_STATUS]` | with `client_id`: HTTP status of the token request |
//! | `[TOKEN_ERROR]` | with `client_id`: the OAuth `error` code on refusal, e.g. `invalid_client` |
//! | `[TOKEN_EXPIRES_IN]` | with `client_id`: the token's `expires_in` |
//!
//! Default expectation: `[ISSUER_VALID] == true` and `[JWKS_REACHABLE] == true`.
//!
//! ```yaml
//! name: keycloak realm serves tokens
//! kind: oidc
//! issuer: https://sso.example.com/realms/volaticloud
//! client_id: backend
//! client_secret_env: KEYCLOAK_CLIENT_SECRET
//! expect:
//!   - "[ISSUER_VALID] == true"
//!   - "[JWKS_KEYS] > 0"
//!   - "[TOKEN_OK] == true"
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::{Client, RequestBuilder};
use serde::Deserialize;
use serde_json::Value as Json;
use triage_core::{Observation, Value};

use super::credentials::{mask_url as shown_url, scrub};
use super::tls_config;
use crate::kind::jwt::{Lookup, read_secret};
use crate::{Context, Kind};

/// Checks an OpenID Connect provider's discovery document, keys and token endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Oidc {
    /// The issuer URL the provider must announce. Required.
    pub issuer: String,
    /// Where the discovery document is. Default: `{issuer}/.well-known/openid-configuration`.
    pub discovery_url: Option<String>,
    /// Client for a client-credentials token request. Default: none (no request).
    pub client_id: Option<String>,
    /// Environment variable holding the client secret. Default: none.
    pub client_secret_env: Option<String>,
    /// File holding the client secret. Default: none.
    pub client_secret_file: Option<PathBuf>,
    /// How the client authenticates at the token endpoint. Default: `basic`.
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// `scope` of the token request. Default: none.
    pub scope: Option<String>,
    /// Verify the provider's TLS certificates. Default: `true`.
    #[serde(default = "yes")]
    pub tls_verify: bool,
    /// PEM bundle of extra trusted CAs. Default: none.
    pub ca_file: Option<PathBuf>,
}

/// How a confidential client sends its secret to the token endpoint (RFC 6749 2.3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic with the form-encoded id and secret (`client_secret_basic`).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Post,
}

fn yes() -> bool {
    true
}

impl Kind for Oidc {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("CONNECTED", "true when the discovery URL answered over HTTP"),
        ("STATUS", "HTTP status of the discovery request"),
        ("RESPONSE_TIME", "time of the discovery request, in ms"),
        ("DISCOVERY", "the discovery document, e.g. [DISCOVERY].token_endpoint"),
        ("ISSUER", "the issuer the discovery document names"),
        ("ISSUER_VALID", "true when the document's issuer is exactly the configured one"),
        ("JWKS_REACHABLE", "true when jwks_uri answered 200 with a JSON key set"),
        ("JWKS_KEYS", "keys in the key set"),
        ("TOKEN_OK", "with client_id: true when an access token was issued"),
        ("TOKEN_STATUS", "with client_id: HTTP status of the token request"),
        ("TOKEN_ERROR", "with client_id: the OAuth error code of a refusal"),
        ("TOKEN_EXPIRES_IN", "with client_id: the token's lifetime"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] =
        &["[ISSUER_VALID] == true", "[JWKS_REACHABLE] == true"];

    fn target(&self) -> String {
        format!("oidc {}", shown_url(&self.issuer))
    }

    fn validate(&self) -> Result<(), String> {
        http_url("issuer", &self.issuer)?;
        if let Some(url) = &self.discovery_url {
            http_url("discovery_url", url)?;
        }
        if self.client_secret_env.is_some() && self.client_secret_file.is_some() {
            return Err("give `client_secret_env` or `client_secret_file`, not both".into());
        }
        let has_secret = self.client_secret_env.is_some() || self.client_secret_file.is_some();
        if self.client_id.is_none() && (has_secret || self.scope.is_some()) {
            return Err("`client_secret_*` and `scope` need `client_id`".into());
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        self.observe_with(ctx, &|name| std::env::var(name).ok()).await
    }
}

impl Oidc {
    /// [`Kind::observe`] with the environment read through `env` (tests pass their own).
    pub(crate) async fn observe_with(&self, ctx: &Context, env: Lookup<'_>) -> Observation {
        if let Err(problem) = self.validate() {
            return Observation::failed(problem);
        }
        let deadline = Instant::now() + ctx.timeout;
        let mut seen = Observation::default();
        let client = match client(self.tls_verify, self.ca_file.as_deref(), ctx).await {
            Ok(client) => client,
            Err(e) => return Observation::failed(e),
        };
        let url = self.discovery_url.clone().unwrap_or_else(|| {
            format!("{}/.well-known/openid-configuration", self.issuer.trim_end_matches('/'))
        });
        let secrets = Vec::new();
        let fetched = match fetch(client.get(&url), ctx.max_bytes, deadline, &url, &secrets).await {
            Ok(fetched) => fetched,
            Err(e) => {
                seen.set("CONNECTED", false);
                seen.error = Some(e);
                return seen;
            }
        };
        seen.set("CONNECTED", true)
            .set("STATUS", u64::from(fetched.status))
            .set("RESPONSE_TIME", fetched.elapsed);
        if fetched.status != 200 {
            seen.error = Some(format!("discovery {}: http {}", shown_url(&url), fetched.status));
            return seen;
        }
        let document = match fetched.json(&url) {
            Ok(Json::Object(map)) => Json::Object(map),
            Ok(_) => {
                seen.error = Some(format!("discovery {}: not a JSON object", shown_url(&url)));
                return seen;
            }
            Err(e) => {
                seen.error = Some(e);
                return seen;
            }
        };
        let announced = document.get("issuer").and_then(Json::as_str).unwrap_or_default();
        seen.set("ISSUER", announced).set("ISSUER_VALID", announced == self.issuer);
        if announced != self.issuer {
            seen.note(format!("discovery names issuer `{announced}`, expected `{}`", self.issuer));
        }
        seen.set("DISCOVERY", Value::Json(document.clone()));
        keys(&client, &document, ctx.max_bytes, deadline, &mut seen).await;
        if let Some(client_id) = &self.client_id {
            self.token(&client, client_id, &document, ctx, deadline, env, &mut seen).await;
        }
        seen
    }

    /// Requests a client-credentials token; binds `TOKEN_*`, never the token.
    #[allow(clippy::too_many_arguments)]
    async fn token(
        &self,
        client: &Client,
        client_id: &str,
        document: &Json,
        ctx: &Context,
        deadline: Instant,
        env: Lookup<'_>,
        seen: &mut Observation,
    ) {
        seen.set("TOKEN_OK", false);
        let Some(endpoint) = document.get("token_endpoint").and_then(Json::as_str) else {
            seen.note("discovery document has no token_endpoint");
            return;
        };
        let secret = match read_secret(
            "client_secret",
            self.client_secret_env.as_deref(),
            self.client_secret_file.as_deref(),
            env,
            ctx.max_bytes,
        )
        .await
        {
            Ok(secret) => secret,
            Err(e) => {
                seen.error = Some(e);
                return;
            }
        };
        let mut form = vec![("grant_type", "client_credentials".to_owned())];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope.clone()));
        }
        let mut request = client.post(endpoint).header("accept", "application/json");
        match (&secret, self.client_auth) {
            (Some(secret), ClientAuth::Basic) => {
                seen.secrets.push(secret.clone());
                request = request.header("authorization", basic(client_id, secret));
            }
            (Some(secret), ClientAuth::Post) => {
                seen.secrets.push(secret.clone());
                form.push(("client_id", client_id.to_owned()));
                form.push(("client_secret", secret.clone()));
            }
            (None, _) => form.push(("client_id", client_id.to_owned())),
        }
        let fetched = match fetch(
            request.form(&form),
            ctx.max_bytes,
            deadline,
            endpoint,
            &seen.secrets,
        )
        .await
        {
            Ok(fetched) => fetched,
            Err(e) => {
                seen.error = Some(e);
                return;
            }
        };
        seen.set("TOKEN_STATUS", u64::from(fetched.status));
        let answer = fetched.json(endpoint).unwrap_or(Json::Null);
        // Whatever token-like value came back is a secret, used or not.
        for field in ["access_token", "refresh_token", "id_token"] {
            if let Some(token) = answer.get(field).and_then(Json::as_str) {
                seen.secrets.push(token.to_owned());
            }
        }
        let issued =
            answer.get("access_token").and_then(Json::as_str).is_some_and(|t| !t.is_empty());
        let ok = (200..300).contains(&fetched.status) && issued;
        seen.set("TOKEN_OK", ok);
        if let Some(seconds) = answer.get("expires_in").and_then(Json::as_u64) {
            seen.set("TOKEN_EXPIRES_IN", Duration::from_secs(seconds));
        }
        if !ok {
            let code = answer.get("error").and_then(Json::as_str).unwrap_or_default();
            seen.set("TOKEN_ERROR", scrub(code, &seen.secrets));
            let why = answer.get("error_description").and_then(Json::as_str).unwrap_or(code);
            let why = if why.is_empty() { "no access_token in the answer" } else { why };
            seen.note(format!(
                "token request refused (http {}): {}",
                fetched.status,
                scrub(why, &seen.secrets)
            ));
        }
    }
}

/// Fetches `jwks_uri` and binds `JWKS_REACHABLE` and `JWKS_KEYS`.
async fn keys(
    client: &Client,
    document: &Json,
    cap: usize,
    deadline: Instant,
    seen: &mut Observation,
) {
    seen.set("JWKS_REACHABLE", false);
    let Some(uri) = document.get("jwks_uri").and_then(Json::as_str) else {
        seen.note("discovery document has no jwks_uri");
        return;
    };
    match fetch(client.get(uri), cap, deadline, uri, &[]).await {
        Ok(fetched) if fetched.status == 200 => match fetched.json(uri) {
            Ok(set) => match set.get("keys").and_then(Json::as_array) {
                Some(keys) => {
                    seen.set("JWKS_REACHABLE", true).set("JWKS_KEYS", keys.len() as u64);
                }
                None => {
                    seen.note(format!("jwks_uri {}: no `keys` list", shown_url(uri)));
                }
            },
            Err(e) => {
                seen.note(e);
            }
        },
        Ok(fetched) => {
            seen.note(format!("jwks_uri {}: http {}", shown_url(uri), fetched.status));
        }
        Err(e) => {
            seen.note(e);
        }
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))`, as RFC 6749 2.3.1 asks.
fn basic(id: &str, secret: &str) -> String {
    let encode = |text: &str| form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(id), encode(secret));
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
}

/// An HTTP response read up to the run's cap.
pub(crate) struct Fetched {
    /// HTTP status code.
    pub(crate) status: u16,
    /// The body, at most `max_bytes`.
    pub(crate) body: Vec<u8>,
    /// Whether the body was cut at `max_bytes`.
    pub(crate) truncated: bool,
    /// Time from sending the request to the end of the body.
    pub(crate) elapsed: Duration,
}

impl Fetched {
    /// The body as JSON; the error names `url` (password masked).
    pub(crate) fn json(&self, url: &str) -> Result<Json, String> {
        if self.truncated {
            let size = self.body.len();
            return Err(format!("{}: answer is larger than max_bytes {size}", shown_url(url)));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("{}: answer is not JSON: {e}", shown_url(url)))
    }
}

/// An HTTP client for identity-provider calls: no redirect loops, no idle connections,
/// the crate's ring provider, `ca_file` trusted besides the platform's roots.
pub(crate) async fn client(
    tls_verify: bool,
    ca_file: Option<&Path>,
    ctx: &Context,
) -> Result<Client, String> {
    // reqwest is built without a bundled crypto provider; ring is ours.
    tls_config::install_provider();
    let mut builder = Client::builder()
        .user_agent(concat!("triage/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::limited(5))
        .pool_max_idle_per_host(0)
        .connect_timeout(ctx.timeout)
        .tls_danger_accept_invalid_certs(!tls_verify);
    if let Some(path) = ca_file {
        for cert in tls_config::reqwest_roots(path, ctx.max_bytes).await? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| format!("http client: {}", cause(&e)))
}

/// Sends `request` and reads at most `cap` bytes of the answer before `deadline`.
/// Errors name the URL with any password masked, and never carry `secrets`.
pub(crate) async fn fetch(
    request: RequestBuilder,
    cap: usize,
    deadline: Instant,
    url: &str,
    secrets: &[String],
) -> Result<Fetched, String> {
    let started = Instant::now();
    let left = deadline.saturating_duration_since(started);
    let what = shown_url(url);
    let exchange = async {
        let mut response = request.send().await?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await? {
            let room = cap - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok::<_, reqwest::Error>(Fetched { status, body, truncated, elapsed: started.elapsed() })
    };
    match tokio::time::timeout(left, exchange).await {
        Ok(Ok(fetched)) => Ok(fetched),
        Ok(Err(e)) => Err(scrub(&format!("{what}: {}", cause(&e)), secrets)),
        Err(_) => Err(format!("{what}: timed out after {left:?}")),
    }
}

/// The innermost cause of a reqwest error, which says what actually failed.
fn cause(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".into();
    }
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string().to_lowercase()
}

/// Whether `url` is an http(s) URL; `field` names it in the error.
pub(crate) fn http_url(field: &str, url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(()),
        Ok(parsed) => {
            Err(format!("{field} `{}` is not http(s) but {}", shown_url(url), parsed.scheme()))
        }
        Err(e) => Err(format!("{field} `{}` is not a URL: {e}", shown_url(url))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::net::SocketAddr;

    use axum::Router;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::{get, post};
    use serde_json::json;
    use triage_condition::{Condition, Render};

    use super::*;
    use crate::Probe;

    const ACCESS_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiYWNrZW5kIn0.c2lnbmF0dXJl";
    const SECRET: &str = "client-s3cret value";

    /// How the test provider misbehaves.
    #[derive(Clone, Default)]
    struct Quirks {
        /// Issuer announced instead of the real one.
        issuer: Option<String>,
        /// `jwks_uri` answers 404.
        no_keys: bool,
    }

    /// A Keycloak-like provider on 127.0.0.1:0 with realm `test`; returns the issuer URL.
    async fn provider(quirks: Quirks) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let issuer = format!("{base}/realms/test");
        let document = json!({
            "issuer": quirks.issuer.clone().unwrap_or(issuer.clone()),
            "jwks_uri": format!("{issuer}/protocol/openid-connect/certs"),
            "token_endpoint": format!("{issuer}/protocol/openid-connect/token"),
            "grant_types_supported": ["client_credentials"],
        });
        let keys = json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]});
        let no_keys = quirks.no_keys;
        let app = Router::new()
            .route(
                "/realms/test/.well-known/openid-configuration",
                get(move || async move { axum::Json(document) }),
            )
            .route(
                "/realms/test/protocol/openid-connect/certs",
                get(move || async move {
                    if no_keys {
                        (StatusCode::NOT_FOUND, axum::Json(json!({"error": "not found"})))
                    } else {
                        (StatusCode::OK, axum::Json(keys))
                    }
                }),
            )
            .route("/realms/test/protocol/openid-connect/token", post(token));
        tokio::spawn(async move { axum::serve(listener, app).await });
        issuer
    }

    /// Issues a token to client `backend` with [`SECRET`], sent either way.
    async fn token(
        headers: HeaderMap,
        axum::Form(form): axum::Form<HashMap<String, String>>,
    ) -> (StatusCode, axum::Json<Json>) {
        let by_basic = headers.get("authorization").and_then(|v| v.to_str().ok())
            == Some(basic("backend", SECRET).as_str());
        let by_post = form.get("client_id").map(String::as_str) == Some("backend")
            && form.get("client_secret").map(String::as_str) == Some(SECRET);
        let grant = form.get("grant_type").map(String::as_str) == Some("client_credentials");
        if grant && (by_basic || by_post) {
            let answer =
                json!({"access_token": ACCESS_TOKEN, "expires_in": 300, "token_type": "Bearer"});
            (StatusCode::OK, axum::Json(answer))
        } else {
            let answer = json!({"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"});
            (StatusCode::UNAUTHORIZED, axum::Json(answer))
        }
    }

    fn oidc(issuer: &str) -> Oidc {
        Oidc {
            issuer: issuer.into(),
            discovery_url: None,
            client_id: None,
            client_secret_env: None,
            client_secret_file: None,
            client_auth: ClientAuth::Basic,
            scope: None,
            tls_verify: true,
            ca_file: None,
        }
    }

    fn with_client(issuer: &str, auth: ClientAuth) -> Oidc {
        Oidc {
            client_id: Some("backend".into()),
            client_secret_env: Some("KC_SECRET".into()),
            client_auth: auth,
            ..oidc(issuer)
        }
    }

    async fn observe(probe: &Oidc, vars: &[(&str, &str)]) -> Observation {
        observe_in(probe, vars, &Context::default()).await
    }

    async fn observe_in(probe: &Oidc, vars: &[(&str, &str)], ctx: &Context) -> Observation {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        probe.observe_with(ctx, &|name| vars.get(name).cloned()).await
    }

    fn holds(seen: &Observation, condition: &str) -> bool {
        let verdict = Condition::parse(condition).unwrap().evaluate(seen, Render::default());
        assert!(verdict.success, "{}: {seen:?}", verdict.rendered);
        true
    }

    #[tokio::test]
    async fn discovery_issuer_and_keys() {
        let issuer = provider(Quirks::default()).await;
        let seen = observe(&oidc(&issuer), &[]).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)));
        assert_eq!(seen.get("ISSUER"), Some(&issuer.as_str().into()));
        assert_eq!(seen.get("ISSUER_VALID"), Some(&true.into()));
        assert_eq!(seen.get("JWKS_REACHABLE"), Some(&true.into()));
        assert_eq!(seen.get("JWKS_KEYS"), Some(&Value::Int(1)));
        assert!(seen.get("TOKEN_OK").is_none(), "no client_id, no token request");
        assert!(holds(&seen, "[DISCOVERY].grant_types_supported[0] == client_credentials"));
        assert!(holds(&seen, "[RESPONSE_TIME] < 5s"));
        for condition in Oidc::DEFAULT_EXPECT {
            assert!(holds(&seen, condition));
        }
    }

    #[tokio::test]
    async fn issuer_mismatch_and_missing_keys() {
        let quirks =
            Quirks { issuer: Some("http://keycloak:8080/realms/test".into()), no_keys: true };
        let issuer = provider(quirks).await;
        let seen = observe(&oidc(&issuer), &[]).await;
        assert_eq!(seen.get("ISSUER_VALID"), Some(&false.into()));
        assert_eq!(seen.get("ISSUER"), Some(&"http://keycloak:8080/realms/test".into()));
        assert_eq!(seen.get("JWKS_REACHABLE"), Some(&false.into()));
        assert!(seen.get("JWKS_KEYS").is_none());
        assert!(seen.notes.iter().any(|n| n.contains("expected `http://127.0.0.1")), "{seen:?}");
        assert!(seen.notes.iter().any(|n| n.ends_with("/certs: http 404")), "{seen:?}");
    }

    #[tokio::test]
    async fn client_credentials_token_never_shown() {
        let issuer = provider(Quirks::default()).await;
        for auth in [ClientAuth::Basic, ClientAuth::Post] {
            let seen = observe(&with_client(&issuer, auth), &[("KC_SECRET", SECRET)]).await;
            assert!(seen.error.is_none(), "{seen:?}");
            assert_eq!(seen.get("TOKEN_OK"), Some(&true.into()), "{auth:?}: {seen:?}");
            assert_eq!(seen.get("TOKEN_STATUS"), Some(&Value::Int(200)));
            assert_eq!(seen.get("TOKEN_EXPIRES_IN"), Some(&Duration::from_secs(300).into()));
            assert!(seen.secrets.contains(&ACCESS_TOKEN.to_owned()));
            assert!(seen.secrets.contains(&SECRET.to_owned()));
            let shown = serde_json::to_string(&seen).unwrap();
            assert!(!shown.contains(ACCESS_TOKEN) && !shown.contains(SECRET), "{shown}");
        }
    }

    #[tokio::test]
    async fn refused_token_requests() {
        let issuer = provider(Quirks::default()).await;
        let probe = with_client(&issuer, ClientAuth::Basic);
        let seen = observe(&probe, &[("KC_SECRET", "wrong secret")]).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("TOKEN_OK"), Some(&false.into()));
        assert_eq!(seen.get("TOKEN_STATUS"), Some(&Value::Int(401)));
        assert_eq!(seen.get("TOKEN_ERROR"), Some(&"invalid_client".into()));
        assert!(
            seen.notes.contains(
                &"token request refused (http 401): Invalid client or Invalid client credentials"
                    .into()
            ),
            "{seen:?}"
        );

        let seen = observe(&probe, &[]).await;
        assert_eq!(seen.get("TOKEN_OK"), Some(&false.into()));
        assert_eq!(seen.error.as_deref(), Some("client_secret_env KC_SECRET is not set"));
        assert_eq!(seen.get("ISSUER_VALID"), Some(&true.into()), "discovery facts stay");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret");
        std::fs::write(&file, format!("{SECRET}\n")).unwrap();
        let from_file = Oidc {
            client_secret_env: None,
            client_secret_file: Some(file),
            ..with_client(&issuer, ClientAuth::Post)
        };
        let seen = observe(&from_file, &[]).await;
        assert_eq!(seen.get("TOKEN_OK"), Some(&true.into()), "{seen:?}");
    }

    #[tokio::test]
    async fn wrong_realm_and_unreachable_provider() {
        let issuer = provider(Quirks::default()).await;
        let other = issuer.replace("/realms/test", "/realms/prod");
        let seen = observe(&oidc(&other), &[]).await;
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(404)));
        assert_eq!(
            seen.error.as_deref(),
            Some(format!("discovery {other}/.well-known/openid-configuration: http 404").as_str())
        );

        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let issuer = format!("http://admin:hunter2hunter2@{address}/realms/test");
        let seen = observe(&oidc(&issuer), &[]).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.unwrap();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(error.contains("refused"), "{error}");
        assert!(!oidc(&issuer).target().contains("hunter2"));
    }

    /// Accepts connections and never answers.
    async fn silent() -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        address
    }

    #[tokio::test]
    async fn a_silent_provider_times_out_within_the_budget() {
        let address = silent().await;
        let ctx = Context::default().with_timeout(Duration::from_millis(300));
        let started = Instant::now();
        let seen = observe_in(&oidc(&format!("http://{address}")), &[], &ctx).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        assert!(seen.error.unwrap().contains("timed out"));
    }

    #[test]
    fn scrub_masks_url_passwords_and_known_secrets() {
        let echoed = "error sending request for url (https://app:pa55word@sso/realms/x): \
                      client secret s3cr3t-value rejected";
        let clean = scrub(echoed, &["s3cr3t-value".to_owned()]);
        assert_eq!(
            clean,
            "error sending request for url (https://app:[REDACTED]@sso/realms/x): \
             client secret [REDACTED] rejected"
        );
        assert_eq!(scrub(&clean, &["s3cr3t-value".to_owned()]), clean, "idempotent");
    }

    #[test]
    fn basic_credentials_are_form_encoded() {
        let header = basic("my client", "p:w");
        let encoded = header.strip_prefix("Basic ").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
        assert_eq!(decoded, b"my+client:p%3Aw");
    }

    #[test]
    fn validates_fields() {
        assert!(oidc("https://sso.example.com/realms/a").validate().is_ok());
        assert!(oidc("sso.example.com").validate().unwrap_err().contains("issuer"));
        let secret_without_client =
            Oidc { client_secret_env: Some("S".into()), ..oidc("https://sso/realms/a") };
        assert!(secret_without_client.validate().unwrap_err().contains("need `client_id`"));
        let both = Oidc {
            client_secret_file: Some("/s".into()),
            ..with_client("https://sso/realms/a", ClientAuth::Basic)
        };
        assert!(both.validate().unwrap_err().contains("not both"));
    }

    #[test]
    fn yaml_form() {
        let probe: Probe = serde_yaml_ng::from_str(
            "kind: oidc\nissuer: https://sso.example.com/realms/app\nclient_id: backend\n\
             client_secret_env: KC_SECRET\nclient_auth: post\nscope: openid",
        )
        .unwrap();
        assert_eq!(probe.target(), "oidc https://sso.example.com/realms/app");
        assert!(probe.validate().is_ok());
        let error = serde_yaml_ng::from_str::<Probe>("kind: oidc\nissuer: https://x\nsecret: y")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `secret`"), "{error}");
        let error =
            serde_yaml_ng::from_str::<Probe>("kind: oidc\nissuer: https://x\nclient_auth: jwt")
                .unwrap_err()
                .to_string();
        assert!(error.contains("unknown variant `jwt`"), "{error}");
    }
}

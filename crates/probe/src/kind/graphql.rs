//! `kind: graphql`: does a GraphQL endpoint answer a query, and without errors?
//!
//! Sends one GraphQL request over HTTP (`POST` with a JSON body by default, or `GET`
//! with the query in the URL) and binds the `errors` and `data` of the answer. Without a
//! `query` it sends a small introspection query, so `[TYPES]` tells which fields each type
//! has: the `Cannot query field "xyz" on type "ABC"` question of a guide, answered without
//! `curl -d '{"query":"{ __schema { types { name } } }"}'`. The request is sent as written;
//! triage never sends a mutation of its own, and a guide's check should not either.
//!
//! # Fields
//!
//! | field | default | meaning |
//! | --- | --- | --- |
//! | `url` | required | `http://` or `https://` URL of the endpoint, e.g. `http://localhost:8080/graphql`; `user:password@` sends basic auth, the password is never shown |
//! | `query` | an introspection query | the GraphQL document to send |
//! | `variables` | none | map of variables sent with the query |
//! | `operation_name` | none | which operation of the document to run |
//! | `method` | `POST` | `POST` (JSON body) or `GET` (query string) |
//! | `headers` | none | map of request header names to values (values of secret-looking names are masked) |
//! | `token_env` | none | environment variable holding a bearer token sent as `Authorization: Bearer` (masked) |
//! | `tls_verify` | `true` | verify the server certificate (`false` accepts any) |
//! | `ca_file` | none | PEM file of extra CA certificates trusted besides the system roots |
//!
//! The request is bounded by the run's probe timeout and the answer is read up to the
//! run's byte cap (`max_bytes`); an answer cut there is reported as an error.
//!
//! # Placeholders
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[CONNECTED]` | `true` when the server answered |
//! | `[STATUS]` | HTTP status code of the answer |
//! | `[RESPONSE_TIME]` | time from sending the request to the answer's headers, in ms |
//! | `[ERRORS]` | number of entries in the answer's `errors` (0 without any) |
//! | `[ERROR_MESSAGES]` | the errors' `message`s, one per line (empty without any) |
//! | `[DATA]` | the answer's `data` as JSON: `[DATA].bots[0].status` (`null` when absent) |
//! | `[TYPES]` | introspection: JSON object from each type name to its field names: `[TYPES].Bot` |
//! | `[QUERY_TYPE]` | introspection: name of the query root type, e.g. `Query` |
//!
//! Without `expect:`, a check passes when `[ERRORS] == 0`.
//!
//! # Example
//!
//! ```yaml
//! kind: graphql
//! url: http://localhost:8080/query
//! query: "query Bots($first: Int) { bots(first: $first) { id status } }"
//! variables:
//!   first: 5
//! token_env: VOLATICLOUD_TOKEN
//! expect:
//!   - "[ERRORS] == 0"
//!   - "len([DATA].bots) > 0"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::Url;
use serde::Deserialize;
use serde_json::{Value as Json, json};
use triage_core::{Observation, Value};

use super::{api, credentials};
use crate::{Context, Kind};

/// The query sent when a check gives none: the schema's types and their fields.
const INTROSPECTION: &str = "query TriageIntrospection { __schema { queryType { name } \
     types { name kind fields(includeDeprecated: true) { name } } } }";

/// Sends one GraphQL request and binds its `errors` and `data`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Graphql {
    /// URL of the endpoint.
    pub url: String,
    /// The GraphQL document. Default: an introspection query.
    #[serde(default)]
    pub query: Option<String>,
    /// Variables sent with the query. Default: none.
    #[serde(default)]
    pub variables: Option<serde_json::Map<String, Json>>,
    /// The operation of the document to run. Default: none.
    #[serde(default)]
    pub operation_name: Option<String>,
    /// `POST` or `GET`. Default: `POST`.
    #[serde(default = "default_method")]
    pub method: String,
    /// Request headers. Default: none.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Variable holding a bearer token. Default: none.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Verifies the server certificate. Default: `true`.
    #[serde(default = "yes")]
    pub tls_verify: bool,
    /// PEM file of CA certificates trusted besides the system roots. Default: none.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_method() -> String {
    "POST".into()
}

fn yes() -> bool {
    true
}

impl Graphql {
    fn query(&self) -> &str {
        self.query.as_deref().unwrap_or(INTROSPECTION)
    }

    fn is_get(&self) -> Result<bool, String> {
        match self.method.to_ascii_uppercase().as_str() {
            "POST" => Ok(false),
            "GET" => Ok(true),
            _ => Err(format!("method `{}` is neither POST nor GET", self.method)),
        }
    }

    /// The request for `url`, with the bearer `token` when given.
    fn request(&self, url: &Url, token: Option<&str>) -> api::Request {
        let variables = self.variables.clone().map(Json::Object);
        let mut headers = self.headers.clone();
        headers
            .entry("Accept".into())
            .or_insert_with(|| "application/graphql-response+json, application/json".into());
        if let Some(token) = token {
            headers.insert("Authorization".into(), format!("Bearer {token}"));
        }
        let (url, method, body) = if self.is_get().unwrap_or(false) {
            let mut url = url.clone();
            {
                let mut pairs = url.query_pairs_mut();
                pairs.append_pair("query", self.query());
                if let Some(variables) = &variables {
                    pairs.append_pair("variables", &variables.to_string());
                }
                if let Some(name) = &self.operation_name {
                    pairs.append_pair("operationName", name);
                }
            }
            (url, "GET", None)
        } else {
            let mut body = json!({ "query": self.query() });
            if let Some(variables) = variables {
                body["variables"] = variables;
            }
            if let Some(name) = &self.operation_name {
                body["operationName"] = name.as_str().into();
            }
            headers.insert("Content-Type".into(), "application/json".into());
            (url.clone(), "POST", Some(body.to_string()))
        };
        api::Request {
            url: url.to_string(),
            method,
            headers,
            body,
            tls_verify: self.tls_verify,
            ca_file: self.ca_file.clone(),
        }
    }
}

impl Kind for Graphql {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("CONNECTED", "true when the server answered"),
        ("STATUS", "HTTP status code of the answer"),
        ("RESPONSE_TIME", "time from sending the request to the answer's headers, in ms"),
        ("ERRORS", "number of entries in the answer's errors"),
        ("ERROR_MESSAGES", "the errors' messages, one per line"),
        ("DATA", "the answer's data as JSON"),
        ("TYPES", "introspection: JSON object from each type name to its field names"),
        ("QUERY_TYPE", "introspection: name of the query root type"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[ERRORS] == 0"];

    fn target(&self) -> String {
        let url = api::http_url(&self.url).map_or_else(|_| self.url.clone(), |u| api::masked(&u));
        match &self.query {
            Some(_) => format!("graphql {url}"),
            None => format!("graphql {url} (introspection)"),
        }
    }

    fn validate(&self) -> Result<(), String> {
        api::http_url(&self.url)?;
        self.is_get()?;
        api::validate_headers(&self.headers)?;
        if self.query.as_deref().is_some_and(|q| q.trim().is_empty()) {
            return Err("query is empty".into());
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let mut seen = Observation::default();
        credentials::header_secrets(&self.headers, &mut seen);
        let url = match api::http_url(&self.url) {
            Ok(url) => url,
            Err(e) => {
                api::fail(&mut seen, e);
                return seen;
            }
        };
        credentials::url_secrets(&url, &mut seen);
        if let Err(e) = self.exchange(ctx, &url, &mut seen).await {
            api::fail(&mut seen, e);
        }
        seen
    }
}

impl Graphql {
    async fn exchange(
        &self,
        ctx: &Context,
        url: &Url,
        seen: &mut Observation,
    ) -> Result<(), String> {
        self.is_get()?;
        let token = credentials::bearer_token(self.token_env.as_deref(), seen)?;
        let request = self.request(url, token.as_deref());
        let answer = api::send(ctx, request, seen, &["RESPONSE_TIME", "STATUS"]).await?;
        if answer.truncated {
            return Err(format!("the answer is longer than max_bytes ({} bytes)", ctx.max_bytes));
        }
        let status = api::status_text(answer.status);
        let answer: Json = serde_json::from_str(&answer.body)
            .map_err(|_| format!("http {status}: the answer is not graphql json"))?;
        bind_answer(&answer, seen).map_err(|e| format!("http {status}: {e}"))
    }
}

/// Binds `[ERRORS]`, `[ERROR_MESSAGES]`, `[DATA]` and, for introspection, `[TYPES]`.
fn bind_answer(answer: &Json, seen: &mut Observation) -> Result<(), String> {
    let Some(object) = answer.as_object() else {
        return Err("the answer is not a json object".into());
    };
    if !object.contains_key("data") && !object.contains_key("errors") {
        return Err("the answer has neither `data` nor `errors`".into());
    }
    let errors =
        object.get("errors").and_then(Json::as_array).map(Vec::as_slice).unwrap_or_default();
    let messages: Vec<&str> =
        errors.iter().map(|e| e["message"].as_str().unwrap_or("(no message)")).collect();
    if let Some(first) = messages.first() {
        seen.note(format!("graphql error: {first}"));
    }
    let data = object.get("data").cloned().unwrap_or(Json::Null);
    seen.set("ERRORS", errors.len() as u64)
        .set("ERROR_MESSAGES", messages.join("\n"))
        .set("DATA", Value::Json(data.clone()));
    let schema = &data["__schema"];
    if let Some(types) = schema["types"].as_array() {
        let mut by_name = serde_json::Map::new();
        for one in types {
            let Some(name) = one["name"].as_str() else { continue };
            let fields: Vec<Json> = one["fields"]
                .as_array()
                .map(|fields| fields.iter().map(|f| f["name"].clone()).collect())
                .unwrap_or_default();
            by_name.insert(name.to_owned(), Json::Array(fields));
        }
        seen.set("TYPES", Value::Json(Json::Object(by_name)));
    }
    if let Some(name) = schema["queryType"]["name"].as_str() {
        seen.set("QUERY_TYPE", name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};
    use axum::http::HeaderMap;

    use super::*;

    #[derive(SimpleObject)]
    struct Bot {
        id: i32,
        status: String,
    }

    struct Query;

    #[Object]
    impl Query {
        async fn bots(&self, first: Option<i32>) -> Vec<Bot> {
            let all = [(1, "running"), (2, "stopped"), (3, "running")];
            let n = usize::try_from(first.unwrap_or(3)).unwrap_or(0);
            all.iter()
                .take(n)
                .map(|(id, status)| Bot { id: *id, status: (*status).into() })
                .collect()
        }

        async fn broken(&self) -> async_graphql::Result<i32> {
            Err("database is down".into())
        }
    }

    /// A real GraphQL server (async-graphql under axum) on 127.0.0.1:0. Requests without
    /// `Authorization: Bearer triage-probe` get 401, on `/private` only.
    async fn server() -> SocketAddr {
        use axum::routing::post;
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let public = schema.clone();
        let app = axum::Router::new()
            .route(
                "/graphql",
                post(move |axum::Json(request): axum::Json<async_graphql::Request>| {
                    let schema = public.clone();
                    async move { axum::Json(schema.execute(request).await) }
                })
                .get(|| async { (axum::http::StatusCode::METHOD_NOT_ALLOWED, "use POST") }),
            )
            .route(
                "/private",
                post(move |headers: HeaderMap, axum::Json(request): axum::Json<async_graphql::Request>| {
                    let schema = schema.clone();
                    async move {
                        let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
                        if auth != Some("Bearer triage-probe") {
                            return Err((axum::http::StatusCode::UNAUTHORIZED, "no"));
                        }
                        Ok(axum::Json(schema.execute(request).await))
                    }
                }),
            )
            .route("/html", post(|| async { "<html>not graphql</html>" }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        address
    }

    fn probe(yaml: &str) -> Graphql {
        let probe: Graphql = serde_yaml_ng::from_str(yaml).unwrap();
        probe.validate().unwrap();
        probe
    }

    #[tokio::test]
    async fn query_with_variables_binds_data() {
        let address = server().await;
        let seen = probe(&format!(
            "url: http://{address}/graphql\nquery: 'query B($first: Int) {{ bots(first: $first) {{ id status }} }}'\nvariables:\n  first: 2\n"
        ))
        .observe(&Context::default())
        .await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)));
        assert_eq!(seen.get("ERRORS"), Some(&Value::Int(0)));
        assert_eq!(seen.get("ERROR_MESSAGES"), Some(&"".into()));
        let data = seen.get("DATA").unwrap().to_json().unwrap();
        assert_eq!(
            data,
            json!({"bots": [{"id": 1, "status": "running"}, {"id": 2, "status": "stopped"}]})
        );
        assert!(seen.get("TYPES").is_none());
    }

    #[tokio::test]
    async fn errors_are_counted_and_their_messages_kept() {
        let address = server().await;
        let url = format!("http://{address}/graphql");
        let seen = probe(&format!("url: {url}\nquery: '{{ bots {{ id xyz }} }}'"))
            .observe(&Context::default())
            .await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("ERRORS"), Some(&Value::Int(1)));
        assert_eq!(
            seen.get("ERROR_MESSAGES"),
            Some(&r#"Unknown field "xyz" on type "Bot"."#.into()),
            "{seen:?}"
        );
        assert_eq!(seen.get("DATA"), Some(&Value::Json(Json::Null)));

        // A resolver error: data is there, partly null, and the error is counted.
        let seen = probe(&format!("url: {url}\nquery: '{{ broken bots {{ id }} }}'"))
            .observe(&Context::default())
            .await;
        assert_eq!(seen.get("ERRORS"), Some(&Value::Int(1)));
        assert_eq!(seen.get("ERROR_MESSAGES"), Some(&"database is down".into()));
        assert!(seen.notes.iter().any(|n| n == "graphql error: database is down"));
    }

    #[tokio::test]
    async fn introspection_lists_types_and_fields() {
        let address = server().await;
        let seen =
            probe(&format!("url: http://{address}/graphql")).observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("QUERY_TYPE"), Some(&"Query".into()));
        let types = seen.get("TYPES").unwrap().to_json().unwrap();
        assert_eq!(types["Bot"], json!(["id", "status"]));
        assert_eq!(types["Query"], json!(["bots", "broken"]));
        assert_eq!(seen.get("ERRORS"), Some(&Value::Int(0)));
    }

    #[tokio::test]
    async fn bearer_token_from_env_is_sent_and_secret() {
        let address = server().await;
        let url = format!("http://{address}/private");
        let seen = probe(&format!("url: {url}\nquery: '{{ bots {{ id }} }}'"))
            .observe(&Context::default())
            .await;
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(401)));
        assert_eq!(
            seen.error.as_deref(),
            Some("http 401 Unauthorized: the answer is not graphql json")
        );
        // Cargo sets CARGO_PKG_NAME=triage-probe for the test process: a token we know.
        let seen =
            probe(&format!("url: {url}\nquery: '{{ bots {{ id }} }}'\ntoken_env: CARGO_PKG_NAME"))
                .observe(&Context::default())
                .await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("ERRORS"), Some(&Value::Int(0)));
        assert_eq!(seen.secrets, ["triage-probe"]);
    }

    #[tokio::test]
    async fn what_is_not_graphql_is_an_error() {
        let address = server().await;
        let seen = probe(&format!("url: http://{address}/html\nquery: '{{ x }}'"))
            .observe(&Context::default())
            .await;
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert_eq!(seen.error.as_deref(), Some("http 200 OK: the answer is not graphql json"));
        assert!(seen.get("ERRORS").is_none());
        let seen = probe(&format!("url: http://{address}/graphql\nmethod: get"))
            .observe(&Context::default())
            .await;
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(405)));
        let mut answer = Observation::default();
        assert_eq!(
            bind_answer(&json!({"hello": 1}), &mut answer).unwrap_err(),
            "the answer has neither `data` nor `errors`"
        );
        let ctx = Context { max_bytes: 100, ..Context::default() };
        let seen = probe(&format!("url: http://{address}/graphql")).observe(&ctx).await;
        assert_eq!(seen.error.as_deref(), Some("the answer is longer than max_bytes (100 bytes)"));
    }

    #[tokio::test]
    async fn refused_is_a_result_and_the_password_stays_hidden() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let seen = probe(&format!("url: http://app:hunter2hunter2@{address}/graphql"))
            .observe(&Context::default())
            .await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.clone().unwrap();
        assert!(error.contains("refused") && !error.contains("hunter2"), "{error}");
        assert_eq!(seen.secrets, ["hunter2hunter2"]);
    }

    #[test]
    fn yaml_form_validation_and_target() {
        let parsed: crate::Probe = serde_yaml_ng::from_str(
            "kind: graphql\nurl: http://localhost:8080/query\nvariables:\n  first: 5\n",
        )
        .unwrap();
        let crate::Probe::Graphql(g) = parsed else { panic!("not graphql") };
        assert_eq!(g.method, "POST");
        assert_eq!(g.variables.as_ref().unwrap()["first"], 5);
        assert_eq!(g.target(), "graphql http://localhost:8080/query (introspection)");
        let error =
            serde_yaml_ng::from_str::<crate::Probe>("kind: graphql\nurl: http://x\nvars: {}\n")
                .unwrap_err()
                .to_string();
        assert!(error.contains("unknown field `vars`"), "{error}");
        let bad: Graphql = serde_yaml_ng::from_str("url: http://x\nmethod: PUT").unwrap();
        assert_eq!(bad.validate().unwrap_err(), "method `PUT` is neither POST nor GET");
        let bad: Graphql = serde_yaml_ng::from_str("url: ws://x").unwrap();
        assert!(bad.validate().unwrap_err().contains("not http or https"));
    }
}

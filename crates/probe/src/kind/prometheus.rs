//! `kind: prometheus`: what does a Prometheus server say about the system?
//!
//! Asks a Prometheus server's HTTP API, read-only, up to three questions in one check:
//! an instant PromQL `query` (`/api/v1/query`), whether an `alert` is firing
//! (`/api/v1/alerts`), and which scrape `targets` are down (`/api/v1/targets`). With none
//! of the three it asks `/api/v1/status/buildinfo`, which tells whether the server answers
//! and which version it runs. This replaces `curl .../api/v1/query?query=... | jq` in a
//! guide.
//!
//! # Fields
//!
//! | field | default | meaning |
//! | --- | --- | --- |
//! | `url` | required | base URL of the server, e.g. `http://localhost:9090` (a path prefix such as `/prometheus` is kept); `user:password@` sends basic auth, the password is never shown |
//! | `query` | none | PromQL expression evaluated now (an instant query) |
//! | `by` | none | label whose values key `[VALUES]`, e.g. `service` for `... by (service)` |
//! | `alert` | none | alert name (`alertname` label) to look for; `"*"` means any alert |
//! | `targets` | `false` | look at the active scrape targets and the ones that are down |
//! | `job` | none | with `targets`: only the targets of this job (scrape pool) |
//! | `headers` | none | map of request header names to values (values of secret-looking names are masked) |
//! | `token_env` | none | environment variable holding a bearer token sent as `Authorization: Bearer` (masked) |
//! | `tls_verify` | `true` | verify the server certificate (`false` accepts any) |
//! | `ca_file` | none | PEM file of extra CA certificates trusted besides the system roots |
//!
//! Every request is bounded by the run's probe timeout and every answer is read up to the
//! run's byte cap (`max_bytes`); an answer cut there is reported as an error.
//!
//! # Placeholders
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[CONNECTED]` | `true` when the server answered |
//! | `[RESPONSE_TIME]` | time for all of the check's requests, in ms |
//! | `[VERSION]` | without `query`, `alert` and `targets`: the server's version, e.g. `2.42.0` |
//! | `[VALUE]` | `query`: the value of the first series (or the scalar); unbound when the result is empty |
//! | `[SERIES]` | `query`: number of series in the result (1 for a scalar) |
//! | `[MIN]` / `[MAX]` | `query`: smallest and largest value over all series |
//! | `[LABELS]` | `query`: labels of the first series as JSON: `[LABELS].instance` |
//! | `[RESULT]` | `query`: every series as JSON `[{"labels": {...}, "value": 1.5}]`: `[RESULT][1].value` |
//! | `[VALUES]` | `query` with `by`: JSON object from each value of that label to its sample: `[VALUES].api > 0.5` |
//! | `[RESULT_TYPE]` | `query`: `vector`, `scalar`, `matrix` or `string` (a matrix series' value is its last sample) |
//! | `[FIRING]` | `alert`: `true` when at least one matching alert is firing |
//! | `[FIRING_COUNT]` | `alert`: matching alerts firing |
//! | `[PENDING_COUNT]` | `alert`: matching alerts pending (their `for:` not yet elapsed) |
//! | `[ALERTS]` | `alert`: the firing ones as JSON `[{"name", "labels", "annotations", "active_at", "value"}]` |
//! | `[TARGETS]` | `targets`: active scrape targets |
//! | `[TARGETS_DOWN]` | `targets`: targets whose last scrape failed |
//! | `[DOWN_TARGETS]` | `targets`: the down ones as JSON `[{"job", "instance", "scrape_url", "error"}]` |
//!
//! Sample values are numbers; `NaN` and `±Inf` stay floats in `[VALUE]` and become `null`
//! in the JSON placeholders. Without `expect:`, a check passes when `[CONNECTED] == true`.
//! A query Prometheus rejects (a PromQL syntax error) is reported as the check's error
//! with Prometheus' own message.
//!
//! # Example
//!
//! ```yaml
//! kind: prometheus
//! url: http://localhost:9090
//! query: histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (service, le))
//! by: service
//! alert: HighErrorRate
//! targets: true
//! expect:
//!   - "[MAX] < 0.5"
//!   - "[VALUES].api-gateway < 0.3"
//!   - "[FIRING] == false"
//!   - "[TARGETS_DOWN] == 0"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use reqwest::Url;
use serde::Deserialize;
use serde_json::{Value as Json, json};
use triage_core::{Observation, Value};

use super::{api, credentials};
use crate::{Context, Kind};

/// Asks a Prometheus server's HTTP API a query, about an alert and about targets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prometheus {
    /// Base URL of the server, e.g. `http://localhost:9090`.
    pub url: String,
    /// PromQL expression evaluated now. Default: none.
    #[serde(default)]
    pub query: Option<String>,
    /// Label whose values key `[VALUES]`. Default: none.
    #[serde(default)]
    pub by: Option<String>,
    /// Alert name to look for, `*` for any. Default: none.
    #[serde(default)]
    pub alert: Option<String>,
    /// Looks at the scrape targets. Default: `false`.
    #[serde(default)]
    pub targets: bool,
    /// Only the targets of this job. Default: all.
    #[serde(default)]
    pub job: Option<String>,
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

fn yes() -> bool {
    true
}

/// One question to the API: the endpoint and its query parameters.
struct Ask<'a> {
    path: &'a str,
    params: Vec<(&'a str, &'a str)>,
}

impl Prometheus {
    /// The URL of `ask` below the base URL, keeping a path prefix.
    fn endpoint(&self, base: &Url, ask: &Ask<'_>) -> Url {
        let mut url = base.clone();
        let prefix = base.path().trim_end_matches('/');
        url.set_path(&format!("{prefix}{}", ask.path));
        url.set_query(None);
        if !ask.params.is_empty() {
            url.query_pairs_mut().extend_pairs(&ask.params);
        }
        url
    }

    /// Sends one request and returns the `data` member of a `success` answer.
    async fn ask(
        &self,
        ctx: &Context,
        base: &Url,
        ask: Ask<'_>,
        token: Option<&str>,
        seen: &mut Observation,
    ) -> Result<Json, String> {
        let mut headers = self.headers.clone();
        headers.entry("Accept".into()).or_insert_with(|| "application/json".into());
        if let Some(token) = token {
            headers.insert("Authorization".into(), format!("Bearer {token}"));
        }
        let request = api::Request {
            url: self.endpoint(base, &ask).to_string(),
            method: "GET",
            headers,
            body: None,
            tls_verify: self.tls_verify,
            ca_file: self.ca_file.clone(),
        };
        let answer = api::send(ctx, request, seen, &[]).await?;
        if answer.truncated {
            return Err(format!(
                "{}: the answer is longer than max_bytes ({} bytes)",
                ask.path, ctx.max_bytes
            ));
        }
        let status = api::status_text(answer.status);
        let answer: Json = serde_json::from_str(&answer.body).map_err(|_| {
            format!("{}: http {status}, and the answer is not prometheus json", ask.path)
        })?;
        match answer["status"].as_str() {
            Some("success") => Ok(answer["data"].clone()),
            _ => {
                let kind = answer["errorType"].as_str().unwrap_or("error");
                let message = answer["error"].as_str().unwrap_or("no message");
                Err(format!("{}: http {status}: {kind}: {message}", ask.path))
            }
        }
    }
}

impl Kind for Prometheus {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("CONNECTED", "true when the server answered"),
        ("RESPONSE_TIME", "time for all of the check's requests, in ms"),
        ("VERSION", "without query, alert and targets: the server's version"),
        ("VALUE", "query: value of the first series or the scalar"),
        ("SERIES", "query: number of series in the result"),
        ("MIN", "query: smallest value over all series"),
        ("MAX", "query: largest value over all series"),
        ("LABELS", "query: labels of the first series, as JSON"),
        ("RESULT", "query: every series as JSON [{labels, value}]"),
        ("VALUES", "query with by: JSON object from each label value to its sample"),
        ("RESULT_TYPE", "query: vector, scalar, matrix or string"),
        ("FIRING", "alert: true when a matching alert is firing"),
        ("FIRING_COUNT", "alert: matching alerts firing"),
        ("PENDING_COUNT", "alert: matching alerts pending"),
        ("ALERTS", "alert: the firing ones as JSON"),
        ("TARGETS", "targets: active scrape targets"),
        ("TARGETS_DOWN", "targets: targets whose last scrape failed"),
        ("DOWN_TARGETS", "targets: the down ones as JSON [{job, instance, scrape_url, error}]"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[CONNECTED] == true"];

    fn target(&self) -> String {
        let base = match api::http_url(&self.url) {
            Ok(url) => api::masked(&url),
            Err(_) => self.url.clone(),
        };
        let mut asked = Vec::new();
        if let Some(query) = &self.query {
            asked.push(format!("query `{query}`"));
        }
        if let Some(alert) = &self.alert {
            asked.push(format!("alert {alert}"));
        }
        if self.targets {
            asked.push(match &self.job {
                Some(job) => format!("targets of {job}"),
                None => "targets".to_owned(),
            });
        }
        if asked.is_empty() {
            format!("prometheus {base}")
        } else {
            format!("prometheus {base}: {}", asked.join(", "))
        }
    }

    fn validate(&self) -> Result<(), String> {
        api::http_url(&self.url)?;
        api::validate_headers(&self.headers)?;
        if matches!(&self.query, Some(q) if q.trim().is_empty()) {
            return Err("query is empty".into());
        }
        if self.by.is_some() && self.query.is_none() {
            return Err("`by` needs a `query`".into());
        }
        if self.job.is_some() && !self.targets {
            return Err("`job` needs `targets: true`".into());
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let mut seen = Observation::default();
        credentials::header_secrets(&self.headers, &mut seen);
        let base = match api::http_url(&self.url) {
            Ok(url) => url,
            Err(e) => {
                api::fail(&mut seen, e);
                return seen;
            }
        };
        credentials::url_secrets(&base, &mut seen);
        let token = match credentials::bearer_token(self.token_env.as_deref(), &mut seen) {
            Ok(token) => token,
            Err(e) => {
                api::fail(&mut seen, e);
                return seen;
            }
        };
        let started = Instant::now();
        let outcome = self.questions(ctx, &base, token.as_deref(), &mut seen).await;
        seen.set("RESPONSE_TIME", started.elapsed());
        if let Err(e) = outcome {
            api::fail(&mut seen, e);
        }
        seen
    }
}

impl Prometheus {
    /// Asks every question the check names, stopping at the first that fails.
    async fn questions(
        &self,
        ctx: &Context,
        base: &Url,
        token: Option<&str>,
        seen: &mut Observation,
    ) -> Result<(), String> {
        let mut asked = false;
        if let Some(query) = &self.query {
            asked = true;
            let ask = Ask { path: "/api/v1/query", params: vec![("query", query.as_str())] };
            let data = self.ask(ctx, base, ask, token, seen).await?;
            bind_query(&data, self.by.as_deref(), seen).map_err(|e| format!("query: {e}"))?;
        }
        if let Some(alert) = &self.alert {
            asked = true;
            let ask = Ask { path: "/api/v1/alerts", params: Vec::new() };
            let data = self.ask(ctx, base, ask, token, seen).await?;
            bind_alerts(&data, alert, seen);
        }
        if self.targets {
            asked = true;
            let ask = Ask { path: "/api/v1/targets", params: vec![("state", "active")] };
            let data = self.ask(ctx, base, ask, token, seen).await?;
            bind_targets(&data, self.job.as_deref(), seen);
        }
        if !asked {
            let ask = Ask { path: "/api/v1/status/buildinfo", params: Vec::new() };
            let data = self.ask(ctx, base, ask, token, seen).await?;
            if let Some(version) = data["version"].as_str() {
                seen.set("VERSION", version);
            }
        }
        Ok(())
    }
}

/// A sample value as Prometheus writes it: `"1"`, `"1e+00"`, `"NaN"`, `"+Inf"`.
fn sample(pair: &Json) -> Option<f64> {
    let text = pair.get(1)?.as_str()?;
    text.parse::<f64>().ok()
}

/// A float as JSON; `NaN` and infinities have no JSON form and become `null`.
fn number(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

/// Binds the placeholders of an instant query's `data`.
fn bind_query(data: &Json, by: Option<&str>, seen: &mut Observation) -> Result<(), String> {
    let kind = data["resultType"].as_str().unwrap_or_default();
    seen.set("RESULT_TYPE", kind);
    let series: Vec<(Json, Option<f64>)> = match kind {
        "scalar" => vec![(json!({}), sample(&data["result"]))],
        "string" => {
            let text = data["result"][1].as_str().unwrap_or_default();
            seen.set("VALUE", text).set("SERIES", 1i64);
            return Ok(());
        }
        "vector" | "matrix" => data["result"]
            .as_array()
            .ok_or("the answer has no result list")?
            .iter()
            .map(|one| {
                let value = match kind {
                    "vector" => sample(&one["value"]),
                    // A range selector in an instant query: the newest sample speaks for it.
                    _ => one["values"].as_array().and_then(|v| v.last()).and_then(sample),
                };
                (one["metric"].clone(), value)
            })
            .collect(),
        other => return Err(format!("unknown result type `{other}`")),
    };
    seen.set("SERIES", series.len() as u64);
    let values: Vec<f64> = series.iter().filter_map(|(_, v)| *v).collect();
    if let Some((labels, value)) = series.first() {
        if let Some(value) = value {
            seen.set("VALUE", *value);
        }
        seen.set("LABELS", Value::Json(labels.clone()));
    } else {
        seen.note("the query returned no series");
    }
    // NaN never compares, so it neither sets nor spoils the minimum and maximum.
    let finite = values.iter().copied().filter(|v| !v.is_nan());
    if let Some(min) = finite.clone().reduce(f64::min) {
        seen.set("MIN", min);
    }
    if let Some(max) = finite.reduce(f64::max) {
        seen.set("MAX", max);
    }
    let result: Vec<Json> = series
        .iter()
        .map(|(labels, value)| json!({"labels": labels, "value": value.map_or(Json::Null, number)}))
        .collect();
    seen.set("RESULT", Value::Json(Json::Array(result)));
    if let Some(label) = by {
        bind_by(&series, label, seen);
    }
    Ok(())
}

/// `[VALUES]`: each value of `label` to the sample of its series.
fn bind_by(series: &[(Json, Option<f64>)], label: &str, seen: &mut Observation) {
    let mut by = serde_json::Map::new();
    let (mut unlabelled, mut repeated) = (0, 0);
    for (labels, value) in series {
        let Some(key) = labels[label].as_str() else {
            unlabelled += 1;
            continue;
        };
        if by.contains_key(key) {
            repeated += 1;
            continue;
        }
        by.insert(key.to_owned(), value.map_or(Json::Null, number));
    }
    if unlabelled > 0 {
        seen.note(format!("{unlabelled} series without label `{label}` left out of [VALUES]"));
    }
    if repeated > 0 {
        seen.note(format!(
            "{repeated} series repeat a value of `{label}`: [VALUES] keeps the first of each"
        ));
    }
    seen.set("VALUES", Value::Json(Json::Object(by)));
}

/// Binds the alert placeholders from `/api/v1/alerts`' `data`.
fn bind_alerts(data: &Json, wanted: &str, seen: &mut Observation) {
    let alerts = data["alerts"].as_array().map(Vec::as_slice).unwrap_or_default();
    let matching = alerts
        .iter()
        .filter(|a| wanted == "*" || a["labels"]["alertname"].as_str() == Some(wanted));
    let (mut firing, mut pending) = (Vec::new(), 0u64);
    for alert in matching {
        match alert["state"].as_str() {
            Some("firing") => firing.push(json!({
                "name": alert["labels"]["alertname"],
                "labels": alert["labels"],
                "annotations": alert["annotations"],
                "active_at": alert["activeAt"],
                "value": alert["value"].as_str().and_then(|v| v.parse::<f64>().ok()).map_or(Json::Null, number),
            })),
            Some("pending") => pending += 1,
            _ => {}
        }
    }
    if let Some(first) = firing.first() {
        let instances = firing.len();
        seen.note(format!("alert {} firing ({instances} instance(s))", first["name"]));
    }
    seen.set("FIRING", !firing.is_empty())
        .set("FIRING_COUNT", firing.len() as u64)
        .set("PENDING_COUNT", pending)
        .set("ALERTS", Value::Json(Json::Array(firing)));
}

/// Binds the target placeholders from `/api/v1/targets`' `data`.
fn bind_targets(data: &Json, job: Option<&str>, seen: &mut Observation) {
    let targets = data["activeTargets"].as_array().map(Vec::as_slice).unwrap_or_default();
    let of_job = |t: &&Json| {
        job.is_none_or(|job| {
            t["scrapePool"].as_str() == Some(job) || t["labels"]["job"].as_str() == Some(job)
        })
    };
    let chosen: Vec<&Json> = targets.iter().filter(of_job).collect();
    let down: Vec<Json> = chosen
        .iter()
        .filter(|t| t["health"].as_str() == Some("down"))
        .map(|t| {
            json!({
                "job": t["labels"]["job"].as_str().or(t["scrapePool"].as_str()),
                "instance": t["labels"]["instance"],
                "scrape_url": t["scrapeUrl"],
                "error": t["lastError"],
            })
        })
        .collect();
    for target in down.iter().take(3) {
        seen.note(format!(
            "target {}/{} down: {}",
            target["job"].as_str().unwrap_or("?"),
            target["instance"].as_str().unwrap_or("?"),
            target["error"].as_str().unwrap_or("no error given"),
        ));
    }
    if job.is_some() && chosen.is_empty() {
        seen.note(format!("no active target of job {}", job.unwrap_or_default()));
    }
    seen.set("TARGETS", chosen.len() as u64)
        .set("TARGETS_DOWN", down.len() as u64)
        .set("DOWN_TARGETS", Value::Json(Json::Array(down)));
}

#[cfg(test)]
mod tests;

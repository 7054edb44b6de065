//! `kind: metrics`: what does a Prometheus endpoint say about one metric?
//!
//! Scrapes `url` (Prometheus text exposition format, as served on `/metrics`), picks the
//! series named `metric` whose labels match `labels`, and binds their values. The fetch is
//! the [`http`](super::http) kind's (new connection, timeout, `max_bytes` cap; a cut
//! exposition is parsed up to its last whole line and noted).
//!
//! Parsing uses the `openmetrics-parser` crate: of the Rust parsers for this format it is
//! the maintained one that handles the format fully (escaped label values, timestamps,
//! exemplars, `NaN`/`±Inf`, histograms and summaries grouped into families), where
//! `prometheus-parse` splits labels on `,`/`=` and keeps escapes, and
//! `prom_text_format_parser`/`nom-openmetrics` are single releases that reject
//! timestamps or keep values escaped. Its licence is LGPL-3.0, which triage, being open
//! source, satisfies; only [`flatten`] knows the crate, so swapping it is one function.
//!
//! Histograms and summaries are flattened back into the series Prometheus itself would
//! store: `NAME_bucket{le="..."}`, `NAME_sum`, `NAME_count`, and `NAME{quantile="..."}`.
//!
//! # Fields
//!
//! | field | default | meaning |
//! | --- | --- | --- |
//! | `url` | required | `http://` or `https://` URL of the exposition |
//! | `metric` | required | series name, e.g. `http_requests_total` or `latency_seconds_bucket` |
//! | `labels` | none | label matchers, all of which must hold: `code: "500"` (equal), `code: "=~5.."` (regex, anchored as in PromQL), `code: "!=200"`, `code: "!~2.."`; `"=x"` forces an exact match of `x`. A missing label matches as the empty string |
//! | `headers` | none | request headers, e.g. `Authorization` |
//! | `tls_verify` | `true` | as for `http` |
//! | `ca_file` | none | as for `http` |
//!
//! # Placeholders
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[VALUE]` | value of the first matching series, in exposition order (unbound when none match) |
//! | `[SUM]` | sum of the matching values (`0` when none match) |
//! | `[COUNT]` | number of matching series |
//! | `[MIN]`, `[MAX]` | smallest and largest matching value (unbound when none match) |
//! | `[SERIES]` | JSON list of `{name, labels, value}` of the matching series |
//! | `[STATUS]` | HTTP status of the scrape |
//! | `[CONNECTED]` | `true` when the endpoint answered |
//! | `[RESPONSE_TIME]` | time to the scrape's response headers, in ms |
//!
//! Without `expect:`, a check passes when `[COUNT] > 0` (the metric is exposed).
//!
//! # Example
//!
//! ```yaml
//! kind: metrics
//! url: http://localhost:9090/metrics
//! metric: http_requests_total
//! labels:
//!   code: "=~5.."
//!   handler: /api/orders
//! expect:
//!   - "[SUM] < 10"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use openmetrics_parser::{MetricNumber, PrometheusValue, Sample};
use regex::Regex;
use serde::Deserialize;
use triage_core::{Observation, Value};

use super::http::Http;
use crate::{Context, Kind};

/// Expositions larger than this are parsed off the async threads.
const PARSE_INLINE_BYTES: usize = 64 * 1024;

/// Scrapes a Prometheus endpoint and binds the series named `metric` matching `labels`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// URL of the exposition.
    pub url: String,
    /// Series name.
    pub metric: String,
    /// Label matchers (see the module docs). Default: none (every series of `metric`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Request headers. Default: none.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Verifies the server certificate. Default: `true`.
    #[serde(default = "yes")]
    pub tls_verify: bool,
    /// PEM file of extra trusted CA certificates. Default: none.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn yes() -> bool {
    true
}

/// One series as Prometheus stores it.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// One label matcher, PromQL style.
#[derive(Debug)]
enum Matcher {
    Equal(String),
    NotEqual(String),
    Matches(Regex),
    NotMatches(Regex),
}

impl Matcher {
    fn parse(label: &str, text: &str) -> Result<Matcher, String> {
        let regex = |pattern: &str| {
            Regex::new(&format!("^(?:{pattern})$"))
                .map_err(|e| format!("label `{label}`: regex `{pattern}`: {e}"))
        };
        Ok(if let Some(pattern) = text.strip_prefix("=~") {
            Matcher::Matches(regex(pattern)?)
        } else if let Some(pattern) = text.strip_prefix("!~") {
            Matcher::NotMatches(regex(pattern)?)
        } else if let Some(value) = text.strip_prefix("!=") {
            Matcher::NotEqual(value.to_owned())
        } else {
            Matcher::Equal(text.strip_prefix('=').unwrap_or(text).to_owned())
        })
    }

    fn accepts(&self, value: &str) -> bool {
        match self {
            Matcher::Equal(want) => value == want,
            Matcher::NotEqual(want) => value != want,
            Matcher::Matches(regex) => regex.is_match(value),
            Matcher::NotMatches(regex) => !regex.is_match(value),
        }
    }
}

impl Metrics {
    fn matchers(&self) -> Result<Vec<(String, Matcher)>, String> {
        self.labels
            .iter()
            .map(|(label, text)| Ok((label.clone(), Matcher::parse(label, text)?)))
            .collect()
    }

    fn http(&self) -> Http {
        let mut headers = self.headers.clone();
        if !headers.keys().any(|name| name.eq_ignore_ascii_case("accept")) {
            // Ask for the classic text format even from servers that prefer OpenMetrics.
            headers.insert("Accept".into(), "text/plain;version=0.0.4".into());
        }
        Http {
            url: self.url.clone(),
            method: "GET".into(),
            headers,
            body: None,
            follow_redirects: true,
            tls_verify: self.tls_verify,
            ca_file: self.ca_file.clone(),
        }
    }
}

impl Kind for Metrics {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("VALUE", "value of the first matching series"),
        ("SUM", "sum of the matching values (0 when none match)"),
        ("COUNT", "number of matching series"),
        ("MIN", "smallest matching value"),
        ("MAX", "largest matching value"),
        ("SERIES", "JSON list of {name, labels, value} of the matching series"),
        ("STATUS", "HTTP status of the scrape"),
        ("CONNECTED", "true when the endpoint answered"),
        ("RESPONSE_TIME", "time to the scrape's response headers, in ms"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[COUNT] > 0"];

    fn target(&self) -> String {
        let labels: Vec<String> = self.labels.iter().map(|(k, v)| format!("{k}: {v:?}")).collect();
        match labels.is_empty() {
            true => format!("metrics {} {}", self.url, self.metric),
            false => format!("metrics {} {}{{{}}}", self.url, self.metric, labels.join(", ")),
        }
    }

    fn validate(&self) -> Result<(), String> {
        if self.metric.is_empty() {
            return Err("metric is empty".into());
        }
        self.matchers()?;
        self.http().validate()
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let matchers = match self.matchers() {
            Ok(matchers) => matchers,
            Err(e) => return Observation::failed(e),
        };
        let scrape = self.http().observe(ctx).await;
        let mut seen = Observation::default();
        seen.secrets.clone_from(&scrape.secrets);
        for name in ["STATUS", "CONNECTED", "RESPONSE_TIME"] {
            if let Some(value) = scrape.get(name) {
                seen.set(name, value.clone());
            }
        }
        if scrape.error.is_some() {
            seen.error = scrape.error;
            return seen;
        }
        let Some(Value::Text(mut text)) = scrape.get("BODY").cloned() else {
            seen.error = Some(format!("scrape of {} returned no body", self.url));
            return seen;
        };
        if scrape.get("BODY_TRUNCATED") == Some(&Value::Bool(true)) {
            // A cut line would fail the whole parse: keep whole lines only.
            text.truncate(text.rfind('\n').map_or(0, |end| end + 1));
            seen.note(format!(
                "exposition longer than max_bytes ({}): series after the cut were not seen",
                ctx.max_bytes
            ));
        }
        let parsed = if text.len() > PARSE_INLINE_BYTES {
            tokio::task::spawn_blocking(move || flatten(&text))
                .await
                .unwrap_or_else(|e| Err(format!("parser stopped: {e}")))
        } else {
            flatten(&text)
        };
        let series = match parsed {
            Ok(series) => series,
            Err(e) => {
                seen.error = Some(format!("parsing the exposition from {}: {e}", self.url));
                return seen;
            }
        };
        let matching: Vec<&Series> = series
            .iter()
            .filter(|s| s.name == self.metric)
            .filter(|s| {
                matchers.iter().all(|(label, matcher)| {
                    matcher.accepts(s.labels.get(label).map_or("", String::as_str))
                })
            })
            .collect();
        bind(&matching, &mut seen);
        if matching.is_empty() {
            seen.note(format!("no series {} matched at {}", self.target_series(), self.url));
        }
        seen
    }
}

impl Metrics {
    fn target_series(&self) -> String {
        let target = self.target();
        target.rsplit_once(' ').map_or(target.clone(), |(_, series)| series.to_owned())
    }
}

fn bind(matching: &[&Series], seen: &mut Observation) {
    let values: Vec<f64> = matching.iter().map(|s| s.value).collect();
    seen.set("COUNT", values.len() as u64).set("SUM", values.iter().sum::<f64>());
    if let Some(first) = values.first() {
        seen.set("VALUE", *first)
            .set("MIN", values.iter().copied().fold(f64::INFINITY, f64::min))
            .set("MAX", values.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    }
    let list: Vec<serde_json::Value> = matching
        .iter()
        .map(|s| {
            let value = serde_json::Number::from_f64(s.value)
                .map_or(serde_json::Value::Null, serde_json::Value::Number);
            serde_json::json!({ "name": s.name, "labels": s.labels, "value": value })
        })
        .collect();
    seen.set("SERIES", Value::Json(list.into()));
}

/// Every series of an exposition, histograms and summaries flattened, in a stable order
/// (families by name, series as exposed). The only use of the parser crate.
fn flatten(text: &str) -> Result<Vec<Series>, String> {
    let exposition = openmetrics_parser::prometheus::parse_prometheus(text)
        .map_err(|e| e.to_string().to_lowercase())?;
    let mut families: Vec<_> = exposition.families.into_iter().collect();
    families.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for (name, family) in families {
        for sample in family.iter_samples() {
            flatten_sample(&name, sample, &mut out);
        }
    }
    Ok(out)
}

fn flatten_sample(name: &str, sample: &Sample<PrometheusValue>, out: &mut Vec<Series>) {
    let labels: BTreeMap<String, String> = sample
        .get_labelset()
        .map(|set| set.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let mut push = |suffix: &str, extra: Option<(&str, String)>, value: f64| {
        let mut labels = labels.clone();
        if let Some((label, text)) = extra {
            labels.insert(label.to_owned(), text);
        }
        out.push(Series { name: format!("{name}{suffix}"), labels, value });
    };
    match &sample.value {
        PrometheusValue::Unknown(n) | PrometheusValue::Gauge(n) => push("", None, number(n)),
        PrometheusValue::Counter(counter) => push("", None, number(&counter.value)),
        PrometheusValue::Histogram(histogram) => {
            for bucket in &histogram.buckets {
                let le = Some(("le", bound(bucket.upper_bound)));
                push("_bucket", le, number(&bucket.count));
            }
            if let Some(sum) = &histogram.sum {
                push("_sum", None, number(sum));
            }
            if let Some(count) = histogram.count {
                push("_count", None, count as f64);
            }
        }
        PrometheusValue::Summary(summary) => {
            for quantile in &summary.quantiles {
                let q = Some(("quantile", bound(quantile.quantile)));
                push("", q, number(&quantile.value));
            }
            if let Some(sum) = &summary.sum {
                push("_sum", None, number(sum));
            }
            if let Some(count) = summary.count {
                push("_count", None, count as f64);
            }
        }
    }
}

fn number(n: &MetricNumber) -> f64 {
    n.as_f64()
}

/// A bucket bound or quantile as Prometheus writes it: `0.25`, `1`, `+Inf`.
fn bound(x: f64) -> String {
    if x == f64::INFINITY {
        "+Inf".into()
    } else if x == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        x.to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;
    use crate::kind::http::tests::{Reply, response, serve};

    /// Real exposition text: help and type lines, counters with several labels, a gauge with
    /// a timestamp, escaped label values, a histogram and a summary.
    const EXPOSITION: &str = r#"# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"} 3 1395066363000
http_requests_total{method="get",code="500"} 7
http_requests_total{method="post",code="503"} 2
# A plain comment line.
# HELP msdos_file_access_time_seconds Escapes in label values.
# TYPE msdos_file_access_time_seconds gauge
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
# HELP queue_depth Items waiting.
# TYPE queue_depth gauge
queue_depth{queue="a,b=c"} 12
queue_depth{queue="mail"} -3.5
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.5"} 129389
http_request_duration_seconds_bucket{le="1"} 133988
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
"#;

    async fn exporter(body: &'static str) -> SocketAddr {
        serve(move |head| {
            assert!(head.contains("text/plain;version=0.0.4"), "{head}");
            Reply::Raw(response("200 OK", &[("Content-Type", "text/plain; version=0.0.4")], body))
        })
        .await
    }

    fn probe(address: SocketAddr, metric: &str, labels: &[(&str, &str)]) -> Metrics {
        Metrics {
            url: format!("http://{address}/metrics"),
            metric: metric.into(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            headers: BTreeMap::new(),
            tls_verify: true,
            ca_file: None,
        }
    }

    fn float(seen: &Observation, name: &str) -> f64 {
        match seen.get(name) {
            Some(Value::Float(x)) => *x,
            other => panic!("{name} is {other:?} in {seen:?}"),
        }
    }

    #[tokio::test]
    async fn exact_and_regex_label_matchers() {
        let address = exporter(EXPOSITION).await;
        let ctx = Context::default();
        let seen = probe(address, "http_requests_total", &[("code", "200")]).observe(&ctx).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(float(&seen, "VALUE"), 1027.0);
        assert_eq!(seen.get("COUNT"), Some(&Value::Int(1)));
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)));
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert!(seen.get("RESPONSE_TIME").is_some());

        let seen = probe(address, "http_requests_total", &[("code", "=~5..")]).observe(&ctx).await;
        assert_eq!(seen.get("COUNT"), Some(&Value::Int(2)));
        assert_eq!(float(&seen, "SUM"), 9.0);
        assert_eq!(float(&seen, "MIN"), 2.0);
        assert_eq!(float(&seen, "MAX"), 7.0);
        let series = seen.get("SERIES").unwrap().to_json().unwrap();
        assert_eq!(series[0]["labels"]["method"], "get");
        assert_eq!(series[0]["value"], 7.0);

        let labels = [("method", "post"), ("code", "!~2..")];
        let seen = probe(address, "http_requests_total", &labels).observe(&ctx).await;
        assert_eq!(float(&seen, "SUM"), 5.0);
        let seen = probe(address, "http_requests_total", &[("code", "!=200")]).observe(&ctx).await;
        assert_eq!(seen.get("COUNT"), Some(&Value::Int(3)));
        // Regexes are anchored: `5` alone matches no code.
        let seen = probe(address, "http_requests_total", &[("code", "=~5")]).observe(&ctx).await;
        assert_eq!(seen.get("COUNT"), Some(&Value::Int(0)));
        assert_eq!(float(&seen, "SUM"), 0.0);
        assert!(seen.get("VALUE").is_none());
        assert!(seen.notes.iter().any(|n| n.contains("no series")), "{seen:?}");
    }

    #[tokio::test]
    async fn escaped_labels_gauges_histograms_and_summaries() {
        let address = exporter(EXPOSITION).await;
        let ctx = Context::default();
        let path = r"C:\DIR\FILE.TXT";
        let seen =
            probe(address, "msdos_file_access_time_seconds", &[("path", path)]).observe(&ctx).await;
        assert_eq!(float(&seen, "VALUE"), 1.458255915e9, "{seen:?}");
        let series = seen.get("SERIES").unwrap().to_json().unwrap();
        assert_eq!(series[0]["labels"]["error"], "Cannot find file:\n\"FILE.TXT\"");

        let seen = probe(address, "queue_depth", &[("queue", "a,b=c")]).observe(&ctx).await;
        assert_eq!(float(&seen, "VALUE"), 12.0, "{seen:?}");
        let seen = probe(address, "queue_depth", &[]).observe(&ctx).await;
        assert_eq!(float(&seen, "MIN"), -3.5);

        let bucket = "http_request_duration_seconds_bucket";
        let seen = probe(address, bucket, &[("le", "0.5")]).observe(&ctx).await;
        assert_eq!(float(&seen, "VALUE"), 129389.0, "{seen:?}");
        let seen = probe(address, bucket, &[("le", "+Inf")]).observe(&ctx).await;
        assert_eq!(float(&seen, "VALUE"), 144320.0, "{seen:?}");
        let seen = probe(address, bucket, &[]).observe(&ctx).await;
        assert_eq!(seen.get("COUNT"), Some(&Value::Int(5)));
        let seen = probe(address, "http_request_duration_seconds_count", &[]).observe(&ctx).await;
        assert_eq!(float(&seen, "VALUE"), 144320.0);
        let seen = probe(address, "http_request_duration_seconds_sum", &[]).observe(&ctx).await;
        assert_eq!(float(&seen, "VALUE"), 53423.0);

        let seen =
            probe(address, "rpc_duration_seconds", &[("quantile", "0.99")]).observe(&ctx).await;
        assert_eq!(float(&seen, "VALUE"), 76656.0, "{seen:?}");
        let seen = probe(address, "rpc_duration_seconds_count", &[]).observe(&ctx).await;
        assert_eq!(float(&seen, "VALUE"), 2693.0);
    }

    #[tokio::test]
    async fn cut_exposition_is_parsed_to_its_last_whole_line() {
        let address = exporter(EXPOSITION).await;
        // Cut inside the gauge family: the counters survive, the histogram does not.
        let cut = EXPOSITION.find("queue_depth{queue=\"mail\"}").unwrap() + 5;
        let ctx = Context { max_bytes: cut, ..Context::default() };
        let seen = probe(address, "http_requests_total", &[]).observe(&ctx).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("COUNT"), Some(&Value::Int(4)));
        assert!(seen.notes.iter().any(|n| n.contains("longer than max_bytes")), "{seen:?}");
    }

    #[tokio::test]
    async fn unreachable_and_garbage_are_reported() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let seen = probe(address, "up", &[]).observe(&Context::default()).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        assert!(seen.error.unwrap().contains("refused"));

        let address = exporter("this is { not metrics\n").await;
        let seen = probe(address, "up", &[]).observe(&Context::default()).await;
        assert_eq!(seen.get("STATUS"), Some(&Value::Int(200)));
        let error = seen.error.unwrap();
        assert!(error.starts_with("parsing the exposition from http://"), "{error}");
    }

    #[test]
    fn yaml_form_and_validation() {
        let probe: crate::Probe = serde_yaml_ng::from_str(
            "kind: metrics\nurl: http://localhost:9090/metrics\nmetric: up\nlabels:\n  job: \"=~api|web\"\n",
        )
        .unwrap();
        let crate::Probe::Metrics(metrics) = probe else { panic!("not metrics") };
        assert!(metrics.validate().is_ok());
        assert_eq!(
            metrics.target(),
            "metrics http://localhost:9090/metrics up{job: \"=~api|web\"}"
        );
        let error = serde_yaml_ng::from_str::<crate::Probe>(
            "kind: metrics\nurl: http://x/metrics\nmetric: up\nlabel: {}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("unknown field `label`"), "{error}");

        let mut bad = metrics.clone();
        bad.labels.insert("code".into(), "=~5(".into());
        let error = bad.validate().unwrap_err();
        assert!(error.starts_with("label `code`: regex `5(`"), "{error}");
        let mut bad = metrics;
        bad.url = "ftp://x".into();
        assert!(bad.validate().is_err());
    }

    #[test]
    fn matchers() {
        assert!(Matcher::parse("l", "=~a|b").unwrap().accepts("b"));
        assert!(!Matcher::parse("l", "=~a|b").unwrap().accepts("ab"));
        assert!(Matcher::parse("l", "==~x").unwrap().accepts("=~x"));
        assert!(Matcher::parse("l", "=!=y").unwrap().accepts("!=y"));
        assert!(Matcher::parse("l", "").unwrap().accepts(""));
    }
}

//! Tests of `kind: prometheus`: canned answers on loopback, then a real Prometheus.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

use super::*;
use crate::kind::http::tests::{Reply, response, serve};

fn probe(yaml: &str) -> Prometheus {
    serde_yaml_ng::from_str(yaml).unwrap()
}

fn json_of(seen: &Observation, name: &str) -> Json {
    seen.get(name).and_then(Value::to_json).unwrap_or(Json::Null)
}

#[test]
fn yaml_form_defaults_and_unknown_fields() {
    let parsed: crate::Probe = serde_yaml_ng::from_str(
        "kind: prometheus\nurl: http://localhost:9090\nquery: up\nby: job\n",
    )
    .unwrap();
    let crate::Probe::Prometheus(p) = parsed else { panic!("not prometheus") };
    assert_eq!(p.query.as_deref(), Some("up"));
    assert!(p.tls_verify && !p.targets && p.alert.is_none());
    assert_eq!(p.target(), "prometheus http://localhost:9090/: query `up`");
    let error = serde_yaml_ng::from_str::<crate::Probe>(
        "kind: prometheus\nurl: http://localhost:9090\npromql: up\n",
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("unknown field `promql`"), "{error}");
}

#[test]
fn validates_fields() {
    assert!(probe("url: http://localhost:9090\nalert: X").validate().is_ok());
    assert!(probe("url: localhost:9090").validate().unwrap_err().contains("not http or https"));
    assert_eq!(probe("url: http://h\nby: job").validate().unwrap_err(), "`by` needs a `query`");
    assert_eq!(
        probe("url: http://h\njob: api").validate().unwrap_err(),
        "`job` needs `targets: true`"
    );
    assert_eq!(probe("url: http://h\nquery: ' '").validate().unwrap_err(), "query is empty");
    let shown = probe("url: http://admin:hunter22@h:9090\ntargets: true").target();
    assert_eq!(shown, "prometheus http://admin:[REDACTED]@h:9090/: targets");
}

#[test]
fn query_results_with_nan_and_matrix() {
    let data = json!({"resultType": "vector", "result": [
        {"metric": {"service": "api"}, "value": [1.0, "0.25"]},
        {"metric": {"service": "web"}, "value": [1.0, "NaN"]},
        {"metric": {"service": "api", "le": "1"}, "value": [1.0, "+Inf"]},
        {"metric": {}, "value": [1.0, "1e+00"]},
    ]});
    let mut seen = Observation::default();
    bind_query(&data, Some("service"), &mut seen).unwrap();
    assert_eq!(seen.get("SERIES"), Some(&Value::Int(4)));
    assert_eq!(seen.get("VALUE"), Some(&Value::Float(0.25)));
    assert_eq!(seen.get("MIN"), Some(&Value::Float(0.25)));
    assert_eq!(seen.get("MAX"), Some(&Value::Float(f64::INFINITY)));
    assert_eq!(json_of(&seen, "VALUES"), json!({"api": 0.25, "web": null}));
    assert_eq!(json_of(&seen, "RESULT")[3]["value"], json!(1.0));
    assert!(seen.notes.iter().any(|n| n.contains("1 series without label `service`")));
    assert!(seen.notes.iter().any(|n| n.contains("1 series repeat")), "{:?}", seen.notes);

    let matrix = json!({"resultType": "matrix", "result": [
        {"metric": {"job": "a"}, "values": [[1.0, "1"], [2.0, "7"]]},
    ]});
    let mut seen = Observation::default();
    bind_query(&matrix, None, &mut seen).unwrap();
    assert_eq!(seen.get("VALUE"), Some(&Value::Float(7.0)));
    assert_eq!(json_of(&seen, "LABELS"), json!({"job": "a"}));
    assert!(seen.get("VALUES").is_none());
}

#[tokio::test]
async fn api_errors_and_caps_are_reported() {
    let address = serve(|head| {
        Reply::Raw(if head.contains("/api/v1/query") {
            response(
                "400 Bad Request",
                &[("Content-Type", "application/json")],
                r#"{"status":"error","errorType":"bad_data","error":"parse error: unexpected end of input"}"#,
            )
        } else {
            response("200 OK", &[], &"x".repeat(5000))
        })
    })
    .await;
    let seen =
        probe(&format!("url: http://{address}\nquery: 'sum('")).observe(&Context::default()).await;
    assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
    assert_eq!(
        seen.error.as_deref(),
        Some("/api/v1/query: http 400 Bad Request: bad_data: parse error: unexpected end of input")
    );
    let ctx = Context { max_bytes: 1000, ..Context::default() };
    let seen = probe(&format!("url: http://{address}\ntargets: true")).observe(&ctx).await;
    assert_eq!(
        seen.error.as_deref(),
        Some("/api/v1/targets: the answer is longer than max_bytes (1000 bytes)")
    );
    let seen =
        probe(&format!("url: http://{address}\nalert: X")).observe(&Context::default()).await;
    assert!(seen.error.as_deref().unwrap().contains("not prometheus json"), "{seen:?}");
}

#[tokio::test]
async fn refused_is_a_result_and_never_shows_the_password() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let seen = probe(&format!("url: http://admin:s3cr3t-pw@{address}\nquery: up"))
        .observe(&Context::default())
        .await;
    assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
    let error = seen.error.clone().unwrap();
    assert!(error.starts_with(&format!("connect to {address}: ")), "{error}");
    assert!(error.contains("refused"), "{error}");
    assert!(!format!("{seen:?}").replace("secrets: [\"s3cr3t-pw\"]", "").contains("s3cr3t-pw"));
    assert_eq!(seen.secrets, ["s3cr3t-pw"]);
}

/// A Prometheus server of this machine's `prometheus` package, killed when dropped.
struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn prometheus_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("prometheus"))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

const RULES: &str = r#"
groups:
  - name: triage-test
    interval: 1s
    rules:
      - alert: GoneDown
        expr: up{job="gone"} == 0
        labels: {severity: page}
        annotations: {summary: "the gone target is down"}
      - alert: AlwaysPending
        expr: vector(1)
        for: 1h
      - alert: NeverFires
        expr: vector(0) > 1
"#;

/// Starts Prometheus scraping `app` (the test's metrics) and `gone` (a closed port).
fn start(binary: &std::path::Path, app: SocketAddr) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let gone = free_port();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n\
         scrape_configs:\n  - job_name: app\n    static_configs: [{{targets: ['{app}']}}]\n\
         \x20 - job_name: gone\n    static_configs: [{{targets: ['127.0.0.1:{gone}']}}]\n"
    );
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    std::fs::write(dir.path().join("rules.yml"), RULES).unwrap();
    let port = free_port();
    // Tests may start processes themselves; triage's own code goes through triage_core::exec.
    #[allow(clippy::disallowed_methods)]
    let child = std::process::Command::new(binary)
        .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--log.level=warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
    Server { child, base: format!("http://127.0.0.1:{port}"), _dir: dir }
}

/// Waits until both targets were scraped and GoneDown fires, at most 60 s.
async fn wait_until_ready(server: &mut Server) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("prometheus exited early: {status}");
        }
        let targets = client.get(format!("{}/api/v1/targets", server.base)).send().await;
        let alerts = client.get(format!("{}/api/v1/alerts", server.base)).send().await;
        if let (Ok(targets), Ok(alerts)) = (targets, alerts) {
            let targets = targets.text().await.unwrap_or_default();
            let alerts = alerts.text().await.unwrap_or_default();
            if targets.contains(r#""health":"up""#)
                && targets.contains(r#""health":"down""#)
                && alerts.contains(r#""state":"firing""#)
            {
                return;
            }
        }
        assert!(Instant::now() < deadline, "prometheus at {} not ready in 60s", server.base);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn against_a_real_prometheus() {
    let Some(binary) = prometheus_binary() else {
        if std::env::var("TRIAGE_SKIP_PROMETHEUS").as_deref() == Ok("1") {
            eprintln!("prometheus not installed: skipped (TRIAGE_SKIP_PROMETHEUS=1)");
            return;
        }
        panic!(
            "the prometheus binary is not installed (Debian package `prometheus`): install it, \
             or set TRIAGE_SKIP_PROMETHEUS=1 to skip this test"
        );
    };
    let metrics = "# TYPE app_requests_total counter\n\
                   app_requests_total{service=\"api\"} 10\n\
                   app_requests_total{service=\"web\"} 3\n\
                   # TYPE app_temperature gauge\n\
                   app_temperature 21.5\n";
    let app = serve(move |_| Reply::Raw(response("200 OK", &[], metrics))).await;
    let mut server = start(&binary, app);
    wait_until_ready(&mut server).await;
    let ctx = Context::default();
    let url = &server.base;
    let look = |yaml: String| {
        let ctx = &ctx;
        async move {
            let p = probe(&yaml);
            p.validate().unwrap();
            let seen = p.observe(ctx).await;
            assert!(seen.error.is_none(), "{yaml}: {seen:?}");
            assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
            seen
        }
    };

    // Per-label results of an instant query.
    let seen = look(format!("url: {url}\nquery: app_requests_total\nby: service")).await;
    assert_eq!(seen.get("SERIES"), Some(&Value::Int(2)));
    assert_eq!(json_of(&seen, "VALUES"), json!({"api": 10.0, "web": 3.0}));
    assert_eq!(seen.get("MIN"), Some(&Value::Float(3.0)));
    assert_eq!(seen.get("MAX"), Some(&Value::Float(10.0)));
    assert_eq!(json_of(&seen, "LABELS")["job"], "app");
    assert_eq!(seen.get("RESULT_TYPE"), Some(&"vector".into()));

    let seen = look(format!("url: {url}\nquery: sum(app_requests_total)")).await;
    assert_eq!(seen.get("VALUE"), Some(&Value::Float(13.0)));
    let seen = look(format!("url: {url}\nquery: scalar(app_temperature)")).await;
    assert_eq!(seen.get("RESULT_TYPE"), Some(&"scalar".into()));
    assert_eq!(seen.get("VALUE"), Some(&Value::Float(21.5)));
    let seen = look(format!("url: {url}/\nquery: 'app_requests_total{{service=\"none\"}}'")).await;
    assert_eq!(seen.get("SERIES"), Some(&Value::Int(0)));
    assert!(seen.get("VALUE").is_none());
    assert!(seen.notes.iter().any(|n| n == "the query returned no series"));
    let seen = look(format!("url: {url}\nquery: app_temperature[1m]")).await;
    assert_eq!(seen.get("RESULT_TYPE"), Some(&"matrix".into()));
    assert_eq!(seen.get("VALUE"), Some(&Value::Float(21.5)));

    // Prometheus' own word on a broken query.
    let seen = probe(&format!("url: {url}\nquery: 'sum('")).observe(&ctx).await;
    let error = seen.error.unwrap();
    assert!(error.starts_with("/api/v1/query: http 400 Bad Request: bad_data: "), "{error}");

    // Alerts by name: firing, pending, never.
    let seen = look(format!("url: {url}\nalert: GoneDown")).await;
    assert_eq!(seen.get("FIRING"), Some(&true.into()));
    assert_eq!(seen.get("FIRING_COUNT"), Some(&Value::Int(1)));
    let alerts = json_of(&seen, "ALERTS");
    assert_eq!(alerts[0]["labels"]["severity"], "page");
    assert_eq!(alerts[0]["annotations"]["summary"], "the gone target is down");
    let seen = look(format!("url: {url}\nalert: AlwaysPending")).await;
    assert_eq!(seen.get("FIRING"), Some(&false.into()));
    assert_eq!(seen.get("PENDING_COUNT"), Some(&Value::Int(1)));
    let seen = look(format!("url: {url}\nalert: NeverFires")).await;
    assert_eq!(seen.get("FIRING"), Some(&false.into()));
    assert_eq!(seen.get("PENDING_COUNT"), Some(&Value::Int(0)));
    let seen = look(format!("url: {url}\nalert: '*'")).await;
    assert_eq!(seen.get("FIRING_COUNT"), Some(&Value::Int(1)));

    // Targets that are down, all jobs and one job.
    let seen = look(format!("url: {url}\ntargets: true")).await;
    assert_eq!(seen.get("TARGETS"), Some(&Value::Int(2)));
    assert_eq!(seen.get("TARGETS_DOWN"), Some(&Value::Int(1)));
    let down = json_of(&seen, "DOWN_TARGETS");
    assert_eq!(down[0]["job"], "gone");
    assert!(down[0]["error"].as_str().unwrap().contains("refused"), "{down}");
    let seen = look(format!("url: {url}\ntargets: true\njob: app")).await;
    assert_eq!(seen.get("TARGETS"), Some(&Value::Int(1)));
    assert_eq!(seen.get("TARGETS_DOWN"), Some(&Value::Int(0)));

    // All three questions in one check, and the version when none is asked.
    let seen =
        look(format!("url: {url}\nquery: up\nby: job\nalert: GoneDown\ntargets: true")).await;
    assert_eq!(json_of(&seen, "VALUES"), json!({"app": 1.0, "gone": 0.0}));
    assert_eq!(seen.get("FIRING"), Some(&true.into()));
    assert_eq!(seen.get("TARGETS_DOWN"), Some(&Value::Int(1)));
    let seen = look(format!("url: {url}")).await;
    assert!(seen.get("VERSION").unwrap().to_string().starts_with('2'), "{seen:?}");

    // Basic auth from the URL is sent (Prometheus ignores it) and its password kept secret.
    let with_password = url.replace("http://", "http://admin:s3cr3t-pw@");
    let seen = look(format!("url: {with_password}\nquery: up")).await;
    assert_eq!(seen.secrets, ["s3cr3t-pw"]);
}

#[tokio::test]
async fn a_timeout_message_echoing_the_url_is_scrubbed() {
    let address = serve(|_| Reply::Silent).await;
    let quick = Context { timeout: Duration::from_millis(300), ..Context::default() };
    let seen =
        probe(&format!("url: http://admin:s3cr3t-pw@{address}\nquery: up")).observe(&quick).await;
    let error = seen.error.unwrap();
    assert!(error.contains("timed out"), "{error}");
    assert!(error.contains("admin:[REDACTED]@"), "{error}");
    assert!(!error.contains("s3cr3t-pw"), "{error}");
}

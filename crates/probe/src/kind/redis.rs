//! `kind: redis`: does Redis answer, what does `INFO` say, and are keys of a pattern
//! piling up without a TTL (the orphaned-lock question)?
//!
//! One connection per check. Only read-only commands are ever sent: `PING`, `INFO`, and
//! for a `pattern` `SCAN` (never `KEYS`, which blocks the server), `TTL` and
//! `OBJECT IDLETIME` (neither touches the key's access time), plus the `AUTH`/`SELECT`
//! the URL asks for. `rediss://` is TLS, checked against the system roots or `ca_file`.
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `url` | `redis://[[user]:password@]host:port[/db]`, `rediss://` for TLS | required |
//! | `password_env` | environment variable holding the password (overrides the URL's) | none |
//! | `password_file` | file holding the password, trailing newline ignored | none |
//! | `pattern` | `SCAN MATCH` pattern whose keys are counted, e.g. `callfs:lock:*` | none |
//! | `scan_limit` | most keys examined for `pattern` before the count stops | `100000` |
//! | `scan_count` | `SCAN COUNT` hint: keys per round trip | `1000` |
//! | `ca_file` | PEM root certificates for `rediss://` (instead of the system roots) | system roots |
//! | `tls_verify` | check the server's certificate for `rediss://` | `true` |
//! | `info` | `true`: always read `INFO`; `false`: never | read when a condition uses `[INFO]` |
//! | `connect_timeout` | bound on connecting, TLS and `AUTH` | the run's probe timeout |
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[CONNECTED]` | `true` when the server accepted the connection (and `AUTH`) |
//! | `[PING]` | the reply to `PING`, `PONG` when healthy |
//! | `[LATENCY]` | round trip of `PING`, in ms |
//! | `[RESPONSE_TIME]` | everything the probe did, in ms |
//! | `[INFO]` | `INFO` as JSON: `[INFO].used_memory`, `[INFO].role`, `[INFO].connected_clients`, `[INFO].db0.keys` |
//! | `[KEYS]` | with `pattern`: keys matching it |
//! | `[KEYS_WITHOUT_TTL]` | with `pattern`: matching keys that never expire |
//! | `[OLDEST_KEY_AGE]` | with `pattern`: longest `OBJECT IDLETIME` among matching keys (time since last written or read), unbound under an LFU eviction policy |
//!
//! `INFO` (more than half of a plain check's cost) is sent only when a condition of the check
//! reads `[INFO]`, unless `info` says otherwise.
//!
//! A check without `expect:` expects `[PING] == PONG`.
//!
//! The password is a secret: pushed to `observation.secrets`, scrubbed from driver messages.
//!
//! ```yaml
//! kind: redis
//! url: redis://cache.internal:6379/0
//! password_env: REDIS_PASSWORD
//! pattern: "callfs:lock:*"
//! expect:
//!   - "[PING] == PONG"
//!   - "[INFO].role == master"
//!   - "[KEYS_WITHOUT_TTL] == 0"
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, ConnectionInfo, IntoConnectionInfo, TlsCertificates};
use serde::Deserialize;
use triage_core::{Observation, Value};

use super::credentials::{self, Scrubber};
use super::tls_config;
use crate::{Context, Kind};

/// Keys examined for a pattern when the check does not say.
const DEFAULT_SCAN_LIMIT: u64 = 100_000;
/// `SCAN COUNT` hint when the check does not say.
const DEFAULT_SCAN_COUNT: u64 = 1000;

/// Pings Redis, reads `INFO`, and optionally counts the keys of a pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redis {
    /// `redis://[[user]:password@]host:port[/db]`, `rediss://` for TLS. Required.
    pub url: String,
    /// Environment variable holding the password; overrides the URL's. Default: none.
    #[serde(default)]
    pub password_env: Option<String>,
    /// File holding the password (trailing newline ignored); overrides the URL's.
    /// Default: none.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// `SCAN MATCH` pattern whose keys are counted. Default: none.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Most keys examined for `pattern` before counting stops. Default: 100000.
    #[serde(default)]
    pub scan_limit: Option<u64>,
    /// `SCAN COUNT` hint. Default: 1000.
    #[serde(default)]
    pub scan_count: Option<u64>,
    /// PEM root certificates for `rediss://`, instead of the system roots. Default: none.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Check the server's certificate for `rediss://`. Default: `true`.
    #[serde(default = "yes")]
    pub tls_verify: bool,
    /// Bound on connecting, TLS and `AUTH`. Default: the run's probe timeout.
    #[serde(default, with = "triage_core::duration::option")]
    pub connect_timeout: Option<Duration>,
    /// Read `INFO` and bind `[INFO]`: `true` always, `false` never. Default: when a
    /// condition of the check reads `[INFO]`.
    #[serde(default)]
    pub info: Option<bool>,
}

fn yes() -> bool {
    true
}

impl Redis {
    /// The URL as the driver takes it: `#insecure` marks unverified TLS.
    fn driver_url(&self) -> String {
        if !self.tls_verify && self.url.starts_with("rediss://") && !self.url.ends_with("#insecure")
        {
            format!("{}#insecure", self.url)
        } else {
            self.url.clone()
        }
    }

    fn connection_info(&self, scrub: &Scrubber) -> Result<ConnectionInfo, String> {
        self.driver_url()
            .into_connection_info()
            .map_err(|e| scrub.scrub(&format!("invalid redis url: {}", describe_error(&e))))
    }

    /// `host:port` for messages, never carrying credentials.
    fn address(info: &ConnectionInfo) -> String {
        match info.addr() {
            redis::ConnectionAddr::Tcp(host, port)
            | redis::ConnectionAddr::TcpTls { host, port, .. } => format!("{host}:{port}"),
            redis::ConnectionAddr::Unix(path) => path.display().to_string(),
            other => other.to_string(),
        }
    }
}

impl Kind for Redis {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("CONNECTED", "true when the server accepted the connection"),
        ("PING", "the reply to PING, PONG when healthy"),
        ("LATENCY", "round trip of PING, in ms"),
        ("RESPONSE_TIME", "everything the probe did, in ms"),
        ("INFO", "INFO as JSON, [INFO].used_memory, [INFO].role, [INFO].db0.keys"),
        ("KEYS", "with `pattern`: keys matching it, counted with SCAN"),
        ("KEYS_WITHOUT_TTL", "with `pattern`: matching keys that never expire"),
        ("OLDEST_KEY_AGE", "with `pattern`: longest idle time among matching keys"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[PING] == PONG"];

    fn target(&self) -> String {
        let mut target = format!("redis {}", credentials::mask_url(&self.url));
        if let Some(pattern) = &self.pattern {
            target.push_str(&format!(" keys {pattern}"));
        }
        target
    }

    fn validate(&self) -> Result<(), String> {
        credentials::validate_sources(self.password_env.as_deref(), self.password_file.as_deref())?;
        self.connection_info(&Scrubber::for_url(&self.url))?;
        if self.pattern.as_deref() == Some("") {
            return Err("pattern is empty; use `*` for every key".into());
        }
        if self.scan_count == Some(0) || self.scan_limit == Some(0) {
            return Err("scan_count and scan_limit must be at least 1".into());
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let mut seen = Observation::default();
        let mut scrub = Scrubber::for_url(&self.url);
        let fail = |seen: &mut Observation, error: String| {
            seen.set("CONNECTED", false);
            seen.error = Some(error);
        };
        let mut info = match self.connection_info(&scrub) {
            Ok(info) => info,
            Err(e) => {
                fail(&mut seen, e);
                return seen;
            }
        };
        let address = Self::address(&info);
        if let Some(password) = info.redis_settings().password().filter(|p| !p.is_empty()) {
            scrub.add(password);
            seen.secrets.push(password.to_owned());
        }
        match credentials::password(
            self.password_env.as_deref(),
            self.password_file.as_deref(),
            ctx.max_bytes,
        ) {
            Ok(Some(password)) => {
                scrub.add(&password);
                let settings = info.redis_settings().clone().set_password(&password);
                info = info.set_redis_settings(settings);
                seen.secrets.push(password);
            }
            Ok(None) => {}
            Err(e) => {
                fail(&mut seen, format!("connect to {address}: {e}"));
                return seen;
            }
        }
        // The connection's own metadata (CLIENT SETINFO) is not worth a round trip.
        let settings = info.redis_settings().clone().set_skip_set_lib_name();
        let info = info.set_redis_settings(settings);
        let client = match self.client(info, ctx.max_bytes) {
            Ok(client) => client,
            Err(e) => {
                fail(&mut seen, format!("connect to {address}: {}", scrub.scrub(&e)));
                return seen;
            }
        };

        let started = Instant::now();
        let limit = self.connect_timeout.unwrap_or(ctx.timeout);
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(limit))
            .set_response_timeout(Some(ctx.timeout));
        let connecting = client.get_multiplexed_async_connection_with_config(&config);
        let mut conn = match tokio::time::timeout(limit, connecting).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => {
                fail(
                    &mut seen,
                    format!("connect to {address}: {}", scrub.scrub(&describe_error(&e))),
                );
                return seen;
            }
            Err(_) => {
                fail(&mut seen, format!("connect to {address}: timed out after {limit:?}"));
                return seen;
            }
        };
        seen.set("CONNECTED", true);
        let info = self.info.unwrap_or_else(|| ctx.wants("INFO"));
        let look = Look { probe: self, max_bytes: ctx.max_bytes, info };
        let looking = look.run(&mut conn, &mut seen);
        match tokio::time::timeout(ctx.timeout, looking).await {
            Ok(Ok(())) => {}
            Ok(Err((step, e))) => {
                seen.error =
                    Some(format!("{step} on {address}: {}", scrub.scrub(&describe_error(&e))));
            }
            Err(_) => {
                seen.error = Some(format!("redis {address}: timed out after {:?}", ctx.timeout))
            }
        }
        seen.set("RESPONSE_TIME", started.elapsed());
        // Dropping the connection aborts its driver task; yielding lets the runtime run
        // that abort (closing the socket) before the engine starts the next check, so
        // open connections stay within the concurrency bound.
        drop(conn);
        tokio::task::yield_now().await;
        seen
    }
}

impl Redis {
    fn client(&self, info: ConnectionInfo, max_bytes: usize) -> Result<Client, String> {
        // The driver builds its rustls configuration from the process-wide provider.
        tls_config::install_provider();
        match &self.ca_file {
            Some(path) if matches!(info.addr(), redis::ConnectionAddr::TcpTls { .. }) => {
                let pem = tls_config::read_capped(path, max_bytes, "ca_file")?;
                let certs = TlsCertificates { client_tls: None, root_cert: Some(pem) };
                Client::build_with_tls(info, certs)
                    .map_err(|e| format!("ca_file {}: {}", path.display(), describe_error(&e)))
            }
            _ => Client::open(info).map_err(|e| describe_error(&e)),
        }
    }
}

/// Which step failed, and how.
type Failure = (&'static str, redis::RedisError);

/// The commands of one probe, on one connection.
struct Look<'a> {
    probe: &'a Redis,
    max_bytes: usize,
    /// Whether to send `INFO`.
    info: bool,
}

impl Look<'_> {
    async fn run(
        &self,
        conn: &mut MultiplexedConnection,
        seen: &mut Observation,
    ) -> Result<(), Failure> {
        let pinged = Instant::now();
        let ping = redis::cmd("PING");
        if !self.info {
            let pong = ping.query_async::<String>(&mut *conn).await.map_err(|e| ("ping", e))?;
            seen.set("LATENCY", pinged.elapsed()).set("PING", pong);
        } else {
            // PING and INFO leave in one write; PING's reply comes first, so its round trip
            // is still the latency, and the check costs one round trip less.
            let mut info_conn = conn.clone();
            let ping = async {
                let pong = ping.query_async::<String>(&mut *conn).await;
                (pong, pinged.elapsed())
            };
            let info = redis::cmd("INFO");
            let info = info.query_async::<String>(&mut info_conn);
            let ((pong, latency), info) = tokio::join!(ping, info);
            let pong = pong.map_err(|e| ("ping", e))?;
            seen.set("LATENCY", latency).set("PING", pong);
            let info = info.map_err(|e| ("info", e))?;
            seen.set("INFO", Value::Json(parse_info(truncate(&info, self.max_bytes))));
        }

        let Some(pattern) = &self.probe.pattern else { return Ok(()) };
        self.count_keys(conn, pattern, seen).await.map_err(|e| ("scan", e))
    }

    /// Walks `SCAN MATCH pattern`, asking each batch's TTLs and idle times in one pipeline.
    async fn count_keys(
        &self,
        conn: &mut MultiplexedConnection,
        pattern: &str,
        seen: &mut Observation,
    ) -> redis::RedisResult<()> {
        let limit = self.probe.scan_limit.unwrap_or(DEFAULT_SCAN_LIMIT);
        let count = self.probe.scan_count.unwrap_or(DEFAULT_SCAN_COUNT);
        let (mut keys, mut without_ttl, mut oldest) = (0u64, 0u64, None::<u64>);
        let mut idle_tracked = true;
        let mut cursor = 0u64;
        let mut stopped = false;
        loop {
            let (next, mut batch): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(count)
                .query_async(conn)
                .await?;
            let room = usize::try_from(limit - keys).unwrap_or(usize::MAX);
            if batch.len() > room {
                batch.truncate(room);
                stopped = true;
            }
            if !batch.is_empty() {
                let mut ttls = redis::pipe();
                for key in &batch {
                    ttls.cmd("TTL").arg(key);
                }
                let ttls: Vec<i64> = ttls.query_async(conn).await?;
                // -2: the key vanished between SCAN and TTL; it is not counted.
                keys += ttls.iter().filter(|t| **t != -2).count() as u64;
                without_ttl += ttls.iter().filter(|t| **t == -1).count() as u64;
                if idle_tracked {
                    let mut idle = redis::pipe();
                    for key in &batch {
                        idle.cmd("OBJECT").arg("IDLETIME").arg(key);
                    }
                    match idle.query_async::<Vec<Option<u64>>>(conn).await {
                        Ok(times) => oldest = times.into_iter().flatten().chain(oldest).max(),
                        // An LFU eviction policy does not track idle time.
                        Err(e)
                            if e.kind()
                                == redis::ErrorKind::Server(
                                    redis::ServerErrorKind::ResponseError,
                                ) =>
                        {
                            idle_tracked = false;
                            seen.note(format!("no key ages: {}", describe_error(&e)));
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            cursor = next;
            if cursor == 0 || stopped || keys >= limit {
                stopped |= cursor != 0;
                break;
            }
        }
        seen.set("KEYS", keys).set("KEYS_WITHOUT_TTL", without_ttl);
        if idle_tracked {
            seen.set("OLDEST_KEY_AGE", Duration::from_secs(oldest.unwrap_or(0)));
        }
        if stopped {
            seen.note(format!("stopped after {limit} keys (scan_limit); the counts cover those"));
        }
        Ok(())
    }
}

/// `INFO`'s `key:value` lines as one JSON object; numbers become numbers, keyspace lines
/// (`db0:keys=1,expires=0,avg_ttl=0`) become objects.
fn parse_info(text: &str) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else { continue };
        let parsed = if key.starts_with("db") && key[2..].bytes().all(|b| b.is_ascii_digit()) {
            let fields = value
                .split(',')
                .filter_map(|pair| pair.split_once('='))
                .map(|(k, v)| (k.to_owned(), scalar(v)))
                .collect::<serde_json::Map<_, _>>();
            serde_json::Value::Object(fields)
        } else {
            scalar(value)
        };
        object.insert(key.to_owned(), parsed);
    }
    serde_json::Value::Object(object)
}

fn scalar(text: &str) -> serde_json::Value {
    if let Ok(n) = text.parse::<i64>() {
        return n.into();
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && !text.contains(|c: char| c.is_ascii_alphabetic()) => x.into(),
        _ => text.into(),
    }
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A driver error as a lowercase fact with its cause.
fn describe_error(e: &redis::RedisError) -> String {
    let mut text = e.to_string();
    if let Some(first) = text.get(..1)
        && first.chars().all(|c| c.is_ascii_uppercase())
        && !text.starts_with("NOAUTH")
        && !text.starts_with("WRONGPASS")
        && !text.starts_with("ERR")
    {
        text = first.to_ascii_lowercase() + &text[1..];
    }
    text
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    /// The machine's Redis, no password.
    const URL: &str = "redis://127.0.0.1:6379";

    fn probe(url: &str) -> Redis {
        serde_yaml_ng::from_str(&format!("url: \"{url}\"")).unwrap()
    }

    fn with_pattern(pattern: &str) -> Redis {
        Redis { pattern: Some(pattern.into()), ..probe(URL) }
    }

    async fn observe(p: &Redis) -> Observation {
        p.observe(&Context { timeout: Duration::from_secs(5), ..Context::default() }).await
    }

    async fn side() -> MultiplexedConnection {
        Client::open(URL).unwrap().get_multiplexed_async_connection().await.unwrap()
    }

    /// A key prefix no other test (or run) uses.
    fn unique_prefix() -> String {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
        format!("triage:probe:test:{}:{}", std::process::id(), nanos.as_nanos())
    }

    fn int(seen: &Observation, name: &str) -> i64 {
        match seen.get(name) {
            Some(Value::Int(n)) => *n,
            other => panic!("{name} = {other:?} in {seen:?}"),
        }
    }

    #[tokio::test]
    async fn pings_and_reads_info() {
        let seen = observe(&probe(URL)).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert_eq!(seen.get("PING"), Some(&"PONG".into()));
        assert!(matches!(seen.get("LATENCY"), Some(Value::Duration(_))));
        let Some(Value::Json(info)) = seen.get("INFO") else { panic!("{seen:?}") };
        assert_eq!(info["role"], "master");
        assert!(info["connected_clients"].as_i64().unwrap() >= 1, "{info}");
        assert!(info["used_memory"].as_i64().unwrap() > 0, "{info}");
        assert!(info["redis_version"].is_string(), "{info}");
        assert!(seen.get("KEYS").is_none(), "no pattern, no scan");
    }

    #[tokio::test]
    async fn counts_keys_without_ttl_and_their_age() {
        let prefix = unique_prefix();
        let mut side = side().await;
        let keys =
            [format!("{prefix}:lock:a"), format!("{prefix}:lock:b"), format!("{prefix}:other")];
        for key in &keys {
            let _: () = redis::cmd("SET").arg(key).arg("1").query_async(&mut side).await.unwrap();
        }
        let expiring = format!("{prefix}:lock:c");
        let _: () = redis::cmd("SET")
            .arg(&expiring)
            .arg("1")
            .arg("EX")
            .arg(600)
            .query_async(&mut side)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(2100)).await;

        let p = with_pattern(&format!("{prefix}:lock:*"));
        let first = observe(&p).await;
        let second = observe(&p).await;
        let limited = observe(&Redis { scan_limit: Some(2), ..p.clone() }).await;
        let _: () =
            redis::cmd("DEL").arg(&keys).arg(&expiring).query_async(&mut side).await.unwrap();

        assert!(first.error.is_none(), "{first:?}");
        assert_eq!(int(&first, "KEYS"), 3);
        assert_eq!(int(&first, "KEYS_WITHOUT_TTL"), 2);
        let Some(Value::Duration(age)) = first.get("OLDEST_KEY_AGE") else { panic!("{first:?}") };
        assert!(*age >= Duration::from_secs(1), "{age:?}");
        // TTL and OBJECT IDLETIME do not touch the keys: a second look sees them as old.
        let Some(Value::Duration(again)) = second.get("OLDEST_KEY_AGE") else { panic!() };
        assert!(again >= age, "{again:?} < {age:?}");
        assert_eq!(int(&limited, "KEYS"), 2);
        assert!(limited.notes.iter().any(|n| n.contains("scan_limit")), "{limited:?}");
    }

    /// What the scripted server answers `OBJECT IDLETIME` with.
    #[derive(Clone, Copy)]
    enum Idle {
        Tracked,
        Lfu,
    }

    /// A RESP2 server on 127.0.0.1:0 that records every command it is sent.
    async fn scripted(idle: Idle) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = log.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve_scripted(socket, idle, seen.clone()));
            }
        });
        (address, log)
    }

    async fn serve_scripted(socket: TcpStream, idle: Idle, log: Arc<Mutex<Vec<String>>>) {
        let (read, mut write) = socket.into_split();
        let mut read = BufReader::new(read);
        let mut line = String::new();
        loop {
            line.clear();
            if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let Some(n) = line.trim().strip_prefix('*').and_then(|n| n.parse::<usize>().ok())
            else {
                return;
            };
            let mut args = Vec::new();
            for _ in 0..n {
                line.clear();
                read.read_line(&mut line).await.unwrap();
                let len: usize = line.trim().trim_start_matches('$').parse().unwrap();
                let mut arg = vec![0; len + 2];
                read.read_exact(&mut arg).await.unwrap();
                arg.truncate(len);
                args.push(String::from_utf8(arg).unwrap());
            }
            log.lock().unwrap().push(args.join(" "));
            let info = "# Server\r\nredis_version:7.2.0\r\nrole:master\r\n";
            let reply =
                match (args[0].to_ascii_uppercase().as_str(), args.get(1).map(String::as_str)) {
                    ("PING", _) => "+PONG\r\n".to_owned(),
                    ("AUTH", _) => "+OK\r\n".to_owned(),
                    ("INFO", _) => format!("${}\r\n{info}\r\n", info.len()),
                    ("SCAN", _) => {
                        "*2\r\n$1\r\n0\r\n*2\r\n$4\r\nlock\r\n$5\r\nlock2\r\n".to_owned()
                    }
                    ("TTL", Some("lock")) => ":-1\r\n".to_owned(),
                    ("TTL", _) => ":30\r\n".to_owned(),
                    ("OBJECT", _) => match idle {
                        Idle::Tracked => ":3600\r\n".to_owned(),
                        Idle::Lfu => {
                            "-ERR An LFU maxmemory policy is selected, idle time not tracked.\r\n"
                                .to_owned()
                        }
                    },
                    _ => "-ERR unknown command\r\n".to_owned(),
                };
            if write.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
        }
    }

    #[tokio::test]
    async fn sends_only_read_only_commands() {
        let (address, log) = scripted(Idle::Tracked).await;
        let p = Redis {
            pattern: Some("lock*".into()),
            ..probe(&format!("redis://:hunter2secret@{address}"))
        };
        let seen = observe(&p).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(int(&seen, "KEYS"), 2);
        assert_eq!(int(&seen, "KEYS_WITHOUT_TTL"), 1);
        assert_eq!(seen.get("OLDEST_KEY_AGE"), Some(&Duration::from_secs(3600).into()));
        let Some(Value::Json(info)) = seen.get("INFO") else { panic!() };
        assert_eq!(info["redis_version"], "7.2.0");
        assert_eq!(seen.secrets, vec!["hunter2secret".to_owned()]);
        let commands = log.lock().unwrap().clone();
        assert_eq!(
            commands,
            [
                "AUTH hunter2secret", "PING", "INFO", "SCAN 0 MATCH lock* COUNT 1000", "TTL lock",
                "TTL lock2", "OBJECT IDLETIME lock", "OBJECT IDLETIME lock2",
            ]
        );
    }

    #[tokio::test]
    async fn info_can_be_skipped() {
        let (address, log) = scripted(Idle::Tracked).await;
        let seen =
            observe(&Redis { info: Some(false), ..probe(&format!("redis://{address}")) }).await;
        assert_eq!(seen.get("PING"), Some(&"PONG".into()), "{seen:?}");
        assert!(seen.get("INFO").is_none());
        assert_eq!(log.lock().unwrap().clone(), ["PING"]);
    }

    #[tokio::test]
    async fn info_only_when_a_condition_reads_it() {
        let (address, log) = scripted(Idle::Tracked).await;
        let p = probe(&format!("redis://{address}"));
        let ctx = Context { timeout: Duration::from_secs(5), ..Context::default() };
        let seen = p.observe(&ctx.wanting(["PING"])).await;
        assert_eq!(seen.get("PING"), Some(&"PONG".into()), "{seen:?}");
        assert!(seen.get("INFO").is_none());
        let seen = p.observe(&ctx.wanting(["INFO"])).await;
        let Some(Value::Json(info)) = seen.get("INFO") else { panic!("{seen:?}") };
        assert_eq!(info["role"], "master");
        let forced = Redis { info: Some(true), ..p.clone() };
        assert!(forced.observe(&ctx.wanting(["PING"])).await.get("INFO").is_some());
        assert_eq!(log.lock().unwrap().clone(), ["PING", "PING", "INFO", "PING", "INFO"]);
    }

    #[tokio::test]
    async fn no_key_age_under_lfu() {
        let (address, _) = scripted(Idle::Lfu).await;
        let p = Redis { pattern: Some("lock*".into()), ..probe(&format!("redis://{address}")) };
        let seen = observe(&p).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(int(&seen, "KEYS"), 2);
        assert!(seen.get("OLDEST_KEY_AGE").is_none());
        assert!(seen.notes.iter().any(|n| n.contains("LFU")), "{seen:?}");
    }

    /// A TLS front for the local Redis with a certificate from a test CA; returns the
    /// front's address and the CA's PEM.
    async fn tls_front() -> (String, tempfile::NamedTempFile) {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "triage redis test ca");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        let key = rustls::pki_types::PrivatePkcs8KeyDer::from(leaf_key.serialize_der());
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key.into())
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(socket).await else { return };
                    let mut upstream = TcpStream::connect("127.0.0.1:6379").await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
                });
            }
        });
        let ca = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(ca.path(), ca_cert.pem()).unwrap();
        (address, ca)
    }

    #[tokio::test]
    async fn rediss_is_tls() {
        let (address, ca) = tls_front().await;
        let url = format!("rediss://{address}");

        let seen = observe(&Redis { ca_file: Some(ca.path().into()), ..probe(&url) }).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("PING"), Some(&"PONG".into()));

        let seen = observe(&probe(&url)).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.starts_with(&format!("connect to {address}: ")), "{error}");
        assert!(error.contains("certificate") || error.contains("UnknownIssuer"), "{error}");

        let seen = observe(&Redis { tls_verify: false, ..probe(&url) }).await;
        assert_eq!(seen.get("PING"), Some(&"PONG".into()), "{seen:?}");
    }

    #[tokio::test]
    async fn refused_is_a_result() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let seen = observe(&probe(&format!("redis://127.0.0.1:{port}"))).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.starts_with(&format!("connect to 127.0.0.1:{port}: ")), "{error}");
        assert!(error.contains("refused"), "{error}");
    }

    #[tokio::test]
    async fn a_rejected_password_is_a_result_without_the_password() {
        // The local server has no password: AUTH fails, and says so.
        let p = probe("redis://:hunter2secret@127.0.0.1:6379");
        assert_eq!(p.target(), "redis redis://:[REDACTED]@127.0.0.1:6379");
        let seen = observe(&p).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.starts_with("connect to 127.0.0.1:6379: "), "{error}");
        assert!(error.contains("AUTH") || error.contains("password"), "{error}");
        assert!(!error.contains("hunter2secret"), "{error}");
        assert_eq!(seen.secrets, vec!["hunter2secret".to_owned()]);

        let broken = probe("redis://:hunter2secret@127.0.0.1:notaport");
        let error = broken.validate().unwrap_err();
        assert!(error.starts_with("invalid redis url"), "{error}");
        assert!(!error.contains("hunter2secret"), "{error}");
    }

    #[test]
    fn parses_info() {
        let info = parse_info(
            "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:42\r\n\r\n# Memory\r\n\
             used_memory:1048576\r\nmem_fragmentation_ratio:1.25\r\nrole:master\r\n\
             # Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n",
        );
        assert_eq!(
            info,
            serde_json::json!({
                "redis_version": "7.0.15", "uptime_in_seconds": 42, "used_memory": 1_048_576,
                "mem_fragmentation_ratio": 1.25, "role": "master",
                "db0": {"keys": 3, "expires": 1, "avg_ttl": 0},
            })
        );
        assert_eq!(scalar("inf"), "inf", "words stay words");
    }

    #[test]
    fn yaml_form() {
        let probe: crate::Probe = serde_yaml_ng::from_str(
            "kind: redis\nurl: rediss://cache:6380/1\npattern: \"callfs:lock:*\"\ntls_verify: false",
        )
        .unwrap();
        let crate::Probe::Redis(p) = probe else { panic!() };
        assert_eq!(p.pattern.as_deref(), Some("callfs:lock:*"));
        assert!(!p.tls_verify);
        assert_eq!(p.driver_url(), "rediss://cache:6380/1#insecure");
        let error = serde_yaml_ng::from_str::<crate::Probe>("kind: redis\nurl: x\nkeys: a*")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `keys`"), "{error}");
    }
}

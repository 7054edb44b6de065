//! `kind: mysql`: is a MySQL or MariaDB server reachable, how many threads are
//! connected against `max_connections`, and what does a read-only query return?
//!
//! One connection per check over TCP (never swapped for the local socket, so the probe
//! sees what a remote client sees), closed before the probe returns. The session is made
//! read-only (`SET SESSION TRANSACTION READ ONLY`, which unlike a read-only transaction
//! also refuses DDL, whose implicit commit would escape it) and `query` goes through a
//! prepared statement, which refuses a second statement after a `;`. Statements are
//! bounded by `max_statement_time` (MariaDB) or `max_execution_time` (MySQL, `SELECT` only).
//!
//! TLS uses mysql_async's URL parameters: `?require_ssl=true`, with `verify_ca=false` and
//! `verify_identity=false` to relax the checks.
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `url` | `mysql://user[:password]@host:port/db` | required |
//! | `password_env` | environment variable holding the password (overrides the URL's) | none |
//! | `password_file` | file holding the password, trailing newline ignored | none |
//! | `query` | one SQL statement, run read-only | none |
//! | `connect_timeout` | bound on connecting and authenticating | the run's probe timeout |
//! | `statement_timeout` | server-side bound on the query | the run's probe timeout |
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[CONNECTED]` | `true` when the server accepted the session |
//! | `[RESPONSE_TIME]` | connect plus the facts queries (those sent), in ms |
//! | `[VERSION]` | `VERSION()`, e.g. `10.11.6-MariaDB-0+deb12u1` |
//! | `[THREADS_CONNECTED]` | the `Threads_connected` status, this session included |
//! | `[MAX_CONNECTIONS]` | `@@max_connections` |
//! | `[CONNECTIONS_PERCENT]` | `[THREADS_CONNECTED]` as a percentage of `[MAX_CONNECTIONS]` |
//! | `[ROWS]` | with `query`: rows returned (those read within the byte cap) |
//! | `[VALUE]` | with `query`: first column of the first row |
//! | `[ROW]` | with `query`: the first row as JSON, `[ROW].column` |
//!
//! Integers bind as numbers, `DECIMAL`/`FLOAT`/`DOUBLE` as decimals, `JSON` as JSON,
//! dates and times as text (`2024-05-01 12:00:00`), everything else as text.
//!
//! The facts queries are sent only for the facts a condition of the check reads, and a
//! run bounds its sessions to one server (32 by default), as for `kind: postgres`.
//!
//! A check without `expect:` expects `[CONNECTED] == true`.
//!
//! The password is a secret: pushed to `observation.secrets`, scrubbed from driver messages.
//!
//! ```yaml
//! kind: mysql
//! url: mysql://monitor@127.0.0.1:3306/app
//! password_env: MYSQL_PASSWORD
//! query: SELECT COUNT(*) FROM jobs WHERE state = 'stuck'
//! expect:
//!   - "[CONNECTED] == true"
//!   - "[CONNECTIONS_PERCENT] < 80"
//!   - "[VALUE] == 0"
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mysql_async::consts::ColumnType;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder, Row};
use serde::Deserialize;
use triage_core::{Observation, Value};

use super::credentials::{self, Scrubber};
use crate::{Context, Kind};

/// Connects to MySQL/MariaDB, reads its connection facts, optionally runs one query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mysql {
    /// `mysql://user[:password]@host:port/db`. Required.
    pub url: String,
    /// Environment variable holding the password; overrides the URL's. Default: none.
    #[serde(default)]
    pub password_env: Option<String>,
    /// File holding the password (trailing newline ignored); overrides the URL's.
    /// Default: none.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// One SQL statement, run in a read-only session. Default: none (facts only).
    #[serde(default)]
    pub query: Option<String>,
    /// Bound on connecting and authenticating. Default: the run's probe timeout.
    #[serde(default, with = "triage_core::duration::option")]
    pub connect_timeout: Option<Duration>,
    /// Server-side bound on the query. Default: the run's probe timeout.
    #[serde(default, with = "triage_core::duration::option")]
    pub statement_timeout: Option<Duration>,
}

impl Mysql {
    fn opts(&self, scrub: &Scrubber) -> Result<Opts, String> {
        Opts::from_url(&self.url).map_err(|e| {
            scrub.scrub(&format!("invalid mysql url: {}", lower_first(&e.to_string())))
        })
    }
}

impl Kind for Mysql {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("CONNECTED", "true when the server accepted the session"),
        ("RESPONSE_TIME", "connect plus the facts queries, in ms"),
        ("VERSION", "the server's VERSION()"),
        ("THREADS_CONNECTED", "the Threads_connected status, this session included"),
        ("MAX_CONNECTIONS", "the server's max_connections"),
        ("CONNECTIONS_PERCENT", "THREADS_CONNECTED as a percentage of MAX_CONNECTIONS"),
        ("ROWS", "with `query`: rows returned"),
        ("VALUE", "with `query`: first column of the first row"),
        ("ROW", "with `query`: the first row as JSON, [ROW].column"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[CONNECTED] == true"];

    fn target(&self) -> String {
        format!("mysql {}", credentials::mask_url(&self.url))
    }

    fn server(&self) -> Option<String> {
        let opts = self.opts(&Scrubber::default()).ok()?;
        Some(format!("{}:{}", opts.ip_or_hostname(), opts.tcp_port()))
    }

    fn validate(&self) -> Result<(), String> {
        credentials::validate_sources(self.password_env.as_deref(), self.password_file.as_deref())?;
        self.opts(&Scrubber::for_url(&self.url))?;
        if self.query.as_deref().is_some_and(|q| q.trim().is_empty()) {
            return Err("query is empty".into());
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let mut seen = Observation::default();
        let mut scrub = Scrubber::for_url(&self.url);
        let opts = match self.opts(&scrub) {
            Ok(opts) => opts,
            Err(e) => {
                seen.set("CONNECTED", false);
                seen.error = Some(e);
                return seen;
            }
        };
        let address = format!("{}:{}", opts.ip_or_hostname(), opts.tcp_port());
        if let Some(password) = opts.pass().filter(|p| !p.is_empty()) {
            scrub.add(password);
            seen.secrets.push(password.to_owned());
        }
        // The socket would be another path than the one the guide asks about.
        let mut builder = OptsBuilder::from_opts(opts).prefer_socket(false);
        match credentials::password(
            self.password_env.as_deref(),
            self.password_file.as_deref(),
            ctx.max_bytes,
        ) {
            Ok(Some(password)) => {
                scrub.add(&password);
                builder = builder.pass(Some(password.clone()));
                seen.secrets.push(password);
            }
            Ok(None) => {}
            Err(e) => {
                seen.set("CONNECTED", false);
                seen.error = Some(format!("connect to {address}: {e}"));
                return seen;
            }
        }

        let started = Instant::now();
        let connect_limit = self.connect_timeout.unwrap_or(ctx.timeout);
        let mut conn = match tokio::time::timeout(connect_limit, Conn::new(builder)).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => {
                seen.set("CONNECTED", false);
                seen.error = Some(format!("connect to {address}: {}", describe(&scrub, &e)));
                return seen;
            }
            Err(_) => {
                seen.set("CONNECTED", false);
                seen.error =
                    Some(format!("connect to {address}: timed out after {connect_limit:?}"));
                return seen;
            }
        };
        seen.set("CONNECTED", true);
        let statement_timeout = self.statement_timeout.unwrap_or(ctx.timeout);
        let session = Session {
            probe: self,
            max_bytes: ctx.max_bytes,
            started,
            statement_timeout,
            settings: ctx.wants_any(&["VERSION", "MAX_CONNECTIONS", "CONNECTIONS_PERCENT"]),
            threads: ctx.wants_any(&["THREADS_CONNECTED", "CONNECTIONS_PERCENT"]),
        };
        let limit = statement_timeout + Duration::from_secs(1);
        let finished = tokio::time::timeout(limit, session.look(&mut conn, &mut seen)).await;
        match finished {
            Ok(Ok(())) => {
                // A polite COM_QUIT; the server frees the thread at once.
                let _ = tokio::time::timeout(Duration::from_secs(1), conn.disconnect()).await;
            }
            Ok(Err(e)) => {
                seen.error = Some(format!("{} on {address}: {}", e.0, describe(&scrub, &e.1)))
            }
            Err(_) => seen.error = Some(format!("query on {address}: timed out after {limit:?}")),
        }
        seen
    }
}

/// Which step failed, and how.
struct Failure(&'static str, mysql_async::Error);

/// One probe's session.
struct Session<'a> {
    probe: &'a Mysql,
    max_bytes: usize,
    started: Instant,
    statement_timeout: Duration,
    /// Whether to read `VERSION()` and `@@max_connections` (a condition reads them).
    settings: bool,
    /// Whether to read `Threads_connected`.
    threads: bool,
}

impl Session<'_> {
    async fn look(&self, conn: &mut Conn, seen: &mut Observation) -> Result<(), Failure> {
        let facts = |e| Failure("read facts", e);
        // The query needs the version for its statement bound.
        let (version, max): (String, i64) = if self.settings || self.probe.query.is_some() {
            conn.query_first("SELECT VERSION(), @@max_connections")
                .await
                .map_err(facts)?
                .unwrap_or_default()
        } else {
            Default::default()
        };
        let threads: Option<(String, i64)> = if self.threads {
            conn.query_first("SHOW GLOBAL STATUS LIKE 'Threads_connected'").await.map_err(facts)?
        } else {
            None
        };
        seen.set("RESPONSE_TIME", self.started.elapsed());
        if self.settings {
            seen.set("VERSION", version.as_str()).set("MAX_CONNECTIONS", max);
        }
        if let Some((_, threads)) = threads {
            seen.set("THREADS_CONNECTED", threads);
            if max > 0 {
                seen.set("CONNECTIONS_PERCENT", threads as f64 * 100.0 / max as f64);
            }
        }
        let Some(query) = &self.probe.query else { return Ok(()) };
        let setup = |e| Failure("prepare read-only session", e);
        conn.query_drop("SET SESSION TRANSACTION READ ONLY").await.map_err(setup)?;
        conn.query_drop(statement_timeout_sql(&version, self.statement_timeout))
            .await
            .map_err(setup)?;
        self.run_query(conn, query, seen).await.map_err(|e| Failure("query", e))
    }

    async fn run_query(
        &self,
        conn: &mut Conn,
        query: &str,
        seen: &mut Observation,
    ) -> mysql_async::Result<()> {
        let mut result = conn.exec_iter(query, ()).await?;
        let mut count = 0i64;
        let mut bytes = 0usize;
        let mut truncated = false;
        while let Some(row) = result.next().await? {
            if count == 0 {
                bind_first_row(&row, seen);
            }
            count += 1;
            bytes += row_size(&row);
            if bytes > self.max_bytes {
                truncated = true;
                break;
            }
        }
        if !truncated {
            result.drop_result().await?;
        }
        seen.set("ROWS", count);
        if truncated {
            seen.note(format!(
                "stopped reading after {} bytes; [ROWS] counts the rows read",
                self.max_bytes
            ));
        }
        Ok(())
    }
}

/// `SET SESSION ...` bounding each statement, in the dialect of the server.
fn statement_timeout_sql(version: &str, timeout: Duration) -> String {
    if version.contains("MariaDB") {
        format!("SET SESSION max_statement_time = {:.3}", timeout.as_secs_f64().max(0.001))
    } else {
        format!("SET SESSION max_execution_time = {}", timeout.as_millis().max(1))
    }
}

fn bind_first_row(row: &Row, seen: &mut Observation) {
    let mut object = serde_json::Map::new();
    for (i, column) in row.columns_ref().iter().enumerate() {
        let cell = row
            .as_ref(i)
            .map(|v| cell(v, column.column_type()))
            .unwrap_or(Value::Json(serde_json::Value::Null));
        if i == 0 {
            seen.set("VALUE", cell.clone());
        }
        let json = match &cell {
            Value::Text(text) => serde_json::Value::String(text.clone()),
            other => other.to_json().unwrap_or(serde_json::Value::Null),
        };
        object.insert(column.name_str().into_owned(), json);
    }
    seen.set("ROW", Value::Json(object.into()));
}

/// One value of the binary protocol as a [`Value`].
fn cell(value: &mysql_async::Value, ty: ColumnType) -> Value {
    use mysql_async::Value as My;
    match value {
        My::NULL => Value::Json(serde_json::Value::Null),
        My::Int(n) => Value::Int(*n),
        My::UInt(n) => Value::from(*n),
        My::Float(x) => Value::Float(f64::from(*x)),
        My::Double(x) => Value::Float(*x),
        My::Bytes(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            match ty {
                ColumnType::MYSQL_TYPE_NEWDECIMAL | ColumnType::MYSQL_TYPE_DECIMAL => {
                    match (text.parse::<i64>(), text.parse::<f64>()) {
                        (Ok(n), _) => Value::Int(n),
                        (_, Ok(x)) => Value::Float(x),
                        _ => Value::Text(text.into_owned()),
                    }
                }
                ColumnType::MYSQL_TYPE_JSON => serde_json::from_str(&text)
                    .map(Value::Json)
                    .unwrap_or_else(|_| Value::Text(text.into_owned())),
                _ => Value::Text(text.into_owned()),
            }
        }
        My::Date(y, m, d, 0, 0, 0, 0) if ty == ColumnType::MYSQL_TYPE_DATE => {
            Value::Text(format!("{y:04}-{m:02}-{d:02}"))
        }
        My::Date(y, m, d, h, mi, s, 0) => {
            Value::Text(format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}"))
        }
        My::Date(y, m, d, h, mi, s, us) => {
            Value::Text(format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}"))
        }
        My::Time(negative, days, h, m, s, us) => {
            let span = Duration::from_secs(
                u64::from(*days) * 86_400
                    + u64::from(*h) * 3600
                    + u64::from(*m) * 60
                    + u64::from(*s),
            ) + Duration::from_micros(u64::from(*us));
            if *negative { Value::Text(format!("-{span:?}")) } else { Value::Duration(span) }
        }
    }
}

/// Bytes a row occupies, close enough to cap what the probe reads.
fn row_size(row: &Row) -> usize {
    (0..row.len())
        .map(|i| match row.as_ref(i) {
            Some(mysql_async::Value::Bytes(bytes)) => bytes.len(),
            _ => 8,
        })
        .sum()
}

/// A driver error as the server said it (`ERROR 1040 (08004): Too many connections`),
/// scrubbed of credentials.
fn describe(scrub: &Scrubber, e: &mysql_async::Error) -> String {
    let text = match e {
        mysql_async::Error::Server(server) => server.to_string(),
        other => lower_first(&other.to_string()),
    };
    scrub.scrub(&text)
}

/// The driver's messages start with a capital; ours are lowercase facts.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !text.starts_with("ERROR") => first.to_lowercase().chain(chars).collect(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The machine's MariaDB: root, empty password, database `test`.
    const URL: &str = "mysql://root@127.0.0.1:3306/test";

    fn probe(url: &str) -> Mysql {
        serde_yaml_ng::from_str(&format!("url: {url}")).unwrap()
    }

    fn with_query(query: &str) -> Mysql {
        Mysql { query: Some(query.into()), ..probe(URL) }
    }

    async fn observe(p: &Mysql) -> Observation {
        p.observe(&Context { timeout: Duration::from_secs(5), ..Context::default() }).await
    }

    async fn admin() -> Conn {
        Conn::new(OptsBuilder::from_opts(Opts::from_url(URL).unwrap()).prefer_socket(false))
            .await
            .unwrap()
    }

    fn int(seen: &Observation, name: &str) -> i64 {
        match seen.get(name) {
            Some(Value::Int(n)) => *n,
            other => panic!("{name} = {other:?} in {seen:?}"),
        }
    }

    #[tokio::test]
    async fn binds_the_servers_facts() {
        let seen = observe(&probe(URL)).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        let mut admin = admin().await;
        let (version, max): (String, i64) =
            admin.query_first("SELECT VERSION(), @@max_connections").await.unwrap().unwrap();
        admin.disconnect().await.unwrap();
        assert_eq!(seen.get("VERSION"), Some(&version.as_str().into()));
        assert_eq!(int(&seen, "MAX_CONNECTIONS"), max);
        let threads = int(&seen, "THREADS_CONNECTED");
        assert!(threads >= 1, "this session counts");
        let Some(Value::Float(percent)) = seen.get("CONNECTIONS_PERCENT") else { panic!() };
        assert!((percent - threads as f64 * 100.0 / max as f64).abs() < 1e-9);
        assert!(matches!(seen.get("RESPONSE_TIME"), Some(Value::Duration(_))));
    }

    #[tokio::test]
    async fn only_the_facts_a_condition_reads() {
        let ctx = Context { timeout: Duration::from_secs(5), ..Context::default() };
        let seen = probe(URL).observe(&ctx.wanting(["CONNECTED"])).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert!(seen.get("VERSION").is_none() && seen.get("THREADS_CONNECTED").is_none());
        let seen = probe(URL).observe(&ctx.wanting(["THREADS_CONNECTED"])).await;
        assert!(int(&seen, "THREADS_CONNECTED") >= 1, "{seen:?}");
        assert!(seen.get("VERSION").is_none());
        let seen = probe(URL).observe(&ctx.wanting(["CONNECTIONS_PERCENT"])).await;
        assert!(seen.get("CONNECTIONS_PERCENT").is_some(), "{seen:?}");

        // The query still runs read-only and bounded without the facts.
        let ctx = ctx.wanting(["VALUE"]);
        let seen = with_query("SELECT 7").observe(&ctx).await;
        assert_eq!(seen.get("VALUE"), Some(&Value::Int(7)), "{seen:?}");
        assert!(seen.get("VERSION").is_none());
        let table = format!("triage_probe_ro_nofacts_{}", std::process::id());
        let seen = with_query(&format!("CREATE TABLE {table} (x int)")).observe(&ctx).await;
        assert!(seen.error.as_deref().unwrap().contains("READ ONLY"), "{seen:?}");
    }

    #[tokio::test]
    async fn binds_the_query_result_typed() {
        let seen = observe(&with_query(
            "SELECT 42 AS answer, 'x' AS name, CAST(1.50 AS DECIMAL(5,2)) AS price, 2.5e0 AS f, \
             NULL AS nothing, DATE '2024-05-01' AS day, TIMESTAMP '2024-05-01 12:00:00' AS at, \
             TIME '01:30:00' AS wait, JSON_OBJECT('a', 1) AS doc \
             FROM (SELECT 1 UNION ALL SELECT 2) AS two",
        ))
        .await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(int(&seen, "ROWS"), 2);
        assert_eq!(seen.get("VALUE"), Some(&Value::Int(42)));
        let Some(Value::Json(row)) = seen.get("ROW") else { panic!("{seen:?}") };
        // MariaDB's JSON is a LONGTEXT alias: it stays text there.
        let doc = &row["doc"];
        assert!(doc == &serde_json::json!({"a": 1}) || doc.as_str() == Some("{\"a\": 1}"), "{doc}");
        let mut row = row.clone();
        row.as_object_mut().unwrap().remove("doc");
        assert_eq!(
            row,
            serde_json::json!({
                "answer": 42, "name": "x", "price": 1.5, "f": 2.5, "nothing": null,
                "day": "2024-05-01", "at": "2024-05-01 12:00:00", "wait": 5_400_000,
            })
        );
    }

    #[tokio::test]
    async fn the_query_cannot_write() {
        let table = format!("triage_probe_ro_{}", std::process::id());
        // DDL commits implicitly: a read-only transaction would not stop it, the session does.
        let seen = observe(&with_query(&format!("CREATE TABLE {table} (x int)"))).await;
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.contains("READ ONLY transaction"), "{error}");
        let seen = observe(&with_query(&format!("SELECT 1; CREATE TABLE {table} (x int)"))).await;
        let error = seen.error.as_deref().unwrap();
        assert!(error.starts_with("query on 127.0.0.1:3306: ERROR 1064"), "{error}");
        let mut admin = admin().await;
        let exists: Option<String> = admin
            .exec_first(
                "SELECT table_name FROM information_schema.tables WHERE table_name = ?",
                (table.as_str(),),
            )
            .await
            .unwrap();
        admin.disconnect().await.unwrap();
        assert_eq!(exists, None);
    }

    #[tokio::test]
    async fn statements_are_bounded() {
        let p = Mysql {
            statement_timeout: Some(Duration::from_millis(300)),
            ..with_query("SELECT SLEEP(5)")
        };
        let started = Instant::now();
        let seen = observe(&p).await;
        assert!(started.elapsed() < Duration::from_secs(3));
        let error = seen.error.as_deref().unwrap();
        assert!(error.contains("max_statement_time exceeded"), "{error}");
    }

    #[tokio::test]
    async fn a_full_account_is_a_result() {
        let user = format!("triage_probe_limit_{}", std::process::id());
        let mut admin = admin().await;
        admin.query_drop(format!("DROP USER IF EXISTS '{user}'@'%'")).await.unwrap();
        admin
            .query_drop(format!("CREATE USER '{user}'@'%' WITH MAX_USER_CONNECTIONS 1"))
            .await
            .unwrap();
        let user_url = format!("mysql://{user}@127.0.0.1:3306/");
        let holder = Conn::new(Opts::from_url(&user_url).unwrap()).await.unwrap();
        let seen = observe(&probe(&user_url)).await;
        holder.disconnect().await.unwrap();
        admin.query_drop(format!("DROP USER '{user}'@'%'")).await.unwrap();
        admin.disconnect().await.unwrap();
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.starts_with("connect to 127.0.0.1:3306: ERROR 1226"), "{error}");
        assert!(error.contains("max_user_connections"), "{error}");
    }

    #[tokio::test]
    async fn refused_is_a_result() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let seen =
            observe(&probe(&format!("mysql://root:hunter2secret@127.0.0.1:{port}/test"))).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.starts_with(&format!("connect to 127.0.0.1:{port}: ")), "{error}");
        assert!(error.contains("refused"), "{error}");
        assert_eq!(seen.secrets, vec!["hunter2secret".to_owned()]);
    }

    #[tokio::test]
    async fn wrong_password_is_a_result_without_the_password() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "wrongpassword\n").unwrap();
        let p = Mysql { password_file: Some(file.path().into()), ..probe(URL) };
        let seen = observe(&p).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.contains("ERROR 1045 (28000): Access denied for user 'root'"), "{error}");
        assert!(!error.contains("wrongpassword"), "{error}");
        assert_eq!(seen.secrets, vec!["wrongpassword".to_owned()]);
    }

    #[tokio::test]
    async fn url_errors_never_echo_the_password() {
        let p = probe("mysql://root:hunter2secret@127.0.0.1:3306/test?pool_min=hunter2secret");
        let error = p.validate().unwrap_err();
        assert!(error.starts_with("invalid mysql url: invalid value"), "{error}");
        assert!(!error.contains("hunter2secret"), "{error}");
        let seen = observe(&p).await;
        assert!(!seen.error.as_deref().unwrap().contains("hunter2secret"), "{seen:?}");
        assert_eq!(
            p.target(),
            "mysql mysql://root:[REDACTED]@127.0.0.1:3306/test?pool_min=[REDACTED]"
        );
    }

    #[test]
    fn statement_timeout_in_each_dialect() {
        let t = Duration::from_millis(1500);
        assert_eq!(
            statement_timeout_sql("10.11.6-MariaDB", t),
            "SET SESSION max_statement_time = 1.500"
        );
        assert_eq!(statement_timeout_sql("8.0.36", t), "SET SESSION max_execution_time = 1500");
    }

    #[test]
    fn yaml_form() {
        let probe: crate::Probe = serde_yaml_ng::from_str(
            "kind: mysql\nurl: mysql://root@db/app\nquery: SELECT 1\nstatement_timeout: 2s",
        )
        .unwrap();
        let crate::Probe::Mysql(p) = probe else { panic!() };
        assert_eq!(p.statement_timeout, Some(Duration::from_secs(2)));
        let error =
            serde_yaml_ng::from_str::<crate::Probe>("kind: mysql\nurl: x\nsslmode: require")
                .unwrap_err()
                .to_string();
        assert!(error.contains("unknown field `sslmode`"), "{error}");
    }
}

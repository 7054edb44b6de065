//! `kind: postgres`: is a PostgreSQL server reachable, how full is it, and what does a
//! read-only query return?
//!
//! One connection per check (so `[CONNECTED]` means what `psql` would see), closed before
//! the probe returns. Without writing SQL the probe binds the facts the seed guides dig out
//! of `pg_stat_activity` by hand (connections against `max_connections`, long-running and
//! idle-in-transaction sessions, recovery and replication lag); with `query` it also binds
//! the query's result. The session is read-only (`default_transaction_read_only`, and
//! `query` runs in `BEGIN READ ONLY` through the extended protocol, which refuses a second
//! statement smuggled in after a `;`) and every statement has a `statement_timeout`.
//!
//! TLS follows libpq's `sslmode` (in the URL or the `sslmode` field): `disable`; `allow`
//! and `prefer` (the default: TLS when the server offers it); `require` (TLS, certificate
//! not checked, as libpq without a root certificate); `verify-ca` (chain checked against
//! `ca_file`/`sslrootcert`, else the system roots); `verify-full` (chain and host name).
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `url` | `postgres://user[:password]@host:port/db[?sslmode=...]`, or libpq `key=value` pairs | required |
//! | `password_env` | environment variable holding the password (overrides the URL's) | none |
//! | `password_file` | file holding the password, trailing newline ignored | none |
//! | `query` | one SQL statement, run read-only | none |
//! | `long_running` | how long a query runs before `[LONG_RUNNING]` counts it | `60s` |
//! | `sslmode` | `disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full` | the URL's, else `prefer` |
//! | `ca_file` | PEM root certificates for `verify-ca`/`verify-full` (libpq `sslrootcert`) | system roots |
//! | `connect_timeout` | bound on connecting (TCP, TLS, authentication) | the run's probe timeout |
//! | `statement_timeout` | server-side bound on each statement | the run's probe timeout |
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[CONNECTED]` | `true` when the server accepted the session |
//! | `[RESPONSE_TIME]` | connect plus the facts query (when sent), in ms |
//! | `[VERSION]` | `server_version`, e.g. `15.4 (Debian 15.4-1)` |
//! | `[CONNECTIONS]` | client sessions open now (`pg_stat_activity`), this one included |
//! | `[MAX_CONNECTIONS]` | the server's `max_connections` |
//! | `[CONNECTIONS_PERCENT]` | `[CONNECTIONS]` as a percentage of `[MAX_CONNECTIONS]` |
//! | `[LONG_RUNNING]` | active queries running longer than `long_running` |
//! | `[IDLE_IN_TRANSACTION]` | sessions idle inside an open transaction |
//! | `[IN_RECOVERY]` | `true` on a standby |
//! | `[REPLICATION_LAG]` | on a standby, time since the last replayed transaction (0 when caught up); 0 on a primary |
//! | `[SSL]` | `true` when this session is encrypted |
//! | `[ROWS]` | with `query`: rows returned (those read within the byte cap) |
//! | `[VALUE]` | with `query`: first column of the first row |
//! | `[ROW]` | with `query`: the first row as JSON, `[ROW].column` |
//!
//! Column types bind as they are: integers as numbers, `numeric`/`float` as decimals,
//! `bool`, text, `json`/`jsonb` as JSON, timestamps as RFC 3339 text, `interval` as a
//! duration. Cast other types to `text` in the query (`SELECT inet_client_addr()::text`).
//!
//! The facts query is sent only when a condition of the check reads one of the facts
//! (`[VERSION]` to `[SSL]`): a check of `[CONNECTED]` alone costs what `pg_isready` plus
//! authentication does.
//!
//! A run bounds its sessions to one server (32 by default, besides the global bound on
//! checks in flight), so a guide with many checks of one database never fills its
//! `max_connections`.
//!
//! A check without `expect:` expects `[CONNECTED] == true`.
//!
//! The password (from the URL, `password_env` or `password_file`) is a secret: it is
//! pushed to `observation.secrets` and scrubbed out of every driver message.
//!
//! ```yaml
//! kind: postgres
//! url: postgres://app@db.internal:5432/app?sslmode=require
//! password_env: DB_PASSWORD
//! query: SELECT count(*) FROM jobs WHERE state = 'stuck'
//! expect:
//!   - "[CONNECTED] == true"
//!   - "[CONNECTIONS_PERCENT] < 80"
//!   - "[LONG_RUNNING] == 0"
//!   - "[VALUE] == 0"
//! ```

use std::error::Error as StdError;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures::{StreamExt, pin_mut};
use rustls::ClientConfig;
use serde::Deserialize;
use tokio_postgres::types::{FromSql, Kind as TypeKind, ToSql, Type};
use tokio_postgres::{Client, Config, SimpleQueryMessage};
use tokio_postgres_rustls::MakeRustlsConnect;
use triage_core::{Observation, Value};

use super::credentials::{self, Scrubber};
use super::tls_config;
use crate::{Context, Kind};

/// The placeholders the facts query binds; it is sent only when a condition reads one.
const FACTS: &[&str] = &[
    "VERSION", "CONNECTIONS", "MAX_CONNECTIONS", "CONNECTIONS_PERCENT", "LONG_RUNNING",
    "IDLE_IN_TRANSACTION", "IN_RECOVERY", "REPLICATION_LAG", "SSL",
];

/// How long a query runs before `[LONG_RUNNING]` counts it, when the check does not say.
const DEFAULT_LONG_RUNNING: Duration = Duration::from_secs(60);

/// Connects to PostgreSQL, reads its health facts and optionally runs one read-only query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Postgres {
    /// `postgres://user[:password]@host:port/db`, or libpq `key=value` pairs. Required.
    pub url: String,
    /// Environment variable holding the password; overrides the URL's. Default: none.
    #[serde(default)]
    pub password_env: Option<String>,
    /// File holding the password (trailing newline ignored); overrides the URL's.
    /// Default: none.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// One SQL statement, run in a read-only transaction. Default: none (facts only).
    #[serde(default)]
    pub query: Option<String>,
    /// How long a query runs before `[LONG_RUNNING]` counts it. Default: 60 s.
    #[serde(default, with = "triage_core::duration::option")]
    pub long_running: Option<Duration>,
    /// libpq `sslmode`; overrides the URL's. Default: the URL's, else `prefer`.
    #[serde(default)]
    pub sslmode: Option<SslMode>,
    /// PEM root certificates for `verify-ca`/`verify-full` (libpq `sslrootcert`).
    /// Default: the URL's `sslrootcert`, else the system roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Bound on connecting (TCP, TLS, authentication). Default: the run's probe timeout.
    #[serde(default, with = "triage_core::duration::option")]
    pub connect_timeout: Option<Duration>,
    /// Server-side bound on each statement. Default: the run's probe timeout.
    #[serde(default, with = "triage_core::duration::option")]
    pub statement_timeout: Option<Duration>,
}

/// libpq's `sslmode`, with libpq's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    /// Plain TCP only.
    Disable,
    /// libpq tries plain first; here the same as `prefer` (encryption when offered).
    Allow,
    /// TLS when the server offers it, plain otherwise; the certificate is not checked.
    Prefer,
    /// TLS or nothing; the certificate is not checked.
    Require,
    /// TLS with the certificate chain checked, not the host name.
    VerifyCa,
    /// TLS with the chain and the host name checked.
    VerifyFull,
}

impl FromStr for SslMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Ok(match text {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => return Err(format!("unknown sslmode `{other}`")),
        })
    }
}

/// The connection string split into what tokio-postgres parses and the TLS settings it
/// does not know (`verify-ca`, `verify-full`, `sslrootcert`).
#[derive(Debug)]
struct Target {
    config: Config,
    sslmode: SslMode,
    ca_file: Option<PathBuf>,
    /// `host:port` for messages, never carrying credentials.
    address: String,
}

impl Postgres {
    /// Parses the URL and applies the probe's fields; the error is scrubbed.
    fn target_config(&self, scrub: &Scrubber) -> Result<Target, String> {
        let (rest, url_mode, url_root) = split_tls_params(&self.url)?;
        let config = Config::from_str(&rest)
            .map_err(|e| scrub.scrub(&format!("invalid postgres url: {}", chain(&e))))?;
        let address = address(&config);
        Ok(Target {
            config,
            sslmode: self.sslmode.or(url_mode).unwrap_or(SslMode::Prefer),
            ca_file: self.ca_file.clone().or(url_root),
            address,
        })
    }
}

impl Kind for Postgres {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("CONNECTED", "true when the server accepted the session"),
        ("RESPONSE_TIME", "connect plus the facts query, in ms"),
        ("VERSION", "the server's server_version"),
        ("CONNECTIONS", "client sessions open now, this one included"),
        ("MAX_CONNECTIONS", "the server's max_connections"),
        ("CONNECTIONS_PERCENT", "CONNECTIONS as a percentage of MAX_CONNECTIONS"),
        ("LONG_RUNNING", "active queries running longer than `long_running` (default 60s)"),
        ("IDLE_IN_TRANSACTION", "sessions idle inside an open transaction"),
        ("IN_RECOVERY", "true on a standby"),
        (
            "REPLICATION_LAG",
            "on a standby, time since the last replayed transaction; 0 on a primary",
        ),
        ("SSL", "true when the session is encrypted"),
        ("ROWS", "with `query`: rows returned"),
        ("VALUE", "with `query`: first column of the first row"),
        ("ROW", "with `query`: the first row as JSON, [ROW].column"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[CONNECTED] == true"];

    fn target(&self) -> String {
        format!("postgres {}", credentials::mask_url(&self.url))
    }

    fn server(&self) -> Option<String> {
        self.target_config(&Scrubber::default()).ok().map(|target| target.address)
    }

    fn validate(&self) -> Result<(), String> {
        credentials::validate_sources(self.password_env.as_deref(), self.password_file.as_deref())?;
        let scrub = Scrubber::for_url(&self.url);
        self.target_config(&scrub)?;
        if self.query.as_deref().is_some_and(|q| q.trim().is_empty()) {
            return Err("query is empty".into());
        }
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let mut seen = Observation::default();
        let mut scrub = Scrubber::for_url(&self.url);
        let target = match self.target_config(&scrub) {
            Ok(target) => target,
            Err(e) => {
                seen.set("CONNECTED", false);
                seen.error = Some(e);
                return seen;
            }
        };
        let mut config = target.config;
        if let Some(password) = config.get_password() {
            let password = String::from_utf8_lossy(password).into_owned();
            scrub.add(&password);
            seen.secrets.push(password);
        }
        match credentials::password(
            self.password_env.as_deref(),
            self.password_file.as_deref(),
            ctx.max_bytes,
        ) {
            Ok(Some(password)) => {
                scrub.add(&password);
                config.password(&password);
                seen.secrets.push(password);
            }
            Ok(None) => {}
            Err(e) => {
                seen.set("CONNECTED", false);
                seen.error = Some(format!("connect to {}: {e}", target.address));
                return seen;
            }
        }
        let tls = match tls_config(target.sslmode, target.ca_file.as_deref(), ctx.max_bytes) {
            Ok(tls) => tls,
            Err(e) => {
                seen.set("CONNECTED", false);
                seen.error = Some(format!("connect to {}: {e}", target.address));
                return seen;
            }
        };
        let statement_timeout = self.statement_timeout.unwrap_or(ctx.timeout);
        prepare_session(&mut config, target.sslmode, statement_timeout);
        config.connect_timeout(self.connect_timeout.unwrap_or(ctx.timeout));

        let started = Instant::now();
        // The engine drops this future at the check's timeout; bounding it here as well
        // turns a server that accepts TCP but never answers into a readable result.
        let limit = self.connect_timeout.unwrap_or(ctx.timeout) + statement_timeout;
        let session = Session {
            probe: self,
            max_bytes: ctx.max_bytes,
            started,
            address: &target.address,
            scrub: &scrub,
            facts: ctx.wants_any(FACTS),
        };
        match tokio::time::timeout(limit, session.run(config, tls, &mut seen)).await {
            Ok(()) => {}
            Err(_) => {
                if seen.get("CONNECTED").is_none() {
                    seen.set("CONNECTED", false);
                }
                seen.error =
                    Some(format!("postgres {}: timed out after {limit:?}", target.address));
            }
        }
        seen
    }
}

/// One probe's connection: connects, reads the facts, runs the query.
struct Session<'a> {
    probe: &'a Postgres,
    max_bytes: usize,
    started: Instant,
    address: &'a str,
    scrub: &'a Scrubber,
    /// Whether to send the facts query (a condition reads one of [`FACTS`]).
    facts: bool,
}

impl Session<'_> {
    async fn run(&self, config: Config, tls: MakeRustlsConnect, seen: &mut Observation) {
        let (client, connection) = match config.connect(tls).await {
            Ok(pair) => pair,
            Err(e) => {
                seen.set("CONNECTED", false);
                seen.error =
                    Some(format!("connect to {}: {}", self.address, self.scrub.describe(&e)));
                return;
            }
        };
        seen.set("CONNECTED", true);
        // The connection future does the socket I/O; it ends (sending Terminate) once the
        // client is dropped, so joining both closes the session before the probe returns
        // and the run never holds more sessions than checks in flight.
        let work = async move {
            self.look(&client, seen).await;
            drop(client);
        };
        // A connection that fails mid-way fails the queries too; their error says more.
        let ((), _closed) = tokio::join!(work, connection);
    }

    /// Reads the facts and runs the query, recording any failure in `seen`.
    async fn look(&self, client: &Client, seen: &mut Observation) {
        let query = self.probe.query.as_deref();
        if self.facts {
            let long_running = self.probe.long_running.unwrap_or(DEFAULT_LONG_RUNNING);
            let facts_sql = facts_query(long_running, query.is_some());
            let messages = match client.simple_query(&facts_sql).await {
                Ok(messages) => messages,
                Err(e) => {
                    seen.error = Some(format!(
                        "read facts on {}: {}",
                        self.address,
                        self.scrub.describe(&e)
                    ));
                    return;
                }
            };
            if let Some(row) = messages.iter().find_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some(row),
                _ => None,
            }) {
                bind_facts(seen, |i| row.get(i));
            }
        } else if query.is_some()
            && let Err(e) = client.batch_execute("BEGIN READ ONLY").await
        {
            seen.error = Some(format!("query on {}: {}", self.address, self.scrub.describe(&e)));
            return;
        }
        seen.set("RESPONSE_TIME", self.started.elapsed());
        let Some(query) = query else { return };
        if let Err(e) = self.run_query(client, query, seen).await {
            seen.error = Some(format!("query on {}: {}", self.address, self.scrub.describe(&e)));
        }
    }

    /// Runs the user's statement through the extended protocol (one statement only)
    /// inside the read-only transaction the facts query opened.
    async fn run_query(
        &self,
        client: &Client,
        query: &str,
        seen: &mut Observation,
    ) -> Result<(), tokio_postgres::Error> {
        let statement = client.prepare(query).await?;
        let rows = client.query_raw(&statement, std::iter::empty::<&dyn ToSql>()).await?;
        pin_mut!(rows);
        let mut count = 0i64;
        let mut bytes = 0usize;
        let mut truncated = false;
        while let Some(row) = rows.next().await {
            let row = row?;
            if count == 0 {
                let mut object = serde_json::Map::new();
                for (i, column) in row.columns().iter().enumerate() {
                    let cell = row.try_get::<_, Cell>(i).map(|c| c.0).unwrap_or_else(|e| {
                        Value::Text(format!("<{}: {e}>", column.type_().name()))
                    });
                    if i == 0 {
                        seen.set("VALUE", cell.clone());
                    }
                    object.insert(column.name().to_owned(), json(&cell));
                }
                seen.set("ROW", Value::Json(object.into()));
            }
            count += 1;
            bytes += row_size(&row);
            if bytes > self.max_bytes {
                truncated = true;
                break;
            }
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

/// A cell as JSON: text stays text even when it looks like JSON.
fn json(cell: &Value) -> serde_json::Value {
    match cell {
        Value::Text(text) => serde_json::Value::String(text.clone()),
        other => other.to_json().unwrap_or(serde_json::Value::Null),
    }
}

/// The startup settings every probe session gets: read-only, bounded statements, named.
fn prepare_session(config: &mut Config, sslmode: SslMode, statement_timeout: Duration) {
    let mut options = config.get_options().map(str::to_owned).unwrap_or_default();
    if !options.is_empty() {
        options.push(' ');
    }
    options.push_str(&format!(
        "-c default_transaction_read_only=on -c statement_timeout={}",
        statement_timeout.as_millis().max(1)
    ));
    config.options(options);
    if config.get_application_name().is_none() {
        config.application_name("triage");
    }
    config.ssl_mode(match sslmode {
        SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        SslMode::Allow | SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
            tokio_postgres::config::SslMode::Require
        }
    });
}

/// The facts, in one round trip. Column order is what [`bind_facts`] reads.
fn facts_query(long_running: Duration, open_transaction: bool) -> String {
    // Only client backends count: walsenders and background workers sit in `active`
    // for days and would always look long-running.
    let begin = if open_transaction { "BEGIN READ ONLY; " } else { "" };
    format!(
        "{begin}SELECT current_setting('server_version'), \
         (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), \
         current_setting('max_connections'), \
         (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' \
            AND state = 'active' AND pid <> pg_backend_pid() \
            AND clock_timestamp() - query_start > interval '1 millisecond' * {ms}), \
         (SELECT count(*) FROM pg_stat_activity \
            WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')), \
         pg_is_in_recovery(), \
         CASE WHEN NOT pg_is_in_recovery() THEN 0 \
              WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
              ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 END, \
         (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())",
        ms = long_running.as_millis()
    )
}

/// Binds the facts query's columns; a column the server left NULL stays unbound.
fn bind_facts<'r>(seen: &mut Observation, column: impl Fn(usize) -> Option<&'r str>) {
    let int = |i| column(i).and_then(|v: &str| v.parse::<i64>().ok());
    let boolean = |i| column(i).map(|v: &str| v == "t");
    if let Some(version) = column(0) {
        seen.set("VERSION", version);
    }
    let connections = int(1);
    let max = int(2);
    if let Some(n) = connections {
        seen.set("CONNECTIONS", n);
    }
    if let Some(n) = max {
        seen.set("MAX_CONNECTIONS", n);
    }
    if let (Some(n), Some(max)) = (connections, max)
        && max > 0
    {
        seen.set("CONNECTIONS_PERCENT", n as f64 * 100.0 / max as f64);
    }
    if let Some(n) = int(3) {
        seen.set("LONG_RUNNING", n);
    }
    if let Some(n) = int(4) {
        seen.set("IDLE_IN_TRANSACTION", n);
    }
    if let Some(b) = boolean(5) {
        seen.set("IN_RECOVERY", b);
    }
    if let Some(ms) = column(6).and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
    {
        seen.set("REPLICATION_LAG", Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    }
    if let Some(b) = boolean(7) {
        seen.set("SSL", b);
    }
}

/// Bytes a row occupies, close enough to cap what the probe reads.
fn row_size(row: &tokio_postgres::Row) -> usize {
    (0..row.len()).map(|i| row.try_get::<_, RawLen>(i).map(|r| r.0).unwrap_or(0)).sum::<usize>()
        + row.len()
}

/// The encoded length of one column value, whatever its type.
struct RawLen(usize);

impl<'a> FromSql<'a> for RawLen {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(RawLen(raw.len()))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(RawLen(0))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// One column value decoded from PostgreSQL's binary format into a [`Value`].
struct Cell(Value);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let value = match *ty {
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::OID => Value::Int(u32::from_sql(ty, raw)?.into()),
            Type::FLOAT4 => Value::Float(f32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Float(f64::from_sql(ty, raw)?),
            Type::NUMERIC => numeric(raw)?,
            Type::JSON => Value::Json(serde_json::from_slice(raw)?),
            // jsonb's binary form is a version byte (1) and the JSON text.
            Type::JSONB => Value::Json(serde_json::from_slice(raw.get(1..).unwrap_or_default())?),
            Type::TIMESTAMPTZ => Value::Text(timestamp(i64::from_sql(ty, raw)?)?.to_string()),
            Type::TIMESTAMP => Value::Text(
                timestamp(i64::from_sql(ty, raw)?)?
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .datetime()
                    .to_string(),
            ),
            Type::DATE => {
                let days = i32::from_sql(ty, raw)?;
                let epoch = jiff::civil::date(2000, 1, 1);
                Value::Text(epoch.checked_add(jiff::Span::new().days(days))?.to_string())
            }
            Type::INTERVAL => interval(raw)?,
            Type::UUID => Value::Text(uuid(raw)?),
            Type::CHAR => Value::Text(char::from(i8::from_sql(ty, raw)? as u8).to_string()),
            _ if is_textual(ty) => Value::Text(String::from_utf8_lossy(raw).into_owned()),
            _ => return Err(format!("no decoding for type {}; cast it to text", ty.name()).into()),
        };
        Ok(Cell(value))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Cell(Value::Json(serde_json::Value::Null)))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Types whose binary form is their text (text, names, enums, domains over text...).
fn is_textual(ty: &Type) -> bool {
    matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN)
        || matches!(ty.kind(), TypeKind::Enum(_))
        || matches!(ty.kind(), TypeKind::Domain(inner) if is_textual(inner))
}

/// Microseconds since 2000-01-01 as a timestamp; infinity is refused.
fn timestamp(micros: i64) -> Result<jiff::Timestamp, Box<dyn StdError + Sync + Send>> {
    const PG_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;
    let unix = micros.checked_add(PG_EPOCH_UNIX_MICROS).ok_or("timestamp out of range")?;
    Ok(jiff::Timestamp::from_microsecond(unix)?)
}

/// `interval`: microseconds, days, months. Months count as 30 days, as PostgreSQL's own
/// `extract(epoch ...)` does; a negative interval stays text.
fn interval(raw: &[u8]) -> Result<Value, Box<dyn StdError + Sync + Send>> {
    let [m0, m1, m2, m3, m4, m5, m6, m7, d0, d1, d2, d3, n0, n1, n2, n3] = *raw else {
        return Err("interval is not 16 bytes".into());
    };
    let micros = i64::from_be_bytes([m0, m1, m2, m3, m4, m5, m6, m7]);
    let days = i64::from(i32::from_be_bytes([d0, d1, d2, d3]));
    let months = i64::from(i32::from_be_bytes([n0, n1, n2, n3]));
    let total = (months * 30 + days)
        .checked_mul(86_400_000_000)
        .and_then(|d| d.checked_add(micros))
        .ok_or("interval out of range")?;
    Ok(match u64::try_from(total) {
        Ok(micros) => Value::Duration(Duration::from_micros(micros)),
        Err(_) => Value::Text(format!("-{:?}", Duration::from_micros(total.unsigned_abs()))),
    })
}

fn uuid(raw: &[u8]) -> Result<String, Box<dyn StdError + Sync + Send>> {
    if raw.len() != 16 {
        return Err("uuid is not 16 bytes".into());
    }
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}

/// `numeric` in binary: digit count, weight, sign, display scale, then base-10000 digits.
/// Whole numbers become [`Value::Int`] when they fit, the rest [`Value::Float`].
fn numeric(raw: &[u8]) -> Result<Value, Box<dyn StdError + Sync + Send>> {
    let word = |i: usize| -> Result<i16, Box<dyn StdError + Sync + Send>> {
        let bytes = raw.get(i * 2..i * 2 + 2).ok_or("numeric is truncated")?;
        Ok(i16::from_be_bytes([bytes[0], bytes[1]]))
    };
    let ndigits = usize::try_from(word(0)?).map_err(|_| "numeric digit count is negative")?;
    let weight = i64::from(word(1)?);
    let sign = word(2)? as u16;
    let scale = usize::try_from(word(3)?).unwrap_or(0);
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Ok(Value::Float(f64::NAN)),
        0xD000 => return Ok(Value::Float(f64::INFINITY)),
        0xF000 => return Ok(Value::Float(f64::NEG_INFINITY)),
        _ => return Err("numeric has an unknown sign".into()),
    }
    let digits = (0..ndigits).map(|i| word(4 + i)).collect::<Result<Vec<_>, _>>()?;
    let digit = |index: i64| usize::try_from(index).ok().and_then(|i| digits.get(i)).copied();
    let mut text = String::from(if sign == 0x4000 { "-" } else { "" });
    if weight < 0 {
        text.push('0');
    } else {
        for g in 0..=weight {
            let d = digit(g).unwrap_or(0);
            if g == 0 { text.push_str(&d.to_string()) } else { text.push_str(&format!("{d:04}")) }
        }
    }
    if scale > 0 {
        let mut fraction = String::new();
        let mut g = weight + 1;
        while fraction.len() < scale {
            fraction.push_str(&format!("{:04}", digit(g).unwrap_or(0)));
            g += 1;
        }
        fraction.truncate(scale);
        text.push('.');
        text.push_str(&fraction);
        return Ok(Value::Float(text.parse()?));
    }
    Ok(match text.parse::<i64>() {
        Ok(n) => Value::Int(n),
        Err(_) => Value::Float(text.parse()?),
    })
}

/// `host:port` of the first host, for messages (never credentials).
fn address(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

/// Removes `sslmode` and `sslrootcert` from a connection string, returning them apart:
/// tokio-postgres knows neither `verify-ca`/`verify-full` nor root certificates.
fn split_tls_params(url: &str) -> Result<(String, Option<SslMode>, Option<PathBuf>), String> {
    let mut mode = None;
    let mut root = None;
    let mut take = |key: &str, value: &str| -> Result<bool, String> {
        match key {
            "sslmode" => mode = Some(value.parse()?),
            "sslrootcert" => root = Some(PathBuf::from(value)),
            _ => return Ok(false),
        }
        Ok(true)
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else {
            return Ok((url.to_owned(), None, None));
        };
        let mut kept = form_urlencoded::Serializer::new(String::new());
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if !take(&key, &value)? {
                kept.append_pair(&key, &value);
            }
        }
        let kept = kept.finish();
        let rest = if kept.is_empty() { base.to_owned() } else { format!("{base}?{kept}") };
        Ok((rest, mode, root))
    } else {
        // libpq key=value form; quoted values are left to tokio-postgres.
        let mut kept = Vec::new();
        for part in url.split_whitespace() {
            match part.split_once('=') {
                Some((key, value)) if take(key, value)? => {}
                _ => kept.push(part),
            }
        }
        Ok((kept.join(" "), mode, root))
    }
}

/// The error and its causes on one line.
fn chain(e: &dyn StdError) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

impl Scrubber {
    /// A driver error as the server said it (`FATAL: sorry, too many clients already`,
    /// the text the guides' symptoms quote), scrubbed.
    fn describe(&self, e: &tokio_postgres::Error) -> String {
        let text = match e.as_db_error() {
            Some(db) => format!("{}: {}", db.severity(), db.message()),
            None => chain(e),
        };
        self.scrub(&text)
    }
}

/// The rustls configuration for one sslmode. Modes that do not verify share one cached
/// configuration; verifying modes load their roots per check only when `ca_file` is set.
fn tls_config(
    mode: SslMode,
    ca_file: Option<&Path>,
    max_bytes: usize,
) -> Result<MakeRustlsConnect, String> {
    match mode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer | SslMode::Require => {
            static UNVERIFIED: OnceLock<ClientConfig> = OnceLock::new();
            Ok(MakeRustlsConnect::new(UNVERIFIED.get_or_init(tls_config::accept_any).clone()))
        }
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let roots = match ca_file {
                Some(path) => {
                    let pem = tls_config::read_capped(path, max_bytes, "ca_file")?;
                    tls_config::ca_roots(path, &pem)?
                }
                None => tls_config::system_roots()?,
            };
            tls_config::verified(roots, mode == SslMode::VerifyFull).map(MakeRustlsConnect::new)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The machine's PostgreSQL: trust authentication, database `test`.
    const URL: &str = "postgres://postgres@127.0.0.1:5432/test";
    /// The server's own (snakeoil) certificate, issued to `localhost`.
    const SERVER_CERT: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

    fn probe(url: &str) -> Postgres {
        serde_yaml_ng::from_str(&format!("url: {url}")).unwrap()
    }

    fn with_query(query: &str) -> Postgres {
        Postgres { query: Some(query.into()), ..probe(URL) }
    }

    async fn observe(p: &Postgres) -> Observation {
        p.observe(&Context { timeout: Duration::from_secs(5), ..Context::default() }).await
    }

    /// A plain side connection for setting things up; its driver runs in the background.
    async fn side(url: &str) -> Client {
        let (client, connection) =
            tokio_postgres::connect(&format!("{url}?sslmode=disable"), tokio_postgres::NoTls)
                .await
                .unwrap();
        tokio::spawn(connection);
        client
    }

    /// The server's `max_connections`, asked on a side connection.
    async fn max_connections() -> i64 {
        let side = side(URL).await;
        side.query_one("SELECT current_setting('max_connections')::int8", &[]).await.unwrap().get(0)
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
        let max = max_connections().await;
        assert_eq!(int(&seen, "MAX_CONNECTIONS"), max);
        let connections = int(&seen, "CONNECTIONS");
        assert!(connections >= 1, "this session counts");
        let Some(Value::Float(percent)) = seen.get("CONNECTIONS_PERCENT") else { panic!() };
        assert!((percent - connections as f64 * 100.0 / max as f64).abs() < 1e-9);
        assert!(seen.get("VERSION").unwrap().to_string().starts_with(char::is_numeric));
        assert_eq!(seen.get("IN_RECOVERY"), Some(&false.into()));
        assert_eq!(seen.get("REPLICATION_LAG"), Some(&Duration::ZERO.into()));
        assert_eq!(seen.get("SSL"), Some(&true.into()), "prefer encrypts when offered");
        assert!(int(&seen, "LONG_RUNNING") >= 0 && int(&seen, "IDLE_IN_TRANSACTION") >= 0);
        assert!(matches!(seen.get("RESPONSE_TIME"), Some(Value::Duration(_))));
        assert!(seen.get("ROWS").is_none(), "no query, no result");
    }

    #[tokio::test]
    async fn binds_the_query_result_typed() {
        let seen = observe(&with_query(
            "SELECT 42 AS answer, 'x'::text AS name, 1.50::numeric AS price, -12.345::numeric AS neg, \
             123456789012::numeric AS big, 0.001::numeric AS small, true AS ok, '{\"a\": [1]}'::jsonb AS doc, \
             timestamptz '2024-05-01 12:00:00+00' AS at, date '2024-05-01' AS day, \
             interval '1 day 90 seconds' AS wait, NULL::int AS nothing, 2.5::float8 AS f, \
             '6ecd8c99-4036-403d-bf84-cf8400f67836'::uuid AS id, 'pg_class'::regclass::oid AS o \
             FROM generate_series(1, 3)",
        ))
        .await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(int(&seen, "ROWS"), 3);
        assert_eq!(seen.get("VALUE"), Some(&Value::Int(42)));
        let Some(Value::Json(row)) = seen.get("ROW") else { panic!("{seen:?}") };
        assert_eq!(
            row,
            &serde_json::json!({
                "answer": 42, "name": "x", "price": 1.5, "neg": -12.345, "big": 123456789012i64,
                "small": 0.001, "ok": true, "doc": {"a": [1]}, "at": "2024-05-01T12:00:00Z",
                "day": "2024-05-01", "wait": 86_490_000, "nothing": null, "f": 2.5,
                "id": "6ecd8c99-4036-403d-bf84-cf8400f67836", "o": 1259,
            })
        );
    }

    #[tokio::test]
    async fn only_the_facts_a_condition_reads() {
        let ctx = Context { timeout: Duration::from_secs(5), ..Context::default() };
        let seen = probe(URL).observe(&ctx.wanting(["CONNECTED"])).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert!(seen.get("RESPONSE_TIME").is_some());
        assert!(seen.get("VERSION").is_none() && seen.get("CONNECTIONS").is_none(), "{seen:?}");
        let seen = probe(URL).observe(&ctx.wanting(["CONNECTIONS_PERCENT"])).await;
        assert!(seen.get("CONNECTIONS_PERCENT").is_some(), "{seen:?}");

        // Without the facts query the statement still runs read-only.
        let ctx = ctx.wanting(["VALUE"]);
        let seen = with_query("SELECT 7").observe(&ctx).await;
        assert_eq!(seen.get("VALUE"), Some(&Value::Int(7)), "{seen:?}");
        assert!(seen.get("VERSION").is_none());
        let table = format!("triage_probe_ro_nofacts_{}", std::process::id());
        let seen = with_query(&format!("CREATE TABLE {table} (x int)")).observe(&ctx).await;
        let error = seen.error.as_deref().unwrap();
        assert!(error.contains("read-only transaction"), "{error}");
    }

    #[tokio::test]
    async fn many_checks_never_fill_the_server() {
        use std::sync::Arc;

        use triage_condition::Condition;
        use triage_core::{Severity, Status};

        use crate::engine::{Check, DEFAULT_CONCURRENCY, DEFAULT_PER_SERVER, Engine};

        // More checks in flight than the server has sessions (max_connections is 100
        // here): the per-server bound queues them instead of failing them.
        let max = max_connections().await;
        assert!(DEFAULT_PER_SERVER < max as usize && (max as usize) < DEFAULT_CONCURRENCY);
        let check = Check {
            probe: crate::Probe::Postgres(probe(URL)),
            conditions: vec![
                Condition::parse("[CONNECTED] == true").unwrap(),
                Condition::parse("[CONNECTIONS] > 0").unwrap(),
            ],
            timeout: Duration::from_secs(20),
            retries: 0,
            severity: Severity::Fail,
        };
        let checks: Arc<[Check]> = vec![check; 2 * max as usize].into();
        let mut failed = Vec::new();
        let mut peak = 0;
        Engine::new(Context::default())
            .run(checks, |_, outcome| {
                if let Some(Value::Int(n)) = outcome.observation.get("CONNECTIONS") {
                    peak = peak.max(*n);
                }
                if outcome.status != Status::Pass {
                    failed.push(outcome.observation);
                }
            })
            .await;
        assert!(failed.is_empty(), "{} failed, e.g. {:?}", failed.len(), failed.first());
        assert!(peak < max, "peak {peak} of {max}");
    }

    #[tokio::test]
    async fn an_empty_result_has_no_value() {
        let seen = observe(&with_query("SELECT 1 WHERE false")).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(int(&seen, "ROWS"), 0);
        assert!(seen.get("VALUE").is_none());
    }

    #[tokio::test]
    async fn the_query_cannot_write() {
        let table = format!("triage_probe_ro_{}", std::process::id());
        let seen = observe(&with_query(&format!("CREATE TABLE {table} (x int)"))).await;
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.contains("read-only transaction"), "{error}");
        // A second statement smuggled after `;` is refused outright.
        let seen = observe(&with_query(&format!("SELECT 1; CREATE TABLE {table} (x int)"))).await;
        let error = seen.error.as_deref().unwrap();
        assert!(error.contains("multiple commands"), "{error}");
        let exists: bool = side(URL)
            .await
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
            .await
            .unwrap()
            .get(0);
        assert!(!exists);
    }

    #[tokio::test]
    async fn statements_are_bounded() {
        let p = Postgres {
            statement_timeout: Some(Duration::from_millis(300)),
            ..with_query("SELECT pg_sleep(5)")
        };
        let started = Instant::now();
        let seen = observe(&p).await;
        assert!(started.elapsed() < Duration::from_secs(3));
        let error = seen.error.as_deref().unwrap();
        assert!(error.contains("statement timeout"), "{error}");
    }

    #[tokio::test]
    async fn a_full_server_is_a_result() {
        let role = format!("triage_probe_limit_{}", std::process::id());
        let admin = side(URL).await;
        admin.batch_execute(&format!("DROP ROLE IF EXISTS {role}")).await.unwrap();
        admin.batch_execute(&format!("CREATE ROLE {role} LOGIN CONNECTION LIMIT 1")).await.unwrap();
        let role_url = format!("postgres://{role}@127.0.0.1:5432/test");
        let holder = side(&role_url).await;
        let seen = observe(&probe(&role_url)).await;
        drop(holder);
        // The holder's backend exits asynchronously; DROP ROLE waits for it.
        for _ in 0..50 {
            if admin.batch_execute(&format!("DROP ROLE IF EXISTS {role}")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(
            error.starts_with("connect to 127.0.0.1:5432: FATAL: too many connections for role"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn counts_long_running_queries() {
        let sleeper = side(URL).await;
        let sleeping =
            tokio::spawn(async move { sleeper.batch_execute("SELECT pg_sleep(4)").await });
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let p = Postgres { long_running: Some(Duration::from_secs(1)), ..probe(URL) };
        let seen = observe(&p).await;
        assert!(int(&seen, "LONG_RUNNING") >= 1, "{seen:?}");
        sleeping.abort();
    }

    #[tokio::test]
    async fn counts_idle_transactions() {
        let idle = side(URL).await;
        idle.batch_execute("BEGIN; SELECT 1").await.unwrap();
        let seen = observe(&probe(URL)).await;
        assert!(int(&seen, "IDLE_IN_TRANSACTION") >= 1, "{seen:?}");
        drop(idle);
    }

    #[tokio::test]
    async fn sslmode_as_libpq() {
        let seen = observe(&probe(&format!("{URL}?sslmode=disable"))).await;
        assert_eq!(seen.get("SSL"), Some(&false.into()), "{seen:?}");
        let seen = observe(&probe(&format!("{URL}?sslmode=require"))).await;
        assert_eq!(seen.get("SSL"), Some(&true.into()), "{seen:?}");

        // The server's certificate is self-signed and issued to `localhost`: with the
        // system roots verify-full fails on the issuer or (where the distribution trusts
        // its snakeoil certificate) on the name; it never passes.
        let seen = observe(&probe(&format!("{URL}?sslmode=verify-full"))).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.contains("invalid peer certificate"), "{error}");

        // Trusted, it passes verify-ca on 127.0.0.1 but verify-full only as `localhost`.
        let trusted = |url: String| Postgres { ca_file: Some(SERVER_CERT.into()), ..probe(&url) };
        let seen = observe(&trusted(format!("{URL}?sslmode=verify-ca"))).await;
        assert_eq!(seen.get("SSL"), Some(&true.into()), "{seen:?}");
        let seen = observe(&trusted(format!("{URL}?sslmode=verify-full"))).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        assert!(seen.error.as_deref().unwrap().contains("not valid for name"), "{seen:?}");
        let seen = observe(&probe(&format!(
            "postgres://postgres@localhost:5432/test?sslmode=verify-full&sslrootcert={SERVER_CERT}"
        )))
        .await;
        assert_eq!(seen.get("SSL"), Some(&true.into()), "{seen:?}");

        // The field overrides the URL.
        let p = Postgres {
            sslmode: Some(SslMode::Disable),
            ..probe(&format!("{URL}?sslmode=require"))
        };
        assert_eq!(observe(&p).await.get("SSL"), Some(&false.into()));
    }

    #[tokio::test]
    async fn refused_is_a_result() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let seen = observe(&probe(&format!("postgres://postgres@127.0.0.1:{port}/test"))).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.as_deref().unwrap();
        assert!(error.starts_with(&format!("connect to 127.0.0.1:{port}: ")), "{error}");
        assert!(error.contains("refused"), "{error}");
    }

    #[tokio::test]
    async fn a_silent_server_times_out() {
        // Accepts TCP, never speaks: the startup exchange must not hang the probe.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let _hold = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let p = Postgres {
            connect_timeout: Some(Duration::from_millis(300)),
            statement_timeout: Some(Duration::from_millis(300)),
            ..probe(&format!("postgres://postgres@127.0.0.1:{port}/test?sslmode=disable"))
        };
        let started = Instant::now();
        let seen = observe(&p).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        assert!(seen.error.as_deref().unwrap().contains("time"), "{seen:?}");
    }

    #[tokio::test]
    async fn passwords_are_secrets_and_never_printed() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url = format!("postgres://app:hunter2secret@127.0.0.1:{port}/test");
        let p = probe(&url);
        assert_eq!(p.target(), format!("postgres postgres://app:[REDACTED]@127.0.0.1:{port}/test"));
        let seen = observe(&p).await;
        assert_eq!(seen.secrets, vec!["hunter2secret".to_owned()]);
        assert!(
            !format!("{seen:?}").replace("secrets: [\"hunter2secret\"]", "").contains("hunter2")
        );

        // A URL too broken for the driver: the message names the problem, not the password.
        let broken = probe("postgres://app:hunter2secret@127.0.0.1:notaport/test");
        let error = broken.validate().unwrap_err();
        assert!(error.starts_with("invalid postgres url"), "{error}");
        assert!(!error.contains("hunter2secret"), "{error}");
        let seen = observe(&broken).await;
        assert!(!seen.error.as_deref().unwrap().contains("hunter2secret"));
    }

    #[test]
    fn driver_messages_are_scrubbed() {
        let mut scrub = Scrubber::for_url("postgres://app:hunter2secret@db:5432/app");
        assert_eq!(
            scrub.scrub("error connecting to postgres://app:hunter2secret@db:5432/app: refused"),
            "error connecting to postgres://app:[REDACTED]@db:5432/app: refused"
        );
        assert_eq!(scrub.scrub("auth failed with hunter2secret"), "auth failed with [REDACTED]");
        scrub.add("from-env-pw");
        assert_eq!(scrub.scrub("bad password from-env-pw"), "bad password [REDACTED]");
        let short = Scrubber::for_url("redis://:pw@cache:6379");
        assert_eq!(
            short.scrub("cannot parse redis://:pw@cache:6379"),
            "cannot parse redis://:[REDACTED]@cache:6379"
        );
        let encoded = Scrubber::for_url("postgres://app:p%40ss%2Fword@db/app");
        assert_eq!(encoded.scrub("password p@ss/word rejected"), "password [REDACTED] rejected");
    }

    #[tokio::test]
    async fn password_from_env_and_file() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "filepassword\n").unwrap();
        let p = Postgres { password_file: Some(file.path().into()), ..probe(URL) };
        let seen = observe(&p).await;
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()), "trust ignores the password");
        assert_eq!(seen.secrets, vec!["filepassword".to_owned()]);

        let p =
            Postgres { password_env: Some("TRIAGE_TEST_UNSET_PG_PASSWORD".into()), ..probe(URL) };
        let seen = observe(&p).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        assert_eq!(
            seen.error.as_deref(),
            Some(
                "connect to 127.0.0.1:5432: password_env: variable TRIAGE_TEST_UNSET_PG_PASSWORD is not set"
            )
        );
        let both = Postgres { password_env: Some("A".into()), ..p };
        let both = Postgres { password_file: Some("/x".into()), ..both };
        assert!(both.validate().unwrap_err().contains("not both"));
    }

    #[test]
    fn splits_libpq_tls_parameters() {
        let (rest, mode, root) = split_tls_params(
            "postgres://u@h/db?sslmode=verify-full&application_name=x&sslrootcert=/ca.pem",
        )
        .unwrap();
        assert_eq!(rest, "postgres://u@h/db?application_name=x");
        assert_eq!(mode, Some(SslMode::VerifyFull));
        assert_eq!(root, Some(PathBuf::from("/ca.pem")));
        let (rest, mode, _) = split_tls_params("host=h user=u sslmode=verify-ca").unwrap();
        assert_eq!((rest.as_str(), mode), ("host=h user=u", Some(SslMode::VerifyCa)));
        assert!(split_tls_params("postgres://h/db?sslmode=sometimes").is_err());
        assert!(probe("host=127.0.0.1 user=postgres dbname=test").validate().is_ok());
    }

    #[test]
    fn yaml_form() {
        let probe: crate::Probe = serde_yaml_ng::from_str(
            "kind: postgres\nurl: postgres://app@db/app\nquery: SELECT 1\nlong_running: 30s\n\
             sslmode: verify-full\nca_file: /etc/ca.pem\npassword_env: DB_PASSWORD",
        )
        .unwrap();
        let crate::Probe::Postgres(p) = probe else { panic!() };
        assert_eq!(p.long_running, Some(Duration::from_secs(30)));
        assert_eq!(p.sslmode, Some(SslMode::VerifyFull));
        let error = serde_yaml_ng::from_str::<crate::Probe>("kind: postgres\nurl: x\nhost: db")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `host`"), "{error}");
    }
}

//! Well-known diagnostic commands, recognised as the native probe they stand for.
//!
//! Guides say `curl -f http://localhost:8080/health` or `pg_isready -h db`; triage runs
//! such checks natively (no shell). [`recognise`] turns one command line into the `check`
//! block that does the same, for `triage import` to show, `--annotate` to write and the
//! loader to run for guides nobody annotated.
//!
//! Only read-only questions are recognised: `psql -c "DELETE ..."`, `psql < dump.sql`,
//! `redis-cli del`, `curl -X POST` or a download piped into `tar` stand for nothing, and a
//! command holding a placeholder the guide expects the reader to fill in (`<DB_HOST>`,
//! `$HOST`) is left alone, since it cannot run as written.

use serde::Serialize;
use url::Url;

/// A command recognised as a native probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeProbe {
    /// The command as written.
    pub command: String,
    /// The probe kind (`http`, `postgres`, `redis`, `tcp`, `tls`, `prometheus`, `process`,
    /// `disk`, `memory`).
    pub kind: &'static str,
    /// The body of a ` ```check ` block doing the same (YAML, ends with a newline).
    pub check: String,
}

/// The native probe a command line stands for, if it is one of the well-known ones:
/// `curl -f URL` (and `curl` to a Prometheus `/api/v1/query`, `/alerts` or `/targets`),
/// `pg_isready`, `psql ... -c QUERY`, `redis-cli ping|info|dbsize|keys`, `nc -z HOST PORT`,
/// `openssl s_client -connect HOST:PORT`, `openssl x509 -in FILE`,
/// `systemctl is-active|status UNIT`, `df`, `free`.
pub fn recognise(command: &str) -> Option<NativeProbe> {
    let line = Line::parse(command)?;
    let args = line.args.as_slice();
    let (kind, body) = match line.program.as_str() {
        "curl" => curl(args, &line)?,
        "pg_isready" => ("postgres", format!("url: {}\n", postgres_url(args, &line, &PG_ISREADY)?)),
        "psql" => psql(args, &line)?,
        "redis-cli" => redis_cli(args, &line)?,
        "nc" | "ncat" | "netcat" => nc(args)?,
        "openssl" => openssl(args)?,
        "systemctl" => systemctl(args)?,
        "df" => {
            const DF: Options = Options {
                short: &['B', 't', 'x'],
                long: &["--block-size", "--type", "--exclude-type"],
            };
            let path = operands(args, &DF).into_iter().next().unwrap_or("/");
            ("disk", format!("path: {}\n", yaml_string(path)))
        }
        "free" => ("memory", String::new()),
        _ => return None,
    };
    Some(NativeProbe {
        command: command.trim().to_owned(),
        kind,
        check: format!("kind: {kind}\n{body}"),
    })
}

/// The secrets a command line holds, whatever it does: passwords in URLs, in `PGPASSWORD=`,
/// `REDISCLI_AUTH=` or `MYSQL_PWD=` before the program, after `redis-cli -a`/`--pass`, and
/// in `mysql --password=`/`-pPW`. The loader masks them in every output, since a guide's
/// commands are shown (as fix steps, as names of inferred checks) and most secret shapes
/// on a command line look like any other word.
pub fn secrets(command: &str) -> Vec<String> {
    let text = command.trim();
    let words =
        shlex::split(text).unwrap_or_else(|| text.split_whitespace().map(str::to_owned).collect());
    let mut found = Vec::new();
    // Each command of a pipeline or list on its own.
    for words in words.split(|w| matches!(w.as_str(), "|" | "|&" | "||" | "&&" | ";" | "&")) {
        let mut rest = words.iter().map(String::as_str).peekable();
        // Prefixes: assignments, `sudo [-u USER] ...`, `env`, `command`, `exec`.
        while let Some(&word) = rest.peek() {
            if let Some((name, value)) = assignment(word) {
                if matches!(name.as_str(), "PGPASSWORD" | "REDISCLI_AUTH" | "MYSQL_PWD") {
                    found.push(value);
                }
            } else if matches!(word, "sudo" | "env" | "command" | "exec") {
                rest.next();
                while let Some(&option) = rest.peek().filter(|w| w.starts_with('-')) {
                    rest.next();
                    if matches!(option, "-u" | "-g" | "-h" | "-p" | "-C" | "-D" | "-U") {
                        rest.next();
                    }
                }
                continue;
            } else {
                break;
            }
            rest.next();
        }
        let Some(program) = rest.next().map(program_name) else { continue };
        let args: Vec<&str> = rest.collect();
        if program == "redis-cli" {
            // As the probe reads it: `-a PW`, `-aPW`, `--pass PW`, `--pass=PW`, `-ca PW`.
            let owned: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            found.extend(flag(&owned, &["-a", "--pass"]).map(str::to_owned));
        }
        for (i, &word) in args.iter().enumerate() {
            let next = args.get(i + 1).map(|w| (*w).to_owned());
            if word.contains("://")
                && let Ok(url) = Url::parse(word)
                && let Some(password) = url.password()
            {
                let decoded = percent_decode(password);
                if decoded != password {
                    found.push(password.to_owned());
                }
                found.push(decoded);
            }
            match program.as_str() {
                "curl"
                    if word == "--user"
                        || (word.starts_with('-')
                            && !word.starts_with("--")
                            && word.ends_with('u')) =>
                {
                    found.extend(next.and_then(|u| u.split_once(':').map(|(_, p)| p.to_owned())))
                }
                "mysql" | "mysqladmin" | "mysqldump" | "mariadb" => {
                    let password = word
                        .strip_prefix("--password=")
                        .or(word.strip_prefix("-p").filter(|p| !p.is_empty()));
                    found.extend(password.map(str::to_owned));
                }
                _ => {}
            }
        }
    }
    found.retain(|s| !s.is_empty() && !is_placeholder(s));
    found
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map_or_else(|| text.to_owned(), |(_, v)| v.into_owned())
}

/// The first command of a command line, split into words the way a shell would.
#[derive(Debug, Default)]
struct Line {
    /// `NAME=value` words before the program (`PGPASSWORD=x psql ...`).
    env: Vec<(String, String)>,
    /// The program's file name (`/usr/bin/psql` reads as `psql`).
    program: String,
    /// Its arguments, redirections removed.
    args: Vec<String>,
    /// Whether standard input is redirected from a file (`psql < dump.sql`).
    stdin_from_file: bool,
    /// Whether standard output goes to a file (`curl ... > cpu.prof`).
    stdout_to_file: bool,
    /// The program the output is piped into, if any (`curl ... | tar -xz`).
    piped_into: Option<String>,
}

impl Line {
    fn parse(command: &str) -> Option<Line> {
        let text = command.trim();
        let words = shlex::split(text)
            .unwrap_or_else(|| text.split_whitespace().map(str::to_owned).collect());
        let mut line = Line::default();
        let mut words = words.into_iter().peekable();
        // `sudo`, `env` and `VAR=value` prefixes.
        while let Some(word) = words.peek() {
            if matches!(word.as_str(), "sudo" | "env" | "command" | "exec") {
                words.next();
            } else if let Some((name, value)) = assignment(word) {
                line.env.push((name, value));
                words.next();
            } else {
                break;
            }
        }
        line.program = words.next()?.rsplit('/').next()?.to_owned();
        while let Some(word) = words.next() {
            match word.as_str() {
                "|" | "|&" => {
                    line.piped_into = words.find(|w| w != "sudo").map(|w| program_name(&w));
                    break;
                }
                "||" | "&&" | ";" | "&" => break,
                "<" => {
                    line.stdin_from_file = true;
                    words.next();
                }
                ">" | ">>" | "&>" | "&>>" => {
                    line.stdout_to_file = true;
                    words.next();
                }
                "2>" | "2>>" => {
                    words.next();
                }
                w if w.starts_with('#') => break,
                // A placeholder the reader fills in: the command cannot run as written.
                w if is_placeholder(w) => return None,
                w if is_redirection(w) => {
                    let stream = w.trim_start_matches('&');
                    if stream.starts_with('<') {
                        line.stdin_from_file = true;
                    } else if stream.starts_with('>') && !stream.starts_with(">&") {
                        line.stdout_to_file = true;
                    }
                }
                _ => line.args.push(word),
            }
        }
        if line.env.iter().any(|(_, value)| is_placeholder(value)) {
            return None;
        }
        Some(line)
    }

    fn env(&self, name: &str) -> Option<&str> {
        self.env.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn program_name(word: &str) -> String {
    word.rsplit('/').next().unwrap_or(word).to_owned()
}

/// `NAME=value` as a shell assignment.
fn assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (name.to_owned(), value.to_owned()))
}

/// `2>&1`, `>out.txt`, `2>/dev/null`, `<in.sql`.
fn is_redirection(word: &str) -> bool {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
    rest.starts_with(['>', '<'])
}

/// `<DB_HOST>`, `$HOST`, `${HOST}`, `{{ host }}`, `YOUR_HOST_HERE`-style fill-ins.
fn is_placeholder(word: &str) -> bool {
    if word.contains('$') || word.contains("{{") {
        return true;
    }
    let bytes = word.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'<'
            && bytes[i + 1..].iter().position(|&c| c == b'>').is_some_and(|end| {
                end > 0
                    && bytes[i + 1..i + 1 + end].iter().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b' ' | b'.')
                    })
            })
    })
}

/// Options that take a value, per program; everything else is a switch or an operand.
struct Options<'a> {
    /// Short options taking a value (`-h`), possibly glued (`-hdb`).
    short: &'a [char],
    /// Whole option words taking a value (`--host`, also as `--host=db`; `-CAfile`).
    long: &'a [&'a str],
}

/// The value of the last of `names` given (`-h db`, `-hdb`, `--host db`, `--host=db`, and
/// `-fo out.tgz`, where switches are grouped before the option).
fn flag<'a>(args: &'a [String], names: &[&str]) -> Option<&'a str> {
    let mut found = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let next = args.get(i + 1).map(String::as_str);
        let value = names.iter().find_map(|name| {
            if arg == *name {
                return Some((next, true));
            }
            if let Some(rest) = arg.strip_prefix(name) {
                if name.starts_with("--") || name.len() > 2 {
                    return rest.strip_prefix('=').map(|v| (Some(v), false));
                }
                return (!rest.is_empty() && !arg.starts_with("--")).then_some((Some(rest), false));
            }
            let letter = name.strip_prefix('-').filter(|l| l.len() == 1)?;
            let group = arg.strip_prefix('-').filter(|g| !g.starts_with('-'))?;
            let grouped = group.len() > 1
                && group.ends_with(letter)
                && group.chars().all(|c| c.is_ascii_alphabetic());
            grouped.then_some((next, true))
        });
        if let Some((value, takes_next)) = value {
            found = value;
            i += usize::from(takes_next);
        }
        i += 1;
    }
    found
}

/// Whether the switch `short` (`-f`, also inside `-fsS`) or any of `long` is given.
fn switch(args: &[String], short: Option<char>, long: &[&str], options: &Options) -> bool {
    args.iter().any(|a| {
        if long.contains(&a.as_str()) {
            return true;
        }
        let Some(letters) = a.strip_prefix('-').filter(|l| !l.starts_with('-')) else {
            return false;
        };
        let Some(short) = short else { return false };
        // In `-sSfo out`, letters after a value-taking option are its value.
        for c in letters.chars() {
            if c == short {
                return true;
            }
            if options.short.contains(&c) {
                return false;
            }
        }
        false
    })
}

/// Operands: the words that are neither options nor an option's value.
fn operands<'a>(args: &'a [String], options: &Options) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if options.long.contains(&arg) {
            i += 1;
        } else if arg.starts_with("--") {
            // A switch, or `--name=value`.
        } else if let Some(letters) = arg.strip_prefix('-').filter(|l| !l.is_empty()) {
            // The first value-taking letter takes the rest of the word, or the next word.
            if let Some(at) = letters.find(|c| options.short.contains(&c))
                && at + 1 == letters.len()
            {
                i += 1;
            }
        } else {
            out.push(arg);
        }
        i += 1;
    }
    out
}

const CURL: Options = Options {
    short: &['X', 'H', 'd', 'o', 'u', 'A', 'e', 'm', 'w', 'b', 'c', 'F', 'T', 'x', 'r', 'E', 'K'],
    long: &[
        "--request", "--header", "--data", "--data-raw", "--data-binary", "--data-urlencode",
        "--output", "--user", "--user-agent", "--referer", "--max-time", "--connect-timeout",
        "--write-out", "--cookie", "--cookie-jar", "--form", "--upload-file", "--proxy", "--range",
        "--cert", "--key", "--cacert", "--resolve", "--retry", "--config",
    ],
};

fn curl(args: &[String], line: &Line) -> Option<(&'static str, String)> {
    let url = operands(args, &CURL).into_iter().find(|a| a.contains("://"))?;
    let parsed = Url::parse(url).ok()?;
    let insecure = switch(args, Some('k'), &["--insecure"], &CURL);
    let tls = if insecure { "tls_verify: false\n" } else { "" };
    if prometheus_endpoint(&parsed).is_some() {
        return prometheus(&parsed, args).map(|body| ("prometheus", format!("{body}{tls}")));
    }
    let fail = switch(args, Some('f'), &["--fail", "--fail-with-body"], &CURL);
    let head = switch(args, Some('I'), &["--head"], &CURL);
    let method = flag(args, &["-X", "--request"]).map(str::to_ascii_uppercase);
    let sends_data = [
        "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "-F", "--form", "-T",
        "--upload-file",
    ]
    .iter()
    .any(|f| flag(args, &[f]).is_some());
    let download = switch(args, Some('O'), &["--remote-name"], &CURL)
        || flag(args, &["-o", "--output"]).is_some()
        || line.piped_into.as_deref().is_some_and(|p| {
            matches!(
                p,
                "tar"
                    | "sh"
                    | "bash"
                    | "zsh"
                    | "python"
                    | "python3"
                    | "gunzip"
                    | "unzip"
                    | "tee"
                    | "dd"
            )
        });
    let read_only = matches!(method.as_deref(), None | Some("GET" | "HEAD")) && !sends_data;
    if !read_only || download {
        return None;
    }
    // Without `--fail`, curl succeeds on any answer: the question is whether one comes.
    // Its output piped on or saved means the guide wants the body, which is no check.
    let expect = if fail {
        "[STATUS] < 400"
    } else if line.piped_into.is_none() && !line.stdout_to_file {
        "[CONNECTED] == true"
    } else {
        return None;
    };
    let mut body = format!("url: {}\n", yaml_string(url));
    if head || method.as_deref() == Some("HEAD") {
        body.push_str("method: HEAD\n");
    }
    body.push_str(tls);
    body.push_str(&format!("expect: \"{expect}\"\n"));
    Some(("http", body))
}

/// The Prometheus API a URL asks (`query`, `alerts`, `targets`) and where its path starts.
fn prometheus_endpoint(url: &Url) -> Option<(&'static str, usize)> {
    let path = url.path().trim_end_matches('/');
    ["query", "alerts", "targets"].into_iter().find_map(|endpoint| {
        let at = path.strip_suffix(endpoint)?.strip_suffix("/api/v1/")?.len();
        Some((endpoint, at))
    })
}

/// A request to a Prometheus server's query, alerts or targets API, as a prometheus check.
fn prometheus(url: &Url, args: &[String]) -> Option<String> {
    let (endpoint, at) = prometheus_endpoint(url)?;
    let path = url.path();
    let mut base = url.clone();
    base.set_path(&path[..at]);
    base.set_query(None);
    base.set_fragment(None);
    let base = base.as_str().trim_end_matches('/').to_owned();
    let mut body = format!("url: {}\n", yaml_string(&base));
    match endpoint {
        "query" => {
            let from_url =
                url.query_pairs().find(|(k, _)| k == "query").map(|(_, v)| v.into_owned());
            let from_data = ["--data-urlencode", "-d", "--data"]
                .iter()
                .filter_map(|f| flag(args, &[f]))
                .find_map(|d| d.strip_prefix("query=").map(str::to_owned));
            let query = from_url.or(from_data)?;
            body.push_str(&format!("query: {}\n", yaml_string(&query)));
        }
        "alerts" => body.push_str("alert: \"*\"\n"),
        _ => body.push_str("targets: true\n"),
    }
    Some(body)
}

fn psql(args: &[String], line: &Line) -> Option<(&'static str, String)> {
    if line.stdin_from_file || flag(args, &["-f", "--file"]).is_some() {
        return None;
    }
    let query = flag(args, &["-c", "--command"]);
    let query = match query {
        None => None,
        Some(q) if q.trim_start().starts_with('\\') => None,
        Some(q) if is_read_only_sql(q) => Some(q),
        Some(_) => return None,
    };
    let url = postgres_url(args, line, &PSQL)?;
    let mut body = format!("url: {url}\n");
    if let Some(query) = query {
        body.push_str(&format!("query: {}\n", yaml_string(query.trim())));
    }
    Some(("postgres", body))
}

/// Whether SQL only reads: it starts with a reading statement and calls none of the
/// functions that act even inside a read-only transaction (end or signal other sessions,
/// reload or promote the server, reset statistics, write through another connection, take
/// locks, advance sequences). The probe runs the query in a read-only transaction, which
/// stops writes to tables; these functions it would not stop.
fn is_read_only_sql(sql: &str) -> bool {
    let first = sql
        .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    ["SELECT", "SHOW", "WITH", "VALUES", "TABLE", "EXPLAIN"]
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k))
        && !calls_acting_function(sql)
}

/// The functions [`is_read_only_sql`] refuses; a trailing `*` makes a name a prefix
/// (`pg_stat_reset*` is every `pg_stat_reset_...`).
const ACTING_FUNCTIONS: &[&str] = &[
    "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf", "pg_promote", "pg_switch_wal",
    "pg_switch_xlog", "pg_stat_reset*", "pg_rotate_logfile*", "pg_log_backend_memory_contexts",
    "pg_wal_replay_*", "pg_xlog_replay_*", "pg_create_*", "pg_drop_*", "pg_replication_origin_*",
    "pg_advisory*", "pg_try_advisory*", "pg_notify", "pg_sleep*", "pg_file_*", "pg_backup_*",
    "pg_start_backup", "pg_stop_backup", "pg_import_system_collations", "dblink*", "lo_*",
    "nextval", "setval", "set_config", "txid_current", "pg_current_xact_id",
];

/// Whether SQL calls one of [`ACTING_FUNCTIONS`]: an identifier (bare, schema-qualified
/// or double-quoted, in any case) followed by `(`. A word scan, not a regex: a
/// case-insensitive alternation of thirty names cost more to build and run than every
/// other step of reading a guide's commands together.
fn calls_acting_function(sql: &str) -> bool {
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let name = sql[start..i].to_ascii_lowercase();
        let rest = sql[i..].strip_prefix('"').unwrap_or(&sql[i..]);
        if rest.trim_start().starts_with('(')
            && ACTING_FUNCTIONS.iter().any(|f| match f.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => name == *f,
            })
        {
            return true;
        }
    }
    false
}

/// The connection URL of a libpq command line (`pg_isready`, `psql`): a `postgres://` URL
/// given as the database, or one built from `-h -p -U -d`, the `PG*` variables set before
/// the command and the operands `[DBNAME [USER]]`.
fn postgres_url(args: &[String], line: &Line, options: &Options) -> Option<String> {
    let operands = operands(args, options);
    let dbname = flag(args, &["-d", "--dbname"]).or(operands.first().copied());
    let password = line.env("PGPASSWORD");
    if let Some(given) =
        dbname.filter(|d| d.starts_with("postgres://") || d.starts_with("postgresql://"))
    {
        let mut url = Url::parse(given).ok()?;
        if url.password().is_none()
            && let Some(password) = password
        {
            url.set_password(Some(password)).ok()?;
        }
        return Some(url.to_string());
    }
    let host = flag(args, &["-h", "--host"]).or(line.env("PGHOST")).unwrap_or("localhost");
    let port = flag(args, &["-p", "--port"]).or(line.env("PGPORT")).unwrap_or("5432");
    port.parse::<u16>().ok()?;
    let user =
        flag(args, &["-U", "--username"]).or(operands.get(1).copied()).or(line.env("PGUSER"));
    let db = dbname.or(line.env("PGDATABASE"));
    let mut url = Url::parse("postgres://localhost").ok()?;
    url.set_host(Some(host)).ok()?;
    url.set_port(Some(port.parse().ok()?)).ok()?;
    if let Some(user) = user {
        url.set_username(user).ok()?;
        if let Some(password) = password {
            url.set_password(Some(password)).ok()?;
        }
    }
    if let Some(db) = db {
        url.set_path(db);
    }
    Some(url.as_str().trim_end_matches('/').to_owned())
}

/// The value-taking options of `psql`.
const PSQL: Options = Options {
    short: &['h', 'p', 'U', 'd', 'c', 'f', 'v', 'o', 'P', 'F', 'R', 'L', 'T'],
    long: &[
        "--host", "--port", "--username", "--dbname", "--command", "--file", "--set", "--variable",
        "--output", "--pset", "--field-separator", "--record-separator", "--log-file",
        "--table-attr",
    ],
};

/// The value-taking options of `pg_isready`.
const PG_ISREADY: Options = Options {
    short: &['h', 'p', 'U', 'd', 't'],
    long: &["--host", "--port", "--username", "--dbname", "--timeout"],
};

const REDIS_CLI: Options = Options {
    short: &['h', 'p', 'a', 'n', 'u', 's', 'r', 'i'],
    long: &["--user", "--pass", "--pattern", "--count", "--cacert", "--cert", "--key", "--sni"],
};

fn redis_cli(args: &[String], line: &Line) -> Option<(&'static str, String)> {
    if flag(args, &["-s"]).is_some() {
        return None; // a Unix socket: the probe speaks TCP
    }
    let words = operands(args, &REDIS_CLI);
    let scan = args.iter().any(|a| a == "--scan");
    let pattern = match words.first().map(|w| w.to_ascii_lowercase()).as_deref() {
        None if scan => Some(flag(args, &["--pattern"]).unwrap_or("*")),
        Some("ping" | "info" | "dbsize") if words.len() <= 2 => None,
        Some("keys") if words.len() == 2 => Some(words[1]),
        _ => return None,
    };
    let mut url = match flag(args, &["-u"]) {
        Some(u) => Url::parse(u).ok()?,
        None => {
            let scheme = if args.iter().any(|a| a == "--tls") { "rediss" } else { "redis" };
            let host = flag(args, &["-h"]).unwrap_or("localhost");
            let port: u16 = flag(args, &["-p"]).unwrap_or("6379").parse().ok()?;
            let mut url = Url::parse(&format!("{scheme}://localhost")).ok()?;
            url.set_host(Some(host)).ok()?;
            url.set_port(Some(port)).ok()?;
            if let Some(db) = flag(args, &["-n"]) {
                db.parse::<u32>().ok()?;
                url.set_path(db);
            }
            url
        }
    };
    let password = flag(args, &["-a", "--pass"]).or(line.env("REDISCLI_AUTH"));
    if let Some(password) = password.filter(|_| url.password().is_none()) {
        if let Some(user) = flag(args, &["--user"]) {
            url.set_username(user).ok()?;
        }
        url.set_password(Some(password)).ok()?;
    }
    let mut body = format!("url: {}\n", url.as_str().trim_end_matches('/'));
    if let Some(pattern) = pattern {
        // A guide's `keys '*'` runs on every check: look at a bounded sample of keys.
        body.push_str(&format!("pattern: {}\nscan_limit: 10000\n", yaml_string(pattern)));
    }
    Some(("redis", body))
}

fn nc(args: &[String]) -> Option<(&'static str, String)> {
    const NC: Options = Options { short: &['w', 'p', 's', 'i', 'q', 'x', 'X'], long: &[] };
    if !switch(args, Some('z'), &[], &NC) {
        return None;
    }
    let words = operands(args, &NC);
    let [.., host, port] = words.as_slice() else { return None };
    port.parse::<u16>().ok()?;
    Some(("tcp", format!("address: {}\n", yaml_string(&join_host_port(host, port)))))
}

fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

fn openssl(args: &[String]) -> Option<(&'static str, String)> {
    let (sub, rest) = args.split_first()?;
    let mut body = String::new();
    match sub.as_str() {
        "s_client" => {
            let address = flag(rest, &["-connect"])?;
            body.push_str(&format!("address: {}\n", yaml_string(address)));
            if let Some(name) = flag(rest, &["-servername"]) {
                body.push_str(&format!("server_name: {}\n", yaml_string(name)));
            }
            if let Some(ca) = flag(rest, &["-CAfile"]) {
                body.push_str(&format!("ca_file: {}\n", yaml_string(ca)));
            }
        }
        "x509" => {
            let file = flag(rest, &["-in"])?;
            body.push_str(&format!("cert_file: {}\n", yaml_string(file)));
            // Without a trust anchor the question is the certificate's dates, not its chain.
            body.push_str("expect: \"[CERTIFICATE_EXPIRATION] > 0\"\n");
        }
        "verify" => {
            const VERIFY: Options =
                Options { short: &[], long: &["-CAfile", "-CApath", "-untrusted", "-purpose"] };
            let file = operands(rest, &VERIFY).into_iter().next_back()?;
            body.push_str(&format!("cert_file: {}\n", yaml_string(file)));
            if let Some(ca) = flag(rest, &["-CAfile"]) {
                body.push_str(&format!("ca_file: {}\n", yaml_string(ca)));
            }
        }
        _ => return None,
    }
    Some(("tls", body))
}

fn systemctl(args: &[String]) -> Option<(&'static str, String)> {
    const SYSTEMCTL: Options = Options {
        short: &['n', 'o', 'p', 'H', 'M', 't'],
        long: &["--lines", "--output", "--property", "--host", "--machine", "--type"],
    };
    let words = operands(args, &SYSTEMCTL);
    let (verb, units) = words.split_first()?;
    if !matches!(*verb, "is-active" | "status")
        || units.len() != 1
        || args.iter().any(|a| a.starts_with("-H") || a.starts_with("--host") || a == "--user")
    {
        return None;
    }
    let unit = units[0];
    let name = unit.strip_suffix(".service").unwrap_or(unit);
    if name.contains(['.', '@', '*']) {
        return None; // a socket, timer, template or glob: no single process to look for
    }
    // A unit is rarely named exactly like its program (`postgresql` runs
    // `/usr/lib/postgresql/15/bin/postgres`, `redis` runs `redis-server`): look for the
    // unit's name in the path of the program, not in its arguments.
    let pattern = format!("^\\S*{}", regex::escape(name));
    Some(("process", format!("pattern: {}\n", yaml_string(&pattern))))
}

fn yaml_string(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | ':'))
        && !text.starts_with(['-', ':'])
        && !matches!(text, "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~")
        && text.parse::<f64>().is_err();
    if plain {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case(
        "curl -f http://localhost:8080/health  # metald",
        "kind: http\nurl: http://localhost:8080/health\nexpect: \"[STATUS] < 400\"\n"
    )]
    #[case(
        "curl -fsS https://x/api | jq .",
        "kind: http\nurl: https://x/api\nexpect: \"[STATUS] < 400\"\n"
    )]
    #[case(
        "curl -f http://localhost:8081/health && echo \"billaged OK\"",
        "kind: http\nurl: http://localhost:8081/health\nexpect: \"[STATUS] < 400\"\n"
    )]
    #[case(
        "curl -k https://localhost:8443/health",
        "kind: http\nurl: https://localhost:8443/health\ntls_verify: false\nexpect: \"[CONNECTED] == true\"\n"
    )]
    #[case(
        "curl -kfI https://api:8443/ready",
        "kind: http\nurl: https://api:8443/ready\nmethod: HEAD\ntls_verify: false\nexpect: \"[STATUS] < 400\"\n"
    )]
    #[case(
        "curl -s 'http://prom:9090/api/v1/query?query=histogram_quantile(0.99,%20sum(rate(http_request_duration_seconds_bucket[5m]))%20by%20(le))'",
        "kind: prometheus\nurl: http://prom:9090\nquery: \"histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))\"\n"
    )]
    #[case(
        "curl -sG http://localhost:9090/prometheus/api/v1/query --data-urlencode 'query=up == 0' | jq .",
        "kind: prometheus\nurl: http://localhost:9090/prometheus\nquery: \"up == 0\"\n"
    )]
    #[case(
        "curl -s http://localhost:9090/api/v1/alerts",
        "kind: prometheus\nurl: http://localhost:9090\nalert: \"*\"\n"
    )]
    #[case(
        "curl -s http://localhost:9090/api/v1/targets | jq '.data.activeTargets[]'",
        "kind: prometheus\nurl: http://localhost:9090\ntargets: true\n"
    )]
    #[case("pg_isready -h db -p 5433", "kind: postgres\nurl: postgres://db:5433\n")]
    #[case("pg_isready", "kind: postgres\nurl: postgres://localhost:5432\n")]
    #[case("pg_isready -t 3 -h db", "kind: postgres\nurl: postgres://db:5432\n")]
    #[case(
        "psql -h db -t -c \"SELECT count(*) FROM pg_stat_activity;\"",
        "kind: postgres\nurl: postgres://db:5432\nquery: \"SELECT count(*) FROM pg_stat_activity;\"\n"
    )]
    #[case(
        "psql -h db -c \"SELECT count(*) FROM pg_stat_activity WHERE query NOT LIKE 'pg_sleep%'\"",
        "kind: postgres\nurl: postgres://db:5432\nquery: \"SELECT count(*) FROM pg_stat_activity WHERE query NOT LIKE 'pg_sleep%'\"\n"
    )]
    #[case(
        "psql \"postgres://u@h:5432/d\" -c \"SELECT 1;\"",
        "kind: postgres\nurl: postgres://u@h:5432/d\nquery: \"SELECT 1;\"\n"
    )]
    #[case(
        "PGPASSWORD=pw psql -h localhost -p 5432 -U callfs -d callfs -c \"\\l\"",
        "kind: postgres\nurl: postgres://callfs:pw@localhost:5432/callfs\n"
    )]
    #[case(
        "psql -h localhost -U costwatch_user -d costwatch_dev",
        "kind: postgres\nurl: postgres://costwatch_user@localhost:5432/costwatch_dev\n"
    )]
    #[case(
        "psql -d costwatch_prod -c \"SELECT * FROM alembic_version;\"",
        "kind: postgres\nurl: postgres://localhost:5432/costwatch_prod\nquery: \"SELECT * FROM alembic_version;\"\n"
    )]
    #[case("redis-cli -h cache ping", "kind: redis\nurl: redis://cache:6379\n")]
    #[case(
        "redis-cli -h localhost -p 6379 info memory",
        "kind: redis\nurl: redis://localhost:6379\n"
    )]
    #[case(
        "redis-cli -h localhost -p 6379 keys \"callfs:lock:*\"",
        "kind: redis\nurl: redis://localhost:6379\npattern: \"callfs:lock:*\"\nscan_limit: 10000\n"
    )]
    #[case(
        "redis-cli -a s3cret -n 2 --scan --pattern 'job:*'",
        "kind: redis\nurl: redis://:s3cret@localhost:6379/2\npattern: \"job:*\"\nscan_limit: 10000\n"
    )]
    #[case(
        "redis-cli ping > \"/tmp/out/redis-connection.txt\" 2>&1",
        "kind: redis\nurl: redis://localhost:6379\n"
    )]
    #[case("nc -zv db 5432", "kind: tcp\naddress: db:5432\n")]
    #[case("nc -z -w 3 db 5432", "kind: tcp\naddress: db:5432\n")]
    #[case(
        "openssl s_client -connect localhost:8443 -servername api.example.com",
        "kind: tls\naddress: localhost:8443\nserver_name: api.example.com\n"
    )]
    #[case(
        "openssl x509 -in /etc/callfs/tls.crt -noout -enddate",
        "kind: tls\ncert_file: /etc/callfs/tls.crt\nexpect: \"[CERTIFICATE_EXPIRATION] > 0\"\n"
    )]
    #[case(
        "openssl verify -CAfile ca.pem server.pem",
        "kind: tls\ncert_file: server.pem\nca_file: ca.pem\n"
    )]
    #[case("systemctl is-active metald.service", "kind: process\npattern: \"^\\\\S*metald\"\n")]
    #[case(
        "sudo systemctl status billaged --no-pager",
        "kind: process\npattern: \"^\\\\S*billaged\"\n"
    )]
    #[case("df -h /var/lib", "kind: disk\npath: /var/lib\n")]
    #[case("free -m", "kind: memory\n")]
    fn recognised(#[case] command: &str, #[case] check: &str) {
        let probe = recognise(command).unwrap_or_else(|| panic!("{command} not recognised"));
        assert_eq!(probe.check, check, "{command}");
        assert!(check.starts_with(&format!("kind: {}\n", probe.kind)));
    }

    #[rstest]
    #[case("psql \"postgres://callfs:pa%40ss@localhost/callfs\" < dump.sql", &["pa%40ss", "pa@ss"])]
    #[case("PGPASSWORD=hunter22 psql -h db -c \"DELETE FROM x\"", &["hunter22"])]
    #[case("redis-cli -a s3cretpw del lock:1", &["s3cretpw"])]
    #[case("REDISCLI_AUTH=abcdefgh redis-cli ping | tee out", &["abcdefgh"])]
    #[case("mysql -u root -ptopsecret -e 'SELECT 1'", &["topsecret"])]
    #[case("redis-cli -ahunter22 ping", &["hunter22"])]
    #[case("redis-cli -ca hunter22 ping", &["hunter22"])]
    #[case("mysql -u root -p", &[])]
    #[case("echo -a notasecret && redis-cli ping", &[])]
    #[case("redis-cli -a $REDIS_PASSWORD ping", &[])]
    #[case("env redis-cli -a hunter22 ping", &["hunter22"])]
    #[case("sudo -u redis redis-cli --pass=hunter33 ping", &["hunter33"])]
    #[case("curl -fsu admin:hunter44 http://svc/health", &["hunter44"])]
    #[case("curl -f -u admin:hunter44 http://svc/health", &["hunter44"])]
    fn secrets_of_commands(#[case] command: &str, #[case] want: &[&str]) {
        assert_eq!(secrets(command), want, "{command}");
    }

    #[rstest]
    #[case("curl -s http://localhost:9464/metrics | grep -E \"(up|metald_)\"")]
    #[case("curl -s http://localhost:8080/debug/pprof/profile?seconds=30 > cpu.prof")]
    #[case("curl -f -X POST http://localhost:8080/vmprovisioner.v1.VmService/ListVms")]
    #[case("curl -f -d '{}' http://localhost:8080/api")]
    #[case("curl -fsSL https://example.com/firecracker.tgz | tar -xz")]
    #[case("curl -fo out.tgz https://example.com/x.tgz")]
    #[case("curl -s http://localhost:9090/api/v1/query")]
    #[case("redis-cli -h localhost -p 6379 del \"callfs:lock:/path/to/file\"")]
    #[case("redis-cli -h localhost -p 6379 monitor")]
    #[case("redis-cli eval \"return redis.call('del', unpack(redis.call('keys', 'x:*')))\" 0")]
    #[case("psql \"postgres://u:p@h:5432/d\" < backup.sql")]
    #[case("psql -d prod -f database/migrations/rollback_003.sql")]
    #[case("psql -d prod -c \"DELETE FROM sessions\"")]
    #[case(
        "psql -h db -U postgres -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state='idle in transaction'\""
    )]
    #[case("psql -c \"select PG_RELOAD_CONF ()\"")]
    #[case("psql -c \"SELECT nextval('orders_id_seq')\"")]
    #[case("psql -c \"SELECT pg_catalog.pg_sleep_for('5 minutes')\"")]
    #[case("psql -c 'SELECT \"pg_advisory_lock\"(1)'")]
    #[case("psql -c \"SELECT dblink_exec('dbname=x', 'DROP TABLE t')\"")]
    #[case("pg_isready -h <DB_HOST>")]
    #[case("redis-cli -h $REDIS_HOST ping")]
    #[case("systemctl restart metald")]
    #[case("systemctl status")]
    #[case("nc -l 8080")]
    #[case("lsof -i :8080")]
    #[case("")]
    fn not_recognised(#[case] command: &str) {
        assert_eq!(recognise(command), None, "{command}");
    }
}

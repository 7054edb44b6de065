//! Well-known diagnostic commands, recognised as the native probe they stand for.
//!
//! Guides say `curl -f http://localhost:8080/health` or `pg_isready -h db`; triage runs
//! such checks natively (no shell). [`recognise`] turns one command line into the `check`
//! block that does the same, for `triage import` to show and `--annotate` to write.

use serde::Serialize;

/// A command recognised as a native probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeProbe {
    /// The command as written.
    pub command: String,
    /// The probe kind (`http`, `postgres`, `redis`, `tcp`, `tls`, `process`, `disk`,
    /// `memory`).
    pub kind: &'static str,
    /// The body of a ` ```check ` block doing the same (YAML, ends with a newline).
    pub check: String,
}

/// The native probe a command line stands for, if it is one of the well-known ones:
/// `curl -f URL`, `pg_isready`, `psql URL -c ...`, `redis-cli ping`, `nc -z HOST PORT`,
/// `openssl s_client -connect HOST:PORT`, `systemctl is-active UNIT`, `df`, `free`.
pub fn recognise(command: &str) -> Option<NativeProbe> {
    let line = command.trim().trim_start_matches("sudo ").trim();
    let owned: Vec<String> =
        shlex::split(line).unwrap_or_else(|| line.split_whitespace().map(str::to_owned).collect());
    // Only the first command of a pipeline or list is the probe; a comment ends it.
    let words: Vec<&str> = owned
        .iter()
        .map(String::as_str)
        .take_while(|w| !matches!(*w, "|" | "||" | "&&" | ";") && !w.starts_with('#'))
        .collect();
    let program = words.first()?.rsplit('/').next()?;
    let args = &words[1..];
    let (kind, body) = match program {
        "curl" => {
            let fail = args.iter().any(|a| {
                *a == "--fail" || (a.starts_with('-') && !a.starts_with("--") && a.contains('f'))
            });
            let url = args.iter().find(|a| a.contains("://"))?;
            if !fail {
                return None;
            }
            ("http", format!("url: {}\nexpect: \"[STATUS] < 400\"\n", unquote(url)))
        }
        "pg_isready" => {
            let host = flag(args, &["-h", "--host"]).unwrap_or("localhost");
            let port = flag(args, &["-p", "--port"]).unwrap_or("5432");
            let db = flag(args, &["-d", "--dbname"]).map(|d| format!("/{d}")).unwrap_or_default();
            ("postgres", format!("url: postgres://{host}:{port}{db}\n"))
        }
        "psql" => {
            let url = args.iter().map(|a| unquote(a)).find(|a| a.starts_with("postgres"))?;
            let query = flag(args, &["-c", "--command"]).map_or("SELECT 1".to_owned(), unquote);
            ("postgres", format!("url: {url}\nquery: {}\n", yaml_string(&query)))
        }
        "redis-cli" => {
            if !args.iter().any(|a| a.eq_ignore_ascii_case("ping")) {
                return None;
            }
            let url = match flag(args, &["-u"]) {
                Some(u) => unquote(u),
                None => {
                    let host = flag(args, &["-h"]).unwrap_or("localhost");
                    let port = flag(args, &["-p"]).unwrap_or("6379");
                    format!("redis://{host}:{port}")
                }
            };
            ("redis", format!("url: {url}\n"))
        }
        "nc" | "ncat" | "netcat" => {
            if !args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('z')) {
                return None;
            }
            let plain: Vec<&str> = args.iter().copied().filter(|a| !a.starts_with('-')).collect();
            let [.., host, port] = plain.as_slice() else { return None };
            port.parse::<u16>().ok()?;
            ("tcp", format!("address: {host}:{port}\n"))
        }
        "openssl" => {
            if args.first() != Some(&"s_client") {
                return None;
            }
            let address = flag(args, &["-connect"])?;
            ("tls", format!("address: {address}\n"))
        }
        "systemctl" => {
            if args.first() != Some(&"is-active") {
                return None;
            }
            let unit = args.iter().skip(1).find(|a| !a.starts_with('-'))?;
            let name = unit.trim_end_matches(".service");
            ("process", format!("name: {name}\n"))
        }
        "df" => {
            let path = args.iter().find(|a| !a.starts_with('-')).map_or("/", |p| p);
            ("disk", format!("path: {path}\n"))
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

/// The value after any of `names` (`-h db` or `-hdb` or `--host=db`).
fn flag<'a>(args: &[&'a str], names: &[&str]) -> Option<&'a str> {
    for (i, arg) in args.iter().enumerate() {
        for name in names {
            if arg == name {
                return args.get(i + 1).copied();
            }
            if let Some(rest) = arg.strip_prefix(name) {
                if name.starts_with("--") {
                    if let Some(value) = rest.strip_prefix('=') {
                        return Some(value);
                    }
                } else if !rest.is_empty() && name.len() == 2 {
                    return Some(rest);
                }
            }
        }
    }
    None
}

fn unquote(text: &str) -> String {
    text.trim_matches(|c| c == '"' || c == '\'').to_owned()
}

fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case(
        "curl -f http://localhost:8080/health  # metald",
        "http",
        "kind: http\nurl: http://localhost:8080/health\nexpect: \"[STATUS] < 400\"\n"
    )]
    #[case(
        "curl -fsS https://x/api | jq .",
        "http",
        "kind: http\nurl: https://x/api\nexpect: \"[STATUS] < 400\"\n"
    )]
    #[case("pg_isready -h db -p 5433", "postgres", "kind: postgres\nurl: postgres://db:5433\n")]
    #[case(
        "psql \"postgres://u@h:5432/d\" -c \"SELECT 1;\"",
        "postgres",
        "kind: postgres\nurl: postgres://u@h:5432/d\nquery: \"SELECT 1;\"\n"
    )]
    #[case("redis-cli -h cache ping", "redis", "kind: redis\nurl: redis://cache:6379\n")]
    #[case("nc -zv db 5432", "tcp", "kind: tcp\naddress: db:5432\n")]
    #[case(
        "openssl s_client -connect api:443 -servername api",
        "tls",
        "kind: tls\naddress: api:443\n"
    )]
    #[case("systemctl is-active metald.service", "process", "kind: process\nname: metald\n")]
    #[case("df -h /var/lib", "disk", "kind: disk\npath: /var/lib\n")]
    #[case("free -m", "memory", "kind: memory\n")]
    fn recognised(#[case] command: &str, #[case] kind: &str, #[case] check: &str) {
        let probe = recognise(command).unwrap();
        assert_eq!(probe.kind, kind);
        assert_eq!(probe.check, check);
    }

    #[rstest]
    #[case("curl http://localhost:8080/health")]
    #[case("redis-cli info")]
    #[case("systemctl restart metald")]
    #[case("nc -l 8080")]
    #[case("lsof -i :8080")]
    #[case("")]
    fn not_recognised(#[case] command: &str) {
        assert_eq!(recognise(command), None);
    }
}

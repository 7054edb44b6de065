//! SQL statements: what each one does to the data.

use super::{Judge, Risk};

/// Functions that change the server although called from a `SELECT`.
const SIDE_EFFECTS: &[&str] = &[
    "pg_terminate_backend",
    "pg_cancel_backend",
    "setval",
    "nextval",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_switch_wal",
    "pg_create_physical_replication_slot",
    "pg_create_logical_replication_slot",
    "pg_stat_reset",
    "pg_stat_statements_reset",
    "pg_advisory_lock",
    "pg_promote",
    "pg_wal_replay_pause",
    "pg_wal_replay_resume",
    "set_config",
    "lo_import",
    "lo_export",
    "dblink_exec",
    "pg_file_write",
    "pg_logical_emit_message",
    "get_lock",
    "release_lock",
    "sleep(",
];

/// Judges a batch of SQL (and psql meta-commands).
pub(super) fn judge(j: &mut Judge, text: &str) {
    let mut any = false;
    // `BEGIN; ...; ROLLBACK;` undoes what it holds.
    let upper = text.to_ascii_uppercase();
    let rolled_back = upper.trim_end().trim_end_matches(';').trim_end().ends_with("ROLLBACK");
    for statement in statements(text) {
        any = true;
        let risk = statement_risk(&statement);
        let risk = match risk {
            (Risk::Changes | Risk::Destructive, _) if rolled_back => {
                (Risk::ReadOnly, "rolled back at the end".to_owned())
            }
            r => r,
        };
        j.part(risk.0, risk.1);
    }
    if !any {
        j.part(Risk::ReadOnly, "no SQL statement");
    }
}

/// The statements of a batch: split at `;` outside quotes, psql backslash commands apart,
/// comments dropped.
fn statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            current.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => {
                quote = Some(c);
                current.push(c);
            }
            '-' if chars.peek() == Some(&'-') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                current.push(' ');
            }
            ';' => out.push(std::mem::take(&mut current)),
            '\\' if current.trim().is_empty() => {
                // A meta-command runs to the end of its line.
                let mut meta = String::from("\\");
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                    meta.push(n);
                }
                out.push(meta);
            }
            '\n' if current.trim_start().starts_with('\\') => {
                out.push(std::mem::take(&mut current))
            }
            _ => current.push(c),
        }
    }
    out.push(current);
    out.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

fn statement_risk(statement: &str) -> (Risk, String) {
    use Risk::{Changes, Destructive, ReadOnly};
    let upper = statement.to_ascii_uppercase();
    let words: Vec<&str> =
        upper.split(|c: char| c.is_whitespace() || c == '(').filter(|w| !w.is_empty()).collect();
    let first = words.first().copied().unwrap_or("");
    let short: String = statement.chars().take(60).collect();
    if let Some(meta) = statement.strip_prefix('\\') {
        let cmd = meta.split_whitespace().next().unwrap_or("");
        return match cmd {
            "i" | "ir" | "include" | "copy" | "o" | "w" | "!" | "gexec" | "e" | "edit" | "ef"
            | "ev" => (Changes, format!("psql \\{cmd} runs or writes files")),
            _ => (ReadOnly, format!("psql \\{cmd} describes")),
        };
    }
    if let Some(dot) = statement.strip_prefix('.') {
        let cmd = dot.split_whitespace().next().unwrap_or("");
        return match cmd {
            "read" | "import" | "restore" | "output" | "once" | "backup" | "save" | "load"
            | "system" | "shell" | "excel" => {
                (Changes, format!("sqlite3 .{cmd} runs or writes files"))
            }
            _ => (ReadOnly, format!("sqlite3 .{cmd} describes")),
        };
    }
    if first == "RESET"
        && matches!(words.get(1).copied(), Some("MASTER" | "SLAVE" | "REPLICA" | "BINARY"))
    {
        return (Destructive, format!("`{short}` deletes replication logs or state"));
    }
    // A function that drops or deletes (`pg_drop_replication_slot`, `lo_unlink`) loses
    // state whatever statement calls it.
    if let Some(f) = called_functions(&upper).into_iter().find(|name| {
        ["DROP", "DELETE", "UNLINK", "TRUNCATE", "PURGE", "REMOVE"].iter().any(|v| name.contains(v))
    }) && !matches!(first, "DROP" | "DELETE" | "TRUNCATE")
    {
        return (
            Destructive,
            format!("`{short}` calls {}, which drops state", f.to_ascii_lowercase()),
        );
    }
    let side = SIDE_EFFECTS.iter().find(|f| upper.contains(&f.to_ascii_uppercase()));
    match first {
        "SELECT" | "WITH" | "VALUES" | "TABLE" | "SHOW" | "DESCRIBE" | "DESC" | "EXPLAIN"
        | "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "SET" | "RESET" | "USE"
        | "PRAGMA" | "LISTEN" | "UNLISTEN" | "FETCH" | "DECLARE" | "CLOSE" | "PREPARE"
        | "DEALLOCATE" | "HELP" | "STATUS" | "CHECKSUM" => {
            if first == "EXPLAIN" && words.contains(&"ANALYZE") {
                let rest = words
                    .iter()
                    .position(|w| *w == "ANALYZE")
                    .map(|k| words[k + 1..].join(" "))
                    .unwrap_or_default();
                let inner = statement_risk(&rest);
                return if inner.0 == ReadOnly {
                    (ReadOnly, "EXPLAIN ANALYZE of a query".into())
                } else {
                    (inner.0, format!("EXPLAIN ANALYZE runs: {}", inner.1))
                };
            }
            if first == "WITH" && words.iter().any(|w| matches!(*w, "DELETE" | "UPDATE" | "INSERT"))
            {
                let body = words
                    .iter()
                    .skip_while(|w| !matches!(**w, "DELETE" | "UPDATE" | "INSERT"))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                return statement_risk(&body);
            }
            if first == "SET" && matches!(words.get(1).copied(), Some("GLOBAL" | "PERSIST")) {
                return (Changes, format!("`{short}` a server setting"));
            }
            if words.contains(&"INTO")
                && first == "SELECT"
                && words.iter().any(|w| *w == "OUTFILE" || *w == "DUMPFILE")
            {
                return (Changes, "SELECT INTO OUTFILE writes a file".into());
            }
            if first == "SELECT"
                && words.windows(2).any(|w| w[0] == "INTO" && w[1] != "OUTFILE")
                && !upper.contains("INSERT")
                && words.iter().position(|w| *w == "INTO") < words.iter().position(|w| *w == "FROM")
            {
                return (Changes, "SELECT INTO creates a table".into());
            }
            if let Some(f) = side {
                return (Changes, format!("`{short}` {f} has side effects"));
            }
            (ReadOnly, format!("`{short}` reads"))
        }
        "DROP" | "TRUNCATE" => (Destructive, format!("`{short}` drops data")),
        "DELETE" | "UPDATE" => {
            let limited = where_limits(&upper);
            if limited {
                (Changes, format!("`{short}` changes selected rows"))
            } else {
                (Destructive, format!("`{short}` every row, no limiting WHERE"))
            }
        }
        "ALTER" => {
            if words.contains(&"DROP")
                && !upper.contains("DROP DEFAULT")
                && !upper.contains("DROP NOT NULL")
            {
                (Destructive, format!("`{short}` drops a column or object"))
            } else {
                (Changes, format!("`{short}` changes the schema or a setting"))
            }
        }
        "REVOKE" | "GRANT" | "INSERT" | "CREATE" | "COPY" | "VACUUM" | "ANALYZE" | "ANALYSE"
        | "REINDEX" | "CLUSTER" | "REFRESH" | "CALL" | "DO" | "LOCK" | "NOTIFY" | "COMMENT"
        | "SECURITY" | "REPLACE" | "MERGE" | "UPSERT" | "LOAD" | "FLUSH" | "KILL" | "OPTIMIZE"
        | "REPAIR" | "RENAME" | "CHECKPOINT" | "DISCARD" | "IMPORT" | "INSTALL" | "UNINSTALL"
        | "PURGE" | "CHANGE" | "STOP" | "XA" => {
            if first == "COPY" && (upper.contains("TO STDOUT") || upper.contains(" TO STDOUT")) {
                return (ReadOnly, "COPY TO STDOUT prints".into());
            }
            if first == "PURGE" || (first == "RESET" && words.get(1) == Some(&"MASTER")) {
                return (Destructive, format!("`{short}` deletes logs"));
            }
            (Changes, format!("`{short}` writes"))
        }
        _ => (Changes, format!("`{short}` a statement triage does not know")),
    }
}

/// The names of the functions a statement calls: each identifier right before a `(`.
fn called_functions(upper: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (at, _) in upper.match_indices('(') {
        let before = upper[..at].trim_end();
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |k| k + 1);
        if start < before.len() {
            out.push(&before[start..]);
        }
    }
    out
}

/// Whether an `UPDATE`/`DELETE` has a `WHERE` that limits it (`WHERE 1=1`, `WHERE true`
/// limit nothing).
fn where_limits(upper: &str) -> bool {
    let Some(at) = upper.find(" WHERE ") else { return false };
    let cond: String = upper[at + 7..].chars().filter(|c| !c.is_whitespace()).collect();
    let cond = cond.trim_end_matches(';');
    !matches!(cond, "1=1" | "TRUE" | "1" | "'1'='1'" | "1<>0" | "0=0")
        && !cond.starts_with("1=1OR")
        && !cond.ends_with("OR1=1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn risk(sql: &str) -> Risk {
        let mut j = Judge::default();
        judge(&mut j, sql);
        j.finish().risk
    }

    #[test]
    fn statements_by_what_they_do() {
        assert_eq!(risk("SELECT * FROM pg_stat_activity"), Risk::ReadOnly);
        assert_eq!(risk("SELECT pg_terminate_backend(42)"), Risk::Changes);
        assert_eq!(risk("SELECT pg_drop_replication_slot('old')"), Risk::Destructive);
        assert_eq!(risk("SELECT deleted_at FROM users"), Risk::ReadOnly);
        assert_eq!(risk("DELETE FROM jobs WHERE id = 4"), Risk::Changes);
        assert_eq!(risk("DELETE FROM jobs"), Risk::Destructive);
        assert_eq!(risk("UPDATE users SET x=1 WHERE 1=1"), Risk::Destructive);
        assert_eq!(risk("drop table t; select 1"), Risk::Destructive);
        assert_eq!(risk("EXPLAIN SELECT 1"), Risk::ReadOnly);
        assert_eq!(risk("EXPLAIN ANALYZE DELETE FROM t"), Risk::Destructive);
        assert_eq!(risk("BEGIN; DELETE FROM t; ROLLBACK;"), Risk::ReadOnly);
        assert_eq!(risk("\\dt+\n\\l"), Risk::ReadOnly);
        assert_eq!(risk("ALTER SYSTEM SET work_mem = '64MB'"), Risk::Changes);
        assert_eq!(risk("SELECT ';DROP TABLE x' AS s"), Risk::ReadOnly);
    }
}

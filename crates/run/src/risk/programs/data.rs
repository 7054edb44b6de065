//! Database clients, message brokers and secret stores.

use super::*;

pub(super) fn sql_client(j: &mut Judge, name: &str, args: &[&str], input: &Input<'_>) {
    let fed = input.fed;
    let mut statements: Vec<String> = Vec::new();
    let mut k = 0;
    let mut file = None;
    while k < args.len() {
        let a = args[k];
        let value = |k: usize| args.get(k + 1).map(|s| (*s).to_owned());
        match a {
            "-c" | "--command" | "-e" | "--execute" | "-q" | "--query" | "-Q" | "--eval" => {
                statements.extend(value(k));
                k += 2;
                continue;
            }
            "-f" | "--file" | "-i" | "--input-file" => {
                file = value(k);
                k += 2;
                continue;
            }
            _ => {}
        }
        for prefix in ["--command=", "--execute=", "--query=", "-c"] {
            if let Some(v) =
                a.strip_prefix(prefix).filter(|v| !v.is_empty() && prefix.starts_with("--"))
            {
                statements.push(v.to_owned());
            }
        }
        if let Some(v) = a.strip_prefix("--file=") {
            file = Some(v.to_owned());
        }
        k += 1;
    }
    // sqlite3 takes its SQL after the database file.
    if name == "sqlite3" {
        let pos: Vec<&&str> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if pos.len() >= 2 {
            statements.push(pos[1..].iter().map(|s| **s).collect::<Vec<_>>().join(" "));
        }
    }
    if let Some(file) = file.as_deref().or(input.file) {
        if is_dump(file) {
            return j
                .part(Destructive, format!("{name} restores the dump {file} over the database"));
        }
        return j
            .part(Changes, format!("{name} runs the SQL file {file}, which triage cannot see"));
    }
    if statements.is_empty() {
        match fed {
            Some(text) => statements.push(text.to_owned()),
            None if any_of(args, &["--version", "-V", "-l", "--list"]) => {
                return j.part(ReadOnly, format!("{name} lists or prints its version"));
            }
            None => return j.part(Changes, format!("`{name}` alone is an interactive session")),
        }
    }
    for s in statements {
        sql::judge(j, &s);
    }
}

pub(super) fn mongo(j: &mut Judge, args: &[&str], fed: Option<&str>) {
    let code =
        args.iter().position(|a| *a == "--eval").and_then(|k| args.get(k + 1)).copied().or(fed);
    let Some(code) = code else {
        return j.part(Changes, "mongo: an interactive session or a script");
    };
    let lower = code.to_ascii_lowercase();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let unfiltered =
        ["updatemany({}", "update({}", "replaceone({}"].iter().any(|w| compact.contains(w));
    if [
        "dropdatabase", ".drop(", "deletemany", "remove(", "dropindexes", "dropuser",
        "dropallusers",
    ]
    .iter()
    .any(|w| lower.contains(w))
        || unfiltered
    {
        j.part(Destructive, "mongo code drops or deletes data")
    } else if [
        "insert", "update", "delete", "createindex", "createuser", "replacethis", "rs.stepdown",
        "rs.reconfig", "rs.add", "rs.remove", "setprofilinglevel", "shutdownserver", "killop",
        "adminCommand", "renamecollection", "createcollection", "fsynclock", "compact",
    ]
    .iter()
    .any(|w| lower.contains(&w.to_ascii_lowercase()))
    {
        j.part(Changes, "mongo code writes")
    } else {
        j.part(ReadOnly, "mongo code reads")
    }
}

pub(super) fn messaging(j: &mut Judge, name: &str, args: &[&str]) {
    let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
    let any = |ws: &[&str]| lower.iter().any(|a| ws.iter().any(|w| a == w));
    if any(&["--reset-offsets"]) {
        return if any(&["--execute"]) {
            j.part(
                Destructive,
                format!("{name} --reset-offsets --execute moves consumer positions"),
            )
        } else {
            j.part(
                ReadOnly,
                format!("{name} --reset-offsets without --execute only shows the plan"),
            )
        };
    }
    if any(&[
        "--delete", "delete_queue", "purge_queue", "delete", "purge", "rm", "--reset-offsets",
        "delete_vhost", "delete_user", "reset", "force_reset", "rmi",
    ]) && !any(&["--dry-run"])
    {
        if any(&["--reset-offsets"]) && !any(&["--execute"]) {
            return j.part(ReadOnly, format!("{name} shows the reset it would do"));
        }
        return j.part(Destructive, format!("{name} deletes, purges or resets"));
    }
    let reads = any(&[
        "--list", "--describe", "list_queues", "list_exchanges", "list_bindings",
        "list_connections", "list_channels", "list_consumers", "list_users", "list_vhosts",
        "list_permissions", "list_policies", "status", "cluster_status", "environment", "report",
        "list", "ls", "info", "report", "server", "stream", "consumer", "account", "--version",
        "sub", "subscribe", "-c", "-l", "check", "ping", "rtt", "inspect", "events", "-L", "show",
    ]) && !any(&[
        "--create", "--alter", "add", "create", "edit", "pub", "publish", "request", "set_policy",
        "set_permissions", "add_user", "add_vhost", "stop_app", "start_app", "stop",
        "close_connection", "--execute", "-P", "set_parameter", "change_password", "put", "backup",
        "restore",
    ]);
    let consumer =
        matches!(name, "mosquitto_sub" | "kafka-console-consumer" | "kafka-console-consumer.sh")
            || (matches!(name, "kcat" | "kafkacat")
                && lower.iter().any(|a| matches!(a.as_str(), "-c" | "-l" | "-q")));
    if reads || consumer {
        if consumer && lower.iter().any(|a| a.contains("group")) {
            return j.part(Changes, format!("{name} as a consumer group commits offsets"));
        }
        j.part(ReadOnly, format!("{name} reads"))
    } else {
        j.part(Changes, format!("{name} changes the broker"))
    }
}

pub(super) fn vault(j: &mut Judge, args: &[&str]) {
    let pos: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).copied().collect();
    let verbs: Vec<&str> = pos.iter().take(2).copied().collect();
    let has = |w: &str| verbs.contains(&w);
    if has("delete")
        || has("destroy")
        || has("metadata") && pos.get(2) == Some(&"delete")
        || has("revoke")
        || has("disable")
    {
        j.part(Destructive, "vault deletes or revokes")
    } else if has("read")
        || has("list")
        || has("status")
        || has("get")
        || has("version")
        || has("print")
        || has("token") && pos.get(1) == Some(&"lookup")
        || has("policy") && matches!(pos.get(1), Some(&"read" | &"list"))
        || has("audit") && pos.get(1) == Some(&"list")
        || has("secrets") && pos.get(1) == Some(&"list")
        || has("auth") && pos.get(1) == Some(&"list")
    {
        if has("read") || has("get") {
            j.note("prints secrets");
        }
        j.part(ReadOnly, "vault reads")
    } else {
        j.part(Changes, "vault writes")
    }
}

pub(super) fn kv_tool(j: &mut Judge, name: &str, args: &[&str]) {
    let pos: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).copied().collect();
    let w = |i: usize| pos.get(i).copied().unwrap_or("");
    let deleting = pos.iter().any(|p| {
        matches!(
            *p,
            "del" | "delete" | "destroy" | "purge" | "remove" | "rm" | "force-leave" | "defrag"
        )
    }) && !pos.contains(&"defrag");
    let reading = matches!(
        w(0),
        "get"
            | "members"
            | "info"
            | "version"
            | "status"
            | "list"
            | "endpoint"
            | "watch"
            | "monitor"
            | "catalog"
            | "check"
            | "validate"
            | "inspect"
            | "alloc-status"
            | "node-status"
            | "member"
    ) || matches!(
        w(1),
        "get"
            | "list"
            | "status"
            | "read"
            | "members"
            | "info"
            | "inspect"
            | "health"
            | "export"
            | "services"
            | "nodes"
            | "datacenters"
            | "logs"
            | "lookup"
            | "show"
    ) || w(0) == "endpoint";
    if deleting {
        j.part(Destructive, format!("{name} deletes data"))
    } else if reading
        && !pos.iter().any(|p| {
            matches!(
                *p,
                "put"
                    | "set"
                    | "register"
                    | "deregister"
                    | "run"
                    | "stop"
                    | "restart"
                    | "leave"
                    | "reload"
                    | "apply"
                    | "write"
                    | "snapshot"
                    | "restore"
                    | "compaction"
                    | "move-leader"
                    | "lock"
                    | "drain"
                    | "eligibility"
            )
        })
    {
        j.part(ReadOnly, format!("{name} reads"))
    } else {
        j.part(Changes, format!("{name} changes the cluster"))
    }
}

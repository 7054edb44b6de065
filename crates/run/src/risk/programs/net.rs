//! HTTP clients and remote shells.

use super::*;

pub(super) fn curl(j: &mut Judge, args: &[&str]) {
    let mut method: Option<String> = None;
    let mut data = false;
    let mut get = false;
    let mut output = false;
    let mut url = String::new();
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        match a {
            "-X" | "--request" => {
                method = args.get(k + 1).map(|m| m.to_ascii_uppercase());
                k += 1;
            }
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-urlencode" | "-F"
            | "--form" | "--json" | "-T" | "--upload-file" => {
                data = true;
                k += 1;
            }
            "-G" | "--get" => get = true,
            "-I" | "--head" => method = Some("HEAD".into()),
            "-o" | "--output" => {
                output = args.get(k + 1).is_some_and(|o| *o != "/dev/null" && *o != "-");
                k += 1;
            }
            "-O" | "--remote-name" | "--remote-name-all" => output = true,
            _ if a.starts_with("-X") && a.len() > 2 => method = Some(a[2..].to_ascii_uppercase()),
            _ if a.starts_with("--request=") => method = Some(a[10..].to_ascii_uppercase()),
            _ if a.starts_with("--data") || a.starts_with("--json") || a.starts_with("--form") => {
                data = true
            }
            _ if a.starts_with("-d") && a.len() > 2 && !a.starts_with("--") => data = true,
            _ if a.starts_with("-o") && a.len() > 2 && !a.starts_with("--") => output = true,
            _ if !a.starts_with('-') => url = a.to_owned(),
            _ => {}
        }
        k += 1;
    }
    let method = method.unwrap_or_else(|| if data && !get { "POST".into() } else { "GET".into() });
    let search = [
        "_search", "_count", "_msearch", "_validate", "_explain", "_analyze", "_mget",
        "graphql?query", "/query", "_sql", "/api/v1/query", "_field_caps",
    ]
    .iter()
    .any(|p| url.contains(p));
    let destroying = url_destroys(&url);
    match method.as_str() {
        "GET" | "HEAD" | "OPTIONS" => {
            if destroying {
                j.part(Destructive, format!("curl {method} to a deleting endpoint"))
            } else if output {
                j.part(Changes, "curl writes the response to a file")
            } else {
                j.part(ReadOnly, format!("curl {method} reads"))
            }
        }
        "DELETE" => j.part(Destructive, "curl DELETE removes a resource"),
        _ if destroying => j.part(Destructive, format!("curl {method} to a deleting endpoint")),
        "POST" if search => j.part(ReadOnly, "curl POST of a search query"),
        _ => j.part(Changes, format!("curl {method} changes the server")),
    }
}

/// Whether a URL's path names a deleting endpoint (`/admin/tsdb/delete_series`,
/// `_delete_by_query`, `/purge`).
pub(super) fn url_destroys(url: &str) -> bool {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split_once('/').map_or("", |(_, p)| p).to_ascii_lowercase();
    // Emptying a cache loses nothing that is not rebuilt.
    if path.contains("cache") {
        return false;
    }
    path.split(['/', '_', '-', '?', '&', '.', '=']).any(|w| {
        matches!(
            w,
            "delete"
                | "drop"
                | "purge"
                | "wipe"
                | "truncate"
                | "destroy"
                | "flush"
                | "flushall"
                | "clear"
                | "reset"
                | "clean"
                | "tombstones"
        ) || w.starts_with("delete")
    })
}

/// HTTPie (`http`, `https`, `xh`): `http [METHOD] URL [ITEMS]`; data items make a POST.
pub(super) fn httpie(j: &mut Judge, args: &[&str]) {
    let pos: Vec<&str> = args.iter().copied().filter(|a| !a.starts_with('-')).collect();
    let (method, url, items) = match pos.first() {
        Some(m) if m.chars().all(|c| c.is_ascii_uppercase()) && m.len() >= 3 => {
            (m.to_string(), pos.get(1).copied().unwrap_or(""), &pos[2.min(pos.len())..])
        }
        _ => (String::new(), pos.first().copied().unwrap_or(""), &pos[1.min(pos.len())..]),
    };
    let data = items
        .iter()
        .any(|i| i.contains(":=") || (i.contains('=') && !i.contains("==")) || i.starts_with('@'));
    let method = if method.is_empty() {
        if data { "POST".to_owned() } else { "GET".to_owned() }
    } else {
        method
    };
    let downloads =
        args.iter().any(|a| *a == "--download" || *a == "-d" || *a == "-o" || *a == "--output");
    match method.as_str() {
        "DELETE" => j.part(Destructive, "DELETE removes a resource"),
        _ if url_destroys(url) => j.part(Destructive, format!("{method} to a deleting endpoint")),
        "GET" | "HEAD" | "OPTIONS" if downloads => j.part(Changes, "writes the response to a file"),
        "GET" | "HEAD" | "OPTIONS" => j.part(ReadOnly, format!("{method} reads")),
        _ => j.part(Changes, format!("{method} changes the server")),
    }
}

pub(super) fn wget(j: &mut Judge, args: &[&str]) {
    let to_stdout =
        args.windows(2).any(|w| (w[0] == "-O" || w[0] == "--output-document") && w[1] == "-")
            || args.iter().any(|a| {
                matches!(*a, "-qO-" | "-O-" | "--spider" | "-qO") || *a == "--output-document=-"
            });
    if args
        .iter()
        .any(|a| a.starts_with("--post") || a.starts_with("--method=") && !a.ends_with("GET"))
    {
        j.part(Changes, "wget sends data")
    } else if to_stdout {
        j.part(ReadOnly, "wget prints or only checks")
    } else {
        j.part(Changes, "wget downloads a file")
    }
}

pub(super) fn ssh(j: &mut Judge, args: &[&str], fed: Option<&str>, depth: usize) {
    let values = &[
        "-i", "-p", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-W", "-b", "-c", "-E", "-e", "-m",
        "-O", "-Q", "-S", "-w", "-B", "-I",
    ];
    let pos = positional(args, values);
    if pos.len() >= 2 {
        return j.script(&pos[1..].join(" "), depth + 1);
    }
    if let Some(text) = fed {
        return j.script(text, depth + 1);
    }
    if args.iter().any(|a| *a == "-N" || a.starts_with("-L") || a.starts_with("-D")) {
        return j.part(Changes, "ssh opens a tunnel");
    }
    j.part(Changes, "ssh: an interactive session on another host")
}

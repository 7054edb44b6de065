//! Cloud CLIs (AWS, Google Cloud, Azure and others) and Terraform.

use super::*;

pub(super) fn cloud(j: &mut Judge, name: &str, args: &[&str]) {
    let pos = positional(
        args,
        &[
            "--region", "--profile", "--output", "--query", "--project", "--zone", "-g",
            "--resource-group", "--subscription", "--filter", "--format", "--endpoint-url",
            "--cluster", "--name", "-n", "--location", "--instance-ids", "--bucket", "--key",
            "--limit", "--max-items",
        ],
    );
    // Values (`Start=2024-01-01,End=...`, ARNs, paths) are no verbs.
    let words: Vec<String> = pos
        .iter()
        .filter(|p| !p.contains(['=', ',', '/', ':']))
        .map(|p| p.to_ascii_lowercase())
        .collect();
    if args.iter().any(|a| *a == "--dryrun" || *a == "--dry-run") {
        return j.part(ReadOnly, format!("{name} --dry-run applies nothing"));
    }
    let destroys = |w: &str| {
        w.starts_with("delete")
            || w.starts_with("terminate")
            || w.starts_with("deregister")
            || w.starts_with("purge")
            || w.starts_with("destroy")
            || w.starts_with("remove-")
            || w.contains("delete")
            || w.contains("deletion")
            || matches!(w, "rm" | "rb" | "remove" | "wipe" | "detach-volume" | "release-address")
    };
    let reads = |w: &str| {
        w.starts_with("describe")
            || w.starts_with("head-")
            || w.starts_with("list")
            || w.starts_with("get")
            || w == "ls"
            || w == "show"
            || w.starts_with("show-")
            || w == "cat"
            || w == "du"
            || w == "stat"
            || w == "head-object"
            || w.starts_with("lookup")
            || w.starts_with("search")
            || w == "wait"
            || w == "whoami"
            || w == "version"
            || w == "info"
            || w.starts_with("test-")
            || w == "query"
            || w == "filter-log-events"
            || w == "tail"
            || w == "logs"
            || w == "read"
    };
    if name == "aws" && words.first().map(String::as_str) == Some("s3") {
        let verb = words.get(1).map(String::as_str).unwrap_or("");
        return match verb {
            "ls" | "presign" => j.part(ReadOnly, "aws s3 ls"),
            "cp" if pos.last() == Some(&"-") => j.part(ReadOnly, "aws s3 cp to standard output"),
            "rm" | "rb" => j.part(Destructive, format!("aws s3 {verb} deletes objects")),
            "sync" if args.contains(&"--delete") => {
                j.part(Destructive, "aws s3 sync --delete removes objects")
            }
            "mv" => j.part(Destructive, "aws s3 mv moves objects away"),
            _ => j.part(Changes, format!("aws s3 {verb} writes objects")),
        };
    }
    if words.iter().skip(1).any(|w| destroys(w))
        || (name == "gsutil" && words.first().is_some_and(|w| matches!(w.as_str(), "rm" | "rb")))
    {
        return j.part(Destructive, format!("{name} {} deletes cloud resources", words.join(" ")));
    }
    let configure = words.first().is_some_and(|w| {
        w == "configure"
            || w == "config"
            || w == "auth"
            || w == "login"
            || w == "sso"
            || w == "init"
    });
    if words.iter().any(|w| w == "update-kubeconfig" || w == "get-credentials") {
        return j.part(Changes, format!("{name} writes the local kubeconfig"));
    }
    if name == "gsutil"
        && words.first().is_some_and(|w| matches!(w.as_str(), "ls" | "cat" | "du" | "stat"))
    {
        return j.part(ReadOnly, "gsutil reads");
    }
    let reading = words.iter().skip(1).any(|w| reads(w))
        && !words.iter().skip(1).any(|w| {
            w.starts_with("create")
                || w.starts_with("put")
                || w.starts_with("update")
                || w.starts_with("set")
                || w.starts_with("start")
                || w.starts_with("stop")
                || w.starts_with("reboot")
                || w.starts_with("modify")
                || w.starts_with("run")
                || w.starts_with("invoke")
                || w.starts_with("send")
                || w.starts_with("publish")
                || w.starts_with("add")
                || w.starts_with("attach")
                || w.starts_with("resize")
                || w.starts_with("restart")
                || w.starts_with("scale")
                || w == "cp"
                || w == "sync"
                || w.starts_with("import")
                || w.starts_with("enable")
                || w.starts_with("disable")
                || w.starts_with("tag")
                || w.starts_with("execute")
                || w.starts_with("rotate")
                || w.starts_with("restore")
                || w.starts_with("copy")
                || w.starts_with("apply")
                || w.starts_with("deploy")
        });
    if configure && !reading {
        return j.part(
            Changes,
            format!(
                "{name} {} changes the local configuration",
                words.first().map_or("", |w| w.as_str())
            ),
        );
    }
    if reading || words.len() <= 1 && configure {
        if words.iter().any(|w| {
            w.contains("secret")
                || w.contains("get-password")
                || w == "get-parameter"
                || w == "access"
        }) {
            j.note("prints secrets");
        }
        return j.part(ReadOnly, format!("{name} {} reads", words.join(" ")));
    }
    j.part(Changes, format!("{name} {} changes cloud resources", words.join(" ")))
}

pub(super) fn terraform(j: &mut Judge, args: &[&str]) {
    let pos = positional(
        args,
        &["-chdir", "-var", "-var-file", "-target", "-out", "-state", "-lock-timeout"],
    );
    let verb = pos.first().copied().unwrap_or("");
    match verb {
        "plan" => {
            if args.iter().any(|a| a.starts_with("-out")) {
                j.part(Changes, "terraform plan -out writes a plan file")
            } else {
                j.part(ReadOnly, "terraform plan applies nothing")
            }
        }
        "show" | "validate" | "output" | "version" | "providers" | "graph" | "console" | "fmt"
            if verb != "fmt" || args.iter().any(|a| *a == "-check" || *a == "-diff") =>
        {
            if verb == "output" {
                j.note("prints outputs, which may be secrets");
            }
            j.part(ReadOnly, format!("terraform {verb} reads"))
        }
        "state" => match pos.get(1).copied() {
            Some("list" | "show" | "pull") => j.part(ReadOnly, "terraform state reads"),
            Some("rm" | "push" | "replace-provider") => {
                j.part(Destructive, "terraform state rm forgets resources")
            }
            _ => j.part(Changes, "terraform state changes the state"),
        },
        "workspace" => match pos.get(1).copied() {
            Some("list" | "show") => j.part(ReadOnly, "terraform workspace list"),
            Some("delete") => j.part(Destructive, "terraform workspace delete"),
            _ => j.part(Changes, "terraform workspace changes the workspace"),
        },
        "destroy" => j.part(Destructive, "terraform destroy removes every resource"),
        "apply" if args.contains(&"-destroy") => j.part(Destructive, "terraform apply -destroy"),
        "force-unlock" => j.part(Changes, "terraform force-unlock"),
        _ => j.part(Changes, format!("terraform {verb} changes infrastructure or local state")),
    }
}

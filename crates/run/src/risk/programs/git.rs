//! Git: which subcommands rewrite history or discard work.

use super::*;

pub(super) fn git(j: &mut Judge, args: &[&str]) {
    let pos = positional(args, &["-C", "-c", "--git-dir", "--work-tree"]);
    let verb = pos.first().copied().unwrap_or("");
    let rest: Vec<&str> = args.iter().skip_while(|a| **a != verb).skip(1).copied().collect();
    let flag = |s: &str| rest.contains(&s);
    match verb {
        "status" | "log" | "diff" | "show" | "blame" | "ls-files" | "ls-tree" | "ls-remote"
        | "rev-parse" | "describe" | "shortlog" | "grep" | "cat-file" | "rev-list"
        | "whatchanged" | "version" | "help" | "show-ref" | "for-each-ref" | "merge-base"
        | "name-rev" | "cherry" | "count-objects" | "fsck" | "verify-commit" | "check-ignore"
        | "bisect-log" | "" => j.part(ReadOnly, format!("git {verb} reads")),
        "branch" => {
            if any_of(&rest, &["-d", "-D", "--delete", "-M", "-C"]) {
                j.part(Destructive, "git branch -d deletes a branch")
            } else if rest.iter().all(|a| a.starts_with('-'))
                || any_of(
                    &rest,
                    &[
                        "-a", "-r", "--all", "--remotes", "--list", "-l", "--contains", "--merged",
                        "--no-merged", "-v", "-vv", "--show-current", "--points-at",
                    ],
                )
            {
                j.part(ReadOnly, "git branch lists")
            } else {
                j.part(Changes, "git branch creates a branch")
            }
        }
        "tag" => {
            if flag("-d") || flag("--delete") {
                j.part(Destructive, "git tag -d deletes a tag")
            } else if rest.iter().all(|a| a.starts_with('-')) || flag("-l") || flag("--list") {
                j.part(ReadOnly, "git tag lists")
            } else {
                j.part(Changes, "git tag creates a tag")
            }
        }
        "remote" => match rest.iter().find(|a| !a.starts_with('-')).copied() {
            None | Some("show" | "get-url") => j.part(ReadOnly, "git remote lists"),
            Some("remove" | "rm" | "prune") => j.part(Changes, "git remote removes a remote"),
            _ => j.part(Changes, "git remote changes remotes"),
        },
        "config" => {
            let values = rest.iter().filter(|a| !a.starts_with('-')).count();
            if flag("--get")
                || flag("--list")
                || flag("-l")
                || flag("--get-all")
                || flag("--get-regexp")
                || values <= 1 && !flag("--unset")
            {
                j.part(ReadOnly, "git config reads")
            } else {
                j.part(Changes, "git config sets an option")
            }
        }
        "stash" => match rest.first().copied() {
            Some("list" | "show") => j.part(ReadOnly, "git stash list"),
            Some("drop" | "clear") => j.part(Destructive, "git stash drop loses stashed changes"),
            _ => j.part(Changes, "git stash sets changes aside"),
        },
        "reset" => {
            if flag("--hard") || flag("--merge") || flag("--keep") {
                j.part(Destructive, "git reset --hard discards work")
            } else {
                j.part(Changes, "git reset moves the branch")
            }
        }
        "clean" => {
            if rest.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('n'))
                || flag("--dry-run")
            {
                j.part(ReadOnly, "git clean -n only lists")
            } else {
                j.part(Destructive, "git clean deletes untracked files")
            }
        }
        "push" => {
            let forced = rest.iter().any(|a| {
                matches!(*a, "-f" | "--force" | "--mirror" | "--delete" | "-d" | "--prune")
                    || a.starts_with("--force-with-lease")
                    || (a.starts_with('+') && a.len() > 1)
                    || (a.starts_with(':') && a.len() > 1)
            });
            if flag("--dry-run") || flag("-n") {
                j.part(ReadOnly, "git push --dry-run")
            } else if forced {
                j.part(Destructive, "git push --force or --delete rewrites the remote")
            } else {
                j.part(Changes, "git push updates the remote")
            }
        }
        "checkout" | "restore" => {
            if verb == "restore" || flag("--") || flag(".") || flag("-f") || flag("--force") {
                j.part(Destructive, format!("git {verb} discards local changes"))
            } else {
                j.part(Changes, format!("git {verb} switches the work tree"))
            }
        }
        "rebase" | "filter-branch" | "filter-repo" | "replace" | "prune" | "gc" | "reflog"
        | "update-ref" => {
            if verb == "reflog" && rest.first().is_none_or(|a| *a == "show" || a.starts_with('-')) {
                j.part(ReadOnly, "git reflog lists")
            } else if verb == "gc" && !rest.iter().any(|a| a.starts_with("--prune")) {
                j.part(Changes, "git gc packs objects")
            } else if verb == "update-ref" && !flag("-d") {
                j.part(Changes, "git update-ref moves a ref")
            } else {
                j.part(Destructive, format!("git {verb} rewrites or drops history"))
            }
        }
        "fetch" if flag("--dry-run") => j.part(ReadOnly, "git fetch --dry-run"),
        _ => j.part(Changes, format!("git {verb} changes the repository")),
    }
}

/// GitHub and GitLab CLIs: `gh api` by its method, other commands by their verbs.
pub(super) fn forge(j: &mut Judge, name: &str, args: &[&str]) {
    let pos = positional(
        args,
        &[
            "-R", "--repo", "-X", "--method", "-f", "-F", "--field", "--raw-field", "-H",
            "--header", "-q", "--jq", "--input", "-L", "--limit", "-s", "--state", "-b", "--body",
            "-t", "--title",
        ],
    );
    if pos.first() == Some(&"api") {
        let method = args
            .windows(2)
            .find(|w| w[0] == "-X" || w[0] == "--method")
            .map(|w| w[1].to_ascii_uppercase())
            .unwrap_or_else(|| {
                let fields = args
                    .iter()
                    .any(|a| matches!(*a, "-f" | "-F" | "--field" | "--raw-field" | "--input"));
                if fields { "POST".into() } else { "GET".into() }
            });
        return match method.as_str() {
            "GET" | "HEAD" => j.part(ReadOnly, format!("{name} api GET reads")),
            "DELETE" => j.part(Destructive, format!("{name} api DELETE removes a resource")),
            _ => j.part(Changes, format!("{name} api {method} changes the forge")),
        };
    }
    let verbs: Vec<&str> = pos.iter().take(2).copied().collect();
    if verbs.iter().any(|v| matches!(*v, "delete" | "remove" | "rm" | "delete-asset" | "archive")) {
        return j.part(Destructive, format!("{name} {} deletes", verbs.join(" ")));
    }
    if verbs.iter().any(|v| {
        matches!(
            *v,
            "list"
                | "ls"
                | "view"
                | "status"
                | "diff"
                | "checks"
                | "search"
                | "browse"
                | "watch"
                | "download"
                | "auth"
                | "--version"
                | "version"
                | "help"
        )
    }) && !verbs.contains(&"login")
    {
        if verbs.contains(&"download") {
            return j.part(Changes, format!("{name} {} writes files", verbs.join(" ")));
        }
        return j.part(ReadOnly, format!("{name} {} reads", verbs.join(" ")));
    }
    j.part(Changes, format!("{name} {} changes the forge", verbs.join(" ")))
}

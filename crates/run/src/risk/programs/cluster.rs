//! Kubernetes, Helm, Docker and Compose.

use super::*;

pub(super) fn kubectl(j: &mut Judge, args: &[&str], depth: usize) {
    let values = &[
        "-n", "--namespace", "--context", "-l", "--selector", "-o", "--output", "-c",
        "--container", "--kubeconfig", "-f", "--filename", "--field-selector", "--cluster",
        "--user", "-s", "--server", "--since", "--tail", "-p", "--timeout", "--sort-by",
        "--template", "-k", "--as",
    ];
    let pos = positional(args, values);
    let verb = pos.first().copied().unwrap_or("");
    let dry = args.iter().any(|a| a.starts_with("--dry-run") && *a != "--dry-run=none");
    if dry {
        return j.part(ReadOnly, format!("kubectl {verb} --dry-run applies nothing"));
    }
    match verb {
        "get" | "describe" | "logs" | "top" | "explain" | "api-resources" | "api-versions"
        | "version" | "cluster-info" | "diff" | "events" | "wait" | "port-forward" | "proxy"
        | "completion" | "plugin" | "kustomize" | "tree" | "neat" | "whoami" | "" => {
            if verb == "get"
                && pos.get(1).is_some_and(|r| r.starts_with("secret"))
                && args.iter().any(|a| a.starts_with("-o") || a.starts_with("--output"))
            {
                j.note("prints secrets");
            }
            j.part(ReadOnly, format!("kubectl {verb} reads"))
        }
        "auth" => {
            if pos.get(1) == Some(&"reconcile") {
                j.part(Changes, "kubectl auth reconcile changes RBAC")
            } else {
                j.part(ReadOnly, "kubectl auth reads")
            }
        }
        "config" => match pos.get(1).copied() {
            Some("view" | "get-contexts" | "current-context" | "get-clusters" | "get-users") => {
                j.part(ReadOnly, "kubectl config reads")
            }
            Some("delete-context" | "delete-cluster" | "delete-user" | "unset") => {
                j.part(Changes, "kubectl config removes an entry of the kubeconfig")
            }
            _ => j.part(Changes, "kubectl config changes the kubeconfig"),
        },
        "rollout" => match pos.get(1).copied() {
            Some("status" | "history") => j.part(ReadOnly, "kubectl rollout status reads"),
            _ => j.part(Changes, "kubectl rollout changes a workload"),
        },
        "exec" | "debug" | "attach" | "run" => {
            if let Some(k) = args.iter().position(|a| *a == "--") {
                let inner: Vec<String> = args[k + 1..].iter().map(|s| (*s).to_owned()).collect();
                if inner.is_empty() {
                    return j.part(Changes, format!("kubectl {verb} runs a command"));
                }
                let interactive = args[..k]
                    .iter()
                    .any(|a| matches!(*a, "-it" | "-ti" | "-i" | "--stdin" | "-t" | "--tty"));
                let shell_alone =
                    inner.len() == 1 && SHELLS.contains(&inner[0].rsplit('/').next().unwrap_or(""));
                if interactive && shell_alone {
                    return j.part(Changes, "an interactive shell in a pod");
                }
                if verb == "run" || verb == "debug" {
                    j.part(Changes, format!("kubectl {verb} starts a pod"));
                }
                return judge(j, &inner, &Input::default(), depth + 1);
            }
            if verb == "exec" {
                // Old form: `kubectl exec POD CMD...`.
                if pos.len() > 2 {
                    let inner: Vec<String> = pos[2..].iter().map(|s| (*s).to_owned()).collect();
                    return judge(j, &inner, &Input::default(), depth + 1);
                }
                return j.part(Changes, "kubectl exec runs a command in a pod");
            }
            j.part(Changes, format!("kubectl {verb} starts or attaches to a pod"))
        }
        "delete" => {
            let what = pos.get(1).copied().unwrap_or("");
            let kind = what.split('/').next().unwrap_or("").to_ascii_lowercase();
            let kind = kind.split('.').next().unwrap_or("");
            let recreated =
                matches!(
                    kind,
                    "pod"
                        | "pods"
                        | "po"
                        | "job"
                        | "jobs"
                        | "event"
                        | "events"
                        | "ev"
                        | "lease"
                        | "leases"
                        | "endpoints"
                        | "ep"
                        | "replicaset"
                        | "replicasets"
                        | "rs"
                ) && !args.iter().any(|a| *a == "--all" || *a == "-A" || *a == "--all-namespaces");
            if recreated {
                j.part(Changes, format!("kubectl delete {kind}, which its controller recreates"))
            } else {
                j.part(Destructive, format!("kubectl delete {what} removes cluster objects"))
            }
        }
        "drain" => j.part(Changes, "kubectl drain evicts every pod of a node"),
        "replace" if args.contains(&"--force") => {
            j.part(Destructive, "kubectl replace --force deletes and recreates")
        }
        "cp" => j.part(Changes, "kubectl cp copies files"),
        _ => j.part(Changes, format!("kubectl {verb} changes the cluster")),
    }
}

pub(super) fn helm(j: &mut Judge, args: &[&str]) {
    let pos = positional(
        args,
        &[
            "-n", "--namespace", "--kube-context", "-f", "--values", "--set", "--version", "-o",
            "--output", "--repo",
        ],
    );
    let verb = pos.first().copied().unwrap_or("");
    if args.iter().any(|a| *a == "--dry-run" || a.starts_with("--dry-run=")) && verb != "uninstall"
    {
        return j.part(ReadOnly, format!("helm {verb} --dry-run applies nothing"));
    }
    match verb {
        "list" | "ls" | "status" | "get" | "history" | "show" | "inspect" | "template" | "lint"
        | "search" | "version" | "env" | "verify" | "diff" | "" => {
            j.part(ReadOnly, format!("helm {verb} reads"))
        }
        "repo" => match pos.get(1).copied() {
            Some("list" | "ls") => j.part(ReadOnly, "helm repo list"),
            _ => j.part(Changes, "helm repo changes the local repositories"),
        },
        "uninstall" | "delete" | "del" | "un" => {
            j.part(Destructive, "helm uninstall removes a release")
        }
        _ => j.part(Changes, format!("helm {verb} changes a release")),
    }
}

pub(super) fn docker(j: &mut Judge, name: &str, args: &[&str], depth: usize) {
    let values = &["-H", "--host", "--context", "-c", "--config", "--log-level"];
    let pos = positional(args, values);
    let verb = pos.first().copied().unwrap_or("");
    let sub = pos.get(1).copied().unwrap_or("");
    let reading = |j: &mut Judge, what: &str| j.part(ReadOnly, format!("{name} {what} reads"));
    match (verb, sub) {
        (
            "ps" | "images" | "logs" | "inspect" | "stats" | "info" | "version" | "top" | "port"
            | "diff" | "events" | "history" | "search" | "",
            _,
        ) => reading(j, verb),
        (
            "container" | "image" | "volume" | "network" | "node" | "service" | "secret" | "config"
            | "context" | "plugin" | "buildx" | "stack" | "swarm",
            "ls" | "list" | "inspect" | "ps" | "logs" | "show" | "history" | "du",
        ) => reading(j, verb),
        ("system", "df" | "info" | "events") => reading(j, "system"),
        ("compose", _) => {
            let at = args.iter().position(|a| *a == "compose").map_or(args.len(), |k| k + 1);
            compose(j, &args[at..])
        }
        ("exec", _) => {
            let rest = &args[args.iter().position(|a| *a == "exec").map_or(0, |k| k + 1)..];
            let opts = &["-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file"];
            match after_options(rest, opts) {
                Some(k) if k + 1 < rest.len() => {
                    let inner: Vec<String> =
                        rest[k + 1..].iter().map(|s| (*s).to_owned()).collect();
                    let interactive = rest[..k].iter().any(|a| matches!(*a, "-it" | "-ti" | "-i"));
                    if interactive
                        && inner.len() == 1
                        && SHELLS.contains(&inner[0].rsplit('/').next().unwrap_or(""))
                    {
                        return j.part(Changes, "an interactive shell in a container");
                    }
                    judge(j, &inner, &Input::default(), depth + 1)
                }
                _ => j.part(Changes, format!("{name} exec runs a command")),
            }
        }
        ("rm" | "rmi", _)
        | (
            "container" | "image" | "volume" | "network" | "system" | "builder",
            "rm" | "prune" | "remove" | "reset",
        )
        | ("volume" | "image" | "container" | "network" | "system" | "builder", _)
            if matches!(verb, "rm" | "rmi")
                || matches!(sub, "rm" | "prune" | "remove" | "reset") =>
        {
            j.part(
                Destructive,
                format!("{name} {verb} {sub} removes containers, images or volumes"),
            )
        }
        (
            "kill" | "stop" | "restart" | "start" | "pause" | "unpause" | "run" | "create" | "pull"
            | "push" | "build" | "tag" | "login" | "logout" | "cp" | "update" | "rename" | "commit"
            | "save" | "load" | "import" | "export",
            _,
        ) => j.part(Changes, format!("{name} {verb} changes containers or images")),
        _ => j.part(Changes, format!("{name} {verb} changes the engine")),
    }
}

pub(super) fn compose(j: &mut Judge, args: &[&str]) {
    let pos =
        positional(args, &["-f", "--file", "-p", "--project-name", "--env-file", "--profile"]);
    match pos.first().copied().unwrap_or("") {
        "ps" | "logs" | "config" | "top" | "images" | "ls" | "version" | "port" | "events" => {
            j.part(ReadOnly, "docker compose reads")
        }
        "down" if args.iter().any(|a| *a == "-v" || *a == "--volumes" || *a == "--rmi") => {
            j.part(Destructive, "docker compose down -v removes volumes")
        }
        "rm" => j.part(Destructive, "docker compose rm removes containers"),
        verb => j.part(Changes, format!("docker compose {verb} changes services")),
    }
}

//! The host: services, the journal, network and firewall, packages, certificates, fleets.

use super::*;

pub(super) fn systemctl(j: &mut Judge, args: &[&str]) {
    let pos = positional(
        args,
        &[
            "-H", "--host", "-M", "--machine", "-p", "--property", "-t", "--type", "--state", "-n",
            "--lines", "-o", "--output", "-s", "--signal",
        ],
    );
    let verb = pos.first().copied().unwrap_or("list-units");
    match verb {
        "status" | "show" | "cat" | "is-active" | "is-enabled" | "is-failed"
        | "is-system-running" | "list-units" | "list-unit-files" | "list-timers"
        | "list-sockets" | "list-dependencies" | "list-jobs" | "list-machines" | "get-default"
        | "show-environment" | "help" => j.part(ReadOnly, format!("systemctl {verb} reads")),
        "reboot" | "poweroff" | "halt" | "kexec" | "suspend" | "hibernate" | "rescue"
        | "emergency" | "soft-reboot" => {
            j.part(Destructive, format!("systemctl {verb} stops the host"))
        }
        _ => j.part(Changes, format!("systemctl {verb} changes a service")),
    }
}

pub(super) fn service(j: &mut Judge, args: &[&str]) {
    match args.get(1).copied().or(args.first().copied()) {
        Some("status") | Some("--status-all") => j.part(ReadOnly, "service status reads"),
        _ => j.part(Changes, "service changes a service"),
    }
}

pub(super) fn journalctl(j: &mut Judge, args: &[&str]) {
    if args.iter().any(|a| a.starts_with("--vacuum")) {
        j.part(Destructive, "journalctl --vacuum deletes journal files")
    } else if any_of(
        args,
        &[
            "--rotate", "--flush", "--sync", "--relinquish-var", "--smart-relinquish-var",
            "--setup-keys",
        ],
    ) {
        j.part(Changes, "journalctl changes the journal")
    } else {
        j.part(ReadOnly, "journalctl prints the journal")
    }
}

pub(super) fn ip(j: &mut Judge, args: &[&str]) {
    let pos: Vec<&&str> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let verbs = [
        "add", "del", "delete", "change", "replace", "set", "flush", "append", "prepend", "up",
        "down", "exec", "attach", "detach",
    ];
    if pos.iter().any(|w| matches!(**w, "flush")) {
        j.part(Destructive, "ip flush removes addresses or routes")
    } else if pos.iter().any(|w| verbs.contains(w)) {
        j.part(Changes, "ip changes the network")
    } else {
        j.part(ReadOnly, "ip shows the network")
    }
}

pub(super) fn iptables(j: &mut Judge, name: &str, args: &[&str]) {
    let any = |opts: &[&str]| args.iter().any(|a| opts.contains(a));
    if any(&["-F", "--flush", "-X", "--delete-chain", "-Z", "--zero"]) {
        j.part(Destructive, format!("{name} flushes rules"))
    } else if any(&["-P", "--policy"]) {
        j.part(Destructive, format!("{name} -P changes a chain's policy"))
    } else if any(&[
        "-A", "--append", "-I", "--insert", "-D", "--delete", "-R", "--replace", "-N",
        "--new-chain", "-E",
    ]) {
        j.part(Changes, format!("{name} changes one rule"))
    } else {
        j.part(ReadOnly, format!("{name} lists rules"))
    }
}

pub(super) fn packages(j: &mut Judge, name: &str, args: &[&str]) {
    let pos: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).copied().collect();
    let verb = pos.first().copied().unwrap_or("");
    if args
        .iter()
        .any(|a| matches!(*a, "--dry-run" | "-s" | "--simulate" | "--just-print" | "--assumeno"))
        && !matches!(name, "rpm" | "dpkg")
    {
        return j.part(ReadOnly, format!("{name} --dry-run installs nothing"));
    }
    if matches!(name, "rpm" | "dpkg") {
        let erase = args
            .iter()
            .any(|a| matches!(*a, "-e" | "--erase" | "-r" | "--remove" | "-P" | "--purge"));
        let install = args.iter().any(|a| {
            a.starts_with("-i")
                || a.starts_with("-U")
                || a.starts_with("-F")
                || *a == "--install"
                || *a == "--configure"
                || a.starts_with("--set-selections")
        });
        return if erase {
            j.part(Destructive, format!("{name} removes a package"))
        } else if install {
            j.part(Changes, format!("{name} installs a package"))
        } else {
            j.part(ReadOnly, format!("{name} queries packages"))
        };
    }
    if name == "pacman" {
        return if args.iter().any(|a| a.starts_with("-R")) {
            j.part(Destructive, "pacman -R removes packages")
        } else if args.iter().any(|a| {
            a.starts_with("-S") && !a.contains('s') && !a.contains('i') || a.starts_with("-U")
        }) {
            j.part(Changes, "pacman installs packages")
        } else {
            j.part(ReadOnly, "pacman queries")
        };
    }
    match verb {
        "list" | "ls" | "show" | "info" | "search" | "policy" | "depends" | "rdepends" | "view"
        | "outdated" | "freeze" | "check" | "audit" | "why" | "query" | "provides"
        | "whatprovides" | "repolist" | "history" | "help" | "--version" | "version" | "config"
        | "doctor" | "owner" | "madison" | "changelog" | "deplist" | "explain" | "env" | "-v"
        | "" | "info-installed" => {
            if verb == "config" && pos.len() > 2 {
                return j.part(Changes, format!("{name} config sets an option"));
            }
            j.part(ReadOnly, format!("{name} {verb} reads"))
        }
        "remove" | "purge" | "autoremove" | "erase" | "uninstall" | "rm" | "un" | "autoclean"
        | "clean" | "prune" | "del" => {
            if matches!(verb, "clean" | "autoclean")
                || matches!(
                    name,
                    "pip"
                        | "pip3"
                        | "pipx"
                        | "npm"
                        | "yarn"
                        | "pnpm"
                        | "gem"
                        | "uv"
                        | "poetry"
                        | "composer"
                ) && verb != "prune"
            {
                j.part(Changes, format!("{name} {verb} removes a package or cache"))
            } else {
                j.part(Destructive, format!("{name} {verb} removes packages"))
            }
        }
        _ => j.part(Changes, format!("{name} {verb} changes installed packages")),
    }
}

pub(super) fn openssl(j: &mut Judge, args: &[&str]) {
    let verb = args.first().copied().unwrap_or("");
    let out = args.iter().any(|a| *a == "-out" || *a == "-keyout" || a.starts_with("-out="));
    match verb {
        "genrsa" | "genpkey" | "req" | "ca" | "x509" | "pkcs12" | "rsa" | "ec" | "dhparam"
        | "ecparam" | "enc" | "dgst" | "pkey" | "crl" | "smime" | "cms" | "rand" | "ts"
        | "verify" | "s_client" | "version" | "ciphers" | "s_time" | "speed" | "list"
        | "asn1parse" | "errstr" | "ocsp" | "crl2pkcs7" | "pkcs7" | "sess_id" | "storeutl"
        | "passwd" | "prime" | "base64" | "" => {
            if out
                || matches!(verb, "genrsa" | "genpkey" | "dhparam")
                || (verb == "ca" && !args.contains(&"-revoke"))
            {
                j.part(Changes, format!("openssl {verb} writes a key or certificate"))
            } else if verb == "ca" {
                j.part(Changes, "openssl ca -revoke")
            } else {
                if matches!(verb, "rsa" | "pkey" | "ec" | "pkcs12")
                    && !args.contains(&"-pubout")
                    && !args.contains(&"-noout")
                {
                    j.note("prints a private key");
                }
                j.part(ReadOnly, format!("openssl {verb} prints"))
            }
        }
        _ if out => j.part(Changes, format!("openssl {verb} writes a file")),
        _ => j.part(ReadOnly, format!("openssl {verb} prints")),
    }
}

pub(super) fn fleet(j: &mut Judge, name: &str, args: &[&str], depth: usize) {
    if args.iter().any(|a| {
        *a == "--check"
            || *a == "-C"
            || *a == "--list-hosts"
            || *a == "--syntax-check"
            || *a == "--list-tasks"
            || *a == "--noop"
            || *a == "test=True"
    }) {
        return j.part(ReadOnly, format!("{name} in check mode"));
    }
    if name == "ansible" {
        if let Some(k) = args.iter().position(|a| *a == "-a" || *a == "--args") {
            let module = args.windows(2).find(|w| w[0] == "-m").map(|w| w[1]).unwrap_or("command");
            if matches!(module, "command" | "shell" | "raw") {
                return j.script(args.get(k + 1).copied().unwrap_or(""), depth + 1);
            }
        }
        if args.windows(2).any(|w| {
            w[0] == "-m"
                && matches!(
                    w[1],
                    "ping"
                        | "setup"
                        | "debug"
                        | "stat"
                        | "slurp"
                        | "find"
                        | "gather_facts"
                        | "command"
                )
        }) && !args.contains(&"-a")
        {
            return j.part(ReadOnly, "ansible -m ping or setup reads");
        }
    }
    if matches!(name, "pssh" | "parallel-ssh" | "clush" | "pdsh") {
        let pos = positional(
            args,
            &["-h", "-H", "-w", "-g", "-l", "-p", "-t", "-o", "-e", "-x", "-O", "-R", "-f"],
        );
        if let Some(cmd) = pos.last() {
            return j.script(cmd, depth + 1);
        }
    }
    if name == "salt" {
        let pos: Vec<&&str> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if pos.len() >= 3 && *pos[1] == "cmd.run" {
            return j.script(pos[2], depth + 1);
        }
        if pos.get(1).is_some_and(|f| {
            f.starts_with("test.")
                || f.ends_with(".list")
                || f.ends_with(".get")
                || f.starts_with("grains.")
                || f.ends_with(".status")
                || f.starts_with("pillar.get")
                || f.ends_with(".show")
        }) {
            return j.part(ReadOnly, "salt reads");
        }
    }
    j.part(Changes, format!("{name} applies changes to hosts"))
}

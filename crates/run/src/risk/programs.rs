//! The rules for each program: what its subcommands and options do.

mod cloud;
mod cluster;
mod data;
mod files;
mod git;
mod host;
mod net;

use super::{Judge, Risk, redis, sql};

use Risk::{Changes, Destructive, ReadOnly};

/// What a command reads besides its words.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Input<'a> {
    /// Text fed to its standard input: a here-document, a here-string, or what an `echo`
    /// before it in the pipeline prints.
    pub fed: Option<&'a str>,
    /// The file its standard input is redirected from (`< dump.sql`).
    pub file: Option<&'a str>,
    /// Whether it reads the output of a command before it in a pipeline.
    pub piped: bool,
}

/// Whether a file name looks like a backup or dump to restore.
fn is_dump(file: &str) -> bool {
    let f = file.to_ascii_lowercase();
    ["dump", "backup", "bak", "restore", "snapshot"].iter().any(|w| f.contains(w))
}

/// Programs that read and print. Those that can also write are matched by a rule of their
/// own in `judge` first; this list is the fallback for the rest.
const READERS: &[&str] = &[
    "ls", "ll", "cat", "head", "tail", "less", "more", "grep", "egrep", "fgrep", "rg", "ag",
    "zgrep", "zcat", "bzcat", "xzcat", "zless", "wc", "sort", "uniq", "cut", "tr", "jq", "yq",
    "du", "df", "free", "uptime", "ps", "top", "htop", "atop", "pgrep", "pidof", "lsof", "ss",
    "netstat", "ping", "ping6", "traceroute", "tracepath", "mtr", "dig", "nslookup", "host",
    "whois", "hostname", "uname", "whoami", "id", "groups", "printenv", "echo", "printf", "true",
    "false", "test", "[", "[[", "stat", "file", "which", "type", "whereis", "readlink", "realpath",
    "basename", "dirname", "md5sum", "sha256sum", "sha1sum", "sha512sum", "cksum", "b2sum", "diff",
    "cmp", "comm", "xxd", "hexdump", "od", "strings", "tree", "locate", "tac", "nl", "column",
    "fold", "fmt", "paste", "join", "expand", "seq", "sleep", "vmstat", "iostat", "mpstat", "sar",
    "pidstat", "nproc", "lscpu", "lsmem", "lspci", "lsusb", "lsmod", "modinfo", "lsblk", "blkid",
    "findmnt", "getent", "last", "lastlog", "w", "who", "users", "ulimit", "strace", "ltrace",
    "getenforce", "sestatus", "aa-status", "pwd", "cal", "look", "numfmt", "base64", "iconv", "bc",
    "expr", "timedatectl", "hostnamectl", "localectl", "loginctl", "networkctl", "resolvectl",
    "nmcli", "arp", "route", "ethtool", "iwconfig", "iftop", "nethogs", "iotop", "dstat",
    "glances", "nvidia-smi", "sensors", "smartctl", "dmidecode", "lshw", "hwinfo", "inxi", "env",
    "export", "set", "alias", "history", "jobs", "wait", "read", "cd", "pushd", "popd", "dirs",
    "umask", "source", ".", "let", "declare", "local", "readonly", "shift", "getopts", "return",
    "exit", "break", "continue", "trap", "hash", "help", "man", "info", "apropos", "whatis",
    "tldr", "curlie", "http", "nc", "ncat", "telnet", "openssl", "dpkg-query", "rpm", "apt-cache",
    "apt-file", "dpkg", "systemd-analyze", "systemd-cgls", "systemd-cgtop", "journalctl", "dmesg",
    "sysctl", "mount", "ip", "ifconfig", "iptables", "ip6tables", "iptables-save", "nft", "ufw",
    "firewall-cmd", "crontab", "kill", "date", "watch", "time", "xargs", "tee", "sed", "awk",
    "gawk", "mawk", "find", "tar", "unzip", "zip", "gzip", "gunzip", "curl", "wget", "zstdcat",
    "lz4cat", "ldd", "nm", "objdump", "readelf", "pstree", "pmap", "fuser", "ipcs", "showmount",
    "exportfs", "quota", "repquota", "chage", "faillock", "pwck", "grpck", "tput", "stty", "tty",
    "clear", "reset", "script", "yes", "keytool", "certutil", "ssh-keygen", "gpg", "tcpdump",
    "tshark", "ngrep", "nmap", "ab", "wrk", "hey", "siege", "k6", "vegeta", "grpcurl", "kcat",
    "kafkacat", "promtool", "amtool", "consul", "vault", "nomad", "etcdctl", "nfsstat", "pvs",
    "vgs", "lvs", "pvdisplay", "vgdisplay", "lvdisplay", "pvscan", "vgscan", "lvscan", "ausearch",
    "aureport", "audit2why", "audit2allow", "jstack", "jps", "jstat", "jinfo", "col", "namei",
    "getfacl", "lsattr", "colrm", "rev", "shuf", "csvlook", "mlr", "xmllint", "pv", "ccze", "bat",
    "fd", "exa", "eza", "duf", "dust", "ncdu", "btop", "gdu", "procs", "ioping", "lsns", "lslocks",
    "lsipc", "nstat", "ifstat", "bmon", "dnstop", "drill", "kdig", "delv", "q", "doggo", "jless",
    "gron", "htmlq",
];

/// Programs that only delete or wipe.
const ERASERS: &[&str] = &[
    "rm", "shred", "wipefs", "unlink", "srm", "mkswap", "blkdiscard", "sgdisk", "sfdisk", "gdisk",
    "cfdisk", "lvremove", "vgremove", "pvremove", "zap", "dropdb", "dropuser", "userdel",
    "groupdel", "deluser", "delgroup", "kdestroy", "pg_resetwal", "pg_resetxlog",
];

/// Checkers that only report (besides every `*lint`).
const LINTERS: &[&str] = &[
    "shellcheck", "hadolint", "kubeval", "kubeconform", "kube-score", "kube-linter", "conftest",
    "checkov", "tfsec", "trivy", "grype", "syft", "semgrep", "gitleaks", "trufflehog", "ajv",
    "jsonschema", "check-jsonschema", "spectral", "vale", "codespell", "typos",
];

/// Programs that power a host off or restart it.
const POWER: &[&str] = &["reboot", "poweroff", "shutdown", "halt", "kexec"];

/// Programs that run the command in their arguments, with the options they take a value
/// after.
const WRAPPERS: &[(&str, &[&str])] = &[
    ("sudo", &["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "--user", "--group"]),
    ("doas", &["-u", "-C"]),
    ("env", &["-u", "-C", "-S", "--unset", "--chdir"]),
    ("timeout", &["-s", "-k", "--signal", "--kill-after"]),
    ("nice", &["-n", "--adjustment"]),
    ("ionice", &["-c", "-n", "-p", "--class", "--classdata"]),
    ("nohup", &[]),
    ("time", &["-f", "-o", "--format", "--output"]),
    ("stdbuf", &["-i", "-o", "-e"]),
    ("command", &[]),
    ("builtin", &[]),
    ("exec", &["-a"]),
    ("chrt", &[]),
    ("taskset", &[]),
    ("setsid", &[]),
    ("unbuffer", &[]),
    ("caffeinate", &[]),
    ("flock", &["-w", "-E", "--timeout"]),
    ("runuser", &["-u", "-g", "--user", "--group"]),
    ("nsenter", &["-t", "--target"]),
    ("chronic", &[]),
    ("strace", &["-e", "-o", "-p", "-s", "-E", "-u"]),
    ("ltrace", &["-e", "-o", "-p", "-s"]),
    ("perf", &[]),
];

/// Shells and interpreters: `-c TEXT` or a fed script is judged; a script file or an
/// interactive session is unknown.
const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "busybox"];

/// Interpreters of other languages: their code is not read.
const INTERPRETERS: &[&str] = &[
    "python", "python3", "python2", "perl", "ruby", "node", "nodejs", "php", "lua", "deno", "bun",
    "bundle", "rails", "rake", "artisan", "dotnet", "mvn", "gradle", "sbt", "mix", "elixir",
    "Rscript", "java", "go", "cargo", "make", "npx", "pwsh", "powershell", "osascript", "expect",
];

/// Arguments that only ask for help or the version.
const HELP: &[&str] =
    &["--help", "-h", "-help", "--version", "-V", "-version", "version", "help", "--usage"];

/// Options by which a tool only shows what it would do.
const DRY_RUN: &[&str] = &[
    "--dry-run", "--dryrun", "--dry-run=client", "--dry-run=server", "--no-act", "--simulate",
    "--what-if", "--whatif", "--noop", "--just-print", "--recon", "--check", "-check",
];

/// Servers and tools whose flag only tests a configuration.
const CONFIG_TESTS: &[(&str, &[&str])] = &[
    ("nginx", &["-t", "-T"]),
    ("haproxy", &["-c"]),
    ("visudo", &["-c", "--check"]),
    ("sshd", &["-t", "-T"]),
    ("apachectl", &["configtest", "-t", "-S"]),
    ("apache2ctl", &["configtest", "-t", "-S"]),
    ("httpd", &["-t", "-S"]),
    ("named-checkconf", &[]),
    ("caddy", &["validate", "fmt"]),
    ("envoy", &["--mode"]),
    ("postfix", &["check"]),
    ("squid", &["-k"]),
    ("varnishd", &["-C"]),
    ("traefik", &["healthcheck"]),
    ("dnsmasq", &["--test"]),
    ("unbound-checkconf", &[]),
    ("systemd-analyze", &["verify"]),
    ("promtool", &["check"]),
    ("amtool", &["check-config"]),
    ("vector", &["validate"]),
    ("otelcol", &["validate"]),
];

/// First words of an unknown tool that only read.
const READ_VERBS: &[&str] = &[
    "list", "ls", "status", "show", "get", "describe", "info", "inspect", "logs", "log", "top",
    "ps", "cat", "stats", "stat", "check", "verify", "validate", "health", "healthcheck", "ping",
    "whoami", "search", "query", "diff", "print", "dump-config", "history", "certificates",
    "images", "tail", "view", "find", "lookup", "doctor", "config-show", "iostat", "events",
    "version", "help", "explain", "plan", "preview", "audit", "outdated", "tree", "env",
];

/// Words of an unknown tool (or of a task such as `db:drop`) that lose data.
const DESTROY_VERBS: &[&str] = &[
    "destroy", "delete", "drop", "purge", "remove", "rm", "wipe", "flush", "erase", "prune",
    "truncate", "uninstall", "zap", "clear", "nuke", "obliterate", "reset", "kill-all", "rmi",
    "forget", "revoke", "deregister", "unregister", "terminate",
];

/// Judges one simple command.
pub(super) fn judge(j: &mut Judge, words: &[String], input: &Input<'_>, depth: usize) {
    let (fed, piped) = (input.fed, input.piped);
    let name = words[0].rsplit('/').next().unwrap_or(&words[0]);
    let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    if let Some((_, takes)) = WRAPPERS.iter().find(|(w, _)| *w == name) {
        if name == "strace" || name == "ltrace" {
            if let Some(at) = after_options(&args, takes) {
                return judge(j, &words[1 + at..], input, depth);
            }
            return j.part(ReadOnly, format!("{name} attaches to a process and prints"));
        }
        if name == "perf" {
            return perf(j, words, &args, input, depth);
        }
        let mut rest = &args[..];
        // `timeout 5s CMD`, `nice -n 10 CMD`, `env X=1 CMD`, `sudo -u pg CMD`.
        let mut k = 0;
        while k < rest.len() {
            let a = rest[k];
            if takes.contains(&a) {
                k += 2;
            } else if a.starts_with('-') || (name == "env" && a.contains('=')) {
                k += 1;
            } else {
                break;
            }
        }
        rest = &rest[k.min(rest.len())..];
        if name == "timeout" && !rest.is_empty() {
            rest = &rest[1..];
        }
        if matches!(name, "chrt" | "taskset") && !rest.is_empty() {
            rest = &rest[1..];
        }
        if name == "flock" && !rest.is_empty() {
            rest = &rest[1..];
        }
        if rest.is_empty() {
            let class = if matches!(name, "env" | "command" | "time") { ReadOnly } else { Changes };
            return j.part(class, format!("{name} alone"));
        }
        let start = words.len() - rest.len();
        return judge(j, &words[start..], input, depth);
    }
    if args.iter().any(|a| DRY_RUN.contains(a)) && !WRAPPERS.iter().any(|(w, _)| *w == name) {
        return j.part(ReadOnly, format!("{name} in dry-run mode applies nothing"));
    }
    if !args.is_empty() && args.iter().all(|a| HELP.contains(a)) {
        return j.part(ReadOnly, format!("{name} prints its help or version"));
    }
    if let Some((_, flags)) = CONFIG_TESTS.iter().find(|(p, _)| *p == name)
        && args.iter().any(|a| flags.contains(a))
    {
        return j.part(ReadOnly, format!("{name} only tests its configuration"));
    }
    if SHELLS.contains(&name) {
        return shell(j, name, &args, input, depth);
    }
    if INTERPRETERS.iter().any(|i| name.starts_with(i)) {
        return interpreter(j, name, &args, input, depth);
    }
    if name.ends_with("lint") || LINTERS.contains(&name) {
        return if any_of(&args, &["--fix", "-w", "--write", "--fix-dry-run", "-i", "--in-place"])
            && !args.contains(&"--fix-dry-run")
        {
            j.part(Changes, format!("{name} --fix rewrites files"))
        } else {
            j.part(ReadOnly, format!("{name} only reports problems"))
        };
    }
    if ERASERS.contains(&name) {
        return j.part(Destructive, format!("{name} deletes or wipes"));
    }
    if name == "shutdown" && args.contains(&"-c") {
        return j.part(Changes, "shutdown -c cancels a pending shutdown");
    }
    if matches!(name, "init" | "telinit") {
        return match args.first().copied() {
            Some("0" | "6" | "1" | "s" | "S") => {
                j.part(Destructive, format!("{name} changes the runlevel: halts or restarts"))
            }
            Some("q" | "Q" | "u" | "U") => j.part(Changes, format!("{name} reloads")),
            _ => j.part(Changes, format!("{name} changes the runlevel")),
        };
    }
    if POWER.contains(&name) {
        return j.part(Destructive, format!("{name} powers the host off or restarts it"));
    }
    if name.starts_with("mkfs") || name == "mke2fs" || name == "pvcreate" {
        return j.part(Destructive, format!("{name} formats a device"));
    }
    match name {
        "kubectl" | "oc" | "k" => cluster::kubectl(j, &args, depth),
        "helm" => cluster::helm(j, &args),
        "docker" | "podman" | "nerdctl" => cluster::docker(j, name, &args, depth),
        "docker-compose" => cluster::compose(j, &args),
        "git" => git::git(j, &args),
        "gh" | "glab" | "hub" | "tea" => git::forge(j, name, &args),
        "systemctl" => host::systemctl(j, &args),
        "service" => host::service(j, &args),
        "journalctl" => host::journalctl(j, &args),
        "psql" | "mysql" | "mariadb" | "sqlite3" | "cockroach" | "clickhouse-client" | "sqlcmd"
        | "cqlsh" => data::sql_client(j, name, &args, input),
        "redis-cli" | "valkey-cli" | "keydb-cli" => redis::judge(j, &args, fed),
        "mongo" | "mongosh" => data::mongo(j, &args, fed),
        "curl" => net::curl(j, &args),
        "wget" => net::wget(j, &args),
        "http" | "https" | "xh" | "xhs" => net::httpie(j, &args),
        "aws" => cloud::cloud(j, "aws", &args),
        "gcloud" | "gsutil" | "az" | "doctl" | "linode-cli" | "hcloud" | "oci" | "ibmcloud" => {
            cloud::cloud(j, name, &args)
        }
        "terraform" | "tofu" | "terragrunt" => cloud::terraform(j, &args),
        "ssh" => net::ssh(j, &args, fed, depth),
        "scp" | "rsync" | "sftp" => files::copy_remote(j, name, &args),
        "cp" | "mv" | "install" | "ln" => files::copy(j, name, &args),
        "find" => files::find(j, &args, depth),
        "xargs" => xargs(j, words, &args, input, depth),
        "sed" => {
            if args
                .iter()
                .any(|a| a.starts_with("-i") || *a == "--in-place" || a.starts_with("--in-place="))
            {
                j.part(Changes, "sed -i edits a file in place")
            } else {
                j.part(ReadOnly, "sed prints")
            }
        }
        "awk" | "gawk" | "mawk" => {
            if args.windows(2).any(|w| w[0] == "-i" && w[1] == "inplace") {
                j.part(Changes, "awk -i inplace edits a file")
            } else if args.iter().any(|a| a.contains("system(")) {
                j.part(Changes, "awk runs commands")
            } else {
                j.part(ReadOnly, "awk prints")
            }
        }
        "tee" => {
            let files: Vec<&&str> = args.iter().filter(|a| !a.starts_with('-')).collect();
            let appends = args.iter().any(|a| *a == "-a" || *a == "--append");
            if files.iter().all(|f| **f == "/dev/null" || **f == "/dev/stderr") {
                j.part(ReadOnly, "tee to the terminal")
            } else if files.iter().any(|f| f.ends_with("sysrq-trigger")) {
                j.part(
                    Destructive,
                    "writes the kernel's SysRq trigger (crash, reboot or power off)",
                )
            } else if files.iter().any(|f| f.starts_with("/proc/") || f.starts_with("/sys/")) {
                j.part(Changes, "tee writes a kernel setting")
            } else if !appends && files.iter().any(|f| super::is_config_path(f)) {
                j.part(Destructive, "tee replaces a configuration file")
            } else {
                j.part(Changes, "tee writes a file")
            }
        }
        "truncate" => j.part(Destructive, "truncate cuts a file"),
        "dd" => {
            if args.iter().any(|a| a.starts_with("of=") && !a.ends_with("/dev/null")) {
                j.part(Destructive, "dd writes over its output")
            } else {
                j.part(ReadOnly, "dd reads to the terminal")
            }
        }
        "fdisk" | "parted" => {
            if args.iter().any(|a| *a == "-l" || *a == "--list" || *a == "print") {
                j.part(ReadOnly, format!("{name} lists partitions"))
            } else {
                j.part(Destructive, format!("{name} changes partitions"))
            }
        }
        "tar" | "bsdtar" => files::tar(j, &args),
        "unzip" => {
            if args.iter().any(|a| *a == "-l" || *a == "-t" || *a == "-v" || *a == "-Z") {
                j.part(ReadOnly, "unzip lists")
            } else if args.contains(&"-o") {
                j.part(Destructive, "unzip -o overwrites files")
            } else {
                j.part(Changes, "unzip extracts files")
            }
        }
        "zip" | "gzip" | "gunzip" | "bzip2" | "xz" | "zstd" | "lz4" | "7z" => {
            if any_of(&args, &["-l", "-t", "--list", "--test", "-c", "-dc", "--stdout"]) {
                j.part(ReadOnly, format!("{name} lists or prints"))
            } else {
                j.part(Changes, format!("{name} writes an archive"))
            }
        }
        "chmod" | "chown" | "chgrp" | "setfacl" | "chattr" => {
            let recursive = args.iter().any(|a| *a == "-R" || *a == "--recursive");
            let system = args.iter().any(|a| is_system_tree(a));
            if recursive && system {
                j.part(Destructive, format!("{name} -R on a system tree"))
            } else {
                j.part(Changes, format!("{name} changes permissions"))
            }
        }
        "mkdir" | "touch" | "mktemp" | "mkfifo" => j.part(Changes, format!("{name} creates")),
        "rmdir" => j.part(Changes, "rmdir removes an empty directory"),
        "kill" | "pkill" | "killall" | "skill" => {
            if name == "kill"
                && args.iter().any(|a| *a == "-0" || *a == "-l" || *a == "-L" || *a == "--list")
            {
                j.part(ReadOnly, "kill -0 or -l sends no signal")
            } else if name == "kill" && args.iter().any(|a| *a == "1" || *a == "-1") {
                j.part(Destructive, "kill of every process or init")
            } else {
                j.part(Changes, format!("{name} signals processes"))
            }
        }
        "date" => {
            if args.iter().any(|a| *a == "-s" || a.starts_with("--set")) {
                j.part(Changes, "date -s sets the clock")
            } else {
                j.part(ReadOnly, "date prints")
            }
        }
        "hostname" => {
            if args.iter().any(|a| !a.starts_with('-')) {
                j.part(Changes, "hostname sets the name")
            } else {
                j.part(ReadOnly, "hostname prints")
            }
        }
        "timedatectl" | "hostnamectl" | "localectl" | "loginctl" | "resolvectl" | "networkctl" => {
            let verb = args.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("status");
            if verb.starts_with("set-")
                || matches!(
                    verb,
                    "reload"
                        | "reconfigure"
                        | "terminate-session"
                        | "terminate-user"
                        | "kill-session"
                        | "kill-user"
                        | "flush-caches"
                        | "reset-statistics"
                        | "up"
                        | "down"
                        | "renew"
                        | "forcerenew"
                        | "dns"
                        | "domain"
                        | "revert"
                )
            {
                j.part(Changes, format!("{name} {verb} changes a setting"))
            } else {
                j.part(ReadOnly, format!("{name} {verb} prints"))
            }
        }
        "nmcli" => {
            if any_of(
                &args,
                &[
                    "up", "down", "modify", "add", "delete", "reload", "connect", "disconnect",
                    "on", "off",
                ],
            ) {
                j.part(Changes, "nmcli changes a connection")
            } else {
                j.part(ReadOnly, "nmcli prints")
            }
        }
        "sysctl" => {
            if args.iter().any(|a| {
                *a == "-w"
                    || *a == "-p"
                    || *a == "--system"
                    || *a == "--load"
                    || (a.contains('=') && !a.starts_with('-'))
            }) {
                j.part(Changes, "sysctl sets a kernel setting")
            } else {
                j.part(ReadOnly, "sysctl prints")
            }
        }
        "dmesg" => {
            if any_of(&args, &["-c", "-C", "--clear", "--read-clear", "-n", "-D", "-E"]) {
                j.part(Changes, "dmesg clears or sets the kernel ring buffer")
            } else {
                j.part(ReadOnly, "dmesg prints")
            }
        }
        "crontab" => {
            if args.contains(&"-r") {
                j.part(Destructive, "crontab -r removes the crontab")
            } else if args.contains(&"-l") {
                j.part(ReadOnly, "crontab -l prints")
            } else {
                j.part(Changes, "crontab replaces or edits the crontab")
            }
        }
        "mount" => {
            if args.iter().all(|a| a.starts_with('-') && !matches!(*a, "-a" | "-o"))
                && !args.contains(&"-a")
            {
                j.part(ReadOnly, "mount lists")
            } else {
                j.part(Changes, "mount attaches a filesystem")
            }
        }
        "certbot" => match first_word(&args) {
            "certificates" | "plugins" | "" => j.part(ReadOnly, "certbot lists certificates"),
            "delete" | "revoke" => j.part(Destructive, "certbot deletes or revokes a certificate"),
            _ if args.contains(&"--dry-run") => j.part(ReadOnly, "certbot --dry-run"),
            verb => j.part(Changes, format!("certbot {verb} changes certificates")),
        },
        "mdadm" => {
            if any_of(
                &args,
                &[
                    "--zero-superblock", "--remove", "-r", "--fail", "-f", "--create", "-C",
                    "--stop", "-S",
                ],
            ) {
                j.part(Destructive, "mdadm changes or erases an array member")
            } else if any_of(
                &args,
                &[
                    "--detail", "-D", "--examine", "-E", "--query", "-Q", "--scan",
                    "--detail-platform",
                ],
            ) {
                j.part(ReadOnly, "mdadm prints")
            } else {
                j.part(Changes, "mdadm changes an array")
            }
        }
        "umount"
        | "swapoff"
        | "swapon"
        | "losetup"
        | "lvextend"
        | "lvcreate"
        | "resize2fs"
        | "xfs_growfs"
        | "growpart"
        | "vgextend"
        | "modprobe"
        | "insmod"
        | "rmmod"
        | "depmod"
        | "update-grub"
        | "grub-install"
        | "update-initramfs"
        | "dracut"
        | "ldconfig"
        | "setenforce"
        | "setsebool"
        | "restorecon"
        | "semanage"
        | "chcon"
        | "exportfs"
        | "ntpdate"
        | "chronyc"
        | "hwclock"
        | "passwd"
        | "chpasswd"
        | "useradd"
        | "usermod"
        | "groupadd"
        | "groupmod"
        | "adduser"
        | "addgroup"
        | "gpasswd"
        | "visudo"
        | "vipw"
        | "locale-gen"
        | "update-alternatives"
        | "update-ca-certificates"
        | "iptables-restore"
        | "ip6tables-restore"
        | "nft-restore"
        | "logrotate"
        | "fsck"
        | "e2fsck"
        | "xfs_repair"
        | "tune2fs"
        | "fstrim"
        | "sync"
        | "ipset"
        | "tc"
        | "brctl"
        | "ovs-vsctl"
        | "wg"
        | "wg-quick"
        | "tailscale"
        | "openvpn" => match name {
            "chronyc"
                if args.iter().all(|a| {
                    matches!(
                        *a,
                        "tracking"
                            | "sources"
                            | "sourcestats"
                            | "-v"
                            | "-n"
                            | "activity"
                            | "clients"
                    )
                }) =>
            {
                j.part(ReadOnly, "chronyc prints")
            }
            "fsck" | "e2fsck" | "xfs_repair"
                if args.iter().any(|a| *a == "-n" || *a == "--dry-run") =>
            {
                j.part(ReadOnly, format!("{name} -n checks only"))
            }
            "fsck" | "e2fsck" | "xfs_repair" => {
                j.part(Destructive, format!("{name} repairs a filesystem in place"))
            }
            "logrotate" if args.iter().any(|a| *a == "-d" || *a == "--debug") => {
                j.part(ReadOnly, "logrotate -d only shows")
            }
            "ipset" | "wg" | "tc" | "tailscale"
                if args.iter().all(|a| a.starts_with('-'))
                    || any_of(&args, &["list", "show", "status", "ls", "-L", "-l", "save"])
                        && !any_of(
                            &args,
                            &[
                                "add", "del", "delete", "change", "replace", "set", "flush",
                                "destroy", "up", "down",
                            ],
                        ) =>
            {
                j.part(ReadOnly, format!("{name} prints"))
            }
            _ => j.part(Changes, format!("{name} changes the system")),
        },
        "ip" => host::ip(j, &args),
        "ifconfig" | "route" | "ethtool" | "arp" => {
            if args.iter().filter(|a| !a.starts_with('-')).count() > 1 {
                j.part(Changes, format!("{name} changes an interface"))
            } else {
                j.part(ReadOnly, format!("{name} prints"))
            }
        }
        "iptables" | "ip6tables" | "ebtables" | "arptables" => host::iptables(j, name, &args),
        "iptables-save" | "ip6tables-save" => j.part(ReadOnly, "prints the rules"),
        "nft" => {
            if args.contains(&"flush") || (args.contains(&"delete") && args.contains(&"table")) {
                j.part(Destructive, "nft flushes or deletes rules")
            } else if args
                .iter()
                .any(|a| matches!(*a, "add" | "insert" | "delete" | "replace" | "create" | "-f"))
            {
                j.part(Changes, "nft changes a rule")
            } else {
                j.part(ReadOnly, "nft lists")
            }
        }
        "ufw" => {
            let verb = args.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("status");
            match verb {
                "status" | "show" | "app" | "version" => j.part(ReadOnly, "ufw prints"),
                "reset" | "disable" => j.part(Destructive, format!("ufw {verb} drops every rule")),
                _ => j.part(Changes, format!("ufw {verb} changes the firewall")),
            }
        }
        "firewall-cmd" => {
            if args.iter().all(|a| {
                a.starts_with("--list")
                    || a.starts_with("--get")
                    || a.starts_with("--query")
                    || *a == "--state"
                    || a.starts_with("--zone")
                    || *a == "--permanent"
                    || a.starts_with("--info")
            }) {
                j.part(ReadOnly, "firewall-cmd prints")
            } else if args
                .iter()
                .any(|a| a.starts_with("--complete-reload") || a.starts_with("--panic-on"))
            {
                j.part(Destructive, "firewall-cmd drops connections")
            } else {
                j.part(Changes, "firewall-cmd changes the firewall")
            }
        }
        "apt" | "apt-get" | "yum" | "dnf" | "zypper" | "apk" | "pacman" | "brew" | "snap"
        | "flatpak" | "port" | "pkg" | "choco" | "winget" | "emerge" | "dpkg" | "rpm" | "pip"
        | "pip3" | "pipx" | "npm" | "yarn" | "pnpm" | "gem" | "conda" | "mamba" | "uv"
        | "poetry" | "composer" | "nix-env" => host::packages(j, name, &args),
        "openssl" => host::openssl(j, &args),
        "keytool" | "certutil" | "ssh-keygen" | "gpg" => {
            let writes = any_of(
                &args,
                &[
                    "-genkey", "-genkeypair", "-importcert", "-import", "-delete", "-storepasswd",
                    "-changealias", "-A", "-D", "-N", "--import", "--gen-key",
                    "--full-generate-key", "--delete-key", "--delete-secret-key", "-t", "-f", "-R",
                    "--quick-gen-key",
                ],
            );
            let deletes =
                any_of(&args, &["-delete", "-D", "-R", "--delete-key", "--delete-secret-key"]);
            if deletes {
                j.part(Destructive, format!("{name} deletes a key"))
            } else if writes && !args.contains(&"-l") && !args.contains(&"-list") {
                j.part(Changes, format!("{name} writes a key or store"))
            } else {
                j.part(ReadOnly, format!("{name} prints"))
            }
        }
        "tcpdump" | "tshark" | "dumpcap" => {
            if args.iter().any(|a| *a == "-w" || a.starts_with("-w")) {
                j.part(Changes, format!("{name} -w writes a capture file"))
            } else {
                j.part(ReadOnly, format!("{name} prints packets"))
            }
        }
        "nc" | "ncat" | "netcat" | "telnet" | "socat" => {
            if args.iter().any(|a| *a == "-z" || *a == "-zv" || *a == "-vz" || *a == "-vzw") {
                j.part(ReadOnly, format!("{name} -z only probes a port"))
            } else if args.contains(&"-l") {
                j.part(Changes, format!("{name} -l listens"))
            } else if piped {
                j.part(Changes, format!("{name} sends data to a server"))
            } else {
                j.part(Changes, format!("{name} opens an interactive connection"))
            }
        }
        "watch" => {
            let mut k = 0;
            while k < args.len() && args[k].starts_with('-') {
                k += if matches!(args[k], "-n" | "--interval" | "-d" | "--differences")
                    && args[k] != "-d"
                {
                    2
                } else {
                    1
                };
            }
            if k >= args.len() {
                return j.part(ReadOnly, "watch alone");
            }
            let inner = args[k..].join(" ");
            j.script(&inner, depth + 1)
        }
        "yes" if piped => j.part(ReadOnly, "yes prints"),
        "vi" | "vim" | "nvim" | "nano" | "emacs" | "ed" | "pico" | "joe" | "mcedit"
        | "sudoedit" | "code" | "micro" | "vipe" => {
            j.part(Changes, format!("{name} edits a file interactively"))
        }
        "history" if args.iter().any(|a| *a == "-c" || *a == "-d" || *a == "-w") => {
            j.part(Changes, "history -c clears the shell history")
        }
        "export" | "set" | "alias" | "unset" | "unalias" | "source" | "." | "cd" | "ulimit"
        | "umask" | "shopt" | "trap" | "local" | "declare" | "readonly" | "let" | "eval" => {
            if name == "eval" || name == "source" || name == "." {
                if name == "eval" {
                    return j.script(&args.join(" "), depth + 1);
                }
                j.part(Changes, format!("{name} runs a script file"))
            } else {
                j.part(ReadOnly, format!("{name} sets only this shell"))
            }
        }
        "vault" => data::vault(j, &args),
        "consul" | "nomad" | "etcdctl" => data::kv_tool(j, name, &args),
        "kafka-topics"
        | "kafka-topics.sh"
        | "kafka-consumer-groups"
        | "kafka-consumer-groups.sh"
        | "kafka-configs"
        | "kafka-configs.sh"
        | "rabbitmqctl"
        | "rabbitmqadmin"
        | "nats"
        | "mosquitto_pub"
        | "mosquitto_sub"
        | "kcat"
        | "kafkacat"
        | "kafka-console-consumer"
        | "kafka-console-consumer.sh"
        | "kafka-console-producer"
        | "kafka-console-producer.sh"
        | "celery"
        | "sidekiqmon" => data::messaging(j, name, &args),
        "pg_dump" | "pg_dumpall" | "mysqldump" | "mongodump" | "redis-dump" | "pg_basebackup" => {
            if args.iter().any(|a| {
                a.starts_with("-f")
                    || a.starts_with("--file")
                    || a.starts_with("-D")
                    || a.starts_with("--out")
                    || a.starts_with("-o")
                    || a.starts_with("--result-file")
            }) {
                j.part(Changes, format!("{name} writes a dump file"))
            } else {
                j.part(ReadOnly, format!("{name} prints a dump"))
            }
        }
        "pg_restore" | "mongorestore" | "mysqlimport" => {
            if args.iter().any(|a| *a == "-l" || *a == "--list") {
                j.part(ReadOnly, format!("{name} lists"))
            } else if args.iter().any(|a| *a == "-c" || *a == "--clean" || *a == "--drop") {
                j.part(Destructive, format!("{name} drops objects before restoring"))
            } else {
                j.part(Changes, format!("{name} restores into a database"))
            }
        }
        "pg_ctl" | "pg_ctlcluster" | "pg_ctl.sh" => {
            if args.contains(&"status") {
                j.part(ReadOnly, "pg_ctl status")
            } else {
                j.part(Changes, format!("{name} starts or stops the server"))
            }
        }
        "pg_isready" | "pg_lsclusters" | "pg_controldata" | "pg_config" | "pgbadger"
        | "pt-query-digest" | "mytop" | "innotop" | "pg_activity" | "pg_top" => {
            j.part(ReadOnly, format!("{name} prints"))
        }
        "mysqladmin" => {
            let verbs = positional(
                &args,
                &["-u", "--user", "-h", "--host", "-P", "--port", "-p", "-S", "--socket"],
            );
            let verbs: Vec<&&str> = verbs.iter().collect();
            if verbs.iter().any(|v| matches!(**v, "drop")) {
                j.part(Destructive, "mysqladmin drop deletes a database")
            } else if verbs.iter().all(|v| {
                matches!(
                    **v,
                    "status" | "extended-status" | "processlist" | "variables" | "version" | "ping"
                )
            }) {
                j.part(ReadOnly, "mysqladmin prints")
            } else {
                j.part(Changes, "mysqladmin changes the server")
            }
        }
        "createdb" | "createuser" | "pg_upgrade" | "pg_rewind" | "vacuumdb" | "reindexdb"
        | "clusterdb" => {
            if name == "pg_rewind" {
                j.part(Destructive, "pg_rewind overwrites a data directory")
            } else {
                j.part(Changes, format!("{name} changes a database"))
            }
        }
        "diff" | "sort" | "uniq" => {
            if args.iter().any(|a| *a == "-o" || a.starts_with("--output")) {
                j.part(Changes, format!("{name} -o writes a file"))
            } else {
                j.part(ReadOnly, format!("{name} prints"))
            }
        }
        "kustomize" => match first_word(&args) {
            "build" | "cfg" | "version" | "" => {
                j.part(ReadOnly, "kustomize build prints manifests")
            }
            verb => j.part(Changes, format!("kustomize {verb} edits the kustomization")),
        },
        "jmap" | "jcmd"
            if args
                .iter()
                .any(|a| a.starts_with("-dump") || a.contains("dump") && a.contains("file")) =>
        {
            j.part(Changes, format!("{name} writes a heap dump file"))
        }
        "jmap" => j.part(ReadOnly, "jmap prints the heap"),
        "nfsstat" if args.contains(&"-z") => j.part(Changes, "nfsstat -z resets the counters"),
        "py-spy" => match first_word(&args) {
            "record" => j.part(Changes, "py-spy record writes a profile"),
            _ => j.part(ReadOnly, "py-spy samples a process and prints"),
        },
        "yq" => {
            if args.iter().any(|a| *a == "-i" || *a == "--inplace") {
                j.part(Changes, "yq -i edits a file")
            } else {
                j.part(ReadOnly, "yq prints")
            }
        }
        "logger" | "wall" | "notify-send" | "mail" | "sendmail" => {
            j.part(Changes, format!("{name} sends a message"))
        }
        "nvidia-smi" | "smartctl" | "hdparm" => {
            if any_of(
                &args,
                &[
                    "-r", "--gpu-reset", "-pm", "-pl", "-t", "--test", "-s", "--smart",
                    "--security-erase", "--user-master",
                ],
            ) {
                j.part(Changes, format!("{name} changes the device"))
            } else {
                j.part(ReadOnly, format!("{name} prints"))
            }
        }
        "consul-template" | "ansible-playbook" | "ansible" | "salt" | "puppet" | "chef-client"
        | "pssh" | "parallel-ssh" | "clush" | "pdsh" => host::fleet(j, name, &args, depth),
        _ if READERS.contains(&name) => j.part(ReadOnly, format!("{name} reads and prints")),
        _ => unknown(j, name, &args),
    }
}

/// A program no rule names: its first word (`zfs destroy`, `pm2 list`, `db:drop`) may
/// still tell; otherwise it changes something.
fn unknown(j: &mut Judge, name: &str, args: &[&str]) {
    match verb_class(args) {
        Some(Destructive) => {
            j.part(Destructive, format!("`{name} {}` deletes or resets", first_word(args)))
        }
        Some(ReadOnly) => j.part(ReadOnly, format!("`{name} {}` reads", first_word(args))),
        _ => j.part(Changes, format!("`{name}` is a program triage does not know")),
    }
}

fn first_word<'a>(args: &[&'a str]) -> &'a str {
    args.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("")
}

/// The class the verbs of a command line give: any task or subcommand word that destroys
/// (`destroy`, `db:drop`, `cache:clear`, `schedule-key-deletion`), else the first word
/// when it only reads (`list`, `status`, `Thread.print`).
fn verb_class(args: &[&str]) -> Option<Risk> {
    let words: Vec<String> =
        args.iter().filter(|a| !a.starts_with('-')).map(|a| a.to_ascii_lowercase()).collect();
    let parts =
        |w: &str| -> Vec<String> { w.split([':', '-', '_', '.']).map(str::to_owned).collect() };
    let is_destroy =
        |p: &str| DESTROY_VERBS.contains(&p) || p.starts_with("delet") || p == "dropdb";
    // Names, paths, numbers and substitutions are not verbs.
    let words: Vec<&String> = words
        .iter()
        .filter(|w| {
            !w.contains('/')
                && !w.contains('=')
                && !w.starts_with('$')
                && !w.chars().all(|c| c.is_ascii_digit())
        })
        .collect();
    // Only the leading words name verbs; later ones are often names.
    for w in words.iter().take(3) {
        let p = parts(w);
        // Emptying a cache loses nothing that is not rebuilt.
        let cache = p.iter().any(|p| p.starts_with("cache"));
        if p.iter().any(|p| is_destroy(p)) {
            return Some(if cache { Changes } else { Destructive });
        }
    }
    let read = |w: &str| {
        let last = parts(w).last().cloned().unwrap_or_default();
        [w, last.as_str()].iter().any(|p| {
            READ_VERBS.contains(p)
                || p.starts_with("show")
                || p.starts_with("list")
                || p.ends_with("status")
        })
    };
    // The verb is the first word or, after a noun (`gh pr list`, `pm2 logs`), the second.
    if words.iter().take(2).any(|w| read(w)) {
        return Some(ReadOnly);
    }
    None
}

/// The index in `args` of the first word past the options (and the values of `takes`).
fn after_options(args: &[&str], takes: &[&str]) -> Option<usize> {
    let mut k = 0;
    while k < args.len() {
        if args[k] == "--" {
            return (k + 1 < args.len()).then_some(k + 1);
        }
        if takes.contains(&args[k]) {
            k += 2;
        } else if args[k].starts_with('-') {
            k += 1;
        } else {
            return Some(k);
        }
    }
    None
}

/// The words that are not options (nor values of the options in `takes`).
fn positional<'a>(args: &[&'a str], takes: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        if a == "--" {
            out.extend(&args[k + 1..]);
            break;
        }
        if takes.contains(&a) {
            k += 2;
            continue;
        }
        if !a.starts_with('-') || a == "-" {
            out.push(a);
        }
        k += 1;
    }
    out
}

/// Whether any of `args` is one of `words`.
fn any_of(args: &[&str], words: &[&str]) -> bool {
    args.iter().any(|a| words.contains(a))
}

/// Whether a short-option cluster or long option in `args` has `short` or is `long`.
fn has_flag(args: &[&str], short: char, long: &str) -> bool {
    args.iter().any(|a| {
        *a == long
            || a.strip_prefix('-').is_some_and(|s| {
                !s.starts_with('-')
                    && s.chars().all(|c| c.is_ascii_alphanumeric())
                    && s.contains(short)
            })
    })
}

/// Whether a path is the root or a system tree (`/`, `/etc`, `/usr`, `/var`, ...).
fn is_system_tree(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p.is_empty()
        || matches!(
            p,
            "/etc"
                | "/usr"
                | "/var"
                | "/bin"
                | "/sbin"
                | "/lib"
                | "/lib64"
                | "/opt"
                | "/home"
                | "/root"
                | "/boot"
                | "/srv"
                | "/var/lib"
                | "/var/log"
                | "/usr/local"
                | "/*"
        )
}

fn shell(j: &mut Judge, name: &str, args: &[&str], input: &Input<'_>, depth: usize) {
    let fed = input.fed;
    if let Some(k) =
        args.iter().position(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('c'))
        && let Some(script) = args.get(k + 1)
    {
        return j.script(script, depth + 1);
    }
    if args.contains(&"-n") && !args.iter().any(|a| !a.starts_with('-')) {
        return j.part(ReadOnly, format!("{name} -n only checks syntax"));
    }
    let script = args.iter().find(|a| !a.starts_with('-'));
    match (script, fed) {
        (None, Some(text)) => j.script(text, depth + 1),
        (Some(file), _) => {
            j.part(Changes, format!("{name} runs the script {file}, which triage cannot see"))
        }
        (None, None) if input.piped => j.part(
            Changes,
            format!("{name} runs the commands piped to it, which triage cannot see"),
        ),
        (None, None) => j.part(Changes, format!("`{name}` alone is an interactive shell")),
    }
}

/// Calls in code of other languages that delete files, directories or data.
const CODE_ERASERS: &[&str] = &[
    "rmtree", "os.remove", "os.unlink", "os.rmdir", "os.removedirs", ".unlink(", ".rmdir(",
    "unlink(", "rm_rf", "rm_r", "FileUtils.rm", "File.delete", "fs.rmSync", "fs.rm(",
    "fs.unlinkSync", "fs.rmdirSync", "rimraf", "remove_dir_all", "remove_file", "truncate(",
    "DROP TABLE", "DROP DATABASE", "dropDatabase", "flushall", "flushdb",
];

/// Calls that hand a string to the shell.
const CODE_SHELLS: &[&str] =
    &["os.system", "subprocess", "popen", "system(", "exec(", "spawn", "`"];

/// Code written inline (`python3 -c CODE`, `node -e CODE`, a here-document): judged by the
/// deleting calls and the shell commands it holds; other code changes something.
fn inline_code(j: &mut Judge, name: &str, code: &str, depth: usize) {
    if let Some(call) = CODE_ERASERS.iter().find(|c| code.contains(*c)) {
        return j.part(Destructive, format!("{name} code calls {call}, which deletes"));
    }
    if CODE_SHELLS.iter().any(|c| code.contains(c)) {
        for literal in quoted_strings(code) {
            j.script(&literal, depth + 1);
        }
    }
    j.part(Changes, format!("{name} runs code triage does not read"));
}

/// The string literals of some code (quoted with `'` or `"`).
fn quoted_strings(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut quote = None;
    let mut current = String::new();
    for c in code.chars() {
        match quote {
            Some(q) if c == q => {
                out.push(std::mem::take(&mut current));
                quote = None;
            }
            Some(_) => current.push(c),
            None if c == '\'' || c == '"' => quote = Some(c),
            None => {}
        }
    }
    out
}

fn interpreter(j: &mut Judge, name: &str, args: &[&str], input: &Input<'_>, depth: usize) {
    if matches!(name, "make" | "gmake")
        && (has_flag(args, 'n', "--dry-run")
            || args.contains(&"-q")
            || args.contains(&"--question"))
    {
        return j.part(ReadOnly, format!("{name} -n only prints the recipes"));
    }
    let inline = args
        .iter()
        .position(|a| matches!(*a, "-c" | "-e" | "-E" | "--eval" | "-r" | "-p"))
        .and_then(|k| args.get(k + 1).copied())
        .or_else(|| input.fed.filter(|_| args.iter().all(|a| a.starts_with('-') || *a == "-")));
    if let Some(code) = inline {
        return inline_code(j, name, code, depth);
    }
    if any_of(args, &["--version", "-version", "-V", "version"]) {
        return j.part(ReadOnly, format!("{name} prints its version"));
    }
    // `manage.py showmigrations`, `rails db:drop`, `artisan queue:flush`: the task after
    // the script (or `exec TOOL`) tells.
    let tasks: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .skip_while(|a| {
            a.contains('.')
                || a.contains('/')
                || matches!(*a, "exec" | "run" | "rails" | "rake" | "artisan" | "console")
        })
        .collect();
    match verb_class(&tasks) {
        Some(Destructive) => j.part(
            Destructive,
            format!("task `{name} {}` deletes or resets data", tasks.first().unwrap_or(&"")),
        ),
        Some(ReadOnly) => {
            j.part(ReadOnly, format!("task `{name} {}` only reports", tasks.first().unwrap_or(&"")))
        }
        _ => j.part(Changes, format!("{name} runs code triage does not read")),
    }
}

fn perf(j: &mut Judge, words: &[String], args: &[&str], input: &Input<'_>, depth: usize) {
    match args.first().copied() {
        Some("record") => j.part(Changes, "perf record writes perf.data"),
        Some("stat" | "trace") => {
            let rest = &args[1..];
            match after_options(rest, &["-e", "-p", "-o", "-r", "-t"]) {
                Some(k) => judge(j, &words[2 + k..], input, depth),
                None => j.part(ReadOnly, "perf stat attaches and prints"),
            }
        }
        _ => j.part(ReadOnly, "perf prints"),
    }
}

fn xargs(j: &mut Judge, words: &[String], args: &[&str], input: &Input<'_>, depth: usize) {
    let takes = &[
        "-n", "-P", "-I", "-L", "-d", "-s", "-a", "-E", "--max-args", "--max-procs", "--delimiter",
        "--arg-file", "-i",
    ];
    match after_options(args, takes) {
        Some(k) => judge(j, &words[1 + k..], &Input { piped: true, ..*input }, depth + 1),
        None => j.part(ReadOnly, "xargs echoes"),
    }
}

//! How risky a step is, judged from its text before anything runs.
//!
//! A step takes the class of its most dangerous part: every simple command of every
//! pipeline, chain, loop and substitution (`shell`), every redirection, and what is fed to
//! an interpreter (SQL to `psql`, commands to `redis-cli`, a script to `sh`). Each program
//! is judged by its own rules (`programs`, SQL in `sql`, Redis in `redis`); wrappers
//! (`sudo`, `env`, `timeout`, `ssh host CMD`, `kubectl exec -- CMD`, `sh -c CMD`) take the
//! class of what they run. A program no rule knows changes something until shown
//! otherwise: the judgement errs towards caution, never towards `read-only`.

mod programs;
mod redis;
mod shell;
mod sql;

use serde::Serialize;

/// The classes, in order of danger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Leaves every system as it was, however often it runs.
    ReadOnly,
    /// Changes state that ordinary means undo; no data is lost.
    Changes,
    /// Loses data or is hard to undo.
    Destructive,
}

impl Risk {
    /// The name used in output: `read-only`, `changes`, `destructive`.
    pub fn name(self) -> &'static str {
        match self {
            Risk::ReadOnly => "read-only",
            Risk::Changes => "changes",
            Risk::Destructive => "destructive",
        }
    }
}

impl std::fmt::Display for Risk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The judgement of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// Its class.
    pub risk: Risk,
    /// Why: the parts that set the class, then notes (a read-only step that prints
    /// secrets or is heavy under load).
    pub reasons: Vec<String>,
}

/// Judges the shell text of one step.
pub fn assess(text: &str) -> Assessment {
    let mut judge = Judge::default();
    judge.script(text, 0);
    judge.finish()
}

/// Nesting depth past which inner scripts (`sh -c "ssh h 'bash -c ...'"`) are not read
/// further but taken as changes.
const MAX_DEPTH: usize = 8;

/// Collects the parts' classes and reasons.
#[derive(Debug, Default)]
pub(crate) struct Judge {
    reasons: Vec<(Risk, String)>,
    notes: Vec<String>,
}

impl Judge {
    /// A part of class `risk`, for `reason`.
    pub(crate) fn part(&mut self, risk: Risk, reason: impl Into<String>) {
        self.reasons.push((risk, reason.into()));
    }

    /// A note that does not change the class.
    pub(crate) fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    fn finish(self) -> Assessment {
        let risk = self.reasons.iter().map(|(r, _)| *r).max().unwrap_or(Risk::ReadOnly);
        let mut reasons: Vec<String> = Vec::new();
        for (r, reason) in self.reasons {
            if r == risk && !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
        if reasons.is_empty() {
            reasons.push("nothing to run".to_owned());
        }
        reasons.extend(self.notes);
        Assessment { risk, reasons }
    }

    /// Judges shell text at nesting `depth`.
    pub(crate) fn script(&mut self, text: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.part(Risk::Changes, "nested too deep to read");
            return;
        }
        if let Some(name) = fork_bomb(text) {
            self.part(
                Risk::Destructive,
                format!("{name} starts copies of itself without end (a fork bomb)"),
            );
        }
        for pipeline in shell::read(text) {
            for (i, command) in pipeline.iter().enumerate() {
                // What the command before it in the pipeline prints, when that is plain
                // text (`echo 'DROP TABLE x' | psql`).
                let fed = command
                    .stdin
                    .clone()
                    .or_else(|| i.checked_sub(1).and_then(|j| printed_text(&pipeline, j)));
                let file =
                    command.redirects.iter().find(|r| r.op == "<").map(|r| r.target.as_str());
                let input = programs::Input { fed: fed.as_deref(), file, piped: i > 0 };
                self.command(command, &input, depth);
            }
        }
    }

    fn command(&mut self, command: &shell::Command, input: &programs::Input<'_>, depth: usize) {
        for r in &command.redirects {
            if r.writes_file() {
                self.redirect(command, r);
            }
        }
        if command.words.is_empty() {
            return;
        }
        programs::judge(self, &command.words, input, depth);
    }

    /// A redirection into a file.
    fn redirect(&mut self, command: &shell::Command, r: &shell::Redirect) {
        let target = &r.target;
        if target.ends_with("sysrq-trigger") {
            self.part(
                Risk::Destructive,
                "writes the kernel's SysRq trigger (crash, reboot or power off)",
            );
            return;
        }
        if target.starts_with("/proc/") || target.starts_with("/sys/") {
            self.part(Risk::Changes, format!("writes kernel setting {target}"));
            return;
        }
        if r.appends() {
            self.part(Risk::Changes, format!("appends to {target}"));
            return;
        }
        if empties(command) {
            self.part(Risk::Destructive, format!("empties {target}"));
            return;
        }
        if is_config_path(target) {
            self.part(Risk::Destructive, format!("overwrites {target}"));
            return;
        }
        self.part(Risk::Changes, format!("writes {target} (truncating it if it exists)"));
    }
}

/// The name of a function that pipes into itself in the background (`:(){ :|:& };:`),
/// which spawns processes until the host stops answering.
fn fork_bomb(text: &str) -> Option<&str> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let at = compact.find("(){")?;
    let name = text.trim_start().split("()").next()?.trim();
    let name = name.strip_prefix("function").map_or(name, str::trim);
    let body = &compact[at + 3..];
    let call = format!("{name}|{name}");
    (!name.is_empty() && body.contains(&call) && body.contains('&')).then_some(name)
}

/// Whether a command with a `>` redirection only empties the file (`: > f`, `> f`,
/// `cat /dev/null > f`, `echo '' > f`, `true > f`, `printf '' > f`).
fn empties(command: &shell::Command) -> bool {
    let w: Vec<&str> = command.words.iter().map(String::as_str).collect();
    match w.as_slice() {
        [] | [":"] | ["true"] => command.stdin.is_none(),
        ["cat", "/dev/null"] | ["cp", "/dev/null"] => true,
        ["echo"] | ["echo", "-n"] | ["echo", ""] | ["echo", "-n", ""] | ["printf", ""] => true,
        _ => false,
    }
}

/// Whether a path is a configuration or system file that a `>` would replace.
fn is_config_path(path: &str) -> bool {
    let p = path.trim_matches('"');
    p.starts_with("/etc/")
        || p.starts_with("/usr/")
        || p.starts_with("/boot/")
        || p.starts_with("~/.")
        || p.starts_with("$HOME/.")
        || [".conf", ".cfg", ".ini", ".yaml", ".yml", ".toml", ".json", ".env", ".properties"]
            .iter()
            .any(|ext| p.ends_with(ext))
        || p.ends_with("authorized_keys")
        || p.ends_with("crontab")
        || p.ends_with(".bashrc")
        || p.ends_with(".profile")
}

/// The text that command `i` of `pipeline` prints, when it can be told: `echo` and
/// `printf` of their words, `cat` of a here-document, and `base64 -d` or `rev` of the text
/// before them (the usual ways of hiding a payload piped to a shell).
fn printed_text(pipeline: &[shell::Command], i: usize) -> Option<String> {
    let command = &pipeline[i];
    let (first, rest) = command.words.split_first()?;
    let before = || {
        command.stdin.clone().or_else(|| i.checked_sub(1).and_then(|j| printed_text(pipeline, j)))
    };
    match first.as_str() {
        "echo" | "printf" => {
            let args: Vec<&str> =
                rest.iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
            Some(args.join(" ").replace("\\n", "\n"))
        }
        "cat" if rest.is_empty() => command.stdin.clone(),
        "base64" | "base32"
            if rest.iter().any(|a| matches!(a.as_str(), "-d" | "--decode" | "-D")) =>
        {
            use base64::Engine as _;
            let text = before()?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()?;
            String::from_utf8(bytes).ok()
        }
        "rev" if rest.is_empty() => Some(
            before()?
                .lines()
                .map(|l| l.chars().rev().collect::<String>())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Words and operators every rule looks at, to build steps that reach deep into them.
    const VOCABULARY: &[&str] = &[
        "rm", "-rf", "kubectl", "delete", "get", "exec", "--", "sh", "-c", "git", "push", "-f",
        "docker", "compose", "down", "-v", "psql", "mysql", "-e", "redis-cli", "DEL", "FLUSHALL",
        "curl", "-X", "POST", "-d", "aws", "s3", "rm", "gcloud", "terraform", "destroy", "find",
        "-exec", "-delete", ";", "+", "xargs", "sudo", "env", "timeout", "ssh", "host", "echo",
        "DROP TABLE x", "SELECT 1", "|", "&&", "||", "&", "$(", ")", "`", "'", "\"", "<", ">",
        ">>", "<<EOF", "EOF", "<<<", "\n", "#", "\\", "(", "{", "}", "for", "in", "do", "done",
        "case", "esac", "=", "x=1", "-", "cp", "mv", "tar", "-x", "python3", "base64", "-d",
        "openssl", "helm", "systemctl", "journalctl", "--vacuum-size=1G", "crontab", "-r", ":(){",
        ":|:&", "};:", "<pod>", "http", "gh", "api", "make", "-n", "mongosh", "--eval",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Any mix of those never panics, and a step with `rm -rf` in command position
        /// is never called less than destructive.
        #[test]
        fn any_step_is_judged_without_panic(words in prop::collection::vec(prop::sample::select(VOCABULARY), 0..30)) {
            let text = words.join(" ");
            let _ = assess(&text);
            // A blank line ends any `\` continuation.
            let with_rm = format!("{text}\n\nrm -rf /srv/data");
            prop_assert_eq!(assess(&with_rm).risk, Risk::Destructive, "{}", with_rm);
        }
    }

    fn risk(text: &str) -> Risk {
        assess(text).risk
    }

    #[test]
    fn the_most_dangerous_part_sets_the_class() {
        assert_eq!(risk("ls -la /var/lib && df -h"), Risk::ReadOnly);
        assert_eq!(risk("ls && systemctl restart nginx"), Risk::Changes);
        assert_eq!(risk("ls; rm -rf /var/lib/app/cache"), Risk::Destructive);
        assert_eq!(risk("echo $(rm -rf /tmp/x)"), Risk::Destructive);
        assert_eq!(risk("for f in *.log; do gzip \"$f\"; done"), Risk::Changes);
        assert_eq!(risk(":(){ :|:& };:"), Risk::Destructive);
        assert_eq!(risk("bomb() { bomb | bomb & }; bomb"), Risk::Destructive);
        assert_eq!(risk("f() { echo hi; }; f"), Risk::ReadOnly);
    }

    #[test]
    fn redirections_write_files() {
        assert_eq!(risk("kubectl get pods > pods.txt"), Risk::Changes);
        assert_eq!(risk("kubectl get pods >/dev/null 2>&1"), Risk::ReadOnly);
        assert_eq!(risk("echo done >> /var/log/steps.log"), Risk::Changes);
        assert_eq!(risk(": > /var/log/app.log"), Risk::Destructive);
        assert_eq!(risk("cat /dev/null > app.log"), Risk::Destructive);
        assert_eq!(risk("echo 'x: 1' > /etc/app/config.yaml"), Risk::Destructive);
    }

    #[test]
    fn text_fed_to_an_interpreter_is_judged() {
        assert_eq!(risk("echo 'DROP TABLE users' | psql"), Risk::Destructive);
        assert_eq!(risk("echo 'SELECT 1' | psql"), Risk::ReadOnly);
        assert_eq!(risk("echo FLUSHALL | redis-cli"), Risk::Destructive);
        assert_eq!(risk("echo 'rm -rf d' | sh"), Risk::Destructive);
        assert_eq!(risk("grep -r 'rm -rf' ."), Risk::ReadOnly);
        assert_eq!(risk("echo \"DROP TABLE x\""), Risk::ReadOnly);
        // `rm -rf ~/` hidden in base64.
        assert_eq!(risk("echo cm0gLXJmIH4v | base64 -d | sh"), Risk::Destructive);
        assert_eq!(risk("curl -s https://x.example/i.sh | bash"), Risk::Changes);
    }

    #[test]
    fn reasons_name_the_part_that_set_the_class() {
        let a = assess("ls && rm -rf /srv/data");
        assert_eq!(a.risk, Risk::Destructive);
        assert!(a.reasons.iter().any(|r| r.contains("rm")), "{:?}", a.reasons);
        assert_eq!(assess("").risk, Risk::ReadOnly);
    }
}

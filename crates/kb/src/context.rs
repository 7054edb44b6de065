//! Context: which programs and services an input comes from.
//!
//! The program in a shell prompt (`$ mount-s3 ...`), the service in a syslog prefix
//! (`metald[31877]:`), a CI step (`Run npx cypress run`), a bracketed plugin
//! (`[outputs.influxdb_v2]`) or the first word of a log line (`thanos-sidecar level=...`)
//! say which guide is likely about it. Ranking lifts guides whose identity (title, service,
//! tags, path) holds one of these names.

use std::sync::LazyLock;

use regex::Regex;

use crate::cue;

/// Most names kept from one input.
const MAX_NAMES: usize = 64;

static SYSLOG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([A-Za-z][[0-9A-Za-z_].-]{1,40})\[[0-9]+\]:").expect("valid pattern")
});
static BRACKET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([a-z][[0-9A-Za-z_].:-]{2,40})\]").expect("valid pattern"));
static CI_STEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:Run|Running|>)\s+(\S.*)$").expect("valid pattern"));
static LEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[[0-9]:TZ./+-]+\s+)*([A-Za-z][[0-9A-Za-z_].-]{2,60})(?:\s|:|\|)")
        .expect("valid pattern")
});
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,12}(?-u:\b)").expect("valid pattern")
});

/// Host labels that name infrastructure, not a product.
const GENERIC_LABELS: &[&str] = &[
    "www", "api", "internal", "svc", "cluster", "local", "localdomain", "lan", "corp", "com",
    "net", "org", "io", "dev", "cloud", "app", "default", "prod", "staging", "db", "host",
];

/// A name the input mentions, and how sure it is that the input comes from it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Name {
    /// Lowercased.
    pub text: String,
    /// From a shell prompt, a CI step or a syslog tag: the input surely comes from it.
    /// Otherwise from a bracketed prefix, a line's first word or a host name.
    pub strong: bool,
}

/// Programs that run other programs: the name that matters comes after them.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "npx", "bunx", "time", "nohup", "exec", "yarn", "pnpm", "npm", "run", "dlx",
    "docker", "podman", "kubectl", "bash", "sh", "python", "python3", "node", "go", "cargo",
];

/// The names an input mentions, lowercased, in order of first appearance (a name seen both
/// ways is strong).
pub(crate) fn names<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<Name> {
    let mut names: Vec<Name> = Vec::new();
    let mut add = |name: &str, strong: bool| {
        for part in split_name(name) {
            if let Some(known) = names.iter_mut().find(|n| n.text == part) {
                known.strong |= strong;
            } else if names.len() < MAX_NAMES {
                names.push(Name { text: part, strong });
            }
        }
    };
    for line in lines {
        let command = cue::prompt_command(line)
            .or_else(|| CI_STEP.captures(line).and_then(|c| c.get(1)).map(|m| m.as_str()));
        if let Some(command) = command {
            for program in programs(command) {
                add(program, true);
            }
        }
        for caps in SYSLOG.captures_iter(line) {
            add(&caps[1], true);
        }
        for caps in BRACKET.captures_iter(line) {
            add(&caps[1], false);
        }
        if let Some(caps) = LEADING.captures(line) {
            // A plain word starting a line is usually English; a program name has a
            // separator in it (`thanos-sidecar`, `ipamd.log`).
            if caps[1].contains(['-', '_', '.']) {
                add(&caps[1], false);
            }
        }
        for host in HOST.find_iter(line) {
            let labels: Vec<&str> = host.as_str().split('.').collect();
            for label in &labels[..labels.len().saturating_sub(1)] {
                if !GENERIC_LABELS.contains(&label.to_lowercase().as_str()) {
                    add(label, false);
                }
            }
        }
    }
    names
}

/// The programs of a command line: the first word that is not a wrapper or an assignment,
/// and the wrapper's own name (so `npx cypress run` gives `cypress` and `npx`).
fn programs(command: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for word in command.split_whitespace() {
        if word.contains('=') || word.starts_with('-') {
            continue;
        }
        let base = word.rsplit('/').next().unwrap_or(word);
        out.push(base);
        if !WRAPPERS.contains(&base) {
            break;
        }
        if out.len() >= 4 {
            break;
        }
    }
    out
}

/// A name and its parts: `thanos-sidecar` gives `thanos-sidecar`, `thanos` and `sidecar`;
/// generic words (log levels, error vocabulary) and short parts are left out.
fn split_name(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    let lower = lower.trim_matches(|c: char| !c.is_alphanumeric());
    let mut out = Vec::new();
    let mut push = |s: &str| {
        if s.len() >= 3
            && s.chars().any(char::is_alphabetic)
            && !cue::is_generic_word(s)
            && !out.iter().any(|o: &String| o == s)
        {
            out.push(s.to_owned());
        }
    };
    push(lower);
    for part in lower.split(|c: char| !c.is_alphanumeric()) {
        if part.chars().all(|c| c.is_ascii_hexdigit()) && part.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Vec<String> {
        names(text.lines()).into_iter().map(|n| n.text).collect()
    }

    #[test]
    fn prompts_syslog_ci_and_prefixes() {
        let n = of(
            "$ sudo mount-s3 --foreground bucket /mnt\nJun 02 07:15:33 host metald[31877]: boom\n\
                    Run npx cypress run --record\n2025-01-14T06:00:10Z E! [outputs.influxdb_v2] When writing\n\
                    thanos-sidecar level=info msg=x",
        );
        for want in [
            "mount-s3", "metald", "cypress", "outputs.influxdb_v2", "influxdb", "thanos", "sidecar",
        ] {
            assert!(n.contains(&want.to_owned()), "{want} not in {n:?}");
        }
        let strong: Vec<_> =
            names("$ mount-s3 x\nthanos-sidecar level=info\nat db.novacron.internal".lines())
                .into_iter()
                .map(|n| (n.text, n.strong))
                .collect();
        assert!(strong.contains(&("mount-s3".into(), true)));
        assert!(strong.contains(&("thanos".into(), false)));
        assert!(strong.contains(&("novacron".into(), false)));
        assert!(!strong.iter().any(|(n, _)| n == "internal" || n == "db"));
    }

    #[test]
    fn generic_words_are_not_names() {
        let n = of("Error: something\nERROR level=warn\nINFO ok");
        assert!(!n.iter().any(|w| w == "error" || w == "info" || w == "level"), "{n:?}");
    }
}

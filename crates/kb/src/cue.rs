//! Cues: what makes a line look like an error, a label name a symptom, or a line a command.
//!
//! These are properties of how people write errors and guides in general (English error
//! vocabulary, `ERR_X` codes, `FooException`, `EACCES`), never of a particular guide.

use std::sync::LazyLock;

use regex::Regex;

/// Words and shapes that mark a line as an error or warning.
static ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (?-u:\b)(?:errors?|err|fail(?:s|ed|ure|ing)?|fatal|panic(?:ked)?|exception|denied|refused
          |cannot|can't|could\ not|couldn't|unable|not\ found|no\ such|invalid|time[ds]?\ out
          |timeout|unreachable|exceeded|unknown|missing|forbidden|unauthori[sz]ed|killed|crash(?:ed)?
          |abort(?:ed)?|warn(?:ing)?|expired|mismatch|not\ permitted|no\ space|too\ many|already
          |deadlock|broken|corrupt(?:ed)?|reject(?:ed)?|unexpected(?:ly)?|violation|overlap|dirty
          |not\ supported|unsupported|wrong|bad|illegal|malformed|unhealthy|oom|crit(?:ical)?)(?-u:\b)
        |(?-u:\b)E[A-Z]{3,}(?-u:\b)|(?-u:\b)ERR_[A-Z_]+|[0-9A-Za-z_](?:Error|Exception|Failure)(?-u:\b)|×|✗|(?-u:\b)E!\s",
    )
    .expect("the error cue pattern is valid")
});

/// A shell prompt at the start of a line: `$ cmd`, `# cmd`, `user@host:~$ cmd`,
/// `[root@box dir]# cmd`, `PS C:\> cmd`, `> cmd`: [`PROMPT_BOUNDED`] with the bounded
/// repetitions of its bracketed and `PS` prefixes left unbounded. A bounded repetition of a
/// Unicode class compiles to one copy per repetition, which made the bounded pattern cost
/// more to build and run than the rest of reading a guide's code lines; it only runs when
/// a prefix here is longer than the bound ([`prompt_command`]).
static PROMPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(\[[^\]\n]+\])\s*|[[0-9A-Za-z_].-]+@[[0-9A-Za-z_].-]+(?::[^\s$#]*)?\s*|(PS [^>\n]*))?[$#%>❯]\s+(\S.*)$")
        .expect("the prompt pattern is valid")
});

/// The definition of a prompt line, with the prefixes bounded to [`MAX_PROMPT_PREFIX`].
static PROMPT_BOUNDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\[[^\]\n]{1,80}\]\s*|[[0-9A-Za-z_].-]+@[[0-9A-Za-z_].-]+(?::[^\s$#]*)?\s*|PS [^>\n]{0,80})?[$#%>❯]\s+(\S.*)$")
        .expect("the bounded prompt pattern is valid")
});

/// Longest bracketed (`[user@host dir]`) or `PS ...` prefix of a prompt.
const MAX_PROMPT_PREFIX: usize = 80;

/// Whether a line reads like an error or warning message.
pub(crate) fn is_error_like(text: &str) -> bool {
    ERROR.is_match(text)
}

/// The command after a shell prompt, when the line starts with one.
pub(crate) fn prompt_command(line: &str) -> Option<&str> {
    // The prompt character and the space after it, looked for before the regex runs:
    // most code lines have neither.
    let prompt_char = line
        .chars()
        .zip(line.chars().skip(1))
        .any(|(c, next)| matches!(c, '$' | '#' | '%' | '>' | '❯') && next.is_whitespace());
    if !prompt_char {
        return None;
    }
    let found = PROMPT.captures(line)?;
    let bracketed =
        found.get(1).is_some_and(|m| m.as_str().chars().count() - 2 > MAX_PROMPT_PREFIX);
    let ps = found.get(2).is_some_and(|m| m.as_str().chars().count() - 3 > MAX_PROMPT_PREFIX);
    if bracketed || ps {
        // A prefix past its bound may still hold a shorter prompt (`PS C:\$ echo ... > x`):
        // the bounded pattern decides, on this rare line only.
        let found = PROMPT_BOUNDED.captures(line)?;
        return found.get(1).map(|m| m.as_str().trim_end());
    }
    found.get(3).map(|m| m.as_str().trim_end())
}

/// Shell languages whose blocks are session transcripts (commands after prompts, then their
/// output), where `# cmd` may be a root prompt. A block in another shell language is a
/// script, where `# text` is a comment.
const TRANSCRIPTS: &[&str] = &["console", "shell-session", "shellsession", "terminal"];

/// Whether a block of language `lang` is a shell script (`shell`: the language is a shell
/// one), so that its `# text` lines are comments, not root prompts.
pub(crate) fn is_script(lang: &str, shell: bool) -> bool {
    shell && !TRANSCRIPTS.iter().any(|t| lang.eq_ignore_ascii_case(t))
}

/// The command after the prompt of a code block line ([`prompt_command`]), except that in
/// a script (`script`, see [`is_script`]) a line starting with `#` is a comment.
pub(crate) fn block_prompt(line: &str, script: bool) -> Option<&str> {
    if script && line.trim_start().starts_with('#') { None } else { prompt_command(line) }
}

/// Whether a bold label (`**Error message**:`) announces the error text that follows.
pub(crate) fn is_error_label(label: &str) -> bool {
    label_names(label, 3, |w| {
        matches!(
            w,
            "error"
                | "errors"
                | "symptom"
                | "symptoms"
                | "message"
                | "messages"
                | "log"
                | "logs"
                | "output"
                | "exception"
                | "problem"
                | "issue"
                | "failure"
                | "signature"
        )
    })
}

/// Whether a bold label (`**Solution:**`, `**How to fix**`) announces a remedy: the code
/// that follows is what to run or write, not what was seen.
pub(crate) fn is_fix_label(label: &str) -> bool {
    label_names(label, 4, |w| {
        matches!(
            w,
            "solution"
                | "solutions"
                | "fix"
                | "fixes"
                | "resolution"
                | "resolve"
                | "workaround"
                | "workarounds"
                | "remediation"
                | "mitigation"
        )
    })
}

/// Whether a label of at most `most` words (trailing `:` aside, any case) holds a word
/// `names` accepts.
fn label_names(label: &str, most: usize, names: impl Fn(&str) -> bool) -> bool {
    let label = label.trim().trim_end_matches(':').trim().to_lowercase();
    let words: Vec<&str> = label.split_whitespace().collect();
    !words.is_empty() && words.len() <= most && words.into_iter().any(names)
}

/// Whether a heading names a place where error messages are listed (`Log messages`,
/// `Error output`, `Common errors`).
pub(crate) fn is_message_heading(title: &str) -> bool {
    let lower = title.to_lowercase();
    lower.split(|c: char| !c.is_alphanumeric()).any(|w| {
        matches!(
            w,
            "log"
                | "logs"
                | "message"
                | "messages"
                | "errors"
                | "error"
                | "output"
                | "symptom"
                | "symptoms"
        )
    })
}

/// Whether the prose around an inline code span says the span is an error message.
pub(crate) fn mentions_message(prose: &str) -> bool {
    let lower = prose.to_lowercase();
    lower.split(|c: char| !c.is_alphanumeric()).any(|w| {
        matches!(
            w,
            "error"
                | "errors"
                | "message"
                | "messages"
                | "log"
                | "logs"
                | "says"
                | "saying"
                | "shows"
                | "see"
                | "seeing"
                | "get"
                | "got"
                | "returns"
                | "returned"
                | "output"
                | "fails"
                | "failed"
                | "failing"
                | "exception"
                | "warning"
                | "symptom"
                | "reports"
                | "prints"
                | "printed"
                | "throws"
                | "thrown"
                | "encounter"
                | "encountered"
        )
    })
}

/// Whether an inline code span is a command or a name rather than a message: one word,
/// or words followed by flags.
pub(crate) fn is_command_like(code: &str) -> bool {
    let code = code.trim();
    if prompt_command(code).is_some() || code.starts_with("sudo ") {
        return true;
    }
    let words = code.split_whitespace().count();
    if words <= 1 {
        // A lone identifier is a message only when it is an error code.
        return !(code.contains("ERR") || ERROR.is_match(code) && code.len() > 6);
    }
    code.split_whitespace().skip(1).any(|w| {
        w.starts_with("--")
            || (w.starts_with('-') && w.len() <= 3 && w[1..].chars().all(char::is_alphabetic))
    })
}

/// Words that are log levels or error vocabulary: never a program name.
pub(crate) fn is_generic_word(word: &str) -> bool {
    matches!(
        word,
        "error"
            | "errors"
            | "err"
            | "warn"
            | "warning"
            | "info"
            | "debug"
            | "trace"
            | "fatal"
            | "critical"
            | "crit"
            | "notice"
            | "level"
            | "msg"
            | "message"
            | "caused"
            | "by"
            | "the"
            | "and"
            | "run"
            | "failed"
            | "failure"
            | "run:"
            | "note"
            | "tip"
            | "ts"
            | "time"
            | "caller"
            | "at"
            | "in"
            | "on"
            | "to"
            | "for"
            | "with"
            | "from"
            | "is"
            | "jan"
            | "feb"
            | "mar"
            | "apr"
            | "may"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "oct"
            | "nov"
            | "dec"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines() {
        for line in [
            "Error: listen tcp :8080: bind: address already in use",
            "FATAL:  sorry, too many clients already",
            "com.android.ddmlib.ShellCommandUnresponsiveException",
            " ERR_PNPM_OUTDATED_LOCKFILE  Cannot install",
            "spawnSync ./gradlew EACCES",
            "× can initialize the client",
        ] {
            assert!(is_error_like(line), "{line}");
        }
        for line in ["kubectl get pods -n kube-system", "Welcome to Metro", "All good"] {
            assert!(!is_error_like(line), "{line}");
        }
    }

    #[test]
    fn prompts() {
        assert_eq!(prompt_command("$ npm ci"), Some("npm ci"));
        assert_eq!(
            prompt_command("[root@legacy-broker emqx]# ./bin/emqx start"),
            Some("./bin/emqx start")
        );
        assert_eq!(prompt_command("[ec2-user@ip-172-31-40-7 ~]$ rm /x"), Some("rm /x"));
        assert_eq!(prompt_command("user@host:~/src$ make"), Some("make"));
        assert_eq!(prompt_command("Error: nope"), None);
        assert_eq!(prompt_command("$"), None);
        assert_eq!(prompt_command("PS C:\\Users\\ops> Get-Service"), Some("Get-Service"));
        let long = format!("[{}]$ ls", "x".repeat(80));
        assert_eq!(prompt_command(&long), Some("ls"));
        let longer = format!("[{}]$ ls", "x".repeat(81));
        assert_eq!(prompt_command(&longer), None);
        let ps = format!("PS {}> ls", "y".repeat(81));
        assert_eq!(prompt_command(&ps), None);
        // The unbounded prefix would run to the last `$ `, 90 characters in; the bounded
        // one stops at the first.
        let shorter = format!("PS C:\\$ echo {} > out.txt", "a".repeat(90));
        assert_eq!(prompt_command(&shorter), Some(&shorter[8..]));
    }

    #[test]
    fn labels_headings_and_commands() {
        assert!(is_error_label("Error message:"));
        assert!(is_error_label("Symptom"));
        assert!(!is_error_label("Solution:"));
        assert!(is_fix_label("Solution:"));
        assert!(is_fix_label("How to fix"));
        assert!(!is_fix_label("Error message:"));
        assert!(is_message_heading("Log messages"));
        assert!(!is_message_heading("Deleting files"));
        assert!(is_command_like("kubectl get pods -n x"));
        assert!(is_command_like("KUBECONFIG"));
        assert!(!is_command_like("failed to connect to postgres"));
        assert!(!is_command_like("ERR_PNPM_TARBALL_INTEGRITY"));
        assert!(mentions_message("you see the following error"));
    }
}

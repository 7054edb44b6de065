//! Finding where the message of a log line starts, with no per-format settings.
//!
//! Log headers differ in detail (syslog, log4j, klog, Apache, logcat, BGL...) but are built
//! from the same few kinds of field: timestamps, numbers (pids, thread ids), a level, a
//! bracketed thread or component, a component ending in `:` and `-` separators. The level
//! is the best anchor: when one appears early, after nothing but header-like fields,
//! everything up to it is header, and so is a component right after it. Without a level,
//! leading timestamps are stripped, and a syslog-style `host program[pid]:` or a
//! Proxifier-style `program -` right after them.

/// Most leading fields looked at: a level further in is part of the message.
const MAX_FIELDS: usize = 12;

/// What one whitespace-separated header field looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// A severity word such as `INFO`, `[error]` or `<WARN>`.
    Level,
    /// A one-letter severity (`D`, `I`, `W`, `E`...), as logcat and klog write them.
    Letter,
    /// A date, a time, a number, or a bracket of only those.
    Time,
    /// `-` or `|` between fields.
    Dash,
    /// Anything else in brackets: a thread, a logger.
    Bracket,
    /// A token with digits in it (a node name, an id) or an upper-case word (`RAS`).
    Ident,
    /// A word: may be the message.
    Word,
}

/// Severity words, upper case.
const LEVELS: &[&str] = &[
    "TRACE",
    "DEBUG",
    "DBG",
    "INFO",
    "INF",
    "NOTICE",
    "WARN",
    "WARNING",
    "WRN",
    "ERROR",
    "ERR",
    "CRIT",
    "CRITICAL",
    "FATAL",
    "SEVERE",
    "ALERT",
    "EMERG",
    "EMERGENCY",
    "PANIC",
    "FINE",
    "FINER",
    "FINEST",
    "CONFIG",
    "VERBOSE",
];

const MONTHS_AND_DAYS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "mon",
    "tue", "wed", "thu", "fri", "sat", "sun",
];

/// Byte offset where the message of `line` starts (0 when no header is recognised).
///
/// ```
/// use triage_scan::template::message_start;
/// let line = "2015-10-18 18:01:47,978 INFO [main] org.apache.App: Created app 7";
/// assert_eq!(&line[message_start(line)..], "Created app 7");
/// ```
pub fn message_start(line: &str) -> usize {
    let mut buf = [(Field::Word, 0, 0); MAX_FIELDS];
    let n = fields(line, &mut buf);
    let fields = &buf[..n];
    let level = fields.iter().enumerate().position(|(i, (kind, ..))| match kind {
        Field::Level => fields[..i].iter().all(|(k, ..)| *k != Field::Word),
        Field::Letter => {
            i > 0 && fields[..i].iter().all(|(k, ..)| matches!(k, Field::Time | Field::Dash))
        }
        _ => false,
    });
    let mut at = match level {
        Some(i) => {
            let mut next = i + 1;
            while next < fields.len() && matches!(fields[next].0, Field::Bracket | Field::Dash) {
                next += 1;
            }
            if next < fields.len() && is_component(&line[fields[next].1..fields[next].2]) {
                next += 1;
            }
            next
        }
        None => {
            let lead =
                fields.iter().take_while(|(k, ..)| matches!(k, Field::Time | Field::Dash)).count();
            if lead == 0 || fields[..lead].iter().all(|(k, ..)| *k == Field::Dash) {
                return 0;
            }
            let mut next = lead;
            let text = |i: usize| &line[fields[i].1..fields[i].2];
            // `program -`, `program *64 -`: a short run of fields closed by a dash.
            if let Some(dash) =
                (next + 1..fields.len().min(next + 3)).find(|&i| fields[i].0 == Field::Dash)
            {
                next = dash + 1;
            } else if next < fields.len() && is_component(text(next)) {
                next += 1;
            } else if next + 1 < fields.len()
                && is_component(text(next + 1))
                && !text(next).ends_with(':')
            {
                next += 2;
            }
            next
        }
    };
    // A separator right after the header is part of it.
    while at < fields.len() && fields[at].0 == Field::Dash {
        at += 1;
    }
    if at >= fields.len() {
        // Only header fields were seen: either the line is all header, or the message
        // lies past the fields looked at.
        return if fields.len() < MAX_FIELDS { line.len() } else { 0 };
    }
    fields[at].1
}

/// The leading fields of `line` (at most [`MAX_FIELDS`]): kind, start and end byte
/// offsets. Stops as soon as the rest cannot change the answer: a few fields after the
/// first word (no level can follow a word) or after a level.
fn fields(line: &str, out: &mut [(Field, usize, usize); MAX_FIELDS]) -> usize {
    let bytes = line.as_bytes();
    let mut len = 0;
    let mut i = 0;
    let mut stop_at = MAX_FIELDS;
    while len < stop_at {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        if bytes[i] == b'[' {
            // A bracket may hold spaces (`[Sun Dec 04 04:47:44 2005]`) and brackets.
            let mut depth = 0usize;
            while i < bytes.len() {
                match bytes[i] {
                    b'[' => depth += 1,
                    b']' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            // A bracket glued to more text (`[x]abc`) runs to the next space.
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
        } else {
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
        }
        let kind = classify(&line[start..i]);
        match kind {
            Field::Word if stop_at == MAX_FIELDS => stop_at = (len + 4).min(MAX_FIELDS),
            Field::Level | Field::Letter if stop_at == MAX_FIELDS => {
                stop_at = (len + 6).min(MAX_FIELDS)
            }
            _ => {}
        }
        out[len] = (kind, start, i);
        len += 1;
    }
    len
}

fn classify(token: &str) -> Field {
    if token == "-" || token == "|" || token == "--" {
        return Field::Dash;
    }
    if let Some(inner) =
        token.strip_prefix('[').and_then(|t| t.strip_suffix(']').or(t.strip_suffix("]:")))
    {
        if is_level(inner) {
            return Field::Level;
        }
        if !inner.is_empty() && inner.split_ascii_whitespace().all(is_time) {
            return Field::Time;
        }
        return Field::Bracket;
    }
    let bare = token.trim_start_matches('<').trim_end_matches([':', '>', ']']);
    if is_level(bare) {
        return Field::Level;
    }
    if bare.len() == 1 && matches!(bare.as_bytes()[0], b'V' | b'D' | b'I' | b'W' | b'E' | b'F') {
        return Field::Letter;
    }
    if is_time(token) {
        return Field::Time;
    }
    if token.bytes().any(|b| b.is_ascii_digit())
        || (token.len() > 1 && token.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
    {
        return Field::Ident;
    }
    Field::Word
}

fn is_level(word: &str) -> bool {
    let word = word.strip_prefix("level=").unwrap_or(word).as_bytes();
    if !(3..=9).contains(&word.len()) || !word[0].is_ascii_alphabetic() {
        return false;
    }
    let mut upper = [0u8; 9];
    for (u, b) in upper.iter_mut().zip(word) {
        *u = b.to_ascii_uppercase();
    }
    let upper = &upper[..word.len()];
    LEVELS.iter().any(|l| l.as_bytes() == upper)
}

/// A date, a time or a number: digits and date punctuation, or a month or day name.
fn is_time(token: &str) -> bool {
    let token = token.trim_end_matches(',');
    if token.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        return is_month_or_day(token);
    }
    let mut digits = false;
    for b in token.bytes() {
        match b {
            b'0'..=b'9' => digits = true,
            b'-' | b'/' | b':' | b'.' | b',' | b'T' | b'Z' | b'+' => {}
            _ => return is_month_or_day(token),
        }
    }
    digits
}

/// `Mar`, `March`, `Sun`, `Sunday,`...
fn is_month_or_day(token: &str) -> bool {
    let bytes = token.as_bytes();
    if !(3..=9).contains(&bytes.len()) {
        return false;
    }
    let head = [bytes[0] | 0x20, bytes[1] | 0x20, bytes[2] | 0x20];
    MONTHS_AND_DAYS.iter().any(|m| m.as_bytes() == head)
        && bytes.iter().all(u8::is_ascii_alphabetic)
}

/// A logger or program name closing the header: `Foo.Bar:`, `sshd[42]:`, `WindowManager:`.
fn is_component(token: &str) -> bool {
    let Some(name) = token.strip_suffix(':') else { return false };
    !name.is_empty()
        && !name.contains("://")
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'/' || b == b'_')
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn message(line: &str) -> &str {
        &line[message_start(line)..]
    }

    #[rstest]
    #[case(
        "03-17 16:13:38.811  1702  2395 D WindowManager: printFreezing app",
        "printFreezing app"
    )]
    #[case(
        "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
        "mod_jk child workerEnv in error state 6"
    )]
    #[case(
        "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
        "instruction cache parity error corrected"
    )]
    #[case(
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block",
        "PacketResponder 1 for block"
    )]
    #[case(
        "2015-10-18 18:01:48,963 INFO [main] org.apache.hadoop.App: Executing with tokens:",
        "Executing with tokens:"
    )]
    #[case(
        "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy",
        "proxy.cse.cuhk.edu.hk:5070 open through proxy"
    )]
    #[case(
        "17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls to: yarn,curi",
        "Changing view acls to: yarn,curi"
    )]
    #[case(
        "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200",
        "Notification time out: 3200"
    )]
    #[case("[10.30 16:49:06] chrome.exe *64 - hm.example.com:80 close", "hm.example.com:80 close")]
    #[case(
        "Mar  3 12:00:01 web1 sshd[812]: Accepted publickey for root",
        "Accepted publickey for root"
    )]
    #[case(
        "2024-05-01T10:00:00Z ERROR listen tcp :8080: bind: address already in use",
        "listen tcp :8080: bind: address already in use"
    )]
    #[case(
        "listen tcp :8080: bind: address already in use",
        "listen tcp :8080: bind: address already in use"
    )]
    #[case("connection to db ERROR at startup", "connection to db ERROR at startup")]
    #[case("", "")]
    fn strips_common_headers(#[case] line: &str, #[case] want: &str) {
        assert_eq!(message(line), want);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for line in ["[[[", "]]] x", "[a]b c", "\u{1F600} [é] ü: x", "- - -", "INFO", "12:00 INFO"]
        {
            let _ = message(line);
        }
    }
}

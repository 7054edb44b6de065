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

/// Byte offset where the message of `line` starts (0 when no header is recognised).
///
/// ```
/// use triage_scan::template::message_start;
/// let line = "2015-10-18 18:01:47,978 INFO [main] org.apache.App: Created app 7";
/// assert_eq!(&line[message_start(line)..], "Created app 7");
/// ```
pub fn message_start(line: &str) -> usize {
    let mut fields = Fields::new(line);
    // The first level after nothing but header fields: no word before a level, only
    // times and dashes before a letter. After a word none can qualify.
    let mut level = None;
    let mut times_only = true;
    let mut k = 0;
    while let Some((kind, ..)) = fields.get(k) {
        match kind {
            Field::Level => {
                level = Some(k);
                break;
            }
            Field::Letter if k > 0 && times_only => {
                level = Some(k);
                break;
            }
            Field::Word => break,
            Field::Time | Field::Dash => {}
            _ => times_only = false,
        }
        k += 1;
    }
    let mut at = match level {
        Some(i) => {
            let mut next = i + 1;
            while matches!(fields.kind(next), Some(Field::Bracket | Field::Dash)) {
                next += 1;
            }
            if fields.text(next).is_some_and(is_component) {
                next += 1;
            }
            next
        }
        None => {
            let mut lead = 0;
            while matches!(fields.kind(lead), Some(Field::Time | Field::Dash)) {
                lead += 1;
            }
            if lead == 0 || (0..lead).all(|i| fields.kind(i) == Some(Field::Dash)) {
                return 0;
            }
            let mut next = lead;
            // `program -`, `program *64 -`: a short run of fields closed by a dash.
            if let Some(dash) = (next + 1..next + 3).find(|&i| fields.kind(i) == Some(Field::Dash))
            {
                next = dash + 1;
            } else if fields.text(next).is_some_and(is_component) {
                next += 1;
            } else if fields.text(next + 1).is_some_and(is_component)
                && !fields.text(next).is_some_and(|t| t.ends_with(':'))
            {
                next += 2;
            }
            next
        }
    };
    // A separator right after the header is part of it.
    while fields.kind(at) == Some(Field::Dash) {
        at += 1;
    }
    match fields.get(at) {
        Some((_, start, _)) => start,
        // Only header fields were seen: either the line is all header, or the message
        // lies past the fields looked at.
        None if at < MAX_FIELDS => line.len(),
        None => 0,
    }
}

/// The leading fields of a line (at most [`MAX_FIELDS`]), read as they are asked for:
/// kind, start and end byte offsets. No field is read once the rest cannot change the
/// answer: a few fields after the first word (no level can follow a word) or after a
/// level; most lines are decided well before.
struct Fields<'a> {
    line: &'a str,
    read: [(Field, usize, usize); MAX_FIELDS],
    len: usize,
    /// Where the next field is looked for.
    at: usize,
    /// Fields past this many are not read.
    stop_at: usize,
}

impl<'a> Fields<'a> {
    fn new(line: &'a str) -> Self {
        Fields { line, read: [(Field::Word, 0, 0); MAX_FIELDS], len: 0, at: 0, stop_at: MAX_FIELDS }
    }

    /// Field `k`, if the line has it and it is within the fields looked at.
    fn get(&mut self, k: usize) -> Option<(Field, usize, usize)> {
        while self.len <= k && self.len < self.stop_at {
            if !self.read_one() {
                break;
            }
        }
        self.read[..self.len].get(k).copied()
    }

    /// The kind of field `k`.
    fn kind(&mut self, k: usize) -> Option<Field> {
        self.get(k).map(|(kind, ..)| kind)
    }

    /// The text of field `k`.
    fn text(&mut self, k: usize) -> Option<&'a str> {
        let line = self.line;
        self.get(k).map(|(_, start, end)| &line[start..end])
    }

    /// Reads the next field; false at the end of the line.
    fn read_one(&mut self) -> bool {
        let bytes = self.line.as_bytes();
        let mut i = self.at;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            self.at = i;
            return false;
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
        }
        // A bracket glued to more text (`[x]abc`) runs to the next space.
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let kind = classify(&self.line[start..i]);
        match kind {
            Field::Word if self.stop_at == MAX_FIELDS => {
                self.stop_at = (self.len + 4).min(MAX_FIELDS);
            }
            Field::Level | Field::Letter if self.stop_at == MAX_FIELDS => {
                self.stop_at = (self.len + 6).min(MAX_FIELDS);
            }
            _ => {}
        }
        self.read[self.len] = (kind, start, i);
        self.len += 1;
        self.at = i;
        true
    }
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
    let (any, all) = classes(token);
    if is_time_with(token, any, all) {
        return Field::Time;
    }
    if any & DIGIT != 0 || (token.len() > 1 && all & UPPER != 0) {
        return Field::Ident;
    }
    Field::Word
}

/// Whether `word` (after an optional `level=`) is a severity word such as `INFO`, in any case.
fn is_level(word: &str) -> bool {
    let word = word.strip_prefix("level=").unwrap_or(word).as_bytes();
    if !(3..=9).contains(&word.len()) || !word[0].is_ascii_alphabetic() {
        return false;
    }
    let mut upper = [0u8; 9];
    for (u, b) in upper.iter_mut().zip(word) {
        *u = b.to_ascii_uppercase();
    }
    // A `match` on the bytes compiles to a switch on the length, then word compares.
    matches!(
        &upper[..word.len()],
        b"TRACE"
            | b"DEBUG"
            | b"DBG"
            | b"INFO"
            | b"INF"
            | b"NOTICE"
            | b"WARN"
            | b"WARNING"
            | b"WRN"
            | b"ERROR"
            | b"ERR"
            | b"CRIT"
            | b"CRITICAL"
            | b"FATAL"
            | b"SEVERE"
            | b"ALERT"
            | b"EMERG"
            | b"EMERGENCY"
            | b"PANIC"
            | b"FINE"
            | b"FINER"
            | b"FINEST"
            | b"CONFIG"
            | b"VERBOSE"
    )
}

/// Byte classes, as bits of [`CLASS`]: a digit; a byte of a date or time (digits and
/// `-/:.,TZ+`); an upper-case letter or `_`.
const DIGIT: u8 = 1;
const TIME: u8 = 2;
const UPPER: u8 = 4;

/// The classes of each byte.
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_digit() {
            class[b] |= DIGIT | TIME;
        }
        if matches!(c, b'-' | b'/' | b':' | b'.' | b',' | b'T' | b'Z' | b'+') {
            class[b] |= TIME;
        }
        if c.is_ascii_uppercase() || c == b'_' {
            class[b] |= UPPER;
        }
        b += 1;
    }
    class
};

/// The classes some byte of `token` has, and those every byte has: one pass, no branch
/// per byte.
fn classes(token: &str) -> (u8, u8) {
    token.bytes().fold((0, 0xff), |(any, all), b| {
        let c = CLASS[usize::from(b)];
        (any | c, all & c)
    })
}

/// A date, a time or a number: digits and date punctuation, or a month or day name.
fn is_time(token: &str) -> bool {
    let (any, all) = classes(token);
    is_time_with(token, any, all)
}

/// [`is_time`] given the [`classes`] of `token`.
fn is_time_with(token: &str, any: u8, all: u8) -> bool {
    if token.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        return is_month_or_day(token.trim_end_matches(','));
    }
    // Trailing commas are date punctuation too, so they need no trimming here.
    all & TIME != 0 && any & DIGIT != 0
}

/// `Mar`, `March`, `Sun`, `Sunday,`...
fn is_month_or_day(token: &str) -> bool {
    let bytes = token.as_bytes();
    if !(3..=9).contains(&bytes.len()) {
        return false;
    }
    let head = [bytes[0] | 0x20, bytes[1] | 0x20, bytes[2] | 0x20];
    matches!(
        &head,
        b"jan"
            | b"feb"
            | b"mar"
            | b"apr"
            | b"may"
            | b"jun"
            | b"jul"
            | b"aug"
            | b"sep"
            | b"oct"
            | b"nov"
            | b"dec"
            | b"mon"
            | b"tue"
            | b"wed"
            | b"thu"
            | b"fri"
            | b"sat"
            | b"sun"
    ) && bytes.iter().all(u8::is_ascii_alphabetic)
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

//! `kind: log`: how many recent lines of a log file match a pattern.
//!
//! The check behind `tail -n 1000 app.log | grep -c ERROR` and `journalctl --since "15
//! min ago" | grep FATAL` in a guide. The file is read from its end, never whole:
//!
//! - with `lines: N`, the window is the last N lines;
//! - with `since: 15m`, it is the lines whose leading timestamp is at most that old. The
//!   formats recognised are RFC 3339 / ISO 8601 (with or without zone; local time
//!   without), syslog (`Dec  1 21:16:51`), klog (`I1201 21:16:51.123456`) and epoch
//!   seconds or milliseconds. A line without a timestamp (a stack trace, a continuation)
//!   inherits the one before it; lines before any timestamp count as recent, so an
//!   unrecognised format over-reports instead of hiding errors (a note says so);
//! - with both, the window is the last N lines that are also recent enough;
//! - with neither, it is the last `max_bytes` of the file (1 MiB by default).
//!
//! A window scans at most [`WINDOW_CAP`] bytes from the end, whatever its size. Each line
//! is matched on its first [`LINE_CAP`] bytes, so one huge line costs no more memory
//! than that. The file is read up to the size it had when the probe started, so a log
//! being written fast does not keep it reading. A first line cut by the start of the
//! window is not counted.
//!
//! Fields:
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `path` | the log file | required |
//! | `pattern` | regular expression searched in each line | required |
//! | `lines` | window: the last N lines | none |
//! | `since` | window: lines at most this old, e.g. `15m` | none |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[MATCHES]` | lines in the window that match |
//! | `[LINES]` | lines in the window |
//! | `[FIRST_MATCH]` | the first matching line (at most 1 KiB); empty when none |
//! | `[LAST_MATCH]` | the last matching line (at most 1 KiB); empty when none |
//!
//! A file that cannot be read is a result with an error. Default expectation:
//! `[MATCHES] == 0`.
//!
//! ```yaml
//! kind: log
//! path: /var/log/postgresql/postgresql-16-main.log
//! pattern: "FATAL: sorry, too many clients already"
//! since: 15m
//! expect:
//!   - "[MATCHES] == 0"
//! ```

mod timestamp;

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;
use regex::Regex;
use serde::Deserialize;
use triage_core::Observation;

use crate::{Context, Kind};
use timestamp::Clock;

/// Most bytes a `lines`/`since` window scans, counted back from the end of the file.
pub const WINDOW_CAP: u64 = 64 << 20;

/// Bytes of one line that the pattern is matched against; the rest is skipped.
pub const LINE_CAP: usize = 64 << 10;

/// Bytes kept of `[FIRST_MATCH]` and `[LAST_MATCH]`.
const MATCH_CAP: usize = 1 << 10;

/// Bytes read per step when walking backwards from the end.
const BLOCK: u64 = 64 << 10;

/// Bytes of a line's start that may hold its timestamp.
const HEAD: usize = 64;

/// Counts matching lines among the recent lines of a log file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// The log file. Required.
    pub path: PathBuf,
    /// Regular expression searched in each line. Required.
    pub pattern: String,
    /// Window: the last N lines. Default: none.
    #[serde(default)]
    pub lines: Option<u64>,
    /// Window: lines whose timestamp is at most this old. Default: none.
    #[serde(default, with = "triage_core::duration::option")]
    pub since: Option<Duration>,
}

impl Kind for Log {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("MATCHES", "number of lines in the window that match the pattern"),
        ("LINES", "number of lines in the window"),
        ("FIRST_MATCH", "the first matching line, capped at 1 KiB; empty when none"),
        ("LAST_MATCH", "the last matching line, capped at 1 KiB; empty when none"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[MATCHES] == 0"];

    fn target(&self) -> String {
        let mut target = format!("log {} /{}/", self.path.display(), self.pattern);
        if let Some(n) = self.lines {
            target.push_str(&format!(" last {n} lines"));
        }
        if let Some(since) = self.since {
            target.push_str(&format!(" since {since:?} ago"));
        }
        target
    }

    fn validate(&self) -> Result<(), String> {
        if self.path.as_os_str().is_empty() {
            return Err("path is empty".into());
        }
        if self.lines == Some(0) {
            return Err("lines must be at least 1".into());
        }
        if self.since == Some(Duration::ZERO) {
            return Err("since must be longer than 0s".into());
        }
        compile(&self.pattern).map(drop)
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let probe = self.clone();
        let max_bytes = ctx.max_bytes as u64;
        let what = format!("read {}", self.path.display());
        ctx.blocking(what, move || probe.look(max_bytes, &Clock::system())).await
    }
}

fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("invalid pattern `{pattern}`: {e}"))
}

impl Log {
    fn look(&self, max_bytes: u64, clock: &Clock) -> Observation {
        let regex = match compile(&self.pattern) {
            Ok(regex) => regex,
            Err(e) => return Observation::failed(e),
        };
        match self.scan(&regex, max_bytes, clock) {
            Ok(seen) => seen,
            Err(e) => Observation::failed(format!("read {}: {e}", self.path.display())),
        }
    }

    fn scan(&self, regex: &Regex, max_bytes: u64, clock: &Clock) -> io::Result<Observation> {
        let mut file = fs::File::open(&self.path)?;
        let end = file.metadata()?.len();
        let cutoff = self.since.map(|since| clock.now.checked_sub(since).unwrap_or(Timestamp::MIN));
        let windowed = self.lines.is_some() || self.since.is_some();
        let floor = end.saturating_sub(if windowed { WINDOW_CAP } else { max_bytes });
        let window = if windowed {
            find_window(&mut file, end, floor, self.lines, cutoff, clock)?
        } else {
            Window { start: floor, seed: None }
        };
        let mut seen = Observation::default();
        if window.start == floor && floor > 0 {
            seen.note(format!("scanned the last {} bytes of {}", end - floor, end));
        }
        let cut = window.start > 0 && byte_before(&mut file, window.start)? != b'\n';
        file.seek(SeekFrom::Start(window.start))?;
        let reader = BufReader::with_capacity(BLOCK as usize, file.take(end - window.start));
        let tally = Tally::count(reader, cut, regex, cutoff.map(|c| (c, window.seed)), clock)?;
        seen.set("MATCHES", tally.matches)
            .set("LINES", tally.lines)
            .set("FIRST_MATCH", tally.first.unwrap_or_default())
            .set("LAST_MATCH", tally.last.unwrap_or_default());
        if self.since.is_some() && !tally.dated {
            seen.note("no timestamp recognised in the window: every line counted as recent");
        }
        Ok(seen)
    }
}

fn byte_before(file: &mut fs::File, offset: u64) -> io::Result<u8> {
    let mut byte = [0u8];
    file.seek(SeekFrom::Start(offset - 1))?;
    file.read_exact(&mut byte)?;
    Ok(byte[0])
}

/// Where the forward scan starts, and the timestamp its first lines inherit.
struct Window {
    start: u64,
    seed: Option<Timestamp>,
}

/// Walks line starts backwards from `end` (never below `floor`) to the start of the
/// window: the N-th line from the end, or the last line older than `cutoff` (whose own
/// timestamp then excludes it and the undated lines after it), whichever comes first.
fn find_window(
    file: &mut fs::File,
    end: u64,
    floor: u64,
    lines: Option<u64>,
    cutoff: Option<Timestamp>,
    clock: &Clock,
) -> io::Result<Window> {
    let mut count = 0u64;
    let mut start = None;
    let mut seed = None;
    walk_back(file, end, floor, |offset, head| {
        let stamp = cutoff.and_then(|_| timestamp::leading(head, clock));
        if start.is_some() {
            // The window is found; only the timestamp its first lines inherit is missing.
            seed = stamp;
            return stamp.is_some();
        }
        count += 1;
        if let (Some(cutoff), Some(stamp)) = (cutoff, stamp)
            && stamp < cutoff
        {
            start = Some(offset);
            return true;
        }
        if lines == Some(count) {
            start = Some(offset);
            return cutoff.is_none() || stamp.is_some();
        }
        false
    })?;
    Ok(Window { start: start.unwrap_or(floor), seed })
}

/// Calls `visit(offset, head)` for each line start from the last line back to `floor`,
/// `head` being the line's first bytes, until `visit` returns true.
fn walk_back(
    file: &mut fs::File,
    end: u64,
    floor: u64,
    mut visit: impl FnMut(u64, &[u8]) -> bool,
) -> io::Result<()> {
    let mut high = end;
    // The first bytes of the block read before (later in the file): a line starting at
    // the end of this block has its head there.
    let mut carry: Vec<u8> = Vec::new();
    let mut buf = Vec::with_capacity(BLOCK as usize + HEAD);
    while high > floor {
        let low = high.saturating_sub(BLOCK).max(floor);
        buf.resize((high - low) as usize, 0);
        file.seek(SeekFrom::Start(low))?;
        file.read_exact(&mut buf)?;
        let block = buf.len();
        buf.extend_from_slice(&carry);
        for i in (0..block).rev() {
            let offset = low + i as u64 + 1;
            if buf[i] == b'\n' && offset < end {
                let head = &buf[i + 1..(i + 1 + HEAD).min(buf.len())];
                if visit(offset, head) {
                    return Ok(());
                }
            }
        }
        if low == 0 {
            visit(0, &buf[..HEAD.min(buf.len())]);
            return Ok(());
        }
        carry = buf[..HEAD.min(buf.len())].to_vec();
        high = low;
    }
    Ok(())
}

/// What the forward scan of the window found.
#[derive(Debug, Default)]
struct Tally {
    lines: u64,
    matches: u64,
    first: Option<String>,
    last: Option<String>,
    /// Whether any line of the window had a timestamp.
    dated: bool,
}

impl Tally {
    /// Counts the lines of `reader`, skipping the first when it is `cut`; with `since`
    /// (the cutoff and the inherited timestamp), only lines at least as new as the cutoff.
    fn count(
        mut reader: impl BufRead,
        cut: bool,
        regex: &Regex,
        since: Option<(Timestamp, Option<Timestamp>)>,
        clock: &Clock,
    ) -> io::Result<Tally> {
        let mut tally = Tally::default();
        let mut line = Vec::with_capacity(1024);
        let mut current = since.and_then(|(_, seed)| seed);
        tally.dated = current.is_some();
        if cut {
            next_line(&mut reader, &mut line)?;
        }
        while next_line(&mut reader, &mut line)? {
            if let Some((cutoff, _)) = since {
                if let Some(stamp) = timestamp::leading(&line[..HEAD.min(line.len())], clock) {
                    current = Some(stamp);
                    tally.dated = true;
                }
                if current.is_some_and(|stamp| stamp < cutoff) {
                    continue;
                }
            }
            tally.lines += 1;
            let text = String::from_utf8_lossy(&line);
            if regex.is_match(&text) {
                tally.matches += 1;
                let shown = capped(&text);
                if tally.first.is_none() {
                    tally.first = Some(shown.clone());
                }
                tally.last = Some(shown);
            }
        }
        Ok(tally)
    }
}

/// Reads one line into `line` without its line break, keeping at most [`LINE_CAP`]
/// bytes of it. Returns false at the end of input.
fn next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<bool> {
    line.clear();
    let mut any = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(any);
        }
        any = true;
        let (take, used, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i, i + 1, true),
            None => (buf.len(), buf.len(), false),
        };
        let room = LINE_CAP.saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        reader.consume(used);
        if done {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(true);
        }
    }
}

/// At most [`MATCH_CAP`] bytes of `text`, cut at a character boundary.
fn capped(text: &str) -> String {
    let mut end = text.len().min(MATCH_CAP);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::Path;

    use jiff::tz::TimeZone;
    use jiff::{SignedDuration, Timestamp};
    use triage_core::Value;

    use super::*;
    use crate::Probe;

    fn log(path: &Path, pattern: &str) -> Log {
        Log { path: path.into(), pattern: pattern.into(), lines: None, since: None }
    }

    fn write(dir: &Path, content: &[u8]) -> PathBuf {
        let path = dir.join("app.log");
        fs::write(&path, content).unwrap();
        path
    }

    fn int(seen: &Observation, name: &str) -> i64 {
        match seen.get(name) {
            Some(Value::Int(n)) => *n,
            other => panic!("{name} is {other:?} in {seen:?}"),
        }
    }

    fn text(seen: &Observation, name: &str) -> String {
        match seen.get(name) {
            Some(Value::Text(t)) => t.clone(),
            other => panic!("{name} is {other:?} in {seen:?}"),
        }
    }

    async fn observe(probe: &Log) -> Observation {
        probe.observe(&Context::default()).await
    }

    #[tokio::test]
    async fn whole_small_file_without_a_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), b"ok\nERROR one\nok\nERROR two\nok\n");
        let seen = observe(&log(&path, "ERROR")).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(int(&seen, "MATCHES"), 2);
        assert_eq!(int(&seen, "LINES"), 5);
        assert_eq!(text(&seen, "FIRST_MATCH"), "ERROR one");
        assert_eq!(text(&seen, "LAST_MATCH"), "ERROR two");

        let seen = observe(&log(&path, "FATAL")).await;
        assert_eq!(int(&seen, "MATCHES"), 0);
        assert_eq!(text(&seen, "LAST_MATCH"), "");
    }

    #[tokio::test]
    async fn last_n_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mut content = String::new();
        for i in 0..200_000 {
            content.push_str(if i % 1000 == 0 { "ERROR boom\n" } else { "fine and dandy\n" });
        }
        content.push_str("ERROR at the end\n");
        let path = write(dir.path(), content.as_bytes());
        for (n, matches) in [(1, 1), (2, 1), (1000, 1), (1001, 2), (2001, 3), (10_000_000, 201)] {
            let seen = observe(&Log { lines: Some(n), ..log(&path, "ERROR") }).await;
            assert_eq!(int(&seen, "MATCHES"), matches, "last {n}");
            assert_eq!(int(&seen, "LINES"), n.min(200_001) as i64, "last {n}");
        }
    }

    #[tokio::test]
    async fn no_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), b"a\nERROR b\nERROR c");
        let seen = observe(&Log { lines: Some(1), ..log(&path, "ERROR") }).await;
        assert_eq!(int(&seen, "LINES"), 1);
        assert_eq!(text(&seen, "LAST_MATCH"), "ERROR c");
        let seen = observe(&Log { lines: Some(2), ..log(&path, "ERROR") }).await;
        assert_eq!(int(&seen, "MATCHES"), 2);
        let seen = observe(&log(&path, "ERROR")).await;
        assert_eq!((int(&seen, "LINES"), int(&seen, "MATCHES")), (3, 2));
        // Empty lines are lines; CRLF endings are not part of the text.
        let path = write(dir.path(), b"\r\n\r\nERROR x\r\n");
        let seen = observe(&Log { lines: Some(10), ..log(&path, "x$") }).await;
        assert_eq!((int(&seen, "LINES"), int(&seen, "MATCHES")), (3, 1));
    }

    #[tokio::test]
    async fn without_a_window_the_tail_of_max_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), b"ERROR old\nfine\nERROR new\n");
        let ctx = Context { max_bytes: 12, ..Context::default() };
        // The last 12 bytes are "e\nERROR new\n": the "e" of "fine" is a cut line, skipped.
        let seen = log(&path, "ERROR|e$").observe(&ctx).await;
        assert_eq!(int(&seen, "LINES"), 1);
        assert_eq!(text(&seen, "LAST_MATCH"), "ERROR new");
        assert!(seen.notes.iter().any(|n| n.starts_with("scanned the last 12 bytes")), "{seen:?}");
    }

    /// A clock at the real present in UTC, and lines stamped `minutes` ago in `format`.
    fn stamp(minutes: i64, format: &str) -> String {
        let at = Timestamp::now() - SignedDuration::from_mins(minutes);
        let local = at.to_zoned_datetime(TimeZone::try_system().unwrap_or(TimeZone::UTC));
        match format {
            "rfc3339" => at.to_string(),
            "iso-local" => local.strftime("%Y-%m-%d %H:%M:%S,%3f").to_string(),
            "syslog" => local.strftime("%b %e %H:%M:%S").to_string(),
            "klog" => format!("I{}.123456", local.strftime("%m%d %H:%M:%S")),
            "epoch" => at.as_second().to_string(),
            other => panic!("{other}"),
        }
    }

    #[rstest::rstest]
    #[case("rfc3339")]
    #[case("iso-local")]
    #[case("syslog")]
    #[case("klog")]
    #[case("epoch")]
    #[tokio::test]
    async fn since_window(#[case] format: &str) {
        let dir = tempfile::tempdir().unwrap();
        let content = format!(
            "{} ERROR too old\n  continuation of the old one ERROR\n{} ERROR old\n{} info\n\
             {} ERROR recent\n  at trace line ERROR\n{} ERROR newest\n",
            stamp(600, format),
            stamp(120, format),
            stamp(30, format),
            stamp(10, format),
            stamp(1, format),
        );
        let path = write(dir.path(), content.as_bytes());
        let probe = Log { since: Some(Duration::from_secs(15 * 60)), ..log(&path, "ERROR") };
        let seen = observe(&probe).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(int(&seen, "LINES"), 3, "{format}: {content}");
        assert_eq!(int(&seen, "MATCHES"), 3, "{format}");
        assert!(text(&seen, "FIRST_MATCH").ends_with("ERROR recent"), "{format}");
        assert!(text(&seen, "LAST_MATCH").ends_with("ERROR newest"), "{format}");
        assert!(seen.notes.is_empty(), "{seen:?}");

        // Both windows: the last 2 lines that are recent enough.
        let both = Log { lines: Some(2), ..probe.clone() };
        let seen = observe(&both).await;
        assert_eq!((int(&seen, "LINES"), int(&seen, "MATCHES")), (2, 2), "{format}");
        // The last 6 lines start at the continuation of the too-old entry: it inherits
        // that entry's age and is left out.
        let both = Log { lines: Some(6), since: Some(Duration::from_secs(300 * 60)), ..probe };
        let seen = observe(&both).await;
        assert_eq!(int(&seen, "LINES"), 5, "{format}");
        assert!(!text(&seen, "FIRST_MATCH").contains("continuation"), "{format}");
    }

    #[tokio::test]
    async fn since_without_timestamps_counts_everything_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), b"ERROR a\nERROR b\n");
        let probe = Log { since: Some(Duration::from_secs(60)), ..log(&path, "ERROR") };
        let seen = observe(&probe).await;
        assert_eq!(int(&seen, "MATCHES"), 2);
        assert!(seen.notes.iter().any(|n| n.contains("no timestamp")), "{seen:?}");
    }

    #[tokio::test]
    async fn a_huge_single_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.log");
        let mut file = fs::File::create(&path).unwrap();
        file.write_all(b"ERROR start ").unwrap();
        let filler = vec![b'x'; 1 << 20];
        for _ in 0..12 {
            file.write_all(&filler).unwrap();
        }
        file.write_all(b" END\nERROR next\n").unwrap();
        drop(file);
        let probe = Log { lines: Some(2), ..log(&path, "^ERROR") };
        let seen = observe(&probe).await;
        assert_eq!(int(&seen, "LINES"), 2);
        assert_eq!(int(&seen, "MATCHES"), 2);
        let first = text(&seen, "FIRST_MATCH");
        assert!(
            first.starts_with("ERROR start xxx") && first.len() == MATCH_CAP,
            "{}",
            first.len()
        );
        // Only the first LINE_CAP bytes of a line are matched.
        let seen = observe(&Log { lines: Some(2), ..log(&path, "END") }).await;
        assert_eq!(int(&seen, "MATCHES"), 0);
    }

    #[tokio::test]
    async fn a_window_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let mut file = fs::File::create(&path).unwrap();
        file.write_all(b"ERROR beyond the cap\n").unwrap();
        let line = [b"fine\n".as_slice(); 1024].concat();
        for _ in 0..(WINDOW_CAP / line.len() as u64 + 10) {
            file.write_all(&line).unwrap();
        }
        drop(file);
        // 64 MiB through an unoptimised build on a busy machine: more than the default 10s.
        let ctx = Context { timeout: Duration::from_secs(120), ..Context::default() };
        let seen = Log { lines: Some(u64::MAX), ..log(&path, "ERROR") }.observe(&ctx).await;
        assert_eq!(int(&seen, "MATCHES"), 0);
        assert!(int(&seen, "LINES") <= (WINDOW_CAP / 5) as i64);
        assert!(seen.notes.iter().any(|n| n.starts_with("scanned the last 67108864 bytes")));
    }

    #[tokio::test]
    async fn a_missing_file_is_a_result_with_an_error() {
        let path = Path::new("/no/such/app.log");
        let seen = observe(&log(path, "ERROR")).await;
        let error = seen.error.as_deref().unwrap();
        assert!(error.starts_with("read /no/such/app.log: No such file"), "{error}");
        assert_eq!(seen.get("MATCHES"), None);
    }

    #[test]
    fn validates() {
        let path = Path::new("/var/log/syslog");
        assert!(log(path, "ERROR").validate().is_ok());
        assert!(log(path, "(").validate().unwrap_err().starts_with("invalid pattern `(`"));
        assert!(Log { lines: Some(0), ..log(path, "x") }.validate().is_err());
        assert!(Log { since: Some(Duration::ZERO), ..log(path, "x") }.validate().is_err());
    }

    #[test]
    fn yaml_form() {
        let probe: Probe = serde_yaml_ng::from_str(
            "kind: log\npath: /var/log/app.log\npattern: FATAL\nlines: 500\nsince: 15m",
        )
        .unwrap();
        let Probe::Log(log) = &probe else { panic!() };
        assert_eq!(log.lines, Some(500));
        assert_eq!(log.since, Some(Duration::from_secs(900)));
        let err = serde_yaml_ng::from_str::<Probe>("kind: log\npath: /x\npattern: y\ntail: 5")
            .unwrap_err();
        assert!(err.to_string().contains("unknown field `tail`"), "{err}");
    }
}

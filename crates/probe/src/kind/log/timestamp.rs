//! The timestamp a log line starts with, in the formats logs commonly use.
//!
//! Recognised at the very start of a line (after an optional `[`):
//!
//! | format | example | zone |
//! | --- | --- | --- |
//! | RFC 3339 / ISO 8601 | `2024-12-01T21:16:51.123Z`, `2024-12-01 21:16:51,123 +0100` | as written; local time without one |
//! | syslog | `Dec  1 21:16:51` | local time, year guessed |
//! | klog (Kubernetes, glog) | `I1201 21:16:51.123456` | local time, year guessed |
//! | epoch | `1733087811`, `1733087811.123`, `1733087811123` (ms) | UTC |
//!
//! A year-less timestamp is taken in the current year, or the year before when that
//! would put it more than a day in the future (a December line read in January).

use std::str;
use std::sync::LazyLock;

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use regex::{Captures, Regex};

/// What year-less and zone-less timestamps are read against.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    /// The present.
    pub(crate) now: Timestamp,
    /// The zone of timestamps that name none: the system's.
    pub(crate) tz: TimeZone,
    /// The current year in that zone.
    pub(crate) year: i16,
}

impl Clock {
    /// The system clock and time zone (UTC when the zone cannot be found).
    pub(crate) fn system() -> Self {
        Clock::at(Timestamp::now(), TimeZone::try_system().unwrap_or(TimeZone::UTC))
    }

    /// A clock stopped at `now` in `tz`.
    pub(crate) fn at(now: Timestamp, tz: TimeZone) -> Self {
        let year = now.to_zoned_datetime(tz.clone()).year();
        Clock { now, tz, year }
    }
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("built-in timestamp pattern compiles")
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^\[?([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:[.,]([0-9]{1,9}))? ?(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?",
    )
});
static SYSLOG: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"^([A-Z][a-z]{2}) +([0-9]{1,2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?")
});
static KLOG: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"^[IWEF]([0-9]{2})([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?")
});
static EPOCH: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^\[?([0-9]{13}|[0-9]{10})(?:\.([0-9]{1,9}))?(?:[\]\s,:]|$)"));

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The timestamp `head` (the first bytes of a line) starts with, if any.
pub(crate) fn leading(head: &[u8], clock: &Clock) -> Option<Timestamp> {
    let text = match str::from_utf8(head) {
        Ok(text) => text,
        // The head is cut at a byte count, possibly inside a character.
        Err(e) => str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    let first = *text.as_bytes().first()?;
    if first.is_ascii_digit() || first == b'[' {
        if let Some(c) = ISO.captures(text) {
            return iso(&c, clock);
        }
        if let Some(c) = EPOCH.captures(text) {
            return epoch(&c);
        }
        return None;
    }
    if let Some(c) = KLOG.captures(text) {
        let dt = datetime(clock.year, num(&c, 1)?, num(&c, 2)?, &c, 3)?;
        return yearless(dt, clock);
    }
    let c = SYSLOG.captures(text)?;
    let month = MONTHS.iter().position(|m| *m == &c[1])? + 1;
    let dt = datetime(clock.year, i8::try_from(month).ok()?, num(&c, 2)?, &c, 3)?;
    yearless(dt, clock)
}

fn num<T: str::FromStr>(c: &Captures<'_>, group: usize) -> Option<T> {
    c.get(group)?.as_str().parse().ok()
}

/// Nanoseconds from the digits after the decimal point.
fn nanos(c: &Captures<'_>, group: usize) -> i32 {
    let Some(digits) = c.get(group) else { return 0 };
    let digits = digits.as_str();
    let value: i32 = digits.parse().unwrap_or(0);
    value * 10i32.pow(9 - digits.len() as u32)
}

/// A civil date-time from `year`, `month`, `day` and hour, minute, second (and fraction)
/// in the groups from `hms` on.
fn datetime(year: i16, month: i8, day: i8, c: &Captures<'_>, hms: usize) -> Option<DateTime> {
    let (hour, minute, second) = (num(c, hms)?, num(c, hms + 1)?, num(c, hms + 2)?);
    DateTime::new(year, month, day, hour, minute, second, nanos(c, hms + 3)).ok()
}

fn iso(c: &Captures<'_>, clock: &Clock) -> Option<Timestamp> {
    let dt = datetime(num(c, 1)?, num(c, 2)?, num(c, 3)?, c, 4)?;
    let Some(zone) = c.get(8) else { return clock.tz.to_timestamp(dt).ok() };
    let zone = zone.as_str();
    let offset = if zone.eq_ignore_ascii_case("z") {
        Offset::UTC
    } else {
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
        let hours: i32 = digits.get(..2)?.parse().ok()?;
        let minutes: i32 =
            digits.get(2..).filter(|m| !m.is_empty()).map_or(Some(0), |m| m.parse().ok())?;
        Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()?
    };
    offset.to_timestamp(dt).ok()
}

fn epoch(c: &Captures<'_>) -> Option<Timestamp> {
    let digits = c.get(1)?.as_str();
    let value: i64 = digits.parse().ok()?;
    if digits.len() == 13 {
        return Timestamp::from_millisecond(value).ok();
    }
    Timestamp::new(value, nanos(c, 2)).ok()
}

fn yearless(dt: DateTime, clock: &Clock) -> Option<Timestamp> {
    let ts = clock.tz.to_timestamp(dt).ok()?;
    if ts.duration_since(clock.now) <= SignedDuration::from_hours(24) {
        return Some(ts);
    }
    let last_year = DateTime::new(
        dt.year() - 1,
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond(),
    )
    .ok()?;
    clock.tz.to_timestamp(last_year).ok()
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn utc(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// 2024-12-02 00:00 UTC, with UTC as the local zone.
    fn clock() -> Clock {
        Clock::at(utc("2024-12-02T00:00:00Z"), TimeZone::UTC)
    }

    #[rstest]
    #[case("2024-12-01T21:16:51Z msg", "2024-12-01T21:16:51Z")]
    #[case("2024-12-01T21:16:51.5+01:00 msg", "2024-12-01T20:16:51.5Z")]
    #[case("2024-12-01T21:16:51-0530 msg", "2024-12-02T02:46:51Z")]
    #[case("2024-12-01 21:16:51,123 INFO x", "2024-12-01T21:16:51.123Z")]
    #[case("[2024-12-01 21:16:51] x", "2024-12-01T21:16:51Z")]
    #[case("2024-12-01 21:16:51 +0000 x", "2024-12-01T21:16:51Z")]
    #[case("Dec  1 21:16:51 host sshd[1]: x", "2024-12-01T21:16:51Z")]
    #[case("Nov 30 01:02:03 host x", "2024-11-30T01:02:03Z")]
    #[case("I1201 21:16:51.123456 1 main.go:1] x", "2024-12-01T21:16:51.123456Z")]
    #[case("E1201 21:16:51 x", "2024-12-01T21:16:51Z")]
    #[case("1733087811 x", "2024-12-01T21:16:51Z")]
    #[case("1733087811.25 x", "2024-12-01T21:16:51.25Z")]
    #[case("[1733087811123] x", "2024-12-01T21:16:51.123Z")]
    fn formats(#[case] line: &str, #[case] want: &str) {
        assert_eq!(leading(line.as_bytes(), &clock()), Some(utc(want)), "{line}");
    }

    #[rstest]
    #[case("")]
    #[case("plain text")]
    #[case("    at com.example.Foo(Foo.java:1)")]
    #[case("12345 is not a time")]
    #[case("2024-13-45T99:99:99Z")]
    #[case("Foo  1 21:16:51 x")]
    #[case("Info: 21:16:51")]
    fn not_timestamps(#[case] line: &str) {
        assert_eq!(leading(line.as_bytes(), &clock()), None, "{line}");
    }

    #[test]
    fn a_december_line_read_in_january_is_last_year() {
        let january = Clock::at(utc("2025-01-02T00:00:00Z"), TimeZone::UTC);
        assert_eq!(leading(b"Dec 31 23:00:00 x", &january), Some(utc("2024-12-31T23:00:00Z")));
        assert_eq!(leading(b"Jan  1 23:00:00 x", &january), Some(utc("2025-01-01T23:00:00Z")));
    }

    #[test]
    fn local_time_uses_the_clock_zone() {
        let tz = TimeZone::fixed(Offset::from_hours(2).unwrap());
        let clock = Clock::at(utc("2024-12-02T00:00:00Z"), tz);
        assert_eq!(leading(b"2024-12-01 21:16:51 x", &clock), Some(utc("2024-12-01T19:16:51Z")));
    }

    #[test]
    fn a_head_cut_inside_a_character() {
        let mut head = b"2024-12-01T21:16:51Z \xc3".to_vec();
        assert!(leading(&head, &clock()).is_some());
        head.insert(0, 0xff);
        assert_eq!(leading(&head, &clock()), None);
    }
}

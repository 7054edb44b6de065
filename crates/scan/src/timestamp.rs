//! Timestamps in the common log formats, as milliseconds since the Unix epoch.
//!
//! Recognised near the start of a line: RFC 3339 / ISO 8601 (`2024-05-01T10:00:00.123Z`,
//! `2024-05-01 10:00:00,123` as log4j writes it, with an optional offset), syslog
//! (`Mar  3 12:00:01`), klog (`I0501 12:00:00.123456`), Apache (`[Sun Dec 04 04:47:44 2005]`,
//! `[10/Oct/2000:13:55:36 -0700]`) and epoch seconds or milliseconds. Formats without a
//! year (syslog, klog) take `default_year`; times without an offset are taken as UTC.

/// How far into a line a timestamp is looked for, in bytes.
const SEARCH: usize = 64;

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Milliseconds since the epoch of a UTC date and time.
pub fn to_millis(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> i64 {
    ((days_from_civil(y, mo, d) * 24 + i64::from(h)) * 60 + i64::from(mi)) * 60_000
        + i64::from(s) * 1000
        + i64::from(ms)
}

/// RFC 3339 text of a millisecond timestamp, in UTC: `2024-05-01T10:00:00.123Z`.
pub fn format_millis(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    // Civil from days (inverse of days_from_civil).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

/// Parses `text` as an RFC 3339 timestamp (or a date alone, at midnight UTC).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let (ms, used) = iso(b, 0)?;
    (used == b.len()).then_some(ms)
}

/// The first timestamp near the start of `line`, if any.
///
/// ```
/// use triage_scan::timestamp::{find, format_millis};
/// let ms = find(b"2024-05-01 10:00:00,250 ERROR boom", 2024).unwrap();
/// assert_eq!(format_millis(ms), "2024-05-01T10:00:00.250Z");
/// ```
pub fn find(line: &[u8], default_year: i64) -> Option<i64> {
    let head = &line[..line.len().min(SEARCH)];
    let mut i = 0;
    while i < head.len() {
        let b = head[i];
        let starts_token = i == 0 || !head[i - 1].is_ascii_alphanumeric();
        if starts_token {
            if b.is_ascii_digit() {
                if let Some((ms, _)) = iso(line, i) {
                    return Some(ms);
                }
                if let Some(ms) = apache_common(line, i) {
                    return Some(ms);
                }
                if let Some(ms) = epoch(line, i) {
                    return Some(ms);
                }
            } else if b.is_ascii_alphabetic() {
                if let Some(ms) = month_first(line, i, default_year) {
                    return Some(ms);
                }
                if let Some(ms) = klog(line, i, default_year) {
                    return Some(ms);
                }
            }
        }
        i += 1;
    }
    None
}

/// `n` digits at `at` as a number.
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    s.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

/// `HH:MM:SS` then an optional fraction (`.123`, `,123456`); returns (ms of day, end).
fn time_of_day(b: &[u8], at: usize) -> Option<(i64, usize)> {
    let h = digits(b, at, 2)?;
    (b.get(at + 2) == Some(&b':')).then_some(())?;
    let mi = digits(b, at + 3, 2)?;
    (b.get(at + 5) == Some(&b':')).then_some(())?;
    let s = digits(b, at + 6, 2)?;
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut end = at + 8;
    let mut ms = 0u32;
    if matches!(b.get(end), Some(b'.' | b',')) && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1;
        let mut scale = 100;
        while let Some(&c) = b.get(end).filter(|c| c.is_ascii_digit()) {
            ms += u32::from(c - b'0') * scale;
            scale /= 10;
            end += 1;
        }
    }
    Some((i64::from(((h * 60 + mi) * 60 + s) * 1000 + ms), end))
}

/// A `+hh:mm`, `-hhmm` or `Z` offset at `at`: (offset in ms to subtract, end).
fn offset(b: &[u8], at: usize) -> (i64, usize) {
    match b.get(at) {
        Some(b'Z' | b'z') => (0, at + 1),
        Some(&sign @ (b'+' | b'-')) => {
            let Some(h) = digits(b, at + 1, 2) else { return (0, at) };
            let (m, end) = match b.get(at + 3) {
                Some(b':') => (digits(b, at + 4, 2), at + 6),
                _ => (digits(b, at + 3, 2), at + 5),
            };
            let Some(m) = m else { return (0, at) };
            let off = i64::from(h * 60 + m) * 60_000;
            (if sign == b'+' { off } else { -off }, end)
        }
        _ => (0, at),
    }
}

fn valid_date(y: i64, m: u32, d: u32) -> bool {
    (1970..=2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// `YYYY-MM-DD`, then `T` or a space and a time of day, then an offset.
fn iso(b: &[u8], at: usize) -> Option<(i64, usize)> {
    let y = i64::from(digits(b, at, 4)?);
    let sep = *b.get(at + 4)?;
    if !matches!(sep, b'-' | b'/' | b'.') || b.get(at + 7) != Some(&sep) {
        return None;
    }
    let m = digits(b, at + 5, 2)?;
    let d = digits(b, at + 8, 2)?;
    if !valid_date(y, m, d) {
        return None;
    }
    let date = to_millis(y, m, d, 0, 0, 0, 0);
    match b.get(at + 10) {
        Some(b'T' | b't' | b' ' | b'-' | b'_') => match time_of_day(b, at + 11) {
            Some((tod, end)) => {
                let (off, end) = offset(b, end);
                Some((date + tod - off, end))
            }
            None => Some((date, at + 10)),
        },
        _ => Some((date, at + 10)),
    }
}

/// Apache common log: `10/Oct/2000:13:55:36 -0700`.
fn apache_common(b: &[u8], at: usize) -> Option<i64> {
    let d = digits(b, at, 2)?;
    (b.get(at + 2) == Some(&b'/')).then_some(())?;
    let m = month(b, at + 3)?;
    (b.get(at + 6) == Some(&b'/')).then_some(())?;
    let y = i64::from(digits(b, at + 7, 4)?);
    (b.get(at + 11) == Some(&b':')).then_some(())?;
    let (tod, end) = time_of_day(b, at + 12)?;
    let (off, _) = offset(b, end + usize::from(b.get(end) == Some(&b' ')));
    valid_date(y, m, d).then(|| to_millis(y, m, d, 0, 0, 0, 0) + tod - off)
}

/// Epoch seconds (10 digits) or milliseconds (13 digits) between 2001 and 2286.
fn epoch(b: &[u8], at: usize) -> Option<i64> {
    let len = b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    if b.get(at + len).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let n: i64 = std::str::from_utf8(&b[at..at + len]).ok()?.parse().ok()?;
    match len {
        10 => Some(n * 1000),
        13 => Some(n),
        _ => None,
    }
}

fn month(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    let lower = [s[0] | 0x20, s[1] | 0x20, s[2] | 0x20];
    MONTHS.iter().position(|m| **m == lower).map(|i| i as u32 + 1)
}

/// `Mar  3 12:00:01` (syslog), `Mar 3 2024 12:00:01`, or Apache's `Sun Dec 04 04:47:44 2005`.
fn month_first(b: &[u8], at: usize, default_year: i64) -> Option<i64> {
    let mut at = at;
    // A weekday before the month (`Sun Dec 04 ...`).
    if month(b, at).is_none() && b.get(at + 3) == Some(&b' ') {
        at += 4;
    }
    let m = month(b, at)?;
    let mut i = at + 3;
    if b.get(i).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let d = match (digits(b, i, 2), digits(b, i, 1)) {
        (Some(d), _) => {
            i += 2;
            d
        }
        (None, Some(d)) => {
            i += 1;
            d
        }
        _ => return None,
    };
    (b.get(i) == Some(&b' ')).then_some(())?;
    i += 1;
    let mut year = default_year;
    if let Some(y) = digits(b, i, 4).filter(|_| b.get(i + 4) == Some(&b' ')) {
        year = i64::from(y);
        i += 5;
    }
    let (tod, end) = time_of_day(b, i)?;
    if b.get(end) == Some(&b' ')
        && let Some(y) = digits(b, end + 1, 4)
    {
        year = i64::from(y);
    }
    valid_date(year, m, d).then(|| to_millis(year, m, d, 0, 0, 0, 0) + tod)
}

/// klog: `I0501 12:00:00.123456` (level letter, month, day).
fn klog(b: &[u8], at: usize, default_year: i64) -> Option<i64> {
    if !matches!(b[at], b'I' | b'W' | b'E' | b'F') {
        return None;
    }
    let m = digits(b, at + 1, 2)?;
    let d = digits(b, at + 3, 2)?;
    (b.get(at + 5) == Some(&b' ')).then_some(())?;
    let (tod, _) = time_of_day(b, at + 6)?;
    valid_date(default_year, m, d).then(|| to_millis(default_year, m, d, 0, 0, 0, 0) + tod)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("2024-05-01T10:00:00Z listen tcp", "2024-05-01T10:00:00.000Z")]
    #[case("2024-05-01T12:00:00.5+02:00 x", "2024-05-01T10:00:00.500Z")]
    #[case("2015-10-18 18:01:47,978 INFO [main] x", "2015-10-18T18:01:47.978Z")]
    #[case("Mar  3 12:00:01 web1 sshd[1]: x", "2024-03-03T12:00:01.000Z")]
    #[case("I0501 12:00:00.123456    1 main.go:10] x", "2024-05-01T12:00:00.123Z")]
    #[case("[Sun Dec 04 04:47:44 2005] [error] x", "2005-12-04T04:47:44.000Z")]
    #[case("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /\"", "2000-10-10T20:55:36.000Z")]
    #[case("- 1117838570 2005.06.03 R02 x", "2005-06-03T22:42:50.000Z")]
    #[case("ts=1714557600123 msg=x", "2024-05-01T10:00:00.123Z")]
    fn recognises_common_formats(#[case] line: &str, #[case] want: &str) {
        let got = find(line.as_bytes(), 2024).map(format_millis);
        assert_eq!(got.as_deref(), Some(want), "{line}");
    }

    #[rstest]
    #[case("no time here at all")]
    #[case("error code 12345 at 99:99:99")]
    #[case("")]
    #[case("\u{00ff}\u{00fe} 2024-13-45T10:00:00Z")]
    fn ignores_what_is_not_a_timestamp(#[case] line: &str) {
        assert_eq!(find(line.as_bytes(), 2024), None);
    }

    #[test]
    fn rfc3339_round_trips() {
        let ms = parse_rfc3339("2024-02-29T23:59:59.999Z").unwrap();
        assert_eq!(format_millis(ms), "2024-02-29T23:59:59.999Z");
        assert_eq!(parse_rfc3339("2024-02-29"), Some(to_millis(2024, 2, 29, 0, 0, 0, 0)));
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
    }
}

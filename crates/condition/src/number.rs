//! Numbers as the ordering operators see them: integers in Go's notations, floats,
//! durations in milliseconds and byte sizes.

use std::cmp::Ordering;
use std::time::Duration;

/// A number one side of `<`, `<=`, `>` or `>=` stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    /// Orders two numbers: exactly when both are integers, as floats otherwise (`None`
    /// when one is NaN).
    pub(crate) fn compare(self, other: Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Number::Int(n) => n as f64,
            Number::Float(x) => x,
        }
    }

    /// The number as shown between parentheses: `42`, `12.5`.
    pub(crate) fn render(self) -> String {
        match self {
            Number::Int(n) => n.to_string(),
            Number::Float(x) => triage_core::Value::Float(x).to_string(),
        }
    }
}

/// How a piece of text reads as a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Reading {
    /// A duration with a unit (`1s`, `1m30s`, `48h`), in milliseconds.
    Duration(i64),
    /// A plain number (`200`, `0x1F`, `0b10`, `12.5`).
    Plain(Number),
    /// A byte size with a unit (`10GiB`, `512MiB`, `100KB`), in bytes. Only read from
    /// what the author wrote, never from observed text.
    Size(i64),
    /// Not a number: Gatus reads it as 0.
    Nothing,
}

impl Reading {
    /// The number this reading stands for; [`Reading::Nothing`] is 0, as in Gatus.
    pub(crate) fn number(self) -> Number {
        match self {
            Reading::Duration(ms) | Reading::Size(ms) => Number::Int(ms),
            Reading::Plain(n) => n,
            Reading::Nothing => Number::Int(0),
        }
    }
}

/// Reads observed text as Gatus does: a non-zero duration, else an integer in Go's
/// notations, else a float, else nothing.
pub(crate) fn read_text(text: &str) -> Reading {
    if let Ok(d) = triage_core::duration::parse(text)
        && !d.is_zero()
    {
        return Reading::Duration(millis(d));
    }
    if let Some(n) = parse_go_int(text) {
        return Reading::Plain(Number::Int(n));
    }
    match parse_decimal(text) {
        Some(x) => Reading::Plain(Number::Float(x)),
        None => Reading::Nothing,
    }
}

/// Reads a literal the author wrote: like [`read_text`], plus byte sizes.
pub(crate) fn read_literal(text: &str) -> Reading {
    match read_text(text) {
        Reading::Nothing => parse_size(text).map_or(Reading::Nothing, Reading::Size),
        reading => reading,
    }
}

/// Whole milliseconds of `d`, saturating.
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Go's `strconv.ParseInt(text, 0, 64)`: an optional sign, then `0x`/`0o`/`0b` or a
/// leading `0` (octal) prefix, underscores allowed between digits after a prefix.
pub(crate) fn parse_go_int(text: &str) -> Option<i64> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    let lower = unsigned.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits, prefixed) = match lower.as_deref() {
        Some("0x") => (16, &unsigned[2..], true),
        Some("0o") => (8, &unsigned[2..], true),
        Some("0b") => (2, &unsigned[2..], true),
        _ if unsigned.len() > 1 && unsigned.starts_with('0') => (8, &unsigned[1..], true),
        _ => (10, unsigned, false),
    };
    if !underscores_ok(digits, prefixed) {
        return None;
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u64::from_str_radix(&digits, radix).ok()?;
    if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() }
}

/// Go allows `_` only after a base prefix, each one between digits (or right after the
/// prefix): `0x_1F`, `0b1_0`, never `1_000` or `0x1__F`.
fn underscores_ok(digits: &str, prefixed: bool) -> bool {
    if !digits.contains('_') {
        return true;
    }
    if !prefixed || digits.ends_with('_') || digits.contains("__") {
        return false;
    }
    true
}

/// A decimal float (`12.5`, `-3`, `1e3`, `.5`); words like `inf` or `nan` are not numbers.
fn parse_decimal(text: &str) -> Option<f64> {
    let plain =
        text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !plain || !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A byte size with a unit: `10GiB`, `1GB`, `512MiB`, `100KB`, `1.5 TiB` (`KB` is 1000
/// bytes, `KiB` 1024). A bare number is not a size.
fn parse_size(text: &str) -> Option<i64> {
    if !text.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let size: bytesize::ByteSize = text.parse().ok()?;
    i64::try_from(size.as_u64()).ok()
}

/// A duration the way Gatus shows an expiration: Go's form cut to whole seconds, with
/// zero trailing parts dropped: `336h`, `1h30m`, `1h0m15s`, `45s`, `0s`.
pub(crate) fn format_duration(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let secs = (ms / 1000).unsigned_abs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let text = match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h{m}m"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    };
    if secs == 0 { text } else { format!("{sign}{text}") }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("200", Some(200))]
    #[case("-7", Some(-7))]
    #[case("+7", Some(7))]
    #[case("0x1", Some(1))]
    #[case("0XF", Some(15))]
    #[case("0xC0ff33", Some(12_648_243))]
    #[case("0o2", Some(2))]
    #[case("0b0010", Some(2))]
    #[case("010", Some(8))]
    #[case("0", Some(0))]
    #[case("0x_1F", Some(31))]
    #[case("-9223372036854775808", Some(i64::MIN))]
    #[case("9223372036854775808", None)]
    #[case("08", None)]
    #[case("1_000", None)]
    #[case("0x", None)]
    #[case("0x1__F", None)]
    #[case("--1", None)]
    #[case("+-1", None)]
    #[case("1.5", None)]
    #[case("", None)]
    fn go_ints(#[case] text: &str, #[case] want: Option<i64>) {
        assert_eq!(parse_go_int(text), want, "{text}");
    }

    #[rstest]
    #[case("500", Reading::Plain(Number::Int(500)))]
    #[case("1s", Reading::Duration(1000))]
    #[case("1m30s", Reading::Duration(90_000))]
    #[case("48h", Reading::Duration(172_800_000))]
    #[case("3d", Reading::Duration(259_200_000))]
    #[case("1.5 TiB", Reading::Size(3 << 39))]
    #[case("0s", Reading::Nothing)]
    #[case("12.5", Reading::Plain(Number::Float(12.5)))]
    #[case("inf", Reading::Nothing)]
    #[case("potato", Reading::Nothing)]
    #[case("10GiB", Reading::Size(10 << 30))]
    #[case("1GB", Reading::Size(1_000_000_000))]
    #[case("512MiB", Reading::Size(512 << 20))]
    #[case("100KB", Reading::Size(100_000))]
    fn literals(#[case] text: &str, #[case] want: Reading) {
        assert_eq!(read_literal(text), want, "{text}");
    }

    #[test]
    fn observed_text_is_never_a_size() {
        assert_eq!(read_text("10GiB"), Reading::Nothing);
    }

    #[rstest]
    #[case(1_209_600_000, "336h")]
    #[case(86_400_000, "24h")]
    #[case(5_400_000, "1h30m")]
    #[case(3_615_000, "1h0m15s")]
    #[case(10_000, "10s")]
    #[case(80_000, "1m20s")]
    #[case(120_000, "2m")]
    #[case(999, "0s")]
    #[case(-3_600_000, "-1h")]
    fn expirations_render_like_gatus(#[case] ms: i64, #[case] want: &str) {
        assert_eq!(format_duration(ms), want);
    }

    #[test]
    fn mixed_numbers_compare_as_floats() {
        assert_eq!(Number::Float(12.5).compare(Number::Int(12)), Some(Ordering::Greater));
        assert_eq!(
            Number::Int(i64::MAX).compare(Number::Int(i64::MAX - 1)),
            Some(Ordering::Greater)
        );
        assert_eq!(Number::Float(f64::NAN).compare(Number::Int(1)), None);
    }
}

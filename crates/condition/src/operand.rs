//! One side of a condition: a placeholder, a function of one, `pat()`, `any()` or text.

/// The placeholders Gatus knows; they are matched case-insensitively, as Gatus does.
const GATUS_NAMES: [&str; 10] = [
    "STATUS", "IP", "DNS_RCODE", "RESPONSE_TIME", "BODY", "CONNECTED", "CERTIFICATE_EXPIRATION",
    "DOMAIN_EXPIRATION", "HEADER", "CONTEXT",
];

/// `[NAME]`, optionally followed by a JSON path: `[BODY].data[0].id`, `[BODY][0]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Placeholder {
    /// Upper-case, without brackets: `BODY`.
    pub(crate) name: String,
    /// The JSON path after the placeholder, leading dot removed: `data[0].id`, `[0]`;
    /// `None` for the bare placeholder.
    pub(crate) path: Option<String>,
}

/// What one side of a condition is, decided once at parse time.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    /// A placeholder, resolved from the observation.
    Placeholder(Placeholder),
    /// `len(X)`; `None` when `X` is not a placeholder (which renders as invalid).
    Len(Option<Placeholder>),
    /// `has(X)`; `None` when `X` is not a placeholder (which is `false`).
    Has(Option<Placeholder>),
    /// `pat(GLOB)`: matches the other side with [`crate::pattern::matches`].
    Pattern(String),
    /// `any(A, B, ...)`: equal to one of the options, each trimmed.
    Any(Vec<String>),
    /// Anything else, compared as written: `200`, `UP`, `1s`, `10GiB`, `raw`.
    Literal,
}

impl Operand {
    /// Reads one side, already trimmed. Never fails: what is not recognised is text,
    /// as in Gatus.
    pub(crate) fn parse(text: &str) -> Operand {
        if let Some(inner) = function("len(", text) {
            return Operand::Len(Placeholder::parse(inner.trim()));
        }
        if let Some(inner) = function("has(", text) {
            return Operand::Has(Placeholder::parse(inner.trim()));
        }
        if let Some(inner) = function("pat(", text) {
            return Operand::Pattern(inner.to_owned());
        }
        if let Some(inner) = function("any(", text) {
            return Operand::Any(inner.split(',').map(|o| o.trim().to_owned()).collect());
        }
        match Placeholder::parse(text) {
            Some(placeholder) => Operand::Placeholder(placeholder),
            None => Operand::Literal,
        }
    }

    /// The placeholder this side reads, if any.
    pub(crate) fn placeholder(&self) -> Option<&Placeholder> {
        match self {
            Operand::Placeholder(p) | Operand::Len(Some(p)) | Operand::Has(Some(p)) => Some(p),
            _ => None,
        }
    }
}

/// The argument of `name(...)` when `text` is a call of it.
pub(crate) fn function<'t>(prefix: &str, text: &'t str) -> Option<&'t str> {
    text.strip_prefix(prefix)?.strip_suffix(')')
}

impl Placeholder {
    /// Reads `[NAME]`, `[NAME].path` or `[NAME][i]...`; `None` when `text` is not one.
    ///
    /// `NAME` is one of Gatus's placeholders in any case, or any name matching
    /// `[A-Z][A-Z0-9_]*` (triage's probes bind many more than Gatus knows).
    pub(crate) fn parse(text: &str) -> Option<Placeholder> {
        let rest = text.strip_prefix('[')?;
        let close = rest.find(']')?;
        let written = &rest[..close];
        let after = &rest[close + 1..];
        let upper = written.to_ascii_uppercase();
        if !GATUS_NAMES.contains(&upper.as_str()) && !is_name(written) {
            return None;
        }
        let path = if after.is_empty() {
            None
        } else if let Some(path) = after.strip_prefix('.') {
            Some(path.to_owned())
        } else if after.starts_with('[') {
            Some(after.to_owned())
        } else {
            // `[STATUS]x` is text, as in Gatus.
            return None;
        };
        Some(Placeholder { name: upper, path })
    }
}

/// Whether `name` is a triage placeholder name: `[A-Z][A-Z0-9_]*`.
fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_uppercase())
        && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn placeholder(name: &str, path: Option<&str>) -> Placeholder {
        Placeholder { name: name.to_owned(), path: path.map(str::to_owned) }
    }

    #[rstest]
    #[case("[STATUS]", Some(placeholder("STATUS", None)))]
    #[case("[status]", Some(placeholder("STATUS", None)))]
    #[case("[BODY].a.b", Some(placeholder("BODY", Some("a.b"))))]
    #[case("[BODY][0].id", Some(placeholder("BODY", Some("[0].id"))))]
    #[case("[FREE_PERCENT]", Some(placeholder("FREE_PERCENT", None)))]
    #[case("[X2]", Some(placeholder("X2", None)))]
    #[case("[free]", None)]
    #[case("[2X]", None)]
    #[case("[]", None)]
    #[case("[STATUS]x", None)]
    #[case("[STATUS", None)]
    #[case("STATUS", None)]
    fn placeholders(#[case] text: &str, #[case] want: Option<Placeholder>) {
        assert_eq!(Placeholder::parse(text), want);
    }

    #[test]
    fn functions() {
        assert_eq!(
            Operand::parse("len([BODY].a)"),
            Operand::Len(Some(placeholder("BODY", Some("a"))))
        );
        assert_eq!(Operand::parse("has(nope)"), Operand::Has(None));
        assert_eq!(Operand::parse("pat(4*)"), Operand::Pattern("4*".into()));
        assert_eq!(
            Operand::parse("any(1, 2 ,3)"),
            Operand::Any(vec!["1".into(), "2".into(), "3".into()])
        );
        assert_eq!(Operand::parse("pat(4*"), Operand::Literal);
        assert_eq!(Operand::parse("200"), Operand::Literal);
    }
}

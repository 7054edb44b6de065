//! The parts of a symptom section: which heading or bold label starts its cause or its fix.
//!
//! A part is named by a child heading (`### Solution`, `#### 2. How to fix:`) or by a bold
//! label paragraph (`**Solution:**`, `**Fix**: restart it`, `**Solution 2: Port in use**`).
//! The name is read case-insensitively after leading numbering; a fix is named by its first
//! word (Solution(s), Fix(es), Resolution(s), Remediation(s), Workaround(s), Recovery) or
//! "How to fix"; a cause by Cause(s), Why, or "Possible/Root/Common cause(s)".

/// What a heading or label starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The fix: the steps to take.
    Fix,
    /// The cause: why it happens.
    Cause,
    /// Any other label (Symptom, Debug, Check, ...): ends a fix or cause part.
    Other,
}

const FIX_WORDS: &[&str] = &[
    "solution", "solutions", "fix", "fixes", "resolution", "resolutions", "remediation",
    "remediations", "workaround", "workarounds", "recovery",
];
const CAUSE_WORDS: &[&str] = &["cause", "causes", "why"];
const CAUSE_QUALIFIERS: &[&str] = &["possible", "root", "common", "likely", "probable"];
/// Labels that annotate text without starting a part (`**Note:** ...` inside a fix).
const ADMONITIONS: &[&str] =
    &["note", "notes", "warning", "caution", "important", "tip", "info", "hint", "example"];

/// The lowercase words of a name, leading numbering (`1.`, `2)`, `3.1`) removed.
fn words(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut words: Vec<String> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '.' || c == ')'))
        .map(|w| w.trim_matches(|c: char| c == '.' || c == ')').to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    while words.first().is_some_and(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.')) {
        words.remove(0);
    }
    words
}

/// The part a child heading starts, if any: headings that name no part are plain sections.
pub(crate) fn of_heading(title: &str) -> Option<Part> {
    classify(title).filter(|part| *part != Part::Other)
}

/// The part a label starts; `None` for admonitions, which continue the current part.
pub(crate) fn of_label(label: &str) -> Option<Part> {
    let words = words(label);
    if words.first().is_some_and(|w| ADMONITIONS.contains(&w.as_str())) {
        return None;
    }
    Some(classify(label).unwrap_or(Part::Other))
}

fn classify(name: &str) -> Option<Part> {
    let words = words(name);
    let first = words.first()?.as_str();
    let second = words.get(1).map(String::as_str);
    if FIX_WORDS.contains(&first)
        || (first == "how" && second == Some("to") && words.get(2).is_some_and(|w| w == "fix"))
    {
        Some(Part::Fix)
    } else if CAUSE_WORDS.contains(&first)
        || (CAUSE_QUALIFIERS.contains(&first) && second.is_some_and(|w| CAUSE_WORDS.contains(&w)))
    {
        Some(Part::Cause)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Solution", Some(Part::Fix))]
    #[case("2. Solutions:", Some(Part::Fix))]
    #[case("FIX", Some(Part::Fix))]
    #[case("Resolution Steps", Some(Part::Fix))]
    #[case("How to fix", Some(Part::Fix))]
    #[case("Workaround", Some(Part::Fix))]
    #[case("Recovery", Some(Part::Fix))]
    #[case("Remediation", Some(Part::Fix))]
    #[case("Possible causes", Some(Part::Cause))]
    #[case("Cause:", Some(Part::Cause))]
    #[case("1) Why", Some(Part::Cause))]
    #[case("Root Cause Analysis", Some(Part::Cause))]
    #[case("Fixing the world", None)]
    #[case("Symptoms", None)]
    #[case("How to detect", None)]
    fn headings(#[case] title: &str, #[case] expected: Option<Part>) {
        assert_eq!(of_heading(title), expected);
    }

    #[rstest]
    #[case("Solution:", Some(Part::Fix))]
    #[case("Solution 1: Missing Environment Variables", Some(Part::Fix))]
    #[case("Symptom", Some(Part::Other))]
    #[case("Debug Steps", Some(Part::Other))]
    #[case("Note:", None)]
    #[case("Warning", None)]
    fn labels(#[case] label: &str, #[case] expected: Option<Part>) {
        assert_eq!(of_label(label), expected);
    }
}

//! How an evaluated condition is shown: Gatus's `[STATUS] (500) == 200`.

use serde::Serialize;

/// Which evaluated conditions show their resolved values.
///
/// Gatus's `dont_resolve_failed_conditions` is `!resolve_failed`, its
/// `resolve_successful_conditions` is `resolve_successful`.
#[derive(Clone, Copy, Debug)]
pub struct Render {
    /// Show the values of a failed condition: `[STATUS] (500) == 200`. Default: `true`.
    pub resolve_failed: bool,
    /// Show the values of a condition that held: `[STATUS] (200) == 200`. Default: `false`.
    pub resolve_successful: bool,
}

impl Default for Render {
    fn default() -> Self {
        Render { resolve_failed: true, resolve_successful: false }
    }
}

impl Render {
    /// Whether a condition that did (`true`) or did not hold shows its values.
    pub(crate) fn resolves(self, success: bool) -> bool {
        if success { self.resolve_successful } else { self.resolve_failed }
    }
}

/// The verdict on one condition and how to show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Whether the condition held.
    pub success: bool,
    /// The condition as written, or with each resolved side followed by its value in
    /// parentheses, as [`Render`] asks.
    pub rendered: String,
}

/// Longest value shown next to a `pat()` before it is cut (Gatus's limit, for looks only).
const PATTERN_SHOWN_MAX: usize = 25;

/// One side for [`prettify`]: as written, as resolved, and whether it is a marker
/// (`(INVALID)`, `(UNBOUND)`) rather than a value.
pub(crate) struct Shown<'a> {
    pub(crate) written: &'a str,
    pub(crate) resolved: String,
    pub(crate) marked: bool,
    pub(crate) is_pattern: bool,
}

/// Gatus's `prettify`: each side whose value differs from what is written is followed by
/// the value in parentheses; a marked side shows its marker; the value compared with a
/// `pat()` is cut to 25 characters.
pub(crate) fn prettify(mut left: Shown<'_>, operator: &str, mut right: Shown<'_>) -> String {
    if left.is_pattern && !right.marked {
        truncate(&mut right.resolved);
    }
    if right.is_pattern && !left.marked {
        truncate(&mut left.resolved);
    }
    format!("{} {operator} {}", side(&left), side(&right))
}

fn truncate(text: &mut String) {
    if text.len() > PATTERN_SHOWN_MAX {
        let cut: String = text.chars().take(PATTERN_SHOWN_MAX).collect();
        *text = format!("{cut}...(truncated)");
    }
}

fn side(shown: &Shown<'_>) -> String {
    if shown.marked || shown.resolved == shown.written {
        shown.resolved.clone()
    } else {
        format!("{} ({})", shown.written, shown.resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown<'a>(written: &'a str, resolved: &str) -> Shown<'a> {
        Shown { written, resolved: resolved.to_owned(), marked: false, is_pattern: false }
    }

    #[test]
    fn only_changed_sides_show_values() {
        assert_eq!(
            prettify(shown("[STATUS]", "500"), "==", shown("200", "200")),
            "[STATUS] (500) == 200"
        );
    }

    #[test]
    fn values_next_to_a_pattern_are_cut_by_characters() {
        let long = "é".repeat(30);
        let mut pat = shown("pat(*x*)", "pat(*x*)");
        pat.is_pattern = true;
        assert_eq!(
            prettify(shown("[BODY]", &long), "==", pat),
            format!("[BODY] ({}...(truncated)) == pat(*x*)", "é".repeat(25))
        );
    }
}

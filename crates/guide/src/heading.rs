//! A heading as written (`heading`) and as displayed (`title`).

/// The heading text of the source lines of a heading: for ATX (`## Text ##`) the text
/// after the opening `#`s without the closing sequence; for setext the lines above the
/// underline, joined by a space. Surrounding whitespace is removed.
pub(crate) fn as_written(source: &str) -> String {
    let trimmed = source.trim_start();
    if let Some(text) = atx_text(trimmed) {
        return text.to_owned();
    }
    let mut lines: Vec<&str> = source.lines().map(str::trim).collect();
    if lines.len() > 1 {
        lines.pop();
    }
    lines.into_iter().filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

fn atx_text(line: &str) -> Option<&str> {
    let line = line.lines().next().unwrap_or("");
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let rest = rest.trim();
    // A closing sequence is a run of `#` preceded by whitespace (or the whole text).
    let without_hashes = rest.trim_end_matches('#');
    if without_hashes.is_empty() {
        return Some("");
    }
    if without_hashes.ends_with([' ', '\t']) {
        return Some(without_hashes.trim_end());
    }
    Some(rest)
}

/// The display title from the heading's rendered inline text (markup, inline HTML/JSX tags
/// and backslash escapes already gone): a trailing `{#id}` removed, whitespace collapsed.
pub(crate) fn title(rendered: &str) -> String {
    let mut text = rendered.trim();
    if text.ends_with('}')
        && let Some(open) = text.rfind('{')
        && text[open + 1..].trim_start().starts_with('#')
    {
        text = text[..open].trim_end();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("## Title", "Title")]
    #[case("### Title ###", "Title")]
    #[case("# Title#", "Title#")]
    #[case("#", "")]
    #[case("## `code` *em* {#id}  ", "`code` *em* {#id}")]
    #[case("Setext\n===", "Setext")]
    #[case("Two\nlines\n---", "Two lines")]
    fn as_written_keeps_markup(#[case] source: &str, #[case] expected: &str) {
        assert_eq!(as_written(source), expected);
    }

    #[rstest]
    #[case("Ports {#ports}", "Ports")]
    #[case("Ports { #ports }", "Ports")]
    #[case("Set {a}", "Set {a}")]
    #[case("  a \n b ", "a b")]
    fn title_is_cleaned(#[case] rendered: &str, #[case] expected: &str) {
        assert_eq!(title(rendered), expected);
    }
}

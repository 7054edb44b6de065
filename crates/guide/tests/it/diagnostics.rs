//! Diagnostics rendered word for word: `file:line:col`, the line and a caret.

use crate::parse_str;

fn rendered(source: &str) -> Vec<String> {
    parse_str(source).diagnostics.iter().map(ToString::to_string).collect()
}

#[test]
fn invalid_front_matter_yaml() {
    assert_eq!(
        rendered("---\ntitle: x\n  bad: y\n---\n# Body\n"),
        [
            "error: invalid front matter: mapping values are not allowed in this context\n  --> g.md:3:6\n  |\n3 |   bad: y\n  |      ^"
        ]
    );
}

#[test]
fn unterminated_front_matter_loads_the_rest() {
    let parsed = parse_str("---\ntitle: x\n\n# Body\n");
    assert_eq!(
        parsed.diagnostics[0].to_string(),
        "error: unterminated front matter: no closing `---` line; read as Markdown\n  --> g.md:1:1\n  |\n1 | ---\n  | ^^^"
    );
    assert!(parsed.guide.sections().iter().any(|s| s.title == "Body"));
}

#[test]
fn invalid_check_yaml() {
    assert_eq!(
        rendered("# G\n\n```check\nkind: http\nexpect: [\"[STATUS] == 200\"\n```\n"),
        [
            "error: invalid check block: did not find expected ',' or ']', while parsing a flow sequence\n  --> g.md:6:1\n  |\n6 | ```\n  | ^"
        ]
    );
}

#[test]
fn undefined_variable_in_an_error_block() {
    assert_eq!(
        rendered("## S\n\n```error\n  dial tcp ${HOST}:5432: connection refused\n```\n"),
        [
            "error: undefined variable `HOST`\n  --> g.md:4:12\n  |\n4 |   dial tcp ${HOST}:5432: connection refused\n  |            ^^^^^^^"
        ]
    );
}

#[test]
fn multiline_variable_in_a_check_block() {
    let source = "---\nvars:\n  BAD: |\n    two\n    lines\n---\n```check\nurl: ${BAD}\n```\n";
    assert_eq!(
        rendered(source),
        [
            "error: variable `BAD` holds a line break, which this block cannot take\n  --> g.md:8:6\n  |\n8 | url: ${BAD}\n  |      ^^^^^^"
        ]
    );
}

#[test]
fn undefined_variable_in_a_heading_when_vars_are_declared() {
    assert_eq!(
        rendered("---\nvars: {}\n---\n## Restart ${SVC} now\n\n```sh\necho ${SHELL_ONLY}\n```\n"),
        [
            "warning: undefined variable `SVC` (left as written)\n  --> g.md:4:12\n  |\n4 | ## Restart ${SVC} now\n  |            ^^^^^^"
        ]
    );
}

#[test]
fn wrong_front_matter_types_warn_at_the_key() {
    assert_eq!(
        rendered("---\ntitle: [a, b]\n---\n"),
        [
            "warning: front matter `title` is not a text; ignored\n  --> g.md:2:1\n  |\n2 | title: [a, b]\n  | ^^^^^"
        ]
    );
}

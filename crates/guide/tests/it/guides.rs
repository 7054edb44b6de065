//! A table of small guides and what the model makes of them.

use rstest::rstest;

use crate::parse_str;

/// (sections, symptoms, checks, signatures, fix steps of the first symptom, diagnostics)
type Counts = (usize, usize, usize, usize, usize, usize);

#[rstest]
#[case::empty("", (1, 0, 0, 0, 0, 0))]
#[case::prose_only("just text\n", (1, 0, 0, 0, 0, 0))]
#[case::check_in_root("```check\nkind: disk\n```\n", (1, 1, 1, 0, 0, 0))]
#[case::error_and_fix(
    "# G\n## S\n```error\nboom\nbang\n```\n**Fix:**\n```sh\nrestart\n```\n",
    (3, 1, 0, 2, 1, 0)
)]
#[case::fix_heading(
    "## S\n```check\nkind: tcp\n```\n### Solution\ntext\n```sh\na\n```\n```sh\nb\n```\n",
    (3, 1, 1, 0, 2, 0)
)]
#[case::two_symptoms(
    "## A\n```error\na\n```\n## B\n```error\nb\n```\n```check\nkind: env\n```\n",
    (3, 2, 1, 2, 0, 0)
)]
#[case::broken_check(
    "## S\n```check\nkind: [\n```\n",
    (2, 1, 1, 0, 0, 1)
)]
#[case::undefined_var(
    "## S\n```check\nport: ${P}\n```\n```error\n${Q}\n```\n",
    (2, 1, 1, 1, 0, 2)
)]
#[case::default_var("## S\n```check\nport: ${P:-80}\n```\n", (2, 1, 1, 0, 0, 0))]
#[case::tilde_fences("~~~check\nkind: memory\n~~~\n", (1, 1, 1, 0, 0, 0))]
#[case::unclosed_fence("## S\n```check\nkind: disk\n", (2, 1, 1, 0, 0, 0))]
#[case::toml_front_matter("+++\nx = 1\n+++\n## S\n", (2, 0, 0, 0, 0, 0))]
#[case::mdx("import X from 'x'\n\n<Tabs>\n\n## In MDX\n\n</Tabs>\n", (2, 0, 0, 0, 0, 0))]
fn small_guides(#[case] source: &str, #[case] expected: Counts) {
    let parsed = parse_str(source);
    let g = &parsed.guide;
    let symptoms = g.symptoms();
    let got = (
        g.sections().len(),
        symptoms.len(),
        g.checks().count(),
        g.sections().iter().map(|s| s.signatures.len()).sum(),
        symptoms.first().map_or(0, |s| s.fix.len()),
        parsed.diagnostics.len(),
    );
    assert_eq!(got, expected, "{:#?}", parsed.diagnostics);
}

#[test]
fn the_guide_serializes_to_json() {
    let parsed = parse_str("---\nowner: ops\n---\n## S\n```error\nboom\n```\n");
    let json = serde_json::to_value(&parsed.guide).unwrap();
    assert_eq!(json["metadata"]["owner"], "ops");
    assert_eq!(json["sections"][1]["signatures"][0]["origin"], "annotated");
    assert_eq!(json["sections"][1]["id"], 1);
    let symptom = serde_json::to_value(&parsed.guide.symptoms()[0]).unwrap();
    assert_eq!(parse_str("# no front matter\n").guide.metadata, serde_json::json!({}));
    assert_eq!(symptom["signatures"][0]["text"], "boom");
}

#[test]
fn the_example_of_the_format_doc_reads_as_documented() {
    let doc = include_str!("../../../../docs/guide-format.md");
    let start = doc.find("````markdown\n").expect("an example") + "````markdown\n".len();
    let example = &doc[start..start + doc[start..].find("\n````\n").expect("closed") + 1];
    let parsed = parse_str(example);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let g = &parsed.guide;
    assert_eq!(g.title.as_deref(), Some("metald"));
    assert_eq!(g.vars["URL"], "http://localhost:8080");
    assert_eq!(g.metadata["owner"], "team-vm");
    assert_eq!(g.checks().count(), 2);
    let symptoms = g.symptoms();
    // The quick-check section holds a check, so it is a symptom too.
    assert_eq!(symptoms.len(), 2);
    assert_eq!(symptoms[0].section.title, "metald");
    let s = &symptoms[1];
    assert_eq!(s.signatures[0].text, "listen tcp :<port>: bind: address already in use");
    assert_eq!(s.cause, "Another process (often an old metald) holds the port.");
    assert_eq!(s.fix.len(), 2);
    assert_eq!(s.fix[0].text, "Find the process that holds the port:");
    assert_eq!(s.fix[0].block.as_ref().unwrap().content, "sudo lsof -i :8080\n");
    assert_eq!(s.fix[1].block.as_ref().unwrap().attributes["confirm"], "true");
}

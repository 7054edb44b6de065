//! Property tests: building, extracting and matching never panic, whatever the guide or
//! the input, and a query's work stays bounded.

use proptest::prelude::*;
use triage_kb::{Query, generalise, template};

use crate::kb;

/// Markdown-ish fragments that stress the extractor: fences of both kinds and lengths,
/// labels, quotes, lists, headings, front matter, placeholders, unicode.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("```".to_owned()),
        Just("~~~~".to_owned()),
        Just("```console\n$ x\n".to_owned()),
        Just("# ".to_owned()),
        Just("### Solution\n".to_owned()),
        Just("**Error message**: ".to_owned()),
        Just("> ".to_owned()),
        Just("- ".to_owned()),
        Just("1.2.3 ".to_owned()),
        Just("---\n".to_owned()),
        Just("`".to_owned()),
        Just("\"".to_owned()),
        Just("<port>".to_owned()),
        Just(":8080".to_owned()),
        Just("${X}".to_owned()),
        Just("é日\u{200b}".to_owned()),
        Just("\n".to_owned()),
        "[a-zA-Z0-9 :./_-]{0,20}",
    ]
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn building_and_matching_never_panic(guide in document(), input in document()) {
        let kb = kb(&[("g.md", &guide)]);
        let _ = kb.diagnose(&Query::new(&input), 5);
        let _ = triage_kb::annotate(&guide, kb.entries());
    }

    #[test]
    fn any_bytes_make_a_query(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let query = Query::from_bytes(&bytes);
        let kb = kb(&[("g.md", "# G\n\n## Boom\n\n```\nerror: boom at 0x1f\n```\n")]);
        let _ = kb.diagnose(&query, 3);
    }

    #[test]
    fn generalising_never_panics(text in "\\PC{0,200}") {
        let _ = generalise(&text);
        let _ = template(&text);
    }
}

#[test]
fn a_huge_single_line_is_cut() {
    let line = "error ".repeat(200_000);
    let query = Query::new(&line);
    let kb = kb(&[("g.md", "# G\n\n## Boom\n\n```\nerror: boom\n```\n")]);
    let started = std::time::Instant::now();
    let _ = kb.diagnose(&query, 3);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

//! `parse` never panics, on any text and on text built from Markdown's sharp edges.

use proptest::prelude::*;

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("```".to_owned()),
        Just("````".to_owned()),
        Just("~~~".to_owned()),
        Just("~~~~~".to_owned()),
        Just("```check\n".to_owned()),
        Just("```error\n".to_owned()),
        Just("```sh { name=x }\n".to_owned()),
        Just("```sh {\"a\":{\"b\":1}}\n".to_owned()),
        Just("# ".to_owned()),
        Just("###### ".to_owned()),
        Just("---\n".to_owned()),
        Just("+++\n".to_owned()),
        Just("===\n".to_owned()),
        Just("${".to_owned()),
        Just("$${X}".to_owned()),
        Just("${X:-".to_owned()),
        Just("}".to_owned()),
        Just("{".to_owned()),
        Just("{#id}".to_owned()),
        Just("**Solution:**".to_owned()),
        Just("- ".to_owned()),
        Just("  ".to_owned()),
        Just("> ".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("\t".to_owned()),
        Just("\r\n".to_owned()),
        Just("\n".to_owned()),
        Just("vars: {A: 1}\n".to_owned()),
        Just("name: [".to_owned()),
        Just("é日本🦀".to_owned()),
        "[a-z:${}#`~ ]{0,8}".prop_map(|s| s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text(source in any::<String>()) {
        let parsed = crate::parse_str(&source);
        prop_assert!(!parsed.guide.sections().is_empty());
    }

    #[test]
    fn markdown_fragments(parts in proptest::collection::vec(fragment(), 0..40)) {
        let source = parts.concat();
        let parsed = crate::parse_str(&source);
        for d in &parsed.diagnostics {
            let _ = d.to_string();
        }
        let guide = &parsed.guide;
        for section in guide.sections() {
            let _ = guide.symptom_of(section.id);
            let _ = guide.breadcrumb(section.id);
        }
        let _ = guide.symptoms();
        let _ = serde_json::to_string(guide).unwrap();
    }
}

//! `triage lint`: problems found without running anything.

use crate::Test;

#[test]
fn clean_guide_lints_clean() {
    Test::new()
        .guide("g.md", "# Api\n\n```check\nkind: tcp\naddress: 127.0.0.1:1\n```\n")
        .args(&["lint", "g.md"])
        .run()
        .code(0)
        .stdout_has("1 guides, 1 checks: 0 errors, 0 warnings");
}

#[test]
fn unknown_kind_is_reported_with_line_and_caret() {
    let run = Test::new()
        .guide("g.md", "# Api\n\n```check\nkind: htp\nurl: http://x\n```\n")
        .args(&["lint", "g.md"])
        .run();
    run.code(1);
    run.stdout_has("error: unknown probe kind `htp`, expected one of `http`");
    run.stdout_has("  --> g.md:4:1\n  |\n4 | kind: htp\n  | ^^^^\n");
}

#[test]
fn undefined_variable_in_check_is_an_error() {
    let run = Test::new()
        .guide("g.md", "# Api\n\n```check\nkind: tcp\naddress: ${API_ADDR}\n```\n")
        .args(&["lint", "g.md"])
        .run();
    run.code(1);
    run.stdout_has("API_ADDR");
    run.stdout_has("g.md:5:");
}

#[test]
fn variable_from_flag_satisfies_lint() {
    Test::new()
        .guide("g.md", "# Api\n\n```check\nkind: tcp\naddress: ${API_ADDR}\n```\n")
        .args(&["lint", "g.md", "--var", "API_ADDR=127.0.0.1:1"])
        .run()
        .code(0);
}

#[test]
fn duplicate_names_unknown_fields_and_bad_conditions() {
    let guide = "\
# Api

```check
name: api
kind: tcp
address: 127.0.0.1:1
```

```check
name: api
kind: tcp
adress: 127.0.0.1:1
```

```check
name: api2
kind: tcp
address: 127.0.0.1:1
expect: \"[CONNECTED] = = true\"
```
";
    let run = Test::new().guide("g.md", guide).args(&["lint", "g.md"]).run();
    run.code(1);
    run.stdout_has("unknown field `adress`");
    run.stdout_has("g.md:12:1");
    run.stdout_has("invalid condition: [CONNECTED] = = true");
    run.stdout_has("g.md:19:");
}

#[test]
fn json_lint_lists_diagnostics() {
    let run = Test::new()
        .guide("g.md", "# Api\n\n```check\nkind: nope\n```\n")
        .args(&["lint", "g.md", "--format", "json"])
        .run();
    run.code(1);
    let doc = run.json();
    assert_eq!(doc["guides"], 1);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["level"], "error");
    assert_eq!(d["span"]["line"], 4);
}

#[test]
fn the_shipped_examples_lint_clean() {
    let examples = crate::workspace().join("examples");
    Test::new().args(&["lint", examples.to_str().unwrap()]).run().code(0);
}

#[test]
fn the_probe_reference_is_a_valid_guide() {
    let doc = crate::workspace().join("docs/probes.md");
    Test::new().args(&["lint", doc.to_str().unwrap()]).run().code(0);
}

#[test]
fn the_seed_dependency_checks_are_valid() {
    let doc = crate::workspace().join("docs/seed-dependencies.md");
    Test::new().args(&["lint", doc.to_str().unwrap()]).run().code(0);
}

//! `triage kb`: the symptoms of the knowledge base, listed and counted.

use crate::Test;

fn test() -> Test {
    Test::new()
        .guide("guides/a.md", "# A\n\n## Port taken\n\n```error\nbind: address already in use\n```\n\n## Prose only\n\nText.\n")
        .guide("guides/b.md", "# B\n\n## Disk full\n\n```\nwrite /x: no space left on device\n```\n")
}

#[test]
fn lists_every_symptom_with_guide_and_heading() {
    test()
        .args(&["kb", "guides"])
        .run()
        .code(0)
        .stdout_has("guides/a.md:3  Port taken  [1 signatures]  bind: address already in use")
        .stdout_has(
            "guides/b.md:3  Disk full  [1 signatures]  write <path>: no space left on device",
        )
        .stdout_lacks("Prose only");
}

#[test]
fn stats_count_them() {
    test()
        .args(&["kb", "--stats", "guides"])
        .run()
        .code(0)
        .stdout_has("guides      2")
        .stdout_has("symptoms    2");
    let doc = test().args(&["kb", "--stats", "--format", "json", "guides"]).run().json();
    assert_eq!(doc["guides"], 2);
    assert_eq!(doc["symptoms"], 2);
    assert_eq!(doc["by_origin"]["annotated"], 1);
    assert_eq!(doc["by_origin"]["output"], 1);
}

#[test]
fn json_list() {
    let doc = test().args(&["kb", "--format", "json", "guides"]).run().json();
    assert_eq!(doc["symptoms"][0]["section"], "Port taken");
    assert_eq!(doc["symptoms"][1]["signatures"][0], "write /x: no space left on device");
}

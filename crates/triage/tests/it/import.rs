//! `triage import`: what triage understood of a guide, and `--annotate`.

use crate::Test;

const GUIDE: &str = "# Cache\n\n## Redis down\n\n**Error message**: `dial tcp 10.0.0.5:6379: connect: connection refused`\n\n\
Check it:\n\n```bash\nredis-cli -h cache ping\ncurl -f http://localhost:8080/health\n```\n\n\
## Notes\n\nNothing to see.\n";

#[test]
fn shows_symptoms_signatures_and_native_probes() {
    Test::new()
        .guide("cache.md", GUIDE)
        .args(&["import", "cache.md"])
        .run()
        .code(0)
        .stdout_has("cache.md: 1 symptoms")
        .stdout_has("Redis down  (line 3)")
        .stdout_has("signature [Label, line 5]: dial tcp <ip>:<port>: connect: connection refused")
        .stdout_has("native probe redis: redis-cli -h cache ping")
        .stdout_has("native probe http: curl -f http://localhost:8080/health")
        .stdout_lacks("Notes  (line");
}

#[test]
fn json_lists_signatures_and_probes() {
    let run = Test::new()
        .guide("cache.md", GUIDE)
        .args(&["import", "--format", "json", "cache.md"])
        .run();
    let doc = run.json();
    let s = &doc["symptoms"][0];
    assert_eq!(s["section"], "Redis down");
    assert_eq!(s["signatures"][0]["origin"], "label");
    assert_eq!(s["probes"][0]["kind"], "redis");
    assert_eq!(s["probes"][0]["check"], "kind: redis\nurl: redis://cache:6379\n");
}

#[test]
fn annotate_adds_blocks_and_leaves_the_prose() {
    let test = Test::new()
        .guide("cache.md", GUIDE)
        .args(&["import", "--annotate", "--output", "annotated.md", "cache.md"]);
    test.run().code(0);
    let annotated = std::fs::read_to_string(test.path("annotated.md")).unwrap();
    assert!(annotated.starts_with("# Cache\n\n## Redis down\n\n```error\ndial tcp 10.0.0.5:6379: connect: connection refused\n```\n"), "{annotated}");
    assert!(
        annotated.contains("```check\nname: \"redis-cli -h cache ping\"\nkind: redis\n"),
        "{annotated}"
    );
    for line in GUIDE.lines() {
        assert!(annotated.contains(line), "lost {line:?}");
    }
    // The annotated copy reads back with the signature annotated.
    Test::new()
        .guide("a.md", &annotated)
        .args(&["import", "--format", "json", "a.md"])
        .run()
        .json()["symptoms"][0]["signatures"][0]["origin"]
        .as_str()
        .map(|o| assert_eq!(o, "annotated"))
        .unwrap();
}

#[test]
fn a_guide_without_symptoms_exits_1() {
    Test::new()
        .guide("n.md", "# Notes\n\nJust prose.\n")
        .args(&["import", "n.md"])
        .run()
        .code(1)
        .stdout_has("0 symptoms");
}

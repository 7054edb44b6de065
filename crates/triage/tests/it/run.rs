//! `triage run GUIDE --plan`: the steps of a guide with their risk; nothing runs.

use crate::Test;

const GUIDE: &str = "\
# Disk full on the shop host

## Look

```sh
df -h /var/lib/shop
```

## Free space

```bash
touch made-by-a-step
journalctl --vacuum-size=200M
```

```console
$ systemctl restart shop
restarted
```
";

#[test]
fn the_plan_lists_every_step_with_its_risk_and_runs_nothing() {
    let test =
        Test::new().guide("disk.md", GUIDE).args(&["run", "disk.md", "--plan", "--format", "json"]);
    let run = test.run();
    run.code(0);
    let plan = run.json();
    let steps = plan["steps"].as_array().expect("steps");
    let got: Vec<(&str, &str, u64)> = steps
        .iter()
        .map(|s| {
            (
                s["command"].as_str().unwrap(),
                s["risk"].as_str().unwrap(),
                s["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("df -h /var/lib/shop", "read-only", 6),
            ("touch made-by-a-step\njournalctl --vacuum-size=200M", "destructive", 12),
            ("systemctl restart shop", "changes", 17),
        ]
    );
    assert_eq!(
        steps[1]["section"],
        serde_json::json!(["Disk full on the shop host", "Free space"])
    );
    assert!(steps[1]["reasons"][0].as_str().unwrap().contains("vacuum"), "{}", steps[1]);
    assert!(!test.path("made-by-a-step").exists(), "a plan must run nothing");
}

#[test]
fn the_human_plan_numbers_steps_and_a_section_filter_keeps_some() {
    let run = Test::new()
        .guide("disk.md", GUIDE)
        .args(&["run", "disk.md", "--plan", "--section", "free space"])
        .run();
    run.code(0)
        .stdout_has("2 steps")
        .stdout_has("1. Disk full on the shop host / Free space (line 12)  destructive")
        .stdout_has("2. Disk full on the shop host / Free space (line 17)  changes")
        .stdout_lacks("df -h");
}

#[test]
fn secrets_in_steps_are_masked_in_the_plan() {
    let guide = "# DB\n\n```sh\nmysql -u root -pHunter2Secret -e 'SELECT 1'\n```\n";
    let run = Test::new().guide("db.md", guide).args(&["run", "db.md", "--plan"]).run();
    run.code(0).stdout_lacks("Hunter2Secret").stdout_has("read-only");
}

#[test]
fn without_plan_or_with_a_missing_guide_it_says_why() {
    Test::new()
        .guide("disk.md", GUIDE)
        .args(&["run", "disk.md"])
        .run()
        .code(2)
        .stderr_has("--plan");
    Test::new().args(&["run", "missing.md", "--plan"]).run().code(2).stderr_has("missing.md");
}

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
fn a_missing_guide_is_named() {
    Test::new().args(&["run", "missing.md", "--plan"]).run().code(2).stderr_has("missing.md");
}

const STEPS: &str = "\
# Restart the worker

```sh
echo first > first.txt
```

```bash
echo \"password=hunter2xyz\"; exit 3
```

```sh
touch never.txt
```
";

#[test]
fn steps_run_in_order_and_the_run_stops_at_the_first_failure() {
    let test = Test::new()
        .guide("steps.md", STEPS)
        .args(&["run", "steps.md", "--yes", "--timeline", "timeline.jsonl"]);
    let run = test.run();
    run.code(1)
        .stdout_has("step 1/3")
        .stdout_has("step 2/3")
        .stdout_has("failed with exit status 3")
        .stdout_lacks("step 3/3")
        .stdout_lacks("hunter2xyz")
        .stderr_has("step 2 failed: stopping");
    assert!(test.path("first.txt").exists());
    assert!(!test.path("never.txt").exists(), "the run must stop at the failure");
    let timeline = std::fs::read_to_string(test.path("timeline.jsonl")).unwrap();
    let entries: Vec<serde_json::Value> =
        timeline.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries.len(), 2, "{timeline}");
    assert_eq!(entries[0]["status"], 0);
    assert_eq!(entries[1]["status"], 3);
    assert_eq!(entries[1]["decision"], "ran");
    assert!(!timeline.contains("hunter2xyz"), "{timeline}");
    assert!(entries[1]["stdout"].as_str().unwrap().contains("password="));
}

#[test]
fn keep_going_runs_past_a_failure() {
    let test =
        Test::new().guide("steps.md", STEPS).args(&["run", "steps.md", "--yes", "--keep-going"]);
    test.run().code(1).stdout_has("step 3/3");
    assert!(test.path("never.txt").exists());
}

#[test]
fn nothing_runs_unconfirmed_and_destructive_steps_need_their_own_flag() {
    let test = Test::new().guide("steps.md", STEPS).args(&["run", "steps.md"]);
    test.run().code(2).stderr_has("--yes");
    assert!(!test.path("first.txt").exists());

    let guide = "# Clean\n\n```sh\ntouch before.txt\n```\n\n```sh\nrm -rf cache\n```\n\n```sh\ntouch after.txt\n```\n";
    let test = Test::new().guide("clean.md", guide).args(&["run", "clean.md", "--yes"]);
    test.run().code(1).stderr_has("step 2 is destructive");
    assert!(test.path("before.txt").exists());
    assert!(!test.path("after.txt").exists());
    let test = Test::new()
        .guide("clean.md", guide)
        .args(&["run", "clean.md", "--yes", "--allow-destructive"]);
    test.run().code(0);
    assert!(test.path("after.txt").exists());
}

#[test]
fn a_step_past_its_time_limit_is_killed() {
    let guide = "# Slow\n\n```sh\nsleep 20\n```\n\n```sh { timeout=300ms }\nsleep 20\n```\n";
    let started = std::time::Instant::now();
    Test::new()
        .guide("slow.md", guide)
        .args(&["run", "slow.md", "--yes", "--timeout", "300ms", "--keep-going"])
        .run()
        .code(1)
        .stdout_has("timed out");
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
}

/// On a terminal every step is asked for: `y` runs one, a destructive one wants `yes` typed
/// out (a bare `y` asks again), `q` ends the run. util-linux `script` gives the run a
/// pseudo-terminal fed from a pipe.
#[test]
fn on_a_terminal_each_step_is_confirmed() {
    let guide =
        "# T\n\n```sh\ntouch a.txt\n```\n\n```sh\nrm -f b.txt\n```\n\n```sh\ntouch c.txt\n```\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.md"), guide).unwrap();
    std::fs::write(dir.path().join("b.txt"), "").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("triage");
    let out = assert_cmd::Command::new("script")
        .args(["-qec", &format!("{} run g.md", bin.display()), "/dev/null"])
        .current_dir(dir.path())
        .write_stdin("y\ny\nyes\nq\n")
        .output()
        .expect("util-linux script runs the test on a pseudo-terminal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(dir.path().join("a.txt").exists(), "{text}");
    assert!(!dir.path().join("b.txt").exists(), "the destructive step ran after `yes`: {text}");
    assert!(!dir.path().join("c.txt").exists(), "q ends the run: {text}");
    assert_eq!(text.matches("it is destructive: type yes").count(), 2, "{text}");
}

#[test]
fn block_attributes_name_confirm_interactive_cwd_and_expect_are_honoured() {
    let guide = r#"# Service

```sh {"name":"status","expect":"active (running)"}
echo "state: active (running)"
```

```sh { name=where cwd=sub }
pwd > here.txt
```

```sh { name=shell interactive=true }
sh
```

```sh {"name":"lies","expect":"active (running)"}
echo inactive
```

```sh { name=careful confirm=true }
touch careful.txt
```
"#;
    let test = Test::new()
        .guide("svc.md", guide)
        .guide("sub/keep.txt", "")
        .args(&["run", "svc.md", "--yes", "--keep-going", "--timeline", "t.jsonl"]);
    let run = test.run();
    run.code(1)
        .stderr_has("step 3 reads from a terminal")
        .stdout_has("the output lacks the expected \"active (running)\"")
        .stderr_has("step 5 asks to be confirmed");
    let here = std::fs::read_to_string(test.path("sub/here.txt")).expect("cwd=sub");
    assert!(here.trim_end().ends_with("/sub"), "{here}");
    assert!(!test.path("careful.txt").exists());
    let timeline = std::fs::read_to_string(test.path("t.jsonl")).unwrap();
    let decisions: Vec<(String, String)> = timeline
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|e| {
            (e["name"].as_str().unwrap().to_owned(), e["decision"].as_str().unwrap().to_owned())
        })
        .collect();
    let want = [
        ("status", "ran"),
        ("where", "ran"),
        ("shell", "skipped"),
        ("lies", "ran"),
        ("careful", "refused"),
    ];
    assert_eq!(decisions, want.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec());

    // --step picks steps by name.
    let test = Test::new()
        .guide("svc.md", guide)
        .guide("sub/keep.txt", "")
        .args(&["run", "svc.md", "--yes", "--step", "status"]);
    test.run().code(0).stdout_has("step 1/1").stdout_has("ok in");
}

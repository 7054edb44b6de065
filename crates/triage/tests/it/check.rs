//! `triage check`: runs guides end to end against things the test starts on loopback.

use crate::{Test, closed_address, listener};

fn tcp_guide(up: &str, down: &str) -> String {
    format!(
        "\
---
title: Demo
vars:
  UP: {up}
  DOWN: {down}
---

# Demo service

## Quick checks

```check
name: api port open
kind: tcp
address: ${{UP}}
tags: [net]
```

## Service Won't Start

### Symptom: \"connection refused\"

```error
dial tcp <addr>: connect: connection refused
```

```check
name: backend reachable
kind: tcp
address: ${{DOWN}}
expect: \"[CONNECTED] == true\"
```

**Solution:**

Start the backend again:

```sh
systemctl restart backend
```
"
    )
}

#[test]
fn healthy_guide_exits_zero() {
    let (_l, up) = listener();
    Test::new()
        .guide("g.md", &tcp_guide(&up, &up))
        .args(&["check", "g.md"])
        .run()
        .code(0)
        .stdout_has("✓ api port open")
        .stdout_has("2 checks: 2 passed");
}

#[test]
fn failing_check_shows_condition_symptom_and_fix() {
    let (_l, up) = listener();
    let down = closed_address();
    let run = Test::new().guide("g.md", &tcp_guide(&up, &down)).args(&["check", "g.md"]).run();
    run.code(1)
        .stdout_has("✗ backend reachable")
        .stdout_has("[CONNECTED] (false) == true")
        .stdout_has("connection refused")
        .stdout_has("symptom: Demo service › Service Won't Start › Symptom: \"connection refused\"")
        .stdout_has("$ systemctl restart backend")
        .stdout_has("2 checks: 1 passed, 1 failed");
}

#[test]
fn failing_filter_hides_passing_checks() {
    let (_l, up) = listener();
    let down = closed_address();
    Test::new()
        .guide("g.md", &tcp_guide(&up, &down))
        .args(&["check", "g.md", "--failing"])
        .run()
        .code(1)
        .stdout_lacks("api port open")
        .stdout_has("backend reachable");
}

#[test]
fn section_and_tag_filters_select_checks() {
    let (_l, up) = listener();
    let down = closed_address();
    let t = Test::new().guide("g.md", &tcp_guide(&up, &down));
    t.args(&["check", "g.md", "--section", "quick"]).run().code(0).stdout_has("1 checks: 1 passed");
    let t = Test::new().guide("g.md", &tcp_guide(&up, &down));
    t.args(&["check", "g.md", "--tag", "NET"]).run().code(0).stdout_has("1 checks: 1 passed");
}

#[test]
fn vars_from_flag_and_environment_override_front_matter() {
    let (_l, up) = listener();
    let down = closed_address();
    Test::new()
        .guide("g.md", &tcp_guide(&up, &down))
        .args(&["check", "g.md", "--var", &format!("DOWN={up}")])
        .run()
        .code(0);
    Test::new()
        .guide("g.md", &tcp_guide(&up, &down))
        .env("TRIAGE_VAR_DOWN", &up)
        .args(&["check", "g.md"])
        .run()
        .code(0);
}

#[test]
fn json_report_has_checks_symptom_and_summary() {
    let (_l, up) = listener();
    let down = closed_address();
    let run = Test::new()
        .guide("g.md", &tcp_guide(&up, &down))
        .args(&["check", "g.md", "--format", "json"])
        .run();
    run.code(1);
    let doc = run.json();
    assert_eq!(doc["summary"]["total"], 2);
    assert_eq!(doc["summary"]["failed"], 1);
    let failed = &doc["checks"][1];
    assert_eq!(failed["name"], "backend reachable");
    assert_eq!(failed["status"], "fail");
    assert_eq!(failed["kind"], "tcp");
    assert_eq!(failed["conditions"][0]["rendered"], "[CONNECTED] (false) == true");
    assert_eq!(failed["values"]["CONNECTED"], false);
    assert_eq!(failed["symptom"]["section"], "Symptom: \"connection refused\"");
    assert_eq!(failed["symptom"]["signatures"][0], "dial tcp <addr>: connect: connection refused");
    assert_eq!(doc["checks"][0]["status"], "pass");
}

#[test]
fn junit_and_tap_formats() {
    let (_l, up) = listener();
    let down = closed_address();
    let t = Test::new().guide("g.md", &tcp_guide(&up, &down));
    let junit = t.args(&["check", "g.md", "--format", "junit"]).run();
    junit.code(1);
    junit.stdout_has(r#"<testsuite name="g.md" tests="2" failures="1""#);
    junit.stdout_has(r#"<failure message="[CONNECTED] (false) == true" type="tcp">"#);
    let t = Test::new().guide("g.md", &tcp_guide(&up, &down));
    let tap = t.args(&["check", "g.md", "--format", "tap"]).run();
    tap.code(1);
    tap.stdout_has(
        "TAP version 13\n1..2\nok 1 - Demo service / Quick checks / api port open\nnot ok 2 - ",
    );
    tap.stdout_has("    - \"[CONNECTED] (false) == true\"");
}

#[test]
fn warn_severity_does_not_fail_the_run() {
    let down = closed_address();
    let guide = format!(
        "# S\n\n```check\nname: optional\nkind: tcp\naddress: {down}\nseverity: warn\n```\n"
    );
    Test::new()
        .guide("g.md", &guide)
        .args(&["check", "g.md"])
        .run()
        .code(0)
        .stdout_has("! optional")
        .stdout_has("1 warned");
}

#[test]
fn broken_block_is_reported_and_the_rest_still_runs() {
    let (_l, up) = listener();
    let guide = format!(
        "# S\n\n```check\nkind: tcp\nadress: x\n```\n\n```check\nname: good\nkind: tcp\naddress: {up}\n```\n"
    );
    Test::new()
        .guide("g.md", &guide)
        .args(&["check", "g.md"])
        .run()
        .code(2)
        .stderr_has("unknown field `adress`")
        .stdout_has("✓ good");
}

#[test]
fn folders_are_searched_and_missing_paths_fail() {
    let (_l, up) = listener();
    let guide = format!("# S\n\n```check\nkind: tcp\naddress: {up}\n```\n");
    Test::new()
        .guide("guides/a.md", &guide)
        .guide("guides/sub/b.md", &guide)
        .args(&["check"])
        .run()
        .code(0)
        .stdout_has("2 checks: 2 passed");
    Test::new().args(&["check", "nope/"]).run().code(2).stderr_has("nope");
}

#[test]
fn secrets_never_reach_the_output() {
    let guide = "\
---
vars:
  DB_PASSWORD: hunter2-very-secret
---
# S

```check
name: leaky
kind: command
argv: [echo, \"password=opensesame99 and ${DB_PASSWORD}\"]
expect: \"[STDOUT] == nothing\"
```
";
    for format in ["human", "json", "junit", "tap"] {
        let run =
            Test::new().guide("g.md", guide).args(&["check", "g.md", "--format", format]).run();
        run.code(1);
        run.stdout_lacks("opensesame99").stdout_lacks("hunter2-very-secret");
        run.stdout_has("[REDACTED]");
    }
}

#[test]
fn command_checks_are_marked() {
    let guide = "# S\n\n```check\nname: uname\nkind: command\nargv: [uname]\n```\n";
    Test::new()
        .guide("g.md", guide)
        .args(&["check", "g.md"])
        .run()
        .code(0)
        .stdout_has("[runs a command] uname");
}

#[test]
fn the_readme_example_runs() {
    let example = crate::workspace().join("examples/this-machine.md");
    let run = Test::new().args(&["check", example.to_str().unwrap(), "--format", "json"]).run();
    let doc = run.json();
    assert!(doc["summary"]["total"].as_u64().unwrap() >= 8, "{doc}");
    assert_eq!(doc["diagnostics"].as_array().unwrap().len(), 0, "{doc}");
}

/// A guide nobody annotated, in the seeds' style: its dependency commands run as native
/// checks against the real local PostgreSQL and Redis, and the TCP listener the test holds.
fn unannotated_guide(up: &str, down: &str) -> String {
    format!(
        "\
# Demo service

## Quick Diagnostic Checklist

```bash
# Database connectivity test
psql \"postgres://postgres@127.0.0.1:5432/test\" -c \"SELECT 1;\"

# Redis connectivity test
redis-cli -h 127.0.0.1 -p 6379 ping

pg_isready -h 127.0.0.1 -p 5432
nc -zv {up_host} {up_port}   # api port
nc -z {down_host} {down_port}
```

## Database issues

```bash
# Same question again: runs once
redis-cli -h 127.0.0.1 -p 6379 ping
# Changes data: never a check
psql \"postgres://postgres@127.0.0.1:5432/test\" -c \"DROP TABLE important\"
redis-cli -h 127.0.0.1 -p 6379 del some:key
```
",
        up_host = up.rsplit_once(':').unwrap().0,
        up_port = up.rsplit_once(':').unwrap().1,
        down_host = down.rsplit_once(':').unwrap().0,
        down_port = down.rsplit_once(':').unwrap().1,
    )
}

#[test]
fn unannotated_guides_run_their_well_known_commands_natively() {
    let (_l, up) = listener();
    let down = closed_address();
    let run = Test::new()
        .guide("g.md", &unannotated_guide(&up, &down))
        .args(&["check", "g.md", "--format", "json"])
        .run();
    run.code(1);
    let json = run.json();
    let checks: Vec<(String, String)> = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_owned(), c["status"].as_str().unwrap().to_owned()))
        .collect();
    let down_name = format!("nc -z {}", down.replace(':', " "));
    assert_eq!(
        checks,
        [
            ("Database connectivity test".to_owned(), "pass".to_owned()),
            ("Redis connectivity test".to_owned(), "pass".to_owned()),
            ("pg_isready -h 127.0.0.1 -p 5432".to_owned(), "pass".to_owned()),
            ("api port".to_owned(), "pass".to_owned()),
            (down_name, "fail".to_owned()),
        ],
        "{json:#}"
    );
}

#[test]
fn annotated_guides_run_only_their_check_blocks() {
    let (_l, up) = listener();
    let guide = format!(
        "# Demo\n\n```check\nname: api\nkind: tcp\naddress: {up}\n```\n\n```bash\nnc -z {}\n```\n",
        closed_address().replace(':', " ")
    );
    let run = Test::new().guide("g.md", &guide).args(&["check", "g.md", "--format", "json"]).run();
    run.code(0);
    assert_eq!(run.json()["checks"].as_array().map(Vec::len), Some(1));
}

#[test]
fn passwords_in_a_guides_commands_never_reach_the_output() {
    let down = closed_address();
    let (host, port) = down.rsplit_once(':').unwrap();
    let guide = format!(
        "# Demo\n\n## Cache\n\n```bash\nredis-cli -h {host} -p {port} -a Sup3rSecretPw ping\n\
         PGPASSWORD=An0therSecret pg_isready -h {host} -p {port}\n\
         env redis-cli -h {host} -p {port} -a Th1rdSecret info\n\
         curl -fsu admin:F0urthSecret http://{down}/health\n\
         psql \"postgres://app:F1fthSecret@{down}/app?sslmode=bogus\" -c \"SELECT 1\"\n```\n"
    );
    let secrets = ["Sup3rSecretPw", "An0therSecret", "Th1rdSecret", "F0urthSecret", "F1fthSecret"];
    for format in ["human", "json", "junit", "tap"] {
        let run =
            Test::new().guide("g.md", &guide).args(&["check", "g.md", "--format", format]).run();
        run.code(1);
        for secret in secrets {
            run.stdout_lacks(secret);
            assert!(!run.stderr.contains(secret), "{format}: {secret} on stderr: {}", run.stderr);
        }
    }
}

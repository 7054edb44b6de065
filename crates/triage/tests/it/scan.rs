//! `triage scan` run as a user would: guides and logs in a temp dir.

use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use crate::Test;

const GUIDE: &str = "# App

## Port already in use

```error
listen tcp :8080: bind: address already in use
```

## Too many clients

Error message: `FATAL: sorry, too many clients already`
";

const LOG: &str = "\
2024-05-01T10:00:01Z ERROR listen tcp :9090: bind: address already in use
2024-05-01T10:00:02Z INFO all good
2024-05-01T10:00:03Z ERROR disk 3 is full
2024-05-01T10:00:04Z ERROR disk 4 is full
2024-05-01T10:00:05Z ERROR listen tcp :8080: bind: address already in use
2024-05-01T10:00:06Z ERROR connecting to postgres://app:hunter2@db/app failed
FATAL: sorry, too many clients already
";

fn test() -> Test {
    Test::new().guide("guides/app.md", GUIDE).guide("app.log", LOG)
}

#[test]
fn json_counts_symptoms_with_first_last_and_clusters_unknown_errors() {
    let run = test().args(&["scan", "--format", "json", "app.log"]).run();
    run.code(1);
    let doc = run.json();
    assert_eq!(doc["lines"], 7);
    assert_eq!(doc["bytes"], LOG.len());
    let symptoms = doc["symptoms"].as_array().unwrap();
    assert_eq!(symptoms.len(), 2, "{doc:#}");
    let bind = &symptoms[0];
    assert_eq!(bind["section"], "Port already in use");
    assert_eq!(bind["guide"], "guides/app.md");
    assert_eq!(bind["count"], 2);
    assert_eq!(bind["first"], "2024-05-01T10:00:01.000Z");
    assert_eq!(bind["last"], "2024-05-01T10:00:05.000Z");
    assert_eq!(bind["examples"].as_array().unwrap().len(), 2);
    let unknown = doc["unknown"].as_array().unwrap();
    let disk = unknown.iter().find(|u| u["template"] == "disk <*> is full").expect("disk template");
    assert_eq!(disk["count"], 2);
    assert!(disk["example"].as_str().unwrap().contains("disk 3 is full"));
}

#[test]
fn secrets_never_reach_the_output() {
    let run = test().args(&["scan", "--format", "json", "app.log"]).run();
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    assert!(run.stdout.contains("[REDACTED]"));
}

#[test]
fn human_output_and_suggested_error_blocks() {
    test()
        .args(&["scan", "--suggest", "app.log"])
        .run()
        .code(1)
        .stdout_has("scanned 7 lines")
        .stdout_has("guides/app.md › Port already in use")
        .stdout_has("unknown errors")
        .stdout_has("```error\ndisk <*> is full\n```");
}

#[test]
fn time_window_keeps_only_lines_inside_it() {
    let run = test()
        .args(&[
            "scan", "--format", "json", "--since", "2024-05-01T10:00:04Z", "--until",
            "2024-05-01T10:00:06Z", "app.log",
        ])
        .run();
    let doc = run.json();
    let bind = doc["symptoms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "Port already in use")
        .unwrap()
        .clone();
    assert_eq!(bind["count"], 1);
    assert_eq!(bind["first"], "2024-05-01T10:00:05.000Z");
}

/// [`LOG`] compressed by `gzip` and by `zstd` (fixed bytes: no encoder in the test).
const LOG_GZ: &[u8] = &[
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x95, 0x8f, 0xb1, 0x0a, 0xc2, 0x30,
    0x14, 0x45, 0xf7, 0x7e, 0xc5, 0xfd, 0x00, 0xc5, 0x34, 0xad, 0xa2, 0x99, 0x74, 0xb0, 0x20, 0x88,
    0x42, 0x71, 0x72, 0x8b, 0x4d, 0x5a, 0x83, 0xf1, 0xa5, 0x24, 0xe9, 0xd0, 0xbf, 0xb7, 0x0e, 0x0a,
    0x62, 0x11, 0x84, 0xb7, 0x3c, 0x38, 0xf7, 0x5c, 0x2e, 0x67, 0x3c, 0x9f, 0xb2, 0xf9, 0x94, 0xa5,
    0xa7, 0x94, 0x09, 0x36, 0x5c, 0x7a, 0xc6, 0xb6, 0x2c, 0x8f, 0x25, 0xac, 0x09, 0x51, 0x13, 0x62,
    0xd5, 0x42, 0xac, 0xd8, 0x8a, 0x09, 0x5c, 0x0c, 0x29, 0x01, 0xa9, 0x94, 0xd7, 0x21, 0x40, 0x5a,
    0xaf, 0xa5, 0xea, 0x61, 0x08, 0x5d, 0xd0, 0x09, 0xff, 0x32, 0xf1, 0x33, 0x76, 0x87, 0xe2, 0x38,
    0x80, 0x16, 0x8d, 0x73, 0x6a, 0x04, 0xc9, 0x5e, 0x65, 0xca, 0x84, 0x1b, 0x32, 0x98, 0x80, 0xba,
    0xb3, 0x76, 0x84, 0xcc, 0x3f, 0xc8, 0xfc, 0x07, 0x39, 0x1f, 0x1b, 0xb0, 0x64, 0xcb, 0xff, 0x07,
    0x2c, 0x5e, 0xa6, 0xca, 0x11, 0xe9, 0x2a, 0x1a, 0x6a, 0x10, 0x1d, 0x5a, 0x17, 0x62, 0x33, 0x18,
    0xc4, 0x6c, 0x26, 0xdb, 0x56, 0x5c, 0x3b, 0x8a, 0xda, 0xf3, 0xb5, 0xba, 0x3c, 0x5f, 0xd4, 0xd2,
    0x58, 0xad, 0x92, 0x62, 0x73, 0xda, 0xec, 0x05, 0x82, 0xf3, 0xbe, 0x9f, 0x0c, 0x29, 0x87, 0xbb,
    0xa4, 0x1e, 0x95, 0x35, 0x9a, 0xe2, 0xbb, 0x3b, 0x79, 0x00, 0x7b, 0xad, 0xcc, 0xfe, 0x80, 0x01,
    0x00, 0x00,
];
const LOG_ZST: &[u8] = &[
    0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x05, 0x06, 0x00, 0x12, 0x8c, 0x27, 0x22, 0x50, 0x89, 0x9b,
    0x03, 0x40, 0x6d, 0xed, 0x6d, 0x0a, 0xeb, 0x57, 0x2d, 0x0a, 0xed, 0x01, 0x14, 0xb5, 0x52, 0x2f,
    0xc6, 0x86, 0x93, 0xc4, 0x28, 0xec, 0xb7, 0xb1, 0xf3, 0xea, 0x64, 0x26, 0x76, 0x55, 0x03, 0x48,
    0xe4, 0x65, 0xcd, 0x79, 0xc4, 0x2a, 0xe1, 0xce, 0xc5, 0x03, 0x44, 0x10, 0xba, 0xbe, 0x16, 0x24,
    0x18, 0x09, 0x05, 0xb2, 0xb6, 0x31, 0xf5, 0xf8, 0x7b, 0x4a, 0x71, 0x2c, 0x81, 0x04, 0x37, 0x32,
    0x74, 0xa0, 0xef, 0x29, 0x45, 0xd1, 0x5e, 0xf8, 0xc4, 0x76, 0xef, 0x2e, 0xfe, 0x61, 0x16, 0x9d,
    0x65, 0x76, 0x4e, 0xc0, 0x21, 0x0f, 0x06, 0x86, 0x69, 0x0d, 0x7a, 0xbc, 0xd9, 0x0b, 0x47, 0x68,
    0xb6, 0x0a, 0xcb, 0xb9, 0xe7, 0xad, 0xa9, 0x2f, 0x14, 0x06, 0x04, 0x6f, 0x24, 0x64, 0x1b, 0x3a,
    0xb3, 0x47, 0x4b, 0x2d, 0x6c, 0xea, 0xdd, 0x0b, 0xd7, 0x52, 0xd7, 0xc5, 0xcc, 0x71, 0x4d, 0x44,
    0x22, 0xf4, 0xcf, 0x89, 0xe7, 0x8d, 0xcd, 0xda, 0x9b, 0x45, 0xd3, 0x0c, 0xbc, 0xb1, 0xa4, 0x66,
    0x6a, 0x2e, 0x8c, 0x25, 0x13, 0x43, 0x26, 0x4c, 0xca, 0x14, 0x0b, 0x00, 0x10, 0xd0, 0x96, 0x08,
    0x19, 0x82, 0x0d, 0x91, 0x13, 0x0d, 0x37, 0x40, 0x30, 0x10, 0x0a, 0x38, 0xae, 0xa6, 0x49, 0xe1,
    0x40, 0x5c, 0x46, 0x93, 0x55, 0x1a, 0x2f, 0x98, 0x01, 0x61, 0x86, 0x30, 0x3e,
];

/// Runs the binary in `t`'s directory and parses its JSON output.
fn json_in(t: &Test, args: &[&str]) -> serde_json::Value {
    let out = assert_cmd::Command::cargo_bin("triage")
        .unwrap()
        .current_dir(t.path(""))
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn gzip_zstd_folders_and_globs_read_the_same() {
    let t = test();
    std::fs::create_dir(t.path("logs")).unwrap();
    std::fs::write(t.path("logs/app.log.1.gz"), LOG_GZ).unwrap();
    std::fs::write(t.path("logs/app.log.2.zst"), LOG_ZST).unwrap();
    let count = |args: &[&str]| {
        let mut all = vec!["scan", "--format", "json"];
        all.extend_from_slice(args);
        json_in(&t, &all)["symptoms"][0]["count"].as_u64().unwrap()
    };
    assert_eq!(count(&["app.log"]), 2);
    assert_eq!(count(&["logs"]), 4);
    assert_eq!(count(&["logs/*.gz"]), 2);
    assert_eq!(count(&["logs/app.log.2.zst", "app.log"]), 4);
}

#[test]
fn standard_input_is_read_when_no_log_is_named() {
    let t = test();
    let out = assert_cmd::Command::cargo_bin("triage")
        .unwrap()
        .current_dir(t.path(""))
        .args(["scan", "--format", "json"])
        .write_stdin(LOG)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["lines"], 7);
    assert_eq!(doc["symptoms"].as_array().unwrap().len(), 2);
}

#[test]
fn no_guides_still_clusters_unknown_errors() {
    let run =
        Test::new().guide("app.log", LOG).args(&["scan", "--format", "json", "app.log"]).run();
    run.code(1);
    let doc = run.json();
    assert!(doc["symptoms"].as_array().unwrap().is_empty());
    assert!(!doc["unknown"].as_array().unwrap().is_empty());
}

#[test]
fn a_clean_log_exits_zero() {
    Test::new()
        .guide("guides/app.md", GUIDE)
        .guide("ok.log", "INFO started\nINFO serving\n")
        .args(&["scan", "ok.log"])
        .run()
        .code(0)
        .stdout_has("no known symptom and no error line");
}

#[test]
fn a_missing_log_is_an_error_naming_it() {
    test().args(&["scan", "nope.log"]).run().code(2).stderr_has("nope.log");
}

#[test]
fn binary_input_and_a_huge_line_do_not_panic() {
    let t = test();
    let mut junk: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    junk.extend(std::iter::repeat_n(b'x', 20 << 20));
    junk.extend_from_slice(b"\nERROR listen tcp :1: bind: address already in use\n");
    std::fs::write(t.path("junk.log"), &junk).unwrap();
    let run = t.args(&["scan", "--format", "json", "junk.log"]).run();
    run.code(1);
    assert_eq!(run.json()["symptoms"][0]["count"], 1);
}

#[test]
#[allow(clippy::disallowed_methods)] // --follow never exits: the test drives the process itself
fn follow_prints_matches_as_the_log_grows_and_survives_rotation() {
    let t = test();
    std::fs::write(t.path("live.log"), "INFO start\n").unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("triage"))
        .current_dir(t.path(""))
        .args(["scan", "--follow", "--format", "json", "live.log"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let append = |text: &str| {
        let mut f = std::fs::OpenOptions::new().append(true).open(t.path("live.log")).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    let next = || rx.recv_timeout(Duration::from_secs(10)).expect("an event");
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    append("ERROR listen tcp :80: bind: address already in use\n");
    let event: serde_json::Value = serde_json::from_str(&next()).unwrap();
    assert_eq!(event["kind"], "symptom");
    assert_eq!(event["section"], "Port already in use");
    std::fs::rename(t.path("live.log"), t.path("live.log.1")).unwrap();
    std::fs::write(t.path("live.log"), "FATAL: sorry, too many clients already\n").unwrap();
    let event: serde_json::Value = serde_json::from_str(&next()).unwrap();
    assert_eq!(event["section"], "Too many clients");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(started.elapsed() < Duration::from_secs(30));
}

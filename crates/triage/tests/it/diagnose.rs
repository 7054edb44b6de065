//! `triage diagnose`: ranking through the real binary, its JSON shape, exit codes, the
//! ways input arrives (argument, stdin, log file) and bad input.

use assert_cmd::Command;

use crate::{Run, Test, closed_address, listener};

const METALD: &str = "---\ntitle: Metald\nservice: metald\n---\n# Metald\n\n\
## Symptom: \"bind: address already in use\"\n\n```\nError: listen tcp :8080: bind: address already in use\n```\n\n\
Another process holds the port.\n\n**Solution:**\n\n```bash\nsudo lsof -i :8080\n```\n\n\
## Symptom: \"permission denied\"\n\n```\nError: open /var/lib/metald/state.db: permission denied\n```\n\n\
**Solution:**\n\n```bash\nsudo chown -R metald /var/lib/metald\n```\n";

const BILLING: &str = "# Billing\n\n## Store unreachable\n\n**Error message**: `failed to connect to postgres: connection refused`\n\n\
The database is down.\n";

/// A test whose knowledge-base cache is its own (never the user's).
fn test() -> Test {
    let test = Test::new();
    let cache = test.path(".cache").display().to_string();
    test.env("TRIAGE_CACHE_DIR", &cache)
}

fn with_stdin(test: &Test, args: &[&str], stdin: impl Into<Vec<u8>>) -> Run {
    let output = Command::cargo_bin("triage")
        .unwrap()
        .current_dir(test.path(""))
        .args(args)
        .env("NO_COLOR", "1")
        .env("TRIAGE_CACHE_DIR", test.path(".cache"))
        .write_stdin(stdin.into())
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn guides() -> Test {
    test().guide("guides/metald.md", METALD).guide("guides/billing.md", BILLING)
}

#[test]
fn an_error_argument_matches_its_section_with_cause_fix_and_evidence() {
    let run = guides()
        .args(&[
            "diagnose",
            "--guides",
            "guides",
            "Error: listen tcp 0.0.0.0:8090: bind: address already in use",
        ])
        .run();
    run.code(0)
        .stdout_has("1. Symptom: \"bind: address already in use\"")
        .stdout_has(
            "matched: Error: listen tcp :8080: bind: address already in use (near-exact, 100%)",
        )
        .stdout_has(
            "evidence: line 1: Error: listen tcp 0.0.0.0:8090: bind: address already in use",
        )
        .stdout_has("cause: Another process holds the port.")
        .stdout_has("$ sudo lsof -i :8080");
}

#[test]
fn json_has_the_documented_shape() {
    let test = guides();
    let run = with_stdin(
        &test,
        &["diagnose", "--guides", "guides", "--format", "json", "--top", "3", "-"],
        "open /var/lib/metald/vms.db: permission denied\n",
    );
    run.code(0);
    let doc = run.json();
    let first = &doc["matches"][0];
    assert!(first["guide"].as_str().unwrap().ends_with("guides/metald.md"), "{doc}");
    assert_eq!(first["section"], "Symptom: \"permission denied\"");
    assert!(first["score"].as_f64().unwrap() > 0.0);
    assert_eq!(first["cause"], "");
    assert_eq!(first["fix"][0], "$ sudo chown -R metald /var/lib/metald");
    assert_eq!(first["evidence"][0], "open /var/lib/metald/vms.db: permission denied");
    assert!(doc["matches"].as_array().unwrap().len() <= 3);
    assert!(first.get("explanation").is_none());
}

#[test]
fn no_match_is_an_empty_list_and_exit_1() {
    let test = guides();
    let run = with_stdin(
        &test,
        &["diagnose", "--guides", "guides", "--format", "json", "-"],
        "the weather is lovely today\n",
    );
    run.code(1);
    assert_eq!(run.json()["matches"], serde_json::json!([]));
    guides()
        .args(&["diagnose", "--guides", "guides", "all quiet"])
        .run()
        .code(1)
        .stdout_has("no guide section matches");
}

#[test]
fn a_file_argument_is_scanned_as_a_log() {
    let test = guides().guide(
        "app.log",
        "Jun 02 07:15:33 host metald[1]: starting\nJun 02 07:15:33 host metald[1]: failed to connect to postgres: connection refused\n",
    );
    let run = test.args(&["diagnose", "--guides", "guides", "--format", "json", "app.log"]).run();
    run.code(0);
    let doc = run.json();
    assert_eq!(doc["matches"][0]["section"], "Store unreachable", "{doc}");
    assert!(
        doc["matches"][0]["evidence"][0]
            .as_str()
            .unwrap()
            .contains("failed to connect to postgres")
    );
}

#[test]
fn explain_says_why_in_both_formats() {
    guides()
        .args(&[
            "diagnose",
            "--guides",
            "guides",
            "--explain",
            "Error: listen tcp :1: bind: address already in use",
        ])
        .run()
        .code(0)
        .stdout_has("why: signature ")
        .stdout_has("lexical ");
    let run = guides()
        .args(&[
            "diagnose",
            "--guides",
            "guides",
            "--explain",
            "--format",
            "json",
            "listen tcp :1: bind: address already in use",
        ])
        .run();
    let x = &run.json()["matches"][0]["explanation"];
    assert!(x["signature"]["coverage"].as_f64().unwrap() > 0.8, "{x}");
    assert!(x["terms"].as_array().unwrap().iter().any(|t| t[0] == "bind"), "{x}");
}

#[test]
fn bad_input_gets_a_clear_answer() {
    let test = guides();
    let run = with_stdin(&test, &["diagnose", "--guides", "guides", "-"], Vec::<u8>::new());
    run.code(1).stderr_has("input has no text to match");
    let binary: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    let run =
        with_stdin(&test, &["diagnose", "--guides", "guides", "--format", "json", "-"], binary);
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    assert!(run.json()["notes"][0].as_str().unwrap().contains("binary"));
    let mut invalid = b"open /var/lib/metald/x.db: permission denied \xff\xfe\n".to_vec();
    invalid.extend_from_slice(b"\xc3\x28\n");
    let run =
        with_stdin(&test, &["diagnose", "--guides", "guides", "--format", "json", "-"], invalid);
    run.code(0);
    assert!(run.json()["notes"][0].as_str().unwrap().contains("UTF-8"));
}

#[test]
fn a_huge_paste_is_cut_and_says_so() {
    let test = guides();
    let mut big = "noise line without anything\n".repeat(200_000).into_bytes();
    big.extend_from_slice(b"Error: listen tcp :8080: bind: address already in use\n");
    let run = with_stdin(&test, &["diagnose", "--guides", "guides", "--format", "json", "-"], big);
    let notes = run.json()["notes"].to_string();
    assert!(notes.contains("only its first 4 MiB were read"), "{notes}");
}

#[test]
fn missing_guides_and_missing_input_are_errors() {
    test().args(&["diagnose", "--guides", "nope", "x"]).run().code(2).stderr_has("nope");
}

#[test]
fn check_confirms_or_rules_out_candidates() {
    let (_open, up) = listener();
    let down = closed_address();
    let guide = format!(
        "# Api\n\n## Backend down\n\n```error\nupstream connect error: connection refused\n```\n\n\
         ```check\nname: backend port\nkind: tcp\naddress: {down}\n```\n\n\
         ## Cache down\n\n```error\nupstream connect error: connection refused\n```\n\n\
         ```check\nname: cache port\nkind: tcp\naddress: {up}\n```\n"
    );
    let run = test()
        .guide("guides/api.md", &guide)
        .args(&[
            "diagnose",
            "--guides",
            "guides",
            "--check",
            "--format",
            "json",
            "upstream connect error: connection refused",
        ])
        .run();
    run.code(0);
    let doc = run.json();
    assert_eq!(doc["matches"][0]["section"], "Backend down", "{doc}");
    assert_eq!(doc["matches"][0]["check"]["verdict"], "confirmed");
    assert_eq!(doc["matches"][1]["check"]["verdict"], "ruled-out");
    let run = test()
        .guide("guides/api.md", &guide)
        .args(&[
            "diagnose",
            "--guides",
            "guides",
            "--check",
            "upstream connect error: connection refused",
        ])
        .run();
    run.stdout_has("check: confirmed: a detector check failed")
        .stdout_has("check: ruled out: every detector check passed");
}

#[test]
fn txt_guides_in_a_folder_are_read() {
    test()
        .guide(
            "guides/runbook.txt",
            "# Runbook\n\n## Queue stuck\n\n```\nconsumer lag exceeded 5000 messages\n```\n",
        )
        .guide("guides/notes.txt", "not a guide\n")
        .args(&["diagnose", "--guides", "guides", "consumer lag exceeded 9000 messages"])
        .run()
        .code(0)
        .stdout_has("1. Queue stuck");
}

const PORT_ERROR: &str = "Error: listen tcp 0.0.0.0:8090: bind: address already in use";

fn cache_files(test: &Test) -> Vec<std::path::PathBuf> {
    let Ok(dir) = std::fs::read_dir(test.path(".cache")) else { return Vec::new() };
    let mut files: Vec<_> = dir.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

#[test]
fn a_cache_hit_gives_the_same_json_as_a_cold_run() {
    let test = guides().args(&["diagnose", "--guides", "guides", "--format", "json", PORT_ERROR]);
    let cold = test.run();
    cold.code(0);
    let files = cache_files(&test);
    assert_eq!(files.len(), 1, "one cache file after the first run: {files:?}");
    let written = std::fs::read(&files[0]).unwrap();
    let warm = test.run();
    warm.code(0);
    assert_eq!(warm.stdout, cold.stdout);
    assert_eq!(warm.stderr, cold.stderr);
    assert_eq!(std::fs::read(&files[0]).unwrap(), written, "a hit does not rewrite the file");
    let uncached = guides()
        .args(&["diagnose", "--guides", "guides", "--format", "json", "--no-cache", PORT_ERROR])
        .run();
    assert_eq!(uncached.stdout, cold.stdout);
    assert!(cache_files(&guides()).is_empty());
}

#[test]
fn a_changed_guide_invalidates_the_cache() {
    let test = guides().args(&["diagnose", "--guides", "guides", "--format", "json", PORT_ERROR]);
    assert_eq!(test.run().json()["matches"][0]["cause"], "Another process holds the port.");
    let changed = METALD.replace("Another process holds the port.", "A stale metald holds it.");
    std::fs::write(test.path("guides/metald.md"), changed).unwrap();
    assert_eq!(test.run().json()["matches"][0]["cause"], "A stale metald holds it.");
    assert_eq!(cache_files(&test).len(), 1, "the stale file was replaced");
}

#[test]
fn a_corrupt_or_truncated_cache_file_is_ignored_and_rebuilt() {
    let test = guides().args(&["diagnose", "--guides", "guides", "--format", "json", PORT_ERROR]);
    let cold = test.run();
    let file = cache_files(&test).remove(0);
    let good = std::fs::read(&file).unwrap();
    let mut flipped = good.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0xff;
    for bad in [b"garbage".to_vec(), good[..good.len() / 2].to_vec(), flipped, Vec::new()] {
        std::fs::write(&file, bad).unwrap();
        let run = test.run();
        run.code(0);
        assert_eq!(run.stdout, cold.stdout);
        assert_eq!(std::fs::read(&file).unwrap().len(), good.len(), "rebuilt and rewritten");
    }
}

#[test]
fn an_unwritable_cache_folder_is_no_failure() {
    let test = guides()
        .guide("blocker", "a file where the cache folder would be")
        .args(&["diagnose", "--guides", "guides", PORT_ERROR]);
    let blocked = test.path("blocker").display().to_string();
    test.env("TRIAGE_CACHE_DIR", &blocked).run().code(0).stdout_has("bind: address already in use");
}

#[test]
fn guide_warnings_and_secrets_survive_a_cache_hit() {
    let guide = "---\nvars: { API_TOKEN: s3cr3t-t0ken-value }\n---\n# Svc\n\n## Token rejected\n\n\
                 ```\nerror: token s3cr3t-t0ken-value rejected by ${UPSTREAM}\n```\n";
    let test = test().guide("guides/svc.md", guide).args(&[
        "diagnose",
        "--guides",
        "guides",
        "error: token s3cr3t-t0ken-value rejected by upstream",
    ]);
    let cold = test.run();
    cold.code(0).stdout_lacks("s3cr3t-t0ken-value");
    let warm = test.run();
    assert_eq!(warm.stdout, cold.stdout);
    assert_eq!(warm.stderr, cold.stderr);
}

#[test]
fn a_secret_variable_from_outside_the_guides_turns_the_cache_off() {
    let test = guides().args(&[
        "diagnose", "--guides", "guides", "--var", "DB_PASSWORD=hunter2-hunter2", PORT_ERROR,
    ]);
    test.run().code(0);
    assert!(cache_files(&test).is_empty());
}

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

fn with_stdin(test: &Test, args: &[&str], stdin: impl Into<Vec<u8>>) -> Run {
    let output = Command::cargo_bin("triage")
        .unwrap()
        .current_dir(test.path(""))
        .args(args)
        .env("NO_COLOR", "1")
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
    Test::new().guide("guides/metald.md", METALD).guide("guides/billing.md", BILLING)
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
    Test::new().args(&["diagnose", "--guides", "nope", "x"]).run().code(2).stderr_has("nope");
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
    let run = Test::new()
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
    let run = Test::new()
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
    Test::new()
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

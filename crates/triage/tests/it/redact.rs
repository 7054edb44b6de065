//! `triage redact`: any text printed back with its secrets masked.

use crate::Test;

#[test]
fn a_file_is_printed_with_its_secrets_masked() {
    let text = "\
connecting to postgres://app:pg-s3cr3t@db:5432/app
DB_PASSWORD=hunter22 ./migrate
the secret is masked in log output.
";
    let run = Test::new().guide("paste.txt", text).args(&["redact", "paste.txt"]).run();
    run.code(0)
        .stdout_lacks("pg-s3cr3t")
        .stdout_lacks("hunter22")
        .stdout_has("postgres://app:[REDACTED]@db:5432/app\n")
        .stdout_has("the secret is masked in log output.\n");
    assert_eq!(run.stdout.lines().count(), 3);
}

#[test]
fn secret_variables_given_to_triage_are_masked_anywhere() {
    let run = Test::new()
        .guide("paste.txt", "login failed for k7Pq-opaque-value\n")
        .env("TRIAGE_VAR_API_TOKEN", "k7Pq-opaque-value")
        .args(&["redact", "paste.txt"])
        .run();
    run.code(0).stdout_lacks("k7Pq").stdout_has("login failed for [REDACTED]");
}

#[test]
fn an_unreadable_file_is_named() {
    Test::new().args(&["redact", "missing.txt"]).run().code(2).stderr_has("missing.txt");
}

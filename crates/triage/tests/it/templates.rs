//! `triage templates` on raw logs: headers stripped, templates mined, three formats.

use crate::Test;

const LOG: &str = "\
2015-10-18 18:01:47,978 INFO [main] org.apache.App: Created app 7 for user alice
2015-10-18 18:01:48,001 INFO [main] org.apache.App: Created app 8 for user bob
2015-10-18 18:01:49,100 WARN [main] org.apache.Net: Connection to 10.0.0.1:5432 lost
081109 203615 148 INFO dfs.DataNode: Created app 9 for user carol
2015-10-18 18:01:50,100 WARN [io] org.apache.Net: Connection to 10.0.0.2:5432 lost
";

#[test]
fn csv_has_one_row_per_line_in_order() {
    let run =
        Test::new().guide("app.log", LOG).args(&["templates", "--format", "csv", "app.log"]).run();
    run.code(0);
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(rows[0], "line,template_id,template");
    assert_eq!(rows.len(), 6, "{}", run.stdout);
    let id = |row: &str| row.split(',').nth(1).unwrap().to_owned();
    // Same message under two header formats: one template.
    assert_eq!(id(rows[1]), id(rows[2]));
    assert_eq!(id(rows[1]), id(rows[4]));
    assert_eq!(id(rows[3]), id(rows[5]));
    assert_ne!(id(rows[1]), id(rows[3]));
    assert!(rows[1].starts_with("1,"));
    assert!(rows[3].ends_with("Connection to <*> lost"), "{}", rows[3]);
}

#[test]
fn json_lists_templates_with_counts() {
    let run =
        Test::new().guide("app.log", LOG).args(&["templates", "--format", "json", "app.log"]).run();
    let doc = run.json();
    assert_eq!(doc["lines"], 5);
    let templates = doc["templates"].as_array().unwrap();
    assert_eq!(templates.len(), 2);
    assert_eq!(templates[0]["count"], 3);
    assert!(templates[0]["template"].as_str().unwrap().starts_with("Created app <*> for user"));
    assert!(templates[0]["example"].as_str().unwrap().contains("alice"));
}

#[test]
fn human_output_and_standard_input() {
    let out = assert_cmd::Command::cargo_bin("triage")
        .unwrap()
        .arg("templates")
        .write_stdin(LOG)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("2 templates in 5 lines"), "{text}");
}

#[test]
fn csv_quotes_fields_with_commas() {
    let run = Test::new()
        .guide("a.log", "INFO x: read a, b and \"c\"\n")
        .args(&["templates", "--format", "csv", "a.log"])
        .run();
    assert_eq!(run.stdout.lines().nth(1), Some("1,0,\"read a, b and \"\"c\"\"\""));
}

#[test]
fn csv_redacts_secrets_in_templates() {
    // A constant secret stays in the template (no digit to mask it): CSV redacts it as the
    // other formats do.
    let log = "INFO auth: login with password=hunter-two-secret ok\n".repeat(3);
    let run =
        Test::new().guide("a.log", &log).args(&["templates", "--format", "csv", "a.log"]).run();
    run.code(0);
    assert!(!run.stdout.contains("hunter-two-secret"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().nth(3), Some("3,0,login with password=[REDACTED] ok"));
}

//! `triage condition EXPR --result JSON`.

use crate::Test;

#[test]
fn true_condition_exits_zero_and_prints_it() {
    Test::new()
        .args(&["condition", "[STATUS] == 200", "--result", r#"{"status": 200}"#])
        .run()
        .code(0)
        .stdout_has("[STATUS] == 200");
}

#[test]
fn false_condition_renders_resolved_value() {
    let run =
        Test::new().args(&["condition", "[STATUS] == 200", "--result", r#"{"status": 500}"#]).run();
    run.code(1);
    assert_eq!(run.stdout.trim(), "[STATUS] (500) == 200");
}

#[test]
fn body_paths_and_durations() {
    Test::new()
        .args(&[
            "condition",
            "[BODY].data[0].id == 1",
            "--result",
            r#"{"body": "{\"data\": [{\"id\": 1}]}"}"#,
        ])
        .run()
        .code(0);
    Test::new()
        .args(&["condition", "[RESPONSE_TIME] < 1s", "--result", r#"{"response_time_ms": 1500}"#])
        .run()
        .code(1)
        .stdout_has("[RESPONSE_TIME] (1500) < 1s");
}

#[test]
fn invalid_condition_exits_two() {
    Test::new()
        .args(&["condition", "[STATUS]==200"])
        .run()
        .code(2)
        .stderr_has("invalid condition: [STATUS]==200");
}

#[test]
fn invalid_result_exits_two() {
    Test::new()
        .args(&["condition", "[STATUS] == 200", "--result", "{nope"])
        .run()
        .code(2)
        .stderr_has("--result is not valid JSON");
}

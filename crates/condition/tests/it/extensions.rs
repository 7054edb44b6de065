//! What triage adds to Gatus's language: any placeholder, floats, durations and sizes on
//! any value, unbound placeholders that fail visibly.

use std::time::Duration;

use rstest::rstest;
use triage_condition::{Condition, Error, Evaluation, Render, observation_from_result};
use triage_core::{Observation, Value};

fn seen() -> Observation {
    let mut seen = Observation::default();
    seen.set("FREE_PERCENT", 8.25)
        .set("COUNT", 3i64)
        .set("VERSION", "1.1")
        .set("UPTIME", Duration::from_secs(60))
        .set("FREE_BYTES", 1i64 << 30)
        .set("STDOUT", "starting\nserver ready\n")
        .set("MATCHES", Value::Json(serde_json::json!([{"line": 3, "text": "error: disk full"}])))
        .set("EXIT_CODE", 0i64)
        .set("CONNECTED", false)
        .set("CERT_EXPIRATION", Duration::from_secs(86_400))
        .set("LAG", Duration::from_millis(1500));
    seen
}

fn eval(condition: &str) -> (bool, String) {
    let Evaluation { success, rendered } =
        Condition::parse(condition).unwrap().evaluate(&seen(), Render::default());
    (success, rendered)
}

#[rstest]
#[case("[FREE_PERCENT] > 12.5", false, "[FREE_PERCENT] (8.25) > 12.5")]
#[case("[FREE_PERCENT] > 8.2", true, "[FREE_PERCENT] > 8.2")]
#[case("[FREE_PERCENT] == 8.250", true, "[FREE_PERCENT] == 8.250")]
#[case("[COUNT] >= 2.5", true, "[COUNT] >= 2.5")]
#[case("[COUNT] < 2.5", false, "[COUNT] (3) < 2.5")]
#[case("[VERSION] == 1.10", false, "[VERSION] (1.1) == 1.10")]
#[case("[UPTIME] > 1m30s", false, "[UPTIME] (60000) > 1m30s")]
#[case("[UPTIME] >= 1m", true, "[UPTIME] >= 1m")]
#[case("[UPTIME] < 48h", true, "[UPTIME] < 48h")]
#[case("[LAG] < 1s", false, "[LAG] (1500) < 1s")]
#[case("[CERT_EXPIRATION] > 48h", false, "[CERT_EXPIRATION] (24h) > 48h")]
#[case("[FREE_BYTES] > 10GiB", false, "[FREE_BYTES] (1073741824) > 10GiB")]
#[case("[FREE_BYTES] >= 1GiB", true, "[FREE_BYTES] >= 1GiB")]
#[case("[FREE_BYTES] > 1GB", true, "[FREE_BYTES] > 1GB")]
#[case("[FREE_BYTES] > 512MiB", true, "[FREE_BYTES] > 512MiB")]
#[case("[FREE_BYTES] > 100KB", true, "[FREE_BYTES] > 100KB")]
#[case("[STDOUT] == pat(*ready*)", true, "[STDOUT] == pat(*ready*)")]
#[case("[STDOUT] != pat(*error*)", true, "[STDOUT] != pat(*error*)")]
#[case("[STDOUT] == starting", false, "[STDOUT] (starting\nserver ready) == starting")]
#[case("len([STDOUT]) > 5", true, "len([STDOUT]) > 5")]
#[case("[MATCHES][0].text == pat(error:*)", true, "[MATCHES][0].text == pat(error:*)")]
#[case("len([MATCHES]) == 0", false, "len([MATCHES]) (1) == 0")]
#[case("[MATCHES][1].text == x", false, "[MATCHES][1].text (INVALID) == x")]
#[case("[EXIT_CODE] == 0", true, "[EXIT_CODE] == 0")]
#[case("[connected] == true", false, "[connected] (false) == true")]
fn beyond_gatus(#[case] condition: &str, #[case] success: bool, #[case] rendered: &str) {
    assert_eq!(eval(condition), (success, rendered.to_owned()), "{condition}");
}

#[rstest]
#[case("[PID] > 0", "[PID] (UNBOUND) > 0")]
#[case("[PID] != 5", "[PID] (UNBOUND) != 5")]
#[case("[PID] == [PID]", "[PID] (UNBOUND) == [PID] (UNBOUND)")]
#[case("len([PID]) < 1", "len([PID]) (UNBOUND) < 1")]
#[case("[PID].x == pat(*)", "[PID].x (UNBOUND) == pat(*)")]
#[case("5 < [PID]", "5 < [PID] (UNBOUND)")]
fn unbound_placeholders_fail_visibly(#[case] condition: &str, #[case] rendered: &str) {
    assert_eq!(eval(condition), (false, rendered.to_owned()), "{condition}");
}

#[test]
fn has_of_an_unbound_placeholder_is_false() {
    assert_eq!(eval("has([PID]) == false"), (true, "has([PID]) == false".to_owned()));
    assert_eq!(eval("has([COUNT]) == true"), (true, "has([COUNT]) == true".to_owned()));
}

#[test]
fn observed_text_is_not_read_as_a_size() {
    let mut seen = Observation::default();
    seen.set("STDOUT", "2KB");
    let verdict = Condition::parse("[STDOUT] > 1KB").unwrap().evaluate(&seen, Render::default());
    assert_eq!(verdict.rendered, "[STDOUT] (0) > 1KB");
    assert!(!verdict.success);
}

#[test]
fn render_flags() {
    let condition = Condition::parse("[COUNT] == 3").unwrap();
    let both = Render { resolve_failed: true, resolve_successful: true };
    assert_eq!(condition.evaluate(&seen(), both).rendered, "[COUNT] (3) == 3");
    let failed = Condition::parse("[COUNT] == 4").unwrap();
    let quiet = Render { resolve_failed: false, resolve_successful: false };
    assert_eq!(failed.evaluate(&seen(), quiet).rendered, "[COUNT] == 4");
    let default = Render::default();
    assert!(default.resolve_failed && !default.resolve_successful);
}

#[test]
fn evaluation_serializes() {
    let verdict = Condition::parse("[COUNT] == 4").unwrap().evaluate(&seen(), Render::default());
    assert_eq!(
        serde_json::to_value(&verdict).unwrap(),
        serde_json::json!({"success": false, "rendered": "[COUNT] (3) == 4"})
    );
}

#[rstest]
#[case("[BODY].a.b == [EXPECTED]", &["BODY", "EXPECTED"])]
#[case("len([BODY]) > [BODY].n", &["BODY"])]
#[case("has([free_percent]) == true", &[])]
#[case("has([FREE_PERCENT]) == true", &["FREE_PERCENT"])]
#[case("[status] == 200", &["STATUS"])]
#[case("raw == raw", &[])]
#[case("[IP] == pat(10.*)", &["IP"])]
fn placeholders_for_lint(#[case] condition: &str, #[case] names: &[&str]) {
    let condition = Condition::parse(condition).unwrap();
    assert_eq!(condition.placeholders(), names);
}

#[test]
fn keeps_the_text_as_written() {
    let text = "  [STATUS]  ==  200 ";
    let condition = Condition::parse(text).unwrap();
    assert_eq!(condition.as_str(), text);
    let mut seen = Observation::default();
    seen.set("STATUS", 500i64);
    assert_eq!(condition.evaluate(&seen, Render::default()).rendered, "[STATUS] (500) == 200");
}

#[rstest]
#[case("age([HEADER].Last-Modified) < 10m", "age()")]
#[case("[BODY].items[*].status == UP", "the [*] wildcard")]
fn unsupported_gatus_features_are_rejected(#[case] text: &str, #[case] feature: &'static str) {
    let err = Condition::parse(text).unwrap_err();
    assert_eq!(err, Error::Unsupported { condition: text.to_owned(), feature });
    assert_eq!(
        err.to_string(),
        format!("invalid condition: {text}: {feature} is not supported by triage")
    );
}

#[test]
fn a_result_without_a_field_leaves_it_unbound() {
    let seen = observation_from_result(&serde_json::json!({"status": 200})).unwrap();
    let verdict =
        Condition::parse("[RESPONSE_TIME] < 500").unwrap().evaluate(&seen, Render::default());
    assert_eq!(
        verdict,
        Evaluation { success: false, rendered: "[RESPONSE_TIME] (UNBOUND) < 500".into() }
    );
}

//! Scenario tests in the style of hotsos: guide excerpts written the many ways real guides
//! mark symptoms, and inputs written the way real occurrences differ from the guide's text
//! (other ports, hosts, ids and timestamps; journald, klog, logfmt and JSON prefixes;
//! shell prompts; noise lines). Each names the section that must rank first.

use std::sync::LazyLock;

use rstest::rstest;
use triage_kb::{KnowledgeBase, Query, SignatureOrigin};

use crate::kb;

const ANNOTATED: &str = "---\ntitle: Gatekeeper\nservice: gatekeeper\n---\n# Gatekeeper\n\n\
## Port already taken\n\n```error\nlisten tcp :<port>: bind: address already in use\n```\n\n\
Another process holds the port.\n\n**Solution:**\n\n```bash\nsudo ss -ltnp | grep 7400\n```\n\n\
## Upstream refused\n\n```error\ndial tcp <ip>:<port>: connect: connection refused\n```\n\nThe backend is down.\n";

const LABELS: &str = "# Ledger service\n\n## Database\n\n### Pool exhausted\n\n\
**Error message**: `FATAL: remaining connection slots are reserved for non-replication superuser connections`\n\n\
Raise `max_connections` or lower the pool size.\n\n### Schema drift\n\n**Symptom**:\n\n```\nledger: column \"settled_at\" does not exist\n```\n\n\
Run the pending migrations.\n";

const FAQ: &str = "# Syncer FAQ\n\n## Why does the `sync` job fail with \"lease expired\"?\n\n\
The worker took longer than the lease. Raise `lease_seconds`.\n\n\
## How do I rotate the API token?\n\nUse `syncer token rotate`.\n\n\
## What does `checksum mismatch for chunk` mean?\n\nA chunk was corrupted in transit; the syncer retries it.\n";

const CONSOLE: &str = "# Migrations\n\n## Dirty schema\n\n~~~console\n$ dbmate up\nError: dirty schema version 42, fix and force\n~~~\n\n\
Force the version after fixing the schema by hand.\n\n\
## Lock timeout\n\n```shell-session\n$ dbmate up\nError: could not acquire advisory lock within 15s\n```\n";

const QUOTES_AND_LISTS: &str = "# Relay\n\n## Token rejected\n\n> relay: jwt signature is invalid for kid \"k-77\"\n\n\
The signing key was rotated.\n\n## Log messages\n\n- `queue overflow: dropped 12 events`\n- `upstream stalled for 30s`\n\n\
## Replication map\n\n1. Replicas\n   - 3.1.2 replica lag exceeded threshold on shard 4\n   - 3.1.3 replica promoted unexpectedly\n";

const STRUCTURED: &str = "# Storage node\n\n## Disk full\n\n### Symptoms\n\n- writes fail with `ENOSPC`\n\n\
### Cause\n\nCompaction cannot keep up with ingestion.\n\n### Solution\n\n```bash\ndf -h /var/lib/store\n```\n\n\
## ENOSPC while writing segment\n\nThis heading is the error itself; see Disk full.\n\n\
## Segment checksum failed\n\n```text\nsegment 00af31c2: checksum failed (want 0x1f2e, got 0x9a0b)\n```\n";

/// Two guides quote the same error; the program in the prompt decides.
const BROKER: &str = "---\ntitle: Broker\nservice: mqbroker\n---\n# Broker\n\n## Listener cannot start\n\n\
```\nfailed to start listener: eaddrinuse\n```\n\nAnother broker holds 1883.\n";
const GATEWAY: &str = "---\ntitle: Gateway\nservice: edgegw\n---\n# Gateway\n\n## Listener cannot start\n\n\
```\nfailed to start listener: eaddrinuse\n```\n\nThe gateway's port is taken.\n";

static KB: LazyLock<KnowledgeBase> = LazyLock::new(|| {
    kb(&[
        ("gatekeeper.md", ANNOTATED),
        ("ledger.md", LABELS),
        ("syncer-faq.md", FAQ),
        ("migrations.md", CONSOLE),
        ("relay.md", QUOTES_AND_LISTS),
        ("storage.md", STRUCTURED),
        ("mqbroker.md", BROKER),
        ("edgegw.md", GATEWAY),
    ])
});

#[rstest]
// Annotated signatures, generalised: another port, an address before it, a JSON log line.
#[case::annotated_other_port(
    "Error: listen tcp :7401: bind: address already in use",
    "gatekeeper.md",
    "Port already taken"
)]
#[case::annotated_journald(
    "Mar 03 10:01:02 gk-2 gatekeeper[812]: {\"level\":\"error\",\"error\":\"listen tcp 0.0.0.0:7400: bind: address already in use\"}",
    "gatekeeper.md",
    "Port already taken"
)]
#[case::annotated_sibling(
    "dial tcp 10.9.8.7:9443: connect: connection refused",
    "gatekeeper.md",
    "Upstream refused"
)]
// Bold labels.
#[case::label_inline_code(
    "psql: error: connection to server at \"db-3.prod\" (10.0.0.3), port 5432 failed: FATAL:  remaining connection slots are reserved for non-replication superuser connections",
    "ledger.md",
    "Pool exhausted"
)]
#[case::label_block(
    "level=error msg=\"query failed\" err=\"ledger: column \\\"booked_at\\\" does not exist\"",
    "ledger.md",
    "Schema drift"
)]
// FAQ questions quoting the error.
#[case::faq_quote(
    "2024-05-01T10:00:00Z sync job 9921 failed: lease expired after 300s",
    "syncer-faq.md",
    "Why does the `sync` job fail with \"lease expired\"?"
)]
#[case::faq_code(
    "E0501 12:00:01.123 syncer.go:88] checksum mismatch for chunk 7f3a9b21",
    "syncer-faq.md",
    "What does `checksum mismatch for chunk` mean?"
)]
// Console blocks: the output lines are the signature, not the command.
#[case::console_output(
    "$ dbmate --url postgres://x up\nError: dirty schema version 20240101, fix and force",
    "migrations.md",
    "Dirty schema"
)]
#[case::console_sibling(
    "Error: could not acquire advisory lock within 30s",
    "migrations.md",
    "Lock timeout"
)]
// Blockquotes, "Log messages" bullets, numbered troubleshooting maps.
#[case::blockquote(
    "relay: jwt signature is invalid for kid \"k-91\"",
    "relay.md",
    "Token rejected"
)]
#[case::log_messages("WARN queue overflow: dropped 4012 events", "relay.md", "Log messages")]
#[case::numbered_map("replica lag exceeded threshold on shard 12", "relay.md", "Replication map")]
// Structural subheadings fold into the problem; a heading can be the error itself.
#[case::structural(
    "write /var/lib/store/seg-9: no space left on device (ENOSPC)\ncompaction is behind ingestion",
    "storage.md",
    "Disk full"
)]
#[case::output_block_hex(
    "segment 9b00ffe1: checksum failed (want 0x0001, got 0xbeef)",
    "storage.md",
    "Segment checksum failed"
)]
// The same error in two guides: the program in the prompt or the syslog tag decides.
#[case::context_prompt(
    "$ edgegw --config /etc/edgegw.yaml\nfailed to start listener: eaddrinuse",
    "edgegw.md",
    "Listener cannot start"
)]
#[case::context_syslog(
    "Jan 02 03:04:05 host mqbroker[77]: failed to start listener: eaddrinuse",
    "mqbroker.md",
    "Listener cannot start"
)]
fn ranks_the_right_section_first(#[case] input: &str, #[case] guide: &str, #[case] section: &str) {
    let matches = KB.diagnose(&Query::new(input), 3);
    let got: Vec<String> = matches
        .iter()
        .map(|m| format!("{} # {}", KB.guide_of(m.entry).path.display(), m.entry.heading))
        .collect();
    assert!(!matches.is_empty(), "no match for {input:?}");
    assert_eq!(got[0], format!("{guide} # {section}"), "input {input:?}, got {got:#?}");
}

#[test]
fn evidence_is_the_matched_input_line() {
    let input = "starting\nError: listen tcp :9999: bind: address already in use\nexiting";
    let m = &KB.diagnose(&Query::new(input), 1)[0];
    assert_eq!(m.evidence[0].line, 2);
    assert_eq!(m.evidence[0].text, "Error: listen tcp :9999: bind: address already in use");
    assert_eq!(
        m.evidence[0].signature.as_deref(),
        Some("listen tcp :<port>: bind: address already in use")
    );
}

#[test]
fn explanations_say_why() {
    let m = &KB.diagnose(&Query::new("$ edgegw run\nfailed to start listener: eaddrinuse"), 2);
    let hit = m[0].explanation.signature.as_ref().unwrap();
    assert!(hit.near_exact);
    assert_eq!(hit.origin, SignatureOrigin::Output);
    assert_eq!(m[0].explanation.context, ["edgegw"]);
    assert!(m[0].explanation.lift > m[1].explanation.lift);
    assert!(
        m[0].explanation.terms.iter().any(|(t, _)| t == "eaddrinus"),
        "{:?}",
        m[0].explanation.terms
    );
    // The other guide quoting the same error is shown together with the first.
    assert_eq!(m[1].same_error_as, Some(0));
}

#[test]
fn rare_words_outweigh_common_ones() {
    // `error` is everywhere; `advisory` is in one section.
    let m = KB.diagnose(&Query::new("error error error advisory lock"), 1);
    assert_eq!(m[0].entry.heading, "Lock timeout");
}

#[test]
fn unrelated_input_matches_nothing() {
    for input in ["hello world", "the quick brown fox jumps over the lazy dog", "", "   \n\n"] {
        assert!(KB.diagnose(&Query::new(input), 3).is_empty(), "{input:?}");
    }
}

#[test]
fn cause_and_fix_come_with_the_match() {
    let m = &KB.diagnose(&Query::new("listen tcp :1: bind: address already in use"), 1)[0];
    assert_eq!(m.entry.cause, "Another process holds the port.");
    assert_eq!(m.entry.fix, ["$ sudo ss -ltnp | grep 7400"]);
    let stats = KB.stats();
    assert_eq!(stats.guides, 8);
    assert!(stats.by_origin[&SignatureOrigin::Annotated] >= 2);
}

//! The five real guides of ../../../shared/seeds, read as they are (no annotations).

use std::path::{Path, PathBuf};

use triage_guide::{Guide, LoadOptions, Section, load};

fn seed(prefix: &str) -> Option<Guide> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        eprintln!("skipping: no seed folder at {}", folder.display());
        return None;
    };
    let path: PathBuf = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))?;
    let parsed = load(&path, &LoadOptions::default()).expect("seed reads");
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    Some(parsed.guide)
}

fn section<'g>(guide: &'g Guide, title: &str) -> &'g Section {
    guide.sections().iter().find(|s| s.title == title).unwrap_or_else(|| panic!("no {title:?}"))
}

#[test]
fn seed_000_metald_symptoms_have_bash_fixes() {
    let Some(guide) = seed("000_") else { return };
    assert_eq!(guide.title.as_deref(), Some("Troubleshooting Guide"));
    let bind = section(&guide, "Symptom: \"bind: address already in use\"");
    assert_eq!(bind.level, 4);
    assert_eq!(
        guide.breadcrumb(bind.id),
        ["Troubleshooting Guide", "Common Issues", "1. Service Won't Start", bind.title.as_str()]
    );
    let fix = guide.fix_of(bind.id);
    let block = fix[0].block.as_ref().expect("a block");
    assert_eq!(block.lang, "bash");
    assert!(block.is_shell());
    assert!(block.content.contains("lsof -i :8080"));
    // The error text is an unlabelled block before the fix: part of the cause.
    assert_eq!(bind.blocks[0].lang, "");
    assert!(bind.blocks[0].content.contains("listen tcp :8080: bind: address already in use"));
    // Unannotated: no error or check blocks, so no symptoms yet.
    assert!(guide.symptoms().is_empty());
    assert_eq!(guide.checks().count(), 0);
}

#[test]
fn seed_001_callfs_keeps_its_heading_tree() {
    let Some(guide) = seed("001_") else { return };
    let start = section(&guide, "1. Service Won't Start");
    let children: Vec<&str> =
        start.children.iter().map(|id| guide.section(*id).title.as_str()).collect();
    assert_eq!(children, ["Symptoms", "Diagnostic Commands", "Common Causes and Solutions"]);
    assert!(guide.section(start.children[0]).text.contains("\"Connection refused\" errors"));
    let diag = guide.section(start.children[1]);
    assert!(diag.blocks[0].content.contains("systemctl status callfs"));
}

#[test]
fn seed_002_costwatch_numbered_solution_labels() {
    let Some(guide) = seed("002_") else { return };
    let start = section(&guide, "Service Won't Start");
    let fix = guide.fix_of(start.id);
    let texts: Vec<&str> = fix.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Solution 1: Missing Environment Variables",
            "Solution 2: Port Already in Use",
            "Solution 3: Database Connection Failed"
        ]
    );
    assert!(fix[1].block.as_ref().unwrap().content.contains("lsof -i :8002"));
    assert!(guide.cause_of(start.id).contains("Service crashes immediately after starting"));
    let pool = section(&guide, "Connection Pool Exhausted");
    assert!(pool.text.contains("`FATAL: sorry, too many clients already`"));
}

#[test]
fn seed_003_volaticloud_list_solutions() {
    let Some(guide) = seed("003_") else { return };
    let db = section(&guide, "1. Database Connection Failure");
    let fix = guide.fix_of(db.id);
    assert_eq!(fix.len(), 1);
    assert!(fix[0].text.starts_with("- Verify database credentials in secret"));
    assert!(fix[0].text.contains("`pg_isready -h <DB_HOST>`"));
    assert!(guide.cause_of(db.id).contains("`failed to connect to postgres`"));
    let keycloak = section(&guide, "2. Keycloak Configuration Missing");
    let fix = guide.fix_of(keycloak.id);
    assert_eq!(fix[0].block.as_ref().unwrap().lang, "yaml");
    assert!(fix[1].text.contains("Redeploy: `helm upgrade volaticloud-backend ...`"));
}

#[test]
fn seed_004_novacron_resolution_headings() {
    let Some(guide) = seed("004_") else { return };
    let sla = section(&guide, "1. Response Time SLA Violations (P95 > 1s)");
    let fix = guide.fix_of(sla.id);
    assert_eq!(fix.len(), 1);
    let block = fix[0].block.as_ref().unwrap();
    assert!(block.content.contains("kubectl scale deployment/vm-service --replicas=6"));
    assert!(guide.sections()[1].text.is_empty());
    assert!(guide.title.as_deref().unwrap().starts_with("BMad Task 9"));
}

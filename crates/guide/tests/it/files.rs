//! `discover` and `load` on real files in a temporary folder.

use std::fs;
use std::path::PathBuf;

use triage_guide::{Error, LoadOptions, discover, load};

#[test]
fn discover_takes_files_as_given_and_folders_recursively() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("b/deep")).unwrap();
    fs::create_dir_all(root.join(".hidden")).unwrap();
    for file in ["z.md", "a.markdown", "b/deep/c.MDX", "b/notes.txt", ".hidden/x.md", "given.txt"] {
        fs::write(root.join(file), "# x\n").unwrap();
    }
    let found = discover(&[root.join("given.txt"), root.to_path_buf()]).unwrap();
    let names: Vec<PathBuf> =
        found.iter().map(|p| p.strip_prefix(root).unwrap().to_path_buf()).collect();
    assert_eq!(
        names,
        [
            PathBuf::from("given.txt"),
            PathBuf::from("a.markdown"),
            PathBuf::from("b/deep/c.MDX"),
            PathBuf::from("z.md")
        ]
    );
}

#[test]
fn discover_reports_a_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let error = discover(std::slice::from_ref(&missing)).unwrap_err();
    assert!(matches!(&error, Error::NotFound { path } if *path == missing));
    assert_eq!(error.to_string(), format!("no such guide file or folder: {}", missing.display()));
}

#[test]
fn load_reads_files_and_replaces_bad_utf8_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.md");
    fs::write(&path, b"# Title\n\nbad \xff byte\n").unwrap();
    let parsed = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!(parsed.guide.sections()[1].text, "bad \u{fffd} byte");
    assert_eq!(
        parsed.diagnostics[0].to_string(),
        format!(
            "warning: guide is not valid UTF-8; bad bytes read as U+FFFD\n  --> {}:3:5\n  |\n3 | bad \u{fffd} byte\n  |     ^",
            path.display()
        )
    );
}

#[test]
fn load_reports_an_unreadable_file() {
    let dir = tempfile::tempdir().unwrap();
    let error = load(&dir.path().join("missing.md"), &LoadOptions::default()).unwrap_err();
    assert!(matches!(error, Error::Read { .. }));
    assert!(error.to_string().starts_with("cannot read "));
}

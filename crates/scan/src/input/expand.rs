//! Turning the command line's log arguments into a list of sources.

use std::path::{Path, PathBuf};

use crate::Error;

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

/// Expands `args`: `-` is standard input, a folder is every file under it (sorted, hidden
/// files skipped), a pattern with `*`, `?` or `[` is a glob; anything else is a file.
/// A glob that matches nothing is an error, so a typo does not scan nothing in silence.
pub fn expand(args: &[PathBuf]) -> Result<Vec<Source>, Error> {
    let mut out = Vec::new();
    for arg in args {
        let text = arg.to_string_lossy();
        if text == "-" {
            out.push(Source::Stdin);
        } else if arg.is_dir() {
            walk(arg, &mut out)?;
        } else if !arg.exists() && text.contains(['*', '?', '[']) {
            let paths = glob::glob(&text)
                .map_err(|e| Error::io(arg, std::io::Error::other(e.to_string())))?;
            let before = out.len();
            for path in paths.flatten() {
                if path.is_dir() {
                    walk(&path, &mut out)?;
                } else {
                    out.push(Source::File(path));
                }
            }
            if out.len() == before {
                return Err(Error::io(
                    arg,
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no file matches"),
                ));
            }
        } else {
            out.push(Source::File(arg.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Source>) -> Result<(), Error> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.is_file() {
            out.push(Source::File(path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_globs_and_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        for f in ["a.log", "b.log.gz", "sub/c.log", ".hidden"] {
            std::fs::write(d.join(f), "x\n").unwrap();
        }
        let got = expand(&[d.to_path_buf()]).unwrap();
        assert_eq!(
            got,
            [
                Source::File(d.join("a.log")),
                Source::File(d.join("b.log.gz")),
                Source::File(d.join("sub/c.log"))
            ]
        );
        let got = expand(&[d.join("*.log"), PathBuf::from("-")]).unwrap();
        assert_eq!(got, [Source::File(d.join("a.log")), Source::Stdin]);
        let err = expand(&[d.join("*.nothing")]).unwrap_err();
        assert!(err.to_string().contains("no file matches"), "{err}");
    }
}

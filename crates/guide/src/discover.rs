//! Finding guide files: files as given, folders searched recursively.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The extensions that make a file in a folder a guide.
pub const GUIDE_EXTENSIONS: &[&str] = &["md", "markdown", "mdx"];

/// The guide files named by `paths`, in the order given.
///
/// A file is taken as it is, whatever its extension. A folder contributes every
/// `*.md`, `*.markdown` and `*.mdx` file below it (extensions in any case), and every `*.txt`
/// file with a Markdown heading in its first 4 KiB, sorted by path;
/// hidden entries (names starting with `.`) below it are skipped and symbolic links are
/// followed.
///
/// # Errors
///
/// [`Error::NotFound`] for a path that does not exist, [`Error::Read`] for a folder that
/// cannot be listed (including a symbolic link loop).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound { path: path.clone() },
            _ => Error::Read { path: path.clone(), source },
        })?;
        if metadata.is_dir() {
            found.extend(in_folder(path)?);
        } else {
            found.push(path.clone());
        }
    }
    Ok(found)
}

fn in_folder(folder: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(folder).follow_links(true).into_iter();
    let walker = walker.filter_entry(|entry| {
        entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
    });
    for entry in walker {
        let entry = entry.map_err(|error| {
            let path = error.path().unwrap_or(folder).to_path_buf();
            let source = std::io::Error::from(error);
            Error::Read { path, source }
        })?;
        if entry.file_type().is_file() && is_guide(entry.path()) {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
}

fn is_guide(path: &Path) -> bool {
    let Some(ext) = path.extension().and_then(|ext| ext.to_str()) else { return false };
    if GUIDE_EXTENSIONS.iter().any(|known| ext.eq_ignore_ascii_case(known)) {
        return true;
    }
    // Teams keep runbooks as `.txt` too (wiki exports, pasted guides); take those whose
    // text is Markdown in all but name, so a `requirements.txt` or a log is never a guide.
    ext.eq_ignore_ascii_case("txt") && looks_like_markdown(path)
}

/// How far into a `.txt` file a Markdown heading must appear for it to count as a guide.
const SNIFF_BYTES: u64 = 4096;

fn looks_like_markdown(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let Ok(file) = std::fs::File::open(path) else { return false };
    if file.take(SNIFF_BYTES).read_to_end(&mut head).is_err() {
        return false;
    }
    String::from_utf8_lossy(&head).lines().any(|line| {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        (1..=6).contains(&hashes)
            && line[hashes..].starts_with(' ')
            && line[hashes..].trim().len() > 1
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn txt_guides_are_found_other_txt_files_are_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\n").unwrap();
        std::fs::write(dir.path().join("runbook.txt"), "# Runbook\n\n## Symptom\n").unwrap();
        std::fs::write(dir.path().join("requirements.txt"), "regex==1\n#comment\n").unwrap();
        let files = super::discover(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> =
            files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["a.md", "runbook.txt"]);
    }
}

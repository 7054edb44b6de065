//! `--follow`: reading a log as it grows, like `tail -F`.
//!
//! The file is read to its end, then polled. When it shrinks it was truncated and is read
//! again from the start; when the path names another file (log rotation: renamed and
//! recreated) the rest of the old file is read, then the new one from its start.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

use crate::Error;

/// How often a followed file is looked at when nothing new came.
pub const POLL: Duration = Duration::from_millis(200);

/// Longest line kept while following.
const MAX_LINE: usize = 64 * 1024;

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Follows `path`, calling `each` with every complete line from `start` on (`false`: from
/// the beginning; `true`: only lines written from now on), until `stop` returns true.
pub fn follow(
    path: &Path,
    from_end: bool,
    mut stop: impl FnMut() -> bool,
    mut each: impl FnMut(&[u8]),
) -> Result<(), Error> {
    let open = |path: &Path| -> Result<(BufReader<File>, (u64, u64)), Error> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let id = identity(&file.metadata().map_err(|e| Error::io(path, e))?);
        Ok((BufReader::new(file), id))
    };
    let (mut reader, mut id) = open(path)?;
    let mut pos =
        if from_end { reader.seek(SeekFrom::End(0)).map_err(|e| Error::io(path, e))? } else { 0 };
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .by_ref()
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path, e))?;
        if n > 0 && line.last() == Some(&b'\n') {
            pos += n as u64;
            line.pop();
            each(crate::input::trim_cr(&line));
            continue;
        }
        if n > MAX_LINE {
            // A line longer than the limit: keep its start, drop the rest up to the newline.
            pos += n as u64;
            each(&line[..MAX_LINE]);
            let mut skipped = Vec::new();
            loop {
                skipped.clear();
                let k = reader
                    .by_ref()
                    .take(MAX_LINE as u64)
                    .read_until(b'\n', &mut skipped)
                    .map_err(|e| Error::io(path, e))?;
                pos += k as u64;
                if k == 0 || skipped.last() == Some(&b'\n') {
                    break;
                }
            }
            continue;
        }
        // A partial line: give the writer time to finish it.
        if n > 0 {
            reader.seek(SeekFrom::Start(pos)).map_err(|e| Error::io(path, e))?;
        }
        if stop() {
            return Ok(());
        }
        std::thread::sleep(POLL);
        match std::fs::metadata(path) {
            Ok(meta) if identity(&meta) != id => {
                // Rotated: the old file is done (read to its end above); start the new one.
                let (r, i) = open(path)?;
                reader = r;
                id = i;
                pos = 0;
            }
            Ok(meta) if meta.len() < pos => {
                reader.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, e))?;
                pos = 0;
            }
            // Gone for the moment (between rename and create): wait for it to come back.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn follows_growth_truncation_and_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, "old line\n").unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let p = path.clone();
        let worker = std::thread::spawn(move || {
            follow(
                &p,
                false,
                || stop_rx.try_recv().is_ok(),
                |l| tx.send(String::from_utf8_lossy(l).into_owned()).unwrap(),
            )
        });
        let next = || rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(next(), "old line");
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"grown ").unwrap();
        f.flush().unwrap();
        std::thread::sleep(POLL * 2);
        f.write_all(b"line\n").unwrap();
        assert_eq!(next(), "grown line");
        // Truncated and rewritten.
        std::fs::write(&path, "").unwrap();
        std::thread::sleep(POLL * 3);
        std::fs::write(&path, "after truncation\n").unwrap();
        assert_eq!(next(), "after truncation");
        // Rotated: renamed away, a new file in its place.
        std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
        std::fs::write(&path, "new file\n").unwrap();
        assert_eq!(next(), "new file");
        stop_tx.send(()).unwrap();
        worker.join().unwrap().unwrap();
    }
}

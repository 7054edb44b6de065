//! Memory-mapping a log file, the one place in the crate that needs `unsafe`.
//!
//! `memmap2::Mmap::map` is unsafe because another process may change or truncate the file
//! while it is mapped, which Rust cannot rule out. triage only reads logs, and a log that is
//! truncated under a scan at worst yields a SIGBUS on a page past the new end; `--follow`,
//! which expects files to change, reads them instead of mapping them.
#![allow(unsafe_code)]

use std::fs::File;
use std::path::Path;

use crate::Error;

/// Maps the file at `path`; `None` when it cannot be mapped (a pipe, a special file, an
/// empty file), in which case the caller reads it.
pub fn map(path: &Path) -> Result<Option<memmap2::Mmap>, Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() || meta.len() == 0 {
        return Ok(None);
    }
    // SAFETY: the map is read-only and private to this process; see the module docs for
    // what a concurrent truncation does.
    let map = unsafe { memmap2::Mmap::map(&file) };
    Ok(map.ok())
}

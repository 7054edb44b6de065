//! Where log lines come from: files (plain, gzip, zstd), folders, globs, standard input,
//! files that grow (`--follow`).

mod expand;
mod follow;
mod lines;
pub(crate) mod mmap;
mod open;

pub use expand::{Source, expand};
pub use follow::{POLL, follow};
pub use lines::{DEFAULT_MAX_LINE, for_each_line, text, trim_cr};
pub use open::{Compression, compression, decompress, open, stdin};

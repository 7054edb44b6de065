//! Log scanning at memory speed, and template mining.
//!
//! - [`Engine`]: every signature ([`Pattern`]) at once over a block of log: a literal
//!   prefilter over the whole block (a sampled hash search for long anchors, a SIMD
//!   bucketed shift-and after Teddy for error words and short ones), then verification of
//!   the lines holding a hit only. Lines with error words that no
//!   signature matches are kept as unknown errors.
//! - [`Scanner`]: drives the engine over whole inputs (memory-mapped or read, plain, gzip or
//!   zstd) in parallel chunks cut at line boundaries; the [`Report`] does not depend on the
//!   chunking.
//! - [`template`]: which message template each line is an instance of, for any log with no
//!   per-format settings (`triage templates`, and the clustering of unknown errors).
//! - [`input`], [`timestamp`]: opening and following logs; timestamps of common formats.
//!
//! ```
//! use triage_scan::{Engine, Options, Pattern, Scanner};
//!
//! let patterns = [Pattern::new(7, "listen tcp :<port>: bind: address already in use")];
//! let engine = Engine::new(&patterns, Options::default()).unwrap();
//! let mut scanner = Scanner::new(&engine);
//! scanner.scan_block(b"ERROR listen tcp :8080: bind: address already in use\nERROR disk 3 full\n");
//! let report = scanner.finish();
//! assert_eq!(report.symptoms[0].0, 7);
//! assert_eq!(report.symptoms[0].1.count, 1);
//! assert_eq!(report.unknown[0].text, "disk <*> full");
//! ```

mod engine;
mod error;
pub mod input;
mod pattern;
mod prefilter;
mod scanner;
pub mod template;
pub mod timestamp;

pub use engine::{Engine, Hit, MAX_EXAMPLE, Options, Tally};
pub use error::Error;
pub use pattern::{MAX_PATTERN_LEN, Pattern};
pub use scanner::{Report, Scanner, split_lines};

//! The symptom knowledge base: every section of every guide that can explain an error,
//! with its signatures generalised, indexed and ranked against what an engineer pastes.
//!
//! The pipeline: a [`Builder`] takes parsed guides (and their source, which extraction
//! reads again for signatures in guides nobody annotated), [`Builder::build`] learns term
//! weights from the whole knowledge base, and [`KnowledgeBase::diagnose`] ranks entries for
//! a [`Query`] with an [`Explanation`] of every score. `docs/diagnose.md` describes the
//! method.
//!
//! ```
//! use std::path::Path;
//! use triage_guide::{LoadOptions, parse};
//! use triage_kb::{Builder, Query};
//!
//! let source = "# Metald\n\n## Port already in use\n\n```\nError: listen tcp :8080: bind: address already in use\n```\n\n\
//!               Another process holds the port.\n\n## Disk full\n\n```\nwrite /var/lib/x: no space left on device\n```\n";
//! let guide = parse(Path::new("metald.md"), source, &LoadOptions::default()).guide;
//! let mut builder = Builder::new();
//! builder.add_guide(&guide, source);
//! let kb = builder.build();
//!
//! let matches = kb.diagnose(&Query::new("Error: listen tcp 0.0.0.0:8090: bind: address already in use"), 3);
//! assert_eq!(matches[0].entry.heading, "Port already in use");
//! assert!(matches[0].explanation.signature.as_ref().unwrap().near_exact);
//! ```

mod annotate;
mod builder;
mod cache;
mod context;
mod cue;
mod entry;
mod extract;
mod generalise;
mod infer;
mod kb;
mod probe;
mod query;
mod rank;
mod slot;
mod store;
mod structure;
mod vocab;

pub use annotate::annotate;
pub use builder::Builder;
pub use cache::{CACHE_DIR_ENV, Cache, CacheKey, KeyHasher};
pub use entry::{Entry, GuideInfo, Signature};
pub use extract::SignatureOrigin;
pub use generalise::{Generalised, Piece, generalise, template};
pub use infer::{InferredCheck, guide_secrets, inferred_checks};
pub use kb::{KnowledgeBase, Stats};
pub use probe::{NativeProbe, recognise, secrets};
pub use query::{MAX_INPUT_BYTES, MAX_LINE_CHARS, MAX_LINES, Query};
pub use rank::{Evidence, Explanation, MIN_COVERAGE, Match, NEAR_EXACT, SignatureHit};
pub use slot::Slot;
pub use store::StoreError;

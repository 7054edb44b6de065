//! Integration tests of the condition language: Gatus's own tables, triage's extensions,
//! and the promise that no input panics.

mod extensions;
mod gatus;
mod never_panics;

//! Integration tests of the probe crate as a whole.

mod docs;

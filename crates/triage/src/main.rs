//! The triage command line (being written).
fn main() {}

//! Runs checks concurrently (being written).

/// A check (being written).
pub struct Check;
/// The engine (being written).
pub struct Engine;
/// An outcome (being written).
pub struct Outcome;

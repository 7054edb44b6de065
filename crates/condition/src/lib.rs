//! The condition language (being written).

//! The guide model (being written).

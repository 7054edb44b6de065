//! Log scanning and template mining (being written).

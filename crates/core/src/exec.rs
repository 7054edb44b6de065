//! Spawning processes: the one place triage starts one (being written).

//! `kind: memory` (being written).

use serde::Deserialize;
use triage_core::Observation;

use crate::{Context, Kind};

/// Placeholder until this kind is written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Memory {}

impl Kind for Memory {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[];

    fn target(&self) -> String {
        "memory".into()
    }

    async fn observe(&self, _ctx: &Context) -> Observation {
        Observation::failed("memory probe is not written yet")
    }
}

//! `kind: metrics` (being written).

use serde::Deserialize;
use triage_core::Observation;

use crate::{Context, Kind};

/// Placeholder until this kind is written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {}

impl Kind for Metrics {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[];

    fn target(&self) -> String {
        "metrics".into()
    }

    async fn observe(&self, _ctx: &Context) -> Observation {
        Observation::failed("metrics probe is not written yet")
    }
}

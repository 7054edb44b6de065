//! `kind: port` (being written).

use serde::Deserialize;
use triage_core::Observation;

use crate::{Context, Kind};

/// Placeholder until this kind is written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {}

impl Kind for Port {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[];

    fn target(&self) -> String {
        "port".into()
    }

    async fn observe(&self, _ctx: &Context) -> Observation {
        Observation::failed("port probe is not written yet")
    }
}

//! `kind: dns` (being written).

use serde::Deserialize;
use triage_core::Observation;

use crate::{Context, Kind};

/// Placeholder until this kind is written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {}

impl Kind for Dns {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[];

    fn target(&self) -> String {
        "dns".into()
    }

    async fn observe(&self, _ctx: &Context) -> Observation {
        Observation::failed("dns probe is not written yet")
    }
}

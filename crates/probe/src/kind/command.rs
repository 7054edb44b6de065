//! `kind: command` (being written).

use serde::Deserialize;
use triage_core::Observation;

use crate::{Context, Kind};

/// Placeholder until this kind is written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {}

impl Kind for Command {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[];

    fn target(&self) -> String {
        "command".into()
    }

    async fn observe(&self, _ctx: &Context) -> Observation {
        Observation::failed("command probe is not written yet")
    }
}

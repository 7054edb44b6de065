//! `kind: http` (being written).

use serde::Deserialize;
use triage_core::Observation;

use crate::{Context, Kind};

/// HTTP clients shared by a run (being written).
#[derive(Debug, Default)]
pub(crate) struct Clients {}

/// Placeholder until this kind is written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {}

impl Kind for Http {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[];

    fn target(&self) -> String {
        "http".into()
    }

    async fn observe(&self, _ctx: &Context) -> Observation {
        Observation::failed("http probe is not written yet")
    }
}

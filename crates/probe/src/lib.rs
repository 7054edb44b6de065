//! Native, read-only probes and the engine that runs checks with them.
//!
//! A [`Probe`] is one closed enum of kinds, one file per kind under `kind/`. A probe
//! *observes*: it binds placeholders such as `[STATUS]` or `[FREE_PERCENT]` in an
//! [`Observation`]; the [`engine`] evaluates a check's conditions against it, with
//! timeouts, retries, a global concurrency bound and a bound per database server. The
//! engine tells each probe which placeholders the check's conditions read
//! ([`Context::wants`]), so a probe pays only for the facts that are looked at (no `INFO`
//! for a redis check of `[PING]`, no facts query for a postgres check of `[CONNECTED]`).
//!
//! Adding a kind is one file under `kind/`, one line in the `kinds!` list below.
//!
//! ```
//! let probe: triage_probe::Probe = serde_yaml_ng::from_str("kind: tcp\naddress: 127.0.0.1:9").unwrap();
//! assert_eq!(probe.kind_name(), "tcp");
//! ```

mod context;
pub mod engine;
mod kind;

pub use context::Context;
pub use engine::{Check, Engine, Outcome};

use serde::Deserialize;
use triage_core::Observation;

/// One kind of probe: what it binds, how it describes its target, how it looks.
pub(crate) trait Kind {
    /// The placeholders this kind binds, each with a one-line meaning (for docs and lint).
    const PLACEHOLDERS: &'static [(&'static str, &'static str)];

    /// Conditions used when a check lists none; empty means the check must say `expect:`.
    const DEFAULT_EXPECT: &'static [&'static str] = &[];

    /// A short description of what is probed, e.g. `GET http://localhost:8080/health`.
    fn target(&self) -> String;

    /// Problems a guide author must fix, found without touching the system.
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }

    /// The server this probe opens a session on (`host:port`) when that server limits its
    /// sessions (a database's `max_connections`): the engine bounds the checks in flight
    /// against one server by [`engine::DEFAULT_PER_SERVER`] besides the global bound.
    fn server(&self) -> Option<String> {
        None
    }

    /// Looks once. Never changes the system; never fails: what went wrong is recorded in
    /// the observation. Facts that cost extra work are gathered only when
    /// [`Context::wants`] their placeholder.
    async fn observe(&self, ctx: &Context) -> Observation;
}

/// The placeholder table of one probe kind, as documented.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// The `kind:` value, e.g. `http`.
    pub name: &'static str,
    /// Placeholder names (without brackets) and what they mean.
    pub placeholders: &'static [(&'static str, &'static str)],
    /// Conditions used when a check lists none.
    pub default_expect: &'static [&'static str],
}

macro_rules! kinds {
    ($($name:literal => $variant:ident($ty:ty),)+) => {
        /// A probe: one variant per kind, selected by the `kind:` field of a check block.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum Probe {
            $(
                #[doc = concat!("`kind: ", $name, "`")]
                $variant($ty),
            )+
        }

        impl Probe {
            /// The `kind:` value of this probe.
            pub fn kind_name(&self) -> &'static str {
                match self { $(Probe::$variant(_) => $name,)+ }
            }

            /// What is probed, in a few words.
            pub fn target(&self) -> String {
                match self { $(Probe::$variant(p) => p.target(),)+ }
            }

            /// Problems in the probe's fields found without running it.
            pub fn validate(&self) -> Result<(), String> {
                match self { $(Probe::$variant(p) => p.validate(),)+ }
            }

            /// The server whose sessions the engine bounds per server, if the kind has one.
            pub fn server(&self) -> Option<String> {
                match self { $(Probe::$variant(p) => p.server(),)+ }
            }

            /// Looks once. Never changes the system and never fails: what went wrong is in the
            /// observation.
            pub async fn observe(&self, ctx: &Context) -> Observation {
                // Boxed: inline, this future would be as large as the largest kind's
                // (12 KB), copied into every check's task however small its own kind.
                match self { $(Probe::$variant(p) => Box::pin(p.observe(ctx)).await,)+ }
            }

            /// The placeholder table of this probe's kind.
            pub fn info(&self) -> KindInfo {
                match self { $(Probe::$variant(_) => info::<$ty>($name),)+ }
            }
        }

        /// Every probe kind with its placeholders, in documentation order.
        pub fn kinds() -> Vec<KindInfo> {
            vec![$(info::<$ty>($name),)+]
        }
    };
}

fn info<K: Kind>(name: &'static str) -> KindInfo {
    KindInfo { name, placeholders: K::PLACEHOLDERS, default_expect: K::DEFAULT_EXPECT }
}

kinds! {
    "http" => Http(kind::http::Http),
    "tcp" => Tcp(kind::tcp::Tcp),
    "port" => Port(kind::port::Port),
    "process" => Process(kind::process::Process),
    "file" => File(kind::file::File),
    "env" => Env(kind::env::Env),
    "disk" => Disk(kind::disk::Disk),
    "memory" => Memory(kind::memory::Memory),
    "dns" => Dns(kind::dns::Dns),
    "log" => Log(kind::log::Log),
    "metrics" => Metrics(kind::metrics::Metrics),
    "command" => Command(kind::command::Command),
    "postgres" => Postgres(kind::postgres::Postgres),
    "mysql" => Mysql(kind::mysql::Mysql),
    "redis" => Redis(kind::redis::Redis),
    "tls" => Tls(kind::tls::Tls),
    "prometheus" => Prometheus(kind::prometheus::Prometheus),
    "graphql" => Graphql(kind::graphql::Graphql),
    "oidc" => Oidc(kind::oidc::Oidc),
    "jwt" => Jwt(kind::jwt::Jwt),
    "websocket" => Websocket(kind::websocket::Websocket),
}

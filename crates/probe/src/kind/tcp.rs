//! `kind: tcp`: can a TCP connection be opened?
//!
//! Connects to `address` and closes the connection at once; nothing is sent. What
//! `nc -z HOST PORT` answers.
//!
//! Fields:
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `address` | `host:port` to connect to | required |
//! | `connect_timeout` | connect timeout | the check's timeout |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[CONNECTED]` | `true` when the connection was accepted |
//! | `[RESPONSE_TIME]` | time to connect, in ms |
//! | `[IP]` | the address connected to |
//!
//! Default expectation: `[CONNECTED] == true`.
//!
//! ```yaml
//! name: postgres accepts connections
//! kind: tcp
//! address: ${HOST}:5432
//! expect:
//!   - "[CONNECTED] == true"
//!   - "[RESPONSE_TIME] < 200"
//! ```

use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::net::TcpStream;
use triage_core::Observation;

use crate::{Context, Kind};

/// Opens a TCP connection to `address` and closes it at once.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tcp {
    /// `host:port` to connect to.
    pub address: String,
    /// Connect timeout. Default: the run's probe timeout.
    #[serde(default, with = "triage_core::duration::option")]
    pub connect_timeout: Option<Duration>,
}

impl Kind for Tcp {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("CONNECTED", "true when the connection was accepted"),
        ("RESPONSE_TIME", "time to connect, in ms"),
        ("IP", "the address connected to"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[CONNECTED] == true"];

    fn target(&self) -> String {
        format!("tcp {}", self.address)
    }

    fn validate(&self) -> Result<(), String> {
        match self.address.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(()),
            _ => Err(format!("address `{}` is not host:port", self.address)),
        }
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let limit = self.connect_timeout.unwrap_or(ctx.timeout);
        let started = Instant::now();
        let mut seen = Observation::default();
        match tokio::time::timeout(limit, TcpStream::connect(&self.address)).await {
            Ok(Ok(stream)) => {
                seen.set("CONNECTED", true).set("RESPONSE_TIME", started.elapsed());
                if let Ok(peer) = stream.peer_addr() {
                    seen.set("IP", peer.ip().to_string());
                }
            }
            Ok(Err(e)) => {
                seen.set("CONNECTED", false);
                seen.error = Some(format!("connect to {}: {e}", self.address));
            }
            Err(_) => {
                seen.set("CONNECTED", false);
                seen.error =
                    Some(format!("connect to {}: timed out after {limit:?}", self.address));
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(address: &str) -> Tcp {
        Tcp { address: address.into(), connect_timeout: Some(Duration::from_secs(2)) }
    }

    #[tokio::test]
    async fn connects_to_a_listener() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let seen = probe(&address).observe(&Context::default()).await;
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert_eq!(seen.get("IP"), Some(&"127.0.0.1".into()));
        assert!(seen.error.is_none());
    }

    #[tokio::test]
    async fn refused_is_a_result() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        drop(listener);
        let seen = probe(&address).observe(&Context::default()).await;
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        assert!(seen.error.as_deref().unwrap().contains("refused"), "{seen:?}");
    }

    #[test]
    fn validates_address() {
        assert!(probe("localhost:5432").validate().is_ok());
        assert!(probe("localhost").validate().is_err());
        assert!(probe(":80").validate().is_err());
    }
}

//! `kind: port`: is a local TCP port free, or who listens on it?
//!
//! Reads the kernel's socket tables (`/proc/net/tcp` and `/proc/net/tcp6`) for sockets
//! in `LISTEN` state on `port`, then finds the processes owning them by matching socket
//! inodes against `/proc/PID/fd`. Nothing is connected to or bound: the port is only
//! looked at. Seeing other users' processes needs root (or `CAP_SYS_PTRACE`); without it
//! the port is still reported in use, with the owner missing and a note saying why.
//!
//! Only lines of the socket tables for `port` in `LISTEN` state are kept, so memory stays
//! small on hosts with many connections.
//!
//! # Fields
//!
//! | field | default | meaning |
//! | --- | --- | --- |
//! | `port` | required | TCP port number |
//! | `address` | any | only count listeners bound to this IP; a listener on the wildcard (`0.0.0.0` or `::`) counts too, since it holds the port on every address |
//!
//! # Placeholders
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[IN_USE]` | `true` when something listens on the port |
//! | `[FREE]` | the opposite of `[IN_USE]` |
//! | `[LISTENERS]` | number of listening sockets on the port |
//! | `[ADDRESS]` | IP the first listener is bound to, e.g. `0.0.0.0`, `127.0.0.1`, `::` |
//! | `[PID]` | process id of the first listener's owner |
//! | `[PROCESS]` | that process's name (`comm`), e.g. `nginx` |
//! | `[COMMAND]` | that process's command line, arguments joined by spaces |
//! | `[PIDS]` | JSON list of every owning process id |
//!
//! There is no default expectation: a guide says whether it wants the port free
//! (`[FREE] == true`) or taken by the right program (`[PROCESS] == postgres`).
//!
//! # Example
//!
//! ```yaml
//! kind: port
//! port: 5432
//! expect:
//!   - "[IN_USE] == true"
//!   - "[PROCESS] == postgres"
//! ```

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};

use procfs::FromBufReadSI;
use procfs::net::{TcpNetEntries, TcpState};
use procfs::process::FDTarget;
use serde::Deserialize;
use triage_core::{Observation, Value};

use crate::{Context, Kind};

/// Looks for listeners on a local TCP port.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    /// TCP port number.
    pub port: u16,
    /// Only listeners bound to this IP (or the wildcard). Default: any address.
    #[serde(default)]
    pub address: Option<String>,
}

/// One listening socket on the port.
#[derive(Debug, Clone, PartialEq)]
struct Listener {
    local: SocketAddr,
    inode: u64,
}

/// A process holding a listening socket.
#[derive(Debug, Clone, PartialEq)]
struct Owner {
    pid: i32,
    comm: String,
    cmdline: String,
}

/// What the scan of `/proc` found.
#[derive(Debug, Default)]
struct Scan {
    listeners: Vec<Listener>,
    /// Owners in the order of `listeners` (a socket shared after `fork` has several).
    owners: Vec<Owner>,
    /// Processes whose fds could not be read (permissions), when owners are missing.
    hidden: usize,
}

impl Port {
    fn address(&self) -> Result<Option<IpAddr>, String> {
        match &self.address {
            None => Ok(None),
            Some(text) => text
                .parse::<IpAddr>()
                .map(Some)
                .map_err(|_| format!("address `{text}` is not an IP address")),
        }
    }
}

impl Kind for Port {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("IN_USE", "true when something listens on the port"),
        ("FREE", "true when nothing listens on the port"),
        ("LISTENERS", "number of listening sockets on the port"),
        ("ADDRESS", "IP the first listener is bound to"),
        ("PID", "process id of the first listener's owner"),
        ("PROCESS", "that process's name (comm)"),
        ("COMMAND", "that process's command line"),
        ("PIDS", "JSON list of every owning process id"),
    ];

    fn target(&self) -> String {
        match &self.address {
            Some(address) => format!("port {address}:{}", self.port),
            None => format!("port {}", self.port),
        }
    }

    fn validate(&self) -> Result<(), String> {
        if self.port == 0 {
            return Err("port 0 is not a port a service can listen on".into());
        }
        self.address().map(|_| ())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let address = match self.address() {
            Ok(address) => address,
            Err(e) => return Observation::failed(e),
        };
        let port = self.port;
        // /proc reads are blocking; the scan is bounded by the number of processes.
        let scan = tokio::task::spawn_blocking(move || scan(port, address));
        let scan = match tokio::time::timeout(ctx.timeout, scan).await {
            Ok(Ok(Ok(scan))) => scan,
            Ok(Ok(Err(e))) => return Observation::failed(e),
            Ok(Err(e)) => return Observation::failed(format!("port {port}: scan stopped: {e}")),
            Err(_) => {
                return Observation::failed(format!(
                    "port {port}: scanning /proc took longer than {:?}",
                    ctx.timeout
                ));
            }
        };
        let mut seen = Observation::default();
        let in_use = !scan.listeners.is_empty();
        seen.set("IN_USE", in_use)
            .set("FREE", !in_use)
            .set("LISTENERS", scan.listeners.len() as u64)
            .set("PIDS", Value::Json(scan.owners.iter().map(|o| o.pid).collect()));
        if let Some(first) = scan.listeners.first() {
            seen.set("ADDRESS", first.local.ip().to_string());
        }
        if let Some(owner) = scan.owners.first() {
            seen.set("PID", i64::from(owner.pid))
                .set("PROCESS", owner.comm.as_str())
                .set("COMMAND", owner.cmdline.as_str());
            seen.note(format!("port {port} held by pid {} ({})", owner.pid, owner.comm));
        } else if in_use {
            seen.note(format!(
                "port {port} is in use but its owner is not visible ({} processes could not be \
                 inspected; run as root to see them)",
                scan.hidden
            ));
        }
        seen
    }
}

fn scan(port: u16, address: Option<IpAddr>) -> Result<Scan, String> {
    let mut listeners = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        match listening(table, port) {
            Ok(found) => listeners.extend(found),
            // A kernel without IPv6 has no tcp6 table.
            Err(_) if table.ends_with('6') => {}
            Err(e) => return Err(e),
        }
    }
    listeners.retain(|l| address.is_none_or(|want| binds(l.local.ip(), want)));
    let (owners, hidden) = owners(&listeners);
    Ok(Scan { listeners, owners, hidden })
}

/// Whether a socket bound to `bound` holds the port for `want`.
fn binds(bound: IpAddr, want: IpAddr) -> bool {
    let bound = canonical(bound);
    bound == canonical(want) || bound.is_unspecified()
}

/// IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) compare as the IPv4 they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The LISTEN sockets on `port` in one socket table.
fn listening(table: &str, port: u16) -> Result<Vec<Listener>, String> {
    let file = std::fs::File::open(table).map_err(|e| format!("reading {table}: {e}"))?;
    // Keep the header and the lines for our port in LISTEN state (`0A`) before parsing:
    // the table can hold hundreds of thousands of connections.
    let wanted_port = format!(":{port:04X}");
    let mut kept = String::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("reading {table}: {e}"))?;
        let mut fields = line.split_whitespace();
        let local = fields.nth(1).unwrap_or("");
        let state = fields.nth(1).unwrap_or("");
        if index == 0 || (state == "0A" && local.ends_with(&wanted_port)) {
            kept.push_str(&line);
            kept.push('\n');
        }
    }
    let entries = TcpNetEntries::from_buf_read(kept.as_bytes(), procfs::current_system_info())
        .map_err(|e| format!("parsing {table}: {e}"))?;
    Ok(entries
        .0
        .into_iter()
        .filter(|e| e.state == TcpState::Listen && e.local_address.port() == port)
        .map(|e| Listener { local: e.local_address, inode: e.inode })
        .collect())
}

/// Processes holding the listeners' sockets, and how many processes could not be read.
fn owners(listeners: &[Listener]) -> (Vec<Owner>, usize) {
    if listeners.is_empty() {
        return (Vec::new(), 0);
    }
    let inodes: BTreeSet<u64> = listeners.iter().map(|l| l.inode).collect();
    let mut found: Vec<(u64, Owner)> = Vec::new();
    let mut hidden = 0;
    let Ok(processes) = procfs::process::all_processes() else { return (Vec::new(), 0) };
    for process in processes.flatten() {
        let Ok(fds) = process.fd() else {
            hidden += 1;
            continue;
        };
        let held: Vec<u64> = fds
            .flatten()
            .filter_map(|fd| match fd.target {
                FDTarget::Socket(inode) if inodes.contains(&inode) => Some(inode),
                _ => None,
            })
            .collect();
        if let Some(&inode) = held.first() {
            let comm = process.stat().map(|s| s.comm).unwrap_or_default();
            let cmdline = process.cmdline().map(|args| args.join(" ")).unwrap_or_default();
            found.push((inode, Owner { pid: process.pid, comm, cmdline }));
        }
    }
    // Order owners as their sockets appear in the tables, then by pid.
    let rank = |inode: u64| listeners.iter().position(|l| l.inode == inode);
    found.sort_by_key(|(inode, owner)| (rank(*inode), owner.pid));
    let owners: Vec<Owner> = found.into_iter().map(|(_, owner)| owner).collect();
    (owners, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(port: u16, address: Option<&str>) -> Port {
        Port { port, address: address.map(str::to_owned) }
    }

    fn own_comm() -> String {
        std::fs::read_to_string("/proc/self/comm").unwrap().trim_end().to_owned()
    }

    #[tokio::test]
    async fn a_listener_of_ours_is_found_with_its_owner() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = probe(port, None).observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("IN_USE"), Some(&true.into()));
        assert_eq!(seen.get("FREE"), Some(&false.into()));
        assert_eq!(seen.get("LISTENERS"), Some(&Value::Int(1)));
        assert_eq!(seen.get("ADDRESS"), Some(&"127.0.0.1".into()));
        assert_eq!(seen.get("PID"), Some(&Value::Int(i64::from(std::process::id()))));
        assert_eq!(seen.get("PROCESS"), Some(&own_comm().into()));
        let command = seen.get("COMMAND").unwrap().to_string();
        let exe = std::env::args().next().unwrap();
        assert!(command.starts_with(&exe), "{command} vs {exe}");
        assert_eq!(seen.get("PIDS"), Some(&Value::Json(serde_json::json!([std::process::id()]))));

        // The address filter: our socket holds 127.0.0.1, not 127.0.0.2.
        let seen = probe(port, Some("127.0.0.1")).observe(&Context::default()).await;
        assert_eq!(seen.get("IN_USE"), Some(&true.into()));
        let seen = probe(port, Some("127.0.0.2")).observe(&Context::default()).await;
        assert_eq!(seen.get("FREE"), Some(&true.into()));
        drop(listener);
    }

    #[tokio::test]
    async fn an_ipv6_wildcard_listener_counts_for_every_address() {
        let Ok(listener) = std::net::TcpListener::bind("[::]:0") else { return };
        let port = listener.local_addr().unwrap().port();
        let seen = probe(port, Some("127.0.0.1")).observe(&Context::default()).await;
        assert_eq!(seen.get("IN_USE"), Some(&true.into()), "{seen:?}");
        assert_eq!(seen.get("ADDRESS"), Some(&"::".into()));
    }

    #[tokio::test]
    async fn a_released_port_is_free() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let seen = probe(port, None).observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("FREE"), Some(&true.into()));
        assert_eq!(seen.get("IN_USE"), Some(&false.into()));
        assert_eq!(seen.get("LISTENERS"), Some(&Value::Int(0)));
        assert!(seen.get("PID").is_none());
    }

    #[test]
    fn wildcard_and_mapped_addresses() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(binds(ip("0.0.0.0"), ip("10.1.2.3")));
        assert!(binds(ip("::"), ip("127.0.0.1")));
        assert!(binds(ip("::ffff:127.0.0.1"), ip("127.0.0.1")));
        assert!(!binds(ip("127.0.0.1"), ip("127.0.0.2")));
    }

    #[test]
    fn yaml_form_and_validation() {
        let probe: crate::Probe =
            serde_yaml_ng::from_str("kind: port\nport: 5432\naddress: 127.0.0.1\n").unwrap();
        let crate::Probe::Port(port) = probe else { panic!("not port") };
        assert_eq!(port.target(), "port 127.0.0.1:5432");
        assert!(port.validate().is_ok());
        let error = serde_yaml_ng::from_str::<crate::Probe>("kind: port\nport: 80\nhost: x\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `host`"), "{error}");
        assert!(Port { port: 0, address: None }.validate().is_err());
        let bad = Port { port: 80, address: Some("localhost".into()) };
        assert!(bad.validate().unwrap_err().contains("address `localhost`"));
        assert!(Port::DEFAULT_EXPECT.is_empty());
    }
}

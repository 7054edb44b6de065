//! `kind: dns`: what does a name resolve to?
//!
//! Resolves `host` natively (hickory-resolver, no shelling out to `dig`), either through
//! the system configuration (`/etc/resolv.conf`, with `/etc/hosts` consulted first, as
//! `getaddrinfo` does) or by asking one `server` directly (hosts file not consulted).
//! An answer with no records, an `NXDOMAIN` or a `SERVFAIL` is a result, bound in
//! `[DNS_RCODE]`; only a server that cannot be reached sets the observation's error.
//!
//! # Fields
//!
//! | field | default | meaning |
//! | --- | --- | --- |
//! | `host` | required | name to resolve; for `PTR`, an IP address is turned into its `arpa` name |
//! | `record` | `A` | record type: `A`, `AAAA`, `CNAME`, `MX`, `TXT`, `NS`, `SRV`, `PTR` (any case) |
//! | `server` | system config | `ip:port` (or a bare `ip`, port 53) of the one server to ask, over UDP then TCP |
//!
//! The lookup is bounded by the run's probe timeout and is tried once (the check's
//! `retries` decides about more).
//!
//! # Placeholders
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[DNS_RCODE]` | response code as Gatus names it: `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`... |
//! | `[IP]` | first address of an `A`/`AAAA` answer |
//! | `[BODY]` | first answer as text (Gatus' DNS `[BODY]`) |
//! | `[ADDRESSES]` | every answer of the asked type, as a JSON list of text (`MX`: `10 mail.example.com`; `SRV`: `priority weight port target`) |
//! | `[COUNT]` | number of answers of the asked type |
//! | `[RESPONSE_TIME]` | time the lookup took, in ms |
//! | `[CONNECTED]` | `true` when a server (or the hosts file) answered, whatever the answer |
//!
//! Without `expect:`, a check passes when `[DNS_RCODE] == NOERROR` and `[COUNT] > 0`.
//!
//! # Example
//!
//! ```yaml
//! kind: dns
//! host: db.internal.example.com
//! record: A
//! server: 10.0.0.2:53
//! expect:
//!   - "[DNS_RCODE] == NOERROR"
//!   - "[IP] == 10.0.4.17"
//! ```

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_resolver::Resolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use serde::Deserialize;
use triage_core::{Observation, Value};

use crate::{Context, Kind};

/// Resolves `host` for one record type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    /// Name to resolve (an IP address for `PTR`).
    #[serde(rename = "host")]
    pub name: String,
    /// Record type. Default: `A`.
    #[serde(default = "default_record")]
    pub record: String,
    /// `ip:port` or `ip` of the one server to ask. Default: the system configuration.
    #[serde(default)]
    pub server: Option<String>,
}

fn default_record() -> String {
    "A".into()
}

/// The record types a guide may ask for.
const RECORDS: &[(&str, RecordType)] = &[
    ("A", RecordType::A),
    ("AAAA", RecordType::AAAA),
    ("CNAME", RecordType::CNAME),
    ("MX", RecordType::MX),
    ("TXT", RecordType::TXT),
    ("NS", RecordType::NS),
    ("SRV", RecordType::SRV),
    ("PTR", RecordType::PTR),
];

impl Dns {
    fn record_type(&self) -> Result<RecordType, String> {
        RECORDS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&self.record))
            .map(|(_, kind)| *kind)
            .ok_or_else(|| {
                let known: Vec<_> = RECORDS.iter().map(|(name, _)| *name).collect();
                format!("record `{}` is not one of {}", self.record, known.join(", "))
            })
    }

    fn server(&self) -> Result<Option<SocketAddr>, String> {
        let Some(text) = self.server.as_deref() else { return Ok(None) };
        if let Ok(address) = text.parse::<SocketAddr>() {
            return Ok(Some(address));
        }
        match text.parse::<IpAddr>() {
            Ok(ip) => Ok(Some(SocketAddr::new(ip, 53))),
            Err(_) => Err(format!("server `{text}` is not ip:port or ip")),
        }
    }

    fn query_name(&self, record: RecordType) -> Result<Name, String> {
        if record == RecordType::PTR
            && let Ok(ip) = self.name.parse::<IpAddr>()
        {
            return Ok(Name::from(ip));
        }
        Name::from_utf8(&self.name)
            .map_err(|e| format!("name `{}` is not a DNS name: {e}", self.name))
    }

    fn resolver(
        &self,
        server: Option<SocketAddr>,
        timeout: Duration,
    ) -> Result<Resolver<TokioRuntimeProvider>, String> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match server {
            Some(address) => {
                let mut udp = ConnectionConfig::udp();
                udp.port = address.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = address.port();
                let server = NameServerConfig::new(address.ip(), true, vec![udp, tcp]);
                let config = ResolverConfig::from_parts(None, vec![], vec![server]);
                let mut builder = Resolver::builder_with_config(config, provider);
                builder.options_mut().use_hosts_file = ResolveHosts::Never;
                builder
            }
            None => Resolver::builder(provider)
                .map_err(|e| format!("reading the system resolver configuration: {e}"))?,
        };
        let options: &mut ResolverOpts = builder.options_mut();
        options.timeout = timeout;
        options.attempts = 1;
        builder.build().map_err(|e| format!("dns resolver: {e}"))
    }

    fn via(&self) -> String {
        match &self.server {
            Some(server) => format!(" via {server}"),
            None => String::new(),
        }
    }
}

impl Kind for Dns {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("DNS_RCODE", "response code: NOERROR, NXDOMAIN, SERVFAIL, REFUSED..."),
        ("IP", "first address of an A/AAAA answer"),
        ("BODY", "first answer as text"),
        ("ADDRESSES", "every answer of the asked type, as a JSON list of text"),
        ("COUNT", "number of answers of the asked type"),
        ("RESPONSE_TIME", "time the lookup took, in ms"),
        ("CONNECTED", "true when a server or the hosts file answered"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[DNS_RCODE] == NOERROR", "[COUNT] > 0"];

    fn target(&self) -> String {
        format!("dns {} {}{}", self.record.to_ascii_uppercase(), self.name, self.via())
    }

    fn validate(&self) -> Result<(), String> {
        let record = self.record_type()?;
        self.server()?;
        self.query_name(record)?;
        Ok(())
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let prepared = self.record_type().and_then(|record| {
            let name = self.query_name(record)?;
            let resolver = self.resolver(self.server()?, ctx.timeout)?;
            Ok((record, name, resolver))
        });
        let (record, name, resolver) = match prepared {
            Ok(prepared) => prepared,
            Err(e) => return Observation::failed(e),
        };
        let what = format!("dns {record} {}{}", self.name, self.via());
        let mut seen = Observation::default();
        let started = Instant::now();
        let answer = tokio::time::timeout(ctx.timeout, resolver.lookup(name, record)).await;
        seen.set("RESPONSE_TIME", started.elapsed());
        let values = match answer {
            Ok(Ok(lookup)) => {
                seen.set("DNS_RCODE", rcode(lookup.message().metadata.response_code));
                let values: Vec<String> = lookup
                    .answers()
                    .iter()
                    .filter(|answer| answer.record_type() == record)
                    .map(|answer| rdata_text(&answer.data))
                    .collect();
                if let Some(ip) = lookup.answers().iter().find_map(|answer| match &answer.data {
                    RData::A(a) if record == RecordType::A => Some(a.0.to_string()),
                    RData::AAAA(a) if record == RecordType::AAAA => Some(a.0.to_string()),
                    _ => None,
                }) {
                    seen.set("IP", ip);
                }
                values
            }
            Ok(Err(NetError::Dns(DnsError::NoRecordsFound(none)))) => {
                seen.set("DNS_RCODE", rcode(none.response_code));
                seen.note(format!("{what}: no records ({})", rcode(none.response_code)));
                Vec::new()
            }
            Ok(Err(NetError::Dns(DnsError::ResponseCode(code)))) => {
                seen.set("DNS_RCODE", rcode(code));
                seen.note(format!("{what}: server answered {}", rcode(code)));
                Vec::new()
            }
            Ok(Err(NetError::Timeout)) | Err(_) => {
                seen.set("CONNECTED", false);
                seen.error = Some(format!("{what}: timed out after {:?}", ctx.timeout));
                return seen;
            }
            Ok(Err(e)) => {
                seen.set("CONNECTED", false);
                seen.error = Some(format!("{what}: {}", e.to_string().to_lowercase()));
                return seen;
            }
        };
        seen.set("CONNECTED", true).set("COUNT", values.len() as u64);
        if let Some(first) = values.first() {
            seen.set("BODY", first.as_str());
        }
        seen.set("ADDRESSES", Value::Json(values.into()));
        seen
    }
}

/// Response codes by the names Gatus (and `dig`) use.
fn rcode(code: ResponseCode) -> String {
    match u16::from(code) {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        6 => "YXDOMAIN".into(),
        7 => "YXRRSET".into(),
        8 => "NXRRSET".into(),
        9 => "NOTAUTH".into(),
        10 => "NOTZONE".into(),
        other => format!("RCODE{other}"),
    }
}

/// One answer as a guide would write it: names without the root dot.
fn rdata_text(data: &RData) -> String {
    let name = |n: &Name| n.to_string().trim_end_matches('.').to_owned();
    match data {
        RData::A(a) => a.0.to_string(),
        RData::AAAA(a) => a.0.to_string(),
        RData::CNAME(n) => name(&n.0),
        RData::NS(n) => name(&n.0),
        RData::PTR(n) => name(&n.0),
        RData::MX(mx) => format!("{} {}", mx.preference, name(&mx.exchange)),
        RData::SRV(srv) => {
            format!("{} {} {} {}", srv.priority, srv.weight, srv.port, name(&srv.target))
        }
        RData::TXT(txt) => txt.txt_data.iter().map(|part| String::from_utf8_lossy(part)).collect(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use hickory_resolver::proto::op::{Message, MessageType};
    use hickory_resolver::proto::rr::Record;
    use hickory_resolver::proto::rr::rdata::{A, AAAA, MX, TXT};
    use tokio::net::UdpSocket;

    use super::*;

    /// A tiny authoritative server on 127.0.0.1:0 (UDP) for the zone `test.`.
    async fn serve() -> SocketAddr {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let address = socket.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
                let Ok(query) = Message::from_vec(&buf[..n]) else { continue };
                let answer = answer(&query);
                let _ = socket.send_to(&answer.to_vec().unwrap(), peer).await;
            }
        });
        address
    }

    fn answer(query: &Message) -> Message {
        let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
        reply.metadata.message_type = MessageType::Response;
        reply.metadata.recursion_desired = query.metadata.recursion_desired;
        reply.metadata.recursion_available = true;
        reply.metadata.authoritative = true;
        reply.queries = query.queries.clone();
        let Some(question) = query.queries.first() else { return reply };
        let name = question.name().clone();
        let record = |data: RData| Record::from_rdata(name.clone(), 60, data);
        match (name.to_string().as_str(), question.query_type()) {
            ("app.test.", RecordType::A) => {
                reply.add_answer(record(RData::A(A(Ipv4Addr::new(127, 0, 0, 7)))));
                reply.add_answer(record(RData::A(A(Ipv4Addr::new(127, 0, 0, 8)))));
            }
            ("app.test.", RecordType::AAAA) => {
                reply.add_answer(record(RData::AAAA(AAAA(Ipv6Addr::LOCALHOST))));
            }
            ("app.test.", RecordType::MX) => {
                let exchange = Name::from_utf8("mail.test.").unwrap();
                reply.add_answer(record(RData::MX(MX::new(10, exchange))));
            }
            ("app.test.", RecordType::TXT) => {
                reply.add_answer(record(RData::TXT(TXT::new(vec!["v=spf1 -all".into()]))));
            }
            ("broken.test.", _) => reply.metadata.response_code = ResponseCode::ServFail,
            _ => reply.metadata.response_code = ResponseCode::NXDomain,
        }
        reply
    }

    fn probe(name: &str, record: &str, server: SocketAddr) -> Dns {
        Dns { name: name.into(), record: record.into(), server: Some(server.to_string()) }
    }

    #[tokio::test]
    async fn a_answer_from_a_given_server() {
        let server = serve().await;
        let seen = probe("app.test.", "A", server).observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("DNS_RCODE"), Some(&"NOERROR".into()));
        assert_eq!(seen.get("IP"), Some(&"127.0.0.7".into()));
        assert_eq!(seen.get("BODY"), Some(&"127.0.0.7".into()));
        assert_eq!(seen.get("COUNT"), Some(&Value::Int(2)));
        assert_eq!(
            seen.get("ADDRESSES"),
            Some(&Value::Json(serde_json::json!(["127.0.0.7", "127.0.0.8"])))
        );
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert!(matches!(seen.get("RESPONSE_TIME"), Some(Value::Duration(_))));
    }

    #[tokio::test]
    async fn other_record_types() {
        let server = serve().await;
        let ctx = Context::default();
        let seen = probe("app.test.", "aaaa", server).observe(&ctx).await;
        assert_eq!(seen.get("IP"), Some(&"::1".into()), "{seen:?}");
        let seen = probe("app.test.", "MX", server).observe(&ctx).await;
        assert_eq!(seen.get("BODY"), Some(&"10 mail.test".into()), "{seen:?}");
        assert!(seen.get("IP").is_none());
        let seen = probe("app.test.", "TXT", server).observe(&ctx).await;
        assert_eq!(seen.get("BODY"), Some(&"v=spf1 -all".into()), "{seen:?}");
    }

    #[tokio::test]
    async fn nxdomain_and_servfail_are_results() {
        let server = serve().await;
        let seen = probe("missing.test.", "A", server).observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("DNS_RCODE"), Some(&"NXDOMAIN".into()));
        assert_eq!(seen.get("COUNT"), Some(&Value::Int(0)));
        assert_eq!(seen.get("CONNECTED"), Some(&true.into()));
        assert!(seen.get("IP").is_none());
        let seen = probe("broken.test.", "A", server).observe(&Context::default()).await;
        assert_eq!(seen.get("DNS_RCODE"), Some(&"SERVFAIL".into()), "{seen:?}");
    }

    #[tokio::test]
    async fn silent_server_times_out() {
        // Bound but never read: the query is never answered.
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = socket.local_addr().unwrap();
        let ctx = Context { timeout: Duration::from_millis(300), ..Context::default() };
        let started = Instant::now();
        let seen = probe("app.test.", "A", server).observe(&ctx).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(seen.get("CONNECTED"), Some(&false.into()));
        let error = seen.error.unwrap();
        assert!(error.starts_with(&format!("dns A app.test. via {server}: ")), "{error}");
        drop(socket);
    }

    #[tokio::test]
    async fn localhost_resolves_without_the_network() {
        // hickory answers `localhost` itself (RFC 6761) or from /etc/hosts.
        let dns = Dns { name: "localhost".into(), record: "A".into(), server: None };
        let seen = dns.observe(&Context::default()).await;
        assert_eq!(seen.get("IP"), Some(&"127.0.0.1".into()), "{seen:?}");
    }

    #[test]
    fn ptr_of_an_address_uses_its_arpa_name() {
        let dns = Dns { name: "127.0.0.9".into(), record: "PTR".into(), server: None };
        let name = dns.query_name(RecordType::PTR).unwrap();
        assert_eq!(name.to_string(), "9.0.0.127.in-addr.arpa.");
    }

    #[test]
    fn yaml_form_and_validation() {
        let probe: crate::Probe =
            serde_yaml_ng::from_str("kind: dns\nhost: example.test\nserver: 127.0.0.1:5353\n")
                .unwrap();
        let crate::Probe::Dns(dns) = probe else { panic!("not dns") };
        assert_eq!(dns.record, "A");
        assert!(dns.validate().is_ok());
        assert_eq!(dns.target(), "dns A example.test via 127.0.0.1:5353");
        let error = serde_yaml_ng::from_str::<crate::Probe>("kind: dns\nhost: x\ntype: A\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `type`"), "{error}");

        let bad = Dns { name: "x".into(), record: "SOA".into(), server: None };
        assert!(bad.validate().unwrap_err().contains("record `SOA` is not one of A, AAAA"));
        let bad = Dns { name: "x".into(), record: "A".into(), server: Some("dns:53".into()) };
        assert!(bad.validate().unwrap_err().contains("server `dns:53`"));
        let bare = Dns { name: "x".into(), record: "a".into(), server: Some("127.0.0.1".into()) };
        assert_eq!(bare.server(), Ok(Some("127.0.0.1:53".parse().unwrap())));
    }
}

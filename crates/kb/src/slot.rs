//! Typed placeholders: the variable parts of an error message.
//!
//! `listen tcp :8090` and `listen tcp :8080` are the same error; so are two messages that
//! differ only in a host, a UUID or a timestamp. Generalising both the guide's signature and
//! the pasted input to the same placeholders is what lets them match.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of a variable part of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Slot {
    /// A number or a dotted version (`42`, `1.5.0`).
    Number,
    /// A port after a colon (`:8080`).
    Port,
    /// An IPv4 address.
    Ip,
    /// A host name with a known top-level or internal suffix, or `localhost`.
    Host,
    /// A UUID or a ULID.
    Uuid,
    /// A hex id or hash (`0x39`, `e103a81b`), or an id mixing letters and digits.
    Hex,
    /// A file path (`/var/lib/x.db`, `./gradlew`, `C:\x`).
    Path,
    /// A URL.
    Url,
    /// An e-mail address.
    Email,
    /// A quoted single word (`"strategyVersion"`): a value, not part of the message.
    Quoted,
    /// A date, a time of day or a timestamp.
    Time,
    /// A duration (`4000ms`, `2h0m0s`).
    Duration,
    /// A size (`512Mi`, `40 GB`).
    Size,
    /// An author's placeholder in a guide (`<port>`, `xxxxxx`, `<…>`): matches anything.
    Any,
}

impl Slot {
    /// The placeholder as shown in templates: `<port>`.
    pub fn name(self) -> &'static str {
        match self {
            Slot::Number => "<num>",
            Slot::Port => "<port>",
            Slot::Ip => "<ip>",
            Slot::Host => "<host>",
            Slot::Uuid => "<uuid>",
            Slot::Hex => "<hex>",
            Slot::Path => "<path>",
            Slot::Url => "<url>",
            Slot::Email => "<email>",
            Slot::Quoted => "<quoted>",
            Slot::Time => "<time>",
            Slot::Duration => "<duration>",
            Slot::Size => "<size>",
            Slot::Any => "<*>",
        }
    }

    /// Whether a placeholder of kind `self` in a signature accepts `other` in an input.
    ///
    /// Ids are loose by nature (a guide's `<num>` is an input's hex id, a guide's host is
    /// an input's IP), so kinds fall into families that accept each other.
    pub fn accepts(self, other: Slot) -> bool {
        self == Slot::Any || other == Slot::Any || self.family() == other.family()
    }

    fn family(self) -> u8 {
        match self {
            Slot::Number | Slot::Port | Slot::Hex | Slot::Uuid | Slot::Size => 0,
            Slot::Ip | Slot::Host | Slot::Url | Slot::Email => 1,
            Slot::Path => 2,
            Slot::Quoted => 3,
            Slot::Time | Slot::Duration => 4,
            Slot::Any => 5,
        }
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_accept_each_other_and_any_accepts_all() {
        assert!(Slot::Port.accepts(Slot::Number));
        assert!(Slot::Host.accepts(Slot::Ip));
        assert!(!Slot::Path.accepts(Slot::Number));
        assert!(Slot::Any.accepts(Slot::Path));
        assert!(Slot::Time.accepts(Slot::Any));
        assert_eq!(Slot::Port.to_string(), "<port>");
    }
}

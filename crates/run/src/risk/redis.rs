//! `redis-cli` and the commands it sends.

use super::{Judge, Risk};

/// Commands that only read.
const READS: &[&str] = &[
    "GET", "MGET", "GETRANGE", "STRLEN", "EXISTS", "TTL", "PTTL", "TYPE", "KEYS", "SCAN", "HGET",
    "HMGET", "HGETALL", "HKEYS", "HVALS", "HLEN", "HEXISTS", "HSCAN", "LRANGE", "LLEN", "LINDEX",
    "SMEMBERS", "SCARD", "SISMEMBER", "SSCAN", "SRANDMEMBER", "ZRANGE", "ZREVRANGE",
    "ZRANGEBYSCORE", "ZCARD", "ZSCORE", "ZRANK", "ZCOUNT", "ZSCAN", "XLEN", "XRANGE", "XREVRANGE",
    "XINFO", "XPENDING", "XREAD", "INFO", "PING", "ECHO", "DBSIZE", "TIME", "LASTSAVE", "ROLE",
    "MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "PUBSUB", "OBJECT", "DUMP", "RANDOMKEY", "COMMAND",
    "LATENCY", "MEMORY", "SLOWLOG", "CLIENT", "CONFIG", "CLUSTER", "SENTINEL", "ACL", "MODULE",
    "FUNCTION", "SCRIPT", "BITCOUNT", "GETBIT", "PFCOUNT", "GEOPOS", "GEODIST", "GEOSEARCH",
    "LPOS", "ZRANDMEMBER", "HRANDFIELD", "SINTER", "SUNION", "SDIFF", "ZINTER", "ZUNION", "LOLWUT",
    "WAIT", "SELECT", "AUTH", "HELLO", "QUIT", "READONLY", "TOUCH",
];

/// Subcommands of the read commands above that change the server.
const WRITING_SUBCOMMANDS: &[&str] = &[
    "SET", "RESETSTAT", "REWRITE", "KILL", "RESET", "PAUSE", "UNPAUSE", "SETNAME", "NO-EVICT",
    "FAILOVER", "FORGET", "MEET", "ADDSLOTS", "DELSLOTS", "FLUSHSLOTS", "REPLICATE", "SETSLOT",
    "SETUSER", "DELUSER", "LOAD", "UNLOAD", "FLUSH", "DELETE", "RESTORE", "PURGE", "SAVE",
    "REMOVE", "TRACKING",
];

/// Commands that lose data.
const DESTROYS: &[&str] =
    &["FLUSHALL", "FLUSHDB", "SHUTDOWN", "SWAPDB", "DEBUG", "REPLICAOF", "SLAVEOF", "RESTORE"];

/// Judges a `redis-cli` invocation: its command words, or the commands fed to it.
pub(super) fn judge(j: &mut Judge, args: &[&str], fed: Option<&str>) {
    let takes = [
        "-h", "-p", "-a", "-n", "-u", "-s", "--user", "--pass", "-r", "-i", "--tls", "--cacert",
        "--cert", "--key", "-c", "--pattern", "--count", "-d", "--rdb", "--memkeys-samples",
    ];
    let mut k = 0;
    let mut words: Vec<&str> = Vec::new();
    let mut scan = false;
    while k < args.len() {
        let a = args[k];
        if takes.contains(&a) && a != "-c" && a != "--tls" {
            k += 2;
            continue;
        }
        if matches!(
            a,
            "--scan"
                | "--bigkeys"
                | "--memkeys"
                | "--hotkeys"
                | "--stat"
                | "--latency"
                | "--latency-history"
                | "--latency-dist"
                | "--intrinsic-latency"
                | "--version"
                | "-v"
        ) {
            scan = true;
        }
        if a == "--rdb" || a == "--functions-rdb" {
            return j.part(Risk::Changes, "redis-cli --rdb writes a dump file");
        }
        if !a.starts_with('-') {
            words = args[k..].to_vec();
            break;
        }
        k += 1;
    }
    if words.is_empty() {
        if let Some(text) = fed {
            let mut any = false;
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                any = true;
                let w: Vec<&str> = line.split_whitespace().collect();
                command(j, &w, true);
            }
            if any {
                return;
            }
        }
        if scan {
            return j.part(Risk::ReadOnly, "redis-cli --scan or --stat reads");
        }
        return j.part(Risk::Changes, "redis-cli: an interactive session");
    }
    command(j, &words, fed.is_some());
}

/// Judges one Redis command; `repeated` when it runs for each line fed (bulk).
fn command(j: &mut Judge, words: &[&str], repeated: bool) {
    let name = words[0].to_ascii_uppercase();
    let sub = words.get(1).map(|s| s.to_ascii_uppercase()).unwrap_or_default();
    if DESTROYS.contains(&name.as_str()) {
        if matches!(name.as_str(), "REPLICAOF" | "SLAVEOF") && sub == "NO" {
            return j.part(Risk::Changes, format!("{name} NO ONE promotes a replica"));
        }
        if name == "DEBUG"
            && !matches!(
                sub.as_str(),
                "SLEEP" | "SEGFAULT" | "RESTART" | "CRASH-AND-RECOVER" | "FLUSHALL" | "RELOAD"
            )
        {
            return j.part(Risk::ReadOnly, "DEBUG prints");
        }
        return j.part(Risk::Destructive, format!("{name} loses data"));
    }
    if READS.contains(&name.as_str()) {
        if WRITING_SUBCOMMANDS.contains(&sub.as_str()) {
            return j.part(Risk::Changes, format!("{name} {sub} changes the server"));
        }
        if name == "KEYS" || name == "MONITOR" {
            j.note(format!("{name} is heavy on a busy server"));
        }
        if name == "CONFIG" && sub == "GET" && words.get(2).is_some_and(|p| p.contains("pass")) {
            j.note("prints secrets");
        }
        return j.part(Risk::ReadOnly, format!("{name} reads"));
    }
    if matches!(
        name.as_str(),
        "DEL"
            | "UNLINK"
            | "HDEL"
            | "SREM"
            | "ZREM"
            | "LREM"
            | "XDEL"
            | "XTRIM"
            | "LTRIM"
            | "ZREMRANGEBYSCORE"
            | "ZREMRANGEBYRANK"
            | "GETDEL"
            | "EXPIRE"
            | "PEXPIRE"
            | "EXPIREAT"
            | "PEXPIREAT"
            | "RENAME"
            | "MIGRATE"
            | "MOVE"
            | "EVAL"
            | "EVALSHA"
            | "FCALL"
    ) && (repeated
        || words.len() > 2
        || words.iter().any(|w| w.contains('*'))
        || matches!(name.as_str(), "EVAL" | "EVALSHA" | "FCALL"))
    {
        if matches!(
            name.as_str(),
            "EXPIRE" | "PEXPIRE" | "EXPIREAT" | "PEXPIREAT" | "RENAME" | "MOVE"
        ) {
            return j.part(Risk::Changes, format!("{name} changes keys"));
        }
        if matches!(name.as_str(), "EVAL" | "EVALSHA" | "FCALL") {
            let script = words.get(1).map(|s| s.to_ascii_uppercase()).unwrap_or_default();
            if script.contains("'DEL'")
                || script.contains("\"DEL\"")
                || script.contains("UNLINK")
                || script.contains("FLUSH")
            {
                return j.part(Risk::Destructive, format!("{name} script deletes keys"));
            }
            return j.part(Risk::Changes, format!("{name} runs a script"));
        }
        return j.part(Risk::Destructive, format!("{name} deletes keys in bulk"));
    }
    if matches!(
        name.as_str(),
        "DEL" | "UNLINK" | "HDEL" | "SREM" | "ZREM" | "LREM" | "XDEL" | "GETDEL"
    ) {
        return j.part(Risk::Destructive, format!("{name} deletes a key"));
    }
    j.part(Risk::Changes, format!("{name} writes"))
}

#!/usr/bin/env python3
"""Generates the scan benchmark's inputs under OUT (never in the repository).

  genlog.py OUT [--size BYTES] [--kbs 10,64,100,1000,10000]

OUT/app.log        a realistic log of about BYTES bytes: many formats (RFC 3339 app logs,
                   syslog, klog, Apache access, log4j, JSON lines), about 0.1 % error lines,
                   half of them instances of known signatures, half unknown errors.
OUT/kb-N/guide.md  a guide with N symptom sections, one `error` block each.
OUT/lit-N.txt      the same N signatures as literals (their longest literal part), for
                   `rg -F -f` and `grep -F -f`.
OUT/re-N.txt       the same N signatures as regexes, for `rg -f`.
"""
import argparse
import os
import random
import re

SERVICES = ["metald", "billaged", "callfs", "costwatch", "volaticloud", "novacron", "gateway", "scheduler",
            "ingestor", "notifier", "auth-proxy", "raft-node", "blob-store", "search-api", "ledger", "tsdb",
            "webhooks", "mailer", "vm-agent", "dns-sync"]
ACTIONS = ["attach volume", "open session", "flush batch", "renew lease", "commit offset", "sync replica",
           "load config", "rotate key", "resolve host", "publish event", "acquire lock", "write snapshot",
           "read manifest", "bind listener", "drain queue", "refresh token", "compact segment", "mount share",
           "verify checksum", "apply migration", "reserve quota", "spawn worker", "close stream",
           "register node", "fetch schema"]
REASONS = ["device busy", "permission denied", "connection reset by peer", "no space left on device",
           "deadline exceeded", "quota exhausted", "invalid argument", "resource temporarily unavailable",
           "too many open files", "broken pipe", "certificate has expired", "lock held by another owner",
           "version mismatch", "checksum mismatch", "unexpected end of stream", "record not found",
           "read-only file system", "host unreachable", "protocol error", "operation canceled"]
SHAPES = ["{s}: failed to {a} on <ip>:<port>: {r}",
          "{s} could not {a} (attempt <num>): {r}",
          "{s}: {a} aborted after <num>ms: {r}",
          "error in {s} while trying to {a}: {r}"]


def signatures(n, rng):
    combos = [(s, a, r) for s in SERVICES for a in ACTIONS for r in REASONS]
    rng.shuffle(combos)
    out = []
    for i, (s, a, r) in enumerate(combos[:n]):
        out.append(SHAPES[i % len(SHAPES)].format(s=s, a=a, r=r))
    return out


def instance(sig, rng):
    return (sig.replace("<ip>", f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}")
            .replace("<port>", str(rng.randrange(1024, 65535)))
            .replace("<num>", str(rng.randrange(1, 5000))))


def literal(sig):
    return max(re.split(r"<[a-z*]+>", sig), key=len).strip()


def regex(sig):
    parts = re.split(r"(<[a-z*]+>)", sig)
    slot = {"<ip>": r"[0-9.]+", "<port>": r"\d+", "<num>": r"\d+"}
    # Escape only what is special: ripgrep rejects escaped spaces and dashes.
    meta = re.compile(r"([.^$*+?()\[\]{}|\\])")
    return "".join(slot.get(p, meta.sub(r"\\\1", p)) for p in parts)


def normal_lines(rng, count):
    paths = ["/api/v1/users", "/health", "/metrics", "/api/v1/orders/", "/static/app.js", "/login"]
    words = ["request served", "cache hit", "session started", "heartbeat ok", "config reloaded",
             "job scheduled", "batch flushed", "lease renewed", "snapshot written", "peer connected"]
    out = []
    for i in range(count):
        kind = i % 6
        svc = rng.choice(SERVICES)
        w = rng.choice(words)
        n = rng.randrange(100000)
        if kind == 0:
            out.append(f"2024-05-01T10:{n % 60:02d}:{n % 59:02d}.{n % 1000:03d}Z INFO {svc}: {w} id={n} took={n % 900}ms")
        elif kind == 1:
            out.append(f"May  1 10:{n % 60:02d}:{n % 59:02d} host{n % 40} {svc}[{n % 30000}]: {w} for client {n}")
        elif kind == 2:
            out.append(f"I0501 10:{n % 60:02d}:{n % 59:02d}.{n:06d}    {n % 999} {svc}.go:{n % 700}] {w} key={n}")
        elif kind == 3:
            out.append(f'10.0.{n % 256}.{n % 200} - - [01/May/2024:10:{n % 60:02d}:{n % 59:02d} +0000] '
                       f'"GET {rng.choice(paths)}{n % 500} HTTP/1.1" 200 {n % 20000} "-" "curl/8.5"')
        elif kind == 4:
            out.append(f"2024-05-01 10:{n % 60:02d}:{n % 59:02d},{n % 1000:03d} DEBUG [worker-{n % 16}] "
                       f"com.example.{svc.replace('-', '')}.Service - {w} in {n % 900} ms")
        else:
            out.append('{"ts":"2024-05-01T10:%02d:%02dZ","level":"info","svc":"%s","msg":"%s","n":%d}'
                       % (n % 60, n % 59, svc, w, n))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=1 << 30)
    ap.add_argument("--kbs", default="10,64,100,1000,10000")
    a = ap.parse_args()
    rng = random.Random(42)
    os.makedirs(a.out, exist_ok=True)
    kbs = [int(k) for k in a.kbs.split(",")]
    sigs = signatures(max(kbs), rng)
    for n in kbs:
        d = os.path.join(a.out, f"kb-{n}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "guide.md"), "w") as f:
            f.write(f"# Benchmark guide with {n} signatures\n\n")
            for i, s in enumerate(sigs[:n]):
                f.write(f"## Incident {i}: {literal(s)}\n\n```error\n{s}\n```\n\n")
        with open(os.path.join(a.out, f"lit-{n}.txt"), "w") as f:
            f.write("\n".join(literal(s) for s in sigs[:n]) + "\n")
        with open(os.path.join(a.out, f"re-{n}.txt"), "w") as f:
            f.write("\n".join(regex(s) for s in sigs[:n]) + "\n")
    pool = normal_lines(rng, 200_000)
    unknown = [f"2024-05-01T10:00:00Z ERROR {rng.choice(SERVICES)}: unexpected state {i % 40} in handler {i % 7}"
               for i in range(1000)]
    # Known errors drawn from the first 10 signatures, so every knowledge base sees them.
    known = [f"2024-05-01T10:00:00Z ERROR {instance(rng.choice(sigs[:10]), rng)}" for _ in range(1000)]
    written = 0
    with open(os.path.join(a.out, "app.log"), "w") as f:
        buf = []
        while written < a.size:
            for _ in range(10_000):
                r = rng.random()
                if r < 0.0005:
                    line = rng.choice(known)
                elif r < 0.001:
                    line = rng.choice(unknown)
                else:
                    line = pool[rng.randrange(len(pool))]
                buf.append(line)
                written += len(line) + 1
            f.write("\n".join(buf) + "\n")
            buf.clear()
    print(f"wrote {written} bytes to {a.out}/app.log")


if __name__ == "__main__":
    main()

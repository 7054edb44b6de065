//! Latency of diagnosis (`cargo bench -p triage-kb --bench diagnose`).
//!
//! 1. A synthetic knowledge base of 10,000 symptoms (200 guides of 50 symptom sections,
//!    each with an output block of a generated error): the time to build it, then the time
//!    of one query against it, over many queries. Target: under 10 ms a query.
//! 2. 50 realistic guides parsed, built and queried from scratch, as one `triage diagnose`
//!    run does after start-up. (`bench/diagnose.sh` times the real binary, start-up
//!    included.) Target: under 50 ms.

use std::path::Path;
use std::time::{Duration, Instant};

use triage_guide::{LoadOptions, parse};
use triage_kb::{Builder, Query};

const WORDS: &[&str] = &[
    "connection", "refused", "timeout", "queue", "lease", "expired", "checksum", "mismatch",
    "replica", "lag", "token", "invalid", "segment", "corrupt", "listener", "bind", "schema",
    "migration", "dirty", "lock", "deadlock", "quota", "exceeded", "certificate", "expired",
    "handshake", "failed", "worker", "crashed", "pool", "exhausted", "snapshot", "missing",
    "volume", "detached", "partition", "offline", "leader", "election", "cache", "evicted",
];

/// A deterministic pseudo-random sequence (no dependency needed for a bench).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.next() % WORDS.len()]
    }
}

fn synthetic_guide(g: usize, rng: &mut Lcg) -> (String, String) {
    let mut text = format!("# Service {g}\n\n");
    for s in 0..50 {
        let message = format!(
            "{} {} {}{g}x{s}: {} {} at 10.0.{}.{}:{}",
            rng.word(),
            rng.word(),
            rng.word(),
            rng.word(),
            rng.word(),
            rng.next() % 255,
            rng.next() % 255,
            1000 + rng.next() % 9000
        );
        text.push_str(&format!(
            "## Problem {s} of service {g}\n\n```\nerror: {message}\n```\n\nThe {} is {}.\n\n**Solution:**\n\n```bash\nsystemctl restart svc{g}\n```\n\n",
            rng.word(),
            rng.word()
        ));
    }
    (format!("svc{g}.md"), text)
}

fn main() {
    let mut rng = Lcg(42);
    let guides: Vec<(String, String)> = (0..200).map(|g| synthetic_guide(g, &mut rng)).collect();
    let started = Instant::now();
    let mut builder = Builder::new();
    for (name, text) in &guides {
        let parsed = parse(Path::new(name), text, &LoadOptions::default());
        builder.add_guide(&parsed.guide, text);
    }
    let kb = builder.build();
    let built = started.elapsed();
    let symptoms = kb.symptoms().count();
    // Queries: real signatures with other values, as users paste them.
    let queries: Vec<Query> = (0..300)
        .map(|i| {
            let entry = &kb.entries()[(i * 37) % kb.entries().len()];
            let text = entry.signatures.first().map_or("error: nothing", |s| s.text.as_str());
            Query::new(&format!(
                "2025-01-01T00:00:{:02}Z host svc[12]: {}",
                i % 60,
                text.replace("10.0.", "192.168.")
            ))
        })
        .collect();
    let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for (i, query) in queries.iter().enumerate() {
        let t = Instant::now();
        let matches = kb.diagnose(query, 5);
        times.push(t.elapsed());
        let want = &kb.entries()[(i * 37) % kb.entries().len()];
        hits += usize::from(matches.first().is_some_and(|m| std::ptr::eq(m.entry, want)));
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "synthetic kb: {symptoms} symptoms built in {built:.1?}; query p50 {:.2?} p99 {:.2?} max {:.2?} mean {mean:.2?}; top-1 {hits}/{}",
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1],
        times.len()
    );

    // 50 guides from scratch: the dev guides and seeds when present, else synthetic ones.
    let realistic = realistic_guides();
    let t = Instant::now();
    let mut builder = Builder::new();
    let mut parsing = Duration::ZERO;
    for (name, text) in &realistic {
        let p = Instant::now();
        let parsed = parse(Path::new(name), text, &LoadOptions::default());
        parsing += p.elapsed();
        builder.add_guide(&parsed.guide, text);
    }
    let added = t.elapsed();
    let kb = builder.build();
    println!(
        "  parsing {parsing:.1?}, adding {:.1?}, building {:.1?}",
        added - parsing,
        t.elapsed() - added
    );
    let matches =
        kb.diagnose(&Query::new("Error: listen tcp :8090: bind: address already in use"), 5);
    println!(
        "{} guides ({} KiB) parsed, built and queried in {:.1?} ({} matches)",
        realistic.len(),
        realistic.iter().map(|(_, t)| t.len()).sum::<usize>() / 1024,
        t.elapsed(),
        matches.len()
    );
}

fn realistic_guides() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    let mut files = triage_guide::discover(&[root.join("eval/dev-guides"), root.join("seeds")])
        .unwrap_or_default();
    files.sort();
    let mut out: Vec<(String, String)> = files
        .iter()
        .filter_map(|f| Some((f.display().to_string(), std::fs::read_to_string(f).ok()?)))
        .collect();
    let mut rng = Lcg(7);
    let mut g = 0;
    // Copies under other names stand in for the rest, so the count is 50 either way.
    while out.len() < 50 {
        let next = if out.is_empty() {
            synthetic_guide(g, &mut rng)
        } else {
            let (n, t) = &out[g % out.len()];
            (format!("copy-{g}-{n}"), t.clone())
        };
        out.push(next);
        g += 1;
    }
    out
}

//! Measures the engine on one thread: `prefilter PATTERNS LOG` with one signature a line
//! (placeholders allowed). Prints the prefilter used, the throughput
//! (best of three runs over the data in memory) and the counts.

use std::time::Instant;

use triage_scan::{Engine, Options, Pattern};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, patterns, log] = args.as_slice() else {
        return Err("usage: prefilter PATTERNS LOG".into());
    };
    let patterns: Vec<Pattern> = std::fs::read_to_string(patterns)?
        .lines()
        .enumerate()
        .map(|(i, l)| Pattern::new(i, l))
        .collect();
    let t = Instant::now();
    let unknown = std::env::var_os("NO_UNKNOWN").is_none();
    let engine = Engine::new(&patterns, Options { unknown, ..Options::default() })?;
    let built = t.elapsed();
    let data = std::fs::read(log)?;
    // Best of three: the machine is shared.
    let mut took = f64::MAX;
    let mut tally = engine.scan(&data[..0]);
    let mut cpu = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let c = on_cpu();
        tally = engine.scan(&data);
        took = took.min(t.elapsed().as_secs_f64());
        cpu = cpu.min(on_cpu() - c);
    }
    println!(
        "{} patterns, {}: built in {:.2?}, {:.2} GB/s on one core ({:.2} GB/s of time on the CPU), {} lines matched, {} unknown",
        patterns.len(),
        engine.prefilter_name(),
        built,
        data.len() as f64 / took / 1e9,
        data.len() as f64 / cpu / 1e9,
        tally.hits.values().map(|h| h.count).sum::<u64>(),
        tally.unknown.len()
    );
    Ok(())
}

/// Seconds this thread has run on a CPU (Linux; 0 elsewhere): on a shared machine the
/// wall clock also counts the time other processes had the core.
fn on_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

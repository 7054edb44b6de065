//! Measures the engine on one thread: `prefilter PATTERNS LOG` with one signature a line
//! (placeholders allowed). Prints the prefilter used, the throughput and the counts.

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
    let t = Instant::now();
    let tally = engine.scan(&data);
    let took = t.elapsed().as_secs_f64();
    println!(
        "{} patterns, {}: built in {:.2?}, {:.2} GB/s on one core, {} lines matched, {} unknown",
        patterns.len(),
        engine.prefilter_name(),
        built,
        data.len() as f64 / took / 1e9,
        tally.hits.values().map(|h| h.count).sum::<u64>(),
        tally.unknown.len()
    );
    Ok(())
}

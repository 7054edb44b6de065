//! `templates --format csv LOG`, as `triage templates` prints it, for measuring the
//! miner on its own: `score-templates.py --bin target/release/examples/templates`.

use std::io::Write;

use triage_scan::input;
use triage_scan::template::Miner;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().next_back().ok_or("usage: templates --format csv LOG")?;
    let threshold = std::env::var("MINER_THRESHOLD").ok().and_then(|t| t.parse().ok());
    let mut miner = Miner::new();
    if let Some(t) = threshold {
        miner = miner.threshold(t);
    }
    input::for_each_line(input::open(path.as_ref())?, input::DEFAULT_MAX_LINE, |line| {
        miner.push(&triage_scan::input::text(line));
        true
    })?;
    let mined = miner.finish();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "line,template_id,template")?;
    for (i, id) in mined.assignments.iter().enumerate() {
        let text = &mined.templates[*id as usize].text;
        writeln!(out, "{},{},\"{}\"", i + 1, id, text.replace('"', "\"\""))?;
    }
    Ok(())
}

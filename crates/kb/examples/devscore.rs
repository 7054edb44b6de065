//! Scores the ranking on an evaluation set in-process (a fast loop for tuning):
//! `cargo run --release -p triage-kb --example devscore -- GUIDES CASES.jsonl [-v]`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use triage_guide::LoadOptions;
use triage_kb::{Builder, Query};

fn norm(heading: &str) -> String {
    let h: String = heading.chars().filter(|c| !matches!(c, '`' | '*' | '_')).collect();
    h.split_whitespace().collect::<Vec<_>>().join(" ").trim_end_matches('#').trim().to_lowercase()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let guides = PathBuf::from(&args[1]);
    let verbose = args.iter().any(|a| a == "-v");
    let files = triage_guide::discover(std::slice::from_ref(&guides)).expect("guides");
    let mut builder = Builder::new();
    for file in &files {
        let source = String::from_utf8_lossy(&std::fs::read(file).expect("read")).into_owned();
        let parsed = triage_guide::parse(file, &source, &LoadOptions::default());
        builder.add_guide(&parsed.guide, &source);
    }
    let kb = builder.build();
    let cases = std::fs::read_to_string(&args[2]).expect("cases");
    let (mut n, mut top1, mut top3) = (0, 0, 0);
    let mut by: BTreeMap<String, (u32, u32, u32)> = BTreeMap::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("case");
        let guide = case["expected_guide"].as_str().unwrap_or("").to_owned();
        let mut pairs =
            vec![(guide.clone(), norm(case["expected_section"].as_str().unwrap_or("")))];
        for acc in case["acceptable_sections"].as_array().into_iter().flatten() {
            let acc = acc.as_str().unwrap_or("");
            match acc.split_once('#') {
                Some((g, h)) if !acc.starts_with('#') => pairs.push((g.to_owned(), norm(h))),
                _ => pairs.push((guide.clone(), norm(acc))),
            }
        }
        let query = Query::new(case["input"].as_str().unwrap_or(""));
        let matches = kb.diagnose(&query, 3);
        let hit = |m: &triage_kb::Match<'_>| {
            let path = kb.guide_of(m.entry).path.to_string_lossy().replace('\\', "/");
            pairs.iter().any(|(g, h)| path.ends_with(g.as_str()) && norm(&m.entry.heading) == *h)
        };
        let h1 = matches.first().is_some_and(hit);
        let h3 = matches.iter().any(hit);
        n += 1;
        top1 += u32::from(h1);
        top3 += u32::from(h3);
        let d = by.entry(case["difficulty"].as_str().unwrap_or("-").to_owned()).or_default();
        d.0 += 1;
        d.1 += u32::from(h1);
        d.2 += u32::from(h3);
        if !h1 {
            let got: Vec<String> = matches
                .iter()
                .map(|m| {
                    format!(
                        "{:.1} {} # {}",
                        m.score,
                        kb.guide_of(m.entry).path.file_name().unwrap().to_string_lossy(),
                        m.entry.heading
                    )
                })
                .collect();
            println!(
                "MISS{} {} want {:?}\n    got {:#?}",
                if h3 { "(top3)" } else { "" },
                case["id"],
                pairs[0],
                got
            );
            if verbose {
                for m in &matches {
                    println!("    {:?}", m.explanation);
                }
            }
        }
    }
    for (k, (c, a1, a3)) in &by {
        println!("  {k:8} {c:3} cases  top1 {a1}/{c}  top3 {a3}/{c}");
    }
    println!("top1 {top1}/{n}  top3 {top3}/{n}");
}

//! `triage scan`: every known error signature of the guides counted over whole logs, and
//! the errors no guide knows clustered into templates.
//!
//! The knowledge base's signatures (their generalised templates, with `<port>`, `<ip>`,
//! `<*>` placeholders) become [`triage_scan::Pattern`]s whose id is the entry index; the
//! engine in `triage-scan` does the rest. Logs are files (plain, .gz, .zst), folders, globs,
//! standard input, a followed file, or the systemd journal.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use triage_core::redact::Redactor;
use triage_kb::KnowledgeBase;
use triage_scan::input::{self, Source};
use triage_scan::timestamp::format_millis;
use triage_scan::{Engine, Options, Pattern, Report, Scanner, Tally};

use crate::command::diagnose::{OutputFormat, knowledge_base, load_guides, parse_var};
use crate::config::Config;
use crate::exit::Exit;
use crate::load;

/// Inputs at least this large get a progress bar (on a terminal).
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

/// Most bytes of journal read in one run.
const JOURNAL_MAX_BYTES: usize = 1 << 30;

/// Arguments of `triage scan`.
#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {
    /// Log files, folders or globs (plain, .gz or .zst); none or `-` reads standard input.
    pub logs: Vec<PathBuf>,
    /// Guide files or folders [default: the config's guides, else ./guides when it exists].
    #[arg(long = "guides", value_name = "PATH")]
    pub guides: Vec<PathBuf>,
    /// Set a guide variable, overriding front matter and TRIAGE_VAR_<NAME>.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Keep reading one log as it grows (like `tail -F`: survives rotation and truncation),
    /// printing each match from its start on as it comes; stop with Ctrl-C.
    #[arg(long)]
    pub follow: bool,
    /// Read the systemd journal through `journalctl -o json` instead of files.
    #[arg(long, conflicts_with = "follow")]
    pub journal: bool,
    /// With --journal: only this unit.
    #[arg(long, requires = "journal", value_name = "UNIT")]
    pub unit: Option<String>,
    /// Only lines from this time on: RFC 3339 (2024-05-01T10:00:00Z) or an age (2h, 30m).
    /// Lines without a recognisable timestamp always count.
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub since: Option<i64>,
    /// Only lines before this time, same forms as --since.
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub until: Option<i64>,
    /// Print each unknown error template as a draft `error` block for a guide.
    #[arg(long)]
    pub suggest: bool,
    /// Example lines kept per symptom.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub examples: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// `--since`/`--until`: RFC 3339, or an age before now.
fn parse_time(text: &str) -> Result<i64, String> {
    if let Some(ms) = triage_scan::timestamp::parse_rfc3339(text) {
        return Ok(ms);
    }
    let age = triage_core::duration::parse(text)
        .map_err(|e| format!("expected an RFC 3339 time or an age such as 2h: {e}"))?;
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Ok(now.saturating_sub(age).as_millis() as i64)
}

/// The knowledge base, or none when no guides were given and ./guides does not exist
/// (unknown errors are still clustered).
struct Knowledge {
    kb: Option<KnowledgeBase>,
    redactor: Redactor,
}

fn knowledge(args: &ScanArgs, config: &Config) -> anyhow::Result<Knowledge> {
    let none_given = args.guides.is_empty() && config.guides.is_empty();
    if none_given && !PathBuf::from(load::DEFAULT_GUIDES).is_dir() {
        tracing::info!("no guides: only unknown errors are reported");
        return Ok(Knowledge { kb: None, redactor: Redactor::default() });
    }
    let loaded = load_guides(&args.guides, &args.vars, config)?;
    crate::render::diagnostics(&loaded.diagnostics)?;
    let kb = knowledge_base(&loaded);
    Ok(Knowledge { kb: Some(kb), redactor: loaded.redactor })
}

/// Every signature of the knowledge base as a pattern whose id is its entry's index, with
/// the guide and line of each for warnings.
pub(crate) fn patterns(kb: &KnowledgeBase) -> (Vec<Pattern>, Vec<(PathBuf, u32)>) {
    let mut out = Vec::new();
    let mut places = Vec::new();
    for (i, entry) in kb.entries().iter().enumerate() {
        for sig in &entry.signatures {
            out.push(Pattern::new(i, sig.template.clone()));
            places.push((kb.guide_of(entry).path.clone(), sig.line));
        }
    }
    (out, places)
}

/// Runs `triage scan`. Exit 1 when a known symptom or an unknown error was found.
pub(crate) fn run(args: ScanArgs, config: Config) -> anyhow::Result<Exit> {
    let knowledge = knowledge(&args, &config)?;
    let (patterns, places) = knowledge.kb.as_ref().map(patterns).unwrap_or_default();
    let options = Options {
        since: args.since,
        until: args.until,
        examples: args.examples,
        ..Options::default()
    };
    // Signatures the engine cannot use (no literal text) are skipped with a warning.
    let (engine, skipped) = Engine::lenient(&patterns, options);
    for (i, e) in &skipped {
        let (path, line) = &places[*i];
        tracing::warn!("{}:{line}: signature skipped: {e}", path.display());
    }
    tracing::info!(
        "{} signatures, prefilter {}",
        patterns.len() - skipped.len(),
        engine.prefilter_name()
    );
    if args.follow {
        return follow(&args, &engine, &knowledge);
    }
    let mut total: u64 = 0;
    let sources = if args.journal { Vec::new() } else { sources(&args.logs)? };
    for s in &sources {
        if let Source::File(p) = s {
            total += std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        }
    }
    let bar = (total >= PROGRESS_MIN_BYTES).then(|| progress_bar(total));
    let mut scanner = Scanner::new(&engine);
    if let Some(bar) = &bar {
        let bar = bar.clone();
        scanner = scanner.on_progress(move |n| bar.inc(n));
    }
    if args.journal {
        journal(&args, &mut scanner)?;
    }
    for source in &sources {
        match source {
            Source::Stdin => {
                let reader = input::stdin().context("cannot read standard input")?;
                scanner.scan_reader(reader).context("cannot read standard input")?;
            }
            Source::File(path) => scanner.scan_path(path)?,
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = scanner.finish();
    let out = std::io::stdout().lock();
    let mut out = std::io::BufWriter::new(out);
    let view =
        View { kb: knowledge.kb.as_ref(), redactor: &knowledge.redactor, suggest: args.suggest };
    match args.format {
        OutputFormat::Json => write_json(&mut out, &report, &view)?,
        OutputFormat::Human => write_human(&mut out, &report, &view)?,
    }
    out.flush()?;
    Ok(if report.symptoms.is_empty() && report.unknown.is_empty() {
        Exit::Healthy
    } else {
        Exit::Findings
    })
}

fn sources(logs: &[PathBuf]) -> anyhow::Result<Vec<Source>> {
    if logs.is_empty() {
        return Ok(vec![Source::Stdin]);
    }
    Ok(input::expand(logs)?)
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {bytes}/{total_bytes} {wide_bar} {binary_bytes_per_sec} {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Reads the journal through `journalctl -o json`, one entry a line.
fn journal(args: &ScanArgs, scanner: &mut Scanner<'_>) -> anyhow::Result<()> {
    let mut argv: Vec<String> =
        ["journalctl", "-o", "json", "--no-pager", "-q"].map(String::from).to_vec();
    if let Some(since) = args.since {
        argv.push(format!("--since=@{}", since / 1000));
    }
    if let Some(until) = args.until {
        argv.push(format!("--until=@{}", until / 1000));
    }
    if let Some(unit) = &args.unit {
        argv.push(format!("--unit={unit}"));
    }
    let invocation = triage_core::exec::Invocation::new(argv)
        .timeout(Duration::from_secs(600))
        .max_output(JOURNAL_MAX_BYTES);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let output = runtime
        .block_on(invocation.run())
        .context("cannot run journalctl (is systemd's journal here?)")?;
    if !output.success() && output.stdout.is_empty() {
        bail!("journalctl failed: {}", output.stderr_text().trim());
    }
    if output.stdout_truncated {
        tracing::warn!("journal cut at {} bytes", JOURNAL_MAX_BYTES);
    }
    for entry in output.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        if let Some(line) = journal_line(entry) {
            scanner.scan_line(line.as_bytes());
        }
    }
    Ok(())
}

/// One `journalctl -o json` entry as a log line: `RFC3339 unit: message`.
pub(crate) fn journal_line(entry: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(entry).ok()?;
    let message = match value.get("MESSAGE")? {
        serde_json::Value::String(s) => s.clone(),
        // Non-UTF-8 messages come as arrays of bytes.
        serde_json::Value::Array(bytes) => {
            let raw: Vec<u8> = bytes.iter().filter_map(|b| b.as_u64().map(|b| b as u8)).collect();
            String::from_utf8_lossy(&raw).into_owned()
        }
        _ => return None,
    };
    let micros: Option<i64> =
        value.get("__REALTIME_TIMESTAMP").and_then(|t| t.as_str()?.parse().ok());
    let unit = value
        .get("_SYSTEMD_UNIT")
        .or_else(|| value.get("SYSLOG_IDENTIFIER"))
        .and_then(|u| u.as_str())
        .unwrap_or("journal");
    Some(match micros {
        Some(us) => format!("{} {unit}: {message}", format_millis(us / 1000)),
        None => format!("{unit}: {message}"),
    })
}

/// `--follow`: prints each match as the followed log grows.
fn follow(args: &ScanArgs, engine: &Engine, knowledge: &Knowledge) -> anyhow::Result<Exit> {
    let [path] = args.logs.as_slice() else { bail!("--follow takes exactly one log file") };
    let view = View { kb: knowledge.kb.as_ref(), redactor: &knowledge.redactor, suggest: false };
    let mut out = std::io::stdout();
    // Set when stdout is gone (a closed pipe): following stops.
    let failed = std::cell::Cell::new(false);
    input::follow(
        path,
        false,
        || failed.get(),
        |line| {
            let mut tally = Tally::default();
            engine.check_line(line, &mut tally);
            let text = view.redactor.redact(&String::from_utf8_lossy(line)).into_owned();
            let mut events: Vec<(String, String)> =
                tally.hits.keys().map(|&id| view.place(id)).collect();
            if events.is_empty() && !tally.unknown.is_empty() {
                events.push((String::new(), String::new()));
            }
            for (guide, section) in events {
                let printed = match args.format {
                    OutputFormat::Json => {
                        let kind = if guide.is_empty() { "unknown" } else { "symptom" };
                        let doc = serde_json::json!({ "kind": kind, "guide": guide, "section": section, "line": text });
                        writeln!(out, "{doc}")
                    }
                    OutputFormat::Human if guide.is_empty() => {
                        writeln!(out, "unknown error  {text}")
                    }
                    OutputFormat::Human => writeln!(out, "{guide} › {section}  {text}"),
                };
                if printed.and_then(|()| out.flush()).is_err() {
                    failed.set(true);
                }
            }
        },
    )?;
    Ok(Exit::Healthy)
}

/// What the renderers need besides the report.
pub(crate) struct View<'a> {
    kb: Option<&'a KnowledgeBase>,
    redactor: &'a Redactor,
    suggest: bool,
}

impl View<'_> {
    /// Guide path and section heading of pattern id `id` (an entry index).
    fn place(&self, id: usize) -> (String, String) {
        match self.kb.and_then(|kb| kb.entries().get(id).map(|e| (kb, e))) {
            Some((kb, e)) => (kb.guide_of(e).path.display().to_string(), e.heading.clone()),
            None => (String::new(), format!("#{id}")),
        }
    }
}

/// A draft `error` block for a guide, from an unknown template.
fn suggestion(template: &str) -> String {
    format!("```error\n{template}\n```")
}

/// The report as one JSON document.
pub(crate) fn write_json(
    out: &mut impl Write,
    report: &Report,
    view: &View<'_>,
) -> std::io::Result<()> {
    let r = |s: &str| view.redactor.redact(s).into_owned();
    let symptoms: Vec<_> = report
        .symptoms
        .iter()
        .map(|(id, hit)| {
            let (guide, section) = view.place(*id);
            serde_json::json!({
                "guide": guide,
                "section": section,
                "count": hit.count,
                "first": hit.first.map(format_millis),
                "last": hit.last.map(format_millis),
                "examples": hit.examples.iter().map(|e| r(e)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let unknown: Vec<_> = report
        .unknown
        .iter()
        .map(|t| {
            let mut doc = serde_json::json!({ "template": r(&t.text), "count": t.count, "example": r(&t.example) });
            if view.suggest {
                doc["suggestion"] = serde_json::Value::String(suggestion(&r(&t.text)));
            }
            doc
        })
        .collect();
    let doc = serde_json::json!({ "symptoms": symptoms, "unknown": unknown, "lines": report.lines, "bytes": report.bytes });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// The report as text: known symptoms, then unknown error templates.
pub(crate) fn write_human(
    out: &mut impl Write,
    report: &Report,
    view: &View<'_>,
) -> std::io::Result<()> {
    let r = |s: &str| view.redactor.redact(s).into_owned();
    writeln!(out, "scanned {} lines, {} bytes", report.lines, report.bytes)?;
    if !report.symptoms.is_empty() {
        writeln!(out, "\nknown symptoms")?;
        for (id, hit) in &report.symptoms {
            let (guide, section) = view.place(*id);
            let when = match (hit.first, hit.last) {
                (Some(a), Some(b)) => format!("  {} .. {}", format_millis(a), format_millis(b)),
                _ => String::new(),
            };
            writeln!(out, "{:>9}  {guide} › {section}{when}", hit.count)?;
            for e in &hit.examples {
                writeln!(out, "           {}", r(e))?;
            }
        }
    }
    if !report.unknown.is_empty() {
        writeln!(out, "\nunknown errors")?;
        for t in &report.unknown {
            writeln!(out, "{:>9}  {}", t.count, r(&t.text))?;
            writeln!(out, "           {}", r(&t.example))?;
        }
        if view.suggest {
            writeln!(out, "\ndraft error blocks")?;
            for t in &report.unknown {
                writeln!(out, "\n{}", suggestion(&r(&t.text)))?;
            }
        }
    }
    if report.symptoms.is_empty() && report.unknown.is_empty() {
        writeln!(out, "no known symptom and no error line")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_entries_become_lines() {
        let entry = br#"{"MESSAGE":"listen tcp :8080: bind: address already in use","__REALTIME_TIMESTAMP":"1714557600000000","_SYSTEMD_UNIT":"metald.service"}"#;
        assert_eq!(
            journal_line(entry).as_deref(),
            Some(
                "2024-05-01T10:00:00.000Z metald.service: listen tcp :8080: bind: address already in use"
            )
        );
        let bytes = br#"{"MESSAGE":[104,105,255]}"#;
        assert_eq!(journal_line(bytes).as_deref(), Some("journal: hi\u{fffd}"));
        assert_eq!(journal_line(b"not json"), None);
    }

    #[test]
    fn times_are_rfc3339_or_ages() {
        assert_eq!(parse_time("2024-05-01T10:00:00Z"), Ok(1_714_557_600_000));
        let two_hours_ago = parse_time("2h").unwrap();
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()
                as i64;
        assert!((now - two_hours_ago - 7_200_000).abs() < 5_000);
        assert!(parse_time("soon").is_err());
    }
}

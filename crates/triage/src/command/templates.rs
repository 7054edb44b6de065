//! `triage templates`: template mining on its own, for any log.
//!
//! Headers are recognised and stripped with no per-format settings, the messages are
//! mined by [`triage_scan::template::Miner`], and the result is printed as a table
//! (human), one row per input line (csv: `line,template_id,template`) or the templates
//! with their counts (json).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use triage_core::redact::Redactor;
use triage_scan::input;
use triage_scan::template::{Mined, Miner};

use crate::config::Config;
use crate::exit::Exit;

/// Arguments of `triage templates`.
#[derive(Debug, clap::Args)]
pub(crate) struct TemplatesArgs {
    /// Log files (plain, .gz or .zst); none or `-` reads standard input.
    pub logs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TemplatesFormat::Human)]
    pub format: TemplatesFormat,
}

/// How `triage templates` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TemplatesFormat {
    /// The templates by count, with an example line each.
    Human,
    /// `line,template_id,template`, one row per input line, in order.
    Csv,
    /// `{"templates":[{"id","template","count","example"}],"lines":N}`.
    Json,
}

/// Runs `triage templates`.
pub(crate) fn run(args: TemplatesArgs, _config: Config) -> anyhow::Result<Exit> {
    let mut miner =
        if args.format == TemplatesFormat::Csv { Miner::new() } else { Miner::counting() };
    let mut feed = |line: &[u8]| {
        miner.push(&input::text(line));
        true
    };
    let stdin_only = args.logs.is_empty() || args.logs.iter().all(|p| p.as_os_str() == "-");
    if stdin_only {
        let reader = input::stdin().context("cannot read standard input")?;
        input::for_each_line(reader, input::DEFAULT_MAX_LINE, &mut feed)
            .context("cannot read standard input")?;
    } else {
        for path in &args.logs {
            let reader = input::open(path)?;
            input::for_each_line(reader, input::DEFAULT_MAX_LINE, &mut feed)
                .with_context(|| format!("cannot read {}", path.display()))?;
        }
    }
    let mined = miner.finish();
    let out = std::io::stdout().lock();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let redactor = Redactor::default();
    match args.format {
        TemplatesFormat::Csv => write_csv(&mut out, &mined, &redactor)?,
        TemplatesFormat::Json => write_json(&mut out, &mined, &redactor)?,
        TemplatesFormat::Human => write_human(&mut out, &mined, &redactor)?,
    }
    out.flush()?;
    Ok(Exit::Healthy)
}

/// Quotes a CSV field when it needs it (RFC 4180).
fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

/// `line,template_id,template` then one row per line pushed (templates redacted, like
/// the other formats). Rows are put together from bytes (`itoa` for the numbers): one
/// `writeln!` a row took a tenth of the whole run.
pub(crate) fn write_csv(
    out: &mut impl Write,
    mined: &Mined,
    redactor: &Redactor,
) -> std::io::Result<()> {
    writeln!(out, "line,template_id,template")?;
    let quoted: Vec<String> =
        mined.templates.iter().map(|t| csv_field(&redactor.redact(&t.text)).into_owned()).collect();
    let mut numbers = itoa::Buffer::new();
    let mut row = Vec::with_capacity(256);
    for (i, &id) in mined.assignments.iter().enumerate() {
        row.clear();
        row.extend_from_slice(numbers.format(i + 1).as_bytes());
        row.push(b',');
        row.extend_from_slice(numbers.format(id).as_bytes());
        row.push(b',');
        row.extend_from_slice(quoted[id as usize].as_bytes());
        row.push(b'\n');
        out.write_all(&row)?;
    }
    Ok(())
}

/// The templates, most frequent first, as one JSON document.
pub(crate) fn write_json(
    out: &mut impl Write,
    mined: &Mined,
    redactor: &Redactor,
) -> std::io::Result<()> {
    let lines: u64 = mined.templates.iter().map(|t| t.count).sum();
    let templates: Vec<_> = by_count(mined)
        .map(|t| {
            serde_json::json!({
                "id": t.id,
                "template": redactor.redact(&t.text),
                "count": t.count,
                "example": redactor.redact(&t.example),
            })
        })
        .collect();
    serde_json::to_writer_pretty(
        &mut *out,
        &serde_json::json!({ "templates": templates, "lines": lines }),
    )?;
    writeln!(out)
}

/// A table of the templates, most frequent first.
pub(crate) fn write_human(
    out: &mut impl Write,
    mined: &Mined,
    redactor: &Redactor,
) -> std::io::Result<()> {
    let lines: u64 = mined.templates.iter().map(|t| t.count).sum();
    writeln!(out, "{} templates in {} lines", mined.templates.len(), lines)?;
    for t in by_count(mined) {
        writeln!(out, "{:>9}  {}", t.count, redactor.redact(&t.text))?;
    }
    Ok(())
}

fn by_count(mined: &Mined) -> impl Iterator<Item = &triage_scan::template::Template> {
    let mut sorted: Vec<_> = mined.templates.iter().collect();
    sorted.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
    sorted.into_iter()
}

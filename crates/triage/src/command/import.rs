//! `triage import`: shows what triage understood of a guide (its symptoms, their
//! signatures, cause and fix, and the diagnostic commands it runs natively), and with
//! `--annotate` writes an annotated copy with ` ```error `/` ```check ` blocks added and the
//! prose untouched.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::command::diagnose::{OutputFormat, knowledge_base, load_guides, parse_var};
use crate::config::Config;
use crate::exit::Exit;
use crate::render;

/// Arguments of `triage import`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportArgs {
    /// The guide file to read.
    pub guide: PathBuf,
    /// Write the annotated copy instead of the summary: to --output, else stdout.
    #[arg(long)]
    pub annotate: bool,
    /// Where --annotate writes (never the guide itself unless named here).
    #[arg(long, short, value_name = "PATH", requires = "annotate")]
    pub output: Option<PathBuf>,
    /// Set a guide variable, overriding front matter and TRIAGE_VAR_<NAME>.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// Reads one guide and reports or annotates it. Exit 0 when it has symptoms, 1 when triage
/// found none.
pub(crate) fn run(args: ImportArgs, config: Config) -> anyhow::Result<Exit> {
    let loaded = load_guides(std::slice::from_ref(&args.guide), &args.vars, &config)?;
    render::diagnostics(&loaded.diagnostics)?;
    let kb = knowledge_base(&loaded);
    let symptoms: Vec<&triage_kb::Entry> = kb.symptoms().collect();
    if args.annotate {
        let bytes = std::fs::read(&args.guide)
            .with_context(|| format!("cannot read guide {}", args.guide.display()))?;
        let source = String::from_utf8_lossy(&bytes);
        let annotated = triage_kb::annotate(&source, kb.entries_of(0));
        match &args.output {
            Some(path) => std::fs::write(path, annotated)
                .with_context(|| format!("cannot write {}", path.display()))?,
            None => render::line(annotated.trim_end_matches('\n')),
        }
        return Ok(if symptoms.is_empty() { Exit::Findings } else { Exit::Healthy });
    }
    let redactor = &loaded.redactor;
    match args.format {
        OutputFormat::Json => {
            let items: Vec<serde_json::Value> = symptoms
                .iter()
                .map(|e| {
                    let probes: Vec<triage_kb::NativeProbe> =
                        e.commands.iter().filter_map(|c| triage_kb::recognise(c)).collect();
                    serde_json::json!({
                        "section": e.heading,
                        "line": e.line,
                        "breadcrumb": e.breadcrumb,
                        "signatures": e.signatures,
                        "cause": e.cause,
                        "fix": e.fix,
                        "checks": e.check_sections.len(),
                        "probes": probes,
                    })
                })
                .collect();
            let doc =
                serde_json::json!({ "guide": args.guide, "symptoms": items, "stats": kb.stats() });
            render::line(&redactor.redact(&serde_json::to_string_pretty(&doc)?));
        }
        OutputFormat::Human => {
            let out = |text: &str| render::line(&redactor.redact(text));
            out(&format!("{}: {} symptoms", args.guide.display(), symptoms.len()));
            for e in &symptoms {
                out("");
                out(&format!("{}  (line {})", e.title, e.line));
                for s in &e.signatures {
                    out(&format!("  signature [{:?}, line {}]: {}", s.origin, s.line, s.template));
                }
                if !e.check_sections.is_empty() {
                    out(&format!("  detector checks: {} section(s)", e.check_sections.len()));
                }
                if !e.cause.is_empty() {
                    let cause: String = e.cause.split_whitespace().collect::<Vec<_>>().join(" ");
                    out(&format!("  cause: {}", cause.chars().take(200).collect::<String>()));
                }
                for line in e.fix.iter().take(6) {
                    out(&format!("  fix: {line}"));
                }
                for probe in e.commands.iter().filter_map(|c| triage_kb::recognise(c)) {
                    out(&format!("  native probe {}: {}", probe.kind, probe.command));
                }
            }
        }
    }
    Ok(if symptoms.is_empty() { Exit::Findings } else { Exit::Healthy })
}

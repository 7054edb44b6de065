//! `triage kb`: lists every symptom of the knowledge base with its guide and heading, or
//! (`--stats`) counts them.

use std::path::PathBuf;

use crate::command::diagnose::{OutputFormat, knowledge_base, load_guides, parse_var};
use crate::config::Config;
use crate::exit::Exit;
use crate::render;

/// Arguments of `triage kb`.
#[derive(Debug, clap::Args)]
pub(crate) struct KbArgs {
    /// Guide files or folders [default: the config's guides, else ./guides].
    pub paths: Vec<PathBuf>,
    /// Counts instead of the list.
    #[arg(long)]
    pub stats: bool,
    /// Set a guide variable, overriding front matter and TRIAGE_VAR_<NAME>.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// Lists or counts. Exit 0 when the knowledge base has symptoms, 1 when it has none.
pub(crate) fn run(args: KbArgs, config: Config) -> anyhow::Result<Exit> {
    let loaded = load_guides(&args.paths, &args.vars, &config)?;
    render::diagnostics(&loaded.diagnostics)?;
    let kb = knowledge_base(&loaded);
    let stats = kb.stats();
    let redactor = &loaded.redactor;
    match (args.format, args.stats) {
        (OutputFormat::Json, true) => render::line(&serde_json::to_string_pretty(&stats)?),
        (OutputFormat::Json, false) => {
            let items: Vec<serde_json::Value> = kb
                .symptoms()
                .map(|e| {
                    serde_json::json!({
                        "guide": kb.guide_of(e).path,
                        "section": e.heading,
                        "line": e.line,
                        "signatures": e.signatures.iter().map(|s| &s.text).collect::<Vec<_>>(),
                        "checks": e.check_sections.len(),
                    })
                })
                .collect();
            let doc = serde_json::json!({ "symptoms": items });
            render::line(&redactor.redact(&serde_json::to_string_pretty(&doc)?));
        }
        (OutputFormat::Human, true) => {
            render::line(&format!("guides      {}", stats.guides));
            render::line(&format!("sections    {}", stats.entries));
            render::line(&format!("symptoms    {}", stats.symptoms));
            render::line(&format!("  with detector checks {}", stats.with_checks));
            render::line(&format!("signatures  {}", stats.signatures));
            for (origin, n) in &stats.by_origin {
                render::line(&format!("  {:<10} {n}", format!("{origin:?}").to_lowercase()));
            }
            render::line(&format!("terms       {}", stats.terms));
        }
        (OutputFormat::Human, false) => {
            for e in kb.symptoms() {
                let guide = kb.guide_of(e);
                let first = e.signatures.first().map(|s| s.template.as_str()).unwrap_or("");
                render::line(&redactor.redact(&format!(
                    "{}:{}  {}  [{} signatures{}]  {}",
                    guide.path.display(),
                    e.line,
                    e.heading,
                    e.signatures.len(),
                    if e.check_sections.is_empty() { "" } else { ", checks" },
                    first.chars().take(80).collect::<String>(),
                )));
            }
        }
    }
    Ok(if stats.symptoms == 0 { Exit::Findings } else { Exit::Healthy })
}

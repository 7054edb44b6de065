//! `triage diagnose`: ranks the guide sections that explain an error message, a log
//! excerpt or a log file, with the cause, the fix and the evidence lines.
//!
//! Pipeline: read the input within bounds (`triage_kb::Query`), load the guides, build the
//! knowledge base, rank, optionally run the top candidates' detector checks (`--check`) to
//! confirm or rule them out, render. Exit 0 when something matched, 1 when nothing did.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use triage_core::Status;
use triage_core::redact::Redactor;
use triage_kb::{KnowledgeBase, Match, Query};
use triage_probe::{Check, Context, Engine};

use crate::cli::GuideArgs;
use crate::config::Config;
use crate::exit::Exit;
use crate::load::{self, Loaded};
use crate::render;

/// Arguments of `triage diagnose`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiagnoseArgs {
    /// The error message; or a log file to scan; or - to read stdin [default: stdin when it
    /// is not a terminal].
    pub input: Option<String>,
    /// Guide files or folders of guides (repeatable) [default: the config's guides, else
    /// ./guides].
    #[arg(long = "guides", value_name = "PATH")]
    pub guides: Vec<PathBuf>,
    /// Set a guide variable, overriding front matter and TRIAGE_VAR_<NAME>.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// How many matches to show.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    pub top: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Show why each match ranked where it did.
    #[arg(long)]
    pub explain: bool,
    /// Run the detector checks of the matched symptoms to confirm or rule each one out.
    #[arg(long)]
    pub check: bool,
}

/// How `diagnose`, `import` and `kb` write to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// Readable text.
    Human,
    /// One JSON document.
    Json,
}

/// What `--check` found for one match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Verdict {
    /// A detector check failed: the problem is present.
    Confirmed,
    /// The symptom has no detector checks.
    NoChecks,
    /// Every detector check passed: the problem is not present now.
    RuledOut,
}

/// One detector check run for a match.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct CheckRun {
    pub name: String,
    pub status: Status,
}

/// Reads, ranks, checks and renders.
pub(crate) fn run(args: DiagnoseArgs, config: Config) -> anyhow::Result<Exit> {
    let query = read_input(args.input.as_deref())?;
    let loaded = load_guides(&args.guides, &args.vars, &config)?;
    render::diagnostics(&loaded.diagnostics)?;
    let kb = knowledge_base(&loaded);
    let mut matches = kb.diagnose(&query, usize::from(args.top));
    let mut checks = vec![(Verdict::NoChecks, Vec::new()); matches.len()];
    let mut redactor = loaded.redactor.clone();
    if args.check && !matches.is_empty() {
        checks = run_checks(&loaded, &matches, &config, &mut redactor)?;
        // The error text ranked the candidates; the probes now tell them apart.
        let mut order: Vec<usize> = (0..matches.len()).collect();
        order.sort_by_key(|&i| checks[i].0);
        let mut position = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            position[old] = new;
        }
        matches = order.iter().map(|&i| matches[i].clone()).collect();
        for (new, m) in matches.iter_mut().enumerate() {
            m.same_error_as = m.same_error_as.map(|j| position[j]).filter(|&j| j < new);
        }
        checks = order.iter().map(|&i| checks[i].clone()).collect();
    }
    let report = Report {
        kb: &kb,
        query: &query,
        matches: &matches,
        checks: &checks,
        explain: args.explain,
        checked: args.check,
    };
    match args.format {
        OutputFormat::Human => report.human(&redactor),
        OutputFormat::Json => report.json(&redactor)?,
    }
    Ok(if matches.is_empty() { Exit::Findings } else { Exit::Healthy })
}

/// The query from the argument: `-` is stdin, an existing file is a log, anything else is
/// the message itself.
fn read_input(input: Option<&str>) -> anyhow::Result<Query> {
    match input {
        Some("-") => Query::read(std::io::stdin().lock()).context("cannot read stdin"),
        Some(text) if Path::new(text).is_file() => {
            Query::read_log(Path::new(text)).with_context(|| format!("cannot read log {text}"))
        }
        Some(text) => Ok(Query::from_bytes(text.as_bytes())),
        None if std::io::stdin().is_terminal() => {
            bail!("no input: give an error message, a log file, or - to read stdin")
        }
        None => Query::read(std::io::stdin().lock()).context("cannot read stdin"),
    }
}

/// Loads the guides `--guides` names (else the config's, else `./guides`), Markdown and
/// Markdown-like `.txt` files alike.
pub(crate) fn load_guides(
    paths: &[PathBuf],
    vars: &[(String, String)],
    config: &Config,
) -> anyhow::Result<Loaded> {
    let paths = if !paths.is_empty() {
        paths.to_vec()
    } else if !config.guides.is_empty() {
        config.guides.clone()
    } else {
        let default = PathBuf::from(load::DEFAULT_GUIDES);
        if !default.is_dir() {
            bail!("no guides given (--guides) and ./{} does not exist", load::DEFAULT_GUIDES);
        }
        vec![default]
    };
    let files = triage_guide::discover(&paths).context("finding guides")?;
    if files.is_empty() {
        bail!(
            "no guides found in {}",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    load::load(&GuideArgs { paths: files, vars: vars.to_vec() }, config)
}

/// The knowledge base of every loaded guide, in load order (so entry guide indexes are
/// `loaded.guides` indexes).
pub(crate) fn knowledge_base(loaded: &Loaded) -> KnowledgeBase {
    let mut builder = triage_kb::Builder::new();
    for lg in &loaded.guides {
        // The loader keeps the model, not the text; extraction needs the text again.
        let source = std::fs::read(&lg.guide.path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        builder.add_guide(&lg.guide, &source);
    }
    builder.build()
}

/// Runs the detector checks of every match that has some, all at once.
fn run_checks(
    loaded: &Loaded,
    matches: &[Match<'_>],
    config: &Config,
    redactor: &mut Redactor,
) -> anyhow::Result<Vec<(Verdict, Vec<CheckRun>)>> {
    let mut owners = Vec::new();
    let mut planned: Vec<Check> = Vec::new();
    let mut names = Vec::new();
    for (m, found) in matches.iter().enumerate() {
        let lg = &loaded.guides[found.entry.guide];
        for check in lg.checks.iter().filter(|c| found.entry.check_sections.contains(&c.section)) {
            owners.push(m);
            planned.push(check.spec.check.clone());
            names.push(check.spec.name.clone());
        }
    }
    let mut verdicts = vec![(Verdict::NoChecks, Vec::new()); matches.len()];
    if planned.is_empty() {
        return Ok(verdicts);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let engine = Engine::new(Context::default().with_timeout(config.timeout))
        .concurrency(config.concurrency);
    let checks: Arc<[Check]> = planned.into();
    let mut outcomes = vec![None; checks.len()];
    runtime.block_on(engine.run(checks, |index, outcome| outcomes[index] = Some(outcome)));
    for ((owner, name), outcome) in owners.iter().zip(names).zip(outcomes) {
        let Some(outcome) = outcome else { continue };
        for secret in &outcome.observation.secrets {
            redactor.add_secret(secret);
        }
        verdicts[*owner].1.push(CheckRun { name, status: outcome.status });
    }
    for (verdict, runs) in &mut verdicts {
        if !runs.is_empty() {
            *verdict = if runs.iter().any(|r| r.status != Status::Pass) {
                Verdict::Confirmed
            } else {
                Verdict::RuledOut
            };
        }
    }
    Ok(verdicts)
}

/// A ranked diagnosis, ready to render.
struct Report<'a, 'k> {
    kb: &'k KnowledgeBase,
    query: &'a Query,
    matches: &'a [Match<'k>],
    checks: &'a [(Verdict, Vec<CheckRun>)],
    explain: bool,
    checked: bool,
}

impl Report<'_, '_> {
    fn json(&self, redactor: &Redactor) -> anyhow::Result<()> {
        let matches: Vec<serde_json::Value> = self
            .matches
            .iter()
            .zip(self.checks)
            .map(|(m, (verdict, runs))| {
                let entry = m.entry;
                let mut value = serde_json::json!({
                    "guide": self.kb.guide_of(entry).path,
                    "section": entry.heading,
                    "title": entry.title,
                    "line": entry.line,
                    "breadcrumb": entry.breadcrumb,
                    "score": (f64::from(m.score) * 1000.0).round() / 1000.0,
                    "cause": entry.cause,
                    "fix": entry.fix,
                    "evidence": m.evidence.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
                    "signature": m.explanation.signature.as_ref().map(|s| &s.text),
                    "near_exact": m.explanation.signature.as_ref().is_some_and(|s| s.near_exact),
                    "same_error_as": m.same_error_as,
                });
                if self.checked {
                    value["check"] = serde_json::json!({ "verdict": verdict, "checks": runs });
                }
                if self.explain {
                    value["explanation"] = serde_json::to_value(&m.explanation).unwrap_or_default();
                }
                value
            })
            .collect();
        let mut matches = matches;
        for m in &mut matches {
            // Where the answer is stays as the guide writes it (a heading such as
            // "unexpected token: CURSOR" is not a secret); what came from the input or
            // is shown as text is redacted.
            let keep: Vec<(String, serde_json::Value)> =
                ["guide", "section", "title", "breadcrumb"]
                    .iter()
                    .map(|k| ((*k).to_owned(), m[*k].take()))
                    .collect();
            redact_json(m, redactor);
            for (k, v) in keep {
                m[k] = v;
            }
        }
        let mut doc = serde_json::json!({
            "matches": matches,
            "notes": self.query.notes(),
            "context": self.query.context(),
        });
        for key in ["notes", "context"] {
            redact_json(&mut doc[key], redactor);
        }
        render::line(&serde_json::to_string_pretty(&doc)?);
        Ok(())
    }

    fn human(&self, redactor: &Redactor) {
        let out = |text: &str| render::line(&redactor.redact(text));
        for note in self.query.notes() {
            render::error_line(&format!("note: {note}"));
        }
        if self.matches.is_empty() {
            out("no guide section matches this input");
            return;
        }
        for (rank, (m, (verdict, runs))) in self.matches.iter().zip(self.checks).enumerate() {
            let entry = m.entry;
            let guide = self.kb.guide_of(entry);
            if rank > 0 {
                out("");
            }
            out(&format!("{}. {}  (score {:.1})", rank + 1, entry.title, m.score));
            let mut place = format!("   {}:{}", guide.path.display(), entry.line);
            if !entry.breadcrumb.is_empty() {
                place.push_str(&format!("  ({})", entry.breadcrumb.join(" › ")));
            }
            out(&place);
            if let Some(first) = m.same_error_as {
                out(&format!("   the same error as #{} (explained in both guides)", first + 1));
            }
            if let Some(hit) = &m.explanation.signature {
                let how = if hit.near_exact { "near-exact" } else { "partial" };
                out(&format!("   matched: {} ({how}, {:.0}%)", hit.text, hit.coverage * 100.0));
            }
            for e in &m.evidence {
                out(&format!("   evidence: line {}: {}", e.line, e.text));
            }
            if self.checked {
                let what = match verdict {
                    Verdict::Confirmed => "confirmed: a detector check failed",
                    Verdict::RuledOut => "ruled out: every detector check passed",
                    Verdict::NoChecks => "not checked: this symptom has no detector checks",
                };
                out(&format!("   check: {what}"));
                for r in runs {
                    out(&format!("     {:?} {}", r.status, r.name));
                }
            }
            if !entry.cause.is_empty() {
                let cause: String = entry.cause.split_whitespace().collect::<Vec<_>>().join(" ");
                let short: String = cause.chars().take(300).collect();
                let more = if short.len() < cause.len() { "…" } else { "" };
                out(&format!("   cause: {short}{more}"));
            }
            if !entry.fix.is_empty() {
                out("   fix:");
                for line in entry.fix.iter().take(12) {
                    out(&format!("     {line}"));
                }
                if entry.fix.len() > 12 {
                    out(&format!("     … {} more lines in the guide", entry.fix.len() - 12));
                }
            }
            if self.explain {
                out(&format!("   why: {}", explain_line(m)));
            }
        }
    }
}

/// One line saying how a score was made.
fn explain_line(m: &Match<'_>) -> String {
    let x = &m.explanation;
    let mut parts = Vec::new();
    if let Some(hit) = &x.signature {
        parts.push(format!(
            "signature {:.1} ({:?} signature, {:.0}% of its weight found)",
            hit.score,
            hit.origin,
            hit.coverage * 100.0
        ));
    }
    let terms: Vec<String> = x.terms.iter().map(|(t, w)| format!("{t} {w:.1}")).collect();
    parts.push(format!("lexical {:.1} [{}]", x.lexical, terms.join(", ")));
    let mut lift = format!("× {:.2} (guide similarity {:.2}", x.lift, x.guide_similarity);
    if !x.context.is_empty() {
        lift.push_str(&format!(", input names {}", x.context.join(", ")));
    }
    lift.push(')');
    format!(
        "{} {lift}{}",
        parts.join(" + "),
        if m.entry.generic { " × 0.6 (procedure section)" } else { "" }
    )
}

/// Redacts every string of a JSON document in place.
fn redact_json(value: &mut serde_json::Value, redactor: &Redactor) {
    match value {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(masked) = redactor.redact(s) {
                *s = masked;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| redact_json(v, redactor)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| redact_json(v, redactor)),
        _ => {}
    }
}

pub(crate) fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

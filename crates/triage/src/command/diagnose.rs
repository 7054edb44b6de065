//! `triage diagnose`: ranks the guide sections that explain an error message, a log
//! excerpt or a log file, with the cause, the fix and the evidence lines.
//!
//! Pipeline: read the input within bounds (`triage_kb::Query`), load the guides, build the
//! knowledge base, rank, optionally run the top candidates' detector checks (`--check`) to
//! confirm or rule them out, render. Exit 0 when something matched, 1 when nothing did.
//!
//! The built knowledge base is cached on disk (`triage_kb::Cache`), keyed by the triage
//! build, every guide file's path and bytes and the variables in force. A run that finds
//! its key there reads the knowledge base back, with the guides' diagnostics and secret
//! values, and parses no guide at all; any other run loads and builds as before and then
//! writes the cache. Runs with a secret-named variable from outside the guides
//! (`--var`, `TRIAGE_VAR_*`, the config) neither read nor write the cache: guide text
//! expanded with such a value must not reach the disk.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use triage_core::redact::{Redactor, is_secret_name};
use triage_core::{Diagnostic, Level, Span, Status};
use triage_guide::LoadOptions;
use triage_kb::{Cache, CacheKey, KeyHasher, KnowledgeBase, Match, Query};
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
    /// Build the knowledge base afresh: neither read nor write the on-disk cache
    /// ($TRIAGE_CACHE_DIR, else $XDG_CACHE_HOME/triage, else ~/.cache/triage).
    #[arg(long)]
    pub no_cache: bool,
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
    let Prepared { kb, diagnostics, mut redactor, loaded } = prepare(&args, &config)?;
    render::diagnostics(&diagnostics)?;
    let mut matches = kb.diagnose(&query, usize::from(args.top));
    let mut checks = vec![(Verdict::NoChecks, Vec::new()); matches.len()];
    if let Some(loaded) = loaded.as_ref().filter(|_| args.check && !matches.is_empty()) {
        checks = run_checks(loaded, &matches, &config, &mut redactor)?;
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

/// What ranking needs: the knowledge base, the guides' diagnostics, the redactor, and the
/// loaded guides themselves when the run parsed them (always with `--check`).
struct Prepared {
    kb: KnowledgeBase,
    diagnostics: Vec<Diagnostic>,
    redactor: Redactor,
    loaded: Option<Loaded>,
}

/// The knowledge base from the cache when it holds this guide set's current build, else
/// loaded, built and cached.
fn prepare(args: &DiagnoseArgs, config: &Config) -> anyhow::Result<Prepared> {
    let files = guide_files(&args.guides, config)?;
    let options = load_options(&args.vars, config);
    let cache = (!args.no_cache && !secret_vars_in_force(&options)).then(Cache::from_env);
    let sources: Option<Vec<Vec<u8>>> =
        cache.as_ref().and(files.iter().map(|f| std::fs::read(f).ok()).collect());
    let (Some(Some(cache)), Some(sources)) = (cache, sources) else {
        let loaded = load::load(&GuideArgs { paths: files, vars: args.vars.clone() }, config)?;
        return Ok(Prepared {
            kb: knowledge_base(&loaded),
            diagnostics: loaded.diagnostics.clone(),
            redactor: loaded.redactor.clone(),
            loaded: Some(loaded),
        });
    };
    let (name, key) = cache_keys(&files, &sources, &options, config);
    if !args.check
        && let Some((kb, extra)) = cache.load(&name, &key)
        && let Ok(extra) = serde_json::from_slice::<CachedExtra>(&extra)
    {
        tracing::debug!(file = %cache.path(&name).display(), "knowledge base read from the cache");
        let redactor = extra.redactor();
        return Ok(Prepared {
            kb,
            diagnostics: extra.diagnostics.into_iter().map(Diagnostic::from).collect(),
            redactor,
            loaded: None,
        });
    }
    let loaded = load::load(&GuideArgs { paths: files.clone(), vars: args.vars.clone() }, config)?;
    // Built from the very bytes the key was computed from, when every guide loaded.
    let same = loaded.guides.len() == files.len()
        && loaded.guides.iter().zip(&files).all(|(lg, f)| lg.guide.path == *f);
    let kb = if same {
        build(&loaded, |i| triage_core::text::lossy(&sources[i]).into_owned())
    } else {
        knowledge_base(&loaded)
    };
    if same {
        let extra = CachedExtra::of(&loaded);
        let stored = serde_json::to_vec(&extra)
            .map_err(std::io::Error::other)
            .and_then(|extra| cache.store(&name, &key, &kb, &extra));
        match stored {
            Ok(()) => tracing::debug!(file = %cache.path(&name).display(), "knowledge base cached"),
            Err(error) => tracing::debug!(%error, "knowledge base not cached"),
        }
    }
    Ok(Prepared {
        kb,
        diagnostics: loaded.diagnostics.clone(),
        redactor: loaded.redactor.clone(),
        loaded: Some(loaded),
    })
}

/// The variable sources the loader uses, as `load::load` layers them: the process's
/// `TRIAGE_VAR_*`, the config file's variables under them, `--var` over all.
pub(crate) fn load_options(vars: &[(String, String)], config: &Config) -> LoadOptions {
    let overrides: BTreeMap<String, String> = vars.iter().cloned().collect();
    let mut options = LoadOptions::from_process_env(overrides);
    for (name, value) in &config.vars {
        options
            .env
            .entry(format!("{}{name}", triage_guide::ENV_PREFIX))
            .or_insert_with(|| value.clone());
    }
    options
}

/// Whether a variable from outside the guides has a secret's name: its value may be
/// expanded into guide text, which must then not be cached on disk.
fn secret_vars_in_force(options: &LoadOptions) -> bool {
    options.env.keys().chain(options.overrides.keys()).any(|name| is_secret_name(name))
}

/// The cache file's name (the guide set: this build of triage, the guide paths, the
/// variables, the default timeout) and the content key (the same, plus every guide's
/// bytes).
fn cache_keys(
    files: &[PathBuf],
    sources: &[Vec<u8>],
    options: &LoadOptions,
    config: &Config,
) -> (CacheKey, CacheKey) {
    let mut hasher = KeyHasher::new(env!("CARGO_PKG_VERSION"));
    // Builds of one version differ while it is developed: the executable tells them apart.
    let exe = std::env::current_exe().and_then(std::fs::metadata).ok();
    hasher.part(format!("{:?}", exe.map(|m| (m.len(), m.modified().ok()))).as_bytes());
    hasher.part(format!("{:?}", config.timeout).as_bytes());
    for (name, value) in &options.env {
        hasher.var(name, value);
    }
    hasher.part(b"overrides");
    for (name, value) in &options.overrides {
        hasher.var(name, value);
    }
    for file in files {
        hasher.part(file.as_os_str().as_encoded_bytes());
    }
    let name = hasher.clone().finish();
    for (file, bytes) in files.iter().zip(sources) {
        hasher.file(file, bytes);
    }
    (name, hasher.finish())
}

/// What a run needs from the guides besides the knowledge base, cached beside it.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedExtra {
    diagnostics: Vec<CachedDiagnostic>,
    /// Values of the guides' secret-named variables, in load order (for the redactor).
    secrets: Vec<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedDiagnostic {
    error: bool,
    path: PathBuf,
    span: (u32, u32, u32),
    message: String,
    source_line: Option<String>,
}

impl CachedExtra {
    fn of(loaded: &Loaded) -> Self {
        let diagnostics = loaded
            .diagnostics
            .iter()
            .map(|d| CachedDiagnostic {
                error: d.level == Level::Error,
                path: d.path.clone(),
                span: (d.span.line, d.span.col, d.span.len),
                message: d.message.clone(),
                source_line: d.source_line.clone(),
            })
            .collect();
        let secrets = loaded
            .guides
            .iter()
            .flat_map(|lg| &lg.guide.vars)
            .filter(|(name, _)| is_secret_name(name))
            .map(|(_, value)| value.clone())
            .chain(loaded.guides.iter().flat_map(|lg| lg.command_secrets.iter().cloned()))
            .collect();
        CachedExtra { diagnostics, secrets }
    }

    /// The redactor `load::load` makes: with no secret-named variable from outside the
    /// guides (else nothing is cached), the guides' secret values and the passwords in
    /// their commands alone.
    fn redactor(&self) -> Redactor {
        let mut redactor = Redactor::default();
        for secret in &self.secrets {
            redactor.add_secret(secret);
        }
        redactor
    }
}

impl From<CachedDiagnostic> for Diagnostic {
    fn from(d: CachedDiagnostic) -> Self {
        let span = Span::new(d.span.0, d.span.1, d.span.2);
        let mut diagnostic = if d.error {
            Diagnostic::error(&d.path, span, d.message)
        } else {
            Diagnostic::warning(&d.path, span, d.message)
        };
        diagnostic.source_line = d.source_line;
        diagnostic
    }
}

/// Loads the guides `--guides` names (else the config's, else `./guides`), Markdown and
/// Markdown-like `.txt` files alike.
pub(crate) fn load_guides(
    paths: &[PathBuf],
    vars: &[(String, String)],
    config: &Config,
) -> anyhow::Result<Loaded> {
    let files = guide_files(paths, config)?;
    load::load(&GuideArgs { paths: files, vars: vars.to_vec() }, config)
}

/// The guide files `paths` name (else the config's guides, else `./guides`).
fn guide_files(paths: &[PathBuf], config: &Config) -> anyhow::Result<Vec<PathBuf>> {
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
    Ok(files)
}

/// The knowledge base of every loaded guide, in load order (so entry guide indexes are
/// `loaded.guides` indexes).
pub(crate) fn knowledge_base(loaded: &Loaded) -> KnowledgeBase {
    // The loader keeps the model, not the text; extraction needs the text again.
    build(loaded, |i| {
        std::fs::read(&loaded.guides[i].guide.path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    })
}

/// The knowledge base of the loaded guides, with `source(i)` the text of guide `i`.
fn build(loaded: &Loaded, source: impl Fn(usize) -> String) -> KnowledgeBase {
    let sources: Vec<String> = (0..loaded.guides.len()).map(source).collect();
    let guides: Vec<(&triage_guide::Guide, &str)> =
        loaded.guides.iter().zip(&sources).map(|(lg, s)| (&lg.guide, s.as_str())).collect();
    let mut builder = triage_kb::Builder::new();
    builder.add_guides(&guides);
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

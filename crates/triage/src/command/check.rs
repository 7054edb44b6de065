//! `triage check`: runs the guides' checks and reports what is broken.

use std::sync::Arc;
use std::time::Instant;

use triage_probe::{Check, Context, Engine, Outcome};

use crate::cli::{CheckArgs, Format};
use crate::config::Config;
use crate::exit::Exit;
use crate::load::{self, Loaded, PlannedCheck};
use crate::progress::Progress;
use crate::render;
use crate::report::{Entry, Report};

/// Loads, filters, runs and reports. Exit: 2 when a check block was broken, else 1 when a
/// check failed, else 0.
pub(crate) fn run(args: CheckArgs, mut config: Config) -> anyhow::Result<Exit> {
    let started = Instant::now();
    if let Some(timeout) = args.timeout {
        config.timeout = timeout;
    }
    if let Some(n) = args.concurrency {
        config.concurrency = usize::try_from(n).unwrap_or(usize::MAX);
    }
    let loaded = load::load(&args.guides, &config)?;
    let selected = select(&loaded, &args);
    let checks: Arc<[Check]> =
        selected.iter().map(|(g, c)| loaded.guides[*g].checks[*c].spec.check.clone()).collect();

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let engine = Engine::new(Context::default().with_timeout(config.timeout))
        .concurrency(config.concurrency);
    let progress = Progress::new(checks.len());
    let mut outcomes: Vec<Option<Outcome>> = vec![None; checks.len()];
    runtime.block_on(engine.run(checks, |index, outcome| {
        progress.tick();
        outcomes[index] = Some(outcome);
    }));
    progress.finish();

    let mut redactor = loaded.redactor.clone();
    let mut entries = Vec::with_capacity(selected.len());
    for ((g, c), outcome) in selected.iter().zip(outcomes) {
        let Some(outcome) = outcome else { continue };
        for secret in &outcome.observation.secrets {
            redactor.add_secret(secret);
        }
        let loaded_guide = &loaded.guides[*g];
        let check = &loaded_guide.checks[*c];
        let guide = &loaded_guide.guide;
        entries.push(Entry {
            guide,
            section: guide.section(check.section),
            check,
            outcome,
            symptom: guide.symptom_of(check.section),
        });
    }
    let report = Report { entries, diagnostics: &loaded.diagnostics, elapsed: started.elapsed() };
    render::diagnostics(&loaded.diagnostics)?;
    match args.format {
        Format::Human => render::human::check(&report, &redactor, args.failing)?,
        Format::Json => render::json::check(&report, &redactor, args.failing)?,
        Format::Junit => render::junit::check(&report, &redactor, args.failing)?,
        Format::Tap => render::tap::check(&report, &redactor, args.failing)?,
    }
    let summary = report.summary();
    Ok(if loaded.has_errors() {
        Exit::Error
    } else if summary.failed > 0 {
        Exit::Findings
    } else {
        Exit::Healthy
    })
}

/// (guide index, check index) of every check the filters keep, in document order.
fn select(loaded: &Loaded, args: &CheckArgs) -> Vec<(usize, usize)> {
    let section = args.section.as_deref().map(str::to_lowercase);
    let mut picked = Vec::new();
    for (g, lg) in loaded.guides.iter().enumerate() {
        for (c, check) in lg.checks.iter().enumerate() {
            if let Some(wanted) = &section {
                let crumbs = lg.guide.breadcrumb(check.section).join(" / ").to_lowercase();
                if !crumbs.contains(wanted.as_str()) {
                    continue;
                }
            }
            if !args.tag.is_empty() && !has_tag(check, &lg.guide.tags, &args.tag) {
                continue;
            }
            picked.push((g, c));
        }
    }
    picked
}

fn has_tag(check: &PlannedCheck, guide_tags: &[String], wanted: &[String]) -> bool {
    wanted
        .iter()
        .any(|w| check.spec.tags.iter().chain(guide_tags).any(|t| t.eq_ignore_ascii_case(w)))
}

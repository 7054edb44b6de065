//! Loading stage: guide paths in, parsed guides and runnable checks out, with every
//! problem found on the way as a diagnostic. One broken guide or block never stops the
//! others from loading.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use triage_core::redact::Redactor;
use triage_core::{Diagnostic, Span};
use triage_guide::{Attributes, CheckBlock, Guide, LoadOptions, SectionId};

use crate::check_block::{self, CheckSpec};
use crate::cli::GuideArgs;
use crate::config::Config;

/// The folder read when no guide path is given.
pub(crate) const DEFAULT_GUIDES: &str = "guides";

/// Everything loaded for one run.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// Guides in path order.
    pub guides: Vec<LoadedGuide>,
    /// Problems in any guide, in path order.
    pub diagnostics: Vec<Diagnostic>,
    /// Masks the secrets this run knows of: secret-looking variables and their values.
    pub redactor: Redactor,
}

/// One guide with its runnable checks.
#[derive(Debug)]
pub(crate) struct LoadedGuide {
    /// The parsed guide.
    pub guide: Guide,
    /// Checks that parsed, in document order.
    pub checks: Vec<PlannedCheck>,
    /// Passwords written in the guide's commands (`redis-cli -a PW`), which fix steps and
    /// inferred check names show: the redactor masks them.
    pub command_secrets: Vec<String>,
}

/// A runnable check and where it sits.
#[derive(Debug, Clone)]
pub(crate) struct PlannedCheck {
    /// The section holding the block.
    pub section: SectionId,
    /// The line of the block's opening fence.
    pub line: u32,
    /// The check itself.
    pub spec: CheckSpec,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.level == triage_core::Level::Error)
    }
}

/// Loads the guides `args` names (default `./guides`).
pub(crate) fn load(args: &GuideArgs, config: &Config) -> anyhow::Result<Loaded> {
    let default_timeout = config.timeout;
    let paths = if !args.paths.is_empty() {
        args.paths.clone()
    } else if !config.guides.is_empty() {
        config.guides.clone()
    } else {
        let default = PathBuf::from(DEFAULT_GUIDES);
        if !default.is_dir() {
            bail!("no guide paths given and ./{DEFAULT_GUIDES} does not exist");
        }
        vec![default]
    };
    let files = triage_guide::discover(&paths).context("finding guides")?;
    if files.is_empty() {
        bail!("no guides found in {}", display_paths(&paths));
    }
    let overrides: BTreeMap<String, String> = args.vars.iter().cloned().collect();
    let mut options = LoadOptions::from_process_env(overrides.clone());
    // Config-file variables sit between the guides' front matter and the environment.
    for (name, value) in &config.vars {
        options
            .env
            .entry(format!("{}{name}", triage_guide::ENV_PREFIX))
            .or_insert_with(|| value.clone());
    }
    let mut redactor = Redactor::default();
    redactor.add_secret_vars(overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    redactor.add_secret_vars(options.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));

    let mut loaded = Loaded { guides: Vec::new(), diagnostics: Vec::new(), redactor };
    // Guides are read on every core; the results come back in path order.
    let results = triage_core::parallel::in_shares(
        &files,
        |file| std::fs::metadata(file).map_or(0, |m| m.len() as usize),
        64 * 1024,
        |share| share.iter().map(|file| load_one(file, &options, default_timeout)).collect(),
    );
    for result in results.into_iter().flat_map(|share: Vec<_>| share) {
        match result {
            Ok((guide, mut diagnostics)) => {
                loaded.redactor.add_secret_vars(
                    guide.guide.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                );
                for secret in &guide.command_secrets {
                    loaded.redactor.add_secret(secret);
                }
                loaded.diagnostics.append(&mut diagnostics);
                loaded.guides.push(guide);
            }
            Err(diagnostic) => loaded.diagnostics.push(diagnostic),
        }
    }
    // Diagnostics quote guide lines, which may hold a password the run now knows of.
    for diagnostic in &mut loaded.diagnostics {
        diagnostic.message = loaded.redactor.redact(&diagnostic.message).into_owned();
        if let Some(line) = &mut diagnostic.source_line {
            *line = loaded.redactor.redact(line).into_owned();
        }
    }
    Ok(loaded)
}

fn load_one(
    path: &Path,
    options: &LoadOptions,
    default_timeout: Duration,
) -> Result<(LoadedGuide, Vec<Diagnostic>), Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(path, Span::new(1, 1, 1), format!("cannot read guide: {e}"))
    })?;
    let text = triage_core::text::lossy(&bytes);
    let mut diagnostics = Vec::new();
    if let std::borrow::Cow::Owned(_) = text {
        diagnostics.push(Diagnostic::warning(
            path,
            Span::new(1, 1, 1),
            "guide is not valid UTF-8; invalid bytes were replaced",
        ));
    }
    let parsed = triage_guide::parse(path, &text, options);
    diagnostics.extend(parsed.diagnostics);
    let guide = parsed.guide;

    let mut checks = Vec::new();
    let mut names: HashMap<String, u32> = HashMap::new();
    // Check blocks are independent: a guide with many is read on all cores.
    let blocks: Vec<_> = guide.checks().collect();
    let specs = triage_core::parallel::in_shares(
        &blocks,
        |(_, block)| block.source.len(),
        triage_guide::PARALLEL_CHECK_BYTES,
        |share| {
            share
                .iter()
                .map(|(_, block)| check_block::parse(block, path, &text, default_timeout))
                .collect::<Vec<_>>()
        },
    );
    for ((section, block), spec) in blocks.into_iter().zip(specs.into_iter().flatten()) {
        match spec {
            Ok(spec) => {
                if spec.named {
                    if let Some(first) = names.get(&spec.name) {
                        diagnostics.push(
                            Diagnostic::error(
                                path,
                                block.span,
                                format!(
                                    "duplicate check name `{}` (first used on line {first})",
                                    spec.name
                                ),
                            )
                            .with_source(&text),
                        );
                    } else {
                        names.insert(spec.name.clone(), block.span.line);
                    }
                }
                checks.push(PlannedCheck { section: section.id, line: block.span.line, spec });
            }
            Err(mut problems) => diagnostics.append(&mut problems),
        }
    }
    // A guide nobody annotated still has checks: the well-known commands it shows.
    for inferred in triage_kb::inferred_checks(&guide) {
        let block = inferred_block(&inferred);
        match check_block::parse(&block, path, &text, default_timeout) {
            Ok(spec) => {
                checks.push(PlannedCheck { section: inferred.section, line: inferred.line, spec })
            }
            // Not the author's mistake: they wrote a command, triage read it wrong.
            Err(problems) => diagnostics.extend(problems.into_iter().map(|mut d| {
                d.level = triage_core::Level::Warning;
                d.message = format!(
                    "cannot run `{}` as a native {} check: {}",
                    inferred.probe.command, inferred.probe.kind, d.message
                );
                d
            })),
        }
    }
    let command_secrets = triage_kb::guide_secrets(&guide);
    Ok((LoadedGuide { guide, checks, command_secrets }, diagnostics))
}

/// The ` ```check ` block an annotated guide would hold for an inferred check, placed on
/// the command's line.
fn inferred_block(inferred: &triage_kb::InferredCheck) -> CheckBlock {
    let name = serde_json::to_string(&inferred.name).unwrap_or_default();
    let len = inferred.probe.command.chars().count().max(1) as u32;
    CheckBlock {
        span: Span::new(inferred.line, 1, len),
        content_line: inferred.line,
        source: format!("name: {name}\n{}", inferred.probe.check),
        attributes: Attributes::new(),
        name: Some(inferred.name.clone()),
        yaml: None,
    }
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

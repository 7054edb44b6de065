//! The plan of a procedure: the steps of a guide's shell blocks, in document order, each
//! with its risk. Making a plan runs nothing.

use serde::Serialize;
use triage_guide::{CodeBlock, Guide};

use crate::risk::{self, Risk};

/// One step: a shell block (or, in a `console` block, one `$ ` command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The command text, as the block holds it.
    pub command: String,
    /// How risky it is.
    pub risk: Risk,
    /// Why.
    pub reasons: Vec<String>,
    /// The heading path of the section holding it.
    pub section: Vec<String>,
    /// The 1-based line of its first command in the guide.
    pub line: u32,
    /// The shell that runs it: `bash` or `zsh` for blocks in those languages, else `sh`.
    pub shell: &'static str,
    /// Its block's `timeout` attribute (`timeout=30s`), when it has a valid one.
    #[serde(skip)]
    pub timeout: Option<std::time::Duration>,
    /// Its block's attributes the executor honours (`name`, `confirm`, `interactive`,
    /// `cwd`, `expect`).
    #[serde(flatten)]
    pub options: StepOptions,
}

/// What a step's block attributes ask of the executor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StepOptions {
    /// `name`: to pick the step by name and in the timeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `confirm=true`: asked for even when the run confirms every step (`--yes`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub confirm: bool,
    /// `interactive=true`: it reads from a terminal, which a run never gives a step.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interactive: bool,
    /// `cwd`: the directory it runs in, as written (relative to the guide's folder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// `expect`: text its output must contain for it to succeed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
}

impl StepOptions {
    fn of(attributes: &triage_guide::Attributes) -> Self {
        let flag = |key: &str| attributes.get(key).is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let text = |key: &str| attributes.get(key).filter(|v| !v.is_empty()).cloned();
        StepOptions {
            name: text("name"),
            confirm: flag("confirm"),
            interactive: flag("interactive"),
            cwd: text("cwd"),
            expect: text("expect"),
        }
    }
}

/// Every step of a guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The steps, in document order.
    pub steps: Vec<Step>,
}

impl Plan {
    /// The steps of `guide`'s shell blocks that a run would not skip.
    pub fn of(guide: &Guide) -> Plan {
        let mut steps = Vec::new();
        for section in guide.sections() {
            let path: Vec<String> =
                guide.breadcrumb(section.id).into_iter().map(str::to_owned).collect();
            for block in section.blocks.iter().filter(|b| b.is_shell() && !b.ignored) {
                let shell = match block.lang.to_ascii_lowercase().as_str() {
                    "bash" => "bash",
                    "zsh" => "zsh",
                    _ => "sh",
                };
                let timeout = block
                    .attributes
                    .get("timeout")
                    .and_then(|t| triage_core::duration::parse(t).ok());
                let options = StepOptions::of(&block.attributes);
                for (line, command) in commands(block) {
                    let judged = risk::assess(&command);
                    steps.push(Step {
                        command,
                        risk: judged.risk,
                        reasons: judged.reasons,
                        section: path.clone(),
                        line,
                        shell,
                        timeout,
                        options: options.clone(),
                    });
                }
            }
        }
        Plan { steps }
    }

    /// The most dangerous step's class; `None` for an empty plan.
    pub fn highest(&self) -> Option<Risk> {
        self.steps.iter().map(|s| s.risk).max()
    }
}

/// The commands of a block with their lines: the whole block, or in a session transcript
/// (`console`, `shell-session`) each `$ ` or `# ` prompt line with its continuations, the
/// output lines between them left out.
fn commands(block: &CodeBlock) -> Vec<(u32, String)> {
    let transcript =
        ["console", "shell-session"].iter().any(|l| block.lang.eq_ignore_ascii_case(l));
    let text = block.content.trim_end();
    if text.trim().is_empty() {
        return Vec::new();
    }
    if !transcript {
        return vec![(block.content_line, text.to_owned())];
    }
    let mut out: Vec<(u32, String)> = Vec::new();
    let mut continuing = false;
    for (i, line) in block.content.lines().enumerate() {
        let number = block.content_line + i as u32;
        if continuing {
            if let Some((_, command)) = out.last_mut() {
                command.push('\n');
                command.push_str(line);
            }
        } else if let Some(command) = line.strip_prefix("$ ").or_else(|| line.strip_prefix("# ")) {
            out.push((number, command.to_owned()));
        } else {
            continue;
        }
        continuing = line.ends_with('\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn plan(markdown: &str) -> Plan {
        let parsed = triage_guide::parse(Path::new("g.md"), markdown, &Default::default());
        Plan::of(&parsed.guide)
    }

    #[test]
    fn shell_blocks_are_steps_in_order() {
        let p = plan(
            "# Disk full\n\n```sh\ndf -h\n```\n\n## Fix\n\n```bash\nrm -rf /var/cache/app\n```\n\n```yaml\na: 1\n```\n",
        );
        let got: Vec<(&str, Risk, u32)> =
            p.steps.iter().map(|s| (s.command.as_str(), s.risk, s.line)).collect();
        assert_eq!(
            got,
            vec![("df -h", Risk::ReadOnly, 4), ("rm -rf /var/cache/app", Risk::Destructive, 10)]
        );
        assert_eq!(p.steps[1].section, vec!["Disk full", "Fix"]);
        assert_eq!((p.steps[0].shell, p.steps[1].shell), ("sh", "bash"));
        assert_eq!(p.highest(), Some(Risk::Destructive));
    }

    #[test]
    fn the_attributes_the_executor_honours_are_kept() {
        let p = plan(
            "# T\n\n```sh { timeout=90s name=wait confirm=true cwd=sub }\nsleep 1\n```\n\n```sh {\"expect\":\"active (running)\",\"interactive\":\"true\"}\nx\n```\n",
        );
        assert_eq!(p.steps[0].timeout, Some(std::time::Duration::from_secs(90)));
        let o = &p.steps[0].options;
        assert_eq!(
            (o.name.as_deref(), o.confirm, o.cwd.as_deref()),
            (Some("wait"), true, Some("sub"))
        );
        let o = &p.steps[1].options;
        assert_eq!((o.expect.as_deref(), o.interactive), (Some("active (running)"), true));
    }

    #[test]
    fn a_transcript_gives_its_prompt_lines() {
        let p = plan(
            "# T\n\n```console\n$ systemctl status x\nactive (running)\n$ ls \\\n  /tmp\nfile\n```\n",
        );
        let got: Vec<&str> = p.steps.iter().map(|s| s.command.as_str()).collect();
        assert_eq!(got, vec!["systemctl status x", "ls \\\n  /tmp"]);
        assert_eq!(p.steps[1].line, 6);
    }
}

//! Structural headings: the parts of a symptom (`Cause`, `Solution`, `Symptoms`, ...) that
//! are never an answer on their own.
//!
//! A guide often splits one problem into subheadings; the answer to "which section explains
//! this error" is the problem's heading, so a structural section's content is folded into
//! its nearest non-structural ancestor.

/// Words that name parts of a problem's write-up. A title made only of these (and of
/// numbering, parenthesised asides and little words) is structural: `Diagnostic Commands`,
/// `Common Causes and Solutions`, `Immediate Actions (5 minutes)`, `Resolution Steps`.
const PART_WORDS: &[&str] = &[
    "cause", "causes", "possible", "common", "root", "likely", "analysis", "solution", "solutions",
    "fix", "fixes", "fixing", "resolution", "resolutions", "resolve", "resolving", "remediation",
    "workaround", "workarounds", "recovery", "mitigation", "mitigations", "symptom", "symptoms",
    "description", "diagnosis", "diagnostic", "diagnostics", "diagnose", "diagnosing", "command",
    "commands", "steps", "step", "investigation", "investigate", "example", "examples", "output",
    "sample", "verification", "verify", "verifying", "details", "background", "explanation",
    "problem", "context", "notes", "note", "prevention", "preventing", "how", "to", "it", "and",
    "or", "what", "do", "next", "troubleshooting", "check", "checks", "procedure", "procedures",
    "actions", "action", "response", "immediate", "assessment", "quick", "manual", "patterns",
    "pattern", "identify", "identification", "reason", "reasons", "why", "happens", "impact",
    "debugging", "debug", "tips", "additional", "further", "the", "a", "an", "of", "for", "this",
    "error", "errors", "message", "messages", "log", "logs", "checklist", "expected", "result",
    "results", "recommended", "suggested", "options", "option", "alternative", "alternatives",
    "first", "then", "short", "term", "long", "temporary", "permanent", "validation", "validate",
];

/// Whether a heading title names a part of a section rather than a problem.
pub(crate) fn is_structural(title: &str) -> bool {
    let lower = title.to_lowercase();
    // Parenthesised asides (`(5 minutes)`) say nothing about what the part is.
    let mut core = String::with_capacity(lower.len());
    let mut depth = 0usize;
    for c in lower.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => core.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = core
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    !words.is_empty()
        && words.iter().any(|w| {
            !matches!(*w, "the" | "a" | "an" | "and" | "or" | "of" | "to" | "for" | "it" | "this")
        })
        && words.iter().all(|w| PART_WORDS.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_structural_problems_are_not() {
        for t in [
            "Solution", "2. How to fix:", "Possible causes", "Symptoms", "Step 1: Diagnosis",
            "Resolution.",
        ] {
            assert!(is_structural(t), "{t}");
        }
        for t in [
            "Diagnostic Commands", "Common Causes and Solutions", "Immediate Actions (5 minutes)",
            "Root Cause Analysis",
        ] {
            assert!(is_structural(t), "{t}");
        }
        for t in [
            "Port already in use", "Overlaps", "1. Service Won't Start", "Connection refused",
            "Known Issues", "Thanos Receiver Log", "Build Troubleshooting", "The",
        ] {
            assert!(!is_structural(t), "{t}");
        }
    }
}

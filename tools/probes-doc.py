#!/usr/bin/env python3
"""Rebuilds docs/probes.md from the `//!` module docs of crates/probe/src/kind/*.rs.

Each kind's module doc is the source of truth (fields, defaults, placeholders, one
example); this script only joins them in the order of the `kinds!` list in lib.rs and
turns the ```yaml examples into ```check blocks, so the page is itself a guide that
`triage lint docs/probes.md` checks. A test in crates/probe checks the page is complete.

Usage: python3 tools/probes-doc.py   (from the repository root)
"""
import re
from pathlib import Path

root = Path(__file__).resolve().parent.parent
kind_dir = root / "crates/probe/src/kind"
lib = (root / "crates/probe/src/lib.rs").read_text()
names = re.findall(r'^\s*"([a-z_]+)" => \w+\(kind::', lib, re.M)

sources = {}
for name in names:
    src = kind_dir / f"{name}.rs"
    sources[name] = src if src.exists() else kind_dir / name / "mod.rs"
# Every variable the examples use gets a sample value, so the page lints as a guide.
used = sorted(set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", "".join(p.read_text() for p in sources.values()))))
out = ["---", "title: Probe kinds", "vars:"]
out += [f"  {v}: localhost" for v in used] or ["  HOST: localhost"]
out += [
    "---",
    "",
    "# Probe kinds",
    "",
    "Every `check` block names one probe `kind`; the fields below are that kind's, beside the",
    "fields every check has (`name`, `expect`, `timeout`, `retries`, `severity`, `tags`: see",
    "[guide-format.md](guide-format.md)). A probe only observes: it binds the placeholders",
    "listed for its kind, and the check's `expect` conditions ([conditions.md](conditions.md))",
    "decide. When a check lists no conditions, the kind's default expectation applies.",
    "",
    "This page is generated from the kinds' module docs by `tools/probes-doc.py`; each example",
    "is a real check block, linted by the test suite.",
    "",
]
out.append("| kind | looks at |")
out.append("| --- | --- |")
docs = {}
for name in names:
    src = sources[name]
    lines = []
    for line in src.read_text().splitlines():
        if line.startswith("//!"):
            lines.append(line[4:] if line.startswith("//! ") else line[3:])
        elif lines:
            break
    text = "\n".join(lines).strip()
    first, _, rest = text.partition("\n")
    summary = re.sub(r"^`kind: [a-z_]+`:?\s*", "", first).strip()
    docs[name] = (summary, rest.strip())
    out.append(f"| [`{name}`](#kind-{name}) | {summary} |")
out.append("")
for name in names:
    summary, rest = docs[name]
    rest = re.sub(r"```ya?ml\n", "```check\n", rest)
    rest = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", rest, flags=re.M)
    out += [f"## `kind: {name}`", "", summary, "", rest, ""]
(root / "docs/probes.md").write_text("\n".join(out).rstrip() + "\n")
print(f"docs/probes.md: {len(names)} kinds")

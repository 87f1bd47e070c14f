"""docs/rules.md, generated from rules/catalog.toml: where SARIF `helpUri` and `offramp explain` link.

The page is data rendered, never written by hand: `offramp rules --output-format markdown >
docs/rules.md` regenerates it and tests/test_rules_doc.py fails when the file and the catalogue
differ. Each rule is a `## OFR101 openai-client` section, whose GitHub anchor (`#ofr101-openai-client`)
is what `Rule.url` points at.
"""

from __future__ import annotations

from typing import List

from offramp import REPOSITORY
from offramp.catalog import load_rules
from offramp.types import Rule

DOCS_PATH = "docs/rules.md"


def heading(rule: Rule) -> str:
    return f"{rule.code} {rule.name}"


def anchor(rule: Rule) -> str:
    """GitHub's slug of the section heading: lower case, spaces to hyphens (codes and names are [a-z0-9-])."""
    return heading(rule).lower().replace(" ", "-")


def rule_url(rule: Rule) -> str:
    return f"{REPOSITORY}/blob/main/{DOCS_PATH}#{anchor(rule)}"


def render_rules_markdown() -> str:
    rules = load_rules()
    lines: List[str] = [
        "# offramp rules",
        "",
        "<!-- Generated from rules/catalog.toml by `offramp rules --output-format markdown > docs/rules.md`;",
        "     do not edit by hand (tests/test_rules_doc.py keeps the two in sync). -->",
        "",
        "| code | name | severity | fixable | summary |",
        "|---|---|---|---|---|",
    ]
    for r in rules.values():
        sev = r.severity + (" (with `--to`)" if r.needs_target else "")
        summary = r.summary.replace("|", "\\|")
        lines.append(f"| [{r.code}](#{anchor(r)}) | {r.name} | {sev} | {'yes' if r.fixable else 'no'} | {summary} |")
    for r in rules.values():
        fix = "yes, with `offramp fix --to PROVIDER`" if r.fixable else "no"
        lines += ["", f"## {heading(r)}", "", r.summary, ""]
        only = " Only reported with `--to PROVIDER`." if r.needs_target else ""
        lines.append(f"Severity: {r.severity}. Fixable: {fix}.{only}")
        lines += ["", "### Why", "", r.why.strip()]
        for title, examples in (("Reported", r.invalid), ("Not reported", r.valid)):
            if not examples:
                continue
            lines += ["", f"### {title}", ""]
            for ex in examples:
                if ex.to:
                    lines.append(f"With `--to {ex.to}`:")
                    lines.append("")
                lines += ["```python", ex.code.rstrip("\n"), "```", ""]
                if ex.fixed is not None:
                    lines += [
                        f"After `offramp fix --to {ex.fixed.to}`:",
                        "",
                        "```python",
                        ex.fixed.code.rstrip("\n"),
                        "```",
                        "",
                    ]
            lines.pop()
        suppress = f"Suppress with `# offramp: ignore[{r.code}]` or `# noqa: {r.code}`"
        lines += ["", f"{suppress}; `offramp explain {r.code}` prints this."]
    return "\n".join(lines) + "\n"

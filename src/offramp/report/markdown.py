"""GitHub-flavoured markdown for `$GITHUB_STEP_SUMMARY` and PR comments.

A title and one-line verdict, totals by rule, by severity and by file, the first findings with
links to their lines, and with `--to` what the provider leaves for review (OFR4xx). Links point
at `{GITHUB_SERVER_URL}/{GITHUB_REPOSITORY}/blob/{GITHUB_SHA}/{path}#L{line}` when those are set
(paths relative to GITHUB_WORKSPACE), else they are relative links. All text from findings is
escaped, so a message or path cannot break a table or inject markup; lists and tables are
capped to keep a summary far below GitHub's 1 MiB limit.
"""

from __future__ import annotations

import os
import re
from typing import Dict, List, Optional
from urllib.parse import quote

from offramp.catalog import load_rules
from offramp.report import ReportContext, by_severity, ci_path, counts, one_line, printable, to_option
from offramp.report.concise import footer
from offramp.types import SEVERITIES, Finding

MAX_FINDINGS = 50  # ctx.extra["max_findings"] overrides
MAX_FILES = 100
REVIEW_PREFIX = "OFR4"

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!$])")


def md(text: str) -> str:
    """Literal text on one line: every character markdown (or a table) treats specially is escaped."""
    escaped = _SPECIAL.sub(r"\\\1", one_line(text))
    # A leading `-`, `+` or `1.` would start a (nested) list item; `=` under text a heading.
    return re.sub(r"^([-+=]|\d+[.)])", lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)


def md_code(text: str) -> str:
    """An inline code span that survives backticks in `text` (not for table cells: `|` is kept)."""
    text = one_line(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# A code span as messages write one: "`{value}`", the value possibly holding a backtick itself
# (a model name `a`b`): it opens after a non-word character and closes before one.
_CODE_SPAN = re.compile(r"(?<![\w`])`(?=\S)(.+?)(?<=\S)`(?![\w`])")


def md_text(text: str) -> str:
    """Prose with `code` spans (as messages write them): spans stay code on GitHub, the rest is escaped."""
    text = one_line(text)
    out, last = [], 0
    for m in _CODE_SPAN.finditer(text):
        out += [md(text[last : m.start()]) if m.start() > last else "", md_code(m.group(1))]
        last = m.end()
    out.append(md(text[last:]) if last < len(text) else "")
    return "".join(out)


class _Links:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx = ctx
        env = os.environ
        server, repo, sha = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_SHA")
        self.blob = f"{server.rstrip('/')}/{repo}/blob/{sha}/" if server and repo and sha else None

    def url(self, path: str, line: Optional[int] = None) -> Optional[str]:
        if self.blob is not None:
            target = ci_path(path, self.ctx, "GITHUB_WORKSPACE")
            prefix = self.blob
        else:
            target, prefix = path, ""
        if os.path.isabs(target) or target.startswith("/"):
            return None  # outside the repository: nothing to link to
        anchor = f"#L{line}" if line else ""
        return prefix + quote(printable(target), safe="/") + anchor

    def link(self, text: str, path: str, line: Optional[int] = None) -> str:
        url = self.url(path, line)
        return f"[{md(text)}]({url})" if url else md(text)


def _finding_item(f: Finding, links: _Links) -> str:
    # Notebook lines count within a cell: link to the notebook itself.
    where = links.link(f.location, f.path, f.span.line if f.cell is None else None)
    fix = " *(fixable)*" if f.fixable else ""
    return f"- {where} **{md(f.code)}** {md(f.severity)}: {md_text(f.message)}{fix}"


def _capped(items: List[Finding], limit: int, links: _Links, noun: str) -> List[str]:
    out = [_finding_item(f, links) for f in items[:limit]]
    if len(items) > limit:
        out.append(f"- ... and {len(items) - limit} more {noun} (use `--output-format json` for all of them)")
    return out


def render(findings: List[Finding], ctx: ReportContext) -> str:
    limit = int(str(ctx.extra.get("max_findings", MAX_FINDINGS)))
    links = _Links(ctx)
    findings = sorted(findings, key=Finding.sort_key)
    out = ["## offramp check", ""]
    if ctx.target:
        out += [f"Target provider: {md_code(ctx.target)}", ""]
    if not findings:
        out += [md_text(footer(findings, ctx)), ""]
    else:
        n, fixable = len(findings), sum(f.fixable for f in findings)
        files = len({f.path for f in findings})
        verdict = f"**{n} finding{'s' if n != 1 else ''}** in {files} of {ctx.files} files checked"
        if fixable:
            command = f"offramp fix {to_option(ctx)}"
            verdict += f"; {fixable} fixable with {md_code(command)}"
        out += [verdict + ".", ""]

        names: Dict[str, str] = {}
        fixes: Dict[str, int] = {}
        for f in findings:
            names.setdefault(f.code, f.name)
            fixes[f.code] = fixes.get(f.code, 0) + f.fixable
        out += ["### Findings by rule", "", "| Rule | Name | Findings | Fixable |", "|---|---|---:|---:|"]
        rules = load_rules()
        for code, count in counts(findings).items():
            rule = rules.get(code)
            cell = f"[{md(code)}]({rule.url})" if rule else md(code)
            out.append(f"| {cell} | {md(names[code])} | {count} | {fixes[code]} |")

        sev = by_severity(findings)
        out += ["", "### Findings by severity", "", "| Severity | Findings |", "|---|---:|"]
        out += [f"| {s} | {sev[s]} |" for s in SEVERITIES if s in sev]

        per_file: Dict[str, List[Finding]] = {}
        for f in findings:
            per_file.setdefault(f.path, []).append(f)
        out += [
            "",
            "### Findings by file",
            "",
            "| File | Findings | Errors | Warnings | Info | Fixable |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for path, items in list(per_file.items())[:MAX_FILES]:
            s = by_severity(items)
            fx = sum(f.fixable for f in items)
            cells = [links.link(path, path), str(len(items)), *(str(s.get(k, 0)) for k in SEVERITIES), str(fx)]
            out.append("| " + " | ".join(cells) + " |")
        if len(per_file) > MAX_FILES:
            out += ["", f"... and {len(per_file) - MAX_FILES} more files."]

        title = "### Findings" if n <= limit else f"### Findings (first {limit} of {n})"
        out += ["", title, ""]
        out += _capped(findings, limit, links, "findings")
        out.append("")

    if ctx.target:
        review = [f for f in findings if f.code.startswith(REVIEW_PREFIX)]
        option = f"--to {ctx.target}"
        out += [f"### What {md_code(option)} leaves for review", ""]
        if review:
            out += [
                f"{len(review)} finding{'s' if len(review) != 1 else ''} that `offramp fix` leaves to a person: "
                "APIs, parameters or models the provider lacks, and embeddings that must be re-computed.",
                "",
            ]
            out += _capped(review, limit, links, "to review")
        else:
            out.append("No OFR4xx findings.")
        out.append("")
    return "\n".join(out)

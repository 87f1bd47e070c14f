"""`path:line:col: CODE message [*]`: one line per finding, clickable in editors and terminals."""

from __future__ import annotations

from typing import List

from offramp.report import ReportContext, fixable_line, one_line
from offramp.types import Finding


def line(f: Finding) -> str:
    mark = " [*]" if f.fixable else ""
    return f"{one_line(f.location)}: {f.code} {one_line(f.message)}{mark}"


def render(findings: List[Finding], ctx: ReportContext) -> str:
    out = [line(f) for f in findings]
    if not ctx.extra.get("quiet"):  # -q: findings only
        out.append(footer(findings, ctx))
    return "".join(f"{x}\n" for x in out)


def footer(findings: List[Finding], ctx: ReportContext) -> str:
    if not findings:
        return f"All checks passed! ({ctx.files} file{'s' if ctx.files != 1 else ''} checked)"
    fixable = sum(f.fixable for f in findings)
    n = len(findings)
    text = f"Found {n} finding{'s' if n != 1 else ''} in {len({f.path for f in findings})} of {ctx.files} files."
    if fixable:
        text += "\n" + fixable_line(fixable, ctx)
    return text

"""GitHub Actions workflow commands: one annotation per finding, shown on the PR's changed files.

`::error file={path},line={l},col={c},endLine={el},endColumn={ec},title={code}::{message}`
(`::warning` for warnings, `::notice` for info). Paths are relative to GITHUB_WORKSPACE when it
is set (annotations need repository paths), else to the project root. Escaping follows
GitHub's workflow-command rules (actions/toolkit `command.ts`): data `%` `\\r` `\\n`; property
values also `:` and `,`.
"""

from __future__ import annotations

from typing import List

from offramp.report import ReportContext, ci_path, file_position, printable
from offramp.types import Finding

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def line(f: Finding, ctx: ReportContext) -> str:
    s, message = file_position(f)
    props = [("file", ci_path(f.path, ctx, "GITHUB_WORKSPACE")), ("line", str(s.line))]
    # GitHub ignores columns when the annotation spans lines; leave them out rather than mislead.
    same_line = s.end_line == s.line
    if same_line:
        props.append(("col", str(s.column)))
    props.append(("endLine", str(max(s.end_line, s.line))))
    if same_line:
        props.append(("endColumn", str(max(s.end_column, s.column))))
    props.append(("title", f.code))
    rendered = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMAND[f.severity]} {rendered}::{escape_data(message)}"


def render(findings: List[Finding], ctx: ReportContext) -> str:
    return "".join(line(f, ctx) + "\n" for f in findings)

"""Azure Pipelines logging commands: `##vso[task.logissue type=error;sourcepath=...;...]message`.

Azure knows only `error` and `warning`, so info findings are warnings. Escaping is what the
agent decodes (azure-pipelines-task-lib `escape` / `escapeData`, agent `CommandStringConvertor`):
`;` `]` `\\r` `\\n` as `%3B` `%5D` `%0D` `%0A`, and `%` as `%AZP25` (the agent decodes `%AZP25`,
never `%25`, so `%25` would be shown literally). Paths are relative to BUILD_SOURCESDIRECTORY
when it is set, else to the project root.
"""

from __future__ import annotations

from typing import List

from offramp.report import ReportContext, ci_path, file_position, printable
from offramp.types import Finding

TYPE = {"error": "error", "warning": "warning", "info": "warning"}


def escape_data(text: str) -> str:
    return printable(text).replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace("]", "%5D").replace(";", "%3B")


def line(f: Finding, ctx: ReportContext) -> str:
    s, message = file_position(f)
    props = (
        ("type", TYPE[f.severity]),
        ("sourcepath", ci_path(f.path, ctx, "BUILD_SOURCESDIRECTORY")),
        ("linenumber", str(s.line)),
        ("columnnumber", str(s.column)),
        ("code", f.code),
    )
    rendered = "".join(f"{k}={escape_property(v)};" for k, v in props)
    return f"##vso[task.logissue {rendered}]{escape_data(message)}"


def render(findings: List[Finding], ctx: ReportContext) -> str:
    return "".join(line(f, ctx) + "\n" for f in findings)

"""Pylint's parseable format, as Ruff writes it: `path:line: [OFR101(openai-client)] message`."""

from __future__ import annotations

from typing import List

from offramp.report import ReportContext, file_position, one_line
from offramp.types import Finding


def line(f: Finding) -> str:
    span, message = file_position(f)
    return f"{one_line(f.path)}:{span.line}: [{f.code}({f.name})] {one_line(message)}"


def render(findings: List[Finding], ctx: ReportContext) -> str:
    return "".join(line(f) + "\n" for f in findings)

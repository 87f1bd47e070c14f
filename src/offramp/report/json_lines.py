"""JSON Lines: one finding object per line (the `json` format's finding objects, no summary)."""

from __future__ import annotations

import json
from typing import List

from offramp.report import ReportContext, printable
from offramp.report.json import finding_dict
from offramp.types import Finding

# JSON escapes control characters but leaves these raw; readers that split on every Unicode
# line break (Python's str.splitlines) would cut a record in two.
_SPLITTERS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def line(f: Finding) -> str:
    text = json.dumps(finding_dict(f), ensure_ascii=False)
    for raw, escaped in _SPLITTERS.items():
        text = text.replace(raw, escaped)
    return printable(text)


def render(findings: List[Finding], ctx: ReportContext) -> str:
    return "".join(line(f) + "\n" for f in findings)

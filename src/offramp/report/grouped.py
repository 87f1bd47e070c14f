"""Findings grouped under their file, like Ruff's `grouped`; plain text with the usual footer.

pkg/app.py:
   3:10 OFR101 `OpenAI` sends requests to api.openai.com ... [*]
  12:1  OFR301 environment variable `OPENAI_API_KEY` ...
"""

from __future__ import annotations

from itertools import groupby
from typing import List

from offramp.report import ReportContext, one_line
from offramp.report.concise import footer
from offramp.types import Finding


def render(findings: List[Finding], ctx: ReportContext) -> str:
    out: List[str] = []
    for path, group in groupby(sorted(findings, key=Finding.sort_key), key=lambda f: f.path):
        items = list(group)
        # Notebooks: `cell 3:2:5`, as in Ruff.
        rows = [(f"cell {f.cell}:" if f.cell is not None else "") + str(f.span.line) for f in items]
        row_w = max(len(r) for r in rows)
        col_w = max(len(str(f.span.column)) for f in items)
        out.append(f"{one_line(path)}:")
        for f, row in zip(items, rows):
            mark = " [*]" if f.fixable else ""
            out.append(f"  {row:>{row_w}}:{f.span.column:<{col_w}} {f.code} {one_line(f.message)}{mark}")
        out.append("")
    if not ctx.extra.get("quiet"):  # -q: findings only
        out.append(footer(findings, ctx))
    return "".join(f"{x}\n" for x in out)

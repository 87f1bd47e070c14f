"""`check --statistics`: one line per rule with its count, name and how many are fixable, like Ruff's.

Text (`3<TAB>OFR101<TAB>[*] openai-client`) for the terminal formats, with `(n fixable)` when
only some are; `json` gives the same rows as objects ({code, name, count, fixable}) for
scripts, as `ruff --statistics --output-format json` does. Every other format gets the text:
statistics are a summary, not a report.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Dict, List

from offramp.report import ReportContext, fixable_line
from offramp.types import Finding


@dataclass
class Row:
    code: str
    name: str
    count: int = 0
    fixable: int = 0


def rows(findings: List[Finding]) -> List[Row]:
    table: Dict[str, Row] = {}
    for f in findings:
        row = table.setdefault(f.code, Row(f.code, f.name))
        row.count += 1
        row.fixable += int(f.fixable)
    return [table[code] for code in sorted(table)]


def render_statistics(findings: List[Finding], ctx: ReportContext, fmt: str) -> str:
    data = rows(findings)
    if fmt == "json":
        return json.dumps([asdict(r) for r in data], indent=2) + "\n"
    quiet = bool(ctx.extra.get("quiet"))
    if not data:
        return "" if quiet else "No findings.\n"
    width = max(len(str(r.count)) for r in data)
    any_fixable = any(r.fixable for r in data)
    lines = []
    for r in data:
        mark = ("[*] " if r.fixable else "[ ] ") if any_fixable else ""
        some = f" ({r.fixable} fixable)" if 0 < r.fixable < r.count else ""
        lines.append(f"{r.count:>{width}}\t{r.code}\t{mark}{r.name}{some}")
    if not quiet:
        n = len(findings)
        lines.append(f"Found {n} finding{'s' if n != 1 else ''}.")
        fixable = sum(r.fixable for r in data)
        if fixable:
            lines.append(fixable_line(fixable, ctx))
    return "\n".join(lines) + "\n"

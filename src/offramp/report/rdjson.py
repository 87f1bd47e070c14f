"""reviewdog's rdjson (`DiagnosticResult`), for `reviewdog -f=rdjson` PR review comments.

    {"source": {"name": "offramp", "url": ...}, "severity": "ERROR",
     "diagnostics": [{"message", "location": {"path", "range": {"start", "end"}},
                      "severity": "ERROR|WARNING|INFO", "code": {"value", "url"}}]}

reviewdog counts columns in UTF-8 bytes (`proto/rdf/reviewdog.proto`) while findings count
code points, so columns on lines with non-ASCII text are converted from the source (the text
is only measured, never written out). Paths are relative to the working directory reviewdog
runs in (absolute when the file is outside it); the range end is exclusive, as in findings.

With `--to`, fixable findings carry `suggestions` (what `offramp fix` would change there, see
offramp.fixes.suggest), which reviewdog turns into suggested changes on a pull request.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from offramp import REPOSITORY
from offramp.catalog import load_rules
from offramp.report import ReportContext, file_position, printable, rebase
from offramp.source import SourceError, read_source
from offramp.types import SEVERITIES, Finding

if TYPE_CHECKING:
    from offramp.fixes.suggest import Suggestion

SOURCE = {"name": "offramp", "url": REPOSITORY}
SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}
_LINES = re.compile(r"\r\n|\r|\n")  # Python's own line breaks, which is what spans count


class _Columns:
    """Code-point columns to UTF-8 byte columns, reading each file at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: Dict[str, Optional[List[str]]] = {}

    def lines(self, path: str) -> Optional[List[str]]:
        if path not in self.cache:
            try:
                self.cache[path] = _LINES.split(read_source(self.root / path, self.root).text)
            except (SourceError, OSError, ValueError):
                self.cache[path] = None
        return self.cache[path]

    def byte_column(self, f: Finding, line: int, column: int) -> int:
        if f.cell is not None or column <= 1:  # notebook positions are file-level (1:1) already
            return column
        lines = self.lines(f.path)
        if not lines or not 0 < line <= len(lines):
            return column
        text = lines[line - 1]
        if text.isascii():
            return column
        head = text[: column - 1]
        return len(head.encode("utf-8", "surrogatepass")) + 1 + max(0, column - 1 - len(head))


def _path(f: Finding, ctx: ReportContext) -> str:
    here = rebase(f.path, ctx, os.getcwd())
    if here is not None:
        return here
    return os.path.abspath(os.path.join(str(ctx.extra.get("root", ".")), f.path))


def suggestions(fix: Suggestion, f: Optional[Finding] = None) -> List[Dict[str, Any]]:
    """reviewdog's `Suggestion`s: `range` (end exclusive; start == end inserts) and `text`.

    reviewdog.proto, `message Position`: "Column number, starting at 1 (byte count in UTF-8)",
    and `message Range`: "The end position is *exclusive*" (a range that takes a line break in
    ends at column 1 of the next line). reviewdog cuts the source line at `column - 1` bytes
    (`service/commentutil/suggestion.go`), so these are the UTF-8 byte columns. On GitHub a
    suggestion replaces whole lines, so replacements that share a line come as one
    (`line_edits`); reviewdog posts the comment on the first suggestion's lines, so the one on
    the finding's own lines comes first.
    """
    edits = list(fix.line_edits)
    if f is not None and f.cell is None:
        edits.sort(key=lambda e: not (e.line <= max(f.span.end_line, f.span.line) and e.end_line >= f.span.line))
    return [
        {
            "range": {
                "start": {"line": e.line, "column": e.byte_column},
                "end": {"line": e.end_line, "column": e.end_byte_column},
            },
            "text": e.text,
        }
        for e in edits
    ]


def diagnostic(f: Finding, ctx: ReportContext, columns: _Columns, fix: Optional[Suggestion] = None) -> Dict[str, Any]:
    s, message = file_position(f)
    end_line = max(s.end_line, s.line)
    code: Dict[str, str] = {"value": f.code}
    rule = load_rules().get(f.code)
    if rule is not None:
        code["url"] = rule.url
    out: Dict[str, Any] = {
        "message": printable(message),
        "location": {
            "path": printable(_path(f, ctx)),
            "range": {
                "start": {"line": s.line, "column": columns.byte_column(f, s.line, s.column)},
                "end": {"line": end_line, "column": columns.byte_column(f, end_line, max(s.end_column, 1))},
            },
        },
        "severity": SEVERITY[f.severity],
        "code": code,
    }
    if fix is not None and fix.line_edits:
        out["suggestions"] = suggestions(fix, f)
    return out


def render(findings: List[Finding], ctx: ReportContext) -> str:
    columns = _Columns(Path(str(ctx.extra.get("root", "."))))
    fixes: Mapping[Finding, Suggestion] = ctx.extra.get("fixes") or {}  # type: ignore[assignment]
    present = {f.severity for f in findings}
    worst = next((s for s in SEVERITIES if s in present), "info")
    doc = {
        "source": SOURCE,
        "severity": SEVERITY[worst],
        "diagnostics": [diagnostic(f, ctx, columns, fixes.get(f)) for f in findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

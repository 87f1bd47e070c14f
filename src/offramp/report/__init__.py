"""Output formats. Each reporter is a function (findings, context) -> str over the same Finding list.

Names follow Ruff's `--output-format` vocabulary so nobody learns a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

from offramp.types import FileResult, Finding


@dataclass(frozen=True)
class ReportContext:
    files: int
    parsed: int
    results: Sequence[FileResult] = ()
    target: Optional[str] = None
    color: bool = False
    tool_version: str = ""
    command: str = ""
    extra: Dict[str, object] = field(default_factory=dict)


Reporter = Callable[[List[Finding], ReportContext], str]


def get_reporter(name: str) -> Reporter:
    if name == "concise":
        from offramp.report.concise import render
    elif name == "full":
        from offramp.report.full import render
    elif name == "json":
        from offramp.report.json import render
    elif name == "sarif":
        from offramp.report.sarif import render
    else:  # pragma: no cover - click validates the choice
        raise ValueError(name)
    return render


def counts(findings: Sequence[Finding]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for f in findings:
        out[f.code] = out.get(f.code, 0) + 1
    return dict(sorted(out.items()))

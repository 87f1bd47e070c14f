"""Output formats. Each reporter is a function (findings, context) -> str over the same Finding list.

Names follow Ruff's `--output-format` vocabulary so nobody learns a new one.
"""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from offramp.types import FileResult, Finding, Span


@dataclass(frozen=True)
class ReportContext:
    """What every output format needs besides the findings: the counts for the summary line and the provider and
    command the fix hint names."""

    files: int
    parsed: int
    results: Sequence[FileResult] = ()
    target: Optional[str] = None
    region: Optional[str] = None  # --region: part of the fix command (a region may map other model ids)
    color: bool = False
    tool_version: str = ""
    command: str = ""
    extra: Dict[str, object] = field(default_factory=dict)


Reporter = Callable[[List[Finding], ReportContext], str]


def to_option(ctx: ReportContext) -> str:
    """`--to P [--region R]` as the fix command needs it: with Doubao's `intl` the ids differ."""
    return f"--to {ctx.target or 'PROVIDER'}" + (f" --region {ctx.region}" if ctx.target and ctx.region else "")


def fixable_line(fixable: int, ctx: ReportContext) -> str:
    """The footer's `[*]` count. Without `--to` a finding's `[*]` is judged in its own file: whether fix moves a
    request with its host, key and model together (or holds it: a relay the user configures, a provider that
    does not serve it) is the route stage's answer, which needs the provider."""
    text = f"[*] {fixable} fixable with `offramp fix {to_option(ctx)}`"
    if not ctx.target:
        text += " (judged file by file; `offramp check --to PROVIDER` judges each request's route)"
    return text + "."


# Format name -> module under offramp.report; each module has `render(findings, ctx) -> str`.
# Modules are imported on demand so `--output-format github` never loads rich.
REPORTERS: Dict[str, str] = {
    "full": "full",
    "concise": "concise",
    "json": "json",
    "json-lines": "json_lines",
    "junit": "junit",
    "grouped": "grouped",
    "github": "github",
    "gitlab": "gitlab",
    "pylint": "pylint",
    "rdjson": "rdjson",
    "azure": "azure",
    "sarif": "sarif",
    "markdown": "markdown",
}


def get_reporter(name: str) -> Reporter:
    module = REPORTERS.get(name)
    if module is None:  # pragma: no cover - click validates the choice
        raise ValueError(name)
    render: Reporter = importlib.import_module(f"offramp.report.{module}").render
    return render


def counts(findings: Sequence[Finding]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for f in findings:
        out[f.code] = out.get(f.code, 0) + 1
    return dict(sorted(out.items()))


def by_severity(findings: Sequence[Finding]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for f in findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    return out


def file_position(f: Finding) -> Tuple[Span, str]:
    """Where a finding is in the file on disk, and the message to show there.

    Notebook findings count lines within a cell, which are not lines of the .ipynb file; like
    Ruff, formats that need a file position point at its first line, and the message says where
    in the notebook the finding is (`cell 3:2:5: ...`).
    """
    if f.cell is None:
        return f.span, f.message
    return Span(1, 1, 1, 1), f"cell {f.cell}:{f.span.line}:{f.span.column}: {f.message}"


def printable(text: str) -> str:
    """Text that can be written as UTF-8: lone surrogates (an undecodable file name, a `\\ud800`
    escape in a string literal) are shown as backslash escapes instead of failing the write."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# Line breaks, other C0/C1 control characters (a terminal's escape sequences) and the bidi
# controls that reorder what a reader sees ("Trojan Source"), as found in file names and messages.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str, keep: str = "") -> str:
    """`text` with control characters (but those in `keep`) as visible escapes (`\\n`, `\\x1b`)."""
    return _CONTROL.sub(
        lambda m: m.group(0) if m.group(0) in keep else m.group(0).encode("unicode_escape").decode("ascii"),
        printable(text),
    )


def one_line(text: str) -> str:
    """For line-oriented formats: a file name or message cannot break a line or send escape
    sequences to the terminal (`evil\\nx.py:1:1: forged` stays one line)."""
    return visible(text)


def rebase(path: str, ctx: ReportContext, base: Optional[str]) -> Optional[str]:
    """`path` (as in findings: relative to `root` in the context, or absolute) relative to `base`,
    with `/` separators, or None when `base` is unset or the file is not under it.

    CI systems want paths relative to the checkout (GITHUB_WORKSPACE, CI_PROJECT_DIR), which is
    not the project root when the configuration lives in a sub-directory.
    """
    if not base:
        return None
    full = os.path.join(str(ctx.extra.get("root", ".")), path)
    for resolve in (os.path.abspath, os.path.realpath):
        try:
            rel = os.path.relpath(resolve(full), resolve(base))
        except ValueError:  # another drive on Windows
            continue
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep) and not os.path.isabs(rel):
            return PurePath(rel).as_posix()
    return None


def ci_path(path: str, ctx: ReportContext, env: str) -> str:
    """The path relative to the checkout named by environment variable `env` when set and
    the file is inside it; else the path as shown (relative to the current directory)."""
    return rebase(path, ctx, os.environ.get(env)) or path

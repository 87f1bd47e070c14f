"""The default human format: each finding with its source line and a caret, like Ruff's `full`.

Colour only on a terminal (and never with NO_COLOR); the text is the same either way.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Dict, List

from offramp.report import ReportContext, counts, one_line, visible
from offramp.report.concise import footer
from offramp.types import Finding


def redact(text: str) -> str:
    """Source lines are shown for context; API keys in them never are."""
    from offramp.redact import redact as redact_secrets

    return redact_secrets(text)


_SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render(findings: List[Finding], ctx: ReportContext) -> str:
    from rich.console import Console
    from rich.markup import escape

    console = Console(
        record=True,
        force_terminal=ctx.color,
        no_color=not ctx.color,
        width=120,
        file=io.StringIO(),
        highlight=False,
        soft_wrap=True,
    )
    root = Path(str(ctx.extra.get("root", ".")))
    cache: Dict[str, List[str]] = {}
    for f in findings:
        mark = " [*]" if f.fixable else ""
        where, message = escape(one_line(f.location)), escape(one_line(f.message))
        console.print(f"[bold]{where}[/]: [{_SEV_STYLE[f.severity]}]{f.code}[/] {message}{mark}")
        src = cache.get(f.path)
        if src is None:
            from offramp.source import SourceError, read_source

            try:  # read_source: the file's own encoding, and never blocks on a FIFO
                src = read_source(root / f.path, root).text.splitlines()
            except (SourceError, OSError, ValueError):
                src = []
            cache[f.path] = src
        if f.cell is None and 0 < f.span.line <= len(src):
            text = visible(redact(src[f.span.line - 1].rstrip()), keep="\t")
            width = (
                (f.span.end_column - f.span.column) if f.span.end_line == f.span.line else len(text) - f.span.column + 1
            )
            console.print(f"  [dim]{f.span.line:>4} |[/] {escape(text)}")
            console.print(
                f"  [dim]     |[/] {' ' * (f.span.column - 1)}[{_SEV_STYLE[f.severity]}]{'^' * max(1, width)}[/]"
            )
        console.print()
    if findings:
        console.print("[bold]Summary[/]: " + ", ".join(f"{c} x{n}" for c, n in counts(findings).items()))
    console.print(escape(footer(findings, ctx)))
    return console.export_text(styles=ctx.color)

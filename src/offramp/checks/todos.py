"""OFR003: `# TODO[offramp]:` comments `fix` left whose problem no other finding reports.

`fix` writes one where it cannot do the migration by rule; the comment stays until a person
resolves it. Most of them sit above code a check still reports (the OpenAI API the provider lacks,
OFR401): then that finding says it. Some do not: the subclass that moved but whose calls' models
offramp cannot follow, a model read from a variable that held an Azure deployment, a client built
from **kwargs aimed elsewhere by then. Reporting those keeps "All checks passed!" meaning that the
migration is done.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import List, Sequence

from offramp.checks.base import Hit
from offramp.types import Span

MARK = "TODO[offramp]"
# The comment as fixes/edits.todo_lines writes it, the rule code in parentheses at its end.
_TODO = re.compile(r"#\s*TODO\[offramp\]:\s*(?P<text>.*?)\s*(?:\((?P<code>OFR\d{3})\))?\s*$")
_CLOSERS = (")", "]", "}")


def check_todos(text: str, hits: Sequence[Hit]) -> List[Hit]:
    """One hit per `# TODO[offramp]:` comment in `text` (real comments: the tokenizer tells them from
    the same words in a string) unless a hit of the code it names covers the statement below it.
    Most files never contain the mark and cost one search."""
    if MARK not in text:
        return []
    lines = text.splitlines()
    out = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):  # (a file the parser accepted tokenizes: a guard)
        return []
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        m = _TODO.match(tok.string)
        if m is None:
            continue
        (line, col), (end_line, end_col) = tok.start, tok.end
        code = m.group("code")
        if code is not None and _still_reported(code, line, lines, hits):
            continue
        full = m.group("text") + (f" ({code})" if code else "")
        out.append(Hit("OFR003", Span(line, col + 1, end_line, end_col + 1), {"text": full}))
    return out


def _still_reported(code: str, comment_line: int, lines: List[str], hits: Sequence[Hit]) -> bool:
    """Whether a hit of `code` starts in the statement the comment stands above (its first line up
    to the next line indented no deeper that does not close a bracket)."""
    first = comment_line + 1
    while first <= len(lines) and lines[first - 1].lstrip().startswith("#"):
        first += 1
    if first > len(lines):
        return False
    indent = len(lines[first - 1]) - len(lines[first - 1].lstrip())
    last = first
    for number in range(first + 1, len(lines) + 1):
        stripped = lines[number - 1].lstrip()
        if stripped and not stripped.startswith(_CLOSERS) and len(lines[number - 1]) - len(stripped) <= indent:
            break
        last = number
    return any(h.code == code and first <= h.span.line <= last for h in hits)

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
from typing import List, Optional, Sequence, Tuple

from offramp import codes
from offramp.checks.base import Hit
from offramp.syntax.lines import code_lines
from offramp.types import Span

MARK = "TODO[offramp]"
PREFIX = f"# {MARK}: "
# A TODO longer than the project's line length goes on in comment lines right below it, at its column,
# each starting with this (Ruff's E501 counts comments; `fix` wraps where Ruff settings apply).
CONTINUATION = "#   "


def wrapped(text: str, width: Optional[int]) -> List[str]:
    """The comment lines of the TODO `text`: one, or wrapped at spaces to `width` columns (None: one line).
    A single word longer than the width stays whole."""

    if width is None or len(PREFIX) + len(text) <= width:
        return [PREFIX + text]
    import textwrap  # lazy: start-up (a check reads TODOs, only fix writes them)

    return textwrap.wrap(
        text,
        width=max(width, len(PREFIX) + 1),
        initial_indent=PREFIX,
        subsequent_indent=CONTINUATION,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [PREFIX + text]


def joined(lines: Sequence[str]) -> List[Tuple[int, int, str]]:
    """(first index, last index, "TODO[offramp]: text") of each TODO in `lines`, continuation lines joined."""
    out: List[Tuple[int, int, str]] = []
    column = -1  # where the last TODO's own comment line starts; -1 after any other line
    for i, line in enumerate(lines):
        at = line.find(PREFIX.rstrip())
        if at >= 0:
            out.append((i, i, line[at + 2 :].rstrip()))
            column = at if not line[:at].strip() else -1  # (a TODO after code has no continuation)
        elif column >= 0 and line.startswith(CONTINUATION, column) and not line[:column].strip():
            first, _, text = out[-1]
            out[-1] = (first, i, f"{text} {line[column + len(CONTINUATION) :].strip()}")
        else:
            column = -1
    return out


def same_text(a: str, b: str) -> bool:
    """Whether two TODO texts say the same (wrapping turns runs of spaces at a break into one). A line
    a TODO points to (`compared (line 98)`) moves with every line written above it, the TODO itself
    first: dspy's pinecone_rm.py got the same TODO again, one line down, from each further run. And a
    held client names one of the requests that hold it (`a request in model.py would carry ...`); which
    one the route gate meets first can change once the first run's TODOs are in (the Agents SDK's
    AsyncOpenAI, held by requests in four files, got a second TODO naming another of them)."""
    return _same(a) == _same(b)


def _same(text: str) -> str:
    return _HELD_BY.sub(r"\1 in (file)", _LINE_REF.sub("(line)", " ".join(text.split())))


_LINE_REF = re.compile(r"\(line \d+\)")
_HELD_BY = re.compile(r"\b(a request|a client built) in \S+")


# The comment as fixes/apply.todo_lines writes it, the rule code in parentheses at its end.
_TODO = re.compile(r"#\s*TODO\[offramp\]:\s*(?P<text>.*?)\s*(?:\((?P<code>OFR\d{3})\))?\s*$")
_CLOSERS = (")", "]", "}")


def check_todos(text: str, hits: Sequence[Hit]) -> List[Hit]:
    """One hit per `# TODO[offramp]:` comment in `text` (real comments: the tokenizer tells them from
    the same words in a string) unless a hit of the code it names covers the statement below it.
    Most files never contain the mark and cost one search."""
    if MARK not in text:
        return []
    lines = code_lines(text)
    out = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):  # (a file the parser accepted tokenizes: a guard)
        return []
    comments = [tok for tok in tokens if tok.type == tokenize.COMMENT]
    for n, tok in enumerate(comments):
        m = _TODO.match(tok.string)
        if m is None:
            continue
        (line, col), (end_line, end_col) = tok.start, tok.end
        rest = ""
        for more in comments[n + 1 :]:  # a wrapped TODO's continuation lines
            if (
                more.start != (end_line + 1, col)
                or not more.string.startswith(CONTINUATION)
                or _TODO.match(more.string)
            ):
                break
            rest += " " + more.string[len(CONTINUATION) :].strip()
            end_line, end_col = more.end
        if rest:
            m = _TODO.match(tok.string.rstrip() + rest)
            if m is None:
                continue
        code = m.group("code")
        if code is not None and _still_reported(code, line, lines, hits):
            continue
        full = m.group("text") + (f" ({code})" if code else "")
        out.append(Hit(codes.FIX_TODO_LEFT, Span(line, col + 1, end_line, end_col + 1), {"text": full}))
    return out


def answered_by_routes(line: int, message: str, text: str, route_hits: Sequence[Hit]) -> bool:
    """Whether the OFR003 finding at `line` (its `message`) is on a TODO whose problem a route finding reports
    below it (a base URL that may be unset, OFR107): the per-file check could not know it is still reported."""
    m = _CODE_AT_END.search(message)
    return m is not None and _still_reported(m.group(1), line, code_lines(text), route_hits)


_CODE_AT_END = re.compile(r"\((OFR\d{3})\)\s*$")


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

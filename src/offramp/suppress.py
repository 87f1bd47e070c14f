"""Suppression comments, read from the token stream so that a `#` inside a string never counts.

Accepted forms (see README):
  x = f()  # offramp: ignore[OFR101, OFR2]      this line
  # offramp: ignore[OFR101]                     own line: the next logical line (all its lines)
  # offramp: file-ignore[OFR301]                the whole file (without [...]: every rule)
  x = f()  # noqa: OFR101                       this line (flake8/Ruff style)
A bare `# noqa` is deliberately not honoured: it is usually meant for another linter.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Dict, List, Set, Tuple

from offramp.syntax.lines import code_lines

# The code list stops at the next `[` or `#`: were it free to run to the next `]`, every
# `# offramp: ignore[` of a comment repeating it would rescan the rest of the line (quadratic).
_OFFRAMP = re.compile(r"#\s*offramp:\s*(ignore|file-ignore)\b\s*(?:\[([^\]\[#]*)\])?", re.I)
_NOQA = re.compile(r"#\s*noqa:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)", re.I)
ALL = "ALL"


@dataclass
class Suppressions:
    file_codes: Set[str] = field(default_factory=set)
    lines: Dict[int, Set[str]] = field(default_factory=dict)

    def covers(self, code: str, line: int) -> bool:
        if _match(code, self.file_codes):
            return True
        return _match(code, self.lines.get(line, set()))


def _match(code: str, selectors: Set[str]) -> bool:
    return any(s == ALL or code.startswith(s) for s in selectors)


def _codes(text: str | None) -> Set[str]:
    if text is None or not text.strip():
        return {ALL}
    return {c.strip().upper() for c in text.split(",") if c.strip()}


def parse_suppressions(text: str) -> Suppressions:
    sup = Suppressions()
    if "offramp" not in text and "noqa" not in text.lower():
        return sup
    if not _OFFRAMP.search(text) and not _NOQA.search(text):
        return sup  # no comment can hold one: the tokenizer is not needed (~0.25 CPU-s on 5k lines)
    try:
        comments, logical = _scan(text)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        comments = [
            (i + 1, line[line.index("#") :], line.lstrip().startswith("#"))
            for i, line in enumerate(code_lines(text))
            if "#" in line
        ]
        logical = []
    for line, comment, own_line in comments:
        for m in _OFFRAMP.finditer(comment):
            kind, codes = m.group(1).lower(), _codes(m.group(2))
            if kind == "file-ignore":
                sup.file_codes |= codes
            elif own_line:
                for target in _next_logical(line, logical):
                    sup.lines.setdefault(target, set()).update(codes)
            else:
                sup.lines.setdefault(line, set()).update(codes)
        noqa = _NOQA.search(comment)
        if noqa:
            sup.lines.setdefault(line, set()).update(c.strip().upper() for c in noqa.group(1).split(","))
    return sup


def _scan(text: str) -> Tuple[List[Tuple[int, str, bool]], List[Tuple[int, int]]]:
    """Comments (line, text, on a line of its own) and logical-line ranges (first, last)."""
    comments: List[Tuple[int, str, bool]] = []
    logical: List[Tuple[int, int]] = []
    start = None
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT:
            own = tok.line[: tok.start[1]].strip() == ""
            comments.append((tok.start[0], tok.string, own))
        elif tok.type in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING):
            continue
        elif tok.type == tokenize.NEWLINE:
            if start is not None:
                logical.append((start, tok.start[0]))
            start = None
        elif tok.type != tokenize.ENDMARKER and start is None:
            start = tok.start[0]
    return comments, logical


def _next_logical(line: int, logical: List[Tuple[int, int]]) -> range:
    for first, last in logical:
        if first > line:
            return range(first, last + 1)
    return range(line + 1, line + 2)

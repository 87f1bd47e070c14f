"""Positions and value tokens shared by the configuration-file scanners (one per format).

Lines end at \\n, \\r\\n or \\r only, as editors and LibCST count; a token keeps where its value is
spelled in the file so that a fix replaces it in place.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

# -- text positions ----------------------------------------------------------------------------

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class Text:
    """The text with its line table. Lines end at \\n, \\r\\n or \\r only (as editors and LibCST count)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.bom = text.startswith("\ufeff")
        self.starts: List[int] = []
        self.lines: List[Tuple[int, int]] = []  # (content start, content end) without the line ending
        for m in _LINE_RE.finditer(text):
            seg = m.group(0)
            end = m.end() - (2 if seg.endswith("\r\n") else 1 if seg.endswith(("\r", "\n")) else 0)
            start = m.start()
            self.starts.append(start)
            self.lines.append((start + 1 if (self.bom and start == 0) else start, end))

    def pos(self, offset: int) -> Tuple[int, int]:
        if not self.starts:
            return 1, 1
        i = max(bisect_right(self.starts, offset) - 1, 0)
        col = offset - self.starts[i] + 1
        if i == 0 and self.bom and offset > 0:
            col -= 1  # the byte-order mark is not a column
        return i + 1, col


@dataclass
class Tok:
    """A value token. `start`/`end` cover it with its quotes; `inner` is where `value` starts in
    the text when it is spelled there exactly (no escapes), else -1."""

    start: int
    end: int
    value: str
    quote: str = ""
    inner: int = -1


@dataclass
class Entry:
    key: Optional[str]
    key_span: Optional[Tuple[int, int]]  # None for array elements: the key is reported once
    value: Optional[Tok]


@dataclass
class Parsed:
    entries: List[Entry] = field(default_factory=list)
    loose: List[Tuple[int, int]] = field(default_factory=list)  # text searched for URLs only
    # (offset, what is wrong) when the file does not parse: reported as OFR000, nothing else read.
    error: Optional[Tuple[int, str]] = None


class Invalid(Exception):
    """Not valid in the file's format at `offset` (-1: not known)."""

    def __init__(self, offset: int = -1, detail: str = "") -> None:
        super().__init__(detail)
        self.offset = offset
        self.detail = detail


def find_close(text: str, pos: int, end: int, quote: str) -> int:
    """Index of the quote closing a string whose body starts at `pos`, or -1 before `end`."""
    j = pos
    while j < end:
        c = text[j]
        if c == "\\" and quote == '"':
            j += 2
            continue
        if c == quote:
            if quote == "'" and j + 1 < end and text[j + 1] == "'":
                j += 2  # YAML's '' inside single quotes
                continue
            return j
        j += 1
    return -1


def quoted(text: str, start: int, close: int, quote: str, yaml_single: bool = False) -> Tok:
    inner = text[start + 1 : close]
    if quote == '"' and "\\" in inner:
        try:
            value = json.loads('"' + inner + '"')
        except ValueError:
            value = inner
        return Tok(start, close + 1, value, quote, -1)
    if yaml_single and "''" in inner:
        return Tok(start, close + 1, inner.replace("''", "'"), quote, -1)
    return Tok(start, close + 1, inner, quote, start + 1)


def plain(text: str, start: int, end: int, comment: re.Pattern[str]) -> Tok:
    m = comment.search(text, start, end)
    stop = m.start() if m else end
    value = text[start:stop].rstrip(" \t")
    return Tok(start, start + len(value), value, "", start)


HASH_COMMENT = re.compile(r"[ \t]#")
INI_COMMENT = re.compile(r"[ \t][#;]")


def cut(text: str, start: int, end: int, comment: re.Pattern[str]) -> Tuple[int, int]:
    m = comment.search(text, start, end)
    return (start, m.start() if m else end)


def apply_edits(text: str, edits: List[Tuple[int, int, str]]) -> str:
    """The text with `edits` (start, end, new text) made; insertions at one offset go in the order they
    were listed, and an edit overlapping an earlier one is dropped (the scanners never plan one)."""
    parts: List[str] = []
    last = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < last:
            continue
        parts.append(text[last:start])
        parts.append(new)
        last = end
    parts.append(text[last:])
    return "".join(parts)

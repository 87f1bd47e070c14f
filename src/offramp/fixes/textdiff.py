"""Small replacements between two versions of a text: what fixes/suggest.py cuts a rewrite into.

The texts are compared line by line; inside a changed block each line is paired with the line it
became (the best monotone pairing by shared words), and pairs are compared word by word, so a
replacement covers what changed rather than whole lines, and an inserted TODO line stays apart
from the call below it. Long texts fall back to one replacement (difflib is quadratic).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the tokenizer's line ends, which spans count (not str.splitlines')


_TOKEN = re.compile(r"\w+|\r\n|[^\S\r\n]+|[\s\S]", re.UNICODE)  # words, line breaks, blanks, any other character


_FINE_LIMIT = 20_000  # longer changed text gets one replacement (common prefix/suffix): difflib is quadratic


_PAIR_LIMIT = 2_500  # changed blocks of more line pairs than this are compared as one text


@dataclass
class Raw:
    """One replacement, in offsets of both texts; fixes/suggest.py gives it an owner (a finding)."""

    start: int  # old[start:end] becomes new[new_start:new_end]
    end: int
    new_start: int
    new_end: int
    owner: Optional[int] = None  # index into the file's shown findings, suggest._HIDDEN, or None (nobody's yet)
    traced: bool = False  # the owner is the finding the plan made the change for (fixes/provenance.py)
    # The finding of the planned change around the owner's (a call rebuilt around its model argument): the
    # replacement goes there when the text diff cut it across the two, so that the owner's alone does not parse
    outer: Optional[int] = None


def _lines(text: str) -> List[str]:
    """Lines with their line breaks, so that ''.join() gives `text` back."""
    out, pos = [], 0
    for m in LINE_BREAK.finditer(text):
        out.append(text[pos : m.end()])
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def _offsets(lines: Sequence[str]) -> List[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line))
    return out


def diff_edits(old: str, new: str) -> List[Tuple[int, int, str]]:
    """(start, end, text) replacements turning `old` into `new`: sorted, apart, minimal-ish."""
    return [(e.start, e.end, new[e.new_start : e.new_end]) for e in raw_edits(old, new)]


def _token_edits(x: str, y: str, base: int, new_base: int) -> List[Raw]:
    """Replacements turning x (at old offset `base`) into y (at new offset `new_base`), word by
    word: `AZURE_OPENAI_ENDPOINT` -> `DASHSCOPE_API_KEY` is one replacement, not a scatter of
    the letters the two names share."""
    if len(x) + len(y) > _FINE_LIMIT:
        p = 0
        while p < min(len(x), len(y)) and x[p] == y[p]:
            p += 1
        s = 0
        while s < min(len(x), len(y)) - p and x[len(x) - 1 - s] == y[len(y) - 1 - s]:
            s += 1
        return [Raw(base + p, base + len(x) - s, new_base + p, new_base + len(y) - s)] if x != y else []
    xt, yt = _TOKEN.findall(x), _TOKEN.findall(y)
    xo, yo = _offsets(xt), _offsets(yt)
    return [
        Raw(base + xo[k1], base + xo[k2], new_base + yo[l1], new_base + yo[l2])
        for t, k1, k2, l1, l2 in difflib.SequenceMatcher(None, xt, yt, autojunk=False).get_opcodes()
        if t != "equal"
    ]


def _kinship(x: str, y: str) -> int:
    """How many words and symbols two lines share, 0 unless at least half of the shorter line's or
    both assign the same name (`azure_chat = AzureChatOpenAI(azure_deployment=...)` became
    `azure_chat = ChatOpenAI(base_url=..., api_key=..., model=...)`: most of its words are new, and
    its symbols alone made it kin to the rewritten line above it): the rewrite of a line, rather than a
    line that took its place. (Counted in tokens, so that a long string literal replaced by a short
    expression does not hide the kinship.)"""
    xt = [t for t in _TOKEN.findall(x) if t.strip()]
    yt = [t for t in _TOKEN.findall(y) if t.strip()]
    shared = sum(n for _, _, n in difflib.SequenceMatcher(None, xt, yt, autojunk=False).get_matching_blocks())
    head = _ASSIGNS.match(x)
    if head is not None and y.startswith(head[0]):
        return shared + _SAME_NAME
    return shared if shared * 2 >= min(len(xt), len(yt)) > 0 else 0


_SAME_NAME = 1_000  # (before any pairing by shared symbols: `openai.api_version = "..."` is no rewrite of `api_base`)
# A line that binds a name (`name =`, `self.name =`), up to its `=`.
_ASSIGNS = re.compile(r"[ \t]*[A-Za-z_][\w.]*[ \t]*=(?!=)")


def _block_edits(a: Sequence[str], b: Sequence[str], base: int, new_base: int) -> List[Raw]:
    """Replacements for a changed block of lines `a` -> `b`.

    Lines are first paired with the lines they became (the best monotone pairing by shared
    words), so an inserted TODO comment line stays an insertion of that line, and the call
    under it a change of that call; then each pair is compared word by word.
    """
    n, m = len(a), len(b)
    if not n or not m or n * m > _PAIR_LIMIT:
        return _token_edits("".join(a), "".join(b), base, new_base)
    kin = [[_kinship(x, y) for y in b] for x in a]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + kin[i][j] if kin[i][j] else 0)
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if kin[i][j] and best[i][j] == best[i + 1][j + 1] + kin[i][j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    # Lines inserted after a line left with a bracket open (`client = OpenAI(` of a call wrapped
    # at the line length) continue that line: they are its change, not one of the line below.
    runs = [
        (pi, pj, _continued(b, pj, pairs[k + 1][1] if k + 1 < len(pairs) else m)) for k, (pi, pj) in enumerate(pairs)
    ]
    a_off, b_off = _offsets(a), _offsets(b)
    out: List[Raw] = []
    i = j = 0
    for pi, pj, upto in [*runs, (n, m, m)]:
        if i < pi or j < pj:  # lines without a partner: deleted, inserted, or replaced outright
            out.extend(_token_edits("".join(a[i:pi]), "".join(b[j:pj]), base + a_off[i], new_base + b_off[j]))
        if pi < n:
            out.extend(_token_edits(a[pi], "".join(b[pj:upto]), base + a_off[pi], new_base + b_off[pj]))
        i, j = pi + 1, upto
    return out


def _continued(b: Sequence[str], at: int, stop: int) -> int:
    """The end of line `at` of `b` with the lines after it (before `stop`) that close a bracket it
    leaves open, else `at + 1`."""
    depth = 0
    for k in range(at, stop):
        for t in _TOKEN.findall(b[k]):
            depth += (t in "([{") - (t in ")]}")
        if depth <= 0:
            return k + 1 if k > at else at + 1
    return at + 1


def raw_edits(old: str, new: str) -> List[Raw]:
    a, b = _lines(old), _lines(new)
    a_off, b_off = _offsets(a), _offsets(b)
    out: List[Raw] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            out.extend(_block_edits(a[i1:i2], b[j1:j2], a_off[i1], b_off[j1]))
    # Never cut a CRLF in two: a position between CR and LF has no line and column. The character
    # taken in is outside every replacement, so it is the same in both texts.
    for e in out:
        if 0 < e.start < len(old) and old[e.start - 1] == "\r" and old[e.start] == "\n":
            e.start, e.new_start = e.start - 1, e.new_start - 1
        if 0 < e.end < len(old) and old[e.end - 1] == "\r" and old[e.end] == "\n":
            e.end, e.new_end = e.end + 1, e.new_end + 1
    joined: List[Raw] = []
    for e in out:
        if joined and joined[-1].end >= e.start:
            joined[-1].end, joined[-1].new_end = e.end, e.new_end
        else:
            joined.append(e)
    return joined

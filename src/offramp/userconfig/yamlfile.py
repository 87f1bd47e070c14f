"""YAML, line by line: block mappings and sequences, compose `- KEY=value` items, scalars with anchors and tags."""

from __future__ import annotations

import re
from typing import Optional, Tuple

from offramp.userconfig.text import (
    HASH_COMMENT,
    Entry,
    Parsed,
    Text,
    Tok,
    cut,
    find_close,
    plain,
    quoted,
)

# -- YAML ----------------------------------------------------------------------------------------

_ITEM_ENV = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")


def _yaml_key(text: str, p: int, end: int) -> Optional[Tuple[str, int, int, int]]:
    """(key, start, end, offset after the colon) for `key: ...` at `p`, else None."""
    c = text[p]
    if c in "\"'":
        close = find_close(text, p + 1, end, c)
        if close < 0:
            return None
        j = close + 1
        while j < end and text[j] in " \t":
            j += 1
        if j < end and text[j] == ":" and (j + 1 == end or text[j + 1] in " \t"):
            return quoted(text, p, close, c, yaml_single=True).value, p, close + 1, j + 1
        return None
    if c in "[{&*!|>%@`?#":
        return None
    j = p
    while j < end:
        ch = text[j]
        if ch == "#" and j > p and text[j - 1] in " \t":
            return None
        if ch == ":" and (j + 1 == end or text[j + 1] in " \t"):
            key = text[p:j].rstrip(" \t")
            return (key, p, p + len(key), j + 1) if key else None
        j += 1
    return None


def scan_yaml(t: Text) -> Parsed:
    out = Parsed()
    text = t.text
    block_indent: Optional[int] = None  # inside a block scalar: indentation of its owner
    open_quote: Optional[str] = None  # inside a multi-line quoted scalar
    for start, end in t.lines:
        if open_quote is not None:
            if find_close(text, start, end, open_quote) >= 0:
                open_quote = None
            continue
        line = text[start:end]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" \t"))
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if not stripped or stripped[0] in "#%" or stripped in ("---", "...") or stripped.startswith("--- "):
            continue
        p = start + indent
        item = False
        while p < end and text[p] == "-" and (p + 1 == end or text[p + 1] in " \t"):
            item = True
            p += 1
            while p < end and text[p] in " \t":
                p += 1
        if p >= end or text[p] == "#":
            continue
        key = _yaml_key(text, p, end)
        if key is None:
            if not item:
                out.loose.append(cut(text, p, end, HASH_COMMENT))
                continue
            kind, tok = _yaml_value(text, p, end, out)
            if kind == "block":
                block_indent = indent
            elif kind == "open":
                open_quote = text[_skip_props(text, p, end)]
            if tok is None:
                continue
            m = _ITEM_ENV.match(tok.value)
            if m and tok.inner >= 0:
                # docker compose `environment:` lists: - OPENAI_API_KEY=${OPENAI_API_KEY}
                k0 = tok.inner
                v0 = k0 + m.end()
                rest = tok.value[m.end() :]
                value = Tok(v0, v0 + len(rest), rest, "", v0)
                out.entries.append(Entry(m.group(1), (k0, k0 + len(m.group(1))), value))
            else:
                out.entries.append(Entry(None, None, tok))
            continue
        name, ks, ke, vp = key
        kind, tok = _yaml_value(text, vp, end, out)
        if kind == "block":
            block_indent = ks - start
        elif kind == "open":
            open_quote = text[_skip_props(text, vp, end)]
        out.entries.append(Entry(name, (ks, ke), tok))
    return out


def _skip_props(text: str, p: int, end: int) -> int:
    """Skip blanks, then anchors (`&a`) and tags (`!!str`) before a value."""
    while True:
        while p < end and text[p] in " \t":
            p += 1
        if p < end and text[p] in "&!":
            while p < end and text[p] not in " \t":
                p += 1
            continue
        return p


def _yaml_value(text: str, p: int, end: int, out: Parsed) -> Tuple[str, Optional[Tok]]:
    p = _skip_props(text, p, end)
    if p >= end or text[p] == "#":
        return "none", None
    c = text[p]
    if c == "*":
        return "alias", None
    if c in "|>":
        return "block", None
    if c in "[{":
        out.loose.append(cut(text, p, end, HASH_COMMENT))
        return "flow", None
    if c in "\"'":
        close = find_close(text, p + 1, end, c)
        if close < 0:
            return "open", None
        return "ok", quoted(text, p, close, c, yaml_single=True)
    return "ok", plain(text, p, end, HASH_COMMENT)

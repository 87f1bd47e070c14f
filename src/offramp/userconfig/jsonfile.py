"""JSON and JSONC (comments, trailing commas), tokenised with positions; anything else is OFR000."""

from __future__ import annotations

import json
import re
from typing import Any, List, Optional, Sequence, Tuple

from offramp.userconfig.text import (
    Entry,
    Invalid,
    Parsed,
    Text,
    Tok,
)

# -- JSON ----------------------------------------------------------------------------------------

_JSON_LITERAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity")


# One token per match (whitespace runs, comments and strings whole): the character-by-character loop
# this replaces spent 5 of fix's 8 CPU seconds on gpt-researcher's recorded-result JSON files.
# Every alternative is linear: no nested quantifiers, disjoint alternatives inside strings.
_JSON_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]+)"
    r"|(?P<line>//[^\r\n]*)"
    r"|(?P<punct>[{}\[\]:,])"
    r'|(?P<str>"(?:[^"\\\r\n]|\\[^\r\n])*")'
    r"|(?P<lit>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)"
)
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')  # a string body json.loads would return as it is


def _json_tokens(text: str, i: int) -> List[Tuple[str, int, int, Any]]:
    toks: List[Tuple[str, int, int, Any]] = []
    n = len(text)
    match = _JSON_TOKEN.match
    while i < n:
        m = match(text, i)
        kind = m.lastgroup if m else None
        if kind == "ws" or kind == "line":
            i = m.end()  # type: ignore[union-attr]
        elif kind == "punct":
            toks.append((text[i], i, i + 1, None))
            i += 1
        elif kind == "str":
            j = m.end()  # type: ignore[union-attr]
            if _PLAIN.fullmatch(text, i + 1, j - 1):
                value: Any = text[i + 1 : j - 1]
            else:
                try:
                    value = json.loads(text[i:j])
                except json.JSONDecodeError as e:  # a raw tab or other control character, a bad escape
                    raise Invalid(i + e.pos, e.msg.replace(" at", "").lower() + " in a string") from None
            toks.append(("s", i, j, value))
            i = j
        elif kind == "lit":
            toks.append(("l", i, m.end(), None))  # type: ignore[union-attr]
            i = m.end()  # type: ignore[union-attr]
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise Invalid(i, "a /* comment is never closed")
            i = j + 2
        elif text[i] == '"':
            _bad_string(text, i)
        else:
            raise Invalid(i, f"unexpected {text[i]!r}")
    return toks


def _bad_string(text: str, i: int) -> None:
    """Why the string at `i` does not scan (the token pattern did not match it)."""
    n = len(text)
    j = i + 1
    while j < n and text[j] != '"':
        if text[j] in "\r\n":
            raise Invalid(i, "a string is not closed on its line")
        j += 2 if text[j] == "\\" else 1
    if j >= n:
        raise Invalid(i, "a string is never closed")
    try:
        json.loads(text[i : j + 1])
    except json.JSONDecodeError as e:
        raise Invalid(i + e.pos, e.msg.replace(" at", "").lower() + " in a string") from None
    raise Invalid(i, "a string is not closed on its line")


# Deeper than any configuration needs; the scanner recurses once per level (1000 levels used to
# end in a RecursionError, and the file passed unread).
_MAX_JSON_DEPTH = 200


def scan_json(t: Text) -> Optional[Parsed]:
    out = Parsed()
    text = t.text
    try:
        toks = _json_tokens(text, 1 if t.bom else 0)
        if not toks:
            return None
        end = _json_value(toks, 0, None, None, out, text)
        if end != len(toks):
            raise Invalid(toks[end][1], "more data after the document")
    except Invalid as e:
        return Parsed(error=(e.offset, f"invalid JSON: {e.detail}"))
    except IndexError:
        return Parsed(error=(len(text), "invalid JSON: the file ends inside the document"))
    except RecursionError:
        return Parsed(error=(0, "invalid JSON: nested too deeply"))
    return out


def _json_value(
    toks: Sequence[Tuple[str, int, int, Any]],
    i: int,
    key: Optional[str],
    key_span: Optional[Tuple[int, int]],
    out: Parsed,
    text: str,
    depth: int = 0,
) -> int:
    kind, start, end, value = toks[i]
    if depth > _MAX_JSON_DEPTH:
        raise Invalid(start, f"nested deeper than {_MAX_JSON_DEPTH} levels")
    if kind == "s":
        exact = text[start + 1 : end - 1] == value
        out.entries.append(Entry(key, key_span, Tok(start, end, value, '"', start + 1 if exact else -1)))
        return i + 1
    if key_span is not None:
        out.entries.append(Entry(key, key_span, None))
    if kind == "l":
        return i + 1
    if kind == "{":
        i += 1
        while toks[i][0] != "}":
            k = toks[i]
            if k[0] != "s" or toks[i + 1][0] != ":":
                raise Invalid(k[1], "expected a quoted key and `:`")
            i = _json_value(toks, i + 2, k[3], (k[1], k[2]), out, text, depth + 1)
            if toks[i][0] == ",":
                i += 1
            elif toks[i][0] != "}":
                raise Invalid(toks[i][1], "expected `,` or `}`")
        return i + 1
    if kind == "[":
        i += 1
        while toks[i][0] != "]":
            i = _json_value(toks, i, key, None, out, text, depth + 1)
            if toks[i][0] == ",":
                i += 1
            elif toks[i][0] != "]":
                raise Invalid(toks[i][1], "expected `,` or `]`")
        return i + 1
    raise Invalid(start, f"unexpected {text[start]!r}")

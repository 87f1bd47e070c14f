"""INI / CFG / CONF: `key = value` / `key: value`, `;`/`#` comments, indented continuation lines."""

from __future__ import annotations

from typing import Optional, Tuple

from offramp.userconfig.text import (
    INI_COMMENT,
    Entry,
    Parsed,
    Text,
    Tok,
    cut,
    plain,
)

# -- INI -----------------------------------------------------------------------------------------


def _ini_key(text: str, p: int, end: int) -> Optional[Tuple[int, int, int]]:
    """(end of the key, offset of its `=` or `:`, start of the value) for `key = value` at `p`.

    The first `=` or `:` ends the key, whose blanks before it are not part of it. Written with
    `str.find`: the regex it replaces (`([^\\s=:;#\\[][^=:]*?)[ \\t]*([=:])`) was quadratic on a
    line without a separator (`a` and 100,000 blanks: 143 s).
    """
    if p >= end or text[p].isspace() or text[p] in "=:;#[":
        return None
    eq, colon = text.find("=", p, end), text.find(":", p, end)
    sep = min(eq, colon) if eq >= 0 and colon >= 0 else max(eq, colon)
    if sep < 0:
        return None
    key_end = len(text[p:sep].rstrip(" \t")) + p
    value = sep + 1
    while value < end and text[value] in " \t":
        value += 1
    return key_end, sep, value


def _ini_value(text: str, p: int, end: int) -> Tok:
    if p < end and text[p] in "\"'":
        close = text.find(text[p], p + 1, end)
        if close >= 0:
            return Tok(p, close + 1, text[p + 1 : close], text[p], p + 1)
    return plain(text, p, end, INI_COMMENT)


def scan_ini(t: Text) -> Parsed:
    out = Parsed()
    text = t.text
    cont_key: Optional[str] = None
    for start, end in t.lines:
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in "#;":
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        p = start + indent
        if indent and cont_key is not None:
            out.entries.append(Entry(cont_key, None, _ini_value(text, p, end)))
            continue
        cont_key = None
        if stripped.startswith("["):
            continue
        key = _ini_key(text, p, end)
        if key and not (text[key[1]] == ":" and text.startswith("//", key[1] + 1)):
            cont_key = text[p : key[0]]
            out.entries.append(Entry(cont_key, (p, key[0]), _ini_value(text, key[2], end)))
        else:
            out.loose.append(cut(text, p, end, INI_COMMENT))
    return out

"""`.env` files: `KEY=value`, `export KEY=value`, quoted values, ` #` comments (multi-line values skipped)."""

from __future__ import annotations

import re
from typing import Optional

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

# -- .env ----------------------------------------------------------------------------------------

_ENV_ASSIGN = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*=[ \t]*")


def scan_env(t: Text) -> Parsed:
    out = Parsed()
    text = t.text
    skip_until = -1
    for start, end in t.lines:
        if start < skip_until:
            continue
        stripped = text[start:end].strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _ENV_ASSIGN.match(text, start, end)
        if not m:
            out.loose.append(cut(text, start, end, HASH_COMMENT))
            continue
        p = m.end()
        tok: Optional[Tok] = None
        if p < end and text[p] in "\"'`":
            q = text[p]
            close = find_close(text, p + 1, len(text), q) if q == '"' else text.find(q, p + 1)
            if close < 0:
                pass  # never closed: python-dotenv skips the line, so does this scanner
            elif close < end:
                tok = quoted(text, p, close, q)
            else:
                skip_until = close  # a multi-line value: skipped
        else:
            tok = plain(text, p, end, HASH_COMMENT)
        out.entries.append(Entry(m.group(1), (m.start(1), m.end(1)), tok))
    return out

"""Small, pure helpers that read values out of LibCST expressions and classify URLs.

They answer "what string is this?" and "where does this URL go?" without any knowledge of
scopes, so the collector and the fix planner can share them.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from offramp.hosts import (  # noqa: F401 - re-exported for the analysis modules
    DYNAMIC,
    KEY_RE,
    MATCH_METHODS,
    URL_RE,
    Target,
    classify_url,
    is_local_host,
    is_placeholder_host,
    is_placeholder_key,
    urls_in,
)


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """`a.b.c` for Name/Attribute chains, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def string_value(node: cst.BaseExpression) -> Optional[str]:
    """The value of a plain (possibly implicitly concatenated) string literal; None for anything else."""
    if isinstance(node, cst.SimpleString):
        plain = _plain_text(node.value)
        if plain is not None:
            return plain
        try:
            value = node.evaluated_value
        except Exception:
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left = string_value(node.left)
        right = string_value(node.right)
        return None if left is None or right is None else left + right
    return None


def _plain_text(raw: str) -> Optional[str]:
    """The value of a str literal whose text is its value (ASCII, no escapes, no CR or NUL): what
    `ast.literal_eval` gives, without compiling it (LibCST's `evaluated_value` compiles each
    literal; ~8k literals of a generated 5k-line SDK module took ~0.2 CPU-s). None otherwise."""
    start = 0
    while start < len(raw) and raw[start] not in "'\"":
        start += 1
    if raw[:start].lower() not in ("", "u", "r"):
        return None  # bytes, or a prefix this does not know
    quote = raw[start : start + 3] if raw[start : start + 3] in ('"""', "'''") else raw[start : start + 1]
    inner = raw[start + len(quote) : len(raw) - len(quote)]
    if not quote or len(raw) - start < 2 * len(quote) or raw[len(raw) - len(quote) :] != quote:
        return None
    if not inner.isascii() or "\\" in inner or "\r" in inner or "\x00" in inner:
        return None
    return inner


def template_value(node: cst.BaseExpression) -> Optional[str]:
    """Like string_value, but f-strings give their static text with DYNAMIC for each `{...}`."""
    if isinstance(node, cst.FormattedString):
        out = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value)
            else:
                out.append(DYNAMIC)
        return "".join(out)
    if isinstance(node, cst.ConcatenatedString):
        left = template_value(node.left)
        right = template_value(node.right)
        return None if left is None or right is None else left + right
    return string_value(node)

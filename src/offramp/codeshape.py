"""A Python file's code without the comments that stand outside brackets: what its LibCST analysis reads.

A warm `check` after an edit that only touched such comments (a `# noqa: OFR101` added to a line, a
comment line appended, a comment's wording changed) need not parse and analyse the file again: the
checks' hits are the same, and only what the engine reads from the text itself (suppressions, the
`# TODO[offramp]:` comments, test code, fingerprints: `engine.finish`) is computed again
(runner._triage). `code_shape` is the key of that reuse; two texts with the same shape give the same
hits, because:

- every token but those comments is in it with its exact string and position (line, column), so
  every node the analysis sees, and every span it reports, is the same; an edit that moves code by a
  line or a column changes the shape;
- the comments left out stand outside any bracket, so they are inside no expression whose source a
  message could quote (`code_for_node` of a call or a value: comments within brackets are in the
  shape); LibCST keeps them in a statement's leading lines, its trailing whitespace or a block's
  footer, none of which is in a node's syntactic position nor read by the analysis;
- the newline that ends a logical line is in it by line (its column moves with a trailing comment);
  blank lines by the positions of the tokens after them; the end of the file and the dedents before
  it by kind only (comment lines appended after the last statement move them);
- the first two lines' comments stay in (an encoding declaration decides how the bytes are read).

The per-family plans of `--to chat=...,embeddings=...` search the module's whole text, comments
included (checks/familyplan.py): the engine keeps no premise for them. Returns None when the text
does not tokenize (the file is analysed again).
"""

from __future__ import annotations

import hashlib
import io
import tokenize
from typing import Optional

_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_SKIPPED_AT_TOP = (tokenize.COMMENT, tokenize.NL)
_KIND_ONLY = (tokenize.DEDENT, tokenize.ENDMARKER)


def code_shape(text: str) -> Optional[str]:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"shape-1\0{_first_newline(text)!r}\0".encode())
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tok.type
            if kind == tokenize.OP:
                if tok.string in _OPEN:
                    depth += 1
                elif tok.string in _CLOSE:
                    depth -= 1
            elif kind in _SKIPPED_AT_TOP and depth == 0 and (kind == tokenize.NL or tok.start[0] > 2):
                continue
            if kind in _KIND_ONLY:
                part = f"{kind}\n"
            elif kind == tokenize.NEWLINE:
                part = f"{kind}\0{tok.string!r}\0{tok.start[0]}\n"
            else:
                part = f"{kind}\0{tok.string!r}\0{tok.start}\0{tok.end}\n"
            h.update(part.encode("utf-8", "surrogatepass"))
    except (tokenize.TokenError, SyntaxError):  # (IndentationError is one)
        return None
    return h.hexdigest()


def _first_newline(text: str) -> str:
    """The file's first line ending (LibCST's `Module.default_newline`)."""
    n, r = text.find("\n"), text.find("\r")
    if r == -1 or -1 < n < r:
        return "\n" if n != -1 else ""
    return "\r\n" if text[r + 1 : r + 2] == "\n" else "\r"

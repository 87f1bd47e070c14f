"""Whether a rewrite parses: fix writes a file only when its new text does (fixes/onefile.py).

CPython's parser where it read the old text (a text it accepted once is remembered: source.py), LibCST's
where only LibCST did (newer syntax than this interpreter's), and the outcome that refuses the rewrite
otherwise. Kept apart from onefile.py's planning and writing, and shared with fixes/attribution.py.
"""

from __future__ import annotations

import ast
import warnings
from typing import TYPE_CHECKING, Optional

from offramp.fixes.outcome import Refused
from offramp.source import cpython_accepted, note_cpython_accepts, parse_module

if TYPE_CHECKING:
    from offramp.fixes.onefile import FixResult


def verified(old_text: str, new_text: str, verify: bool, result: FixResult) -> Optional[str]:
    """`new_text` if it parses (with `verify`, LibCST's parse too), else None with the result Refused."""
    import libcst as cst  # lazy: start-up

    try:
        # newer syntax than this interpreter's is checked by LibCST alone
        if cpython_parses(old_text) and not cpython_accepted(new_text):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a SyntaxWarning about the file's own escapes is not news
                ast.parse(new_text)
        if verify:
            parse_module(new_text)
    except (SyntaxError, cst.ParserSyntaxError, ValueError, RecursionError) as e:  # pragma: no cover - a bug guard
        result.outcome = Refused(unparsable(e))
        return None
    return new_text


def unparsable(e: BaseException) -> str:
    detail = (str(e).splitlines() or [type(e).__name__])[0]
    return f"refused: the rewrite would not parse ({detail}); file left unchanged"


def cpython_parses(text: str) -> bool:
    """Whether CPython parses `text` (a text it accepted once is remembered)."""
    if cpython_accepted(text):  # (the text `fix` checked was screened when it was parsed)
        return True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    note_cpython_accepts(text)
    return True

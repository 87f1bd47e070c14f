"""Model literals rewritten for requests made in other files (the route gate's `Gate.models`).

`CHAT_MODEL = "gpt-4o"` in settings.py is sent by `client.chat.completions.create(model=settings.CHAT_MODEL)`
in app.py. The planner of settings.py sees no SDK use at all; the project's routes do. Once the
route gate knows that every request the literal reaches moves to the provider, the literal is
rewritten where it is written, in the same run as the client, key and URL of those requests.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple, cast

import libcst as cst

from offramp.analysis.positions import node_positions
from offramp.analysis.values import string_value
from offramp.fixes.apply import apply_plan
from offramp.fixes.plan import Plan
from offramp.fixes.planedits import Edit
from offramp.source import parse_module
from offramp.syntax.arguments import string_like
from offramp.types import Span


def literal_edits(module: cst.Module, models: Dict[Span, Tuple[str, str]]) -> List[Tuple[cst.SimpleString, Span, str]]:
    """The string literals at the given spans that still hold the expected value, with their new value.
    A literal whose text changed since the routes were built (or that is not a plain string) is left."""
    if not models:
        return []
    out = []
    for node, r in node_positions(module).items():
        if isinstance(node, cst.SimpleString):
            span = Span(r[0], r[1] + 1, r[2], r[3] + 1)
            want = models.get(span)
            if want is not None and string_value(node) == want[0]:
                out.append((node, span, want[1]))
    return out


def rewrite_models(text: str, models: Dict[Span, Tuple[str, str]]) -> Tuple[Optional[str], int]:
    """`text` with those literals rewritten (None when none is found) and how many were: for a file
    with no SDK use of its own, so no planner of its own either."""
    module = parse_module(text)
    plan = Plan()
    found = literal_edits(module, models)
    for node, _, new in found:
        plan.edit(node, cast(Edit, lambda old, new=new: string_like(old, new)))
    return (apply_plan(module, plan).code, len(found)) if found else (None, 0)

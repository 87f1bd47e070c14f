"""Model literals rewritten for requests made in other files (the route gate's `Gate.models`).

`CHAT_MODEL = "gpt-4o"` in settings.py is sent by `client.chat.completions.create(model=settings.CHAT_MODEL)`
in app.py. The planner of settings.py sees no SDK use at all; the project's routes do. Once the
route gate knows that every request the literal reaches moves to the provider, the literal is
rewritten where it is written, in the same run as the client, key and URL of those requests.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple, cast

from offramp.analysis.keyuses import literals_at
from offramp.codes import OPENAI_MODEL
from offramp.fixes.apply import apply_plan
from offramp.fixes.plan import Plan
from offramp.fixes.planedits import Edit
from offramp.source import parse_module
from offramp.syntax.arguments import string_like
from offramp.syntax.tree import module_parents, statement_around
from offramp.types import Span


def key_use_todo(old: str, new: str, also_key: str) -> str:
    """The TODO of a model id also used as a key (invariant 5), here and in the file's own literals (literals.py)."""
    return f"map `{old}` to `{new}` here and where it is used as a key: {also_key}"


def rewrite_models(text: str, models: Dict[Span, Tuple[str, str]]) -> Tuple[Optional[str], int]:
    """`text` with those literals rewritten (None when none is found) and how many were: for a file
    with no SDK use of its own, so no planner of its own either."""
    module = parse_module(text)
    plan = Plan()
    found = literals_at(module, models)
    parents = module_parents(module)
    for node, span, new, also_key in found:
        if also_key:
            plan.todo(statement_around(node, parents), key_use_todo(models[span][0], new, also_key), OPENAI_MODEL)
        else:
            plan.edit(node, cast(Edit, lambda old, new=new: string_like(old, new)))
    return (apply_plan(module, plan).code, len(plan.edits)) if found else (None, 0)

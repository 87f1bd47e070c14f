"""Model literals rewritten for requests made in other files (the route gate's `Gate.models`).

`CHAT_MODEL = "gpt-4o"` in settings.py is sent by `client.chat.completions.create(model=settings.CHAT_MODEL)`
in app.py. The planner of settings.py sees no SDK use at all; the project's routes do. Once the
route gate knows that every request the literal reaches moves to the provider, the literal is
rewritten where it is written, in the same run as the client, key and URL of those requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from offramp.analysis.keyuses import literals_at
from offramp.codes import AZURE_DEPLOYMENT, OPENAI_MODEL
from offramp.fixes.apply import apply_plan
from offramp.fixes.plan import Origin, Plan
from offramp.fixes.planedits import to_string
from offramp.project.decision import MODEL, Effect
from offramp.project.gate import overlaps
from offramp.source import parse_module
from offramp.syntax.tree import module_parents, statement_around
from offramp.types import Span

if TYPE_CHECKING:
    from offramp.fixes.provenance import Region


def key_use_todo(old: str, new: str, also_key: str) -> str:
    """The TODO of a model id also used as a key (invariant 5), here and in the file's own literals (literals.py)."""
    return f"map `{old}` to `{new}` here and where it is used as a key: {also_key}"


def plan_models(
    plan: Plan,
    module: cst.Module,
    models: Dict[Span, Tuple[str, str]],
    allowed: Callable[[str, int], bool],
    moved: Sequence[Span] = (),
) -> None:
    """The one decision on a model literal that requests of other files send (`Gate.models`), for a file
    with a plan of its own (planner.py) and one without (`rewrite_models`) alike: rewritten where it is
    written, or a TODO where it is also used as a key (invariant 5); not where the file's own plan moved
    it (`moved`) or a suppression covers its finding (`allowed`, as check reports it)."""
    parents = None
    for node, span, new, also_key in literals_at(module, models):
        if any(overlaps(span, s) for s in moved) or not allowed(OPENAI_MODEL, span.line):
            continue
        if also_key:
            parents = parents or module_parents(module)
            todo = key_use_todo(models[span][0], new, also_key)
            plan.todo(statement_around(node, parents), todo, OPENAI_MODEL, span.line)
            continue
        # (check reports it as OFR201, or OFR202 where a request sends it to an Azure deployment)
        azure = Origin(AZURE_DEPLOYMENT, span.line, span)
        plan.edit(node, to_string(new), Origin(OPENAI_MODEL, span.line, span, azure))
        plan.moves(MODEL, span)
        plan.changes["model"] += 1


def rewrite_models(
    text: str, models: Dict[Span, Tuple[str, str]], allowed: Callable[[str, int], bool], trace: bool = False
) -> Tuple[Optional[str], List[Effect], List[Region]]:
    """`text` with those literals rewritten (None when none is), what that moves (a MODEL effect per literal
    rewritten: the route gate asks which requests' models are settled) and with `trace` where each change is
    written and for which finding (fixes/provenance.py): for a file with no SDK use of its own, so no
    planner of its own either."""
    module = parse_module(text)
    plan = Plan()
    plan.allowed = allowed
    plan.trace = trace
    plan_models(plan, module, models, allowed)
    if plan.empty:
        return None, [], []
    new_text = apply_plan(module, plan).code
    if not trace:
        return new_text, plan.effects, []
    from offramp.fixes.provenance import regions  # lazy: start-up

    return new_text, plan.effects, regions(module, plan, text)

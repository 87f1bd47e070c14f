"""The fix side of checks/semantics.py: apply each gap's edit (or write its TODO) on calls that move.

A request parameter is only rewritten on a call whose route moves to the provider as a whole —
its client is retargeted by this plan (and not held by the route gate) or already aims at the
provider — so a call left on OpenAI keeps the parameters OpenAI reads (route invariant: a fix
moves host, key and model of a request together or leaves it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List

import libcst as cst

from offramp import codes
from offramp.analysis.facts import ApiCall
from offramp.checks.responses import responses_gaps
from offramp.checks.semantics import assistants_gap, call_gaps, replay_gaps, target_models, wrapper_batch_gap
from offramp.fixes.plan import Origin

if TYPE_CHECKING:
    import libcst as cst

    from offramp.fixes.planner import Planner


def call_moves(planner: Planner, call: ApiCall) -> bool:
    """The call's requests reach the provider after this plan (its client moves or is there already)."""
    own = {h.lower() for h in planner.p.hosts}
    if call.via == "client":
        return bool(call.clients) and all(
            planner.retargets(c) or (c.target.kind == "provider" and c.target.host.lower() in own) for c in call.clients
        )
    if call.via == "module":
        t = call.module_target or planner.a.module_target
        if t is None or planner.module_stays():
            return False
        return t.blocked or (t.kind == "provider" and t.host.lower() in own)
    return False


def plan_call(planner: Planner, call: ApiCall) -> bool:
    """Edits and TODOs for one call the planner found relevant (live, or at the provider); True when
    the call now goes to another endpoint (a Responses call rewritten to chat completions)."""
    plan, line = planner.plan, call.span.line
    stmt = planner.stmt(call.node)
    g = assistants_gap(call)
    if g is not None:
        plan.todo(stmt, g.todo, g.code, line)
    if not call_moves(planner, call):
        return False
    rerouted = False
    gaps = call_gaps(call, planner.p, target_models(call, planner.p, planner.models), planner.a.module)
    if call.family == "responses":
        gaps += responses_gaps(call, planner.p, planner.a.module, _Parents(planner))
    for g in gaps:
        if g.edit is None or not planner.allowed(g.code, line):
            plan.todo(stmt, g.todo, g.code, line)
            continue
        edit, origin = g.edit, Origin(g.code, line, call.span)
        plan.edit(call.node, lambda n, edit=edit: edit(n), origin)  # type: ignore[misc]
        for node, other in g.others:
            plan.edit(node, other, origin)
        for module, obj in g.imports:
            plan.add_import(module, obj, origin)
        plan.changes["request parameter"] += 1
        rerouted = rerouted or g.code == codes.UNSUPPORTED_ENDPOINT
        if g.note:
            plan.notes.append((line, g.note))
    return rerouted


class _Parents:
    """The planner's parent map (built once per file, on first use) as the `.get` the gaps ask."""

    def __init__(self, planner: Planner) -> None:
        self.planner = planner

    def get(self, key: int):
        return self.planner.parents().get(key)


def plan_file(planner: Planner, calls: List[ApiCall]) -> None:
    """What belongs to the file rather than a call: library embeddings clients that batch more inputs
    than the provider takes, tool loops that drop reasoning_content."""
    own = {h.lower() for h in planner.p.hosts}
    for c in planner.a.clients:
        if not (planner.retargets(c) or (c.target.kind == "provider" and c.target.host.lower() in own)):
            continue
        g = wrapper_batch_gap(c, planner.p)
        if g is not None and g.edit is None:
            planner.plan.todo(planner.stmt(c.node), g.todo, g.code, c.span.line)
        elif g is not None and g.edit is not None and planner.allowed(g.code, c.span.line):
            edit = g.edit
            origin = Origin(g.code, c.span.line, c.span)
            planner.plan.edit(c.node, lambda n, edit=edit: edit(n), origin)  # type: ignore[misc]
            planner.plan.changes["request parameter"] += 1
            planner.plan.notes.append((c.span.line, g.note))
    moving = [c for c in calls if call_moves(planner, c)]
    for g in replay_gaps(planner.a, planner.p, moving):
        stmt = _statement_of(planner, g.node) if g.node is not None else None
        if stmt is not None:
            plan_line = planner.line(moving[0].span) if moving else 0
            planner.plan.todo(stmt, g.todo, g.code, plan_line)


def _statement_of(planner: Planner, node: cst.CSTNode):
    for n in reversed(planner.path_to(node)):
        if isinstance(n, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            return n
    return None

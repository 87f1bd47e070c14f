"""`fix --to chat=deepseek,embeddings=qwen`: the second client of a split, and the TODO on a request
that cannot move to its family's provider.

Which provider each client and request goes to, and which client is split, is decided once for
`check` and `fix` (checks/familyplan.py). Here the split is written: a second client for the other
family right after the original, in the same scope, at that family's provider with that provider's
key, and that family's calls pointed at it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import libcst as cst

from offramp.checks.clients import client_code
from offramp.checks.familyplan import FamilyPlan, Split
from offramp.fixes.planedits import plain_func
from offramp.project.decision import CRED, HOST
from offramp.providers import Provider
from offramp.syntax.arguments import env_read, retarget_args
from offramp.syntax.tree import quote_of

if TYPE_CHECKING:
    from offramp.fixes.planner import Planner


def plan_splits(planner: Planner, fp: FamilyPlan) -> None:
    """The second clients and their requests' receivers (the original client is planned as usual)."""
    for s in fp.splits:
        c = s.client
        with planner.plan.for_finding(client_code(c), c.span):
            _split(planner, s)


def _split(planner: Planner, s: Split) -> None:
    """The second client of one split, after the original's statement."""
    sdk = planner.sdk
    c = s.client
    assert isinstance(c.node, cst.Call)
    stmt = planner.stmt(c.node)
    assert isinstance(stmt, cst.SimpleStatementLine)
    drop = {"base_url", "api_key", *sdk.openai_only_args}
    if c.qualified in sdk.azure_clients:
        drop |= set(sdk.azure_only_args)
    func = c.node.func
    if c.qualified in sdk.azure_clients:
        func = plain_func(func, "AsyncOpenAI" if "Async" in c.qualified.rsplit(".", 1)[-1] else "OpenAI")
    quote = quote_of(c.node)
    base = s.provider.base_url(planner.region).rstrip("/")
    call = retarget_args(
        c.node.with_changes(func=func),
        sorted(drop),
        [("base_url", cst.SimpleString(f'"{base}"')), ("api_key", env_read(s.provider.key_env, quote))],
    )
    line = cst.SimpleStatementLine(
        body=[
            cst.Assign(
                targets=[cst.AssignTarget(cast(cst.BaseAssignTargetExpression, cst.parse_expression(s.name)))],
                value=call,
            )
        ]
    )
    planner.plan.after(stmt, [line])
    with planner.using(s.provider):  # the requests of this family through `c` now end at s.provider
        planner.plan.moves(HOST, c.span)
        planner.plan.moves(CRED, c.span)
    planner.needs_os(c.node)
    planner.plan.changes[f"{s.family} client"] += 1
    planner.plan.notes.append(
        (
            c.span.line,
            f"`{s.receiver}` also sent {s.family} requests: they now go through `{s.name}`, "
            f"a client at {s.provider.name} with {s.provider.key_env}",
        )
    )
    new = cst.parse_expression(s.name)
    for call_fact in s.calls:
        planner.plan.edit(call_fact.node, _swap_receiver(s.receiver, new))


def _swap_receiver(receiver: str, new: cst.BaseExpression):
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        return node.with_changes(func=_replace(node.func, receiver, new))

    return edit


def _replace(expr: cst.BaseExpression, receiver: str, new: cst.BaseExpression) -> cst.BaseExpression:
    if cst.Module([]).code_for_node(expr) == receiver:
        return new
    if isinstance(expr, cst.Attribute):
        return expr.with_changes(value=_replace(expr.value, receiver, new))
    return expr


def stuck_todo(family_provider: Provider, family: str, why: str) -> str:
    """The TODO on a request its family's provider does not get (fixes/planner.py `capabilities`)."""
    return (
        f"this {family} request does not move to {family_provider.name}: {why}; "
        f"send it through a client of its own at {family_provider.name} ({family_provider.key_env})"
    )

"""`check --to chat=deepseek,embeddings=qwen`: each request judged against its own family's provider.

The per-file checks take one provider (CheckContext.provider). With a provider per family
(offramp.targets) they run once per provider, and a finding is kept from the run of the provider
its fact's requests go to: a call by its family, a model literal by its requests (else by its
model's family: `text-embedding-3-small` goes with the embeddings), a client by what it sends.
A finding on anything else (an environment variable, a URL) comes from the chat provider's run.
So DeepSeek is never asked about embeddings that go to Qwen, and Qwen never about chat.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Tuple

from offramp.analysis.facts import Analysis
from offramp.checks.base import CheckContext, Hit
from offramp.checks.familyplan import plan_families
from offramp.checks.moves import Moves
from offramp.providers import Provider
from offramp.targets import Targets
from offramp.types import Span


def provider_by_span(a: Analysis, ctx: CheckContext, targets: Targets) -> Tuple[Dict[Span, Provider], List[Span]]:
    """The provider each fact's requests go to, by the fact's span (what a finding on it carries): the
    decision `fix` makes (checks/familyplan.py), so that a request fix cannot move to its family's
    provider (a client handed on, the module-level client) is judged where fix leaves it. Also the
    spans of such a client (or the module-level client) and its requests: the route gate holds it
    whole where it is (its embeddings cannot reach their provider), so nothing of it is fixable."""
    moves = Moves(a, targets.default, ctx.sdk, dict(ctx.models), targets=targets)
    planned = moves.families = plan_families(moves, targets)
    module = [c for c in a.calls if c.via in ("module", "v0")]
    held: List[Span] = []
    if any(id(c.node) in planned.stuck for c in module):
        held = [m.span for m in a.module_assigns] + [c.span for c in module]
    for c in a.clients:  # a client fix cannot split: its other family's requests strand it, held whole
        through = [call for call in a.calls if any(x is c for x in call.clients)]
        if any(id(call.node) in planned.stuck for call in through):
            held += [c.span] + [call.span for call in through]
    out: Dict[Span, Provider] = {}
    for call in a.calls:
        out[call.span] = planned.calls.get(id(call.node), targets.default)
    for c in a.clients:
        out[c.span] = planned.clients.get(id(c), targets.default)
    for e in a.env:  # a key read written in a client's construction is that client's provider's to rename
        inside = [c for c in a.clients if _within(e.span, c.span)]
        if inside:
            out[e.span] = out[inside[-1].span]
    for lit in a.models:  # (as fix plans it: checks/moves.py)
        out[lit.span] = moves.literal_provider(lit)
    return out, held


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= (
        outer.end_line,
        outer.end_column,
    )


def run_per_family(a: Analysis, ctx: CheckContext, targets: Targets, run) -> List[Hit]:
    """`run(a, ctx)` once per provider, each finding kept from the run of its fact's provider."""
    where, held = provider_by_span(a, ctx, targets)
    hits: List[Hit] = []
    for p in targets.providers:
        for h in run(a, replace(ctx, provider=p)):
            if where.get(h.span, targets.default).id == p.id:
                if any(_within(h.span, s) for s in held):
                    h.fixable = False
                hits.append(h)
    return hits

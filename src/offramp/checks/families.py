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
from typing import Dict, List

from offramp.analysis.facts import Analysis
from offramp.checks.base import CheckContext, Hit
from offramp.providers import Provider
from offramp.targets import Targets
from offramp.types import Span


def provider_by_span(a: Analysis, targets: Targets, sdk) -> Dict[Span, Provider]:  # type: ignore[no-untyped-def]
    """The provider each fact's requests go to, by the fact's span (what a finding on it carries)."""
    out: Dict[Span, Provider] = {}
    for call in a.calls:
        out[call.span] = targets.for_family(call.family)
    for c in a.clients:
        if c.wrapper is not None or c.config_dict:
            out[c.span] = targets.for_family(c.family)
            continue
        # a client sending requests of two families is split by `fix`: it stays the chat provider's
        one = targets.for_families([call.family for call in a.calls if any(x is c for x in call.clients)])
        out[c.span] = one or targets.default
    for e in a.env:  # a key read written in a client's construction is that client's provider's to rename
        inside = [c for c in a.clients if _within(e.span, c.span)]
        if inside:
            out[e.span] = out[inside[-1].span]
    for lit in a.models:
        if lit.calls:
            out[lit.span] = targets.for_families([call.family for call in lit.calls]) or targets.default
        elif lit.owner is not None:
            out[lit.span] = out.get(lit.owner.span, targets.default)
        else:
            out[lit.span] = targets.for_model_family(sdk.model_family(lit.value))
    return out


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= (
        outer.end_line,
        outer.end_column,
    )


def run_per_family(a: Analysis, ctx: CheckContext, targets: Targets, run) -> List[Hit]:  # type: ignore[no-untyped-def]
    """`run(a, ctx)` once per provider, each finding kept from the run of its fact's provider."""
    where = provider_by_span(a, targets, ctx.sdk)
    hits: List[Hit] = []
    for p in targets.providers:
        for h in run(a, replace(ctx, provider=p)):
            if where.get(h.span, targets.default).id == p.id:
                hits.append(h)
    return hits

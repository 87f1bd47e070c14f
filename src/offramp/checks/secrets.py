"""OFR3xx: environment variables that carry OpenAI configuration, and keys written into code."""

from __future__ import annotations

from typing import List, Set

from offramp import codes
from offramp.analysis.facts import Analysis
from offramp.catalog import renamable_key
from offramp.checks.base import CheckContext, Hit
from offramp.checks.keptkeys import KeptKeys

_ROLE_TEXT = {
    "key": "holds an OpenAI/Azure API key",
    "base-url": "holds an OpenAI/Azure endpoint",
    "azure": "configures Azure OpenAI",
    "model": "names an OpenAI model or Azure deployment",
    "other": "configures the OpenAI SDK",
}


def _kept_by_fix(a: Analysis, ctx: CheckContext) -> Set[int]:
    """Key env nodes `fix --to` keeps as they are: reads feeding a client it leaves on OpenAI/Azure
    (renamed, they would send the provider's key there) and writes of a key written into the file.

    Decided by the same `KeptKeys` the fix planner is, so `[*]` means exactly what `fix` will do.
    """
    if ctx.provider is None or not any(e.role == "key" and e.node is not None for e in a.env):
        return set()
    moves = KeptKeys(a, ctx.provider, ctx.sdk, dict(ctx.models))
    moves.kept_keys()
    return {id(e.node) for e in a.env if e.role == "key" and moves.key_left(e) is not None}


def check_env(a: Analysis, ctx: CheckContext) -> List[Hit]:
    hits: List[Hit] = []
    kept = _kept_by_fix(a, ctx)
    for e in a.env:
        role = _ROLE_TEXT.get(e.role, _ROLE_TEXT["other"])
        if ctx.provider is not None and e.role == "key":
            role += f"; {ctx.provider.name} reads `{ctx.provider.key_env}`"
        hits.append(
            Hit(
                codes.OPENAI_ENV_VAR,
                e.span,
                {"env": e.name, "role": role},
                fixable=renamable_key(e.name, e.role) and not e.untraced and id(e.node) not in kept,
            )
        )
    return hits


def check_keys(a: Analysis, ctx: CheckContext) -> List[Hit]:
    return [Hit(codes.HARDCODED_API_KEY, k.span) for k in a.keys]

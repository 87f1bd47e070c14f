"""OFR3xx: environment variables that carry OpenAI configuration, and keys written into code."""

from __future__ import annotations

from typing import List

from offramp.analysis.facts import Analysis
from offramp.checks.base import CheckContext, Hit

_ROLE_TEXT = {
    "key": "holds an OpenAI/Azure API key",
    "base-url": "holds an OpenAI/Azure endpoint",
    "azure": "configures Azure OpenAI",
    "model": "names an OpenAI model or Azure deployment",
    "other": "configures the OpenAI SDK",
}


def check_env(a: Analysis, ctx: CheckContext) -> List[Hit]:
    hits: List[Hit] = []
    for e in a.env:
        role = _ROLE_TEXT.get(e.role, _ROLE_TEXT["other"])
        if ctx.provider is not None and e.role == "key":
            role += f"; {ctx.provider.name} reads `{ctx.provider.key_env}`"
        hits.append(
            Hit(
                "OFR301",
                e.span,
                {"env": e.name, "role": role},
                fixable=e.role == "key" and "ADMIN" not in e.name.upper(),
            )
        )
    return hits


def check_keys(a: Analysis, ctx: CheckContext) -> List[Hit]:
    return [Hit("OFR302", k.span) for k in a.keys]

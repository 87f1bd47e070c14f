"""What an openai 0.x request sets for itself over the module configuration: its own key, base URL and API type.

openai<1 lets every call carry `api_key=`, `api_base=` and `api_type=` (its `api_requestor` takes them before
`openai.api_key` and friends). A route read only from the module configuration moved with the module client
while the request sent its own key: the app's configured OpenAI key went to the provider
(tests/fixtures/oracle/v0_per_request_key; XAgent's pooled and per-model-config requests).
"""

from __future__ import annotations

from typing import Dict, Set, Tuple

from offramp.project.flow import Flow
from offramp.project.index import Expr, Site, display
from offramp.project.objects import Ctx
from offramp.project.sources import EnvRead, Literal, Parameter, Source, Unknown, may_be_unset

# What a v0 call may set for itself, over the module configuration.
_PER_REQUEST = ("api_key", "api_base", "api_type")


def per_request(
    flow: Flow, ctx: Ctx, site: Site, host: Set[Source], key: Set[Source], azure: bool
) -> Tuple[Set[Source], Set[Source], bool, Tuple[str, ...]]:
    """A v0 call's own `api_key=`, `api_base=` and `api_type=` (also through a `**dict` offramp can
    read) win over the module configuration for that request. Read as the module's, a per-request
    key from the app's config (`create(..., api_key=conf["key"])`) moved with the module's host: the
    OpenAI key went to the provider, and a per-request `api_base` kept the provider key's request on OpenAI."""
    given: Dict[str, Set[Source]] = {}
    for k, v in site.kwargs:
        if k in _PER_REQUEST:
            given.setdefault(k, set()).update(flow.sources(ctx, v))
        elif k == "**" and not own_kwargs(flow, ctx, v):
            found, opaque = flow.entries(ctx, v, _PER_REQUEST)
            for name, sources in found.items():
                given.setdefault(name, set()).update(sources)
            if any(not isinstance(d, Parameter) for d in opaque):
                # a dict offramp cannot read (XAgent's per-model API config) may hold the request's
                # own key; `**kwargs` of the function is its callers' keywords, as before
                given.setdefault("api_key", set()).add(Unknown(f"`**{display(v)}` may set its own api_key"))

    # (an empty value is the module's: the v0 requestor takes `key or openai.api_key`)
    def merged(mine: Set[Source], module: Set[Source]) -> Set[Source]:
        unset = any(may_be_unset(s) or (isinstance(s, EnvRead) and s.nullable) for s in mine)
        return {s for s in mine if not (isinstance(s, Literal) and not s.value)} | (module if unset else set())

    if "api_key" in given:
        key = merged(given["api_key"], key)
    if "api_base" in given:
        host = merged(given["api_base"], host)
    azure |= any(
        isinstance(s, Literal) and (s.value or "").lower().startswith("azure") for s in given.get("api_type", ())
    )
    own = tuple(role for role, arg in (("host", "api_base"), ("cred", "api_key")) if arg in given)
    return host, key, azure, own


def own_kwargs(flow: Flow, ctx: Ctx, v: Expr) -> bool:
    """`v` is the `**kwargs` parameter of the function the request is made in (its callers' keywords)."""
    m = flow.module(ctx.module)
    fn = m.functions.get(ctx.scope) if m is not None and ctx.scope else None
    return fn is not None and v[0] == "name" and any(p == "**" + v[1] for p, _, _ in fn.params)

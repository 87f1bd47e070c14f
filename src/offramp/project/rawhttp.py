"""Raw HTTP routes: a requests / httpx / aiohttp call aimed at an OpenAI or Azure OpenAI URL.

Such a call is a request site like an SDK call: its URL gives the host (and, after `/v1/` or an
Azure deployment path, the endpoint family), a key header (`Authorization`, `api-key`) the
credential, and the `json=` / `data=` body's `model` the model. A call whose URL offramp cannot
place on OpenAI, Azure or the provider is no route.
"""

from __future__ import annotations

from typing import Iterator, List, Optional, Set, Tuple

from offramp.catalog import SdkSurface
from offramp.hosts import classify_url
from offramp.project.flow import Flow
from offramp.project.index import HTTP_CALLS, Expr, ModuleIndex, Site, display
from offramp.project.objects import Ctx, DictVal, ExtRef, Session, Value
from offramp.project.sources import ConfigValue, Literal, Route, Source, Unknown
from offramp.types import Span

_KEY_HEADERS = ("authorization", "api-key", "x-api-key")


def http_route(
    flow: Flow, sdk: SdkSurface, provider_hosts: Tuple[str, ...], m: ModuleIndex, ctx: Ctx, site: Site
) -> Optional[Route]:
    """The route of a raw HTTP call (`site`), or None when it is not aimed at OpenAI, Azure or the provider."""
    func = site.func
    method = func[2]
    callee = [v for v in flow.values(ctx, func)]
    direct = any(isinstance(v, ExtRef) and v.qualified in HTTP_CALLS for v in callee)
    session = any(isinstance(v, Session) for v in flow.values(ctx, func[1]))
    if not (direct or session):
        return None
    args = list(site.args)
    url_expr = next((v for k, v in site.kwargs if k == "url"), None)
    if url_expr is None:
        pos = 1 if method in ("request", "stream") else 0
        url_expr = args[pos] if len(args) > pos else None
    if url_expr is None:
        return None
    host = set(flow.sources(ctx, url_expr))
    family = ""
    aimed = False
    for s in host:
        if isinstance(s, (Literal, ConfigValue)) and s.value:
            t = classify_url(s.value, sdk, provider_hosts)
            azure_path = "/openai/deployments" in s.value  # also the deployments list itself
            # also a provider's URL (after a migration): its body's model must be one the provider serves
            if t.blocked or azure_path or t.kind == "provider":
                aimed = True
            rest = s.value.split("/v1/", 1)[1] if "/v1/" in s.value else ""
            family = family or (sdk.rest_family(rest) or "" if rest else "")
            if azure_path:
                family = family or (
                    sdk.rest_family(s.value.split("/openai/deployments", 1)[1].lstrip("/").split("/", 1)[-1]) or ""
                )
    if not aimed:
        return None
    body: Set[Source] = set()
    for k, v in site.kwargs:
        if k in ("json", "data", "content"):
            for d in flow.values(ctx, v):
                for dv in _dicts(ctx, d):
                    for e in flow.dict_entry(dv, "model", 0):
                        body.update(flow.as_sources(e))
    key: Set[Source] = set()
    for k, v in site.kwargs:
        if k == "headers":
            for d in flow.values(ctx, v):
                if isinstance(d, DictVal):
                    for hk, hv in d.expr[1]:
                        if hk is not None and hk.lower() in _KEY_HEADERS:
                            key.update(_inner(flow, d.ctx, hv))
    azure = any(
        isinstance(s, Literal) and s.value and ("azure" in s.value or "/openai/deployments/" in s.value) for s in host
    )
    return Route(
        file=m.path,
        span=Span(*site.span),
        call=display(func),
        kind="http",
        family=family,
        azure=azure,
        host=frozenset(host),
        credential=frozenset(key),
        model=frozenset(body),
    )


def _dicts(ctx: Ctx, v: Value) -> Iterator[DictVal]:
    if isinstance(v, DictVal):
        yield v
    elif isinstance(v, Unknown):
        return


def _inner(flow: Flow, ctx: Ctx, expr: Expr) -> List[Source]:
    """The sources inside a header value (`f"Bearer {os.environ['OPENAI_API_KEY']}"`)."""
    out: List[Source] = []
    for v in flow.values(ctx, expr):
        if isinstance(v, Literal) and v.template:
            continue
        out += flow.as_sources(v)
    if expr[0] == "fstr":
        for inner in expr[3]:
            out += flow.sources(ctx, inner)
    elif expr[0] == "name":
        for v in flow.values(ctx, expr):
            if isinstance(v, Literal) and v.template:
                out.append(v)
    return out

"""OFR1xx: clients, module-level configuration, legacy calls and URLs that reach OpenAI or Azure."""

from __future__ import annotations

from typing import List, Set
from urllib.parse import urlsplit

import libcst as cst

from offramp import codes
from offramp.analysis.facts import Analysis, ClientCtor
from offramp.analysis.frameworks import library_refuses
from offramp.checks.azure_routes import unmapped_module_deployments
from offramp.checks.base import TURNED_OFF, CheckContext, Hit
from offramp.checks.modulekey import caller_key
from offramp.checks.ondata import holds
from offramp.hosts import Target


def _goes(target: Target) -> str:
    text = target.describe()
    if target.kind == "azure":
        return f"targets {text}"
    return text if text.startswith("calls ") else f"calls {text}"


def client_code(c: ClientCtor) -> str:
    """The rule a client's finding is reported under (fix plans its changes for that finding)."""
    return codes.AZURE_OPENAI_CLIENT if c.azure else codes.OPENAI_CLIENT


def check_clients(a: Analysis, ctx: CheckContext) -> List[Hit]:
    hits: List[Hit] = []
    claimed: Set[int] = set()
    for c in a.clients:
        if not c.target.blocked:
            continue
        claimed.update(id(n) for n in c.target_literals)
        # A client built from **kwargs, and a wrapper or config dict for an API the provider lacks, get a TODO
        # from `fix`.
        from_kwargs = c.star_kwargs and not c.config_dict
        unserved = bool((c.wrapper or c.config_dict) and ctx.provider and ctx.provider.endpoint(c.family) == "no")
        fixable = not (from_kwargs or unserved or c.kept_subclass or holds(c, a))
        if fixable and c.wrapper is not None:  # (lagent's GPTAPI: a URL argument or model names it would refuse)
            fixable = library_refuses(c, [m.value for m in a.models if m.owner is c], _name(ctx), ctx.target) is None
        if c.azure:
            where = f" ({c.target.host})" if c.target.host else ""
            hits.append(Hit(client_code(c), c.span, {"cls": c.cls, "where": where}, fixable=fixable))
        else:
            hits.append(Hit(client_code(c), c.span, {"cls": c.cls, "target": c.target.describe()}, fixable=fixable))

    for e in a.exports:
        if not e.spec.host:
            continue
        target = f"{e.spec.host} ({e.spec.what}, with the default OpenAI key)"
        hint = f"{TURNED_OFF}`{e.spec.fix}` after the imports"
        hits.append(Hit(codes.OPENAI_CLIENT, e.span, {"cls": e.spec.id, "target": target}, hint=hint))

    for r in a.reopens:  # (fixable: fix hands the call the program's own function, if the provider serves it)
        target = f"api.openai.com (without `{r.spec.arg}=` {r.spec.what})"
        fixable = r.given is not None and not (ctx.provider and ctx.provider.endpoint(r.family) == "no")
        hits.append(Hit(codes.OPENAI_CLIENT, r.span, {"cls": r.method, "target": target}, fixable=fixable))

    module = a.module_target
    module_blocked = bool(module and module.blocked)
    # an Azure deployment with no provider model keeps the whole module route on Azure (fix leaves it)
    held = bool(module_blocked and unmapped_module_deployments(a, ctx.provider, ctx.sdk, ctx.models))
    held = held or bool(module_blocked and caller_key(a))  # (a key its caller passes: fix leaves a TODO)
    for m in a.module_assigns:
        own_blocked = bool(m.target and m.target.blocked)
        if own_blocked or module_blocked:
            if m.role in ("base-url", "azure-endpoint"):
                claimed.add(id(m.value))
                for node in _string_nodes(m.value):
                    claimed.add(id(node))
            shown = m.target if own_blocked and m.target else module
            assert shown is not None
            hits.append(
                Hit(
                    codes.MODULE_CLIENT_CONFIG,
                    m.span,
                    {"attr": m.attr, "target": _goes(shown)},
                    fixable=None if a.module_client_used and not held else False,
                )
            )
    for call in a.calls:
        goes = call.module_target or module  # where the module client goes from this call's class
        if call.via == "client" or goes is None or not goes.blocked:
            continue
        code = codes.MODULE_CLIENT_CALL if call.via == "module" else codes.LEGACY_API_CALL
        hits.append(
            Hit(code, call.span, {"call": call.display, "target": _goes(goes)}, fixable=False if held else None)
        )
    for u in a.urls:
        if id(u.node) in claimed:
            continue
        kind = "Azure OpenAI" if u.target.kind == "azure" else "OpenAI API"
        hits.append(
            Hit(codes.OPENAI_URL, u.span, {"kind": kind, "url": u.url}, fixable=_url_fixable(u.url, u.target, ctx))
        )
    return hits


def _url_fixable(url: str, target: Target, ctx: CheckContext) -> bool:
    """What `fix` rewrites: an OpenAI `/v1` URL whose endpoint the provider serves (the rest gets a TODO)."""
    if target.kind != "openai":
        return False
    path = urlsplit(url.replace("{...}", "x")).path
    if not path.startswith("/v1"):
        return False  # dashboard/billing pages and the like have no counterpart
    rest = path[3:].lstrip("/")
    if not rest:
        return True
    family = ctx.sdk.rest_family(rest)
    return family is not None and (ctx.provider is None or ctx.provider.endpoint(family) != "no")


def _string_nodes(expr: object) -> List[object]:
    out: List[object] = []
    stack = [expr]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.SimpleString, cst.FormattedString)):
            out.append(n)
        elif isinstance(n, cst.ConcatenatedString):
            out.append(n)
            stack.extend([n.left, n.right])
        elif isinstance(n, cst.Call):
            stack.extend(arg.value for arg in n.args)
        elif isinstance(n, (cst.BooleanOperation,)):
            stack.extend([n.left, n.right])
    return out


def _name(ctx: CheckContext) -> str:
    return ctx.provider.name if ctx.provider is not None else "the provider"
